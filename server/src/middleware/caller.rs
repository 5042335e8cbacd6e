//! The middleware requests pass, outermost first. Pages, server functions and sign-in routes:
//! client address and IP allowlist → CSRF → (session layer) → who is calling → sign-in required
//! for pages. The REST API: client address and IP allowlist → who is calling (Bearer only).

use std::net::IpAddr;

use app::RequestAuth;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use domain::actor::AuthMethod;
use domain::problem::ErrorCode;
use domain::services::{api_tokens, users};
use domain::sessions::{SIGNED_IN_AT_KEY, USER_ID_KEY};
use domain::{Actor, RequestMeta};
use tower_sessions::Session;

use crate::http::error::{HttpError, refusal};
use crate::http::redirect::urlencode;
use crate::middleware::client_ip::ClientIp;
use crate::state::AppState;

/// Session key: when the session was last marked active (RFC 3339).
const LAST_SEEN_KEY: &str = "last_seen";
/// Activity refreshes the session's idle expiry at most this often (it costs a write).
const TOUCH_EVERY: chrono::Duration = chrono::Duration::minutes(5);
/// Paths anyone may reach without signing in.
fn is_public(path: &str) -> bool {
    matches!(path, "/health" | "/login" | "/password-reset" | "/favicon.svg" | "/robots.txt")
        || path.starts_with("/auth/")
        || path.starts_with("/pkg/")
}

/// How a browser request proved who it is: this session (its id, once it has one).
pub fn session_method(session: &Session) -> AuthMethod {
    AuthMethod::Session { session_id: session.id().map(|id| id.to_string()).unwrap_or_default() }
}

async fn actor_from_session(state: &AppState, session: &Session) -> Option<Actor> {
    let user_id: String = session.get(USER_ID_KEY).await.ok().flatten()?;
    let signed_in_at: Option<DateTime<Utc>> = session.get(SIGNED_IN_AT_KEY).await.ok().flatten();
    let now = Utc::now();
    let too_old =
        signed_in_at.is_none_or(|at| now - at > chrono::Duration::hours(state.config.session_max_hours));
    if too_old {
        let _ = session.flush().await;
        return None;
    }
    match users::actor_for_user(&state.db, &user_id, session_method(session)).await {
        Ok(Some(actor)) => {
            let last_seen: Option<DateTime<Utc>> = session.get(LAST_SEEN_KEY).await.ok().flatten();
            if last_seen.is_none_or(|at| now - at > TOUCH_EVERY) {
                // Modifying the session makes tower-sessions save it with a fresh idle expiry.
                let _ = session.insert(LAST_SEEN_KEY, now).await;
            }
            Some(actor)
        }
        Ok(None) => {
            // Deactivated or deleted since signing in.
            let _ = session.flush().await;
            None
        }
        Err(err) => {
            tracing::error!(error = %err, "could not load the signed-in user");
            None
        }
    }
}

fn bearer_token(request: &Request) -> Option<&str> {
    let value = request.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Where the request came from: the address `client_ip::admit_client` resolved and the
/// request id `SetRequestIdLayer` gave it (both run before this).
fn request_meta(request: &Request) -> RequestMeta {
    let ip = request.extensions().get::<ClientIp>().map(|c| c.0).unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    RequestMeta::new(ip, request_id)
}

/// What the request's Bearer token says about the caller.
enum Bearer {
    Absent,
    Valid(Actor),
    Refused(Response),
}

/// Checks the Bearer token, if any: a bad one is refused, never treated as anonymous. Takes
/// `&mut` only because a shared `&Request` is not `Send` (its body is not `Sync`).
async fn check_bearer(state: &AppState, request: &mut Request) -> Bearer {
    let Some(token) = bearer_token(request).map(str::to_owned) else { return Bearer::Absent };
    match api_tokens::authenticate(&state.db, &token).await {
        Ok(Some(actor)) => Bearer::Valid(actor),
        Ok(None) => {
            Bearer::Refused(refusal(request, ErrorCode::Unauthorized, "The API token is invalid or revoked."))
        }
        Err(err) => Bearer::Refused(HttpError::from(err).into_response()),
    }
}

/// Works out who is calling a page, server function or sign-in route: a Bearer token or the
/// session (browser).
pub async fn resolve_actor(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let actor = match check_bearer(&state, &mut request).await {
        Bearer::Valid(actor) => Some(actor),
        Bearer::Absent => match request.extensions().get::<Session>().cloned() {
            Some(session) => actor_from_session(&state, &session).await,
            None => None,
        },
        Bearer::Refused(refused) => return refused,
    };
    let meta = request_meta(&request);
    request.extensions_mut().insert(RequestAuth { actor, meta });
    next.run(request).await
}

/// Works out who is calling the REST API, which only Bearer tokens open: it reads no cookie,
/// so it needs neither the session layer nor the CSRF check.
pub async fn resolve_api_caller(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let actor = match check_bearer(&state, &mut request).await {
        Bearer::Valid(actor) => Some(actor),
        Bearer::Absent => None,
        Bearer::Refused(refused) => return refused,
    };
    let meta = request_meta(&request);
    request.extensions_mut().insert(RequestAuth { actor, meta });
    next.run(request).await
}

/// Pages need a signed-in user: others are sent to the sign-in page and brought back after.
pub async fn require_sign_in_for_pages(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let signed_in = request.extensions().get::<RequestAuth>().is_some_and(|auth| auth.actor.is_some());
    let is_page = request.method() == axum::http::Method::GET
        && !path.starts_with("/api/")
        && !path.starts_with("/rpc/")
        && !is_public(path);
    if signed_in || !is_page {
        return next.run(request).await;
    }
    let wanted = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let target =
        if wanted == "/" { "/login".to_owned() } else { format!("/login?next={}", urlencode(wanted)) };
    Redirect::to(&target).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_paths_are_few() {
        assert!(is_public("/login") && is_public("/auth/login") && is_public("/pkg/avatar.js"));
        assert!(!is_public("/") && !is_public("/settings") && !is_public("/audit"));
    }
}
