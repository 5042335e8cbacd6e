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
    /// The address people use to reach the app (links in emails, OAuth redirects, the origin
    /// that state-changing requests must come from). Cookies are `Secure` when it is https.
    pub public_base_url: String,
    /// Proxies whose `X-Forwarded-For` is believed (CIDR list). Empty: use the socket address.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// A session ends after this long without activity…
    pub session_idle_minutes: i64,
    /// …and in any case this long after sign-in.
    pub session_max_hours: i64,
    /// Google sign-in, when `GOOGLE_CLIENT_ID` and `GOOGLE_CLIENT_SECRET` are set.
    pub google: Option<GoogleConfig>,
    /// A request's headers must arrive within this, from when its connection opens or the
    /// previous response ends (so it is also how long an idle connection stays open).
    pub http_header_timeout: std::time::Duration,
    /// A request's body must arrive within this, from when its headers did (408 after).
    pub http_body_timeout: std::time::Duration,
    /// The background job worker: `None` when `JOBS_WORKER=off` (an instance that only serves
    /// pages; another instance runs the jobs).
    pub jobs: Option<domain::jobs::worker::WorkerConfig>,
    /// The Bearer token that opens `GET /metrics` (`METRICS_TOKEN`); without it, only an
    /// enabled IP allowlist does.
    pub metrics_token: Option<String>,
    /// Where texts go (`SMS_PROVIDER`).
    pub sms: SmsSettings,
    /// Where email goes (`SMTP_URL`, `EMAIL_FROM`).
    pub email: EmailSettings,
    /// The secret in the delivery-receipt webhook's path (`SMS_WEBHOOK_SECRET`); without it the
    /// webhook answers 404.
    pub sms_webhook_secret: Option<String>,
    /// Signs patients' links (manage a booking, take a waitlist offer): `BOOKING_LINK_KEY`, or
    /// when unset a random key for this process only (links then stop working on restart).
    pub patient_links: domain::services::bookings::links::PatientLinks,
    /// Whether `patient_links` has a key from the environment.
    pub booking_link_key_set: bool,
    /// The AI engine (`AI_PROVIDER`): the built-in one, or an OpenAI-compatible model.
    pub ai: Option<domain::services::ai::engine::RemoteSettings>,
    /// The AI price table (`AI_PRICES`) and monthly budget (`AI_MONTHLY_BUDGET`).
    pub ai_policy: domain::services::ai::usage::Policy,
}

/// The SMS provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SmsSettings {
    /// The local outbox: nothing is sent (the default).
    Outbox,
    ClickSend(domain::providers::clicksend::ClickSendConfig),
}

/// The email provider.
#[derive(Clone, PartialEq, Eq)]
pub enum EmailSettings {
    /// The local outbox: nothing is sent (the default).
    Outbox,
    /// An SMTP relay; `url` holds its credentials.
    Smtp { url: String, from: String, timeout: std::time::Duration },
}

impl std::fmt::Debug for EmailSettings {
    // The URL holds a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EmailSettings::Outbox => f.write_str("Outbox"),
            EmailSettings::Smtp { from, .. } => {
                f.debug_struct("Smtp").field("from", from).finish_non_exhaustive()
            }
        }
    }
}

/// Google OAuth 2 settings; every URL can be pointed elsewhere (tests use a local server).
#[derive(Debug, Clone)]
pub struct GoogleConfig {
    pub client_id: String,
    pub client_secret: String,
    pub auth_url: String,
    pub token_url: String,
    pub userinfo_url: String,
    /// A Google Workspace domain whose verified users may sign in without an invitation.
    pub allowed_domain: Option<String>,
}

fn parse_number(
    var: &'static str,
    raw: Option<String>,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, ConfigError> {
    let Some(raw) = raw else { return Ok(default) };
    raw.trim().parse::<i64>().ok().filter(|n| range.contains(n)).ok_or_else(|| ConfigError {
        variable: var,
        message: format!("`{raw}` is not a whole number from {} to {}", range.start(), range.end()),
    })
}

/// Dollars with at most six decimals ("0.282", "20") as millionths of a dollar, exactly.
fn parse_micros(var: &'static str, raw: &str) -> Result<i64, ConfigError> {
    let bad = || ConfigError {
        variable: var,
        message: format!("`{raw}` is not an amount of dollars such as 0.282 or 20"),
    };
    let raw = raw.trim().trim_start_matches('$');
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    if whole.is_empty() && fraction.is_empty()
        || fraction.len() > 6
        || !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit())
        || whole.len() > 9
    {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let fraction: i64 = format!("{fraction:0<6}").parse().map_err(|_| bad())?;
    Ok(whole * 1_000_000 + fraction)
}

/// `AI_PRICES`: `model=input/output;…`, dollars per million tokens in and out.
fn parse_prices(raw: &str) -> Result<Vec<domain::services::ai::usage::Price>, ConfigError> {
    let var = "AI_PRICES";
    raw.split(';')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let bad = || ConfigError {
                variable: var,
                message: format!("`{entry}` is not model=input/output (dollars per million tokens)"),
            };
            let (model, prices) = entry.rsplit_once('=').ok_or_else(bad)?;
            let (input, output) = prices.split_once('/').ok_or_else(bad)?;
            Ok(domain::services::ai::usage::Price {
                model: model.trim().to_owned(),
                input_micros_per_million: parse_micros(var, input)?,
                output_micros_per_million: parse_micros(var, output)?,
            })
        })
        .collect()
}

fn parse_url(var: &'static str, raw: String) -> Result<String, ConfigError> {
    let trimmed = raw.trim().trim_end_matches('/').to_owned();
    if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
        Ok(trimmed)
    } else {
        Err(ConfigError { variable: var, message: format!("`{raw}` is not an http(s) URL") })
    }
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
        let database_url = DatabaseUrl::parse(&raw_url)
            .map_err(|message| ConfigError { variable: "DATABASE_URL", message })?;

        let raw_addr = non_empty("LEPTOS_SITE_ADDR").unwrap_or_else(|| Self::DEFAULT_LISTEN_ADDR.to_owned());
        let listen_addr = raw_addr.trim().parse::<SocketAddr>().map_err(|_| ConfigError {
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

        let log_filter = non_empty("RUST_LOG").unwrap_or_else(|| Self::DEFAULT_LOG_FILTER.to_owned());
        tracing_subscriber::EnvFilter::try_new(&log_filter).map_err(|e| ConfigError {
            variable: "RUST_LOG",
            message: format!("not a valid log filter: {e}"),
        })?;

        let public_base_url = match non_empty("PUBLIC_BASE_URL") {
            Some(raw) => parse_url("PUBLIC_BASE_URL", raw)?,
            None => format!("http://{listen_addr}"),
        };

        let mut trusted_proxies = Vec::new();
        for entry in
            non_empty("TRUSTED_PROXIES").unwrap_or_default().split(',').filter(|e| !e.trim().is_empty())
        {
            let net = domain::services::ip_allowlist::parse_entry(entry)
                .map_err(|message| ConfigError { variable: "TRUSTED_PROXIES", message })?;
            trusted_proxies.push(net);
        }

        let session_idle_minutes =
            parse_number("SESSION_IDLE_MINUTES", non_empty("SESSION_IDLE_MINUTES"), 120, 5..=7 * 24 * 60)?;
        let session_max_hours =
            parse_number("SESSION_MAX_HOURS", non_empty("SESSION_MAX_HOURS"), 12, 1..=24 * 30)?;

        let url_or = |var: &'static str, default: &str| {
            parse_url(var, non_empty(var).unwrap_or_else(|| default.into()))
        };
        let google = match (non_empty("GOOGLE_CLIENT_ID"), non_empty("GOOGLE_CLIENT_SECRET")) {
            (Some(client_id), Some(client_secret)) => Some(GoogleConfig {
                client_id: client_id.trim().to_owned(),
                client_secret: client_secret.trim().to_owned(),
                auth_url: url_or("GOOGLE_AUTH_URL", "https://accounts.google.com/o/oauth2/v2/auth")?,
                token_url: url_or("GOOGLE_TOKEN_URL", "https://oauth2.googleapis.com/token")?,
                userinfo_url: url_or(
                    "GOOGLE_USERINFO_URL",
                    "https://openidconnect.googleapis.com/v1/userinfo",
                )?,
                allowed_domain: non_empty("GOOGLE_ALLOWED_DOMAIN").map(|d| d.trim().to_lowercase()),
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError {
                    variable: "GOOGLE_CLIENT_SECRET",
                    message: "is required when GOOGLE_CLIENT_ID is set".into(),
                });
            }
            (None, Some(_)) => {
                return Err(ConfigError {
                    variable: "GOOGLE_CLIENT_ID",
                    message: "is required when GOOGLE_CLIENT_SECRET is set".into(),
                });
            }
        };

        let seconds_in = |var: &'static str, default: i64, range: std::ops::RangeInclusive<i64>| {
            parse_number(var, non_empty(var), default, range)
                .map(|secs| std::time::Duration::from_secs(secs.unsigned_abs()))
        };
        let seconds = |var: &'static str, default: i64| {
            parse_number(var, non_empty(var), default, 1..=3600)
                .map(|secs| std::time::Duration::from_secs(secs.unsigned_abs()))
        };
        let http_header_timeout = seconds("HTTP_HEADER_TIMEOUT_SECS", 10)?;
        let http_body_timeout = seconds("HTTP_BODY_TIMEOUT_SECS", 60)?;

        let jobs = match non_empty("JOBS_WORKER").as_deref().map(str::trim) {
            None | Some("on") => {
                let defaults = domain::jobs::worker::WorkerConfig::default();
                let concurrency = parse_number("JOB_CONCURRENCY", non_empty("JOB_CONCURRENCY"), 8, 1..=64)?;
                Some(domain::jobs::worker::WorkerConfig {
                    concurrency: concurrency.unsigned_abs() as usize,
                    lease: seconds_in("JOB_LEASE_SECS", 60, 3..=3600)?,
                    poll: seconds_in("JOB_POLL_SECS", 10, 1..=600)?,
                    ..defaults
                })
            }
            Some("off") => None,
            Some(other) => {
                return Err(ConfigError {
                    variable: "JOBS_WORKER",
                    message: format!("`{other}` is not one of: on, off"),
                });
            }
        };

        let metrics_token = non_empty("METRICS_TOKEN").map(|t| t.trim().to_owned());
        if metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err(ConfigError {
                variable: "METRICS_TOKEN",
                message: "must be at least 16 characters".into(),
            });
        }

        let provider_timeout = seconds_in("PROVIDER_TIMEOUT_SECS", 15, 1..=120)?;
        let required = |var: &'static str, because: &str| {
            non_empty(var)
                .map(|v| v.trim().to_owned())
                .ok_or_else(|| ConfigError { variable: var, message: format!("is required when {because}") })
        };
        let sms = match non_empty("SMS_PROVIDER").as_deref().map(str::trim) {
            None | Some("outbox") => SmsSettings::Outbox,
            Some("clicksend") => {
                let because = "SMS_PROVIDER is clicksend";
                SmsSettings::ClickSend(domain::providers::clicksend::ClickSendConfig {
                    username: required("CLICKSEND_USERNAME", because)?,
                    api_key: required("CLICKSEND_API_KEY", because)?,
                    from: required("CLICKSEND_FROM", because)?,
                    base_url: url_or("CLICKSEND_BASE_URL", domain::providers::clicksend::DEFAULT_BASE_URL)?,
                    timeout: provider_timeout,
                })
            }
            Some(other) => {
                return Err(ConfigError {
                    variable: "SMS_PROVIDER",
                    message: format!("`{other}` is not one of: outbox, clicksend"),
                });
            }
        };
        let email = match non_empty("SMTP_URL") {
            None => EmailSettings::Outbox,
            Some(url) => {
                let url = url.trim().to_owned();
                let from = required("EMAIL_FROM", "SMTP_URL is set")?;
                // Checked here so a bad URL or address stops the start, naming its variable.
                domain::providers::email::Smtp::check(&url, &from).map_err(|message| {
                    let variable = if message.starts_with("EMAIL_FROM") { "EMAIL_FROM" } else { "SMTP_URL" };
                    ConfigError { variable, message }
                })?;
                EmailSettings::Smtp { url, from, timeout: provider_timeout }
            }
        };
        let ai = match non_empty("AI_PROVIDER").as_deref().map(str::trim) {
            None | Some("builtin") => None,
            Some("openai") => {
                use domain::providers::openai::{OpenAiConfig, SchemaStyle};
                use domain::services::ai::engine::{AiFunction, RemoteSettings};
                let because = "AI_PROVIDER is openai";
                let base_url = parse_url("AI_BASE_URL", required("AI_BASE_URL", because)?)?;
                let schema_style = match non_empty("AI_JSON_SCHEMA_STYLE") {
                    None => SchemaStyle::OpenAi,
                    Some(style) => SchemaStyle::parse(style.trim()).ok_or_else(|| ConfigError {
                        variable: "AI_JSON_SCHEMA_STYLE",
                        message: format!("`{style}` is not one of: openai, bare"),
                    })?,
                };
                let models = [
                    (AiFunction::SmsIntent, "AI_MODEL_SMS_INTENT"),
                    (AiFunction::Enrichment, "AI_MODEL_ENRICHMENT"),
                    (AiFunction::CampaignDraft, "AI_MODEL_CAMPAIGN_DRAFT"),
                    (AiFunction::ReportInsights, "AI_MODEL_REPORT_INSIGHTS"),
                ]
                .into_iter()
                .filter_map(|(function, var)| non_empty(var).map(|m| (function, m.trim().to_owned())))
                .collect();
                Some(RemoteSettings {
                    client: OpenAiConfig {
                        base_url,
                        api_key: non_empty("AI_API_KEY").map(|k| k.trim().to_owned()),
                        schema_style,
                        timeout: seconds_in("AI_TIMEOUT_SECS", 10, 1..=120)?,
                        retries: u32::try_from(parse_number(
                            "AI_RETRIES",
                            non_empty("AI_RETRIES"),
                            2,
                            0..=5,
                        )?)
                        .unwrap_or(2),
                        backoff: std::time::Duration::from_millis(
                            parse_number(
                                "AI_RETRY_BACKOFF_MS",
                                non_empty("AI_RETRY_BACKOFF_MS"),
                                500,
                                1..=10_000,
                            )?
                            .unsigned_abs(),
                        ),
                    },
                    model: required("AI_MODEL", because)?,
                    models,
                })
            }
            Some(other) => {
                return Err(ConfigError {
                    variable: "AI_PROVIDER",
                    message: format!("`{other}` is not one of: builtin, openai"),
                });
            }
        };
        let ai_policy = domain::services::ai::usage::Policy {
            prices: match non_empty("AI_PRICES") {
                None => domain::services::ai::usage::default_prices(),
                Some(raw) => parse_prices(&raw)?,
            },
            monthly_budget_micros: non_empty("AI_MONTHLY_BUDGET")
                .map(|raw| parse_micros("AI_MONTHLY_BUDGET", &raw))
                .transpose()?,
        };
        let sms_webhook_secret = non_empty("SMS_WEBHOOK_SECRET").map(|s| s.trim().to_owned());
        if let Some(secret) = &sms_webhook_secret
            && (secret.len() < 16
                || !secret.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        {
            return Err(ConfigError {
                variable: "SMS_WEBHOOK_SECRET",
                message: "must be at least 16 letters, digits, `-` or `_` (it goes in a URL)".into(),
            });
        }

        let booking_link_key = non_empty("BOOKING_LINK_KEY").map(|k| k.trim().to_owned());
        if booking_link_key.as_ref().is_some_and(|k| k.len() < 32) {
            return Err(ConfigError {
                variable: "BOOKING_LINK_KEY",
                message: "must be at least 32 characters (e.g. `openssl rand -hex 32`)".into(),
            });
        }
        let booking_link_key_set = booking_link_key.is_some();
        let key = booking_link_key.unwrap_or_else(|| domain::services::tokens::generate(""));
        let patient_links =
            domain::services::bookings::links::PatientLinks::new(&public_base_url, key.as_bytes());

        Ok(Config {
            database_url,
            listen_addr,
            log_format,
            log_filter,
            public_base_url,
            trusted_proxies,
            session_idle_minutes,
            session_max_hours,
            google,
            http_header_timeout,
            http_body_timeout,
            jobs,
            metrics_token,
            sms,
            email,
            sms_webhook_secret,
            patient_links,
            booking_link_key_set,
            ai,
            ai_policy,
        })
    }

    /// Which providers are configured, for the settings page (never their secrets).
    pub fn provider_settings(&self) -> domain::model::ProviderSettings {
        use domain::model::{EmailProviderKind, SmsProviderKind};
        let (sms, sms_from) = match &self.sms {
            SmsSettings::Outbox => (SmsProviderKind::Outbox, None),
            SmsSettings::ClickSend(c) => (SmsProviderKind::Clicksend, Some(c.from.clone())),
        };
        let (email, email_from) = match &self.email {
            EmailSettings::Outbox => (EmailProviderKind::Outbox, None),
            EmailSettings::Smtp { from, .. } => (EmailProviderKind::Smtp, Some(from.clone())),
        };
        domain::model::ProviderSettings {
            sms,
            sms_from,
            email,
            email_from,
            sms_receipts: self.sms_webhook_secret.is_some(),
            worker: self.jobs.is_some(),
            problems: Vec::new(),
        }
    }

    /// Session cookies are marked `Secure` when people reach the app over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_base_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_to_embedded_sqlite_on_port_3000() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.database_url.as_str(), DatabaseUrl::DEFAULT);
        assert_eq!(config.listen_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.log_format, LogFormat::Pretty);
        assert_eq!(config.public_base_url, "http://127.0.0.1:3000");
        assert!(!config.secure_cookies());
        assert!(config.google.is_none());
        assert_eq!(config.http_header_timeout, std::time::Duration::from_secs(10));
        assert_eq!(config.http_body_timeout, std::time::Duration::from_secs(60));
    }

    #[test]
    fn google_sign_in_turns_on_with_both_credentials() {
        let config = parse(&[
            ("GOOGLE_CLIENT_ID", "id"),
            ("GOOGLE_CLIENT_SECRET", "secret"),
            ("GOOGLE_ALLOWED_DOMAIN", "Clinic.com.au"),
            ("PUBLIC_BASE_URL", "https://crm.clinic.com.au/"),
        ])
        .unwrap();
        let google = config.google.as_ref().unwrap();
        assert_eq!(google.token_url, "https://oauth2.googleapis.com/token");
        assert_eq!(google.allowed_domain.as_deref(), Some("clinic.com.au"));
        assert_eq!(config.public_base_url, "https://crm.clinic.com.au");
        assert!(config.secure_cookies());
    }

    #[test]
    fn providers_default_to_the_outbox_and_need_their_settings() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.sms, SmsSettings::Outbox);
        assert_eq!(config.email, EmailSettings::Outbox);
        assert_eq!(parse(&[("SMS_PROVIDER", "clicksend")]).unwrap_err().variable, "CLICKSEND_USERNAME");
        let config = parse(&[
            ("SMS_PROVIDER", "clicksend"),
            ("CLICKSEND_USERNAME", "clinic"),
            ("CLICKSEND_API_KEY", "KEY-SECRET-1234"),
            ("CLICKSEND_FROM", "AvatarRad"),
        ])
        .unwrap();
        let SmsSettings::ClickSend(clicksend) = &config.sms else { panic!("{:?}", config.sms) };
        assert_eq!(clicksend.base_url, "https://rest.clicksend.com/v3");
        assert!(!format!("{config:?}").contains("KEY-SECRET-1234"), "the API key is never printed");
        assert_eq!(parse(&[("SMS_PROVIDER", "twilio")]).unwrap_err().variable, "SMS_PROVIDER");
        assert_eq!(parse(&[("SMTP_URL", "smtp://relay:587")]).unwrap_err().variable, "EMAIL_FROM");
        assert_eq!(
            parse(&[("SMTP_URL", "ftp://relay"), ("EMAIL_FROM", "Clinic <a@b.com>")]).unwrap_err().variable,
            "SMTP_URL"
        );
        let config =
            parse(&[("SMTP_URL", "smtp://u:hunter2pass@relay:587"), ("EMAIL_FROM", "Clinic <a@b.com>")])
                .unwrap();
        assert!(matches!(config.email, EmailSettings::Smtp { .. }));
        assert!(!format!("{config:?}").contains("hunter2pass"), "the SMTP password is never printed");
        assert_eq!(parse(&[("SMS_WEBHOOK_SECRET", "short")]).unwrap_err().variable, "SMS_WEBHOOK_SECRET");
        assert_eq!(
            parse(&[("SMS_WEBHOOK_SECRET", "has/slash/in/it/long")]).unwrap_err().variable,
            "SMS_WEBHOOK_SECRET"
        );
        assert!(
            parse(&[("SMS_WEBHOOK_SECRET", "receipts-0123456789")]).unwrap().sms_webhook_secret.is_some()
        );
    }

    #[test]
    fn each_bad_setting_names_its_variable() {
        let err = parse(&[("DATABASE_URL", "mysql://root@db/crm")]).unwrap_err();
        assert_eq!(err.variable, "DATABASE_URL");
        assert!(err.to_string().starts_with("DATABASE_URL: "), "{err}");
        assert_eq!(parse(&[("LEPTOS_SITE_ADDR", "localhost")]).unwrap_err().variable, "LEPTOS_SITE_ADDR");
        assert_eq!(parse(&[("LOG_FORMAT", "xml")]).unwrap_err().variable, "LOG_FORMAT");
        assert_eq!(parse(&[("RUST_LOG", "info,[[[")]).unwrap_err().variable, "RUST_LOG");
        assert_eq!(
            parse(&[("HTTP_HEADER_TIMEOUT_SECS", "0")]).unwrap_err().variable,
            "HTTP_HEADER_TIMEOUT_SECS"
        );
        assert_eq!(
            parse(&[("HTTP_BODY_TIMEOUT_SECS", "soon")]).unwrap_err().variable,
            "HTTP_BODY_TIMEOUT_SECS"
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
