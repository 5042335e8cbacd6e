//! Writing a message: validate it, refuse a suppressed contact (409 naming the reason), then in
//! one transaction store it as `queued`, put it on the contact's timeline, enqueue the job that
//! sends it (`sms:{id}` / `email:{id}`, so it is sent once however often it is enqueued) and
//! audit it. A crash before the commit leaves nothing; after it, the job is there.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use ulid::Ulid;

use crate::access::Permission;
use crate::input::{label, optional_prose, prose, rules};
use crate::jobs::{self, NewJob};
use crate::model::{Channel, JobKind, Message, TouchpointKind};
use crate::request::RequestMeta;
use crate::services::audit::{self, Entry};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, Tx, on_db, on_tx};

use super::suppressions;

/// The most parts one SMS may take.
pub const MAX_SMS_PARTS: u32 = crate::segments::MAX_PARTS;
/// The longest SMS text accepted, in characters.
pub const MAX_SMS_CHARS: usize = 1600;
pub const MAX_SUBJECT_CHARS: usize = 200;
pub const MAX_EMAIL_TEXT_CHARS: usize = 20_000;
pub const MAX_EMAIL_HTML_CHARS: usize = 100_000;

/// `POST /api/v1/messages/sms`.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSms {
    #[schema(value_type = rules::Ulid, inline)]
    pub contact_id: String,
    /// At most 10 parts (1,530 GSM-7 characters, or 330 of anything else).
    #[schema(value_type = rules::SmsBody, inline)]
    pub body: String,
}

/// `POST /api/v1/messages/email`.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEmail {
    #[schema(value_type = rules::Ulid, inline)]
    pub contact_id: String,
    #[schema(value_type = rules::Label200, inline)]
    pub subject: String,
    /// The plain-text part.
    #[schema(value_type = rules::RequiredProse20000, inline)]
    pub text: String,
    /// An HTML part, sent beside the text.
    #[schema(value_type = Option<rules::Prose100000>, inline)]
    pub html: Option<String>,
}

/// Who a message goes to, as the sender may see them.
#[derive(Clone, Debug, FromRow)]
pub(crate) struct Recipient {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub location_id: Option<String>,
}

impl Recipient {
    /// The contact, if it exists, is not deleted and is in the actor's locations.
    pub(crate) async fn load(db: &Db, actor: &Actor, id: &str) -> Result<Recipient, DomainError> {
        let found: Option<Recipient> = on_db!(db, pool => {
            sqlx::query_as::<_, Recipient>(
                "SELECT id, first_name || ' ' || last_name AS name, phone, email, location_id FROM contacts \
                 WHERE id = $1 AND deleted_at IS NULL",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        found.filter(|c| actor.may_see(c.location_id.as_deref())).ok_or(DomainError::NotFound("contact"))
    }
}

/// A message ready to store and send: what [`queue_in`] takes.
#[derive(Clone, Debug)]
pub struct Draft {
    pub contact_id: String,
    pub channel: Channel,
    pub to: String,
    pub subject: Option<String>,
    pub body: String,
    pub html: Option<String>,
    pub template: Option<String>,
    /// The writer; `None` for the system's own (booking confirmations).
    pub created_by: Option<String>,
}

/// What the send job carries.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Payload {
    pub message_id: String,
}

/// The job key that sends a message once.
pub fn job_key(channel: Channel, message_id: &str) -> String {
    format!("{}:{message_id}", channel.as_str())
}

/// Stores `draft` as a queued message in `tx`, with its timeline entry and its send job, and
/// returns its id. Bookings and campaigns call this inside their own transactions.
pub async fn queue_in(tx: &mut Tx, draft: &Draft) -> Result<String, DomainError> {
    let id = Ulid::new().to_string();
    let now = Timestamp::now();
    let segments =
        (draft.channel == Channel::Sms).then(|| i64::from(crate::segments::count(&draft.body).parts));
    let (kind, touch, summary) = match draft.channel {
        Channel::Sms => (JobKind::SendSms, TouchpointKind::Sms, draft.body.clone()),
        Channel::Email => (
            JobKind::SendEmail,
            TouchpointKind::Email,
            format!("Email: {}", draft.subject.as_deref().unwrap_or("")),
        ),
    };
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO messages (id, contact_id, channel, to_address, subject, body, html, template, status, segments, created_by, created_at, status_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $10, $11, $11)",
        )
        .bind(&id)
        .bind(&draft.contact_id)
        .bind(draft.channel.as_str())
        .bind(&draft.to)
        .bind(&draft.subject)
        .bind(&draft.body)
        .bind(&draft.html)
        .bind(&draft.template)
        .bind(segments)
        .bind(&draft.created_by)
        .bind(now)
        .execute(&mut **conn)
        .await?;
        sqlx::query(
            "INSERT INTO touchpoints (id, contact_id, kind, summary, user_id, occurred_at, message_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Ulid::new().to_string())
        .bind(&draft.contact_id)
        .bind(touch.as_str())
        .bind(summary.chars().take(2000).collect::<String>())
        .bind(&draft.created_by)
        .bind(now)
        .bind(&id)
        .execute(&mut **conn)
        .await?;
    });
    jobs::enqueue(tx, NewJob::new(kind, job_key(draft.channel, &id), &Payload { message_id: id.clone() }))
        .await?;
    crate::services::ai::warmness::enqueue_recalculation(tx, &draft.contact_id).await?;
    Ok(id)
}

async fn store(db: &Db, actor: &Actor, draft: Draft, meta: &RequestMeta) -> Result<Message, DomainError> {
    if let Some(suppression) = suppressions::blocking(db, &draft.contact_id, draft.channel, &draft.to).await?
    {
        return Err(DomainError::Conflict(suppressions::refusal(&suppression)));
    }
    let mut tx = db.begin().await?;
    let id = queue_in(&mut tx, &draft).await?;
    let action = match draft.channel {
        Channel::Sms => "message.sms",
        Channel::Email => "message.email",
    };
    audit::record_in(
        &mut tx,
        Entry::new(action).by(actor).on("contact", &draft.contact_id).from(meta).detail(id.clone()),
    )
    .await?;
    // Read before the commit wakes the worker, so the answer is the message as queued.
    let message = super::find_in(&mut tx, &id).await?.ok_or(DomainError::NotFound("message"))?;
    tx.commit().await?;
    Ok(message)
}

fn contact_id_shape(v: &mut crate::error::Validator, contact_id: &str) {
    v.check(
        "contact_id",
        crate::input::ulid(contact_id).map(|_| ()).ok_or_else(|| "is not a contact id".to_owned()),
    );
}

/// Texts a contact: 202-style, the message comes back `queued` and its job sends it.
pub async fn sms(db: &Db, actor: &Actor, input: NewSms, meta: &RequestMeta) -> Result<Message, DomainError> {
    actor.require(Permission::SmsSend)?;
    let mut v = crate::error::Validator::default();
    contact_id_shape(&mut v, &input.contact_id);
    let body = v.check("body", prose(&input.body, MAX_SMS_CHARS)).and_then(|body| {
        let parts = crate::segments::count(&body).parts;
        v.check(
            "body",
            if parts > MAX_SMS_PARTS {
                Err(format!("is {parts} SMS parts long; at most {MAX_SMS_PARTS} are sent"))
            } else {
                Ok(body)
            },
        )
    });
    v.finish()?;
    let Some(body) = body else { return Err(DomainError::Internal("validated fields missing".into())) };
    let contact = Recipient::load(db, actor, &input.contact_id).await?;
    let Some(phone) = contact.phone else {
        // The request is well formed; the contact's record is what stands in the way: 409.
        return Err(DomainError::Conflict("This contact has no mobile number to text.".into()));
    };
    let draft = Draft {
        contact_id: contact.id,
        channel: Channel::Sms,
        to: phone,
        subject: None,
        body,
        html: None,
        template: None,
        created_by: Some(actor.user_id.clone()),
    };
    store(db, actor, draft, meta).await
}

/// Emails a contact (text, and HTML when given).
pub async fn email(
    db: &Db,
    actor: &Actor,
    input: NewEmail,
    meta: &RequestMeta,
) -> Result<Message, DomainError> {
    actor.require(Permission::EmailSend)?;
    let mut v = crate::error::Validator::default();
    contact_id_shape(&mut v, &input.contact_id);
    let subject = v.check("subject", label(&input.subject, MAX_SUBJECT_CHARS));
    let text = v.check("text", prose(&input.text, MAX_EMAIL_TEXT_CHARS));
    let html = v.check("html", optional_prose(input.html.as_deref().unwrap_or(""), MAX_EMAIL_HTML_CHARS));
    v.finish()?;
    let (Some(subject), Some(text), Some(html)) = (subject, text, html) else {
        return Err(DomainError::Internal("validated fields missing".into()));
    };
    let contact = Recipient::load(db, actor, &input.contact_id).await?;
    let Some(address) = contact.email else {
        return Err(DomainError::Conflict("This contact has no email address.".into()));
    };
    let draft = Draft {
        contact_id: contact.id,
        channel: Channel::Email,
        to: address,
        subject: Some(subject),
        body: text,
        html,
        template: None,
        created_by: Some(actor.user_id.clone()),
    };
    store(db, actor, draft, meta).await
}
