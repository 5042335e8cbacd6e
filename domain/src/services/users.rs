//! Staff accounts: creation, roles, location limits, sign-in (with throttling), passwords.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use sqlx::FromRow;
use ulid::Ulid;

use crate::access::{Permission, Role};
use crate::actor::{AuthMethod, LocationScope};
use crate::error::Validator;
use crate::input::{Email, NewPassword, label, optional_label};
use crate::model::UserSummary;
use crate::on_db;
use crate::services::audit::{self, Entry};
use crate::services::{password, tokens};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, RequestMeta, on_tx};

/// Failed sign-ins counted over this window.
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
/// Failed sign-ins for one account within the window before it is locked for the window.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed sign-ins from one address within the window before it is refused.
pub const MAX_FAILURES_PER_IP: i64 = 20;
/// How long a password-reset link works.
pub const RESET_LINK_MINUTES: i64 = 60;

#[derive(FromRow)]
struct UserRow {
    id: String,
    email: String,
    display_name: String,
    role: String,
    job_title: Option<String>,
    active: bool,
    all_locations: bool,
    password_hash: Option<String>,
    created_at: Timestamp,
    last_sign_in_at: Option<Timestamp>,
}

/// The columns of [`UserRow`], as a literal for `concat!` (the way column lists are written
/// throughout: see `contacts::columns!`).
macro_rules! user_columns {
    () => {
        "id, email, display_name, role, job_title, active, all_locations, password_hash, created_at, last_sign_in_at"
    };
}

fn parse_role(value: &str) -> Result<Role, DomainError> {
    Role::parse(value).ok_or_else(|| DomainError::Internal(format!("unknown role in database: {value}")))
}

fn summary(row: UserRow, locations: Option<Vec<String>>) -> Result<UserSummary, DomainError> {
    Ok(UserSummary {
        role: parse_role(&row.role)?,
        id: row.id,
        email: row.email,
        display_name: row.display_name,
        job_title: row.job_title,
        active: row.active,
        has_password: row.password_hash.is_some(),
        location_ids: if row.all_locations { None } else { Some(locations.unwrap_or_default()) },
        created_at: row.created_at.0,
        last_sign_in_at: row.last_sign_in_at.map(|t| t.0),
    })
}

async fn find_by_email(db: &Db, email: &str) -> Result<Option<UserRow>, DomainError> {
    const SQL: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE email = $1");
    Ok(on_db!(db, pool => sqlx::query_as::<_, UserRow>(SQL).bind(email).fetch_optional(pool).await?))
}

async fn find_by_id(db: &Db, id: &str) -> Result<Option<UserRow>, DomainError> {
    const SQL: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");
    Ok(on_db!(db, pool => sqlx::query_as::<_, UserRow>(SQL).bind(id).fetch_optional(pool).await?))
}

async fn locations_of(db: &Db, user_id: Option<&str>) -> Result<HashMap<String, Vec<String>>, DomainError> {
    let rows: Vec<(String, String)> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT user_id, location_id FROM user_locations WHERE ($1 IS NULL OR user_id = $1) \
             ORDER BY user_id, location_id",
        )
        .bind(user_id)
        .fetch_all(pool)
        .await?
    });
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (user, location) in rows {
        map.entry(user).or_default().push(location);
    }
    Ok(map)
}

/// The id of the account with this email (any state), for the command line.
pub async fn find_id_by_email(db: &Db, email: &str) -> Result<Option<String>, DomainError> {
    Ok(find_by_email(db, &email.trim().to_lowercase()).await?.map(|u| u.id))
}

/// The actor behind a session or token, if the user exists and is active.
pub async fn actor_for_user(db: &Db, user_id: &str, via: AuthMethod) -> Result<Option<Actor>, DomainError> {
    let Some(row) = find_by_id(db, user_id).await? else { return Ok(None) };
    if !row.active {
        return Ok(None);
    }
    let locations = if row.all_locations {
        LocationScope::All
    } else {
        LocationScope::Only(locations_of(db, Some(&row.id)).await?.remove(&row.id).unwrap_or_default())
    };
    Ok(Some(Actor {
        role: parse_role(&row.role)?,
        user_id: row.id,
        email: row.email,
        display_name: row.display_name,
        locations,
        via,
    }))
}

/// A new staff account.
#[derive(Clone, Debug, Default)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub job_title: Option<String>,
    /// `None`: Google sign-in only (or a reset link) until a password is set.
    pub password: Option<String>,
    /// `None` = every location.
    pub location_ids: Option<Vec<String>>,
}

/// Most locations one user can be limited to (a clinic group has a handful).
pub const MAX_USER_LOCATIONS: usize = 100;

/// The location ids a user is limited to: each once, each one that exists.
async fn check_locations(db: &Db, ids: &[String]) -> Result<Vec<String>, DomainError> {
    if ids.len() > MAX_USER_LOCATIONS {
        return Err(DomainError::field("location_ids", format!("at most {MAX_USER_LOCATIONS} locations")));
    }
    let mut unique: Vec<String> = ids.iter().map(|id| id.trim().to_owned()).collect();
    unique.sort();
    unique.dedup();
    for id in &unique {
        let exists: Option<String> = on_db!(db, pool => {
            sqlx::query_scalar("SELECT id FROM locations WHERE id = $1").bind(id).fetch_optional(pool).await?
        });
        if exists.is_none() {
            return Err(DomainError::field("location_ids", format!("unknown location {id}")));
        }
    }
    Ok(unique)
}

/// Creates an account. `by` is the admin doing it, or `None` for the command line.
pub async fn create(
    db: &Db,
    by: Option<&Actor>,
    input: NewUser,
    meta: &RequestMeta,
) -> Result<UserSummary, DomainError> {
    if let Some(actor) = by {
        actor.require(Permission::UsersWrite)?;
    }
    let mut v = Validator::default();
    let email = v.check("email", Email::parse(&input.email));
    let display_name = v.check("display_name", label(&input.display_name, 100));
    let role = v.check(
        "role",
        Role::parse(&input.role)
            .ok_or_else(|| "must be one of admin, manager, reception, marketing, readonly".to_owned()),
    );
    let job_title = match input.job_title.as_deref() {
        Some(title) => v.check("job_title", optional_label(title, 100)).flatten(),
        None => None,
    };
    let password = match &input.password {
        Some(raw) => v.check("password", NewPassword::parse(raw)),
        None => None,
    };
    v.finish()?;
    let (Some(email), Some(display_name), Some(role)) = (email, display_name, role) else {
        return Err(DomainError::Internal("validated fields missing".into()));
    };
    let location_ids = match &input.location_ids {
        Some(ids) => Some(check_locations(db, ids).await?),
        None => None,
    };
    let password_hash = match password {
        Some(p) => Some(password::hash(p.expose().to_owned()).await?),
        None => None,
    };

    let id = Ulid::new().to_string();
    let now = Timestamp::now();
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
        sqlx::query(
            "INSERT INTO users (id, email, display_name, role, job_title, active, all_locations, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7, $8)",
        )
        .bind(&id)
        .bind(email.as_str())
        .bind(&display_name)
        .bind(role.as_str())
        .bind(&job_title)
        .bind(location_ids.is_none())
        .bind(&password_hash)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(|e| DomainError::on_unique_violation(e, format!("a user with the email {} already exists", email.as_str())))?;
        for location in location_ids.iter().flatten() {
            sqlx::query("INSERT INTO user_locations (user_id, location_id) VALUES ($1, $2)")
                .bind(&id)
                .bind(location)
                .execute(&mut **tx)
                .await?;
        }
    });
    let mut entry = Entry::new("user.create").on("user", &id).from(meta);
    if let Some(actor) = by {
        entry = entry.by(actor);
    }
    audit::record_in(&mut tx, entry).await?;
    tx.commit().await?;
    get_summary(db, &id).await
}

async fn get_summary(db: &Db, id: &str) -> Result<UserSummary, DomainError> {
    let row = find_by_id(db, id).await?.ok_or(DomainError::NotFound("user"))?;
    let mut locations = locations_of(db, Some(id)).await?;
    summary(row, locations.remove(id))
}

/// Every account, by name.
pub async fn list(db: &Db, actor: &Actor) -> Result<Vec<UserSummary>, DomainError> {
    actor.require(Permission::UsersRead)?;
    const SQL: &str = concat!("SELECT ", user_columns!(), " FROM users ORDER BY display_name, email");
    let rows = on_db!(db, pool => sqlx::query_as::<_, UserRow>(SQL).fetch_all(pool).await?);
    let mut locations = locations_of(db, None).await?;
    rows.into_iter()
        .map(|row| {
            let ids = locations.remove(&row.id);
            summary(row, ids)
        })
        .collect()
}

/// Changes to an account; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
    /// `Some(None)` = every location; `Some(Some(ids))` = only those.
    pub location_ids: Option<Option<Vec<String>>>,
}

async fn active_admins(db: &Db) -> Result<i64, DomainError> {
    Ok(on_db!(db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = TRUE")
            .fetch_one(pool)
            .await?
    }))
}

pub async fn update(
    db: &Db,
    actor: &Actor,
    id: &str,
    changes: UserChanges,
    meta: &RequestMeta,
) -> Result<UserSummary, DomainError> {
    actor.require(Permission::UsersWrite)?;
    let current = find_by_id(db, id).await?.ok_or(DomainError::NotFound("user"))?;
    let mut v = Validator::default();
    let display_name = match &changes.display_name {
        Some(name) => v.check("display_name", label(name, 100)),
        None => None,
    };
    let role = match &changes.role {
        Some(role) => v.check(
            "role",
            Role::parse(role)
                .ok_or_else(|| "must be one of admin, manager, reception, marketing, readonly".to_owned()),
        ),
        None => None,
    };
    v.finish()?;
    let location_ids = match &changes.location_ids {
        Some(Some(ids)) => Some(Some(check_locations(db, ids).await?)),
        Some(None) => Some(None),
        None => None,
    };

    let loses_admin = current.role == "admin"
        && current.active
        && (role.is_some_and(|r| r != Role::Admin) || changes.active == Some(false));
    if loses_admin {
        if current.id == actor.user_id {
            return Err(DomainError::Conflict(
                "you cannot remove your own administrator access; ask another administrator".into(),
            ));
        }
        if active_admins(db).await? <= 1 {
            return Err(DomainError::Conflict(
                "the clinic must keep at least one active administrator".into(),
            ));
        }
    }

    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
        sqlx::query(
            "UPDATE users SET display_name = COALESCE($2, display_name), role = COALESCE($3, role), \
             active = COALESCE($4, active) WHERE id = $1",
        )
        .bind(id)
        .bind(&display_name)
        .bind(role.map(Role::as_str))
        .bind(changes.active)
        .execute(&mut **tx)
        .await?;
        if let Some(scope) = &location_ids {
            sqlx::query("DELETE FROM user_locations WHERE user_id = $1").bind(id).execute(&mut **tx).await?;
            sqlx::query("UPDATE users SET all_locations = $2 WHERE id = $1")
                .bind(id)
                .bind(scope.is_none())
                .execute(&mut **tx)
                .await?;
            for location in scope.iter().flatten() {
                sqlx::query("INSERT INTO user_locations (user_id, location_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(location)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        if changes.active == Some(false) {
            // Deactivated: signed out everywhere at once.
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut **tx).await?;
        }
    });
    audit::record_in(&mut tx, Entry::new("user.update").by(actor).on("user", id).from(meta)).await?;
    tx.commit().await?;
    // Role, locations or status may have changed what this user's API tokens allow.
    db.credentials().clear();
    get_summary(db, id).await
}

async fn failures_since(
    db: &Db,
    column: &'static str,
    value: &str,
    since: Timestamp,
) -> Result<i64, DomainError> {
    let sql = match column {
        "email" => {
            "SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND succeeded = FALSE AND attempted_at > $2"
        }
        _ => "SELECT COUNT(*) FROM login_attempts WHERE ip = $1 AND succeeded = FALSE AND attempted_at > $2",
    };
    Ok(on_db!(db, pool => sqlx::query_scalar::<_, i64>(sql).bind(value).bind(since).fetch_one(pool).await?))
}

async fn record_attempt(db: &Db, email: &str, ip: &str, succeeded: bool) -> Result<(), DomainError> {
    on_db!(db, pool => {
        sqlx::query("INSERT INTO login_attempts (id, email, ip, succeeded, attempted_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(Ulid::new().to_string())
            .bind(email)
            .bind(ip)
            .bind(succeeded)
            .bind(Timestamp::now())
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Checks an email and password. Too many recent failures for the account or the address
/// answer `RateLimited` before the password is even looked at.
pub async fn sign_in(
    db: &Db,
    raw_email: &str,
    raw_password: &str,
    meta: &RequestMeta,
) -> Result<String, DomainError> {
    let ip = &address(meta);
    let email = raw_email.trim().to_lowercase();
    let window_start = Timestamp(Utc::now() - Duration::minutes(THROTTLE_WINDOW_MINUTES));
    if failures_since(db, "email", &email, window_start).await? >= MAX_FAILURES_PER_ACCOUNT
        || failures_since(db, "ip", ip, window_start).await? >= MAX_FAILURES_PER_IP
    {
        audit::record(db, Entry::new("auth.sign_in_throttled").from(meta)).await?;
        return Err(DomainError::RateLimited {
            message: format!(
                "Too many failed sign-ins. Wait {THROTTLE_WINDOW_MINUTES} minutes and try again, or reset your password."
            ),
            retry_after_secs: (THROTTLE_WINDOW_MINUTES * 60) as u64,
        });
    }
    let user = if Email::parse(&email).is_ok() { find_by_email(db, &email).await? } else { None };
    let user = user.filter(|u| u.active);
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok = password::verify(raw_password.to_owned(), stored).await?;
    record_attempt(db, &email, ip, ok).await?;
    let user_id = user.map(|u| u.id);
    if !ok {
        let entry = Entry::new("auth.sign_in_failed").by_user(user_id.clone()).from(meta);
        let entry = if user_id.is_none() { entry.detail("unknown account") } else { entry };
        audit::record(db, entry).await?;
        return Err(DomainError::InvalidCredentials);
    }
    let Some(user_id) = user_id else { return Err(DomainError::InvalidCredentials) };
    mark_signed_in(db, &user_id, meta, "password").await?;
    Ok(user_id)
}

/// The client's address as throttling counts it (empty for the command line, which never
/// signs in).
fn address(meta: &RequestMeta) -> String {
    meta.ip.map(|ip| ip.to_string()).unwrap_or_default()
}

async fn mark_signed_in(db: &Db, user_id: &str, meta: &RequestMeta, method: &str) -> Result<(), DomainError> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
        sqlx::query("UPDATE users SET last_sign_in_at = $2 WHERE id = $1")
            .bind(user_id)
            .bind(Timestamp::now())
            .execute(&mut **tx)
            .await?;
    });
    let entry = Entry::new("auth.sign_in").by_user(Some(user_id.to_owned())).from(meta).detail(method);
    audit::record_in(&mut tx, entry).await?;
    tx.commit().await
}

/// What Google told us about the person signing in.
#[derive(Clone, Debug)]
pub struct GoogleIdentity {
    pub email: String,
    pub email_verified: bool,
    pub name: Option<String>,
    /// The Google Workspace domain (`hd` claim), if any.
    pub hosted_domain: Option<String>,
}

/// Signs in an invited user by their Google account, or creates a read-only account for a
/// verified address in the allowed Workspace domain.
pub async fn sign_in_with_google(
    db: &Db,
    identity: GoogleIdentity,
    allowed_domain: Option<&str>,
    meta: &RequestMeta,
) -> Result<String, DomainError> {
    let refuse = |why: &str| DomainError::ForbiddenReason(why.to_owned());
    if !identity.email_verified {
        return Err(refuse("Google has not verified this email address."));
    }
    let email =
        Email::parse(&identity.email).map_err(|_| refuse("Google returned no usable email address."))?;
    if let Some(user) = find_by_email(db, email.as_str()).await? {
        if !user.active {
            return Err(refuse("This account has been deactivated. Ask an administrator."));
        }
        mark_signed_in(db, &user.id, meta, "google").await?;
        return Ok(user.id);
    }
    let domain_allowed = allowed_domain.is_some_and(|allowed| {
        let allowed = allowed.trim().to_lowercase();
        email.domain() == allowed && identity.hosted_domain.as_deref().map(str::to_lowercase) == Some(allowed)
    });
    if !domain_allowed {
        audit::record(db, Entry::new("auth.sign_in_failed").from(meta).detail("google account not invited"))
            .await?;
        return Err(refuse("This Google account has not been invited. Ask an administrator to add you."));
    }
    let name = identity.name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| email.as_str().to_owned());
    let created = create(
        db,
        None,
        NewUser {
            email: email.as_str().to_owned(),
            display_name: name,
            role: "readonly".into(),
            ..NewUser::default()
        },
        meta,
    )
    .await?;
    mark_signed_in(db, &created.id, meta, "google").await?;
    Ok(created.id)
}

/// Changes the signed-in user's own password. In the same transaction, every other session of
/// the account ends (the one making the change stays signed in) and any reset link not yet
/// used stops working.
pub async fn change_password(
    db: &Db,
    actor: &Actor,
    current: &str,
    new: &str,
    meta: &RequestMeta,
) -> Result<(), DomainError> {
    let new = NewPassword::parse(new).map_err(|p| DomainError::field("new_password", p))?;
    let row = find_by_id(db, &actor.user_id).await?.ok_or(DomainError::NotFound("user"))?;
    if row.password_hash.is_some() && !password::verify(current.to_owned(), row.password_hash).await? {
        return Err(DomainError::field("current_password", "is not your current password"));
    }
    let hash = password::hash(new.expose().to_owned()).await?;
    let now = Timestamp::now();
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
        sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(&actor.user_id)
            .bind(&hash)
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND ($2 IS NULL OR id <> $2)")
            .bind(&actor.user_id)
            .bind(actor.session_id())
            .execute(&mut **tx)
            .await?;
        sqlx::query(RETIRE_RESET_LINKS).bind(&actor.user_id).bind(now).execute(&mut **tx).await?;
    });
    let entry = Entry::new("user.password_change").by(actor).on("user", &actor.user_id).from(meta);
    audit::record_in(&mut tx, entry).await?;
    tx.commit().await
}

/// Marks every reset link of the account that is still open as used.
const RETIRE_RESET_LINKS: &str =
    "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL";

/// Reset requests from one address within [`THROTTLE_WINDOW_MINUTES`] before it gets 429.
pub const MAX_RESET_REQUESTS_PER_IP: i64 = 10;
/// Reset emails one account receives per hour at most; later requests send nothing (and say
/// the same as always, so this reveals nothing about the account).
pub const MAX_RESET_EMAILS_PER_HOUR: i64 = 3;
/// Every reset request answers after at least this long, whether or not the address has an
/// account, so response times do not tell which addresses do (the work itself takes a few ms).
pub const RESET_ANSWER_FLOOR: std::time::Duration = std::time::Duration::from_millis(250);

/// Sends a reset link to the address if it belongs to an active account. Answers the same,
/// after the same time ([`RESET_ANSWER_FLOOR`]), whether or not it does, so the form cannot be
/// used to discover accounts. Too many requests from one address answer `RateLimited`.
pub async fn request_password_reset(
    db: &Db,
    raw_email: &str,
    base_url: &str,
    meta: &RequestMeta,
) -> Result<(), DomainError> {
    let answer_at = tokio::time::Instant::now() + RESET_ANSWER_FLOOR;
    let result = send_reset_link(db, raw_email, base_url, meta).await;
    tokio::time::sleep_until(answer_at).await;
    result
}

async fn send_reset_link(
    db: &Db,
    raw_email: &str,
    base_url: &str,
    meta: &RequestMeta,
) -> Result<(), DomainError> {
    let ip = &address(meta);
    let Ok(email) = Email::parse(raw_email) else {
        return Err(DomainError::field("email", crate::input::NOT_AN_EMAIL));
    };
    let now = Utc::now();
    let window_start = Timestamp(now - Duration::minutes(THROTTLE_WINDOW_MINUTES));
    let recent: i64 = on_db!(db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM password_reset_requests WHERE ip = $1 AND requested_at > $2")
            .bind(ip)
            .bind(window_start)
            .fetch_one(pool)
            .await?
    });
    if recent >= MAX_RESET_REQUESTS_PER_IP {
        audit::record(db, Entry::new("auth.password_reset_throttled").from(meta)).await?;
        return Err(DomainError::RateLimited {
            message: format!(
                "Too many password reset requests from your network. Wait {THROTTLE_WINDOW_MINUTES} minutes and try again."
            ),
            retry_after_secs: (THROTTLE_WINDOW_MINUTES * 60) as u64,
        });
    }
    let user = find_by_email(db, email.as_str()).await?.filter(|u| u.active);
    let sent_this_hour: i64 = on_db!(db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM password_resets WHERE user_id = $1 AND created_at > $2")
            .bind(user.as_ref().map(|u| u.id.as_str()))
            .bind(Timestamp(now - Duration::hours(1)))
            .fetch_one(pool)
            .await?
    });
    // The same transaction for every request; a link and its email only for a real account
    // that has not had its hourly share.
    let link_for = user.filter(|_| sent_this_hour < MAX_RESET_EMAILS_PER_HOUR);
    let secret = tokens::generate("");
    let body = link_for.as_ref().map(|user| {
        let link = format!("{}/password-reset?token={secret}", base_url.trim_end_matches('/'));
        format!(
            "Hello {},\n\nSomeone (hopefully you) asked to reset your Avatar CRM password.\n\
             Open this link within {RESET_LINK_MINUTES} minutes to choose a new one:\n\n{link}\n\n\
             If you did not ask for this, ignore this email: your password stays the same.\n",
            user.display_name
        )
    });
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
        sqlx::query("INSERT INTO password_reset_requests (id, ip, requested_at) VALUES ($1, $2, $3)")
            .bind(Ulid::new().to_string())
            .bind(ip)
            .bind(Timestamp(now))
            .execute(&mut **tx)
            .await?;
        if let Some(user) = &link_for {
            sqlx::query("INSERT INTO password_resets (id, user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(Ulid::new().to_string())
                .bind(&user.id)
                .bind(tokens::digest(&secret))
                .bind(Timestamp(now))
                .bind(Timestamp(now + Duration::minutes(RESET_LINK_MINUTES)))
                .execute(&mut **tx)
                .await?;
        }
    });
    if let Some(body) = &body {
        let subject = "Reset your Avatar CRM password";
        crate::services::outbox::queue_in(&mut tx, "password_reset", email.as_str(), subject, body).await?;
    }
    if let Some(user) = link_for {
        let entry = Entry::new("auth.password_reset_requested").by_user(Some(user.id)).from(meta);
        audit::record_in(&mut tx, entry).await?;
    }
    tx.commit().await
}

/// Sets a new password from a reset link, once. In the same transaction the account is signed
/// out everywhere and every other open link of it stops working.
pub async fn reset_password(db: &Db, secret: &str, new: &str, meta: &RequestMeta) -> Result<(), DomainError> {
    let new = NewPassword::parse(new).map_err(|p| DomainError::field("new_password", p))?;
    let hash = password::hash(new.expose().to_owned()).await?;
    let now = Timestamp::now();
    let mut tx = db.begin().await?;
    let user_id: Option<String> = on_tx!(&mut tx, tx => {
        let user_id: Option<String> = sqlx::query_scalar(
            "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
             RETURNING user_id",
        )
        .bind(tokens::digest(secret.trim()))
        .bind(now)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(user_id) = &user_id {
            sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1").bind(user_id).bind(&hash).execute(&mut **tx).await?;
            sqlx::query(RETIRE_RESET_LINKS).bind(user_id).bind(now).execute(&mut **tx).await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
        }
        user_id
    });
    let Some(user_id) = user_id else {
        return Err(DomainError::field(
            "token",
            "this reset link is invalid, used or expired; ask for a new one",
        ));
    };
    let entry =
        Entry::new("auth.password_reset").by_user(Some(user_id.clone())).on("user", &user_id).from(meta);
    audit::record_in(&mut tx, entry).await?;
    tx.commit().await
}

/// Active staff as (id, display name), for owner and assignee pickers: anyone who may read
/// contacts may see who they can hand work to.
pub async fn assignable(db: &Db, actor: &Actor) -> Result<Vec<(String, String)>, DomainError> {
    actor.require(Permission::ContactsRead)?;
    Ok(on_db!(db, pool => {
        sqlx::query_as("SELECT id, display_name FROM users WHERE active = TRUE ORDER BY display_name").fetch_all(pool).await?
    }))
}
