//! Server functions for the audit log page.

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
) -> Result<Page<AuditEvent>, AppError> {
    let (actor, _) = ssr::caller()?;
    let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let filter = domain::services::audit::Filter {
        action: clean(action),
        actor_user_id: clean(actor_user_id),
        ..Default::default()
    };
    domain::services::audit::list(&ssr::context().db, &actor, filter, clean(cursor), None)
        .await
        .map_err(ssr::fail)
}
