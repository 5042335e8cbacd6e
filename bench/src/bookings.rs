//! The bookings budget's figures, through the database and the server:
//!
//! - a clinic of its own: one location (Australia/Sydney, open 07:00–19:00 every day), ten MRI
//!   scanners, ten radiographers, and 50,000 bookings over 100 weeks — 500 in each week's five
//!   weekdays, the week measured (next week) among them;
//! - availability for that week: `bookings::availability` (calendars loaded from the database,
//!   then the engine) and `GET /api/v1/availability` (one client, in turn);
//! - `GET /api/v1/bookings` for one day at the location (100 bookings) against a bare axum +
//!   sqlx server running the domain's own list SQL and answering the same JSON — neither writes
//!   an audit row (lists are not audited; one booking opened is), so the yardstick does the same
//!   work — closed-loop rounds rotating which server goes first, the ratio taken per round;
//! - the calendar's week view of the location, server-rendered with its 500 bookings, signed in,
//!   and the week's data alone (`bookings::calendar::view`), to tell loading from rendering;
//! - the bytes `/book` and its busiest step (a day's times) transfer on a first load, compressed
//!   as a phone asks (`Accept-Encoding: br, gzip`): the document and its stylesheet (no script).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use domain::model::{Booking, BookingStatus, Page};
use domain::services::bookings::{self, AvailabilityQuery};
use domain::services::clock::Clock;
use domain::time::Timestamp;
use domain::{Actor, Db};

use crate::load;

pub const BOOKINGS: usize = 50_000;
const WEEKS: i64 = 100;
const SCANNERS: usize = 10;
/// Bookings per scanner per weekday (an hour apart: 30 minutes' scan, 30 free).
const PER_DAY: usize = 10;
const SAMPLES: usize = 200;
const ROUNDS: usize = 8;
const ROUND_SECONDS: u64 = 2;
const CONCURRENCY: usize = 16;

pub struct Figures {
    pub availability: (f64, f64),
    pub availability_http: (f64, f64),
    pub list_rps: f64,
    pub bare_rps: f64,
    pub ratio: f64,
    pub ratio_range: (f64, f64),
    pub list_latency: (f64, f64),
    pub bare_latency: (f64, f64),
    pub week: (f64, f64),
    /// (document, stylesheet) bytes of `/book`, then of a day's times.
    pub book_bytes: (usize, usize),
    pub times_bytes: (usize, usize),
}

/// The bench clinic: its location, service and the Monday of the week measured.
struct Clinic {
    location_id: String,
    service_id: String,
    monday: NaiveDate,
}

fn id() -> String {
    ulid::Ulid::new().to_string()
}

async fn clinic(db: &Db) -> anyhow::Result<Clinic> {
    let zone = chrono_tz::Australia::Sydney;
    let now = Timestamp::now();
    let location_id = id();
    let service_id = id();
    let scanners: Vec<String> = (0..SCANNERS).map(|_| id()).collect();
    let staff: Vec<String> = (0..SCANNERS).map(|_| id()).collect();
    let contacts: Vec<String> =
        crate::generator::contacts(db, 2_000, 11).await?.into_iter().map(|c| c.id).collect();
    let today = Utc::now().with_timezone(&zone).date_naive();
    let this_monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let monday = this_monday + chrono::Duration::days(7);
    let mut tx = db.begin().await?;
    domain::on_tx!(&mut tx, conn => {
        sqlx::query("INSERT INTO locations (id, name, time_zone, created_at) VALUES ($1, 'Bench Imaging', 'Australia/Sydney', $2)")
            .bind(&location_id).bind(now).execute(&mut **conn).await?;
        sqlx::query(
            "INSERT INTO services (id, code, name, modality, duration_minutes, price_cents, resource_kind, created_at) \
             VALUES ($1, 'BENCH-MRI', 'Bench MRI', 'mri', 30, 45000, 'mri_scanner', $2)",
        )
        .bind(&service_id).bind(now).execute(&mut **conn).await?;
        for day in 1..=7 {
            sqlx::query("INSERT INTO location_hours (location_id, weekday, opens, closes) VALUES ($1, $2, '07:00', '19:00')")
                .bind(&location_id).bind(day).execute(&mut **conn).await?;
        }
        for (n, (scanner, user)) in scanners.iter().zip(&staff).enumerate() {
            sqlx::query("INSERT INTO resources (id, location_id, name, kind, created_at) VALUES ($1, $2, $3, 'mri_scanner', $4)")
                .bind(scanner).bind(&location_id).bind(format!("Bench MRI {}", n + 1)).bind(now).execute(&mut **conn).await?;
            sqlx::query("INSERT INTO users (id, email, display_name, role, created_at) VALUES ($1, $2, $3, 'reception', $4)")
                .bind(user).bind(format!("bench.radiographer{n}@avatar.test")).bind(format!("Radiographer {}", n + 1)).bind(now)
                .execute(&mut **conn).await?;
            sqlx::query("INSERT INTO staff_services (user_id, service_id) VALUES ($1, $2)")
                .bind(user).bind(&service_id).execute(&mut **conn).await?;
            for day in 1..=7 {
                sqlx::query("INSERT INTO staff_hours (user_id, location_id, weekday, starts, ends) VALUES ($1, $2, $3, '07:00', '19:00')")
                    .bind(user).bind(&location_id).bind(day).execute(&mut **conn).await?;
            }
        }
    });
    tx.commit().await?;

    // 500 bookings in each of 100 weeks' weekdays, the measured week among them.
    let first_week = -(WEEKS / 2) + 1;
    let mut rows: Vec<(String, Timestamp, Timestamp, &'static str)> = Vec::with_capacity(BOOKINGS);
    let mut contact = 0usize;
    for week in first_week..first_week + WEEKS {
        for weekday in 0..5 {
            let day = monday + chrono::Duration::days(week * 7 + weekday);
            for k in 0..PER_DAY {
                let local = day.and_hms_opt(7 + k as u32, 0, 0).context("a time")?;
                let start =
                    zone.from_local_datetime(&local).earliest().context("a real time")?.with_timezone(&Utc);
                let end = start + chrono::Duration::minutes(30);
                let status = if start < Utc::now() { "completed" } else { "booked" };
                for _ in 0..SCANNERS {
                    rows.push((
                        contacts[contact % contacts.len()].clone(),
                        Timestamp(start),
                        Timestamp(end),
                        status,
                    ));
                    contact += 1;
                }
            }
        }
    }
    ensure!(rows.len() == BOOKINGS, "{} bookings generated", rows.len());
    let mut tx = db.begin().await?;
    for (chunk_no, chunk) in rows.chunks(500).enumerate() {
        let mut sql = String::from(
            "INSERT INTO bookings (id, contact_id, service_id, location_id, resource_id, staff_id, starts_at, ends_at, \
             held_from, held_until, status, created_at, updated_at) VALUES ",
        );
        for n in 0..chunk.len() {
            let b = n * 8;
            if n > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                4001,
                4002,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 8
            ));
        }
        // Positional placeholders 4001/4002 are the service and location, bound once per chunk.
        let sql = renumber(&sql, chunk.len() * 8);
        domain::on_tx!(&mut tx, conn => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (n, (contact_id, start, end, status)) in chunk.iter().enumerate() {
                let scanner = (chunk_no * 500 + n) % SCANNERS;
                query = query
                    .bind(id())
                    .bind(contact_id)
                    .bind(&scanners[scanner])
                    .bind(&staff[scanner])
                    .bind(*start)
                    .bind(*end)
                    .bind(*status)
                    .bind(now);
            }
            query.bind(&service_id).bind(&location_id).execute(&mut **conn).await?;
        });
    }
    tx.commit().await?;
    Ok(Clinic { location_id, service_id, monday })
}

/// `$4001`/`$4002` become the two placeholders after `used` (PostgreSQL wants them numbered
/// without gaps).
fn renumber(sql: &str, used: usize) -> String {
    sql.replace("$4001", &format!("${}", used + 1)).replace("$4002", &format!("${}", used + 2))
}

pub async fn measure(
    db: &Db,
    admin: &Actor,
    base: &str,
    token: &str,
    browser: &reqwest::Client,
) -> anyhow::Result<Figures> {
    let generating = Instant::now();
    let clinic = clinic(db).await?;
    eprintln!("  bookings: {BOOKINGS} stored in {:.1} s", generating.elapsed().as_secs_f64());
    let sunday = clinic.monday + chrono::Duration::days(6);
    let query = || AvailabilityQuery {
        service_id: clinic.service_id.clone(),
        location_id: clinic.location_id.clone(),
        from: clinic.monday.to_string(),
        to: sunday.to_string(),
        ..Default::default()
    };
    let found = bookings::availability(db, admin, query()).await?;
    // One slot per start: weekdays the half hours between bookings and the evening, the
    // weekend every quarter hour (about 180).
    ensure!(found.len() > 100, "the week has free slots ({})", found.len());
    let mut timings = Vec::new();
    for n in 0..SAMPLES + 20 {
        let started = Instant::now();
        bookings::availability(db, admin, query()).await?;
        if n >= 20 {
            timings.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let availability = load::percentiles(timings);
    eprintln!("  availability (service): p50 {:.2} ms, p95 {:.2} ms", availability.0, availability.1);
    let url = format!(
        "{base}/api/v1/availability?service_id={}&location_id={}&from={}&to={sunday}",
        clinic.service_id, clinic.location_id, clinic.monday
    );
    let availability_http = load::latencies(Arc::new(vec![url]), Some(token.to_owned()), SAMPLES).await?;
    eprintln!("  availability (HTTP): p50 {:.2} ms, p95 {:.2} ms", availability_http.0, availability_http.1);

    // One day's bookings against the bare server.
    let bare = spawn_bare(db.clone()).await?;
    let days: Vec<NaiveDate> = (0..5).map(|d| clinic.monday + chrono::Duration::days(d)).collect();
    let path = |day: &NaiveDate| {
        format!("/bookings?location_id={}&from={day}&to={day}&limit=500", clinic.location_id)
    };
    let ours = Arc::new(days.iter().map(|d| format!("{base}/api/v1{}", path(d))).collect::<Vec<_>>());
    let yardstick = Arc::new(days.iter().map(|d| format!("{bare}{}", path(d))).collect::<Vec<_>>());
    let http = reqwest::Client::new();
    let ours_body: serde_json::Value = http.get(&ours[0]).bearer_auth(token).send().await?.json().await?;
    let bare_body: serde_json::Value = http.get(&yardstick[0]).send().await?.json().await?;
    ensure!(ours_body == bare_body, "the yardstick answers the same JSON as the API");
    ensure!(ours_body["items"].as_array().map(Vec::len) == Some(SCANNERS * PER_DAY), "a day's 100 bookings");
    let servers = [(ours.clone(), Some(token.to_owned())), (yardstick.clone(), None)];
    for (urls, token) in &servers {
        load::throughput(urls.clone(), token.clone(), CONCURRENCY, Duration::from_secs(1)).await?;
    }
    let mut runs: [Vec<f64>; 2] = Default::default();
    for n in 0..ROUNDS {
        for k in 0..2 {
            let which = (n + k) % 2;
            let (urls, token) = &servers[which];
            let rps = load::throughput(
                urls.clone(),
                token.clone(),
                CONCURRENCY,
                Duration::from_secs(ROUND_SECONDS),
            )
            .await?;
            runs[which].push(rps);
        }
    }
    let ratios: Vec<f64> = runs[0].iter().zip(&runs[1]).map(|(o, b)| o / b).collect();
    let ratio_range =
        (ratios.iter().copied().fold(f64::INFINITY, f64::min), ratios.iter().copied().fold(0.0, f64::max));
    let list_latency = load::latencies(ours.clone(), Some(token.to_owned()), 1_000).await?;
    let bare_latency = load::latencies(yardstick.clone(), None, 1_000).await?;

    // The calendar's week, rendered on the server.
    let week_url =
        format!("{base}/calendar?location_id={}&date={}&view=week", clinic.location_id, clinic.monday);
    let html = browser.get(&week_url).send().await?.text().await?;
    let week_bookings = html.matches("data-booking-id=").count();
    ensure!(week_bookings == 5 * SCANNERS * PER_DAY, "the week shows its 500 bookings ({week_bookings})");
    let mut renders = Vec::new();
    for n in 0..SAMPLES + 20 {
        let started = Instant::now();
        browser.get(&week_url).send().await?.bytes().await?;
        if n >= 20 {
            renders.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let week = load::percentiles(renders);
    eprintln!("  calendar week SSR: p50 {:.2} ms, p95 {:.2} ms ({} bytes)", week.0, week.1, html.len());
    // What of that is loading the week (the page's one server function) rather than rendering.
    let mut loads = Vec::new();
    for _ in 0..SAMPLES {
        let query = bookings::calendar::CalendarQuery {
            location_id: Some(clinic.location_id.clone()),
            date: Some(clinic.monday.to_string()),
            week: true,
            resource_id: None,
            staff_id: None,
        };
        let started = Instant::now();
        bookings::calendar::view(db, admin, query).await?;
        loads.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let week_data = load::percentiles(loads);
    eprintln!("  calendar week data alone: p50 {:.2} ms, p95 {:.2} ms", week_data.0, week_data.1);

    let book_bytes = first_load(base, "/book").await?;
    let times =
        format!("/book?service={}&location={}&from={}", clinic.service_id, clinic.location_id, clinic.monday);
    let times_bytes = first_load(base, &times).await?;
    Ok(Figures {
        availability,
        availability_http,
        list_rps: load::median(runs[0].clone()),
        bare_rps: load::median(runs[1].clone()),
        ratio: load::median(ratios),
        ratio_range,
        list_latency,
        bare_latency,
        week,
        book_bytes,
        times_bytes,
    })
}

/// Bytes on the wire for a page and its stylesheet, as a phone asks for them (a fresh client:
/// nothing cached). The pages carry no script; that is checked too.
async fn first_load(base: &str, path: &str) -> anyhow::Result<(usize, usize)> {
    // reqwest here decompresses nothing, so `bytes()` is what crossed the wire.
    let phone = reqwest::Client::new();
    let get = |url: String| phone.get(url).header("accept-encoding", "br, gzip").send();
    let page = get(format!("{base}{path}")).await?;
    ensure!(page.status() == StatusCode::OK, "{path} answered {}", page.status());
    let encoded = page.headers().contains_key("content-encoding");
    let document = page.bytes().await?;
    let text = if encoded {
        // Read the stylesheet's address from the plain document.
        reqwest::Client::new().get(format!("{base}{path}")).send().await?.text().await?
    } else {
        String::from_utf8_lossy(&document).into_owned()
    };
    ensure!(!text.contains("<script"), "{path} loads no script");
    let css = text
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .context("the page's stylesheet")?;
    let stylesheet = get(format!("{base}{css}")).await?.bytes().await?;
    Ok((document.len(), stylesheet.len()))
}

/// The yardstick: the domain's list SQL (`list_query`) for a location's day, the same JSON, nothing else (no
/// token, no scope, no middleware, no error envelope).
#[derive(Clone)]
struct Bare {
    db: Db,
}

#[derive(serde::Deserialize)]
struct DayQuery {
    location_id: String,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    contact_id: String,
    contact_name: String,
    service_id: String,
    service_name: String,
    location_id: String,
    location_name: String,
    time_zone: String,
    resource_id: String,
    resource_name: String,
    staff_id: String,
    staff_name: String,
    starts_at: Timestamp,
    ends_at: Timestamp,
    status: String,
    cancel_reason: Option<String>,
    notes: Option<String>,
    needs_review: bool,
    created_at: Timestamp,
    updated_at: Timestamp,
}

async fn day(State(bare): State<Bare>, Query(q): Query<DayQuery>) -> Result<Json<Page<Booking>>, StatusCode> {
    let failed = |_| StatusCode::INTERNAL_SERVER_ERROR;
    let zone: Option<String> = domain::on_db!(&bare.db, pool => {
        sqlx::query_scalar("SELECT time_zone FROM locations WHERE id = $1").bind(&q.location_id).fetch_optional(pool).await.map_err(failed)?
    });
    let zone: chrono_tz::Tz = zone.and_then(|z| z.parse().ok()).ok_or(StatusCode::NOT_FOUND)?;
    let midnight = |d: NaiveDate| {
        bookings::availability::boundary(&zone, d, chrono::NaiveTime::MIN)
            .map(Timestamp)
            .ok_or(StatusCode::BAD_REQUEST)
    };
    let (after, before) = (midnight(q.from)?, midnight(q.to.succ_opt().ok_or(StatusCode::BAD_REQUEST)?)?);
    let (sql, args) = bookings::list_query(&bookings::ListParts {
        sees_every_location: true,
        user_id: "",
        location_id: Some(&q.location_id),
        after: Some(after),
        before: Some(before),
        limit: q.limit + 1,
        ..Default::default()
    });
    let sql = sqlx::AssertSqlSafe(sql);
    let rows: Vec<Row> = domain::on_db!(&bare.db, pool => {
        let mut query = sqlx::query_as(sql);
        for arg in &args {
            query = match arg {
                bookings::ListArg::Flag(flag) => query.bind(*flag),
                bookings::ListArg::Text(text) => query.bind(text),
                bookings::ListArg::Time(at) => query.bind(*at),
                bookings::ListArg::Int(n) => query.bind(*n),
            };
        }
        query.fetch_all(pool).await.map_err(failed)?
    });
    let items = rows
        .into_iter()
        .take(q.limit as usize)
        .map(|r| {
            let clock = Clock::named(Some(&r.time_zone));
            let local = |at: chrono::DateTime<Utc>| at.with_timezone(&clock.zone()).fixed_offset();
            Booking {
                start: local(r.starts_at.0),
                end: local(r.ends_at.0),
                start_label: clock.show_with_year(&r.starts_at.0),
                id: r.id,
                contact_id: r.contact_id,
                contact_name: r.contact_name,
                service_id: r.service_id,
                service_name: r.service_name,
                location_id: r.location_id,
                location_name: r.location_name,
                resource_id: r.resource_id,
                resource_name: r.resource_name,
                staff_id: r.staff_id,
                staff_name: r.staff_name,
                status: BookingStatus::parse(&r.status).unwrap_or(BookingStatus::Booked),
                cancel_reason: r.cancel_reason,
                notes: r.notes,
                needs_review: r.needs_review,
                created_at: r.created_at.0,
                updated_at: r.updated_at.0,
            }
        })
        .collect();
    Ok(Json(Page::forward(items, None)))
}

async fn spawn_bare(db: Db) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = Router::new().route("/bookings", get(day)).with_state(Bare { db });
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{addr}"))
}
