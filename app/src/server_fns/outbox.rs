//! Server functions for the local email outbox (Settings → Outbox).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

/// The local email outbox (administrators).
#[server(prefix = "/rpc", endpoint = "list_outbox_emails")]
pub async fn list_outbox_emails() -> Result<Vec<domain::model::OutboxEmail>, AppError> {
    let (actor, _) = ssr::caller()?;
    domain::services::outbox::list_emails(&ssr::context().db, &actor).await.map_err(ssr::fail)
}
