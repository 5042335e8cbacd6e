//! The local outbox, the default on a fresh install: a message "sent" here stays in the
//! database as it is (the Outbox page shows it) and nothing leaves the machine.

use super::SendError;
use super::email::{EmailProvider, OutgoingEmail};
use super::sms::{Accepted, OutgoingSms, SmsProvider};

/// Keeps texts instead of sending them.
#[derive(Clone, Copy, Debug, Default)]
pub struct SmsOutbox;

#[async_trait::async_trait]
impl SmsProvider for SmsOutbox {
    fn name(&self) -> &'static str {
        "outbox"
    }

    async fn send(&self, sms: &OutgoingSms) -> Result<Accepted, SendError> {
        Ok(Accepted {
            provider_id: format!("outbox-{}", sms.message_id),
            parts: Some(crate::segments::count(&sms.body).parts),
            cost_micros: None,
            currency: None,
        })
    }
}

/// Keeps email instead of sending it.
#[derive(Clone, Copy, Debug, Default)]
pub struct EmailOutbox;

#[async_trait::async_trait]
impl EmailProvider for EmailOutbox {
    fn name(&self) -> &'static str {
        "outbox"
    }

    async fn send(&self, _email: &OutgoingEmail) -> Result<(), SendError> {
        Ok(())
    }
}
