//! What people do with jobs (the Jobs page, `GET /api/v1/jobs`, retry and discard): list and
//! count them, send a failed or dead job round again, give one up. Administrators only
//! (`jobs.manage`); every retry and discard is audited in its transaction.

use sqlx::FromRow;

use crate::access::Permission;
use crate::model::{Job, JobKind, JobState, Page};
use crate::request::RequestMeta;
use crate::services::audit::{self, Entry};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, on_db, on_tx};

/// Largest page of jobs.
pub const MAX_LIMIT: i64 = 200;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    pub state: Option<JobState>,
    pub kind: Option<JobKind>,
    /// The previous page's `next_cursor` (a job id: newer jobs come first).
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

#[derive(FromRow)]
struct Row {
    id: String,
    kind: String,
    state: String,
    attempts: i64,
    max_attempts: i64,
    interrupted: i64,
    run_at: Timestamp,
    last_error: Option<String>,
    created_at: Timestamp,
    updated_at: Timestamp,
    finished_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, kind, state, attempts, max_attempts, interrupted, run_at, last_error, \
    created_at, updated_at, finished_at";

impl Row {
    fn into_job(self) -> Option<Job> {
        Some(Job {
            kind: JobKind::parse(&self.kind)?,
            state: JobState::parse(&self.state)?,
            id: self.id,
            attempts: self.attempts,
            max_attempts: self.max_attempts,
            interrupted: self.interrupted,
            run_at: self.run_at.0,
            last_error: self.last_error,
            created_at: self.created_at.0,
            updated_at: self.updated_at.0,
            finished_at: self.finished_at.map(|t| t.0),
        })
    }
}

/// Jobs newest first, filtered by state and kind.
pub async fn list(db: &Db, actor: &Actor, filter: &Filter) -> Result<Page<Job>, DomainError> {
    actor.require(Permission::JobsManage)?;
    let limit = filter.limit.unwrap_or(50);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(DomainError::field("limit", format!("must be between 1 and {MAX_LIMIT}")));
    }
    if let Some(cursor) = &filter.cursor
        && crate::input::ulid(cursor).is_none()
    {
        return Err(DomainError::field("cursor", "is not a cursor from a previous page"));
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM jobs WHERE ($1 IS NULL OR state = $1) AND ($2 IS NULL OR kind = $2) \
         AND ($3 IS NULL OR id < $3) ORDER BY id DESC LIMIT $4"
    );
    let rows: Vec<Row> = on_db!(db, pool => {
        sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
            .bind(filter.state.map(JobState::as_str))
            .bind(filter.kind.map(JobKind::as_str))
            .bind(filter.cursor.as_deref())
            .bind(limit + 1)
            .fetch_all(pool)
            .await?
    });
    let more = rows.len() as i64 > limit;
    let items: Vec<Job> = rows.into_iter().take(limit as usize).filter_map(Row::into_job).collect();
    let next_cursor = if more { items.last().map(|job| job.id.clone()) } else { None };
    Ok(Page::forward(items, next_cursor))
}

/// One job.
pub async fn get(db: &Db, actor: &Actor, id: &str) -> Result<Job, DomainError> {
    actor.require(Permission::JobsManage)?;
    find(db, id).await?.ok_or(DomainError::NotFound("job"))
}

async fn find(db: &Db, id: &str) -> Result<Option<Job>, DomainError> {
    let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
    let row: Option<Row> = on_db!(db, pool => {
        sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?
    });
    Ok(row.and_then(Row::into_job))
}

/// How many jobs are in each state, per kind (the Jobs page's tabs, `/metrics`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StateCounts {
    pub counts: Vec<(JobKind, JobState, i64)>,
    /// When the longest-waiting due job became due (the queue's lag).
    pub oldest_due: Option<chrono::DateTime<chrono::Utc>>,
}

/// Counts by kind and state, for people (`jobs.manage`).
pub async fn counts(db: &Db, actor: &Actor) -> Result<StateCounts, DomainError> {
    actor.require(Permission::JobsManage)?;
    counts_unchecked(db).await
}

/// Counts by kind and state, for `/metrics` (whose own guard decides who may read it).
pub async fn counts_unchecked(db: &Db) -> Result<StateCounts, DomainError> {
    let now = Timestamp::now();
    let (rows, oldest): (Vec<(String, String, i64)>, Option<Timestamp>) = on_db!(db, pool => {
        let rows = sqlx::query_as::<_, (String, String, i64)>(
            "SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state",
        )
        .fetch_all(pool)
        .await?;
        let oldest = sqlx::query_scalar::<_, Timestamp>(
            "SELECT run_at FROM jobs WHERE state IN ('queued', 'failed') AND run_at <= $1 ORDER BY run_at, id LIMIT 1",
        )
        .bind(now)
        .fetch_optional(pool)
        .await?;
        (rows, oldest)
    });
    let counts = rows
        .into_iter()
        .filter_map(|(kind, state, n)| Some((JobKind::parse(&kind)?, JobState::parse(&state)?, n)))
        .collect();
    Ok(StateCounts { counts, oldest_due: oldest.map(|t| t.0) })
}

/// Sends a failed, dead or discarded job round again: due now, with all its attempts back.
pub async fn retry(db: &Db, actor: &Actor, id: &str, meta: &RequestMeta) -> Result<Job, DomainError> {
    change(db, actor, id, meta, Change::Retry).await
}

/// Gives up a job that has not succeeded and is not running: it never runs again.
pub async fn discard(db: &Db, actor: &Actor, id: &str, meta: &RequestMeta) -> Result<Job, DomainError> {
    change(db, actor, id, meta, Change::Discard).await
}

#[derive(Clone, Copy)]
enum Change {
    Retry,
    Discard,
}

async fn change(
    db: &Db,
    actor: &Actor,
    id: &str,
    meta: &RequestMeta,
    change: Change,
) -> Result<Job, DomainError> {
    actor.require(Permission::JobsManage)?;
    let job = find(db, id).await?.ok_or(DomainError::NotFound("job"))?;
    let (allowed, sql, action) = match change {
        Change::Retry => (
            JobState::ALL.into_iter().filter(|s| s.retryable()).collect::<Vec<_>>(),
            "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, finished_at = NULL, updated_at = $1 \
             WHERE id = $2 AND state IN ('failed', 'dead', 'discarded')",
            "job.retry",
        ),
        Change::Discard => (
            JobState::ALL.into_iter().filter(|s| s.discardable()).collect(),
            "UPDATE jobs SET state = 'discarded', finished_at = $1, updated_at = $1 \
             WHERE id = $2 AND state IN ('queued', 'failed', 'dead')",
            "job.discard",
        ),
    };
    let refused = |state: JobState| {
        let verb = match change {
            Change::Retry => "retried",
            Change::Discard => "discarded",
        };
        DomainError::Conflict(format!("This job is {} and cannot be {verb}.", state.as_str()))
    };
    if !allowed.contains(&job.state) {
        return Err(refused(job.state));
    }
    let now = Timestamp::now();
    let mut tx = db.begin().await?;
    let changed = on_tx!(tx, conn => {
        sqlx::query(sql).bind(now).bind(id).execute(&mut **conn).await?.rows_affected()
    });
    if changed == 0 {
        // It moved on between the read and the write (a worker claimed or finished it).
        drop(tx);
        let state = find(db, id).await?.map(|j| j.state).unwrap_or(job.state);
        return Err(refused(state));
    }
    audit::record_in(
        &mut tx,
        Entry::new(action).by(actor).on("job", id).from(meta).detail(job.kind.as_str()),
    )
    .await?;
    if matches!(change, Change::Retry) {
        tx.mark_enqueued();
    }
    tx.commit().await?;
    find(db, id).await?.ok_or(DomainError::NotFound("job"))
}
