//! Server functions for the audit log page.

use domain::display::Zoned;
use domain::model::{AuditEvent, Page};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

#[server(prefix = "/rpc", endpoint = "list_audit_events")]
pub async fn list_audit_events(
    action: Option<String>,
    actor_user_id: Option<String>,
    cursor: Option<String>,
) -> Result<Zoned<Page<AuditEvent>>, AppError> {
    let (actor, _) = ssr::caller()?;
    let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let filter = domain::services::audit::Filter {
        action: clean(action),
        actor_user_id: clean(actor_user_id),
        ..Default::default()
    };
    let db = ssr::context().db;
    let page =
        domain::services::audit::list(&db, &actor, filter, clean(cursor), None).await.map_err(ssr::fail)?;
    // One clock for the whole log, so a column never mixes offsets.
    let clock = domain::services::clock::for_clinic(&db).await.map_err(ssr::fail)?;
    let instants: Vec<_> = page.items.iter().map(|event| event.occurred_at).collect();
    Ok(clock.zoned(page, &instants))
}
