//! The job queue: side effects (texts, emails, sweeps) as rows of the `jobs` table, enqueued in
//! the transaction of the change that causes them and run later by a [`worker::Worker`].
//!
//! One schema and one set of semantics on SQLite and PostgreSQL (the pattern of crates.io's
//! `crates_io_worker`, Oban and good_job; docs/architecture.md says why not apalis):
//! - [`enqueue`] writes on the caller's [`Tx`], so a job exists exactly when its change commits;
//! - each job has an idempotency key under a unique index; a second enqueue of the same key is
//!   `ON CONFLICT DO NOTHING`, which never aborts the caller's PostgreSQL transaction;
//! - at-least-once: a worker claims with a lease it renews while the job runs; a job whose lease
//!   runs out (its instance died) is claimed again and counted as `interrupted`, so the record
//!   says its side effect may have happened twice;
//! - failures retry with exponential back-off and jitter, up to the kind's attempts, then the
//!   job is `dead` with its last error until someone retries or discards it.

pub mod admin;
pub mod cron;
pub mod housekeeping;
pub mod queue;
pub mod worker;

use std::time::Duration;

use chrono::{SubsecRound, Utc};
use serde::Serialize;

use crate::model::JobKind;
use crate::time::Timestamp;
use crate::{DomainError, Tx, on_tx};

/// The channel PostgreSQL notifies on when a transaction that enqueued a job commits.
pub const CHANNEL: &str = "avatar_jobs";
pub(crate) const NOTIFY_SQL: &str = "NOTIFY avatar_jobs";

/// How often and how patiently a kind of job is retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Runs in all, the first included; after the last failure the job is dead.
    pub max_attempts: u32,
    /// The wait before the first retry; each further retry waits twice as long (with jitter),
    /// never more than [`MAX_BACKOFF`].
    pub first_retry: Duration,
}

/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 60 * 60);

impl RetryPolicy {
    /// The policy of each kind: messages retry for about a day (1 min × 2ⁿ, capped at 6 h);
    /// sweeps are repeated by their schedule anyway, so they retry briefly.
    pub fn for_kind(kind: JobKind) -> RetryPolicy {
        match kind {
            JobKind::Noop | JobKind::RecoverLeases | JobKind::RetentionSweep | JobKind::NoShowSweep => {
                RetryPolicy { max_attempts: 3, first_retry: Duration::from_secs(10) }
            }
            // 1 + 2 + … + 256 min, then 6 h twice: the last attempt about a day after the first.
            JobKind::SendSms | JobKind::SendEmail => {
                RetryPolicy { max_attempts: 12, first_retry: Duration::from_secs(60) }
            }
            // Within a reset link's hour: 30 s, then 1, 2, 4 and 8 min (jitter makes each up to half shorter).
            JobKind::SendStaffEmail => RetryPolicy { max_attempts: 6, first_retry: Duration::from_secs(30) },
            // Only writes the message (its own job sends it): a failure is the database's, brief.
            JobKind::BookingReminder => RetryPolicy { max_attempts: 6, first_retry: Duration::from_secs(30) },
            // An offer is only worth making within the hour or two the time stays useful.
            JobKind::WaitlistOffer => RetryPolicy { max_attempts: 5, first_retry: Duration::from_secs(20) },
            // Only the database is involved; the nightly sweep catches anything missed.
            // A model that fails is stood in for by the built-in engine, so only the database fails.
            JobKind::RecalculateWarmness
            | JobKind::WarmnessSweep
            | JobKind::EnrichContact
            | JobKind::EnrichmentSweep => {
                RetryPolicy { max_attempts: 3, first_retry: Duration::from_secs(30) }
            }
        }
    }

    /// The wait after failed attempt number `attempt` (1 for the first run): half of
    /// `first_retry × 2^(attempt-1)` plus a random part of the other half ("equal jitter"), so
    /// jobs that failed together do not all come back in the same instant.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let full = self.first_retry.saturating_mul(1u32 << exponent).min(MAX_BACKOFF);
        let half = full / 2;
        let jitter = half.mul_f64(rand::random::<f64>());
        half + jitter
    }
}

/// A job to enqueue: its kind, the key that makes it happen once, and its input.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub kind: JobKind,
    pub idempotency_key: String,
    pub payload: serde_json::Value,
    /// Not before this instant (now when `None`).
    pub run_at: Option<Timestamp>,
}

impl NewJob {
    pub fn new(kind: JobKind, idempotency_key: impl Into<String>, payload: &impl Serialize) -> NewJob {
        NewJob {
            kind,
            idempotency_key: idempotency_key.into(),
            payload: serde_json::to_value(payload).unwrap_or(serde_json::Value::Null),
            run_at: None,
        }
    }

    pub fn at(mut self, run_at: Timestamp) -> NewJob {
        self.run_at = Some(run_at);
        self
    }
}

/// Longest idempotency key accepted (keys are built by code, e.g. `sms:{message id}`).
pub const MAX_KEY_LEN: usize = 200;

/// Enqueues `job` in `tx`. Returns the new job's id, or `None` when a job with the same
/// idempotency key already exists (then nothing changes and `tx` stays usable).
pub async fn enqueue(tx: &mut Tx, job: NewJob) -> Result<Option<String>, DomainError> {
    if job.idempotency_key.is_empty() || job.idempotency_key.len() > MAX_KEY_LEN {
        return Err(DomainError::Internal(format!(
            "a job's idempotency key must be 1–{MAX_KEY_LEN} bytes (kind {})",
            job.kind.as_str()
        )));
    }
    let id = ulid::Ulid::new().to_string();
    let now = Timestamp::now();
    let run_at = job.run_at.unwrap_or(now);
    let policy = RetryPolicy::for_kind(job.kind);
    let payload = serde_json::to_string(&job.payload).map_err(|e| DomainError::Internal(e.to_string()))?;
    let inserted = on_tx!(tx, conn => {
        sqlx::query(queue::ENQUEUE_SQL)
            .bind(&id)
            .bind(job.kind.as_str())
            .bind(&job.idempotency_key)
            .bind(&payload)
            .bind(i64::from(policy.max_attempts))
            .bind(run_at)
            .bind(now)
            .execute(&mut **conn)
            .await?
            .rows_affected()
    });
    if inserted == 0 {
        return Ok(None);
    }
    tx.mark_enqueued();
    Ok(Some(id))
}

/// `at` plus `wait`, as a stored instant.
pub(crate) fn after(at: Timestamp, wait: Duration) -> Timestamp {
    let wait = chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
    Timestamp(at.0.checked_add_signed(wait).unwrap_or(at.0).trunc_subsecs(6))
}

/// Now plus `wait`.
pub(crate) fn from_now(wait: Duration) -> Timestamp {
    after(Timestamp(Utc::now()), wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_within_the_upper_half() {
        let policy = RetryPolicy { max_attempts: 10, first_retry: Duration::from_secs(60) };
        for attempt in 1..=6u32 {
            let full = Duration::from_secs(60 * (1 << (attempt - 1)));
            for _ in 0..50 {
                let wait = policy.backoff(attempt);
                assert!(wait >= full / 2 && wait <= full, "attempt {attempt}: {wait:?} vs {full:?}");
            }
        }
    }

    #[test]
    fn backoff_never_exceeds_the_cap() {
        let policy = RetryPolicy { max_attempts: 100, first_retry: Duration::from_secs(60) };
        assert!(policy.backoff(40) <= MAX_BACKOFF);
        assert!(policy.backoff(40) >= MAX_BACKOFF / 2);
    }
}
