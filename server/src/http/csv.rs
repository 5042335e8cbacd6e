//! A CSV file as a download (the Contacts page's export and the REST export answer alike).

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `csv` as `contacts.csv`; never stored by browsers or proxies (it is patient data).
pub fn download(csv: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"contacts.csv\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        csv,
    )
        .into_response()
}
