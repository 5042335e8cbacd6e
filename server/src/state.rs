//! What every handler and middleware shares: the database, the configuration, Leptos's
//! options, the IP allowlist cache and the outbound HTTP client.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use domain::Db;
use leptos::config::LeptosOptions;

use crate::config::{Config, ConfigError};
use crate::middleware::client_ip::AllowlistCache;

/// Shared by every handler and middleware. One `Arc`, because every layer and extractor clones
/// it per request (cloning the fields themselves showed up in profiles).
#[derive(Clone, Debug)]
pub struct AppState(Arc<SharedState>);

#[derive(Debug)]
pub struct SharedState {
    pub db: Db,
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    pub allowlist: Arc<AllowlistCache>,
    /// Outbound HTTP (Google's token and userinfo endpoints); never follows redirects.
    pub http: reqwest::Client,
    /// What `/metrics` shows.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Per-client budgets on the patients' pages.
    pub public_rate: Arc<crate::middleware::public_rate::PublicRate>,
    /// The AI engine: built-in, or a model with the built-in engine behind it.
    pub ai: Arc<domain::services::ai::engine::Engine>,
}

impl AppState {
    pub fn new(config: &Config, db: Db) -> Result<AppState, ConfigError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| ConfigError { variable: "(http client)", message: e.to_string() })?;
        Ok(AppState(Arc::new(SharedState {
            leptos_options: leptos_options(config)?,
            config: Arc::new(config.clone()),
            allowlist: Arc::new(AllowlistCache::new(db.clone())),
            db,
            http,
            metrics: Arc::default(),
            public_rate: Arc::default(),
            ai: Arc::new(match &config.ai {
                None => domain::services::ai::engine::Engine::builtin(),
                Some(remote) => {
                    domain::services::ai::engine::Engine::remote(remote.clone(), config.ai_policy.clone())
                        .map_err(|message| ConfigError { variable: "AI_BASE_URL", message })?
                }
            }),
        })))
    }
}

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Leptos's options from its `LEPTOS_*` variables, listening where our config says.
pub fn leptos_options(config: &Config) -> Result<LeptosOptions, ConfigError> {
    let mut options = leptos::config::get_configuration(None)
        .map_err(|e| ConfigError { variable: "LEPTOS_*", message: e.to_string() })?
        .leptos_options;
    options.site_addr = config.listen_addr;
    // The build fingerprints the bundle and leaves hash.txt beside the binary (the cargo-leptos
    // convention Leptos reads); without it (tests that run the server in-process) the plain
    // names are served.
    options.hash_files = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())))
        .is_some_and(|file| file.exists());
    Ok(options)
}
