//! The queue's SQL: claim, finish, renew leases, recover what a dead instance held. The worker
//! ([`super::worker`]) is the only caller; people act on jobs through [`super::admin`].
//!
//! Every statement is one text for both backends except the claim: PostgreSQL locks the rows it
//! picks with `FOR UPDATE SKIP LOCKED` (so instances claim different jobs without waiting on
//! each other), while SQLite's single writer makes one `UPDATE … RETURNING` atomic by itself.

use std::time::Duration;

use sqlx::FromRow;

use crate::model::JobKind;
use crate::time::Timestamp;
use crate::{Db, DomainError, on_db};

use super::RetryPolicy;

pub(crate) const ENQUEUE_SQL: &str = "INSERT INTO jobs \
     (id, kind, idempotency_key, payload, state, attempts, max_attempts, interrupted, run_at, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, 'queued', 0, $5, 0, $6, $7, $7) \
     ON CONFLICT (idempotency_key) DO NOTHING";

/// A job a worker holds: run it, then [`succeed`] or [`fail`] it.
#[derive(Clone, Debug)]
pub struct ClaimedJob {
    pub id: String,
    pub kind: JobKind,
    pub payload: serde_json::Value,
    /// This run's number, 1 for the first.
    pub attempt: u32,
    pub max_attempts: u32,
    /// Earlier runs cut off mid-way: when non-zero, the side effect may already have happened.
    pub interrupted: u32,
}

#[derive(FromRow)]
struct ClaimRow {
    id: String,
    kind: String,
    payload: String,
    attempts: i64,
    max_attempts: i64,
    interrupted: i64,
}

/// The claim statement for `kinds` kinds (the bench's yardstick runs it too).
pub fn claim_sql(kinds: usize, postgres: bool) -> String {
    let kinds = crate::db::placeholders(5, kinds);
    let pick = format!(
        "SELECT id FROM jobs WHERE state IN ('queued', 'failed') AND run_at <= $1 AND kind IN ({kinds}) \
         ORDER BY run_at, id LIMIT $2"
    );
    let set =
        "SET state = 'running', attempts = attempts + 1, locked_by = $3, lease_until = $4, updated_at = $1";
    if postgres {
        format!(
            "WITH next AS ({pick} FOR UPDATE SKIP LOCKED) UPDATE jobs {set} FROM next WHERE jobs.id = next.id \
             RETURNING jobs.id, jobs.kind, jobs.payload, jobs.attempts, jobs.max_attempts, jobs.interrupted"
        )
    } else {
        format!(
            "UPDATE jobs {set} WHERE id IN ({pick}) \
             RETURNING id, kind, payload, attempts, max_attempts, interrupted"
        )
    }
}

/// Claims up to `limit` due jobs of `kinds` for `worker`, leased for `lease`, oldest due first.
pub async fn claim(
    db: &Db,
    worker: &str,
    kinds: &[JobKind],
    limit: usize,
    lease: Duration,
) -> Result<Vec<ClaimedJob>, DomainError> {
    if limit == 0 || kinds.is_empty() {
        return Ok(Vec::new());
    }
    let now = Timestamp::now();
    let lease_until = super::after(now, lease);
    let sql = claim_sql(kinds.len(), db.backend() == crate::Backend::Postgres);
    let rows: Vec<ClaimRow> = on_db!(db, pool => {
        let mut query = sqlx::query_as::<_, ClaimRow>(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .bind(worker)
            .bind(lease_until);
        for kind in kinds {
            query = query.bind(kind.as_str());
        }
        query.fetch_all(pool).await?
    });
    let mut claimed: Vec<ClaimedJob> = rows
        .into_iter()
        .filter_map(|row| {
            Some(ClaimedJob {
                kind: JobKind::parse(&row.kind)?,
                payload: serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null),
                attempt: u32::try_from(row.attempts).unwrap_or(u32::MAX),
                max_attempts: u32::try_from(row.max_attempts).unwrap_or(u32::MAX),
                interrupted: u32::try_from(row.interrupted).unwrap_or(u32::MAX),
                id: row.id,
            })
        })
        .collect();
    // RETURNING gives no order; run the oldest first.
    claimed.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(claimed)
}

/// When the next job of `kinds` that waits (queued or failed) becomes due: the worker sleeps
/// until then rather than until its poll, so a retry runs on time.
pub async fn next_due(db: &Db, kinds: &[JobKind]) -> Result<Option<Timestamp>, DomainError> {
    if kinds.is_empty() {
        return Ok(None);
    }
    let sql = format!(
        "SELECT run_at FROM jobs WHERE state IN ('queued', 'failed') AND kind IN ({}) ORDER BY run_at, id LIMIT 1",
        crate::db::placeholders(1, kinds.len())
    );
    Ok(on_db!(db, pool => {
        let mut query = sqlx::query_scalar::<_, Timestamp>(sqlx::AssertSqlSafe(sql));
        for kind in kinds {
            query = query.bind(kind.as_str());
        }
        query.fetch_optional(pool).await?
    }))
}

/// The statement that marks jobs done, for `ids` of them (the bench's yardstick runs it too).
pub fn succeed_sql(ids: usize) -> String {
    format!(
        "UPDATE jobs SET state = 'succeeded', locked_by = NULL, lease_until = NULL, last_error = NULL, \
         finished_at = $1, updated_at = $1 WHERE locked_by = $2 AND state = 'running' AND id IN ({})",
        crate::db::placeholders(3, ids)
    )
}

/// Marks the jobs `job_ids` done, in one statement (the worker gathers the runs that finished
/// since it last looked). Returns how many `worker` still held: fewer when a lease ran out and
/// another instance took a job over, which the worker logs.
pub async fn succeed(db: &Db, worker: &str, job_ids: &[String]) -> Result<u64, DomainError> {
    if job_ids.is_empty() {
        return Ok(0);
    }
    let now = Timestamp::now();
    Ok(on_db!(db, pool => {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(succeed_sql(job_ids.len()))).bind(now).bind(worker);
        for id in job_ids {
            query = query.bind(id);
        }
        query.execute(pool).await?.rows_affected()
    }))
}

/// How a run failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Worth another attempt (a timeout, a 5xx, a 429).
    Transient(String),
    /// Will never work (the provider refused the recipient): dead at once.
    Permanent(String),
}

/// Longest error text kept on a job.
const MAX_ERROR_LEN: usize = 2000;

/// Records a failed run: back to `failed` with the next attempt's time, or `dead` when it was
/// the last attempt or the failure is permanent. Returns the state it is left in.
pub async fn fail(
    db: &Db,
    worker: &str,
    job: &ClaimedJob,
    failure: &Failure,
    policy: RetryPolicy,
) -> Result<crate::model::JobState, DomainError> {
    use crate::model::JobState;
    let now = Timestamp::now();
    let (message, permanent) = match failure {
        Failure::Transient(m) => (m, false),
        Failure::Permanent(m) => (m, true),
    };
    let mut message = message.clone();
    if message.len() > MAX_ERROR_LEN {
        let mut cut = MAX_ERROR_LEN;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        message.truncate(cut);
    }
    let dead = permanent || job.attempt >= job.max_attempts;
    let (state, run_at, finished_at) = if dead {
        (JobState::Dead, now, Some(now))
    } else {
        (JobState::Failed, super::after(now, policy.backoff(job.attempt)), None)
    };
    on_db!(db, pool => {
        sqlx::query(
            "UPDATE jobs SET state = $1, run_at = $2, last_error = $3, locked_by = NULL, lease_until = NULL, \
             updated_at = $4, finished_at = $5 WHERE id = $6 AND locked_by = $7 AND state = 'running'",
        )
        .bind(state.as_str())
        .bind(run_at)
        .bind(&message)
        .bind(now)
        .bind(finished_at)
        .bind(&job.id)
        .bind(worker)
        .execute(pool)
        .await?;
    });
    Ok(state)
}

/// Extends the lease of every job `worker` is running. Returns how many it still holds.
pub async fn heartbeat(db: &Db, worker: &str, lease: Duration) -> Result<u64, DomainError> {
    let lease_until = super::from_now(lease);
    Ok(on_db!(db, pool => {
        sqlx::query("UPDATE jobs SET lease_until = $1 WHERE locked_by = $2 AND state = 'running'")
            .bind(lease_until)
            .bind(worker)
            .execute(pool)
            .await?
            .rows_affected()
    }))
}

/// What a recovered job's record says about the run that was cut off.
pub const INTERRUPTED_ERROR: &str =
    "The worker running this stopped before it finished (its lease ran out); it may have partly run.";
/// What a released job's record says after a shutdown stopped its run.
pub const RELEASED_ERROR: &str = "A shutdown stopped this run before it finished; it may have partly run.";

/// Puts back every running job whose lease has run out (its instance crashed or hung): it runs
/// again at once, counted as interrupted, or is dead if that was its last attempt (a job that
/// kills its worker every time must not loop for ever). Returns how many it put back.
pub async fn recover_expired(db: &Db) -> Result<u64, DomainError> {
    let now = Timestamp::now();
    Ok(on_db!(db, pool => {
        sqlx::query(
            "UPDATE jobs SET \
               state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'failed' END, \
               finished_at = CASE WHEN attempts >= max_attempts THEN $1 ELSE NULL END, \
               interrupted = interrupted + 1, run_at = $1, locked_by = NULL, lease_until = NULL, \
               last_error = $2, updated_at = $1 \
             WHERE state = 'running' AND lease_until < $1",
        )
        .bind(now)
        .bind(INTERRUPTED_ERROR)
        .execute(pool)
        .await?
        .rows_affected()
    }))
}

/// On shutdown, hands back the jobs `worker` still runs: due again at once, the attempt not
/// counted (the job did not fail), but marked interrupted since its side effect may have begun.
pub async fn release(db: &Db, worker: &str) -> Result<u64, DomainError> {
    let now = Timestamp::now();
    Ok(on_db!(db, pool => {
        sqlx::query(
            "UPDATE jobs SET state = 'queued', attempts = attempts - 1, interrupted = interrupted + 1, \
             run_at = $1, locked_by = NULL, lease_until = NULL, last_error = $2, updated_at = $1 \
             WHERE locked_by = $3 AND state = 'running'",
        )
        .bind(now)
        .bind(RELEASED_ERROR)
        .bind(worker)
        .execute(pool)
        .await?
        .rows_affected()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_claim_locks_rows_only_on_postgres() {
        assert!(claim_sql(2, true).contains("FOR UPDATE SKIP LOCKED"));
        assert!(claim_sql(2, true).contains("kind IN ($5, $6)"));
        assert!(!claim_sql(1, false).contains("FOR UPDATE"));
    }
}
