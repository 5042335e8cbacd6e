//! Group commit for the audit log. Every request that records an entry still waits until its
//! entry is committed (so no answered request can lose its entry in a crash), but requests
//! arriving together share one multi-row INSERT: one writer task per database drains whatever
//! has queued while the previous batch was being written. Under light load a batch is one
//! entry and costs what a plain insert costs; under heavy load SQLite sees one writer instead
//! of many competing for its lock, and PostgreSQL one commit (one WAL flush) per batch.

use sqlx::pool::PoolConnection;
use tokio::sync::{mpsc, oneshot};

use super::audit::Entry;
use crate::DomainError;
use crate::db::Pool;
use crate::time::Timestamp;

/// Most entries the writer puts in one INSERT.
const MAX_BATCH: usize = 256;
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

/// The writer's connection. SQLite: one from the pool, kept while entries keep coming (so its
/// batches do not queue for the pool behind the very requests that wait for them) and returned
/// when idle. PostgreSQL: its own connection, kept for the writer's life, whose commits do not
/// wait for the WAL flush (`synchronous_commit = off`): an entry is committed before its request
/// is answered, so a crash of the app loses none, but like SQLite's WAL with
/// `synchronous = NORMAL` a crash of the database machine may lose the last fraction of a second.
enum Held {
    Sqlite(PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::PgConnection),
}

async fn acquire(pool: &Pool) -> Result<Held, sqlx::Error> {
    Ok(match pool {
        Pool::Sqlite(pool) => Held::Sqlite(pool.acquire().await?),
        Pool::Postgres(pool) => {
            use sqlx::Connection;
            let options = pool.connect_options().as_ref().clone().options([("synchronous_commit", "off")]);
            Held::Postgres(sqlx::PgConnection::connect_with(&options).await?)
        }
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
        if queue.is_empty() && matches!(held, Some(Held::Sqlite(_))) {
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
        Held::Sqlite(connection) => insert_sqlite(&mut **connection, entries).await,
        Held::Postgres(connection) => insert_postgres(&mut *connection, entries).await,
    }
}

/// One statement whatever the batch size, so it is prepared once per connection and stays in
/// sqlx's statement cache (a VALUES list per size would be a new statement for every size).
/// SQLite: the entries travel as one JSON array of rows, unpacked by `json_each` in order.
const SQLITE_INSERT: &str = "INSERT INTO audit_events (id, occurred_at, actor_user_id, actor_token_id, \
    action, subject_type, subject_id, ip, request_id, detail) \
    SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, \
    value ->> 7, value ->> 8, value ->> 9 FROM json_each($1) ORDER BY key";

/// PostgreSQL: one array per column, zipped back into rows by `unnest`.
const POSTGRES_INSERT: &str = "INSERT INTO audit_events (id, occurred_at, actor_user_id, actor_token_id, \
    action, subject_type, subject_id, ip, request_id, detail) \
    SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], \
    $7::text[], $8::text[], $9::text[], $10::text[])";

async fn insert_sqlite<'e, 'a, E>(
    executor: E,
    entries: impl Iterator<Item = &'a Stamped>,
) -> Result<(), DomainError>
where
    E: sqlx::Executor<'e, Database = sqlx::Sqlite>,
{
    let rows: Vec<serde_json::Value> = entries
        .map(|Stamped { id, at, entry }| {
            serde_json::json!([
                id,
                at.sqlite_text(),
                entry.actor_user_id,
                entry.actor_token_id,
                entry.action,
                entry.subject_type,
                entry.subject_id,
                entry.ip,
                entry.request_id,
                entry.detail,
            ])
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let json = serde_json::Value::Array(rows).to_string();
    sqlx::query(SQLITE_INSERT).bind(json).execute(executor).await?;
    Ok(())
}

async fn insert_postgres<'e, 'a, E>(
    executor: E,
    entries: impl Iterator<Item = &'a Stamped>,
) -> Result<(), DomainError>
where
    E: sqlx::Executor<'e, Database = sqlx::Postgres>,
{
    let mut columns = PostgresColumns::default();
    for Stamped { id, at, entry } in entries {
        columns.id.push(id.as_str());
        columns.occurred_at.push(at.0);
        columns.actor_user_id.push(entry.actor_user_id.as_deref());
        columns.actor_token_id.push(entry.actor_token_id.as_deref());
        columns.action.push(entry.action);
        columns.subject_type.push(entry.subject_type);
        columns.subject_id.push(entry.subject_id.as_deref());
        columns.ip.push(entry.ip.as_deref());
        columns.request_id.push(entry.request_id.as_deref());
        columns.detail.push(entry.detail.as_deref());
    }
    if columns.id.is_empty() {
        return Ok(());
    }
    sqlx::query(POSTGRES_INSERT)
        .bind(columns.id)
        .bind(columns.occurred_at)
        .bind(columns.actor_user_id)
        .bind(columns.actor_token_id)
        .bind(columns.action)
        .bind(columns.subject_type)
        .bind(columns.subject_id)
        .bind(columns.ip)
        .bind(columns.request_id)
        .bind(columns.detail)
        .execute(executor)
        .await?;
    Ok(())
}

#[derive(Default)]
struct PostgresColumns<'a> {
    id: Vec<&'a str>,
    occurred_at: Vec<chrono::DateTime<chrono::Utc>>,
    actor_user_id: Vec<Option<&'a str>>,
    actor_token_id: Vec<Option<&'a str>>,
    action: Vec<&'a str>,
    subject_type: Vec<Option<&'a str>>,
    subject_id: Vec<Option<&'a str>>,
    ip: Vec<Option<&'a str>>,
    request_id: Vec<Option<&'a str>>,
    detail: Vec<Option<&'a str>>,
}

/// Inserts `entries` in the transaction of the change they record.
pub(crate) async fn insert_in<'a>(
    tx: &mut crate::Tx,
    entries: impl ExactSizeIterator<Item = &'a Stamped>,
) -> Result<(), DomainError> {
    match &mut tx.conn {
        crate::db::TxConn::Sqlite(tx) => insert_sqlite(&mut **tx, entries).await,
        crate::db::TxConn::Postgres(tx) => insert_postgres(&mut **tx, entries).await,
    }
}

/// Inserts `entries` through the pool (when no writer runs).
pub(crate) async fn insert<'a>(
    pool: &Pool,
    entries: impl ExactSizeIterator<Item = &'a Stamped>,
) -> Result<(), DomainError> {
    match pool {
        Pool::Sqlite(pool) => insert_sqlite(pool, entries).await,
        Pool::Postgres(pool) => insert_postgres(pool, entries).await,
    }
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
            // Whatever text an entry's detail holds comes back as written.
            let awkward = "quote \" backslash \\ tab \t newline \n ünïcödé 🩻 ' -- ;";
            audit::record(&with_writer, Entry::new("test.detail").detail(awkward)).await.expect("recorded");
            let stored: String = crate::on_db!(&with_writer, pool => {
                sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = 'test.detail'")
                    .fetch_one(pool)
                    .await
                    .expect("detail")
            });
            assert_eq!(stored, awkward);
            audit::record(&without_writer, Entry::new("test.entry")).await.expect("recorded directly");
            assert_eq!(count(&with_writer).await, 21);
            with_writer.close().await;
        });
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    }
}
