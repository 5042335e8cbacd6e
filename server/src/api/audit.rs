//! `GET /api/v1/audit-events`: the audit log, newest first, filtered and paged.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use domain::model::{AuditEvent, Page};
use domain::services::audit::{self, Filter};
use serde::Deserialize;

use crate::api::caller::ApiActor;
use crate::http::error::{ErrorBody, HttpError};
use crate::http::extract::QueryParams;
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    actor_user_id: Option<String>,
    /// e.g. `contact.view`, `auth.sign_in`.
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    action: Option<String>,
    /// e.g. `contact`, `user`.
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    subject_type: Option<String>,
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    subject_id: Option<String>,
    /// Entries at or after this time.
    since: Option<DateTime<Utc>>,
    /// Entries before this time.
    until: Option<DateTime<Utc>>,
    /// `next_cursor` of the previous page, unchanged.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    cursor: Option<String>,
    /// Entries per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/audit-events", tag = "audit", summary = "The audit log, newest first", params(Params), responses((status = 200, body = Page<AuditEvent>), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiActor,
    QueryParams(params): QueryParams<Params>,
) -> Result<Json<Page<AuditEvent>>, HttpError> {
    domain::input::no_control_characters(&[
        ("actor_user_id", params.actor_user_id.as_deref()),
        ("action", params.action.as_deref()),
        ("subject_type", params.subject_type.as_deref()),
        ("subject_id", params.subject_id.as_deref()),
    ])?;
    let filter = Filter {
        actor_user_id: params.actor_user_id,
        action: params.action,
        subject_type: params.subject_type,
        subject_id: params.subject_id,
        since: params.since,
        until: params.until,
    };
    Ok(Json(audit::list(&state.db, &caller.actor, filter, params.cursor, params.limit).await?))
}
