//! Request security: the caller's address, the IP allowlist, CSRF, sessions → actor,
//! sign-in/out routes and Google sign-in.

pub mod client_ip;
pub mod csrf;
pub mod google;
pub mod guard;
pub mod routes;
