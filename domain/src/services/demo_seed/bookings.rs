//! The demo clinic's bookings side: opening hours and public holidays, what each service needs,
//! the scanners and rooms at both locations, who does what and when, a maintenance block and
//! some leave, and bookings over the past and next three weeks — placed by the availability
//! engine itself, so the demo never holds a clash the database would refuse.
//!
//! Runs after the contacts, in its own transaction with its own marker (idempotent as the rest).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use ulid::Ulid;

use crate::model::{BookingEventKind, BookingStatus};
use crate::services::bookings::availability::{
    self, Busy, LocationCalendar, ResourceCalendar, SlotQuery, StaffCalendar,
};
use crate::time::Timestamp;
use crate::{Db, DomainError, on_db, on_tx};

const MARKER: &str = "demo_seed.bookings.version";

/// Monday–Friday 07:30–18:00, Saturday 08:00–12:00.
const OPENING: [(i32, &str, &str); 6] = [
    (1, "07:30", "18:00"),
    (2, "07:30", "18:00"),
    (3, "07:30", "18:00"),
    (4, "07:30", "18:00"),
    (5, "07:30", "18:00"),
    (6, "08:00", "12:00"),
];

/// National public holidays (both states) of the demo's season.
const HOLIDAYS: [(&str, &str); 6] = [
    ("2026-12-25", "Christmas Day"),
    ("2026-12-28", "Boxing Day (observed)"),
    ("2027-01-01", "New Year's Day"),
    ("2027-01-26", "Australia Day"),
    ("2027-03-26", "Good Friday"),
    ("2027-03-29", "Easter Monday"),
];

/// (service code prefix, resource kind, buffer before, buffer after)
const NEEDS: [(&str, &str, i32, i32); 5] = [
    ("mri-", "mri_scanner", 5, 10),
    ("ct-", "ct_scanner", 0, 5),
    ("us-", "ultrasound_room", 0, 5),
    ("xray-", "xray_room", 0, 0),
    ("mammo-", "mammography_unit", 0, 5),
];

/// (location, resource name, kind)
const RESOURCES: [(&str, &str, &str); 12] = [
    ("Sydney CBD", "MRI 1 (3T)", "mri_scanner"),
    ("Sydney CBD", "MRI 2 (1.5T wide-bore)", "mri_scanner"),
    ("Sydney CBD", "CT 1", "ct_scanner"),
    ("Sydney CBD", "Ultrasound room 1", "ultrasound_room"),
    ("Sydney CBD", "Ultrasound room 2", "ultrasound_room"),
    ("Sydney CBD", "X-ray room", "xray_room"),
    ("Sydney CBD", "Mammography unit", "mammography_unit"),
    ("Brisbane North", "MRI 1", "mri_scanner"),
    ("Brisbane North", "CT 1", "ct_scanner"),
    ("Brisbane North", "Ultrasound room", "ultrasound_room"),
    ("Brisbane North", "X-ray room", "xray_room"),
    ("Brisbane North", "Mammography unit", "mammography_unit"),
];

/// (staff email, service code prefixes, location, weekdays 1–7)
const ROSTER: [(&str, &[&str], &str, &[i32]); 6] = [
    ("tom.okafor@avatar.test", &["mri-"], "Sydney CBD", &[1, 2, 3, 4, 5]),
    ("hannah.brooks@avatar.test", &["mri-"], "Brisbane North", &[1, 2, 3, 4, 5, 6]),
    ("grace.lee@avatar.test", &["us-"], "Sydney CBD", &[1, 2, 3, 4, 5, 6]),
    ("ravi.patel@avatar.test", &["ct-", "xray-"], "Sydney CBD", &[1, 2, 3, 4, 5, 6]),
    ("ravi.patel@avatar.test", &["ct-", "xray-", "us-"], "Brisbane North", &[]),
    ("mei.chen@avatar.test", &["mammo-", "xray-"], "Brisbane North", &[1, 2, 3, 4, 5, 6]),
];

/// Working periods of a roster day: the location's hours with a half-hour lunch on weekdays.
fn shifts(weekday: i32) -> &'static [(&'static str, &'static str)] {
    if weekday == 6 { &[("08:00", "12:00")] } else { &[("07:30", "12:30"), ("13:00", "18:00")] }
}

struct ServiceRow {
    id: String,
    code: String,
    name: String,
    minutes: i32,
}

/// Seeds the bookings side once; how many bookings it made.
pub(super) async fn seed(db: &Db, now: DateTime<Utc>) -> Result<usize, DomainError> {
    let mut rng = StdRng::seed_from_u64(20_261_203);
    let stamp = Timestamp(now);
    let locations: Vec<(String, String, String)> = on_db!(db, pool => {
        sqlx::query_as("SELECT id, name, time_zone FROM locations ORDER BY name").fetch_all(pool).await?
    });
    let location_id = |name: &str| locations.iter().find(|(_, n, _)| n == name).map(|(id, ..)| id.clone());
    let services: Vec<(String, String, String, i32)> = on_db!(db, pool => {
        sqlx::query_as("SELECT id, code, name, duration_minutes FROM services ORDER BY code").fetch_all(pool).await?
    });
    let services: Vec<ServiceRow> = services
        .into_iter()
        .map(|(id, code, name, minutes)| ServiceRow { id, code, name, minutes })
        .collect();
    let staff: Vec<(String, String)> = on_db!(db, pool => {
        sqlx::query_as("SELECT id, email FROM users").fetch_all(pool).await?
    });
    let staff_id = |email: &str| staff.iter().find(|(_, e)| e == email).map(|(id, _)| id.clone());
    // Contacts at each location, those further along the pipeline first in line for bookings.
    let contacts: Vec<(String, Option<String>, String)> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT c.id, c.location_id, s.key FROM contacts c JOIN pipeline_stages s ON s.id = c.stage_id \
             WHERE c.deleted_at IS NULL ORDER BY c.id",
        )
        .fetch_all(pool)
        .await?
    });

    let mut tx = db.begin().await?;
    let claimed = on_tx!(&mut tx, conn => {
        sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, '1', $2) ON CONFLICT (key) DO NOTHING")
            .bind(MARKER)
            .bind(stamp)
            .execute(&mut **conn)
            .await?
            .rows_affected()
    });
    if claimed == 0 {
        return Ok(0);
    }

    // Hours, holidays, service needs.
    for (location, ..) in &locations {
        for (weekday, opens, closes) in OPENING {
            on_tx!(&mut tx, conn => {
                sqlx::query("INSERT INTO location_hours (location_id, weekday, opens, closes) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                    .bind(location).bind(weekday).bind(opens).bind(closes).execute(&mut **conn).await?;
            });
        }
        for (day, reason) in HOLIDAYS {
            on_tx!(&mut tx, conn => {
                sqlx::query("INSERT INTO location_closures (id, location_id, day, reason) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                    .bind(Ulid::new().to_string()).bind(location).bind(day).bind(reason).execute(&mut **conn).await?;
            });
        }
    }
    for (prefix, kind, before, after) in NEEDS {
        on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE services SET resource_kind = $2, buffer_before_minutes = $3, buffer_after_minutes = $4 \
                 WHERE code LIKE $1 AND resource_kind IS NULL",
            )
            .bind(format!("{prefix}%")).bind(kind).bind(before).bind(after).execute(&mut **conn).await?;
        });
    }

    // Resources: (id, location id, kind).
    let mut resources: Vec<(String, String, &str)> = Vec::new();
    for (location, name, kind) in RESOURCES {
        let Some(location) = location_id(location) else { continue };
        let id = Ulid::new().to_string();
        on_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO resources (id, location_id, name, kind, active, created_at) VALUES ($1, $2, $3, $4, TRUE, $5)")
                .bind(&id).bind(&location).bind(name).bind(kind).bind(stamp).execute(&mut **conn).await?;
        });
        resources.push((id, location, kind));
    }

    // Qualifications and rosters: (staff id, location id) → weekdays, and service ids per staff.
    let mut qualified: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut rosters: Vec<(String, String, &[i32])> = Vec::new();
    for (email, prefixes, location, days) in ROSTER {
        let (Some(user), Some(location)) = (staff_id(email), location_id(location)) else { continue };
        for service in services.iter().filter(|s| prefixes.iter().any(|p| s.code.starts_with(p))) {
            if qualified.entry(user.clone()).or_default().insert(service.id.clone()) {
                on_tx!(&mut tx, conn => {
                    sqlx::query("INSERT INTO staff_services (user_id, service_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .bind(&user).bind(&service.id).execute(&mut **conn).await?;
                });
            }
        }
        for &day in days {
            for (starts, ends) in shifts(day) {
                on_tx!(&mut tx, conn => {
                    sqlx::query("INSERT INTO staff_hours (user_id, location_id, weekday, starts, ends) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
                        .bind(&user).bind(&location).bind(day).bind(*starts).bind(*ends).execute(&mut **conn).await?;
                });
            }
        }
        rosters.push((user, location, days));
    }

    // A maintenance afternoon on Sydney's second MRI, and a day of leave for the sonographer,
    // both next week (real instants: the afternoon is on Sydney's clock).
    let sydney = locations
        .iter()
        .find(|(_, n, _)| n == "Sydney CBD")
        .map(|(_, _, z)| z.parse().unwrap_or(chrono_tz::UTC));
    let mut blocks: Vec<(String, DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    let mut leave: Vec<(String, DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    if let Some(zone) = sydney {
        let next_tuesday = next_weekday(now.with_timezone(&zone).date_naive(), chrono::Weekday::Tue);
        let at = |day: NaiveDate, h: u32| {
            use chrono::TimeZone;
            zone.from_local_datetime(&day.and_hms_opt(h, 0, 0).unwrap_or_default())
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        };
        // RESOURCES[1] is Sydney's second MRI.
        if let (Some(from), Some(until), Some((mri2, ..))) =
            (at(next_tuesday, 13), at(next_tuesday, 18), resources.get(1))
        {
            blocks.push((mri2.clone(), from, until));
        }
        if let (Some(from), Some(until), Some(grace)) = (
            at(next_tuesday + Duration::days(2), 0),
            at(next_tuesday + Duration::days(3), 0),
            staff_id("grace.lee@avatar.test"),
        ) {
            leave.push((grace, from, until));
        }
    }
    for (resource, from, until) in &blocks {
        on_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO resource_blocks (id, resource_id, starts_at, ends_at, reason, created_at) VALUES ($1, $2, $3, $4, 'Quarterly service by the vendor', $5)")
                .bind(Ulid::new().to_string()).bind(resource).bind(Timestamp(*from)).bind(Timestamp(*until)).bind(stamp).execute(&mut **conn).await?;
        });
    }
    for (user, from, until) in &leave {
        on_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO staff_leave (id, user_id, starts_at, ends_at, reason, created_at) VALUES ($1, $2, $3, $4, 'Annual leave', $5)")
                .bind(Ulid::new().to_string()).bind(user).bind(Timestamp(*from)).bind(Timestamp(*until)).bind(stamp).execute(&mut **conn).await?;
        });
    }

    // Bookings: each open day from three weeks ago to three weeks ahead, a few per resource,
    // at times the engine offers given everything placed so far.
    let mut busy: HashMap<String, Vec<availability::Range>> = HashMap::new();
    for (id, from, until) in blocks.iter().chain(&leave) {
        busy.entry(id.clone()).or_default().push((*from, *until));
    }
    let mut made = 0;
    for (location, name, zone) in &locations {
        let zone: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
        let hours = availability::weekly_hours(OPENING.iter().map(|(d, a, b)| (i64::from(*d), *a, *b)));
        let closed: BTreeSet<NaiveDate> = HOLIDAYS.iter().filter_map(|(d, _)| d.parse().ok()).collect();
        let calendar = LocationCalendar { zone, hours, closed_days: closed };
        let here: Vec<&(String, Option<String>, String)> =
            contacts.iter().filter(|(_, l, _)| l.as_deref() == Some(location.as_str())).collect();
        if here.is_empty() {
            continue;
        }
        let today = now.with_timezone(&zone).date_naive();
        for offset in -21..=21 {
            let day = today + Duration::days(offset);
            for service in &services {
                let Some(&(_, kind, before, after)) =
                    NEEDS.iter().find(|(p, ..)| service.code.starts_with(p))
                else {
                    continue;
                };
                let rooms: Vec<ResourceCalendar> = resources
                    .iter()
                    .filter(|(_, l, k)| l == location && *k == kind)
                    .map(|(id, ..)| ResourceCalendar {
                        id: id.clone(),
                        busy: Busy::new(busy.get(id).cloned().unwrap_or_default()),
                    })
                    .collect();
                let people: Vec<StaffCalendar> = rosters
                    .iter()
                    .filter(|(user, l, _)| {
                        l == location && qualified.get(user).is_some_and(|q| q.contains(&service.id))
                    })
                    .map(|(user, _, days)| StaffCalendar {
                        id: user.clone(),
                        hours: availability::weekly_hours(
                            days.iter()
                                .flat_map(|d| shifts(*d).iter().map(move |(a, b)| (i64::from(*d), *a, *b))),
                        ),
                        busy: Busy::new(busy.get(user).cloned().unwrap_or_default()),
                    })
                    .collect();
                if rooms.is_empty() || people.is_empty() {
                    continue;
                }
                let query = SlotQuery {
                    duration: Duration::minutes(service.minutes.into()),
                    buffer_before: Duration::minutes(before.into()),
                    buffer_after: Duration::minutes(after.into()),
                    from: day,
                    to: day,
                    not_before: DateTime::<Utc>::MIN_UTC,
                    not_after: DateTime::<Utc>::MAX_UTC,
                    step: Duration::minutes(15),
                };
                let offered = availability::slots(&calendar, &rooms, &people, &query);
                // A couple of each service a day: the calendar looks busy, not full.
                let wanted = rng.random_range(1..=3).min(offered.len());
                let mut taken: Vec<DateTime<Utc>> = Vec::new();
                for _ in 0..wanted {
                    let slot = &offered[rng.random_range(0..offered.len())];
                    let start = slot.start.with_timezone(&Utc);
                    let end = slot.end.with_timezone(&Utc);
                    let held = (start - query.buffer_before, end + query.buffer_after);
                    let free = |id: &str| {
                        Busy::new(busy.get(id).cloned().unwrap_or_default()).is_free(held.0, held.1)
                    };
                    if taken.contains(&start) || !free(&slot.resource_id) || !free(&slot.staff_id) {
                        continue;
                    }
                    taken.push(start);
                    let contact = here[rng.random_range(0..here.len())];
                    let status = if start < now {
                        match rng.random_range(0..20) {
                            0..=16 => BookingStatus::Completed,
                            17..=18 => BookingStatus::NoShow,
                            _ => BookingStatus::Cancelled,
                        }
                    } else {
                        match rng.random_range(0..10) {
                            0..=4 => BookingStatus::Booked,
                            5..=8 => BookingStatus::Confirmed,
                            _ => BookingStatus::Cancelled,
                        }
                    };
                    if status != BookingStatus::Cancelled {
                        busy.entry(slot.resource_id.clone()).or_default().push(held);
                        busy.entry(slot.staff_id.clone()).or_default().push(held);
                    }
                    let id = Ulid::from_datetime((start - Duration::days(10)).into()).to_string();
                    let created = Timestamp((start - Duration::days(rng.random_range(2..20))).min(now));
                    let reason = (status == BookingStatus::Cancelled).then_some("Patient asked to cancel");
                    on_tx!(&mut tx, conn => {
                        sqlx::query(
                            "INSERT INTO bookings (id, contact_id, service_id, location_id, resource_id, staff_id, starts_at, ends_at, \
                             held_from, held_until, status, cancel_reason, created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
                        )
                        .bind(&id).bind(&contact.0).bind(&service.id).bind(location).bind(&slot.resource_id).bind(&slot.staff_id)
                        .bind(Timestamp(start)).bind(Timestamp(end)).bind(Timestamp(held.0)).bind(Timestamp(held.1))
                        .bind(status.as_str()).bind(reason).bind(created)
                        .execute(&mut **conn).await?;
                        sqlx::query(
                            "INSERT INTO booking_events (id, booking_id, kind, status, detail, occurred_at) VALUES ($1, $2, $3, $4, NULL, $5)",
                        )
                        .bind(Ulid::new().to_string()).bind(&id).bind(BookingEventKind::Created.as_str())
                        .bind(BookingStatus::Booked.as_str()).bind(created)
                        .execute(&mut **conn).await?;
                        sqlx::query(
                            "INSERT INTO touchpoints (id, contact_id, kind, summary, occurred_at, booking_id) VALUES ($1, $2, 'booking', $3, $4, $5)",
                        )
                        .bind(Ulid::new().to_string()).bind(&contact.0)
                        .bind(format!("Booked: {} at {name}, {}", service.name, crate::services::clock::Clock::new(zone).show_with_year(&start)))
                        .bind(created).bind(&id)
                        .execute(&mut **conn).await?;
                    });
                    made += 1;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(made)
}

/// The next `weekday` after `day`.
fn next_weekday(day: NaiveDate, weekday: chrono::Weekday) -> NaiveDate {
    let mut next = day + Duration::days(1);
    while next.weekday() != weekday {
        next += Duration::days(1);
    }
    next
}
