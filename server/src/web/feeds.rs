//! Calendar feeds for calendar apps, which cannot sign in: `/feeds/staff/{token}.ics` and
//! `/feeds/resources/{token}.ics`, the address signed (see `domain::services::bookings::feeds`).
//! Open to any address like the patients' pages, and under the same per-client budget.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::DomainError;
use domain::services::bookings::feeds::{self, FeedOf};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/feeds/staff/{token}", get(staff)).route("/feeds/resources/{token}", get(resource))
}

async fn staff(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    answer(&state, FeedOf::Staff, &token).await
}

async fn resource(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    answer(&state, FeedOf::Resource, &token).await
}

async fn answer(state: &AppState, of: FeedOf, token: &str) -> Response {
    match feeds::feed(&state.db, &state.config.patient_links, of, token).await {
        Ok(text) => {
            let mut response = text.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300"));
            response
        }
        Err(DomainError::NotFound(_)) => (StatusCode::NOT_FOUND, "No such calendar feed.").into_response(),
        Err(err) => {
            tracing::error!(error = %err, "a calendar feed failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "The feed could not be made just now.").into_response()
        }
    }
}
