//! Booking a contact in: the start must be one the engine offers (else 422, or 409 when only
//! another booking is in the way), the insert is the database's last word on clashes, and the
//! history entry, timeline entry, pipeline move to Booked, audit entry and confirmation message
//! commit with it.

use chrono::{DateTime, FixedOffset, Utc};
use serde::Deserialize;
use ulid::Ulid;

use super::availability::{self, Busy};
use super::calendars::{self, Calendars, ServiceSpec, Wanted};
use super::links::{LinkPurpose, PatientLinks};
use crate::access::Permission;
use crate::input::rules;
use crate::model::{Booking, BookingEventKind, BookingStatus, Channel, TouchpointKind};
use crate::services::audit::{self, Entry};
use crate::services::clock::Clock;
use crate::services::contacts;
use crate::services::messages::{send, suppressions};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, RequestMeta, Tx, on_db, on_tx};

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    #[schema(value_type = rules::Ulid, inline)]
    pub contact_id: String,
    #[schema(value_type = rules::Ulid, inline)]
    pub service_id: String,
    #[schema(value_type = rules::Ulid, inline)]
    pub location_id: String,
    /// One of the slot starts `GET /availability` offers (any offset; it is the instant that counts).
    pub start: DateTime<FixedOffset>,
    /// The resource to use (default: the first free one).
    #[schema(value_type = Option<rules::Ulid>, inline)]
    pub resource_id: Option<String>,
    /// The staff member (default: the first qualified one free).
    #[schema(value_type = Option<rules::Ulid>, inline)]
    pub staff_id: Option<String>,
    #[schema(value_type = Option<rules::Prose2000>, inline)]
    pub notes: Option<String>,
}

/// Where a requested start can go: the resource and staff member that take it.
pub(super) struct Placement {
    pub resource_id: String,
    pub staff_id: String,
    pub resource_name: String,
    pub staff_name: String,
    pub held_from: DateTime<Utc>,
    pub held_until: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// What is to be placed, and where.
#[derive(Clone, Copy)]
pub(super) struct Target<'a> {
    pub service: &'a ServiceSpec,
    pub location_id: &'a str,
    pub zone: chrono_tz::Tz,
    pub resource_id: Option<&'a str>,
    pub staff_id: Option<&'a str>,
    /// The booking being moved, which does not stand in its own way.
    pub moving: Option<&'a str>,
    /// The patient's own booking: the public page's notice and horizon apply.
    pub public: bool,
}

/// Finds a placement for `start`, or says precisely why there is none.
pub(super) async fn place(
    db: &Db,
    target: &Target<'_>,
    start: DateTime<Utc>,
) -> Result<Placement, DomainError> {
    let Target { service, location_id, zone, resource_id, staff_id, moving, public } = *target;
    let now = Utc::now();
    if start < now {
        return Err(DomainError::field("start", "is in the past"));
    }
    let reach = if public { super::public::REACH } else { super::STAFF_REACH };
    if start < now + reach.notice {
        return Err(DomainError::field(
            "start",
            format!("is too soon: book at least {} ahead", reach.notice_label()),
        ));
    }
    if start > now + chrono::Duration::days(reach.horizon_days) {
        return Err(DomainError::field("start", format!("is more than {} ahead", reach.horizon_label())));
    }
    let day = start.with_timezone(&zone).date_naive();
    let wanted =
        Wanted { service, location_id, zone, from: day, to: day, resource_id, staff_id, moving, public };
    let calendars = calendars::load(db, &wanted).await?;
    if calendars.resources.is_empty() {
        let field = if resource_id.is_some() { "resource_id" } else { "service_id" };
        return Err(DomainError::field(field, "has no resource at this location that can do this service"));
    }
    if calendars.staff.is_empty() {
        let field = if staff_id.is_some() { "staff_id" } else { "service_id" };
        return Err(DomainError::field(field, "has no qualified staff member working at this location"));
    }
    let query = calendars::slot_query(service, day, day, now, reach);
    let offered = |c: &Calendars| {
        availability::slots(&c.location, &c.resources, &c.staff, &query)
            .into_iter()
            .find(|s| s.start == start)
    };
    if let Some(slot) = offered(&calendars) {
        let name = |id: &str| calendars.names.get(id).cloned().unwrap_or_default();
        return Ok(Placement {
            resource_name: name(&slot.resource_id),
            staff_name: name(&slot.staff_id),
            resource_id: slot.resource_id,
            staff_id: slot.staff_id,
            held_from: start - service.buffer_before,
            held_until: slot.end.with_timezone(&Utc) + service.buffer_after,
            end: slot.end.with_timezone(&Utc),
        });
    }
    // Not offered: with every calendar empty, would it be? Then only other bookings, leave or
    // maintenance are in the way (409); otherwise the time itself is wrong (422).
    let mut clear = Calendars { names: Default::default(), ..calendars };
    clear.resources.iter_mut().for_each(|r| r.busy = Busy::default());
    clear.staff.iter_mut().for_each(|s| s.busy = Busy::default());
    if offered(&clear).is_some() {
        Err(DomainError::Conflict("that time is no longer free; choose another time".into()))
    } else {
        Err(DomainError::field(
            "start",
            format!(
                "is not a time this service can start (opening and staff hours, every {} minutes)",
                super::SLOT_STEP_MINUTES
            ),
        ))
    }
}

/// Writes a history entry in `tx`.
pub(super) async fn event_in(
    tx: &mut Tx,
    booking_id: &str,
    kind: BookingEventKind,
    status: BookingStatus,
    detail: Option<&str>,
    actor: Option<&Actor>,
    at: Timestamp,
) -> Result<(), DomainError> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO booking_events (id, booking_id, kind, status, detail, user_id, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Ulid::new().to_string())
        .bind(booking_id)
        .bind(kind.as_str())
        .bind(status.as_str())
        .bind(detail)
        .bind(actor.map(|a| a.user_id.as_str()))
        .bind(at)
        .execute(&mut **conn)
        .await?;
    });
    Ok(())
}

/// Writes a timeline entry about the booking in `tx`.
pub(super) async fn timeline_in(
    tx: &mut Tx,
    contact_id: &str,
    booking_id: &str,
    summary: &str,
    actor: Option<&Actor>,
    at: Timestamp,
) -> Result<(), DomainError> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO touchpoints (id, contact_id, kind, summary, user_id, occurred_at, booking_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Ulid::new().to_string())
        .bind(contact_id)
        .bind(TouchpointKind::Booking.as_str())
        .bind(summary)
        .bind(actor.map(|a| a.user_id.as_str()))
        .bind(at)
        .bind(booking_id)
        .execute(&mut **conn)
        .await?;
    });
    // Bookings, attendance and no-shows are most of the score.
    crate::services::ai::warmness::enqueue_recalculation(tx, contact_id).await?;
    Ok(())
}

/// Moves the contact to the pipeline stage `key` (booked, attended) unless it is there, noting
/// the move on its timeline as a stage change made by hand would be.
pub(super) async fn move_stage_in(
    tx: &mut Tx,
    contact_id: &str,
    key: &str,
    actor: Option<&Actor>,
    at: Timestamp,
) -> Result<(), DomainError> {
    on_tx!(tx, conn => {
        let from: Option<(String, String)> = sqlx::query_as(
            "SELECT c.stage_id, t.id FROM contacts c, pipeline_stages t WHERE c.id = $1 AND t.key = $2 AND c.stage_id <> t.id",
        )
        .bind(contact_id)
        .bind(key)
        .fetch_optional(&mut **conn)
        .await?;
        if let Some((from, to)) = from {
            sqlx::query("UPDATE contacts SET stage_id = $2, updated_at = $3 WHERE id = $1")
                .bind(contact_id)
                .bind(&to)
                .bind(at)
                .execute(&mut **conn)
                .await?;
            sqlx::query(
                "INSERT INTO touchpoints (id, contact_id, kind, summary, user_id, occurred_at) \
                 SELECT $1, $2, 'stage_change', 'Stage: ' || f.name || ' → ' || t.name, $3, $4 \
                 FROM pipeline_stages f, pipeline_stages t WHERE f.id = $5 AND t.id = $6",
            )
            .bind(Ulid::new().to_string())
            .bind(contact_id)
            .bind(actor.map(|a| a.user_id.as_str()))
            .bind(at)
            .bind(&from)
            .bind(&to)
            .execute(&mut **conn)
            .await?;
        }
    });
    Ok(())
}

/// Who makes a change: a signed-in staff member (or API token), or the patient through a
/// signed link or the public booking page.
#[derive(Clone, Copy, Debug)]
pub enum By<'a> {
    Staff(&'a Actor),
    Patient,
}

impl<'a> By<'a> {
    pub(super) fn actor(self) -> Option<&'a Actor> {
        match self {
            By::Staff(actor) => Some(actor),
            By::Patient => None,
        }
    }

    /// The audit entry for `action`, by whoever it is.
    pub(super) fn entry(self, action: &'static str) -> Entry {
        match self {
            By::Staff(actor) => Entry::new(action).by(actor),
            By::Patient => Entry::new(action).detail("by the patient"),
        }
    }
}

/// Where the confirmation goes: a text to the mobile, else an email; neither when the contact
/// has opted out of both (or has neither).
enum Recipient {
    Sms { first_name: String, phone: String },
    Email { first_name: String, email: String },
}

async fn recipient(db: &Db, contact_id: &str) -> Result<Option<Recipient>, DomainError> {
    type ContactRow = (String, Option<String>, Option<String>);
    let row: Option<ContactRow> = on_db!(db, pool => {
        sqlx::query_as("SELECT first_name, phone, email FROM contacts WHERE id = $1").bind(contact_id).fetch_optional(pool).await?
    });
    let Some((first_name, phone, email)) = row else { return Ok(None) };
    if let Some(phone) = phone
        && suppressions::blocking(db, contact_id, Channel::Sms, &phone).await?.is_none()
    {
        return Ok(Some(Recipient::Sms { first_name, phone }));
    }
    if let Some(email) = email
        && suppressions::blocking(db, contact_id, Channel::Email, &email).await?.is_none()
    {
        return Ok(Some(Recipient::Email { first_name, email }));
    }
    Ok(None)
}

/// A new patient's recipient, before the contact exists.
fn patient_recipient(fields: &PatientContact) -> Option<Recipient> {
    let first_name = fields.first_name.clone();
    match (&fields.phone, &fields.email) {
        (Some(phone), _) => Some(Recipient::Sms { first_name, phone: phone.clone() }),
        (None, Some(email)) => Some(Recipient::Email { first_name, email: email.clone() }),
        (None, None) => None,
    }
}

/// What a confirmation says.
pub(super) struct Confirmation<'a> {
    pub service: &'a str,
    pub location: &'a str,
    pub when: &'a str,
    pub preparation: Option<&'a str>,
    pub manage_url: &'a str,
}

/// The confirmation text: what, where, when on the location's clock, the manage link, and
/// replies that cannot be mistaken for one another.
pub(super) fn confirmation_text(first_name: &str, c: &Confirmation<'_>) -> String {
    format!(
        "Hi {first_name}, your {} at {} is booked for {}. Manage it: {} \
         Reply YES to confirm or R to reschedule; STOP to opt out.",
        c.service, c.location, c.when, c.manage_url
    )
}

fn confirmation_draft(contact_id: &str, to: Recipient, c: &Confirmation<'_>) -> send::Draft {
    match to {
        Recipient::Sms { first_name, phone } => send::Draft {
            contact_id: contact_id.to_owned(),
            channel: Channel::Sms,
            to: phone,
            subject: None,
            body: confirmation_text(&first_name, c),
            html: None,
            template: Some("booking_confirmation".into()),
            created_by: None,
        },
        Recipient::Email { first_name, email } => {
            let preparation = c.preparation.map(|p| format!("\n\nBefore you come: {p}")).unwrap_or_default();
            send::Draft {
                contact_id: contact_id.to_owned(),
                channel: Channel::Email,
                to: email,
                subject: Some(format!("Your {} is booked for {}", c.service, c.when)),
                body: format!(
                    "Hi {first_name},\n\nYour {} at {} is booked for {}.{preparation}\n\n\
                     To confirm, move or cancel it: {}\n",
                    c.service, c.location, c.when, c.manage_url
                ),
                html: None,
                template: Some("booking_confirmation".into()),
                created_by: None,
            }
        }
    }
}

/// The contact a booking is for: one that exists, or a patient's new one written with it.
pub(super) enum ForContact<'a> {
    Existing(&'a str),
    New(&'a contacts::NewPatient, &'a PatientContact),
}

/// A new patient's reachable details, for the confirmation.
pub(super) struct PatientContact {
    pub first_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl ForContact<'_> {
    fn id(&self) -> &str {
        match self {
            ForContact::Existing(id) => id,
            ForContact::New(patient, _) => patient.id(),
        }
    }
}

/// What `insert` writes.
pub(super) struct Insert<'a> {
    pub by: By<'a>,
    pub contact: ForContact<'a>,
    pub target: Target<'a>,
    pub location_name: &'a str,
    pub start: DateTime<Utc>,
    pub notes: Option<String>,
    pub links: &'a PatientLinks,
    pub meta: &'a RequestMeta,
    /// The waitlist offer this booking takes, marked taken in the same transaction.
    pub accepting_offer: Option<&'a str>,
}

/// Places and writes a booking with its history, timeline, stage move, reminders,
/// confirmation and audit entry (and a new patient's contact), all in one transaction.
pub(super) async fn insert(db: &Db, b: Insert<'_>) -> Result<Booking, DomainError> {
    let Target { service, location_id, zone, .. } = b.target;
    let place = place(db, &b.target, b.start).await?;
    let recipient = match &b.contact {
        ForContact::Existing(id) => recipient(db, id).await?,
        ForContact::New(_, fields) => patient_recipient(fields),
    };
    let offsets = super::reminders::offsets(db).await?;
    let preparation = super::calendars::preparation(db, &service.id).await?;
    let contact_id = b.contact.id().to_owned();
    let actor = b.by.actor();

    let id = Ulid::new().to_string();
    let now = Timestamp::now();
    let when = Clock::new(zone).show_with_year(&b.start);
    let mut tx = db.begin().await?;
    if let ForContact::New(patient, _) = &b.contact {
        contacts::insert_patient_in(&mut tx, patient, b.meta).await?;
    }
    // The booking's insert is the first write to bookings: on SQLite the transaction holds the
    // write lock by then, so the clash triggers see every committed booking; on PostgreSQL the
    // exclusion constraints wait for racing inserts.
    let inserted = on_tx!(&mut tx, conn => {
        sqlx::query(
            "INSERT INTO bookings (id, contact_id, service_id, location_id, resource_id, staff_id, starts_at, ends_at, \
             held_from, held_until, status, notes, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'booked', $11, $12, $13, $13)",
        )
        .bind(&id)
        .bind(&contact_id)
        .bind(&service.id)
        .bind(location_id)
        .bind(&place.resource_id)
        .bind(&place.staff_id)
        .bind(Timestamp(b.start))
        .bind(Timestamp(place.end))
        .bind(Timestamp(place.held_from))
        .bind(Timestamp(place.held_until))
        .bind(&b.notes)
        .bind(actor.map(|a| a.user_id.as_str()))
        .bind(now)
        .execute(&mut **conn)
        .await
        .map(|_| ())
    });
    inserted.map_err(|err| super::on_clash(err, &place.resource_name, &place.staff_name))?;
    if let Some(offer_id) = b.accepting_offer {
        super::waitlist::accepted_in(&mut tx, offer_id, &id, now).await?;
    }
    let detail = match (b.by, b.accepting_offer) {
        (By::Patient, Some(_)) => Some("from the waitlist"),
        (By::Patient, None) => Some("booked online"),
        (By::Staff(_), _) => None,
    };
    event_in(&mut tx, &id, BookingEventKind::Created, BookingStatus::Booked, detail, actor, now).await?;
    super::reminders::schedule_in(&mut tx, &id, b.start, &offsets).await?;
    let online = detail.map(|d| format!(" ({d})")).unwrap_or_default();
    let summary = format!("Booked: {} at {}, {when}{online}", service.name, b.location_name);
    timeline_in(&mut tx, &contact_id, &id, &summary, actor, now).await?;
    move_stage_in(&mut tx, &contact_id, "booked", actor, now).await?;
    if let Some(to) = recipient {
        let manage_url = b.links.url(LinkPurpose::ManageBooking, &id);
        let confirmation = Confirmation {
            service: &service.name,
            location: b.location_name,
            when: &when,
            preparation: preparation.as_deref(),
            manage_url: &manage_url,
        };
        send::queue_in(&mut tx, &confirmation_draft(&contact_id, to, &confirmation)).await?;
    }
    audit::record_in(&mut tx, b.by.entry("booking.create").on("booking", &id).from(b.meta)).await?;
    let booking = super::read::find_in(&mut tx, &id).await?.ok_or(DomainError::NotFound("booking"))?;
    tx.commit().await?;
    Ok(booking)
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    input: NewBooking,
    links: &PatientLinks,
    meta: &RequestMeta,
) -> Result<Booking, DomainError> {
    actor.require(Permission::BookingsWrite)?;
    let mut v = crate::error::Validator::default();
    calendars::id_shape(&mut v, "contact_id", &input.contact_id, "contact");
    calendars::id_shape(&mut v, "service_id", &input.service_id, "service");
    calendars::id_shape(&mut v, "location_id", &input.location_id, "location");
    if let Some(id) = &input.resource_id {
        calendars::id_shape(&mut v, "resource_id", id, "resource");
    }
    if let Some(id) = &input.staff_id {
        calendars::id_shape(&mut v, "staff_id", id, "staff member");
    }
    let notes = match &input.notes {
        Some(text) => v.check("notes", crate::input::optional_prose(text, 2000)).flatten(),
        None => None,
    };
    v.finish()?;
    contacts::ensure_visible(db, actor, &input.contact_id)
        .await
        .map_err(|_| DomainError::field("contact_id", "is not a contact"))?;
    let location = match actor.may_see(Some(&input.location_id)) {
        true => calendars::location_zone(db, &input.location_id).await?,
        false => None,
    };
    let Some((zone, location_name)) = location else {
        return Err(DomainError::field("location_id", "is not a location you can book at"));
    };
    let Some(service) = calendars::service_spec(db, &input.service_id).await? else {
        return Err(DomainError::field("service_id", "is not a service that can be booked"));
    };
    let target = Target {
        service: &service,
        location_id: &input.location_id,
        zone,
        resource_id: input.resource_id.as_deref(),
        staff_id: input.staff_id.as_deref(),
        moving: None,
        public: false,
    };
    insert(
        db,
        Insert {
            by: By::Staff(actor),
            contact: ForContact::Existing(&input.contact_id),
            target,
            location_name: &location_name,
            start: input.start.with_timezone(&Utc),
            notes,
            links,
            meta,
            accepting_offer: None,
        },
    )
    .await
}
