//! The calendar page's data: one location's resources, staff and bookings for a day or a week,
//! placed on the location's clock, with the pickers' options.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};

use super::read::day_start;
use super::{calendars, catalog};
use crate::access::Permission;
use crate::model::{
    BookingStatus, CALENDAR_STEP_MINUTES, CalendarBooking, CalendarView, GridBooking, LocationOption,
    ResourceOption, StaffOption,
};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, on_db};

/// The most bookings one view shows (a busy week at a large location is about 500).
const MAX_IN_VIEW: usize = 2000;

/// What the grid needs of each booking starting in `[$2, $3)` at location `$1`, optionally on one
/// resource (`$4`) or with one staff member (`$5`), in start order. The optional filters are
/// residual: the start range alone picks the index (`bookings_start`), a week's few hundred rows.
const GRID_SQL: &str = "SELECT b.id, c.first_name || ' ' || c.last_name, b.service_id, s.name, b.resource_id, \
     u.display_name, b.starts_at, b.ends_at, b.status \
     FROM bookings b JOIN contacts c ON c.id = b.contact_id JOIN services s ON s.id = b.service_id \
     JOIN users u ON u.id = b.staff_id \
     WHERE b.location_id = $1 AND b.starts_at >= $2 AND b.starts_at < $3 \
     AND ($4 IS NULL OR b.resource_id = $4) AND ($5 IS NULL OR b.staff_id = $5) \
     ORDER BY b.starts_at, b.id LIMIT $6";
type GridRow = (String, String, String, String, String, String, Timestamp, Timestamp, String);

/// The location's scanners and rooms in use, by name.
const RESOURCES_SQL: &str =
    "SELECT id, name FROM resources WHERE location_id = $1 AND active = TRUE ORDER BY name, id";

/// Active staff with working hours at the location, by name.
const STAFF_SQL: &str = "SELECT u.id, u.display_name FROM users u WHERE u.active = TRUE \
     AND EXISTS (SELECT 1 FROM staff_hours h WHERE h.user_id = u.id AND h.location_id = $1) \
     ORDER BY u.display_name, u.id";

/// What the calendar is asked to show.
#[derive(Clone, Debug, Default)]
pub struct CalendarQuery {
    pub location_id: Option<String>,
    /// `YYYY-MM-DD` on the location's clock (today when absent).
    pub date: Option<String>,
    pub week: bool,
    pub resource_id: Option<String>,
    pub staff_id: Option<String>,
}

/// The calendar, or `None` when the clinic has no location (the caller may see) yet.
pub async fn view(db: &Db, actor: &Actor, query: CalendarQuery) -> Result<Option<CalendarView>, DomainError> {
    actor.require(Permission::BookingsRead)?;
    let locations = catalog::locations(db, actor).await?;
    if locations.is_empty() {
        return Ok(None);
    }
    let Some(location) = query
        .location_id
        .as_deref()
        .filter(|id| !id.is_empty())
        .map_or(locations.first(), |id| locations.iter().find(|l| l.id == id))
        .cloned()
    else {
        return Err(DomainError::NotFound("location"));
    };
    let zone: chrono_tz::Tz = location.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let now = Utc::now().with_timezone(&zone);
    let date = match query.date.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(raw) => calendars::parse_day(raw).map_err(|problem| DomainError::field("date", problem))?,
        None => now.date_naive(),
    };
    let days: Vec<NaiveDate> = if query.week {
        let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
        (0..7).map(|n| monday + Duration::days(n)).collect()
    } else {
        vec![date]
    };
    let (first, last) = (days[0], days[days.len() - 1]);
    // The grid spans the earliest opening to the latest closing of the days shown (7–19 if shut).
    let weekdays: Vec<u8> = days.iter().map(|d| d.weekday().number_from_monday() as u8).collect();
    let minutes = |hm: &str| {
        let (h, m) = hm.split_once(':').unwrap_or(("0", "0"));
        h.parse::<u32>().unwrap_or(0) * 60 + m.parse::<u32>().unwrap_or(0)
    };
    let open: Vec<(u32, u32)> = location
        .hours
        .iter()
        .filter(|h| weekdays.contains(&h.weekday))
        .map(|h| (minutes(&h.opens), minutes(&h.closes)))
        .collect();
    let first_minute = open.iter().map(|(a, _)| *a).min().unwrap_or(7 * 60) / 60 * 60;
    let last_minute = open.iter().map(|(_, b)| *b).max().unwrap_or(19 * 60).div_ceil(60) * 60;

    let resource_filter = query.resource_id.filter(|r| !r.is_empty());
    let staff_filter = query.staff_id.filter(|s| !s.is_empty());
    // The days' bookings at this location (one the caller may see: `locations` is scoped), and
    // what the page needs beside them, read at once: each is one query.
    let (after, before) = (day_start(zone, first), day_start(zone, last.succ_opt().unwrap_or(last)));
    let (resource_rows, staff_rows, rows, services) = on_db!(db, pool => {
        tokio::try_join!(
            async { sqlx::query_as::<_, (String, String)>(RESOURCES_SQL).bind(&location.id).fetch_all(pool).await.map_err(DomainError::from) },
            async { sqlx::query_as::<_, (String, String)>(STAFF_SQL).bind(&location.id).fetch_all(pool).await.map_err(DomainError::from) },
            async {
                sqlx::query_as::<_, GridRow>(GRID_SQL)
                    .bind(&location.id)
                    .bind(Timestamp(after))
                    .bind(Timestamp(before))
                    .bind(resource_filter.as_deref())
                    .bind(staff_filter.as_deref())
                    .bind(MAX_IN_VIEW as i64)
                    .fetch_all(pool)
                    .await
                    .map_err(DomainError::from)
            },
            catalog::services(db, actor),
        )?
    });
    let resource_options: Vec<ResourceOption> =
        resource_rows.into_iter().map(|(id, name)| ResourceOption { id, name }).collect();
    let resources: Vec<ResourceOption> = resource_options
        .iter()
        .filter(|r| resource_filter.as_deref().is_none_or(|id| r.id == id))
        .cloned()
        .collect();
    let staff: Vec<StaffOption> =
        staff_rows.into_iter().map(|(id, display_name)| StaffOption { id, display_name }).collect();
    let placed = rows
        .into_iter()
        .map(|(id, contact_name, service_id, service_name, resource_id, staff_name, starts, ends, status)| {
            let (start, end) =
                (starts.0.with_timezone(&zone).fixed_offset(), ends.0.with_timezone(&zone).fixed_offset());
            let day = start.date_naive();
            let start_minute = start.hour() * 60 + start.minute();
            let length = u32::try_from((end - start).num_minutes()).unwrap_or(0);
            let booking = GridBooking {
                id,
                contact_name: contact_name.trim().to_owned(),
                service_id,
                service_name,
                resource_id,
                staff_name,
                start,
                end,
                // The column's CHECK allows only the statuses there are.
                status: BookingStatus::parse(&status).unwrap_or(BookingStatus::Booked),
            };
            CalendarBooking { day, start_minute, end_minute: start_minute + length, booking }
        })
        .collect();
    let services = services.into_iter().filter(|s| s.active).collect();
    let rows = days
        .iter()
        .map(|day| {
            (first_minute..last_minute)
                .step_by(CALENDAR_STEP_MINUTES as usize)
                .map(|minute| {
                    let local = day.and_hms_opt(minute / 60, minute % 60, 0)?;
                    zone.from_local_datetime(&local).earliest().map(|at| at.fixed_offset())
                })
                .collect()
        })
        .collect();
    Ok(Some(CalendarView {
        locations: locations
            .iter()
            .map(|l| LocationOption { id: l.id.clone(), name: l.name.clone() })
            .collect(),
        location_id: location.id,
        location_name: location.name,
        time_zone: location.time_zone,
        days,
        week: query.week,
        first_minute,
        last_minute,
        resources,
        resource_options,
        staff,
        resource_filter,
        staff_filter,
        bookings: placed,
        services,
        rows,
        now: now.fixed_offset(),
    }))
}
