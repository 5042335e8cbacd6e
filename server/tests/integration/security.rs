//! Sign-in, sessions, CSRF, throttling, API tokens, password reset, IP allowlist, audit log:
//! through HTTP against the real server, on SQLite and PostgreSQL.

use crate::common::{Backend, TEST_PASSWORD, TestApp, browser};
use domain::on_db;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    pages_send_anonymous_visitors_to_sign_in_and_back,
    sign_in_never_redirects_off_site,
    wrong_password_and_unknown_account_get_the_same_answer,
    sign_in_rotates_the_session_id_and_sets_a_safe_cookie,
    repeated_failures_lock_the_account_with_429,
    repeated_failures_from_one_address_are_refused,
    sign_out_ends_the_session,
    sign_out_everywhere_ends_every_session_of_the_user,
    sessions_past_their_absolute_lifetime_end,
    idle_sessions_expire_and_are_swept,
    changing_my_password_needs_the_current_one,
    changing_my_password_ends_my_other_sessions_and_open_reset_links,
    a_used_reset_link_retires_every_other_link,
    reset_requests_are_throttled_per_address_and_per_account,
    reset_answers_take_as_long_for_unknown_addresses,
    slow_and_idle_clients_are_cut_off,
    hostile_markup_is_shown_only_as_text_on_every_page,
    every_response_carries_the_security_headers,
    cross_site_state_changes_are_refused,
    session_cookie_spellings_cannot_skip_the_origin_check,
    user_bodies_are_objects_and_location_lists_are_sets,
    api_needs_a_live_bearer_token,
    api_tokens_are_stored_hashed_and_revocable,
    api_errors_have_the_documented_shape,
    password_reset_by_emailed_link,
    ip_allowlist_refuses_other_networks_and_guards_the_saver,
    audit_log_records_sign_ins_and_pages_newest_first,
    audit_log_is_append_only,
    a_change_whose_audit_entry_fails_is_not_made,
    deactivated_users_lose_access_at_once,
    location_limited_users_see_only_their_locations,
    a_user_limited_to_one_location_sees_nothing_of_another,
);

async fn pages_send_anonymous_visitors_to_sign_in_and_back(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = browser(&app.base_url);
    let response = client.get(app.url("/settings/users?tab=1")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/login?next=/settings/users%3Ftab%3D1");
    assert_eq!(client.get(app.url("/login")).send().await.unwrap().status(), StatusCode::OK);

    let email = app.create_user("reception").await;
    let form = [("email", email.as_str()), ("password", TEST_PASSWORD), ("next", "/settings/users?tab=1")];
    let response = client.post(app.url("/auth/login")).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/settings/users?tab=1");

    // A `next` pointing off-site is ignored.
    let evil = [("email", email.as_str()), ("password", TEST_PASSWORD), ("next", "//evil.example/x")];
    let response = browser(&app.base_url).post(app.url("/auth/login")).form(&evil).send().await.unwrap();
    assert_eq!(response.headers()["location"], "/");
}

async fn sign_in_never_redirects_off_site(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = app.create_user("reception").await;
    // As a phishing link would carry them: percent-encoded in the sign-in form's `next`.
    for (next, expected) in [
        ("%2F%09%2Fevil.example%2Fphish", "/"),
        ("/%0A/evil.example", "/"),
        ("%2F%5C%2Fevil.example", "/"),
        ("%20%2F%2Fevil.example", "/"),
        ("javascript%3Aalert(1)", "/"),
        ("%2Fcontacts%3Fq%3DAnn%20Lee", "/contacts?q=Ann%20Lee"),
    ] {
        let body = format!("email={}&password={TEST_PASSWORD}&next={next}", email.replace('@', "%40"));
        let response = browser(&app.base_url)
            .post(app.url("/auth/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "next={next}");
        assert_eq!(response.headers()["location"], expected, "next={next}");
    }
}

async fn wrong_password_and_unknown_account_get_the_same_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = app.create_user("manager").await;
    let attempt = |email: String, password: &'static str| {
        let client = app.api();
        let url = app.url("/auth/login");
        async move {
            let response =
                client.post(url).json(&json!({ "email": email, "password": password })).send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let wrong_password = attempt(email.clone(), "not-the-password").await;
    let unknown_user = attempt("nobody@clinic.test".into(), "not-the-password").await;
    assert_eq!(wrong_password.0, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password, unknown_user);
    assert!(wrong_password.1.contains("Email or password is incorrect."));

    // The form flow says the same on the sign-in page.
    let form = [("email", email.as_str()), ("password", "nope-nope-nope")];
    let response = browser(&app.base_url).post(app.url("/auth/login")).form(&form).send().await.unwrap();
    assert_eq!(response.headers()["location"], "/login?error=credentials");
    let page = app.get("/login?error=credentials").await.text().await.unwrap();
    assert!(page.contains("Email or password is incorrect."));
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("avatar_session="))
        .map(str::to_owned)
}

async fn sign_in_rotates_the_session_id_and_sets_a_safe_cookie(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[
            ("GOOGLE_CLIENT_ID", "id"),
            ("GOOGLE_CLIENT_SECRET", "secret"),
            ("GOOGLE_AUTH_URL", "http://127.0.0.1:9/auth"),
        ],
    )
    .await;
    let client = browser(&app.base_url);
    // Starting a Google flow gives the anonymous visitor a session (it holds the PKCE state).
    let before = client.get(app.url("/auth/google")).send().await.unwrap();
    let before = session_cookie(&before).expect("anonymous session cookie");
    let email = app.create_user("reception").await;
    let after = client
        .post(app.url("/auth/login"))
        .json(&json!({ "email": email, "password": TEST_PASSWORD }))
        .send()
        .await
        .unwrap();
    let after = session_cookie(&after).expect("session cookie on sign-in");
    let id = |cookie: &str| cookie.split(';').next().unwrap().to_owned();
    assert_ne!(id(&before), id(&after), "the session id changes at sign-in");
    let lower = after.to_lowercase();
    assert!(lower.contains("httponly"), "{after}");
    assert!(lower.contains("samesite=lax"), "{after}");
    assert!(!lower.contains("secure"), "plain http in tests: {after}");
}

async fn repeated_failures_lock_the_account_with_429(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = app.create_user("reception").await;
    let client = app.api();
    let try_password = |password: &'static str| {
        client.post(app.url("/auth/login")).json(&json!({ "email": email, "password": password })).send()
    };
    for _ in 0..domain::services::users::MAX_FAILURES_PER_ACCOUNT {
        assert_eq!(try_password("wrong-password!").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    // Now even the right password waits out the window.
    let locked = try_password(TEST_PASSWORD).await.unwrap();
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.headers()["retry-after"], "900");
    let body: Value = locked.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(body["error"]["message"].as_str().unwrap().contains("Too many failed sign-ins"));
}

async fn repeated_failures_from_one_address_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.api();
    for n in 0..domain::services::users::MAX_FAILURES_PER_IP {
        let body = json!({ "email": format!("guess{n}@clinic.test"), "password": "guessing-here" });
        assert_eq!(client.post(app.url("/auth/login")).json(&body).send().await.unwrap().status(), 401);
    }
    let email = app.create_user("reception").await;
    let response = client
        .post(app.url("/auth/login"))
        .json(&json!({ "email": email, "password": TEST_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn sign_out_ends_the_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.signed_in("reception").await;
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), StatusCode::OK);
    let response = client.post(app.url("/auth/logout")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/login?signed_out=1");
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
}

async fn sign_out_everywhere_ends_every_session_of_the_user(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = app.create_user("manager").await;
    let laptop = app.sign_in(&email, TEST_PASSWORD).await;
    let phone = app.sign_in(&email, TEST_PASSWORD).await;
    let colleague = app.signed_in("manager").await;
    assert_eq!(laptop.post(app.url("/auth/logout-everywhere")).send().await.unwrap().status(), 303);
    assert_eq!(phone.get(app.url("/")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(laptop.get(app.url("/")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(colleague.get(app.url("/")).send().await.unwrap().status(), StatusCode::OK);
}

async fn sessions_past_their_absolute_lifetime_end(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.signed_in("reception").await;
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), StatusCode::OK);
    // Pretend the sign-in happened 13 hours ago (the limit is 12).
    let rows: Vec<(String, String)> = on_db!(&app.db, pool => {
        sqlx::query_as("SELECT id, data FROM sessions WHERE user_id IS NOT NULL").fetch_all(pool).await.unwrap()
    });
    for (id, data) in rows {
        let mut data: Value = serde_json::from_str(&data).unwrap();
        data["signed_in_at"] = json!((chrono::Utc::now() - chrono::Duration::hours(13)).to_rfc3339());
        on_db!(&app.db, pool => {
            sqlx::query("UPDATE sessions SET data = $2 WHERE id = $1")
                .bind(&id)
                .bind(data.to_string())
                .execute(pool)
                .await
                .unwrap();
        });
    }
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
}

async fn cross_site_state_changes_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = app.create_user("admin").await;
    let client = app.sign_in(&email, TEST_PASSWORD).await;
    // The same signed-in cookie, but the request comes from another site.
    let forged = client
        .post(app.url("/rpc/create_api_token"))
        .header("origin", "https://evil.example")
        .form(&[("name", "stolen")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let fetch_site = client
        .post(app.url("/auth/logout-everywhere"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(fetch_site.status(), StatusCode::FORBIDDEN);
    // Nothing happened: still signed in, no token made.
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), StatusCode::OK);
    let same_site =
        client.post(app.url("/rpc/create_api_token")).form(&[("name", "mine")]).send().await.unwrap();
    assert_eq!(same_site.status(), StatusCode::OK);
    let count: i64 = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens").fetch_one(pool).await.unwrap()
    });
    assert_eq!(count, 1);
    // A forged sign-in form (login CSRF) is refused too.
    let login = browser(&app.base_url)
        .post(app.url("/auth/login"))
        .header("origin", "https://evil.example")
        .form(&[("email", email.as_str()), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::FORBIDDEN);
}

async fn api_needs_a_live_bearer_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = app.api();
    let none = api.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    let body: Value = none.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    let bad = api.get(app.url("/api/v1/me")).bearer_auth("avt_0000").send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    // A browser session does not open the API.
    let browser_session = app.signed_in("admin").await;
    assert_eq!(browser_session.get(app.url("/api/v1/me")).send().await.unwrap().status(), 401);
    // Nor a forged cross-site write riding that session (the API reads no cookie at all).
    let forged = browser_session
        .post(app.url("/api/v1/contacts"))
        .header("origin", "https://evil.example")
        .json(&json!({ "first_name": "Forged", "last_name": "Entry" }))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let forged_rows: i64 = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM contacts WHERE first_name = 'Forged'").fetch_one(pool).await.unwrap()
    });
    assert_eq!(forged_rows, 0, "nothing was created");

    let token = app.api_token("marketing").await;
    let me = api.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["role"], "marketing");
    let permissions: Vec<&str> =
        me["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert!(permissions.contains(&"campaigns.write") && !permissions.contains(&"users.write"));
}

async fn api_tokens_are_stored_hashed_and_revocable(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("manager").await;
    let api = app.api();
    let created = api
        .post(app.url("/api/v1/api-tokens"))
        .bearer_auth(&token)
        .json(&json!({ "name": "Reporting script" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let second = created["token"].as_str().unwrap().to_owned();
    assert!(second.starts_with("avt_"));
    let stored: Vec<(String, String)> = on_db!(&app.db, pool => {
        sqlx::query_as("SELECT token_hash, token_prefix FROM api_tokens").fetch_all(pool).await.unwrap()
    });
    assert!(
        stored
            .iter()
            .all(|(hash, prefix)| !hash.contains(&second) && !second.contains(hash) && prefix.len() == 10)
    );

    let listed: Value = api
        .get(app.url("/api/v1/api-tokens"))
        .bearer_auth(&second)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    assert!(listed.to_string().find(&second).is_none(), "lists never show a token");

    let id = created["summary"]["id"].as_str().unwrap();
    let revoked =
        api.delete(app.url(&format!("/api/v1/api-tokens/{id}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_eq!(api.get(app.url("/api/v1/me")).bearer_auth(&second).send().await.unwrap().status(), 401);
    assert_eq!(api.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap().status(), 200);
    // Someone else's token id is simply not found.
    let other = app.api_token("manager").await;
    let response =
        api.delete(app.url(&format!("/api/v1/api-tokens/{id}"))).bearer_auth(&other).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

async fn api_errors_have_the_documented_shape(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("admin").await;
    let api = app.api();
    let post = |body: &'static str| {
        api.post(app.url("/api/v1/users"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let malformed = post("{\"email\": ").await.unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(malformed.json::<Value>().await.unwrap()["error"]["code"], "bad_request");

    let wrong_type = post(r#"{"email": 5, "display_name": "A", "role": "admin"}"#).await.unwrap();
    assert_eq!(wrong_type.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let invalid = post(r#"{"email": "not-an-email", "display_name": " ", "role": "owner"}"#).await.unwrap();
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = invalid.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation");
    for field in ["email", "display_name", "role"] {
        assert!(body["error"]["fields"][field].is_string(), "{field} named in {body}");
    }

    let ok =
        post(r#"{"email": "New.Person@Clinic.test", "display_name": "New Person", "role": "reception"}"#)
            .await
            .unwrap();
    assert_eq!(ok.status(), StatusCode::CREATED);
    assert_eq!(ok.json::<Value>().await.unwrap()["email"], "new.person@clinic.test");
    let duplicate =
        post(r#"{"email": "new.person@clinic.test", "display_name": "Again", "role": "reception"}"#)
            .await
            .unwrap();
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);
    assert!(
        duplicate.json::<Value>().await.unwrap()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already exists")
    );

    let missing = api
        .patch(app.url("/api/v1/users/01K0NOPE000000000000000000"))
        .bearer_auth(&token)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let unknown_route = api.get(app.url("/api/v1/nothing-here")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(unknown_route.status(), StatusCode::NOT_FOUND);
    assert_eq!(unknown_route.json::<Value>().await.unwrap()["error"]["code"], "not_found");
    let too_many =
        api.get(app.url("/api/v1/audit-events?limit=500")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(too_many.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_many.json::<Value>().await.unwrap()["error"]["fields"]["limit"].is_string());
    let bad_param =
        api.get(app.url("/api/v1/audit-events?since=yesterday")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(bad_param.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn password_reset_by_emailed_link(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = app.create_user("reception").await;
    let other_device = app.sign_in(&email, TEST_PASSWORD).await;
    let anonymous = browser(&app.base_url);

    let unknown = anonymous
        .post(app.url("/auth/password-reset"))
        .form(&[("email", "nobody@clinic.test")])
        .send()
        .await
        .unwrap();
    let known = anonymous
        .post(app.url("/auth/password-reset"))
        .form(&[("email", email.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.headers()["location"], known.headers()["location"], "no account discovery");

    let mails: Vec<(String, String)> = on_db!(&app.db, pool => {
        sqlx::query_as("SELECT to_address, body_text FROM outbox_emails WHERE kind = 'password_reset'").fetch_all(pool).await.unwrap()
    });
    assert_eq!(mails.len(), 1, "one email, to the real account only");
    assert_eq!(mails[0].0, email);
    let link = mails[0].1.lines().find(|l| l.contains("/password-reset?token=")).expect("link in the email");
    let token = link.split("token=").nth(1).unwrap().trim();

    let weak = anonymous
        .post(app.url("/auth/password-reset/confirm"))
        .form(&[("token", token), ("new_password", "short")])
        .send()
        .await
        .unwrap();
    assert!(weak.headers()["location"].to_str().unwrap().contains("error=weak"));
    let done = anonymous
        .post(app.url("/auth/password-reset/confirm"))
        .form(&[("token", token), ("new_password", "a-brand-new-password")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.headers()["location"], "/login?reset=1");
    let again = anonymous
        .post(app.url("/auth/password-reset/confirm"))
        .json(&json!({ "token": token, "new_password": "another-new-password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY, "a link works once");

    // Administrators read the reset email in the outbox while no email relay is configured.
    let admin = app.signed_in("admin").await;
    let outbox: Value =
        admin.post(app.url("/rpc/list_outbox_emails")).send().await.unwrap().json().await.unwrap();
    assert_eq!(outbox["value"][0]["to"], email.as_str());
    assert_eq!(outbox["value"][0]["subject"], "Reset your Avatar CRM password");
    let manager = app.signed_in("manager").await;
    let refused = manager.post(app.url("/rpc/list_outbox_emails")).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "reset links are for administrators only");

    app.sign_in(&email, "a-brand-new-password").await;
    let old = app
        .api()
        .post(app.url("/auth/login"))
        .json(&json!({ "email": email, "password": TEST_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        other_device.get(app.url("/")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "old sessions ended"
    );
}

async fn ip_allowlist_refuses_other_networks_and_guards_the_saver(backend: Backend) {
    // Behind a proxy on loopback, X-Forwarded-For says who the client is.
    let app = TestApp::spawn_with(backend, &[("TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    let token = app.api_token("admin").await;
    let api = app.api();
    let put = |body: Value, from: &'static str| {
        api.put(app.url("/api/v1/settings/ip-allowlist"))
            .bearer_auth(&token)
            .header("x-forwarded-for", from)
            .json(&body)
            .send()
    };
    let lockout =
        put(json!({ "enabled": true, "entries": ["203.0.113.0/24"] }), "198.51.100.20").await.unwrap();
    assert_eq!(lockout.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = lockout.json().await.unwrap();
    assert!(body["error"]["fields"]["entries"].as_str().unwrap().contains("lock you out"));
    let bad = put(json!({ "enabled": true, "entries": ["203.0.113.0/40"] }), "203.0.113.7").await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let saved =
        put(json!({ "enabled": true, "entries": ["203.0.113.0/24", "2001:db8::/32"] }), "203.0.113.7")
            .await
            .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    let from = |ip: &'static str| {
        api.get(app.url("/api/v1/me")).bearer_auth(&token).header("x-forwarded-for", ip).send()
    };
    assert_eq!(from("203.0.113.99").await.unwrap().status(), StatusCode::OK);
    assert_eq!(from("2001:db8::42").await.unwrap().status(), StatusCode::OK);
    assert_eq!(from("198.51.100.20").await.unwrap().status(), StatusCode::FORBIDDEN);
    let page = browser(&app.base_url)
        .get(app.url("/login"))
        .header("x-forwarded-for", "198.51.100.20")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    // Load balancers still see the instance's health.
    let health =
        app.api().get(app.url("/health")).header("x-forwarded-for", "198.51.100.20").send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

async fn audit_log_records_sign_ins_and_pages_newest_first(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = app.create_user("reception").await;
    let _ = app
        .api()
        .post(app.url("/auth/login"))
        .json(&json!({ "email": email, "password": "wrong-password" }))
        .send()
        .await;
    app.sign_in(&email, TEST_PASSWORD).await;
    let token = app.api_token("manager").await;
    let api = app.api();
    let page: Value = api
        .get(app.url("/api/v1/audit-events?limit=50"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = page["items"].as_array().unwrap();
    let actions: Vec<&str> = items.iter().map(|e| e["action"].as_str().unwrap()).collect();
    let sign_in = actions.iter().position(|a| *a == "auth.sign_in").expect("sign-in recorded");
    let failed = actions.iter().position(|a| *a == "auth.sign_in_failed").expect("failure recorded");
    assert!(sign_in < failed, "newest first: {actions:?}");
    assert_eq!(items[sign_in]["actor_email"], email.as_str());
    assert_eq!(items[sign_in]["ip"], "127.0.0.1");
    assert!(!page.to_string().contains("wrong-password"), "no secrets in the log");

    // Paging: one at a time walks the same entries.
    let mut cursor: Option<String> = None;
    let mut walked = Vec::new();
    loop {
        let url = match &cursor {
            Some(c) => app.url(&format!("/api/v1/audit-events?limit=1&cursor={c}")),
            None => app.url("/api/v1/audit-events?limit=1"),
        };
        let page: Value = api.get(url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        walked.extend(page["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let all: Vec<String> = items.iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(walked, all);
    let filtered: Value = api
        .get(app.url("/api/v1/audit-events?action=auth.sign_in_failed"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(filtered["items"].as_array().unwrap().len(), 1);
}

async fn audit_log_is_append_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_in("reception").await;
    let (update, delete) = on_db!(&app.db, pool => {
        (
            sqlx::query("UPDATE audit_events SET action = 'nothing'").execute(pool).await.map(|_| ()),
            sqlx::query("DELETE FROM audit_events").execute(pool).await.map(|_| ()),
        )
    });
    assert!(update.unwrap_err().to_string().contains("append-only"));
    assert!(delete.unwrap_err().to_string().contains("append-only"));
}

async fn deactivated_users_lose_access_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = app.create_user("reception").await;
    let browser_session = app.sign_in(&email, TEST_PASSWORD).await;
    let user_id = domain::services::users::find_id_by_email(&app.db, &email).await.unwrap().unwrap();
    let their_token =
        domain::services::api_tokens::create_for_user(&app.db, &user_id, "t", &Default::default())
            .await
            .unwrap()
            .token;
    let admin = app.api_token("admin").await;
    // Checked tokens are remembered for a few seconds: a change of role or status must still
    // take effect on the very next request.
    let new_contact = json!({ "first_name": "Cache", "last_name": "Check", "phone": "0412 555 000" });
    let created = app
        .api()
        .post(app.url("/api/v1/contacts"))
        .bearer_auth(&their_token)
        .json(&new_contact)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let demoted = app
        .api()
        .patch(app.url(&format!("/api/v1/users/{user_id}")))
        .bearer_auth(&admin)
        .json(&json!({ "role": "readonly" }))
        .send()
        .await
        .unwrap();
    assert_eq!(demoted.status(), StatusCode::OK);
    let refused = app
        .api()
        .post(app.url("/api/v1/contacts"))
        .bearer_auth(&their_token)
        .json(&new_contact)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "the demotion applies to the cached token at once");
    assert_eq!(
        app.api().get(app.url("/api/v1/me")).bearer_auth(&their_token).send().await.unwrap().status(),
        200
    );
    let response = app
        .api()
        .patch(app.url(&format!("/api/v1/users/{user_id}")))
        .bearer_auth(&admin)
        .json(&json!({ "active": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(browser_session.get(app.url("/")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.api().get(app.url("/api/v1/me")).bearer_auth(&their_token).send().await.unwrap().status(),
        401
    );
    let retry = app
        .api()
        .post(app.url("/auth/login"))
        .json(&json!({ "email": email, "password": TEST_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(retry.status(), StatusCode::UNAUTHORIZED);
    // An admin cannot lock themselves out.
    let admin_id: String = app
        .api()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let self_demote = app
        .api()
        .patch(app.url(&format!("/api/v1/users/{admin_id}")))
        .bearer_auth(&admin)
        .json(&json!({ "role": "readonly" }))
        .send()
        .await
        .unwrap();
    assert_eq!(self_demote.status(), StatusCode::CONFLICT);
}

async fn location_limited_users_see_only_their_locations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_demo().await;
    let admin = app.api_token("admin").await;
    let api = app.api();
    let everything: Value =
        api.get(app.url("/api/v1/dashboard")).bearer_auth(&admin).send().await.unwrap().json().await.unwrap();
    let brisbane = everything["locations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "Brisbane North")
        .unwrap()
        .clone();
    let created: Value = api
        .post(app.url("/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({
            "email": "brisbane.desk@clinic.test", "display_name": "Brisbane desk", "role": "reception",
            "password": TEST_PASSWORD, "location_ids": [brisbane["id"]]
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created["location_ids"], json!([brisbane["id"]]));
    let client = app.sign_in("brisbane.desk@clinic.test", TEST_PASSWORD).await;
    let scoped: Value = client.post(app.url("/rpc/dashboard")).send().await.unwrap().json().await.unwrap();
    assert_eq!(scoped["total_contacts"], brisbane["contacts"]);
    let names: Vec<&str> =
        scoped["locations"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Brisbane North"]);
    assert!(scoped["total_contacts"].as_i64().unwrap() < everything["total_contacts"].as_i64().unwrap());
}

async fn idle_sessions_expire_and_are_swept(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.signed_in("reception").await;
    let other = app.signed_in("manager").await;
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), StatusCode::OK);
    // Age one session past its idle expiry.
    let user_id: String =
        client.post(app.url("/rpc/whoami")).send().await.unwrap().json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let past = domain::time::Timestamp(chrono::Utc::now() - chrono::Duration::minutes(1));
    on_db!(&app.db, pool => {
        sqlx::query("UPDATE sessions SET expires_at = $1 WHERE user_id = $2").bind(past).bind(&user_id).execute(pool).await.unwrap();
    });
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    // The hourly sweep removes it and nothing else.
    let removed = domain::sessions::delete_expired(&app.db).await.unwrap();
    assert_eq!(removed, 1);
    assert_eq!(other.get(app.url("/")).send().await.unwrap().status(), StatusCode::OK);
}

async fn changing_my_password_needs_the_current_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = app.create_user("reception").await;
    let client = app.sign_in(&email, TEST_PASSWORD).await;
    let wrong = client
        .post(app.url("/rpc/change_password"))
        .form(&[("current_password", "not-my-password"), ("new_password", "a-fresh-password-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains("current password: is not your current password"));
    let changed = client
        .post(app.url("/rpc/change_password"))
        .form(&[("current_password", TEST_PASSWORD), ("new_password", "a-fresh-password-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    app.sign_in(&email, "a-fresh-password-1").await;
    let old = app
        .api()
        .post(app.url("/auth/login"))
        .json(&json!({ "email": email, "password": TEST_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
}

/// The token in the newest reset email to `email`.
async fn newest_reset_token(app: &TestApp, email: &str) -> String {
    let body: String = on_db!(&app.db, pool => {
        sqlx::query_scalar(
            "SELECT body_text FROM outbox_emails WHERE kind = 'password_reset' AND to_address = $1 \
             ORDER BY id DESC LIMIT 1",
        )
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
    });
    let link = body.lines().find(|l| l.contains("/password-reset?token=")).expect("link in the email");
    link.split("token=").nth(1).unwrap().trim().to_owned()
}

async fn ask_for_reset(app: &TestApp, email: &str, from_ip: &str) -> reqwest::Response {
    app.api()
        .post(app.url("/auth/password-reset"))
        .header("x-forwarded-for", from_ip)
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap()
}

async fn use_reset_link(app: &TestApp, token: &str, new_password: &str) -> StatusCode {
    app.api()
        .post(app.url("/auth/password-reset/confirm"))
        .json(&json!({ "token": token, "new_password": new_password }))
        .send()
        .await
        .unwrap()
        .status()
}

async fn changing_my_password_ends_my_other_sessions_and_open_reset_links(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    let email = app.create_user("reception").await;
    let laptop = app.sign_in(&email, TEST_PASSWORD).await;
    let phone = app.sign_in(&email, TEST_PASSWORD).await;
    assert_eq!(ask_for_reset(&app, &email, "203.0.113.7").await.status(), StatusCode::ACCEPTED);
    let open_link = newest_reset_token(&app, &email).await;

    let changed = laptop
        .post(app.url("/rpc/change_password"))
        .form(&[("current_password", TEST_PASSWORD), ("new_password", "a-fresh-password-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(laptop.get(app.url("/")).send().await.unwrap().status(), StatusCode::OK, "this session stays");
    assert_eq!(
        phone.get(app.url("/")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "the other session is signed out"
    );
    assert_eq!(
        use_reset_link(&app, &open_link, "someone-elses-password").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a link asked for before the change no longer works"
    );
    app.sign_in(&email, "a-fresh-password-1").await;
}

async fn a_used_reset_link_retires_every_other_link(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    let email = app.create_user("manager").await;
    ask_for_reset(&app, &email, "203.0.113.8").await;
    let older = newest_reset_token(&app, &email).await;
    ask_for_reset(&app, &email, "203.0.113.8").await;
    let newer = newest_reset_token(&app, &email).await;
    assert_ne!(older, newer);
    assert_eq!(use_reset_link(&app, &newer, "the-newer-password").await, StatusCode::NO_CONTENT);
    assert_eq!(
        use_reset_link(&app, &older, "the-older-password").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the older link died with the newer one's use"
    );
    app.sign_in(&email, "the-newer-password").await;
}

async fn reset_requests_are_throttled_per_address_and_per_account(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    let email = app.create_user("reception").await;
    let emails_sent = || async {
        on_db!(&app.db, pool => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox_emails WHERE kind = 'password_reset'")
                .fetch_one(pool)
                .await
                .unwrap()
        })
    };
    // One account asked for from many addresses: three emails an hour, the same answer always.
    for n in 1..=5 {
        let response = ask_for_reset(&app, &email, &format!("198.51.100.{n}")).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED, "request {n}");
    }
    assert_eq!(emails_sent().await, 3, "at most three reset emails an hour to one account");

    // One address asking about many accounts: ten a quarter hour, then 429.
    for n in 0..10 {
        let response = ask_for_reset(&app, &format!("nobody{n}@clinic.test"), "192.0.2.50").await;
        assert_eq!(response.status(), StatusCode::ACCEPTED, "request {n}");
    }
    let refused = ask_for_reset(&app, "nobody@clinic.test", "192.0.2.50").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    let form = app
        .api()
        .post(app.url("/auth/password-reset"))
        .header("x-forwarded-for", "192.0.2.50")
        .form(&[("email", "nobody@clinic.test")])
        .send()
        .await
        .unwrap();
    assert_eq!(form.headers()["location"], "/password-reset?error=throttled");
    let page = app.get("/password-reset?error=throttled").await.text().await.unwrap();
    assert!(page.contains("Too many reset requests from your network."));
    // Another address is unaffected.
    assert_eq!(ask_for_reset(&app, "nobody@clinic.test", "192.0.2.51").await.status(), StatusCode::ACCEPTED);
}

async fn reset_answers_take_as_long_for_unknown_addresses(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    let email = app.create_user("reception").await;
    let floor = domain::services::users::RESET_ANSWER_FLOOR;
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    // Alternate the two so the machine's drift touches both alike; each from its own address.
    for n in 0..6 {
        for (target, times) in [(email.clone(), &mut known), (format!("nobody{n}@clinic.test"), &mut unknown)]
        {
            let started = std::time::Instant::now();
            let response = ask_for_reset(&app, &target, &format!("198.51.100.{}", 10 + n)).await;
            times.push(started.elapsed());
            assert_eq!(response.status(), StatusCode::ACCEPTED);
        }
    }
    for took in known.iter().chain(&unknown) {
        assert!(*took >= floor, "every answer waits for the floor: {took:?}");
    }
    let median = |times: &mut Vec<std::time::Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let (known, unknown) = (median(&mut known), median(&mut unknown));
    let gap = known.abs_diff(unknown);
    assert!(gap < std::time::Duration::from_millis(25), "known {known:?} vs unknown {unknown:?}");
}

/// Reads from `stream` until the server closes it (or `limit` passes); returns what arrived
/// and how long after `since` the close came.
async fn read_until_closed(
    stream: &mut tokio::net::TcpStream,
    since: std::time::Instant,
    limit: std::time::Duration,
) -> (String, Option<std::time::Duration>) {
    use tokio::io::AsyncReadExt;
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let closed = tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await
    .is_ok();
    (String::from_utf8_lossy(&received).into_owned(), closed.then(|| since.elapsed()))
}

async fn slow_and_idle_clients_are_cut_off(backend: Backend) {
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpStream;
    let app =
        TestApp::spawn_with(backend, &[("HTTP_HEADER_TIMEOUT_SECS", "1"), ("HTTP_BODY_TIMEOUT_SECS", "1")])
            .await;
    let token = app.api_token("reception").await;
    let limit = std::time::Duration::from_secs(6);
    let one_second = std::time::Duration::from_secs(1);

    // A connection that never sends a request.
    let started = std::time::Instant::now();
    let mut silent = TcpStream::connect(app.addr).await.unwrap();
    let (_, closed) = read_until_closed(&mut silent, started, limit).await;
    let closed = closed.expect("a silent connection is closed");
    assert!(closed >= one_second, "not before the limit: {closed:?}");

    // Slowloris: headers a line at a time, never finished. The limit is for all of them.
    let started = std::time::Instant::now();
    let mut slow = TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let dribble = async {
        for n in 0..20 {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            if slow.write_all(format!("X-Line-{n}: y\r\n").as_bytes()).await.is_err() {
                return std::time::Instant::now() - started;
            }
        }
        std::time::Instant::now() - started
    };
    let cut_after = dribble.await;
    assert!(cut_after < std::time::Duration::from_secs(4), "dribbled headers are cut off: {cut_after:?}");

    // A keep-alive connection left idle after its answer.
    let mut idle = TcpStream::connect(app.addr).await.unwrap();
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let started = std::time::Instant::now();
    let (answer, closed) = read_until_closed(&mut idle, started, limit).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed.expect("an idle connection is closed") >= one_second);

    // A body that trickles in: 408 in our error shape once the body's time is up.
    let started = std::time::Instant::now();
    let mut trickle = TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 400\r\n\r\n{{\"first_name\": \""
    );
    trickle.write_all(head.as_bytes()).await.unwrap();
    let sender = async {
        for _ in 0..30 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            if trickle.write_all(b"a").await.is_err() {
                break;
            }
        }
    };
    sender.await;
    let (answer, _) = read_until_closed(&mut trickle, started, limit).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""code":"request_timeout""#), "{answer}");
    let stored: i64 = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM contacts").fetch_one(pool).await.unwrap()
    });
    assert_eq!(stored, 0, "nothing half-received is stored");
}

async fn session_cookie_spellings_cannot_skip_the_origin_check(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = app.create_user("admin").await;
    let signed_in = app
        .api()
        .post(app.url("/auth/login"))
        .header("origin", &app.base_url)
        .json(&json!({ "email": email, "password": TEST_PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&signed_in).expect("session cookie");
    let id = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
    let https_origin = app.base_url.replace("http://", "https://");
    for (cookie, origin) in [
        (format!("avatar%5Fsession={id}"), "https://evil.example"),
        (format!("avatar_session ={id}"), "https://evil.example"),
        (format!("theme=dark;avatar_session={id}"), "https://evil.example"),
        // Our host and port, but not our scheme.
        (format!("avatar_session={id}"), https_origin.as_str()),
    ] {
        let forged = app
            .api()
            .post(app.url("/rpc/create_api_token"))
            .header("cookie", &cookie)
            .header("origin", origin)
            .form(&[("name", "stolen")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "{cookie} from {origin}");
    }
    let tokens: i64 = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens").fetch_one(pool).await.unwrap()
    });
    assert_eq!(tokens, 0, "no forged request made a token");
    // The same cookie from our own origin works, so the refusals above were the origin check.
    let own = app
        .api()
        .post(app.url("/rpc/create_api_token"))
        .header("cookie", format!("avatar_session={id}"))
        .header("origin", &app.base_url)
        .form(&[("name", "mine")])
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::OK);
}

async fn user_bodies_are_objects_and_location_lists_are_sets(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_demo().await;
    let admin = app.api_token("admin").await;
    let api = app.api();
    let sydney = app.location_id("Sydney CBD").await;
    let created = api
        .post(app.url("/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({
            "email": "twice.listed@clinic.test", "display_name": "Twice listed", "role": "reception",
            "location_ids": [sydney, sydney]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["location_ids"], json!([sydney]));
    let user = created["id"].as_str().unwrap();
    let patched = api
        .patch(app.url(&format!("/api/v1/users/{user}")))
        .bearer_auth(&admin)
        .json(&json!({ "location_ids": [sydney, sydney, sydney] }))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    assert_eq!(patched.json::<Value>().await.unwrap()["location_ids"], json!([sydney]));
    let too_many: Vec<String> = (0..101).map(|n| format!("loc{n}")).collect();
    let refused = api
        .patch(app.url(&format!("/api/v1/users/{user}")))
        .bearer_auth(&admin)
        .json(&json!({ "location_ids": too_many }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.json::<Value>().await.unwrap()["error"]["fields"]["location_ids"].is_string());

    // An array is not a set of named fields, even though serde could read one by position.
    let positional = api
        .patch(app.url(&format!("/api/v1/users/{user}")))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body(r#"["Renamed", "manager", true]"#)
        .send()
        .await
        .unwrap();
    assert_eq!(positional.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = positional.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation");
    assert!(body["error"]["message"].as_str().unwrap().contains("JSON object"));
    let users: Value =
        api.get(app.url("/api/v1/users")).bearer_auth(&admin).send().await.unwrap().json().await.unwrap();
    let unchanged = users["items"].as_array().unwrap().iter().find(|u| u["id"] == user).unwrap();
    assert_eq!(unchanged["role"], "reception");
    assert_eq!(unchanged["display_name"], "Twice listed");
    // Sign-in's JSON form takes objects only too, and a body that is not JSON at all is a 415.
    let array_login = api
        .post(app.url("/auth/login"))
        .header("content-type", "application/json")
        .body(r#"["admin@avatar.test", "avatar-demo"]"#)
        .send()
        .await
        .unwrap();
    assert_eq!(array_login.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let not_json = api
        .post(app.url("/api/v1/contacts"))
        .bearer_auth(&admin)
        .header("content-type", "text/plain")
        .body("first_name=Ann")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

/// Markup an attacker might store, each in a field a page shows; each has its own number so a
/// failure says which field leaked.
const HOSTILE_FIRST: &str = "</title><img src=x onerror=alert(1)>";
const HOSTILE_LAST: &str = "\"><svg onload=alert(2)>";
const HOSTILE_TAG: &str = "<img src=x onerror=alert(3)>";
const HOSTILE_NOTES: &str = "</script><script>alert(4)</script>";
const HOSTILE_FIELD: &str = "<iframe src=javascript:alert(5)>";
const HOSTILE_NOTE: &str = "<b onmouseover=alert(6)>hover</b>";
const HOSTILE_TASK: &str = "<img src=x onerror=alert(7)>";
const HOSTILE_STAGE: &str = "<svg/onload=alert(8)>";
const HOSTILE_USER: &str = "<img src=x onerror=alert(9)>";
const HOSTILE_TOKEN: &str = "\"'><img src=x onerror=alert(10)>";
const HOSTILE_DOCTOR: &str = "<script>alert(11)</script>";

async fn hostile_markup_is_shown_only_as_text_on_every_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.api_token("admin").await;
    let api = app.api();
    let post = |path: &str, body: Value| {
        let request = api.post(app.url(path)).bearer_auth(&admin).json(&body);
        async move {
            let response = request.send().await.unwrap();
            assert!(response.status().is_success(), "{}", response.text().await.unwrap());
            response.json::<Value>().await.unwrap()
        }
    };
    // A staff member with a hostile name, who owns the contacts and looks at every page.
    let staff = post(
        "/api/v1/users",
        json!({ "email": "hostile.staff@clinic.test", "display_name": HOSTILE_USER, "role": "manager",
                "password": TEST_PASSWORD }),
    )
    .await;
    let stage = post("/api/v1/pipeline/stages", json!({ "name": HOSTILE_STAGE, "position": 1 })).await;
    let contact = json!({
        "first_name": HOSTILE_FIRST, "last_name": HOSTILE_LAST, "phone": "0412 555 001",
        "tags": [HOSTILE_TAG], "notes": HOSTILE_NOTES, "referring_doctor": HOSTILE_DOCTOR,
        "custom_fields": { "remarks": HOSTILE_FIELD }, "owner_id": staff["id"], "stage_id": stage["id"],
    });
    let first = post("/api/v1/contacts", contact.clone()).await;
    let mut twin = contact;
    twin["phone"] = json!("0412 555 002");
    let second = post("/api/v1/contacts", twin).await;
    let (id, other) = (first["id"].as_str().unwrap(), second["id"].as_str().unwrap());
    post(&format!("/api/v1/contacts/{id}/touchpoints"), json!({ "kind": "note", "summary": HOSTILE_NOTE }))
        .await;
    post("/api/v1/tasks", json!({ "title": HOSTILE_TASK, "contact_id": id, "assignee_id": staff["id"] }))
        .await;
    let browser = app.sign_in("hostile.staff@clinic.test", TEST_PASSWORD).await;
    browser
        .post(app.url("/rpc/create_api_token"))
        .form(&[("name", HOSTILE_TOKEN)])
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();

    // Each page, and the payloads it must show (as text).
    let contact_page = vec![
        HOSTILE_FIRST,
        HOSTILE_LAST,
        HOSTILE_TAG,
        HOSTILE_NOTES,
        HOSTILE_FIELD,
        HOSTILE_NOTE,
        HOSTILE_TASK,
        HOSTILE_STAGE,
        HOSTILE_DOCTOR,
    ];
    let pages: Vec<(String, Vec<&str>)> = vec![
        (format!("/contacts/{id}"), contact_page),
        ("/contacts".into(), vec![HOSTILE_FIRST, HOSTILE_LAST, HOSTILE_TAG, HOSTILE_STAGE, HOSTILE_USER]),
        (format!("/contacts?q={}", "%3C%2Ftitle"), vec![HOSTILE_USER]),
        (format!("/contacts/{id}/merge/{other}"), vec![HOSTILE_FIRST, HOSTILE_LAST]),
        ("/pipeline".into(), vec![HOSTILE_FIRST, HOSTILE_LAST, HOSTILE_STAGE]),
        ("/tasks?view=open".into(), vec![HOSTILE_TASK, HOSTILE_FIRST]),
        ("/".into(), vec![HOSTILE_STAGE, HOSTILE_USER]),
        ("/settings/pipeline".into(), vec![HOSTILE_STAGE]),
        ("/settings/users".into(), vec![HOSTILE_USER]),
        ("/account".into(), vec![HOSTILE_TOKEN, HOSTILE_USER]),
    ];
    let all = [
        HOSTILE_FIRST,
        HOSTILE_LAST,
        HOSTILE_TAG,
        HOSTILE_NOTES,
        HOSTILE_FIELD,
        HOSTILE_NOTE,
        HOSTILE_TASK,
        HOSTILE_STAGE,
        HOSTILE_USER,
        HOSTILE_TOKEN,
        HOSTILE_DOCTOR,
    ];
    for (path, shown) in &pages {
        let response = browser.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let html = response.text().await.unwrap();
        for payload in all {
            assert!(!html.contains(payload), "{path} carries {payload} as markup");
        }
        // What the browser will show once it has parsed the escapes: every payload, as text.
        let text = html_escape::decode_html_entities(&html).replace("\\u003c", "<");
        for payload in shown {
            let marker = &payload[payload.find("alert(").unwrap_or(0)..];
            assert!(text.contains(payload) || text.contains(marker), "{path} shows {payload}");
        }
        let title = html.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).unwrap();
        assert!(!title.contains('<'), "{path} title: {title}");
    }
    // The contact's title names them, escaped exactly once.
    let html = browser.get(app.url(&format!("/contacts/{id}"))).send().await.unwrap().text().await.unwrap();
    let title = html.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).unwrap();
    assert_eq!(
        html_escape::decode_html_entities(title),
        format!("{HOSTILE_FIRST} {HOSTILE_LAST} · Avatar CRM")
    );
}

async fn every_response_carries_the_security_headers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.signed_in("reception").await;
    let page = browser.get(app.url("/contacts")).send().await.unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    let html = page.text().await.unwrap();
    let nonce = csp.split("'nonce-").nth(1).and_then(|n| n.split('\'').next()).expect("a nonce");
    for directive in
        ["script-src 'self' 'nonce-", "'wasm-unsafe-eval'", "frame-ancestors 'none'", "object-src 'none'"]
    {
        assert!(csp.contains(directive), "{directive} in {csp}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"), "{csp}");
    // Every inline script Leptos wrote carries this response's nonce.
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(
        html.matches(&format!("<script nonce=\"{nonce}\"")).count()
            + html.matches(&format!("<script type=\"module\" nonce=\"{nonce}\"")).count(),
        scripts,
        "{html}"
    );
    let again = browser.get(app.url("/contacts")).send().await.unwrap();
    assert!(
        !again.headers()["content-security-policy"].to_str().unwrap().contains(nonce),
        "fresh per response"
    );

    let token = app.api_token("reception").await;
    let responses = [
        ("page", browser.get(app.url("/")).send().await.unwrap()),
        ("sign-in page", app.get("/login").await),
        ("404 page", browser.get(app.url("/no/such/page")).send().await.unwrap()),
        ("server function", browser.post(app.url("/rpc/dashboard")).send().await.unwrap()),
        ("API", app.api().get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap()),
        ("API error", app.api().get(app.url("/api/v1/me")).send().await.unwrap()),
        ("health", app.get("/health").await),
        ("CSV", browser.get(app.url("/contacts/export.csv")).send().await.unwrap()),
    ];
    for (what, response) in responses {
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{what}");
        assert_eq!(headers["x-frame-options"], "DENY", "{what}");
        assert_eq!(headers["cache-control"], "no-store", "{what}: patient data is never cached");
        assert!(
            headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"),
            "{what}"
        );
        assert!(!headers.contains_key("strict-transport-security"), "{what}: plain http here");
        let is_html =
            headers.get("content-type").is_some_and(|t| t.to_str().unwrap().starts_with("text/html"));
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert_eq!(is_html, policy.contains("'nonce-"), "{what}: {policy}");
    }
    // The static bundle may be cached; HSTS appears once the public address is https.
    let favicon = app.get("/favicon.svg").await;
    assert_ne!(favicon.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));
    let https = TestApp::spawn_with(backend, &[("PUBLIC_BASE_URL", "https://crm.clinic.example")]).await;
    let health = https.get("/health").await;
    assert_eq!(health.headers()["strict-transport-security"], "max-age=31536000");
}

/// Makes the database refuse audit entries of the given actions, as a full disk or a broken
/// audit table would: the change they record must then not happen either.
async fn refuse_audit_entries(app: &TestApp, actions: &[&str]) {
    let list = actions.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(", ");
    match app.db.pool() {
        domain::Pool::Sqlite(pool) => {
            let sql = format!(
                "CREATE TRIGGER refuse_test_audit BEFORE INSERT ON audit_events WHEN NEW.action IN ({list}) \
                 BEGIN SELECT RAISE(ABORT, 'audit refused for the test'); END"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(pool).await.unwrap();
        }
        domain::Pool::Postgres(pool) => {
            let function = format!(
                "CREATE FUNCTION refuse_test_audit() RETURNS trigger AS $$ BEGIN \
                 IF NEW.action IN ({list}) THEN RAISE EXCEPTION 'audit refused for the test'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql"
            );
            sqlx::query(sqlx::AssertSqlSafe(function)).execute(pool).await.unwrap();
            sqlx::query(
                "CREATE TRIGGER refuse_test_audit BEFORE INSERT ON audit_events \
                 FOR EACH ROW EXECUTE FUNCTION refuse_test_audit()",
            )
            .execute(pool)
            .await
            .unwrap();
        }
    }
}

async fn a_change_whose_audit_entry_fails_is_not_made(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_demo().await;
    let token = app.api_token("admin").await;
    let api = app.api();
    let created: Value = api
        .post(app.url("/api/v1/contacts"))
        .bearer_auth(&token)
        .json(&json!({ "first_name": "Audit", "last_name": "Bound", "phone": "0412 777 000" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let stages = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            on_db!(&db, pool => {
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM pipeline_stages").fetch_one(pool).await.unwrap()
            })
        }
    };
    let stages_before = stages(&app).await;
    refuse_audit_entries(
        &app,
        &["contact.update", "contact.delete", "contact.create", "stage.create", "task.create", "user.update"],
    )
    .await;

    let refused = api
        .patch(app.url(&format!("/api/v1/contacts/{id}")))
        .bearer_auth(&token)
        .json(&json!({ "first_name": "Changed" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let deleted =
        api.delete(app.url(&format!("/api/v1/contacts/{id}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let now: Value = api
        .get(app.url(&format!("/api/v1/contacts/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(now["first_name"], "Audit", "the unaudited change was rolled back");

    let stage = api
        .post(app.url("/api/v1/pipeline/stages"))
        .bearer_auth(&token)
        .json(&json!({ "name": "Unaudited" }))
        .send()
        .await
        .unwrap();
    assert_eq!(stage.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(stages(&app).await, stages_before, "no stage without its entry");

    let task = api
        .post(app.url("/api/v1/tasks"))
        .bearer_auth(&token)
        .json(&json!({ "title": "Call back", "contact_id": id }))
        .send()
        .await
        .unwrap();
    assert_eq!(task.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let import = api
        .post(app.url("/api/v1/contacts/import"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body("First name,Surname,Mobile\nIma,Port,0412 777 001\n")
        .send()
        .await
        .unwrap();
    assert_eq!(import.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let (tasks, imported): (i64, i64) = on_db!(&app.db, pool => {
        (
            sqlx::query_scalar("SELECT COUNT(*) FROM tasks WHERE title = 'Call back'").fetch_one(pool).await.unwrap(),
            sqlx::query_scalar("SELECT COUNT(*) FROM contacts WHERE last_name = 'Port'").fetch_one(pool).await.unwrap(),
        )
    });
    assert_eq!((tasks, imported), (0, 0), "nothing without its entry");
}

/// Every list and lookup, as a user limited to Brisbane North: nothing of Sydney CBD shows, and
/// every Sydney record is "not found" (as if it did not exist).
async fn a_user_limited_to_one_location_sees_nothing_of_another(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_demo().await;
    let (sydney, brisbane) = (app.location_id("Sydney CBD").await, app.location_id("Brisbane North").await);
    let admin = app.api_token("admin").await;
    let limited = app.token_limited_to(&brisbane).await;
    let api = app.api();
    let get = |token: &str, path: String| {
        let request = api.get(app.url(&path)).bearer_auth(token);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            (status, response.text().await.unwrap())
        }
    };
    let json = |text: &str| serde_json::from_str::<Value>(text).unwrap();
    // Sydney's contacts and tasks, as an administrator sees them.
    let (_, body) = get(&admin, format!("/api/v1/contacts?location_id={sydney}&limit=200")).await;
    let sydney_contacts: Vec<Value> = json(&body)["items"].as_array().unwrap().clone();
    assert!(sydney_contacts.len() > 20, "the demo clinic has Sydney contacts");
    let sydney_ids: Vec<String> =
        sydney_contacts.iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
    let (_, body) = get(&admin, "/api/v1/tasks?status=all&limit=200".into()).await;
    let sydney_task = json(&body)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["contact_id"].as_str().is_some_and(|c| sydney_ids.iter().any(|s| s == c)))
        .cloned()
        .expect("a task about a Sydney contact");
    let sydney_task_id = sydney_task["id"].as_str().unwrap().to_owned();

    // Lists: only Brisbane.
    let mut cursor: Option<String> = None;
    let mut seen = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/contacts?limit=200&cursor={c}"),
            None => "/api/v1/contacts?limit=200".to_owned(),
        };
        let (status, body) = get(&limited, path).await;
        assert_eq!(status, StatusCode::OK);
        let page = json(&body);
        for contact in page["items"].as_array().unwrap() {
            assert_eq!(contact["location_id"], brisbane.as_str(), "contacts list");
            seen += 1;
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert!(seen > 0, "Brisbane's own contacts are listed");
    let someone = &sydney_contacts[0];
    let name =
        format!("{} {}", someone["first_name"].as_str().unwrap(), someone["last_name"].as_str().unwrap());
    let (_, body) = get(&limited, format!("/api/v1/contacts?q={}", name.replace(' ', "%20"))).await;
    assert!(
        json(&body)["items"].as_array().unwrap().iter().all(|c| c["location_id"] == brisbane.as_str()),
        "search"
    );
    let (_, csv) = get(&limited, "/api/v1/contacts.csv".into()).await;
    for id in &sydney_ids {
        assert!(!csv.contains(id.as_str()), "CSV export");
    }
    let (_, body) = get(&limited, "/api/v1/tasks?status=all&limit=200".into()).await;
    for task in json(&body)["items"].as_array().unwrap() {
        let about = task["contact_id"].as_str();
        assert!(about.is_none_or(|c| !sydney_ids.iter().any(|s| s == c)), "tasks list");
    }
    let (_, body) = get(&limited, format!("/api/v1/tasks?status=all&contact_id={}", sydney_ids[0])).await;
    assert_eq!(json(&body)["items"], json!([]), "tasks of a Sydney contact");
    let (_, body) = get(&limited, "/api/v1/pipeline".into()).await;
    for column in json(&body)["columns"].as_array().unwrap() {
        for card in column["cards"].as_array().unwrap() {
            assert!(!sydney_ids.iter().any(|s| card["id"] == s.as_str()), "pipeline board");
        }
    }
    let (_, body) = get(&limited, "/api/v1/dashboard".into()).await;
    let dashboard = json(&body);
    let names: Vec<&str> =
        dashboard["locations"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Brisbane North"], "dashboard locations");
    for recent in dashboard["recent_contacts"].as_array().unwrap() {
        assert!(!sydney_ids.iter().any(|s| recent["id"] == s.as_str()), "dashboard's recent contacts");
    }

    // Lookups and changes of Sydney records: not found.
    for id in sydney_ids.iter().take(5) {
        for path in [
            format!("/api/v1/contacts/{id}"),
            format!("/api/v1/contacts/{id}/duplicates"),
            format!("/api/v1/contacts/{id}/touchpoints"),
        ] {
            assert_eq!(get(&limited, path.clone()).await.0, StatusCode::NOT_FOUND, "{path}");
        }
        let patch = api
            .patch(app.url(&format!("/api/v1/contacts/{id}")))
            .bearer_auth(&limited)
            .json(&json!({ "first_name": "Moved" }))
            .send()
            .await
            .unwrap();
        assert_eq!(patch.status(), StatusCode::NOT_FOUND);
        let stage = api
            .post(app.url(&format!("/api/v1/contacts/{id}/stage")))
            .bearer_auth(&limited)
            .json(&json!({ "stage_id": "01K0STAGE00000000000000002" }))
            .send()
            .await
            .unwrap();
        assert_eq!(stage.status(), StatusCode::NOT_FOUND);
        let delete = api
            .delete(app.url(&format!("/api/v1/contacts/{id}")))
            .bearer_auth(&limited)
            .send()
            .await
            .unwrap();
        assert_eq!(delete.status(), StatusCode::NOT_FOUND);
        let note = api
            .post(app.url(&format!("/api/v1/contacts/{id}/touchpoints")))
            .bearer_auth(&limited)
            .json(&json!({ "kind": "note", "summary": "x" }))
            .send()
            .await
            .unwrap();
        assert_eq!(note.status(), StatusCode::NOT_FOUND);
    }
    let task = api
        .patch(app.url(&format!("/api/v1/tasks/{sydney_task_id}")))
        .bearer_auth(&limited)
        .json(&json!({ "completed": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(task.status(), StatusCode::NOT_FOUND, "a Sydney contact's task");
    let (_, body) = get(&admin, format!("/api/v1/contacts?location_id={brisbane}&limit=1")).await;
    let brisbane_id = json(&body)["items"][0]["id"].as_str().unwrap().to_owned();
    let merge = api
        .post(app.url(&format!("/api/v1/contacts/{brisbane_id}/merge")))
        .bearer_auth(&limited)
        .json(&json!({ "duplicate_id": sydney_ids[0] }))
        .send()
        .await
        .unwrap();
    assert_eq!(merge.status(), StatusCode::UNPROCESSABLE_ENTITY, "merging in a Sydney contact");
    let task_about = api
        .post(app.url("/api/v1/tasks"))
        .bearer_auth(&limited)
        .json(&json!({ "title": "Call", "contact_id": sydney_ids[0] }))
        .send()
        .await
        .unwrap();
    assert_eq!(task_about.status(), StatusCode::UNPROCESSABLE_ENTITY, "a task about a Sydney contact");
    // Nothing was changed by any of it.
    let (_, body) = get(&admin, format!("/api/v1/contacts/{}", sydney_ids[0])).await;
    assert_eq!(json(&body)["first_name"], sydney_contacts[0]["first_name"]);

    // The same through the pages' server functions and the contact page.
    let email = format!("brisbane.{}@clinic.test", ulid::Ulid::new().to_string().to_lowercase());
    let input = domain::services::users::NewUser {
        email: email.clone(),
        display_name: "Brisbane desk".into(),
        role: "reception".into(),
        password: Some(TEST_PASSWORD.into()),
        location_ids: Some(vec![brisbane.clone()]),
        ..Default::default()
    };
    domain::services::users::create(&app.db, None, input, &Default::default()).await.unwrap();
    let browser = app.sign_in(&email, TEST_PASSWORD).await;
    let call = |name: &str, form: Vec<(&str, String)>| {
        let request = browser.post(app.url(&format!("/rpc/{name}"))).form(&form);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let (_, listed) = call("list_contacts", vec![]).await;
    let (_, board) = call("pipeline_board", vec![]).await;
    let (_, tasks) = call("list_tasks", vec![("view", "open".into())]).await;
    for id in &sydney_ids {
        assert!(!listed.contains(id.as_str()) && !board.contains(id.as_str()), "server functions' lists");
    }
    assert!(!tasks.contains(&sydney_task_id), "Tasks page list");
    for name in ["get_contact", "contact_timeline", "contact_duplicates"] {
        let (status, _) = call(name, vec![("id", sydney_ids[0].clone())]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{name}");
    }
    let (_, own_tasks) = call("contact_tasks", vec![("contact_id", sydney_ids[0].clone())]).await;
    assert!(!own_tasks.contains(&sydney_task_id), "contact_tasks");
    let page = browser.get(app.url(&format!("/contacts/{}", sydney_ids[0]))).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND, "the contact page");
}
