//! Sending one text message: what a provider is asked, and how it can answer.

/// A text to send: our message id travels with it (ClickSend's `custom_string`), so delivery
/// receipts and replies find it again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingSms {
    pub message_id: String,
    /// E.164, e.g. `+61412555019`.
    pub to: String,
    pub body: String,
}

/// The provider took the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// The provider's id for it (what its receipts name).
    pub provider_id: String,
    /// Parts the provider will bill, when it says.
    pub parts: Option<u32>,
    /// What it costs, in millionths of `currency` (ClickSend prices in fractions of a cent).
    pub cost_micros: Option<i64>,
    pub currency: Option<String>,
}

pub use super::SendError;

/// An SMS provider.
#[async_trait::async_trait]
pub trait SmsProvider: Send + Sync + 'static {
    /// The provider's name for settings pages and logs (`clicksend`, `outbox`).
    fn name(&self) -> &'static str;

    /// Sends one message.
    async fn send(&self, sms: &OutgoingSms) -> Result<Accepted, SendError>;
}
