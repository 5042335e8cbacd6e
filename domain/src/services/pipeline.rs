//! Pipeline stages in board order, and the board itself.

use sqlx::FromRow;

use crate::access::Permission;
use crate::model::{BoardCard, BoardColumn, PipelineBoard, Stage};
use crate::services::audit::{self, Entry};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, RequestMeta, Tx};
use crate::{on_db, on_tx};

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

/// Scope shared by both board queries: live contacts in the actor's locations, narrowed by the
/// board's filters ($3 location, $4 owner, $5 requested modality; each NULL for any).
const VISIBLE: &str = concat!(
    "deleted_at IS NULL AND ",
    crate::in_actor_locations!("location_id", "$1", "$2"),
    " AND ($3 IS NULL OR location_id = $3) AND ($4 IS NULL OR owner_id = $4) \
     AND ($5 IS NULL OR requested_modality = $5)"
);

/// The board's filters; each optional. Ids must be well formed; unknown ones match nothing.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BoardFilter {
    /// Only contacts at this location.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub location_id: Option<String>,
    /// Only contacts this staff member owns.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub owner_id: Option<String>,
    /// Only contacts who asked for this kind of scan.
    #[param(value_type = Option<crate::model::Modality>, inline)]
    pub modality: Option<String>,
}

/// [`BoardFilter`] as bound: (location, owner, modality), each `None` for any.
type BoardBinds = (Option<String>, Option<String>, Option<&'static str>);

impl BoardFilter {
    /// The filters as bound: absent means any; ids must be ids, a modality one we offer.
    fn checked(self) -> Result<BoardBinds, DomainError> {
        let (location, owner) = (self.location_id, self.owner_id);
        let mut v = crate::error::Validator::default();
        for (field, value) in [("location_id", &location), ("owner_id", &owner)] {
            // Ids are ULIDs; anything else (a NUL, which PostgreSQL cannot even compare) is refused.
            if value.as_deref().is_some_and(|id| crate::input::ulid(id).is_none()) {
                v.check::<()>(field, Err("is not an id (26 letters and digits)".into()));
            }
        }
        let modality = match self.modality {
            None => None,
            Some(raw) => v
                .check(
                    "modality",
                    crate::model::Modality::parse(&raw)
                        .ok_or_else(|| "is not a kind of scan we offer".to_owned()),
                )
                .map(crate::model::Modality::as_str),
        };
        v.finish()?;
        Ok((location, owner, modality))
    }
}

/// Every stage with its count and up to [`CARDS_PER_COLUMN`] cards, most recently changed first,
/// of the contacts `filter` selects. Three queries whatever the board's size: stages, counts,
/// cards.
pub async fn board(db: &Db, actor: &Actor, filter: BoardFilter) -> Result<PipelineBoard, DomainError> {
    let stages = stages(db, actor).await?;
    let (location, owner, modality) = filter.checked()?;
    let all = actor.sees_every_location();
    let counts_sql = sqlx::AssertSqlSafe(format!(
        "SELECT stage_id, COUNT(*) FROM contacts WHERE {VISIBLE} GROUP BY stage_id"
    ));
    // A window per stage keeps the newest cards of each column in one pass.
    let cards_sql = sqlx::AssertSqlSafe(format!(
        "SELECT id, stage_id, first_name, last_name, requested_modality, warmness, last_touch_at FROM (\
           SELECT id, stage_id, first_name, last_name, requested_modality, warmness, last_touch_at, \
                  ROW_NUMBER() OVER (PARTITION BY stage_id ORDER BY updated_at DESC, id DESC) AS place \
           FROM contacts WHERE {VISIBLE}) ranked \
         WHERE place <= $6 ORDER BY stage_id, place"
    ));
    let (counts, cards): (Vec<(String, i64)>, Vec<CardRow>) = on_db!(db, pool => {
        let counts = sqlx::query_as(counts_sql)
            .bind(all).bind(&actor.user_id).bind(&location).bind(&owner).bind(modality)
            .fetch_all(pool).await?;
        let cards = sqlx::query_as(cards_sql)
            .bind(all).bind(&actor.user_id).bind(&location).bind(&owner).bind(modality).bind(CARDS_PER_COLUMN)
            .fetch_all(pool).await?;
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
                requested_modality: card
                    .requested_modality
                    .as_deref()
                    .and_then(crate::model::Modality::parse),
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

/// A new stage.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStage {
    #[schema(value_type = crate::input::rules::Label40, inline)]
    pub name: String,
    /// 1-based place on the board (default: last); the other stages shift to make room (below
    /// 1 counts as first, past the end as last).
    #[serde(default, deserialize_with = "crate::input::whole_number")]
    pub position: Option<i64>,
    /// Closed stages (e.g. Lost) end the pipeline (default `false`).
    pub is_closed: Option<bool>,
}

/// Changes to a stage as staff configure it in Settings; what is left out stays.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageInput {
    #[schema(value_type = Option<crate::input::rules::Label40>, inline)]
    pub name: Option<String>,
    /// 1-based place on the board; the other stages shift to make room (below 1 counts as
    /// first, past the end as last).
    #[serde(default, deserialize_with = "crate::input::whole_number")]
    pub position: Option<i64>,
    /// Closed stages (e.g. Lost) end the pipeline.
    pub is_closed: Option<bool>,
}

fn stage_name(raw: Option<&str>) -> Result<String, DomainError> {
    crate::input::label(raw.unwrap_or(""), 40).map_err(|p| DomainError::field("name", p))
}

/// Rewrites positions 1..n in `order`.
async fn renumber(tx: &mut Tx, order: &[String]) -> Result<(), DomainError> {
    on_tx!(tx, tx => {
        for (index, id) in order.iter().enumerate() {
            sqlx::query("UPDATE pipeline_stages SET position = $2 WHERE id = $1").bind(id).bind(index as i64 + 1).execute(&mut **tx).await?;
        }
    });
    Ok(())
}

/// Places `id` at `position` (1-based, clamped) among the stages.
async fn place(tx: &mut Tx, id: &str, position: i64) -> Result<(), DomainError> {
    let mut order: Vec<String> = on_tx!(&mut *tx, tx => {
        sqlx::query_scalar("SELECT id FROM pipeline_stages ORDER BY position, id").fetch_all(&mut **tx).await?
    });
    order.retain(|s| s != id);
    let at = (position.clamp(1, i64::from(u16::MAX)) as usize - 1).min(order.len());
    order.insert(at, id.to_owned());
    renumber(tx, &order).await
}

/// Adds a stage (at the end unless a position is given).
pub async fn create_stage(
    db: &Db,
    actor: &Actor,
    input: NewStage,
    meta: &RequestMeta,
) -> Result<Stage, DomainError> {
    actor.require(Permission::SettingsWrite)?;
    let name = stage_name(Some(&input.name))?;
    let id = ulid::Ulid::new().to_string();
    let key = format!("custom_{}", id.to_lowercase());
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
        sqlx::query(
            "INSERT INTO pipeline_stages (id, key, name, position, is_closed) \
             SELECT $1, $2, $3, COALESCE(MAX(position), 0) + 1, $4 FROM pipeline_stages",
        )
        .bind(&id)
        .bind(&key)
        .bind(&name)
        .bind(input.is_closed.unwrap_or(false))
        .execute(&mut **tx)
        .await?;
    });
    if let Some(position) = input.position {
        place(&mut tx, &id, position).await?;
    }
    audit::record_in(&mut tx, Entry::new("stage.create").by(actor).on("stage", &id).from(meta)).await?;
    tx.commit().await?;
    Ok(Stage { id, name, is_closed: input.is_closed.unwrap_or(false) })
}

/// Renames, moves or opens/closes a stage.
pub async fn update_stage(
    db: &Db,
    actor: &Actor,
    id: &str,
    input: StageInput,
    meta: &RequestMeta,
) -> Result<Stage, DomainError> {
    actor.require(Permission::SettingsWrite)?;
    let current =
        stages(db, actor).await?.into_iter().find(|s| s.id == id).ok_or(DomainError::NotFound("stage"))?;
    let name = match input.name.as_deref() {
        Some(raw) => stage_name(Some(raw))?,
        None => current.name,
    };
    let is_closed = input.is_closed.unwrap_or(current.is_closed);
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
        sqlx::query("UPDATE pipeline_stages SET name = $2, is_closed = $3 WHERE id = $1").bind(id).bind(&name).bind(is_closed).execute(&mut **tx).await?;
    });
    if let Some(position) = input.position {
        place(&mut tx, id, position).await?;
    }
    audit::record_in(&mut tx, Entry::new("stage.update").by(actor).on("stage", id).from(meta)).await?;
    tx.commit().await?;
    Ok(Stage { id: id.to_owned(), name, is_closed })
}

/// Removes an empty stage; one that still holds contacts (deleted ones included, as they may
/// be restored) is a conflict, as is the last stage.
pub async fn delete_stage(db: &Db, actor: &Actor, id: &str, meta: &RequestMeta) -> Result<(), DomainError> {
    actor.require(Permission::SettingsWrite)?;
    let all = stages(db, actor).await?;
    if !all.iter().any(|s| s.id == id) {
        return Err(DomainError::NotFound("stage"));
    }
    if all.len() == 1 {
        return Err(DomainError::Conflict("the pipeline needs at least one stage".into()));
    }
    let holding: i64 = on_db!(db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM contacts WHERE stage_id = $1").bind(id).fetch_one(pool).await?
    });
    if holding > 0 {
        return Err(DomainError::Conflict(format!("{holding} contacts are in this stage; move them first")));
    }
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
        sqlx::query("DELETE FROM pipeline_stages WHERE id = $1").bind(id).execute(&mut **tx).await?;
    });
    let order: Vec<String> = all.into_iter().map(|s| s.id).filter(|s| s != id).collect();
    renumber(&mut tx, &order).await?;
    audit::record_in(&mut tx, Entry::new("stage.delete").by(actor).on("stage", id).from(meta)).await?;
    tx.commit().await
}
