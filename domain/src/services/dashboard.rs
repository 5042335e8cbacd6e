//! The dashboard's figures, read in a handful of indexed queries run concurrently.

use chrono::{Duration, Utc};
use sqlx::FromRow;

use crate::access::Permission;
use crate::in_actor_locations;
use crate::model::{DashboardSummary, LocationSummary, RecentContact, StageCount};
use crate::on_db;
use crate::services::clock::{self, Clock};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError};

/// How many of the newest contacts the dashboard lists.
const RECENT_CONTACTS: i64 = 8;

#[derive(FromRow)]
struct Totals {
    total_contacts: i64,
    new_contacts: i64,
    open_tasks: i64,
    overdue_tasks: i64,
}

#[derive(FromRow)]
struct StageRow {
    id: String,
    name: String,
    contacts: i64,
}

#[derive(FromRow)]
struct LocationRow {
    id: String,
    name: String,
    time_zone: String,
    contacts: i64,
}

#[derive(FromRow)]
struct RecentRow {
    id: String,
    first_name: String,
    last_name: String,
    stage_name: String,
    requested_modality: Option<String>,
    created_at: Timestamp,
}

// Location scope: `$all` is true for users who see every location; otherwise only contacts
// (and their tasks) at the user's locations count. Tasks without a contact are clinic-wide.
const TOTALS_SQL: &str = concat!(
    "SELECT (SELECT COUNT(*) FROM contacts c WHERE c.deleted_at IS NULL AND ",
    in_actor_locations!("c.location_id", "$3", "$4"),
    ") AS total_contacts, \
    (SELECT COUNT(*) FROM contacts c WHERE c.deleted_at IS NULL AND c.created_at >= $1 AND ",
    in_actor_locations!("c.location_id", "$3", "$4"),
    ") AS new_contacts, \
    (SELECT COUNT(*) FROM tasks t LEFT JOIN contacts c ON c.id = t.contact_id WHERE t.completed_at IS NULL \
        AND (t.contact_id IS NULL OR ",
    in_actor_locations!("c.location_id", "$3", "$4"),
    ")) AS open_tasks, \
    (SELECT COUNT(*) FROM tasks t LEFT JOIN contacts c ON c.id = t.contact_id WHERE t.completed_at IS NULL \
        AND t.due_at < $2 AND (t.contact_id IS NULL OR ",
    in_actor_locations!("c.location_id", "$3", "$4"),
    ")) AS overdue_tasks"
);

const STAGES_SQL: &str = concat!(
    "SELECT s.id, s.name, COUNT(c.id) AS contacts FROM pipeline_stages s \
    LEFT JOIN contacts c ON c.stage_id = s.id AND c.deleted_at IS NULL AND ",
    in_actor_locations!("c.location_id", "$1", "$2"),
    " GROUP BY s.id, s.name, s.position ORDER BY s.position"
);

const LOCATIONS_SQL: &str = concat!(
    "SELECT l.id, l.name, l.time_zone, COUNT(c.id) AS contacts FROM locations l \
    LEFT JOIN contacts c ON c.location_id = l.id AND c.deleted_at IS NULL WHERE ",
    in_actor_locations!("l.id", "$1", "$2"),
    " GROUP BY l.id, l.name, l.time_zone ORDER BY l.name"
);

const RECENT_SQL: &str = concat!(
    "SELECT c.id, c.first_name, c.last_name, s.name AS stage_name, c.requested_modality, \
    c.created_at FROM contacts c JOIN pipeline_stages s ON s.id = c.stage_id \
    LEFT JOIN locations l ON l.id = c.location_id WHERE c.deleted_at IS NULL AND ",
    in_actor_locations!("c.location_id", "$2", "$3"),
    " ORDER BY c.created_at DESC, c.id DESC LIMIT $1"
);

/// Reads every figure the dashboard shows, limited to the actor's locations.
#[tracing::instrument(skip_all)]
pub async fn summary(db: &Db, actor: &Actor) -> Result<DashboardSummary, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let all = actor.sees_every_location();
    let user = actor.user_id.as_str();
    let now_utc = Utc::now();
    // The recent-contacts column reads on one clock (the clinic's), never mixing offsets.
    let clinic_clock = clock::for_clinic(db).await?;
    let week_ago = Timestamp(now_utc - Duration::days(7));
    let now = Timestamp(now_utc);
    let (totals, stages, locations, recent) = on_db!(db, pool => {
        tokio::try_join!(
            sqlx::query_as::<_, Totals>(TOTALS_SQL).bind(week_ago).bind(now).bind(all).bind(user).fetch_one(pool),
            sqlx::query_as::<_, StageRow>(STAGES_SQL).bind(all).bind(user).fetch_all(pool),
            sqlx::query_as::<_, LocationRow>(LOCATIONS_SQL).bind(all).bind(user).fetch_all(pool),
            sqlx::query_as::<_, RecentRow>(RECENT_SQL).bind(RECENT_CONTACTS).bind(all).bind(user).fetch_all(pool),
        )?
    });
    Ok(DashboardSummary {
        total_contacts: totals.total_contacts,
        new_contacts_last_7_days: totals.new_contacts,
        open_tasks: totals.open_tasks,
        overdue_tasks: totals.overdue_tasks,
        stages: stages
            .into_iter()
            .map(|s| StageCount { stage_id: s.id, name: s.name, contacts: s.contacts })
            .collect(),
        locations: locations
            .into_iter()
            .map(|l| LocationSummary {
                id: l.id,
                name: l.name,
                local_time: Clock::named(Some(&l.time_zone)).show(&now_utc),
                time_zone: l.time_zone,
                contacts: l.contacts,
            })
            .collect(),
        recent_contacts: recent
            .into_iter()
            .map(|r| RecentContact {
                id: r.id,
                display_name: format!("{} {}", r.first_name, r.last_name),
                stage_name: r.stage_name,
                requested_modality: r.requested_modality.as_deref().and_then(crate::model::Modality::parse),
                created_local: clinic_clock.show(&r.created_at.0),
                created_at: r.created_at.0,
            })
            .collect(),
    })
}
