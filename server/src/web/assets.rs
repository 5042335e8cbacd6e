//! The browser bundle under `/pkg`: served from disk with the brotli or gzip copy the build
//! made beside each file (no compressing per request), and cached by browsers for a year when
//! its name carries a content hash (`avatar.<16 hex>.wasm`: a new build has new names), or
//! revalidated on every use when it does not.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn};
use axum::response::Response;
use leptos::config::LeptosOptions;
use tower_http::services::ServeDir;

const FOR_A_YEAR: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// `/pkg/…` from `{site_root}/{site_pkg_dir}`.
pub fn router<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    Router::new().nest_service("/pkg", files).layer(from_fn(cache_policy))
}

/// Whether the file name is one the build fingerprinted: `avatar.<16 hex digits>.<ext>`.
pub fn is_fingerprinted(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let mut parts = name.split('.');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("avatar"), Some(hash), Some("js" | "wasm" | "css"), None)
            if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
    )
}

async fn cache_policy(request: Request, next: Next) -> Response {
    let policy = if is_fingerprinted(request.uri().path()) { FOR_A_YEAR } else { REVALIDATE };
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_content_hashed_names_count_as_fingerprinted() {
        assert!(is_fingerprinted("/pkg/avatar.0123456789abcdef.wasm"));
        assert!(is_fingerprinted("/pkg/avatar.fedcba9876543210.css"));
        assert!(!is_fingerprinted("/pkg/avatar.wasm"));
        assert!(!is_fingerprinted("/pkg/avatar.0123456789abcdef.wasm.br"));
        assert!(!is_fingerprinted("/pkg/avatar.0123456789abcdeg.js"));
        assert!(!is_fingerprinted("/pkg/other.0123456789abcdef.js"));
    }
}
