//! Server functions for settings → Security: the IP allowlist.

use domain::model::IpAllowlistSettings;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

#[server(prefix = "/rpc", endpoint = "get_ip_allowlist")]
pub async fn get_ip_allowlist() -> Result<IpAllowlistSettings, AppError> {
    let (actor, _) = ssr::caller()?;
    domain::services::ip_allowlist::get(&ssr::context().db, &actor).await.map_err(ssr::fail)
}

/// `entries` is the textarea: one address or range per line (commas also separate).
#[server(prefix = "/rpc", endpoint = "save_ip_allowlist")]
pub async fn save_ip_allowlist(
    enabled: Option<String>,
    entries: String,
) -> Result<IpAllowlistSettings, AppError> {
    let (actor, meta) = ssr::caller()?;
    let settings = IpAllowlistSettings {
        enabled: enabled.is_some_and(|v| v == "on" || v == "true"),
        entries: entries.split(['\n', ',']).map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()).collect(),
    };
    domain::services::ip_allowlist::save(&ssr::context().db, &actor, settings, &meta).await.map_err(ssr::fail)
}

/// The caller's address as the server sees it (after trusted proxies), for the allowlist page.
#[server(prefix = "/rpc", endpoint = "my_ip_address")]
pub async fn my_ip_address() -> Result<String, AppError> {
    let (_, meta) = ssr::caller()?;
    Ok(meta.ip.map(|ip| ip.to_string()).unwrap_or_default())
}
