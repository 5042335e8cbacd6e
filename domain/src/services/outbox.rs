//! The system email outbox: email to staff (password reset links). Each is written here with a
//! `send_staff_email` job in the transaction that causes it; with an SMTP relay configured the
//! job sends it and then blanks the kept copy (a reset link must not stay readable by
//! administrators), otherwise it stays here for administrators to pass on (the default on a
//! fresh install, so nothing leaves the machine).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::access::Permission;
use crate::jobs::queue::{ClaimedJob, Failure};
use crate::jobs::worker::Handler;
use crate::jobs::{self, NewJob};
use crate::model::{JobKind, OutboxEmail};
use crate::providers::SendError;
use crate::providers::email::{EmailProvider, OutgoingEmail};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, Tx, on_db, on_tx};

/// What a sent email's kept copy says instead of its text.
pub const SENT_NOTE: &str =
    "Sent through the SMTP relay. The text is not kept here, so its link stays private.";

/// What the send job carries: the outbox row, never its text.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Payload {
    pub outbox_email_id: String,
}

/// Writes a staff email and its send job in `tx`; returns its id.
pub async fn queue_in(
    tx: &mut Tx,
    kind: &str,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<String, DomainError> {
    let id = ulid::Ulid::new().to_string();
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO outbox_emails (id, kind, to_address, subject, body_text, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(kind)
        .bind(to)
        .bind(subject)
        .bind(body)
        .bind(Timestamp::now())
        .execute(&mut **conn)
        .await?;
    });
    let job = NewJob::new(
        JobKind::SendStaffEmail,
        format!("staff_email:{id}"),
        &Payload { outbox_email_id: id.clone() },
    );
    jobs::enqueue(tx, job).await?;
    Ok(id)
}

/// Sends a staff email through the relay; without one (`relay: None`) there is nothing to do:
/// the kept copy is what administrators read and pass on.
pub struct DeliverStaffEmail {
    pub db: Db,
    pub relay: Option<Arc<dyn EmailProvider>>,
}

#[derive(FromRow)]
struct Unsent {
    to_address: String,
    subject: String,
    body_text: String,
}

#[async_trait::async_trait]
impl Handler for DeliverStaffEmail {
    async fn run(&self, job: &ClaimedJob) -> Result<(), Failure> {
        let payload: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|e| Failure::Permanent(format!("the job's payload is not a staff email: {e}")))?;
        let Some(relay) = &self.relay else { return Ok(()) };
        let id = payload.outbox_email_id;
        let unsent: Option<Unsent> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT to_address, subject, body_text FROM outbox_emails WHERE id = $1 AND sent_at IS NULL")
                .bind(&id)
                .fetch_optional(pool)
                .await
                .map_err(|e| Failure::Transient(e.to_string()))?
        });
        // Swept, or sent by an earlier run.
        let Some(unsent) = unsent else { return Ok(()) };
        let email = OutgoingEmail {
            message_id: id.clone(),
            to: unsent.to_address,
            subject: unsent.subject,
            text: unsent.body_text,
            html: None,
        };
        match relay.send(&email).await {
            Ok(()) => {
                on_db!(&self.db, pool => {
                    sqlx::query("UPDATE outbox_emails SET sent_at = $2, body_text = $3 WHERE id = $1")
                        .bind(&id)
                        .bind(Timestamp::now())
                        .bind(SENT_NOTE)
                        .execute(pool)
                        .await
                        .map_err(|e| Failure::Transient(e.to_string()))?;
                });
                Ok(())
            }
            Err(error @ SendError::Refused(_)) => Err(Failure::Permanent(error.to_string())),
            Err(error) => Err(Failure::Transient(error.to_string())),
        }
    }
}

/// How many of the newest messages the outbox page shows.
pub const PAGE: i64 = 100;

#[derive(FromRow)]
struct Row {
    id: String,
    kind: String,
    to_address: String,
    subject: String,
    body_text: String,
    created_at: Timestamp,
    sent_at: Option<Timestamp>,
}

/// The newest outbox email. Administrators only: messages can hold sign-in links.
pub async fn list_emails(db: &Db, actor: &Actor) -> Result<Vec<OutboxEmail>, DomainError> {
    actor.require(Permission::UsersWrite)?;
    let rows = on_db!(db, pool => {
        sqlx::query_as::<_, Row>(
            "SELECT id, kind, to_address, subject, body_text, created_at, sent_at FROM outbox_emails ORDER BY id DESC LIMIT $1",
        )
        .bind(PAGE)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| OutboxEmail {
            id: r.id,
            kind: r.kind,
            to: r.to_address,
            subject: r.subject,
            body_text: r.body_text,
            created_at: r.created_at.0,
            sent_at: r.sent_at.map(|t| t.0),
        })
        .collect())
}
