//! Server functions for the pipeline board and its stages (Settings → Pipeline stages).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

#[server(prefix = "/rpc", endpoint = "pipeline_stages")]
pub async fn pipeline_stages() -> Result<Vec<domain::model::Stage>, AppError> {
    let (actor, _) = ssr::caller()?;
    domain::services::pipeline::stages(&ssr::context().db, &actor).await.map_err(ssr::fail)
}

/// The board's filters as the Pipeline page's query string holds them (blank = any).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BoardQuery {
    pub location_id: Option<String>,
    pub owner_id: Option<String>,
    pub modality: Option<String>,
}

/// The pipeline board: every stage with its count and newest cards, of the contacts `query`
/// selects.
#[server(prefix = "/rpc", endpoint = "pipeline_board")]
pub async fn pipeline_board(
    #[server(default)] query: BoardQuery,
) -> Result<domain::model::PipelineBoard, AppError> {
    let (actor, _) = ssr::caller()?;
    // The page's "All …" choices send blanks: those mean any.
    let given = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let filter = domain::services::pipeline::BoardFilter {
        location_id: given(query.location_id),
        owner_id: given(query.owner_id),
        modality: given(query.modality),
    };
    domain::services::pipeline::board(&ssr::context().db, &actor, filter).await.map_err(ssr::fail)
}

/// Adds a stage (no `id`) or renames, moves and opens/closes one; `is_closed` is a checkbox.
#[server(prefix = "/rpc", endpoint = "save_stage")]
pub async fn save_stage(
    id: Option<String>,
    name: Option<String>,
    position: Option<i64>,
    is_closed: Option<String>,
) -> Result<domain::model::Stage, AppError> {
    use domain::services::pipeline::{NewStage, StageInput, create_stage, update_stage};
    let (actor, meta) = ssr::caller()?;
    let db = ssr::context().db;
    match id.filter(|i| !i.is_empty()) {
        None => {
            let input =
                NewStage { name: name.unwrap_or_default(), position, is_closed: Some(is_closed.is_some()) };
            create_stage(&db, &actor, input, &meta).await.map_err(ssr::fail)
        }
        Some(id) => {
            // A move sends only the position; a rename sends the name and the checkbox.
            let closed = name.as_ref().map(|_| is_closed.is_some());
            let input = StageInput { name, position, is_closed: closed };
            update_stage(&db, &actor, &id, input, &meta).await.map_err(ssr::fail)
        }
    }
}

#[server(prefix = "/rpc", endpoint = "remove_stage")]
pub async fn remove_stage(id: String) -> Result<(), AppError> {
    let (actor, meta) = ssr::caller()?;
    domain::services::pipeline::delete_stage(&ssr::context().db, &actor, &id, &meta).await.map_err(ssr::fail)
}

/// Moves a contact to another stage (a card dropped on the board, or moved with the keyboard).
#[server(prefix = "/rpc", endpoint = "move_contact_stage")]
pub async fn move_contact_stage(id: String, stage_id: String) -> Result<(), AppError> {
    let (actor, meta) = ssr::caller()?;
    domain::services::contacts::move_to_stage(&ssr::context().db, &actor, &id, &stage_id, &meta)
        .await
        .map(|_| ())
        .map_err(ssr::fail)
}
