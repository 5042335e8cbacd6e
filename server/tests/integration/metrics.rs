//! `GET /metrics`: closed without a token or the allowlist; with them, the instance's requests
//! (by route template, never the path), jobs by type and state, and the worker's runs.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Backend, TestApp};

const TOKEN: &str = "metrics-token-for-the-tests";

async fn metrics_need_the_token_or_the_allowlist(backend: Backend) {
    let closed = TestApp::spawn(backend).await;
    let refused = closed.api().get(closed.url("/metrics")).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        refused.text().await.unwrap(),
        "Set METRICS_TOKEN, or turn on the IP allowlist, to read metrics."
    );

    let app = TestApp::spawn_with(backend, &[("METRICS_TOKEN", TOKEN)]).await;
    let api = app.api();
    assert_eq!(api.get(app.url("/metrics")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let wrong = api.get(app.url("/metrics")).bearer_auth("metrics-token-for-the-testz").send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let open = api.get(app.url("/metrics")).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(open.status(), StatusCode::OK);
    assert!(open.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));

    // With the allowlist on, a caller it lets in needs no token.
    let admin = closed.api_token("admin").await;
    let saved = closed
        .api()
        .put(closed.url("/api/v1/settings/ip-allowlist"))
        .bearer_auth(&admin)
        .json(&json!({ "enabled": true, "entries": ["127.0.0.1/32"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    assert_eq!(closed.api().get(closed.url("/metrics")).send().await.unwrap().status(), StatusCode::OK);
}

async fn scrape(app: &TestApp) -> String {
    let response = app.api().get(app.url("/metrics")).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

async fn metrics_count_requests_by_route_and_jobs_by_state(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("METRICS_TOKEN", TOKEN)]).await;
    let token = app.api_token("admin").await;
    let secret_id = "01K0N0C0NTACT0000000000042";
    for _ in 0..3 {
        let missing =
            app.api().get(app.url(&format!("/api/v1/contacts/{secret_id}"))).bearer_auth(&token).send().await;
        assert_eq!(missing.unwrap().status(), StatusCode::NOT_FOUND);
    }
    // A job the worker runs.
    let mut tx = app.db.begin().await.unwrap();
    let job = domain::jobs::NewJob::new(domain::model::JobKind::Noop, "metrics", &json!({}));
    let id = domain::jobs::enqueue(&mut tx, job).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    let started = Instant::now();
    loop {
        let text = scrape(&app).await;
        // The run is counted when it returns, the job marked done just after.
        if text.contains(r#"job_runs_succeeded_total{type="noop"} 1"#)
            && text.contains(r#"jobs{type="noop",state="succeeded"} 1"#)
        {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "job {id} not counted: {text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let text = scrape(&app).await;
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/api/v1/contacts/{id}",status="404"} 3"#),
        "{text}"
    );
    assert!(
        text.contains(r#"http_request_duration_seconds_count{method="GET",route="/api/v1/contacts/{id}"} 3"#)
    );
    assert!(!text.contains(secret_id), "paths never reach the figures");
    // Made-up methods are one label, not one each.
    for method in ["BREW", "WHEN"] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        app.api().request(method, app.url("/api/v1/me")).send().await.unwrap();
    }
    let text = scrape(&app).await;
    assert!(!text.contains("BREW") && !text.contains("WHEN"), "{text}");
    assert!(text.contains(r#"method="OTHER""#), "{text}");
    assert!(text.contains(r#"job_runs_failed_total{type="noop"} 0"#));
    assert!(text.contains("jobs_oldest_due_age_seconds "), "{text}");
    assert!(text.ends_with("# EOF\n"));
}

on_both_backends!(metrics_need_the_token_or_the_allowlist, metrics_count_requests_by_route_and_jobs_by_state);
