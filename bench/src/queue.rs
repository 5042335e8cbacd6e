//! The job queue's end-to-end throughput against a bare loop of the same SQL.
//!
//! Ours: `jobs::enqueue` of one no-op job per transaction (as a change enqueues its side
//! effect), while the worker (`domain::jobs::worker`, in the default configuration `make run`
//! uses) is woken by those commits, claims in batches, runs a no-op (that counts) in a task per
//! job and marks each job succeeded. The yardstick: the same statements from one loop on the same pool — `BEGIN`,
//! the same `INSERT … ON CONFLICT DO NOTHING` (and on PostgreSQL the same `NOTIFY`), `COMMIT`
//! per job, then the same claim `UPDATE … RETURNING` in batches of the worker's concurrency and
//! the same completing `UPDATE` per batch (`queue::claim_sql`, `queue::succeed_sql`) — with no
//! worker, wake-up, lease renewal or task per job. Rounds alternate
//! which goes first; each measures from the first enqueue to the last job recorded done.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::ensure;
use domain::Db;
use domain::jobs::queue::{ClaimedJob, Failure};
use domain::jobs::worker::{Handler, Worker, WorkerConfig};
use domain::jobs::{self, NewJob};
use domain::model::JobKind;
use domain::time::Timestamp;

/// Jobs per round.
pub const JOBS: usize = 10_000;
pub const ROUNDS: usize = 6;

pub struct QueueFigures {
    /// Median jobs per second of ours and of the bare loop.
    pub ours: f64,
    pub bare: f64,
    /// Median of the per-round ratios ours / bare, and the lowest and highest.
    pub ratio: f64,
    pub ratio_range: (f64, f64),
}

/// Counts runs, so the bench knows when every job has run.
struct Counting(Arc<AtomicUsize>);

#[async_trait::async_trait]
impl Handler for Counting {
    async fn run(&self, _job: &ClaimedJob) -> Result<(), Failure> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

async fn succeeded(db: &Db, round: &str) -> anyhow::Result<i64> {
    let pattern = format!("{round}:%");
    Ok(domain::on_db!(db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM jobs WHERE state = 'succeeded' AND idempotency_key LIKE $1")
            .bind(&pattern)
            .fetch_one(pool)
            .await?
    }))
}

/// One round of ours: jobs/s.
async fn ours(db: &Db, round: &str) -> anyhow::Result<f64> {
    let config = WorkerConfig::default();
    let runs = Arc::new(AtomicUsize::new(0));
    // The server's worker with a handler that counts (the server's no-op counts nothing).
    let worker = Worker::new(db.clone(), config).handle(JobKind::Noop, Counting(runs.clone()));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    for n in 0..JOBS {
        let mut tx = db.begin().await?;
        jobs::enqueue(
            &mut tx,
            NewJob::new(JobKind::Noop, format!("{round}:{n}"), &serde_json::json!({ "n": n })),
        )
        .await?;
        tx.commit().await?;
    }
    while runs.load(Ordering::Relaxed) < JOBS {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // The last runs' completions are written just after their handlers return.
    while succeeded(db, round).await? < JOBS as i64 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let _ = stop.send(());
    let _ = running.await;
    Ok(JOBS as f64 / elapsed)
}

/// One round of the bare loop: jobs/s.
async fn bare(db: &Db, round: &str, batch: i64) -> anyhow::Result<f64> {
    let started = Instant::now();
    let postgres = db.backend() == domain::Backend::Postgres;
    domain::on_db!(db, pool => {
        for n in 0..JOBS {
            let now = Timestamp::now();
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO jobs (id, kind, idempotency_key, payload, state, attempts, max_attempts, interrupted, run_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'queued', 0, $5, 0, $6, $7, $7) ON CONFLICT (idempotency_key) DO NOTHING",
            )
            .bind(ulid::Ulid::new().to_string())
            .bind("noop")
            .bind(format!("{round}:{n}"))
            .bind(serde_json::json!({ "n": n }).to_string())
            .bind(3_i64)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if postgres {
                sqlx::query("NOTIFY avatar_jobs").execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }
        let claim = domain::jobs::queue::claim_sql(1, postgres);
        let mut done = 0usize;
        while done < JOBS {
            let now = Timestamp::now();
            let claimed: Vec<(String, String, String, i64, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(claim.clone()))
                .bind(now)
                .bind(batch)
                .bind("bare")
                .bind(Timestamp(now.0 + chrono::Duration::seconds(60)))
                .bind("noop")
                .fetch_all(pool)
                .await?;
            ensure!(!claimed.is_empty(), "the bare loop found no job to claim");
            let mut complete = sqlx::query(sqlx::AssertSqlSafe(domain::jobs::queue::succeed_sql(claimed.len())))
                .bind(Timestamp::now())
                .bind("bare");
            for (id, ..) in &claimed {
                complete = complete.bind(id);
            }
            complete.execute(pool).await?;
            done += claimed.len();
        }
    });
    Ok(JOBS as f64 / started.elapsed().as_secs_f64())
}

/// Paired rounds, alternating which side goes first.
pub async fn measure(db: &Db) -> anyhow::Result<QueueFigures> {
    let batch = WorkerConfig::default().concurrency as i64;
    let (mut ours_rates, mut bare_rates, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let (o, b) = if round % 2 == 0 {
            let o = ours(db, &format!("ours{round}")).await?;
            (o, bare(db, &format!("bare{round}"), batch).await?)
        } else {
            let b = bare(db, &format!("bare{round}"), batch).await?;
            (ours(db, &format!("ours{round}")).await?, b)
        };
        eprintln!("  queue round {}: ours {o:.0} jobs/s, bare loop {b:.0} jobs/s", round + 1);
        ours_rates.push(o);
        bare_rates.push(b);
        ratios.push(o / b);
    }
    let low = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let high = ratios.iter().copied().fold(0.0, f64::max);
    Ok(QueueFigures {
        ours: crate::load::median(ours_rates),
        bare: crate::load::median(bare_rates),
        ratio: crate::load::median(ratios),
        ratio_range: (low, high),
    })
}
