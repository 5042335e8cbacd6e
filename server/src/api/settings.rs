//! Settings: the IP allowlist, and which message providers are configured.

use axum::Json;
use axum::extract::State;
use domain::model::{IpAllowlistSettings, ProviderSettings};
use domain::services::ip_allowlist;

use crate::api::caller::ApiActor;
use crate::http::error::{ErrorBody, HttpError};
use crate::http::extract::JsonObject;
use crate::state::AppState;

#[utoipa::path(get, path = "/settings/ip-allowlist", tag = "settings", summary = "The IP allowlist",  responses((status = 200, body = IpAllowlistSettings), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody)))]
pub async fn get_allowlist(
    State(state): State<AppState>,
    caller: ApiActor,
) -> Result<Json<IpAllowlistSettings>, HttpError> {
    Ok(Json(ip_allowlist::get(&state.db, &caller.actor).await?))
}

#[utoipa::path(put, path = "/settings/ip-allowlist", tag = "settings", summary = "Replace the IP allowlist (refused if it would lock you out)", request_body = IpAllowlistSettings, responses((status = 200, body = IpAllowlistSettings), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn put_allowlist(
    State(state): State<AppState>,
    caller: ApiActor,
    JsonObject(body): JsonObject<IpAllowlistSettings>,
) -> Result<Json<IpAllowlistSettings>, HttpError> {
    let saved = ip_allowlist::save(&state.db, &caller.actor, body, &caller.meta).await?;
    state.allowlist.invalidate().await;
    Ok(Json(saved))
}

#[utoipa::path(get, path = "/settings/providers", tag = "settings", summary = "Which SMS and email providers this server sends through (never their secrets)", responses((status = 200, body = ProviderSettings), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody)))]
pub async fn providers(
    State(state): State<AppState>,
    caller: ApiActor,
) -> Result<Json<ProviderSettings>, HttpError> {
    Ok(Json(
        domain::services::messages::provider_settings(
            &state.db,
            &caller.actor,
            &state.config.provider_settings(),
        )
        .await?,
    ))
}
