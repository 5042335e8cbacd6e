//! `/api/v1/tasks` and a contact's timeline `/api/v1/contacts/{id}/touchpoints`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::model::{Page, Task, TaskCounts, Touchpoint};
use domain::services::tasks::{self, NewTask, TaskChanges, TaskFilter};
use domain::services::touchpoints::{self, NewTouchpoint};
use serde::Deserialize;

use crate::api::caller::ApiActor;
use crate::http::error::{ErrorBody, HttpError};
use crate::http::extract::{JsonObject, QueryParams};
use crate::state::AppState;

#[utoipa::path(get, path = "/tasks", tag = "tasks", summary = "Tasks: open (soonest due first), overdue, due today, done or all; mine, no one's or anyone's", params(TaskFilter), responses((status = 200, body = Page<Task>), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiActor,
    QueryParams(filter): QueryParams<TaskFilter>,
) -> Result<Json<Page<Task>>, HttpError> {
    Ok(Json(tasks::list(&state.db, &caller.actor, filter).await?))
}

/// How many open tasks need doing today, are the caller's, no one's, overdue, and open at all.
#[utoipa::path(get, path = "/tasks/counts", tag = "tasks", summary = "Open task counts: needs doing today, mine, unassigned, overdue, all open", responses((status = 200, body = TaskCounts), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody)))]
pub async fn counts(State(state): State<AppState>, caller: ApiActor) -> Result<Json<TaskCounts>, HttpError> {
    Ok(Json(tasks::counts(&state.db, &caller.actor).await?))
}

#[utoipa::path(post, path = "/tasks", tag = "tasks", summary = "Create a task", request_body = NewTask, responses((status = 201, body = Task), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiActor,
    JsonObject(input): JsonObject<NewTask>,
) -> Result<(StatusCode, Json<Task>), HttpError> {
    let task = tasks::create(&state.db, &caller.actor, input, &caller.meta).await?;
    Ok((StatusCode::CREATED, Json(task)))
}

#[utoipa::path(patch, path = "/tasks/{id}", tag = "tasks", summary = "Complete, reassign, reschedule or rename a task", params(("id" = String, Path, description = "The record's id")), request_body = TaskChanges, responses((status = 200, body = Task), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    JsonObject(changes): JsonObject<TaskChanges>,
) -> Result<Json<Task>, HttpError> {
    Ok(Json(tasks::update(&state.db, &caller.actor, &id, changes, &caller.meta).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimelineParams {
    /// `next_cursor` of the previous page, unchanged.
    cursor: Option<String>,
    /// Entries per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/contacts/{id}/touchpoints", tag = "contacts", summary = "A contact's timeline, newest first", params(("id" = String, Path, description = "The record's id"), TimelineParams), responses((status = 200, body = Page<Touchpoint>), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody)))]
pub async fn timeline(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    QueryParams(params): QueryParams<TimelineParams>,
) -> Result<Json<Page<Touchpoint>>, HttpError> {
    Ok(Json(touchpoints::list(&state.db, &caller.actor, &id, params.cursor, params.limit).await?))
}

#[utoipa::path(post, path = "/contacts/{id}/touchpoints", tag = "contacts", summary = "Log a call, note, SMS or email on the timeline", params(("id" = String, Path, description = "The record's id")), request_body = NewTouchpoint, responses((status = 201, body = Touchpoint), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn log_touchpoint(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    JsonObject(input): JsonObject<NewTouchpoint>,
) -> Result<(StatusCode, Json<Touchpoint>), HttpError> {
    let touchpoint = touchpoints::create(&state.db, &caller.actor, &id, input, &caller.meta).await?;
    Ok((StatusCode::CREATED, Json(touchpoint)))
}
