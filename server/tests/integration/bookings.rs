//! Bookings through `/api/v1` on SQLite and PostgreSQL: free slots on the location's clock
//! (daylight-saving weeks in Sydney and New York included), racing creates of one slot and of
//! overlapping slots (exactly one wins, the rest are 409), the database's own refusal of a
//! clash, moves, cancel and rebook, status changes and what they leave behind.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use domain::on_db;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, create_user_in};

on_both_backends!(
    fifty_racing_creates_of_one_slot_make_exactly_one_booking,
    racing_overlapping_bookings_of_different_lengths_make_exactly_one,
    the_database_itself_refuses_an_overlap,
    slots_follow_the_clock_through_sydney_and_new_york_daylight_saving_changes,
    a_booking_moves_the_contact_to_booked_and_sends_a_confirmation,
    cancel_frees_the_slot_and_bringing_it_back_is_rechecked,
    moving_a_booking_is_rechecked_and_recorded,
    bad_times_and_ids_name_the_field_and_other_locations_are_hidden,
    completed_and_no_show_need_the_time_to_have_come,
    the_demo_clinic_has_schedules_and_bookings_without_a_clash,
    reminders_follow_a_moved_booking_and_are_sent_once,
    past_unconfirmed_bookings_are_flagged_for_review,
    analytics_count_utilisation_no_shows_and_lead_time
);

/// A location with one service on one kind of resource, staffed every day.
pub(crate) struct Clinic {
    pub location_id: String,
    pub zone: chrono_tz::Tz,
    /// 30 minutes, a 15-minute clean after.
    pub scan: String,
    /// 60 minutes on the same kind of scanner.
    pub long_scan: String,
    pub scanners: Vec<String>,
    pub staff: Vec<String>,
}

fn id() -> String {
    ulid::Ulid::new().to_string()
}

/// Sets up a location in `zone` open `opens`–`closes` every day, with `scanners` MRI scanners
/// and `staff` radiographers qualified for both scans and working the same hours.
pub(crate) async fn clinic(
    app: &TestApp,
    zone: &str,
    opens: &str,
    closes: &str,
    scanners: usize,
    staff: usize,
) -> Clinic {
    let db = &app.db;
    let location_id = id();
    let now = domain::time::Timestamp::now();
    let (scan, long_scan) = (id(), id());
    let mut scanner_ids = Vec::new();
    let mut staff_ids = Vec::new();
    for _ in 0..staff {
        staff_ids.push(create_user_in(db, "reception").await);
    }
    on_db!(db, pool => {
        sqlx::query("INSERT INTO locations (id, name, time_zone, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&location_id).bind(format!("Clinic {location_id}")).bind(zone).bind(now).execute(pool).await.unwrap();
        for day in 1..=7 {
            sqlx::query("INSERT INTO location_hours (location_id, weekday, opens, closes) VALUES ($1, $2, $3, $4)")
                .bind(&location_id).bind(day).bind(opens).bind(closes).execute(pool).await.unwrap();
        }
        for (service, minutes, after) in [(&scan, 30, 15), (&long_scan, 60, 0)] {
            sqlx::query(
                "INSERT INTO services (id, code, name, modality, duration_minutes, buffer_after_minutes, price_cents, resource_kind, created_at) \
                 VALUES ($1, $2, $3, 'mri', $4, $5, 45000, 'mri_scanner', $6)",
            )
            .bind(service).bind(format!("MRI-{service}")).bind(format!("MRI {minutes} min")).bind(minutes).bind(after).bind(now)
            .execute(pool).await.unwrap();
        }
        for n in 0..scanners {
            let scanner = id();
            sqlx::query("INSERT INTO resources (id, location_id, name, kind, created_at) VALUES ($1, $2, $3, 'mri_scanner', $4)")
                .bind(&scanner).bind(&location_id).bind(format!("MRI {}", n + 1)).bind(now).execute(pool).await.unwrap();
            scanner_ids.push(scanner);
        }
        for user in &staff_ids {
            for service in [&scan, &long_scan] {
                sqlx::query("INSERT INTO staff_services (user_id, service_id) VALUES ($1, $2)")
                    .bind(user).bind(service).execute(pool).await.unwrap();
            }
            for day in 1..=7 {
                sqlx::query("INSERT INTO staff_hours (user_id, location_id, weekday, starts, ends) VALUES ($1, $2, $3, $4, $5)")
                    .bind(user).bind(&location_id).bind(day).bind(opens).bind(closes).execute(pool).await.unwrap();
            }
        }
    });
    Clinic {
        location_id,
        zone: zone.parse().unwrap(),
        scan,
        long_scan,
        scanners: scanner_ids,
        staff: staff_ids,
    }
}

pub(crate) async fn contact(app: &TestApp, token: &str, first: &str, phone: Option<&str>) -> String {
    let mut body = json!({ "first_name": first, "last_name": "Patient" });
    match phone {
        Some(phone) => body["phone"] = json!(phone),
        None => body["email"] = json!(format!("{}@patients.test", id().to_lowercase())),
    }
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
    created["id"].as_str().unwrap_or_else(|| panic!("contact not created: {created}")).to_owned()
}

/// `time` on `day` on the clinic's clock, as RFC 3339 with its offset.
pub(crate) fn local(clinic: &Clinic, day: NaiveDate, time: &str) -> String {
    let t = chrono::NaiveTime::parse_from_str(time, "%H:%M").unwrap();
    clinic.zone.from_local_datetime(&day.and_time(t)).earliest().unwrap().to_rfc3339()
}

/// A day a week or so ahead on the clinic's clock.
pub(crate) fn next_week(clinic: &Clinic) -> NaiveDate {
    Utc::now().with_timezone(&clinic.zone).date_naive() + Duration::days(7)
}

pub(crate) async fn book(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.api().post(app.url("/api/v1/bookings")).bearer_auth(token).json(&body).send().await.unwrap()
}

/// Sends every body to `POST /bookings` at once; each answer's status and message.
async fn race(app: &TestApp, token: &str, bodies: Vec<Value>) -> Vec<(StatusCode, String)> {
    let mut set = tokio::task::JoinSet::new();
    for body in bodies {
        let (client, url, token) = (app.api(), app.url("/api/v1/bookings"), token.to_owned());
        set.spawn(async move {
            let response = client.post(url).bearer_auth(token).json(&body).send().await.unwrap();
            let status = response.status();
            let body: Value = response.json().await.unwrap();
            (status, body["error"]["message"].as_str().unwrap_or("").to_owned())
        });
    }
    set.join_all().await
}

async fn held_overlaps(app: &TestApp, resource: &str) -> i64 {
    on_db!(&app.db, pool => {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM bookings a JOIN bookings b ON a.id < b.id AND a.resource_id = b.resource_id \
             WHERE a.resource_id = $1 AND a.status <> 'cancelled' AND b.status <> 'cancelled' \
             AND a.held_from < b.held_until AND b.held_from < a.held_until",
        )
        .bind(resource)
        .fetch_one(pool)
        .await
        .unwrap()
    })
}

async fn fifty_racing_creates_of_one_slot_make_exactly_one_booking(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let clinic = clinic(&app, "Australia/Sydney", "08:00", "18:00", 1, 3).await;
    let mut contacts = Vec::new();
    for n in 0..50 {
        contacts.push(contact(&app, &token, &format!("Racer{n}"), None).await);
    }
    let start = local(&clinic, next_week(&clinic), "10:00");
    let bodies = contacts
        .iter()
        .map(|contact_id| {
            json!({ "contact_id": contact_id, "service_id": clinic.scan, "location_id": clinic.location_id,
                    "start": start, "resource_id": clinic.scanners[0] })
        })
        .collect();
    let mut statuses = Vec::new();
    for (status, message) in race(&app, &token, bodies).await {
        if status == StatusCode::CONFLICT {
            // Refused by the service's own check, or by the database when the race got past it.
            assert!(
                message.contains("MRI 1 is already booked") || message.contains("no longer free"),
                "{message}"
            );
        }
        statuses.push(status);
    }
    let created = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
    assert_eq!((created, refused), (1, 49), "{statuses:?}");
    let stored: i64 = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM bookings").fetch_one(pool).await.unwrap()
    });
    assert_eq!(stored, 1);
}

async fn racing_overlapping_bookings_of_different_lengths_make_exactly_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let clinic = clinic(&app, "Australia/Sydney", "08:00", "18:00", 1, 4).await;
    let day = next_week(&clinic);
    // Every one of these holds 09:45–10:00 (a 60-minute scan from 09:00–09:45, a 30-minute scan
    // plus its 15-minute clean from 09:15–09:45), so at most one can stand.
    let mut wanted = Vec::new();
    for n in 0..50 {
        let (service, start) = match n % 7 {
            0 => (&clinic.long_scan, "09:00"),
            1 => (&clinic.long_scan, "09:15"),
            2 => (&clinic.long_scan, "09:30"),
            3 => (&clinic.long_scan, "09:45"),
            4 => (&clinic.scan, "09:15"),
            5 => (&clinic.scan, "09:30"),
            _ => (&clinic.scan, "09:45"),
        };
        let contact_id = contact(&app, &token, &format!("Overlap{n}"), None).await;
        wanted.push(
            json!({ "contact_id": contact_id, "service_id": service, "location_id": clinic.location_id,
                            "start": local(&clinic, day, start) }),
        );
    }
    let statuses: Vec<StatusCode> =
        race(&app, &token, wanted).await.into_iter().map(|(status, _)| status).collect();
    let created = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
    assert_eq!((created, refused), (1, 49), "{statuses:?}");
    assert_eq!(held_overlaps(&app, &clinic.scanners[0]).await, 0);
}

async fn the_database_itself_refuses_an_overlap(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let clinic = clinic(&app, "Australia/Sydney", "08:00", "18:00", 1, 2).await;
    let contact_id = contact(&app, &token, "Direct", None).await;
    let day = next_week(&clinic);
    let response = book(
        &app,
        &token,
        json!({ "contact_id": contact_id, "service_id": clinic.scan, "location_id": clinic.location_id,
                "start": local(&clinic, day, "11:00") }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    // Straight into the table, past every check the service makes: an overlap on the scanner
    // (with another staff member), then one on the staff member (on another scanner).
    let at = |time: &str| {
        let t = chrono::NaiveTime::parse_from_str(time, "%H:%M").unwrap();
        domain::time::Timestamp(
            clinic.zone.from_local_datetime(&day.and_time(t)).earliest().unwrap().with_timezone(&Utc),
        )
    };
    let insert = |resource: String, staff: String, from: &'static str, until: &'static str| {
        let (db, contact_id, service, location) =
            (app.db.clone(), contact_id.clone(), clinic.scan.clone(), clinic.location_id.clone());
        let (from, until) = (at(from), at(until));
        async move {
            on_db!(&db, pool => {
                sqlx::query(
                    "INSERT INTO bookings (id, contact_id, service_id, location_id, resource_id, staff_id, starts_at, ends_at, \
                     held_from, held_until, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $8, 'booked', $7, $7)",
                )
                .bind(id()).bind(&contact_id).bind(&service).bind(&location).bind(&resource).bind(&staff).bind(from).bind(until)
                .execute(pool).await.map(|_| ()).map_err(|e| e.to_string())
            })
        }
    };
    let booked_staff: String = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT staff_id FROM bookings").fetch_one(pool).await.unwrap()
    });
    let other_staff = clinic.staff.iter().find(|s| **s != booked_staff).unwrap().clone();
    // 11:00–11:45 is held (30 minutes and the 15-minute clean): 11:40 overlaps, 11:45 touches.
    let err = insert(clinic.scanners[0].clone(), other_staff.clone(), "11:40", "12:00").await.unwrap_err();
    assert!(err.contains("bookings_resource_clash"), "{err}");
    insert(clinic.scanners[0].clone(), other_staff.clone(), "11:45", "12:00")
        .await
        .expect("back to back is fine");
    // The same staff member on another scanner, overlapping their booking.
    let second_scanner = id();
    on_db!(&app.db, pool => {
        sqlx::query("INSERT INTO resources (id, location_id, name, kind, created_at) VALUES ($1, $2, 'MRI spare', 'mri_scanner', $3)")
            .bind(&second_scanner).bind(&clinic.location_id).bind(domain::time::Timestamp::now()).execute(pool).await.unwrap();
    });
    let err = insert(second_scanner.clone(), booked_staff.clone(), "10:50", "11:10").await.unwrap_err();
    assert!(err.contains("bookings_staff_clash"), "{err}");
    // A cancelled booking holds nothing.
    on_db!(&app.db, pool => {
        sqlx::query("UPDATE bookings SET status = 'cancelled' WHERE staff_id = $1").bind(&booked_staff).execute(pool).await.unwrap();
    });
    insert(second_scanner, booked_staff, "10:50", "11:10").await.expect("the time is free once cancelled");
}

/// The `n`th `weekday` of `month` in the next twelve months (from tomorrow).
fn nth_weekday_ahead(month: u32, weekday: Weekday, n: u8) -> NaiveDate {
    let today = Utc::now().date_naive();
    let year = if NaiveDate::from_weekday_of_month_opt(today.year(), month, weekday, n).unwrap() > today {
        today.year()
    } else {
        today.year() + 1
    };
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n).unwrap()
}

async fn slot_starts(
    app: &TestApp,
    token: &str,
    clinic: &Clinic,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<String> {
    let response = app
        .api()
        .get(app.url(&format!(
            "/api/v1/availability?service_id={}&location_id={}&from={from}&to={to}",
            clinic.long_scan, clinic.location_id
        )))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let slots: Vec<Value> = response.json().await.unwrap();
    slots.iter().map(|s| s["start"].as_str().unwrap().to_owned()).collect()
}

async fn slots_follow_the_clock_through_sydney_and_new_york_daylight_saving_changes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let sydney = clinic(&app, "Australia/Sydney", "09:00", "14:00", 1, 1).await;
    for (sunday, before, after) in [
        (nth_weekday_ahead(10, Weekday::Sun, 1), "+10:00", "+11:00"),
        (nth_weekday_ahead(4, Weekday::Sun, 1), "+11:00", "+10:00"),
    ] {
        let saturday = sunday.pred_opt().unwrap();
        let starts = slot_starts(&app, &token, &sydney, saturday, sunday).await;
        for (day, offset) in [(saturday, before), (sunday, after)] {
            for time in ["09:00", "13:00"] {
                let expected = format!("{day}T{time}:00{offset}");
                assert!(starts.contains(&expected), "{expected} offered in {starts:?}");
            }
        }
        // 09:00–14:00 is five real hours either side of the change: 17 hourly scans a day on the grid.
        assert_eq!(starts.len(), 34, "{starts:?}");
        // Booked at 13:00 on the change day, it reads back on the new offset and lasts an hour.
        let contact_id = contact(&app, &token, "Dst", None).await;
        let start = format!("{sunday}T13:00:00{after}");
        let response = book(
            &app,
            &token,
            json!({ "contact_id": contact_id, "service_id": sydney.long_scan, "location_id": sydney.location_id, "start": start }),
        )
        .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let booking: Value = response.json().await.unwrap();
        assert_eq!(booking["start"], start);
        assert_eq!(booking["end"], format!("{sunday}T14:00:00{after}"));
    }

    let new_york = clinic(&app, "America/New_York", "00:00", "04:00", 1, 1).await;
    // Second Sunday of March: 02:00 becomes 03:00; first Sunday of November: 02:00 becomes 01:00.
    let spring = nth_weekday_ahead(3, Weekday::Sun, 2);
    let starts = slot_starts(&app, &token, &new_york, spring, spring).await;
    assert!(starts.iter().all(|s| !s.contains("T02:")), "the skipped hour is never offered: {starts:?}");
    assert!(
        starts.contains(&format!("{spring}T01:00:00-05:00"))
            && starts.contains(&format!("{spring}T03:00:00-04:00"))
    );
    let autumn = nth_weekday_ahead(11, Weekday::Sun, 1);
    let starts = slot_starts(&app, &token, &new_york, autumn, autumn).await;
    assert!(
        starts.contains(&format!("{autumn}T01:00:00-04:00"))
            && starts.contains(&format!("{autumn}T01:00:00-05:00"))
    );
    let mut distinct = starts.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), starts.len(), "each real instant once");
}

async fn a_booking_moves_the_contact_to_booked_and_sends_a_confirmation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let clinic = clinic(&app, "Australia/Brisbane", "08:00", "17:00", 2, 2).await;
    let contact_id = contact(&app, &token, "Olivia", Some("0412 555 019")).await;
    let start = local(&clinic, next_week(&clinic), "08:30");
    let response = book(
        &app,
        &token,
        json!({ "contact_id": contact_id, "service_id": clinic.scan, "location_id": clinic.location_id, "start": start,
                "notes": "Claustrophobic: offer the wide-bore" }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let booking: Value = response.json().await.unwrap();
    assert_eq!(booking["status"], "booked");
    assert_eq!(booking["resource_name"], "MRI 1", "the first free scanner");
    assert!(booking["start_label"].as_str().unwrap().contains("8:30 am AEST"), "{}", booking["start_label"]);
    let api = app.api();
    let stage: String = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT s.key FROM contacts c JOIN pipeline_stages s ON s.id = c.stage_id WHERE c.id = $1")
            .bind(&contact_id).fetch_one(pool).await.unwrap()
    });
    assert_eq!(stage, "booked");
    let timeline: Value = api
        .get(app.url(&format!("/api/v1/contacts/{contact_id}/touchpoints")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let summaries: Vec<&str> =
        timeline["items"].as_array().unwrap().iter().map(|t| t["summary"].as_str().unwrap()).collect();
    assert!(summaries.iter().any(|s| s.starts_with("Booked: MRI 30 min at Clinic")), "{summaries:?}");
    assert!(summaries.iter().any(|s| s.starts_with("Stage: New enquiry → Booked")), "{summaries:?}");
    let messages: Value = api
        .get(app.url(&format!("/api/v1/messages?contact_id={contact_id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let body = messages["items"][0]["body"].as_str().unwrap();
    assert!(body.starts_with("Hi Olivia, your MRI 30 min at Clinic"), "{body}");
    assert!(body.contains("8:30 am AEST") && body.contains("Reply YES to confirm"), "{body}");
    let detail: Value = api
        .get(app.url(&format!("/api/v1/bookings/{}", booking["id"].as_str().unwrap())))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["notes"], "Claustrophobic: offer the wide-bore");
    assert_eq!(detail["history"][0]["kind"], "created");
    let actions: Vec<String> = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT action FROM audit_events WHERE subject_id = $1 ORDER BY id")
            .bind(booking["id"].as_str().unwrap()).fetch_all(pool).await.unwrap()
    });
    assert_eq!(actions, ["booking.create", "booking.view"]);
}

async fn cancel_frees_the_slot_and_bringing_it_back_is_rechecked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let clinic = clinic(&app, "Australia/Sydney", "08:00", "18:00", 1, 1).await;
    let (first, second) =
        (contact(&app, &token, "First", None).await, contact(&app, &token, "Second", None).await);
    let start = local(&clinic, next_week(&clinic), "15:00");
    let body = |contact_id: &str| json!({ "contact_id": contact_id, "service_id": clinic.scan, "location_id": clinic.location_id, "start": start });
    let booking: Value = book(&app, &token, body(&first)).await.json().await.unwrap();
    let id = booking["id"].as_str().unwrap();
    assert_eq!(book(&app, &token, body(&second)).await.status(), StatusCode::CONFLICT);
    let api = app.api();
    let post = |path: String, body: Value| api.post(app.url(&path)).bearer_auth(&token).json(&body).send();
    let no_reason = post(format!("/api/v1/bookings/{id}/cancel"), json!({ "reason": " " })).await.unwrap();
    assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let cancelled: Value =
        post(format!("/api/v1/bookings/{id}/cancel"), json!({ "reason": "Patient unwell" }))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["cancel_reason"].as_str()),
        (Some("cancelled"), Some("Patient unwell"))
    );
    // The slot is offered again and the other patient gets it.
    let day = next_week(&clinic);
    let slots: Vec<Value> = api
        .get(app.url(&format!(
            "/api/v1/availability?service_id={}&location_id={}&from={day}&to={day}",
            clinic.scan, clinic.location_id
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(slots.iter().any(|s| s["start"] == start));
    assert_eq!(book(&app, &token, body(&second)).await.status(), StatusCode::CREATED);
    // Bringing the first back would clash now: refused, named.
    let back = post(format!("/api/v1/bookings/{id}/uncancel"), json!({})).await.unwrap();
    assert_eq!(back.status(), StatusCode::CONFLICT);
    let message: Value = back.json().await.unwrap();
    assert!(message["error"]["message"].as_str().unwrap().contains("already booked"), "{message}");
    let confirm = post(format!("/api/v1/bookings/{id}/confirm"), json!({})).await.unwrap();
    assert_eq!(confirm.status(), StatusCode::CONFLICT, "a cancelled booking can't be confirmed");
    let detail: Value = api
        .get(app.url(&format!("/api/v1/bookings/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> =
        detail["history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["created", "cancelled"]);
    assert_eq!(detail["history"][1]["detail"], "Patient unwell");
}

async fn moving_a_booking_is_rechecked_and_recorded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let clinic = clinic(&app, "Australia/Sydney", "08:00", "18:00", 1, 1).await;
    let day = next_week(&clinic);
    let (a, b) = (contact(&app, &token, "Mover", None).await, contact(&app, &token, "Stayer", None).await);
    let mover: Value = book(
        &app,
        &token,
        json!({ "contact_id": a, "service_id": clinic.scan, "location_id": clinic.location_id, "start": local(&clinic, day, "09:00") }),
    )
    .await
    .json()
    .await
    .unwrap();
    let stayer = book(
        &app,
        &token,
        json!({ "contact_id": b, "service_id": clinic.scan, "location_id": clinic.location_id, "start": local(&clinic, day, "10:00") }),
    )
    .await;
    assert_eq!(stayer.status(), StatusCode::CREATED);
    let api = app.api();
    let id = mover["id"].as_str().unwrap();
    let patch = |body: Value| {
        api.patch(app.url(&format!("/api/v1/bookings/{id}"))).bearer_auth(&token).json(&body).send()
    };
    // 09:30 would hold until 10:15 (with the clean): over the 10:00 booking.
    let clash = patch(json!({ "start": local(&clinic, day, "09:30") })).await.unwrap();
    assert_eq!(clash.status(), StatusCode::CONFLICT);
    // Its own time does not stand in its way: 09:15 overlaps only itself.
    let moved = patch(json!({ "start": local(&clinic, day, "09:15") })).await.unwrap();
    assert_eq!(moved.status(), StatusCode::OK);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(moved["start"], local(&clinic, day, "09:15"));
    let off_grid = patch(json!({ "start": local(&clinic, day, "09:07") })).await.unwrap();
    assert_eq!(off_grid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = off_grid.json().await.unwrap();
    assert!(body["error"]["fields"]["start"].as_str().unwrap().contains("every 15 minutes"), "{body}");
    let detail: Value = api
        .get(app.url(&format!("/api/v1/bookings/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["history"][1]["kind"], "rescheduled");
    assert!(
        detail["history"][1]["detail"].as_str().unwrap().contains("9:00 am AEDT → "),
        "{}",
        detail["history"][1]
    );
}

async fn bad_times_and_ids_name_the_field_and_other_locations_are_hidden(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let clinic = clinic(&app, "Australia/Sydney", "08:00", "18:00", 1, 1).await;
    let other = clinic_elsewhere(&app).await;
    let contact_id = contact(&app, &token, "Valid", None).await;
    let day = next_week(&clinic);
    let problem = |response: Value| response["error"]["fields"].clone();
    let base =
        json!({ "contact_id": contact_id, "service_id": clinic.scan, "location_id": clinic.location_id });
    let with = |changes: Value| {
        let mut body = base.clone();
        for (k, v) in changes.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let response = book(&app, &token, with(json!({ "start": local(&clinic, day, "07:00") }))).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "before opening");
    assert!(problem(response.json().await.unwrap())["start"].is_string());
    let response = book(&app, &token, with(json!({ "start": "2020-01-01T09:00:00+11:00" }))).await;
    assert_eq!(problem(response.json().await.unwrap())["start"], "is in the past");
    let far = (Utc::now() + Duration::days(400)).to_rfc3339();
    let response = book(&app, &token, with(json!({ "start": far }))).await;
    assert_eq!(problem(response.json().await.unwrap())["start"], "is more than 12 months ahead");
    let response = book(&app, &token, with(json!({ "start": "tomorrow at nine" }))).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = book(
        &app,
        &token,
        with(json!({ "service_id": "nope", "contact_id": id(), "start": local(&clinic, day, "09:00") })),
    )
    .await;
    let fields = problem(response.json().await.unwrap());
    assert!(fields["service_id"].is_string(), "{fields}");
    let response =
        book(&app, &token, with(json!({ "contact_id": id(), "start": local(&clinic, day, "09:00") }))).await;
    assert_eq!(problem(response.json().await.unwrap())["contact_id"], "is not a contact");
    let availability = |query: String| {
        app.api().get(app.url(&format!("/api/v1/availability?{query}"))).bearer_auth(&token).send()
    };
    let response = availability(format!(
        "service_id={}&location_id={}&from=2027-02-30&to=2027-01-01",
        clinic.scan, clinic.location_id
    ))
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem(response.json().await.unwrap())["from"].is_string());
    let response = availability(format!(
        "service_id={}&location_id={}&from=2027-01-01&to=2027-06-01",
        clinic.scan, clinic.location_id
    ))
    .await
    .unwrap();
    assert_eq!(problem(response.json().await.unwrap())["to"], "must be within 62 days of from");
    // A year far out is refused, not passed on to the database (whose time types would overflow).
    for query in ["from=9999-01-01", "to=0001-01-01", "from=+262143-01-01"] {
        let response = app
            .api()
            .get(app.url(&format!("/api/v1/bookings?{query}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
    }

    // A desk limited to the other location sees neither this location's slots nor its bookings.
    let booking: Value = book(&app, &token, with(json!({ "start": local(&clinic, day, "09:00") })))
        .await
        .json()
        .await
        .unwrap();
    let limited = app.token_limited_to(&other).await;
    let hidden = app
        .api()
        .get(app.url(&format!("/api/v1/bookings/{}", booking["id"].as_str().unwrap())))
        .bearer_auth(&limited)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let listed: Value = app
        .api()
        .get(app.url("/api/v1/bookings"))
        .bearer_auth(&limited)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
    let slots = app
        .api()
        .get(app.url(&format!(
            "/api/v1/availability?service_id={}&location_id={}&from={day}&to={day}",
            clinic.scan, clinic.location_id
        )))
        .bearer_auth(&limited)
        .send()
        .await
        .unwrap();
    assert_eq!(slots.status(), StatusCode::NOT_FOUND);
    let readonly = app.api_token("readonly").await;
    let refused = book(&app, &readonly, with(json!({ "start": local(&clinic, day, "11:00") }))).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // The day's list, on the location's clock.
    let listed: Value = app
        .api()
        .get(app.url(&format!("/api/v1/bookings?location_id={}&from={day}&to={day}", clinic.location_id)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let next_day = day.succ_opt().unwrap();
    let listed: Value = app
        .api()
        .get(app.url(&format!("/api/v1/bookings?location_id={}&from={next_day}", clinic.location_id)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
}

/// A second location with nothing in it; its id.
async fn clinic_elsewhere(app: &TestApp) -> String {
    let location_id = id();
    on_db!(&app.db, pool => {
        sqlx::query("INSERT INTO locations (id, name, time_zone, created_at) VALUES ($1, 'Elsewhere', 'Australia/Perth', $2)")
            .bind(&location_id).bind(domain::time::Timestamp::now()).execute(pool).await.unwrap();
    });
    location_id
}

async fn completed_and_no_show_need_the_time_to_have_come(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let clinic = clinic(&app, "Australia/Sydney", "08:00", "18:00", 1, 1).await;
    let contact_id = contact(&app, &token, "Attender", None).await;
    let booking: Value = book(
        &app,
        &token,
        json!({ "contact_id": contact_id, "service_id": clinic.scan, "location_id": clinic.location_id,
                "start": local(&clinic, next_week(&clinic), "12:00") }),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = booking["id"].as_str().unwrap().to_owned();
    let api = app.api();
    let post = |action: &str| {
        api.post(app.url(&format!("/api/v1/bookings/{id}/{action}"))).bearer_auth(&token).send()
    };
    assert_eq!(post("complete").await.unwrap().status(), StatusCode::CONFLICT, "not before it starts");
    assert_eq!(post("no-show").await.unwrap().status(), StatusCode::CONFLICT);
    let confirmed: Value = post("confirm").await.unwrap().json().await.unwrap();
    assert_eq!(confirmed["status"], "confirmed");
    assert_eq!(post("confirm").await.unwrap().status(), StatusCode::OK, "confirming twice is harmless");
    // Its time comes (moved into the past in the table, as time would).
    on_db!(&app.db, pool => {
        let past = domain::time::Timestamp(Utc::now() - Duration::hours(2));
        let end = domain::time::Timestamp(Utc::now() - Duration::hours(1));
        sqlx::query("UPDATE bookings SET starts_at = $2, held_from = $2, ends_at = $3, held_until = $3 WHERE id = $1")
            .bind(&id).bind(past).bind(end).execute(pool).await.unwrap();
    });
    let missed: Value = post("no-show").await.unwrap().json().await.unwrap();
    assert_eq!(missed["status"], "no_show");
    // They did come after all: completed, and the contact is Attended.
    let done: Value = post("complete").await.unwrap().json().await.unwrap();
    assert_eq!(done["status"], "completed");
    let stage: String = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT s.key FROM contacts c JOIN pipeline_stages s ON s.id = c.stage_id WHERE c.id = $1")
            .bind(&contact_id).fetch_one(pool).await.unwrap()
    });
    assert_eq!(stage, "attended");
    let cancel = api
        .post(app.url(&format!("/api/v1/bookings/{id}/cancel")))
        .bearer_auth(&token)
        .json(&json!({ "reason": "late" }))
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), StatusCode::CONFLICT, "a completed booking can't be cancelled");
}

async fn the_demo_clinic_has_schedules_and_bookings_without_a_clash(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let report = app.seed_demo().await;
    assert!(report.bookings > 200, "{report:?}");
    let token = app.api_token("reception").await;
    let get = |path: &str| {
        let request = app.api().get(app.url(path)).bearer_auth(&token).send();
        async move { request.await.unwrap().json::<Value>().await.unwrap() }
    };
    let locations = get("/api/v1/locations").await;
    let sydney = locations.as_array().unwrap().iter().find(|l| l["name"] == "Sydney CBD").unwrap().clone();
    assert_eq!(sydney["time_zone"], "Australia/Sydney");
    assert!(sydney["hours"].as_array().unwrap().iter().any(|h| h["weekday"] == 6 && h["closes"] == "12:00"));
    let services = get("/api/v1/services").await;
    let brain = services.as_array().unwrap().iter().find(|s| s["code"] == "mri-brain").unwrap().clone();
    assert_eq!(brain["resource_kind"], "mri_scanner");
    let resources = get("/api/v1/resources").await;
    assert_eq!(resources.as_array().unwrap().len(), 12);
    assert!(
        resources.as_array().unwrap().iter().any(|r| !r["blocks"].as_array().unwrap().is_empty()),
        "a maintenance block"
    );
    let staff = get("/api/v1/staff").await;
    let tom = staff.as_array().unwrap().iter().find(|s| s["display_name"] == "Tom Okafor").unwrap().clone();
    assert!(tom["service_ids"].as_array().unwrap().contains(&brain["id"]));
    // No resource or staff member is ever held twice at once.
    for resource in resources.as_array().unwrap() {
        assert_eq!(held_overlaps(&app, resource["id"].as_str().unwrap()).await, 0);
    }
    let staff_overlaps: i64 = on_db!(&app.db, pool => {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM bookings a JOIN bookings b ON a.id < b.id AND a.staff_id = b.staff_id \
             WHERE a.status <> 'cancelled' AND b.status <> 'cancelled' AND a.held_from < b.held_until AND b.held_from < a.held_until",
        )
        .fetch_one(pool)
        .await
        .unwrap()
    });
    assert_eq!(staff_overlaps, 0);
    // Next week at Sydney: bookings to show, and MRI brain still has free times.
    let zone: chrono_tz::Tz = "Australia/Sydney".parse().unwrap();
    let today = Utc::now().with_timezone(&zone).date_naive();
    let (from, to) = (today + Duration::days(1), today + Duration::days(7));
    let sydney_id = sydney["id"].as_str().unwrap();
    let week = get(&format!("/api/v1/bookings?location_id={sydney_id}&from={from}&to={to}&limit=500")).await;
    assert!(week["items"].as_array().unwrap().len() > 20, "{}", week["items"].as_array().unwrap().len());
    let slots = get(&format!(
        "/api/v1/availability?service_id={}&location_id={sydney_id}&from={from}&to={to}",
        brain["id"].as_str().unwrap()
    ))
    .await;
    assert!(!slots.as_array().unwrap().is_empty());
    // Seeding again adds nothing.
    assert_eq!(app.seed_demo().await.bookings, 0);
}

/// The reminder jobs of a booking: (key, run_at).
async fn reminder_jobs(app: &TestApp, booking_id: &str) -> Vec<(String, domain::time::Timestamp)> {
    on_db!(&app.db, pool => {
        sqlx::query_as("SELECT idempotency_key, run_at FROM jobs WHERE kind = 'booking_reminder' AND idempotency_key LIKE $1 ORDER BY idempotency_key")
            .bind(format!("booking_reminder:{booking_id}:%"))
            .fetch_all(pool)
            .await
            .unwrap()
    })
}

/// Runs a booking's reminder job for `offset` minutes, as the worker would.
async fn run_reminder(app: &TestApp, booking_id: &str, offset: i64) {
    use domain::jobs::worker::Handler;
    let job = domain::jobs::queue::ClaimedJob {
        id: id(),
        kind: domain::model::JobKind::BookingReminder,
        payload: json!({ "booking_id": booking_id, "offset_minutes": offset }),
        attempt: 1,
        max_attempts: 6,
        interrupted: 0,
    };
    domain::services::bookings::reminders::SendReminder(app.db.clone()).run(&job).await.unwrap();
}

async fn reminder_bodies(app: &TestApp, contact_id: &str) -> Vec<String> {
    on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT body FROM messages WHERE contact_id = $1 AND template = 'booking_reminder' ORDER BY id")
            .bind(contact_id)
            .fetch_all(pool)
            .await
            .unwrap()
    })
}

async fn reminders_follow_a_moved_booking_and_are_sent_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let clinic = clinic(&app, "Australia/Sydney", "08:00", "18:00", 1, 1).await;
    let contact_id = contact(&app, &token, "Remi", Some("0412 555 020")).await;
    let day = next_week(&clinic);
    let booking: Value = book(
        &app,
        &token,
        json!({ "contact_id": contact_id, "service_id": clinic.scan, "location_id": clinic.location_id, "start": local(&clinic, day, "10:00") }),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = booking["id"].as_str().unwrap().to_owned();
    let start = |d: NaiveDate, t: &str| {
        chrono::DateTime::parse_from_rfc3339(&local(&clinic, d, t)).unwrap().with_timezone(&Utc)
    };
    let jobs = reminder_jobs(&app, &id).await;
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0].0, format!("booking_reminder:{id}:180"));
    assert_eq!(jobs[0].1.0, start(day, "10:00") - Duration::hours(3));
    assert_eq!(jobs[1].1.0, start(day, "10:00") - Duration::hours(48));

    // Moved a day later: the same two jobs, at the new times.
    let later = day.succ_opt().unwrap();
    let moved = app
        .api()
        .patch(app.url(&format!("/api/v1/bookings/{id}")))
        .bearer_auth(&token)
        .json(&json!({ "start": local(&clinic, later, "11:00") }))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::OK);
    let jobs = reminder_jobs(&app, &id).await;
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0].1.0, start(later, "11:00") - Duration::hours(3));
    assert_eq!(jobs[1].1.0, start(later, "11:00") - Duration::hours(48));

    // Its job runs (twice, as a retried job may): one text, naming the new time.
    run_reminder(&app, &id, 2880).await;
    run_reminder(&app, &id, 2880).await;
    let bodies = reminder_bodies(&app, &contact_id).await;
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert!(
        bodies[0].contains("11:00 am AED") && bodies[0].contains("Reply YES to confirm"),
        "{}",
        bodies[0]
    );

    // Cancelled: the 3-hour reminder sends nothing.
    let cancelled = app
        .api()
        .post(app.url(&format!("/api/v1/bookings/{id}/cancel")))
        .bearer_auth(&token)
        .json(&json!({ "reason": "Going overseas" }))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    run_reminder(&app, &id, 180).await;
    assert_eq!(reminder_bodies(&app, &contact_id).await.len(), 1);

    // Booked again and the patient opts out of texts: still nothing.
    let back = app
        .api()
        .post(app.url(&format!("/api/v1/bookings/{id}/uncancel")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), StatusCode::OK);
    let admin = app.api_token("admin").await;
    let suppressed = app
        .api()
        .post(app.url("/api/v1/suppressions"))
        .bearer_auth(&admin)
        .json(&json!({ "contact_id": contact_id, "channel": "sms", "reason": "opted_out" }))
        .send()
        .await
        .unwrap();
    assert_eq!(suppressed.status(), StatusCode::CREATED, "{}", suppressed.text().await.unwrap());
    run_reminder(&app, &id, 180).await;
    assert_eq!(reminder_bodies(&app, &contact_id).await.len(), 1);
}

async fn past_unconfirmed_bookings_are_flagged_for_review(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    let clinic = clinic(&app, "Australia/Sydney", "08:00", "18:00", 2, 2).await;
    let day = next_week(&clinic);
    let mut ids = Vec::new();
    for (n, time) in ["09:00", "10:00"].iter().enumerate() {
        let contact_id = contact(&app, &token, &format!("Past{n}"), None).await;
        let booking: Value = book(
            &app,
            &token,
            json!({ "contact_id": contact_id, "service_id": clinic.scan, "location_id": clinic.location_id, "start": local(&clinic, day, time) }),
        )
        .await
        .json()
        .await
        .unwrap();
        ids.push(booking["id"].as_str().unwrap().to_owned());
    }
    let confirm = app
        .api()
        .post(app.url(&format!("/api/v1/bookings/{}/confirm", ids[1])))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(confirm.status(), StatusCode::OK);
    // A week passes.
    let flagged =
        domain::services::bookings::reminders::flag_unconfirmed(&app.db, Utc::now() + Duration::days(9))
            .await
            .unwrap();
    assert_eq!(flagged, 1, "only the booking nobody confirmed");
    let get = |id: String| {
        let request = app.api().get(app.url(&format!("/api/v1/bookings/{id}"))).bearer_auth(&token).send();
        async move { request.await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(get(ids[0].clone()).await["needs_review"], true);
    assert_eq!(get(ids[1].clone()).await["needs_review"], false);
}

async fn analytics_count_utilisation_no_shows_and_lead_time(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("manager").await;
    let clinic = clinic(&app, "Australia/Sydney", "08:00", "18:00", 1, 1).await;
    let day = next_week(&clinic);
    let mut ids = Vec::new();
    for (n, time) in ["09:00", "10:00", "11:00", "12:00"].into_iter().enumerate() {
        let who = contact(&app, &token, &format!("Stat{n}"), None).await;
        let made = book(&app, &token, json!({ "contact_id": who, "service_id": clinic.scan, "location_id": clinic.location_id, "start": local(&clinic, day, time) })).await;
        assert_eq!(made.status(), StatusCode::CREATED);
        ids.push(made.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned());
    }
    // As if the day had happened: two attended, one missed, one cancelled; each booked two days
    // ahead; two hours of maintenance on the scanner that day.
    let start =
        chrono::DateTime::parse_from_rfc3339(&local(&clinic, day, "09:00")).unwrap().with_timezone(&Utc);
    on_db!(&app.db, pool => {
        for (id, status) in ids.iter().zip(["completed", "completed", "no_show", "cancelled"]) {
            sqlx::query("UPDATE bookings SET status = $2 WHERE id = $1").bind(id).bind(status).execute(pool).await.unwrap();
        }
        sqlx::query("UPDATE bookings SET created_at = $1").bind(domain::time::Timestamp(start - Duration::hours(48))).execute(pool).await.unwrap();
        sqlx::query("INSERT INTO resource_blocks (id, resource_id, starts_at, ends_at, reason, created_at) VALUES ($1, $2, $3, $4, 'Service', $5)")
            .bind(id()).bind(&clinic.scanners[0])
            .bind(domain::time::Timestamp(start + Duration::hours(5)))
            .bind(domain::time::Timestamp(start + Duration::hours(7)))
            .bind(domain::time::Timestamp::now())
            .execute(pool).await.unwrap();
    });
    let answer = app
        .api()
        .get(app.url(&format!(
            "/api/v1/analytics/bookings?location_id={}&from={day}&to={day}",
            clinic.location_id
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let figures: Value = answer.json().await.unwrap();
    assert_eq!(figures["bookings"], 3, "{figures}");
    assert_eq!(figures["finished"], 3);
    assert_eq!(figures["no_shows"], 1);
    assert_eq!(figures["no_show_percent"], 33.3);
    // 48, 49 and 50 hours ahead (the cancelled one left out).
    assert_eq!(figures["median_lead_hours"], 49.0);
    let scanner = &figures["utilisation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["resource_id"] == clinic.scanners[0].as_str())
        .unwrap()
        .clone();
    // Open 10 hours less 2 of maintenance; three 30-minute scans held.
    assert_eq!(scanner["open_minutes"], 480);
    assert_eq!(scanner["booked_minutes"], 90);
    assert_eq!(scanner["percent"], 18.8);
    let service = &figures["by_service"][0];
    assert_eq!(
        (
            service["bookings"].as_i64(),
            service["completed"].as_i64(),
            service["no_shows"].as_i64(),
            service["cancelled"].as_i64()
        ),
        (Some(4), Some(2), Some(1), Some(1))
    );

    // Another location's figures are not the caller's; bad days name the field.
    let bad = app
        .api()
        .get(app.url(&format!("/api/v1/analytics/bookings?from={day}&to=2020-01-01")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json::<Value>().await.unwrap()["error"]["fields"]["to"].is_string());
    let other = self::clinic(&app, "Australia/Brisbane", "08:00", "18:00", 1, 1).await;
    let elsewhere = app.token_limited_to(&other.location_id).await;
    let hidden = app
        .api()
        .get(app.url(&format!(
            "/api/v1/analytics/bookings?location_id={}&from={day}&to={day}",
            clinic.location_id
        )))
        .bearer_auth(&elsewhere)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
}
