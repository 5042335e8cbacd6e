//! The calendar page's data: one location's resources, staff and bookings for a day or a week,
//! placed on the location's clock, with the pickers' options.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};

use super::{BookingFilter, calendars, catalog, list};
use crate::access::Permission;
use crate::model::{CALENDAR_STEP_MINUTES, CalendarBooking, CalendarView, LocationOption, StaffOption};
use crate::{Actor, Db, DomainError};

/// The most bookings one view shows (a busy week at a large location is about 500).
const MAX_IN_VIEW: usize = 2000;

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
    let resources: Vec<_> = catalog::resources(db, actor)
        .await?
        .into_iter()
        .filter(|r| r.location_id == location.id && r.active)
        .filter(|r| resource_filter.as_deref().is_none_or(|id| r.id == id))
        .collect();
    let staff: Vec<StaffOption> = catalog::staff(db, actor)
        .await?
        .into_iter()
        .filter(|s| s.hours.iter().any(|h| h.location_id == location.id))
        .map(|s| StaffOption { id: s.id, display_name: s.display_name })
        .collect();
    let mut bookings = Vec::new();
    let mut cursor = None;
    loop {
        let filter = BookingFilter {
            location_id: Some(location.id.clone()),
            resource_id: resource_filter.clone(),
            staff_id: staff_filter.clone(),
            from: Some(first.to_string()),
            to: Some(last.to_string()),
            cursor,
            limit: Some(500),
            ..Default::default()
        };
        let page = list(db, actor, filter).await?;
        bookings.extend(page.items);
        cursor = page.next_cursor;
        if cursor.is_none() || bookings.len() >= MAX_IN_VIEW {
            break;
        }
    }
    let placed = bookings
        .into_iter()
        .map(|booking| {
            let day = booking.start.date_naive();
            let start_minute = booking.start.hour() * 60 + booking.start.minute();
            let length = u32::try_from((booking.end - booking.start).num_minutes()).unwrap_or(0);
            CalendarBooking { day, start_minute, end_minute: start_minute + length, booking }
        })
        .collect();
    let services = catalog::services(db, actor).await?.into_iter().filter(|s| s.active).collect();
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
        staff,
        resource_filter,
        staff_filter,
        bookings: placed,
        services,
        rows,
        now: now.fixed_offset(),
    }))
}
