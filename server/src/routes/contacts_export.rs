//! `/contacts/export.csv`: the Contacts page's "Export CSV" link, for signed-in staff (the
//! REST twin, `/api/v1/contacts.csv`, takes API tokens).

use app::RequestAuth;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use domain::services::contacts::csv_export::{self, ExportFilter};

use crate::api::contacts::csv_download;
use crate::api::error::ApiError;
use crate::startup::AppState;

pub async fn export(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    filter: Result<Query<ExportFilter>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Some(actor) = auth.actor else { return ApiError::unauthorized().into_response() };
    let Query(filter) = match filter {
        Ok(filter) => filter,
        Err(rejection) => return ApiError::from(rejection).into_response(),
    };
    match csv_export::export(&state.db, &actor, filter, Some(auth.ip.to_string())).await {
        Ok(csv) => csv_download(csv),
        Err(err) => ApiError::from(err).into_response(),
    }
}
