//! The AI layer over `/api/v1`: replies read for their intent, notes enriched, a contact's
//! warmness worked out from its record and timeline and stored on recalculation, campaigns
//! drafted and report figures read, by the built-in engine and by a model behind it, on SQLite
//! and PostgreSQL.

use crate::common::{Backend, TestApp};
use crate::fake_openai::FakeOpenAi;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    replies_are_read_for_their_intent,
    notes_are_read_for_what_they_ask,
    warmness_follows_the_record_and_timeline_and_is_stored,
    a_model_is_asked_with_redacted_text_and_the_builtin_engine_stands_in_when_it_fails,
    past_the_monthly_budget_the_model_is_not_asked,
    campaigns_are_drafted_and_reports_read_by_the_builtin_engine,
    a_models_drafts_are_cleaned_its_figures_checked_and_its_placeholders_restored,
    a_contacts_notes_are_read_by_a_job_and_stored,
    the_nightly_sweep_stores_what_each_contacts_own_facts_give
);

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

    // Each change enqueued a recalculation (one for the new contact, one for the referral, one
    // for the call): once they have run, the stored score has caught up by itself.
    let finished = || async {
        domain::on_db!(&app.db, pool => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM jobs WHERE kind = 'recalculate_warmness' AND state = 'succeeded'")
                .fetch_one(pool)
                .await
                .unwrap()
        })
    };
    app.jobs_settled("recalculate_warmness").await;
    assert_eq!(finished().await, 3, "the three recalculations ran");
    let contact_url = app.url(&format!("/api/v1/contacts/{id}"));
    let contact: Value =
        api.get(&contact_url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(contact["warmness"], warmer["score"], "the recalculation job stored the score");
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
    // The nightly sweep scores every contact again.
    let swept = domain::services::ai::warmness::sweep(&app.db).await.unwrap();
    assert_eq!(swept, 1);
    let instant = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert!(instant(&get().await["calculated_at"]) > instant(&stored["calculated_at"]), "stored again");
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

async fn a_model_is_asked_with_redacted_text_and_the_builtin_engine_stands_in_when_it_fails(
    backend: Backend,
) {
    let fake = FakeOpenAi::spawn().await;
    let settings = fake.settings();
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::spawn_with(backend, &settings).await;
    let token = app.api_token("reception").await;
    let api = app.api();
    let read = |text: String| {
        let request =
            api.post(app.url("/api/v1/ai/sms-intent")).bearer_auth(&token).json(&json!({ "text": text }));
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<Value>().await.unwrap()
        }
    };
    let reply = "Yes see you then Ada Ngata, I'm on 0412 555 019 or ada.ngata@example.com";
    // The model's answer (the built-in engine would say confirm).
    assert_eq!(read(reply.to_owned()).await["intent"], "question");
    assert_eq!(read(format!("MODE-429 {reply}")).await["intent"], "question", "a 429 is tried again");
    // Not JSON, JSON outside the schema, a server failing every retry, a model too slow: the
    // built-in engine answers.
    for mode in ["MODE-invalid-json", "MODE-schema", "MODE-500"] {
        let answer = read(format!("{mode} {reply}")).await;
        assert_eq!(answer["intent"], "confirm", "{mode}: {answer}");
    }
    let started = std::time::Instant::now();
    assert_eq!(read(format!("MODE-slow {reply}")).await["intent"], "confirm");
    assert!(
        started.elapsed() < std::time::Duration::from_millis(2500),
        "the timeout cut it short: {:?}",
        started.elapsed()
    );

    // Nothing that identifies the patient left the server, in any request.
    let bodies = fake.received();
    assert_eq!(bodies.len(), 1 + 2 + 1 + 1 + 3 + 1, "a 429 and each 500 is retried, to two retries");
    for body in &bodies {
        let sent = body.to_string();
        for secret in ["0412 555 019", "0412", "ada.ngata@example.com", "example.com", "Ngata"] {
            assert!(!sent.contains(secret), "{secret:?} was sent: {sent}");
        }
        assert!(sent.contains("[PHONE_1]") && sent.contains("[EMAIL_1]"), "{sent}");
        assert_eq!(body["model"], "@cf/meta/llama-3.1-8b-instruct");
        assert_eq!(body["response_format"]["type"], "json_schema");
        assert_eq!(body["response_format"]["json_schema"]["name"], "sms_intent");
        assert_eq!(body["response_format"]["json_schema"]["strict"], true);
        assert_eq!(
            body["response_format"]["json_schema"]["schema"]["required"],
            json!(["intent", "confidence"])
        );
    }

    // Every call is in the usage log, with what the provider billed.
    let admin = app.api_token("admin").await;
    let today = chrono::Utc::now().date_naive();
    let usage: Value = api
        .get(app.url(&format!(
            "/api/v1/ai/usage?from={}&to={}",
            today.pred_opt().unwrap(),
            today.succ_opt().unwrap()
        )))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let days = usage["days"].as_array().unwrap();
    let sum = |key: &str| days.iter().map(|d| d[key].as_i64().unwrap()).sum::<i64>();
    assert_eq!(sum("calls"), 6, "{usage}");
    assert_eq!(sum("fallbacks"), 4, "{usage}");
    // Three answers arrived as JSON (two used, one outside the schema): 1,000 + 200 tokens each
    // at $0.282 / $0.827 a million is 447 millionths of a dollar.
    assert_eq!(sum("cost_micros"), 3 * 447, "{usage}");
    assert_eq!(usage["total_cost_micros"], 3 * 447);
    assert_eq!(usage["provider"], "openai");
    let anonymous =
        api.get(app.url(&format!("/api/v1/ai/usage?from={today}&to={today}"))).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let backwards = api
        .get(app.url(&format!("/api/v1/ai/usage?from={today}&to={}", today.pred_opt().unwrap())))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(backwards.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn past_the_monthly_budget_the_model_is_not_asked(backend: Backend) {
    let fake = FakeOpenAi::spawn().await;
    let mut settings = fake.settings();
    // Two calls' worth (447 each) fit under $0.001; the third goes over.
    settings.push(("AI_MONTHLY_BUDGET", "0.001".into()));
    settings.push(("AI_JSON_SCHEMA_STYLE", "bare".into()));
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::spawn_with(backend, &settings).await;
    let token = app.api_token("reception").await;
    let api = app.api();
    let mut intents = Vec::new();
    for _ in 0..4 {
        let answer: Value = api
            .post(app.url("/api/v1/ai/sms-intent"))
            .bearer_auth(&token)
            .json(&json!({ "text": "Yes see you then" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        intents.push(answer["intent"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        intents,
        ["question", "question", "question", "confirm"],
        "447 + 447 + 447 passes $0.001 on the third"
    );
    let bodies = fake.received();
    assert_eq!(bodies.len(), 3, "the fourth was answered here");
    // Cloudflare's style: the bare schema under `json_schema`.
    assert_eq!(bodies[0]["response_format"]["json_schema"]["type"], "object");
    assert!(bodies[0]["response_format"]["json_schema"]["name"].is_null());
    let admin = app.api_token("admin").await;
    let today = chrono::Utc::now().date_naive();
    let usage: Value = api
        .get(app.url(&format!(
            "/api/v1/ai/usage?from={}&to={}",
            today.pred_opt().unwrap(),
            today.succ_opt().unwrap()
        )))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(usage["spent_this_month_micros"], 3 * 447);
    assert_eq!(usage["monthly_budget_micros"], 1000);
}

async fn notes_are_read_for_what_they_ask(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let api = app.api();
    let url = app.url("/api/v1/ai/enrich");
    let response = api
        .post(&url)
        .bearer_auth(&token)
        .json(&json!({ "text": "Mum needs an MRI of her left knee asap, GP referral attached" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let read: Value = response.json().await.unwrap();
    assert_eq!(read["intent"], "book_scan");
    assert_eq!(read["urgency"], "urgent");
    assert_eq!(read["modality"], "mri");
    assert_eq!(read["body_part"], "knee");
    assert_eq!(read["referral_mentioned"], true);
    assert!(
        read["evidence"].as_array().unwrap().iter().any(|e| e.as_str().unwrap().contains("asap")),
        "{read}"
    );
    let blank = api.post(&url).bearer_auth(&token).json(&json!({ "text": "" })).send().await.unwrap();
    assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let calls: i64 = domain::on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM ai_calls WHERE function = 'enrichment' AND provider = 'builtin' AND outcome = 'ok'")
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert_eq!(calls, 1, "the call is in the usage log");
}

/// POSTs `body` to `path` with `token`: the status and the JSON answer.
async fn post_json(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let response = app.api().post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn calls_logged(app: &TestApp, function: &str, outcome: &str) -> i64 {
    domain::on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM ai_calls WHERE function = $1 AND outcome = $2")
            .bind(function)
            .bind(outcome)
            .fetch_one(pool)
            .await
            .unwrap()
    })
}

fn bookings_metrics(label: &str) -> Value {
    json!({ "metrics": [
        { "key": "bookings", "label": label, "current": 142, "previous": 120 },
        { "key": "no_show_rate", "label": "No-show rate", "unit": "percent", "current": 8.0, "previous": 5.5, "higher_is_better": false },
        { "key": "enquiries", "label": "Enquiries", "current": 101, "previous": 100 },
    ] })
}

async fn campaigns_are_drafted_and_reports_read_by_the_builtin_engine(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // The usage page before any call says so plainly (and after, it counts them: e2e).
    let browser = app.signed_in("admin").await;
    let page = browser.get(app.url("/settings/ai/usage?days=7")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("No AI calls between "), "the empty state");

    let marketing = app.api_token("marketing").await;
    let goal = json!({ "goal": "Remind women due for their yearly mammogram",
        "segment": { "size": 412, "modality": "mammography", "location": "Sydney CBD" } });
    let (status, draft) = post_json(&app, &marketing, "/api/v1/ai/campaign-draft", goal.clone()).await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    assert_eq!(draft["kind"], "recall");
    assert_eq!(draft["subject"], "Your mammogram is due");
    let text = draft["text"].as_str().unwrap();
    assert!(text.starts_with("Hi {{contact.first_name}},"), "{text}");
    assert!(text.contains("Unsubscribe: {{unsubscribe_url}}"), "{text}");
    assert!(draft["html"].as_str().unwrap().contains("<a href=\"{{booking_url}}\">"), "{draft}");
    assert_eq!(
        post_json(&app, &marketing, "/api/v1/ai/campaign-draft", goal.clone()).await.1,
        draft,
        "deterministic"
    );

    let (status, bad) = post_json(
        &app,
        &marketing,
        "/api/v1/ai/campaign-draft",
        json!({ "goal": " ", "segment": { "size": 20_000_000, "inactive_days": 9999 } }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    for field in ["goal", "segment.size", "segment.inactive_days"] {
        assert!(bad["error"]["fields"][field].is_string(), "{field}: {bad}");
    }
    // A nested object sent as an array of its fields is refused, not read in order.
    let (status, _) = post_json(
        &app,
        &marketing,
        "/api/v1/ai/campaign-draft",
        json!({ "goal": "Yearly mammogram", "segment": [412, "mammography", null, null] }),
    )
    .await;
    assert!(status.is_client_error(), "{status}");
    let reception = app.api_token("reception").await;
    let (status, _) = post_json(&app, &reception, "/api/v1/ai/campaign-draft", goal).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "reception does not write campaigns");

    let readonly = app.api_token("readonly").await;
    let (status, read) =
        post_json(&app, &readonly, "/api/v1/ai/report-insights", bookings_metrics("Bookings")).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    let insights = read["insights"].as_array().unwrap();
    let texts: Vec<&str> = insights.iter().map(|i| i["text"].as_str().unwrap()).collect();
    assert_eq!(
        texts,
        ["No-show rate rose 2.5 points to 8.0% (from 5.5%).", "Bookings rose 18% to 142 (from 120)."],
        "biggest change first; a 1% change is not news"
    );
    assert_eq!(insights[0]["tone"], "concern");
    assert_eq!(insights[0]["figure"], "2.5 points");
    let (status, bad) = post_json(
        &app,
        &readonly,
        "/api/v1/ai/report-insights",
        json!({ "metrics": [{ "key": "Bad Key", "label": "", "current": 1 }, { "key": "ok", "label": "OK", "current": 1, "series": [{ "date": "2026-11-01", "value": 1 }, { "date": "2026-11-02", "value": 1e14 }] }] }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    for field in ["metrics[0].key", "metrics[0].label", "metrics[1].series"] {
        assert!(bad["error"]["fields"][field].is_string(), "{field}: {bad}");
    }
    let (status, _) =
        post_json(&app, &readonly, "/api/v1/ai/report-insights", json!({ "metrics": [] })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let admin = app.api_token("admin").await;
    let (status, tested) = post_json(&app, &admin, "/api/v1/ai/test-connection", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tested["ok"], true);
    assert!(tested["model"].is_null(), "the built-in engine has no model: {tested}");
    let settings: Value = app
        .api()
        .get(app.url("/api/v1/ai/settings"))
        .bearer_auth(&readonly)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(settings["provider"], "builtin");
    assert!(settings["endpoint_host"].is_null() && settings["models"][0]["model"].is_null(), "{settings}");

    assert_eq!(calls_logged(&app, "campaign_draft", "ok").await, 2);
    assert_eq!(calls_logged(&app, "report_insights", "ok").await, 1);
}

async fn a_models_drafts_are_cleaned_its_figures_checked_and_its_placeholders_restored(backend: Backend) {
    let fake = FakeOpenAi::spawn().await;
    let settings = fake.settings();
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::spawn_with(backend, &settings).await;
    let marketing = app.api_token("marketing").await;

    // The model's draft, with what no email should carry taken out.
    let goal = "Recall Dr Priya Raman's MRI patients";
    let (status, draft) =
        post_json(&app, &marketing, "/api/v1/ai/campaign-draft", json!({ "goal": goal })).await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    assert_eq!(draft["subject"], "A note from your imaging clinic", "the model's draft: {draft}");
    let html = draft["html"].as_str().unwrap();
    assert!(!html.contains("script") && !html.contains("onclick") && !html.contains("steal"), "{html}");
    assert!(html.contains("href=\"{{booking_url}}\""), "{html}");
    // A draft without its unsubscribe link is not used: the built-in engine's is.
    let (_, fallback) = post_json(
        &app,
        &marketing,
        "/api/v1/ai/campaign-draft",
        json!({ "goal": format!("{goal} MODE-schema") }),
    )
    .await;
    assert_eq!(fallback["subject"], "Your scan is due", "{fallback}");

    // Insights are the model's when their figures are the metric's, the built-in engine's when not.
    let readonly = app.api_token("readonly").await;
    let (_, read) =
        post_json(&app, &readonly, "/api/v1/ai/report-insights", bookings_metrics("Bookings")).await;
    assert_eq!(read["insights"][0]["text"], "Bookings were up 18% on the month before.", "{read}");
    let (_, invented) =
        post_json(&app, &readonly, "/api/v1/ai/report-insights", bookings_metrics("Bookings MODE-invented"))
            .await;
    assert_eq!(invented["insights"].as_array().unwrap().len(), 2, "the built-in engine's: {invented}");
    assert!(invented["insights"].to_string().contains("rose 18% to 142"), "{invented}");

    // An enrichment's evidence comes back with the name the model was not sent.
    let reception = app.api_token("reception").await;
    let (status, enriched) = post_json(
        &app,
        &reception,
        "/api/v1/ai/enrich",
        json!({ "text": "Mrs Olive Tran wants to know what a CT of the chest costs" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{enriched}");
    assert_eq!(enriched["intent"], "price", "the model's reading: {enriched}");
    assert_eq!(enriched["body_part"], "chest");
    let evidence = enriched["evidence"].to_string();
    assert!(evidence.contains("asked on behalf of Olive"), "restored: {evidence}");

    for body in fake.received() {
        let sent = body.to_string();
        for secret in ["Raman", "Priya", "Olive", "Tran"] {
            assert!(!sent.contains(secret), "{secret:?} was sent: {sent}");
        }
    }
    // The settings say where the model is and which it is, never the key; a test asks it.
    let admin = app.api_token("admin").await;
    let settings = app.api().get(app.url("/api/v1/ai/settings")).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(settings.status(), StatusCode::OK);
    let settings: Value = settings.json().await.unwrap();
    assert_eq!(settings["provider"], "openai");
    assert_eq!(settings["endpoint_host"], fake.addr.unwrap().to_string());
    assert_eq!(settings["key_set"], true);
    assert_eq!(
        settings["models"][0],
        json!({ "function": "sms_intent", "model": "@cf/meta/llama-3.1-8b-instruct" })
    );
    assert_eq!(settings["models"][1], json!({ "function": "warmness", "model": null }), "always built in");
    assert!(!settings.to_string().contains("sk-test"), "{settings}");
    let (status, tested) = post_json(&app, &admin, "/api/v1/ai/test-connection", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{tested}");
    assert_eq!(tested["ok"], true, "{tested}");
    assert!(tested["message"].as_str().unwrap().starts_with("The model answered in "), "{tested}");
    let (status, _) = post_json(&app, &reception, "/api/v1/ai/test-connection", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a test may cost money: settings.write");

    assert_eq!(calls_logged(&app, "campaign_draft", "ok").await, 1);
    assert_eq!(calls_logged(&app, "campaign_draft", "fallback").await, 1);
    assert_eq!(calls_logged(&app, "report_insights", "fallback").await, 1);
    assert_eq!(calls_logged(&app, "enrichment", "ok").await, 1);
}

async fn a_contacts_notes_are_read_by_a_job_and_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_demo().await;
    let token = app.api_token("reception").await;
    let (status, created) = post_json(
        &app,
        &token,
        "/api/v1/contacts",
        json!({ "first_name": "Wiremu", "last_name": "Tane", "phone": "0412 555 020" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let url = app.url(&format!("/api/v1/contacts/{id}/enrichment"));
    let stored = || async {
        let response = app.api().get(&url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json::<Value>().await.unwrap()
    };
    app.jobs_settled("enrich_contact").await;
    assert!(stored().await["enrichment"].is_null(), "no notes, nothing read");

    // A note on the timeline is read by its job and stored on the contact.
    let (status, _) = post_json(
        &app,
        &token,
        &format!("/api/v1/contacts/{id}/touchpoints"),
        json!({ "kind": "note", "summary": "Needs an MRI of the left knee asap, GP referral attached" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    app.jobs_settled("enrich_contact").await;
    let first = stored().await;
    assert_eq!(first["enrichment"]["modality"], "mri", "{first}");
    assert_eq!(first["enrichment"]["body_part"], "knee");
    assert_eq!(first["enrichment"]["urgency"], "urgent");
    assert_eq!(first["enrichment"]["referral_mentioned"], true);
    assert!(first["read_at"].is_string());
    assert_eq!(first["pending"], false, "its job has run");

    // A text is not a note: no reading. A later call is, and the newest words count first.
    let (status, _) = post_json(
        &app,
        &token,
        &format!("/api/v1/contacts/{id}/touchpoints"),
        json!({ "kind": "call", "summary": "Called back: not urgent after all, wants a price for a CT of the chest" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    app.jobs_settled("enrich_contact").await;
    let second = stored().await;
    assert_eq!(second["enrichment"]["urgency"], "low", "{second}");
    assert_eq!(second["enrichment"]["intent"], "price");
    assert!(second["read_at"].as_str().unwrap() >= first["read_at"].as_str().unwrap());
    let jobs: i64 = domain::on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'enrich_contact' AND state = 'succeeded' AND idempotency_key LIKE $1")
            .bind(format!("enrich:{id}:%"))
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert_eq!(jobs, 3, "the new contact, the note and the call");

    // Other locations' contacts are not found; nor are ones that do not exist.
    let elsewhere = app.token_limited_to(&app.location_id("Brisbane North").await).await;
    let sydney = app.location_id("Sydney CBD").await;
    let patched = app
        .api()
        .patch(app.url(&format!("/api/v1/contacts/{id}")))
        .bearer_auth(&token)
        .json(&json!({ "location_id": sydney }))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    let hidden = app.api().get(&url).bearer_auth(&elsewhere).send().await.unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let missing = app
        .api()
        .get(app.url("/api/v1/contacts/01JAAAAAAAAAAAAAAAAAAAAAAA/enrichment"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

async fn the_nightly_sweep_stores_what_each_contacts_own_facts_give(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("JOBS_WORKER", "off")]).await;
    app.seed_demo().await;
    domain::on_db!(&app.db, pool => {
        sqlx::query("UPDATE contacts SET warmness = NULL, warmness_reasons = NULL, warmness_at = NULL")
            .execute(pool)
            .await
            .unwrap();
    });
    // The sweep reads a batch's timelines and bookings together: each score must be its own.
    let swept = domain::services::ai::warmness::sweep(&app.db).await.unwrap();
    let stored: Vec<(String, Option<i32>)> = domain::on_db!(&app.db, pool => {
        sqlx::query_as("SELECT id, warmness FROM contacts WHERE deleted_at IS NULL ORDER BY id").fetch_all(pool).await.unwrap()
    });
    assert_eq!(swept, stored.len() as u64);
    let admin = app.api_token("admin").await;
    let mut distinct = std::collections::HashSet::new();
    for (id, score) in &stored {
        let live: Value = app
            .api()
            .get(app.url(&format!("/api/v1/contacts/{id}/warmness")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(score.map(i64::from), live["score"].as_i64(), "{id}: {live}");
        distinct.insert(*score);
    }
    assert!(distinct.len() > 5, "the demo clinic's contacts differ: {distinct:?}");

    // With no worker running, a logged note's reading is waiting, and says so.
    let (id, _) = &stored[0];
    let logged = app
        .api()
        .post(app.url(&format!("/api/v1/contacts/{id}/touchpoints")))
        .bearer_auth(&admin)
        .json(&json!({ "kind": "note", "summary": "Wants a CT of the chest" }))
        .send()
        .await
        .unwrap();
    assert_eq!(logged.status(), StatusCode::CREATED);
    let read: Value = app
        .api()
        .get(app.url(&format!("/api/v1/contacts/{id}/enrichment")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["pending"], true, "{read}");
}
