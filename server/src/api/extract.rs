//! Extractors for REST handlers (and the JSON forms of `/auth/*`): the token's actor, JSON
//! objects and query strings, each failure in our error shape.

use std::net::IpAddr;

use app::RequestAuth;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use domain::Actor;
use domain::actor::AuthMethod;
use serde::de::DeserializeOwned;

use crate::api::error::ApiError;

/// The caller of a REST route: authenticated by a Bearer token (sessions do not open the API).
pub struct ApiActor {
    pub actor: Actor,
    pub ip: IpAddr,
}

impl<S: Send + Sync> FromRequestParts<S> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let auth = parts.extensions.get::<RequestAuth>().ok_or_else(ApiError::unauthorized)?;
        match &auth.actor {
            Some(actor) if matches!(actor.via, AuthMethod::ApiToken { .. }) => {
                Ok(ApiActor { actor: actor.clone(), ip: auth.ip })
            }
            _ => Err(ApiError::unauthorized()),
        }
    }
}

/// `Json<T>` whose rejections answer in our error shape (415 not JSON, 400 malformed, 422
/// wrong fields). The body must be a JSON object: serde would otherwise fill a struct from an
/// array by position (`["name", "manager", true]`), which no client means.
pub struct ApiJson<T>(pub T);

/// `application/json` or `application/<something>+json`, parameters allowed.
fn is_json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json_content_type(request.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON with `Content-Type: application/json`.",
            ));
        }
        let bytes = Bytes::from_request(request, state).await?;
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "The request body must be a JSON object, such as {\"name\": \"…\"}.",
            ));
        }
        let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes)?;
        Ok(ApiJson(value))
    }
}

/// `Query<T>` whose rejections answer 422 naming the bad parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) = axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(ApiQuery(value))
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
