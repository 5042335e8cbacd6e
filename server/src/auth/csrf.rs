//! CSRF: a state-changing request that carries our session cookie must come from our own
//! origin. Browsers say where a request comes from in `Sec-Fetch-Site` and `Origin`; a
//! cross-site form or fetch is refused with 403. Requests without the session cookie (API
//! clients with Bearer tokens) cannot ride on a user's session, so they pass.

use axum::http::{HeaderMap, Method, header};

pub const SESSION_COOKIE: &str = "avatar_session";

fn carries_session_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| pair.trim().split('=').next() == Some(SESSION_COOKIE))
}

/// Scheme + host + port of a URL-ish string, lower-cased, for comparing origins.
fn origin_of(url: &str) -> String {
    let lower = url.trim().to_lowercase();
    let (scheme, rest) = lower.split_once("://").unwrap_or(("", lower.as_str()));
    let authority = rest.split('/').next().unwrap_or("");
    format!("{scheme}://{authority}")
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
        let origin = origin_of(origin);
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
        let same_host =
            origin.split_once("://").map(|(_, authority)| authority) == Some(&host.to_lowercase()[..]);
        return if same_host || origin == origin_of(public_base_url) {
            Ok(())
        } else {
            Err("cross-origin request refused")
        };
    }
    // A browser always sends one of the two on a state change; with neither we cannot tell.
    if is_login { Ok(()) } else { Err("request origin unknown") }
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
        assert!(check(&Method::POST, &h, BASE, false).is_ok());
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
    fn reads_and_cookieless_api_calls_pass() {
        let h = with(&[COOKIE, ("sec-fetch-site", "cross-site")]);
        assert!(check(&Method::GET, &h, BASE, false).is_ok());
        assert!(check(&Method::POST, &with(&[("authorization", "Bearer avt_x")]), BASE, false).is_ok());
        let forged_login = with(&[("origin", "https://evil.example"), ("host", "crm.clinic.com.au")]);
        assert!(check(&Method::POST, &forged_login, BASE, true).is_err());
    }
}
