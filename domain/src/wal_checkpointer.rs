//! Moves SQLite's WAL checkpoints off the request path.
//!
//! By default SQLite checkpoints inside whichever commit pushes the WAL past 1,000 pages: that
//! request pays for copying every page back into the database file and for the fsync that
//! follows. Under a steady stream of small commits (an audit entry per patient-record view)
//! that was most of what a commit cost. Here a background task runs a PASSIVE checkpoint
//! (it never blocks readers or writers) every [`INTERVAL`]; a page written many times between
//! two checkpoints is copied once. The connections' own automatic checkpoint stays on at
//! [`BACKSTOP_PAGES`] so the WAL stays bounded even if this task were starved.

use std::time::Duration;

use sqlx::SqlitePool;
use tokio::sync::watch;

/// How often the background checkpoint runs.
pub(crate) const INTERVAL: Duration = Duration::from_millis(500);

/// The connections' automatic checkpoint threshold (pages of the WAL, 4 KiB each: ~40 MiB).
pub(crate) const BACKSTOP_PAGES: u32 = 10_000;

/// Stops the task when dropped (with the last database handle).
#[derive(Debug)]
pub(crate) struct WalCheckpointer {
    _stop: watch::Sender<()>,
}

impl WalCheckpointer {
    /// Starts the task on the current Tokio runtime; `None` outside one (each commit then
    /// checkpoints at the backstop threshold by itself).
    pub(crate) fn start(pool: SqlitePool) -> Option<WalCheckpointer> {
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let (stop, mut stopped) = watch::channel(());
        runtime.spawn(async move {
            let mut ticks = tokio::time::interval(INTERVAL);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticks.tick() => {}
                    // The sender is gone: the database handle was dropped.
                    _ = stopped.changed() => break,
                }
                if pool.is_closed() {
                    break;
                }
                if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                    if pool.is_closed() {
                        break;
                    }
                    tracing::warn!(%error, "WAL checkpoint failed; the next one retries");
                }
            }
        });
        Some(WalCheckpointer { _stop: stop })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::{DatabaseUrl, Db};

    /// Committed pages reach the database file within a moment, though each commit leaves the
    /// checkpoint to the background (the WAL would otherwise hold them up to the backstop).
    #[test]
    fn commits_reach_the_database_file_in_the_background() {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
        let file = std::env::temp_dir().join(format!("avatar-wal-{}.db", ulid::Ulid::new()));
        let url = DatabaseUrl::parse(&format!("sqlite://{}?mode=rwc", file.display())).expect("url");
        runtime.block_on(async {
            let db = Db::connect(&url).await.expect("connect");
            let crate::Pool::Sqlite(pool) = db.pool() else { unreachable!("a SQLite URL") };
            sqlx::query("CREATE TABLE filler (body TEXT NOT NULL)").execute(pool).await.expect("create");
            let size_before = std::fs::metadata(&file).expect("database file").len();
            // ~2 MiB in 64 commits: far below the 40 MiB backstop, so only the background
            // checkpoint can move it into the database file.
            for _ in 0..64 {
                sqlx::query("INSERT INTO filler (body) VALUES (printf('%.32768c', 'x'))")
                    .execute(pool)
                    .await
                    .expect("insert");
            }
            let mut grown = false;
            for _ in 0..40 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if std::fs::metadata(&file).expect("database file").len() > size_before + 2_000_000 {
                    grown = true;
                    break;
                }
            }
            assert!(grown, "the checkpointer copied the committed pages into the database file");
            db.close().await;
        });
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    }
}
