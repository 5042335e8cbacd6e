//! The suppression list: contacts who must not be sent SMS or email, since when and why. Every
//! send checks it twice — when the message is written (refused with 409 naming the reason) and
//! again just before the provider is called (the message fails instead of going out) — by the
//! contact and by the number or address, so a duplicate record with the same number is covered.

use serde::Deserialize;
use sqlx::FromRow;
use ulid::Ulid;

use crate::access::Permission;
use crate::input::{optional_prose, rules};
use crate::model::{Channel, Page, Suppression, SuppressionReason, TouchpointKind};
use crate::request::RequestMeta;
use crate::services::audit::{self, Entry};
use crate::services::contacts;
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, on_db, on_tx};

/// Largest page of suppressions.
pub const MAX_LIMIT: i64 = 200;

#[derive(FromRow)]
struct Row {
    id: String,
    contact_id: String,
    contact_name: String,
    channel: String,
    address: Option<String>,
    reason: String,
    note: Option<String>,
    created_by: Option<String>,
    created_at: Timestamp,
    location_id: Option<String>,
}

const SELECT: &str = "SELECT s.id, s.contact_id, c.first_name || ' ' || c.last_name AS contact_name, s.channel, \
    s.address, s.reason, s.note, s.created_by, s.created_at, c.location_id FROM suppressions s JOIN contacts c ON c.id = s.contact_id";

impl Row {
    fn into_suppression(self) -> Option<Suppression> {
        Some(Suppression {
            channel: Channel::parse(&self.channel)?,
            reason: SuppressionReason::parse(&self.reason)?,
            id: self.id,
            contact_id: self.contact_id,
            contact_name: self.contact_name,
            address: self.address,
            note: self.note,
            created_by: self.created_by,
            created_at: self.created_at.0,
        })
    }
}

/// Why a send is refused: the sentence the 409 carries.
pub fn refusal(suppression: &Suppression) -> String {
    format!(
        "{} is suppressed for {} since {}: {}.",
        suppression.contact_name,
        suppression.channel.label(),
        suppression.created_at.format("%-d %b %Y"),
        suppression.reason.label()
    )
}

/// The suppression that stops sending `channel` to this contact or address, if any.
pub async fn blocking(
    db: &Db,
    contact_id: &str,
    channel: Channel,
    address: &str,
) -> Result<Option<Suppression>, DomainError> {
    let sql = format!(
        "{SELECT} WHERE s.channel = $1 AND (s.contact_id = $2 OR s.address = $3) ORDER BY s.contact_id = $2 DESC, s.id LIMIT 1"
    );
    let row: Option<Row> = on_db!(db, pool => {
        sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
            .bind(channel.as_str())
            .bind(contact_id)
            .bind(address)
            .fetch_optional(pool)
            .await?
    });
    Ok(row.and_then(Row::into_suppression))
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SuppressionFilter {
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub contact_id: Option<String>,
    pub channel: Option<Channel>,
    /// `next_cursor` of the previous page, unchanged.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
    /// Per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// Suppressions newest first, of contacts the actor may see.
pub async fn list(
    db: &Db,
    actor: &Actor,
    filter: &SuppressionFilter,
) -> Result<Page<Suppression>, DomainError> {
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
        "{SELECT} WHERE c.deleted_at IS NULL AND {} AND ($3 IS NULL OR s.contact_id = $3) \
         AND ($4 IS NULL OR s.channel = $4) AND ($5 IS NULL OR s.id < $5) ORDER BY s.id DESC LIMIT $6",
        crate::in_actor_locations!("c.location_id", "$1", "$2"),
    );
    let rows: Vec<Row> = on_db!(db, pool => {
        sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
            .bind(actor.sees_every_location())
            .bind(&actor.user_id)
            .bind(filter.contact_id.as_deref())
            .bind(filter.channel.map(Channel::as_str))
            .bind(filter.cursor.as_deref())
            .bind(limit + 1)
            .fetch_all(pool)
            .await?
    });
    let more = rows.len() as i64 > limit;
    let items: Vec<Suppression> =
        rows.into_iter().take(limit as usize).filter_map(Row::into_suppression).collect();
    let next_cursor = if more { items.last().map(|s| s.id.clone()) } else { None };
    Ok(Page::forward(items, next_cursor))
}

/// `POST /api/v1/suppressions`.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSuppression {
    #[schema(value_type = rules::Ulid, inline)]
    pub contact_id: String,
    #[schema(value_type = Channel)]
    pub channel: String,
    #[schema(value_type = SuppressionReason)]
    pub reason: String,
    #[schema(value_type = Option<rules::Prose5000>, inline)]
    pub note: Option<String>,
}

/// Adds a contact to the list for one channel (409 if they are on it already). Noted on the
/// contact's timeline and audited, in one transaction.
pub async fn add(
    db: &Db,
    actor: &Actor,
    input: NewSuppression,
    meta: &RequestMeta,
) -> Result<Suppression, DomainError> {
    actor.require(Permission::ContactsWrite)?;
    let mut v = crate::error::Validator::default();
    let channel = v.check(
        "channel",
        contacts::one_of(&input.channel, Channel::parse, Channel::ALL.map(Channel::as_str)),
    );
    let reason = v.check(
        "reason",
        contacts::one_of(
            &input.reason,
            SuppressionReason::parse,
            SuppressionReason::ALL.map(SuppressionReason::as_str),
        ),
    );
    let note = v.check("note", optional_prose(input.note.as_deref().unwrap_or(""), 5000));
    v.check(
        "contact_id",
        crate::input::ulid(&input.contact_id).map(|_| ()).ok_or_else(|| "is not a contact id".to_owned()),
    );
    v.finish()?;
    let (Some(channel), Some(reason), Some(note)) = (channel, reason, note) else {
        return Err(DomainError::Internal("validated fields missing".into()));
    };
    let contact = super::send::Recipient::load(db, actor, &input.contact_id).await?;
    let address = match channel {
        Channel::Sms => contact.phone.clone(),
        Channel::Email => contact.email.clone(),
    };
    let now = Timestamp::now();
    let id = Ulid::new().to_string();
    let summary = format!("Suppressed for {}: {}", channel.label(), reason.label());
    let mut tx = db.begin().await?;
    let inserted = on_tx!(&mut tx, tx => {
        let inserted = sqlx::query(
            "INSERT INTO suppressions (id, contact_id, channel, address, reason, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (contact_id, channel) DO NOTHING",
        )
        .bind(&id)
        .bind(&contact.id)
        .bind(channel.as_str())
        .bind(&address)
        .bind(reason.as_str())
        .bind(&note)
        .bind(&actor.user_id)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            sqlx::query("INSERT INTO touchpoints (id, contact_id, kind, summary, user_id, occurred_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(Ulid::new().to_string())
                .bind(&contact.id)
                .bind(TouchpointKind::Note.as_str())
                .bind(&summary)
                .bind(&actor.user_id)
                .bind(now)
                .execute(&mut **tx)
                .await?;
        }
        inserted
    });
    if inserted == 0 {
        drop(tx);
        let existing = blocking(db, &contact.id, channel, "").await?;
        return Err(DomainError::Conflict(match existing {
            Some(s) => format!(
                "{} is already suppressed for {} since {}.",
                s.contact_name,
                channel.label(),
                s.created_at.format("%-d %b %Y")
            ),
            None => format!("This contact is already suppressed for {}.", channel.label()),
        }));
    }
    audit::record_in(
        &mut tx,
        Entry::new("suppression.create")
            .by(actor)
            .on("contact", &contact.id)
            .from(meta)
            .detail(channel.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(Suppression {
        id,
        contact_id: contact.id,
        contact_name: contact.name,
        channel,
        address,
        reason,
        note,
        created_by: Some(actor.user_id.clone()),
        created_at: now.0,
    })
}

/// Takes a contact off the list for that channel: they may be sent it again. Noted and audited.
pub async fn remove(db: &Db, actor: &Actor, id: &str, meta: &RequestMeta) -> Result<(), DomainError> {
    actor.require(Permission::ContactsWrite)?;
    let sql = format!("{SELECT} WHERE s.id = $1 AND c.deleted_at IS NULL");
    let row: Option<Row> = on_db!(db, pool => {
        sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?
    });
    let Some(row) = row.filter(|row| actor.may_see(row.location_id.as_deref())) else {
        return Err(DomainError::NotFound("suppression"));
    };
    let channel = Channel::parse(&row.channel).unwrap_or(Channel::Sms);
    let now = Timestamp::now();
    let mut tx = db.begin().await?;
    let deleted = on_tx!(&mut tx, tx => {
        let deleted = sqlx::query("DELETE FROM suppressions WHERE id = $1").bind(id).execute(&mut **tx).await?.rows_affected();
        if deleted == 1 {
            sqlx::query("INSERT INTO touchpoints (id, contact_id, kind, summary, user_id, occurred_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(Ulid::new().to_string())
                .bind(&row.contact_id)
                .bind(TouchpointKind::Note.as_str())
                .bind(format!("{} allowed again (suppression removed)", channel.label()))
                .bind(&actor.user_id)
                .bind(now)
                .execute(&mut **tx)
                .await?;
        }
        deleted
    });
    if deleted == 0 {
        return Err(DomainError::NotFound("suppression"));
    }
    audit::record_in(
        &mut tx,
        Entry::new("suppression.delete")
            .by(actor)
            .on("contact", &row.contact_id)
            .from(meta)
            .detail(channel.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
