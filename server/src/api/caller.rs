//! The caller of a REST route: authenticated by a Bearer token (sessions do not open the API).

use std::net::IpAddr;

use app::RequestAuth;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::Actor;
use domain::actor::AuthMethod;

use crate::http::error::HttpError;

/// The caller of a REST route: authenticated by a Bearer token (sessions do not open the API).
pub struct ApiActor {
    pub actor: Actor,
    pub ip: IpAddr,
}

impl<S: Send + Sync> FromRequestParts<S> for ApiActor {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let auth = parts.extensions.get::<RequestAuth>().ok_or_else(HttpError::unauthorized)?;
        match &auth.actor {
            Some(actor) if matches!(actor.via, AuthMethod::ApiToken { .. }) => {
                Ok(ApiActor { actor: actor.clone(), ip: auth.ip })
            }
            _ => Err(HttpError::unauthorized()),
        }
    }
}
