//! The REST API under `/api/v1`: Bearer tokens, JSON, errors as in ARCHITECTURE.md.
//! One module per area; each handler parses, calls one domain service, maps the error.

pub mod error;
pub mod extract;

mod account;
mod audit;
pub(crate) mod contacts;
mod settings;
mod tasks;
mod users;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};

use crate::api::error::ApiError;
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(account::me))
        .route("/dashboard", get(account::dashboard))
        .route("/api-tokens", get(account::list_tokens).post(account::create_token))
        .route("/api-tokens/{id}", delete(account::revoke_token))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", patch(users::update))
        .route("/audit-events", get(audit::list))
        .route("/contacts", get(contacts::list).post(contacts::create))
        .route("/contacts.csv", get(contacts::export_csv))
        .route("/contacts/import", post(contacts::import_csv))
        .route(
            "/contacts/{id}",
            get(contacts::get).put(contacts::replace).patch(contacts::patch).delete(contacts::delete),
        )
        .route("/contacts/{id}/restore", post(contacts::restore))
        .route("/contacts/{id}/stage", post(contacts::move_stage))
        .route("/contacts/{id}/duplicates", get(contacts::duplicates))
        .route("/contacts/{id}/merge", post(contacts::merge))
        .route("/pipeline", get(contacts::board))
        .route("/contacts/{id}/touchpoints", get(tasks::timeline).post(tasks::log_touchpoint))
        .route("/tasks", get(tasks::list).post(tasks::create))
        .route("/tasks/{id}", patch(tasks::update))
        .route("/settings/ip-allowlist", get(settings::get_allowlist).put(settings::put_allowlist))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not_found", "No such API route.") })
}
