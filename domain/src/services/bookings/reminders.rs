//! Booking reminders and the no-show sweep.
//!
//! Each booking gets a `booking_reminder` job per reminder offset (default 48 and 3 hours
//! before), enqueued in the transaction that makes or moves the booking, keyed
//! `booking_reminder:{booking}:{minutes}`: moving the booking moves a job that has not run yet.
//! The job texts the patient unless the booking is no longer open, the contact is suppressed or
//! has no mobile, or the reminder's time has long passed; `booking_reminders` holds one row per
//! booking and offset, written with the message, so a reminder is never sent twice even if its
//! job runs twice.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::jobs::queue::{ClaimedJob, Failure};
use crate::jobs::worker::Handler;
use crate::jobs::{self, NewJob};
use crate::model::{BookingStatus, Channel, JobKind};
use crate::services::clock::Clock;
use crate::services::messages::{send, suppressions};
use crate::time::Timestamp;
use crate::{Db, DomainError, Tx, on_db, on_tx};

/// Minutes before the start: 48 hours and 3 hours.
pub const DEFAULT_OFFSETS: [i64; 2] = [48 * 60, 3 * 60];
/// The `settings` key holding the offsets in minutes, comma-separated ("2880,180").
pub const OFFSETS_SETTING: &str = "bookings.reminder_offsets_minutes";
/// A reminder whose time passed more than this long ago (its job ran late) is not sent.
const STALE_AFTER: Duration = Duration::hours(1);

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Payload {
    booking_id: String,
    offset_minutes: i64,
}

fn job_key(booking_id: &str, offset_minutes: i64) -> String {
    format!("booking_reminder:{booking_id}:{offset_minutes}")
}

/// The clinic's reminder offsets in minutes (the defaults when unset or unreadable).
pub async fn offsets(db: &Db) -> Result<Vec<i64>, DomainError> {
    let value: Option<String> = on_db!(db, pool => {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(OFFSETS_SETTING).fetch_optional(pool).await?
    });
    let parsed: Option<Vec<i64>> = value.and_then(|text| {
        text.split(',')
            .map(|part| part.trim().parse::<i64>().ok().filter(|m| (1..=60 * 24 * 30).contains(m)))
            .collect()
    });
    Ok(parsed.filter(|o| !o.is_empty()).unwrap_or_else(|| DEFAULT_OFFSETS.to_vec()))
}

/// Schedules the booking's reminders for `start` in `tx`: a new job per offset still ahead, or
/// the job already there moved to the new time if it has not run.
pub(super) async fn schedule_in(
    tx: &mut Tx,
    booking_id: &str,
    start: DateTime<Utc>,
    offsets: &[i64],
) -> Result<(), DomainError> {
    let now = Utc::now();
    for &offset_minutes in offsets {
        let due = start - Duration::minutes(offset_minutes);
        let key = job_key(booking_id, offset_minutes);
        let job = NewJob::new(
            JobKind::BookingReminder,
            &key,
            &Payload { booking_id: booking_id.into(), offset_minutes },
        )
        .at(Timestamp(due.max(now)));
        if due > now && jobs::enqueue(tx, job).await?.is_some() {
            continue;
        }
        // There already (the booking moved): follow the new time if it has not run yet.
        on_tx!(tx, conn => {
            sqlx::query("UPDATE jobs SET run_at = $2, updated_at = $3 WHERE idempotency_key = $1 AND state = 'queued'")
                .bind(&key)
                .bind(Timestamp(due.max(now)))
                .bind(Timestamp::now())
                .execute(&mut **conn)
                .await?;
        });
    }
    Ok(())
}

#[derive(FromRow)]
struct Due {
    contact_id: String,
    first_name: String,
    phone: Option<String>,
    status: String,
    starts_at: Timestamp,
    service_name: String,
    preparation: Option<String>,
    location_name: String,
    time_zone: String,
}

/// The reminder text: what, where, when on the location's clock, how to prepare, and replies
/// that cannot be mistaken for one another.
pub fn reminder_text(
    first_name: &str,
    service: &str,
    location: &str,
    when: &str,
    preparation: Option<&str>,
) -> String {
    let mut text = format!("Hi {first_name}, a reminder of your {service} at {location} on {when}.");
    if let Some(preparation) = preparation.map(str::trim).filter(|p| !p.is_empty()) {
        text.push(' ');
        text.push_str(preparation);
    }
    text.push_str(" Reply YES to confirm or R to reschedule; STOP to opt out.");
    text
}

/// Sends one reminder (the `booking_reminder` job).
pub struct SendReminder(pub Db);

#[async_trait::async_trait]
impl Handler for SendReminder {
    async fn run(&self, job: &ClaimedJob) -> Result<(), Failure> {
        let payload: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|e| Failure::Permanent(format!("the job's payload is not a reminder: {e}")))?;
        remind(&self.0, &payload).await.map_err(|e| Failure::Transient(e.to_string()))
    }
}

async fn remind(db: &Db, payload: &Payload) -> Result<(), DomainError> {
    let due: Option<Due> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT b.contact_id, c.first_name, c.phone, b.status, b.starts_at, s.name AS service_name, s.preparation, \
             l.name AS location_name, l.time_zone FROM bookings b JOIN contacts c ON c.id = b.contact_id \
             JOIN services s ON s.id = b.service_id JOIN locations l ON l.id = b.location_id \
             WHERE b.id = $1 AND c.deleted_at IS NULL",
        )
        .bind(&payload.booking_id)
        .fetch_optional(pool)
        .await?
    });
    let Some(due) = due else { return Ok(()) };
    let open = BookingStatus::parse(&due.status).is_some_and(BookingStatus::is_open);
    let now = Utc::now();
    let meant_for = due.starts_at.0 - Duration::minutes(payload.offset_minutes);
    if !open || now >= due.starts_at.0 || now > meant_for + STALE_AFTER {
        return Ok(());
    }
    let Some(phone) = due.phone else { return Ok(()) };
    if suppressions::blocking(db, &due.contact_id, Channel::Sms, &phone).await?.is_some() {
        return Ok(());
    }
    let when = Clock::named(Some(&due.time_zone)).show_with_year(&due.starts_at.0);
    let draft = send::Draft {
        contact_id: due.contact_id.clone(),
        channel: Channel::Sms,
        to: phone,
        subject: None,
        body: reminder_text(
            &due.first_name,
            &due.service_name,
            &due.location_name,
            &when,
            due.preparation.as_deref(),
        ),
        html: None,
        template: Some("booking_reminder".into()),
        created_by: None,
    };
    let mut tx = db.begin().await?;
    let message_id = send::queue_in(&mut tx, &draft).await?;
    let recorded = on_tx!(&mut tx, conn => {
        sqlx::query(
            "INSERT INTO booking_reminders (booking_id, offset_minutes, message_id, sent_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (booking_id, offset_minutes) DO NOTHING",
        )
        .bind(&payload.booking_id)
        .bind(payload.offset_minutes)
        .bind(&message_id)
        .bind(Timestamp::now())
        .execute(&mut **conn)
        .await?
        .rows_affected()
    });
    if recorded == 0 {
        // Sent by an earlier run of this job: dropping the transaction takes the message back.
        return Ok(());
    }
    tx.commit().await
}

/// Flags past bookings that were never confirmed nor closed (the `no_show_sweep` job).
pub struct NoShowSweep(pub Db);

#[async_trait::async_trait]
impl Handler for NoShowSweep {
    async fn run(&self, _job: &ClaimedJob) -> Result<(), Failure> {
        flag_unconfirmed(&self.0, Utc::now()).await.map(|_| ()).map_err(|e| Failure::Transient(e.to_string()))
    }
}

/// Marks bookings still `booked` (never confirmed) that ended before `now` as needing review;
/// how many it marked.
pub async fn flag_unconfirmed(db: &Db, now: DateTime<Utc>) -> Result<u64, DomainError> {
    Ok(on_db!(db, pool => {
        sqlx::query("UPDATE bookings SET needs_review = TRUE WHERE status = 'booked' AND ends_at < $1 AND needs_review = FALSE")
            .bind(Timestamp(now))
            .execute(pool)
            .await?
            .rows_affected()
    }))
}
