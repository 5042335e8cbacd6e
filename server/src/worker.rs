//! The background worker this instance runs: which handler each kind of job has. The queue and
//! its rules are in `domain::jobs`; handlers that reach providers (SMS, email) live beside them
//! in the domain, and are wired here with this instance's configuration.

use domain::Db;
use domain::jobs::queue::{ClaimedJob, Failure};
use domain::jobs::worker::{Handler, Worker, WorkerConfig};
use domain::model::JobKind;

/// Does nothing: what the queue benchmark and a liveness check enqueue.
pub struct Noop;

#[async_trait::async_trait]
impl Handler for Noop {
    async fn run(&self, _job: &ClaimedJob) -> Result<(), Failure> {
        Ok(())
    }
}

/// The worker with every kind of job this server knows.
pub fn build(db: Db, config: WorkerConfig) -> Worker {
    use domain::jobs::housekeeping::{RecoverLeases, RetentionSweep};
    Worker::new(db.clone(), config)
        .handle(JobKind::Noop, Noop)
        .handle(JobKind::RecoverLeases, RecoverLeases(db.clone()))
        .handle(JobKind::RetentionSweep, RetentionSweep(db))
}
