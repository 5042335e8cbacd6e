//! Personal API tokens for `/api/v1`: shown once, stored as a SHA-256 digest, scoped by the
//! owner's role and locations, revocable.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sqlx::FromRow;
use ulid::Ulid;

use crate::actor::AuthMethod;
use crate::input::label;
use crate::model::{ApiTokenSummary, NewApiToken};
use crate::on_db;
use crate::services::audit::{self, Entry};
use crate::services::{tokens, users};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, RequestMeta, on_tx};

/// Every token starts with this, so secret scanners and people can recognise it.
pub const TOKEN_PREFIX: &str = "avt_";
/// Shown in lists to tell tokens apart: the prefix and 6 characters.
const SHOWN_PREFIX_LEN: usize = TOKEN_PREFIX.len() + 6;
/// `last_used_at` is refreshed at most this often, so reads do not all become writes.
const LAST_USED_GRANULARITY_SECS: i64 = 60;

#[derive(FromRow)]
struct TokenRow {
    id: String,
    name: String,
    token_prefix: String,
    created_at: Timestamp,
    last_used_at: Option<Timestamp>,
    revoked_at: Option<Timestamp>,
}

impl From<TokenRow> for ApiTokenSummary {
    fn from(r: TokenRow) -> Self {
        ApiTokenSummary {
            id: r.id,
            name: r.name,
            prefix: r.token_prefix,
            created_at: r.created_at.0,
            last_used_at: r.last_used_at.map(|t| t.0),
            revoked_at: r.revoked_at.map(|t| t.0),
        }
    }
}

/// Creates a token for `user_id`. Callers check who may do that (the user, or the CLI).
pub async fn create_for_user(
    db: &Db,
    user_id: &str,
    name: &str,
    meta: &RequestMeta,
) -> Result<NewApiToken, DomainError> {
    let name = label(name, 80).map_err(|p| DomainError::field("name", p))?;
    let secret = tokens::generate(TOKEN_PREFIX);
    let row = TokenRow {
        id: Ulid::new().to_string(),
        name,
        token_prefix: secret[..SHOWN_PREFIX_LEN].to_owned(),
        created_at: Timestamp::now(),
        last_used_at: None,
        revoked_at: None,
    };
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, token_prefix, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&row.id)
    .bind(user_id)
    .bind(&row.name)
    .bind(tokens::digest(&secret))
    .bind(&row.token_prefix)
    .bind(row.created_at)
    .execute(&mut **tx)
    .await?;
    });
    audit::record_in(
        &mut tx,
        Entry::new("api_token.create").by_user(Some(user_id.to_owned())).on("api_token", &row.id).from(meta),
    )
    .await?;
    tx.commit().await?;
    Ok(NewApiToken { token: secret, summary: row.into() })
}

/// A new token for the signed-in user.
pub async fn create(
    db: &Db,
    actor: &Actor,
    name: &str,
    meta: &RequestMeta,
) -> Result<NewApiToken, DomainError> {
    create_for_user(db, &actor.user_id, name, meta).await
}

/// The signed-in user's own tokens, newest first (revoked ones included, marked).
pub async fn list_own(db: &Db, actor: &Actor) -> Result<Vec<ApiTokenSummary>, DomainError> {
    let rows = on_db!(db, pool => {
        sqlx::query_as::<_, TokenRow>(
            "SELECT id, name, token_prefix, created_at, last_used_at, revoked_at FROM api_tokens \
             WHERE user_id = $1 ORDER BY id DESC",
        )
        .bind(&actor.user_id)
        .fetch_all(pool)
        .await?
    });
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Revokes one of the signed-in user's tokens. Someone else's token is "not found".
pub async fn revoke(db: &Db, actor: &Actor, token_id: &str, meta: &RequestMeta) -> Result<(), DomainError> {
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, tx => {
        sqlx::query("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $1 AND user_id = $2")
            .bind(token_id)
            .bind(&actor.user_id)
            .bind(Timestamp::now())
            .execute(&mut **tx)
            .await?
            .rows_affected()
    });
    if changed == 0 {
        return Err(DomainError::NotFound("API token"));
    }
    audit::record_in(&mut tx, Entry::new("api_token.revoke").by(actor).on("api_token", token_id).from(meta))
        .await?;
    tx.commit().await?;
    db.credentials().clear();
    Ok(())
}

#[derive(FromRow)]
struct Owner {
    id: String,
    user_id: String,
    last_used_at: Option<Timestamp>,
}

/// How long this process trusts a token it has checked before asking the database again. A
/// revocation, or a change to the owner's role, locations or status, made through this process
/// takes effect at once (the cache is cleared); one made by another instance sharing the
/// database within this time.
pub const CREDENTIALS_TTL: Duration = Duration::from_secs(10);
/// Beyond this many distinct live tokens the cache starts over rather than grow.
const MAX_CACHED_TOKENS: usize = 10_000;

/// Checked tokens: SHA-256 digest → the actor it stood for and when it was checked. Saves the
/// token and user reads on every API request.
#[derive(Debug, Default)]
pub struct CredentialCache {
    checked: Mutex<HashMap<String, (Instant, Actor)>>,
}

impl CredentialCache {
    fn get(&self, digest: &str) -> Option<Actor> {
        let checked = self.checked.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        checked.get(digest).filter(|(at, _)| at.elapsed() < CREDENTIALS_TTL).map(|(_, actor)| actor.clone())
    }

    fn put(&self, digest: String, actor: Actor) {
        let mut checked = self.checked.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if checked.len() >= MAX_CACHED_TOKENS {
            checked.clear();
        }
        checked.insert(digest, (Instant::now(), actor));
    }

    /// Forgets every checked token: call after anything that could make one invalid or change
    /// what its owner may do.
    pub fn clear(&self) {
        self.checked.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clear();
    }
}

/// The actor a bearer token stands for, if it is live and its owner active.
pub async fn authenticate(db: &Db, secret: &str) -> Result<Option<Actor>, DomainError> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let digest = tokens::digest(secret);
    if let Some(actor) = db.credentials().get(&digest) {
        return Ok(Some(actor));
    }
    let owner = on_db!(db, pool => {
        sqlx::query_as::<_, Owner>(
            "SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(&digest)
        .fetch_optional(pool)
        .await?
    });
    let Some(owner) = owner else { return Ok(None) };
    let now = Timestamp::now();
    // Checked at most once per CREDENTIALS_TTL, so `last_used_at` stays accurate to a minute.
    let stale = owner.last_used_at.is_none_or(|t| (now.0 - t.0).num_seconds() >= LAST_USED_GRANULARITY_SECS);
    if stale {
        on_db!(db, pool => {
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1").bind(&owner.id).bind(now).execute(pool).await?;
        });
    }
    let actor =
        users::actor_for_user(db, &owner.user_id, AuthMethod::ApiToken { token_id: owner.id }).await?;
    if let Some(actor) = &actor {
        db.credentials().put(digest, actor.clone());
    }
    Ok(actor)
}
