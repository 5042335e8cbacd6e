//! `/api/v1` scheduling set-up (`settings.write`): a location's opening hours and closures,
//! services, scanners and rooms with their maintenance blocks, and staff members'
//! qualifications, working hours and leave. Reads are in `bookings.rs` (`GET /locations`, …).

use axum::Json;
use axum::extract::{Path, State};
use domain::model::{Location, Resource, Service, StaffMember};
use domain::services::bookings::setup::{
    self, NewClosure, NewResource, NewTimeOff, OpeningHours, Qualifications, ResourceChanges, ServiceInput,
    WorkingHours,
};

use crate::api::caller::ApiActor;
use crate::http::error::{ErrorBody, HttpError};
use crate::http::extract::JsonObject;
use crate::state::AppState;

#[utoipa::path(put, path = "/locations/{id}/hours", tag = "bookings", summary = "Replace a location's weekly opening hours (a day with no period is closed)", params(("id" = String, Path, description = "The location's id")), request_body = OpeningHours, responses((status = 200, body = Location), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "Not found (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn set_location_hours(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    JsonObject(input): JsonObject<OpeningHours>,
) -> Result<Json<Location>, HttpError> {
    Ok(Json(setup::set_location_hours(&state.db, &caller.actor, &id, input, &caller.meta).await?))
}

#[utoipa::path(post, path = "/locations/{id}/closures", tag = "bookings", summary = "Close a location for a day (a public holiday, a closure)", params(("id" = String, Path, description = "The location's id")), request_body = NewClosure, responses((status = 200, body = Location), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "Not found (or not in your locations)", body = ErrorBody), (status = 409, description = "Already closed that day", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn add_closure(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    JsonObject(input): JsonObject<NewClosure>,
) -> Result<Json<Location>, HttpError> {
    Ok(Json(setup::add_closure(&state.db, &caller.actor, &id, input, &caller.meta).await?))
}

#[utoipa::path(delete, path = "/locations/{id}/closures/{day}", tag = "bookings", summary = "Open a closed day again", params(("id" = String, Path, description = "The location's id"), ("day" = String, Path, description = "The day, YYYY-MM-DD")), responses((status = 200, body = Location), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "Not found (or not in your locations)", body = ErrorBody)))]
pub async fn remove_closure(
    State(state): State<AppState>,
    caller: ApiActor,
    Path((id, day)): Path<(String, String)>,
) -> Result<Json<Location>, HttpError> {
    Ok(Json(setup::remove_closure(&state.db, &caller.actor, &id, &day, &caller.meta).await?))
}

#[utoipa::path(post, path = "/services", tag = "bookings", summary = "Add a service: code, name, modality, minutes, buffers, preparation, referral, price in cents, resource kind", request_body = ServiceInput, responses((status = 200, body = Service), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 409, description = "Another service has the code", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn create_service(
    State(state): State<AppState>,
    caller: ApiActor,
    JsonObject(input): JsonObject<ServiceInput>,
) -> Result<Json<Service>, HttpError> {
    Ok(Json(setup::create_service(&state.db, &caller.actor, input, &caller.meta).await?))
}

#[utoipa::path(patch, path = "/services/{id}", tag = "bookings", summary = "Change a service (what is left out stays)", params(("id" = String, Path, description = "The service's id")), request_body = ServiceInput, responses((status = 200, body = Service), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "Not found (or not in your locations)", body = ErrorBody), (status = 409, description = "Another service has the code", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn update_service(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    JsonObject(input): JsonObject<ServiceInput>,
) -> Result<Json<Service>, HttpError> {
    Ok(Json(setup::update_service(&state.db, &caller.actor, &id, input, &caller.meta).await?))
}

#[utoipa::path(post, path = "/resources", tag = "bookings", summary = "Add a scanner or room at a location", request_body = NewResource, responses((status = 200, body = Resource), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 409, description = "The location has a resource of that name", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn create_resource(
    State(state): State<AppState>,
    caller: ApiActor,
    JsonObject(input): JsonObject<NewResource>,
) -> Result<Json<Resource>, HttpError> {
    Ok(Json(setup::create_resource(&state.db, &caller.actor, input, &caller.meta).await?))
}

#[utoipa::path(patch, path = "/resources/{id}", tag = "bookings", summary = "Rename a resource or take it out of use", params(("id" = String, Path, description = "The resource's id")), request_body = ResourceChanges, responses((status = 200, body = Resource), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "Not found (or not in your locations)", body = ErrorBody), (status = 409, description = "The location has a resource of that name", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn update_resource(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    JsonObject(input): JsonObject<ResourceChanges>,
) -> Result<Json<Resource>, HttpError> {
    Ok(Json(setup::update_resource(&state.db, &caller.actor, &id, input, &caller.meta).await?))
}

#[utoipa::path(post, path = "/resources/{id}/blocks", tag = "bookings", summary = "Block a resource for maintenance", params(("id" = String, Path, description = "The resource's id")), request_body = NewTimeOff, responses((status = 200, body = Resource), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "Not found (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn add_block(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    JsonObject(input): JsonObject<NewTimeOff>,
) -> Result<Json<Resource>, HttpError> {
    Ok(Json(setup::add_block(&state.db, &caller.actor, &id, input, &caller.meta).await?))
}

#[utoipa::path(delete, path = "/resources/{id}/blocks/{block_id}", tag = "bookings", summary = "Remove a maintenance block", params(("id" = String, Path, description = "The resource's id"), ("block_id" = String, Path, description = "The block's id")), responses((status = 200, body = Resource), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "Not found (or not in your locations)", body = ErrorBody)))]
pub async fn remove_block(
    State(state): State<AppState>,
    caller: ApiActor,
    Path((id, block_id)): Path<(String, String)>,
) -> Result<Json<Resource>, HttpError> {
    Ok(Json(setup::remove_block(&state.db, &caller.actor, &id, &block_id, &caller.meta).await?))
}

#[utoipa::path(put, path = "/staff/{id}/services", tag = "bookings", summary = "Replace the services a staff member may perform", params(("id" = String, Path, description = "The staff member's user id")), request_body = Qualifications, responses((status = 200, body = StaffMember), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "Not found (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn set_qualifications(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    JsonObject(input): JsonObject<Qualifications>,
) -> Result<Json<StaffMember>, HttpError> {
    Ok(Json(setup::set_qualifications(&state.db, &caller.actor, &id, input, &caller.meta).await?))
}

#[utoipa::path(put, path = "/staff/{id}/hours", tag = "bookings", summary = "Replace a staff member's weekly working hours (breaks are the gaps)", params(("id" = String, Path, description = "The staff member's user id")), request_body = WorkingHours, responses((status = 200, body = StaffMember), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "Not found (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn set_working_hours(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    JsonObject(input): JsonObject<WorkingHours>,
) -> Result<Json<StaffMember>, HttpError> {
    Ok(Json(setup::set_working_hours(&state.db, &caller.actor, &id, input, &caller.meta).await?))
}

#[utoipa::path(post, path = "/staff/{id}/leave", tag = "bookings", summary = "Record a staff member's leave", params(("id" = String, Path, description = "The staff member's user id")), request_body = NewTimeOff, responses((status = 200, body = StaffMember), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "Not found (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn add_leave(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    JsonObject(input): JsonObject<NewTimeOff>,
) -> Result<Json<StaffMember>, HttpError> {
    Ok(Json(setup::add_leave(&state.db, &caller.actor, &id, input, &caller.meta).await?))
}

#[utoipa::path(delete, path = "/staff/{id}/leave/{leave_id}", tag = "bookings", summary = "Remove a staff member's leave", params(("id" = String, Path, description = "The staff member's user id"), ("leave_id" = String, Path, description = "The leave's id")), responses((status = 200, body = StaffMember), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "Not found (or not in your locations)", body = ErrorBody)))]
pub async fn remove_leave(
    State(state): State<AppState>,
    caller: ApiActor,
    Path((id, leave_id)): Path<(String, String)>,
) -> Result<Json<StaffMember>, HttpError> {
    Ok(Json(setup::remove_leave(&state.db, &caller.actor, &id, &leave_id, &caller.meta).await?))
}
