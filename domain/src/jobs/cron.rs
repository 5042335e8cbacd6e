//! Cron: schedules as cron expressions, read on the clinic's clock (its IANA zone, daylight
//! saving included), that enqueue a job per tick. Only enqueueing happens here; the job runs
//! like any other.
//!
//! Each tick's job has the idempotency key `cron:{schedule}:{tick in UTC}`, so any number of
//! instances evaluating the same schedule enqueue it once. Each evaluation enqueues only the
//! latest tick at or before now: after downtime a schedule runs once, not once per tick missed.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use croner::Cron;

use crate::model::JobKind;
use crate::services::clock;
use crate::time::Timestamp;
use crate::{Db, DomainError};

use super::NewJob;

/// A recurring job.
#[derive(Clone, Debug)]
pub struct Schedule {
    /// Stable name, part of each tick's idempotency key.
    pub name: &'static str,
    /// Five fields (minute hour day-of-month month day-of-week), read on the clinic's clock.
    pub expression: &'static str,
    pub kind: JobKind,
}

/// The schedules every installation runs.
pub const SCHEDULES: [Schedule; 5] = [
    // Puts back jobs whose instance died (each worker also does this in its upkeep).
    Schedule { name: "lease_recovery", expression: "* * * * *", kind: JobKind::RecoverLeases },
    // Deletes finished jobs and old outbox copies (docs/architecture.md, "Jobs").
    Schedule { name: "retention_sweep", expression: "15 3 * * *", kind: JobKind::RetentionSweep },
    // Flags past bookings nobody confirmed, for staff to mark attended or missed.
    Schedule { name: "no_show_sweep", expression: "5 * * * *", kind: JobKind::NoShowSweep },
    // Warmness decays with time even when nothing happens: every contact is scored again.
    Schedule { name: "warmness_sweep", expression: "0 2 * * *", kind: JobKind::WarmnessSweep },
    // Notes nobody has read yet (CSV imports enqueue no job per row).
    Schedule { name: "enrichment_sweep", expression: "30 2 * * *", kind: JobKind::EnrichmentSweep },
];

/// A schedule's expression, parsed.
pub struct Parsed {
    schedule: Schedule,
    cron: Cron,
}

impl Parsed {
    pub fn new(schedule: Schedule) -> Result<Parsed, DomainError> {
        let cron = Cron::from_str(schedule.expression).map_err(|e| {
            DomainError::Internal(format!("schedule {} has a bad expression: {e}", schedule.name))
        })?;
        Ok(Parsed { schedule, cron })
    }

    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// The latest tick at or before `now` on `zone`'s clock, in whole seconds: croner keeps
    /// the fraction of the instant it is given, and a tick's key must not depend on when it was
    /// evaluated.
    pub fn latest_tick(&self, now: DateTime<Utc>, zone: Tz) -> Option<DateTime<Utc>> {
        self.cron
            .find_previous_occurrence(&whole_seconds(now).with_timezone(&zone), true)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The first tick after `now` on `zone`'s clock, in whole seconds.
    pub fn next_tick(&self, now: DateTime<Utc>, zone: Tz) -> Option<DateTime<Utc>> {
        self.cron
            .find_next_occurrence(&whole_seconds(now).with_timezone(&zone), false)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The job for the tick at `tick`.
    pub fn job(&self, tick: DateTime<Utc>) -> NewJob {
        let key = format!("cron:{}:{}", self.schedule.name, Timestamp(tick).sqlite_text());
        NewJob::new(
            self.schedule.kind,
            key,
            &serde_json::json!({ "schedule": self.schedule.name, "tick": tick }),
        )
    }
}

fn whole_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    at.with_nanosecond(0).unwrap_or(at)
}

/// Every schedule in [`SCHEDULES`], parsed.
pub fn parsed() -> Result<Vec<Parsed>, DomainError> {
    SCHEDULES.iter().cloned().map(Parsed::new).collect()
}

/// Enqueues the latest due tick of each schedule (once across instances). Returns how many
/// ticks were new, and how long until the next tick of any schedule.
pub async fn enqueue_due(
    db: &Db,
    schedules: &[Parsed],
    now: DateTime<Utc>,
) -> Result<(usize, Duration), DomainError> {
    let zone = clock::for_clinic(db).await?.zone();
    let mut tx = db.begin().await?;
    let mut new = 0;
    for schedule in schedules {
        if let Some(tick) = schedule.latest_tick(now, zone)
            && super::enqueue(&mut tx, schedule.job(tick)).await?.is_some()
        {
            new += 1;
        }
    }
    tx.commit().await?;
    let next = schedules
        .iter()
        .filter_map(|s| s.next_tick(now, zone))
        .min()
        .map(|at| (at - now).to_std().unwrap_or(Duration::ZERO))
        .unwrap_or(Duration::from_secs(60));
    Ok((new, next))
}

/// Runs the schedules until `shutdown`: enqueues due ticks, sleeps until the next one (at most
/// a minute, so a changed clinic zone is picked up), and again.
pub async fn run(db: Db, shutdown: impl std::future::Future<Output = ()> + Send) {
    let schedules = match parsed() {
        Ok(schedules) => schedules,
        Err(error) => {
            tracing::error!(%error, "cron not started");
            return;
        }
    };
    tokio::pin!(shutdown);
    loop {
        let wait = match enqueue_due(&db, &schedules, Utc::now()).await {
            Ok((_, next)) => next.min(Duration::from_secs(60)),
            Err(error) => {
                tracing::warn!(%error, "enqueueing scheduled jobs failed");
                Duration::from_secs(5)
            }
        };
        tokio::select! {
            _ = &mut shutdown => return,
            // A little after the tick, so the clock has surely passed it.
            _ = tokio::time::sleep(wait + Duration::from_millis(50)) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn daily(expression: &'static str) -> Parsed {
        Parsed::new(Schedule { name: "test", expression, kind: JobKind::RetentionSweep })
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap_or_default()
    }

    /// Every tick of `schedule` from `from` to `to` (UTC), as `zone` reads them.
    fn ticks(schedule: &Parsed, zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
        let mut at = from;
        let mut seen = Vec::new();
        while let Some(next) = schedule.next_tick(at, zone) {
            if next > to {
                break;
            }
            seen.push(next.with_timezone(&zone).format("%a %-d %b %H:%M %Z").to_string());
            at = next;
        }
        seen
    }

    /// Found when a real server enqueued the nightly sweep twice: the key carried the fraction
    /// of a second at which it was evaluated.
    #[test]
    fn a_ticks_key_does_not_depend_on_when_it_is_evaluated() {
        let sweep = daily("15 3 * * *");
        let zone: Tz = "Australia/Sydney".parse().unwrap_or(Tz::UTC);
        let at = |ms: i64| utc(2026, 12, 3, 8, 26) + chrono::Duration::milliseconds(ms);
        let keys: Vec<String> = [768, 772, 59_999]
            .map(|ms| sweep.job(sweep.latest_tick(at(ms), zone).unwrap_or_default()).idempotency_key)
            .to_vec();
        assert_eq!(keys[0], "cron:test:2026-12-02T16:15:00.000000Z");
        assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
        assert_eq!(sweep.next_tick(at(768), zone), Some(utc(2026, 12, 3, 16, 15)));
    }

    #[test]
    fn a_daily_tick_is_read_on_the_clinics_clock_across_daylight_saving() {
        let sweep = daily("15 3 * * *");
        let sydney = chrono_tz::Australia::Sydney;
        // Sydney's clocks go forward at 2:00 on Sun 4 Oct 2026 and back at 3:00 on Sun 5 Apr 2026.
        assert_eq!(
            ticks(&sweep, sydney, utc(2026, 10, 2, 0, 0), utc(2026, 10, 5, 0, 0)),
            ["Sat 3 Oct 03:15 AEST", "Sun 4 Oct 03:15 AEDT", "Mon 5 Oct 03:15 AEDT"]
        );
        assert_eq!(sweep.next_tick(utc(2026, 10, 3, 12, 0), sydney), Some(utc(2026, 10, 3, 16, 15)));
        // Brisbane keeps standard time all year: the same instant every day.
        let brisbane = chrono_tz::Australia::Brisbane;
        assert_eq!(sweep.next_tick(utc(2026, 10, 3, 12, 0), brisbane), Some(utc(2026, 10, 3, 17, 15)));
    }

    #[test]
    fn a_skipped_local_time_still_ticks_once_and_a_repeated_one_only_once() {
        let sydney = chrono_tz::Australia::Sydney;
        // 2:30 does not exist on 4 Oct 2026 in Sydney.
        let skipped = ticks(&daily("30 2 * * *"), sydney, utc(2026, 10, 2, 12, 0), utc(2026, 10, 5, 12, 0));
        assert_eq!(skipped.len(), 3, "{skipped:?}");
        // 2:30 happens twice on 5 Apr 2026 (AEDT, then AEST).
        let repeated = ticks(&daily("30 2 * * *"), sydney, utc(2026, 4, 3, 12, 0), utc(2026, 4, 6, 12, 0));
        assert_eq!(repeated.len(), 3, "{repeated:?}");
    }

    #[test]
    fn after_downtime_only_the_latest_missed_tick_is_due() {
        let every_minute = daily("* * * * *");
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 10, 7, 42).single().unwrap_or_default();
        assert_eq!(every_minute.latest_tick(now, chrono_tz::UTC), Some(utc(2026, 12, 2, 10, 7)));
        let key = every_minute.job(utc(2026, 12, 2, 10, 7)).idempotency_key;
        assert_eq!(key, "cron:test:2026-12-02T10:07:00.000000Z");
    }

    #[test]
    fn every_schedule_parses() {
        assert_eq!(parsed().map(|p| p.len()).unwrap_or(0), SCHEDULES.len());
    }
}
