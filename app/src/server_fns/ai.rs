//! Server functions for the AI layer on the contact page: the contact's warmness with its
//! reasons, and recalculating (storing) it. The same services as `/api/v1/contacts/{id}/warmness`.

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
