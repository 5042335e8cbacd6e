//! Server functions for the Jobs page (administrators): jobs by state with counts, retry,
//! discard. The same service as `GET /api/v1/jobs` and its actions.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;
use domain::model::{Job, JobState, Page};

/// One tab of the Jobs page: its jobs, and how many jobs each state holds.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct JobsView {
    pub page: Page<Job>,
    pub counts: Vec<(JobState, i64)>,
}

/// Jobs in `state` (all when empty), newest first, 50 a page, with counts per state.
#[server(prefix = "/rpc", endpoint = "list_jobs")]
pub async fn list_jobs(
    state: Option<String>,
    cursor: Option<String>,
) -> Result<domain::display::Zoned<JobsView>, AppError> {
    use domain::jobs::admin;
    let (actor, _) = ssr::caller()?;
    let db = ssr::context().db;
    let state = match state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => Some(
            JobState::parse(raw)
                .ok_or_else(|| ssr::fail(domain::DomainError::field("state", "is not a job state")))?,
        ),
    };
    let filter = admin::Filter { state, cursor: cursor.filter(|c| !c.is_empty()), ..Default::default() };
    let page = admin::list(&db, &actor, &filter).await.map_err(ssr::fail)?;
    let by_kind = admin::counts(&db, &actor).await.map_err(ssr::fail)?;
    let counts = JobState::ALL
        .into_iter()
        .map(|s| (s, by_kind.counts.iter().filter(|(_, st, _)| *st == s).map(|(_, _, n)| n).sum()))
        .collect();
    let clock = domain::services::clock::for_clinic(&db).await.map_err(ssr::fail)?;
    let instants: Vec<_> = page.items.iter().flat_map(|j| [j.run_at, j.updated_at]).collect();
    Ok(clock.zoned(JobsView { page, counts }, &instants))
}

/// Sends a failed, dead or discarded job round again.
#[server(prefix = "/rpc", endpoint = "retry_job")]
pub async fn retry_job(id: String) -> Result<Job, AppError> {
    let (actor, meta) = ssr::caller()?;
    domain::jobs::admin::retry(&ssr::context().db, &actor, &id, &meta).await.map_err(ssr::fail)
}

/// Gives up a job: it never runs again.
#[server(prefix = "/rpc", endpoint = "discard_job")]
pub async fn discard_job(id: String) -> Result<Job, AppError> {
    let (actor, meta) = ssr::caller()?;
    domain::jobs::admin::discard(&ssr::context().db, &actor, &id, &meta).await.map_err(ssr::fail)
}
