//! The middleware requests pass, outermost first. Every response: security headers, body
//! limits and deadlines, request id and log line. Pages, server functions and sign-in routes:
//! client address and IP allowlist → CSRF → (session layer) → who is calling → sign-in
//! required for pages. The REST API: client address and IP allowlist → who is calling
//! (Bearer only). `startup::router` puts them in that order.

pub mod caller;
pub mod client_ip;
pub mod csrf;
pub mod oversized_bodies;
pub mod public_rate;
pub mod security_headers;
pub mod server_fn_errors;
