//! The availability engine's budget (issue 14): one week of slots for one location with 10
//! resources and 50,000 existing bookings in < 5 ms p95. Every booking is handed to the engine
//! (more than the service ever loads for a week), spread over two years around the week asked.
//!
//! `cargo bench -p domain --features server --bench availability`

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use criterion::{Criterion, criterion_group};
use domain::services::bookings::availability::{
    Busy, LocationCalendar, ResourceCalendar, SlotQuery, StaffCalendar, WeeklyHours, slots,
};

const RESOURCES: usize = 10;
const STAFF: usize = 12;
const BOOKINGS: usize = 50_000;

fn hours(periods: &[(&str, &str)], days: usize) -> WeeklyHours {
    let parse = |t: &str| NaiveTime::parse_from_str(t, "%H:%M").unwrap_or_default();
    std::array::from_fn(|d| {
        if d < days { periods.iter().map(|(a, b)| (parse(a), parse(b))).collect() } else { Vec::new() }
    })
}

fn setup() -> (LocationCalendar, Vec<ResourceCalendar>, Vec<StaffCalendar>, SlotQuery) {
    let zone = chrono_tz::Australia::Sydney;
    let location =
        LocationCalendar { zone, hours: hours(&[("07:00", "19:00")], 6), closed_days: BTreeSet::new() };
    // 50,000 bookings of 30–90 minutes, ~5,000 per resource, over 730 days centred on the week.
    let week = NaiveDate::from_ymd_opt(2027, 7, 5).unwrap_or_default();
    let origin = zone
        .from_local_datetime(&(week - Duration::days(365)).and_hms_opt(7, 0, 0).unwrap_or_default())
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    let mut per_resource: Vec<Vec<_>> = vec![Vec::new(); RESOURCES];
    let mut per_staff: Vec<Vec<_>> = vec![Vec::new(); STAFF];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for n in 0..BOOKINGS {
        let resource = n % RESOURCES;
        let day = (n / RESOURCES) as i64 * 730 / (BOOKINGS / RESOURCES) as i64;
        let slot = (next() % 24) as i64;
        let minutes = 30 + (next() % 4) as i64 * 15;
        let from = origin + Duration::days(day) + Duration::minutes(slot * 30);
        per_resource[resource].push((from, from + Duration::minutes(minutes)));
        per_staff[(next() as usize) % STAFF].push((from, from + Duration::minutes(minutes)));
    }
    let resources = per_resource
        .into_iter()
        .enumerate()
        .map(|(i, busy)| ResourceCalendar { id: format!("resource-{i}"), busy: Busy::new(busy) })
        .collect();
    let staff = per_staff
        .into_iter()
        .enumerate()
        .map(|(i, busy)| StaffCalendar {
            id: format!("staff-{i}"),
            hours: hours(&[("07:00", "12:30"), ("13:00", "19:00")], 6),
            busy: Busy::new(busy),
        })
        .collect();
    let query = SlotQuery {
        duration: Duration::minutes(45),
        buffer_before: Duration::minutes(5),
        buffer_after: Duration::minutes(10),
        from: week,
        to: week + Duration::days(6),
        not_before: origin,
        not_after: origin + Duration::days(730),
        step: Duration::minutes(15),
    };
    (location, resources, staff, query)
}

fn bench(c: &mut Criterion) {
    let (location, resources, staff, query) = setup();
    let found = slots(&location, &resources, &staff, &query);
    assert!(!found.is_empty(), "the week has free slots");
    c.bench_function("availability: 1 week, 10 resources, 12 staff, 50,000 bookings", |b| {
        b.iter(|| slots(&location, &resources, &staff, std::hint::black_box(&query)))
    });
}

/// The budget is a p95: criterion reports means and their confidence, so the same call is also
/// timed 2,000 times one by one and the percentiles printed.
fn percentiles() {
    let (location, resources, staff, query) = setup();
    let mut samples: Vec<std::time::Duration> = (0..2000)
        .map(|_| {
            let started = std::time::Instant::now();
            std::hint::black_box(slots(&location, &resources, &staff, std::hint::black_box(&query)));
            started.elapsed()
        })
        .collect();
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "availability, one week, 10 resources, 50,000 bookings: p50 {:?}, p95 {:?}, p99 {:?} (budget p95 < 5 ms)",
        at(0.50),
        at(0.95),
        at(0.99)
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    percentiles();
}
