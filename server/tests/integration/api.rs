//! Black-box HTTP tests: the real server and a real database, on SQLite and on PostgreSQL.

use crate::common::{Backend, TestApp};
use chrono::{Duration, Utc};
use domain::on_db;
use domain::time::Timestamp;
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    health_reports_ok_with_the_version,
    dashboard_page_shows_the_demo_clinic,
    empty_dashboard_explains_how_to_start,
    dashboard_server_function_returns_the_figures,
    demo_seed_is_idempotent,
    every_section_in_the_navigation_renders,
    unknown_path_is_a_styled_404,
    new_contacts_count_only_the_last_seven_days,
    contact_names_are_escaped_in_html,
    responses_carry_a_request_id,
    oversized_request_bodies_are_refused,
    migrations_can_run_again,
);

async fn health_reports_ok_with_the_version(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.get("/health").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["db"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

async fn dashboard_page_shows_the_demo_clinic(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_demo().await;
    let client = app.signed_in("reception").await;
    let response = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = response.text().await.unwrap();
    for expected in [
        "Dashboard",
        "Sydney CBD",
        "Brisbane North",
        "Australia/Sydney",
        "Latest enquiries",
        "New enquiry",
        "Lost",
    ] {
        assert!(html.contains(expected), "dashboard lacks {expected:?}");
    }
    // The stat card shows the real contact count, and the page loads the WASM that hydrates it.
    assert!(html.contains(">200<"), "the contact total 200 is not on the page");
    assert!(html.contains("/pkg/avatar.js") && html.contains("/pkg/avatar.wasm"));
    assert!(html.contains("/pkg/avatar.css"));
}

async fn empty_dashboard_explains_how_to_start(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.signed_in("readonly").await;
    let html = client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("No contacts yet"));
    assert!(html.contains("seed-demo"));
}

async fn dashboard_server_function_returns_the_figures(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let report = app.seed_demo().await;
    let anonymous = app.client.post(app.url("/rpc/dashboard")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "figures need a signed-in user");
    let client = app.signed_in("manager").await;
    let response = client.post(app.url("/rpc/dashboard")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let summary: domain::model::DashboardSummary = response.json().await.unwrap();
    assert_eq!(summary.total_contacts, 200);
    let stages: Vec<&str> = summary.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(stages, ["New enquiry", "Contacted", "Booked", "Attended", "Follow-up", "Lost"]);
    assert_eq!(summary.stages.iter().map(|s| s.contacts).sum::<i64>(), 200);
    assert!(summary.stages.iter().all(|s| s.contacts > 0), "every stage has demo contacts");
    let zones: Vec<&str> = summary.locations.iter().map(|l| l.time_zone.as_str()).collect();
    assert_eq!(zones, ["Australia/Brisbane", "Australia/Sydney"]);
    assert_eq!(summary.locations.iter().map(|l| l.contacts).sum::<i64>(), 200);
    assert_eq!(summary.recent_contacts.len(), 8);
    let newest: Vec<_> = summary.recent_contacts.iter().map(|c| c.created_at).collect();
    assert!(newest.windows(2).all(|w| w[0] >= w[1]), "latest enquiries are newest first");
    assert!(summary.open_tasks > 0 && summary.open_tasks <= report.tasks as i64);
    assert!(summary.overdue_tasks <= summary.open_tasks);
}

async fn demo_seed_is_idempotent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let first = app.seed_demo().await;
    assert!(!first.already_seeded);
    assert_eq!(first.contacts, 200);
    let second = app.seed_demo().await;
    assert!(second.already_seeded);
    assert_eq!(second.contacts, 0);
    let summary = domain::services::dashboard::summary(&app.db, &admin(&app).await).await.unwrap();
    assert_eq!(summary.total_contacts, 200);
    assert_eq!(summary.locations.len(), 2);
}

async fn every_section_in_the_navigation_renders(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.signed_in("readonly").await;
    for (href, label, coming) in app::components::layout::NAV_ITEMS {
        let response = client.get(app.url(href)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{href}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains(&format!("<title>{label} · Avatar CRM</title>")),
            "{href} has no {label} title"
        );
        assert!(html.contains(r#"aria-current="page""#), "{href} marks no nav link as current");
        // Sections still to come say so on their page as well as in the menu.
        assert_eq!(html.contains("Not available yet"), coming, "{href}");
    }
    let menu = client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert_eq!(menu.matches("Coming soon").count(), 4, "the four sections still to come are marked");
}

async fn unknown_path_is_a_styled_404(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.signed_in("readonly").await;
    let response = client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"));
    assert!(html.contains("/pkg/avatar.css"), "the 404 page uses the app's stylesheet");
    assert!(html.contains(r#"href="/pipeline""#), "the 404 page keeps the navigation");
}

/// An administrator actor for calling services directly.
async fn admin(app: &TestApp) -> domain::Actor {
    let email = app.create_user("admin").await;
    let id = domain::services::users::find_id_by_email(&app.db, &email).await.unwrap().unwrap();
    domain::services::users::actor_for_user(
        &app.db,
        &id,
        domain::actor::AuthMethod::Session { session_id: "test".into() },
    )
    .await
    .unwrap()
    .unwrap()
}

async fn insert_contact(app: &TestApp, first_name: &str, created_at: Timestamp) {
    on_db!(&app.db, pool => {
        sqlx::query(
            "INSERT INTO contacts (id, first_name, last_name, stage_id, created_at, updated_at) \
             VALUES ($1, $2, 'Test', '01K0STAGE00000000000000001', $3, $3)",
        )
        .bind(ulid::Ulid::new().to_string())
        .bind(first_name)
        .bind(created_at)
        .execute(pool)
        .await
        .unwrap();
    });
}

async fn new_contacts_count_only_the_last_seven_days(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let now = Utc::now();
    insert_contact(&app, "Recent", Timestamp(now - Duration::days(6))).await;
    // Whole and fractional seconds either side of the boundary must still compare by time.
    insert_contact(&app, "Old", Timestamp(now - Duration::days(8))).await;
    insert_contact(&app, "Older", Timestamp(now - Duration::days(30) + Duration::milliseconds(500))).await;
    let summary = domain::services::dashboard::summary(&app.db, &admin(&app).await).await.unwrap();
    assert_eq!(summary.total_contacts, 3);
    assert_eq!(summary.new_contacts_last_7_days, 1);
    assert_eq!(summary.recent_contacts[0].display_name, "Recent Test");
}

async fn contact_names_are_escaped_in_html(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    insert_contact(&app, "<script>alert('x')</script>", Timestamp::now()).await;
    let client = app.signed_in("readonly").await;
    let html = client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("<script>alert('x')</script>"), "raw script tag rendered");
    assert!(html.contains("&lt;script&gt;"), "name should appear escaped");
}

async fn responses_carry_a_request_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let first = app.get("/health").await;
    let second = app.get("/health").await;
    let id = |r: &reqwest::Response| r.headers().get("x-request-id").map(|v| v.to_str().unwrap().to_owned());
    let (a, b) = (id(&first).expect("x-request-id"), id(&second).expect("x-request-id"));
    assert_eq!(a.len(), 26, "a ULID");
    assert_ne!(a, b);
}

async fn oversized_request_bodies_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let too_long = server::startup::MAX_BODY_BYTES + 1;
    let (status, _) = app.post_head_only("/rpc/dashboard", too_long, &[]).await;
    assert_eq!(status, 413);
    let (status, body) = app
        .post_head_only(
            "/api/v1/users",
            too_long,
            &[("Authorization", "Bearer avt_x"), ("Content-Type", "application/json")],
        )
        .await;
    assert_eq!(status, 413);
    let error: Value = serde_json::from_str(&body).expect("a JSON error");
    assert_eq!(error["error"]["code"], "payload_too_large");
}

async fn migrations_can_run_again(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.db.migrate().await.expect("second migrate is a no-op");
    let stages = domain::services::dashboard::summary(&app.db, &admin(&app).await).await.unwrap().stages;
    assert_eq!(stages.len(), 6, "default stages inserted once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_is_503_when_the_database_is_gone() {
    let app = TestApp::spawn(Backend::Postgres).await;
    assert_eq!(app.get("/health").await.status(), StatusCode::OK);
    app.database.drop_now().await;
    let response = app.get("/health").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["db"], "unreachable");
    assert_eq!(body["status"], "unavailable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_says_plainly_when_figures_cannot_load() {
    let app = TestApp::spawn(Backend::Postgres).await;
    app.seed_demo().await;
    let client = app.signed_in("readonly").await;
    // Break the dashboard's query while sessions keep working.
    on_db!(&app.db, pool => {
        sqlx::query("ALTER TABLE contacts RENAME TO contacts_elsewhere").execute(pool).await.unwrap();
    });
    let response = client.get(app.url("/")).send().await.unwrap();
    let html = response.text().await.unwrap();
    assert!(html.contains("The dashboard figures could not be loaded. Please try again."));
    assert!(html.contains(r#"role="alert""#));
    assert!(!html.contains("database error"), "internal causes stay in the log");
}
