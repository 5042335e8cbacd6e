//! Extractors for REST handlers: the token's actor, JSON and query strings with our errors.

use std::net::IpAddr;

use app::RequestAuth;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
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

/// `Json<T>` whose rejections answer in our error shape (400 malformed, 422 wrong fields).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(request, state).await?;
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
