//! The black-box tests: the real server on a random port with a database of its own per
//! test, on SQLite and on PostgreSQL (`on_both_backends!`), driven over HTTP (and the `cli`
//! module through the built binary). One test binary with a module per area, so the server is
//! linked once rather than once per file.

// Tests fail loudly: an unwrap here is an assertion (the workspace denies them elsewhere).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

mod ai;
mod api;
mod booking_page;
mod bookings;
mod cli;
mod clicksend;
mod contact_search;
mod contacts;
mod crash;
mod csv_files;
mod duplicates;
mod fake_clicksend;
mod fake_openai;
mod google;
mod jobs;
mod messages;
mod metrics;
mod openapi;
mod permissions;
mod pipeline;
mod scheduling;
mod security;
mod smtp;
mod tasks;
