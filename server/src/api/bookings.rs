//! `/api/v1` bookings: the catalogue (`/locations`, `/services`, `/resources`, `/staff`), free
//! slots (`/availability`), and `/bookings` — create, read, move, confirm, cancel, bring back,
//! complete, no-show. Location scope as for contacts: another location's booking answers 404.
//! A clash with another booking answers 409, refused by the database itself if requests race.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::model::{
    Booking, BookingAnalytics, BookingDetail, Location, Page, Resource, Service, Slot, StaffMember,
};
use domain::services::bookings::analytics::AnalyticsQuery;
use domain::services::bookings::feeds::{self, FeedAddress, FeedOf};
use domain::services::bookings::{
    self, AvailabilityQuery, BookingChanges, BookingFilter, CancelBooking, NewBooking, catalog,
};

use crate::api::caller::ApiActor;
use crate::http::error::{ErrorBody, HttpError};
use crate::http::extract::{JsonObject, QueryParams};
use crate::state::AppState;

#[utoipa::path(get, path = "/locations", tag = "bookings", summary = "Locations with their time zone, opening hours and coming closures", responses((status = 200, body = Vec<Location>), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody)))]
pub async fn locations(
    State(state): State<AppState>,
    caller: ApiActor,
) -> Result<Json<Vec<Location>>, HttpError> {
    Ok(Json(catalog::locations(&state.db, &caller.actor).await?))
}

#[utoipa::path(get, path = "/services", tag = "bookings", summary = "Services: modality, duration, buffers, preparation, price in cents, resource kind", responses((status = 200, body = Vec<Service>), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody)))]
pub async fn services(
    State(state): State<AppState>,
    caller: ApiActor,
) -> Result<Json<Vec<Service>>, HttpError> {
    Ok(Json(catalog::services(&state.db, &caller.actor).await?))
}

#[utoipa::path(get, path = "/resources", tag = "bookings", summary = "Scanners and rooms with their coming maintenance blocks", responses((status = 200, body = Vec<Resource>), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody)))]
pub async fn resources(
    State(state): State<AppState>,
    caller: ApiActor,
) -> Result<Json<Vec<Resource>>, HttpError> {
    Ok(Json(catalog::resources(&state.db, &caller.actor).await?))
}

#[utoipa::path(get, path = "/staff", tag = "bookings", summary = "Staff who perform services: qualifications, working hours and coming leave", responses((status = 200, body = Vec<StaffMember>), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody)))]
pub async fn staff(
    State(state): State<AppState>,
    caller: ApiActor,
) -> Result<Json<Vec<StaffMember>>, HttpError> {
    Ok(Json(catalog::staff(&state.db, &caller.actor).await?))
}

#[utoipa::path(get, path = "/availability", tag = "bookings", summary = "Free slots for a service at a location over its days (at most 62)", params(AvailabilityQuery), responses((status = 200, description = "Start order; each names the resource and staff member it would take", body = Vec<Slot>), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such service or location (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody)))]
pub async fn availability(
    State(state): State<AppState>,
    caller: ApiActor,
    QueryParams(query): QueryParams<AvailabilityQuery>,
) -> Result<Json<Vec<Slot>>, HttpError> {
    Ok(Json(bookings::availability(&state.db, &caller.actor, query).await?))
}

#[utoipa::path(get, path = "/bookings", tag = "bookings", summary = "Bookings in start order, by location, resource, staff member, contact, status and days", params(BookingFilter), responses((status = 200, body = Page<Booking>), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiActor,
    QueryParams(filter): QueryParams<BookingFilter>,
) -> Result<Json<Page<Booking>>, HttpError> {
    Ok(Json(bookings::list(&state.db, &caller.actor, filter).await?))
}

#[utoipa::path(post, path = "/bookings", tag = "bookings", summary = "Book a contact in at a free slot; sends the confirmation", request_body = NewBooking, responses((status = 201, body = Booking), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 409, description = "The time is taken (another booking, leave or maintenance); the message names what", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiActor,
    JsonObject(input): JsonObject<NewBooking>,
) -> Result<(StatusCode, Json<Booking>), HttpError> {
    let booking =
        bookings::create(&state.db, &caller.actor, input, &state.config.patient_links, &caller.meta).await?;
    Ok((StatusCode::CREATED, Json(booking)))
}

#[utoipa::path(get, path = "/bookings/{id}", tag = "bookings", summary = "One booking with its history (the view is audited)", params(("id" = String, Path, description = "The booking's id")), responses((status = 200, body = BookingDetail), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<BookingDetail>, HttpError> {
    Ok(Json(bookings::get(&state.db, &caller.actor, &id, &caller.meta).await?))
}

#[utoipa::path(patch, path = "/bookings/{id}", tag = "bookings", summary = "Move a booking (start, resource, staff member) or change its notes", params(("id" = String, Path, description = "The booking's id")), request_body = BookingChanges, responses((status = 200, body = Booking), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody), (status = 409, description = "The new time is taken, or the booking is closed", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    JsonObject(changes): JsonObject<BookingChanges>,
) -> Result<Json<Booking>, HttpError> {
    Ok(Json(bookings::reschedule(&state.db, &caller.actor, &id, changes, &caller.meta).await?))
}

#[utoipa::path(post, path = "/bookings/{id}/cancel", tag = "bookings", summary = "Cancel a booking, with the reason", params(("id" = String, Path, description = "The booking's id")), request_body = CancelBooking, responses((status = 200, body = Booking), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody), (status = 409, description = "The booking is completed or a no-show", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    JsonObject(input): JsonObject<CancelBooking>,
) -> Result<Json<Booking>, HttpError> {
    Ok(Json(bookings::cancel(&state.db, &caller.actor, &id, input, &caller.meta).await?))
}

#[utoipa::path(post, path = "/bookings/{id}/confirm", tag = "bookings", summary = "Mark a booking confirmed by the patient", params(("id" = String, Path, description = "The booking's id")), responses((status = 200, body = Booking), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody), (status = 409, description = "The booking is cancelled or closed", body = ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Booking>, HttpError> {
    Ok(Json(bookings::confirm(&state.db, &caller.actor, &id, &caller.meta).await?))
}

#[utoipa::path(post, path = "/bookings/{id}/uncancel", tag = "bookings", summary = "Bring a cancelled booking back, if its time is still ahead and free", params(("id" = String, Path, description = "The booking's id")), responses((status = 200, body = Booking), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody), (status = 409, description = "The time has passed or has been booked since", body = ErrorBody)))]
pub async fn uncancel(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Booking>, HttpError> {
    Ok(Json(bookings::uncancel(&state.db, &caller.actor, &id, &caller.meta).await?))
}

#[utoipa::path(post, path = "/bookings/{id}/complete", tag = "bookings", summary = "Mark a booking attended (the contact moves to Attended)", params(("id" = String, Path, description = "The booking's id")), responses((status = 200, body = Booking), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody), (status = 409, description = "Not started yet, or cancelled", body = ErrorBody)))]
pub async fn complete(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Booking>, HttpError> {
    Ok(Json(bookings::complete(&state.db, &caller.actor, &id, &caller.meta).await?))
}

#[utoipa::path(post, path = "/bookings/{id}/no-show", tag = "bookings", summary = "Mark that the patient did not come", params(("id" = String, Path, description = "The booking's id")), responses((status = 200, body = Booking), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody), (status = 409, description = "Not started yet, or cancelled", body = ErrorBody)))]
pub async fn no_show(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Booking>, HttpError> {
    Ok(Json(bookings::no_show(&state.db, &caller.actor, &id, &caller.meta).await?))
}

#[utoipa::path(get, path = "/analytics/bookings", tag = "bookings", summary = "Utilisation per resource, no-show rate, lead time and bookings by service over a range of days", params(AnalyticsQuery), responses((status = 200, body = BookingAnalytics), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such location (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody)))]
pub async fn analytics(
    State(state): State<AppState>,
    caller: ApiActor,
    QueryParams(query): QueryParams<AnalyticsQuery>,
) -> Result<Json<BookingAnalytics>, HttpError> {
    Ok(Json(bookings::analytics::summary(&state.db, &caller.actor, query).await?))
}

#[utoipa::path(get, path = "/staff/{id}/feed", tag = "bookings", summary = "The address of a staff member's iCalendar feed (for a calendar app; no patient details in it)", params(("id" = String, Path, description = "The staff member's user id")), responses((status = 200, body = FeedAddress), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such staff member", body = ErrorBody)))]
pub async fn staff_feed(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<FeedAddress>, HttpError> {
    Ok(Json(feeds::address(&state.db, &caller.actor, &state.config.patient_links, FeedOf::Staff, &id).await?))
}

#[utoipa::path(get, path = "/resources/{id}/feed", tag = "bookings", summary = "The address of a scanner's or room's iCalendar feed (for a calendar app; no patient details in it)", params(("id" = String, Path, description = "The resource's id")), responses((status = 200, body = FeedAddress), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such resource (or not in your locations)", body = ErrorBody)))]
pub async fn resource_feed(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<FeedAddress>, HttpError> {
    Ok(Json(
        feeds::address(&state.db, &caller.actor, &state.config.patient_links, FeedOf::Resource, &id).await?,
    ))
}
