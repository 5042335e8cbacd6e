//! The routes browsers use, other than Leptos pages and server functions: the patients' pages
//! (`/book`, `/b/…`, `/w/…`: no session, no allowlist, rate-limited); sign-in and out, password reset, Google sign-in, the Contacts page's CSV export;
//! `/health` for load balancers; providers' webhooks; and the static bundle under `/pkg`. The Bearer-token REST API is `crate::api`.

pub mod assets;
pub mod auth;
pub mod book;
pub mod contacts_export;
pub mod feeds;
pub mod google;
pub mod health;
pub mod webhooks;
