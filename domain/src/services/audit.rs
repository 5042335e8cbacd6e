//! The append-only audit log: who viewed or changed what, when, from which address.
//! Entries hold ids and action names only, never a patient's details. The database refuses
//! UPDATE and DELETE on the table (triggers in the migrations).

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use ulid::Ulid;

use super::audit_writer::{self, Stamped};
use crate::access::Permission;
use crate::model::{AuditEvent, Page};
use crate::on_db;
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, RequestMeta, Tx};

/// Largest page a caller may ask for.
pub const MAX_PAGE: u32 = 200;
pub const DEFAULT_PAGE: u32 = 50;

/// What to record. Build with [`Entry::new`] and the `with_*` setters.
#[derive(Clone, Debug, Default)]
pub struct Entry {
    pub action: &'static str,
    pub actor_user_id: Option<String>,
    pub actor_token_id: Option<String>,
    pub subject_type: Option<&'static str>,
    pub subject_id: Option<String>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub detail: Option<String>,
}

impl Entry {
    pub fn new(action: &'static str) -> Entry {
        Entry { action, ..Entry::default() }
    }

    pub fn by(mut self, actor: &Actor) -> Entry {
        self.actor_user_id = Some(actor.user_id.clone());
        self.actor_token_id = actor.token_id().map(str::to_owned);
        self
    }

    pub fn by_user(mut self, user_id: Option<String>) -> Entry {
        self.actor_user_id = user_id;
        self
    }

    pub fn on(mut self, subject_type: &'static str, subject_id: impl Into<String>) -> Entry {
        self.subject_type = Some(subject_type);
        self.subject_id = Some(subject_id.into());
        self
    }

    /// Where the request came from: its client address and request id.
    pub fn from(mut self, meta: &RequestMeta) -> Entry {
        self.ip = meta.ip.map(|ip| ip.to_string());
        self.request_id = meta.request_id.clone();
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Entry {
        self.detail = Some(detail.into());
        self
    }
}

fn stamp(entry: Entry, at: Timestamp) -> Stamped {
    Stamped { id: Ulid::new().to_string(), at, entry }
}

/// Appends the entry of a view (or of a sign-in, a refusal) and returns once it is committed.
/// Concurrent requests' entries share one INSERT (see [`super::audit_writer`]), so auditing
/// every read stays cheap under load. A change records its entry with [`record_in`] instead.
pub async fn record(db: &Db, entry: Entry) -> Result<(), DomainError> {
    match db.audit_writer().write(stamp(entry, Timestamp::now())).await {
        Ok(outcome) => outcome,
        // No writer on this runtime any more (it shut down): write it here instead.
        Err(stamped) => audit_writer::insert(db.pool(), std::iter::once(&stamped)).await,
    }
}

/// Appends the entry of a change in the change's own transaction: both commit, or neither.
pub async fn record_in(tx: &mut Tx, entry: Entry) -> Result<(), DomainError> {
    record_many_in(tx, vec![entry]).await
}

/// Appends many entries (an import's rows) in the transaction that makes the changes.
pub async fn record_many_in(tx: &mut Tx, entries: Vec<Entry>) -> Result<(), DomainError> {
    let now = Timestamp::now();
    let stamped: Vec<Stamped> = entries.into_iter().map(|entry| stamp(entry, now)).collect();
    audit_writer::insert_in(tx, stamped.iter()).await
}

/// Filters for [`list`]; every field optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    pub actor_user_id: Option<String>,
    pub action: Option<String>,
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

#[derive(FromRow)]
struct Row {
    id: String,
    occurred_at: Timestamp,
    actor_user_id: Option<String>,
    actor_email: Option<String>,
    actor_token_id: Option<String>,
    action: String,
    subject_type: Option<String>,
    subject_id: Option<String>,
    ip: Option<String>,
    request_id: Option<String>,
    detail: Option<String>,
}

const LIST_SQL: &str = "SELECT a.id, a.occurred_at, a.actor_user_id, u.email AS actor_email, \
    a.actor_token_id, a.action, a.subject_type, a.subject_id, a.ip, a.request_id, a.detail \
    FROM audit_events a LEFT JOIN users u ON u.id = a.actor_user_id \
    WHERE ($1 IS NULL OR a.actor_user_id = $1) \
      AND ($2 IS NULL OR a.action = $2) \
      AND ($3 IS NULL OR a.subject_type = $3) \
      AND ($4 IS NULL OR a.subject_id = $4) \
      AND ($5 IS NULL OR a.occurred_at >= $5) \
      AND ($6 IS NULL OR a.occurred_at < $6) \
      AND ($7 IS NULL OR a.id < $7) \
    ORDER BY a.id DESC LIMIT $8";

/// Newest first, `limit` per page (1..=200); `cursor` is the previous page's `next_cursor`.
pub async fn list(
    db: &Db,
    actor: &Actor,
    filter: Filter,
    cursor: Option<String>,
    limit: Option<u32>,
) -> Result<Page<AuditEvent>, DomainError> {
    actor.require(Permission::AuditRead)?;
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(DomainError::field("limit", format!("must be between 1 and {MAX_PAGE}")));
    }
    if let Some(cursor) = &cursor
        && crate::input::ulid(cursor).is_none()
    {
        return Err(DomainError::field("cursor", "is not a cursor from a previous page"));
    }
    let rows = on_db!(db, pool => {
        sqlx::query_as::<_, Row>(LIST_SQL)
            .bind(&filter.actor_user_id)
            .bind(&filter.action)
            .bind(&filter.subject_type)
            .bind(&filter.subject_id)
            .bind(filter.since.map(Timestamp))
            .bind(filter.until.map(Timestamp))
            .bind(&cursor)
            .bind(i64::from(limit) + 1)
            .fetch_all(pool)
            .await?
    });
    let has_more = rows.len() > limit as usize;
    let items: Vec<AuditEvent> = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| AuditEvent {
            id: r.id,
            occurred_at: r.occurred_at.0,
            actor_user_id: r.actor_user_id,
            actor_email: r.actor_email,
            actor_token_id: r.actor_token_id,
            action: r.action,
            subject_type: r.subject_type,
            subject_id: r.subject_id,
            ip: r.ip,
            request_id: r.request_id,
            detail: r.detail,
        })
        .collect();
    let next_cursor = if has_more { items.last().map(|e| e.id.clone()) } else { None };
    Ok(Page::forward(items, next_cursor))
}
