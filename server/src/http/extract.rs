//! Extractors for JSON object bodies and query strings whose failures answer in our error
//! shape (REST routes and the JSON forms of `/auth/*`).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::de::DeserializeOwned;

use domain::problem::ErrorCode;

use crate::http::error::HttpError;

/// `Json<T>` whose rejections answer in our error shape (415 not JSON, 400 malformed, 422
/// wrong fields). The body must be a JSON object: serde would otherwise fill a struct from an
/// array by position (`["name", "manager", true]`), which no client means.
pub struct JsonObject<T>(pub T);

/// `application/json` or `application/<something>+json`, parameters allowed.
fn is_json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonObject<T> {
    type Rejection = HttpError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json_content_type(request.headers()) {
            return Err(HttpError::new(
                ErrorCode::UnsupportedMediaType,
                "Send the body as JSON with `Content-Type: application/json`.",
            ));
        }
        let bytes = Bytes::from_request(request, state).await?;
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(HttpError::new(
                ErrorCode::Validation,
                "The request body must be a JSON object, such as {\"name\": \"…\"}.",
            ));
        }
        let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes)?;
        Ok(JsonObject(value))
    }
}

/// `Query<T>` whose rejections answer 422 naming the bad parameter.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) = axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(QueryParams(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_its_suffixed_types_count_as_json() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, axum::http::HeaderValue::from_static(value));
            is_json_content_type(&headers)
        };
        assert!(with("application/json") && with("Application/JSON; charset=utf-8"));
        assert!(with("application/merge-patch+json"));
        assert!(
            !with("text/plain") && !with("application/jsonp") && !with("application/x-www-form-urlencoded")
        );
        assert!(!is_json_content_type(&HeaderMap::new()));
    }
}
