//! Reading bookings: one with its history (an audited view), and lists for the calendar and
//! `GET /api/v1/bookings`, within the actor's locations.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::{Row, SELECT, calendars};
use crate::access::Permission;
use crate::model::{Booking, BookingDetail, BookingEvent, BookingEventKind, BookingStatus, Page};
use crate::services::audit::{self, Entry};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, RequestMeta, Tx, on_db, on_tx};

const MAX_PAGE: u32 = 500;

/// The booking `id` as `tx` sees it (no scope: the caller has just written it).
pub(super) async fn find_in(tx: &mut Tx, id: &str) -> Result<Option<Booking>, DomainError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} AND b.id = $3"));
    let row: Option<Row> = on_tx!(tx, conn => {
        sqlx::query_as(sql).bind(true).bind("").bind(id).fetch_optional(&mut **conn).await?
    });
    Ok(row.map(Booking::from))
}

/// The booking `id`, whoever may see it (the patient's signed link has been checked).
pub(super) async fn find(db: &Db, id: &str) -> Result<Booking, DomainError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} AND b.id = $3"));
    let row: Option<Row> = on_db!(db, pool => {
        sqlx::query_as(sql).bind(true).bind("").bind(id).fetch_optional(pool).await?
    });
    row.map(Booking::from).ok_or(DomainError::NotFound("booking"))
}

/// The booking `id` if the actor may see it.
pub(super) async fn load(db: &Db, actor: &Actor, id: &str) -> Result<Booking, DomainError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} AND b.id = $3"));
    let row: Option<Row> = on_db!(db, pool => {
        sqlx::query_as(sql).bind(actor.sees_every_location()).bind(&actor.user_id).bind(id).fetch_optional(pool).await?
    });
    row.map(Booking::from).ok_or(DomainError::NotFound("booking"))
}

/// One booking with its history; the view is audited.
pub async fn get(db: &Db, actor: &Actor, id: &str, meta: &RequestMeta) -> Result<BookingDetail, DomainError> {
    actor.require(Permission::BookingsRead)?;
    let booking = load(db, actor, id).await?;
    type EventRow = (String, String, Option<String>, Option<String>, Timestamp);
    let rows: Vec<EventRow> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT e.kind, e.status, e.detail, u.display_name, e.occurred_at FROM booking_events e \
             LEFT JOIN users u ON u.id = e.user_id WHERE e.booking_id = $1 ORDER BY e.occurred_at, e.id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?
    });
    let history = rows
        .into_iter()
        .filter_map(|(kind, status, detail, user_name, at)| {
            Some(BookingEvent {
                kind: BookingEventKind::parse(&kind)?,
                status: BookingStatus::parse(&status)?,
                detail,
                user_name,
                occurred_at: at.0,
            })
        })
        .collect();
    audit::record(db, Entry::new("booking.view").by(actor).on("booking", id).from(meta)).await?;
    Ok(BookingDetail { booking, history })
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BookingFilter {
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub location_id: Option<String>,
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub resource_id: Option<String>,
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub staff_id: Option<String>,
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub contact_id: Option<String>,
    pub status: Option<BookingStatus>,
    /// First day, `YYYY-MM-DD`, on the clock of `location_id` (else the clinic's).
    #[param(pattern = "^2[0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub from: Option<String>,
    /// Last day (inclusive), as `from`.
    #[param(pattern = "^2[0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub to: Option<String>,
    /// `next_cursor` of the previous page, unchanged. Lists run by start time.
    #[param(pattern = "^-?[0-9]{1,20}\\.[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
    /// Bookings per page (default 100, at most 500: a busy week's calendar).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Midnight starting `day` on `zone`'s clock (the first instant of the day if midnight is skipped).
pub(super) fn day_start(zone: chrono_tz::Tz, day: NaiveDate) -> DateTime<Utc> {
    super::availability::boundary(&zone, day, chrono::NaiveTime::MIN)
        .unwrap_or_else(|| day.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// An argument of a list query, in placeholder order.
#[derive(Clone, Debug)]
pub enum ListArg {
    Flag(bool),
    Text(String),
    Time(Timestamp),
    Int(i64),
}

/// What a list asks for.
#[derive(Clone, Debug, Default)]
pub struct ListParts<'a> {
    pub sees_every_location: bool,
    pub user_id: &'a str,
    pub location_id: Option<&'a str>,
    pub resource_id: Option<&'a str>,
    pub staff_id: Option<&'a str>,
    pub contact_id: Option<&'a str>,
    pub status: Option<&'a str>,
    pub after: Option<Timestamp>,
    pub before: Option<Timestamp>,
    pub cursor: Option<(Timestamp, String)>,
    pub limit: i64,
}

/// The list's SQL and arguments: only the conditions asked for, each a plain comparison the
/// planner can use an index for (`$n IS NULL OR …` would hide them: a full scan of every
/// booking). Public for the benchmark's yardstick, which runs the same text.
pub fn list_query(parts: &ListParts<'_>) -> (String, Vec<ListArg>) {
    let mut sql = String::from(SELECT);
    let mut args = vec![ListArg::Flag(parts.sees_every_location), ListArg::Text(parts.user_id.to_owned())];
    // Adds `condition` with its `?` as the next placeholder; that placeholder's number.
    fn add(sql: &mut String, args: &mut Vec<ListArg>, condition: &str, arg: ListArg) -> usize {
        args.push(arg);
        sql.push_str(" AND ");
        sql.push_str(&condition.replace('?', &format!("${}", args.len())));
        args.len()
    }
    for (column, value) in [
        ("b.location_id = ?", parts.location_id),
        ("b.resource_id = ?", parts.resource_id),
        ("b.staff_id = ?", parts.staff_id),
        ("b.contact_id = ?", parts.contact_id),
        ("b.status = ?", parts.status),
    ] {
        if let Some(value) = value {
            add(&mut sql, &mut args, column, ListArg::Text(value.to_owned()));
        }
    }
    if let Some(after) = parts.after {
        add(&mut sql, &mut args, "b.starts_at >= ?", ListArg::Time(after));
    }
    if let Some(before) = parts.before {
        add(&mut sql, &mut args, "b.starts_at < ?", ListArg::Time(before));
    }
    if let Some((at, id)) = &parts.cursor {
        // After the cursor: a later start, or the same start and a later id.
        let n = add(&mut sql, &mut args, "b.starts_at >= ?", ListArg::Time(*at));
        add(&mut sql, &mut args, &format!("(b.starts_at > ${n} OR b.id > ?)"), ListArg::Text(id.clone()));
    }
    args.push(ListArg::Int(parts.limit));
    sql.push_str(&format!(" ORDER BY b.starts_at, b.id LIMIT ${}", args.len()));
    (sql, args)
}

/// Bookings in start order within the actor's locations.
pub async fn list(db: &Db, actor: &Actor, filter: BookingFilter) -> Result<Page<Booking>, DomainError> {
    actor.require(Permission::BookingsRead)?;
    let limit = filter.limit.unwrap_or(100);
    let mut v = crate::error::Validator::default();
    if !(1..=MAX_PAGE).contains(&limit) {
        v.check::<()>("limit", Err(format!("must be between 1 and {MAX_PAGE}")));
    }
    for (field, value, what) in [
        ("location_id", &filter.location_id, "location"),
        ("resource_id", &filter.resource_id, "resource"),
        ("staff_id", &filter.staff_id, "staff member"),
        ("contact_id", &filter.contact_id, "contact"),
    ] {
        if let Some(id) = value {
            calendars::id_shape(&mut v, field, id, what);
        }
    }
    let from = filter.from.as_deref().and_then(|d| v.check("from", calendars::parse_day(d)));
    let to = filter.to.as_deref().and_then(|d| v.check("to", calendars::parse_day(d)));
    let cursor = filter.cursor.as_deref().and_then(|c| {
        v.check(
            "cursor",
            c.split_once('.')
                .and_then(|(micros, id)| {
                    let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
                    Some((Timestamp(at), crate::input::ulid(id)?.to_string()))
                })
                .ok_or_else(|| "is not a cursor from a previous page".to_owned()),
        )
    });
    v.finish()?;
    let zone = match &filter.location_id {
        Some(id) => calendars::location_zone(db, id).await?.map(|(zone, _)| zone),
        None => None,
    };
    let zone = match zone {
        Some(zone) => zone,
        None => crate::services::clock::for_clinic(db).await?.zone(),
    };
    let after = from.map(|d| Timestamp(day_start(zone, d)));
    let before = to.and_then(|d| d.succ_opt()).map(|d| Timestamp(day_start(zone, d)));
    let (sql, args) = list_query(&ListParts {
        sees_every_location: actor.sees_every_location(),
        user_id: &actor.user_id,
        location_id: filter.location_id.as_deref(),
        resource_id: filter.resource_id.as_deref(),
        staff_id: filter.staff_id.as_deref(),
        contact_id: filter.contact_id.as_deref(),
        status: filter.status.map(BookingStatus::as_str),
        after,
        before,
        cursor,
        limit: i64::from(limit) + 1,
    });
    let sql = sqlx::AssertSqlSafe(sql);
    let rows: Vec<Row> = on_db!(db, pool => {
        let mut query = sqlx::query_as(sql);
        for arg in &args {
            query = match arg {
                ListArg::Flag(flag) => query.bind(*flag),
                ListArg::Text(text) => query.bind(text),
                ListArg::Time(at) => query.bind(*at),
                ListArg::Int(n) => query.bind(*n),
            };
        }
        query.fetch_all(pool).await?
    });
    let has_more = rows.len() > limit as usize;
    let items: Vec<Booking> = rows.into_iter().take(limit as usize).map(Booking::from).collect();
    let next_cursor = if has_more {
        items.last().map(|b| format!("{}.{}", b.start.with_timezone(&Utc).timestamp_micros(), b.id))
    } else {
        None
    };
    Ok(Page::forward(items, next_cursor))
}
