//! Messages to contacts: every SMS and email is a stored row (`messages`), sent by a job enqueued
//! in the same transaction ([`send`]), delivered through the configured provider ([`deliver`]),
//! updated by the provider's delivery receipts ([`receipts`]), and never sent to a contact on the
//! suppression list ([`suppressions`]).
//!
//! Who sees a message follows its contact: the actor's location scope decides, and a message of a
//! contact outside it answers 404.

pub mod deliver;
pub mod receipts;
pub mod send;
pub mod suppressions;

use serde::Deserialize;
use sqlx::FromRow;

use crate::access::Permission;
use crate::model::{Channel, Message, MessageStatus, Page};
use crate::request::RequestMeta;
use crate::services::audit::{self, Entry};
use crate::services::contacts;
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, on_db};

/// Largest page of messages.
pub const MAX_LIMIT: i64 = 200;

#[derive(FromRow)]
pub(crate) struct Row {
    id: String,
    contact_id: String,
    contact_name: String,
    channel: String,
    to_address: String,
    subject: Option<String>,
    body: String,
    html: Option<String>,
    template: Option<String>,
    status: String,
    provider: Option<String>,
    provider_id: Option<String>,
    segments: Option<i64>,
    cost_micros: Option<i64>,
    currency: Option<String>,
    error: Option<String>,
    created_by: Option<String>,
    created_at: Timestamp,
    sent_at: Option<Timestamp>,
    status_at: Timestamp,
    location_id: Option<String>,
}

/// The columns of [`Row`], from `messages m JOIN contacts c`.
pub(crate) const SELECT: &str = "SELECT m.id, m.contact_id, c.first_name || ' ' || c.last_name AS contact_name, \
    m.channel, m.to_address, m.subject, m.body, m.html, m.template, m.status, m.provider, m.provider_id, \
    m.segments, m.cost_micros, m.currency, m.error, m.created_by, m.created_at, m.sent_at, m.status_at, \
    c.location_id FROM messages m JOIN contacts c ON c.id = m.contact_id";

impl Row {
    pub(crate) fn into_message(self) -> Option<Message> {
        Some(Message {
            channel: Channel::parse(&self.channel)?,
            status: MessageStatus::parse(&self.status)?,
            id: self.id,
            contact_id: self.contact_id,
            contact_name: self.contact_name,
            to: self.to_address,
            subject: self.subject,
            body: self.body,
            html: self.html,
            template: self.template,
            provider: self.provider,
            provider_id: self.provider_id,
            segments: self.segments,
            cost_micros: self.cost_micros,
            currency: self.currency,
            error: self.error,
            created_by: self.created_by,
            created_at: self.created_at.0,
            sent_at: self.sent_at.map(|t| t.0),
            status_at: self.status_at.0,
        })
    }
}

/// `GET /api/v1/messages` and the Outbox: newest first.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MessageFilter {
    /// Only this contact's messages.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub contact_id: Option<String>,
    pub channel: Option<Channel>,
    pub status: Option<MessageStatus>,
    /// `next_cursor` of the previous page, unchanged.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
    /// Messages per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// Messages newest first, of contacts the actor may see.
pub async fn list(db: &Db, actor: &Actor, filter: &MessageFilter) -> Result<Page<Message>, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let limit = filter.limit.unwrap_or(50);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(DomainError::field("limit", format!("must be between 1 and {MAX_LIMIT}")));
    }
    if let Some(cursor) = &filter.cursor
        && crate::input::ulid(cursor).is_none()
    {
        return Err(DomainError::field("cursor", "is not a cursor from a previous page"));
    }
    if let Some(contact_id) = &filter.contact_id {
        contacts::ensure_visible(db, actor, contact_id).await?;
    }
    let sql = format!(
        "{SELECT} WHERE {} AND ($3 IS NULL OR m.contact_id = $3) AND ($4 IS NULL OR m.channel = $4) \
         AND ($5 IS NULL OR m.status = $5) AND ($6 IS NULL OR m.id < $6) ORDER BY m.id DESC LIMIT $7",
        crate::in_actor_locations!("c.location_id", "$1", "$2"),
    );
    let rows: Vec<Row> = on_db!(db, pool => {
        sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
            .bind(actor.sees_every_location())
            .bind(&actor.user_id)
            .bind(filter.contact_id.as_deref())
            .bind(filter.channel.map(Channel::as_str))
            .bind(filter.status.map(MessageStatus::as_str))
            .bind(filter.cursor.as_deref())
            .bind(limit + 1)
            .fetch_all(pool)
            .await?
    });
    let more = rows.len() as i64 > limit;
    let items: Vec<Message> = rows.into_iter().take(limit as usize).filter_map(Row::into_message).collect();
    let next_cursor = if more { items.last().map(|m| m.id.clone()) } else { None };
    Ok(Page::forward(items, next_cursor))
}

/// One message; the view is audited (it is part of a patient's record).
pub async fn get(db: &Db, actor: &Actor, id: &str, meta: &RequestMeta) -> Result<Message, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let message = find_visible(db, actor, id).await?;
    audit::record(db, Entry::new("message.view").by(actor).on("message", id).from(meta)).await?;
    Ok(message)
}

/// A message of a contact the actor may see, else not found.
pub(crate) async fn find_visible(db: &Db, actor: &Actor, id: &str) -> Result<Message, DomainError> {
    let row = find_row(db, id).await?;
    match row {
        Some(row) if actor.may_see(row.location_id.as_deref()) => {
            row.into_message().ok_or(DomainError::NotFound("message"))
        }
        _ => Err(DomainError::NotFound("message")),
    }
}

pub(crate) async fn find_row(db: &Db, id: &str) -> Result<Option<Row>, DomainError> {
    let sql = format!("{SELECT} WHERE m.id = $1");
    Ok(on_db!(db, pool => {
        sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?
    }))
}

/// A message as `tx` sees it: what a send answers, read before its job can change it.
pub(crate) async fn find_in(tx: &mut crate::Tx, id: &str) -> Result<Option<Message>, DomainError> {
    let sql = format!("{SELECT} WHERE m.id = $1");
    let row = crate::on_tx!(tx, conn => {
        sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut **conn).await?
    });
    Ok(row.and_then(Row::into_message))
}

/// Which providers send messages, for people who may see settings, with each channel's
/// messages waiting after a failed attempt (how a wrong ClickSend key or a relay that is down
/// reaches an administrator).
pub async fn provider_settings(
    db: &Db,
    actor: &Actor,
    configured: &crate::model::ProviderSettings,
) -> Result<crate::model::ProviderSettings, DomainError> {
    actor.require(Permission::SettingsRead)?;
    let mut settings = configured.clone();
    settings.problems = delivery_problems(db).await?;
    Ok(settings)
}

/// Per channel: how many queued messages carry an error, since when, and the newest one's error.
pub async fn delivery_problems(db: &Db) -> Result<Vec<crate::model::DeliveryProblem>, DomainError> {
    let mut problems = Vec::new();
    for channel in Channel::ALL {
        let latest: Option<(String, Timestamp, i64)> = on_db!(db, pool => {
            sqlx::query_as(
                "SELECT error, \
                        (SELECT MIN(w.created_at) FROM messages w WHERE w.channel = $1 AND w.status = 'queued' AND w.error IS NOT NULL), \
                        (SELECT COUNT(*) FROM messages w WHERE w.channel = $1 AND w.status = 'queued' AND w.error IS NOT NULL) \
                 FROM messages WHERE channel = $1 AND status = 'queued' AND error IS NOT NULL ORDER BY id DESC LIMIT 1",
            )
            .bind(channel.as_str())
            .fetch_optional(pool)
            .await?
        });
        if let Some((last_error, oldest, waiting)) = latest {
            problems.push(crate::model::DeliveryProblem {
                channel,
                waiting,
                last_error,
                waiting_since: oldest.into(),
            });
        }
    }
    Ok(problems)
}

/// A message by id with no permission check: for the worker and receipts.
pub async fn find(db: &Db, id: &str) -> Result<Option<Message>, DomainError> {
    Ok(find_row(db, id).await?.and_then(Row::into_message))
}
