//! `/contacts/export.csv`: the Contacts page's "Export CSV" link, for signed-in staff (the
//! REST twin, `/api/v1/contacts.csv`, takes API tokens).

use app::RequestAuth;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use domain::services::contacts::csv_export::{self, ExportFilter};

use crate::http::error::HttpError;
use crate::state::AppState;

pub async fn export(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    filter: Result<Query<ExportFilter>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Some(actor) = auth.actor else { return HttpError::unauthorized().into_response() };
    let Query(filter) = match filter {
        Ok(filter) => filter,
        Err(rejection) => return HttpError::from(rejection).into_response(),
    };
    match csv_export::export(&state.db, &actor, filter, &auth.meta).await {
        Ok(csv) => crate::http::csv::download(csv),
        Err(err) => HttpError::from(err).into_response(),
    }
}
