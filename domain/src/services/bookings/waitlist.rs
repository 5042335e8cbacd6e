//! The waitlist: contacts waiting for a service at a location within a window of days. When a
//! booking is cancelled or moved, its old time is offered — by a `waitlist_offer` job enqueued
//! in the transaction that freed it — to the first waiting entries in the order they joined:
//! each gets a task for staff and a text with a link (`/w/{token}`). While an offer is open it
//! holds the time against the public booking page; the first to accept books it (the database
//! refuses the second, as any clash), and the other offers of that time are lost.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use ulid::Ulid;

use super::availability;
use super::calendars::{self, Wanted};
use super::create::{By, ForContact, Insert, Target, insert};
use super::links::{LinkPurpose, PatientLinks};
use crate::access::Permission;
use crate::error::Validator;
use crate::input::rules;
use crate::jobs::queue::{ClaimedJob, Failure};
use crate::jobs::worker::Handler;
use crate::jobs::{self, NewJob};
use crate::model::{Booking, Channel, JobKind, OfferStatus, PatientOffer, WaitlistEntry, WaitlistStatus};
use crate::services::audit::{self, Entry};
use crate::services::clock::Clock;
use crate::services::contacts;
use crate::services::messages::{send, suppressions};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, RequestMeta, Tx, on_db, on_tx};

/// How many waiting entries one freed time is offered to at once.
pub const OFFERS_PER_SLOT: usize = 3;
/// How long an offer holds its time (less when the time is sooner).
pub const OFFER_HOLD: Duration = Duration::hours(2);
/// No offer for a time closer than this: too late to be useful.
const LAST_CALL: Duration = Duration::hours(1);
/// Entries listed at most.
const MAX_LISTED: i64 = 500;

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWaitlistEntry {
    #[schema(value_type = rules::Ulid, inline)]
    pub contact_id: String,
    #[schema(value_type = rules::Ulid, inline)]
    pub service_id: String,
    #[schema(value_type = rules::Ulid, inline)]
    pub location_id: String,
    /// First acceptable day, `YYYY-MM-DD` on the location's clock.
    #[schema(format = Date)]
    pub earliest_day: String,
    /// Last acceptable day (inclusive), within 12 months.
    #[schema(format = Date)]
    pub latest_day: String,
    #[schema(value_type = Option<rules::Prose2000>, inline)]
    pub notes: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WaitlistFilter {
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub location_id: Option<String>,
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub contact_id: Option<String>,
    /// `waiting` (default), `booked` or `removed`.
    pub status: Option<WaitlistStatus>,
}

#[derive(FromRow)]
struct EntryRow {
    id: String,
    contact_id: String,
    contact_name: String,
    service_id: String,
    service_name: String,
    location_id: String,
    location_name: String,
    earliest_day: String,
    latest_day: String,
    notes: Option<String>,
    status: String,
    booking_id: Option<String>,
    open_offers: i64,
    created_at: Timestamp,
}

const SELECT: &str = "SELECT e.id, e.contact_id, c.first_name || ' ' || c.last_name AS contact_name, e.service_id, \
     s.name AS service_name, e.location_id, l.name AS location_name, e.earliest_day, e.latest_day, e.notes, e.status, \
     e.booking_id, (SELECT COUNT(*) FROM waitlist_offers o WHERE o.entry_id = e.id AND o.status = 'open' AND o.expires_at > $1) \
     AS open_offers, e.created_at FROM waitlist_entries e JOIN contacts c ON c.id = e.contact_id \
     JOIN services s ON s.id = e.service_id JOIN locations l ON l.id = e.location_id WHERE c.deleted_at IS NULL";

impl From<EntryRow> for WaitlistEntry {
    fn from(r: EntryRow) -> WaitlistEntry {
        WaitlistEntry {
            id: r.id,
            contact_id: r.contact_id,
            contact_name: r.contact_name.trim().to_owned(),
            service_id: r.service_id,
            service_name: r.service_name,
            location_id: r.location_id,
            location_name: r.location_name,
            earliest_day: r.earliest_day.parse().unwrap_or_default(),
            latest_day: r.latest_day.parse().unwrap_or_default(),
            notes: r.notes,
            status: WaitlistStatus::parse(&r.status).unwrap_or(WaitlistStatus::Waiting),
            booking_id: r.booking_id,
            open_offers: r.open_offers,
            created_at: r.created_at.0,
        }
    }
}

async fn find(db: &Db, id: &str) -> Result<Option<WaitlistEntry>, DomainError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} AND e.id = $2"));
    let row: Option<EntryRow> = on_db!(db, pool => {
        sqlx::query_as(sql).bind(Timestamp::now()).bind(id).fetch_optional(pool).await?
    });
    Ok(row.map(WaitlistEntry::from))
}

/// Puts a contact on the waitlist for a service at a location between two days.
pub async fn add(
    db: &Db,
    actor: &Actor,
    input: NewWaitlistEntry,
    meta: &RequestMeta,
) -> Result<WaitlistEntry, DomainError> {
    actor.require(Permission::BookingsWrite)?;
    let mut v = Validator::default();
    calendars::id_shape(&mut v, "contact_id", &input.contact_id, "contact");
    calendars::id_shape(&mut v, "service_id", &input.service_id, "service");
    calendars::id_shape(&mut v, "location_id", &input.location_id, "location");
    let earliest = v.check("earliest_day", calendars::parse_day(&input.earliest_day));
    let latest = v.check("latest_day", calendars::parse_day(&input.latest_day));
    let today = Utc::now().date_naive();
    if let (Some(earliest), Some(latest)) = (earliest, latest) {
        if latest < earliest {
            v.check::<()>("latest_day", Err("must not be before earliest_day".into()));
        } else if latest < today {
            v.check::<()>("latest_day", Err("is in the past".into()));
        } else if latest > today + Duration::days(super::STAFF_HORIZON_DAYS) {
            v.check::<()>("latest_day", Err("is more than 12 months ahead".into()));
        }
    }
    let notes = match &input.notes {
        Some(text) => v.check("notes", crate::input::optional_prose(text, 2000)).flatten(),
        None => None,
    };
    v.finish()?;
    let (Some(earliest), Some(latest)) = (earliest, latest) else {
        return Err(DomainError::field("earliest_day", "is missing"));
    };
    contacts::ensure_visible(db, actor, &input.contact_id)
        .await
        .map_err(|_| DomainError::field("contact_id", "is not a contact"))?;
    if !actor.may_see(Some(&input.location_id))
        || calendars::location_zone(db, &input.location_id).await?.is_none()
    {
        return Err(DomainError::field("location_id", "is not a location you can book at"));
    }
    if calendars::service_spec(db, &input.service_id).await?.is_none() {
        return Err(DomainError::field("service_id", "is not a service that can be booked"));
    }
    let id = Ulid::new().to_string();
    let now = Timestamp::now();
    let mut tx = db.begin().await?;
    let inserted = on_tx!(&mut tx, conn => {
        sqlx::query(
            "INSERT INTO waitlist_entries (id, contact_id, service_id, location_id, earliest_day, latest_day, notes, status, \
             created_by, created_at, updated_at) SELECT $1, $2, $3, $4, $5, $6, $7, 'waiting', $8, $9, $9 \
             WHERE NOT EXISTS (SELECT 1 FROM waitlist_entries WHERE contact_id = $2 AND service_id = $3 \
             AND location_id = $4 AND status = 'waiting')",
        )
        .bind(&id)
        .bind(&input.contact_id)
        .bind(&input.service_id)
        .bind(&input.location_id)
        .bind(earliest.to_string())
        .bind(latest.to_string())
        .bind(&notes)
        .bind(&actor.user_id)
        .bind(now)
        .execute(&mut **conn)
        .await?
        .rows_affected()
    });
    if inserted == 0 {
        return Err(DomainError::Conflict(
            "this contact is already waiting for this service at this location".into(),
        ));
    }
    audit::record_in(&mut tx, Entry::new("waitlist.add").by(actor).on("waitlist_entry", &id).from(meta))
        .await?;
    tx.commit().await?;
    find(db, &id).await?.ok_or(DomainError::NotFound("waitlist entry"))
}

/// Waitlist entries in the actor's locations, in queue order (who joined first).
pub async fn list(db: &Db, actor: &Actor, filter: WaitlistFilter) -> Result<Vec<WaitlistEntry>, DomainError> {
    actor.require(Permission::BookingsRead)?;
    let mut v = Validator::default();
    if let Some(id) = &filter.location_id {
        calendars::id_shape(&mut v, "location_id", id, "location");
    }
    if let Some(id) = &filter.contact_id {
        calendars::id_shape(&mut v, "contact_id", id, "contact");
    }
    v.finish()?;
    let status = filter.status.unwrap_or(WaitlistStatus::Waiting);
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} AND e.status = $2 AND ($3 IS NULL OR e.location_id = $3) AND ($4 IS NULL OR e.contact_id = $4) \
         ORDER BY e.created_at, e.id LIMIT {MAX_LISTED}"
    ));
    let rows: Vec<EntryRow> = on_db!(db, pool => {
        sqlx::query_as(sql)
            .bind(Timestamp::now())
            .bind(status.as_str())
            .bind(&filter.location_id)
            .bind(&filter.contact_id)
            .fetch_all(pool)
            .await?
    });
    Ok(rows.into_iter().map(WaitlistEntry::from).filter(|e| actor.may_see(Some(&e.location_id))).collect())
}

/// Takes an entry off the waitlist (its open offers lapse with it).
pub async fn remove(
    db: &Db,
    actor: &Actor,
    id: &str,
    meta: &RequestMeta,
) -> Result<WaitlistEntry, DomainError> {
    actor.require(Permission::BookingsWrite)?;
    let entry = find(db, id).await?.filter(|e| actor.may_see(Some(&e.location_id)));
    let Some(entry) = entry else { return Err(DomainError::NotFound("waitlist entry")) };
    if entry.status != WaitlistStatus::Waiting {
        return Ok(entry);
    }
    let now = Timestamp::now();
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query("UPDATE waitlist_entries SET status = 'removed', updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&mut **conn)
            .await?;
        sqlx::query("UPDATE waitlist_offers SET status = 'expired' WHERE entry_id = $1 AND status = 'open'")
            .bind(id)
            .execute(&mut **conn)
            .await?;
    });
    audit::record_in(&mut tx, Entry::new("waitlist.remove").by(actor).on("waitlist_entry", id).from(meta))
        .await?;
    tx.commit().await?;
    find(db, id).await?.ok_or(DomainError::NotFound("waitlist entry"))
}

/// The time a cancelled or moved booking gave up.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Freed {
    booking_id: String,
    service_id: String,
    location_id: String,
    start: DateTime<Utc>,
    resource_id: String,
    staff_id: String,
}

/// Enqueues the offer of `booking`'s time (as it was) in `tx`, the transaction that frees it.
pub(super) async fn offer_freed_in(
    tx: &mut Tx,
    booking: &Booking,
    now: Timestamp,
) -> Result<(), DomainError> {
    let start = booking.start.with_timezone(&Utc);
    if start - now.0 < LAST_CALL {
        return Ok(());
    }
    let freed = Freed {
        booking_id: booking.id.clone(),
        service_id: booking.service_id.clone(),
        location_id: booking.location_id.clone(),
        start,
        resource_id: booking.resource_id.clone(),
        staff_id: booking.staff_id.clone(),
    };
    let key = format!("waitlist_offer:{}:{}", booking.id, start.timestamp());
    jobs::enqueue(tx, NewJob::new(JobKind::WaitlistOffer, key, &freed)).await?;
    Ok(())
}

/// Offers a freed time to the waitlist (the `waitlist_offer` job).
pub struct OfferFreedTime {
    pub db: Db,
    pub links: PatientLinks,
}

#[async_trait::async_trait]
impl Handler for OfferFreedTime {
    async fn run(&self, job: &ClaimedJob) -> Result<(), Failure> {
        let freed: Freed = serde_json::from_value(job.payload.clone())
            .map_err(|e| Failure::Permanent(format!("the job's payload is not a freed time: {e}")))?;
        offer(&self.db, &self.links, &freed).await.map(|_| ()).map_err(|e| Failure::Transient(e.to_string()))
    }
}

#[derive(FromRow)]
struct Candidate {
    entry_id: String,
    contact_id: String,
    first_name: String,
    last_name: String,
    phone: Option<String>,
}

/// Makes the offers for a freed time; how many it made.
async fn offer(db: &Db, links: &PatientLinks, freed: &Freed) -> Result<usize, DomainError> {
    let now = Utc::now();
    if freed.start - now < LAST_CALL {
        return Ok(0);
    }
    let Some(service) = calendars::service_spec(db, &freed.service_id).await? else { return Ok(0) };
    let Some((zone, location_name)) = calendars::location_zone(db, &freed.location_id).await? else {
        return Ok(0);
    };
    // Still free on the same scanner with the same staff member (rebooked meanwhile: no offer).
    let day = freed.start.with_timezone(&zone).date_naive();
    let wanted = Wanted {
        service: &service,
        location_id: &freed.location_id,
        zone,
        from: day,
        to: day,
        resource_id: Some(&freed.resource_id),
        staff_id: Some(&freed.staff_id),
        moving: None,
        public: true,
    };
    let calendars = calendars::load(db, &wanted).await?;
    let query = calendars::slot_query(&service, day, day, now, super::STAFF_REACH);
    let Some(slot) = availability::slots(&calendars.location, &calendars.resources, &calendars.staff, &query)
        .into_iter()
        .find(|s| s.start == freed.start)
    else {
        return Ok(0);
    };
    let day_text = day.to_string();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT e.id AS entry_id, e.contact_id, c.first_name, c.last_name, c.phone FROM waitlist_entries e \
             JOIN contacts c ON c.id = e.contact_id WHERE e.status = 'waiting' AND c.deleted_at IS NULL \
             AND e.location_id = $1 AND e.service_id = $2 AND e.earliest_day <= $3 AND e.latest_day >= $3 \
             AND e.contact_id <> (SELECT contact_id FROM bookings WHERE id = $4) \
             AND NOT EXISTS (SELECT 1 FROM waitlist_offers o WHERE o.entry_id = e.id AND o.starts_at = $5) \
             ORDER BY e.created_at, e.id LIMIT {OFFERS_PER_SLOT}"
    ));
    let candidates: Vec<Candidate> = on_db!(db, pool => {
        sqlx::query_as(sql)
        .bind(&freed.location_id)
        .bind(&freed.service_id)
        .bind(&day_text)
        .bind(&freed.booking_id)
        .bind(Timestamp(freed.start))
        .fetch_all(pool)
        .await?
    });
    let expires = (now + OFFER_HOLD).min(freed.start - LAST_CALL);
    let clock = Clock::new(zone);
    let when = clock.show_with_year(&freed.start);
    let until = clock.show(&expires);
    let mut made = 0;
    for candidate in candidates {
        let offer_id = Ulid::new().to_string();
        let at = Timestamp::now();
        let mut tx = db.begin().await?;
        let inserted = on_tx!(&mut tx, conn => {
            sqlx::query(
                "INSERT INTO waitlist_offers (id, entry_id, starts_at, resource_id, staff_id, held_from, held_until, \
                 expires_at, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9) \
                 ON CONFLICT (entry_id, starts_at) DO NOTHING",
            )
            .bind(&offer_id)
            .bind(&candidate.entry_id)
            .bind(Timestamp(freed.start))
            .bind(&slot.resource_id)
            .bind(&slot.staff_id)
            .bind(Timestamp(freed.start - service.buffer_before))
            .bind(Timestamp(slot.end.with_timezone(&Utc) + service.buffer_after))
            .bind(Timestamp(expires))
            .bind(at)
            .execute(&mut **conn)
            .await?
            .rows_affected()
        });
        if inserted == 0 {
            continue;
        }
        let name = format!("{} {}", candidate.first_name, candidate.last_name);
        let title =
            format!("Waitlist: {} at {location_name}, {when}, offered to {}", service.name, name.trim());
        on_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO tasks (id, contact_id, title, due_at, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(Ulid::new().to_string())
                .bind(&candidate.contact_id)
                .bind(&title)
                .bind(Timestamp(expires))
                .bind(at)
                .execute(&mut **conn)
                .await?;
        });
        if let Some(phone) = &candidate.phone
            && suppressions::blocking(db, &candidate.contact_id, Channel::Sms, phone).await?.is_none()
        {
            let url = links.url(LinkPurpose::WaitlistOffer, &offer_id);
            let draft = send::Draft {
                contact_id: candidate.contact_id.clone(),
                channel: Channel::Sms,
                to: phone.clone(),
                subject: None,
                body: offer_text(&candidate.first_name, &service.name, &location_name, &when, &until, &url),
                html: None,
                template: Some("waitlist_offer".into()),
                created_by: None,
            };
            send::queue_in(&mut tx, &draft).await?;
        }
        audit::record_in(&mut tx, Entry::new("waitlist.offer").on("waitlist_offer", &offer_id)).await?;
        tx.commit().await?;
        made += 1;
    }
    Ok(made)
}

/// The offer text: what, where, when, until when, and the link.
pub fn offer_text(
    first_name: &str,
    service: &str,
    location: &str,
    when: &str,
    until: &str,
    url: &str,
) -> String {
    format!(
        "Hi {first_name}, a {service} time at {location} has come free: {when}. \
         It's yours if you take it first, by {until}: {url}"
    )
}

#[derive(FromRow)]
struct OfferRow {
    id: String,
    contact_id: String,
    service_id: String,
    location_id: String,
    starts_at: Timestamp,
    resource_id: String,
    staff_id: String,
    expires_at: Timestamp,
    status: String,
    booking_id: Option<String>,
}

async fn offer_for(db: &Db, links: &PatientLinks, token: &str) -> Result<OfferRow, DomainError> {
    let id = links.verify(LinkPurpose::WaitlistOffer, token).ok_or(DomainError::NotFound("offer"))?;
    let row: Option<OfferRow> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT o.id, e.contact_id, e.service_id, e.location_id, o.starts_at, o.resource_id, o.staff_id, \
             o.expires_at, o.status, o.booking_id FROM waitlist_offers o JOIN waitlist_entries e ON e.id = o.entry_id \
             WHERE o.id = $1",
        )
        .bind(&id)
        .fetch_optional(pool)
        .await?
    });
    row.ok_or(DomainError::NotFound("offer"))
}

fn status_now(row: &OfferRow, now: DateTime<Utc>) -> OfferStatus {
    match OfferStatus::parse(&row.status) {
        Some(OfferStatus::Open) if row.expires_at.0 <= now => OfferStatus::Expired,
        Some(status) => status,
        None => OfferStatus::Expired,
    }
}

/// The offer page: what is offered and whether it can still be taken.
pub async fn view(db: &Db, links: &PatientLinks, token: &str) -> Result<PatientOffer, DomainError> {
    let row = offer_for(db, links, token).await?;
    let Some(service) = calendars::service_spec(db, &row.service_id).await? else {
        return Err(DomainError::NotFound("offer"));
    };
    let Some((zone, location_name)) = calendars::location_zone(db, &row.location_id).await? else {
        return Err(DomainError::NotFound("offer"));
    };
    let clock = Clock::new(zone);
    Ok(PatientOffer {
        service_name: service.name,
        location_name,
        start_label: clock.show_with_year(&row.starts_at.0),
        expires_label: clock.show(&row.expires_at.0),
        status: status_now(&row, Utc::now()),
        booking_token: row.booking_id.as_deref().map(|id| links.token(LinkPurpose::ManageBooking, id)),
    })
}

/// Takes the offered time: a booking for the waiting contact, or 409 when someone was first or
/// the offer lapsed. Returns the booking's manage token.
pub async fn accept(
    db: &Db,
    links: &PatientLinks,
    token: &str,
    meta: &RequestMeta,
) -> Result<String, DomainError> {
    let row = offer_for(db, links, token).await?;
    match status_now(&row, Utc::now()) {
        OfferStatus::Open => {}
        OfferStatus::Accepted => {
            let id = row.booking_id.ok_or(DomainError::NotFound("booking"))?;
            return Ok(links.token(LinkPurpose::ManageBooking, &id));
        }
        OfferStatus::Expired => return Err(DomainError::Conflict("This offer has expired.".into())),
        OfferStatus::Lost => {
            return Err(DomainError::Conflict("Sorry — someone else took this time first.".into()));
        }
    }
    let Some(service) = calendars::service_spec(db, &row.service_id).await? else {
        return Err(DomainError::NotFound("offer"));
    };
    let Some((zone, location_name)) = calendars::location_zone(db, &row.location_id).await? else {
        return Err(DomainError::NotFound("offer"));
    };
    let target = Target {
        service: &service,
        location_id: &row.location_id,
        zone,
        resource_id: Some(&row.resource_id),
        staff_id: Some(&row.staff_id),
        moving: None,
        public: false,
    };
    let placed = insert(
        db,
        Insert {
            by: By::Patient,
            contact: ForContact::Existing(&row.contact_id),
            target,
            location_name: &location_name,
            start: row.starts_at.0,
            notes: Some("From the waitlist".into()),
            links,
            meta,
            accepting_offer: Some(&row.id),
        },
    )
    .await;
    match placed {
        Ok(booking) => Ok(links.token(LinkPurpose::ManageBooking, &booking.id)),
        Err(DomainError::Conflict(_)) => {
            on_db!(db, pool => {
                sqlx::query("UPDATE waitlist_offers SET status = 'lost' WHERE id = $1 AND status = 'open'")
                    .bind(&row.id)
                    .execute(pool)
                    .await?;
            });
            Err(DomainError::Conflict("Sorry — someone else took this time first.".into()))
        }
        Err(other) => Err(other),
    }
}

/// In the accepting booking's transaction: the offer is taken, its entry booked, and the other
/// offers of the time lost.
pub(super) async fn accepted_in(
    tx: &mut Tx,
    offer_id: &str,
    booking_id: &str,
    at: Timestamp,
) -> Result<(), DomainError> {
    on_tx!(tx, conn => {
        let entry: Option<(String, Timestamp, String)> = sqlx::query_as(
            "SELECT entry_id, starts_at, resource_id FROM waitlist_offers WHERE id = $1",
        )
        .bind(offer_id)
        .fetch_optional(&mut **conn)
        .await?;
        let Some((entry_id, starts_at, resource_id)) = entry else { return Err(DomainError::NotFound("offer")) };
        sqlx::query("UPDATE waitlist_offers SET status = 'accepted', booking_id = $2 WHERE id = $1")
            .bind(offer_id)
            .bind(booking_id)
            .execute(&mut **conn)
            .await?;
        sqlx::query("UPDATE waitlist_entries SET status = 'booked', booking_id = $2, updated_at = $3 WHERE id = $1")
            .bind(&entry_id)
            .bind(booking_id)
            .bind(at)
            .execute(&mut **conn)
            .await?;
        sqlx::query(
            "UPDATE waitlist_offers SET status = 'lost' WHERE status = 'open' AND id <> $1 AND starts_at = $2 AND resource_id = $3",
        )
        .bind(offer_id)
        .bind(starts_at)
        .bind(resource_id)
        .execute(&mut **conn)
        .await?;
    });
    Ok(())
}

/// The day of an entry's window as text, for tests and pages.
pub fn window_label(earliest: NaiveDate, latest: NaiveDate) -> String {
    if earliest == latest {
        earliest.format("%a %-d %b %Y").to_string()
    } else {
        format!("{} – {}", earliest.format("%a %-d %b"), latest.format("%a %-d %b %Y"))
    }
}
