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
    queue: mpsc::Sender<Pending>,
}

impl AuditWriter {
    /// Starts the writer task on the current Tokio runtime.
    pub(crate) fn start(pool: Pool) -> AuditWriter {
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(write_batches(pool, receiver));
        AuditWriter { queue }
    }

    /// Queues `stamped` and waits until it is committed. `Err(stamped)` hands the entry back
    /// when the writer is gone (its runtime shut down), for the caller to insert itself.
    pub(crate) async fn write(&self, stamped: Stamped) -> Result<Result<(), DomainError>, Stamped> {
        let (committed, outcome) = oneshot::channel();
        if let Err(refused) = self.queue.send(Pending { stamped, committed }).await {
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
