//! `/api/v1/contacts`: list, create, read, replace, change, delete (soft) and restore.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::model::{Contact, ContactCount, DuplicateMatch, ImportReport, Page, PipelineBoard};
use domain::problem::ErrorCode;
use domain::services::contacts::csv_export::ExportFilter;
use domain::services::contacts::{self, ContactFields, ListFilter, Mode};

use crate::api::caller::ApiActor;
use crate::http::error::{ErrorBody, HttpError};
use crate::http::extract::{JsonObject, QueryParams};
use crate::state::AppState;

#[utoipa::path(get, path = "/contacts", tag = "contacts", summary = "Search and list contacts (typo-tolerant names, filters, sort, cursor)", params(ListFilter), responses((status = 200, body = Page<Contact>), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiActor,
    QueryParams(filter): QueryParams<ListFilter>,
) -> Result<Json<Page<Contact>>, HttpError> {
    Ok(Json(contacts::list(&state.db, &caller.actor, filter).await?))
}

/// How many contacts `GET /contacts` with the same filters finds, for "1,234 contacts" above a
/// list; asked apart so that a page never waits for its count.
#[utoipa::path(get, path = "/contacts/count", tag = "contacts", summary = "Count the contacts a list's filters find (sort, cursor and limit play no part)", params(ListFilter), responses((status = 200, body = ContactCount), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody)))]
pub async fn count(
    State(state): State<AppState>,
    caller: ApiActor,
    QueryParams(filter): QueryParams<ListFilter>,
) -> Result<Json<ContactCount>, HttpError> {
    Ok(Json(contacts::count(&state.db, &caller.actor, filter).await?))
}

/// Query string of `POST /contacts`.
#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CreateOptions {
    /// Create even when a contact with the same phone or email exists (otherwise 409).
    #[serde(default)]
    pub allow_duplicate: bool,
}

#[utoipa::path(post, path = "/contacts", tag = "contacts", summary = "Create a contact (409 if the phone or email is already on file)", params(CreateOptions), request_body = ContactFields, responses((status = 201, body = Contact), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 409, description = "Conflicts with existing data", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiActor,
    QueryParams(options): QueryParams<CreateOptions>,
    JsonObject(fields): JsonObject<ContactFields>,
) -> Result<(StatusCode, Json<Contact>), HttpError> {
    let meta = &caller.meta;
    let contact = contacts::create(&state.db, &caller.actor, fields, options.allow_duplicate, meta).await?;
    Ok((StatusCode::CREATED, Json(contact)))
}

/// Contacts that may be the same person (same phone or email, or a similar name unless the dates
/// of birth differ).
#[utoipa::path(get, path = "/contacts/{id}/duplicates", tag = "contacts", summary = "Contacts that may be the same person", params(("id" = String, Path, description = "The record's id")), responses((status = 200, body = Vec<DuplicateMatch>), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody)))]
pub async fn duplicates(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<domain::model::DuplicateMatch>>, HttpError> {
    Ok(Json(contacts::duplicates::for_contact(&state.db, &caller.actor, &id).await?))
}

/// Body of `POST /contacts/{id}/merge`.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    pub duplicate_id: String,
}

/// Merges `duplicate_id` into this contact; both histories end up here.
#[utoipa::path(post, path = "/contacts/{id}/merge", tag = "contacts", summary = "Merge a duplicate into this contact, keeping both histories", params(("id" = String, Path, description = "The record's id")), request_body = MergeRequest, responses((status = 200, body = Contact), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn merge(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<MergeRequest>,
) -> Result<Json<Contact>, HttpError> {
    let meta = &caller.meta;
    Ok(Json(contacts::merge(&state.db, &caller.actor, &id, &body.duplicate_id, meta).await?))
}

/// Query of `GET /contacts/{id}/merge-preview`.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MergePreviewQuery {
    /// The record that would be merged in and retired.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub duplicate_id: String,
}

/// Field by field, what merging `duplicate_id` into this contact would leave on it.
#[utoipa::path(get, path = "/contacts/{id}/merge-preview", tag = "contacts", summary = "What a merge would keep, field by field", params(("id" = String, Path, description = "The record's id"), MergePreviewQuery), responses((status = 200, body = Vec<domain::model::MergeField>), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody)))]
pub async fn merge_preview(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    QueryParams(query): QueryParams<MergePreviewQuery>,
) -> Result<Json<Vec<domain::model::MergeField>>, HttpError> {
    Ok(Json(contacts::merge::preview(&state.db, &caller.actor, &id, &query.duplicate_id).await?))
}

/// Merges into this contact that can still be undone (for 30 days), newest first.
#[utoipa::path(get, path = "/contacts/{id}/merges", tag = "contacts", summary = "Merges into this contact that can still be undone", params(("id" = String, Path, description = "The record's id")), responses((status = 200, body = Vec<domain::model::ContactMerge>), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody)))]
pub async fn merges(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<domain::model::ContactMerge>>, HttpError> {
    Ok(Json(contacts::merge::undoable_into(&state.db, &caller.actor, &id).await?))
}

/// Undoes a merge within 30 days: the retired record comes back with its own history.
#[utoipa::path(post, path = "/merges/{id}/undo", tag = "contacts", summary = "Undo a merge (within 30 days); answers the restored contact", params(("id" = String, Path, description = "The merge's id")), responses((status = 200, body = Contact), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody), (status = 409, description = "Conflicts with existing data", body = ErrorBody)))]
pub async fn undo_merge(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Contact>, HttpError> {
    Ok(Json(contacts::merge::undo(&state.db, &caller.actor, &id, &caller.meta).await?))
}

#[utoipa::path(get, path = "/contacts/{id}", tag = "contacts", summary = "One contact (the view is audited)", params(("id" = String, Path, description = "The record's id")), responses((status = 200, body = Contact), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Contact>, HttpError> {
    Ok(Json(contacts::get(&state.db, &caller.actor, &id, &caller.meta).await?))
}

/// `PUT` replaces the record: fields left out are cleared.
#[utoipa::path(put, path = "/contacts/{id}", tag = "contacts", summary = "Replace a contact (fields left out are cleared)", params(("id" = String, Path, description = "The record's id")), request_body = ContactFields, responses((status = 200, body = Contact), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn replace(
    state: State<AppState>,
    caller: ApiActor,
    id: Path<String>,
    fields: JsonObject<ContactFields>,
) -> Result<Json<Contact>, HttpError> {
    change(state, caller, id, fields, Mode::Replace).await
}

/// `PATCH` changes only the fields given.
#[utoipa::path(patch, path = "/contacts/{id}", tag = "contacts", summary = "Change the given fields of a contact", params(("id" = String, Path, description = "The record's id")), request_body = ContactFields, responses((status = 200, body = Contact), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn patch(
    state: State<AppState>,
    caller: ApiActor,
    id: Path<String>,
    fields: JsonObject<ContactFields>,
) -> Result<Json<Contact>, HttpError> {
    change(state, caller, id, fields, Mode::Patch).await
}

async fn change(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    JsonObject(fields): JsonObject<ContactFields>,
    mode: Mode,
) -> Result<Json<Contact>, HttpError> {
    let meta = &caller.meta;
    Ok(Json(contacts::update(&state.db, &caller.actor, &id, fields, mode, meta).await?))
}

#[utoipa::path(delete, path = "/contacts/{id}", tag = "contacts", summary = "Delete a contact (restorable for 30 days)", params(("id" = String, Path, description = "The record's id")), responses((status = 204, description = "Deleted"), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    contacts::delete(&state.db, &caller.actor, &id, &caller.meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/contacts/{id}/restore", tag = "contacts", summary = "Restore a contact deleted in the last 30 days", params(("id" = String, Path, description = "The record's id")), responses((status = 200, body = Contact), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody), (status = 409, description = "Conflicts with existing data", body = ErrorBody)))]
pub async fn restore(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Contact>, HttpError> {
    Ok(Json(contacts::restore(&state.db, &caller.actor, &id, &caller.meta).await?))
}

/// Body of `POST /contacts/{id}/stage`.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageMove {
    pub stage_id: String,
}

/// Moves the contact to another pipeline stage; the move joins its timeline.
#[utoipa::path(post, path = "/contacts/{id}/stage", tag = "contacts", summary = "Move a contact to another pipeline stage", params(("id" = String, Path, description = "The record's id")), request_body = StageMove, responses((status = 200, body = Contact), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn move_stage(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<StageMove>,
) -> Result<Json<Contact>, HttpError> {
    let meta = &caller.meta;
    Ok(Json(contacts::move_to_stage(&state.db, &caller.actor, &id, &body.stage_id, meta).await?))
}

/// The pipeline board: stages in order, each with its count and newest cards.
#[utoipa::path(get, path = "/pipeline", tag = "contacts", summary = "The pipeline board: stages with counts and newest cards", params(domain::services::pipeline::BoardFilter), responses((status = 200, body = PipelineBoard), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody)))]
pub async fn board(
    State(state): State<AppState>,
    caller: ApiActor,
    QueryParams(filter): QueryParams<domain::services::pipeline::BoardFilter>,
) -> Result<Json<domain::model::PipelineBoard>, HttpError> {
    Ok(Json(domain::services::pipeline::board(&state.db, &caller.actor, filter).await?))
}

/// `GET /contacts.csv`: the same filters as the list; every matching contact.
#[utoipa::path(get, path = "/contacts.csv", tag = "contacts", summary = "Every contact the filters select, as CSV", params(ExportFilter), responses((status = 200, content_type = "text/csv", body = String), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody)))]
pub async fn export_csv(
    State(state): State<AppState>,
    caller: ApiActor,
    QueryParams(filter): QueryParams<ExportFilter>,
) -> Result<axum::response::Response, HttpError> {
    let meta = &caller.meta;
    let csv = contacts::csv_export::export(&state.db, &caller.actor, filter, meta).await?;
    Ok(crate::http::csv::download(csv))
}

/// Query string of `POST /contacts/import` (columns are matched by their header names).
#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// What to do with a row whose phone or email is already on file (default `skip`).
    #[serde(default)]
    #[param(inline)]
    pub duplicates: contacts::csv_import::OnDuplicate,
    #[serde(default)]
    pub dry_run: bool,
}

/// `POST /contacts/import` with a `text/csv` body: answers with the per-row report.
#[utoipa::path(post, path = "/contacts/import", tag = "contacts", summary = "Import contacts from CSV (columns matched by header); answers with the per-row report", params(ImportQuery), request_body(content = String, content_type = "text/csv"), responses((status = 200, body = ImportReport), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 415, description = "Not text/csv", body = ErrorBody)))]
pub async fn import_csv(
    State(state): State<AppState>,
    caller: ApiActor,
    QueryParams(query): QueryParams<ImportQuery>,
    headers: axum::http::HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<domain::model::ImportReport>, HttpError> {
    let content_type =
        headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.starts_with("text/csv") {
        return Err(HttpError::new(
            ErrorCode::UnsupportedMediaType,
            "Send the file as `Content-Type: text/csv`.",
        ));
    }
    let body = body?;
    let text =
        std::str::from_utf8(&body).map_err(|_| HttpError::bad_request("The CSV must be UTF-8 text."))?;
    let options = contacts::csv_import::ImportOptions {
        mapping: None,
        duplicates: query.duplicates,
        dry_run: query.dry_run,
        first_row: None,
    };
    let meta = &caller.meta;
    Ok(Json(contacts::csv_import::import(&state.db, &caller.actor, text, options, meta).await?))
}
