//! iCalendar feeds (RFC 5545) of one staff member's or one resource's bookings, for a calendar
//! app to subscribe to: `/feeds/staff/{token}.ics`, `/feeds/resources/{token}.ics`. The address
//! is signed (`links`), since calendar apps cannot sign in; staff with `bookings.read` get it
//! from the API or their account page. Feeds leave third parties' servers (Google, Apple,
//! Microsoft fetch them), so events carry **no patient details**: the service, status, scanner,
//! staff member and location, and a link into the app, where signing in shows who it is.

use chrono::{Duration, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

use super::links::{LinkPurpose, PatientLinks};
use crate::access::Permission;
use crate::model::BookingStatus;
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, on_db};

/// What a feed covers: from a month back to six months ahead.
const PAST_DAYS: i64 = 31;
const AHEAD_DAYS: i64 = 183;

/// Whose bookings a feed holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedOf {
    Staff,
    Resource,
}

impl FeedOf {
    fn purpose(self) -> LinkPurpose {
        match self {
            FeedOf::Staff => LinkPurpose::StaffFeed,
            FeedOf::Resource => LinkPurpose::ResourceFeed,
        }
    }
}

/// A feed's address.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FeedAddress {
    /// Subscribe to this in a calendar app. Anyone with it can read the times (no patient details).
    pub url: String,
}

/// The feed address of a staff member or resource the actor may see.
pub async fn address(
    db: &Db,
    actor: &Actor,
    links: &PatientLinks,
    of: FeedOf,
    id: &str,
) -> Result<FeedAddress, DomainError> {
    actor.require(Permission::BookingsRead)?;
    let visible: Option<(Option<String>,)> = match of {
        FeedOf::Resource => on_db!(db, pool => {
            sqlx::query_as("SELECT location_id FROM resources WHERE id = $1").bind(id).fetch_optional(pool).await?
        }),
        FeedOf::Staff => on_db!(db, pool => {
            sqlx::query_as("SELECT NULL AS location_id FROM users WHERE id = $1 AND active = TRUE").bind(id).fetch_optional(pool).await?
        }),
    };
    let Some((location,)) = visible else {
        return Err(DomainError::NotFound(if of == FeedOf::Staff { "staff member" } else { "resource" }));
    };
    if location.is_some() && !actor.may_see(location.as_deref()) {
        return Err(DomainError::NotFound("resource"));
    }
    Ok(FeedAddress { url: format!("{}.ics", links.url(of.purpose(), id)) })
}

type FeedRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    Timestamp,
    Timestamp,
    Timestamp,
    String,
    String,
);

/// The feed a signed token names, as iCalendar text; 404 for a token that is not genuine.
pub async fn feed(db: &Db, links: &PatientLinks, of: FeedOf, token: &str) -> Result<String, DomainError> {
    let token = token.strip_suffix(".ics").unwrap_or(token);
    let id = links.verify(of.purpose(), token).ok_or(DomainError::NotFound("feed"))?;
    let name: Option<(String,)> = match of {
        FeedOf::Staff => on_db!(db, pool => {
            sqlx::query_as("SELECT display_name FROM users WHERE id = $1").bind(&id).fetch_optional(pool).await?
        }),
        FeedOf::Resource => on_db!(db, pool => {
            sqlx::query_as("SELECT name FROM resources WHERE id = $1").bind(&id).fetch_optional(pool).await?
        }),
    };
    let Some((name,)) = name else { return Err(DomainError::NotFound("feed")) };
    let column = match of {
        FeedOf::Staff => "b.staff_id",
        FeedOf::Resource => "b.resource_id",
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT b.id, s.name, r.name, l.name, l.address, u.display_name, b.status, b.starts_at, b.ends_at, b.updated_at, \
         l.time_zone, b.location_id FROM bookings b JOIN services s ON s.id = b.service_id JOIN resources r ON r.id = b.resource_id \
         JOIN locations l ON l.id = b.location_id JOIN users u ON u.id = b.staff_id \
         WHERE {column} = $1 AND b.status <> 'cancelled' AND b.starts_at >= $2 AND b.starts_at < $3 ORDER BY b.starts_at"
    ));
    let now = Utc::now();
    let rows: Vec<FeedRow> = on_db!(db, pool => {
        sqlx::query_as(sql)
            .bind(&id)
            .bind(Timestamp(now - Duration::days(PAST_DAYS)))
            .bind(Timestamp(now + Duration::days(AHEAD_DAYS)))
            .fetch_all(pool)
            .await?
    });
    let mut calendar = Calendar::new();
    calendar.name(&format!("Avatar bookings: {name}"));
    calendar.ttl(&Duration::minutes(15));
    for (
        booking_id,
        service,
        resource,
        location,
        address,
        staff,
        status,
        starts,
        ends,
        updated,
        zone,
        location_id,
    ) in rows
    {
        let status = BookingStatus::parse(&status).unwrap_or(BookingStatus::Booked);
        let place = match address {
            Some(address) => format!("{location}, {address}"),
            None => location.clone(),
        };
        let clock = crate::services::clock::Clock::named(Some(&zone));
        let event = Event::new()
            .uid(&format!("{booking_id}@avatar-crm"))
            .summary(&format!("{service} ({})", status.label()))
            .description(&format!(
                "{service} on {resource} with {staff}, {}. Open the booking in Avatar for the patient's details.",
                clock.show(&starts.0)
            ))
            .location(&place)
            .url(&format!(
                "{}/calendar?location_id={location_id}&date={}&booking={booking_id}",
                links.base_url(),
                starts.0.with_timezone(&clock.zone()).date_naive()
            ))
            .starts(starts.0)
            .ends(ends.0)
            .timestamp(updated.0)
            .status(EventStatus::Confirmed)
            .done();
        calendar.push(event);
    }
    Ok(calendar.done().to_string())
}
