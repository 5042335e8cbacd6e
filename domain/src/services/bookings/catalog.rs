//! What can be booked, where and by whom: locations with their hours and closures, services,
//! resources with their maintenance blocks, and staff with their qualifications, hours and
//! leave. Locations, resources and staff hours are limited to the actor's locations.

use std::collections::HashMap;

use crate::access::Permission;
use crate::model::{
    Closure, Leave, Location, Modality, OpeningPeriod, Resource, ResourceBlock, ResourceKind, Service,
    StaffMember, WorkingPeriod,
};
use crate::services::clock::Clock;
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, on_db};

fn weekday(value: i32) -> u8 {
    u8::try_from(value).unwrap_or(1)
}

pub async fn locations(db: &Db, actor: &Actor) -> Result<Vec<Location>, DomainError> {
    actor.require(Permission::BookingsRead)?;
    Ok(all_locations(db).await?.into_iter().filter(|l| actor.locations.includes(&l.id)).collect())
}

/// Every location, for the public booking page as much as for staff.
pub(super) async fn all_locations(db: &Db) -> Result<Vec<Location>, DomainError> {
    type LocationRow = (String, String, String, Option<String>, Option<String>);
    // Closures from yesterday on (every zone's today included).
    let since = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive().to_string();
    // Three independent reads at once: every page with a location picker waits for them.
    let (rows, hours, closures) = on_db!(db, pool => {
        tokio::try_join!(
            sqlx::query_as::<_, LocationRow>("SELECT id, name, time_zone, address, phone FROM locations ORDER BY name")
                .fetch_all(pool),
            sqlx::query_as::<_, (String, i32, String, String)>(
                "SELECT location_id, weekday, opens, closes FROM location_hours ORDER BY weekday, opens",
            )
            .fetch_all(pool),
            sqlx::query_as::<_, (String, String, String)>(
                "SELECT location_id, day, reason FROM location_closures WHERE day >= $1 ORDER BY day",
            )
            .bind(since)
            .fetch_all(pool),
        )?
    });
    let mut by_location: HashMap<String, (Vec<OpeningPeriod>, Vec<Closure>)> = HashMap::new();
    for (location, day, opens, closes) in hours {
        by_location.entry(location).or_default().0.push(OpeningPeriod {
            weekday: weekday(day),
            opens,
            closes,
        });
    }
    for (location, day, reason) in closures {
        if let Ok(day) = day.parse() {
            by_location.entry(location).or_default().1.push(Closure { day, reason });
        }
    }
    Ok(rows
        .into_iter()
        .map(|(id, name, time_zone, address, phone)| {
            let (hours, closures) = by_location.remove(&id).unwrap_or_default();
            Location { id, name, time_zone, address, phone, hours, closures }
        })
        .collect())
}

type ServiceRow =
    (String, String, String, String, i32, i32, i32, i64, String, Option<String>, bool, Option<String>, bool);

pub async fn services(db: &Db, actor: &Actor) -> Result<Vec<Service>, DomainError> {
    actor.require(Permission::BookingsRead)?;
    all_services(db).await
}

/// Every service, active or not.
pub(super) async fn all_services(db: &Db) -> Result<Vec<Service>, DomainError> {
    let rows: Vec<ServiceRow> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT id, code, name, modality, duration_minutes, buffer_before_minutes, buffer_after_minutes, price_cents, \
             currency, preparation, referral_required, resource_kind, active FROM services ORDER BY modality, name",
        )
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(
            |(
                id,
                code,
                name,
                modality,
                minutes,
                before,
                after,
                price_cents,
                currency,
                preparation,
                referral,
                kind,
                active,
            )| {
                Some(Service {
                    id,
                    code,
                    name,
                    modality: Modality::parse(&modality)?,
                    duration_minutes: minutes.into(),
                    buffer_before_minutes: before.into(),
                    buffer_after_minutes: after.into(),
                    price_cents,
                    currency,
                    preparation,
                    referral_required: referral,
                    resource_kind: kind.as_deref().and_then(ResourceKind::parse),
                    active,
                })
            },
        )
        .collect())
}

pub async fn resources(db: &Db, actor: &Actor) -> Result<Vec<Resource>, DomainError> {
    actor.require(Permission::BookingsRead)?;
    let rows: Vec<(String, String, String, String, bool, String)> = on_db!(db, pool => {
        sqlx::query_as("SELECT r.id, r.location_id, r.name, r.kind, r.active, l.time_zone FROM resources r JOIN locations l ON l.id = r.location_id ORDER BY l.name, r.name")
            .fetch_all(pool)
            .await?
    });
    let blocks: Vec<(String, String, Timestamp, Timestamp, String)> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT resource_id, id, starts_at, ends_at, reason FROM resource_blocks WHERE ends_at > $1 ORDER BY starts_at",
        )
        .bind(Timestamp::now())
        .fetch_all(pool)
        .await?
    });
    let zones: HashMap<&str, Clock> =
        rows.iter().map(|(id, .., zone)| (id.as_str(), Clock::named(Some(zone)))).collect();
    let mut by_resource: HashMap<String, Vec<ResourceBlock>> = HashMap::new();
    for (resource, id, from, until, reason) in blocks {
        let label = zones.get(resource.as_str()).map(|c| c.span(&from.0, &until.0)).unwrap_or_default();
        by_resource.entry(resource).or_default().push(ResourceBlock {
            id,
            starts_at: from.0,
            ends_at: until.0,
            reason,
            label,
        });
    }
    drop(zones);
    Ok(rows
        .into_iter()
        .filter(|(_, location, ..)| actor.locations.includes(location))
        .filter_map(|(id, location_id, name, kind, active, _)| {
            Some(Resource {
                blocks: by_resource.remove(&id).unwrap_or_default(),
                id,
                location_id,
                name,
                kind: ResourceKind::parse(&kind)?,
                active,
            })
        })
        .collect())
}

/// Active staff who are qualified for at least one service or have working hours.
pub async fn staff(db: &Db, actor: &Actor) -> Result<Vec<StaffMember>, DomainError> {
    actor.require(Permission::BookingsRead)?;
    let people: Vec<(String, String, Option<String>)> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT id, display_name, job_title FROM users u WHERE active = TRUE \
             AND (EXISTS (SELECT 1 FROM staff_services q WHERE q.user_id = u.id) OR EXISTS (SELECT 1 FROM staff_hours h WHERE h.user_id = u.id)) \
             ORDER BY display_name, id",
        )
        .fetch_all(pool)
        .await?
    });
    let qualified: Vec<(String, String)> = on_db!(db, pool => {
        sqlx::query_as("SELECT user_id, service_id FROM staff_services ORDER BY service_id").fetch_all(pool).await?
    });
    let hours: Vec<(String, String, i32, String, String)> = on_db!(db, pool => {
        sqlx::query_as("SELECT user_id, location_id, weekday, starts, ends FROM staff_hours ORDER BY weekday, starts")
            .fetch_all(pool)
            .await?
    });
    let leave: Vec<(String, String, Timestamp, Timestamp, String)> = on_db!(db, pool => {
        sqlx::query_as("SELECT user_id, id, starts_at, ends_at, reason FROM staff_leave WHERE ends_at > $1 ORDER BY starts_at")
            .bind(Timestamp::now())
            .fetch_all(pool)
            .await?
    });
    let mut members: Vec<StaffMember> = people
        .into_iter()
        .map(|(id, display_name, job_title)| StaffMember {
            id,
            display_name,
            job_title,
            service_ids: Vec::new(),
            hours: Vec::new(),
            leave: Vec::new(),
        })
        .collect();
    let index: HashMap<String, usize> = members.iter().enumerate().map(|(i, m)| (m.id.clone(), i)).collect();
    for (user, service) in qualified {
        if let Some(&i) = index.get(&user) {
            members[i].service_ids.push(service);
        }
    }
    for (user, location_id, day, starts, ends) in hours {
        if let Some(&i) = index.get(&user)
            && actor.locations.includes(&location_id)
        {
            members[i].hours.push(WorkingPeriod { location_id, weekday: weekday(day), starts, ends });
        }
    }
    // Leave is given in whole days on the clinic's clock (Settings → Scheduling).
    let clinic = super::super::clock::for_clinic(db).await?;
    for (user, id, from, until, reason) in leave {
        if let Some(&i) = index.get(&user) {
            let label = clinic.span(&from.0, &until.0);
            members[i].leave.push(Leave { id, starts_at: from.0, ends_at: until.0, reason, label });
        }
    }
    Ok(members)
}
