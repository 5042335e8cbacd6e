//! Duplicate detection on create and the merge that keeps both histories, on both backends.

use crate::common::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    same_phone_or_email_is_refused_unless_allowed,
    similar_names_are_listed,
    merging_keeps_both_histories
);

async fn post(app: &TestApp, token: &str, query: &str, body: Value) -> reqwest::Response {
    app.api()
        .post(app.url(&format!("/api/v1/contacts{query}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

async fn same_phone_or_email_is_refused_unless_allowed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let first = json_of(
        post(&app, &token, "", json!({ "first_name": "Jane", "last_name": "Pemberton", "phone": "0412 345 678", "email": "jane@example.com" }))
            .await,
    )
    .await;
    // The same number in another format, and the same email in other case, are the same.
    for (body, field) in [
        (json!({ "first_name": "J", "last_name": "P", "phone": "+61 412-345-678" }), "phone"),
        (json!({ "first_name": "J", "last_name": "P", "email": "JANE@example.com" }), "email"),
    ] {
        let response = post(&app, &token, "", body).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        let error = json_of(response).await;
        assert_eq!(error["error"]["code"], "duplicate");
        assert_eq!(error["error"]["duplicate_of"], first["id"]);
        assert!(error["error"]["fields"][field].is_string(), "{error}");
    }
    let allowed = post(
        &app,
        &token,
        "?allow_duplicate=true",
        json!({ "first_name": "J", "last_name": "P", "phone": "0412345678" }),
    )
    .await;
    assert_eq!(allowed.status(), StatusCode::CREATED);
    // Deleted contacts do not block.
    let id = first["id"].as_str().unwrap();
    app.api().delete(app.url(&format!("/api/v1/contacts/{id}"))).bearer_auth(&token).send().await.unwrap();
    let again = post(
        &app,
        &token,
        "",
        json!({ "first_name": "Jane", "last_name": "P", "email": "jane@example.com" }),
    )
    .await;
    assert_eq!(again.status(), StatusCode::CREATED);
}

async fn similar_names_are_listed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let jane = json_of(
        post(
            &app,
            &token,
            "",
            json!({ "first_name": "Jane", "last_name": "Pemberton", "phone": "0412 000 001", "date_of_birth": "1980-04-12" }),
        )
        .await,
    )
    .await;
    // A similar name with another date of birth is another person; with the same one, or none
    // on record, it may be the same.
    post(
        &app,
        &token,
        "",
        json!({ "first_name": "Jane", "last_name": "Pemberten", "email": "other@example.com", "date_of_birth": "1991-09-30" }),
    )
    .await;
    let same_birthday = json_of(
        post(
            &app,
            &token,
            "",
            json!({ "first_name": "Jane", "last_name": "Pembarton", "email": "jb@example.com", "date_of_birth": "1980-04-12" }),
        )
        .await,
    )
    .await;
    let typo = json_of(
        post(
            &app,
            &token,
            "",
            json!({ "first_name": "Jane", "last_name": "Pembertin", "email": "jp@example.com" }),
        )
        .await,
    )
    .await;
    post(
        &app,
        &token,
        "",
        json!({ "first_name": "Mark", "last_name": "Pemberton", "phone": "0412 000 003" }),
    )
    .await;
    let found = json_of(
        app.api()
            .get(app.url(&format!("/api/v1/contacts/{}/duplicates", jane["id"].as_str().unwrap())))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let mut found: Vec<Value> = serde_json::from_value(found).unwrap();
    found.sort_by_key(|m| m["name"].as_str().unwrap().to_owned());
    assert_eq!(
        found,
        [
            json!({ "contact_id": same_birthday["id"], "name": "Jane Pembarton", "reason": "name" }),
            json!({ "contact_id": typo["id"], "name": "Jane Pembertin", "reason": "name" }),
        ]
    );
}

async fn merging_keeps_both_histories(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let api = app.api();
    let kept = json_of(
        post(&app, &token, "", json!({ "first_name": "Jane", "last_name": "Pemberton", "phone": "0412 000 001", "tags": ["vip"] }))
            .await,
    )
    .await;
    let duplicate = json_of(
        post(
            &app,
            &token,
            "",
            json!({ "first_name": "Jane", "last_name": "Pembertin", "email": "jane@example.com", "date_of_birth": "1980-05-04",
                    "tags": ["claustrophobic"], "custom_fields": { "interpreter": "Greek" } }),
        )
        .await,
    )
    .await;
    let (kept_id, duplicate_id) = (kept["id"].as_str().unwrap(), duplicate["id"].as_str().unwrap());
    for (id, summary) in [(kept_id, "Called about MRI"), (duplicate_id, "Emailed a referral")] {
        let response = api
            .post(app.url(&format!("/api/v1/contacts/{id}/touchpoints")))
            .bearer_auth(&token)
            .json(&json!({ "kind": "note", "summary": summary }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let task = json_of(
        api.post(app.url("/api/v1/tasks"))
            .bearer_auth(&token)
            .json(&json!({ "title": "Chase referral", "contact_id": duplicate_id }))
            .send()
            .await
            .unwrap(),
    )
    .await;

    let merge = |body: Value| {
        api.post(app.url(&format!("/api/v1/contacts/{kept_id}/merge"))).bearer_auth(&token).json(&body).send()
    };
    let merged_response = merge(json!({ "duplicate_id": duplicate_id })).await.unwrap();
    assert_eq!(merged_response.status(), StatusCode::OK);
    let merged = json_of(merged_response).await;
    assert_eq!(merged["last_name"], "Pemberton", "the kept record's own values stay");
    assert_eq!(merged["phone"], "+61412000001");
    assert_eq!(merged["email"], "jane@example.com", "gaps are filled from the duplicate");
    assert_eq!(merged["date_of_birth"], "1980-05-04");
    assert_eq!(merged["tags"], json!(["claustrophobic", "vip"]));
    assert_eq!(merged["custom_fields"], json!({ "interpreter": "Greek" }));

    let timeline = json_of(
        api.get(app.url(&format!("/api/v1/contacts/{kept_id}/touchpoints")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let summaries: Vec<&str> =
        timeline["items"].as_array().unwrap().iter().map(|t| t["summary"].as_str().unwrap()).collect();
    assert_eq!(summaries[0], "Merged with a duplicate record (Jane Pembertin)");
    assert!(
        summaries.contains(&"Called about MRI") && summaries.contains(&"Emailed a referral"),
        "{summaries:?}"
    );
    let tasks = json_of(
        api.get(app.url(&format!("/api/v1/tasks?contact_id={kept_id}&status=all")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(tasks["items"][0]["id"], task["id"], "the duplicate's task follows");

    let gone = api
        .get(app.url(&format!("/api/v1/contacts/{duplicate_id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND, "the duplicate is retired");
    let again = merge(json!({ "duplicate_id": duplicate_id })).await.unwrap();
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let itself = merge(json!({ "duplicate_id": kept_id })).await.unwrap();
    assert_eq!(itself.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let readonly = app.api_token("readonly").await;
    let refused = api
        .post(app.url(&format!("/api/v1/contacts/{kept_id}/merge")))
        .bearer_auth(&readonly)
        .json(&json!({ "duplicate_id": duplicate_id }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}
