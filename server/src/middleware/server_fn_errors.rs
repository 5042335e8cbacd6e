//! Leptos answers 500 when a server function's arguments cannot be read (missing field, wrong
//! type), before our code runs. That is the caller's mistake, not ours: this answers 400 instead
//! (405 for a wrong method), keeping leptos's body so the UI still shows the message.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// Leptos's error bodies are short; anything longer is not one of these.
const MAX_ERROR_BODY: usize = 64 * 1024;

fn client_fault(body: &[u8]) -> Option<StatusCode> {
    let kind = body.split(|b| *b == b'|').next()?;
    match kind {
        b"Args" | b"MissingArg" | b"Deserialization" => Some(StatusCode::BAD_REQUEST),
        b"UnsupportedRequestMethod" => Some(StatusCode::METHOD_NOT_ALLOWED),
        _ => None,
    }
}

pub async fn map_argument_errors(request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/rpc/") {
        return next.run(request).await;
    }
    let response = next.run(request).await;
    let is_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR || !is_text {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Some(status) = client_fault(&bytes) {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_argument_problems_count_as_the_callers_fault() {
        assert_eq!(client_fault(b"Args|missing field `email`"), Some(StatusCode::BAD_REQUEST));
        assert_eq!(client_fault(b"Deserialization|expected bool"), Some(StatusCode::BAD_REQUEST));
        assert_eq!(client_fault(b"ServerError|Something went wrong"), None);
        assert_eq!(client_fault(b"Args"), Some(StatusCode::BAD_REQUEST));
    }
}
