//! Wiring: the router with its middleware, bound to a listener, run until a shutdown signal.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use app::{App, ServerContext, shell};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::request::Parts;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use domain::Db;
use domain::sessions::DbSessionStore;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::RequestBodyDeadlineLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::Config;
use crate::middleware::security_headers::{self, CspNonce};
use crate::middleware::{caller, client_ip, csrf, oversized_bodies, server_fn_errors};
use crate::state::AppState;
use crate::telemetry::{self, UlidRequestId};
use crate::{api, web};

/// Largest request body accepted anywhere (CSV imports included).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// After a shutdown signal, how long open connections get to finish before we close anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(4);

/// The app's routes, generated once per process. Generating them renders the app with
/// resource loading suppressed process-wide, so doing it while another router in the same
/// process serves pages would stall those pages' resources for good (leptos issue #4773).
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState) -> Router {
    let context = ServerContext {
        db: state.db.clone(),
        links: state.config.patient_links.clone(),
        google_sign_in: state.config.google.is_some(),
        providers: state.config.provider_settings(),
        ai: state.ai.clone(),
    };
    let provide = move || {
        provide_context(context.clone());
        // Leptos's scripts carry the nonce that `security_headers` put in this response's CSP.
        if let Some(CspNonce(nonce)) =
            use_context::<Parts>().and_then(|parts| parts.extensions.get::<CspNonce>().cloned())
        {
            provide_context(Nonce::from_value(nonce));
        }
    };
    let routes = route_list();
    let options = state.leptos_options.clone();

    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name(csrf::SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies())
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(state.config.session_idle_minutes)));

    // The REST API is opened by Bearer tokens only and reads no cookie, so it skips the session
    // layer, the CSRF check and the page guards (less work on every API request).
    let api = Router::new()
        .nest("/api/v1", api::router())
        .layer(from_fn_with_state(state.clone(), caller::resolve_api_caller))
        .layer(from_fn_with_state(state.clone(), client_ip::admit_client));
    let site = Router::new()
        .route("/health", get(web::health::health))
        .route("/contacts/export.csv", get(web::contacts_export::export))
        .nest("/auth", web::auth::router())
        .leptos_routes_with_context(&state, routes, provide.clone(), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(provide, shell))
        // Each `.layer` wraps everything above it, so these run bottom to top: client address and
        // IP allowlist → CSRF → session → who is calling → pages need sign-in.
        .layer(from_fn(server_fn_errors::map_argument_errors))
        .layer(from_fn(caller::require_sign_in_for_pages))
        .layer(from_fn_with_state(state.clone(), caller::resolve_actor))
        .layer(sessions)
        .layer(from_fn_with_state(state.clone(), csrf::csrf_guard))
        .layer(from_fn_with_state(state.clone(), client_ip::admit_client));
    // Read by Prometheus: its own check (a token, or the allowlist), no session.
    let metrics = Router::new()
        .route("/metrics", get(crate::metrics::serve))
        .layer(from_fn_with_state(state.clone(), client_ip::admit_client));
    // The static bundle needs no session or sign-in, only the network check.
    let assets = web::assets::router(&state.leptos_options)
        .layer(from_fn_with_state(state.clone(), client_ip::admit_client));
    // The patients' pages: for everyone (no session, no allowlist), budgeted per client.
    let patients = web::book::router()
        .merge(web::feeds::router())
        .layer(from_fn_with_state(state.clone(), crate::middleware::public_rate::limit));
    api.merge(assets)
        .merge(metrics)
        .merge(patients)
        .merge(web::webhooks::router())
        .merge(site)
        // Outermost, listed outermost first.
        .layer(
            ServiceBuilder::new()
                .layer(from_fn_with_state(state.clone(), crate::metrics::record))
                .layer(from_fn_with_state(state.clone(), security_headers::apply))
                .layer(from_fn(oversized_bodies::json_for_api))
                .layer(SetRequestIdLayer::x_request_id(UlidRequestId))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(telemetry::request_span)
                        .on_response(telemetry::log_response),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(RequestBodyDeadlineLayer::new(state.config.http_body_timeout))
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
                .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
                .layer(CompressionLayer::new()),
        )
        .with_state(state)
}

/// A server bound to its port, ready to run, with its job worker.
pub struct Application {
    listener: TcpListener,
    router: Router,
    db: Db,
    header_timeout: Duration,
    worker: Option<domain::jobs::worker::Worker>,
}

impl Application {
    pub async fn bind(config: &Config, db: Db) -> std::io::Result<Application> {
        let state = AppState::new(config, db.clone()).map_err(std::io::Error::other)?;
        let listener = TcpListener::bind(config.listen_addr).await?;
        let stats = state.metrics.worker_stats.clone();
        let ai = state.ai.clone();
        let router = router(state);
        let worker = match config.jobs {
            Some(jobs) => Some(
                crate::worker::build(db.clone(), jobs, config, ai)
                    .map_err(std::io::Error::other)?
                    .stats(stats),
            ),
            None => None,
        };
        Ok(Application { listener, router, db, header_timeout: config.http_header_timeout, worker })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves and runs jobs until `shutdown` completes, then lets open requests and running
    /// jobs finish for a short grace period (jobs not done by then are handed back to the
    /// queue) and closes the database pool.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop, stopping) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stop| *stop).await;
        };
        let worker = self.worker.map(|worker| tokio::spawn(worker.run(stopped(stopping.clone()))));
        // Cron runs where the worker does: every instance may, ticks are enqueued once.
        let cron = worker
            .is_some()
            .then(|| tokio::spawn(domain::jobs::cron::run(self.db.clone(), stopped(stopping.clone()))));
        crate::serve::serve(
            self.listener,
            self.router,
            self.header_timeout,
            stopped(stopping),
            SHUTDOWN_GRACE,
        )
        .await;
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        if let Some(cron) = cron {
            let _ = cron.await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), self.db.close()).await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
