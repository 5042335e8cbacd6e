//! Leptos answers 500 when a server function fails before our code runs (its arguments missing
//! or unreadable). The error itself is our `AppError` (a `Problem`, e.g. `bad_request`), so its
//! code says what the status should be: this sets it. Errors raised by our own code already set
//! their status (`server_fns::ssr::fail`).

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use domain::problem::Problem;

/// Our error bodies are short; anything longer is not one of them.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// The status `body` asks for, if it is a `Problem` that is not an internal error.
fn status_of(body: &[u8]) -> Option<StatusCode> {
    let problem: Problem = serde_json::from_slice(body).ok()?;
    StatusCode::from_u16(problem.status()).ok().filter(|s| *s != StatusCode::INTERNAL_SERVER_ERROR)
}

pub async fn map_argument_errors(request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/rpc/") {
        return next.run(request).await;
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Some(status) = status_of(&bytes) {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_problem_in_the_body_names_the_status() {
        let missing = br#"{"code":"bad_request","message":"Part of the form was missing"}"#;
        assert_eq!(status_of(missing), Some(StatusCode::BAD_REQUEST));
        assert_eq!(status_of(br#"{"code":"internal","message":"x"}"#), None);
        assert_eq!(status_of(b"ServerError|Something went wrong"), None);
    }
}
