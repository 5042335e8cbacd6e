//! The worker: claims due jobs, runs each kind's handler, records the outcome, keeps its leases
//! alive and puts back what a dead instance held. One per server instance; any number of
//! instances may share a database.
//!
//! It sleeps until a commit enqueues a job — in this process ([`crate::Db`]'s wake-up, used on
//! both backends) or on any instance (PostgreSQL `LISTEN`) — with a slow poll as the backstop
//! for jobs that become due later and for wake-ups that were missed.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::task::{JoinHandle, JoinSet};
use tracing::{Instrument, info_span};

use crate::model::{JobKind, JobState};
use crate::{Db, DomainError, Pool};

use super::RetryPolicy;
use super::queue::{self, ClaimedJob, Failure};

/// The shortest sleep between two looks at the queue when nothing woke the worker.
const MIN_NAP: Duration = Duration::from_millis(10);

/// What a kind of job does.
#[async_trait::async_trait]
pub trait Handler: Send + Sync + 'static {
    /// Runs `job` once. Must be safe to run again with the same job (at-least-once).
    async fn run(&self, job: &ClaimedJob) -> Result<(), Failure>;
}

/// How a worker runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkerConfig {
    /// Jobs run at once.
    pub concurrency: usize,
    /// How long a claim holds without renewal; renewed every third of it while a job runs.
    /// A crashed instance's jobs run again about this long after it died.
    pub lease: Duration,
    /// The backstop poll when no wake-up comes.
    pub poll: Duration,
    /// On shutdown, how long running jobs get to finish before they are stopped and handed back.
    pub shutdown_grace: Duration,
    /// Longest one run may take; then it fails as a transient error.
    pub run_timeout: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            concurrency: 8,
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(5),
            run_timeout: Duration::from_secs(300),
        }
    }
}

/// Runs this process's worker has finished, by kind and outcome (for `/metrics`).
#[derive(Debug, Default)]
pub struct WorkerStats {
    succeeded: [AtomicU64; JobKind::ALL.len()],
    failed: [AtomicU64; JobKind::ALL.len()],
}

impl WorkerStats {
    fn slot(kind: JobKind) -> usize {
        JobKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
    }

    fn count(&self, kind: JobKind, succeeded: bool) {
        let counters = if succeeded { &self.succeeded } else { &self.failed };
        counters[Self::slot(kind)].fetch_add(1, Ordering::Relaxed);
    }

    /// Runs of `kind` that succeeded.
    pub fn succeeded(&self, kind: JobKind) -> u64 {
        self.succeeded[Self::slot(kind)].load(Ordering::Relaxed)
    }

    /// Runs of `kind` that failed (transiently or for good; panics and timeouts included).
    pub fn failed(&self, kind: JobKind) -> u64 {
        self.failed[Self::slot(kind)].load(Ordering::Relaxed)
    }
}

/// Claims and runs jobs of the kinds it has handlers for.
pub struct Worker {
    db: Db,
    id: String,
    config: WorkerConfig,
    handlers: HashMap<JobKind, Arc<dyn Handler>>,
    /// Waits before the first retry that replace the kind's own (tests use short ones).
    first_retries: HashMap<JobKind, Duration>,
    stats: Arc<WorkerStats>,
}

/// Aborts a task when dropped (a stopped job's handler must not run on unseen).
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Worker {
    pub fn new(db: Db, config: WorkerConfig) -> Worker {
        let id = format!("worker-{}", ulid::Ulid::new().to_string().to_lowercase());
        Worker {
            db,
            id,
            config,
            handlers: HashMap::new(),
            first_retries: HashMap::new(),
            stats: Arc::default(),
        }
    }

    /// Runs jobs of `kind` with `handler`.
    pub fn handle(mut self, kind: JobKind, handler: impl Handler) -> Worker {
        self.handlers.insert(kind, Arc::new(handler));
        self
    }

    /// Waits `first_retry` (doubling after) before retrying `kind`, instead of
    /// [`RetryPolicy::for_kind`]'s wait. How many attempts a job gets is fixed when it is
    /// enqueued (its `max_attempts`).
    pub fn first_retry(mut self, kind: JobKind, first_retry: Duration) -> Worker {
        self.first_retries.insert(kind, first_retry);
        self
    }

    /// Counts this worker's runs into `stats` (shared with `/metrics`).
    pub fn stats(mut self, stats: Arc<WorkerStats>) -> Worker {
        self.stats = stats;
        self
    }

    /// The name this worker's claims carry (`locked_by`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Runs until `shutdown` completes; then lets running jobs finish within the grace period
    /// and hands back the rest.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let worker = Arc::new(self);
        let kinds: Vec<JobKind> = worker.handlers.keys().copied().collect();
        let wake = worker.db.jobs_wake().clone();
        let _listener = worker.listen_on_postgres();
        let concurrency = worker.config.concurrency.max(1);
        // Each run answers its job's id when it succeeded: those are marked done together.
        let mut running: JoinSet<Option<String>> = JoinSet::new();
        let mut succeeded: Vec<String> = Vec::new();
        let mut upkeep = tokio::time::interval(worker.config.lease / 3);
        upkeep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(shutdown);
        tracing::info!(worker = %worker.id, "job worker started");
        loop {
            while let Some(finished) = running.try_join_next() {
                succeeded.extend(finished.ok().flatten());
            }
            worker.mark_succeeded(&mut succeeded).await;
            let free = concurrency.saturating_sub(running.len());
            // Claim when idle or when at least half the slots are free, so a steady stream of
            // jobs is claimed in batches rather than one statement per job.
            let mut claimed = 0;
            if free > 0 && (running.is_empty() || free * 2 >= concurrency) {
                match queue::claim(&worker.db, &worker.id, &kinds, free, worker.config.lease).await {
                    Ok(jobs) => {
                        claimed = jobs.len();
                        for job in jobs {
                            let worker = worker.clone();
                            running.spawn(async move { worker.run_one(job).await });
                        }
                    }
                    Err(error) => tracing::warn!(worker = %worker.id, %error, "claiming jobs failed"),
                }
            }
            if claimed > 0 || !running.is_empty() {
                // Busy: look again when a run finishes (or a commit adds work while slots are free).
                tokio::select! {
                    _ = &mut shutdown => break,
                    Some(finished) = running.join_next(), if !running.is_empty() => {
                        succeeded.extend(finished.ok().flatten());
                    }
                    _ = wake.notified(), if running.len() < concurrency => {}
                    _ = upkeep.tick() => worker.upkeep().await,
                }
                continue;
            }
            // Asleep until a commit wakes it, a slot frees up, the next waiting job is due
            // (a retry), or the poll.
            let next_due = match queue::next_due(&worker.db, &kinds).await {
                Ok(Some(at)) => (at.0 - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO),
                Ok(None) => worker.config.poll,
                Err(_) => worker.config.poll,
            };
            tokio::select! {
                _ = &mut shutdown => break,
                _ = wake.notified() => {}
                // At least a moment: a due job another instance is claiming right now shows
                // as waiting until that claim commits.
                _ = tokio::time::sleep(next_due.clamp(MIN_NAP, worker.config.poll)) => {}
                _ = upkeep.tick() => worker.upkeep().await,
            }
        }
        worker.drain(running, succeeded).await;
    }

    /// Marks the runs in `succeeded` done, and empties it.
    async fn mark_succeeded(&self, succeeded: &mut Vec<String>) {
        if succeeded.is_empty() {
            return;
        }
        match queue::succeed(&self.db, &self.id, succeeded).await {
            Ok(n) if n < succeeded.len() as u64 => {
                tracing::warn!(worker = %self.id, "a job finished after its lease passed to another worker")
            }
            Ok(_) => {}
            // Their leases run out and they run again: at-least-once.
            Err(error) => tracing::warn!(worker = %self.id, %error, "recording finished jobs failed"),
        }
        succeeded.clear();
    }

    /// Renews this worker's leases and puts back jobs whose lease ran out elsewhere.
    async fn upkeep(&self) {
        if let Err(error) = queue::heartbeat(&self.db, &self.id, self.config.lease).await {
            tracing::warn!(worker = %self.id, %error, "renewing job leases failed");
        }
        match queue::recover_expired(&self.db).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::warn!(worker = %self.id, jobs = n, "put back jobs whose worker stopped mid-run")
            }
            Err(error) => tracing::warn!(worker = %self.id, %error, "recovering expired job leases failed"),
        }
    }

    /// Shutdown: waits for running jobs up to the grace period, renewing their leases, then
    /// stops the rest and hands them back.
    async fn drain(&self, mut running: JoinSet<Option<String>>, mut succeeded: Vec<String>) {
        let deadline = tokio::time::sleep(self.config.shutdown_grace);
        tokio::pin!(deadline);
        let mut upkeep = tokio::time::interval(self.config.lease / 3);
        while !running.is_empty() {
            tokio::select! {
                _ = &mut deadline => break,
                Some(finished) = running.join_next() => succeeded.extend(finished.ok().flatten()),
                _ = upkeep.tick() => {
                    let _ = queue::heartbeat(&self.db, &self.id, self.config.lease).await;
                }
            }
        }
        let stopped = running.len();
        running.shutdown().await;
        // Before handing back: what finished must not run again.
        self.mark_succeeded(&mut succeeded).await;
        match queue::release(&self.db, &self.id).await {
            Ok(released) => {
                tracing::info!(worker = %self.id, stopped, released, "job worker stopped")
            }
            Err(error) => tracing::warn!(worker = %self.id, %error, "handing back running jobs failed"),
        }
    }

    /// Runs one claimed job. A failure is recorded here; a success answers the job's id, for
    /// the loop to mark done with the others that finished.
    async fn run_one(self: Arc<Self>, job: ClaimedJob) -> Option<String> {
        let span = info_span!("job", worker = %self.id, job = %job.id, kind = job.kind.as_str(), attempt = job.attempt);
        async move {
            let handler = self.handlers.get(&job.kind).cloned()?;
            // The handler runs in a task of its own so a panic fails the job instead of
            // leaving it running under a lease this worker keeps renewing.
            let mut run = {
                let job = job.clone();
                AbortOnDrop(tokio::spawn(async move { handler.run(&job).await }))
            };
            let outcome = match tokio::time::timeout(self.config.run_timeout, &mut run.0).await {
                Ok(Ok(result)) => result,
                Ok(Err(_panicked)) => {
                    Err(Failure::Transient("The job stopped with an internal error.".into()))
                }
                Err(_elapsed) => Err(Failure::Transient(format!(
                    "Timed out after {} s.",
                    self.config.run_timeout.as_secs()
                ))),
            };
            self.stats.count(job.kind, outcome.is_ok());
            match outcome {
                Ok(()) => Some(job.id),
                Err(failure) => {
                    if let Err(error) = self.record_failure(&job, failure).await {
                        // The lease runs out and the job runs again: at-least-once.
                        tracing::warn!(%error, "recording a job's failure failed");
                    }
                    None
                }
            }
        }
        .instrument(span)
        .await
    }

    async fn record_failure(&self, job: &ClaimedJob, failure: Failure) -> Result<(), DomainError> {
        let mut policy = RetryPolicy::for_kind(job.kind);
        if let Some(first_retry) = self.first_retries.get(&job.kind) {
            policy.first_retry = *first_retry;
        }
        match queue::fail(&self.db, &self.id, job, &failure, policy).await? {
            JobState::Dead => tracing::warn!(error = ?failure, "job is dead"),
            _ => tracing::info!(error = ?failure, "job failed; will retry"),
        }
        Ok(())
    }

    /// On PostgreSQL, forwards notifications from every instance's commits to the wake-up.
    fn listen_on_postgres(&self) -> Option<AbortOnDrop<()>> {
        let Pool::Postgres(pool) = self.db.pool() else {
            return None;
        };
        let pool = pool.clone();
        let wake = self.db.jobs_wake().clone();
        Some(AbortOnDrop(tokio::spawn(async move {
            loop {
                let listening = async {
                    let mut listener = sqlx::postgres::PgListener::connect_with(&pool).await?;
                    listener.listen(super::CHANNEL).await?;
                    loop {
                        listener.recv().await?;
                        wake.notify_one();
                    }
                };
                let result: Result<(), sqlx::Error> = listening.await;
                if let Err(error) = result {
                    tracing::warn!(%error, "listening for new jobs failed; polling until it reconnects");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })))
    }
}
