//! `/api/v1/pipeline/stages`: the clinic's pipeline stages (Settings).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::model::Stage;
use domain::services::pipeline::{self, NewStage, StageInput};

use crate::api::caller::ApiActor;
use crate::http::error::{ErrorBody, HttpError};
use crate::http::extract::JsonObject;
use crate::state::AppState;

#[utoipa::path(post, path = "/pipeline/stages", tag = "pipeline", summary = "Add a pipeline stage", request_body = NewStage,
    responses((status = 201, body = Stage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, body = ErrorBody)))]
pub async fn create_stage(
    State(state): State<AppState>,
    caller: ApiActor,
    JsonObject(input): JsonObject<NewStage>,
) -> Result<(StatusCode, Json<Stage>), HttpError> {
    Ok((
        StatusCode::CREATED,
        Json(pipeline::create_stage(&state.db, &caller.actor, input, &caller.meta).await?),
    ))
}

#[utoipa::path(patch, path = "/pipeline/stages/{id}", tag = "pipeline", summary = "Rename, move, open or close a stage",
    params(("id" = String, Path, description = "The stage's id")), request_body = StageInput,
    responses((status = 200, body = Stage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, body = ErrorBody)))]
pub async fn update_stage(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    JsonObject(input): JsonObject<StageInput>,
) -> Result<Json<Stage>, HttpError> {
    Ok(Json(pipeline::update_stage(&state.db, &caller.actor, &id, input, &caller.meta).await?))
}

#[utoipa::path(delete, path = "/pipeline/stages/{id}", tag = "pipeline", summary = "Remove an empty stage",
    params(("id" = String, Path, description = "The stage's id")),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "Contacts are still in the stage", body = ErrorBody)))]
pub async fn delete_stage(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    pipeline::delete_stage(&state.db, &caller.actor, &id, &caller.meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
