//! The send jobs: take a queued message, check the suppression list again, hand it to the
//! configured provider and record the answer.
//!
//! At-least-once, so a run may find its message already sent (its previous run finished the
//! send but died before the job was marked done): then it does nothing. Only a run cut off
//! between the provider's answer and our update can send twice, and the job's `interrupted`
//! count says so. A refusal fails the message and kills the job at once; a provider that cannot
//! take it now (or our credentials, until an administrator fixes them) is retried with back-off,
//! and the message fails when the last attempt does.

use std::sync::Arc;

use crate::jobs::queue::{ClaimedJob, Failure};
use crate::jobs::worker::Handler;
use crate::model::{Channel, Message, MessageStatus};
use crate::providers::SendError;
use crate::providers::email::{EmailProvider, OutgoingEmail};
use crate::providers::sms::{OutgoingSms, SmsProvider};
use crate::time::Timestamp;
use crate::{Db, DomainError, on_db};

use super::send::Payload;
use super::suppressions;

/// What the provider said about a sent message.
struct Sent {
    provider: &'static str,
    provider_id: String,
    segments: Option<i64>,
    cost_micros: Option<i64>,
    currency: Option<String>,
}

/// Sends `sms:{id}` jobs.
pub struct DeliverSms {
    pub db: Db,
    pub provider: Arc<dyn SmsProvider>,
}

/// Sends `email:{id}` jobs.
pub struct DeliverEmail {
    pub db: Db,
    pub provider: Arc<dyn EmailProvider>,
}

#[async_trait::async_trait]
impl Handler for DeliverSms {
    async fn run(&self, job: &ClaimedJob) -> Result<(), Failure> {
        let Some(message) = pending(&self.db, job, Channel::Sms).await? else { return Ok(()) };
        let sms = OutgoingSms {
            message_id: message.id.clone(),
            to: message.to.clone(),
            body: message.body.clone(),
        };
        let answer = self.provider.send(&sms).await.map(|accepted| Sent {
            provider: self.provider.name(),
            provider_id: accepted.provider_id,
            segments: accepted.parts.map(i64::from),
            cost_micros: accepted.cost_micros,
            currency: accepted.currency,
        });
        settle(&self.db, job, &message, answer).await
    }
}

#[async_trait::async_trait]
impl Handler for DeliverEmail {
    async fn run(&self, job: &ClaimedJob) -> Result<(), Failure> {
        let Some(message) = pending(&self.db, job, Channel::Email).await? else { return Ok(()) };
        let email = OutgoingEmail {
            message_id: message.id.clone(),
            to: message.to.clone(),
            subject: message.subject.clone().unwrap_or_default(),
            text: message.body.clone(),
            html: message.html.clone(),
        };
        let answer = self.provider.send(&email).await.map(|()| Sent {
            provider: self.provider.name(),
            provider_id: message.id.clone(),
            segments: None,
            cost_micros: None,
            currency: None,
        });
        settle(&self.db, job, &message, answer).await
    }
}

fn transient(error: DomainError) -> Failure {
    Failure::Transient(error.to_string())
}

/// The job's message if it still has to go: not yet taken by a provider, and not suppressed
/// since it was written (then it fails here, and the job is done).
async fn pending(db: &Db, job: &ClaimedJob, channel: Channel) -> Result<Option<Message>, Failure> {
    let payload: Payload = serde_json::from_value(job.payload.clone())
        .map_err(|e| Failure::Permanent(format!("the job's payload is not a message: {e}")))?;
    let Some(message) = super::find(db, &payload.message_id).await.map_err(transient)? else {
        // Its contact was erased with everything it had.
        return Ok(None);
    };
    if message.channel != channel {
        return Err(Failure::Permanent("the message is not on this job's channel".into()));
    }
    let unsent = message.provider_id.is_none()
        && matches!(message.status, MessageStatus::Queued | MessageStatus::Failed);
    if !unsent {
        return Ok(None);
    }
    if let Some(suppression) =
        suppressions::blocking(db, &message.contact_id, channel, &message.to).await.map_err(transient)?
    {
        fail(db, &message.id, &suppressions::refusal(&suppression)).await.map_err(transient)?;
        return Ok(None);
    }
    Ok(Some(message))
}

/// Records the provider's answer on the message, and says what the job should do next.
async fn settle(
    db: &Db,
    job: &ClaimedJob,
    message: &Message,
    answer: Result<Sent, SendError>,
) -> Result<(), Failure> {
    match answer {
        Ok(sent) => mark_sent(db, &message.id, &sent).await.map_err(transient),
        Err(SendError::Refused(reason)) => {
            fail(db, &message.id, &reason).await.map_err(transient)?;
            Err(Failure::Permanent(reason))
        }
        Err(error @ (SendError::Configuration(_) | SendError::Unavailable(_))) => {
            let reason = error.to_string();
            if job.attempt >= job.max_attempts {
                fail(db, &message.id, &reason).await.map_err(transient)?;
            } else {
                note_error(db, &message.id, &reason).await.map_err(transient)?;
            }
            Err(Failure::Transient(reason))
        }
    }
}

async fn mark_sent(db: &Db, id: &str, sent: &Sent) -> Result<(), DomainError> {
    let now = Timestamp::now();
    on_db!(db, pool => {
        // A receipt can beat this update (it names our id): it keeps the state it set.
        sqlx::query(
            "UPDATE messages SET provider = $2, provider_id = $3, segments = COALESCE($4, segments), \
             cost_micros = $5, currency = $6, error = NULL, sent_at = $7, \
             status_at = CASE WHEN status IN ('queued', 'failed') THEN $7 ELSE status_at END, \
             status = CASE WHEN status IN ('queued', 'failed') THEN 'sent' ELSE status END WHERE id = $1",
        )
        .bind(id)
        .bind(sent.provider)
        .bind(&sent.provider_id)
        .bind(sent.segments)
        .bind(sent.cost_micros)
        .bind(&sent.currency)
        .bind(now)
        .execute(pool)
        .await?;
    });
    Ok(())
}

async fn fail(db: &Db, id: &str, reason: &str) -> Result<(), DomainError> {
    let now = Timestamp::now();
    let reason: String = reason.chars().take(1000).collect();
    on_db!(db, pool => {
        sqlx::query("UPDATE messages SET status = 'failed', error = $2, status_at = $3 WHERE id = $1 AND status IN ('queued', 'failed')")
            .bind(id)
            .bind(&reason)
            .bind(now)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// The last attempt's error, on a message still waiting for its next.
async fn note_error(db: &Db, id: &str, reason: &str) -> Result<(), DomainError> {
    let reason: String = reason.chars().take(1000).collect();
    on_db!(db, pool => {
        sqlx::query("UPDATE messages SET error = $2 WHERE id = $1 AND status = 'queued'")
            .bind(id)
            .bind(&reason)
            .execute(pool)
            .await?;
    });
    Ok(())
}
