//! `make bench`: the performance budget's figures for contacts, on SQLite and PostgreSQL, in a
//! release build. Prints Markdown tables (also written to target/bench/results.md).
//!
//! - search: `contacts::list` with a name (typos included), phone or email over 100k contacts;
//! - count: `contacts::count` (the list's total) for the same queries and the whole list;
//! - board: `GET /pipeline` server-rendered with 500 cards, signed in;
//! - read API: `GET /api/v1/contacts/{id}` (token, scoping, audit entry) against a bare axum +
//!   sqlx handler running the same SQL, answering the same JSON and committing the same audit
//!   row (the budget's yardstick), and against one that only reads (for information):
//!   closed-loop load in rounds that rotate which server goes first, the ratios of requests per
//!   second taken per round; then one client's latency.
//!
//! - queue: jobs enqueued one per transaction, claimed, run (a no-op) and completed by the
//!   worker, against a bare loop of the same SQL (`queue.rs`).
//!
//! - bookings: availability for a week among 50,000 stored bookings, a day's `GET
//!   /api/v1/bookings` against a bare server, the calendar week with 500 bookings, and the bytes
//!   of `/book`'s first load (`bookings.rs`).
//!
//! - ai: each built-in AI function's p50/p99 per call, and the nightly warmness recalculation of
//!   100,000 contacts on SQLite (`ai.rs`).
//!
//! `BENCH_PARTS=queue` (or `contacts`, `bookings`, `ai`) measures one part only. PostgreSQL is expected where the tests expect it (`TEST_POSTGRES_URL` or 127.0.0.1:5432).

mod ai;
mod bare;
mod bookings;
mod generator;
mod load;
mod queue;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use domain::actor::AuthMethod;
use domain::services::contacts::{self, ListFilter};
use domain::{DatabaseUrl, Db};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use server::config::Config;
use server::startup::Application;

const CONTACTS: usize = 100_000;
const BOARD_CARDS: usize = 500;
const SEARCHES: usize = 400;
const BOARD_RENDERS: usize = 200;
const CONCURRENCY: usize = 16;
/// Paired rounds of the read API against the bare server.
const ROUNDS: usize = 8;
const ROUND_SECONDS: u64 = 2;
const LATENCY_SAMPLES: usize = 2_000;

/// One server's side of the read API comparison.
struct Side {
    rps: f64,
    /// Median of the rounds' ratios (ours ÷ this), and the lowest and highest.
    ratio: f64,
    ratio_range: (f64, f64),
    /// p50 and p95 latency (ms) of one client's requests in turn.
    latency: (f64, f64),
}

struct Figures {
    backend: &'static str,
    search: (f64, f64),
    /// `contacts::count` for the same queries (and the unfiltered list).
    count: (f64, f64),
    board: (f64, f64),
    ours_rps: f64,
    ours_latency: (f64, f64),
    /// The yardstick that commits the same audit row (the budget's).
    audited: Side,
    /// The yardstick that only reads.
    bare: Side,
    import_seconds: f64,
}

fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A fresh database URL for `backend`, and the PostgreSQL database name to drop afterwards.
async fn fresh_database(backend: &str) -> anyhow::Result<(String, Option<String>)> {
    let name = format!("avatar_bench_{}", ulid::Ulid::new().to_string().to_lowercase());
    if backend == "SQLite" {
        std::fs::create_dir_all("target/bench")?;
        Ok((format!("sqlite://target/bench/{name}.db?mode=rwc"), None))
    } else {
        use sqlx::Connection;
        let admin = postgres_admin_url();
        let mut conn = sqlx::PgConnection::connect(&admin).await.context("PostgreSQL")?;
        sqlx::query(sqlx::AssertSqlSafe(format!(r#"CREATE DATABASE "{name}""#))).execute(&mut conn).await?;
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin).to_owned();
        Ok((format!("{base}/{name}"), Some(name)))
    }
}

/// A query a receptionist might type for `c`: a surname with a typo, a first-name prefix and
/// surname, a phone number as patients say it, or an email.
fn query_for(c: &generator::Generated, rng: &mut StdRng) -> String {
    match rng.random_range(0..4) {
        0 if c.last_name.len() >= 6 => {
            let mut chars: Vec<char> = c.last_name.chars().collect();
            let at = chars.len() / 2;
            chars[at] = if chars[at] == 'e' { 'a' } else { 'e' };
            chars.into_iter().collect()
        }
        1 => format!("{} {}", &c.first_name[..c.first_name.len().min(4)], c.last_name),
        2 => format!("0{} {} {}", &c.phone[3..6], &c.phone[6..9], &c.phone[9..]),
        _ => c.email.clone(),
    }
}

async fn measure(backend: &'static str) -> anyhow::Result<Figures> {
    let (url, pg_name) = fresh_database(backend).await?;
    let db = Db::connect(&DatabaseUrl::parse(&url).map_err(anyhow::Error::msg)?).await?;
    db.migrate().await?;
    domain::services::demo_seed::seed(&db).await?;
    let admin_id = domain::services::users::find_id_by_email(&db, "admin@avatar.test")
        .await?
        .context("the demo administrator")?;
    let admin = domain::services::users::actor_for_user(
        &db,
        &admin_id,
        AuthMethod::Session { session_id: "bench".into() },
    )
    .await?
    .context("the demo administrator's actor")?;
    let demo_contacts: usize = domain::on_db!(&db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM contacts").fetch_one(pool).await? as usize
    });

    let config = Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some(url.clone()),
        "LEPTOS_SITE_ADDR" => Some("127.0.0.1:0".into()),
        _ => None,
    })?;
    let app = Application::bind(&config, db.clone()).await?;
    let base = format!("http://{}", app.local_addr()?);
    tokio::spawn(app.run_until_stopped(std::future::pending()));

    // Board: exactly 500 contacts on the board.
    generator::contacts(&db, BOARD_CARDS - demo_contacts, 1).await?;
    let browser = reqwest::Client::builder().cookie_store(true).build()?;
    let signed_in = browser
        .post(format!("{base}/auth/login"))
        .json(&serde_json::json!({ "email": "admin@avatar.test", "password": "avatar-demo" }))
        .send()
        .await?;
    ensure!(signed_in.status() == 200, "sign-in answered {}", signed_in.status());
    let mut renders = Vec::new();
    for n in 0..(BOARD_RENDERS + 20) {
        let started = Instant::now();
        let html = browser.get(format!("{base}/pipeline")).send().await?.text().await?;
        if n >= 20 {
            renders.push(started.elapsed().as_secs_f64() * 1000.0);
        } else {
            ensure!(html.matches("data-card-id=").count() == BOARD_CARDS, "every card rendered");
        }
    }
    let board = load::percentiles(renders);
    eprintln!("  board: p50 {:.2} ms, p95 {:.2} ms", board.0, board.1);

    // Search over 100k contacts.
    let generating = Instant::now();
    let generated = generator::contacts(&db, CONTACTS - BOARD_CARDS, 2).await?;
    eprintln!("  generated {} contacts in {:.1} s", generated.len(), generating.elapsed().as_secs_f64());
    let mut rng = StdRng::seed_from_u64(7);
    let queries: Vec<String> = (0..SEARCHES)
        .map(|_| query_for(&generated[rng.random_range(0..generated.len())], &mut rng))
        .collect();
    for q in queries.iter().take(20) {
        contacts::list(&db, &admin, ListFilter { q: Some(q.clone()), ..Default::default() }).await?;
    }
    let mut timings = Vec::new();
    for q in &queries {
        let started = Instant::now();
        let page =
            contacts::list(&db, &admin, ListFilter { q: Some(q.clone()), ..Default::default() }).await?;
        let took = started.elapsed().as_secs_f64() * 1000.0;
        timings.push(took);
        if std::env::var("BENCH_VERBOSE").is_ok() {
            eprintln!("    {took:>8.2} ms  {q}  ({} found)", page.items.len());
        }
        ensure!(!page.items.is_empty(), "`{q}` finds its contact");
    }
    let search = load::percentiles(timings);
    eprintln!("  search: p50 {:.2} ms, p95 {:.2} ms", search.0, search.1);
    // The list's total ("of 100,000 contacts"), asked apart from the page: the same queries,
    // and the whole unfiltered list each tenth time.
    let mut count_timings = Vec::new();
    for (n, q) in queries.iter().enumerate() {
        let q = (n % 10 != 0).then(|| q.clone());
        let started = Instant::now();
        let counted = contacts::count(&db, &admin, ListFilter { q: q.clone(), ..Default::default() }).await?;
        count_timings.push(started.elapsed().as_secs_f64() * 1000.0);
        ensure!(counted.total > 0, "`{q:?}` counts its contact");
    }
    let count = load::percentiles(count_timings);
    eprintln!("  count: p50 {:.2} ms, p95 {:.2} ms", count.0, count.1);

    let created =
        domain::services::api_tokens::create_for_user(&db, &admin_id, "bench", &Default::default()).await?;
    let token = created.token;

    // CSV import: 10,000 new rows into the 100k-contact clinic, one request.
    let mut csv = String::from("First name,Last name,Mobile,Email,DOB,Modality,Tags\n");
    for n in 0..10_000 {
        csv.push_str(&format!(
            "Given{n},Family{n},04{:08},import{n}@example.com,1970-01-{:02},MRI,imported\n",
            90_000_000 + n,
            1 + n % 28
        ));
    }
    let started = Instant::now();
    let report: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/contacts/import"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await?
        .json()
        .await?;
    let import_seconds = started.elapsed().as_secs_f64();
    ensure!(report["created"] == 10_000, "{report}");
    eprintln!("  import: 10,000 rows in {import_seconds:.2} s");

    let bare_base = bare::spawn(db.clone(), (admin_id.clone(), created.summary.id.clone())).await?;
    let ids: Vec<&String> = generated.iter().step_by(97).map(|c| &c.id).take(1000).collect();
    let urls =
        |base: &str| Arc::new(ids.iter().map(|id| format!("{base}/contacts/{id}")).collect::<Vec<_>>());
    let ours = urls(&format!("{base}/api/v1"));
    let audited = urls(&format!("{bare_base}/audited"));
    let bare = urls(&bare_base);
    // The yardsticks must answer what we answer, or the ratios compare different work; and the
    // audited one must commit the audit row the API commits.
    let http = reqwest::Client::new();
    let views = || async {
        anyhow::Ok(domain::on_db!(&db, pool => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_events WHERE action = 'contact.view' AND subject_id = $1")
                .bind(ids[0].as_str())
                .fetch_one(pool)
                .await?
        }))
    };
    let ours_body: serde_json::Value = http.get(&ours[0]).bearer_auth(&token).send().await?.json().await?;
    for yardstick in [&audited, &bare] {
        let body: serde_json::Value = http.get(&yardstick[0]).send().await?.json().await?;
        ensure!(ours_body == body, "the yardstick answers the same JSON as the API");
    }
    ensure!(views().await? == 2, "the API and the audited yardstick each committed one view");
    let servers: [(&Arc<Vec<String>>, Option<String>); 3] =
        [(&ours, Some(token.clone())), (&audited, None), (&bare, None)];
    for (urls, token) in &servers {
        load::throughput((*urls).clone(), token.clone(), CONCURRENCY, Duration::from_secs(1)).await?;
    }
    // Short rounds, rotating which server goes first, and the ratios taken within each round:
    // this machine's speed drifts by a third between runs a minute apart, which a ratio of two
    // separately taken medians would count as our cost or gain.
    let round = Duration::from_secs(ROUND_SECONDS);
    let mut runs: [Vec<f64>; 3] = Default::default();
    for n in 0..ROUNDS {
        let mut this_round = [0.0; 3];
        for k in 0..3 {
            let which = (n + k) % 3;
            let (urls, token) = &servers[which];
            this_round[which] = load::throughput((*urls).clone(), token.clone(), CONCURRENCY, round).await?;
        }
        for (all, one) in runs.iter_mut().zip(this_round) {
            all.push(one);
        }
    }
    // What one request costs a user when the server is not saturated: one client, in turn.
    let mut latency = [(0.0, 0.0); 3];
    for (which, (urls, token)) in servers.iter().enumerate() {
        latency[which] = load::latencies((*urls).clone(), token.clone(), LATENCY_SAMPLES).await?;
    }
    let side = |which: usize| {
        let ratios: Vec<f64> = runs[0].iter().zip(&runs[which]).map(|(o, y)| o / y).collect();
        let range = (
            ratios.iter().copied().fold(f64::INFINITY, f64::min),
            ratios.iter().copied().fold(0.0, f64::max),
        );
        Side {
            rps: load::median(runs[which].clone()),
            ratio: load::median(ratios),
            ratio_range: range,
            latency: latency[which],
        }
    };
    let figures = Figures {
        backend,
        search,
        count,
        board,
        ours_rps: load::median(runs[0].clone()),
        ours_latency: latency[0],
        audited: side(1),
        bare: side(2),
        import_seconds,
    };

    db.close().await;
    drop_database(pg_name).await;
    Ok(figures)
}

/// The bookings part on a fresh demo clinic with a server of its own.
async fn measure_bookings(backend: &'static str) -> anyhow::Result<bookings::Figures> {
    let (url, pg_name) = fresh_database(backend).await?;
    let db = Db::connect(&DatabaseUrl::parse(&url).map_err(anyhow::Error::msg)?).await?;
    db.migrate().await?;
    domain::services::demo_seed::seed(&db).await?;
    let admin_id = domain::services::users::find_id_by_email(&db, "admin@avatar.test")
        .await?
        .context("the demo administrator")?;
    let admin = domain::services::users::actor_for_user(
        &db,
        &admin_id,
        AuthMethod::Session { session_id: "bench".into() },
    )
    .await?
    .context("the demo administrator's actor")?;
    let config = Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some(url.clone()),
        "LEPTOS_SITE_ADDR" => Some("127.0.0.1:0".into()),
        _ => None,
    })?;
    let app = Application::bind(&config, db.clone()).await?;
    let base = format!("http://{}", app.local_addr()?);
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    let browser = reqwest::Client::builder().cookie_store(true).build()?;
    let signed_in = browser
        .post(format!("{base}/auth/login"))
        .json(&serde_json::json!({ "email": "admin@avatar.test", "password": "avatar-demo" }))
        .send()
        .await?;
    ensure!(signed_in.status() == 200, "sign-in answered {}", signed_in.status());
    let created =
        domain::services::api_tokens::create_for_user(&db, &admin_id, "bench", &Default::default()).await?;
    let figures = bookings::measure(&db, &admin, &base, &created.token, &browser).await?;
    db.close().await;
    drop_database(pg_name).await;
    Ok(figures)
}

/// Drops the PostgreSQL database `fresh_database` made (SQLite files go with target/bench).
async fn drop_database(pg_name: Option<String>) {
    use sqlx::Connection;
    if let Some(name) = pg_name
        && let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await
    {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#)))
            .execute(&mut conn)
            .await;
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut lines = vec![
        format!("Contacts benchmark ({CONTACTS} contacts; board with {BOARD_CARDS} cards)"),
        String::new(),
        "| Backend | Search p50 | Search p95 (budget < 10 ms) | Count p50 / p95 | Board SSR p50 | Board SSR p95 (budget < 15 ms) | Import 10k rows (budget < 10 s) |".into(),
        "|---|---|---|---|---|---|---|".into(),
    ];
    let mut reads = vec![
        String::new(),
        format!("Read API: GET /api/v1/contacts/{{id}} against bare axum + sqlx servers doing the same read, one also committing the same audit row ({CONCURRENCY} clients, {ROUNDS} rounds of {ROUND_SECONDS} s each; medians; then one client, {LATENCY_SAMPLES} requests in turn)"),
        String::new(),
        "| Backend | GET contact req/s | Audited bare req/s | Ratio (budget ≥ 0.7) | Lowest–highest round | p50 / p95 one client | Audited bare p50 / p95 | p50 ratio (budget ≤ 1.5) | Read-only bare req/s | Ratio to read-only | Read-only bare p50 / p95 |".into(),
        "|---|---|---|---|---|---|---|---|---|---|---|".into(),
    ];
    let mut booking_lines = vec![
        String::new(),
        format!("Bookings: one location, {} MRI scanners and radiographers, {} stored bookings over 100 weeks; the week measured holds 500 (availability and calendar: one client, 200 in turn; the day's list: {CONCURRENCY} clients, 8 paired rounds of 2 s against a bare axum + sqlx server running the same list SQL and JSON, neither auditing; medians)", 10, bookings::BOOKINGS),
        String::new(),
        "| Backend | Availability, a week (service) p50 / p95 (budget < 5 ms) | Same over HTTP p50 / p95 | GET /bookings a day req/s | Bare req/s | Ratio (budget ≥ 0.7) | Lowest–highest round | One client p50 / p95 | Bare p50 / p95 | Calendar week SSR, 500 bookings p50 / p95 (budget < 20 ms) | /book first load: HTML + CSS bytes (budget ≤ 150 KB) | A day's times: HTML + CSS bytes |".into(),
        "|---|---|---|---|---|---|---|---|---|---|---|---|".into(),
    ];
    let mut queue_lines = vec![
        String::new(),
        format!("Job queue: {} no-op jobs per round, each enqueued in its own transaction, claimed, run and completed by the worker, against a bare loop of the same SQL ({} rounds, medians)", queue::JOBS, queue::ROUNDS),
        String::new(),
        "| Backend | Worker jobs/s (budget ≥ 2,000 on SQLite) | Bare loop jobs/s | Ratio (budget ≥ 0.7) | Lowest–highest round |".into(),
        "|---|---|---|---|---|".into(),
    ];
    let mut ai_lines = vec![
        String::new(),
        "AI layer, built-in engine: time per call (20,000 calls each, one thread)".into(),
        String::new(),
        "| Function | p50 | p99 (budget < 1 ms) |".into(),
        "|---|---|---|".into(),
    ];
    // `BENCH_BACKENDS=sqlite` (or `postgresql`) measures one backend only; `BENCH_PARTS=queue`
    // (or `contacts`) one part.
    let only = std::env::var("BENCH_BACKENDS").unwrap_or_default().to_lowercase();
    let parts = std::env::var("BENCH_PARTS").unwrap_or_default().to_lowercase();
    let part = |name: &str| parts.is_empty() || parts.split(',').any(|p| p.trim() == name);
    if part("ai") {
        eprintln!("measuring the built-in AI functions…");
        for (name, p50, p99) in ai::builtin_functions() {
            ai_lines.push(format!("| {name} | {p50:.1} µs | {p99:.1} µs |"));
        }
        if only.is_empty() || only.split(',').any(|b| b.trim() == "sqlite") {
            eprintln!("measuring the nightly warmness recalculation on SQLite…");
            let (url, _) = fresh_database("SQLite").await?;
            let db = Db::connect(&DatabaseUrl::parse(&url).map_err(anyhow::Error::msg)?).await?;
            db.migrate().await?;
            domain::services::demo_seed::seed(&db).await?;
            let have: i64 = domain::on_db!(&db, pool => {
                sqlx::query_scalar("SELECT COUNT(*) FROM contacts").fetch_one(pool).await?
            });
            generator::contacts(&db, ai::SWEEP_CONTACTS.saturating_sub(usize::try_from(have)?), 5).await?;
            let touches = ai::touchpoints(&db).await?;
            let (scored, seconds) = ai::sweep(&db).await?;
            ai_lines.push(String::new());
            ai_lines.push(format!(
                "Nightly warmness recalculation on SQLite: {scored} contacts, {touches} touchpoints added to the demo clinic's: {seconds:.1} s (budget < 60 s)"
            ));
            db.close().await;
        }
    }
    for backend in ["SQLite", "PostgreSQL"] {
        if !only.is_empty() && !only.split(',').any(|b| b.trim() == backend.to_lowercase()) {
            continue;
        }
        if part("queue") {
            eprintln!("measuring the job queue on {backend}…");
            let (url, pg_name) = fresh_database(backend).await?;
            let db = Db::connect(&DatabaseUrl::parse(&url).map_err(anyhow::Error::msg)?).await?;
            db.migrate().await?;
            let q = queue::measure(&db).await?;
            queue_lines.push(format!(
                "| {backend} | {:.0} | {:.0} | {:.2} | {:.2}–{:.2} |",
                q.ours, q.bare, q.ratio, q.ratio_range.0, q.ratio_range.1
            ));
            db.close().await;
            drop_database(pg_name).await;
        }
        if part("bookings") {
            eprintln!("measuring bookings on {backend}…");
            let b = measure_bookings(backend).await?;
            booking_lines.push(format!(
                "| {backend} | {:.2} / {:.2} ms | {:.2} / {:.2} ms | {:.0} | {:.0} | {:.2} | {:.2}–{:.2} | {:.2} / {:.2} ms | {:.2} / {:.2} ms | {:.2} / {:.2} ms | {} + {} = {} | {} + {} = {} |",
                b.availability.0,
                b.availability.1,
                b.availability_http.0,
                b.availability_http.1,
                b.list_rps,
                b.bare_rps,
                b.ratio,
                b.ratio_range.0,
                b.ratio_range.1,
                b.list_latency.0,
                b.list_latency.1,
                b.bare_latency.0,
                b.bare_latency.1,
                b.week.0,
                b.week.1,
                b.book_bytes.0,
                b.book_bytes.1,
                b.book_bytes.0 + b.book_bytes.1,
                b.times_bytes.0,
                b.times_bytes.1,
                b.times_bytes.0 + b.times_bytes.1,
            ));
        }
        if !part("contacts") {
            continue;
        }
        eprintln!("measuring {backend}…");
        let f = measure(backend).await?;
        lines.push(format!(
            "| {} | {:.2} ms | {:.2} ms | {:.2} / {:.2} ms | {:.2} ms | {:.2} ms | {:.2} s |",
            f.backend, f.search.0, f.search.1, f.count.0, f.count.1, f.board.0, f.board.1, f.import_seconds
        ));
        let (a, b) = (&f.audited, &f.bare);
        reads.push(format!(
            "| {} | {:.0} | {:.0} | {:.2} | {:.2}–{:.2} | {:.2} / {:.2} ms | {:.2} / {:.2} ms | {:.2} | {:.0} | {:.2} | {:.2} / {:.2} ms |",
            f.backend,
            f.ours_rps,
            a.rps,
            a.ratio,
            a.ratio_range.0,
            a.ratio_range.1,
            f.ours_latency.0,
            f.ours_latency.1,
            a.latency.0,
            a.latency.1,
            f.ours_latency.0 / a.latency.0,
            b.rps,
            b.ratio,
            b.latency.0,
            b.latency.1,
        ));
    }
    if part("contacts") {
        lines.extend(reads);
    } else {
        // Only the other parts' tables.
        lines.clear();
    }
    if part("bookings") {
        lines.extend(booking_lines);
    }
    if part("queue") {
        lines.extend(queue_lines);
    }
    if part("ai") {
        lines.extend(ai_lines);
    }
    let table = lines.join("\n");
    println!("{table}");
    let _ = std::fs::create_dir_all("target/bench");
    let _ = std::fs::write("target/bench/results.md", format!("{table}\n"));
    Ok(())
}
