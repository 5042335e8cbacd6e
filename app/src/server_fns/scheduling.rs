//! Server functions for Settings → Scheduling: a location's opening hours (typed per weekday as
//! "08:00–12:00, 13:00–17:30") and closures, scanners and rooms (add, in or out of use,
//! maintenance), staff members' leave, working hours and qualifications, and a service's
//! details and whether it is offered. The same services as the scheduling routes of `/api/v1`.

// A form's server function takes one argument per field it posts (the service form has nine);
// `#[server]` does not pass an `allow` on the function through to what it generates.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;
use domain::model::{Location, Resource, Service, StaffMember};

/// Everything the page shows; only for those who may change it (the page is all forms).
#[server(prefix = "/rpc", endpoint = "scheduling_setup")]
pub async fn scheduling_setup()
-> Result<(Vec<Location>, Vec<Resource>, Vec<Service>, Vec<StaffMember>), AppError> {
    use domain::services::bookings::catalog;
    let (actor, _) = ssr::caller()?;
    actor.require(domain::access::Permission::SettingsWrite).map_err(ssr::fail)?;
    let db = ssr::context().db;
    let locations = catalog::locations(&db, &actor).await.map_err(ssr::fail)?;
    let resources = catalog::resources(&db, &actor).await.map_err(ssr::fail)?;
    let services = catalog::services(&db, &actor).await.map_err(ssr::fail)?;
    let staff = catalog::staff(&db, &actor).await.map_err(ssr::fail)?;
    Ok((locations, resources, services, staff))
}

/// Reads "08:00–12:00, 13:00-17:30" (any dash; blank or "closed" for none) into periods.
#[cfg(feature = "ssr")]
fn periods_of(weekday: i64, text: &str) -> Result<Vec<(i64, String, String)>, String> {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("closed") {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|part| {
            let (a, b) = part
                .split_once(['–', '-', '—'])
                .ok_or_else(|| format!("“{}” is not like 08:00–12:00", part.trim()))?;
            Ok((weekday, a.trim().to_owned(), b.trim().to_owned()))
        })
        .collect()
}

/// Reads a week typed one text per weekday (Monday first) into `(weekday, from, until)`
/// periods, or the refusal naming each day that does not read (`days[n]`).
#[cfg(feature = "ssr")]
fn week_of(days: &[String]) -> Result<Vec<(i64, String, String)>, AppError> {
    let mut periods = Vec::new();
    let mut problems = domain::error::FieldErrors::new();
    for (n, text) in days.iter().take(7).enumerate() {
        match periods_of(n as i64 + 1, text) {
            Ok(found) => periods.extend(found),
            Err(problem) => {
                problems.insert(format!("days[{n}]"), problem);
            }
        }
    }
    if problems.is_empty() { Ok(periods) } else { Err(ssr::fail(domain::DomainError::Validation(problems))) }
}

/// Saves a location's week, one text per weekday (Monday first).
#[server(prefix = "/rpc", endpoint = "save_location_hours")]
pub async fn save_location_hours(location_id: String, days: Vec<String>) -> Result<Location, AppError> {
    use domain::services::bookings::setup::{OpeningHours, PeriodInput};
    let (actor, meta) = ssr::caller()?;
    let periods = week_of(&days)?
        .into_iter()
        .map(|(weekday, opens, closes)| PeriodInput { weekday: Some(weekday), opens, closes })
        .collect();
    domain::services::bookings::setup::set_location_hours(
        &ssr::context().db,
        &actor,
        &location_id,
        OpeningHours { periods },
        &meta,
    )
    .await
    .map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "add_location_closure")]
pub async fn add_location_closure(
    location_id: String,
    day: String,
    reason: String,
) -> Result<Location, AppError> {
    let (actor, meta) = ssr::caller()?;
    let input = domain::services::bookings::setup::NewClosure { day, reason };
    domain::services::bookings::setup::add_closure(&ssr::context().db, &actor, &location_id, input, &meta)
        .await
        .map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "remove_location_closure")]
pub async fn remove_location_closure(location_id: String, day: String) -> Result<Location, AppError> {
    let (actor, meta) = ssr::caller()?;
    domain::services::bookings::setup::remove_closure(&ssr::context().db, &actor, &location_id, &day, &meta)
        .await
        .map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "add_resource")]
pub async fn add_resource(location_id: String, name: String, kind: String) -> Result<Resource, AppError> {
    let (actor, meta) = ssr::caller()?;
    let kind = domain::model::ResourceKind::parse(&kind)
        .ok_or_else(|| ssr::fail(domain::DomainError::field("kind", "Choose a kind of scanner or room.")))?;
    let input = domain::services::bookings::setup::NewResource { location_id, name, kind };
    domain::services::bookings::setup::create_resource(&ssr::context().db, &actor, input, &meta)
        .await
        .map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "set_resource_in_use")]
pub async fn set_resource_in_use(id: String, active: bool) -> Result<Resource, AppError> {
    let (actor, meta) = ssr::caller()?;
    let input = domain::services::bookings::setup::ResourceChanges { name: None, active: Some(active) };
    domain::services::bookings::setup::update_resource(&ssr::context().db, &actor, &id, input, &meta)
        .await
        .map_err(ssr::fail)
}

/// `YYYY-MM-DDTHH:MM` (a datetime-local field) on `zone`'s clock, as an instant.
#[cfg(feature = "ssr")]
fn local_instant(
    zone: &str,
    field: &str,
    raw: &str,
) -> Result<chrono::DateTime<chrono::FixedOffset>, AppError> {
    let clock = domain::services::clock::Clock::named(Some(zone));
    chrono::NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(|t| clock.at_local(t))
        .ok_or_else(|| ssr::fail(domain::DomainError::field(field, "Give a day and a time.")))
}

/// Blocks a resource from `starts` to `ends`, read on its location's clock.
#[server(prefix = "/rpc", endpoint = "add_maintenance")]
pub async fn add_maintenance(
    resource_id: String,
    starts: String,
    ends: String,
    reason: String,
) -> Result<Resource, AppError> {
    use domain::services::bookings::{catalog, setup};
    let (actor, meta) = ssr::caller()?;
    let db = ssr::context().db;
    let resources = catalog::resources(&db, &actor).await.map_err(ssr::fail)?;
    let location =
        resources.iter().find(|r| r.id == resource_id).map(|r| r.location_id.clone()).unwrap_or_default();
    let zone = catalog::locations(&db, &actor)
        .await
        .map_err(ssr::fail)?
        .into_iter()
        .find(|l| l.id == location)
        .map(|l| l.time_zone)
        .unwrap_or_default();
    let input = setup::NewTimeOff {
        starts_at: local_instant(&zone, "starts", &starts)?,
        ends_at: local_instant(&zone, "ends", &ends)?,
        reason,
    };
    setup::add_block(&db, &actor, &resource_id, input, &meta).await.map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "remove_maintenance")]
pub async fn remove_maintenance(resource_id: String, block_id: String) -> Result<Resource, AppError> {
    let (actor, meta) = ssr::caller()?;
    domain::services::bookings::setup::remove_block(
        &ssr::context().db,
        &actor,
        &resource_id,
        &block_id,
        &meta,
    )
    .await
    .map_err(ssr::fail)
}

/// Leave from the start of `first_day` to the end of `last_day`, on the clinic's clock.
#[server(prefix = "/rpc", endpoint = "add_staff_leave")]
pub async fn add_staff_leave(
    user_id: String,
    first_day: String,
    last_day: String,
    reason: String,
) -> Result<StaffMember, AppError> {
    let (actor, meta) = ssr::caller()?;
    let db = ssr::context().db;
    let zone = domain::services::clock::for_clinic(&db).await.map_err(ssr::fail)?.zone();
    let day = |field: &str, raw: &str, next: bool| {
        chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .ok()
            .and_then(|d| if next { d.succ_opt() } else { Some(d) })
            .map(|d| format!("{d}T00:00"))
            .ok_or_else(|| ssr::fail(domain::DomainError::field(field, "Give a day.")))
    };
    let input = domain::services::bookings::setup::NewTimeOff {
        starts_at: local_instant(zone.name(), "first_day", &day("first_day", &first_day, false)?)?,
        ends_at: local_instant(zone.name(), "last_day", &day("last_day", &last_day, true)?)?,
        reason,
    };
    domain::services::bookings::setup::add_leave(&db, &actor, &user_id, input, &meta).await.map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "remove_staff_leave")]
pub async fn remove_staff_leave(user_id: String, leave_id: String) -> Result<StaffMember, AppError> {
    let (actor, meta) = ssr::caller()?;
    domain::services::bookings::setup::remove_leave(&ssr::context().db, &actor, &user_id, &leave_id, &meta)
        .await
        .map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "set_service_offered")]
pub async fn set_service_offered(id: String, active: bool) -> Result<Service, AppError> {
    let (actor, meta) = ssr::caller()?;
    let input =
        domain::services::bookings::setup::ServiceInput { active: Some(active), ..Default::default() };
    domain::services::bookings::setup::update_service(&ssr::context().db, &actor, &id, input, &meta)
        .await
        .map_err(ssr::fail)
}

/// A service's details as the page's form sends them: numbers and the price as typed, each
/// checked with the field's own message.
#[server(prefix = "/rpc", endpoint = "save_service_details")]
pub async fn save_service_details(
    id: String,
    name: String,
    duration_minutes: String,
    buffer_before_minutes: String,
    buffer_after_minutes: String,
    price: String,
    preparation: String,
    resource_kind: String,
    #[server(default)] referral_required: Option<String>,
) -> Result<Service, AppError> {
    use domain::model::ResourceKind;
    use domain::services::bookings::setup::ServiceInput;
    let (actor, meta) = ssr::caller()?;
    // Refused for want of the right before anything typed is judged.
    actor.require(domain::access::Permission::SettingsWrite).map_err(ssr::fail)?;
    let mut problems = domain::error::FieldErrors::new();
    let mut minutes = |field: &str, raw: &str| match raw.trim().parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            problems.insert(field.to_owned(), "must be a whole number of minutes".to_owned());
            None
        }
    };
    let duration = minutes("duration_minutes", &duration_minutes);
    let before = minutes("buffer_before_minutes", &buffer_before_minutes);
    let after = minutes("buffer_after_minutes", &buffer_after_minutes);
    let price_cents = domain::input::dollars_to_cents(&price)
        .map_err(|problem| problems.insert("price".to_owned(), problem))
        .ok();
    let kind = match resource_kind.trim() {
        "" => None,
        raw => {
            let kind = ResourceKind::parse(raw);
            if kind.is_none() {
                problems.insert("resource_kind".to_owned(), "is not a kind of scanner or room".to_owned());
            }
            kind
        }
    };
    if !problems.is_empty() {
        return Err(ssr::fail(domain::DomainError::Validation(problems)));
    }
    let input = ServiceInput {
        name: Some(name),
        duration_minutes: duration,
        buffer_before_minutes: before,
        buffer_after_minutes: after,
        price_cents,
        preparation: Some(Some(preparation).filter(|p| !p.trim().is_empty())),
        referral_required: Some(referral_required.is_some()),
        resource_kind: kind,
        ..Default::default()
    };
    domain::services::bookings::setup::update_service(&ssr::context().db, &actor, &id, input, &meta)
        .await
        .map_err(ssr::fail)
}

/// A staff member's week at one location, one text per weekday (Monday first) as for opening
/// hours; their hours at other locations stay as they are.
#[server(prefix = "/rpc", endpoint = "save_staff_hours")]
pub async fn save_staff_hours(
    user_id: String,
    location_id: String,
    days: Vec<String>,
) -> Result<StaffMember, AppError> {
    use domain::services::bookings::setup::{WorkingHours, WorkingPeriodInput};
    let (actor, meta) = ssr::caller()?;
    actor.require(domain::access::Permission::SettingsWrite).map_err(ssr::fail)?;
    let db = ssr::context().db;
    let staff = domain::services::bookings::catalog::staff(&db, &actor).await.map_err(ssr::fail)?;
    let member = staff
        .into_iter()
        .find(|m| m.id == user_id)
        .ok_or_else(|| ssr::fail(domain::DomainError::NotFound("staff member")))?;
    let mut periods: Vec<WorkingPeriodInput> = member
        .hours
        .iter()
        .filter(|p| p.location_id != location_id)
        .map(|p| WorkingPeriodInput {
            location_id: p.location_id.clone(),
            weekday: Some(i64::from(p.weekday)),
            starts: p.starts.clone(),
            ends: p.ends.clone(),
        })
        .collect();
    periods.extend(week_of(&days)?.into_iter().map(|(weekday, starts, ends)| WorkingPeriodInput {
        location_id: location_id.clone(),
        weekday: Some(weekday),
        starts,
        ends,
    }));
    domain::services::bookings::setup::set_working_hours(
        &db,
        &actor,
        &user_id,
        WorkingHours { periods },
        &meta,
    )
    .await
    .map_err(ssr::fail)
}

/// The services a staff member may perform (the ticked boxes; none ticked clears them).
#[server(prefix = "/rpc", endpoint = "save_staff_services")]
pub async fn save_staff_services(
    user_id: String,
    #[server(default)] service_ids: Vec<String>,
) -> Result<StaffMember, AppError> {
    use domain::services::bookings::setup::Qualifications;
    let (actor, meta) = ssr::caller()?;
    domain::services::bookings::setup::set_qualifications(
        &ssr::context().db,
        &actor,
        &user_id,
        Qualifications { service_ids },
        &meta,
    )
    .await
    .map_err(ssr::fail)
}
