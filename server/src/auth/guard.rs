//! The middleware requests pass, outermost first. Pages, server functions and sign-in routes:
//! client address and IP allowlist → CSRF → (session layer) → who is calling → sign-in required
//! for pages. The REST API: client address and IP allowlist → who is calling (Bearer only).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::RequestAuth;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use domain::actor::AuthMethod;
use domain::services::ip_allowlist::{self, IpAllowlist};
use domain::services::{api_tokens, users};
use domain::sessions::{SIGNED_IN_AT_KEY, USER_ID_KEY};
use domain::{Actor, Db};
use tokio::sync::RwLock;
use tower_sessions::Session;

use crate::api::error::ApiError;
use crate::auth::{client_ip, csrf};
use crate::startup::AppState;

/// The resolved client address, for handlers and later middleware.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

/// Session key: when the session was last marked active (RFC 3339).
const LAST_SEEN_KEY: &str = "last_seen";
/// Activity refreshes the session's idle expiry at most this often (it costs a write).
const TOUCH_EVERY: chrono::Duration = chrono::Duration::minutes(5);
/// The allowlist is re-read from the database this often, so every instance follows a change.
const ALLOWLIST_TTL: Duration = Duration::from_secs(5);

/// Paths anyone may reach without signing in.
fn is_public(path: &str) -> bool {
    matches!(path, "/health" | "/login" | "/password-reset" | "/favicon.svg" | "/robots.txt")
        || path.starts_with("/auth/")
        || path.starts_with("/pkg/")
}

pub fn wants_json(request: &Request) -> bool {
    let path = request.uri().path();
    path.starts_with("/api/")
        || request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("application/json") && !accept.contains("text/html"))
}

fn refuse(request: &Request, status: StatusCode, code: &'static str, message: &str) -> Response {
    if wants_json(request) {
        ApiError::new(status, code, message).into_response()
    } else {
        (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message.to_owned()).into_response()
    }
}

/// The allowlist as last read, shared by all requests of this instance.
#[derive(Debug)]
pub struct AllowlistCache {
    db: Db,
    cached: RwLock<Option<(Instant, Arc<IpAllowlist>)>>,
}

impl AllowlistCache {
    pub fn new(db: Db) -> Self {
        AllowlistCache { db, cached: RwLock::new(None) }
    }

    async fn current(&self) -> Option<Arc<IpAllowlist>> {
        if let Some((at, list)) = self.cached.read().await.as_ref()
            && at.elapsed() < ALLOWLIST_TTL
        {
            return Some(list.clone());
        }
        match ip_allowlist::load(&self.db).await {
            Ok(list) => {
                let list = Arc::new(list);
                *self.cached.write().await = Some((Instant::now(), list.clone()));
                Some(list)
            }
            Err(err) => {
                tracing::error!(error = %err, "could not read the IP allowlist");
                // Keep enforcing the last list we knew; with none, refuse rather than guess.
                self.cached.read().await.as_ref().map(|(_, list)| list.clone())
            }
        }
    }

    /// Forget the cached list (after this instance saved a new one).
    pub async fn invalidate(&self) {
        *self.cached.write().await = None;
    }
}

/// Resolves the client's address (through trusted proxies) for everything after, and refuses
/// addresses outside the IP allowlist. `/health` stays reachable for load balancers.
pub async fn admit_client(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let ip = client_ip::resolve(client_ip::peer(&request), request.headers(), &state.config.trusted_proxies);
    request.extensions_mut().insert(ClientIp(ip));
    if request.uri().path() == "/health" {
        return next.run(request).await;
    }
    match state.allowlist.current().await {
        Some(list) if list.allows(ip) => next.run(request).await,
        Some(_) => {
            tracing::warn!(%ip, "request refused by the IP allowlist");
            refuse(&request, StatusCode::FORBIDDEN, "forbidden", "Access from your network is not allowed.")
        }
        None => refuse(&request, StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Temporarily unavailable."),
    }
}

pub async fn csrf_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_login = request.uri().path() == "/auth/login";
    match csrf::check(request.method(), request.headers(), &state.config.public_base_url, is_login) {
        Ok(()) => next.run(request).await,
        Err(reason) => {
            tracing::warn!(reason, "CSRF check refused a request");
            refuse(
                &request,
                StatusCode::FORBIDDEN,
                "forbidden",
                "This request came from another site and was refused. Reload the page and try again.",
            )
        }
    }
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

fn client_ip_of(request: &Request) -> IpAddr {
    request.extensions().get::<ClientIp>().map(|c| c.0).unwrap_or(IpAddr::from([127, 0, 0, 1]))
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
        Ok(None) => Bearer::Refused(refuse(
            request,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "The API token is invalid or revoked.",
        )),
        Err(err) => Bearer::Refused(ApiError::from(err).into_response()),
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
    let ip = client_ip_of(&request);
    request.extensions_mut().insert(RequestAuth { actor, ip });
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
    let ip = client_ip_of(&request);
    request.extensions_mut().insert(RequestAuth { actor, ip });
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

/// Percent-encodes a path for use as a query value.
pub fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A `next` target is only ever a path on this site. It is parsed the way a browser parses a
/// link (WHATWG URL rules: tabs and newlines dropped, a backslash read as `/`) against a placeholder
/// origin; anything that leaves that origin (`//evil.example`, `/\t/evil.example`, a full
/// URL, `javascript:`) becomes `/`. What is returned is the parsed path, query and fragment,
/// percent-encoded, so it is always a valid `Location` header.
pub fn safe_next(next: Option<&str>) -> String {
    static HERE: std::sync::LazyLock<Option<url::Url>> =
        std::sync::LazyLock::new(|| url::Url::parse("http://this-site.invalid/").ok());
    let (Some(here), Some(next)) = (HERE.as_ref(), next) else { return "/".to_owned() };
    match here.join(next) {
        Ok(target) if target.origin() == here.origin() => target[url::Position::BeforePath..].to_owned(),
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_targets_stay_on_this_site() {
        assert_eq!(safe_next(Some("/contacts?q=a")), "/contacts?q=a");
        assert_eq!(safe_next(Some("//evil.example/x")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        // Characters browsers drop or rewrite do not smuggle a host in.
        for evil in [
            "/\t/evil.example/phish",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "\\\\evil.example",
            "/\\/evil.example",
            " //evil.example",
            "\t//evil.example",
            "javascript:alert(1)",
            "https:/evil.example",
        ] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil:?}");
        }
        // Same-site targets survive, normalised into a valid header value.
        assert_eq!(safe_next(Some("/contacts/01K?q=Ann Lee#x")), "/contacts/01K?q=Ann%20Lee#x");
        assert_eq!(safe_next(Some("/%0A/evil.example")), "/%0A/evil.example");
        assert_eq!(safe_next(Some("/a/../settings")), "/settings");
        // A same-scheme "relative URL" is a path here, as in a browser.
        assert_eq!(safe_next(Some("http:evil.example")), "/evil.example");
        assert!(axum::http::HeaderValue::from_str(&safe_next(Some("/é\u{7f}"))).is_ok());
    }

    #[test]
    fn public_paths_are_few() {
        assert!(is_public("/login") && is_public("/auth/login") && is_public("/pkg/avatar.js"));
        assert!(!is_public("/") && !is_public("/settings") && !is_public("/audit"));
        assert_eq!(urlencode("/a b?c=d&e"), "/a%20b%3Fc%3Dd%26e");
    }
}
