//! Security settings: the IP allowlist.

use axum::Json;
use axum::extract::State;
use domain::model::IpAllowlistSettings;
use domain::services::ip_allowlist;

use crate::api::error::{ApiError, ErrorBody};
use crate::api::extract::{ApiActor, ApiJson};
use crate::startup::AppState;

#[utoipa::path(get, path = "/settings/ip-allowlist", tag = "settings", summary = "The IP allowlist",  responses((status = 200, body = IpAllowlistSettings), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody)))]
pub async fn get_allowlist(
    State(state): State<AppState>,
    caller: ApiActor,
) -> Result<Json<IpAllowlistSettings>, ApiError> {
    Ok(Json(ip_allowlist::get(&state.db, &caller.actor).await?))
}

#[utoipa::path(put, path = "/settings/ip-allowlist", tag = "settings", summary = "Replace the IP allowlist (refused if it would lock you out)", request_body = IpAllowlistSettings, responses((status = 200, body = IpAllowlistSettings), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn put_allowlist(
    State(state): State<AppState>,
    caller: ApiActor,
    ApiJson(body): ApiJson<IpAllowlistSettings>,
) -> Result<Json<IpAllowlistSettings>, ApiError> {
    let saved = ip_allowlist::save(&state.db, &caller.actor, body, caller.ip).await?;
    state.allowlist.invalidate().await;
    Ok(Json(saved))
}
