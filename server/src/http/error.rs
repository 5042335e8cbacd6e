//! The HTTP layer's one error type: a [`Problem`] answered as `{"error": Problem}` with the
//! status its code fixes (`ErrorCode::status`, from the one table in `domain::error`). REST
//! routes, sign-in routes and middleware all answer with it; server functions carry the same
//! `Problem` (`app::error::AppError`).

use axum::Json;
use axum::extract::Request;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody, JsonRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::DomainError;
use domain::problem::{ErrorCode, Problem};
use serde::Serialize;

#[derive(Debug)]
pub struct HttpError(pub Problem);

/// The body of every error answer: what is sent and what the OpenAPI document describes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: Problem,
}

impl HttpError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> HttpError {
        HttpError(Problem::new(code, message))
    }

    pub fn bad_request(message: impl Into<String>) -> HttpError {
        HttpError::new(ErrorCode::BadRequest, message)
    }

    /// For the REST API, which only API tokens open.
    pub fn unauthorized() -> HttpError {
        HttpError::new(ErrorCode::Unauthorized, "Send an API token as `Authorization: Bearer <token>`.")
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn message(&self) -> &str {
        &self.0.message
    }
}

impl From<DomainError> for HttpError {
    fn from(err: DomainError) -> HttpError {
        HttpError(Problem::from(err))
    }
}

impl From<JsonRejection> for HttpError {
    fn from(rejection: JsonRejection) -> HttpError {
        match rejection {
            JsonRejection::JsonDataError(e) => HttpError::new(ErrorCode::Validation, e.body_text()),
            JsonRejection::BytesRejection(rejection) => HttpError::from(rejection),
            other => HttpError::bad_request(other.body_text()),
        }
    }
}

/// Whether `err`, or anything it was caused by, is the body deadline expiring.
fn caused_by_timeout(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(err);
    while let Some(err) = cause {
        if err.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = err.source();
    }
    false
}

impl From<BytesRejection> for HttpError {
    fn from(rejection: BytesRejection) -> HttpError {
        match rejection {
            BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => {
                HttpError::new(ErrorCode::PayloadTooLarge, "The request body is larger than the 2 MiB limit.")
            }
            other if caused_by_timeout(&other) => {
                HttpError::new(ErrorCode::RequestTimeout, "The request body did not arrive in time.")
            }
            _ => HttpError::bad_request("The request body could not be read."),
        }
    }
}

impl From<QueryRejection> for HttpError {
    fn from(rejection: QueryRejection) -> HttpError {
        HttpError::new(ErrorCode::Validation, rejection.body_text())
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = self.0.retry_after_secs;
        let mut response = (status, Json(ErrorBody { error: self.0 })).into_response();
        if let Some(secs) = retry_after
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// Whether the caller reads JSON (the API, scripts) rather than pages.
pub fn wants_json(request: &Request) -> bool {
    let path = request.uri().path();
    path.starts_with("/api/")
        || request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("application/json") && !accept.contains("text/html"))
}

/// A refusal from middleware: our JSON error for API callers, one plain sentence for browsers.
pub fn refusal(request: &Request, code: ErrorCode, message: &str) -> Response {
    if wants_json(request) {
        HttpError::new(code, message).into_response()
    } else {
        let status = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message.to_owned()).into_response()
    }
}
