//! CSRF: a state-changing request that carries our session cookie must come from our own
//! origin. Browsers say where a request comes from in `Sec-Fetch-Site` and `Origin`; a
//! cross-site form or fetch is refused with 403. Requests without the session cookie (API
//! clients with Bearer tokens) cannot ride on a user's session, so they pass.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use domain::problem::ErrorCode;
use tower_sessions::cookie::Cookie;

use crate::http::error::refusal;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "avatar_session";

/// Whether the session layer would find a session cookie in these headers. Parsed exactly as
/// tower-cookies (under tower-sessions) parses them: each header as UTF-8, split at `;`, each
/// piece through the cookie crate's `parse_encoded` (names trimmed and percent-decoded), so a
/// cookie the session layer reads can never look absent here (`avatar%5Fsession=…`,
/// `avatar_session =…`, non-ASCII bytes elsewhere in the header).
fn carries_session_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| std::str::from_utf8(v.as_bytes()).ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| Cookie::parse_encoded(pair.to_owned()).ok())
        .any(|cookie| cookie.name() == SESSION_COOKIE)
}

/// Scheme, host and port of an absolute URL (default ports filled in); `None` for anything
/// else, such as `null`.
fn origin_of(url: &str) -> Option<url::Origin> {
    url::Url::parse(url.trim()).ok().map(|u| u.origin()).filter(url::Origin::is_tuple)
}

/// `Ok` when the request may proceed; `Err(reason)` for a cross-site state change.
pub fn check(
    method: &Method,
    headers: &HeaderMap,
    public_base_url: &str,
    is_login: bool,
) -> Result<(), &'static str> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    // Sign-in itself has no session yet but must not be forged either (login CSRF).
    if !is_login && !carries_session_cookie(headers) {
        return Ok(());
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return match site {
            "same-origin" | "none" => Ok(()),
            _ => Err("cross-site request refused"),
        };
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        // Our own origin: the public address, or this request's host reached with the public
        // address's scheme (a proxy or a port mapping may change the host, never the scheme).
        let public = origin_of(public_base_url);
        let scheme = public_base_url.split_once("://").map(|(scheme, _)| scheme).unwrap_or("http");
        let this_host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .and_then(|host| origin_of(&format!("{scheme}://{host}")));
        let origin = origin_of(origin);
        let ours = origin.is_some() && (origin == public || origin == this_host);
        return if ours { Ok(()) } else { Err("cross-origin request refused") };
    }
    // A browser always sends one of the two on a state change; with neither we cannot tell.
    if is_login { Ok(()) } else { Err("request origin unknown") }
}

/// The CSRF check as middleware, for pages, server functions and sign-in routes.
pub async fn csrf_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_login = request.uri().path() == "/auth/login";
    match check(request.method(), request.headers(), &state.config.public_base_url, is_login) {
        Ok(()) => next.run(request).await,
        Err(reason) => {
            tracing::warn!(reason, "CSRF check refused a request");
            refusal(
                &request,
                ErrorCode::Forbidden,
                "This request came from another site and was refused. Reload the page and try again.",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    const BASE: &str = "https://crm.clinic.com.au";
    const COOKIE: (&str, &str) = ("cookie", "theme=dark; avatar_session=abc");

    #[test]
    fn same_origin_posts_with_the_session_pass() {
        let h = with(&[COOKIE, ("sec-fetch-site", "same-origin")]);
        assert!(check(&Method::POST, &h, BASE, false).is_ok());
        let h = with(&[COOKIE, ("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]);
        assert!(check(&Method::POST, &h, "http://127.0.0.1:3000", false).is_ok());
        let h = with(&[COOKIE, ("origin", "https://crm.clinic.com.au"), ("host", "internal:3000")]);
        assert!(check(&Method::POST, &h, BASE, false).is_ok());
    }

    #[test]
    fn cross_site_posts_with_the_session_are_refused() {
        let h = with(&[COOKIE, ("sec-fetch-site", "cross-site")]);
        assert!(check(&Method::POST, &h, BASE, false).is_err());
        let h = with(&[COOKIE, ("origin", "https://evil.example"), ("host", "crm.clinic.com.au")]);
        assert!(check(&Method::DELETE, &h, BASE, false).is_err());
        assert!(check(&Method::POST, &with(&[COOKIE]), BASE, false).is_err());
    }

    #[test]
    fn every_spelling_the_session_layer_reads_is_checked() {
        for cookie in [
            "avatar%5Fsession=abc",
            "avatar_session =abc",
            " avatar_session=abc",
            "theme=dark;avatar_session=abc",
            "avatar_session=abc; caf\u{e9}=1",
        ] {
            let mut headers = HeaderMap::new();
            headers.insert("cookie", HeaderValue::from_bytes(cookie.as_bytes()).unwrap());
            headers.insert("origin", HeaderValue::from_static("https://evil.example"));
            headers.insert("host", HeaderValue::from_static("crm.clinic.com.au"));
            assert!(check(&Method::POST, &headers, BASE, false).is_err(), "{cookie}");
        }
    }

    #[test]
    fn an_origin_must_match_in_scheme_host_and_port() {
        let posting_from = |origin: &str, host: &str| {
            let h = with(&[COOKIE, ("origin", origin), ("host", host)]);
            check(&Method::POST, &h, BASE, false)
        };
        assert!(posting_from("https://crm.clinic.com.au", "crm.clinic.com.au").is_ok());
        assert!(posting_from("https://crm.clinic.com.au:443", "crm.clinic.com.au").is_ok());
        assert!(posting_from("http://crm.clinic.com.au", "crm.clinic.com.au").is_err(), "scheme");
        assert!(posting_from("https://crm.clinic.com.au:8443", "crm.clinic.com.au").is_err(), "port");
        assert!(posting_from("https://crm.clinic.com.au.evil.example", "crm.clinic.com.au").is_err());
        assert!(posting_from("null", "crm.clinic.com.au").is_err());
        // Reached directly on another host name or port, with the public scheme.
        assert!(posting_from("https://10.0.0.5:3000", "10.0.0.5:3000").is_ok());
        assert!(posting_from("http://10.0.0.5:3000", "10.0.0.5:3000").is_err());
        assert!(posting_from("https://10.0.0.5:3001", "10.0.0.5:3000").is_err());
    }

    #[test]
    fn reads_and_cookieless_api_calls_pass() {
        let h = with(&[COOKIE, ("sec-fetch-site", "cross-site")]);
        assert!(check(&Method::GET, &h, BASE, false).is_ok());
        assert!(check(&Method::POST, &with(&[("authorization", "Bearer avt_x")]), BASE, false).is_ok());
        let forged_login = with(&[("origin", "https://evil.example"), ("host", "crm.clinic.com.au")]);
        assert!(check(&Method::POST, &forged_login, BASE, true).is_err());
    }
}
