//! The local outbox: email that would have been sent, shown to administrators until a real
//! SMTP relay is configured (the default on a fresh install, so nothing leaves the machine).

use sqlx::FromRow;

use crate::access::Permission;
use crate::model::OutboxEmail;
use crate::on_db;
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError};

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
}

/// The newest outbox email. Administrators only: messages can hold sign-in links.
pub async fn list_emails(db: &Db, actor: &Actor) -> Result<Vec<OutboxEmail>, DomainError> {
    actor.require(Permission::UsersWrite)?;
    let rows = on_db!(db, pool => {
        sqlx::query_as::<_, Row>(
            "SELECT id, kind, to_address, subject, body_text, created_at FROM outbox_emails ORDER BY id DESC LIMIT $1",
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
        })
        .collect())
}
