//! The pipeline board and stage moves through HTTP, on SQLite and PostgreSQL.

use crate::common::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    moving_a_card_persists_counts_and_joins_the_timeline,
    board_page_renders_every_stage,
    stages_are_configured_in_settings,
    the_board_filters_by_location_owner_and_scan,
);

const NEW_ENQUIRY: &str = "01K0STAGE00000000000000001";
const BOOKED: &str = "01K0STAGE00000000000000003";

fn column<'a>(board: &'a Value, stage_id: &str) -> &'a Value {
    board["columns"].as_array().unwrap().iter().find(|c| c["stage"]["id"] == stage_id).unwrap()
}

async fn moving_a_card_persists_counts_and_joins_the_timeline(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_demo().await;
    let token = app.api_token("reception").await;
    let api = app.api();
    let board = |token: String| {
        let request = api.get(app.url("/api/v1/pipeline")).bearer_auth(token);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let before = board(token.clone()).await;
    let names: Vec<&str> =
        before["columns"].as_array().unwrap().iter().map(|c| c["stage"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["New enquiry", "Contacted", "Booked", "Attended", "Follow-up", "Lost"]);
    let total: i64 = before["columns"].as_array().unwrap().iter().map(|c| c["count"].as_i64().unwrap()).sum();
    assert_eq!(total, 200, "every demo contact is on the board once");
    let card = column(&before, NEW_ENQUIRY)["cards"][0].clone();
    assert!(
        card["name"].is_string() && card.get("warmness").is_some() && card.get("last_touch_at").is_some()
    );
    let id = card["id"].as_str().unwrap();

    let moved = api
        .post(app.url(&format!("/api/v1/contacts/{id}/stage")))
        .bearer_auth(&token)
        .json(&json!({ "stage_id": BOOKED }))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::OK);
    assert_eq!(moved.json::<Value>().await.unwrap()["stage_id"], BOOKED);

    let after = board(token.clone()).await;
    let count = |b: &Value, s: &str| column(b, s)["count"].as_i64().unwrap();
    assert_eq!(count(&after, NEW_ENQUIRY), count(&before, NEW_ENQUIRY) - 1);
    assert_eq!(count(&after, BOOKED), count(&before, BOOKED) + 1);
    assert_eq!(column(&after, BOOKED)["cards"][0]["id"], id, "the moved card leads its new column");

    let timeline: Value = api
        .get(app.url(&format!("/api/v1/contacts/{id}/touchpoints")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(timeline["items"][0]["kind"], "stage_change");
    assert_eq!(timeline["items"][0]["summary"], "Stage: New enquiry → Booked");

    let unknown_stage = api
        .post(app.url(&format!("/api/v1/contacts/{id}/stage")))
        .bearer_auth(&token)
        .json(&json!({ "stage_id": "01K0N0STAGE000000000000000" }))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_stage.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown_stage.json::<Value>().await.unwrap()["error"]["fields"]["stage_id"].is_string());
    let unknown_contact = api
        .post(app.url("/api/v1/contacts/01K0N0C0NTACT0000000000000/stage"))
        .bearer_auth(&token)
        .json(&json!({ "stage_id": BOOKED }))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_contact.status(), StatusCode::NOT_FOUND);
    let malformed = api
        .post(app.url(&format!("/api/v1/contacts/{id}/stage")))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"stage_id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
}

async fn board_page_renders_every_stage(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_demo().await;
    let client = app.signed_in("reception").await;
    let response = client.get(app.url("/pipeline")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    for stage in ["New enquiry", "Contacted", "Booked", "Attended", "Follow-up", "Lost"] {
        assert!(html.contains(stage), "{stage} column");
    }
    assert_eq!(html.matches("data-card-id=").count(), 200, "every demo contact has a card");
}

async fn stages_are_configured_in_settings(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.api_token("admin").await;
    let api = app.api();
    let names = |board: &Value| -> Vec<String> {
        board["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["stage"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let board = || async {
        api.get(app.url("/api/v1/pipeline"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };

    let created = api
        .post(app.url("/api/v1/pipeline/stages"))
        .bearer_auth(&admin)
        .json(&json!({ "name": "Awaiting referral", "position": 2 }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let stage: Value = created.json().await.unwrap();
    let id = stage["id"].as_str().unwrap();
    assert_eq!(
        names(&board().await),
        ["New enquiry", "Awaiting referral", "Contacted", "Booked", "Attended", "Follow-up", "Lost"]
    );

    // Renamed and moved first: new contacts now start there.
    let patched = api
        .patch(app.url(&format!("/api/v1/pipeline/stages/{id}")))
        .bearer_auth(&admin)
        .json(&json!({ "name": "Referral needed", "position": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    assert_eq!(names(&board().await)[..2], ["Referral needed", "New enquiry"]);
    let contact: Value = api
        .post(app.url("/api/v1/contacts"))
        .bearer_auth(&admin)
        .json(&json!({ "first_name": "Stage", "last_name": "Test", "phone": "0412 777 000" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(contact["stage_id"], id);

    let occupied = api
        .delete(app.url(&format!("/api/v1/pipeline/stages/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(occupied.status(), StatusCode::CONFLICT);
    assert!(
        occupied.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("1 contacts")
    );
    api.post(app.url(&format!("/api/v1/contacts/{}/stage", contact["id"].as_str().unwrap())))
        .bearer_auth(&admin)
        .json(&json!({ "stage_id": NEW_ENQUIRY }))
        .send()
        .await
        .unwrap();
    let removed = api
        .delete(app.url(&format!("/api/v1/pipeline/stages/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        names(&board().await),
        ["New enquiry", "Contacted", "Booked", "Attended", "Follow-up", "Lost"]
    );
    // Each change of the stage is in the audit log, newest first.
    let log: Value = api
        .get(app.url(&format!("/api/v1/audit-events?subject_type=stage&subject_id={id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> =
        log["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["stage.delete", "stage.update", "stage.create"]);
    assert!(log["items"][0]["request_id"].as_str().is_some_and(|r| r.len() == 26), "the request is named");

    let blank = api
        .post(app.url("/api/v1/pipeline/stages"))
        .bearer_auth(&admin)
        .json(&json!({ "name": " " }))
        .send()
        .await
        .unwrap();
    assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = api
        .delete(app.url("/api/v1/pipeline/stages/01K0N0STAGE000000000000000"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let reception = app.api_token("reception").await;
    let refused = api
        .delete(app.url("/api/v1/pipeline/stages/01K0STAGE00000000000000005"))
        .bearer_auth(&reception)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

async fn the_board_filters_by_location_owner_and_scan(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_demo().await;
    let token = app.api_token("reception").await;
    let api = app.api();
    let get = |query: String| {
        let request = api.get(app.url(&format!("/api/v1/pipeline{query}"))).bearer_auth(&token);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.json::<Value>().await.unwrap())
        }
    };
    let total = |board: &Value| -> i64 {
        board["columns"].as_array().unwrap().iter().map(|c| c["count"].as_i64().unwrap()).sum()
    };
    let card_ids = |board: &Value| -> Vec<String> {
        board["columns"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| {
                c["cards"].as_array().unwrap().iter().map(|card| card["id"].as_str().unwrap().to_owned())
            })
            .collect()
    };
    let contact = |id: String| {
        let request = api.get(app.url(&format!("/api/v1/contacts/{id}"))).bearer_auth(&token);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let (_, everyone) = get(String::new()).await;
    assert_eq!(total(&everyone), 200);

    let brisbane = app.location_id("Brisbane North").await;
    let (status, at_brisbane) = get(format!("?location_id={brisbane}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(total(&at_brisbane) > 0 && total(&at_brisbane) < 200, "{}", total(&at_brisbane));
    for id in card_ids(&at_brisbane).into_iter().take(10) {
        assert_eq!(contact(id).await["location_id"], brisbane.as_str());
    }

    let (_, mri) = get(format!("?location_id={brisbane}&modality=mri")).await;
    assert!(total(&mri) > 0 && total(&mri) < total(&at_brisbane));
    for column in mri["columns"].as_array().unwrap() {
        for card in column["cards"].as_array().unwrap() {
            assert_eq!(card["requested_modality"], "mri");
        }
    }

    // Owned by one person: exactly the contacts whose owner they are.
    let owned = card_ids(&everyone)[0].clone();
    let owner = contact(owned.clone()).await["owner_id"].as_str().map(str::to_owned);
    if let Some(owner) = owner {
        let (_, theirs) = get(format!("?owner_id={owner}")).await;
        assert!(card_ids(&theirs).contains(&owned));
        for id in card_ids(&theirs).into_iter().take(10) {
            assert_eq!(contact(id).await["owner_id"], owner.as_str());
        }
    }
    let (_, nobody) = get("?owner_id=01K0NNNNNN0000000000000000".into()).await;
    assert_eq!(total(&nobody), 0);

    let (status, refused) = get("?modality=dentistry".into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused["error"]["fields"]["modality"].is_string(), "{refused}");
    let (status, refused) = get("?owner_id=K%C3%A8%00%C2%82".into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a NUL in an id is refused, not a 500");
    assert!(refused["error"]["fields"]["owner_id"].is_string(), "{refused}");
    // The same for the other lists' text filters (PostgreSQL answered these with a 500).
    for path in ["/api/v1/contacts?tag=a%00b", "/api/v1/tasks?contact_id=%00", "/api/v1/contacts.csv?q=%00"] {
        let response = api.get(app.url(path)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
    }
    let (status, _) = get("?colour=blue".into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "unknown filters are refused");
}
