//! Setting the diary up through `/api/v1` on SQLite and PostgreSQL: opening hours, closures,
//! services, scanners and their maintenance, staff qualifications, hours and leave — each
//! change shows in what availability offers, bad input names every field, clashes of names are
//! 409, and only `settings.write` may change any of it.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::bookings::{Clinic, clinic, next_week};
use crate::common::{Backend, TestApp};

on_both_backends!(the_diary_set_up_decides_what_is_offered);

async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app.api().request(method, app.url(&format!("/api/v1{path}"))).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let answer = request.send().await.unwrap();
    let status = answer.status();
    (status, answer.json().await.unwrap_or(Value::Null))
}

/// Local start times ("09:00") offered on `day` for `service`.
async fn offered(
    app: &TestApp,
    token: &str,
    clinic: &Clinic,
    service: &str,
    day: chrono::NaiveDate,
) -> Vec<String> {
    let (status, slots) = call(
        app,
        token,
        Method::GET,
        &format!("/availability?service_id={service}&location_id={}&from={day}&to={day}", clinic.location_id),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{slots}");
    slots.as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap()[11..16].to_owned()).collect()
}

async fn the_diary_set_up_decides_what_is_offered(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.api_token("admin").await;
    let reception = app.api_token("reception").await;
    let clinic = clinic(&app, "Australia/Sydney", "08:00", "18:00", 1, 1).await;
    let location = clinic.location_id.clone();
    // A Monday a week or more ahead, and the days after it.
    let mut monday = next_week(&clinic);
    while chrono::Datelike::weekday(&monday) != chrono::Weekday::Mon {
        monday += Duration::days(1);
    }
    let (tuesday, saturday) = (monday + Duration::days(1), monday + Duration::days(5));

    // Weekday mornings only.
    let week: Vec<Value> =
        (1..=5).map(|d| json!({ "weekday": d, "opens": "09:00", "closes": "12:00" })).collect();
    let (status, _) = call(
        &app,
        &reception,
        Method::PUT,
        &format!("/locations/{location}/hours"),
        Some(json!({ "periods": week })),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, saved) = call(
        &app,
        &admin,
        Method::PUT,
        &format!("/locations/{location}/hours"),
        Some(json!({ "periods": week })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["hours"].as_array().unwrap().len(), 5);
    let times = offered(&app, &admin, &clinic, &clinic.scan, monday).await;
    // 30 minutes and a 15-minute clean must end by noon: 09:00 to 11:15.
    assert_eq!(times.first().map(String::as_str), Some("09:00"));
    assert_eq!(times.last().map(String::as_str), Some("11:15"), "{times:?}");
    assert!(offered(&app, &admin, &clinic, &clinic.scan, saturday).await.is_empty());
    let (status, bad) = call(
        &app,
        &admin,
        Method::PUT,
        &format!("/locations/{location}/hours"),
        Some(json!({ "periods": [
            { "weekday": 8, "opens": "09:00", "closes": "12:00" },
            { "weekday": 1, "opens": "9am", "closes": "12:00" },
            { "weekday": 2, "opens": "13:00", "closes": "12:00" },
            { "weekday": 3, "opens": "09:00", "closes": "12:00" },
            { "weekday": 3, "opens": "11:00", "closes": "14:00" },
        ] })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &bad["error"]["fields"];
    for field in ["periods[0].weekday", "periods[1].start", "periods[2].end", "periods[4]"] {
        assert!(fields[field].is_string(), "{field}: {bad}");
    }
    assert_eq!(
        offered(&app, &admin, &clinic, &clinic.scan, monday).await.len(),
        times.len(),
        "nothing changed"
    );

    // Closed for a public holiday, then open again.
    let (status, _) = call(
        &app,
        &admin,
        Method::POST,
        &format!("/locations/{location}/closures"),
        Some(json!({ "day": monday.to_string(), "reason": "Public holiday" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(offered(&app, &admin, &clinic, &clinic.scan, monday).await.is_empty());
    let (status, _) = call(
        &app,
        &admin,
        Method::POST,
        &format!("/locations/{location}/closures"),
        Some(json!({ "day": monday.to_string(), "reason": "Again" })),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) =
        call(&app, &admin, Method::DELETE, &format!("/locations/{location}/closures/{monday}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!offered(&app, &admin, &clinic, &clinic.scan, monday).await.is_empty());

    // Maintenance on the only scanner from 09:00 to 10:00 on Tuesday.
    let start = format!("{tuesday}T09:00:00+10:00");
    let end = format!("{tuesday}T10:00:00+10:00");
    let (status, scanner) = call(
        &app,
        &admin,
        Method::POST,
        &format!("/resources/{}/blocks", clinic.scanners[0]),
        Some(json!({ "starts_at": start, "ends_at": end, "reason": "Helium refill" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{scanner}");
    let tuesday_times = offered(&app, &admin, &clinic, &clinic.scan, tuesday).await;
    // Sydney is on +11:00 in summer and +10:00 in winter: either way nothing in the blocked hour.
    let block_id = scanner["blocks"][0]["id"].as_str().unwrap().to_owned();
    assert!(tuesday_times.len() < times.len(), "{tuesday_times:?}");
    let (status, _) = call(
        &app,
        &admin,
        Method::POST,
        &format!("/resources/{}/blocks", clinic.scanners[0]),
        Some(json!({ "starts_at": end, "ends_at": start, "reason": "" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call(
        &app,
        &admin,
        Method::DELETE,
        &format!("/resources/{}/blocks/{block_id}", clinic.scanners[0]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(offered(&app, &admin, &clinic, &clinic.scan, tuesday).await.len(), times.len());

    // A new service on a new kind of scanner: nothing until there is a CT scanner and someone
    // qualified, working.
    let (status, bad) = call(
        &app,
        &admin,
        Method::POST,
        "/services",
        Some(json!({ "code": "CT-CHEST", "duration_minutes": 1 })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["name", "modality", "duration_minutes", "price_cents"] {
        assert!(bad["error"]["fields"][field].is_string(), "{field}: {bad}");
    }
    let ct = json!({ "code": "CT-CHEST", "name": "CT chest", "modality": "ct", "duration_minutes": 20, "buffer_after_minutes": 10,
                     "price_cents": 38000, "preparation": "Nothing to eat for 2 hours.", "resource_kind": "ct_scanner" });
    let (status, service) = call(&app, &admin, Method::POST, "/services", Some(ct.clone())).await;
    assert_eq!(status, StatusCode::OK, "{service}");
    let ct_id = service["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (service["price_cents"].as_i64(), service["buffer_after_minutes"].as_i64()),
        (Some(38000), Some(10))
    );
    let (status, _) = call(&app, &admin, Method::POST, "/services", Some(ct)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, changed) = call(
        &app,
        &admin,
        Method::PATCH,
        &format!("/services/{ct_id}"),
        Some(json!({ "preparation": null, "price_cents": 39000 })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((changed["preparation"].is_null(), changed["name"].as_str()), (true, Some("CT chest")));
    let (status, _) = call(
        &app,
        &admin,
        Method::POST,
        "/resources",
        Some(json!({ "location_id": location, "name": "CT 1", "kind": "ct_scanner" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &app,
        &admin,
        Method::POST,
        "/resources",
        Some(json!({ "location_id": location, "name": "CT 1", "kind": "ct_scanner" })),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(offered(&app, &admin, &clinic, &ct_id, monday).await.is_empty(), "no one is qualified yet");
    let staff = &clinic.staff[0];
    let (status, member) = call(
        &app,
        &admin,
        Method::PUT,
        &format!("/staff/{staff}/services"),
        Some(json!({ "service_ids": [clinic.scan, ct_id] })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{member}");
    assert!(!offered(&app, &admin, &clinic, &ct_id, monday).await.is_empty());
    let (status, _) = call(
        &app,
        &admin,
        Method::PUT,
        &format!("/staff/{staff}/services"),
        Some(json!({ "service_ids": ["01K0N0SERV1CE0000000000000"] })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The radiographer works Monday 10:00–11:00 only (and a break is the gap between periods).
    let (status, bad) = call(
        &app,
        &admin,
        Method::PUT,
        &format!("/staff/{staff}/hours"),
        Some(json!({ "periods": [
        { "location_id": location, "weekday": 1, "starts": "09:00", "ends": "11:00" },
        { "location_id": location, "weekday": 1, "starts": "10:00", "ends": "12:00" },
    ] })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad["error"]["fields"]["periods[1]"].is_string(), "{bad}");
    let (status, member) = call(
        &app,
        &admin,
        Method::PUT,
        &format!("/staff/{staff}/hours"),
        Some(json!({ "periods": [
        { "location_id": location, "weekday": 1, "starts": "10:00", "ends": "11:00" },
    ] })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{member}");
    assert_eq!(offered(&app, &admin, &clinic, &clinic.scan, monday).await, vec!["10:00", "10:15"]);
    assert!(offered(&app, &admin, &clinic, &clinic.scan, tuesday).await.is_empty());
    // On leave that Monday: nothing.
    let (status, member) = call(&app, &admin, Method::POST, &format!("/staff/{staff}/leave"), Some(json!({
        "starts_at": format!("{monday}T00:00:00+10:00"), "ends_at": format!("{tuesday}T00:00:00+10:00"), "reason": "Annual leave" }))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(offered(&app, &admin, &clinic, &clinic.scan, monday).await.is_empty());
    let leave_id = member["leave"][0]["id"].as_str().unwrap().to_owned();
    let (status, _) =
        call(&app, &admin, Method::DELETE, &format!("/staff/{staff}/leave/{leave_id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(offered(&app, &admin, &clinic, &clinic.scan, monday).await, vec!["10:00", "10:15"]);

    // Each change is in the audit log.
    let audited: Vec<String> = domain::on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT DISTINCT action FROM audit_events WHERE action LIKE 'location.%' OR action LIKE 'service.%' OR action LIKE 'resource.%' OR action LIKE 'staff.%' ORDER BY action")
            .fetch_all(pool).await.unwrap()
    });
    for action in [
        "location.hours",
        "location.closure_add",
        "location.closure_remove",
        "resource.block_add",
        "resource.block_remove",
        "service.create",
        "service.update",
        "resource.create",
        "staff.qualifications",
        "staff.hours",
        "staff.leave_add",
        "staff.leave_remove",
    ] {
        assert!(audited.iter().any(|a| a == action), "{action} in {audited:?}");
    }
}
