//! Messages end to end, on both databases: `POST /api/v1/messages/sms|email` stores a queued
//! message and its job; the worker sends it through the real ClickSend client (to a local
//! ClickSend), the real SMTP sender (to a local SMTP server) or the outbox; delivery receipts
//! arrive on the webhook; the suppression list refuses sends; location scope hides messages.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Backend, TestApp};
use crate::fake_clicksend::FakeClickSend;

const SECRET: &str = "receipts-0123456789abcdef";

struct Api<'a> {
    app: &'a TestApp,
    token: String,
}

impl Api<'_> {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self.app.api().request(method, self.app.url(path)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn contact(&self, phone: Option<&str>, email: Option<&str>) -> String {
        let (status, body) = self
            .post(
                "/api/v1/contacts",
                json!({ "first_name": "Nadia", "last_name": "Kowalski", "phone": phone, "email": email }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// The message once its status is no longer `queued` (or `want`), waiting for the worker.
    async fn message_when(&self, id: &str, done: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..400 {
            let (status, message) = self.get(&format!("/api/v1/messages/{id}")).await;
            assert_eq!(status, StatusCode::OK, "{message}");
            if done(&message) {
                return message;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("message {id} never reached the expected state");
    }
}

async fn api<'a>(app: &'a TestApp, role: &str) -> Api<'a> {
    Api { app, token: app.api_token(role).await }
}

fn settings(fake: &FakeClickSend) -> Vec<(&'static str, String)> {
    let mut settings = fake.settings();
    settings.push(("SMS_WEBHOOK_SECRET", SECRET.into()));
    settings
}

async fn spawn(backend: Backend, settings: &[(&'static str, String)]) -> TestApp {
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    TestApp::spawn_with(backend, &pairs).await
}

async fn receipt_form(app: &TestApp, secret: &str, fields: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = app
        .api()
        .post(app.url(&format!("/webhooks/clicksend/receipts/{secret}")))
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn a_text_goes_through_clicksend_and_its_receipt_marks_it_delivered(backend: Backend) {
    let fake = FakeClickSend::spawn().await;
    let app = spawn(backend, &settings(&fake)).await;
    let desk = api(&app, "reception").await;
    let contact = desk.contact(Some("0412 555 019"), None).await;

    let (status, queued) = desk
        .post(
            "/api/v1/messages/sms",
            json!({ "contact_id": contact, "body": "Your MRI is at 9:30 tomorrow. Reply YES to confirm." }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
    assert_eq!(queued["status"], "queued");
    assert_eq!(queued["to"], "+61412555019");
    assert_eq!(queued["segments"], 1);
    let id = queued["id"].as_str().unwrap().to_owned();

    let sent = desk.message_when(&id, |m| m["status"] != "queued").await;
    assert_eq!(sent["status"], "sent", "{sent}");
    assert_eq!(sent["provider"], "clicksend");
    assert_eq!(sent["provider_id"], format!("CS-{id}"));
    assert_eq!((sent["cost_micros"].as_i64(), sent["currency"].as_str()), (Some(77_100), Some("AUD")));
    let received = fake.received();
    assert_eq!(received.len(), 1);
    assert_eq!((received[0].to.as_str(), received[0].from.as_str()), ("+61412555019", "AvatarMRI"));
    assert_eq!(received[0].custom_string, id, "our id travels with the message");

    // The timeline shows it, with its status.
    let (_, timeline) = desk.get(&format!("/api/v1/contacts/{contact}/touchpoints")).await;
    let entry = &timeline["items"][0];
    assert_eq!((entry["kind"].as_str(), entry["message_id"].as_str()), (Some("sms"), Some(id.as_str())));
    assert_eq!(entry["message_status"], "sent");
    assert!(entry["summary"].as_str().unwrap().contains("Reply YES"));

    // A wrong secret is 401 and changes nothing.
    let provider_id = format!("CS-{id}");
    let delivered = [
        ("message_id", provider_id.as_str()),
        ("status_code", "201"),
        ("status_text", "Delivered"),
        ("custom_string", id.as_str()),
        ("timestamp", "1764000100"),
    ];
    assert_eq!(receipt_form(&app, "wrong-secret-0123456789", &delivered).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(desk.get(&format!("/api/v1/messages/{id}")).await.1["status"], "sent");

    let (status, answer) = receipt_form(&app, SECRET, &delivered).await;
    assert_eq!((status, answer["recorded"].as_i64()), (StatusCode::OK, Some(1)), "{answer}");
    assert_eq!(desk.get(&format!("/api/v1/messages/{id}")).await.1["status"], "delivered");
    // The same receipt again is a duplicate; a late pending or failed one never undoes delivery.
    assert_eq!(receipt_form(&app, SECRET, &delivered).await.1["duplicates"], 1);
    let pending = [("message_id", provider_id.as_str()), ("status_code", "200"), ("timestamp", "1764000050")];
    assert_eq!(receipt_form(&app, SECRET, &pending).await.1["recorded"], 1);
    let failed = [("message_id", provider_id.as_str()), ("status_code", "301"), ("timestamp", "1764000200")];
    assert_eq!(receipt_form(&app, SECRET, &failed).await.1["recorded"], 1);
    assert_eq!(desk.get(&format!("/api/v1/messages/{id}")).await.1["status"], "delivered");
    // JSON receipts are read too; one for a message not ours is acknowledged and ignored.
    let response = app
        .api()
        .post(app.url(&format!("/webhooks/clicksend/receipts/{SECRET}")))
        .json(&json!([{ "message_id": "SOMEONE-ELSES", "status_code": 201, "timestamp": 1 }]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap()["unmatched"], 1);
    // A receipt without its fields is refused, naming them.
    let (status, body) = receipt_form(&app, SECRET, &[("status_text", "Delivered")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["fields"]["message_id"].is_string()
            && body["error"]["fields"]["status_code"].is_string(),
        "{body}"
    );
}

async fn a_failed_delivery_receipt_fails_the_message_with_its_reason(backend: Backend) {
    let fake = FakeClickSend::spawn().await;
    let app = spawn(backend, &settings(&fake)).await;
    let desk = api(&app, "reception").await;
    let contact = desk.contact(Some("0412 555 020"), None).await;
    let (_, queued) =
        desk.post("/api/v1/messages/sms", json!({ "contact_id": contact, "body": "Hello" })).await;
    let id = queued["id"].as_str().unwrap().to_owned();
    desk.message_when(&id, |m| m["status"] == "sent").await;
    let provider_id = format!("CS-{id}");
    let fields = [
        ("message_id", provider_id.as_str()),
        ("status_code", "301"),
        ("status_text", "Undelivered"),
        ("error_code", "202"),
        ("error_text", "Handset unreachable"),
        ("timestamp", "1764000300"),
    ];
    assert_eq!(receipt_form(&app, SECRET, &fields).await.0, StatusCode::OK);
    let message = desk.get(&format!("/api/v1/messages/{id}")).await.1;
    assert_eq!(message["status"], "failed");
    assert!(message["error"].as_str().unwrap().contains("Handset unreachable"), "{message}");
}

async fn a_refused_recipient_fails_the_message_and_its_job_is_dead(backend: Backend) {
    let fake = FakeClickSend::spawn().await;
    let app = spawn(backend, &settings(&fake)).await;
    let desk = api(&app, "reception").await;
    let contact = desk.contact(Some("+61400000000"), None).await;
    let (_, queued) =
        desk.post("/api/v1/messages/sms", json!({ "contact_id": contact, "body": "Hello" })).await;
    let id = queued["id"].as_str().unwrap().to_owned();
    let failed = desk.message_when(&id, |m| m["status"] != "queued").await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["error"], "INVALID_RECIPIENT");
    let admin = api(&app, "admin").await;
    let (_, dead) = admin.get("/api/v1/jobs?state=dead&type=send_sms").await;
    assert_eq!(dead["items"].as_array().unwrap().len(), 1, "{dead}");
    assert!(dead["items"][0]["last_error"].as_str().unwrap().contains("INVALID_RECIPIENT"));
}

async fn a_provider_error_keeps_the_message_queued_for_a_retry(backend: Backend) {
    let fake = FakeClickSend::spawn().await;
    let app = spawn(backend, &settings(&fake)).await;
    let desk = api(&app, "reception").await;
    let contact = desk.contact(Some("+61400000500"), None).await;
    let (_, queued) =
        desk.post("/api/v1/messages/sms", json!({ "contact_id": contact, "body": "Hello" })).await;
    let id = queued["id"].as_str().unwrap().to_owned();
    let waiting = desk.message_when(&id, |m| !m["error"].is_null()).await;
    assert_eq!(waiting["status"], "queued", "still to be sent: {waiting}");
    assert!(waiting["error"].as_str().unwrap().contains("500"), "{waiting}");
    let admin = api(&app, "admin").await;
    let (_, failed) = admin.get("/api/v1/jobs?state=failed&type=send_sms").await;
    let job = &failed["items"][0];
    assert_eq!(job["attempts"], 1, "{failed}");
    let next = chrono::DateTime::parse_from_rfc3339(job["run_at"].as_str().unwrap()).unwrap();
    assert!(next > chrono::Utc::now() + chrono::Duration::seconds(20), "retried after a back-off: {next}");
}

async fn wrong_clicksend_credentials_are_shown_to_administrators(backend: Backend) {
    let fake = FakeClickSend::spawn().await;
    let mut wrong = settings(&fake);
    wrong.retain(|(k, _)| *k != "CLICKSEND_API_KEY");
    wrong.push(("CLICKSEND_API_KEY", "not-the-key".into()));
    let app = spawn(backend, &wrong).await;
    let desk = api(&app, "reception").await;
    let contact = desk.contact(Some("0412 555 808"), None).await;
    let mut ids = Vec::new();
    for body in ["First", "Second"] {
        let (_, queued) =
            desk.post("/api/v1/messages/sms", json!({ "contact_id": contact, "body": body })).await;
        ids.push(queued["id"].as_str().unwrap().to_owned());
    }
    for id in &ids {
        let waiting = desk.message_when(id, |m| !m["error"].is_null()).await;
        assert_eq!(waiting["status"], "queued", "kept for a retry once the key is fixed: {waiting}");
    }
    assert!(fake.received().is_empty(), "ClickSend took nothing from a wrong key");
    let admin = api(&app, "admin").await;
    let (status, providers) = admin.get("/api/v1/settings/providers").await;
    assert_eq!(status, StatusCode::OK);
    let problems = providers["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{providers}");
    assert_eq!(problems[0]["channel"], "sms");
    assert_eq!(problems[0]["waiting"], 2);
    assert!(problems[0]["last_error"].as_str().unwrap().contains("401"), "{providers}");
    assert!(!providers.to_string().contains("not-the-key"), "the key itself is never shown");
}

async fn without_providers_messages_stay_in_the_outbox(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = api(&app, "reception").await;
    let contact = desk.contact(Some("0412 555 021"), Some("nadia@example.test")).await;
    let (status, sms) =
        desk.post("/api/v1/messages/sms", json!({ "contact_id": contact, "body": "Café at 9:30 🙂" })).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(sms["segments"], 1, "UCS-2, 15 units");
    let (status, email) = desk
        .post(
            "/api/v1/messages/email",
            json!({ "contact_id": contact, "subject": "Your scan", "text": "See you at 9:30.", "html": "<p>See you at <b>9:30</b>.</p>" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{email}");
    for message in [&sms, &email] {
        let id = message["id"].as_str().unwrap();
        let kept = desk.message_when(id, |m| m["status"] != "queued").await;
        assert_eq!(
            (kept["status"].as_str(), kept["provider"].as_str()),
            (Some("sent"), Some("outbox")),
            "{kept}"
        );
    }
    let (_, emails) = desk.get(&format!("/api/v1/messages?channel=email&contact_id={contact}")).await;
    let items = emails["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["html"], "<p>See you at <b>9:30</b>.</p>");
    assert_eq!(items[0]["contact_name"], "Nadia Kowalski");
    let (_, all) = desk.get("/api/v1/messages?limit=1").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    let cursor = all["next_cursor"].as_str().unwrap();
    let (_, rest) = desk.get(&format!("/api/v1/messages?limit=1&cursor={cursor}")).await;
    assert_eq!(rest["items"][0]["channel"], "sms", "newest first, then the older one");
}

async fn email_reaches_an_smtp_server_with_both_parts(backend: Backend) {
    let (port, received) = crate::smtp::spawn_smtp().await;
    let url = format!("smtp://clinic:secret@127.0.0.1:{port}");
    let app =
        spawn(backend, &[("SMTP_URL", url), ("EMAIL_FROM", "Avatar Imaging <desk@avatar.test>".into())])
            .await;
    let desk = api(&app, "reception").await;
    let contact = desk.contact(None, Some("nadia@example.test")).await;
    let (_, email) = desk
        .post(
            "/api/v1/messages/email",
            json!({ "contact_id": contact, "subject": "Your scan", "text": "Plain words.", "html": "<p>Rich words.</p>" }),
        )
        .await;
    let id = email["id"].as_str().unwrap();
    let sent = desk.message_when(id, |m| m["status"] != "queued").await;
    assert_eq!((sent["status"].as_str(), sent["provider"].as_str()), (Some("sent"), Some("smtp")), "{sent}");
    let data = received.lock().unwrap().join("\n");
    assert!(data.contains("Plain words.") && data.contains("<p>Rich words.</p>"), "{data}");
    assert!(data.contains(&format!("Message-ID: <{id}@avatar-crm>")), "{data}");
    assert!(data.contains("To: nadia@example.test"), "{data}");
}

/// Password reset links reach staff through the relay too, and the kept copy loses its link.
async fn staff_email_goes_through_the_smtp_relay_and_its_link_is_not_kept(backend: Backend) {
    let (port, received) = crate::smtp::spawn_smtp().await;
    let url = format!("smtp://clinic:secret@127.0.0.1:{port}");
    let app =
        spawn(backend, &[("SMTP_URL", url), ("EMAIL_FROM", "Avatar Imaging <desk@avatar.test>".into())])
            .await;
    let email = app.create_user("reception").await;
    let anonymous = crate::common::browser(&app.base_url);
    let asked = anonymous
        .post(app.url("/auth/password-reset"))
        .form(&[("email", email.as_str())])
        .send()
        .await
        .unwrap();
    assert!(asked.status().is_redirection(), "{}", asked.status());
    let started = std::time::Instant::now();
    let data = loop {
        let data = received.lock().unwrap().join("\n");
        if data.contains("/password-reset?token=") {
            break data;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no reset email reached the relay: {data}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert!(data.contains(&format!("To: {email}")), "{data}");
    assert!(data.contains("Subject: Reset your Avatar CRM password"), "{data}");
    let admin = app.signed_in("admin").await;
    let started = std::time::Instant::now();
    loop {
        let page = admin.get(app.url("/settings/outbox")).send().await.unwrap().text().await.unwrap();
        if page.contains("Sent through the SMTP relay") {
            assert!(!page.contains("password-reset?token="), "administrators cannot read the sent link");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the kept copy still holds the link");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn a_suppressed_contact_is_refused_with_the_reason(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = api(&app, "reception").await;
    let contact = desk.contact(Some("0412 555 022"), Some("nadia@example.test")).await;
    let (status, suppression) = desk
        .post("/api/v1/suppressions", json!({ "contact_id": contact, "channel": "sms", "reason": "opted_out", "note": "Asked at the desk" }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{suppression}");
    let (status, again) = desk
        .post("/api/v1/suppressions", json!({ "contact_id": contact, "channel": "sms", "reason": "other" }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");

    let (status, refused) =
        desk.post("/api/v1/messages/sms", json!({ "contact_id": contact, "body": "Hello" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("opted out"), "{refused}");
    // A duplicate record with the same number is covered too.
    let (status, twin) = desk
        .post(
            "/api/v1/contacts?allow_duplicate=true",
            json!({ "first_name": "N", "last_name": "Kowalski", "phone": "0412 555 022" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{twin}");
    let twin = twin["id"].as_str().unwrap();
    let (status, _) = desk.post("/api/v1/messages/sms", json!({ "contact_id": twin, "body": "Hello" })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Email is another channel.
    let (status, _) = desk
        .post("/api/v1/messages/email", json!({ "contact_id": contact, "subject": "Hi", "text": "Hello" }))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, list) = desk.get(&format!("/api/v1/suppressions?contact_id={contact}")).await;
    assert_eq!(list["items"][0]["reason"], "opted_out");
    assert_eq!(list["items"][0]["address"], "+61412555022");
    // The timeline says so.
    let (_, timeline) = desk.get(&format!("/api/v1/contacts/{contact}/touchpoints")).await;
    assert!(
        timeline["items"].as_array().unwrap().iter().any(|t| t["summary"] == "Suppressed for SMS: opted out")
    );

    let id = suppression["id"].as_str().unwrap();
    let (status, _) = desk.send(reqwest::Method::DELETE, &format!("/api/v1/suppressions/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = desk.send(reqwest::Method::DELETE, &format!("/api/v1/suppressions/{id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) =
        desk.post("/api/v1/messages/sms", json!({ "contact_id": contact, "body": "Hello" })).await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

async fn a_contact_suppressed_after_writing_is_not_sent(backend: Backend) {
    let fake = FakeClickSend::spawn().await;
    let mut settings = settings(&fake);
    settings.push(("JOBS_WORKER", "off".into()));
    let app = spawn(backend, &settings).await;
    let desk = api(&app, "reception").await;
    let contact = desk.contact(Some("0412 555 023"), None).await;
    let (_, queued) =
        desk.post("/api/v1/messages/sms", json!({ "contact_id": contact, "body": "Hello" })).await;
    let id = queued["id"].as_str().unwrap().to_owned();
    desk.post(
        "/api/v1/suppressions",
        json!({ "contact_id": contact, "channel": "sms", "reason": "replied_stop" }),
    )
    .await;
    // Now a worker runs the job.
    let config = server::config::Config::from_lookup(|name| {
        settings.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()).filter(|_| name != "JOBS_WORKER")
    })
    .unwrap();
    let ai = std::sync::Arc::new(domain::services::ai::engine::Engine::builtin());
    let worker = server::worker::build(app.db.clone(), config.jobs.unwrap(), &config, ai).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));
    let failed = desk.message_when(&id, |m| m["status"] != "queued").await;
    let _ = stop.send(());
    running.await.unwrap();
    assert_eq!(failed["status"], "failed");
    assert!(failed["error"].as_str().unwrap().contains("replied STOP"), "{failed}");
    assert!(fake.received().is_empty(), "nothing reached ClickSend");
}

async fn bad_sends_name_the_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = api(&app, "reception").await;
    let no_phone = desk.contact(None, Some("nadia@example.test")).await;
    let cases = [
        (json!({ "contact_id": no_phone, "body": "  " }), "body"),
        (json!({ "contact_id": no_phone, "body": "x".repeat(1601) }), "body"),
        // 11 parts of plain text (153 each): under the character limit, over the parts limit.
        (json!({ "contact_id": no_phone, "body": "x".repeat(153 * 10 + 1) }), "body"),
        (json!({ "contact_id": "not-an-id", "body": "Hi" }), "contact_id"),
    ];
    for (body, field) in cases {
        let (status, answer) = desk.post("/api/v1/messages/sms", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert!(answer["error"]["fields"][field].is_string(), "{field}: {answer}");
    }
    // A well-formed send to a contact without a number: the record is in the way, 409.
    let (status, answer) =
        desk.post("/api/v1/messages/sms", json!({ "contact_id": no_phone, "body": "Hi" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["error"]["message"], "This contact has no mobile number to text.");
    let (status, _) = desk
        .post("/api/v1/messages/sms", json!({ "contact_id": "01K0N0C0NTACT0000000000000", "body": "Hi" }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, answer) = desk
        .post("/api/v1/messages/email", json!({ "contact_id": no_phone, "subject": "", "text": "" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer["error"]["fields"]["subject"].is_string() && answer["error"]["fields"]["text"].is_string(),
        "{answer}"
    );
    let (status, answer) = desk
        .post(
            "/api/v1/suppressions",
            json!({ "contact_id": no_phone, "channel": "fax", "reason": "because" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer["error"]["fields"]["channel"].is_string() && answer["error"]["fields"]["reason"].is_string(),
        "{answer}"
    );
    let (status, _) = desk.get("/api/v1/messages?limit=0").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = desk.get("/api/v1/messages?status=lost").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Marketing may read contacts but not text them.
    let marketing = api(&app, "marketing").await;
    let (status, _) =
        marketing.post("/api/v1/messages/sms", json!({ "contact_id": no_phone, "body": "Hi" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn messages_follow_their_contacts_location(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("JOBS_WORKER", "off")]).await;
    app.seed_demo().await;
    let admin = api(&app, "admin").await;
    let sydney = app.location_id("Sydney CBD").await;
    let brisbane = app.location_id("Brisbane North").await;
    let (_, contact) = admin
        .post("/api/v1/contacts", json!({ "first_name": "Sam", "last_name": "Lee", "phone": "0412 555 024", "location_id": sydney }))
        .await;
    let contact = contact["id"].as_str().unwrap().to_owned();
    let (_, message) =
        admin.post("/api/v1/messages/sms", json!({ "contact_id": contact, "body": "Hi" })).await;
    let id = message["id"].as_str().unwrap();
    let elsewhere = Api { app: &app, token: app.token_limited_to(&brisbane).await };
    assert_eq!(elsewhere.get(&format!("/api/v1/messages/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        elsewhere.get(&format!("/api/v1/messages?contact_id={contact}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(elsewhere.get("/api/v1/messages").await.1["items"].as_array().unwrap().len(), 0);
    let (status, _) =
        elsewhere.post("/api/v1/messages/sms", json!({ "contact_id": contact, "body": "Hi" })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let here = Api { app: &app, token: app.token_limited_to(&sydney).await };
    assert_eq!(here.get(&format!("/api/v1/messages/{id}")).await.0, StatusCode::OK);
    assert_eq!(here.get("/api/v1/messages").await.1["items"].as_array().unwrap().len(), 1);
}

async fn the_webhook_is_off_without_a_secret_and_settings_name_the_providers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, _) =
        receipt_form(&app, "anything-at-all-0123", &[("message_id", "x"), ("status_code", "201")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let desk = api(&app, "admin").await;
    let (_, providers) = desk.get("/api/v1/settings/providers").await;
    assert_eq!(
        providers,
        json!({ "sms": "outbox", "sms_from": null, "email": "outbox", "email_from": null, "sms_receipts": false, "worker": true, "problems": [] })
    );
}

on_both_backends!(
    a_text_goes_through_clicksend_and_its_receipt_marks_it_delivered,
    a_failed_delivery_receipt_fails_the_message_with_its_reason,
    a_refused_recipient_fails_the_message_and_its_job_is_dead,
    a_provider_error_keeps_the_message_queued_for_a_retry,
    wrong_clicksend_credentials_are_shown_to_administrators,
    without_providers_messages_stay_in_the_outbox,
    email_reaches_an_smtp_server_with_both_parts,
    staff_email_goes_through_the_smtp_relay_and_its_link_is_not_kept,
    a_suppressed_contact_is_refused_with_the_reason,
    a_contact_suppressed_after_writing_is_not_sent,
    bad_sends_name_the_field,
    messages_follow_their_contacts_location,
    the_webhook_is_off_without_a_secret_and_settings_name_the_providers,
);
