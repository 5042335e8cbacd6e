//! The queue's own scheduled jobs: putting back what a dead instance held, and deleting what
//! has been kept long enough.

use std::time::Duration;

use crate::time::Timestamp;
use crate::{Db, on_db};

use super::queue::{self, ClaimedJob, Failure};
use super::worker::Handler;

/// How long a succeeded job is kept (its idempotency key with it).
pub const KEEP_SUCCEEDED: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// How long dead and discarded jobs, and outbox copies, are kept.
pub const KEEP_FAILED_AND_OUTBOX: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// [`queue::recover_expired`] as a job.
pub struct RecoverLeases(pub Db);

#[async_trait::async_trait]
impl Handler for RecoverLeases {
    async fn run(&self, _job: &ClaimedJob) -> Result<(), Failure> {
        let recovered =
            queue::recover_expired(&self.0).await.map_err(|e| Failure::Transient(e.to_string()))?;
        if recovered > 0 {
            tracing::warn!(jobs = recovered, "put back jobs whose worker stopped mid-run");
        }
        Ok(())
    }
}

/// What one sweep deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub jobs: u64,
    pub outbox_emails: u64,
}

/// Deletes succeeded jobs older than [`KEEP_SUCCEEDED`], dead and discarded ones and outbox
/// copies older than [`KEEP_FAILED_AND_OUTBOX`], as of `now`.
pub async fn sweep(db: &Db, now: Timestamp) -> Result<Swept, crate::DomainError> {
    let succeeded_before = Timestamp(now.0 - chrono::Duration::from_std(KEEP_SUCCEEDED).unwrap_or_default());
    let failed_before =
        Timestamp(now.0 - chrono::Duration::from_std(KEEP_FAILED_AND_OUTBOX).unwrap_or_default());
    Ok(on_db!(db, pool => {
        let jobs = sqlx::query(
            "DELETE FROM jobs WHERE (state = 'succeeded' AND finished_at < $1) \
             OR (state IN ('dead', 'discarded') AND finished_at < $2)",
        )
        .bind(succeeded_before)
        .bind(failed_before)
        .execute(pool)
        .await?
        .rows_affected();
        let outbox_emails = sqlx::query("DELETE FROM outbox_emails WHERE created_at < $1")
            .bind(failed_before)
            .execute(pool)
            .await?
            .rows_affected();
        Swept { jobs, outbox_emails }
    }))
}

/// [`sweep`] as a job.
pub struct RetentionSweep(pub Db);

#[async_trait::async_trait]
impl Handler for RetentionSweep {
    async fn run(&self, _job: &ClaimedJob) -> Result<(), Failure> {
        let swept = sweep(&self.0, Timestamp::now()).await.map_err(|e| Failure::Transient(e.to_string()))?;
        tracing::info!(jobs = swept.jobs, outbox_emails = swept.outbox_emails, "retention sweep");
        Ok(())
    }
}
