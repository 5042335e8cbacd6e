//! The caller's own account: who am I, my API tokens, the dashboard figures.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::access::CurrentUser;
use domain::model::{ApiTokenSummary, DashboardSummary, NewApiToken};
use domain::services::{api_tokens, dashboard};
use serde::{Deserialize, Serialize};

use crate::api::error::ApiError;
use crate::api::extract::{ApiActor, ApiJson};
use crate::startup::AppState;

#[derive(Serialize)]
pub struct Me {
    #[serde(flatten)]
    user: CurrentUser,
    permissions: Vec<&'static str>,
}

pub async fn me(caller: ApiActor) -> Json<Me> {
    let actor = caller.actor;
    let permissions = domain::access::Permission::ALL
        .into_iter()
        .filter(|p| actor.role.allows(*p))
        .map(|p| p.as_str())
        .collect();
    Json(Me {
        user: CurrentUser {
            id: actor.user_id,
            email: actor.email,
            display_name: actor.display_name,
            role: actor.role,
        },
        permissions,
    })
}

pub async fn dashboard(
    State(state): State<AppState>,
    caller: ApiActor,
) -> Result<Json<DashboardSummary>, ApiError> {
    Ok(Json(dashboard::summary(&state.db, &caller.actor).await?))
}

#[derive(Serialize)]
pub struct TokenList {
    items: Vec<ApiTokenSummary>,
    next_cursor: Option<String>,
}

pub async fn list_tokens(
    State(state): State<AppState>,
    caller: ApiActor,
) -> Result<Json<TokenList>, ApiError> {
    let items = api_tokens::list_own(&state.db, &caller.actor).await?;
    Ok(Json(TokenList { items, next_cursor: None }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    caller: ApiActor,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<NewApiToken>), ApiError> {
    let created =
        api_tokens::create(&state.db, &caller.actor, &body.name, Some(caller.ip.to_string())).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn revoke_token(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    api_tokens::revoke(&state.db, &caller.actor, &id, Some(caller.ip.to_string())).await?;
    Ok(StatusCode::NO_CONTENT)
}
