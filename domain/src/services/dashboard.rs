//! The dashboard's figures, read in a handful of indexed queries run concurrently.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use sqlx::FromRow;

use crate::access::Permission;
use crate::in_actor_locations;
use crate::model::{DashboardSummary, LocationSummary, RecentContact, StageCount};
use crate::on_db;
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
    time_zone: Option<String>,
    created_at: Timestamp,
}

/// Formats an instant in an IANA zone (DST-aware via the tz database); UTC if the zone is unknown.
fn local(at: DateTime<Utc>, zone: Option<&str>, format: &str) -> String {
    match zone.and_then(|z| z.parse::<Tz>().ok()) {
        Some(tz) => at.with_timezone(&tz).format(format).to_string(),
        None => at.format(format).to_string(),
    }
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
    "SELECT c.id, c.first_name, c.last_name, s.name AS stage_name, c.requested_modality, l.time_zone, \
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
                local_time: local(now_utc, Some(&l.time_zone), "%a %-d %b, %H:%M %Z"),
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
                created_local: local(r.created_at.0, r.time_zone.as_deref(), "%-d %b %Y, %H:%M %Z"),
                created_at: r.created_at.0,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn local_times_follow_daylight_saving_per_zone() {
        // 1 Jan: Sydney is on daylight time (UTC+11); Brisbane never observes it (UTC+10).
        let summer = Utc.with_ymd_and_hms(2026, 1, 1, 0, 30, 0).unwrap();
        assert_eq!(local(summer, Some("Australia/Sydney"), "%H:%M %Z"), "11:30 AEDT");
        assert_eq!(local(summer, Some("Australia/Brisbane"), "%H:%M %Z"), "10:30 AEST");
        // 1 Jul: Sydney is back on standard time.
        let winter = Utc.with_ymd_and_hms(2026, 7, 1, 0, 30, 0).unwrap();
        assert_eq!(local(winter, Some("Australia/Sydney"), "%H:%M %Z"), "10:30 AEST");
        assert_eq!(local(winter, None, "%H:%M %Z"), "00:30 UTC");
        assert_eq!(local(winter, Some("Not/A_Zone"), "%H:%M %Z"), "00:30 UTC");
    }
}
