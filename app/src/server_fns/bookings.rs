//! Server functions for bookings: the calendar, a contact's bookings and the Book box, and
//! every change staff make (book, move, confirm, cancel, bring back, attended, no-show). The
//! same services as `/api/v1/bookings` and `/api/v1/availability`.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;
use domain::model::{Booking, BookingDetail, CalendarView, ContactBookings, LocationOption, Service, Slot};

/// A form's RFC 3339 start (what the slot buttons and calendar cells carry).
#[cfg(feature = "ssr")]
fn parse_start(raw: &str) -> Result<chrono::DateTime<chrono::FixedOffset>, AppError> {
    chrono::DateTime::parse_from_rfc3339(raw.trim()).map_err(|_| {
        ssr::fail(domain::DomainError::field("start", "is not a time like 2027-07-06T09:00:00+10:00"))
    })
}

/// One location's day (or week, `view=week`) on its own clock.
#[server(prefix = "/rpc", endpoint = "calendar")]
pub async fn calendar(
    location_id: Option<String>,
    date: Option<String>,
    view: Option<String>,
    resource_id: Option<String>,
    staff_id: Option<String>,
) -> Result<Option<CalendarView>, AppError> {
    let (actor, _) = ssr::caller()?;
    let query = domain::services::bookings::calendar::CalendarQuery {
        location_id,
        date,
        week: view.as_deref() == Some("week"),
        resource_id,
        staff_id,
    };
    domain::services::bookings::calendar::view(&ssr::context().db, &actor, query).await.map_err(ssr::fail)
}

/// One booking with its history, for the calendar's drawer (an audited view).
#[server(prefix = "/rpc", endpoint = "get_booking")]
pub async fn get_booking(id: String) -> Result<BookingDetail, AppError> {
    let (actor, meta) = ssr::caller()?;
    domain::services::bookings::get(&ssr::context().db, &actor, &id, &meta).await.map_err(ssr::fail)
}

/// A contact's bookings, coming and past (the contact page).
#[server(prefix = "/rpc", endpoint = "list_contact_bookings")]
pub async fn list_contact_bookings(contact_id: String) -> Result<ContactBookings, AppError> {
    let (actor, _) = ssr::caller()?;
    let db = ssr::context().db;
    let filter = domain::services::bookings::BookingFilter {
        contact_id: Some(contact_id),
        limit: Some(200),
        ..Default::default()
    };
    let all = domain::services::bookings::list(&db, &actor, filter).await.map_err(ssr::fail)?.items;
    let now = chrono::Utc::now();
    let (coming, mut past): (Vec<Booking>, Vec<Booking>) = all.into_iter().partition(|b| b.end > now);
    past.reverse();
    let zone = domain::services::clock::for_clinic(&db).await.map_err(ssr::fail)?.zone();
    let suggested_day = Some(now.with_timezone(&zone).date_naive() + chrono::Duration::days(1));
    Ok(ContactBookings { coming, past, suggested_day })
}

/// What can be booked where: the Book box's pickers.
#[server(prefix = "/rpc", endpoint = "booking_options")]
pub async fn booking_options() -> Result<(Vec<Service>, Vec<LocationOption>), AppError> {
    let (actor, _) = ssr::caller()?;
    let db = ssr::context().db;
    let services = domain::services::bookings::catalog::services(&db, &actor).await.map_err(ssr::fail)?;
    let locations = domain::services::bookings::catalog::locations(&db, &actor).await.map_err(ssr::fail)?;
    Ok((
        services.into_iter().filter(|s| s.active && s.resource_kind.is_some()).collect(),
        locations.into_iter().map(|l| LocationOption { id: l.id, name: l.name }).collect(),
    ))
}

/// Free slots for a service at a location on one of its days.
#[server(prefix = "/rpc", endpoint = "free_slots")]
pub async fn free_slots(
    service_id: String,
    location_id: String,
    date: String,
) -> Result<Vec<Slot>, AppError> {
    let (actor, _) = ssr::caller()?;
    let query = domain::services::bookings::AvailabilityQuery {
        service_id,
        location_id,
        from: date.clone(),
        to: date,
        ..Default::default()
    };
    domain::services::bookings::availability(&ssr::context().db, &actor, query).await.map_err(ssr::fail)
}

/// Books a contact in at a slot.
#[server(prefix = "/rpc", endpoint = "create_booking")]
pub async fn create_booking(
    contact_id: String,
    service_id: String,
    location_id: String,
    start: String,
    resource_id: Option<String>,
    staff_id: Option<String>,
) -> Result<Booking, AppError> {
    let (actor, meta) = ssr::caller()?;
    let input = domain::services::bookings::NewBooking {
        contact_id,
        service_id,
        location_id,
        start: parse_start(&start)?,
        resource_id: resource_id.filter(|r| !r.is_empty()),
        staff_id: staff_id.filter(|s| !s.is_empty()),
        notes: None,
    };
    let context = ssr::context();
    domain::services::bookings::create(&context.db, &actor, input, &context.links, &meta)
        .await
        .map_err(ssr::fail)
}

/// Moves a booking to another start (and resource, when dropped on another one's column).
#[server(prefix = "/rpc", endpoint = "move_booking")]
pub async fn move_booking(
    id: String,
    start: String,
    resource_id: Option<String>,
) -> Result<Booking, AppError> {
    let (actor, meta) = ssr::caller()?;
    let changes = domain::services::bookings::BookingChanges {
        start: Some(parse_start(&start)?),
        resource_id: resource_id.filter(|r| !r.is_empty()),
        ..Default::default()
    };
    domain::services::bookings::reschedule(&ssr::context().db, &actor, &id, changes, &meta)
        .await
        .map_err(ssr::fail)
}

/// `confirm`, `cancel` (with `reason`), `uncancel`, `complete` or `no_show`.
#[server(prefix = "/rpc", endpoint = "booking_action")]
pub async fn booking_action(id: String, action: String, reason: Option<String>) -> Result<Booking, AppError> {
    use domain::services::bookings;
    let (actor, meta) = ssr::caller()?;
    let db = ssr::context().db;
    match action.as_str() {
        "confirm" => bookings::confirm(&db, &actor, &id, &meta).await,
        "cancel" => {
            let input = bookings::CancelBooking { reason: reason.unwrap_or_default() };
            bookings::cancel(&db, &actor, &id, input, &meta).await
        }
        "uncancel" => bookings::uncancel(&db, &actor, &id, &meta).await,
        "complete" => bookings::complete(&db, &actor, &id, &meta).await,
        "no_show" => bookings::no_show(&db, &actor, &id, &meta).await,
        _ => Err(domain::DomainError::field(
            "action",
            "is not one of confirm, cancel, uncancel, complete, no_show",
        )),
    }
    .map_err(ssr::fail)
}

/// Utilisation, no-shows, lead time and bookings by service (the calendar's Insights page);
/// the last 30 days on the clinic's clock unless the days are given.
#[server(prefix = "/rpc", endpoint = "booking_analytics")]
pub async fn booking_analytics(
    location_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<domain::model::BookingAnalytics, AppError> {
    let (actor, _) = ssr::caller()?;
    let db = ssr::context().db;
    let zone = domain::services::clock::for_clinic(&db).await.map_err(ssr::fail)?.zone();
    let today = chrono::Utc::now().with_timezone(&zone).date_naive();
    let given = |d: Option<String>| d.filter(|d| !d.trim().is_empty());
    let query = domain::services::bookings::analytics::AnalyticsQuery {
        location_id: location_id.filter(|l| !l.is_empty()),
        from: given(from).unwrap_or_else(|| (today - chrono::Duration::days(29)).to_string()),
        to: given(to).unwrap_or_else(|| today.to_string()),
    };
    domain::services::bookings::analytics::summary(&db, &actor, query).await.map_err(ssr::fail)
}
