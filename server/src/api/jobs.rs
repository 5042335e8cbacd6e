//! `/api/v1/jobs`: the background queue, for administrators (`jobs.manage`): list by state and
//! type, one job, retry a failed or dead one, discard one.

use axum::Json;
use axum::extract::{Path, State};
use domain::jobs::admin::{self, Filter};
use domain::model::{Job, JobKind, JobState, Page};
use serde::Deserialize;

use crate::api::caller::ApiActor;
use crate::http::error::{ErrorBody, HttpError};
use crate::http::extract::QueryParams;
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct JobListParams {
    /// Only jobs in this state.
    state: Option<JobState>,
    /// Only jobs of this type.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    kind: Option<JobKind>,
    /// `next_cursor` of the previous page, unchanged.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    cursor: Option<String>,
    /// Jobs per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/jobs", tag = "jobs", summary = "Background jobs, newest first, by state and type", params(JobListParams), responses((status = 200, body = Page<Job>), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiActor,
    QueryParams(params): QueryParams<JobListParams>,
) -> Result<Json<Page<Job>>, HttpError> {
    let filter =
        Filter { state: params.state, kind: params.kind, cursor: params.cursor, limit: params.limit };
    Ok(Json(admin::list(&state.db, &caller.actor, &filter).await?))
}

#[utoipa::path(get, path = "/jobs/{id}", tag = "jobs", summary = "One background job", params(("id" = String, Path, description = "The job's id")), responses((status = 200, body = Job), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Job>, HttpError> {
    Ok(Json(admin::get(&state.db, &caller.actor, &id).await?))
}

#[utoipa::path(post, path = "/jobs/{id}/retry", tag = "jobs", summary = "Run a failed, dead or discarded job again now, with all its attempts", params(("id" = String, Path, description = "The job's id")), responses((status = 200, body = Job), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record", body = ErrorBody), (status = 409, description = "The job is queued, running or succeeded", body = ErrorBody)))]
pub async fn retry(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Job>, HttpError> {
    Ok(Json(admin::retry(&state.db, &caller.actor, &id, &caller.meta).await?))
}

#[utoipa::path(post, path = "/jobs/{id}/discard", tag = "jobs", summary = "Give up a job that has not run to success: it never runs again", params(("id" = String, Path, description = "The job's id")), responses((status = 200, body = Job), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record", body = ErrorBody), (status = 409, description = "The job is running, succeeded or already discarded", body = ErrorBody)))]
pub async fn discard(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Job>, HttpError> {
    Ok(Json(admin::discard(&state.db, &caller.actor, &id, &caller.meta).await?))
}
