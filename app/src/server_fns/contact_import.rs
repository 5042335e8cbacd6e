//! Server functions for cSV import: the preview of a file's columns and the import of its rows.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

/// The columns of a CSV file, the fields they seem to hold, and its first rows.
#[server(prefix = "/rpc", endpoint = "preview_contact_import")]
pub async fn preview_contact_import(csv: String) -> Result<domain::model::ImportPreview, AppError> {
    let (actor, _) = ssr::caller()?;
    domain::services::contacts::csv_import::preview(&actor, &csv).map_err(ssr::fail)
}

/// Imports one chunk of a CSV file (its header line first). `mapping` is one field per
/// column, comma-separated; `first_row` is the chunk's first line number in the whole file.
#[server(prefix = "/rpc", endpoint = "import_contacts")]
pub async fn import_contacts(
    csv: String,
    mapping: String,
    duplicates: String,
    first_row: usize,
) -> Result<domain::model::ImportReport, AppError> {
    use domain::services::contacts::csv_import::{ImportOptions, OnDuplicate, import};
    let (actor, meta) = ssr::caller()?;
    let duplicates = match duplicates.as_str() {
        "update" => OnDuplicate::Update,
        "create" => OnDuplicate::Create,
        _ => OnDuplicate::Skip,
    };
    let options = ImportOptions {
        mapping: Some(mapping.split(',').map(str::to_owned).collect()),
        duplicates,
        dry_run: false,
        first_row: Some(first_row),
    };
    import(&ssr::context().db, &actor, &csv, options, &meta).await.map_err(ssr::fail)
}
