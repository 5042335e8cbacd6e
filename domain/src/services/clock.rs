//! The clinic's clock: which IANA zone a person reads a time in (the contact's location's, else
//! the clinic's first location's, UTC before there is one) and the one format every page uses,
//! "Tue 1 Dec, 6:33 am AEST" (the year added when it is not this year's).

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;

use crate::display::{LocalTimes, Zoned};
use crate::{Db, DomainError, on_db};

/// An IANA zone that instants are shown in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clock(Tz);

impl Clock {
    pub fn new(zone: Tz) -> Clock {
        Clock(zone)
    }

    /// The zone named `name` as stored, or UTC when there is none or it is unknown.
    pub fn named(name: Option<&str>) -> Clock {
        Clock(name.and_then(|z| z.parse().ok()).unwrap_or(chrono_tz::UTC))
    }

    pub fn zone(&self) -> Tz {
        self.0
    }

    /// The instant this clock shows as `local` (the earlier of a repeated hour; a skipped local
    /// time has none), with its offset.
    pub fn at_local(&self, local: chrono::NaiveDateTime) -> Option<DateTime<chrono::FixedOffset>> {
        use chrono::TimeZone;
        self.0.from_local_datetime(&local).earliest().map(|t| t.fixed_offset())
    }

    /// `at` as this zone's clock shows it: "Tue 1 Dec, 6:33 am AEST"; with the year
    /// ("Mon 1 Dec 2025, …") when it is not the current year there.
    pub fn show(&self, at: &DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.0);
        let this_year = Utc::now().with_timezone(&self.0).year();
        let format =
            if local.year() == this_year { "%a %-d %b, %-I:%M %P %Z" } else { "%a %-d %b %Y, %-I:%M %P %Z" };
        local.format(format).to_string()
    }

    /// `at` as [`Clock::show`] writes it, always with the year (for answers that must read the
    /// same whenever they are read, such as the REST API's `due_label`).
    pub fn show_with_year(&self, at: &DateTime<Utc>) -> String {
        at.with_timezone(&self.0).format("%a %-d %b %Y, %-I:%M %P %Z").to_string()
    }

    /// A stretch of time on this clock, always with the year: "Wed 13 Jan 2027, 9:00 am –
    /// 11:00 am AEDT" within a day, both ends in full across days, and whole days (midnight to
    /// midnight, such as leave) as "Mon 14 Dec 2026 – Fri 18 Dec 2026" or one day.
    pub fn span(&self, from: &DateTime<Utc>, until: &DateTime<Utc>) -> String {
        use chrono::Timelike;
        let (a, b) = (from.with_timezone(&self.0), until.with_timezone(&self.0));
        let midnight = |t: &DateTime<Tz>| t.hour() == 0 && t.minute() == 0;
        if midnight(&a) && midnight(&b) && b > a {
            let last = (b - chrono::Duration::days(1)).date_naive().max(a.date_naive());
            let day = |d: chrono::NaiveDate| d.format("%a %-d %b %Y").to_string();
            return if last == a.date_naive() {
                day(last)
            } else {
                format!("{} – {}", day(a.date_naive()), day(last))
            };
        }
        if a.date_naive() == b.date_naive() && a.offset() == b.offset() {
            return format!("{} – {}", a.format("%a %-d %b %Y, %-I:%M %P"), b.format("%-I:%M %P %Z"));
        }
        format!("{} – {}", self.show_with_year(from), self.show_with_year(until))
    }

    /// `value` with each of `instants` shown on this clock.
    pub fn zoned<'a, T>(&self, value: T, instants: impl IntoIterator<Item = &'a DateTime<Utc>>) -> Zoned<T> {
        let mut times = LocalTimes::default();
        for at in instants {
            times.insert(at, self.show(at));
        }
        Zoned { value, times }
    }
}

/// The clinic's zone, for what has no location of its own: its first location's.
const CLINIC_ZONE: &str = "SELECT (SELECT time_zone FROM locations ORDER BY created_at, name LIMIT 1)";

/// The zone of the contact's location, else the clinic's.
const CONTACT_ZONE: &str = "SELECT COALESCE((SELECT l.time_zone FROM contacts c JOIN locations l ON l.id = c.location_id \
     WHERE c.id = $1), (SELECT time_zone FROM locations ORDER BY created_at, name LIMIT 1))";

/// The clock for clinic-wide lists (audit log, staff, tokens, outbox).
pub async fn for_clinic(db: &Db) -> Result<Clock, DomainError> {
    let name: Option<String> = on_db!(db, pool => sqlx::query_scalar(CLINIC_ZONE).fetch_one(pool).await?);
    Ok(Clock::named(name.as_deref()))
}

/// The clock for one contact's times (its details and timeline).
pub async fn for_contact(db: &Db, contact_id: &str) -> Result<Clock, DomainError> {
    let name: Option<String> =
        on_db!(db, pool => sqlx::query_scalar(CONTACT_ZONE).bind(contact_id).fetch_one(pool).await?);
    Ok(Clock::named(name.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn spans_read_as_a_person_writes_them() {
        let sydney = Clock::new(chrono_tz::Australia::Sydney);
        let at = |y, m, d, h, min| {
            chrono_tz::Australia::Sydney.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
        };
        assert_eq!(
            sydney.span(&at(2027, 1, 13, 9, 0), &at(2027, 1, 13, 11, 30)),
            "Wed 13 Jan 2027, 9:00 am – 11:30 am AEDT"
        );
        assert_eq!(
            sydney.span(&at(2026, 12, 14, 0, 0), &at(2026, 12, 19, 0, 0)),
            "Mon 14 Dec 2026 – Fri 18 Dec 2026"
        );
        assert_eq!(sydney.span(&at(2026, 12, 14, 0, 0), &at(2026, 12, 15, 0, 0)), "Mon 14 Dec 2026");
        assert_eq!(
            sydney.span(&at(2027, 4, 3, 22, 0), &at(2027, 4, 4, 6, 0)),
            "Sat 3 Apr 2027, 10:00 pm AEDT – Sun 4 Apr 2027, 6:00 am AEST"
        );
    }

    #[test]
    fn times_read_on_the_locations_clock_with_daylight_saving() {
        // 1 Dec 2026 19:33 UTC: Brisbane (no daylight saving) 5:33 am, Sydney (summer) 6:33 am.
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 19, 33, 0).single().unwrap_or_default();
        let brisbane = Clock::new(chrono_tz::Australia::Brisbane).show(&at);
        let sydney = Clock::new(chrono_tz::Australia::Sydney).show(&at);
        let year = if Utc::now().year() == 2026 { "" } else { " 2026" };
        assert_eq!(brisbane, format!("Tue 1 Dec{year}, 5:33 am AEST"));
        assert_eq!(sydney, format!("Tue 1 Dec{year}, 6:33 am AEDT"));
        // In winter Sydney is on standard time too.
        let june = Utc.with_ymd_and_hms(2026, 6, 1, 2, 5, 0).single().unwrap_or_default();
        assert!(Clock::new(chrono_tz::Australia::Sydney).show(&june).ends_with("12:05 pm AEST"));
    }

    #[test]
    fn an_unknown_zone_reads_as_utc_and_says_so() {
        let at = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 0).single().unwrap_or_default();
        assert!(Clock::named(Some("Mars/Olympus")).show(&at).ends_with("5:06 am UTC"));
        assert!(Clock::named(None).show(&at).ends_with("UTC"));
    }

    #[test]
    fn zoned_answers_carry_every_instant_and_fall_back_to_utc() {
        let (a, b) = (
            Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 0).single().unwrap_or_default(),
            Utc.with_ymd_and_hms(2026, 7, 8, 9, 10, 0).single().unwrap_or_default(),
        );
        let zoned = Clock::new(chrono_tz::Australia::Brisbane).zoned((), [&a, &b, &a]);
        assert!(zoned.times.show(&a).contains("1:04 pm AEST"), "{}", zoned.times.show(&a));
        assert!(zoned.times.show(&b).contains("7:10 pm AEST"));
        let other = Utc.with_ymd_and_hms(2026, 9, 9, 9, 9, 0).single().unwrap_or_default();
        assert!(zoned.times.show(&other).ends_with("9:09 am UTC"));
    }
}
