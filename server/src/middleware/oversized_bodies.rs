//! The body-size limit answers 413 in plain text before any handler runs; API callers get our
//! JSON error shape instead.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::problem::ErrorCode;

use crate::http::error::HttpError;

pub async fn json_for_api(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if is_api && response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return HttpError::new(
            ErrorCode::PayloadTooLarge,
            "The request body is larger than the 2 MiB limit.",
        )
        .into_response();
    }
    response
}
