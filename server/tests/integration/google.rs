//! Google sign-in against a local stand-in for Google's OAuth 2 endpoints. The stand-in
//! speaks the real wire format (authorization code + PKCE S256, client Basic auth, JSON token
//! and userinfo responses, `invalid_grant` errors) and refuses a wrong verifier or client.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::common::{Backend, TestApp, browser};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

const CLIENT_ID: &str = "avatar-test-client";
const CLIENT_SECRET: &str = "avatar-test-secret";

#[derive(Clone, Default)]
struct Identity {
    email: String,
    verified: bool,
    hd: Option<String>,
}

#[derive(Default)]
struct FakeGoogle {
    identity: Identity,
    /// code → (PKCE challenge, redirect_uri)
    codes: HashMap<String, (String, String)>,
    tokens: Vec<String>,
    refused_verifiers: usize,
    token_endpoint_down: bool,
}

type Shared = Arc<Mutex<FakeGoogle>>;

#[derive(Deserialize)]
struct AuthorizeParams {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    state: String,
    code_challenge: String,
    code_challenge_method: String,
    scope: String,
}

async fn authorize(State(google): State<Shared>, Query(p): Query<AuthorizeParams>) -> Response {
    if p.response_type != "code" || p.client_id != CLIENT_ID || p.code_challenge_method != "S256" {
        return (StatusCode::BAD_REQUEST, "invalid_request").into_response();
    }
    assert!(p.scope.split(' ').any(|s| s == "email"), "asks for the email scope");
    let code = format!("code-{}", ulid::Ulid::new());
    google.lock().unwrap().codes.insert(code.clone(), (p.code_challenge, p.redirect_uri.clone()));
    Redirect::to(&format!("{}?code={code}&state={}", p.redirect_uri, p.state)).into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: String,
}

fn oauth_error(error: &str, description: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error, "error_description": description })))
        .into_response()
}

async fn token(State(google): State<Shared>, headers: HeaderMap, Form(form): Form<TokenForm>) -> Response {
    let mut g = google.lock().unwrap();
    if g.token_endpoint_down {
        return (StatusCode::SERVICE_UNAVAILABLE, "backend error").into_response();
    }
    let expected = format!("Basic {}", STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}")));
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return (StatusCode::UNAUTHORIZED, Json(json!({ "error": "invalid_client" }))).into_response();
    }
    if form.grant_type != "authorization_code" {
        return oauth_error("unsupported_grant_type", "");
    }
    // Codes work once.
    let Some((challenge, redirect_uri)) = g.codes.remove(&form.code) else {
        return oauth_error("invalid_grant", "Malformed auth code.");
    };
    if redirect_uri != form.redirect_uri {
        return oauth_error("redirect_uri_mismatch", "Bad Request");
    }
    if URL_SAFE_NO_PAD.encode(Sha256::digest(form.code_verifier.as_bytes())) != challenge {
        g.refused_verifiers += 1;
        return oauth_error("invalid_grant", "Invalid code verifier.");
    }
    let access = format!("ya29.{}", ulid::Ulid::new());
    g.tokens.push(access.clone());
    Json(json!({
        "access_token": access,
        "expires_in": 3599,
        "scope": "openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile",
        "token_type": "Bearer",
        "id_token": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"
    }))
    .into_response()
}

async fn userinfo(State(google): State<Shared>, headers: HeaderMap) -> Response {
    let g = google.lock().unwrap();
    let bearer =
        headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if !bearer.is_some_and(|t| g.tokens.iter().any(|known| known == t)) {
        return (StatusCode::UNAUTHORIZED, Json(json!({ "error": "invalid_token" }))).into_response();
    }
    let mut body = json!({
        "sub": "110169484474386276334",
        "email": g.identity.email,
        "email_verified": g.identity.verified,
        "name": "Gabriela Google",
        "picture": "https://lh3.googleusercontent.com/a/x",
    });
    if let Some(hd) = &g.identity.hd {
        body["hd"] = json!(hd);
    }
    Json(body).into_response()
}

async fn start_fake_google(identity: Identity) -> (String, Shared) {
    let shared: Shared = Arc::new(Mutex::new(FakeGoogle { identity, ..FakeGoogle::default() }));
    let router = Router::new()
        .route("/o/oauth2/v2/auth", get(authorize))
        .route("/token", post(token))
        .route("/v1/userinfo", get(userinfo))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (base, shared)
}

async fn app_with_google(
    backend: Backend,
    identity: Identity,
    allowed_domain: Option<&str>,
) -> (TestApp, Shared) {
    let (google, shared) = start_fake_google(identity).await;
    let auth = format!("{google}/o/oauth2/v2/auth");
    let token = format!("{google}/token");
    let userinfo = format!("{google}/v1/userinfo");
    let mut settings = vec![
        ("GOOGLE_CLIENT_ID", CLIENT_ID),
        ("GOOGLE_CLIENT_SECRET", CLIENT_SECRET),
        ("GOOGLE_AUTH_URL", auth.as_str()),
        ("GOOGLE_TOKEN_URL", token.as_str()),
        ("GOOGLE_USERINFO_URL", userinfo.as_str()),
    ];
    if let Some(domain) = allowed_domain {
        settings.push(("GOOGLE_ALLOWED_DOMAIN", domain));
    }
    // The app's own public URL is only known once it listens; redirect URIs use it.
    let app = TestApp::spawn_with(backend, &settings).await;
    (app, shared)
}

fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// Runs the browser side up to Google's redirect back; returns the callback URL.
async fn consent(app: &TestApp, client: &reqwest::Client) -> String {
    let start = client.get(app.url("/auth/google?next=/settings")).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let to_google = location(&start);
    assert!(to_google.contains("code_challenge_method=S256"), "{to_google}");
    let back = client.get(&to_google).send().await.unwrap();
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    location(&back)
}

/// The app's redirect URI is built from PUBLIC_BASE_URL, which defaults to the listen
/// address; in tests that is 127.0.0.1:0, so point callbacks at the real port.
fn at_app(app: &TestApp, callback: &str) -> String {
    let path = callback.split_once("/auth/google/callback").map(|(_, rest)| rest).unwrap();
    app.url(&format!("/auth/google/callback{path}"))
}

fn invited(email: &str) -> Identity {
    Identity { email: email.into(), verified: true, hd: None }
}

async fn invited_staff_sign_in_with_google(backend: Backend) {
    let (app, _) = app_with_google(backend, invited("Gabi@Clinic.test"), None).await;
    let input = domain::services::users::NewUser {
        email: "gabi@clinic.test".into(),
        display_name: "Gabi Staff".into(),
        role: "reception".into(),
        ..Default::default()
    };
    domain::services::users::create(&app.db, None, input, &Default::default()).await.unwrap();
    let client = browser(&app.base_url);
    let callback = consent(&app, &client).await;
    let done = client.get(at_app(&app, &callback)).send().await.unwrap();
    assert_eq!(location(&done), "/settings");
    let page = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Gabi Staff"));
    // The same callback cannot be replayed: its state was used up.
    let replay = browser(&app.base_url).get(at_app(&app, &callback)).send().await.unwrap();
    assert_eq!(location(&replay), "/login?error=google_state");
}

async fn uninvited_google_accounts_are_refused(backend: Backend) {
    let (app, _) = app_with_google(backend, invited("stranger@gmail.test"), Some("clinic.test")).await;
    let client = browser(&app.base_url);
    let callback = consent(&app, &client).await;
    let done = client.get(at_app(&app, &callback)).send().await.unwrap();
    assert_eq!(location(&done), "/login?error=google_refused");
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let page = client.get(app.url("/login?error=google_refused")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Ask an administrator to invite you"));
}

async fn the_allowed_workspace_domain_gets_read_only_accounts(backend: Backend) {
    let identity =
        Identity { email: "new.starter@clinic.test".into(), verified: true, hd: Some("clinic.test".into()) };
    let (app, _) = app_with_google(backend, identity, Some("clinic.test")).await;
    let client = browser(&app.base_url);
    let callback = consent(&app, &client).await;
    assert_eq!(location(&client.get(at_app(&app, &callback)).send().await.unwrap()), "/settings");
    let id =
        domain::services::users::find_id_by_email(&app.db, "new.starter@clinic.test").await.unwrap().unwrap();
    let actor = domain::services::users::actor_for_user(
        &app.db,
        &id,
        domain::actor::AuthMethod::Session { session_id: "test".into() },
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(actor.role, domain::access::Role::Readonly);
}

async fn unverified_addresses_are_refused(backend: Backend) {
    let identity = Identity { email: "gabi@clinic.test".into(), verified: false, hd: None };
    let (app, _) = app_with_google(backend, identity, None).await;
    app.create_user("reception").await;
    let client = browser(&app.base_url);
    let callback = consent(&app, &client).await;
    assert_eq!(
        location(&client.get(at_app(&app, &callback)).send().await.unwrap()),
        "/login?error=google_refused"
    );
}

async fn a_tampered_state_is_refused(backend: Backend) {
    let (app, google) = app_with_google(backend, invited("gabi@clinic.test"), None).await;
    let client = browser(&app.base_url);
    let callback = at_app(&app, &consent(&app, &client).await);
    let (before, state) = callback.split_once("state=").unwrap();
    let tampered = format!("{before}state={}x", state);
    assert_eq!(location(&client.get(&tampered).send().await.unwrap()), "/login?error=google_state");
    assert!(google.lock().unwrap().tokens.is_empty(), "no code was exchanged");
}

async fn a_code_with_another_flows_verifier_is_refused(backend: Backend) {
    let (app, google) = app_with_google(backend, invited("gabi@clinic.test"), None).await;
    app.create_user("reception").await;
    // Flow A gets a code; flow B (another browser) tries to redeem A's code with B's state.
    let a = browser(&app.base_url);
    let callback_a = at_app(&app, &consent(&app, &a).await);
    let b = browser(&app.base_url);
    let callback_b = at_app(&app, &consent(&app, &b).await);
    let code_a = callback_a.split("code=").nth(1).unwrap().split('&').next().unwrap();
    let state_b = callback_b.split("state=").nth(1).unwrap();
    let swapped = app.url(&format!("/auth/google/callback?code={code_a}&state={state_b}"));
    assert_eq!(location(&b.get(&swapped).send().await.unwrap()), "/login?error=google_failed");
    assert_eq!(google.lock().unwrap().refused_verifiers, 1, "Google refused B's verifier for A's code");
    assert_eq!(b.get(app.url("/")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
}

async fn google_outages_fail_cleanly(backend: Backend) {
    let (app, google) = app_with_google(backend, invited("gabi@clinic.test"), None).await;
    let client = browser(&app.base_url);
    let callback = at_app(&app, &consent(&app, &client).await);
    google.lock().unwrap().token_endpoint_down = true;
    assert_eq!(location(&client.get(&callback).send().await.unwrap()), "/login?error=google_failed");
    // Google sign-in is off without credentials.
    let plain = TestApp::spawn(backend).await;
    let response = browser(&plain.base_url).get(plain.url("/auth/google")).send().await.unwrap();
    assert_eq!(location(&response), "/login?error=google_off");
}

on_both_backends!(
    invited_staff_sign_in_with_google,
    uninvited_google_accounts_are_refused,
    the_allowed_workspace_domain_gets_read_only_accounts,
    unverified_addresses_are_refused,
    a_tampered_state_is_refused,
    a_code_with_another_flows_verifier_is_refused,
    google_outages_fail_cleanly,
);
