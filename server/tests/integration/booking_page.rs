//! The patients' pages on SQLite and PostgreSQL, driven as a browser without script drives
//! them (links and form posts): booking through `/book` (a new contact, or the existing one the
//! details match), what a bad form says and keeps, the manage link's confirm, move and cancel
//! within the 24-hour rule, forged links, escaping, the per-client rate limit — and the
//! waitlist: a cancelled time offered in queue order, held against the public page, and taken
//! by the first to accept.

use chrono::{Duration, Utc};
use domain::on_db;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::bookings::{Clinic, book, clinic, contact, local, next_week};
use crate::common::{Backend, TestApp, browser};

on_both_backends!(
    a_patient_books_online_and_manages_the_booking,
    details_that_match_a_contact_book_for_it_and_a_different_birthday_does_not,
    a_bad_form_names_each_field_and_keeps_what_was_typed,
    a_taken_time_sends_the_patient_back_to_the_times,
    changes_within_a_day_of_the_start_need_a_call,
    forged_links_find_nothing_and_names_are_escaped,
    too_many_posts_from_one_client_are_refused,
    a_cancelled_time_is_offered_to_the_waitlist_and_the_first_to_accept_gets_it,
    calendar_feeds_list_the_times_without_the_patients
);

fn path(clinic: &Clinic, day: chrono::NaiveDate) -> String {
    format!("/book?service={}&location={}&from={day}&day={day}", clinic.scan, clinic.location_id)
}

fn form<'a>(
    clinic: &'a Clinic,
    start: &'a str,
    phone: &'a str,
    dob: &'a str,
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("service_id", clinic.scan.as_str()),
        ("location_id", clinic.location_id.as_str()),
        ("start", start),
        ("first_name", "Priya"),
        ("last_name", "Natarajan"),
        ("phone", phone),
        ("email", ""),
        ("date_of_birth", dob),
        ("sms_consent", "on"),
    ]
}

/// Posts the booking form; the answer (redirects are not followed).
async fn post_booking(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    browser(&app.base_url).post(app.url("/book")).form(fields).send().await.unwrap()
}

/// The manage token a successful booking redirected to.
fn token_of(answer: &reqwest::Response) -> String {
    assert_eq!(answer.status(), StatusCode::SEE_OTHER, "the booking was not made");
    let location = answer.headers()["location"].to_str().unwrap();
    let token = location.strip_prefix("/b/").and_then(|rest| rest.split('?').next()).unwrap();
    assert!(location.ends_with("?done=booked"), "{location}");
    token.to_owned()
}

async fn text(app: &TestApp, path: &str) -> (StatusCode, String) {
    let answer = browser(&app.base_url).get(app.url(path)).send().await.unwrap();
    (answer.status(), answer.text().await.unwrap())
}

async fn post(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    browser(&app.base_url).post(app.url(path)).form(fields).send().await.unwrap()
}

async fn booking(app: &TestApp, token: &str, id: &str) -> Value {
    let answer =
        app.api().get(app.url(&format!("/api/v1/bookings/{id}"))).bearer_auth(token).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    answer.json().await.unwrap()
}

/// The bookings of the contacts with this phone number (E.164).
async fn bookings_of_phone(app: &TestApp, token: &str, phone: &str) -> Vec<Value> {
    let ids: Vec<String> = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT id FROM contacts WHERE phone = $1").bind(phone).fetch_all(pool).await.unwrap()
    });
    let mut all = Vec::new();
    for id in ids {
        let page: Value = app
            .api()
            .get(app.url(&format!("/api/v1/bookings?contact_id={id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        all.extend(page["items"].as_array().unwrap().iter().cloned());
    }
    all
}

async fn texts_to(app: &TestApp, contact_id: &str) -> Vec<String> {
    on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT body FROM messages WHERE contact_id = $1 AND channel = 'sms' ORDER BY created_at, id")
            .bind(contact_id)
            .fetch_all(pool)
            .await
            .unwrap()
    })
}

async fn a_patient_books_online_and_manages_the_booking(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = app.api_token("admin").await;
    let clinic = clinic(&app, "Australia/Brisbane", "08:00", "17:00", 1, 1).await;
    let day = next_week(&clinic);

    // The menu, then the day's times, each a link to the details form.
    let (status, menu) = text(&app, "/book").await;
    assert_eq!(status, StatusCode::OK);
    assert!(menu.contains("MRI 30 min") && menu.contains("$450.00"), "{menu}");
    let (status, times) = text(&app, &path(&clinic, day)).await;
    assert_eq!(status, StatusCode::OK);
    let nine = local(&clinic, day, "09:00");
    assert!(times.contains(">9:00 am<"), "{times}");
    assert!(times.contains(&format!("start={}", nine.replace(':', "%3A").replace('+', "%2B"))), "{times}");
    let (status, details) = text(
        &app,
        &format!(
            "/book/details?service={}&location={}&start={}",
            clinic.scan,
            clinic.location_id,
            nine.replace('+', "%2B")
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(details.contains("Your details") && details.contains("name=\"first_name\""), "{details}");

    let answer = post_booking(&app, &form(&clinic, &nine, "0412 555 301", "1984-03-09")).await;
    let token = token_of(&answer);
    let (status, page) = text(&app, &format!("/b/{token}?done=booked")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("You&#x27;re booked") || page.contains("You're booked"), "{page}");
    assert!(page.contains("9:00 am AEST") && page.contains("Status: <strong>Booked</strong>"), "{page}");

    // A new web enquiry, now Booked, with the confirmation text carrying the manage link.
    let found = bookings_of_phone(&app, &api, "+61412555301").await;
    assert_eq!(found.len(), 1);
    let id = found[0]["id"].as_str().unwrap().to_owned();
    let contact_id = found[0]["contact_id"].as_str().unwrap().to_owned();
    let contact: Value = app
        .api()
        .get(app.url(&format!("/api/v1/contacts/{contact_id}")))
        .bearer_auth(&api)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(contact["source"], "web_form");
    assert_eq!(contact["date_of_birth"], "1984-03-09");
    assert_eq!(contact["sms_consent"], true);
    let texts = texts_to(&app, &contact_id).await;
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains(&format!("/b/{token} ")), "{}", texts[0]);
    let detail = booking(&app, &api, &id).await;
    assert_eq!(detail["history"][0]["detail"], "booked online");
    let audited: i64 = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'booking.create' AND subject_id = $1 AND actor_user_id IS NULL")
            .bind(&id).fetch_one(pool).await.unwrap()
    });
    assert_eq!(audited, 1);

    // Confirm, move to 10:00, cancel: each a redirect back with the news.
    let answer = post(&app, &format!("/b/{token}/confirm"), &[]).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(booking(&app, &api, &id).await["status"], "confirmed");
    let (status, move_page) = text(&app, &format!("/b/{token}/move?from={day}&day={day}")).await;
    assert_eq!(status, StatusCode::OK);
    let ten = local(&clinic, day, "10:00");
    assert!(move_page.contains(&format!("value=\"{ten}\"")), "{move_page}");
    // Its own time is free to itself but not offered twice; another time moves it.
    let answer = post(&app, &format!("/b/{token}/move"), &[("start", &ten)]).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(answer.headers()["location"], format!("/b/{token}?done=moved"));
    let moved = booking(&app, &api, &id).await;
    assert_eq!(moved["start"], ten);
    let answer = post(&app, &format!("/b/{token}/cancel"), &[("reason", "I'm unwell")]).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let cancelled = booking(&app, &api, &id).await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancel_reason"], "I'm unwell");
    let (_, page) = text(&app, &format!("/b/{token}?done=cancelled")).await;
    assert!(page.contains("Book another time") && !page.contains("Cancel appointment"), "{page}");
}

async fn details_that_match_a_contact_book_for_it_and_a_different_birthday_does_not(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = app.api_token("admin").await;
    let clinic = clinic(&app, "Australia/Brisbane", "08:00", "17:00", 2, 2).await;
    let day = next_week(&clinic);
    let known = contact(&app, &api, "Priya", Some("0412 555 302")).await;
    let set_dob = app
        .api()
        .patch(app.url(&format!("/api/v1/contacts/{known}")))
        .bearer_auth(&api)
        .json(&json!({ "date_of_birth": "1984-03-09" }))
        .send()
        .await
        .unwrap();
    assert_eq!(set_dob.status(), StatusCode::OK);

    // Same mobile and birthday: the known contact's booking.
    let nine = local(&clinic, day, "09:00");
    token_of(&post_booking(&app, &form(&clinic, &nine, "+61 412 555 302", "1984-03-09")).await);
    // Same mobile, another birthday (a child on a parent's phone): a contact of their own.
    let ten = local(&clinic, day, "10:00");
    token_of(&post_booking(&app, &form(&clinic, &ten, "0412555302", "2015-06-01")).await);

    let all = bookings_of_phone(&app, &api, "+61412555302").await;
    assert_eq!(all.len(), 2);
    let for_known: Vec<&Value> = all.iter().filter(|b| b["contact_id"] == known.as_str()).collect();
    assert_eq!(for_known.len(), 1);
    assert_eq!(for_known[0]["start"], nine);
    let other = all.iter().find(|b| b["contact_id"] != known.as_str()).unwrap();
    assert_eq!(other["start"], ten);
}

async fn a_bad_form_names_each_field_and_keeps_what_was_typed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = app.api_token("admin").await;
    let clinic = clinic(&app, "Australia/Brisbane", "08:00", "17:00", 1, 1).await;
    let nine = local(&clinic, next_week(&clinic), "09:00");
    let mut fields = form(&clinic, &nine, "12", "2999-01-01");
    fields[3] = ("first_name", "<b>Priya</b>");
    fields[4] = ("last_name", "");
    let answer = post_booking(&app, &fields).await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = answer.text().await.unwrap();
    assert!(page.contains("Please check the details marked below."), "{page}");
    for field in ["phone", "last_name", "date_of_birth"] {
        assert!(page.contains(&format!("id=\"{field}-error\"")), "{field} not marked: {page}");
        assert!(page.contains(&format!("aria-describedby=\"{field}-error\"")), "{field}: {page}");
    }
    // What was typed comes back (escaped), the consent still ticked, the time still chosen.
    assert!(page.contains("value=\"&lt;b&gt;Priya&lt;/b&gt;\""), "{page}");
    assert!(!page.contains("<b>Priya</b>"));
    assert!(page.contains(&format!("value=\"{nine}\"")));
    assert!(page.contains("name=\"sms_consent\" value=\"on\" checked"), "{page}");
    // And nothing was stored.
    assert!(bookings_of_phone(&app, &api, "12").await.is_empty());
    let contacts: i64 = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM contacts").fetch_one(pool).await.unwrap()
    });
    assert_eq!(contacts, 0);

    // No mobile at all is its own message.
    let answer = post_booking(&app, &form(&clinic, &nine, "", "1984-03-09")).await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.text().await.unwrap().contains("Give a mobile number"));
}

async fn a_taken_time_sends_the_patient_back_to_the_times(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = app.api_token("admin").await;
    let clinic = clinic(&app, "Australia/Brisbane", "08:00", "17:00", 1, 1).await;
    let day = next_week(&clinic);
    let nine = local(&clinic, day, "09:00");
    let someone = contact(&app, &api, "Early", Some("0412 555 303")).await;
    let taken = book(&app, &api, json!({ "contact_id": someone, "service_id": clinic.scan, "location_id": clinic.location_id, "start": nine })).await;
    assert_eq!(taken.status(), StatusCode::CREATED);

    // The page no longer offers it…
    let (_, times) = text(&app, &path(&clinic, day)).await;
    assert!(!times.contains(">9:00 am<") && times.contains(">9:45 am<"), "{times}");
    // …and a form still carrying it comes back to the day's times, saying so.
    let answer = post_booking(&app, &form(&clinic, &nine, "0412 555 304", "1990-01-01")).await;
    assert_eq!(answer.status(), StatusCode::CONFLICT);
    let page = answer.text().await.unwrap();
    assert!(page.contains("that time was just taken") && page.contains(">9:45 am<"), "{page}");
    assert!(bookings_of_phone(&app, &api, "+61412555304").await.is_empty());
    // Too soon for the public page (two hours' notice) is said plainly too.
    let soon = (Utc::now() + Duration::minutes(30)).with_timezone(&clinic.zone).to_rfc3339();
    let answer = post_booking(&app, &form(&clinic, &soon, "0412 555 304", "1990-01-01")).await;
    assert!(answer.status() == StatusCode::CONFLICT || answer.status() == StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bookings_of_phone(&app, &api, "+61412555304").await.is_empty());
}

async fn changes_within_a_day_of_the_start_need_a_call(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = app.api_token("admin").await;
    // A booking five hours from now (staff may book it; patients may no longer change it), in a
    // zone where that is around midday, so it is within opening hours whenever the test runs.
    let start = (Utc::now() + Duration::hours(5)).duration_trunc_15();
    let offset = (12 - i64::from(chrono::Timelike::hour(&start)) + 24) % 24;
    let offset = if offset > 12 { offset - 24 } else { offset };
    let zone = if offset >= 0 { format!("Etc/GMT-{offset}") } else { format!("Etc/GMT+{}", -offset) };
    let clinic = clinic(&app, &zone, "06:00", "20:00", 1, 1).await;
    let someone = contact(&app, &api, "Soon", Some("0412 555 305")).await;
    let made = book(&app, &api, json!({ "contact_id": someone, "service_id": clinic.scan, "location_id": clinic.location_id, "start": start.to_rfc3339() })).await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let id = made.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let texts = texts_to(&app, &someone).await;
    let link = texts[0].split_whitespace().find(|w| w.contains("/b/")).unwrap();
    let token = link.rsplit("/b/").next().unwrap();

    let (status, page) = text(&app, &format!("/b/{token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("less than 24 hours away") && !page.contains("Cancel appointment"), "{page}");
    assert!(page.contains("Confirm I"), "confirming is still fine: {page}");
    let answer = post(&app, &format!("/b/{token}/cancel"), &[("reason", "I can't make it")]).await;
    assert_eq!(answer.status(), StatusCode::CONFLICT);
    assert!(answer.text().await.unwrap().contains("call the clinic"));
    let answer =
        post(&app, &format!("/b/{token}/move"), &[("start", &(start + Duration::hours(26)).to_rfc3339())])
            .await;
    assert_eq!(answer.status(), StatusCode::OK, "shown the booking again, unchanged");
    let still = booking(&app, &api, &id).await;
    assert_eq!(still["status"], "booked");
    assert_eq!(chrono::DateTime::parse_from_rfc3339(still["start"].as_str().unwrap()).unwrap(), start);
    let answer = post(&app, &format!("/b/{token}/confirm"), &[]).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(booking(&app, &api, &id).await["status"], "confirmed");
}

trait Quarter {
    fn duration_trunc_15(self) -> chrono::DateTime<Utc>;
}

impl Quarter for chrono::DateTime<Utc> {
    fn duration_trunc_15(self) -> chrono::DateTime<Utc> {
        chrono::DurationRound::duration_trunc(self, Duration::minutes(15)).unwrap()
    }
}

async fn forged_links_find_nothing_and_names_are_escaped(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = app.api_token("admin").await;
    let clinic = clinic(&app, "Australia/Brisbane", "08:00", "17:00", 1, 1).await;
    let nine = local(&clinic, next_week(&clinic), "09:00");
    let token = token_of(&post_booking(&app, &form(&clinic, &nine, "0412 555 306", "1984-03-09")).await);

    let mut forged = token.clone().into_bytes();
    let last = forged.len() - 1;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    for bad in [forged.as_str(), &token[..26], "nonsense", "%3Cscript%3E"] {
        let (status, page) = text(&app, &format!("/b/{bad}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
        assert!(page.contains("This link or page doesn"), "{page}");
        let answer = post(&app, &format!("/b/{bad}/cancel"), &[("reason", "x")]).await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    }
    // The booking is untouched; a service named with markup shows as text.
    assert_eq!(bookings_of_phone(&app, &api, "+61412555306").await[0]["status"], "booked");
    on_db!(&app.db, pool => {
        sqlx::query("UPDATE services SET name = '<script>alert(1)</script> MRI' WHERE id = $1")
            .bind(&clinic.scan).execute(pool).await.unwrap();
    });
    let (_, menu) = text(&app, "/book").await;
    assert!(
        menu.contains("&lt;script&gt;alert(1)&lt;/script&gt; MRI") && !menu.contains("<script>alert"),
        "{menu}"
    );
    let (_, page) = text(&app, &format!("/b/{token}")).await;
    assert!(!page.contains("<script>alert"), "{page}");
    // The patients' pages carry no script at all, and are never cached.
    let answer = browser(&app.base_url).get(app.url("/book")).send().await.unwrap();
    assert_eq!(answer.headers()["cache-control"], "no-store");
    assert!(!answer.text().await.unwrap().contains("<script"));
}

async fn too_many_posts_from_one_client_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = clinic(&app, "Australia/Brisbane", "08:00", "17:00", 1, 1).await;
    let nine = local(&clinic, next_week(&clinic), "09:00");
    let bad = form(&clinic, &nine, "1", "1984-03-09");
    for _ in 0..server::middleware::public_rate::POST_BUDGET {
        assert_eq!(post_booking(&app, &bad).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let refused = post_booking(&app, &form(&clinic, &nine, "0412 555 307", "1984-03-09")).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait > 0 && wait <= 600, "{wait}");
    assert!(refused.text().await.unwrap().contains("too many requests"));
    // Pages have their own budget: the client can still read them.
    assert_eq!(text(&app, "/book").await.0, StatusCode::OK);
}

/// Waits (up to 20 s) until `check` holds.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn a_cancelled_time_is_offered_to_the_waitlist_and_the_first_to_accept_gets_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = app.api_token("admin").await;
    let clinic = clinic(&app, "Australia/Brisbane", "08:00", "17:00", 1, 1).await;
    let day = next_week(&clinic);
    let nine = local(&clinic, day, "09:00");
    let holder = contact(&app, &api, "Holder", Some("0412 555 310")).await;
    let made = book(&app, &api, json!({ "contact_id": holder, "service_id": clinic.scan, "location_id": clinic.location_id, "start": nine })).await;
    let booking_id = made.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();

    // Three wait, in this order; a fourth waits for another window (not offered).
    let mut waiting = Vec::new();
    for (n, (from, to)) in [(0, 7), (0, 14), (-1, 3), (10, 20)].into_iter().enumerate() {
        let who = contact(&app, &api, &format!("Wait{n}"), Some(&format!("0412 555 32{n}"))).await;
        let added = app
            .api()
            .post(app.url("/api/v1/waitlist"))
            .bearer_auth(&api)
            .json(&json!({
                "contact_id": who, "service_id": clinic.scan, "location_id": clinic.location_id,
                "earliest_day": (day + Duration::days(from)).to_string(), "latest_day": (day + Duration::days(to)).to_string(),
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), StatusCode::CREATED);
        waiting.push(who);
    }
    let twice = app
        .api()
        .post(app.url("/api/v1/waitlist"))
        .bearer_auth(&api)
        .json(&json!({ "contact_id": waiting[0], "service_id": clinic.scan, "location_id": clinic.location_id, "earliest_day": day.to_string(), "latest_day": day.to_string() }))
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), StatusCode::CONFLICT);
    let bad = app
        .api()
        .post(app.url("/api/v1/waitlist"))
        .bearer_auth(&api)
        .json(&json!({ "contact_id": waiting[0], "service_id": clinic.scan, "location_id": clinic.location_id, "earliest_day": day.to_string(), "latest_day": "someday" }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json::<Value>().await.unwrap()["error"]["fields"]["latest_day"].is_string());

    let cancelled = app
        .api()
        .post(app.url(&format!("/api/v1/bookings/{booking_id}/cancel")))
        .bearer_auth(&api)
        .json(&json!({ "reason": "Going overseas" }))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);

    // The job offers it to the three whose window holds the day: a text with a link and a task each.
    let links = |texts: Vec<String>| {
        texts
            .iter()
            .filter_map(|t| t.split_whitespace().find(|w| w.contains("/w/")).map(str::to_owned))
            .collect::<Vec<_>>()
    };
    for who in &waiting[..3] {
        eventually("the offer text", || async { !links(texts_to(&app, who).await).is_empty() }).await;
    }
    assert!(links(texts_to(&app, &waiting[3]).await).is_empty(), "outside its window");
    let tasks: i64 = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM tasks WHERE title LIKE 'Waitlist:%'").fetch_one(pool).await.unwrap()
    });
    assert_eq!(tasks, 3);
    let listed: Value = app
        .api()
        .get(app.url("/api/v1/waitlist"))
        .bearer_auth(&api)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let order: Vec<&str> =
        listed.as_array().unwrap().iter().map(|e| e["contact_id"].as_str().unwrap()).collect();
    assert_eq!(order, waiting.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(listed[0]["open_offers"], 1);

    // Held: the public page does not offer 9:00 meanwhile.
    let (_, times) = text(&app, &path(&clinic, day)).await;
    assert!(!times.contains(">9:00 am<"), "{times}");

    // The second in the queue answers first and gets it; the first is then too late.
    let second = links(texts_to(&app, &waiting[1]).await).remove(0);
    let second = second.rsplit("/w/").next().unwrap().trim_end_matches('.').to_owned();
    let first = links(texts_to(&app, &waiting[0]).await).remove(0);
    let first = first.rsplit("/w/").next().unwrap().trim_end_matches('.').to_owned();
    let (status, offer) = text(&app, &format!("/w/{second}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(offer.contains("Take this time") && offer.contains("9:00 am"), "{offer}");
    let taken = post(&app, &format!("/w/{second}"), &[]).await;
    assert_eq!(taken.status(), StatusCode::SEE_OTHER);
    let manage = taken.headers()["location"].to_str().unwrap().to_owned();
    assert!(manage.starts_with("/b/"), "{manage}");
    let late = post(&app, &format!("/w/{first}"), &[]).await;
    assert_eq!(late.status(), StatusCode::CONFLICT);
    assert!(late.text().await.unwrap().contains("someone else took this time first"));
    // Taking it again is harmless: the same booking.
    let again = post(&app, &format!("/w/{second}"), &[]).await;
    assert_eq!(again.headers()["location"].to_str().unwrap(), manage);

    let theirs = bookings_of_phone(&app, &api, "+61412555321").await;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["start"], nine);
    assert_eq!(theirs[0]["status"], "booked");
    let listed: Value = app
        .api()
        .get(app.url("/api/v1/waitlist?status=booked"))
        .bearer_auth(&api)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["contact_id"], waiting[1].as_str());
    let entry_id = {
        let waiting_now: Value = app
            .api()
            .get(app.url("/api/v1/waitlist"))
            .bearer_auth(&api)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(waiting_now.as_array().unwrap().len(), 3, "the others still wait");
        waiting_now[0]["id"].as_str().unwrap().to_owned()
    };
    let removed = app
        .api()
        .delete(app.url(&format!("/api/v1/waitlist/{entry_id}")))
        .bearer_auth(&api)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::OK);
    assert_eq!(removed.json::<Value>().await.unwrap()["status"], "removed");
}

async fn calendar_feeds_list_the_times_without_the_patients(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = app.api_token("reception").await;
    let clinic = clinic(&app, "Australia/Brisbane", "08:00", "17:00", 1, 1).await;
    let day = next_week(&clinic);
    let who = contact(&app, &api, "Confidentia", Some("0412 555 340")).await;
    let made = book(&app, &api, json!({ "contact_id": who, "service_id": clinic.scan, "location_id": clinic.location_id, "start": local(&clinic, day, "09:00") })).await;
    let booking_id = made.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();

    let address = |path: String| {
        let app = &app;
        let api = api.clone();
        async move {
            let answer = app.api().get(app.url(&path)).bearer_auth(&api).send().await.unwrap();
            assert_eq!(answer.status(), StatusCode::OK, "{path}");
            let url = answer.json::<Value>().await.unwrap()["url"].as_str().unwrap().to_owned();
            url.split_once("/feeds/").map(|(_, rest)| format!("/feeds/{rest}")).unwrap()
        }
    };
    let staff_feed = address(format!("/api/v1/staff/{}/feed", clinic.staff[0])).await;
    let resource_feed = address(format!("/api/v1/resources/{}/feed", clinic.scanners[0])).await;
    assert!(staff_feed.starts_with("/feeds/staff/") && staff_feed.ends_with(".ics"), "{staff_feed}");
    for path in [&staff_feed, &resource_feed] {
        let answer = browser(&app.base_url).get(app.url(path)).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        assert!(answer.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
        let text = answer.text().await.unwrap();
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.contains("END:VCALENDAR"), "{text}");
        assert!(text.contains(&format!("UID:{booking_id}@avatar-crm")), "{text}");
        assert!(text.contains("SUMMARY:MRI 30 min (Booked)"), "{text}");
        // 09:00 in Brisbane is 23:00 UTC the day before.
        let utc = (day - Duration::days(1)).format("%Y%m%d").to_string();
        assert!(text.contains(&format!("DTSTART:{utc}T230000Z")), "{text}");
        assert!(
            !text.contains("Confidentia") && !text.contains("412555340") && !text.contains("0412"),
            "{text}"
        );
    }
    // Altered, or one kind's address used for the other: nothing.
    let bare = staff_feed.trim_end_matches(".ics");
    let last = if bare.ends_with('A') { "B" } else { "A" };
    let forged = format!("{}{last}.ics", &bare[..bare.len() - 1]);
    assert_eq!(
        browser(&app.base_url).get(app.url(&forged)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let swapped = staff_feed.replace("/feeds/staff/", "/feeds/resources/");
    assert_eq!(
        browser(&app.base_url).get(app.url(&swapped)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // Cancelled: gone from the feed at its next fetch.
    let cancelled = app
        .api()
        .post(app.url(&format!("/api/v1/bookings/{booking_id}/cancel")))
        .bearer_auth(&api)
        .json(&json!({ "reason": "Unwell" }))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    let text = browser(&app.base_url).get(app.url(&staff_feed)).send().await.unwrap().text().await.unwrap();
    assert!(!text.contains(&booking_id), "{text}");
    // A resource at a location the caller cannot see has no address for them.
    let other = crate::bookings::clinic(&app, "Australia/Perth", "08:00", "17:00", 1, 1).await;
    let limited = app.token_limited_to(&clinic.location_id).await;
    let hidden = app
        .api()
        .get(app.url(&format!("/api/v1/resources/{}/feed", other.scanners[0])))
        .bearer_auth(&limited)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
}
