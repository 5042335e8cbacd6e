//! Server functions for staff accounts (Settings → Users) and the staff pickers.

use domain::model::UserSummary;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

#[server(prefix = "/rpc", endpoint = "list_users")]
pub async fn list_users() -> Result<domain::display::Zoned<Vec<UserSummary>>, AppError> {
    let (actor, _) = ssr::caller()?;
    let db = ssr::context().db;
    let users = domain::services::users::list(&db, &actor).await.map_err(ssr::fail)?;
    let clock = domain::services::clock::for_clinic(&db).await.map_err(ssr::fail)?;
    let instants: Vec<_> = users.iter().filter_map(|u| u.last_sign_in_at).collect();
    Ok(clock.zoned(users, &instants))
}

#[server(prefix = "/rpc", endpoint = "create_user")]
pub async fn create_user(
    email: String,
    display_name: String,
    role: String,
    password: String,
) -> Result<UserSummary, AppError> {
    let (actor, meta) = ssr::caller()?;
    let input = domain::services::users::NewUser {
        email,
        display_name,
        role,
        password: Some(password).filter(|p| !p.is_empty()),
        ..Default::default()
    };
    domain::services::users::create(&ssr::context().db, Some(&actor), input, &meta).await.map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "update_user")]
pub async fn update_user(
    id: String,
    role: Option<String>,
    active: Option<bool>,
) -> Result<UserSummary, AppError> {
    let (actor, meta) = ssr::caller()?;
    let changes = domain::services::users::UserChanges { role, active, ..Default::default() };
    domain::services::users::update(&ssr::context().db, &actor, &id, changes, &meta).await.map_err(ssr::fail)
}

/// Active staff (id, name) for owner and assignee pickers.
#[server(prefix = "/rpc", endpoint = "assignable_staff")]
pub async fn assignable_staff() -> Result<Vec<(String, String)>, AppError> {
    let (actor, _) = ssr::caller()?;
    domain::services::users::assignable(&ssr::context().db, &actor).await.map_err(ssr::fail)
}
