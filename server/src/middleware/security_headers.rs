//! Security headers on every response, the second line of defence behind escaping.
//!
//! HTML pages get a Content-Security-Policy that allows scripts only from this origin or
//! carrying this response's nonce (Leptos puts it on its hydration and streaming scripts), so
//! injected markup can neither run inline script nor inline event handlers. Everything else
//! (JSON, CSV, text) gets a policy that allows nothing at all. Pages and API answers may hold
//! patient data, so they are never stored by browsers or proxies; only the static bundle under
//! `/pkg/` may be cached.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// This response's CSP nonce, for Leptos's inline scripts (see `startup::router`).
#[derive(Clone, Debug)]
pub struct CspNonce(pub Arc<str>);

impl CspNonce {
    /// 128 random bits, hex (a valid CSP base64-value).
    fn generate() -> CspNonce {
        let bytes: [u8; 16] = rand::random();
        CspNonce(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>().into())
    }
}

/// `'wasm-unsafe-eval'` lets the page compile its WASM bundle and nothing else: `eval` stays off.
fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// For anything that is not a page: nothing may load, nothing may frame it.
const NON_PAGE_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";
const HSTS: &str = "max-age=31536000";

/// Static assets may be cached by the browser; everything else may carry patient data.
fn may_be_cached(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg"
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"))
}

pub async fn apply(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let cacheable = may_be_cached(path);
    // The REST API never answers HTML, so it needs no nonce.
    let nonce = (!path.starts_with("/api/")).then(CspNonce::generate);
    if let Some(nonce) = &nonce {
        request.extensions_mut().insert(nonce.clone());
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let policy = match &nonce {
        Some(nonce) if is_html(headers) => HeaderValue::from_str(&page_policy(&nonce.0)).ok(),
        _ => None,
    };
    headers
        .insert(header::CONTENT_SECURITY_POLICY, policy.unwrap_or(HeaderValue::from_static(NON_PAGE_POLICY)));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if state.config.secure_cookies() {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    if !cacheable {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_fresh_and_fit_a_policy() {
        let (a, b) = (CspNonce::generate(), CspNonce::generate());
        assert_ne!(a.0, b.0);
        assert_eq!(a.0.len(), 32);
        assert!(HeaderValue::from_str(&page_policy(&a.0)).is_ok());
        assert!(page_policy(&a.0).contains(&format!("'nonce-{}'", a.0)));
    }

    #[test]
    fn only_the_static_bundle_may_be_cached() {
        assert!(may_be_cached("/pkg/avatar.wasm") && may_be_cached("/favicon.svg"));
        assert!(!may_be_cached("/contacts/01K") && !may_be_cached("/api/v1/contacts"));
        assert!(!may_be_cached("/rpc/get_contact") && !may_be_cached("/"));
    }
}
