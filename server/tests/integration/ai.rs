//! The AI layer over `/api/v1`: replies read for their intent, a contact's warmness worked out
//! from its record and timeline and stored on recalculation, on SQLite and PostgreSQL.

use crate::common::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(replies_are_read_for_their_intent, warmness_follows_the_record_and_timeline_and_is_stored);

async fn replies_are_read_for_their_intent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let api = app.api();
    let url = app.url("/api/v1/ai/sms-intent");
    let read = |body: Value| {
        let request = api.post(&url).bearer_auth(&token).json(&body);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.json::<Value>().await.unwrap())
        }
    };
    for (text, intent) in [
        ("Yes see you then", "confirm"),
        ("Yes but can we move it to Thursday", "reschedule"),
        ("Stop. Thank you", "opt_out"),
        ("Please cancel my appointment", "cancel"),
        ("Do I need to fast?", "question"),
        ("Thanks", "other"),
    ] {
        let (status, answer) = read(json!({ "text": text })).await;
        assert_eq!(status, StatusCode::OK, "{text}: {answer}");
        assert_eq!(answer["intent"], intent, "{text}");
        assert!(answer["confidence"].as_f64().unwrap() > 0.0);
    }
    // What the clinic asked decides what a bare "no" means, and how sure that is.
    let (_, asked) = read(json!({ "text": "no", "context": "attendance_question" })).await;
    assert_eq!(asked["intent"], "cancel");
    assert!(asked["confidence"].as_f64().unwrap() >= 0.75);
    let (_, unprompted) = read(json!({ "text": "no", "context": "unprompted" })).await;
    assert!(unprompted["confidence"].as_f64().unwrap() < 0.75, "{unprompted}");

    let (status, blank) = read(json!({ "text": "  " })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(blank["error"]["fields"]["text"], "is required");
    let (status, long) = read(json!({ "text": "x".repeat(1601) })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{long}");
    assert!(long["error"]["fields"]["text"].is_string());
    let (status, _) = read(json!({ "text": "yes", "context": "whenever" })).await;
    assert!(status.is_client_error() && status != StatusCode::NOT_FOUND, "{status}");
    let anonymous = api.post(&url).json(&json!({ "text": "yes" })).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

async fn warmness_follows_the_record_and_timeline_and_is_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let api = app.api();
    let created: Value = api
        .post(app.url("/api/v1/contacts"))
        .bearer_auth(&token)
        .json(&json!({ "first_name": "Ada", "last_name": "Ngata", "phone": "0412 555 019", "date_of_birth": "1980-03-14", "requested_modality": "mri" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let warmness_url = app.url(&format!("/api/v1/contacts/{id}/warmness"));
    let get = || async {
        let response = api.get(&warmness_url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json::<Value>().await.unwrap()
    };
    let reasons = |w: &Value| -> Vec<(i64, String)> {
        w["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["points"].as_i64().unwrap(), r["text"].as_str().unwrap().to_owned()))
            .collect()
    };

    let first = get().await;
    assert!(first["calculated_at"].is_null(), "never stored yet");
    let sum: i64 = reasons(&first).iter().map(|(p, _)| p).sum();
    assert_eq!(first["score"].as_i64().unwrap(), sum.clamp(0, 100), "the score is its reasons: {first}");
    assert!(reasons(&first).contains(&(12, "asked about MRI".to_owned())), "{first}");
    assert!(reasons(&first).iter().any(|(p, t)| *p < 0 && t == "never contacted"), "{first}");

    // A referral on file and a call today warm the contact up, reason by reason.
    let patched = api
        .patch(app.url(&format!("/api/v1/contacts/{id}")))
        .bearer_auth(&token)
        .json(&json!({ "referring_doctor": "Dr Priya Raman" }))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    let logged = api
        .post(app.url(&format!("/api/v1/contacts/{id}/touchpoints")))
        .bearer_auth(&token)
        .json(&json!({ "kind": "call", "summary": "Called about the MRI referral" }))
        .send()
        .await
        .unwrap();
    assert_eq!(logged.status(), StatusCode::CREATED);
    let warmer = get().await;
    assert!(reasons(&warmer).contains(&(18, "referral on file".to_owned())), "{warmer}");
    assert!(reasons(&warmer).iter().any(|(p, t)| *p > 0 && t == "in touch in the last 3 days"), "{warmer}");
    assert!(warmer["score"].as_i64().unwrap() > first["score"].as_i64().unwrap());

    // Nothing is stored until a recalculation, which the contact then carries.
    let contact_url = app.url(&format!("/api/v1/contacts/{id}"));
    let before: Value = api.get(&contact_url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert!(before["warmness"].is_null());
    let recalculated = api
        .post(app.url(&format!("/api/v1/contacts/{id}/recalculate-warmness")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(recalculated.status(), StatusCode::OK);
    let stored: Value = recalculated.json().await.unwrap();
    assert!(stored["calculated_at"].is_string());
    let after: Value = api.get(&contact_url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(after["warmness"], stored["score"]);
    assert_eq!(get().await["calculated_at"], stored["calculated_at"]);
    let audited: i64 = domain::on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'contact.warmness.recalculate' AND subject_id = $1")
            .bind(&id)
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert_eq!(audited, 1);

    // Read-only staff may look but not store; another location's desk cannot see it at all.
    let readonly = app.api_token("readonly").await;
    assert_eq!(api.get(&warmness_url).bearer_auth(&readonly).send().await.unwrap().status(), StatusCode::OK);
    let refused = api
        .post(app.url(&format!("/api/v1/contacts/{id}/recalculate-warmness")))
        .bearer_auth(&readonly)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let elsewhere = ulid::Ulid::new().to_string();
    domain::on_db!(&app.db, pool => {
        sqlx::query("INSERT INTO locations (id, name, time_zone, created_at) VALUES ($1, 'Elsewhere', 'Australia/Perth', $2)")
            .bind(&elsewhere)
            .bind(domain::time::Timestamp::now())
            .execute(pool)
            .await
            .unwrap();
    });
    let limited = app.token_limited_to(&elsewhere).await;
    assert_eq!(
        api.get(&warmness_url).bearer_auth(&limited).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let missing = api
        .get(app.url("/api/v1/contacts/01JNOSUCHCONTACT0000000000/warmness"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
