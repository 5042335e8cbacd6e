//! Group commit for the audit log. Every request that records an entry still waits until its
//! entry is committed (so no answered request can lose its entry in a crash), but requests
//! arriving together share one multi-row INSERT: one writer task per database drains whatever
//! has queued while the previous batch was being written. Under light load a batch is one
//! entry and costs what a plain insert costs; under heavy load SQLite sees one writer instead
//! of many competing for its lock, and PostgreSQL one commit (one WAL flush) per batch.

use sqlx::pool::PoolConnection;
use tokio::sync::{mpsc, oneshot};

use super::audit::{Entry, INSERT_COLUMNS};
use crate::db::Pool;
use crate::time::Timestamp;
use crate::{DomainError, on_pool};

/// Runs one multi-row INSERT of `$entries` on `$executor` (a single statement: all or none).
macro_rules! insert_on {
    ($executor:expr, $entries:expr) => {{
        let entries = $entries;
        let rows = entries.len();
        if rows > 0 {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(insert_sql(rows)));
            for Stamped { id, at, entry } in entries {
                query = query
                    .bind(id.as_str())
                    .bind(*at)
                    .bind(entry.actor_user_id.as_deref())
                    .bind(entry.actor_token_id.as_deref())
                    .bind(entry.action)
                    .bind(entry.subject_type)
                    .bind(entry.subject_id.as_deref())
                    .bind(entry.ip.as_deref())
                    .bind(entry.detail.as_deref());
            }
            query.execute($executor).await?;
        }
    }};
}

/// Most entries in one INSERT (9 bind values each, well under both backends' limits).
pub(crate) const MAX_BATCH: usize = 256;
/// Entries waiting beyond this make `record` wait for room (backpressure, not loss).
const QUEUE_CAPACITY: usize = 8192;

/// An entry with its id and time fixed when it was recorded, so the log's order is the
/// requests' order whatever batch it lands in.
pub(crate) struct Stamped {
    pub id: String,
    pub at: Timestamp,
    pub entry: Entry,
}

struct Pending {
    stamped: Stamped,
    committed: oneshot::Sender<Result<(), String>>,
}

/// The sending side, held by the database handle; the task ends when the last handle drops.
#[derive(Debug)]
pub(crate) struct AuditWriter {
    /// `None` when the handle was made outside a Tokio runtime (entries are then inserted
    /// directly by whoever records them).
    queue: Option<mpsc::Sender<Pending>>,
}

impl AuditWriter {
    /// Starts the writer task on the current Tokio runtime, if there is one.
    pub(crate) fn start(pool: Pool) -> AuditWriter {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return AuditWriter { queue: None };
        };
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        runtime.spawn(write_batches(pool, receiver));
        AuditWriter { queue: Some(queue) }
    }

    /// Queues `stamped` and waits until it is committed. `Err(stamped)` hands the entry back
    /// when there is no writer (none started, or its runtime shut down), for the caller to
    /// insert itself.
    pub(crate) async fn write(&self, stamped: Stamped) -> Result<Result<(), DomainError>, Stamped> {
        let Some(queue) = &self.queue else { return Err(stamped) };
        let (committed, outcome) = oneshot::channel();
        if let Err(refused) = queue.send(Pending { stamped, committed }).await {
            return Err(refused.0.stamped);
        }
        Ok(match outcome.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => {
                Err(DomainError::Internal(format!("could not write the audit log: {message}")))
            }
            Err(_) => Err(DomainError::Internal("the audit writer stopped".into())),
        })
    }
}

/// A connection the writer keeps while entries keep coming, so its batches do not queue for
/// the pool behind the very requests that wait for them. Returned to the pool when idle.
enum Held {
    Sqlite(PoolConnection<sqlx::Sqlite>),
    Postgres(PoolConnection<sqlx::Postgres>),
}

async fn acquire(pool: &Pool) -> Result<Held, sqlx::Error> {
    Ok(match pool {
        Pool::Sqlite(pool) => Held::Sqlite(pool.acquire().await?),
        Pool::Postgres(pool) => Held::Postgres(pool.acquire().await?),
    })
}

async fn write_batches(pool: Pool, mut queue: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut held: Option<Held> = None;
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let outcome = write_held(&pool, &mut held, &batch).await.map_err(|e| e.to_string());
        if let Err(message) = &outcome {
            tracing::error!(error = %message, entries = batch.len(), "audit batch failed");
            // The connection may be broken: take a fresh one next time.
            held = None;
        }
        for pending in batch.drain(..) {
            // A waiter that gave up (its request was cancelled) needs no answer.
            let _ = pending.committed.send(outcome.clone());
        }
        if queue.is_empty() {
            held = None;
        }
    }
}

async fn write_held(pool: &Pool, held: &mut Option<Held>, batch: &[Pending]) -> Result<(), DomainError> {
    let connection = match held {
        Some(connection) => connection,
        None => held.insert(acquire(pool).await?),
    };
    let entries = batch.iter().map(|p| &p.stamped);
    match connection {
        Held::Sqlite(connection) => insert_on!(&mut **connection, entries),
        Held::Postgres(connection) => insert_on!(&mut **connection, entries),
    }
    Ok(())
}

fn insert_sql(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|row| {
            let first = row * 9;
            let placeholders: Vec<String> = (first + 1..=first + 9).map(|n| format!("${n}")).collect();
            format!("({})", placeholders.join(", "))
        })
        .collect();
    format!("INSERT INTO audit_events ({INSERT_COLUMNS}) VALUES {}", values.join(", "))
}

/// Inserts `entries` through the pool (imports, and when no writer runs).
pub(crate) async fn insert<'a>(
    pool: &Pool,
    entries: impl ExactSizeIterator<Item = &'a Stamped>,
) -> Result<(), DomainError> {
    on_pool!(pool, pool => insert_on!(pool, entries));
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::services::audit::{self, Entry};
    use crate::{DatabaseUrl, Db, Pool};

    async fn count(db: &Db) -> i64 {
        crate::on_db!(db, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'test.entry'")
                .fetch_one(pool)
                .await
                .expect("count")
        })
    }

    /// Entries are committed before `record` returns, with the writer task and without one.
    #[test]
    fn entries_are_committed_with_or_without_a_writer_task() {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
        let file = std::env::temp_dir().join(format!("avatar-audit-{}.db", ulid::Ulid::new()));
        let url = DatabaseUrl::parse(&format!("sqlite://{}?mode=rwc", file.display())).expect("url");
        let with_writer = runtime.block_on(async {
            let db = Db::connect(&url).await.expect("connect");
            db.migrate().await.expect("migrate");
            db
        });
        // Made outside the runtime: no writer task, entries go straight in.
        let without_writer = Db::from_pool(with_writer.pool().clone());
        assert!(matches!(without_writer.pool(), Pool::Sqlite(_)));
        runtime.block_on(async {
            let together: Vec<_> = (0..20)
                .map(|_| {
                    let db = with_writer.clone();
                    tokio::spawn(async move { audit::record(&db, Entry::new("test.entry")).await })
                })
                .collect();
            for recording in together {
                recording.await.expect("task").expect("recorded");
            }
            assert_eq!(count(&with_writer).await, 20);
            audit::record(&without_writer, Entry::new("test.entry")).await.expect("recorded directly");
            assert_eq!(count(&with_writer).await, 21);
            with_writer.close().await;
        });
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    }
}
