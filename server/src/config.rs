//! Settings from the environment (and an optional `.env`), parsed once at start-up.
//! A bad value is reported as one line naming the variable; `main` then exits with code 2.

use std::net::SocketAddr;

use domain::DatabaseUrl;

/// A setting that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    /// Where the server listens; Leptos's own `LEPTOS_SITE_ADDR`.
    pub listen_addr: SocketAddr,
    pub log_format: LogFormat,
    /// A `tracing` filter such as `info,sqlx=warn`.
    pub log_filter: String,
}

impl Config {
    pub const DEFAULT_LISTEN_ADDR: &'static str = "127.0.0.1:3000";
    pub const DEFAULT_LOG_FILTER: &'static str = "info,sqlx=warn,tower_http=info";

    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Parses settings from any source of variables (the environment, or a map in tests).
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let non_empty = |name: &str| var(name).filter(|v| !v.trim().is_empty());

        let raw_url = non_empty("DATABASE_URL").unwrap_or_else(|| DatabaseUrl::DEFAULT.to_owned());
        let database_url = DatabaseUrl::parse(&raw_url).map_err(|message| ConfigError {
            variable: "DATABASE_URL",
            message,
        })?;

        let raw_addr =
            non_empty("LEPTOS_SITE_ADDR").unwrap_or_else(|| Self::DEFAULT_LISTEN_ADDR.to_owned());
        let listen_addr = raw_addr
            .trim()
            .parse::<SocketAddr>()
            .map_err(|_| ConfigError {
                variable: "LEPTOS_SITE_ADDR",
                message: format!("`{raw_addr}` is not an address and port such as 127.0.0.1:3000"),
            })?;

        let log_format = match non_empty("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    variable: "LOG_FORMAT",
                    message: format!("`{other}` is not one of: pretty, json"),
                });
            }
        };

        let log_filter =
            non_empty("RUST_LOG").unwrap_or_else(|| Self::DEFAULT_LOG_FILTER.to_owned());
        tracing_subscriber::EnvFilter::try_new(&log_filter).map_err(|e| ConfigError {
            variable: "RUST_LOG",
            message: format!("not a valid log filter: {e}"),
        })?;

        Ok(Config {
            database_url,
            listen_addr,
            log_format,
            log_filter,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_to_embedded_sqlite_on_port_3000() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.database_url.as_str(), DatabaseUrl::DEFAULT);
        assert_eq!(config.listen_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.log_format, LogFormat::Pretty);
    }

    #[test]
    fn each_bad_setting_names_its_variable() {
        let err = parse(&[("DATABASE_URL", "mysql://root@db/crm")]).unwrap_err();
        assert_eq!(err.variable, "DATABASE_URL");
        assert!(err.to_string().starts_with("DATABASE_URL: "), "{err}");
        assert_eq!(
            parse(&[("LEPTOS_SITE_ADDR", "localhost")])
                .unwrap_err()
                .variable,
            "LEPTOS_SITE_ADDR"
        );
        assert_eq!(
            parse(&[("LOG_FORMAT", "xml")]).unwrap_err().variable,
            "LOG_FORMAT"
        );
        assert_eq!(
            parse(&[("RUST_LOG", "info,[[[")]).unwrap_err().variable,
            "RUST_LOG"
        );
    }

    #[test]
    fn reads_postgres_and_listen_address() {
        let config = parse(&[
            ("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/avatar"),
            ("LEPTOS_SITE_ADDR", "0.0.0.0:8080"),
            ("LOG_FORMAT", "json"),
        ])
        .unwrap();
        assert_eq!(config.database_url.backend(), domain::Backend::Postgres);
        assert_eq!(config.listen_addr.port(), 8080);
        assert_eq!(config.log_format, LogFormat::Json);
    }
}
