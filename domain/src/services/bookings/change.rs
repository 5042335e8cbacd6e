//! Changing a booking: moving it (the database re-checks clashes), and its status — confirmed,
//! cancelled with a reason, back from cancelled (re-checked too), completed (the contact moves
//! to Attended) or a no-show. Each change writes its history, timeline and audit entries in
//! the same transaction.

use chrono::{DateTime, FixedOffset, Utc};
use serde::Deserialize;

use super::calendars::{self, location_zone};
use super::create::{By, Target, event_in, move_stage_in, place, timeline_in};
use super::read::{find, find_in, load};
use crate::access::Permission;
use crate::input::rules;
use crate::model::{Booking, BookingEventKind, BookingStatus};
use crate::services::audit;
use crate::services::clock::Clock;
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, RequestMeta, on_tx};

/// What `PATCH /bookings/{id}` may change; what is left out stays.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingChanges {
    /// A new start (one `GET /availability` offers): the booking moves, re-checked for clashes.
    pub start: Option<DateTime<FixedOffset>>,
    /// Move to this resource (same start unless `start` is given too).
    #[schema(value_type = Option<rules::Ulid>, inline)]
    pub resource_id: Option<String>,
    #[schema(value_type = Option<rules::Ulid>, inline)]
    pub staff_id: Option<String>,
    /// `null` clears.
    #[serde(default, deserialize_with = "crate::input::present")]
    #[schema(value_type = Option<rules::Prose2000>, inline)]
    pub notes: Option<Option<String>>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBooking {
    /// Why (the patient asked, unwell, referral missing…).
    #[schema(value_type = rules::Label200, inline)]
    pub reason: String,
}

/// Moves a booking and/or changes its notes.
pub async fn reschedule(
    db: &Db,
    actor: &Actor,
    id: &str,
    changes: BookingChanges,
    meta: &RequestMeta,
) -> Result<Booking, DomainError> {
    actor.require(Permission::BookingsWrite)?;
    reschedule_by(db, By::Staff(actor), id, changes, meta).await
}

/// The booking as whoever acts may see it.
async fn load_by(db: &Db, by: By<'_>, id: &str) -> Result<Booking, DomainError> {
    match by {
        By::Staff(actor) => load(db, actor, id).await,
        By::Patient => find(db, id).await,
    }
}

/// [`reschedule`] by staff or (a new start only, within the public rules) the patient.
pub(super) async fn reschedule_by(
    db: &Db,
    by: By<'_>,
    id: &str,
    changes: BookingChanges,
    meta: &RequestMeta,
) -> Result<Booking, DomainError> {
    let actor = by.actor();
    let mut v = crate::error::Validator::default();
    if let Some(resource) = &changes.resource_id {
        calendars::id_shape(&mut v, "resource_id", resource, "resource");
    }
    if let Some(staff) = &changes.staff_id {
        calendars::id_shape(&mut v, "staff_id", staff, "staff member");
    }
    let notes = match &changes.notes {
        Some(Some(text)) => Some(v.check("notes", crate::input::optional_prose(text, 2000)).flatten()),
        Some(None) => Some(None),
        None => None,
    };
    v.finish()?;
    let current = load_by(db, by, id).await?;
    let moves = changes.start.is_some() || changes.resource_id.is_some() || changes.staff_id.is_some();
    if moves && !current.status.is_open() {
        return Err(DomainError::Conflict(format!(
            "a {} booking can't be moved",
            current.status.label().to_lowercase()
        )));
    }
    let now = Timestamp::now();
    let mut tx;
    if moves {
        let service = calendars::service_spec(db, &current.service_id)
            .await?
            .ok_or_else(|| DomainError::Conflict("this booking's service can no longer be booked".into()))?;
        let (zone, location_name) =
            location_zone(db, &current.location_id).await?.ok_or(DomainError::NotFound("location"))?;
        let start = changes.start.map_or(current.start.with_timezone(&Utc), |s| s.with_timezone(&Utc));
        // A new start picks any free resource and staff member unless they are named; the
        // same start keeps both unless one is changed.
        let keep = changes.start.is_none();
        let resource_id = changes.resource_id.as_deref().or(keep.then_some(current.resource_id.as_str()));
        let staff_id = changes.staff_id.as_deref().or(keep.then_some(current.staff_id.as_str()));
        let target = Target {
            service: &service,
            location_id: &current.location_id,
            zone,
            resource_id,
            staff_id,
            moving: Some(id),
            public: matches!(by, By::Patient),
        };
        let placed = place(db, &target, start).await?;
        let offsets = super::reminders::offsets(db).await?;
        tx = db.begin().await?;
        let updated = on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE bookings SET starts_at = $2, ends_at = $3, held_from = $4, held_until = $5, resource_id = $6, \
                 staff_id = $7, needs_review = FALSE, updated_at = $8 WHERE id = $1",
            )
            .bind(id)
            .bind(Timestamp(start))
            .bind(Timestamp(placed.end))
            .bind(Timestamp(placed.held_from))
            .bind(Timestamp(placed.held_until))
            .bind(&placed.resource_id)
            .bind(&placed.staff_id)
            .bind(now)
            .execute(&mut **conn)
            .await
            .map(|_| ())
        });
        updated.map_err(|err| super::on_clash(err, &placed.resource_name, &placed.staff_name))?;
        // The reminders follow the booking to its new time.
        super::reminders::schedule_in(&mut tx, id, start, &offsets).await?;
        let clock = Clock::new(zone);
        let detail = format!(
            "{} → {}",
            clock.show_with_year(&current.start.with_timezone(&Utc)),
            clock.show_with_year(&start)
        );
        event_in(&mut tx, id, BookingEventKind::Rescheduled, current.status, Some(&detail), actor, now)
            .await?;
        let summary = format!("Moved: {} at {location_name}, {detail}", current.service_name);
        timeline_in(&mut tx, &current.contact_id, id, &summary, actor, now).await?;
        super::waitlist::offer_freed_in(&mut tx, &current, now).await?;
    } else {
        tx = db.begin().await?;
    }
    if let Some(notes) = &notes {
        on_tx!(&mut tx, conn => {
            sqlx::query("UPDATE bookings SET notes = $2, updated_at = $3 WHERE id = $1")
                .bind(id)
                .bind(notes)
                .bind(now)
                .execute(&mut **conn)
                .await?;
        });
    }
    audit::record_in(&mut tx, by.entry("booking.update").on("booking", id).from(meta)).await?;
    let booking = find_in(&mut tx, id).await?.ok_or(DomainError::NotFound("booking"))?;
    tx.commit().await?;
    Ok(booking)
}

/// A status change: from which statuses it is allowed, and what it records.
struct Transition {
    to: BookingStatus,
    kind: BookingEventKind,
    action: &'static str,
    /// "confirmed", for "a cancelled booking can't be confirmed".
    verb: &'static str,
    from: &'static [BookingStatus],
    timeline: &'static str,
}

const OPEN: &[BookingStatus] = &[BookingStatus::Booked, BookingStatus::Confirmed];

async fn transition(
    db: &Db,
    by: By<'_>,
    id: &str,
    change: Transition,
    detail: Option<String>,
    meta: &RequestMeta,
) -> Result<Booking, DomainError> {
    if let By::Staff(actor) = by {
        actor.require(Permission::BookingsWrite)?;
    }
    let actor = by.actor();
    let current = load_by(db, by, id).await?;
    if current.status == change.to {
        // Asked twice (a double click, a retried request): already done.
        return Ok(current);
    }
    if !change.from.contains(&current.status) {
        return Err(DomainError::Conflict(format!(
            "a {} booking can't be {}",
            current.status.label().to_lowercase(),
            change.verb
        )));
    }
    let started = current.start.with_timezone(&Utc) <= Utc::now();
    match change.to {
        BookingStatus::Completed | BookingStatus::NoShow if !started => {
            return Err(DomainError::Conflict(format!(
                "a booking can't be {} before it starts",
                change.verb
            )));
        }
        BookingStatus::Booked if started => {
            return Err(DomainError::Conflict(
                "a booking whose time has passed can't be brought back".into(),
            ));
        }
        _ => {}
    }
    let offsets = super::reminders::offsets(db).await?;
    let now = Timestamp::now();
    let reason = (change.to == BookingStatus::Cancelled).then(|| detail.clone()).flatten();
    let mut tx = db.begin().await?;
    let updated = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE bookings SET status = $2, cancel_reason = $3, needs_review = FALSE, updated_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(change.to.as_str())
        .bind(&reason)
        .bind(now)
        .execute(&mut **conn)
        .await
        .map(|_| ())
    });
    // Only un-cancelling can clash: the time may have been booked meanwhile.
    updated.map_err(|err| super::on_clash(err, &current.resource_name, &current.staff_name))?;
    event_in(&mut tx, id, change.kind, change.to, detail.as_deref(), actor, now).await?;
    let mut summary = format!(
        "{}: {} at {}, {}",
        change.timeline, current.service_name, current.location_name, current.start_label
    );
    if let Some(detail) = &detail {
        summary.push_str(&format!(" ({detail})"));
    }
    timeline_in(&mut tx, &current.contact_id, id, &summary, actor, now).await?;
    if change.to == BookingStatus::Cancelled {
        super::waitlist::offer_freed_in(&mut tx, &current, now).await?;
    }
    if change.to == BookingStatus::Booked {
        // Back from cancelled: its reminders are due again (those already sent stay sent).
        super::reminders::schedule_in(&mut tx, id, current.start.with_timezone(&Utc), &offsets).await?;
    }
    if change.to == BookingStatus::Completed {
        move_stage_in(&mut tx, &current.contact_id, "attended", actor, now).await?;
    }
    audit::record_in(&mut tx, by.entry(change.action).on("booking", id).from(meta)).await?;
    let booking = find_in(&mut tx, id).await?.ok_or(DomainError::NotFound("booking"))?;
    tx.commit().await?;
    Ok(booking)
}

pub async fn confirm(db: &Db, actor: &Actor, id: &str, meta: &RequestMeta) -> Result<Booking, DomainError> {
    confirm_by(db, By::Staff(actor), id, meta).await
}

pub(super) async fn confirm_by(
    db: &Db,
    by: By<'_>,
    id: &str,
    meta: &RequestMeta,
) -> Result<Booking, DomainError> {
    let change = Transition {
        to: BookingStatus::Confirmed,
        kind: BookingEventKind::Confirmed,
        action: "booking.confirm",
        verb: "confirmed",
        from: &[BookingStatus::Booked],
        timeline: "Confirmed",
    };
    transition(db, by, id, change, None, meta).await
}

pub async fn cancel(
    db: &Db,
    actor: &Actor,
    id: &str,
    input: CancelBooking,
    meta: &RequestMeta,
) -> Result<Booking, DomainError> {
    cancel_by(db, By::Staff(actor), id, input, meta).await
}

pub(super) async fn cancel_by(
    db: &Db,
    by: By<'_>,
    id: &str,
    input: CancelBooking,
    meta: &RequestMeta,
) -> Result<Booking, DomainError> {
    let reason = crate::input::label(&input.reason, 200).map_err(|p| DomainError::field("reason", p))?;
    let change = Transition {
        to: BookingStatus::Cancelled,
        kind: BookingEventKind::Cancelled,
        action: "booking.cancel",
        verb: "cancelled",
        from: OPEN,
        timeline: "Cancelled",
    };
    transition(db, by, id, change, Some(reason), meta).await
}

/// Brings a cancelled booking back, if its time is still ahead and still free.
pub async fn uncancel(db: &Db, actor: &Actor, id: &str, meta: &RequestMeta) -> Result<Booking, DomainError> {
    let change = Transition {
        to: BookingStatus::Booked,
        kind: BookingEventKind::Uncancelled,
        action: "booking.uncancel",
        verb: "brought back",
        from: &[BookingStatus::Cancelled],
        timeline: "Booked again",
    };
    transition(db, By::Staff(actor), id, change, None, meta).await
}

pub async fn complete(db: &Db, actor: &Actor, id: &str, meta: &RequestMeta) -> Result<Booking, DomainError> {
    let change = Transition {
        to: BookingStatus::Completed,
        kind: BookingEventKind::Completed,
        action: "booking.complete",
        verb: "completed",
        from: &[BookingStatus::Booked, BookingStatus::Confirmed, BookingStatus::NoShow],
        timeline: "Attended",
    };
    transition(db, By::Staff(actor), id, change, None, meta).await
}

pub async fn no_show(db: &Db, actor: &Actor, id: &str, meta: &RequestMeta) -> Result<Booking, DomainError> {
    let change = Transition {
        to: BookingStatus::NoShow,
        kind: BookingEventKind::NoShow,
        action: "booking.no_show",
        verb: "marked as a no-show",
        from: &[BookingStatus::Booked, BookingStatus::Confirmed, BookingStatus::Completed],
        timeline: "Did not attend",
    };
    transition(db, By::Staff(actor), id, change, None, meta).await
}
