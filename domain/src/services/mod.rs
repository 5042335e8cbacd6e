//! Services: the operations the UI and the REST API call. One module per capability.

pub mod ai;
pub mod api_tokens;
pub mod audit;
pub(crate) mod audit_writer;
pub mod bookings;
pub mod clock;
pub mod contacts;
pub mod dashboard;
pub mod demo_seed;
pub mod ip_allowlist;
pub mod messages;
pub mod outbox;
pub mod password;
pub mod pipeline;
pub mod tasks;
pub mod tokens;
pub mod touchpoints;
pub mod users;
