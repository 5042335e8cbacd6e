//! The job queue on both databases: a job exists exactly when its transaction commits, a
//! duplicate key changes nothing (and leaves the PostgreSQL transaction usable), workers wake on
//! commit, retry with growing waits, die after their attempts, recover a crashed instance's
//! jobs after its lease, hand back unfinished jobs on shutdown, and two instances run each job
//! once. Then the REST routes administrators use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use domain::Db;
use domain::jobs::queue::{self, ClaimedJob, Failure};
use domain::jobs::worker::{Handler, Worker, WorkerConfig};
use domain::jobs::{self, NewJob, RetryPolicy};

/// Attempts a no-op job gets (its kind's policy).
fn max_attempts() -> i64 {
    i64::from(RetryPolicy::for_kind(JobKind::Noop).max_attempts)
}
use domain::model::{JobKind, JobState};
use serde_json::json;
use tokio::sync::oneshot;

use crate::common::{Backend, TestApp, TestDatabase};

/// What a test handler saw: each run's job id and when it started.
#[derive(Clone, Default)]
struct Runs(Arc<Mutex<Vec<(String, Instant)>>>);

impl Runs {
    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }
    fn of(&self, id: &str) -> Vec<Instant> {
        self.0.lock().unwrap().iter().filter(|(j, _)| j == id).map(|(_, at)| *at).collect()
    }
    fn per_job(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for (id, _) in self.0.lock().unwrap().iter() {
            *counts.entry(id.clone()).or_insert(0) += 1;
        }
        counts
    }
}

/// How the test handler behaves.
#[derive(Clone, Copy)]
enum Behaviour {
    Succeed,
    /// Fails (transiently) this many times, then succeeds.
    FailTimes(usize),
    FailPermanently,
    Panic,
    /// Takes this long.
    Slow(Duration),
}

struct Recording {
    runs: Runs,
    behaviour: Behaviour,
}

#[async_trait::async_trait]
impl Handler for Recording {
    async fn run(&self, job: &ClaimedJob) -> Result<(), Failure> {
        let earlier = self.runs.of(&job.id).len();
        self.runs.0.lock().unwrap().push((job.id.clone(), Instant::now()));
        match self.behaviour {
            Behaviour::Succeed => Ok(()),
            Behaviour::FailTimes(n) if earlier < n => {
                Err(Failure::Transient(format!("failure {}", earlier + 1)))
            }
            Behaviour::FailTimes(_) => Ok(()),
            Behaviour::FailPermanently => Err(Failure::Permanent("INVALID_RECIPIENT".into())),
            Behaviour::Panic => panic!("a handler bug"),
            Behaviour::Slow(wait) => {
                tokio::time::sleep(wait).await;
                Ok(())
            }
        }
    }
}

/// A worker that never polls on its own within a test's time (wake-ups must do the work).
fn config() -> WorkerConfig {
    WorkerConfig {
        concurrency: 4,
        lease: Duration::from_secs(30),
        poll: Duration::from_secs(120),
        shutdown_grace: Duration::from_secs(2),
        run_timeout: Duration::from_secs(30),
    }
}

/// A running worker and the switch that stops it.
struct Running {
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<()>,
}

impl Running {
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(20), &mut self.done).await.expect("worker stops").unwrap();
    }
}

fn start(worker: Worker) -> Running {
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));
    Running { stop: Some(stop), done }
}

fn recording_worker(db: &Db, config: WorkerConfig, behaviour: Behaviour) -> (Worker, Runs) {
    let runs = Runs::default();
    let worker = Worker::new(db.clone(), config)
        .handle(JobKind::Noop, Recording { runs: runs.clone(), behaviour })
        .first_retry(JobKind::Noop, Duration::from_millis(200));
    (worker, runs)
}

async fn enqueue(db: &Db, key: &str) -> String {
    let mut tx = db.begin().await.unwrap();
    let id = jobs::enqueue(&mut tx, NewJob::new(JobKind::Noop, key, &json!({ "key": key }))).await.unwrap();
    tx.commit().await.unwrap();
    id.expect("a new key makes a job")
}

#[derive(Debug, sqlx::FromRow)]
struct JobRow {
    state: String,
    attempts: i64,
    interrupted: i64,
    last_error: Option<String>,
    locked_by: Option<String>,
}

async fn row(db: &Db, id: &str) -> JobRow {
    domain::on_db!(db, pool => {
        sqlx::query_as::<_, JobRow>("SELECT state, attempts, interrupted, last_error, locked_by FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap()
    })
}

async fn job_count(db: &Db) -> i64 {
    domain::on_db!(db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM jobs").fetch_one(pool).await.unwrap()
    })
}

/// Waits (checking every 20 ms) until job `id` is in `state`, or fails after `within`.
async fn wait_for_state(db: &Db, id: &str, state: JobState, within: Duration) -> JobRow {
    let started = Instant::now();
    loop {
        let current = row(db, id).await;
        if current.state == state.as_str() {
            return current;
        }
        assert!(
            started.elapsed() < within,
            "job {id} still {current:?} after {within:?}, expected {state:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn fresh_db(backend: Backend) -> (TestDatabase, Db) {
    let database = TestDatabase::create(backend).await;
    let db = Db::connect(&crate::common::database_url(&database.url)).await.unwrap();
    db.migrate().await.unwrap();
    (database, db)
}

async fn a_job_exists_exactly_when_its_transaction_commits(backend: Backend) {
    let (_database, db) = fresh_db(backend).await;
    let mut tx = db.begin().await.unwrap();
    jobs::enqueue(&mut tx, NewJob::new(JobKind::Noop, "rolled-back", &json!({}))).await.unwrap().unwrap();
    drop(tx);
    assert_eq!(job_count(&db).await, 0, "a rolled-back transaction leaves no job");

    let id = enqueue(&db, "committed").await;
    let job = row(&db, &id).await;
    assert_eq!((job.state.as_str(), job.attempts), ("queued", 0));
}

async fn a_duplicate_key_changes_nothing_and_the_transaction_goes_on(backend: Backend) {
    let (_database, db) = fresh_db(backend).await;
    let first = enqueue(&db, "sms:01J0MESSAGE").await;
    let mut tx = db.begin().await.unwrap();
    let again =
        jobs::enqueue(&mut tx, NewJob::new(JobKind::Noop, "sms:01J0MESSAGE", &json!({}))).await.unwrap();
    assert_eq!(again, None, "the same key twice is a no-op");
    // The transaction is still usable (on PostgreSQL an error would have aborted it).
    let other =
        jobs::enqueue(&mut tx, NewJob::new(JobKind::Noop, "sms:01J0OTHER", &json!({}))).await.unwrap();
    assert!(other.is_some());
    tx.commit().await.unwrap();
    assert_eq!(job_count(&db).await, 2);
    assert_eq!(row(&db, &first).await.state, "queued");
}

async fn a_commit_wakes_the_worker_without_waiting_for_its_poll(backend: Backend) {
    let (_database, db) = fresh_db(backend).await;
    let (worker, runs) = recording_worker(&db, config(), Behaviour::Succeed);
    let running = start(worker);
    // Let the worker reach its wait, so the job can only be found through the wake-up.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let id = enqueue(&db, "wake").await;
    let done = wait_for_state(&db, &id, JobState::Succeeded, Duration::from_secs(15)).await;
    assert_eq!(done.attempts, 1);
    assert_eq!(done.locked_by, None);
    assert_eq!(runs.count(), 1);
    running.stop().await;
}

async fn a_failing_job_retries_with_growing_waits_then_dies(backend: Backend) {
    let (_database, db) = fresh_db(backend).await;
    let (worker, runs) = recording_worker(&db, config(), Behaviour::FailTimes(usize::MAX));
    let running = start(worker);
    let id = enqueue(&db, "always-fails").await;
    let dead = wait_for_state(&db, &id, JobState::Dead, Duration::from_secs(45)).await;
    assert_eq!(dead.attempts, max_attempts(), "max_attempts runs in all");
    let last = format!("failure {}", max_attempts());
    assert_eq!(dead.last_error.as_deref(), Some(last.as_str()), "the last error is kept");
    let at = runs.of(&id);
    assert_eq!(at.len() as i64, max_attempts());
    let gaps: Vec<Duration> = at.windows(2).map(|w| w[1] - w[0]).collect();
    // Waits of 200 ms × 2ⁿ with up to half taken off by jitter: at least 100, 200, 400 ms.
    for (n, gap) in gaps.iter().enumerate() {
        let floor = Duration::from_millis(100 << n);
        assert!(*gap >= floor, "retry {} came after {gap:?}, before {floor:?}", n + 1);
    }
    running.stop().await;
}

async fn a_transient_failure_then_success_ends_succeeded(backend: Backend) {
    let (_database, db) = fresh_db(backend).await;
    let (worker, runs) = recording_worker(&db, config(), Behaviour::FailTimes(max_attempts() as usize - 1));
    let running = start(worker);
    let id = enqueue(&db, "flaky").await;
    let done = wait_for_state(&db, &id, JobState::Succeeded, Duration::from_secs(30)).await;
    assert_eq!((done.attempts, done.last_error), (max_attempts(), None));
    assert_eq!(runs.of(&id).len() as i64, max_attempts());
    running.stop().await;
}

async fn a_permanent_failure_is_dead_at_once(backend: Backend) {
    let (_database, db) = fresh_db(backend).await;
    let (worker, runs) = recording_worker(&db, config(), Behaviour::FailPermanently);
    let running = start(worker);
    let id = enqueue(&db, "refused").await;
    let dead = wait_for_state(&db, &id, JobState::Dead, Duration::from_secs(15)).await;
    assert_eq!((dead.attempts, dead.last_error.as_deref()), (1, Some("INVALID_RECIPIENT")));
    assert_eq!(runs.count(), 1);
    running.stop().await;
}

async fn a_panicking_handler_fails_its_job_instead_of_holding_it(backend: Backend) {
    let (_database, db) = fresh_db(backend).await;
    let (worker, _runs) = recording_worker(&db, config(), Behaviour::Panic);
    let running = start(worker);
    let id = enqueue(&db, "panics").await;
    let dead = wait_for_state(&db, &id, JobState::Dead, Duration::from_secs(45)).await;
    assert_eq!(dead.attempts, max_attempts());
    assert_eq!(dead.locked_by, None);
    running.stop().await;
}

async fn a_crashed_instances_job_runs_again_after_its_lease(backend: Backend) {
    let (_database, db) = fresh_db(backend).await;
    let id = enqueue(&db, "held-by-the-dead").await;
    // An instance claims it for one second and dies: it never finishes or renews.
    let claimed =
        queue::claim(&db, "worker-crashed", &[JobKind::Noop], 10, Duration::from_secs(1)).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(row(&db, &id).await.state, "running");
    let lease = WorkerConfig { lease: Duration::from_secs(3), ..config() };
    let (worker, runs) = recording_worker(&db, lease, Behaviour::Succeed);
    let running = start(worker);
    let done = wait_for_state(&db, &id, JobState::Succeeded, Duration::from_secs(30)).await;
    assert_eq!(done.interrupted, 1, "the record says a run was cut off (it may have sent twice)");
    assert_eq!(done.attempts, 2);
    assert_eq!(runs.of(&id).len(), 1);
    running.stop().await;
}

async fn a_job_that_keeps_killing_its_worker_ends_dead(backend: Backend) {
    let (_database, db) = fresh_db(backend).await;
    let id = enqueue(&db, "poison").await;
    // Instances in turn claim it and die, as many as it has attempts.
    for n in 0..max_attempts() {
        let claimed =
            queue::claim(&db, &format!("worker-{n}"), &[JobKind::Noop], 1, Duration::ZERO).await.unwrap();
        assert_eq!(claimed.len(), 1, "claim {n}");
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert_eq!(queue::recover_expired(&db).await.unwrap(), 1);
    }
    let job = row(&db, &id).await;
    assert_eq!((job.state.as_str(), job.attempts, job.interrupted), ("dead", max_attempts(), max_attempts()));
}

async fn shutdown_hands_back_a_job_still_running_after_the_grace_period(backend: Backend) {
    let (_database, db) = fresh_db(backend).await;
    let quick = WorkerConfig { shutdown_grace: Duration::from_millis(200), ..config() };
    let (worker, runs) = recording_worker(&db, quick, Behaviour::Slow(Duration::from_secs(30)));
    let running = start(worker);
    let id = enqueue(&db, "slow").await;
    wait_for_state(&db, &id, JobState::Running, Duration::from_secs(15)).await;
    let stopping = Instant::now();
    running.stop().await;
    assert!(stopping.elapsed() < Duration::from_secs(5), "stopped within the grace period");
    let job = row(&db, &id).await;
    assert_eq!((job.state.as_str(), job.attempts, job.interrupted), ("queued", 0, 1));
    assert_eq!(job.locked_by, None);
    assert_eq!(runs.count(), 1);

    // Another instance picks it up at once.
    let (worker, _runs) = recording_worker(&db, config(), Behaviour::Succeed);
    let running = start(worker);
    wait_for_state(&db, &id, JobState::Succeeded, Duration::from_secs(15)).await;
    running.stop().await;
}

async fn shutdown_lets_a_short_job_finish(backend: Backend) {
    let (_database, db) = fresh_db(backend).await;
    let (worker, _runs) = recording_worker(&db, config(), Behaviour::Slow(Duration::from_millis(500)));
    let running = start(worker);
    let id = enqueue(&db, "short").await;
    wait_for_state(&db, &id, JobState::Running, Duration::from_secs(15)).await;
    running.stop().await;
    let job = row(&db, &id).await;
    assert_eq!((job.state.as_str(), job.interrupted), ("succeeded", 0));
}

async fn two_instances_run_every_job_once(backend: Backend) {
    let (database, db) = fresh_db(backend).await;
    // A second instance: its own pool (and on PostgreSQL its own LISTEN) on the same database.
    let other_db = Db::connect(&crate::common::database_url(&database.url)).await.unwrap();
    let runs = Runs::default();
    let workers = [&db, &other_db].map(|db| {
        start(Worker::new(db.clone(), config()).handle(
            JobKind::Noop,
            Recording { runs: runs.clone(), behaviour: Behaviour::Slow(Duration::from_millis(2)) },
        ))
    });
    let mut ids = Vec::new();
    for batch in 0..20 {
        // Enqueued through both instances, 25 per transaction.
        let enqueuer = if batch % 2 == 0 { &db } else { &other_db };
        let mut tx = enqueuer.begin().await.unwrap();
        for n in 0..25 {
            let key = format!("job-{batch}-{n}");
            ids.push(
                jobs::enqueue(&mut tx, NewJob::new(JobKind::Noop, key, &json!({}))).await.unwrap().unwrap(),
            );
        }
        tx.commit().await.unwrap();
    }
    let started = Instant::now();
    while runs.count() < ids.len() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "only {} of {} jobs ran",
            runs.count(),
            ids.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for worker in workers {
        worker.stop().await;
    }
    let per_job = runs.per_job();
    assert_eq!(per_job.len(), ids.len());
    assert!(
        per_job.values().all(|n| *n == 1),
        "a job ran twice: {:?}",
        per_job.iter().find(|(_, n)| **n > 1)
    );
    let succeeded: i64 = domain::on_db!(&db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE state = 'succeeded'").fetch_one(pool).await.unwrap()
    });
    assert_eq!(succeeded, ids.len() as i64);
    let by: i64 = domain::on_db!(&db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE interrupted > 0").fetch_one(pool).await.unwrap()
    });
    assert_eq!(by, 0);
}

async fn administrators_list_retry_and_discard_jobs_over_rest(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("JOBS_WORKER", "off")]).await;
    let admin = app.api_token("admin").await;
    let manager = app.api_token("manager").await;
    let dead = enqueue(&app.db, "rest-dead").await;
    let waiting = enqueue(&app.db, "rest-waiting").await;
    domain::on_db!(&app.db, pool => {
        sqlx::query("UPDATE jobs SET state = 'dead', attempts = 3, last_error = 'HTTP 500 from ClickSend' WHERE id = $1")
            .bind(&dead)
            .execute(pool)
            .await
            .unwrap();
    });
    let api = app.api();
    let get = |path: String, token: String| {
        let (api, url) = (api.clone(), app.url(&path));
        async move { api.get(url).bearer_auth(token).send().await.unwrap() }
    };
    let post = |path: String| {
        let (api, url, token) = (api.clone(), app.url(&path), admin.clone());
        async move { api.post(url).bearer_auth(token).send().await.unwrap() }
    };

    let listed: serde_json::Value =
        get("/api/v1/jobs?state=dead&type=noop".into(), admin.clone()).await.json().await.unwrap();
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], dead.as_str());
    assert_eq!(items[0]["last_error"], "HTTP 500 from ClickSend");
    assert!(items[0].get("payload").is_none(), "payloads can hold patient data and are not listed");
    let everything: serde_json::Value = get("/api/v1/jobs".into(), admin.clone()).await.json().await.unwrap();
    let ids: Vec<&str> =
        everything["items"].as_array().unwrap().iter().filter_map(|j| j["id"].as_str()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&dead.as_str()) && ids.contains(&waiting.as_str()));
    assert!(ids[0] > ids[1], "newest (highest id) first");

    assert_eq!(get("/api/v1/jobs".into(), manager.clone()).await.status(), 403, "administrators only");
    let bad = get("/api/v1/jobs?state=stuck".into(), admin.clone()).await;
    assert_eq!(bad.status(), 422);
    let bad = get("/api/v1/jobs?limit=0".into(), admin.clone()).await;
    assert_eq!(bad.status(), 422);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert!(body["error"]["fields"]["limit"].is_string(), "{body}");
    assert_eq!(get("/api/v1/jobs/01K0N0J0B00000000000000000".into(), admin.clone()).await.status(), 404);

    // A queued job cannot be retried; a dead one can, once.
    let conflict = post(format!("/api/v1/jobs/{waiting}/retry")).await;
    assert_eq!(conflict.status(), 409);
    let body: serde_json::Value = conflict.json().await.unwrap();
    assert_eq!(body["error"]["message"], "This job is queued and cannot be retried.");
    let retried = post(format!("/api/v1/jobs/{dead}/retry")).await;
    assert_eq!(retried.status(), 200);
    let retried: serde_json::Value = retried.json().await.unwrap();
    assert_eq!((retried["state"].as_str(), retried["attempts"].as_i64()), (Some("queued"), Some(0)));

    let discarded: serde_json::Value =
        post(format!("/api/v1/jobs/{waiting}/discard")).await.json().await.unwrap();
    assert_eq!(discarded["state"], "discarded");
    assert_eq!(post(format!("/api/v1/jobs/{waiting}/discard")).await.status(), 409);

    // Both changes are in the audit log.
    let audit: serde_json::Value =
        get("/api/v1/audit-events?subject_type=job".into(), admin.clone()).await.json().await.unwrap();
    let actions: Vec<&str> =
        audit["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["job.discard", "job.retry"]);

    // A discarded job never runs, even with a worker.
    let (worker, runs) = recording_worker(&app.db, config(), Behaviour::Succeed);
    let running = start(worker);
    wait_for_state(&app.db, &dead, JobState::Succeeded, Duration::from_secs(15)).await;
    assert_eq!(runs.of(&waiting).len(), 0);
    running.stop().await;
}

async fn keys(db: &Db) -> Vec<String> {
    domain::on_db!(db, pool => {
        sqlx::query_scalar::<_, String>("SELECT idempotency_key FROM jobs ORDER BY idempotency_key")
            .fetch_all(pool)
            .await
            .unwrap()
    })
}

async fn cron_ticks_are_enqueued_once_across_instances_and_once_after_downtime(backend: Backend) {
    use chrono::TimeZone;
    use domain::jobs::cron;
    let (database, db) = fresh_db(backend).await;
    let other_db = Db::connect(&crate::common::database_url(&database.url)).await.unwrap();
    let schedules = cron::parsed().unwrap();
    // 09:59:30 UTC on 2 Dec 2026; with no location yet the clinic's clock is UTC.
    let now = chrono::Utc.with_ymd_and_hms(2026, 12, 2, 9, 59, 30).unwrap();
    // Two instances evaluate the schedules at the same moment, twice each.
    for _ in 0..2 {
        let (a, b) = tokio::join!(
            cron::enqueue_due(&db, &schedules, now),
            cron::enqueue_due(&other_db, &schedules, now)
        );
        a.unwrap();
        b.unwrap();
    }
    assert_eq!(
        keys(&db).await,
        [
            "cron:enrichment_sweep:2026-12-02T02:30:00.000000Z",
            "cron:lease_recovery:2026-12-02T09:59:00.000000Z",
            "cron:no_show_sweep:2026-12-02T09:05:00.000000Z",
            "cron:retention_sweep:2026-12-02T03:15:00.000000Z",
            "cron:warmness_sweep:2026-12-02T02:00:00.000000Z"
        ]
    );
    // Down for three hours and ten minutes: each schedule's latest tick once, no backlog.
    let later = now + chrono::Duration::minutes(190);
    let (new, next) = cron::enqueue_due(&db, &schedules, later).await.unwrap();
    assert_eq!(new, 2, "only the every-minute and hourly schedules have ticks since, one each");
    assert!(next <= Duration::from_secs(60));
    let keys = keys(&db).await;
    assert_eq!(keys.len(), 7);
    assert!(keys.contains(&"cron:no_show_sweep:2026-12-02T13:05:00.000000Z".to_owned()), "{keys:?}");
    assert!(keys.contains(&"cron:lease_recovery:2026-12-02T13:09:00.000000Z".to_owned()), "{keys:?}");
}

async fn a_nightly_tick_is_read_on_the_clinics_clock(backend: Backend) {
    use chrono::TimeZone;
    use domain::jobs::cron;
    let app = TestApp::spawn_with(backend, &[("JOBS_WORKER", "off")]).await;
    // The demo clinic's first location (by name) is Brisbane North: Australia/Brisbane, UTC+10
    // all year.
    app.seed_demo().await;
    let schedules = cron::parsed().unwrap();
    // 18:00 UTC on 2 Dec 2026 is 4 am on 3 Dec in Brisbane, 5 am in Sydney (summer time).
    let now = chrono::Utc.with_ymd_and_hms(2026, 12, 2, 18, 0, 0).unwrap();
    cron::enqueue_due(&app.db, &schedules, now).await.unwrap();
    let keys = keys(&app.db).await;
    assert!(
        keys.contains(&"cron:retention_sweep:2026-12-02T17:15:00.000000Z".to_owned()),
        "3:15 am AEST: {keys:?}"
    );
    assert!(
        keys.contains(&"cron:warmness_sweep:2026-12-02T16:00:00.000000Z".to_owned()),
        "the warmness sweep at 2 am AEST: {keys:?}"
    );

    // Moved to Sydney's clock, the night's tick is an hour earlier in UTC.
    domain::on_db!(&app.db, pool => {
        sqlx::query("UPDATE locations SET time_zone = 'Australia/Sydney'").execute(pool).await.unwrap();
        sqlx::query("DELETE FROM jobs").execute(pool).await.unwrap();
    });
    cron::enqueue_due(&app.db, &schedules, now).await.unwrap();
    let keys = self::keys(&app.db).await;
    assert!(
        keys.contains(&"cron:retention_sweep:2026-12-02T16:15:00.000000Z".to_owned()),
        "3:15 am AEDT: {keys:?}"
    );
}

async fn the_retention_sweep_deletes_only_what_has_been_kept_long_enough(backend: Backend) {
    let (_database, db) = fresh_db(backend).await;
    let now = domain::time::Timestamp::now();
    let days_ago = |days: i64| domain::time::Timestamp(now.0 - chrono::Duration::days(days));
    let mut ids = Vec::new();
    for (key, state, finished) in [
        ("old-success", "succeeded", days_ago(8)),
        ("new-success", "succeeded", days_ago(6)),
        ("old-dead", "dead", days_ago(31)),
        ("recent-dead", "dead", days_ago(8)),
        ("old-but-waiting", "failed", days_ago(40)),
    ] {
        let id = enqueue(&db, key).await;
        domain::on_db!(&db, pool => {
            sqlx::query("UPDATE jobs SET state = $1, finished_at = $2, created_at = $2 WHERE id = $3")
                .bind(state)
                .bind(finished)
                .bind(&id)
                .execute(pool)
                .await
                .unwrap();
        });
        ids.push(id);
    }
    let swept = domain::jobs::housekeeping::sweep(&db, now).await.unwrap();
    assert_eq!(swept.jobs, 2);
    assert_eq!(keys(&db).await, ["new-success", "old-but-waiting", "recent-dead"]);
}

on_both_backends!(
    cron_ticks_are_enqueued_once_across_instances_and_once_after_downtime,
    a_nightly_tick_is_read_on_the_clinics_clock,
    the_retention_sweep_deletes_only_what_has_been_kept_long_enough,
);

on_both_backends!(
    a_job_exists_exactly_when_its_transaction_commits,
    a_duplicate_key_changes_nothing_and_the_transaction_goes_on,
    a_commit_wakes_the_worker_without_waiting_for_its_poll,
    a_failing_job_retries_with_growing_waits_then_dies,
    a_transient_failure_then_success_ends_succeeded,
    a_permanent_failure_is_dead_at_once,
    a_panicking_handler_fails_its_job_instead_of_holding_it,
    a_crashed_instances_job_runs_again_after_its_lease,
    a_job_that_keeps_killing_its_worker_ends_dead,
    shutdown_hands_back_a_job_still_running_after_the_grace_period,
    shutdown_lets_a_short_job_finish,
    two_instances_run_every_job_once,
    administrators_list_retry_and_discard_jobs_over_rest,
);
