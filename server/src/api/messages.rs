//! `/api/v1/messages` and `/api/v1/suppressions`: text or email a contact (202, the message
//! comes back queued and a job sends it), list and read messages, and the suppression list.
//! Location scope as for contacts: another location's message answers 404.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::model::{Message, Page, Suppression};
use domain::services::messages::send::{self, NewEmail, NewSms};
use domain::services::messages::suppressions::{self, NewSuppression, SuppressionFilter};
use domain::services::messages::{self, MessageFilter};

use crate::api::caller::ApiActor;
use crate::http::error::{ErrorBody, HttpError};
use crate::http::extract::{JsonObject, QueryParams};
use crate::state::AppState;

#[utoipa::path(post, path = "/messages/sms", tag = "messages", summary = "Text a contact: stored as queued and sent by a job", request_body = NewSms, responses((status = 202, description = "Queued; `status` moves to sent, then delivered or failed", body = Message), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such contact (or not in your locations)", body = ErrorBody), (status = 409, description = "The contact has no mobile number, or is on the suppression list; the message says which", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn send_sms(
    State(state): State<AppState>,
    caller: ApiActor,
    JsonObject(input): JsonObject<NewSms>,
) -> Result<(StatusCode, Json<Message>), HttpError> {
    let message = send::sms(&state.db, &caller.actor, input, &caller.meta).await?;
    Ok((StatusCode::ACCEPTED, Json(message)))
}

#[utoipa::path(post, path = "/messages/email", tag = "messages", summary = "Email a contact (text, and HTML if given): stored as queued and sent by a job", request_body = NewEmail, responses((status = 202, description = "Queued", body = Message), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such contact (or not in your locations)", body = ErrorBody), (status = 409, description = "The contact has no email address, or is on the suppression list; the message says which", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn send_email(
    State(state): State<AppState>,
    caller: ApiActor,
    JsonObject(input): JsonObject<NewEmail>,
) -> Result<(StatusCode, Json<Message>), HttpError> {
    let message = send::email(&state.db, &caller.actor, input, &caller.meta).await?;
    Ok((StatusCode::ACCEPTED, Json(message)))
}

#[utoipa::path(get, path = "/messages", tag = "messages", summary = "Messages newest first, by contact, channel and status", params(MessageFilter), responses((status = 200, body = Page<Message>), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such contact (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiActor,
    QueryParams(filter): QueryParams<MessageFilter>,
) -> Result<Json<Page<Message>>, HttpError> {
    Ok(Json(messages::list(&state.db, &caller.actor, &filter).await?))
}

#[utoipa::path(get, path = "/messages/{id}", tag = "messages", summary = "One message with its delivery status", params(("id" = String, Path, description = "The message's id")), responses((status = 200, body = Message), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Message>, HttpError> {
    Ok(Json(messages::get(&state.db, &caller.actor, &id, &caller.meta).await?))
}

#[utoipa::path(get, path = "/suppressions", tag = "messages", summary = "Contacts who must not be sent SMS or email, newest first", params(SuppressionFilter), responses((status = 200, body = Page<Suppression>), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such contact (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody)))]
pub async fn list_suppressions(
    State(state): State<AppState>,
    caller: ApiActor,
    QueryParams(filter): QueryParams<SuppressionFilter>,
) -> Result<Json<Page<Suppression>>, HttpError> {
    Ok(Json(suppressions::list(&state.db, &caller.actor, &filter).await?))
}

#[utoipa::path(post, path = "/suppressions", tag = "messages", summary = "Stop sending a contact SMS or email", request_body = NewSuppression, responses((status = 201, body = Suppression), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such contact (or not in your locations)", body = ErrorBody), (status = 409, description = "Already suppressed for that channel", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn add_suppression(
    State(state): State<AppState>,
    caller: ApiActor,
    JsonObject(input): JsonObject<NewSuppression>,
) -> Result<(StatusCode, Json<Suppression>), HttpError> {
    let suppression = suppressions::add(&state.db, &caller.actor, input, &caller.meta).await?;
    Ok((StatusCode::CREATED, Json(suppression)))
}

#[utoipa::path(delete, path = "/suppressions/{id}", tag = "messages", summary = "Allow a channel again", params(("id" = String, Path, description = "The suppression's id")), responses((status = 204, description = "Removed"), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody)))]
pub async fn remove_suppression(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    suppressions::remove(&state.db, &caller.actor, &id, &caller.meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
