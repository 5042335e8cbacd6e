//! Server functions for the waitlist: a contact's entries, putting them on it and taking them
//! off (the contact page's Waitlist box). The same service as `/api/v1/waitlist`.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;
use domain::model::WaitlistEntry;

/// The contact's waiting entries, oldest first.
#[server(prefix = "/rpc", endpoint = "list_contact_waitlist")]
pub async fn list_contact_waitlist(contact_id: String) -> Result<Vec<WaitlistEntry>, AppError> {
    let (actor, _) = ssr::caller()?;
    let filter = domain::services::bookings::waitlist::WaitlistFilter {
        contact_id: Some(contact_id),
        ..Default::default()
    };
    domain::services::bookings::waitlist::list(&ssr::context().db, &actor, filter).await.map_err(ssr::fail)
}

/// Puts the contact on the waitlist for a service at a location between two days.
#[server(prefix = "/rpc", endpoint = "add_to_waitlist")]
pub async fn add_to_waitlist(
    contact_id: String,
    service_id: String,
    location_id: String,
    earliest_day: String,
    latest_day: String,
) -> Result<WaitlistEntry, AppError> {
    let (actor, meta) = ssr::caller()?;
    let input = domain::services::bookings::waitlist::NewWaitlistEntry {
        contact_id,
        service_id,
        location_id,
        earliest_day,
        latest_day,
        notes: None,
    };
    domain::services::bookings::waitlist::add(&ssr::context().db, &actor, input, &meta)
        .await
        .map_err(ssr::fail)
}

/// Takes an entry off the waitlist.
#[server(prefix = "/rpc", endpoint = "remove_from_waitlist")]
pub async fn remove_from_waitlist(id: String) -> Result<WaitlistEntry, AppError> {
    let (actor, meta) = ssr::caller()?;
    domain::services::bookings::waitlist::remove(&ssr::context().db, &actor, &id, &meta)
        .await
        .map_err(ssr::fail)
}
