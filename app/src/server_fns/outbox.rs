//! Server functions for the local email outbox (Settings → Outbox).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

/// The local email outbox (administrators).
#[server(prefix = "/rpc", endpoint = "list_outbox_emails")]
pub async fn list_outbox_emails() -> Result<domain::display::Zoned<Vec<domain::model::OutboxEmail>>, AppError>
{
    let (actor, _) = ssr::caller()?;
    let db = ssr::context().db;
    let emails = domain::services::outbox::list_emails(&db, &actor).await.map_err(ssr::fail)?;
    let clock = domain::services::clock::for_clinic(&db).await.map_err(ssr::fail)?;
    let instants: Vec<_> =
        emails.iter().flat_map(|email| [Some(email.created_at), email.sent_at]).flatten().collect();
    Ok(clock.zoned(emails, &instants))
}
