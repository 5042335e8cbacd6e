//! Server functions for messages: the contact page's Send SMS box, the Outbox page, and the
//! providers shown on Settings. The same services as `/api/v1/messages` and
//! `/api/v1/settings/providers`.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;
use domain::model::{Message, Page, ProviderSettings};

/// Texts a contact; the message comes back queued, and a job sends it.
#[server(prefix = "/rpc", endpoint = "send_sms")]
pub async fn send_sms(contact_id: String, body: String) -> Result<Message, AppError> {
    let (actor, meta) = ssr::caller()?;
    let input = domain::services::messages::send::NewSms { contact_id, body };
    domain::services::messages::send::sms(&ssr::context().db, &actor, input, &meta).await.map_err(ssr::fail)
}

/// Messages newest first, 50 a page, of one channel (all when empty) and contacts the caller
/// may see: the Outbox page.
#[server(prefix = "/rpc", endpoint = "list_messages")]
pub async fn list_messages(
    channel: Option<String>,
    cursor: Option<String>,
) -> Result<domain::display::Zoned<Page<Message>>, AppError> {
    use domain::model::Channel;
    use domain::services::messages::{self, MessageFilter};
    let (actor, _) = ssr::caller()?;
    let db = ssr::context().db;
    let channel = match channel.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(raw) => Some(
            Channel::parse(raw)
                .ok_or_else(|| ssr::fail(domain::DomainError::field("channel", "is not sms or email")))?,
        ),
    };
    let filter = MessageFilter { channel, cursor: cursor.filter(|c| !c.is_empty()), ..Default::default() };
    let page = messages::list(&db, &actor, &filter).await.map_err(ssr::fail)?;
    let clock = domain::services::clock::for_clinic(&db).await.map_err(ssr::fail)?;
    let instants: Vec<_> = page.items.iter().flat_map(|m| [m.created_at, m.status_at]).collect();
    Ok(clock.zoned(page, &instants))
}

/// Which providers send messages (never their secrets), and messages stuck after failures.
#[server(prefix = "/rpc", endpoint = "message_providers")]
pub async fn message_providers() -> Result<domain::display::Zoned<ProviderSettings>, AppError> {
    let (actor, _) = ssr::caller()?;
    let context = ssr::context();
    let settings = domain::services::messages::provider_settings(&context.db, &actor, &context.providers)
        .await
        .map_err(ssr::fail)?;
    let clock = domain::services::clock::for_clinic(&context.db).await.map_err(ssr::fail)?;
    let instants: Vec<_> = settings.problems.iter().map(|p| p.waiting_since).collect();
    Ok(clock.zoned(settings, &instants))
}
