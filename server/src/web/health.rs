//! `GET /health` for load balancers: 200 when the database answers, 503 when it does not.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Serialize;

use crate::state::AppState;

/// How long the database gets to answer before the instance counts as unhealthy.
const DB_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Serialize)]
struct Health {
    status: &'static str,
    db: &'static str,
    version: &'static str,
}

pub async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let db_ok = matches!(tokio::time::timeout(DB_TIMEOUT, state.db.ping()).await, Ok(Ok(())));
    let version = env!("CARGO_PKG_VERSION");
    if db_ok {
        (StatusCode::OK, Json(Health { status: "ok", db: "ok", version }))
    } else {
        tracing::warn!("health check: database unreachable");
        (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "unavailable", db: "unreachable", version }))
    }
}
