//! The avatar-crm server: configuration, HTTP wiring and operations. The CRM's rules live in
//! the `domain` crate; the pages in `app`.
//!
//! `api` is the REST API (Bearer tokens); `web` the cookie-authenticated routes that are not
//! Leptos pages; `middleware` what requests pass on the way; `http` what all routes share.
//! `worker` wires the background jobs. `startup` assembles them; only the entry point (`main`, through `cli`) runs it.

pub mod api;
pub mod cli;
pub mod config;
pub mod http;
pub mod metrics;
pub mod middleware;
pub mod serve;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod web;
pub mod worker;
