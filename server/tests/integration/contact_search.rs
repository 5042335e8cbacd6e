//! Finding contacts: typo-tolerant names, sorting, tag and warmness filters, tags and custom
//! fields, on SQLite and PostgreSQL.

use crate::common::{Backend, TestApp};
use domain::Pool;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(typo_matches_rank_best_first_and_page_without_gaps);

/// A one-typo surname finds the exact spelling first, then names it only begins, each group in
/// name order; pages of three add up to the single big page.
async fn typo_matches_rank_best_first_and_page_without_gaps(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let people = [
        ("Zoe", "Harris"),
        ("Amy", "Harris"),
        ("Ben", "Harrison"),
        ("Amy", "Harrison"),
        ("Harris", "Young"),
        ("Cara", "Smith-Harris"),
        ("Dan", "Morris"),
        ("Amy", "Harris"),
    ];
    for (n, (first, last)) in people.iter().enumerate() {
        let phone = format!("0412 300 {n:03}");
        create(&app, &token, json!({ "first_name": first, "last_name": last, "phone": phone })).await;
    }
    let expected = [
        "Amy Harris",
        "Amy Harris",
        "Zoe Harris",
        "Cara Smith-Harris",
        "Harris Young",
        "Amy Harrison",
        "Ben Harrison",
    ];
    let (_, all) = list(&app, &token, "q=hareis&limit=200").await;
    assert_eq!(names(&all), expected, "exact spelling first, then by last and first name");
    let mut paged = Vec::new();
    let mut ids = Vec::new();
    let mut cursor = String::new();
    for _ in 0..5 {
        let (status, page) = list(&app, &token, &format!("q=hareis&limit=3{cursor}")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        paged.extend(names(&page));
        ids.extend(page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(paged, expected);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), expected.len(), "no contact on two pages");
    // Every word must match: the first name narrows the same surname search.
    let (_, page) = list(&app, &token, "q=amy%20hareis").await;
    assert_eq!(names(&page), ["Amy Harris", "Amy Harris", "Amy Harrison"]);
    let (_, page) = list(&app, &token, "q=amy%20harrisen").await;
    assert_eq!(names(&page), ["Amy Harrison"], "one typo in eight letters, and no shorter name");
}

on_both_backends!(
    names_are_found_despite_typos_through_the_trigram_index,
    every_sort_pages_through_every_contact_once_in_order,
    tags_custom_fields_and_filters,
    logging_a_touchpoint_updates_last_touch,
);

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let response =
        app.api().post(app.url("/api/v1/contacts")).bearer_auth(token).json(&body).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "{body}");
    response.json().await.unwrap()
}

async fn list(app: &TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    get(app, token, &format!("/api/v1/contacts?{query}")).await
}

/// `GET path` with `token`: the status and the JSON answer.
async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let response = app.api().get(app.url(path)).bearer_auth(token).send().await.unwrap();
    (response.status(), response.json().await.unwrap())
}

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{} {}", c["first_name"].as_str().unwrap(), c["last_name"].as_str().unwrap()))
        .collect()
}

async fn names_are_found_despite_typos_through_the_trigram_index(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    for (first, last, phone) in [
        ("Jane", "Pemberton", "0412 000 001"),
        ("Jane", "Pembrook", "0412 000 002"),
        ("Maria", "Patterson", "0412 000 003"),
        ("Katherine", "Lee", "0412 000 004"),
        ("Li", "Wu", "0412 000 005"),
    ] {
        create(&app, &token, json!({ "first_name": first, "last_name": last, "phone": phone })).await;
    }
    let cases: [(&str, &[&str]); 8] = [
        ("Pemberten", &["Jane Pemberton"]),
        ("pembreton", &["Jane Pemberton"]),
        // An exact prefix outranks a near one ("pembr" is "pember" less a letter).
        ("Pember", &["Jane Pemberton", "Jane Pembrook"]),
        ("jane pem", &["Jane Pemberton", "Jane Pembrook"]),
        ("Kathrine", &["Katherine Lee"]),
        ("wu", &["Li Wu"]),
        ("Patersen", &[]),
        ("Smith", &[]),
    ];
    for (q, expected) in cases {
        let (status, page) = list(&app, &token, &format!("q={}", q.replace(' ', "%20"))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(names(&page), expected, "q={q}");
    }
    // The best match comes first even when a worse one was created later.
    create(
        &app,
        &token,
        json!({ "first_name": "Pemberton", "last_name": "Pembertin", "phone": "0412 000 006" }),
    )
    .await;
    let (_, page) = list(&app, &token, "q=pemberton").await;
    assert_eq!(names(&page)[0], "Pemberton Pembertin", "an exact first name beats the typo");
    let (_, page) = list(&app, &token, "q=pembertin").await;
    assert_eq!(names(&page), ["Pemberton Pembertin", "Jane Pemberton"]);

    // The probe the search sends is answered by the trigram index, not a table scan.
    let plan = match app.db.pool() {
        Pool::Sqlite(pool) => {
            let mut plan = String::new();
            for sql in [
                "EXPLAIN QUERY PLAN SELECT word FROM name_words WHERE rowid IN \
                 (SELECT rowid FROM name_words_trigram WHERE name_words_trigram MATCH '\"pem\" OR \"ber\"')",
                "EXPLAIN QUERY PLAN SELECT id FROM contacts WHERE +deleted_at IS NULL \
                 AND (lower(first_name) IN ('jane') OR lower(last_name) IN ('jane'))",
            ] {
                let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(sql).fetch_all(pool).await.unwrap();
                plan.extend(rows.into_iter().map(|r| r.3 + "\n"));
            }
            plan
        }
        Pool::Postgres(pool) => {
            let mut conn = pool.acquire().await.unwrap();
            // A five-row table is cheaper to scan; forbid that to see whether the index serves.
            sqlx::query("SET enable_seqscan = off").execute(&mut *conn).await.unwrap();
            let rows: Vec<(String,)> = sqlx::query_as(
                "EXPLAIN SELECT id FROM contacts WHERE lower(first_name || ' ' || last_name) LIKE '%pem%' \
                 OR lower(first_name || ' ' || last_name) LIKE '%ber%'",
            )
            .fetch_all(&mut *conn)
            .await
            .unwrap();
            sqlx::query("RESET enable_seqscan").execute(&mut *conn).await.unwrap();
            rows.into_iter().map(|r| r.0).collect::<Vec<_>>().join("\n")
        }
    };
    let expected = match backend {
        Backend::Sqlite => "VIRTUAL TABLE INDEX",
        Backend::Postgres => "contacts_name_trigram",
    };
    assert!(plan.contains(expected), "plan:\n{plan}");
    if backend == Backend::Sqlite {
        assert!(
            plan.contains("contacts_first_name_lower") && plan.contains("contacts_last_name_lower"),
            "plan:\n{plan}"
        );
    }
}

/// Pages through the whole demo clinic with `sort`, checking order and completeness.
async fn every_sort_pages_through_every_contact_once_in_order(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_demo().await;
    // Score some contacts so the warmness order has ties and gaps.
    let scored = "UPDATE contacts SET warmness = (CAST(substr(id, 26, 1) AS INTEGER) * 11) % 101 \
                  WHERE substr(id, 26, 1) BETWEEN '0' AND '9'";
    domain::on_db!(&app.db, pool => { sqlx::query(scored).execute(pool).await.unwrap(); });
    let token = app.api_token("manager").await;
    for sort in ["newest", "oldest", "name", "updated", "warmness"] {
        let mut seen: Vec<Value> = Vec::new();
        let mut cursor = String::new();
        for _ in 0..20 {
            let (status, page) = list(&app, &token, &format!("sort={sort}&limit=37{cursor}")).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            seen.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(next) => cursor = format!("&cursor={next}"),
                None => break,
            }
        }
        let mut ids: Vec<&str> = seen.iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 200, "sort={sort}: every contact");
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 200, "sort={sort}: no contact twice");
        let in_order = seen.windows(2).all(|pair| {
            let (a, b) = (&pair[0], &pair[1]);
            let text = |c: &Value, f: &str| c[f].as_str().unwrap_or("").to_lowercase();
            match sort {
                "newest" => text(a, "id") > text(b, "id"),
                "oldest" => text(a, "id") < text(b, "id"),
                "name" => {
                    (text(a, "last_name"), text(a, "first_name"), text(a, "id"))
                        < (text(b, "last_name"), text(b, "first_name"), text(b, "id"))
                }
                "updated" => {
                    let t = |c: &Value| {
                        c["updated_at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap()
                    };
                    (t(a), text(a, "id")) > (t(b), text(b, "id"))
                }
                _ => {
                    let w = |c: &Value| c["warmness"].as_i64().unwrap_or(-1);
                    (w(a), text(a, "id")) > (w(b), text(b, "id"))
                }
            }
        });
        assert!(in_order, "sort={sort} is out of order");
    }
    let (status, body) = list(&app, &token, "sort=shoe-size").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["sort"].is_string());
    for cursor in ["not-a-cursor", "%40not-a-number"] {
        let (status, body) = list(&app, &token, &format!("q=smith&sort=name&cursor={cursor}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{cursor}");
        assert!(body["error"]["fields"]["cursor"].is_string());
    }
    // A forged offset far past the last match is refused, not overflowed.
    let (status, body) = list(&app, &token, "q=smith&cursor=%4018446744073709551615").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = list(&app, &token, "sort=name&cursor=7a7a").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "hex that is not JSON");

    // A name search sorted by name, paged: the same contacts as unpaged, in name order.
    let (_, all) = list(&app, &token, "q=a&sort=name&limit=200").await;
    let (_, first) = list(&app, &token, "q=a&sort=name&limit=5").await;
    let next = first["next_cursor"].as_str().expect("more than five names start with a");
    let (_, second) = list(&app, &token, &format!("q=a&sort=name&limit=5&cursor={next}")).await;
    let paged: Vec<String> = names(&first).into_iter().chain(names(&second)).collect();
    assert_eq!(paged, names(&all)[..10]);
}

async fn tags_custom_fields_and_filters(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    // Field names are the stored form (the contact form and CSV import turn "Medicare Number"
    // into it); anything else is refused, naming the field.
    let refused = app
        .api()
        .post(app.url("/api/v1/contacts"))
        .bearer_auth(&token)
        .json(&json!({ "first_name": "Ada", "last_name": "Quill", "phone": "0412 111 222",
                       "custom_fields": { "Medicare Number": "2123 45670 1" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.json::<Value>().await.unwrap()["error"]["fields"]["custom_fields"].is_string());
    let contact = create(
        &app,
        &token,
        json!({
            "first_name": "Ada", "last_name": "Quill", "phone": "0412 111 222",
            "tags": ["VIP", " gp referral ", "vip"],
            "custom_fields": { "medicare_number": "2123 45670 1", "preferred_day": "Tuesday" }
        }),
    )
    .await;
    assert_eq!(contact["tags"], json!(["gp referral", "vip"]));
    assert_eq!(
        contact["custom_fields"],
        json!({ "medicare_number": "2123 45670 1", "preferred_day": "Tuesday" })
    );
    let other =
        create(&app, &token, json!({ "first_name": "Bo", "last_name": "Quill", "email": "bo@example.com" }))
            .await;

    // PATCH merges custom fields (an empty value removes one) and leaves tags alone.
    let url = app.url(&format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap()));
    let patched: Value = app
        .api()
        .patch(&url)
        .bearer_auth(&token)
        .json(&json!({ "custom_fields": { "preferred_day": "", "interpreter": "Greek" } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        patched["custom_fields"],
        json!({ "interpreter": "Greek", "medicare_number": "2123 45670 1" })
    );
    assert_eq!(patched["tags"], json!(["gp referral", "vip"]));

    let (_, tagged) = list(&app, &token, "tag=VIP").await;
    assert_eq!(names(&tagged), ["Ada Quill"]);
    let (_, untagged) = list(&app, &token, "tag=nobody").await;
    assert_eq!(names(&untagged), Vec::<String>::new());

    // Warmness is the AI layer's to set (a job after each change); once those have run, scores
    // set here are what the range filters see.
    app.jobs_settled("recalculate_warmness").await;
    domain::on_db!(&app.db, pool => {
        sqlx::query("UPDATE contacts SET warmness = CASE WHEN id = $1 THEN 80 ELSE 30 END").bind(other["id"].as_str().unwrap()).execute(pool).await.unwrap();
    });
    let (_, warm) = list(&app, &token, "warmness_min=70&warmness_max=90").await;
    assert_eq!(names(&warm), ["Bo Quill"]);
    let (_, cold) = list(&app, &token, "warmness_max=50").await;
    assert_eq!(names(&cold), ["Ada Quill"]);

    for (query, field) in [
        ("warmness_min=101", "warmness_min"),
        ("warmness_min=60&warmness_max=40", "warmness_max"),
        ("limit=500", "limit"),
    ] {
        let (status, body) = list(&app, &token, query).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(body["error"]["fields"][field].is_string(), "{query}: {body}");
    }
    let too_many: Vec<String> = (0..21).map(|n| format!("tag {n}")).collect();
    let response = app
        .api()
        .patch(&url)
        .bearer_auth(&token)
        .json(&json!({ "tags": too_many, "custom_fields": { "bad key!": "x" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["fields"]["tags"].is_string(), "{body}");
    assert!(body["error"]["fields"]["custom_fields"].is_string(), "{body}");
}

async fn logging_a_touchpoint_updates_last_touch(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let contact =
        create(&app, &token, json!({ "first_name": "Cy", "last_name": "Vance", "phone": "0412 222 333" }))
            .await;
    assert_eq!(contact["last_touch_at"], Value::Null);
    let id = contact["id"].as_str().unwrap();
    let logged: Value = app
        .api()
        .post(app.url(&format!("/api/v1/contacts/{id}/touchpoints")))
        .bearer_auth(&token)
        .json(&json!({ "kind": "call", "summary": "Left a voicemail" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fetched: Value = app
        .api()
        .get(app.url(&format!("/api/v1/contacts/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let time = |v: &Value| v.as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    assert_eq!(time(&fetched["last_touch_at"]), time(&logged["occurred_at"]));
}

on_both_backends!(previous_pages_lead_back_to_the_start_and_counts_match_the_lists);

/// Pages forward through a sorted list, then back along `prev_cursor`: every page back is the
/// page that was shown there going forward, and the first page has nowhere further back.
/// The count of each filter is the number of contacts its list holds.
async fn previous_pages_lead_back_to_the_start_and_counts_match_the_lists(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_demo().await;
    let token = app.api_token("manager").await;
    let ids = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
    };
    for base in
        ["sort=newest", "sort=name", "sort=warmness", "sort=updated", "q=a&sort=relevance", "q=a&sort=name"]
    {
        let mut forward: Vec<(Vec<String>, Option<String>)> = Vec::new();
        let mut cursor = String::new();
        for _ in 0..4 {
            let (status, page) = list(&app, &token, &format!("{base}&limit=7{cursor}")).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            if forward.is_empty() {
                assert!(
                    page.get("prev_cursor").is_none_or(Value::is_null),
                    "{base}: the first page goes nowhere back"
                );
            }
            forward.push((ids(&page), page["prev_cursor"].as_str().map(str::to_owned)));
            match page["next_cursor"].as_str() {
                Some(next) => cursor = format!("&cursor={next}"),
                None => break,
            }
        }
        assert_eq!(forward.len(), 4, "{base}: the demo clinic fills four pages of seven");
        // From the fourth page back to the first.
        let mut back = forward[3].1.clone().unwrap_or_else(|| panic!("{base}: page 4 has a previous page"));
        for at in (0..3).rev() {
            let (status, page) = list(&app, &token, &format!("{base}&limit=7&cursor={back}")).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            assert_eq!(ids(&page), forward[at].0, "{base}: going back to page {}", at + 1);
            assert!(page["next_cursor"].is_string(), "{base}: a page gone back to leads forward again");
            match page["prev_cursor"].as_str() {
                Some(prev) => back = prev.to_owned(),
                None => assert_eq!(at, 0, "{base}: only the first page has no previous page"),
            }
        }
    }
    let count = |query: String| {
        let (app, token) = (&app, &token);
        async move { get(app, token, &format!("/api/v1/contacts/count?{query}")).await }
    };
    let (status, everyone) = count(String::new()).await;
    assert_eq!(status, StatusCode::OK, "{everyone}");
    assert_eq!(everyone, json!({ "total": 200, "capped": false }));
    let (_, stages) = list(&app, &token, "limit=1").await;
    let stage = stages["items"][0]["stage_id"].as_str().unwrap().to_owned();
    for query in [
        format!("stage_id={stage}"),
        "q=a".into(),
        format!("q=a&stage_id={stage}"),
        "q=smith".into(),
        "warmness_min=0".into(),
    ] {
        let (_, page) = list(&app, &token, &format!("{query}&limit=200")).await;
        let (status, counted) = count(query.clone()).await;
        assert_eq!(status, StatusCode::OK, "{counted}");
        assert_eq!(counted["total"].as_u64().unwrap() as usize, ids(&page).len(), "count of {query}");
    }
    let (status, body) = count("warmness_min=101".into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["warmness_min"].is_string(), "{body}");
    // A receptionist counts only the contacts of the locations they see.
    let reception = app.api_token("reception").await;
    let (_, scoped) = get(&app, &reception, "/api/v1/contacts/count").await;
    let (_, visible) = list(&app, &reception, "limit=200").await;
    assert_eq!(scoped["total"].as_u64().unwrap() as usize, ids(&visible).len());
}

on_both_backends!(the_start_of_an_email_address_finds_its_owner);

/// "marguerite.v@" is how a receptionist types an address half remembered: everything before
/// the "@" is the start of the address, in any case.
async fn the_start_of_an_email_address_finds_its_owner(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    for (first, last, email) in [
        ("Marguerite", "Vella", "Marguerite.Vella@example.com"),
        ("Marguerite", "Olsen", "marguerite.olsen@example.com"),
        ("Victor", "Marguerite", "vm@example.com"),
    ] {
        create(&app, &token, json!({ "first_name": first, "last_name": last, "email": email })).await;
    }
    for (query, expected) in [
        ("marguerite.v%40", vec!["Marguerite Vella"]),
        ("MARGUERITE.V%40", vec!["Marguerite Vella"]),
        ("marguerite.%40", vec!["Marguerite Olsen", "Marguerite Vella"]),
        ("marguerite.vella%40example.com", vec!["Marguerite Vella"]),
        ("marguerite.vella%40example.co", vec!["Marguerite Vella"]),
        ("vm%40", vec!["Victor Marguerite"]),
    ] {
        let (status, page) = list(&app, &token, &format!("q={query}&sort=name")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let mut found = names(&page);
        found.sort();
        assert_eq!(found, expected, "q={query}");
    }
}
