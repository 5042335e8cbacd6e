//! Security settings: the IP allowlist.

use axum::Json;
use axum::extract::State;
use domain::model::IpAllowlistSettings;
use domain::services::ip_allowlist;

use crate::api::error::ApiError;
use crate::api::extract::{ApiActor, ApiJson};
use crate::startup::AppState;

pub async fn get_allowlist(
    State(state): State<AppState>,
    caller: ApiActor,
) -> Result<Json<IpAllowlistSettings>, ApiError> {
    Ok(Json(ip_allowlist::get(&state.db, &caller.actor).await?))
}

pub async fn put_allowlist(
    State(state): State<AppState>,
    caller: ApiActor,
    ApiJson(body): ApiJson<IpAllowlistSettings>,
) -> Result<Json<IpAllowlistSettings>, ApiError> {
    let saved = ip_allowlist::save(&state.db, &caller.actor, body, caller.ip).await?;
    state.allowlist.invalidate().await;
    Ok(Json(saved))
}
