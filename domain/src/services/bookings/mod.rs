//! Bookings: what can be booked (the catalogue), when (the availability engine over calendars
//! loaded from the database), and the bookings themselves — created, moved, confirmed,
//! cancelled, completed or missed — each change with its history entry, timeline entry, audit
//! entry and messages in one transaction.
//!
//! Two bookings never hold the same resource or staff member at once: the service only offers
//! free slots, and the database refuses a clash that races past that check (PostgreSQL's
//! exclusion constraints, SQLite's triggers under its single write lock; migration 0012).

pub mod analytics;
pub mod availability;
pub mod calendar;
mod calendars;
pub mod catalog;
mod change;
mod create;
pub mod feeds;
pub mod links;
pub mod public;
mod read;
pub mod reminders;
pub mod setup;
pub mod waitlist;

use chrono::{DateTime, FixedOffset, Utc};
use sqlx::FromRow;

pub use calendars::{AvailabilityQuery, availability};
pub use change::{BookingChanges, CancelBooking, cancel, complete, confirm, no_show, reschedule, uncancel};
pub use create::{By, NewBooking, create};
pub use read::{BookingFilter, ListArg, ListParts, get, list, list_query};

use crate::DomainError;
use crate::model::{Booking, BookingStatus};
use crate::services::clock::Clock;
use crate::time::Timestamp;

/// How far ahead staff and the REST API may book: twelve months.
pub const STAFF_HORIZON_DAYS: i64 = 366;

/// How soon and how far ahead someone may book.
#[derive(Clone, Copy, Debug)]
pub struct Reach {
    pub notice: chrono::Duration,
    pub horizon_days: i64,
}

impl Reach {
    fn notice_label(self) -> String {
        let hours = self.notice.num_hours();
        if hours == 1 { "1 hour".into() } else { format!("{hours} hours") }
    }

    fn horizon_label(self) -> String {
        if self.horizon_days > 365 { "12 months".into() } else { format!("{} days", self.horizon_days) }
    }
}

/// Staff and the REST API: any time from now, twelve months ahead.
pub const STAFF_REACH: Reach = Reach { notice: chrono::Duration::zero(), horizon_days: STAFF_HORIZON_DAYS };
/// The grid slots are offered on, from the start of each open period.
pub const SLOT_STEP_MINUTES: i64 = 15;

/// One booking as the joined query reads it.
#[derive(FromRow)]
struct Row {
    id: String,
    contact_id: String,
    contact_name: String,
    service_id: String,
    service_name: String,
    location_id: String,
    location_name: String,
    time_zone: String,
    resource_id: String,
    resource_name: String,
    staff_id: String,
    staff_name: String,
    starts_at: Timestamp,
    ends_at: Timestamp,
    status: String,
    cancel_reason: Option<String>,
    notes: Option<String>,
    needs_review: bool,
    created_at: Timestamp,
    updated_at: Timestamp,
}

/// Every booking column the API answers, joined to the names it shows. `$1` is whether the
/// actor sees every location, `$2` their user id.
const SELECT: &str = concat!(
    "SELECT b.id, b.contact_id, c.first_name || ' ' || c.last_name AS contact_name, b.service_id, s.name AS service_name, \
     b.location_id, l.name AS location_name, l.time_zone, b.resource_id, r.name AS resource_name, \
     b.staff_id, u.display_name AS staff_name, b.starts_at, b.ends_at, b.status, b.cancel_reason, b.notes, \
     b.needs_review, b.created_at, b.updated_at \
     FROM bookings b JOIN contacts c ON c.id = b.contact_id JOIN services s ON s.id = b.service_id \
     JOIN locations l ON l.id = b.location_id JOIN resources r ON r.id = b.resource_id JOIN users u ON u.id = b.staff_id \
     WHERE ",
    crate::in_actor_locations!("b.location_id", "$1", "$2")
);

/// An instant on a location's clock, with that instant's offset.
fn local(zone: chrono_tz::Tz, at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&zone).fixed_offset()
}

impl Row {
    fn status(&self) -> BookingStatus {
        // The column's CHECK allows only these.
        BookingStatus::parse(&self.status).unwrap_or(BookingStatus::Booked)
    }
}

impl From<Row> for Booking {
    fn from(r: Row) -> Booking {
        let status = r.status();
        let clock = Clock::named(Some(&r.time_zone));
        Booking {
            start: local(clock.zone(), r.starts_at.0),
            end: local(clock.zone(), r.ends_at.0),
            start_label: clock.show_with_year(&r.starts_at.0),
            id: r.id,
            contact_id: r.contact_id,
            contact_name: r.contact_name,
            service_id: r.service_id,
            service_name: r.service_name,
            location_id: r.location_id,
            location_name: r.location_name,
            resource_id: r.resource_id,
            resource_name: r.resource_name,
            staff_id: r.staff_id,
            staff_name: r.staff_name,
            status,
            cancel_reason: r.cancel_reason,
            notes: r.notes,
            needs_review: r.needs_review,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        }
    }
}

/// Which of the two clash rules the database applied, if `err` is one.
fn clash_kind(err: &sqlx::Error) -> Option<Clash> {
    let sqlx::Error::Database(db) = err else { return None };
    // PostgreSQL names the exclusion constraint; SQLite's trigger raises its name as the message.
    let named = |name: &str| db.constraint() == Some(name) || db.message().contains(name);
    if named("bookings_resource_clash") {
        Some(Clash::Resource)
    } else if named("bookings_staff_clash") {
        Some(Clash::Staff)
    } else {
        None
    }
}

enum Clash {
    Resource,
    Staff,
}

/// The database refused a booking that overlaps another: a 409 naming what is taken.
fn on_clash(err: sqlx::Error, resource_name: &str, staff_name: &str) -> DomainError {
    match clash_kind(&err) {
        Some(Clash::Resource) => DomainError::Conflict(format!(
            "{resource_name} is already booked for part of that time; choose another time"
        )),
        Some(Clash::Staff) => DomainError::Conflict(format!(
            "{staff_name} is already booked for part of that time; choose another time"
        )),
        None => DomainError::Database(err),
    }
}
