//! "Sign in with Google": OAuth 2 authorization code flow with PKCE (S256) and a state value,
//! both kept in the session. Only invited staff, or verified accounts of the allowed Google
//! Workspace domain, get in. Every Google URL is configurable (tests run a local stand-in).

use axum::Extension;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::services::users::{self, GoogleIdentity};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse, TokenUrl,
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::config::GoogleConfig;
use crate::http::redirect::safe_next;
use crate::state::AppState;
use crate::web::auth::start_session;
use app::RequestAuth;

const STATE_KEY: &str = "google.state";
const VERIFIER_KEY: &str = "google.pkce_verifier";
const NEXT_KEY: &str = "google.next";

fn failed(code: &str) -> Response {
    Redirect::to(&format!("/login?error={code}")).into_response()
}

fn redirect_url(state: &AppState) -> String {
    format!("{}/auth/google/callback", state.config.public_base_url)
}

macro_rules! client {
    ($google:expr, $redirect:expr) => {
        match (
            AuthUrl::new($google.auth_url.clone()),
            TokenUrl::new($google.token_url.clone()),
            RedirectUrl::new($redirect),
        ) {
            (Ok(auth), Ok(token), Ok(redirect)) => BasicClient::new(ClientId::new($google.client_id.clone()))
                .set_client_secret(ClientSecret::new($google.client_secret.clone()))
                .set_auth_uri(auth)
                .set_token_uri(token)
                .set_redirect_uri(redirect),
            _ => return failed("google_unavailable"),
        }
    };
}

#[derive(Deserialize)]
pub struct StartParams {
    next: Option<String>,
}

/// `GET /auth/google`: remember state + PKCE verifier, send the browser to Google.
pub async fn start(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<StartParams>,
) -> Response {
    let Some(google) = state.config.google.as_ref() else { return failed("google_off") };
    let client = client!(google, redirect_url(&state));
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf_state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("openid".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let saved = async {
        session.insert(STATE_KEY, csrf_state.secret()).await?;
        session.insert(VERIFIER_KEY, verifier.secret()).await?;
        session.insert(NEXT_KEY, safe_next(params.next.as_deref())).await
    };
    if saved.await.is_err() {
        return failed("google_unavailable");
    }
    Redirect::to(url.as_str()).into_response()
}

#[derive(Deserialize)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct UserInfo {
    email: Option<String>,
    #[serde(default)]
    email_verified: bool,
    name: Option<String>,
    hd: Option<String>,
}

async fn fetch_identity(
    google: &GoogleConfig,
    http: &reqwest::Client,
    access_token: &str,
) -> Result<GoogleIdentity, String> {
    let response =
        http.get(&google.userinfo_url).bearer_auth(access_token).send().await.map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("userinfo answered {}", response.status()));
    }
    let info: UserInfo = response.json().await.map_err(|e| e.to_string())?;
    Ok(GoogleIdentity {
        email: info.email.unwrap_or_default(),
        email_verified: info.email_verified,
        name: info.name,
        hosted_domain: info.hd,
    })
}

/// `GET /auth/google/callback`: check state, exchange the code with the PKCE verifier, read
/// the verified email, and sign in.
pub async fn callback(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    session: Session,
    Query(params): Query<CallbackParams>,
) -> Response {
    let Some(google) = state.config.google.as_ref() else { return failed("google_off") };
    // One use only: whatever happens next, this flow's secrets are gone from the session.
    let expected: Option<String> = session.remove(STATE_KEY).await.ok().flatten();
    let verifier: Option<String> = session.remove(VERIFIER_KEY).await.ok().flatten();
    let next: Option<String> = session.remove(NEXT_KEY).await.ok().flatten();
    if params.error.is_some() {
        return failed("google_denied");
    }
    let (Some(expected), Some(verifier), Some(returned), Some(code)) =
        (expected, verifier, params.state, params.code)
    else {
        return failed("google_state");
    };
    if expected != returned {
        tracing::warn!("Google sign-in refused: state mismatch");
        return failed("google_state");
    }
    let client = client!(google, redirect_url(&state));
    let token = match client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier))
        .request_async(&state.http)
        .await
    {
        Ok(token) => token,
        Err(err) => {
            tracing::warn!(error = %err, "Google refused the authorization code");
            return failed("google_failed");
        }
    };
    let identity = match fetch_identity(google, &state.http, token.access_token().secret()).await {
        Ok(identity) => identity,
        Err(err) => {
            tracing::warn!(error = %err, "could not read the Google account");
            return failed("google_failed");
        }
    };
    match users::sign_in_with_google(&state.db, identity, google.allowed_domain.as_deref(), &auth.meta).await
    {
        Ok(user_id) => match start_session(&session, &user_id).await {
            Ok(()) => Redirect::to(&safe_next(next.as_deref())).into_response(),
            Err(response) => response,
        },
        Err(domain::DomainError::ForbiddenReason(_)) => failed("google_refused"),
        Err(err) => {
            tracing::error!(error = %err, "Google sign-in failed");
            failed("google_failed")
        }
    }
}
