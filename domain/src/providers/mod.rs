//! Services outside the clinic's database, each behind a trait with the real client and a
//! local outbox (the default on a fresh install, so nothing leaves the machine): SMS now;
//! email and AI follow.

pub mod clicksend;
pub mod sms;
