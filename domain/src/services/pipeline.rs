//! Pipeline stages in board order, and the board itself.

use sqlx::FromRow;

use crate::access::Permission;
use crate::actor::LocationScope;
use crate::model::{BoardCard, BoardColumn, PipelineBoard, Stage};
use crate::on_db;
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError};

/// Cards shown per column; the count always covers the whole stage.
pub const CARDS_PER_COLUMN: i64 = 200;

#[derive(FromRow)]
struct Row {
    id: String,
    name: String,
    is_closed: bool,
}

pub async fn stages(db: &Db, actor: &Actor) -> Result<Vec<Stage>, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let rows = on_db!(db, pool => {
        sqlx::query_as::<_, Row>("SELECT id, name, is_closed FROM pipeline_stages ORDER BY position").fetch_all(pool).await?
    });
    Ok(rows.into_iter().map(|r| Stage { id: r.id, name: r.name, is_closed: r.is_closed }).collect())
}

#[derive(FromRow)]
struct CardRow {
    id: String,
    stage_id: String,
    first_name: String,
    last_name: String,
    requested_modality: Option<String>,
    warmness: Option<i32>,
    last_touch_at: Option<Timestamp>,
}

/// Scope shared by both board queries: live contacts in the actor's locations.
const VISIBLE: &str = "deleted_at IS NULL AND ($1 OR location_id IN (SELECT location_id FROM user_locations WHERE user_id = $2))";

/// Every stage with its count and up to [`CARDS_PER_COLUMN`] cards, most recently changed first.
/// Three queries whatever the board's size: stages, counts, cards.
pub async fn board(db: &Db, actor: &Actor) -> Result<PipelineBoard, DomainError> {
    let stages = stages(db, actor).await?;
    let all = actor.locations == LocationScope::All;
    let counts_sql = sqlx::AssertSqlSafe(format!(
        "SELECT stage_id, COUNT(*) FROM contacts WHERE {VISIBLE} GROUP BY stage_id"
    ));
    // A window per stage keeps the newest cards of each column in one pass.
    let cards_sql = sqlx::AssertSqlSafe(format!(
        "SELECT id, stage_id, first_name, last_name, requested_modality, warmness, last_touch_at FROM (\
           SELECT id, stage_id, first_name, last_name, requested_modality, warmness, last_touch_at, \
                  ROW_NUMBER() OVER (PARTITION BY stage_id ORDER BY updated_at DESC, id DESC) AS place \
           FROM contacts WHERE {VISIBLE}) ranked \
         WHERE place <= $3 ORDER BY stage_id, place"
    ));
    let (counts, cards): (Vec<(String, i64)>, Vec<CardRow>) = on_db!(db, pool => {
        let counts = sqlx::query_as(counts_sql).bind(all).bind(&actor.user_id).fetch_all(pool).await?;
        let cards = sqlx::query_as(cards_sql).bind(all).bind(&actor.user_id).bind(CARDS_PER_COLUMN).fetch_all(pool).await?;
        (counts, cards)
    });
    let mut columns: Vec<BoardColumn> = stages
        .into_iter()
        .map(|stage| {
            let count = counts.iter().find(|(id, _)| *id == stage.id).map(|(_, n)| *n).unwrap_or(0);
            BoardColumn { stage, count, cards: Vec::new() }
        })
        .collect();
    for card in cards {
        if let Some(column) = columns.iter_mut().find(|c| c.stage.id == card.stage_id) {
            column.cards.push(BoardCard {
                id: card.id,
                name: format!("{} {}", card.first_name, card.last_name),
                requested_modality: card.requested_modality,
                warmness: card.warmness,
                last_touch_at: card.last_touch_at.map(|t| t.0),
            });
        }
    }
    Ok(PipelineBoard { columns })
}

/// Every tag name in use, alphabetical (for filters and pickers).
pub async fn tag_names(db: &Db, actor: &Actor) -> Result<Vec<String>, DomainError> {
    actor.require(Permission::ContactsRead)?;
    Ok(on_db!(db, pool => {
        sqlx::query_scalar("SELECT name FROM tags WHERE id IN (SELECT tag_id FROM contact_tags) ORDER BY name").fetch_all(pool).await?
    }))
}

/// The locations the actor works in, as (id, name), for location pickers.
pub async fn location_options(db: &Db, actor: &Actor) -> Result<Vec<(String, String)>, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let all: Vec<(String, String)> = on_db!(db, pool => {
        sqlx::query_as("SELECT id, name FROM locations ORDER BY name").fetch_all(pool).await?
    });
    Ok(all.into_iter().filter(|(id, _)| actor.locations.includes(id)).collect())
}
