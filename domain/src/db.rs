//! The database handle: SQLite (embedded default) or PostgreSQL (production, several instances).
//!
//! Repositories write one portable SQL text (`$1` placeholders work on both backends) and run
//! it through [`on_db!`], which type-checks the same block once per backend. Where the dialects
//! really differ, a repository matches on [`Db`] itself and keeps the difference local.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use tokio::sync::Notify;

use crate::DomainError;
use crate::services::api_tokens::CredentialCache;
use crate::services::audit_writer::AuditWriter;
use crate::wal_checkpointer::{self, WalCheckpointer};

/// Runs `$body` with `$pool` bound to the concrete pool of whichever backend `$db` (a [`Db`]
/// or a reference to one) is.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        $crate::on_pool!(($db).pool(), $pool => $body)
    };
}

/// [`on_db!`] for a [`Pool`] reference.
#[macro_export]
macro_rules! on_pool {
    ($pool_ref:expr, $pool:ident => $body:expr) => {
        match $pool_ref {
            $crate::db::Pool::Sqlite($pool) => $body,
            $crate::db::Pool::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the concrete transaction (`&mut sqlx::Transaction`) of
/// whichever backend `$tx` (a `&mut` [`Tx`]) is; statements run on `&mut **$conn`.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match &mut ($tx).conn {
            $crate::db::TxConn::Sqlite($conn) => $body,
            $crate::db::TxConn::Postgres($conn) => $body,
        }
    };
}

/// A transaction on whichever backend the [`Db`] is: a change, its audit entry and the jobs
/// it causes commit together or not at all. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    pub conn: TxConn,
    /// Woken after a commit that enqueued a job, so this process's worker claims it at once.
    jobs_wake: Arc<Notify>,
    enqueued_jobs: bool,
    /// This transaction's own id, for idempotency keys of work that should happen once per
    /// change however many rows it touches (a contact's warmness after ten texts in one go).
    id: String,
}

/// The backend's own transaction inside a [`Tx`].
pub enum TxConn {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    /// This transaction's id (see the field).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Records that this transaction enqueued a job: committing it wakes the workers.
    pub(crate) fn mark_enqueued(&mut self) {
        self.enqueued_jobs = true;
    }

    pub async fn commit(self) -> Result<(), DomainError> {
        match self.conn {
            TxConn::Sqlite(tx) => tx.commit().await?,
            TxConn::Postgres(mut tx) => {
                if self.enqueued_jobs {
                    // Delivered at commit to every instance listening (crate::jobs::worker);
                    // PostgreSQL folds repeats within one transaction into one.
                    sqlx::query(crate::jobs::NOTIFY_SQL).execute(&mut *tx).await?;
                }
                tx.commit().await?
            }
        }
        if self.enqueued_jobs {
            self.jobs_wake.notify_one();
        }
        Ok(())
    }
}

/// `$first, $first+1, …` for `count` bind values: the one way to write the inside of an
/// `IN (…)` list of binds (the same on both backends).
pub fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

/// Which database engine a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A `DATABASE_URL` that names a backend we support, parsed once at start-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseUrl {
    backend: Backend,
    url: String,
}

impl DatabaseUrl {
    /// The embedded default: `./data/avatar.db`, created on first start.
    pub const DEFAULT: &'static str = "sqlite://data/avatar.db?mode=rwc";

    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let scheme = raw.split_once(':').map(|(s, _)| s).unwrap_or("");
        let backend = match scheme {
            "sqlite" => Backend::Sqlite,
            "postgres" | "postgresql" => Backend::Postgres,
            "" => {
                return Err(
                    "expected a URL such as sqlite://data/avatar.db or postgres://user@host/db".into()
                );
            }
            other => {
                return Err(format!("unsupported scheme `{other}`: use sqlite:// or postgres://"));
            }
        };
        let parsed = DatabaseUrl { backend, url: raw.to_owned() };
        match backend {
            Backend::Sqlite => {
                SqliteConnectOptions::from_str(raw).map_err(|e| e.to_string())?;
            }
            Backend::Postgres => {
                PgConnectOptions::from_str(raw).map_err(|e| e.to_string())?;
            }
        }
        Ok(parsed)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The SQLite file this URL names, if it is a file (not `:memory:`).
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let rest = self.url.trim_start_matches("sqlite:").trim_start_matches("//");
        let path = rest.split('?').next().unwrap_or("");
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }
}

/// A connection pool on one of the two supported backends.
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database handle: the pool, and what every user of this database in this process
/// shares (the audit log's group-commit writer, the API credentials cache). Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    audit: AuditWriter,
    credentials: CredentialCache,
    /// Notified when a committed transaction enqueued a job (see [`Tx::commit`]).
    jobs_wake: Arc<Notify>,
    /// SQLite only: checkpoints the WAL in the background instead of inside commits.
    _checkpointer: Option<WalCheckpointer>,
}

impl Db {
    /// Wraps an open pool; starts the audit writer (and, on SQLite, the WAL checkpointer) on
    /// the current Tokio runtime (without one, audit entries are inserted one by one).
    pub fn from_pool(pool: Pool) -> Db {
        let checkpointer = match &pool {
            Pool::Sqlite(sqlite) => WalCheckpointer::start(sqlite.clone()),
            Pool::Postgres(_) => None,
        };
        let shared = Arc::new(Shared {
            audit: AuditWriter::start(pool.clone()),
            credentials: CredentialCache::default(),
            jobs_wake: Arc::new(Notify::new()),
            _checkpointer: checkpointer,
        });
        Db { pool, shared }
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub(crate) fn audit_writer(&self) -> &AuditWriter {
        &self.shared.audit
    }

    pub(crate) fn credentials(&self) -> &CredentialCache {
        &self.shared.credentials
    }

    /// What this process's job worker waits on between claims.
    pub(crate) fn jobs_wake(&self) -> &Arc<Notify> {
        &self.shared.jobs_wake
    }

    /// Opens the pool. For SQLite the file (and its folder) is created if missing, with WAL
    /// and foreign keys on.
    pub async fn connect(url: &DatabaseUrl) -> Result<Db, DomainError> {
        match url.backend {
            Backend::Sqlite => {
                if let Some(parent) = url.sqlite_file().as_deref().and_then(|f| f.parent())
                    && !parent.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
                }
                let options = SqliteConnectOptions::from_str(url.as_str())?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
                    // Checkpoints run in the background (see wal_checkpointer); commits only
                    // checkpoint themselves if the WAL grows past this backstop.
                    .pragma("wal_autocheckpoint", wal_checkpointer::BACKSTOP_PAGES.to_string());
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await?;
                Ok(Db::from_pool(Pool::Sqlite(pool)))
            }
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url.as_str())?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(3))
                    .connect_with(options)
                    .await?;
                Ok(Db::from_pool(Pool::Postgres(pool)))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations for this backend that have not run yet.
    pub async fn migrate(&self) -> Result<(), DomainError> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::migrate!("../migrations/sqlite").run(pool).await?,
            Pool::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Starts a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`,
    /// waiting up to the busy timeout for it): a deferred transaction that reads first and then
    /// writes is refused outright (`SQLITE_BUSY`, no wait) when another connection committed in
    /// between, which concurrent edits and the background jobs make an everyday event.
    pub async fn begin(&self) -> Result<Tx, DomainError> {
        let conn = match &self.pool {
            Pool::Sqlite(pool) => TxConn::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => TxConn::Postgres(pool.begin().await?),
        };
        Ok(Tx {
            conn,
            jobs_wake: self.shared.jobs_wake.clone(),
            enqueued_jobs: false,
            id: ulid::Ulid::new().to_string(),
        })
    }

    /// A round trip to the database, for health checks.
    pub async fn ping(&self) -> Result<(), DomainError> {
        on_db!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_the_binds_from_the_first() {
        assert_eq!(placeholders(1, 3), "$1, $2, $3");
        assert_eq!(placeholders(4, 1), "$4");
        assert_eq!(placeholders(2, 0), "");
    }

    #[test]
    fn parses_the_url_forms_sqlx_accepts() {
        let default = DatabaseUrl::parse(DatabaseUrl::DEFAULT).unwrap();
        assert_eq!(default.backend(), Backend::Sqlite);
        assert_eq!(default.sqlite_file(), Some(PathBuf::from("data/avatar.db")));
        let pg = DatabaseUrl::parse("postgres://postgres@127.0.0.1:5432/avatar").unwrap();
        assert_eq!(pg.backend(), Backend::Postgres);
        assert_eq!(pg.sqlite_file(), None);
        assert_eq!(DatabaseUrl::parse("sqlite::memory:").unwrap().sqlite_file(), None);
    }

    #[test]
    fn refuses_other_schemes_with_a_reason() {
        let err = DatabaseUrl::parse("mysql://root@localhost/db").unwrap_err();
        assert!(err.contains("mysql"), "{err}");
        assert!(DatabaseUrl::parse("not a url").is_err());
    }
}
