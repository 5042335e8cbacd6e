//! A contact's timeline and staff tasks through `/api/v1`, on SQLite and PostgreSQL.

use crate::common::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    timeline_logs_calls_and_notes_newest_first,
    tasks_are_assigned_completed_and_filtered,
    tasks_and_timelines_follow_location_scope,
    task_lists_run_by_due_time_page_after_page_and_are_counted
);

async fn new_contact(app: &TestApp, token: &str, body: Value) -> String {
    let created: Value = app
        .api()
        .post(app.url("/api/v1/contacts"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["id"].as_str().unwrap().to_owned()
}

async fn timeline_logs_calls_and_notes_newest_first(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let api = app.api();
    let id = new_contact(
        &app,
        &token,
        json!({ "first_name": "Noah", "last_name": "Kim", "phone": "0412 111 222" }),
    )
    .await;
    let url = app.url(&format!("/api/v1/contacts/{id}/touchpoints"));
    let log = |body: Value| api.post(&url).bearer_auth(&token).json(&body).send();

    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    assert_eq!(
        log(json!({ "kind": "call", "summary": "Left a voicemail", "occurred_at": yesterday }))
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(log(json!({ "kind": "note", "summary": "Prefers afternoons" })).await.unwrap().status(), 201);
    let bad = log(json!({ "kind": "stage_change", "summary": "" })).await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let future =
        log(json!({ "kind": "call", "summary": "x", "occurred_at": "2999-01-01T00:00:00Z" })).await.unwrap();
    assert_eq!(
        future.json::<Value>().await.unwrap()["error"]["fields"]["occurred_at"],
        "must not be in the future"
    );

    let first: Value =
        api.get(format!("{url}?limit=1")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(first["items"][0]["summary"], "Prefers afternoons", "newest first, by when it happened");
    let cursor = first["next_cursor"].as_str().unwrap();
    let second: Value = api
        .get(format!("{url}?limit=1&cursor={}", cursor.replace('+', "%2B").replace('|', "%7C")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["items"][0]["summary"], "Left a voicemail");
    assert!(second["next_cursor"].is_null());

    let readonly = app.api_token("readonly").await;
    assert_eq!(api.get(&url).bearer_auth(&readonly).send().await.unwrap().status(), StatusCode::OK);
    let refused = api
        .post(&url)
        .bearer_auth(&readonly)
        .json(&json!({ "kind": "note", "summary": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let missing = api
        .get(app.url("/api/v1/contacts/01K0N0C0NTACT0000000000000/touchpoints"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

async fn tasks_are_assigned_completed_and_filtered(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let api = app.api();
    let contact = new_contact(
        &app,
        &token,
        json!({ "first_name": "Mia", "last_name": "Rossi", "email": "mia@example.com" }),
    )
    .await;
    let create = |body: Value| api.post(app.url("/api/v1/tasks")).bearer_auth(&token).json(&body).send();
    let overdue: Value = create(json!({ "title": "Call back about referral", "contact_id": contact, "due_at": "2020-01-01T09:00:00Z" }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(overdue["assignee_id"].is_string(), "unassigned tasks go to their creator");
    let later =
        create(json!({ "title": "Send preparation sheet", "due_at": "2999-01-01T09:00:00Z" })).await.unwrap();
    assert_eq!(later.status(), StatusCode::CREATED);
    let bad = create(json!({ "title": " ", "contact_id": "nope" })).await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let list = |query: &str| {
        let request = api.get(app.url(&format!("/api/v1/tasks{query}"))).bearer_auth(&token);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let titles = |page: &Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(titles(&list("?status=overdue").await), ["Call back about referral"]);
    assert_eq!(titles(&list("?assignee_id=me").await).len(), 2);
    assert_eq!(titles(&list(&format!("?contact_id={contact}")).await), ["Call back about referral"]);

    let url = app.url(&format!("/api/v1/tasks/{}", overdue["id"].as_str().unwrap()));
    let done: Value = api
        .patch(&url)
        .bearer_auth(&token)
        .json(&json!({ "completed": true }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(done["completed_at"].is_string());
    // Marking it done again changes nothing and logs nothing more.
    let again = api.patch(&url).bearer_auth(&token).json(&json!({ "completed": true })).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let timeline = || {
        let request =
            api.get(app.url(&format!("/api/v1/contacts/{contact}/touchpoints"))).bearer_auth(&token);
        async move {
            let page: Value = request.send().await.unwrap().json().await.unwrap();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| format!("{}: {}", t["kind"].as_str().unwrap(), t["summary"].as_str().unwrap()))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        timeline().await,
        ["note: Task done: Call back about referral"],
        "completing shows on the timeline"
    );
    assert_eq!(titles(&list("?status=done").await), ["Call back about referral"]);
    assert_eq!(titles(&list("").await), ["Send preparation sheet"], "open is the default");
    let cleared: Value = api
        .patch(&url)
        .bearer_auth(&token)
        .json(&json!({ "due_at": null, "completed": false }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(cleared["due_at"].is_null() && cleared["completed_at"].is_null());
    assert_eq!(
        timeline().await,
        ["note: Task reopened: Call back about referral", "note: Task done: Call back about referral"]
    );
    let bad_status =
        api.get(app.url("/api/v1/tasks?status=someday")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(bad_status.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn tasks_and_timelines_follow_location_scope(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_demo().await;
    let admin = app.api_token("admin").await;
    let api = app.api();
    let (brisbane, sydney) = (app.location_id("Brisbane North").await, app.location_id("Sydney CBD").await);
    let sydney_contact = new_contact(
        &app,
        &admin,
        json!({ "first_name": "S", "last_name": "Y", "email": "s@y.co", "location_id": sydney }),
    )
    .await;
    let task: Value = api
        .post(app.url("/api/v1/tasks"))
        .bearer_auth(&admin)
        .json(&json!({ "title": "Sydney follow-up", "contact_id": sydney_contact }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = app.token_limited_to(&brisbane).await;
    let visible: Value = api
        .get(app.url("/api/v1/tasks?status=all&limit=200"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(visible["items"].as_array().unwrap().iter().all(|t| t["id"] != task["id"]));
    let patch = api
        .patch(app.url(&format!("/api/v1/tasks/{}", task["id"].as_str().unwrap())))
        .bearer_auth(&token)
        .json(&json!({ "completed": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), StatusCode::NOT_FOUND);
    let timeline = api
        .get(app.url(&format!("/api/v1/contacts/{sydney_contact}/touchpoints")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(timeline.status(), StatusCode::NOT_FOUND);
}

on_both_backends!(tasks_page_lists_and_completes_tasks);

async fn tasks_page_lists_and_completes_tasks(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let contact = new_contact(
        &app,
        &token,
        json!({ "first_name": "Ruby", "last_name": "Walker", "email": "ruby@example.com" }),
    )
    .await;
    let task: Value = app
        .api()
        .post(app.url("/api/v1/tasks"))
        .bearer_auth(&token)
        .json(&json!({ "title": "Confirm appointment time", "contact_id": contact, "due_at": "2021-03-04T05:00:00Z" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(task["overdue"], true);

    let client = app.signed_in("reception").await;
    let page = client.get(app.url("/tasks?view=overdue")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Confirm appointment time")
            && html.contains("Ruby Walker")
            && html.contains("(overdue)")
    );

    let done = client
        .post(app.url("/rpc/set_task_done"))
        .form(&[("id", task["id"].as_str().unwrap()), ("done", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let open = client.get(app.url("/tasks?view=open")).send().await.unwrap().text().await.unwrap();
    assert!(!open.contains("Confirm appointment time"));
    let finished = client.get(app.url("/tasks?view=done")).send().await.unwrap().text().await.unwrap();
    assert!(finished.contains("Confirm appointment time"));
}

on_both_backends!(due_days_are_read_and_shown_in_the_contacts_zone);

/// In December Sydney keeps daylight time (UTC+11) and Brisbane does not (UTC+10): a task moved
/// to a day falls due at 5 pm on the clock of its contact's location, and the task list shows
/// that clock, whichever location the clinic lists first.
async fn due_days_are_read_and_shown_in_the_contacts_zone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_demo().await;
    let token = app.api_token("manager").await;
    let client = app.signed_in("manager").await;
    for (location, expected_due_at, expected_label) in [
        ("Brisbane North", "2026-12-15T07:00:00Z", "Tue 15 Dec 2026, 5:00 pm AEST"),
        ("Sydney CBD", "2026-12-15T06:00:00Z", "Tue 15 Dec 2026, 5:00 pm AEDT"),
    ] {
        let location_id = app.location_id(location).await;
        let contact = new_contact(
            &app,
            &token,
            json!({ "first_name": "Zoe", "last_name": location, "location_id": location_id,
                    "email": format!("zoe.{}@example.com", location_id.to_lowercase()) }),
        )
        .await;
        let task: Value = app
            .api()
            .post(app.url("/api/v1/tasks"))
            .bearer_auth(&token)
            .json(&json!({ "title": format!("Call back ({location})"), "contact_id": contact }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let task_id = task["id"].as_str().unwrap();

        // The Tasks page's "Change" form.
        let moved = client
            .post(app.url("/rpc/reschedule_task"))
            .form(&[("id", task_id), ("assignee_id", ""), ("due_date", "2026-12-15")])
            .send()
            .await
            .unwrap();
        assert_eq!(moved.status(), StatusCode::OK, "{location}");

        let listed: Value = app
            .api()
            .get(app.url(&format!("/api/v1/tasks?contact_id={contact}&status=all")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let stored = &listed["items"][0];
        let due_at: chrono::DateTime<chrono::Utc> = stored["due_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(due_at, expected_due_at.parse::<chrono::DateTime<chrono::Utc>>().unwrap(), "{location}");
        assert_eq!(stored["due_day"], "2026-12-15", "{location}");
        assert_eq!(stored["due_label"], expected_label, "{location}");

        // The contact page lists its tasks with the Tasks page's component.
        let page =
            client.get(app.url(&format!("/contacts/{contact}"))).send().await.unwrap().text().await.unwrap();
        assert!(
            page.contains(&format!("Due <time datetime=\"{}\">{expected_label}</time>", due_at.to_rfc3339())),
            "{location}: the task shows the clinic's clock"
        );
        assert!(page.contains(r#"value="2026-12-15""#), "{location}: the due-day field holds the same day");
    }

    // Not a date: the field is named and nothing changes.
    let listed: Value = app
        .api()
        .get(app.url("/api/v1/tasks?status=all"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let task_id = listed["items"][0]["id"].as_str().unwrap().to_owned();
    let refused = client
        .post(app.url("/rpc/reschedule_task"))
        .form(&[("id", task_id.as_str()), ("assignee_id", ""), ("due_date", "15/12/2026")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.unwrap();
    assert!(body.contains("due date: must be a date"), "{body}");
}

async fn task_lists_run_by_due_time_page_after_page_and_are_counted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (mine, theirs) = (app.api_token("reception").await, app.api_token("reception").await);
    let api = app.api();
    let now = chrono::Utc::now();
    let at = |hours: i64| (now + chrono::Duration::hours(hours)).to_rfc3339();
    let create = |token: &str, body: Value| {
        let request = api.post(app.url("/api/v1/tasks")).bearer_auth(token).json(&body);
        async move {
            let created: Value = request.send().await.unwrap().json().await.unwrap();
            created["id"].as_str().unwrap().to_owned()
        }
    };
    // Mine: due in three days, tomorrow, never, and yesterday; one more made no one's.
    let in_three_days = create(&mine, json!({ "title": "Send the referral form", "due_at": at(72) })).await;
    let tomorrow = create(&mine, json!({ "title": "Confirm fasting", "due_at": at(26) })).await;
    let someday = create(&mine, json!({ "title": "Tidy duplicates" })).await;
    let yesterday = create(&mine, json!({ "title": "Call back Mrs Rossi", "due_at": at(-20) })).await;
    let nobodys = create(&mine, json!({ "title": "Chase the radiologist", "due_at": at(-2) })).await;
    let cleared = api
        .patch(app.url(&format!("/api/v1/tasks/{nobodys}")))
        .bearer_auth(&mine)
        .json(&json!({ "assignee_id": null }))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), StatusCode::OK);
    // Someone else's overdue task: in everyone's lists, not in mine.
    let other = create(&theirs, json!({ "title": "Their call", "due_at": at(-30) })).await;

    let get = |query: String| {
        let request = api.get(app.url(&format!("/api/v1/tasks{query}"))).bearer_auth(&mine);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.json::<Value>().await.unwrap())
        }
    };
    let ids = |page: &Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    // Everyone's open tasks, two a page: soonest due first, the undated last, none twice.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("?limit=2&cursor={c}"),
            None => "?limit=2".to_owned(),
        };
        let (status, page) = get(query).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            other.clone(),
            yesterday.clone(),
            nobodys.clone(),
            tomorrow.clone(),
            in_three_days.clone(),
            someday.clone()
        ]
    );

    // What needs doing: overdue or due today, mine or no one's, soonest first.
    let (_, today) = get("?status=due_today&assignee_id=me_or_unassigned".into()).await;
    assert_eq!(ids(&today), [yesterday.clone(), nobodys.clone()]);
    let (_, unassigned) = get("?assignee_id=unassigned".into()).await;
    assert_eq!(ids(&unassigned), vec![nobodys.clone()]);
    let (_, overdue) = get("?status=overdue".into()).await;
    assert_eq!(ids(&overdue), [other.clone(), yesterday.clone(), nobodys.clone()]);

    let (status, counts) = {
        let response = api.get(app.url("/api/v1/tasks/counts")).bearer_auth(&mine).send().await.unwrap();
        (response.status(), response.json::<Value>().await.unwrap())
    };
    assert_eq!(status, StatusCode::OK);
    assert_eq!(counts, json!({ "needs_doing": 2, "mine": 4, "unassigned": 1, "overdue": 3, "open": 6 }));

    // Done lists run latest completed first, page after page.
    for id in [&tomorrow, &someday, &yesterday] {
        let done = api
            .patch(app.url(&format!("/api/v1/tasks/{id}")))
            .bearer_auth(&mine)
            .json(&json!({ "completed": true }))
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), StatusCode::OK);
    }
    let (_, first) = get("?status=done&limit=2".into()).await;
    assert_eq!(ids(&first), [yesterday.clone(), someday.clone()]);
    let next = first["next_cursor"].as_str().unwrap().to_owned();
    let (_, second) = get(format!("?status=done&limit=2&cursor={next}")).await;
    assert_eq!(ids(&second), vec![tomorrow.clone()]);
    assert!(second["next_cursor"].is_null());
    let (_, counts) = {
        let response = api.get(app.url("/api/v1/tasks/counts")).bearer_auth(&mine).send().await.unwrap();
        (response.status(), response.json::<Value>().await.unwrap())
    };
    assert_eq!(counts["open"], 3);
    assert_eq!(counts["mine"], 1);

    // Something that is no cursor at all is refused by name.
    for bad in ["nonsense", "d12.NOTAULID", "x5.01K0STAGE00000000000000001"] {
        let (status, body) = get(format!("?cursor={bad}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(body["error"]["fields"]["cursor"].is_string(), "{body}");
    }
}
