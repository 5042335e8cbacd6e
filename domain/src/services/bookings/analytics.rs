//! Booking analytics over a range of a location's days (or every location the caller sees):
//! utilisation per resource (minutes held by bookings ÷ minutes open, on the location's clock,
//! closures and maintenance taken out), the no-show rate (no-shows ÷ bookings whose outcome is
//! known), lead time (from booking to appointment), and bookings by service and outcome. The
//! reports issue builds on these queries.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;

use super::availability;
use super::calendars::{self, parse_day};
use crate::access::Permission;
use crate::model::{BookingAnalytics, BookingStatus, ResourceUse, ServiceOutcomes};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, on_db};

/// The longest range one request may cover.
pub const MAX_DAYS: i64 = 366;

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsQuery {
    /// One location (default: every location you see).
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub location_id: Option<String>,
    /// First day, `YYYY-MM-DD` on each location's clock.
    #[param(pattern = "^2[0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub from: String,
    /// Last day (inclusive), at most 366 days after `from`.
    #[param(pattern = "^2[0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub to: String,
}

/// Minutes of `[from, until)` inside `ranges` (each a merged, sorted set of ranges).
fn overlap_minutes(
    ranges: &[(DateTime<Utc>, DateTime<Utc>)],
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> i64 {
    ranges
        .iter()
        .map(|(a, b)| {
            let (start, end) = ((*a).max(from), (*b).min(until));
            if end > start { (end - start).num_minutes() } else { 0 }
        })
        .sum()
}

/// A location's open periods over the days, as instants (skipped and repeated hours exact).
fn open_periods(
    zone: chrono_tz::Tz,
    hours: &availability::WeeklyHours,
    closed: &[NaiveDate],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut periods = Vec::new();
    for day in from.iter_days().take_while(|d| *d <= to) {
        if closed.contains(&day) {
            continue;
        }
        let weekday = chrono::Datelike::weekday(&day).num_days_from_monday() as usize;
        for (opens, closes) in hours.get(weekday).into_iter().flatten() {
            if let (Some(a), Some(b)) =
                (availability::boundary(&zone, day, *opens), availability::boundary(&zone, day, *closes))
                && b > a
            {
                periods.push((a, b));
            }
        }
    }
    periods
}

type ResourceRow = (String, String, String, String, String);
/// Instants `[from, until)`, in order.
type Spans = Vec<(DateTime<Utc>, DateTime<Utc>)>;
type BookingRow = (String, String, String, Timestamp, Timestamp, Timestamp, String);

pub async fn summary(db: &Db, actor: &Actor, query: AnalyticsQuery) -> Result<BookingAnalytics, DomainError> {
    actor.require(Permission::BookingsRead)?;
    let mut v = crate::error::Validator::default();
    if let Some(id) = &query.location_id {
        calendars::id_shape(&mut v, "location_id", id, "location");
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
    let (Some(from), Some(to)) = (from, to) else { return Err(DomainError::field("from", "is missing")) };
    if let Some(id) = &query.location_id
        && (!actor.may_see(Some(id)) || calendars::location_zone(db, id).await?.is_none())
    {
        return Err(DomainError::NotFound("location"));
    }
    let wanted = |location: &str| {
        actor.may_see(Some(location)) && query.location_id.as_deref().is_none_or(|id| id == location)
    };

    // Every location's clock and hours, then its resources.
    let locations: Vec<(String, String)> = on_db!(db, pool => {
        sqlx::query_as("SELECT id, time_zone FROM locations").fetch_all(pool).await?
    });
    let zones: HashMap<String, chrono_tz::Tz> = locations
        .into_iter()
        .filter(|(id, _)| wanted(id))
        .map(|(id, zone)| (id, zone.parse().unwrap_or(chrono_tz::UTC)))
        .collect();
    let hours: Vec<(String, i32, String, String)> = on_db!(db, pool => {
        sqlx::query_as("SELECT location_id, weekday, opens, closes FROM location_hours").fetch_all(pool).await?
    });
    let closures: Vec<(String, String)> = on_db!(db, pool => {
        sqlx::query_as("SELECT location_id, day FROM location_closures WHERE day >= $1 AND day <= $2")
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_all(pool)
            .await?
    });
    let resources: Vec<ResourceRow> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT r.id, r.name, r.kind, r.location_id, l.name FROM resources r JOIN locations l ON l.id = r.location_id \
             WHERE r.active = TRUE ORDER BY l.name, r.name",
        )
        .fetch_all(pool)
        .await?
    });
    // The widest instants the range can cover in any zone.
    let window_from = Timestamp(from.and_time(chrono::NaiveTime::MIN).and_utc() - Duration::days(1));
    let window_until = Timestamp(to.and_time(chrono::NaiveTime::MIN).and_utc() + Duration::days(2));
    let blocks: Vec<(String, Timestamp, Timestamp)> = on_db!(db, pool => {
        sqlx::query_as("SELECT resource_id, starts_at, ends_at FROM resource_blocks WHERE ends_at > $1 AND starts_at < $2")
            .bind(window_from)
            .bind(window_until)
            .fetch_all(pool)
            .await?
    });
    let bookings: Vec<BookingRow> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT b.location_id, b.resource_id, b.status, b.starts_at, b.ends_at, b.created_at, s.name \
             FROM bookings b JOIN services s ON s.id = b.service_id WHERE b.starts_at >= $1 AND b.starts_at < $2",
        )
        .bind(window_from)
        .bind(window_until)
        .fetch_all(pool)
        .await?
    });

    let mut open_by_location: HashMap<String, Spans> = HashMap::new();
    let mut range_by_location: HashMap<String, (DateTime<Utc>, DateTime<Utc>)> = HashMap::new();
    for (location, zone) in &zones {
        let rows = hours
            .iter()
            .filter(|(l, ..)| l == location)
            .map(|(_, d, a, b)| (i64::from(*d), a.as_str(), b.as_str()));
        let weekly = availability::weekly_hours(rows);
        let closed: Vec<NaiveDate> =
            closures.iter().filter(|(l, _)| l == location).filter_map(|(_, d)| d.parse().ok()).collect();
        open_by_location.insert(location.clone(), open_periods(*zone, &weekly, &closed, from, to));
        let start = availability::boundary(zone, from, chrono::NaiveTime::MIN);
        let end = to.succ_opt().and_then(|d| availability::boundary(zone, d, chrono::NaiveTime::MIN));
        if let (Some(start), Some(end)) = (start, end) {
            range_by_location.insert(location.clone(), (start, end));
        }
    }
    let in_range = |location: &str, at: DateTime<Utc>| {
        range_by_location.get(location).is_some_and(|(a, b)| at >= *a && at < *b)
    };

    let mut held: HashMap<&str, Spans> = HashMap::new();
    let mut counted = 0i64;
    let mut finished = 0i64;
    let mut no_shows = 0i64;
    let mut leads: Vec<i64> = Vec::new();
    let mut by_service: BTreeMap<String, ServiceOutcomes> = BTreeMap::new();
    for (location, resource, status, starts, ends, created, service) in &bookings {
        if !zones.contains_key(location) || !in_range(location, starts.0) {
            continue;
        }
        let Some(status) = BookingStatus::parse(status) else { continue };
        let entry = by_service.entry(service.clone()).or_insert_with(|| ServiceOutcomes {
            service_name: service.clone(),
            ..ServiceOutcomes::default()
        });
        entry.bookings += 1;
        match status {
            BookingStatus::Cancelled => entry.cancelled += 1,
            BookingStatus::Completed => entry.completed += 1,
            BookingStatus::NoShow => entry.no_shows += 1,
            BookingStatus::Booked | BookingStatus::Confirmed => entry.open += 1,
        }
        if status == BookingStatus::Cancelled {
            continue;
        }
        counted += 1;
        if matches!(status, BookingStatus::Completed | BookingStatus::NoShow) {
            finished += 1;
        }
        if status == BookingStatus::NoShow {
            no_shows += 1;
        }
        leads.push((starts.0 - created.0).num_minutes().max(0));
        held.entry(resource.as_str()).or_default().push((starts.0, ends.0));
    }
    leads.sort_unstable();
    let median_lead_hours = leads.get(leads.len() / 2).map(|m| *m as f64 / 60.0);

    let mut utilisation = Vec::new();
    for (id, name, kind, location, location_name) in &resources {
        let Some(open) = open_by_location.get(location) else { continue };
        let mut blocked: Vec<(DateTime<Utc>, DateTime<Utc>)> =
            blocks.iter().filter(|(r, ..)| r == id).map(|(_, a, b)| (a.0, b.0)).collect();
        blocked.sort_unstable();
        // Open minutes, less maintenance within them.
        let open_minutes: i64 =
            open.iter().map(|(a, b)| (*b - *a).num_minutes() - overlap_minutes(&blocked, *a, *b)).sum();
        let booked_minutes: i64 = held
            .get(id.as_str())
            .map(|ranges| {
                ranges
                    .iter()
                    .map(|(a, b)| open.iter().map(|(o, c)| overlap_minutes(&[(*a, *b)], *o, *c)).sum::<i64>())
                    .sum()
            })
            .unwrap_or(0);
        utilisation.push(ResourceUse {
            resource_id: id.clone(),
            resource_name: name.clone(),
            kind: crate::model::ResourceKind::parse(kind),
            location_id: location.clone(),
            location_name: location_name.clone(),
            open_minutes,
            booked_minutes,
            percent: if open_minutes > 0 {
                (booked_minutes as f64 * 1000.0 / open_minutes as f64).round() / 10.0
            } else {
                0.0
            },
        });
    }
    Ok(BookingAnalytics {
        from,
        to,
        utilisation,
        bookings: counted,
        finished,
        no_shows,
        no_show_percent: if finished > 0 {
            (no_shows as f64 * 1000.0 / finished as f64).round() / 10.0
        } else {
            0.0
        },
        median_lead_hours,
        by_service: by_service.into_values().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_minutes_follow_the_clock_through_a_daylight_saving_change() {
        let zone: chrono_tz::Tz = "Australia/Sydney".parse().unwrap();
        let hours = availability::weekly_hours((1..=7).map(|d| (d, "00:00", "23:59")));
        // 5 April 2026: clocks go back at 3 am, the day has 25 hours.
        let day = NaiveDate::from_ymd_opt(2026, 4, 5).unwrap();
        let periods = open_periods(zone, &hours, &[], day, day);
        assert_eq!(periods.len(), 1);
        assert_eq!((periods[0].1 - periods[0].0).num_minutes(), 25 * 60 - 1);
        // A closed day has none.
        assert!(open_periods(zone, &hours, &[day], day, day).is_empty());
    }

    #[test]
    fn overlap_counts_only_what_is_inside() {
        let t = |h: i64| DateTime::<Utc>::from_timestamp(h * 3600, 0).unwrap();
        assert_eq!(overlap_minutes(&[(t(1), t(3)), (t(5), t(6))], t(2), t(6)), 120);
        assert_eq!(overlap_minutes(&[(t(1), t(2))], t(3), t(4)), 0);
    }
}
