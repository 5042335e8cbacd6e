//! The availability engine: which start times a service can be booked at, at one location, over
//! a range of the location's own days. Pure (no database, no clock): the caller loads the
//! calendars, passes "now" in, and gets the slots back, so it is fast and tested exhaustively.
//!
//! Times are reasoned about as real instants (UTC) but chosen on the location's clock: a
//! candidate start is a local time on the slot grid (09:00, 09:15, …) of an open period, mapped
//! to the instants it names. A local time that does not exist (the hour skipped when clocks go
//! forward) names none and is never offered; one that happens twice (the hour repeated when they
//! go back) names two instants, each offered once. Durations and buffers are real minutes, so a
//! 45-minute scan across a change still ends 45 minutes later.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Periods of the day, per weekday (index 0 = Monday), on the location's clock.
pub type WeeklyHours = [Vec<(NaiveTime, NaiveTime)>; 7];

/// A `[from, until)` range of real time.
pub type Range = (DateTime<Utc>, DateTime<Utc>);

/// Time taken on one calendar (a resource's or a staff member's): sorted, overlaps merged, so
/// whether a range is free is one binary search.
#[derive(Clone, Debug, Default)]
pub struct Busy(Vec<(DateTime<Utc>, DateTime<Utc>)>);

impl Busy {
    /// From `[from, until)` ranges in any order, overlapping or not.
    pub fn new(mut ranges: Vec<(DateTime<Utc>, DateTime<Utc>)>) -> Busy {
        ranges.retain(|(from, until)| from < until);
        ranges.sort_unstable();
        let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::with_capacity(ranges.len());
        for (from, until) in ranges {
            match merged.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(until),
                _ => merged.push((from, until)),
            }
        }
        Busy(merged)
    }

    /// Whether nothing taken overlaps `[from, until)` (touching ends do not overlap).
    pub fn is_free(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> bool {
        // Merged ranges are disjoint, so sorted by start they are sorted by end too.
        let first_ending_after = self.0.partition_point(|(_, end)| *end <= from);
        self.0.get(first_ending_after).is_none_or(|(start, _)| *start >= until)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The location: its zone, when it opens, and the local days it is shut.
#[derive(Clone, Debug)]
pub struct LocationCalendar {
    pub zone: Tz,
    pub hours: WeeklyHours,
    pub closed_days: BTreeSet<NaiveDate>,
}

/// A scanner or room that can do the service: bookings and maintenance blocks are its busy time.
#[derive(Clone, Debug)]
pub struct ResourceCalendar {
    pub id: String,
    pub busy: Busy,
}

/// A staff member qualified for the service: working hours at this location (breaks are the gaps
/// between periods), and bookings anywhere and leave as busy time.
#[derive(Clone, Debug)]
pub struct StaffCalendar {
    pub id: String,
    pub hours: WeeklyHours,
    pub busy: Busy,
}

/// What is being booked, over which days, and the limits of when.
#[derive(Clone, Debug)]
pub struct SlotQuery {
    pub duration: Duration,
    pub buffer_before: Duration,
    pub buffer_after: Duration,
    /// First and last local day (inclusive) on the location's clock.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// No start before this (now plus the minimum notice).
    pub not_before: DateTime<Utc>,
    /// No start after this (now plus the booking horizon).
    pub not_after: DateTime<Utc>,
    /// The grid starts are offered on, from the start of each open period.
    pub step: Duration,
}

/// A start time that can be booked, with the resource and the staff member it would take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub resource_id: String,
    pub staff_id: String,
}

/// The instants a local time names on `date`: none in a skipped hour, two in a repeated one.
fn instants(zone: &Tz, date: NaiveDate, time: NaiveTime) -> Vec<DateTime<Utc>> {
    match zone.from_local_datetime(&date.and_time(time)) {
        LocalResult::Single(at) => vec![at.with_timezone(&Utc)],
        LocalResult::Ambiguous(first, second) => vec![first.with_timezone(&Utc), second.with_timezone(&Utc)],
        LocalResult::None => Vec::new(),
    }
}

/// The instant a period boundary names: the earlier of a repeated time; for a skipped one, the
/// moment the clocks jumped (the first local time after it that exists).
pub fn boundary(zone: &Tz, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    let mut local = date.and_time(time);
    // Gaps are at most a few hours (usually one); walk to the first minute that exists.
    for _ in 0..=24 * 60 {
        if let Some(at) = zone.from_local_datetime(&local).earliest() {
            return Some(at.with_timezone(&Utc));
        }
        local += Duration::minutes(1);
    }
    None
}

/// The open periods of `date` as instants.
fn periods(zone: &Tz, hours: &WeeklyHours, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let day = date.weekday().num_days_from_monday() as usize;
    hours[day]
        .iter()
        .filter_map(|(opens, closes)| {
            // A period that runs to midnight ends at the start of the next day.
            let end_date = if *closes <= *opens { date.succ_opt()? } else { date };
            Some((boundary(zone, date, *opens)?, boundary(zone, end_date, *closes)?))
        })
        .collect()
}

fn within(periods: &[(DateTime<Utc>, DateTime<Utc>)], from: DateTime<Utc>, until: DateTime<Utc>) -> bool {
    periods.iter().any(|(start, end)| *start <= from && until <= *end)
}

/// Every start at which the service fits: inside an open period of the location (buffers
/// included), not on a closed day, within the notice and horizon, with a resource free for the
/// held time and a staff member working and free for it. Each slot takes the first free
/// resource and staff member in the order given. Sorted by start; one slot per instant.
pub fn slots(
    location: &LocationCalendar,
    resources: &[ResourceCalendar],
    staff: &[StaffCalendar],
    query: &SlotQuery,
) -> Vec<Slot> {
    let mut found: Vec<Slot> = Vec::new();
    if query.step <= Duration::zero() || query.duration <= Duration::zero() || query.to < query.from {
        return found;
    }
    let zone = location.zone;
    let mut date = query.from;
    while date <= query.to {
        if !location.closed_days.contains(&date) {
            day_slots(location, resources, staff, query, date, &mut found);
        }
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    found.sort_by_key(|slot| slot.start);
    found.dedup_by_key(|slot| slot.start);
    // Chrono keeps the offset a value was made with; re-derive it for the instant itself.
    for slot in &mut found {
        slot.start = slot.start.with_timezone(&zone).fixed_offset();
        slot.end = slot.end.with_timezone(&zone).fixed_offset();
    }
    found
}

fn day_slots(
    location: &LocationCalendar,
    resources: &[ResourceCalendar],
    staff: &[StaffCalendar],
    query: &SlotQuery,
    date: NaiveDate,
    found: &mut Vec<Slot>,
) {
    let zone = location.zone;
    let open = periods(&zone, &location.hours, date);
    if open.is_empty() {
        return;
    }
    let working: Vec<Vec<(DateTime<Utc>, DateTime<Utc>)>> =
        staff.iter().map(|member| periods(&zone, &member.hours, date)).collect();
    if working.iter().all(Vec::is_empty) {
        return;
    }
    let day = date.weekday().num_days_from_monday() as usize;
    for (opens, closes) in &location.hours[day] {
        // Walk the grid on the local clock; a period past midnight is walked to its end.
        let mut local = date.and_time(*opens);
        let end_local = if *closes <= *opens {
            date.and_time(*closes) + Duration::days(1)
        } else {
            date.and_time(*closes)
        };
        while local < end_local {
            for start in instants(&zone, local.date(), local.time()) {
                let end = start + query.duration;
                let (held_from, held_until) = (start - query.buffer_before, end + query.buffer_after);
                if start < query.not_before
                    || start > query.not_after
                    || !within(&open, held_from, held_until)
                {
                    continue;
                }
                let Some(resource) = resources.iter().find(|r| r.busy.is_free(held_from, held_until)) else {
                    continue;
                };
                let Some(member) = staff.iter().zip(&working).find_map(|(member, periods)| {
                    (within(periods, held_from, held_until) && member.busy.is_free(held_from, held_until))
                        .then_some(member)
                }) else {
                    continue;
                };
                found.push(Slot {
                    start: start.fixed_offset(),
                    end: end.fixed_offset(),
                    resource_id: resource.id.clone(),
                    staff_id: member.id.clone(),
                });
            }
            local += query.step;
        }
    }
}

/// Weekly hours from `(weekday 1–7, "HH:MM", "HH:MM")` rows as stored; rows that do not parse
/// are skipped (the database's CHECKs keep them well-formed).
pub fn weekly_hours<'a>(rows: impl IntoIterator<Item = (i64, &'a str, &'a str)>) -> WeeklyHours {
    let mut hours: WeeklyHours = Default::default();
    for (weekday, opens, closes) in rows {
        let (Ok(opens), Ok(closes)) =
            (NaiveTime::parse_from_str(opens, "%H:%M"), NaiveTime::parse_from_str(closes, "%H:%M"))
        else {
            continue;
        };
        if let Some(day) = usize::try_from(weekday - 1).ok().filter(|d| *d < 7) {
            hours[day].push((opens, closes));
        }
    }
    for day in &mut hours {
        day.sort();
    }
    hours
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hm(text: &str) -> NaiveTime {
        NaiveTime::parse_from_str(text, "%H:%M").unwrap()
    }

    fn every_day(periods: &[(&str, &str)]) -> WeeklyHours {
        let day: Vec<_> = periods.iter().map(|(a, b)| (hm(a), hm(b))).collect();
        std::array::from_fn(|_| day.clone())
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn at(zone: Tz, date: NaiveDate, time: &str) -> DateTime<Utc> {
        zone.from_local_datetime(&date.and_time(hm(time))).earliest().unwrap().with_timezone(&Utc)
    }

    fn location(zone: Tz, periods: &[(&str, &str)]) -> LocationCalendar {
        LocationCalendar { zone, hours: every_day(periods), closed_days: BTreeSet::new() }
    }

    fn resource(id: &str, busy: Vec<(DateTime<Utc>, DateTime<Utc>)>) -> ResourceCalendar {
        ResourceCalendar { id: id.into(), busy: Busy::new(busy) }
    }

    fn person(
        id: &str,
        periods: &[(&str, &str)],
        busy: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> StaffCalendar {
        StaffCalendar { id: id.into(), hours: every_day(periods), busy: Busy::new(busy) }
    }

    fn query(minutes: i64, from: NaiveDate, to: NaiveDate) -> SlotQuery {
        SlotQuery {
            duration: Duration::minutes(minutes),
            buffer_before: Duration::zero(),
            buffer_after: Duration::zero(),
            from,
            to,
            not_before: DateTime::<Utc>::MIN_UTC,
            not_after: DateTime::<Utc>::MAX_UTC,
            step: Duration::minutes(15),
        }
    }

    fn local_starts(slots: &[Slot]) -> Vec<String> {
        slots.iter().map(|s| s.start.format("%H:%M%:z").to_string()).collect()
    }

    #[test]
    fn an_open_morning_offers_every_quarter_hour_that_fits() {
        let sydney = chrono_tz::Australia::Sydney;
        let d = day(2027, 7, 6);
        let slots = slots(
            &location(sydney, &[("09:00", "10:00")]),
            &[resource("mri-1", vec![])],
            &[person("rad-1", &[("08:00", "17:00")], vec![])],
            &query(30, d, d),
        );
        assert_eq!(local_starts(&slots), ["09:00+10:00", "09:15+10:00", "09:30+10:00"]);
        assert_eq!(slots[0].start.to_rfc3339(), "2027-07-06T09:00:00+10:00");
        assert_eq!(slots[0].end.to_rfc3339(), "2027-07-06T09:30:00+10:00");
        assert_eq!((slots[0].resource_id.as_str(), slots[0].staff_id.as_str()), ("mri-1", "rad-1"));
    }

    #[test]
    fn any_overlap_with_a_booking_including_buffers_removes_a_start() {
        let sydney = chrono_tz::Australia::Sydney;
        let d = day(2027, 7, 6);
        // A booking held 09:30–10:00 on the only scanner.
        let taken = vec![(at(sydney, d, "09:30"), at(sydney, d, "10:00"))];
        let mut q = query(30, d, d);
        q.buffer_after = Duration::minutes(15);
        let slots = slots(
            &location(sydney, &[("09:00", "11:00")]),
            &[resource("mri-1", taken)],
            &[person("rad-1", &[("08:00", "17:00")], vec![])],
            &q,
        );
        // 09:00 would hold until 09:45 (30 + 15 buffer) → clash; 10:00 is the first after it;
        // the last start must leave its buffer inside opening hours (10:15 + 30 + 15 = 11:00).
        assert_eq!(local_starts(&slots), ["10:00+10:00", "10:15+10:00"]);
    }

    #[test]
    fn a_second_scanner_takes_what_the_first_cannot() {
        let sydney = chrono_tz::Australia::Sydney;
        let d = day(2027, 7, 6);
        let taken = vec![(at(sydney, d, "09:00"), at(sydney, d, "10:00"))];
        let slots = slots(
            &location(sydney, &[("09:00", "10:00")]),
            &[resource("mri-1", taken), resource("mri-2", vec![])],
            &[person("rad-1", &[("08:00", "17:00")], vec![])],
            &query(60, d, d),
        );
        assert_eq!(slots.len(), 1);
        assert_eq!(slots[0].resource_id, "mri-2");
    }

    #[test]
    fn breaks_leave_and_a_busy_radiographer_are_respected() {
        let sydney = chrono_tz::Australia::Sydney;
        let d = day(2027, 7, 6);
        let leave = vec![(at(sydney, d, "09:00"), at(sydney, d, "10:00"))];
        let slots = slots(
            &location(sydney, &[("09:00", "13:00")]),
            &[resource("us-1", vec![])],
            &[
                // On leave until 10:00.
                person("sono-1", &[("09:00", "13:00")], leave),
                // Works 09:00–11:00, lunch, 11:30–13:00.
                person("sono-2", &[("09:00", "11:00"), ("11:30", "13:00")], vec![]),
            ],
            &query(60, d, d),
        );
        let pairs: Vec<(String, &str)> =
            slots.iter().map(|s| (s.start.format("%H:%M").to_string(), s.staff_id.as_str())).collect();
        // 10:15 and 10:30 cross sono-2's break but sono-1 is back from leave then.
        assert_eq!(pairs[0], ("09:00".to_owned(), "sono-2"));
        assert!(pairs.contains(&("10:30".to_owned(), "sono-1")));
        assert!(pairs.iter().all(|(t, _)| t.as_str() <= "12:00"));
    }

    #[test]
    fn a_closed_day_and_a_day_without_hours_offer_nothing() {
        let sydney = chrono_tz::Australia::Sydney;
        let (mon, tue) = (day(2027, 7, 5), day(2027, 7, 6));
        let mut loc = location(sydney, &[("09:00", "10:00")]);
        loc.closed_days.insert(tue);
        loc.hours[0].clear();
        let slots = slots(
            &loc,
            &[resource("x-1", vec![])],
            &[person("rad-1", &[("08:00", "17:00")], vec![])],
            &query(15, mon, tue),
        );
        assert!(slots.is_empty(), "{slots:?}");
    }

    #[test]
    fn notice_and_horizon_cut_the_range() {
        let sydney = chrono_tz::Australia::Sydney;
        let d = day(2027, 7, 6);
        let mut q = query(15, d, d);
        q.not_before = at(sydney, d, "09:20");
        q.not_after = at(sydney, d, "09:45");
        let slots = slots(
            &location(sydney, &[("09:00", "11:00")]),
            &[resource("x-1", vec![])],
            &[person("rad-1", &[("08:00", "17:00")], vec![])],
            &q,
        );
        assert_eq!(local_starts(&slots), ["09:30+10:00", "09:45+10:00"]);
    }

    /// Sydney's clocks go forward at 02:00 on Sunday 3 October 2027 (to 03:00, AEST → AEDT) and
    /// back at 03:00 on Sunday 4 April 2027 (to 02:00).
    #[test]
    fn sydney_daylight_saving_weeks_keep_local_times_and_real_durations() {
        let sydney = chrono_tz::Australia::Sydney;
        let loc = location(sydney, &[("09:00", "10:00"), ("13:00", "14:00")]);
        let staff = [person("rad-1", &[("08:00", "17:00")], vec![])];
        for (sat, sun, mon, before, after) in [
            (day(2027, 10, 2), day(2027, 10, 3), day(2027, 10, 4), "+10:00", "+11:00"),
            (day(2027, 4, 3), day(2027, 4, 4), day(2027, 4, 5), "+11:00", "+10:00"),
        ] {
            let slots = slots(&loc, &[resource("mri-1", vec![])], &staff, &query(60, sat, mon));
            let starts: Vec<String> = slots.iter().map(|s| s.start.to_rfc3339()).collect();
            assert_eq!(
                starts,
                [
                    format!("{sat}T09:00:00{before}"),
                    format!("{sat}T13:00:00{before}"),
                    format!("{sun}T09:00:00{after}"),
                    format!("{sun}T13:00:00{after}"),
                    format!("{mon}T09:00:00{after}"),
                    format!("{mon}T13:00:00{after}"),
                ]
            );
            for slot in &slots {
                assert_eq!(slot.end - slot.start, Duration::minutes(60), "a real hour at {}", slot.start);
            }
        }
    }

    #[test]
    fn new_york_skipped_hour_is_never_offered_and_repeated_hour_is_offered_once_per_instant() {
        let ny = chrono_tz::America::New_York;
        let staff = [person("tech-1", &[("00:00", "23:45")], vec![])];
        let loc = location(ny, &[("01:00", "04:00")]);
        // 14 March 2027: 02:00 → 03:00 (EST → EDT). 02:00–02:45 do not exist.
        let spring = day(2027, 3, 14);
        let slots = slots(&loc, &[resource("ct-1", vec![])], &staff, &query(15, spring, spring));
        let starts = local_starts(&slots);
        assert!(starts.iter().all(|s| !s.starts_with("02:")), "{starts:?}");
        assert_eq!(starts.first().map(String::as_str), Some("01:00-05:00"));
        assert_eq!(starts.last().map(String::as_str), Some("03:45-04:00"));
        // Open 01:00–04:00 on the clock is two real hours that day: 8 quarter-hours.
        assert_eq!(starts.len(), 8);

        // 7 November 2027: 02:00 EDT → 01:00 EST, so 01:00–01:45 happen twice.
        let autumn = day(2027, 11, 7);
        let slots = super::slots(&loc, &[resource("ct-1", vec![])], &staff, &query(15, autumn, autumn));
        let instants: Vec<DateTime<Utc>> = slots.iter().map(|s| s.start.with_timezone(&Utc)).collect();
        let distinct: BTreeSet<_> = instants.iter().collect();
        assert_eq!(distinct.len(), instants.len(), "each real instant once");
        let repeated = local_starts(&slots).into_iter().filter(|s| s.starts_with("01:")).count();
        assert_eq!(repeated, 8, "01:00–01:45 in EDT and again in EST");
        // Four real hours on a three-hour clock: 16 quarter-hours, strictly increasing.
        assert_eq!(slots.len(), 16);
        assert!(instants.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn minimum_notice_landing_on_a_change_day_counts_real_hours() {
        let sydney = chrono_tz::Australia::Sydney;
        let sunday = day(2027, 10, 3);
        let loc = location(sydney, &[("00:00", "06:00")]);
        let staff = [person("rad-1", &[("00:00", "06:00")], vec![])];
        // Now is 00:30 AEST; 2 hours' notice is 02:30 AEST = 03:30 AEDT (02:30 never happens).
        let now = at(sydney, sunday, "00:30");
        let mut q = query(30, sunday, sunday);
        q.not_before = now + Duration::hours(2);
        let slots = slots(&loc, &[resource("mri-1", vec![])], &staff, &q);
        assert_eq!(slots.first().map(|s| s.start.to_rfc3339()), Some("2027-10-03T03:30:00+11:00".to_owned()));
    }

    #[test]
    fn busy_ranges_merge_and_touching_ends_are_free() {
        let t = |h: i64| DateTime::<Utc>::UNIX_EPOCH + Duration::hours(h);
        let busy = Busy::new(vec![(t(5), t(7)), (t(1), t(3)), (t(2), t(4)), (t(7), t(8))]);
        assert_eq!(busy.len(), 2);
        assert!(busy.is_free(t(0), t(1)));
        assert!(busy.is_free(t(4), t(5)));
        assert!(!busy.is_free(t(3), t(5)));
        assert!(!busy.is_free(t(0), t(10)));
        assert!(busy.is_free(t(8), t(9)));
    }

    #[test]
    fn weekly_hours_parse_stored_rows() {
        let hours = weekly_hours([
            (1, "08:00", "12:00"),
            (1, "07:00", "07:30"),
            (7, "09:00", "10:00"),
            (9, "x", "y"),
        ]);
        assert_eq!(hours[0], vec![(hm("07:00"), hm("07:30")), (hm("08:00"), hm("12:00"))]);
        assert_eq!(hours[6].len(), 1);
        assert!(hours[1..6].iter().all(Vec::is_empty));
    }
}
