//! One module per page.

pub mod account;
pub mod ai;
pub mod audit;
#[cfg(feature = "ssr")]
pub mod book;
pub mod calendar;
pub mod calendar_insights;
pub mod contact_import;
pub mod contact_merge;
pub mod contact_new;
pub mod contacts;
pub mod dashboard;
pub mod jobs;
pub mod messages;
pub mod not_found;
pub mod outbox;
pub mod pipeline;
pub mod scheduling;
pub mod section;
pub mod settings;
pub mod sign_in;
pub mod tasks;
pub mod users;
