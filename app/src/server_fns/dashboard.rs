//! Server functions for the dashboard's figures.

use domain::model::DashboardSummary;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

/// Every figure on the dashboard, within the caller's locations.
#[server(prefix = "/rpc", endpoint = "dashboard")]
pub async fn get_dashboard() -> Result<DashboardSummary, AppError> {
    let (actor, _) = ssr::caller()?;
    domain::services::dashboard::summary(&ssr::context().db, &actor).await.map_err(|err| {
        let mut error = ssr::fail(err);
        if error.0.code == domain::problem::ErrorCode::Internal {
            error.0.message = "The dashboard figures could not be loaded. Please try again.".into();
        }
        error
    })
}
