//! Pipeline stages, in board order.

use sqlx::FromRow;

use crate::access::Permission;
use crate::model::Stage;
use crate::on_db;
use crate::{Actor, Db, DomainError};

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
