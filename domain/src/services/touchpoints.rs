//! A contact's timeline: calls, messages, notes, bookings and stage moves, newest first.

use chrono::{DateTime, SubsecRound, Utc};
use serde::Deserialize;
use sqlx::FromRow;
use ulid::Ulid;

use crate::access::Permission;
use crate::input::{prose, rules};
use crate::model::{Page, Touchpoint, TouchpointKind};
use crate::on_db;
use crate::services::audit::{self, Entry};
use crate::services::contacts;
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, RequestMeta, on_tx};

/// Kinds staff may log by hand (stage moves and bookings are recorded by the system).
pub const LOGGABLE_KINDS: [TouchpointKind; 4] =
    [TouchpointKind::Call, TouchpointKind::Note, TouchpointKind::Sms, TouchpointKind::Email];

/// [`LOGGABLE_KINDS`], for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // documentation only: `create` checks `kind` against LOGGABLE_KINDS
pub enum LoggableKind {
    Call,
    Note,
    Sms,
    Email,
}
const MAX_PAGE: u32 = 200;

#[derive(FromRow)]
struct Row {
    id: String,
    contact_id: String,
    kind: String,
    summary: String,
    user_id: Option<String>,
    occurred_at: Timestamp,
    message_id: Option<String>,
    message_status: Option<String>,
}

impl From<Row> for Touchpoint {
    fn from(r: Row) -> Self {
        Touchpoint {
            id: r.id,
            contact_id: r.contact_id,
            // Written only from the enum, so every stored value parses.
            kind: TouchpointKind::parse(&r.kind).unwrap_or(TouchpointKind::Note),
            summary: r.summary,
            user_id: r.user_id,
            occurred_at: r.occurred_at.0,
            message_status: r.message_status.as_deref().and_then(crate::model::MessageStatus::parse),
            message_id: r.message_id,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTouchpoint {
    #[schema(value_type = LoggableKind)]
    pub kind: String,
    #[schema(value_type = rules::RequiredProse2000, inline)]
    pub summary: String,
    /// When it happened; now if not given. Not in the future (five minutes' grace for clocks).
    pub occurred_at: Option<DateTime<Utc>>,
}

/// Newest first; `cursor` is the previous page's `next_cursor`.
pub async fn list(
    db: &Db,
    actor: &Actor,
    contact_id: &str,
    cursor: Option<String>,
    limit: Option<u32>,
) -> Result<Page<Touchpoint>, DomainError> {
    actor.require(Permission::ContactsRead)?;
    contacts::ensure_visible(db, actor, contact_id).await?;
    let limit = limit.unwrap_or(50);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(DomainError::field("limit", format!("must be between 1 and {MAX_PAGE}")));
    }
    // Cursor: "<occurred_at RFC 3339>|<id>", so entries logged later for an earlier time still page correctly.
    let (after_time, after_id) = match cursor.as_deref().map(|c| c.split_once('|')) {
        None => (None, None),
        Some(Some((time, id))) => match DateTime::parse_from_rfc3339(time) {
            Ok(t) => (Some(Timestamp(t.with_timezone(&Utc))), Some(id.to_owned())),
            Err(_) => return Err(DomainError::field("cursor", "is not a cursor from a previous page")),
        },
        Some(None) => return Err(DomainError::field("cursor", "is not a cursor from a previous page")),
    };
    let rows = on_db!(db, pool => {
        sqlx::query_as::<_, Row>(
            "SELECT t.id, t.contact_id, t.kind, t.summary, t.user_id, t.occurred_at, t.message_id, m.status AS message_status \
             FROM touchpoints t LEFT JOIN messages m ON m.id = t.message_id WHERE t.contact_id = $1 \
             AND ($2 IS NULL OR t.occurred_at < $2 OR (t.occurred_at = $2 AND t.id < $3)) \
             ORDER BY t.occurred_at DESC, t.id DESC LIMIT $4",
        )
        .bind(contact_id)
        .bind(after_time)
        .bind(&after_id)
        .bind(i64::from(limit) + 1)
        .fetch_all(pool)
        .await?
    });
    let has_more = rows.len() > limit as usize;
    let items: Vec<Touchpoint> = rows.into_iter().take(limit as usize).map(Touchpoint::from).collect();
    let next_cursor = if has_more {
        items.last().map(|t| format!("{}|{}", Timestamp(t.occurred_at).0.to_rfc3339(), t.id))
    } else {
        None
    };
    Ok(Page::forward(items, next_cursor))
}

/// Logs a call, note, SMS or email against a contact.
pub async fn create(
    db: &Db,
    actor: &Actor,
    contact_id: &str,
    input: NewTouchpoint,
    meta: &RequestMeta,
) -> Result<Touchpoint, DomainError> {
    actor.require(Permission::ContactsWrite)?;
    contacts::ensure_visible(db, actor, contact_id).await?;
    let mut v = crate::error::Validator::default();
    let kind = v.check(
        "kind",
        contacts::one_of(
            &input.kind,
            |k| TouchpointKind::parse(k).filter(|k| LOGGABLE_KINDS.contains(k)),
            LOGGABLE_KINDS.map(TouchpointKind::as_str),
        ),
    );
    let summary = v.check("summary", prose(&input.summary, 2000));
    v.finish()?;
    let (Some(kind), Some(summary)) = (kind, summary) else {
        return Err(DomainError::Internal("validated fields missing".into()));
    };
    let now = Timestamp::now();
    let occurred_at = match input.occurred_at {
        Some(at) if at > now.0 + chrono::Duration::minutes(5) => {
            return Err(DomainError::field("occurred_at", "must not be in the future"));
        }
        Some(at) => Timestamp(at.trunc_subsecs(6)),
        None => now,
    };
    let row = Row {
        id: Ulid::new().to_string(),
        contact_id: contact_id.to_owned(),
        kind: kind.as_str().to_owned(),
        summary,
        user_id: Some(actor.user_id.clone()),
        occurred_at,
        message_id: None,
        message_status: None,
    };
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
    sqlx::query("INSERT INTO touchpoints (id, contact_id, kind, summary, user_id, occurred_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&row.id)
        .bind(&row.contact_id)
        .bind(&row.kind)
        .bind(&row.summary)
        .bind(&row.user_id)
        .bind(row.occurred_at)
        .execute(&mut **tx)
        .await?;
    });
    crate::services::ai::warmness::enqueue_recalculation(&mut tx, contact_id).await?;
    if matches!(row.kind.as_str(), "note" | "call") {
        crate::services::ai::enrich::enqueue(&mut tx, contact_id).await?;
    }
    audit::record_in(&mut tx, Entry::new("touchpoint.create").by(actor).on("contact", contact_id).from(meta))
        .await?;
    tx.commit().await?;
    Ok(row.into())
}
