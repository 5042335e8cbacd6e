//! Server functions for the signed-in user's own account: who am I, sign-in options, password, API tokens.

use domain::access::CurrentUser;
use domain::model::{ApiTokenSummary, NewApiToken};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

/// The signed-in user, if any (never an error: the sign-in page asks too).
#[server(prefix = "/rpc", endpoint = "whoami")]
pub async fn whoami() -> Result<Option<CurrentUser>, AppError> {
    Ok(ssr::request_auth().and_then(|auth| auth.actor).map(|actor| CurrentUser {
        id: actor.user_id,
        email: actor.email,
        display_name: actor.display_name,
        role: actor.role,
    }))
}

/// Which sign-in methods the sign-in page offers.
#[server(prefix = "/rpc", endpoint = "google_sign_in_enabled")]
pub async fn google_sign_in_enabled() -> Result<bool, AppError> {
    Ok(ssr::context().google_sign_in)
}

#[server(prefix = "/rpc", endpoint = "change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    let (actor, meta) = ssr::caller()?;
    domain::services::users::change_password(
        &ssr::context().db,
        &actor,
        &current_password,
        &new_password,
        &meta,
    )
    .await
    .map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "list_api_tokens")]
pub async fn list_api_tokens() -> Result<domain::display::Zoned<Vec<ApiTokenSummary>>, AppError> {
    let (actor, _) = ssr::caller()?;
    let db = ssr::context().db;
    let tokens = domain::services::api_tokens::list_own(&db, &actor).await.map_err(ssr::fail)?;
    let clock = domain::services::clock::for_clinic(&db).await.map_err(ssr::fail)?;
    let instants: Vec<_> =
        tokens.iter().flat_map(|t| [Some(t.created_at), t.last_used_at]).flatten().collect();
    Ok(clock.zoned(tokens, &instants))
}

#[server(prefix = "/rpc", endpoint = "create_api_token")]
pub async fn create_api_token(name: String) -> Result<NewApiToken, AppError> {
    let (actor, meta) = ssr::caller()?;
    domain::services::api_tokens::create(&ssr::context().db, &actor, &name, &meta).await.map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: String) -> Result<(), AppError> {
    let (actor, meta) = ssr::caller()?;
    domain::services::api_tokens::revoke(&ssr::context().db, &actor, &id, &meta).await.map_err(ssr::fail)
}
