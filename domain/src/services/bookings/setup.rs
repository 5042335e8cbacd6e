//! Setting the diary up (`settings.write`): a location's opening hours and closures; services
//! (duration, buffers, preparation, referral, price in cents, the kind of resource); scanners
//! and rooms with their maintenance blocks; staff members' qualifications, working hours
//! (breaks are the gaps) and leave. Each change is checked field by field (every problem named
//! at once), scoped to the actor's locations, and audited in its own transaction. Existing
//! bookings are never moved by a change here; the calendar shows them as they are.

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, Utc};
use serde::Deserialize;
use ulid::Ulid;

use super::calendars::{id_shape, parse_day};
use super::catalog;
use crate::access::Permission;
use crate::error::Validator;
use crate::input::{label, optional_prose, rules};
use crate::model::{Location, Modality, Resource, ResourceKind, Service, StaffMember};
use crate::services::audit::{self, Entry};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, RequestMeta, Tx, on_db, on_tx};

/// Periods per week a location or staff member may have.
const MAX_PERIODS: usize = 70;

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodInput {
    /// 1 = Monday … 7 = Sunday.
    #[serde(deserialize_with = "crate::input::whole_number")]
    #[schema(value_type = i64, minimum = 1, maximum = 7)]
    pub weekday: Option<i64>,
    /// `HH:MM` on the location's clock.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub opens: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub closes: String,
}

/// A location's whole week (replaces what was there); a day with no period is closed.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningHours {
    #[schema(max_items = 70)]
    pub periods: Vec<PeriodInput>,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClosure {
    /// `YYYY-MM-DD` on the location's clock.
    #[schema(format = Date)]
    pub day: String,
    #[schema(value_type = rules::Label200, inline)]
    pub reason: String,
}

/// A new service; on `PATCH` every field is optional and what is left out stays.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    /// Short unique code, e.g. `MRI-KNEE`.
    #[schema(value_type = Option<rules::Label100>, inline)]
    pub code: Option<String>,
    #[schema(value_type = Option<rules::Label200>, inline)]
    pub name: Option<String>,
    pub modality: Option<Modality>,
    #[serde(default, deserialize_with = "crate::input::whole_number")]
    #[schema(minimum = 5, maximum = 600)]
    pub duration_minutes: Option<i64>,
    #[serde(default, deserialize_with = "crate::input::whole_number")]
    #[schema(minimum = 0, maximum = 240)]
    pub buffer_before_minutes: Option<i64>,
    #[serde(default, deserialize_with = "crate::input::whole_number")]
    #[schema(minimum = 0, maximum = 240)]
    pub buffer_after_minutes: Option<i64>,
    /// In cents (45000 is $450.00).
    #[serde(default, deserialize_with = "crate::input::whole_number")]
    #[schema(minimum = 0, maximum = 100000000)]
    pub price_cents: Option<i64>,
    /// What the patient must do beforehand; `null` clears.
    #[serde(default, deserialize_with = "crate::input::present")]
    #[schema(value_type = Option<rules::Prose2000>, inline)]
    pub preparation: Option<Option<String>>,
    pub referral_required: Option<bool>,
    pub resource_kind: Option<ResourceKind>,
    pub active: Option<bool>,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResource {
    #[schema(value_type = rules::Ulid, inline)]
    pub location_id: String,
    #[schema(value_type = rules::Label100, inline)]
    pub name: String,
    pub kind: ResourceKind,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceChanges {
    #[schema(value_type = Option<rules::Label100>, inline)]
    pub name: Option<String>,
    /// An inactive resource is offered for nothing.
    pub active: Option<bool>,
}

/// A maintenance block or a staff member's leave.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTimeOff {
    /// RFC 3339, any offset.
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    #[schema(value_type = rules::Label200, inline)]
    pub reason: String,
}

/// The services a staff member may perform (replaces what was there).
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Qualifications {
    #[schema(max_items = 200)]
    pub service_ids: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkingPeriodInput {
    #[schema(value_type = rules::Ulid, inline)]
    pub location_id: String,
    #[serde(deserialize_with = "crate::input::whole_number")]
    #[schema(value_type = i64, minimum = 1, maximum = 7)]
    pub weekday: Option<i64>,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub starts: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub ends: String,
}

/// A staff member's whole week (replaces what was there); breaks are the gaps.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkingHours {
    #[schema(max_items = 70)]
    pub periods: Vec<WorkingPeriodInput>,
}

fn clock_time(raw: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .ok()
        .filter(|t| t.format("%H:%M").to_string() == raw.trim())
        .ok_or_else(|| "must be a time like 08:30".to_owned())
}

/// Checks a week of periods: real weekdays and times, each ending after it starts, none
/// overlapping another on the same day (of the same `group`, e.g. location). Returns them
/// normalised.
fn week<'a>(
    v: &mut Validator,
    field: &str,
    periods: impl Iterator<Item = (&'a str, i64, &'a str, &'a str)>,
) -> Vec<(String, i64, String, String)> {
    let mut out: Vec<(String, i64, String, String)> = Vec::new();
    for (n, (group, weekday, from, to)) in periods.enumerate() {
        if n >= MAX_PERIODS {
            v.check::<()>(field, Err(format!("at most {MAX_PERIODS} periods a week")));
            break;
        }
        let at = format!("{field}[{n}]");
        if !(1..=7).contains(&weekday) {
            v.check::<()>(&format!("{at}.weekday"), Err("must be 1 (Monday) to 7 (Sunday)".into()));
            continue;
        }
        let (Some(a), Some(b)) = (
            v.check(&format!("{at}.start"), clock_time(from)),
            v.check(&format!("{at}.end"), clock_time(to)),
        ) else {
            continue;
        };
        if b <= a {
            v.check::<()>(&format!("{at}.end"), Err("must be after the start".into()));
            continue;
        }
        let (a, b) = (a.format("%H:%M").to_string(), b.format("%H:%M").to_string());
        if out.iter().any(|(g, d, x, y)| g == group && *d == weekday && *x < b && a < *y) {
            v.check::<()>(&at, Err("overlaps another period that day".into()));
            continue;
        }
        out.push((group.to_owned(), weekday, a, b));
    }
    out
}

async fn location_in_scope(db: &Db, actor: &Actor, id: &str) -> Result<(), DomainError> {
    let exists: Option<(String,)> = on_db!(db, pool => {
        sqlx::query_as("SELECT id FROM locations WHERE id = $1").bind(id).fetch_optional(pool).await?
    });
    if exists.is_none() || !actor.may_see(Some(id)) {
        return Err(DomainError::NotFound("location"));
    }
    Ok(())
}

async fn location(db: &Db, id: &str) -> Result<Location, DomainError> {
    catalog::all_locations(db)
        .await?
        .into_iter()
        .find(|l| l.id == id)
        .ok_or(DomainError::NotFound("location"))
}

async fn commit_with(mut tx: Tx, entry: Entry) -> Result<(), DomainError> {
    audit::record_in(&mut tx, entry).await?;
    tx.commit().await
}

pub async fn set_location_hours(
    db: &Db,
    actor: &Actor,
    id: &str,
    input: OpeningHours,
    meta: &RequestMeta,
) -> Result<Location, DomainError> {
    actor.require(Permission::SettingsWrite)?;
    location_in_scope(db, actor, id).await?;
    let mut v = Validator::default();
    let periods = week(
        &mut v,
        "periods",
        input.periods.iter().map(|p| ("", p.weekday.unwrap_or(0), p.opens.as_str(), p.closes.as_str())),
    );
    v.finish()?;
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query("DELETE FROM location_hours WHERE location_id = $1").bind(id).execute(&mut **conn).await?;
        for (_, weekday, opens, closes) in &periods {
            sqlx::query("INSERT INTO location_hours (location_id, weekday, opens, closes) VALUES ($1, $2, $3, $4)")
                .bind(id).bind(*weekday as i32).bind(opens).bind(closes).execute(&mut **conn).await?;
        }
    });
    commit_with(tx, Entry::new("location.hours").by(actor).on("location", id).from(meta)).await?;
    location(db, id).await
}

pub async fn add_closure(
    db: &Db,
    actor: &Actor,
    id: &str,
    input: NewClosure,
    meta: &RequestMeta,
) -> Result<Location, DomainError> {
    actor.require(Permission::SettingsWrite)?;
    location_in_scope(db, actor, id).await?;
    let mut v = Validator::default();
    let day = v.check("day", parse_day(&input.day));
    let reason = v.check("reason", label(&input.reason, 200));
    v.finish()?;
    let (Some(day), Some(reason)) = (day, reason) else {
        return Err(DomainError::field("day", "is missing"));
    };
    let mut tx = db.begin().await?;
    let inserted = on_tx!(&mut tx, conn => {
        sqlx::query("INSERT INTO location_closures (id, location_id, day, reason) VALUES ($1, $2, $3, $4) ON CONFLICT (location_id, day) DO NOTHING")
            .bind(Ulid::new().to_string()).bind(id).bind(day.to_string()).bind(&reason)
            .execute(&mut **conn).await?.rows_affected()
    });
    if inserted == 0 {
        return Err(DomainError::Conflict(format!("the location is already closed on {day}")));
    }
    commit_with(
        tx,
        Entry::new("location.closure_add").by(actor).on("location", id).from(meta).detail(day.to_string()),
    )
    .await?;
    location(db, id).await
}

pub async fn remove_closure(
    db: &Db,
    actor: &Actor,
    id: &str,
    day: &str,
    meta: &RequestMeta,
) -> Result<Location, DomainError> {
    actor.require(Permission::SettingsWrite)?;
    location_in_scope(db, actor, id).await?;
    let day = parse_day(day).map_err(|p| DomainError::field("day", p))?;
    let mut tx = db.begin().await?;
    let removed = on_tx!(&mut tx, conn => {
        sqlx::query("DELETE FROM location_closures WHERE location_id = $1 AND day = $2")
            .bind(id).bind(day.to_string()).execute(&mut **conn).await?.rows_affected()
    });
    if removed == 0 {
        return Err(DomainError::NotFound("closure"));
    }
    commit_with(
        tx,
        Entry::new("location.closure_remove").by(actor).on("location", id).from(meta).detail(day.to_string()),
    )
    .await?;
    location(db, id).await
}

/// The checked values of a service: the current ones (or none, new) with `input` applied.
fn service_values(current: Option<&Service>, input: &ServiceInput) -> Result<Service, DomainError> {
    let mut v = Validator::default();
    let pick_text =
        |v: &mut Validator, field: &str, given: &Option<String>, now: Option<&str>, max: usize| match (
            given, now,
        ) {
            (Some(raw), _) => v.check(field, label(raw, max)),
            (None, Some(now)) => Some(now.to_owned()),
            (None, None) => {
                v.check::<()>(field, Err("is required".into()));
                None
            }
        };
    let code = pick_text(&mut v, "code", &input.code, current.map(|c| c.code.as_str()), 100);
    let name = pick_text(&mut v, "name", &input.name, current.map(|c| c.name.as_str()), 200);
    let number = |v: &mut Validator,
                  field: &str,
                  given: Option<i64>,
                  now: Option<i64>,
                  range: std::ops::RangeInclusive<i64>,
                  default: Option<i64>| {
        match given.or(now).or(default) {
            Some(n) if range.contains(&n) => Some(n),
            Some(_) => {
                v.check::<()>(field, Err(format!("must be from {} to {}", range.start(), range.end())));
                None
            }
            None => {
                v.check::<()>(field, Err("is required".into()));
                None
            }
        }
    };
    let duration = number(
        &mut v,
        "duration_minutes",
        input.duration_minutes,
        current.map(|c| c.duration_minutes),
        5..=600,
        None,
    );
    let before = number(
        &mut v,
        "buffer_before_minutes",
        input.buffer_before_minutes,
        current.map(|c| c.buffer_before_minutes),
        0..=240,
        Some(0),
    );
    let after = number(
        &mut v,
        "buffer_after_minutes",
        input.buffer_after_minutes,
        current.map(|c| c.buffer_after_minutes),
        0..=240,
        Some(0),
    );
    let price = number(
        &mut v,
        "price_cents",
        input.price_cents,
        current.map(|c| c.price_cents),
        0..=100_000_000,
        None,
    );
    let modality = input.modality.or(current.map(|c| c.modality));
    if modality.is_none() {
        v.check::<()>("modality", Err("is required".into()));
    }
    let preparation = match &input.preparation {
        Some(Some(text)) => v.check("preparation", optional_prose(text, 2000)).flatten(),
        Some(None) => None,
        None => current.and_then(|c| c.preparation.clone()),
    };
    v.finish()?;
    let (Some(code), Some(name), Some(modality), Some(duration), Some(before), Some(after), Some(price)) =
        (code, name, modality, duration, before, after, price)
    else {
        return Err(DomainError::field("name", "is required"));
    };
    Ok(Service {
        id: current.map_or_else(|| Ulid::new().to_string(), |c| c.id.clone()),
        code,
        name,
        modality,
        duration_minutes: duration,
        buffer_before_minutes: before,
        buffer_after_minutes: after,
        price_cents: price,
        currency: current.map_or_else(|| "AUD".to_owned(), |c| c.currency.clone()),
        preparation,
        referral_required: input.referral_required.or(current.map(|c| c.referral_required)).unwrap_or(false),
        resource_kind: input.resource_kind.or(current.and_then(|c| c.resource_kind)),
        active: input.active.or(current.map(|c| c.active)).unwrap_or(true),
    })
}

async fn service(db: &Db, id: &str) -> Result<Service, DomainError> {
    catalog::all_services(db).await?.into_iter().find(|s| s.id == id).ok_or(DomainError::NotFound("service"))
}

pub async fn create_service(
    db: &Db,
    actor: &Actor,
    input: ServiceInput,
    meta: &RequestMeta,
) -> Result<Service, DomainError> {
    actor.require(Permission::SettingsWrite)?;
    let s = service_values(None, &input)?;
    write_service(db, actor, &s, true, meta).await?;
    service(db, &s.id).await
}

pub async fn update_service(
    db: &Db,
    actor: &Actor,
    id: &str,
    input: ServiceInput,
    meta: &RequestMeta,
) -> Result<Service, DomainError> {
    actor.require(Permission::SettingsWrite)?;
    let current = service(db, id).await?;
    let s = service_values(Some(&current), &input)?;
    write_service(db, actor, &s, false, meta).await?;
    service(db, id).await
}

async fn write_service(
    db: &Db,
    actor: &Actor,
    s: &Service,
    insert: bool,
    meta: &RequestMeta,
) -> Result<(), DomainError> {
    const INSERT: &str = "INSERT INTO services (code, name, modality, duration_minutes, buffer_before_minutes, buffer_after_minutes, \
         price_cents, preparation, referral_required, resource_kind, active, id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
    const UPDATE: &str = "UPDATE services SET code = $1, name = $2, modality = $3, duration_minutes = $4, buffer_before_minutes = $5, \
         buffer_after_minutes = $6, price_cents = $7, preparation = $8, referral_required = $9, resource_kind = $10, active = $11 \
         WHERE id = $12";
    let mut tx = db.begin().await?;
    let written = on_tx!(&mut tx, conn => {
        let query = sqlx::query(if insert { INSERT } else { UPDATE })
            .bind(&s.code)
            .bind(&s.name)
            .bind(s.modality.as_str())
            .bind(s.duration_minutes as i32)
            .bind(s.buffer_before_minutes as i32)
            .bind(s.buffer_after_minutes as i32)
            .bind(s.price_cents)
            .bind(&s.preparation)
            .bind(s.referral_required)
            .bind(s.resource_kind.map(ResourceKind::as_str))
            .bind(s.active)
            .bind(&s.id);
        let query = if insert { query.bind(Timestamp::now()) } else { query };
        query.execute(&mut **conn).await.map(|_| ())
    });
    written.map_err(|e| {
        DomainError::on_unique_violation(e, format!("another service has the code {}", s.code))
    })?;
    let action = if insert { "service.create" } else { "service.update" };
    commit_with(tx, Entry::new(action).by(actor).on("service", &s.id).from(meta)).await
}

async fn resource(db: &Db, actor: &Actor, id: &str) -> Result<Resource, DomainError> {
    catalog::resources(db, actor)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(DomainError::NotFound("resource"))
}

pub async fn create_resource(
    db: &Db,
    actor: &Actor,
    input: NewResource,
    meta: &RequestMeta,
) -> Result<Resource, DomainError> {
    actor.require(Permission::SettingsWrite)?;
    let mut v = Validator::default();
    id_shape(&mut v, "location_id", &input.location_id, "location");
    let name = v.check("name", label(&input.name, 100));
    v.finish()?;
    let Some(name) = name else { return Err(DomainError::field("name", "is required")) };
    location_in_scope(db, actor, &input.location_id)
        .await
        .map_err(|_| DomainError::field("location_id", "is not one of your locations"))?;
    let id = Ulid::new().to_string();
    let mut tx = db.begin().await?;
    let written = on_tx!(&mut tx, conn => {
        sqlx::query("INSERT INTO resources (id, location_id, name, kind, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id).bind(&input.location_id).bind(&name).bind(input.kind.as_str()).bind(Timestamp::now())
            .execute(&mut **conn).await.map(|_| ())
    });
    written.map_err(|e| {
        DomainError::on_unique_violation(e, format!("the location already has a resource named {name}"))
    })?;
    commit_with(tx, Entry::new("resource.create").by(actor).on("resource", &id).from(meta)).await?;
    resource(db, actor, &id).await
}

pub async fn update_resource(
    db: &Db,
    actor: &Actor,
    id: &str,
    input: ResourceChanges,
    meta: &RequestMeta,
) -> Result<Resource, DomainError> {
    actor.require(Permission::SettingsWrite)?;
    let current = resource(db, actor, id).await?;
    let name = match &input.name {
        Some(raw) => label(raw, 100).map_err(|p| DomainError::field("name", p))?,
        None => current.name.clone(),
    };
    let active = input.active.unwrap_or(current.active);
    let mut tx = db.begin().await?;
    let written = on_tx!(&mut tx, conn => {
        sqlx::query("UPDATE resources SET name = $2, active = $3 WHERE id = $1")
            .bind(id).bind(&name).bind(active).execute(&mut **conn).await.map(|_| ())
    });
    written.map_err(|e| {
        DomainError::on_unique_violation(e, format!("the location already has a resource named {name}"))
    })?;
    commit_with(tx, Entry::new("resource.update").by(actor).on("resource", id).from(meta)).await?;
    resource(db, actor, id).await
}

/// A block or leave's checked times and reason.
fn time_off(input: &NewTimeOff) -> Result<(DateTime<Utc>, DateTime<Utc>, String), DomainError> {
    let mut v = Validator::default();
    let (from, until) = (input.starts_at.with_timezone(&Utc), input.ends_at.with_timezone(&Utc));
    if until <= from {
        v.check::<()>("ends_at", Err("must be after starts_at".into()));
    } else if until - from > Duration::days(366) {
        v.check::<()>("ends_at", Err("must be within a year of starts_at".into()));
    }
    let year = |d: DateTime<Utc>| chrono::Datelike::year(&d);
    if !(2000..=2200).contains(&year(from)) || !(2000..=2200).contains(&year(until)) {
        v.check::<()>("starts_at", Err("must be in the years 2000–2200".into()));
    }
    let reason = v.check("reason", label(&input.reason, 200));
    v.finish()?;
    Ok((from, until, reason.unwrap_or_default()))
}

pub async fn add_block(
    db: &Db,
    actor: &Actor,
    id: &str,
    input: NewTimeOff,
    meta: &RequestMeta,
) -> Result<Resource, DomainError> {
    actor.require(Permission::SettingsWrite)?;
    resource(db, actor, id).await?;
    let (from, until, reason) = time_off(&input)?;
    let block = Ulid::new().to_string();
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query("INSERT INTO resource_blocks (id, resource_id, starts_at, ends_at, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&block).bind(id).bind(Timestamp(from)).bind(Timestamp(until)).bind(&reason).bind(Timestamp::now())
            .execute(&mut **conn).await?;
    });
    commit_with(tx, Entry::new("resource.block_add").by(actor).on("resource", id).from(meta)).await?;
    resource(db, actor, id).await
}

pub async fn remove_block(
    db: &Db,
    actor: &Actor,
    id: &str,
    block: &str,
    meta: &RequestMeta,
) -> Result<Resource, DomainError> {
    actor.require(Permission::SettingsWrite)?;
    resource(db, actor, id).await?;
    let mut tx = db.begin().await?;
    let removed = on_tx!(&mut tx, conn => {
        sqlx::query("DELETE FROM resource_blocks WHERE id = $1 AND resource_id = $2").bind(block).bind(id).execute(&mut **conn).await?.rows_affected()
    });
    if removed == 0 {
        return Err(DomainError::NotFound("maintenance block"));
    }
    commit_with(tx, Entry::new("resource.block_remove").by(actor).on("resource", id).from(meta)).await?;
    resource(db, actor, id).await
}

async fn staff_member(db: &Db, actor: &Actor, id: &str) -> Result<StaffMember, DomainError> {
    if let Some(member) = catalog::staff(db, actor).await?.into_iter().find(|m| m.id == id) {
        return Ok(member);
    }
    // Active but with nothing set up yet: an empty record.
    let found: Option<(String, Option<String>)> = on_db!(db, pool => {
        sqlx::query_as("SELECT display_name, job_title FROM users WHERE id = $1 AND active = TRUE").bind(id).fetch_optional(pool).await?
    });
    let (display_name, job_title) = found.ok_or(DomainError::NotFound("staff member"))?;
    Ok(StaffMember {
        id: id.to_owned(),
        display_name,
        job_title,
        service_ids: Vec::new(),
        hours: Vec::new(),
        leave: Vec::new(),
    })
}

pub async fn set_qualifications(
    db: &Db,
    actor: &Actor,
    id: &str,
    input: Qualifications,
    meta: &RequestMeta,
) -> Result<StaffMember, DomainError> {
    actor.require(Permission::SettingsWrite)?;
    staff_member(db, actor, id).await?;
    if input.service_ids.len() > 200 {
        return Err(DomainError::field("service_ids", "at most 200 services"));
    }
    let known: Vec<String> = catalog::all_services(db).await?.into_iter().map(|s| s.id).collect();
    let mut ids: Vec<&String> = input.service_ids.iter().collect();
    ids.sort();
    ids.dedup();
    if let Some(unknown) = ids.iter().find(|s| !known.contains(s)) {
        return Err(DomainError::field("service_ids", format!("{unknown} is not a service")));
    }
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query("DELETE FROM staff_services WHERE user_id = $1").bind(id).execute(&mut **conn).await?;
        for service in &ids {
            sqlx::query("INSERT INTO staff_services (user_id, service_id) VALUES ($1, $2)").bind(id).bind(*service).execute(&mut **conn).await?;
        }
    });
    commit_with(tx, Entry::new("staff.qualifications").by(actor).on("user", id).from(meta)).await?;
    staff_member(db, actor, id).await
}

pub async fn set_working_hours(
    db: &Db,
    actor: &Actor,
    id: &str,
    input: WorkingHours,
    meta: &RequestMeta,
) -> Result<StaffMember, DomainError> {
    actor.require(Permission::SettingsWrite)?;
    staff_member(db, actor, id).await?;
    let mut v = Validator::default();
    for (n, p) in input.periods.iter().enumerate() {
        id_shape(&mut v, &format!("periods[{n}].location_id"), &p.location_id, "location");
    }
    // One person works in one place at a time: periods may not overlap across locations either.
    let periods = week(
        &mut v,
        "periods",
        input.periods.iter().map(|p| ("", p.weekday.unwrap_or(0), p.starts.as_str(), p.ends.as_str())),
    );
    v.finish()?;
    let mut locations: Vec<&str> = input.periods.iter().map(|p| p.location_id.as_str()).collect();
    locations.sort_unstable();
    locations.dedup();
    for location in &locations {
        location_in_scope(db, actor, location)
            .await
            .map_err(|_| DomainError::field("periods", format!("{location} is not one of your locations")))?;
    }
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => {
        // Hours at locations the actor cannot see stay as they are.
        let scoped: Vec<String> = sqlx::query_scalar("SELECT DISTINCT location_id FROM staff_hours WHERE user_id = $1")
            .bind(id).fetch_all(&mut **conn).await?;
        for location in scoped.iter().filter(|l| actor.may_see(Some(l.as_str()))) {
            sqlx::query("DELETE FROM staff_hours WHERE user_id = $1 AND location_id = $2").bind(id).bind(location).execute(&mut **conn).await?;
        }
        for ((_, weekday, starts, ends), p) in periods.iter().zip(&input.periods) {
            sqlx::query("INSERT INTO staff_hours (user_id, location_id, weekday, starts, ends) VALUES ($1, $2, $3, $4, $5)")
                .bind(id).bind(&p.location_id).bind(*weekday as i32).bind(starts).bind(ends).execute(&mut **conn).await
                .map_err(|e| DomainError::on_unique_violation(e, "two periods start at the same time on one day"))?;
        }
    });
    commit_with(tx, Entry::new("staff.hours").by(actor).on("user", id).from(meta)).await?;
    staff_member(db, actor, id).await
}

pub async fn add_leave(
    db: &Db,
    actor: &Actor,
    id: &str,
    input: NewTimeOff,
    meta: &RequestMeta,
) -> Result<StaffMember, DomainError> {
    actor.require(Permission::SettingsWrite)?;
    staff_member(db, actor, id).await?;
    let (from, until, reason) = time_off(&input)?;
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query("INSERT INTO staff_leave (id, user_id, starts_at, ends_at, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(Ulid::new().to_string()).bind(id).bind(Timestamp(from)).bind(Timestamp(until)).bind(&reason).bind(Timestamp::now())
            .execute(&mut **conn).await?;
    });
    commit_with(tx, Entry::new("staff.leave_add").by(actor).on("user", id).from(meta)).await?;
    staff_member(db, actor, id).await
}

pub async fn remove_leave(
    db: &Db,
    actor: &Actor,
    id: &str,
    leave: &str,
    meta: &RequestMeta,
) -> Result<StaffMember, DomainError> {
    actor.require(Permission::SettingsWrite)?;
    staff_member(db, actor, id).await?;
    let mut tx = db.begin().await?;
    let removed = on_tx!(&mut tx, conn => {
        sqlx::query("DELETE FROM staff_leave WHERE id = $1 AND user_id = $2").bind(leave).bind(id).execute(&mut **conn).await?.rows_affected()
    });
    if removed == 0 {
        return Err(DomainError::NotFound("leave"));
    }
    commit_with(tx, Entry::new("staff.leave_remove").by(actor).on("user", id).from(meta)).await?;
    staff_member(db, actor, id).await
}
