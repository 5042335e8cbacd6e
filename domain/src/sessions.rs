//! Staff sessions in our own database (both backends), for tower-sessions.
//!
//! Kept in the database, not in memory, so every app instance behind a load balancer sees the
//! same sessions and a restart signs nobody out. The signed-in user's id is copied into its own
//! column so "sign out everywhere" is one indexed delete.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::FromRow;
use tower_sessions_core::session::{Id, Record};
use tower_sessions_core::session_store::{Error as StoreError, Result as StoreResult, SessionStore};

use crate::on_db;
use crate::time::Timestamp;
use crate::{Db, DomainError};

/// The session key holding the signed-in user's id.
pub const USER_ID_KEY: &str = "user_id";
/// The session key holding when the user signed in (RFC 3339), for the absolute expiry.
pub const SIGNED_IN_AT_KEY: &str = "signed_in_at";

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        DbSessionStore { db }
    }
}

fn backend(err: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(err.to_string())
}

fn expiry(record: &Record) -> StoreResult<Timestamp> {
    let nanos = record.expiry_date.unix_timestamp_nanos();
    let at = DateTime::<Utc>::from_timestamp_nanos(i64::try_from(nanos).map_err(backend)?);
    Ok(Timestamp(at))
}

fn user_id(record: &Record) -> Option<String> {
    record.data.get(USER_ID_KEY).and_then(|v| v.as_str()).map(str::to_owned)
}

/// A record as its table row: (id, user id, JSON data, expiry).
fn row(record: &Record) -> StoreResult<(String, Option<String>, String, Timestamp)> {
    let data = serde_json::to_string(&record.data).map_err(|e| StoreError::Encode(e.to_string()))?;
    Ok((record.id.to_string(), user_id(record), data, expiry(record)?))
}

#[derive(FromRow)]
struct SessionRow {
    data: String,
    expires_at: Timestamp,
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> StoreResult<()> {
        // Ids are 128 random bits; on the astronomically unlikely collision, draw again.
        loop {
            let (id, user, data, expires) = row(record)?;
            let inserted = on_db!(&self.db, pool => {
                sqlx::query(
                    "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(&id)
                .bind(&user)
                .bind(&data)
                .bind(expires)
                .execute(pool)
                .await
                .map_err(backend)?
                .rows_affected()
            });
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> StoreResult<()> {
        let (id, user, data, expires) = row(record)?;
        on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, \
                 expires_at = excluded.expires_at",
            )
            .bind(&id)
            .bind(&user)
            .bind(&data)
            .bind(expires)
            .execute(pool)
            .await
            .map_err(backend)?;
        });
        Ok(())
    }

    async fn load(&self, id: &Id) -> StoreResult<Option<Record>> {
        let row = on_db!(&self.db, pool => {
            sqlx::query_as::<_, SessionRow>(
                "SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2",
            )
            .bind(id.to_string())
            .bind(Timestamp::now())
            .fetch_optional(pool)
            .await
            .map_err(backend)?
        });
        let Some(row) = row else { return Ok(None) };
        let data = serde_json::from_str(&row.data).map_err(|e| StoreError::Decode(e.to_string()))?;
        let nanos = row.expires_at.0.timestamp_nanos_opt().unwrap_or(i64::MAX);
        let expiry_date =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos)).map_err(backend)?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> StoreResult<()> {
        on_db!(&self.db, pool => {
            sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(id.to_string())
                .execute(pool)
                .await
                .map_err(backend)?;
        });
        Ok(())
    }
}

/// Ends every session of one user ("sign out everywhere", deactivation, password change).
pub async fn delete_for_user(db: &Db, user_id: &str) -> Result<u64, DomainError> {
    let deleted = on_db!(db, pool => {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(pool).await?.rows_affected()
    });
    Ok(deleted)
}

/// Removes expired sessions; safe to run from several instances at once.
pub async fn delete_expired(db: &Db) -> Result<u64, DomainError> {
    let deleted = on_db!(db, pool => {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(Timestamp::now())
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(deleted)
}
