//! Duplicate detection on create and the merge that keeps both histories, on both backends.

use crate::common::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    same_phone_or_email_is_refused_unless_allowed,
    similar_names_are_listed,
    merging_keeps_both_histories,
    a_merge_is_previewed_and_can_be_undone
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

async fn a_merge_is_previewed_and_can_be_undone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let api = app.api();
    let kept = json_of(
        post(
            &app,
            &token,
            "",
            json!({ "first_name": "Ruth", "last_name": "Okoro", "phone": "0412 000 002", "tags": ["vip"],
                                        "notes": "Prefers mornings" }),
        )
        .await,
    )
    .await;
    let retired = json_of(
        post(&app, &token, "?allow_duplicate=true",
            json!({ "first_name": "Ruth", "last_name": "Okoro", "phone": "0412 000 002", "email": "ruth@example.com",
                    "referring_doctor": "Dr Chen", "tags": ["claustrophobic"], "notes": "Needs a wheelchair",
                    "custom_fields": { "interpreter": "Igbo" } }))
        .await,
    )
    .await;
    let (kept_id, retired_id) =
        (kept["id"].as_str().unwrap().to_owned(), retired["id"].as_str().unwrap().to_owned());
    let note = api
        .post(app.url(&format!("/api/v1/contacts/{retired_id}/touchpoints")))
        .bearer_auth(&token)
        .json(&json!({ "kind": "call", "summary": "Asked about parking" }))
        .send()
        .await
        .unwrap();
    assert_eq!(note.status(), StatusCode::CREATED);
    let get = |path: String| {
        let request = api.get(app.url(&path)).bearer_auth(&token);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };

    // The preview says, field by field, what stays and what is taken.
    let (status, preview) =
        get(format!("/api/v1/contacts/{kept_id}/merge-preview?duplicate_id={retired_id}")).await;
    assert_eq!(status, StatusCode::OK);
    let field =
        |label: &str| preview.as_array().unwrap().iter().find(|f| f["label"] == label).unwrap().clone();
    assert_eq!(field("Phone")["source"], "same");
    assert_eq!(field("Email")["result"], "ruth@example.com");
    assert_eq!(field("Email")["source"], "retired");
    assert_eq!(field("Referring doctor")["source"], "retired");
    assert_eq!(field("Tags")["result"], "vip, claustrophobic");
    assert_eq!(field("Tags")["source"], "combined");
    assert_eq!(field("Enquiry notes")["result"], "Prefers mornings\n\nNeeds a wheelchair");

    let merged = api
        .post(app.url(&format!("/api/v1/contacts/{kept_id}/merge")))
        .bearer_auth(&token)
        .json(&json!({ "duplicate_id": retired_id }))
        .send()
        .await
        .unwrap();
    assert_eq!(merged.status(), StatusCode::OK);
    let merged = merged.json::<Value>().await.unwrap();
    // The merge did what the preview said.
    assert_eq!(merged["email"], field("Email")["result"]);
    assert_eq!(merged["notes"], field("Enquiry notes")["result"]);

    // Restoring the retired record alone is refused: its history lives on the kept one.
    let restore = api
        .post(app.url(&format!("/api/v1/contacts/{retired_id}/restore")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(restore.status(), StatusCode::CONFLICT);

    // Staff change the kept record after the merge; the undo must not lose that.
    let changed = api
        .patch(app.url(&format!("/api/v1/contacts/{kept_id}")))
        .bearer_auth(&token)
        .json(&json!({ "referring_doctor": "Dr Patel" }))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);

    let (status, merges) = get(format!("/api/v1/contacts/{kept_id}/merges")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(merges.as_array().unwrap().len(), 1);
    assert_eq!(merges[0]["retired_id"], retired_id.as_str());
    assert_eq!(merges[0]["retired_name"], "Ruth Okoro");
    let merge_id = merges[0]["id"].as_str().unwrap().to_owned();
    let undo = |token: String| {
        let request = api.post(app.url(&format!("/api/v1/merges/{merge_id}/undo"))).bearer_auth(token);
        async move { request.send().await.unwrap() }
    };
    assert_eq!(undo(app.api_token("readonly").await).await.status(), StatusCode::FORBIDDEN);
    let restored = undo(token.clone()).await;
    assert_eq!(restored.status(), StatusCode::OK);
    let restored = restored.json::<Value>().await.unwrap();
    assert_eq!(restored["id"], retired_id.as_str());
    assert_eq!(restored["email"], "ruth@example.com");
    assert_eq!(restored["tags"], json!(["claustrophobic"]));

    // Each record has its own history again; the kept one keeps what staff changed since.
    let (_, kept_now) = get(format!("/api/v1/contacts/{kept_id}")).await;
    assert!(kept_now["email"].is_null(), "the email taken from the retired record goes back");
    assert_eq!(kept_now["referring_doctor"], "Dr Patel", "a value changed after the merge stays");
    assert_eq!(kept_now["notes"], "Prefers mornings");
    assert_eq!(kept_now["tags"], json!(["vip"]));
    assert_eq!(kept_now["custom_fields"], json!({}));
    let summaries = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|t| t["summary"].as_str().unwrap().to_owned()).collect()
    };
    let (_, retired_timeline) = get(format!("/api/v1/contacts/{retired_id}/touchpoints")).await;
    assert_eq!(summaries(&retired_timeline), ["Asked about parking"]);
    let (_, kept_timeline) = get(format!("/api/v1/contacts/{kept_id}/touchpoints")).await;
    assert_eq!(summaries(&kept_timeline)[0], "Merge undone: Ruth Okoro is a separate record again");
    assert!(!summaries(&kept_timeline).contains(&"Asked about parking".to_owned()));

    // Once is enough: a second undo is a conflict, and nothing is left to undo.
    let again = undo(token.clone()).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let (_, merges) = get(format!("/api/v1/contacts/{kept_id}/merges")).await;
    assert_eq!(merges, json!([]));
    let unknown = undo_unknown(&app, &token).await;
    assert_eq!(unknown, StatusCode::NOT_FOUND);

    // The audit log has the merge and its undo.
    let actions: Vec<String> = domain::on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT action FROM audit_events WHERE action LIKE 'contact.merge%' ORDER BY occurred_at")
            .fetch_all(pool).await.unwrap()
    });
    assert_eq!(actions, ["contact.merge", "contact.merge_undo"]);
}

async fn undo_unknown(app: &TestApp, token: &str) -> StatusCode {
    app.api()
        .post(app.url("/api/v1/merges/01K0NOSUCHMERGE00000000000/undo"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}
