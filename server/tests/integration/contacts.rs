//! `/api/v1/contacts` through HTTP, on SQLite and PostgreSQL.

use crate::common::{Backend, TestApp};
use domain::on_db;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    create_normalises_phone_and_email_and_records_consent,
    validation_names_every_bad_field,
    read_change_delete_and_restore,
    stage_moves_join_the_timeline,
    lists_filter_search_and_page,
    contacts_page_filters_reach_the_list,
    contacts_stay_within_the_users_locations,
    every_view_and_change_is_audited_without_patient_details,
);

async fn post(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.api().post(app.url("/api/v1/contacts")).bearer_auth(token).json(&body).send().await.unwrap()
}

async fn create_normalises_phone_and_email_and_records_consent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let response = post(
        &app,
        &token,
        json!({
            "first_name": " Maria ", "last_name": "Pemberton", "phone": "0412 345 678",
            "email": "Maria.Pemberton@Example.COM", "date_of_birth": "1984-02-29", "source": "referral",
            "referring_doctor": "Dr Helen Nguyen", "requested_modality": "mri", "sms_consent": true
        }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let contact: Value = response.json().await.unwrap();
    assert_eq!(contact["first_name"], "Maria");
    assert_eq!(contact["phone"], "+61412345678");
    assert_eq!(contact["email"], "maria.pemberton@example.com");
    assert_eq!(contact["date_of_birth"], "1984-02-29");
    assert_eq!(contact["stage_id"], "01K0STAGE00000000000000001", "new contacts start as New enquiry");
    assert_eq!(contact["sms_consent"], true);
    assert!(contact["sms_consent_changed_at"].is_string());
    assert_eq!(contact["email_consent"], false);
    assert!(contact["warmness"].is_null(), "unscored until the AI layer scores it");
    let id = contact["id"].as_str().unwrap();
    // The recalculation job enqueued with the new contact scores it.
    app.jobs_settled("recalculate_warmness").await;
    let mut fetched: Value = app
        .api()
        .get(app.url(&format!("/api/v1/contacts/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let score = fetched["warmness"].as_i64().expect("scored by now");
    assert!((0..=100).contains(&score));
    fetched["warmness"] = Value::Null;
    assert_eq!(fetched, contact, "the rest as created");
}

async fn validation_names_every_bad_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let response = post(
        &app,
        &token,
        json!({
            "first_name": "", "last_name": "X", "phone": "12", "email": "nope",
            "date_of_birth": "2999-01-01", "source": "billboard", "requested_modality": "pet"
        }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    for field in ["first_name", "phone", "email", "date_of_birth", "source", "requested_modality"] {
        assert!(body["error"]["fields"][field].is_string(), "{field} missing from {body}");
    }
    let no_way_to_reach = post(&app, &token, json!({ "first_name": "A", "last_name": "B" })).await;
    assert_eq!(no_way_to_reach.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unknown_field =
        post(&app, &token, json!({ "first_name": "A", "last_name": "B", "email": "a@b.co", "shoe": 9 }))
            .await;
    assert_eq!(unknown_field.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad_stage = post(
        &app,
        &token,
        json!({ "first_name": "A", "last_name": "B", "email": "a@b.co", "stage_id": "nope" }),
    )
    .await;
    assert_eq!(
        bad_stage.json::<Value>().await.unwrap()["error"]["fields"]["stage_id"],
        "is not a pipeline stage"
    );
}

async fn read_change_delete_and_restore(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let api = app.api();
    let created: Value = post(
        &app,
        &token,
        json!({ "first_name": "Liam", "last_name": "Chen", "phone": "0412 000 111", "notes": "Knee" }),
    )
    .await
    .json()
    .await
    .unwrap();
    let url = app.url(&format!("/api/v1/contacts/{}", created["id"].as_str().unwrap()));

    let patched: Value = api
        .patch(&url)
        .bearer_auth(&token)
        .json(&json!({ "email": "liam@example.com" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(patched["email"], "liam@example.com");
    assert_eq!(patched["notes"], "Knee", "PATCH keeps what it was not given");

    let replaced = api
        .put(&url)
        .bearer_auth(&token)
        .json(&json!({ "first_name": "Liam", "last_name": "Chen", "email": "liam@example.com" }))
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), StatusCode::OK);
    let replaced: Value = replaced.json().await.unwrap();
    assert!(replaced["notes"].is_null() && replaced["phone"].is_null(), "PUT clears what it was not given");

    assert_eq!(api.delete(&url).bearer_auth(&token).send().await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(api.get(&url).bearer_auth(&token).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let restored = api.post(format!("{url}/restore")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(restored.status(), StatusCode::OK);
    assert_eq!(api.get(&url).bearer_auth(&token).send().await.unwrap().status(), StatusCode::OK);
    let again = api.post(format!("{url}/restore")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);

    // Past the 30-day window a deleted contact stays deleted.
    api.delete(&url).bearer_auth(&token).send().await.unwrap();
    let long_ago = domain::time::Timestamp(chrono::Utc::now() - chrono::Duration::days(31));
    domain::on_db!(&app.db, pool => {
        sqlx::query("UPDATE contacts SET deleted_at = $1").bind(long_ago).execute(pool).await.unwrap();
    });
    let late = api.post(format!("{url}/restore")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(late.status(), StatusCode::CONFLICT);
    let missing = api
        .get(app.url("/api/v1/contacts/01K0N0C0NTACT0000000000000"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

async fn stage_moves_join_the_timeline(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let created: Value =
        post(&app, &token, json!({ "first_name": "Ava", "last_name": "Brown", "email": "ava@example.com" }))
            .await
            .json()
            .await
            .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let moved = app
        .api()
        .patch(app.url(&format!("/api/v1/contacts/{id}")))
        .bearer_auth(&token)
        .json(&json!({ "stage_id": "01K0STAGE00000000000000003" }))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::OK);
    let summaries: Vec<String> = domain::on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT summary FROM touchpoints WHERE contact_id = $1 AND kind = 'stage_change'")
            .bind(&id)
            .fetch_all(pool)
            .await
            .unwrap()
    });
    assert_eq!(summaries, ["Stage: New enquiry → Booked"]);
}

async fn lists_filter_search_and_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_demo().await;
    let token = app.api_token("manager").await;
    let api = app.api();
    let get = |query: String| {
        let request = api.get(app.url(&format!("/api/v1/contacts{query}"))).bearer_auth(&token);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = get(format!("?limit=70{cursor}")).await;
        seen.extend(page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 200, "three pages cover the demo clinic");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 200, "no contact twice");

    let booked = get("?stage_id=01K0STAGE00000000000000003&limit=200".into()).await;
    assert!(
        booked["items"].as_array().unwrap().iter().all(|c| c["stage_id"] == "01K0STAGE00000000000000003")
    );

    let created: Value = post(
        &app,
        &token,
        json!({ "first_name": "Zelda", "last_name": "Quartermaine", "phone": "+61 412 999 000", "email": "zelda.q.1987@example.com.au" }),
    )
    .await
    .json()
    .await
    .unwrap();
    // Names from their start, phone numbers in any format, email addresses from their start
    // (whole, half typed, or up to an "@" typed early), in any case.
    for q in [
        "zel",
        "QUARTER",
        "zelda quar",
        "0412999000",
        "+61412999000",
        "zelda.q.1987@example.com.au",
        "Zelda.Q.1987@EXAMPLE.com.au",
        "zelda.q.1987@exam",
        "zelda.q@",
        "zelda.q.1@",
    ] {
        let found =
            get(format!("?q={}", q.replace(' ', "%20").replace('+', "%2B").replace('@', "%40"))).await;
        let ids: Vec<&str> =
            found["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [created["id"].as_str().unwrap()], "q={q}");
    }
    // An address that only shares a start with hers is not hers; neither is a longer one.
    for q in ["zelda.q.1987@example.com.au.evil", "zelda.r@", "elda.q@"] {
        let found = get(format!("?q={}", q.replace('@', "%40"))).await;
        assert_eq!(found["items"], json!([]), "q={q}");
    }
    let bad = api.get(app.url("/api/v1/contacts?limit=0")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// The Contacts page's filters (its `list_contacts` server function): owner, location, source
/// and the warmness range narrow the list; a warmness that is not a number is named.
async fn contacts_page_filters_reach_the_list(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_demo().await;
    let staff = app.signed_in("manager").await;
    let list = |form: Vec<(&'static str, String)>| {
        let request = staff.post(app.url("/rpc/list_contacts")).form(&form);
        async move { request.send().await.unwrap() }
    };
    let items = |page: Value| page["items"].as_array().unwrap().clone();

    let (warm, cool): (String, String) = on_db!(&app.db, pool => {
        // The demo clinic is scored as it is seeded: two scores of the test's own, the rest none.
        sqlx::query("UPDATE contacts SET warmness = NULL").execute(pool).await.unwrap();
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM contacts ORDER BY id LIMIT 2")
            .fetch_all(pool).await.unwrap();
        for (id, score) in ids.iter().zip([80, 30]) {
            sqlx::query("UPDATE contacts SET warmness = $1 WHERE id = $2")
                .bind(score).bind(id).execute(pool).await.unwrap();
        }
        (ids[0].clone(), ids[1].clone())
    });
    let warmest = list(vec![("query[warmness_min]", "50".into())]).await;
    assert_eq!(warmest.status(), StatusCode::OK);
    let ids: Vec<String> =
        items(warmest.json().await.unwrap()).iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids, [warm.as_str()]);
    let scored = items(
        list(vec![("query[warmness_min]", "0".into()), ("query[warmness_max]", "100".into())])
            .await
            .json()
            .await
            .unwrap(),
    );
    assert_eq!(scored.len(), 2, "unscored contacts are left out of a warmness range");
    assert!(scored.iter().any(|c| c["id"] == cool.as_str()));
    let bad = list(vec![("query[warmness_min]", "warm".into())]).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("warmness min"));

    let (location_id, owner_id): (String, String) = on_db!(&app.db, pool => {
        sqlx::query_as("SELECT location_id, owner_id FROM contacts WHERE source = 'referral' \
                        AND owner_id IS NOT NULL ORDER BY id LIMIT 1")
            .fetch_one(pool).await.unwrap()
    });
    let narrowed = items(
        list(vec![
            ("query[source]", "referral".into()),
            ("query[location_id]", location_id.clone()),
            ("query[owner_id]", owner_id.clone()),
            ("query[sort]", "name".into()),
        ])
        .await
        .json()
        .await
        .unwrap(),
    );
    assert!(!narrowed.is_empty());
    for contact in &narrowed {
        assert_eq!(contact["source"], "referral");
        assert_eq!(contact["location_id"], location_id.as_str());
        assert_eq!(contact["owner_id"], owner_id.as_str());
    }
    let all = items(list(vec![]).await.json().await.unwrap());
    assert!(all.len() > narrowed.len(), "the filters narrowed the list");
}

async fn contacts_stay_within_the_users_locations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_demo().await;
    let admin = app.api_token("admin").await;
    let api = app.api();
    let (brisbane, sydney) = (app.location_id("Brisbane North").await, app.location_id("Sydney CBD").await);
    let token = app.token_limited_to(&brisbane).await;

    let listed: Value = api
        .get(app.url("/api/v1/contacts?limit=200"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = listed["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.iter().all(|c| c["location_id"] == brisbane.as_str()));

    let sydney_contact: Value = api
        .get(app.url(&format!("/api/v1/contacts?location_id={sydney}&limit=1")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let other = sydney_contact["items"][0]["id"].as_str().unwrap();
    let peek =
        api.get(app.url(&format!("/api/v1/contacts/{other}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(
        peek.status(),
        StatusCode::NOT_FOUND,
        "another location's contact does not exist for this user"
    );
    let elsewhere = post(
        &app,
        &token,
        json!({ "first_name": "A", "last_name": "B", "email": "a@b.co", "location_id": sydney }),
    )
    .await;
    assert_eq!(elsewhere.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let here = post(
        &app,
        &token,
        json!({ "first_name": "A", "last_name": "B", "email": "a@b.co", "location_id": brisbane }),
    )
    .await;
    assert_eq!(here.status(), StatusCode::CREATED);
}

async fn every_view_and_change_is_audited_without_patient_details(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let created: Value = post(
        &app,
        &token,
        json!({ "first_name": "Secret", "last_name": "Patientname", "email": "secret@example.com" }),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = created["id"].as_str().unwrap();
    let url = app.url(&format!("/api/v1/contacts/{id}"));
    app.api().get(&url).bearer_auth(&token).send().await.unwrap();
    app.api()
        .patch(&url)
        .bearer_auth(&token)
        .json(&json!({ "notes": "claustrophobic" }))
        .send()
        .await
        .unwrap();
    let manager = app.api_token("manager").await;
    let log: Value = app
        .api()
        .get(app.url(&format!("/api/v1/audit-events?subject_type=contact&subject_id={id}")))
        .bearer_auth(&manager)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> =
        log["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["contact.update", "contact.view", "contact.create"]);
    let text = log.to_string();
    for secret in ["Secret", "Patientname", "secret@example.com", "claustrophobic"] {
        assert!(!text.contains(secret), "audit log leaks {secret}");
    }
}

on_both_backends!(concurrent_views_are_each_audited_once);

/// Views recorded together share one INSERT; none may be lost or doubled.
async fn concurrent_views_are_each_audited_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let created: Value = app
        .api()
        .post(app.url("/api/v1/contacts"))
        .bearer_auth(&token)
        .json(&json!({ "first_name": "Often", "last_name": "Viewed", "phone": "0412 777 000" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let url = app.url(&format!("/api/v1/contacts/{id}"));
    let views: Vec<_> = (0..40)
        .map(|_| {
            let request = app.api().get(&url).bearer_auth(&token);
            tokio::spawn(async move { request.send().await.unwrap().status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for view in views {
        statuses.push(view.await.unwrap());
    }
    assert!(statuses.iter().all(|s| *s == StatusCode::OK), "{statuses:?}");
    let manager = app.api_token("manager").await;
    let log: Value = app
        .api()
        .get(app.url(&format!("/api/v1/audit-events?subject_type=contact&subject_id={id}&limit=200")))
        .bearer_auth(&manager)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = log["items"].as_array().unwrap();
    let views = entries.iter().filter(|e| e["action"] == "contact.view").count();
    assert_eq!(views, 40, "one entry per view");
    let mut ids: Vec<&str> = entries.iter().map(|e| e["id"].as_str().unwrap()).collect();
    ids.dedup();
    assert_eq!(ids.len(), entries.len());
}

on_both_backends!(contact_pages_render_escape_and_404);

async fn contact_pages_render_escape_and_404(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let created: Value = post(
        &app,
        &token,
        json!({ "first_name": "<b>Bold</b>", "last_name": "O'Hara", "phone": "0412 555 000", "email": "b.ohara@example.com" }),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = created["id"].as_str().unwrap();
    let client = app.signed_in("readonly").await;
    let list = client.get(app.url("/contacts?q=o%27hara")).send().await.unwrap();
    assert_eq!(list.status(), StatusCode::OK);
    let html = list.text().await.unwrap();
    assert!(html.contains(&format!("/contacts/{id}")), "the search finds the contact");
    assert!(html.contains("&lt;b&gt;Bold&lt;/b&gt;") && !html.contains("<b>Bold</b>"), "names are escaped");

    let page = client.get(app.url(&format!("/contacts/{id}"))).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Timeline"));
    // The number as Australians write it, calling the stored E.164 number.
    assert!(html.contains(r#"href="tel:+61412555000""#) && html.contains(">0412 555 000</a>"), "phone link");
    assert!(html.contains(r#"href="mailto:b.ohara@example.com""#), "email link");
    let missing = client.get(app.url("/contacts/01K0N0C0NTACT0000000000000")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.text().await.unwrap().contains("That contact no longer exists."));
}
