//! `/metrics`: the instance's figures in the Prometheus (OpenMetrics) text format — requests by
//! route template and status, their latency, jobs by type and state, runs that failed, and how
//! long the longest-waiting due job has waited.
//!
//! Routes are labelled by their template (`/api/v1/contacts/{id}`), never the path itself, so
//! no record id or secret in a URL reaches the figures, and the label set stays small.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::jobs::worker::WorkerStats;
use domain::model::{JobKind, JobState};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::state::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    r#type: String,
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    r#type: String,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// The registry and the metrics recorded as requests and jobs happen.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    jobs: Family<JobLabels, Gauge>,
    oldest_due_seconds: Gauge<f64, AtomicU64>,
    job_runs_failed: Family<KindLabels, Counter>,
    job_runs_succeeded: Family<KindLabels, Counter>,
    /// What this instance's worker counts; copied into the counters at each scrape.
    pub worker_stats: Arc<WorkerStats>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let latency =
            Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let jobs = Family::<JobLabels, Gauge>::default();
        let oldest_due_seconds = Gauge::<f64, AtomicU64>::default();
        let job_runs_failed = Family::<KindLabels, Counter>::default();
        let job_runs_succeeded = Family::<KindLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route template",
            latency.clone(),
        );
        registry.register("jobs", "Background jobs in the database, by type and state", jobs.clone());
        registry.register(
            "jobs_oldest_due_age_seconds",
            "How long the longest-waiting due job has waited (0 when none waits)",
            oldest_due_seconds.clone(),
        );
        registry.register(
            "job_runs_failed",
            "Job runs on this instance that failed",
            job_runs_failed.clone(),
        );
        registry.register(
            "job_runs_succeeded",
            "Job runs on this instance that succeeded",
            job_runs_succeeded.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            jobs,
            oldest_due_seconds,
            job_runs_failed,
            job_runs_succeeded,
            worker_stats: Arc::default(),
        }
    }
}

/// Records each request's route, status and time.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    // A client may send any method token: only the standard ones become labels, so a stream
    // of made-up methods cannot grow the figures without bound.
    let method = match request.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m,
        _ => "OTHER",
    }
    .to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let metrics = &state.metrics;
    metrics
        .requests
        .get_or_create(&RequestLabels { method: method.clone(), route: route.clone(), status })
        .inc();
    metrics.latency.get_or_create(&RouteLabels { method, route }).observe(started.elapsed().as_secs_f64());
    response
}

/// Who may read `/metrics`: a caller presenting `METRICS_TOKEN`, or — when the IP allowlist
/// is on — any caller it let in (the allowlist already refused the rest).
async fn allowed(state: &AppState, headers: &HeaderMap) -> Result<(), (StatusCode, &'static str)> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if let (Some(expected), Some(presented)) = (state.config.metrics_token.as_deref(), presented) {
        return if crate::http::secret::matches(presented, expected) {
            Ok(())
        } else {
            Err((StatusCode::UNAUTHORIZED, "Wrong metrics token."))
        };
    }
    let allowlist_on =
        domain::services::ip_allowlist::load(&state.db).await.map(|l| l.enabled).unwrap_or(false);
    if allowlist_on {
        return Ok(());
    }
    if state.config.metrics_token.is_some() {
        Err((StatusCode::UNAUTHORIZED, "Send the metrics token as a Bearer token."))
    } else {
        Err((StatusCode::FORBIDDEN, "Set METRICS_TOKEN, or turn on the IP allowlist, to read metrics."))
    }
}

/// `GET /metrics`.
pub async fn serve(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err((status, message)) = allowed(&state, &headers).await {
        return (status, message).into_response();
    }
    let metrics = &state.metrics;
    match domain::jobs::admin::counts_unchecked(&state.db).await {
        Ok(counts) => {
            for kind in JobKind::ALL {
                for job_state in JobState::ALL {
                    let n = counts
                        .counts
                        .iter()
                        .find(|(k, s, _)| *k == kind && *s == job_state)
                        .map(|(_, _, n)| *n)
                        .unwrap_or(0);
                    let labels = JobLabels { r#type: kind.as_str().into(), state: job_state.as_str().into() };
                    metrics.jobs.get_or_create(&labels).set(n);
                }
            }
            let waited = counts
                .oldest_due
                .map(|at| (chrono::Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0)
                .unwrap_or(0.0);
            metrics.oldest_due_seconds.set(waited);
        }
        Err(error) => {
            tracing::warn!(%error, "reading job counts for /metrics failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "The database did not answer.").into_response();
        }
    }
    for kind in JobKind::ALL {
        let labels = KindLabels { r#type: kind.as_str().into() };
        let catch_up = |counter: &Counter, total: u64| {
            counter.inc_by(total.saturating_sub(counter.get()));
        };
        catch_up(&metrics.job_runs_failed.get_or_create(&labels), metrics.worker_stats.failed(kind));
        catch_up(&metrics.job_runs_succeeded.get_or_create(&labels), metrics.worker_stats.succeeded(kind));
    }
    let mut text = String::new();
    if prometheus_client::encoding::text::encode(&mut text, &metrics.registry).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    response
}
