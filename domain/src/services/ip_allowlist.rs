//! The IP allowlist: when on, only listed addresses (IPv4/IPv6, CIDR) reach the app.
//! Stored in `settings`; off on a fresh install.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::access::Permission;
use crate::model::IpAllowlistSettings;
use crate::on_db;
use crate::services::audit::{self, Entry};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, RequestMeta, on_tx};

const SETTING_KEY: &str = "security.ip_allowlist";
/// More entries than any clinic needs; keeps the per-request check trivially cheap.
pub const MAX_ENTRIES: usize = 200;

/// A parsed allowlist, checked on every request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IpAllowlist {
    pub enabled: bool,
    pub networks: Vec<IpNet>,
}

impl IpAllowlist {
    pub fn allows(&self, ip: IpAddr) -> bool {
        // An IPv4 client seen through an IPv6 socket arrives as ::ffff:a.b.c.d.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        !self.enabled || self.networks.iter().any(|net| net.contains(&ip))
    }
}

/// Parses one entry: a CIDR range or a single address (as a /32 or /128).
pub fn parse_entry(raw: &str) -> Result<IpNet, String> {
    let raw = raw.trim();
    raw.parse::<IpNet>()
        .or_else(|_| raw.parse::<IpAddr>().map(IpNet::from))
        .map(|net| net.trunc())
        .map_err(|_| format!("`{raw}` is not an IP address or CIDR range such as 203.0.113.0/24"))
}

fn parse(settings: &IpAllowlistSettings) -> Result<IpAllowlist, DomainError> {
    if settings.entries.len() > MAX_ENTRIES {
        return Err(DomainError::field("entries", format!("at most {MAX_ENTRIES} entries")));
    }
    let mut networks = Vec::new();
    for entry in settings.entries.iter().filter(|e| !e.trim().is_empty()) {
        networks.push(parse_entry(entry).map_err(|p| DomainError::field("entries", p))?);
    }
    Ok(IpAllowlist { enabled: settings.enabled, networks })
}

/// The stored list (off if never saved). No permission check: the request guard needs it.
pub async fn load(db: &Db) -> Result<IpAllowlist, DomainError> {
    let stored = load_settings(db).await?;
    parse(&stored)
}

async fn load_settings(db: &Db) -> Result<IpAllowlistSettings, DomainError> {
    let value: Option<String> = on_db!(db, pool => {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(SETTING_KEY).fetch_optional(pool).await?
    });
    Ok(value.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default())
}

pub async fn get(db: &Db, actor: &Actor) -> Result<IpAllowlistSettings, DomainError> {
    actor.require(Permission::SettingsRead)?;
    load_settings(db).await
}

/// Saves the list. Refuses a list that would lock out the person saving it.
pub async fn save(
    db: &Db,
    actor: &Actor,
    settings: IpAllowlistSettings,
    meta: &RequestMeta,
) -> Result<IpAllowlistSettings, DomainError> {
    actor.require(Permission::SettingsWrite)?;
    let parsed = parse(&settings)?;
    if parsed.enabled && parsed.networks.is_empty() {
        return Err(DomainError::field(
            "entries",
            "add at least one address before turning the allowlist on",
        ));
    }
    // Saved from the command line there is no address to lock out.
    if let Some(saver_ip) = meta.ip
        && !parsed.allows(saver_ip)
    {
        return Err(DomainError::field(
            "entries",
            format!("this list would lock you out: your address {saver_ip} is not in it"),
        ));
    }
    let normalised = IpAllowlistSettings {
        enabled: parsed.enabled,
        entries: parsed.networks.iter().map(ToString::to_string).collect(),
    };
    let value = serde_json::to_string(&normalised).map_err(|e| DomainError::Internal(e.to_string()))?;
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(SETTING_KEY)
    .bind(&value)
    .bind(Timestamp::now())
    .execute(&mut **tx)
    .await?;
    });
    audit::record_in(&mut tx, Entry::new("settings.ip_allowlist.update").by(actor).from(meta)).await?;
    tx.commit().await?;
    Ok(normalised)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[&str]) -> IpAllowlist {
        parse(&IpAllowlistSettings {
            enabled: true,
            entries: entries.iter().map(|e| e.to_string()).collect(),
        })
        .unwrap()
    }

    #[test]
    fn matches_ipv4_and_ipv6_ranges_and_single_addresses() {
        let allow = list(&["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"]);
        assert!(allow.allows("203.0.113.200".parse().unwrap()));
        assert!(!allow.allows("203.0.114.1".parse().unwrap()));
        assert!(allow.allows("2001:db8:1::5".parse().unwrap()));
        assert!(!allow.allows("2001:db9::1".parse().unwrap()));
        assert!(allow.allows("198.51.100.7".parse().unwrap()));
        assert!(!allow.allows("198.51.100.8".parse().unwrap()));
        assert!(allow.allows("::ffff:203.0.113.9".parse().unwrap()), "IPv4-mapped IPv6");
    }

    #[test]
    fn off_allows_everyone_and_bad_entries_name_the_field() {
        let off = IpAllowlist::default();
        assert!(off.allows("192.0.2.1".parse().unwrap()));
        let err =
            parse(&IpAllowlistSettings { enabled: true, entries: vec!["10.0.0.0/33".into()] }).unwrap_err();
        assert!(matches!(err, DomainError::Validation(ref f) if f.contains_key("entries")));
        assert_eq!(parse_entry("10.1.2.3/8").unwrap().to_string(), "10.0.0.0/8");
    }
}
