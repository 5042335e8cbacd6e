//! The caller of a REST route: authenticated by a Bearer token (sessions do not open the API).

use app::RequestAuth;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::actor::AuthMethod;
use domain::{Actor, RequestMeta};

use crate::http::error::HttpError;

/// The caller of a REST route: authenticated by a Bearer token (sessions do not open the API).
pub struct ApiActor {
    pub actor: Actor,
    /// Where the request came from, for the audit log.
    pub meta: RequestMeta,
}

impl<S: Send + Sync> FromRequestParts<S> for ApiActor {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let auth = parts.extensions.get::<RequestAuth>().ok_or_else(HttpError::unauthorized)?;
        match &auth.actor {
            Some(actor) if matches!(actor.via, AuthMethod::ApiToken { .. }) => {
                Ok(ApiActor { actor: actor.clone(), meta: auth.meta.clone() })
            }
            _ => Err(HttpError::unauthorized()),
        }
    }
}
