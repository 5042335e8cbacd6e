//! The REST error shape: `{"error": {"code", "message", "fields"?}}` with the matching status.

use axum::Json;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody, JsonRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::DomainError;
use domain::error::FieldErrors;
use serde::Serialize;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    fields: Option<FieldErrors>,
    retry_after_secs: Option<u64>,
    duplicate_of: Option<String>,
}

/// The error shape every REST route answers with (documented in the OpenAPI file).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ErrorDetail {
    /// e.g. `validation`, `not_found`, `conflict`, `duplicate`, `forbidden`, `unauthorized`.
    code: String,
    message: String,
    /// Field name → problem, with `validation` (and `duplicate`).
    fields: Option<std::collections::BTreeMap<String, String>>,
    /// With `duplicate`: the contact already on file.
    duplicate_of: Option<String>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a FieldErrors>,
    /// With `duplicate`: the existing contact's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    duplicate_of: Option<&'a str>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            fields: None,
            retry_after_secs: None,
            duplicate_of: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Send an API token as `Authorization: Bearer <token>`.",
        )
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> ApiError {
        match err {
            DomainError::Validation(fields) => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "validation",
                message: DomainError::Validation(fields.clone()).to_string(),
                fields: Some(fields),
                retry_after_secs: None,
                duplicate_of: None,
            },
            DomainError::NotFound(what) => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
            }
            DomainError::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
            DomainError::Duplicate { field, existing_id } => ApiError {
                status: StatusCode::CONFLICT,
                code: "duplicate",
                message: format!(
                    "A contact with this {} already exists ({existing_id}); send allow_duplicate=true to create another.",
                    field.replace('_', " ")
                ),
                fields: Some(FieldErrors::from([(
                    field.to_owned(),
                    "is already used by another contact".to_owned(),
                )])),
                retry_after_secs: None,
                duplicate_of: Some(existing_id),
            },
            DomainError::Forbidden(permission) => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("Your role does not have the {} permission.", permission.as_str()),
            ),
            DomainError::ForbiddenReason(message) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
            }
            DomainError::Unauthenticated => ApiError::unauthorized(),
            DomainError::InvalidCredentials => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                DomainError::InvalidCredentials.to_string(),
            ),
            DomainError::RateLimited { message, retry_after_secs } => ApiError {
                status: StatusCode::TOO_MANY_REQUESTS,
                code: "rate_limited",
                message,
                fields: None,
                retry_after_secs: Some(retry_after_secs),
                duplicate_of: None,
            },
            other @ (DomainError::Database(_) | DomainError::Migration(_) | DomainError::Internal(_)) => {
                // The cause is for the operator's log; it never holds patient data.
                tracing::error!(error = %other, "request failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong on our side.",
                )
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        match rejection {
            JsonRejection::JsonDataError(e) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", e.body_text())
            }
            JsonRejection::BytesRejection(rejection) => ApiError::from(rejection),
            other => ApiError::bad_request(other.body_text()),
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

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> ApiError {
        match rejection {
            BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The request body is larger than the 2 MiB limit.",
            ),
            other if caused_by_timeout(&other) => ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                "The request body did not arrive in time.",
            ),
            _ => ApiError::bad_request("The request body could not be read."),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", rejection.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: self.code,
                message: &self.message,
                fields: self.fields.as_ref(),
                duplicate_of: self.duplicate_of.as_deref(),
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// The body-size limit answers 413 in plain text before any handler runs; API callers get our
/// JSON error shape instead.
pub async fn json_for_oversized_api_bodies(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if is_api && response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The request body is larger than the 2 MiB limit.",
        )
        .into_response();
    }
    response
}
