//! `/api/v1/waitlist`: contacts waiting for a service at a location between two days — list
//! (queue order), add, remove. When a booking is cancelled or moved, its old time is offered to
//! the first waiting entries (a task for staff and a text with a link); see
//! `domain::services::bookings::waitlist`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::model::WaitlistEntry;
use domain::services::bookings::waitlist::{self, NewWaitlistEntry, WaitlistFilter};

use crate::api::caller::ApiActor;
use crate::http::error::{ErrorBody, HttpError};
use crate::http::extract::{JsonObject, QueryParams};
use crate::state::AppState;

#[utoipa::path(get, path = "/waitlist", tag = "bookings", summary = "Waitlist entries in queue order (who joined first), by location, contact and status", params(WaitlistFilter), responses((status = 200, body = Vec<WaitlistEntry>), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiActor,
    QueryParams(filter): QueryParams<WaitlistFilter>,
) -> Result<Json<Vec<WaitlistEntry>>, HttpError> {
    Ok(Json(waitlist::list(&state.db, &caller.actor, filter).await?))
}

#[utoipa::path(post, path = "/waitlist", tag = "bookings", summary = "Put a contact on the waitlist for a service at a location between two days", request_body = NewWaitlistEntry, responses((status = 201, body = WaitlistEntry), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 409, description = "Already waiting for this service at this location", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    caller: ApiActor,
    JsonObject(input): JsonObject<NewWaitlistEntry>,
) -> Result<(StatusCode, Json<WaitlistEntry>), HttpError> {
    let entry = waitlist::add(&state.db, &caller.actor, input, &caller.meta).await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

#[utoipa::path(delete, path = "/waitlist/{id}", tag = "bookings", summary = "Take an entry off the waitlist (its open offers lapse)", params(("id" = String, Path, description = "The entry's id")), responses((status = 200, body = WaitlistEntry), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such entry (or not in your locations)", body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<WaitlistEntry>, HttpError> {
    Ok(Json(waitlist::remove(&state.db, &caller.actor, &id, &caller.meta).await?))
}
