//! `/api/v1/tasks` and a contact's timeline `/api/v1/contacts/{id}/touchpoints`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::model::{Page, Task, Touchpoint};
use domain::services::tasks::{self, NewTask, TaskChanges, TaskFilter};
use domain::services::touchpoints::{self, NewTouchpoint};
use serde::Deserialize;

use crate::api::error::ApiError;
use crate::api::extract::{ApiActor, ApiJson, ApiQuery};
use crate::startup::AppState;

pub async fn list(
    State(state): State<AppState>,
    caller: ApiActor,
    ApiQuery(filter): ApiQuery<TaskFilter>,
) -> Result<Json<Page<Task>>, ApiError> {
    Ok(Json(tasks::list(&state.db, &caller.actor, filter).await?))
}

pub async fn create(
    State(state): State<AppState>,
    caller: ApiActor,
    ApiJson(input): ApiJson<NewTask>,
) -> Result<(StatusCode, Json<Task>), ApiError> {
    let task = tasks::create(&state.db, &caller.actor, input, Some(caller.ip.to_string())).await?;
    Ok((StatusCode::CREATED, Json(task)))
}

pub async fn update(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    ApiJson(changes): ApiJson<TaskChanges>,
) -> Result<Json<Task>, ApiError> {
    Ok(Json(tasks::update(&state.db, &caller.actor, &id, changes, Some(caller.ip.to_string())).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineParams {
    cursor: Option<String>,
    limit: Option<u32>,
}

pub async fn timeline(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<TimelineParams>,
) -> Result<Json<Page<Touchpoint>>, ApiError> {
    Ok(Json(touchpoints::list(&state.db, &caller.actor, &id, params.cursor, params.limit).await?))
}

pub async fn log_touchpoint(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewTouchpoint>,
) -> Result<(StatusCode, Json<Touchpoint>), ApiError> {
    let touchpoint =
        touchpoints::create(&state.db, &caller.actor, &id, input, Some(caller.ip.to_string())).await?;
    Ok((StatusCode::CREATED, Json(touchpoint)))
}
