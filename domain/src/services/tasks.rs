//! Staff tasks: call-backs and follow-ups, usually about a contact. Scoped like contacts:
//! a task about a contact outside the actor's locations does not exist for them.

use chrono::{DateTime, SubsecRound, Utc};
use serde::Deserialize;
use sqlx::FromRow;
use ulid::Ulid;

use crate::access::Permission;
use crate::input::{label, rules};
use crate::model::{Page, Task, TaskCounts, TaskStatus};
use crate::on_db;
use crate::services::audit::{self, Entry};
use crate::services::contacts;
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, RequestMeta, on_tx};

const MAX_PAGE: u32 = 200;

#[derive(FromRow)]
struct Row {
    id: String,
    contact_id: Option<String>,
    contact_name: Option<String>,
    title: String,
    assignee_id: Option<String>,
    due_at: Option<Timestamp>,
    completed_at: Option<Timestamp>,
    created_at: Timestamp,
    /// The zone the due day is read in: the contact's location's, else the clinic's first.
    time_zone: Option<String>,
}

impl From<Row> for Task {
    fn from(r: Row) -> Self {
        let zone = parse_zone(r.time_zone.as_deref());
        let due_local = r.due_at.map(|due| due.0.with_timezone(&zone));
        Task {
            id: r.id,
            contact_id: r.contact_id,
            contact_name: r.contact_name,
            title: r.title,
            assignee_id: r.assignee_id,
            due_at: r.due_at.map(|t| t.0),
            due_day: due_local.map(|due| due.date_naive()),
            // "Tue 15 Dec 2026, 5:00 pm AEST": what the location's clock says, with the year, as
            // the API's answer must not depend on when it is read.
            due_label: r.due_at.map(|due| crate::services::clock::Clock::new(zone).show_with_year(&due.0)),
            overdue: r.completed_at.is_none() && r.due_at.is_some_and(|due| due.0 < Utc::now()),
            completed_at: r.completed_at.map(|t| t.0),
            created_at: r.created_at.0,
        }
    }
}

/// The clinic's zone, for what has no location of its own: its first location's.
macro_rules! clinic_zone {
    () => {
        "(SELECT time_zone FROM locations ORDER BY created_at, name LIMIT 1)"
    };
}

const SELECT: &str = concat!(
    "SELECT t.id, t.contact_id, c.first_name || ' ' || c.last_name AS contact_name, t.title, t.assignee_id, t.due_at, t.completed_at, t.created_at, \
    COALESCE(l.time_zone, ",
    clinic_zone!(),
    ") AS time_zone \
    FROM tasks t LEFT JOIN contacts c ON c.id = t.contact_id LEFT JOIN locations l ON l.id = c.location_id \
    WHERE (t.contact_id IS NULL OR c.deleted_at IS NULL) \
      AND (t.contact_id IS NULL OR ",
    crate::in_actor_locations!("c.location_id", "$1", "$2"),
    ")"
);

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    #[schema(value_type = rules::Label200, inline)]
    pub title: String,
    pub contact_id: Option<String>,
    pub assignee_id: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskChanges {
    #[schema(value_type = Option<rules::Label200>, inline)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::input::present")]
    pub assignee_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::input::present")]
    pub due_at: Option<Option<DateTime<Utc>>>,
    /// Done (`true`) or open again (`false`); either change is noted on the contact's timeline.
    pub completed: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TaskFilter {
    /// Default `open`.
    #[param(value_type = Option<TaskStatus>, inline)]
    pub status: Option<String>,
    /// A user id; `me`; `unassigned` (no one's); or `me_or_unassigned`.
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub assignee_id: Option<String>,
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub contact_id: Option<String>,
    /// `next_cursor` of the previous page, unchanged. Open lists run by due time (soonest
    /// first, tasks without a due time last), done lists by completion (latest first).
    #[param(pattern = "^([dc]-?[0-9]{1,20}|n)\\.[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
    /// Tasks per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

async fn active_user(db: &Db, id: &str) -> Result<bool, DomainError> {
    let found: Option<String> = on_db!(db, pool => {
        sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND active = TRUE").bind(id).fetch_optional(pool).await?
    });
    Ok(found.is_some())
}

async fn load(db: &Db, actor: &Actor, id: &str) -> Result<Row, DomainError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} AND t.id = $3"));
    let all = actor.sees_every_location();
    let row = on_db!(db, pool => {
        sqlx::query_as::<_, Row>(sql).bind(all).bind(&actor.user_id).bind(id).fetch_optional(pool).await?
    });
    row.ok_or(DomainError::NotFound("task"))
}

pub async fn create(db: &Db, actor: &Actor, input: NewTask, meta: &RequestMeta) -> Result<Task, DomainError> {
    actor.require(Permission::ContactsWrite)?;
    let title = label(&input.title, 200).map_err(|p| DomainError::field("title", p))?;
    if let Some(contact) = &input.contact_id {
        contacts::ensure_visible(db, actor, contact)
            .await
            .map_err(|_| DomainError::field("contact_id", "is not a contact"))?;
    }
    if let Some(assignee) = &input.assignee_id
        && !active_user(db, assignee).await?
    {
        return Err(DomainError::field("assignee_id", "is not an active staff member"));
    }
    let row = Row {
        id: Ulid::new().to_string(),
        contact_id: input.contact_id,
        contact_name: None,
        title,
        assignee_id: input.assignee_id.or_else(|| Some(actor.user_id.clone())),
        due_at: input.due_at.map(|d| Timestamp(d.trunc_subsecs(6))),
        completed_at: None,
        created_at: Timestamp::now(),
        time_zone: None,
    };
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
    sqlx::query(
        "INSERT INTO tasks (id, contact_id, title, assignee_id, due_at, completed_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&row.id)
    .bind(&row.contact_id)
    .bind(&row.title)
    .bind(&row.assignee_id)
    .bind(row.due_at)
    .bind(row.completed_at)
    .bind(row.created_at)
    .execute(&mut **tx)
    .await?;
    });
    audit::record_in(&mut tx, Entry::new("task.create").by(actor).on("task", &row.id).from(meta)).await?;
    tx.commit().await?;
    // Read back: the answer names the contact and reads the due day in its location's zone.
    Ok(load(db, actor, &row.id).await?.into())
}

pub async fn update(
    db: &Db,
    actor: &Actor,
    id: &str,
    changes: TaskChanges,
    meta: &RequestMeta,
) -> Result<Task, DomainError> {
    actor.require(Permission::ContactsWrite)?;
    let mut row = load(db, actor, id).await?;
    if let Some(title) = &changes.title {
        row.title = label(title, 200).map_err(|p| DomainError::field("title", p))?;
    }
    if let Some(assignee) = changes.assignee_id {
        if let Some(user) = &assignee
            && !active_user(db, user).await?
        {
            return Err(DomainError::field("assignee_id", "is not an active staff member"));
        }
        row.assignee_id = assignee;
    }
    if let Some(due) = changes.due_at {
        row.due_at = due.map(|d| Timestamp(d.trunc_subsecs(6)));
    }
    // Done and reopened show on the contact's timeline, in the same transaction as the change.
    let timeline_note = match changes.completed {
        Some(true) if row.completed_at.is_none() => {
            row.completed_at = Some(Timestamp::now());
            Some(format!("Task done: {}", row.title))
        }
        Some(false) if row.completed_at.is_some() => {
            row.completed_at = None;
            Some(format!("Task reopened: {}", row.title))
        }
        _ => None,
    };
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
    sqlx::query("UPDATE tasks SET title = $2, assignee_id = $3, due_at = $4, completed_at = $5 WHERE id = $1")
        .bind(id)
        .bind(&row.title)
        .bind(&row.assignee_id)
        .bind(row.due_at)
        .bind(row.completed_at)
        .execute(&mut **tx)
        .await?;
    if let (Some(contact_id), Some(note)) = (&row.contact_id, &timeline_note) {
        sqlx::query("INSERT INTO touchpoints (id, contact_id, kind, summary, user_id, occurred_at) VALUES ($1, $2, 'note', $3, $4, $5)")
            .bind(Ulid::new().to_string())
            .bind(contact_id)
            .bind(note)
            .bind(&actor.user_id)
            .bind(Timestamp::now())
            .execute(&mut **tx)
            .await?;
    }
    });
    audit::record_in(&mut tx, Entry::new("task.update").by(actor).on("task", id).from(meta)).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Whose tasks a list holds.
enum Assignee {
    Anyone,
    User(String),
    Unassigned,
    UserOrUnassigned(String),
}

/// Where the previous page ended: its last task's sort key and id.
enum Cursor {
    /// An open list, after a task due at this instant.
    Due(Timestamp, String),
    /// An open list, inside the tasks without a due time.
    NoDue(String),
    /// A done list, after a task completed at this instant.
    Completed(Timestamp, String),
}

impl Cursor {
    fn parse(text: &str) -> Option<Cursor> {
        let (key, id) = text.split_once('.')?;
        let id = crate::input::ulid(id)?.to_string();
        let instant = |micros: &str| {
            micros.parse::<i64>().ok().and_then(DateTime::from_timestamp_micros).map(Timestamp)
        };
        match key.split_at_checked(1)? {
            ("d", micros) => Some(Cursor::Due(instant(micros)?, id)),
            ("c", micros) => Some(Cursor::Completed(instant(micros)?, id)),
            ("n", "") => Some(Cursor::NoDue(id)),
            _ => None,
        }
    }

    /// The cursor after `task` in a list ordered as `done` says.
    fn after(task: &Task, done: bool) -> String {
        match (done, task.completed_at, task.due_at) {
            (true, Some(at), _) => format!("c{}.{}", at.timestamp_micros(), task.id),
            (false, _, Some(due)) => format!("d{}.{}", due.timestamp_micros(), task.id),
            _ => format!("n.{}", task.id),
        }
    }
}

/// The end of today on the clinic's clock, as an instant.
async fn end_of_today(db: &Db) -> Result<Timestamp, DomainError> {
    use chrono::TimeZone;
    let zone = crate::services::clock::for_clinic(db).await?.zone();
    let tomorrow = Utc::now().with_timezone(&zone).date_naive() + chrono::Duration::days(1);
    let midnight = tomorrow.and_hms_opt(0, 0, 0).unwrap_or_default();
    // Midnight can fall in a daylight-saving gap somewhere; the earliest real instant then.
    let end = zone.from_local_datetime(&midnight).earliest().map(|t| t.with_timezone(&Utc));
    Ok(Timestamp(end.unwrap_or_else(|| Utc::now() + chrono::Duration::days(1))))
}

/// Within the actor's locations: open lists soonest due first (no due time last), done lists
/// latest completed first.
pub async fn list(db: &Db, actor: &Actor, filter: TaskFilter) -> Result<Page<Task>, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let limit = filter.limit.unwrap_or(50);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(DomainError::field("limit", format!("must be between 1 and {MAX_PAGE}")));
    }
    crate::input::no_control_characters(&[
        ("assignee_id", filter.assignee_id.as_deref()),
        ("contact_id", filter.contact_id.as_deref()),
    ])?;
    let status = filter.status.as_deref().unwrap_or("open");
    let Some(status) = TaskStatus::parse(status) else {
        return Err(DomainError::field("status", "must be one of open, overdue, due_today, done, all"));
    };
    let done = status == TaskStatus::Done;
    // A cursor names an instant and an id; one from another kind of list simply reads as a
    // place in this one (no error for a well-formed value).
    let cursor = match filter.cursor.as_deref() {
        None => None,
        Some(text) => Some(
            Cursor::parse(text)
                .ok_or_else(|| DomainError::field("cursor", "is not a cursor from a previous page"))?,
        ),
    };
    let due_before = match status {
        TaskStatus::Overdue => Some(Timestamp::now()),
        TaskStatus::DueToday => Some(end_of_today(db).await?),
        _ => None,
    };
    let assignee = match filter.assignee_id.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => Assignee::Anyone,
        Some("me") => Assignee::User(actor.user_id.clone()),
        Some("unassigned") => Assignee::Unassigned,
        Some("me_or_unassigned") => Assignee::UserOrUnassigned(actor.user_id.clone()),
        Some(id) => Assignee::User(id.to_owned()),
    };
    let (assignee_id, unassigned) = match &assignee {
        Assignee::Anyone => (None, false),
        Assignee::User(id) => (Some(id.clone()), false),
        Assignee::Unassigned => (None, true),
        Assignee::UserOrUnassigned(id) => (Some(id.clone()), true),
    };
    // $3 the cursor's id, $9 its instant, $11 (open lists only) its section: 0 among the tasks
    // with a due time, 1 among those without.
    let (cursor_id, cursor_section, cursor_at) = match cursor {
        None => (None, 0_i32, None),
        Some(Cursor::Due(at, id) | Cursor::Completed(at, id)) => (Some(id), 0, Some(at)),
        Some(Cursor::NoDue(id)) => (Some(id), 1, None),
    };
    let order = if done {
        "AND ($3 IS NULL OR t.completed_at < $9 OR (t.completed_at = $9 AND t.id < $3)) \
         ORDER BY t.completed_at DESC, t.id DESC"
    } else {
        "AND ($3 IS NULL \
              OR ($11 = 1 AND t.due_at IS NULL AND t.id > $3) \
              OR ($11 = 0 AND (t.due_at IS NULL OR t.due_at > $9 OR (t.due_at = $9 AND t.id > $3)))) \
         ORDER BY CASE WHEN t.due_at IS NULL THEN 1 ELSE 0 END, t.due_at, t.id"
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} \
         AND ($4 = 'all' OR ($4 = 'done' AND t.completed_at IS NOT NULL) OR ($4 <> 'done' AND t.completed_at IS NULL)) \
         AND ($5 IS NULL OR t.due_at < $5) \
         AND (($6 IS NULL AND $10 = FALSE) OR t.assignee_id = $6 OR ($10 = TRUE AND t.assignee_id IS NULL)) \
         AND ($7 IS NULL OR t.contact_id = $7) {order} LIMIT $8"
    ));
    let all = actor.sees_every_location();
    let rows = on_db!(db, pool => {
        let query = sqlx::query_as::<_, Row>(sql)
            .bind(all)
            .bind(&actor.user_id)
            .bind(&cursor_id)
            .bind(status.as_str())
            .bind(due_before)
            .bind(&assignee_id)
            .bind(&filter.contact_id)
            .bind(i64::from(limit) + 1)
            .bind(cursor_at)
            .bind(unassigned);
        // Only open lists order by section; a parameter no SQL mentions is an error on PostgreSQL.
        let query = if done { query } else { query.bind(cursor_section) };
        query.fetch_all(pool).await?
    });
    let has_more = rows.len() > limit as usize;
    let items: Vec<Task> = rows.into_iter().take(limit as usize).map(Task::from).collect();
    let next_cursor = if has_more { items.last().map(|t| Cursor::after(t, done)) } else { None };
    Ok(Page::forward(items, next_cursor))
}

/// How many open tasks each of the Tasks page's lists holds (one query).
pub async fn counts(db: &Db, actor: &Actor) -> Result<TaskCounts, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT \
           COALESCE(SUM(CASE WHEN t.due_at < $4 AND (t.assignee_id = $5 OR t.assignee_id IS NULL) THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN t.assignee_id = $5 THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN t.assignee_id IS NULL THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN t.due_at < $3 THEN 1 ELSE 0 END), 0), \
           COUNT(*) \
         FROM ({SELECT} AND t.completed_at IS NULL) t"
    ));
    let all = actor.sees_every_location();
    let (now, today_ends) = (Timestamp::now(), end_of_today(db).await?);
    let (needs_doing, mine, unassigned, overdue, open): (i64, i64, i64, i64, i64) = on_db!(db, pool => {
        sqlx::query_as(sql)
            .bind(all)
            .bind(&actor.user_id)
            .bind(now)
            .bind(today_ends)
            .bind(&actor.user_id)
            .fetch_one(pool)
            .await?
    });
    Ok(TaskCounts { needs_doing, mine, unassigned, overdue, open })
}

/// An IANA zone name as stored, or UTC when there is none (a clinic with no location yet).
fn parse_zone(name: Option<&str>) -> chrono_tz::Tz {
    name.and_then(|z| z.parse().ok()).unwrap_or(chrono_tz::UTC)
}

/// The moment a task "due on `day`" falls due: 5 pm in the time zone of the contact's
/// location, else of the clinic's first location (UTC if there is none).
pub async fn due_on(
    db: &Db,
    day: chrono::NaiveDate,
    contact_id: Option<&str>,
) -> Result<DateTime<Utc>, DomainError> {
    const ZONE: &str = concat!(
        "SELECT COALESCE((SELECT l.time_zone FROM contacts c JOIN locations l ON l.id = c.location_id WHERE c.id = $1), ",
        clinic_zone!(),
        ")"
    );
    five_pm(day, zone(db, ZONE, contact_id).await?)
}

/// [`due_on`] for an existing task: the day is read in its contact's zone. An unknown task
/// gets the clinic's zone here; the change itself then answers 404.
pub async fn due_on_for_task(
    db: &Db,
    day: chrono::NaiveDate,
    task_id: &str,
) -> Result<DateTime<Utc>, DomainError> {
    const ZONE: &str = concat!(
        "SELECT COALESCE((SELECT l.time_zone FROM tasks t JOIN contacts c ON c.id = t.contact_id \
         JOIN locations l ON l.id = c.location_id WHERE t.id = $1), ",
        clinic_zone!(),
        ")"
    );
    five_pm(day, zone(db, ZONE, Some(task_id)).await?)
}

/// Runs one of the zone queries above for `id`.
async fn zone(db: &Db, sql: &'static str, id: Option<&str>) -> Result<chrono_tz::Tz, DomainError> {
    let name: Option<String> = on_db!(db, pool => sqlx::query_scalar(sql).bind(id).fetch_one(pool).await?);
    Ok(parse_zone(name.as_deref()))
}

fn five_pm(day: chrono::NaiveDate, zone: chrono_tz::Tz) -> Result<DateTime<Utc>, DomainError> {
    let local = day.and_hms_opt(17, 0, 0).unwrap_or_default();
    // 5 pm is never inside a daylight-saving gap in the zones we serve; `earliest` covers any other.
    use chrono::TimeZone;
    zone.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| DomainError::field("due_date", "is not a time that exists in the clinic's time zone"))
}
