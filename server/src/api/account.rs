//! The caller's own account: who am I, my API tokens, the dashboard figures.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::access::CurrentUser;
use domain::input::rules;
use domain::model::{ApiTokenSummary, DashboardSummary, NewApiToken};
use domain::services::{api_tokens, dashboard};
use serde::{Deserialize, Serialize};

use crate::api::caller::ApiActor;
use crate::http::error::{ErrorBody, HttpError};
use crate::http::extract::JsonObject;
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    #[serde(flatten)]
    user: CurrentUser,
    permissions: Vec<&'static str>,
}

#[utoipa::path(get, path = "/me", tag = "account", summary = "Who the token belongs to, with their permissions",  responses((status = 200, body = Me), (status = 401, description = "No or bad token", body = ErrorBody)))]
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

#[utoipa::path(get, path = "/dashboard", tag = "account", summary = "Dashboard figures within your locations",  responses((status = 200, body = DashboardSummary), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    caller: ApiActor,
) -> Result<Json<DashboardSummary>, HttpError> {
    Ok(Json(dashboard::summary(&state.db, &caller.actor).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenList {
    items: Vec<ApiTokenSummary>,
    next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/api-tokens", tag = "account", summary = "Your API tokens (never their secrets)",  responses((status = 200, body = TokenList), (status = 401, description = "No or bad token", body = ErrorBody)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: ApiActor,
) -> Result<Json<TokenList>, HttpError> {
    let items = api_tokens::list_own(&state.db, &caller.actor).await?;
    Ok(Json(TokenList { items, next_cursor: None }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. "Website booking sync".
    #[schema(value_type = rules::Label80, inline)]
    name: String,
}

#[utoipa::path(post, path = "/api-tokens", tag = "account", summary = "Create an API token; the secret is shown once", request_body = NewToken, responses((status = 201, body = NewApiToken), (status = 401, description = "No or bad token", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: ApiActor,
    JsonObject(body): JsonObject<NewToken>,
) -> Result<(StatusCode, Json<NewApiToken>), HttpError> {
    let created = api_tokens::create(&state.db, &caller.actor, &body.name, &caller.meta).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(delete, path = "/api-tokens/{id}", tag = "account", summary = "Revoke one of your tokens", params(("id" = String, Path, description = "The record's id")), responses((status = 204, description = "Revoked"), (status = 401, description = "No or bad token", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    api_tokens::revoke(&state.db, &caller.actor, &id, &caller.meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
