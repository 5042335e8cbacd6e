//! Loading what the availability engine reasons about — a location's hours and closures, the
//! resources that can do a service there, the qualified staff working there, and everything
//! that takes their time — and `GET /availability` on top of it.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;

use super::availability::{self, Busy, LocationCalendar, Range, ResourceCalendar, SlotQuery, StaffCalendar};
use crate::access::Permission;
use crate::model::{ResourceKind, Slot};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, on_db};

/// The longest range one availability request may cover.
const MAX_DAYS: i64 = 62;
/// Longer than any booking holds its resource and staff member (see `load`).
const MAX_HELD: Duration = Duration::days(2);

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityQuery {
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub service_id: String,
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub location_id: String,
    /// First day, `YYYY-MM-DD` on the location's clock.
    #[param(pattern = "^2[0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub from: String,
    /// Last day (inclusive), at most 62 days after `from`.
    #[param(pattern = "^2[0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub to: String,
    /// Only slots on this resource.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub resource_id: Option<String>,
    /// Only slots with this staff member.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub staff_id: Option<String>,
}

/// A service as booking needs it.
#[derive(Clone, Debug)]
pub(super) struct ServiceSpec {
    pub id: String,
    pub name: String,
    pub duration: Duration,
    pub buffer_before: Duration,
    pub buffer_after: Duration,
    pub resource_kind: ResourceKind,
}

pub(super) async fn service_spec(db: &Db, id: &str) -> Result<Option<ServiceSpec>, DomainError> {
    type ServiceRow = (String, String, i32, i32, i32, Option<String>, bool);
    let row: Option<ServiceRow> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT id, name, duration_minutes, buffer_before_minutes, buffer_after_minutes, resource_kind, active \
             FROM services WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?
    });
    Ok(row.and_then(|(id, name, minutes, before, after, kind, active)| {
        // A service without a resource kind, or switched off, cannot be booked.
        let resource_kind = kind.as_deref().and_then(ResourceKind::parse).filter(|_| active)?;
        Some(ServiceSpec {
            id,
            name,
            duration: Duration::minutes(minutes.into()),
            buffer_before: Duration::minutes(before.into()),
            buffer_after: Duration::minutes(after.into()),
            resource_kind,
        })
    }))
}

/// What one booking decision needs, loaded for a range of days.
pub(super) struct Calendars {
    pub location: LocationCalendar,
    pub resources: Vec<ResourceCalendar>,
    pub staff: Vec<StaffCalendar>,
    /// Resource and staff names by id, for messages.
    pub names: HashMap<String, String>,
}

/// Which calendars to load.
pub(super) struct Wanted<'a> {
    pub service: &'a ServiceSpec,
    pub location_id: &'a str,
    pub zone: chrono_tz::Tz,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub resource_id: Option<&'a str>,
    pub staff_id: Option<&'a str>,
    /// A booking being moved does not stand in its own way.
    pub moving: Option<&'a str>,
    /// For the patient's own booking: times held for waitlist offers are taken too.
    pub public: bool,
}

/// The location's zone and name, if it exists.
pub(super) async fn location_zone(db: &Db, id: &str) -> Result<Option<(chrono_tz::Tz, String)>, DomainError> {
    let row: Option<(String, String)> = on_db!(db, pool => {
        sqlx::query_as("SELECT time_zone, name FROM locations WHERE id = $1").bind(id).fetch_optional(pool).await?
    });
    Ok(row.map(|(zone, name)| (zone.parse().unwrap_or(chrono_tz::UTC), name)))
}

/// Which rows of [`SETUP_SQL`] are which.
const HOURS: i32 = 0;
const CLOSURE: i32 = 1;
const RESOURCE: i32 = 2;
const STAFF_HOURS: i32 = 3;

/// Everything but busy time in one round trip: the location's opening hours and closed days,
/// the resources that can do the service, and the qualified staff's hours there. `$1` location,
/// `$2` resource kind, `$3` one resource, `$4` service, `$5` one staff member, `$6`/`$7` the
/// first and last day.
const SETUP_SQL: &str = "\
    SELECT 0 AS part, NULL AS id, NULL AS name, weekday, opens, closes FROM location_hours \
      WHERE location_id = $1 \
    UNION ALL SELECT 1, NULL, NULL, NULL, day, NULL FROM location_closures \
      WHERE location_id = $1 AND day >= $6 AND day <= $7 \
    UNION ALL SELECT 2, id, name, NULL, NULL, NULL FROM resources \
      WHERE location_id = $1 AND kind = $2 AND active = TRUE AND ($3 IS NULL OR id = $3) \
    UNION ALL SELECT 3, h.user_id, u.display_name, h.weekday, h.starts, h.ends FROM staff_hours h \
      JOIN users u ON u.id = h.user_id \
      JOIN staff_services q ON q.user_id = h.user_id AND q.service_id = $4 \
      WHERE h.location_id = $1 AND u.active = TRUE AND ($5 IS NULL OR h.user_id = $5) \
    ORDER BY 1, 3, 2";

/// The resources and the staff of [`SETUP_SQL`], as subqueries over the same binds.
const RESOURCE_IDS: &str = "SELECT id FROM resources \
    WHERE location_id = $1 AND kind = $2 AND active = TRUE AND ($3 IS NULL OR id = $3)";
const STAFF_IDS: &str = "SELECT h.user_id FROM staff_hours h JOIN users u ON u.id = h.user_id \
    JOIN staff_services q ON q.user_id = h.user_id AND q.service_id = $4 \
    WHERE h.location_id = $1 AND u.active = TRUE AND ($5 IS NULL OR h.user_id = $5)";

/// All busy time of those resources and staff in one round trip: bookings (each once: the
/// staff side skips those the resource side found), maintenance, leave and, for the public
/// page, open waitlist offers. Bookings are read as two bounded ranges of the
/// `(resource_id, held_until)` and `(staff_id, held_until)` indexes: a booking holds at most a
/// day (services run ≤ 10 hours, buffers ≤ 4 hours each side), so one reaching into the window
/// ends before `MAX_HELD` after it. `$6` window start, `$7` window end, `$8` window end plus
/// `MAX_HELD`, `$9` the booking being moved, `$10` now, `$11` whether offers count.
fn busy_sql() -> String {
    let bookings = "SELECT resource_id, staff_id, held_from, held_until FROM bookings WHERE";
    let bounded =
        "held_until > $6 AND held_until < $8 AND held_from < $7 AND status <> 'cancelled' AND id <> $9";
    format!(
        "{bookings} resource_id IN ({RESOURCE_IDS}) AND {bounded} \
         UNION ALL {bookings} staff_id IN ({STAFF_IDS}) AND resource_id NOT IN ({RESOURCE_IDS}) AND {bounded} \
         UNION ALL SELECT resource_id, NULL, starts_at, ends_at FROM resource_blocks \
           WHERE resource_id IN ({RESOURCE_IDS}) AND ends_at > $6 AND starts_at < $7 \
         UNION ALL SELECT NULL, user_id, starts_at, ends_at FROM staff_leave \
           WHERE user_id IN ({STAFF_IDS}) AND ends_at > $6 AND starts_at < $7 \
         UNION ALL SELECT resource_id, staff_id, held_from, held_until FROM waitlist_offers \
           WHERE $11 = TRUE AND status = 'open' AND expires_at > $10 AND held_until > $6 AND held_from < $7 \
           AND (resource_id IN ({RESOURCE_IDS}) OR staff_id IN ({STAFF_IDS}))"
    )
}

/// One row of [`SETUP_SQL`].
type SetupRow = (i32, Option<String>, Option<String>, Option<i32>, Option<String>, Option<String>);

pub(super) async fn load(db: &Db, wanted: &Wanted<'_>) -> Result<Calendars, DomainError> {
    let (first_day, last_day) = (wanted.from.to_string(), wanted.to.to_string());
    let kind = wanted.service.resource_kind.as_str();
    let setup: Vec<SetupRow> = on_db!(db, pool => {
        sqlx::query_as(SETUP_SQL)
            .bind(wanted.location_id)
            .bind(kind)
            .bind(wanted.resource_id)
            .bind(&wanted.service.id)
            .bind(wanted.staff_id)
            .bind(&first_day)
            .bind(&last_day)
            .fetch_all(pool)
            .await?
    });
    let mut hours = Vec::new();
    let mut closed_days = BTreeSet::new();
    let mut resource_ids: Vec<String> = Vec::new();
    let mut names: HashMap<String, String> = HashMap::new();
    let mut staff_order: Vec<String> = Vec::new();
    let mut staff_rows: HashMap<String, Vec<(i64, String, String)>> = HashMap::new();
    for (part, id, name, weekday, from, until) in setup {
        match (part, id, name, weekday, from, until) {
            (HOURS, _, _, Some(day), Some(opens), Some(closes)) => {
                hours.push((i64::from(day), opens, closes))
            }
            (CLOSURE, _, _, _, Some(day), _) => {
                closed_days.extend(day.parse::<NaiveDate>().ok());
            }
            (RESOURCE, Some(id), Some(name), ..) => {
                resource_ids.push(id.clone());
                names.insert(id, name);
            }
            (STAFF_HOURS, Some(id), Some(name), Some(day), Some(starts), Some(ends)) => {
                if !staff_rows.contains_key(&id) {
                    staff_order.push(id.clone());
                    names.insert(id.clone(), name);
                }
                staff_rows.entry(id).or_default().push((i64::from(day), starts, ends));
            }
            _ => {}
        }
    }
    let location = LocationCalendar {
        zone: wanted.zone,
        hours: availability::weekly_hours(hours.iter().map(|(d, a, b)| (*d, a.as_str(), b.as_str()))),
        closed_days,
    };

    let mut busy: HashMap<String, Vec<Range>> = HashMap::new();
    if !resource_ids.is_empty() || !staff_order.is_empty() {
        // What can take a slot of these days: from the first day's start on the location's
        // clock less the service's buffer before, to the last day's end plus a whole booking.
        let zone = &wanted.zone;
        let first = availability::boundary(zone, wanted.from, chrono::NaiveTime::MIN)
            .unwrap_or_else(|| day_start_utc(wanted.from) - Duration::days(1));
        let next = wanted.to.succ_opt().unwrap_or(wanted.to);
        let after = availability::boundary(zone, next, chrono::NaiveTime::MIN)
            .unwrap_or_else(|| day_start_utc(wanted.to) + Duration::days(2));
        let service = wanted.service;
        let window_from = Timestamp(first - service.buffer_before);
        let window_until = Timestamp(after + service.duration + service.buffer_after);
        let rows: Vec<(Option<String>, Option<String>, Timestamp, Timestamp)> = on_db!(db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(busy_sql()))
                .bind(wanted.location_id)
                .bind(kind)
                .bind(wanted.resource_id)
                .bind(&wanted.service.id)
                .bind(wanted.staff_id)
                .bind(window_from)
                .bind(window_until)
                .bind(Timestamp(window_until.0 + MAX_HELD))
                .bind(wanted.moving.unwrap_or(""))
                .bind(Timestamp::now())
                .bind(wanted.public)
                .fetch_all(pool)
                .await?
        });
        for (resource_id, staff_id, from, until) in rows {
            for owner in [resource_id, staff_id].into_iter().flatten() {
                busy.entry(owner).or_default().push((from.0, until.0));
            }
        }
    }
    let resources = resource_ids
        .into_iter()
        .map(|id| ResourceCalendar { busy: Busy::new(busy.remove(&id).unwrap_or_default()), id })
        .collect();
    let staff = staff_order
        .into_iter()
        .map(|id| {
            let rows = staff_rows.remove(&id).unwrap_or_default();
            StaffCalendar {
                hours: availability::weekly_hours(rows.iter().map(|(d, a, b)| (*d, a.as_str(), b.as_str()))),
                busy: Busy::new(busy.remove(&id).unwrap_or_default()),
                id,
            }
        })
        .collect();
    Ok(Calendars { location, resources, staff, names })
}

fn day_start_utc(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// What a patient must do before a service (fasting, no metal), for confirmations.
pub(super) async fn preparation(db: &Db, service_id: &str) -> Result<Option<String>, DomainError> {
    let row: Option<(Option<String>,)> = on_db!(db, pool => {
        sqlx::query_as("SELECT preparation FROM services WHERE id = $1").bind(service_id).fetch_optional(pool).await?
    });
    Ok(row.and_then(|(p,)| p))
}

/// A `YYYY-MM-DD` parameter, in years 2000–2200 (a year far out would overflow the databases'
/// time types: a 500, not an answer).
pub(super) fn parse_day(raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2200).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| "must be a date like 2027-07-06 (years 2000–2200)".to_owned())
}

/// Checks an id parameter's shape.
pub(super) fn id_shape(v: &mut crate::error::Validator, field: &str, raw: &str, what: &str) {
    v.check(field, crate::input::ulid(raw).map(|_| ()).ok_or_else(|| format!("is not a {what} id")));
}

/// The engine's query for a service over days, with the notice and horizon of who books.
pub(super) fn slot_query(
    service: &ServiceSpec,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
    reach: super::Reach,
) -> SlotQuery {
    SlotQuery {
        duration: service.duration,
        buffer_before: service.buffer_before,
        buffer_after: service.buffer_after,
        from,
        to,
        not_before: now + reach.notice,
        not_after: now + Duration::days(reach.horizon_days),
        step: Duration::minutes(super::SLOT_STEP_MINUTES),
    }
}

/// Free slots for a service at a location over a range of its days (at most 62).
pub async fn availability(
    db: &Db,
    actor: &Actor,
    query: AvailabilityQuery,
) -> Result<Vec<Slot>, DomainError> {
    actor.require(Permission::BookingsRead)?;
    let mut v = crate::error::Validator::default();
    id_shape(&mut v, "service_id", &query.service_id, "service");
    id_shape(&mut v, "location_id", &query.location_id, "location");
    if let Some(id) = &query.resource_id {
        id_shape(&mut v, "resource_id", id, "resource");
    }
    if let Some(id) = &query.staff_id {
        id_shape(&mut v, "staff_id", id, "staff member");
    }
    let from = v.check("from", parse_day(&query.from));
    let to = v.check("to", parse_day(&query.to));
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            v.check::<()>("to", Err("must not be before from".into()));
        } else if (to - from).num_days() >= MAX_DAYS {
            v.check::<()>("to", Err(format!("must be within {MAX_DAYS} days of from")));
        }
    }
    v.finish()?;
    let (Some(from), Some(to)) = (from, to) else { return Ok(Vec::new()) };
    if !actor.may_see(Some(&query.location_id)) {
        return Err(DomainError::NotFound("location"));
    }
    let Some((zone, _)) = location_zone(db, &query.location_id).await? else {
        return Err(DomainError::NotFound("location"));
    };
    let Some(service) = service_spec(db, &query.service_id).await? else {
        return Err(DomainError::NotFound("service"));
    };
    // Nothing is offered outside the horizon, so days beyond it need no work (and the engine's
    // arithmetic stays far from chrono's limits whatever year is asked).
    let today = Utc::now().date_naive();
    let (from, to) =
        (from.max(today - Duration::days(1)), to.min(today + Duration::days(super::STAFF_HORIZON_DAYS + 1)));
    if to < from {
        return Ok(Vec::new());
    }
    let wanted = Wanted {
        service: &service,
        location_id: &query.location_id,
        zone,
        from,
        to,
        resource_id: query.resource_id.as_deref(),
        staff_id: query.staff_id.as_deref(),
        moving: None,
        public: false,
    };
    let calendars = load(db, &wanted).await?;
    let found = availability::slots(
        &calendars.location,
        &calendars.resources,
        &calendars.staff,
        &slot_query(&service, from, to, Utc::now(), super::STAFF_REACH),
    );
    Ok(found.into_iter().map(into_model).collect())
}

pub(super) fn into_model(slot: availability::Slot) -> Slot {
    Slot { start: slot.start, end: slot.end, resource_id: slot.resource_id, staff_id: slot.staff_id }
}
