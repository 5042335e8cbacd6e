//! Server functions for the AI layer: a contact's warmness with its reasons and recalculating
//! (storing) it, the provider's settings and its connection test, and the usage page's figures.
//! The same services as `/api/v1/contacts/{id}/warmness` and `/api/v1/ai/…`.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;
use domain::display::Zoned;
use domain::model::ContactWarmness;

/// The contact's warmness as its facts give it now, with when it was last stored on the
/// contact's clock.
#[server(prefix = "/rpc", endpoint = "load_contact_warmness")]
pub async fn load_contact_warmness(contact_id: String) -> Result<Zoned<ContactWarmness>, AppError> {
    let (actor, meta) = ssr::caller()?;
    let db = ssr::context().db;
    let warmness =
        domain::services::ai::warmness::get(&db, &actor, &contact_id, &meta).await.map_err(ssr::fail)?;
    let clock = domain::services::clock::for_contact(&db, &contact_id).await.map_err(ssr::fail)?;
    let instants: Vec<_> = warmness.calculated_at.into_iter().collect();
    Ok(clock.zoned(warmness, &instants))
}

/// Works the contact's warmness out again and stores it (what lists, cards and filters show).
#[server(prefix = "/rpc", endpoint = "recalculate_warmness")]
pub async fn recalculate_warmness(contact_id: String) -> Result<ContactWarmness, AppError> {
    let (actor, meta) = ssr::caller()?;
    domain::services::ai::warmness::recalculate(&ssr::context().db, &actor, &contact_id, &meta)
        .await
        .map_err(ssr::fail)
}

/// How the AI layer is set up (never the key) and the month's spend.
#[server(prefix = "/rpc", endpoint = "load_ai_settings")]
pub async fn load_ai_settings() -> Result<domain::model::AiSettings, AppError> {
    let (actor, _) = ssr::caller()?;
    let context = ssr::context();
    domain::services::ai::settings::view(&context.db, &context.ai, &actor).await.map_err(ssr::fail)
}

/// Asks the provider a one-line question (audited).
#[server(prefix = "/rpc", endpoint = "test_ai_connection")]
pub async fn test_ai_connection() -> Result<domain::model::AiConnectionTest, AppError> {
    let (actor, meta) = ssr::caller()?;
    let context = ssr::context();
    domain::services::ai::settings::test_connection(&context.db, &context.ai, &actor, &meta)
        .await
        .map_err(ssr::fail)
}

/// The AI layer's calls over the last `days` days (1–92) up to today on the clinic's clock.
#[server(prefix = "/rpc", endpoint = "load_ai_usage")]
pub async fn load_ai_usage(days: i64) -> Result<domain::model::Usage, AppError> {
    let (actor, _) = ssr::caller()?;
    let context = ssr::context();
    if !(1..=domain::services::ai::usage::MAX_DAYS).contains(&days) {
        return Err(ssr::fail(domain::DomainError::field("days", "must be between 1 and 92")));
    }
    let zone = domain::services::clock::for_clinic(&context.db).await.map_err(ssr::fail)?.zone();
    let today = chrono::Utc::now().with_timezone(&zone).date_naive();
    let from = today - chrono::Days::new(u64::try_from(days - 1).unwrap_or(0));
    let query = domain::services::ai::usage::UsageQuery { from: from.to_string(), to: today.to_string() };
    domain::services::ai::usage::summary(
        &context.db,
        &actor,
        context.ai.policy(),
        context.ai.provider(),
        &query,
    )
    .await
    .map_err(ssr::fail)
}

/// What the contact's notes say as last read, with when on the contact's clock.
#[server(prefix = "/rpc", endpoint = "load_contact_enrichment")]
pub async fn load_contact_enrichment(
    contact_id: String,
) -> Result<Zoned<domain::model::ContactEnrichment>, AppError> {
    let (actor, meta) = ssr::caller()?;
    let db = ssr::context().db;
    let read =
        domain::services::ai::enrich::stored(&db, &actor, &contact_id, &meta).await.map_err(ssr::fail)?;
    let clock = domain::services::clock::for_contact(&db, &contact_id).await.map_err(ssr::fail)?;
    let instants: Vec<_> = read.read_at.into_iter().collect();
    Ok(clock.zoned(read, &instants))
}
