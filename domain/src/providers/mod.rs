//! Services outside the clinic's database, each behind a trait with the real client and a
//! local outbox (the default on a fresh install, so nothing leaves the machine): SMS and
//! email now; AI follows.

pub mod clicksend;
pub mod email;
pub mod openai;
pub mod outbox;
pub mod sms;

/// Why a send did not go through.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The provider refused this message for good (a bad number or address, no credit, a country not
    /// enabled): sending it again would be refused again. Carries the provider's status.
    #[error("refused by the provider: {0}")]
    Refused(String),
    /// Our account or settings are wrong (bad credentials): an administrator must act.
    #[error("the provider refused our credentials or settings: {0}")]
    Configuration(String),
    /// Worth trying again later: throttled, a server error, a timeout, no connection.
    #[error("the provider could not take the message now: {0}")]
    Unavailable(String),
}
