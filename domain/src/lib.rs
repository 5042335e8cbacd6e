//! Avatar CRM's domain: what the clinic's data means and the rules that change it.
//!
//! `model` is plain serde data shared with the WASM UI. Everything that touches the database
//! sits behind the `server` feature so the browser bundle never links sqlx or tokio.

pub mod access;
pub mod display;
pub mod model;
pub mod problem;
pub mod segments;

#[cfg(feature = "server")]
pub mod actor;
#[cfg(feature = "server")]
pub mod db;
#[cfg(feature = "server")]
pub mod error;
#[cfg(feature = "server")]
pub mod input;
#[cfg(feature = "server")]
pub mod jobs;
#[cfg(feature = "server")]
pub mod name_match;
#[cfg(feature = "server")]
pub mod providers;
#[cfg(feature = "server")]
pub mod request;
#[cfg(feature = "server")]
pub mod services;
#[cfg(feature = "server")]
pub mod sessions;
#[cfg(feature = "server")]
pub mod time;
#[cfg(feature = "server")]
mod wal_checkpointer;

#[cfg(feature = "server")]
pub use actor::Actor;
#[cfg(feature = "server")]
pub use db::{Backend, DatabaseUrl, Db, Pool, Tx};
#[cfg(feature = "server")]
pub use error::DomainError;
#[cfg(feature = "server")]
pub use request::RequestMeta;
