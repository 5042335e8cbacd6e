//! Server functions: the UI's calls into the domain services.

use domain::model::DashboardSummary;
use leptos::prelude::*;

/// Every figure on the dashboard.
#[server(prefix = "/rpc", endpoint = "dashboard")]
pub async fn get_dashboard() -> Result<DashboardSummary, ServerFnError> {
    let ctx = expect_context::<crate::ServerContext>();
    domain::services::dashboard::summary(&ctx.db)
        .await
        .map_err(|err| {
            // The cause goes to the log (it holds no patient data); the browser gets a plain message.
            tracing::error!(error = %err, "dashboard query failed");
            ServerFnError::new("The dashboard figures could not be loaded. Please try again.")
        })
}
