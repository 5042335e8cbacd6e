//! The avatar-crm server: configuration, HTTP wiring and operations. The CRM's rules live in
//! the `domain` crate; the pages in `app`.

pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod routes;
pub mod security_headers;
pub mod serve;
pub mod startup;
pub mod telemetry;
