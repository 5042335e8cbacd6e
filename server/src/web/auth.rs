//! `/auth/*`: sign in and out, sign out everywhere, password reset. Each accepts an HTML form
//! (answering with a redirect, so it works before the WASM loads) or JSON (answering JSON).

use app::RequestAuth;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Json, Router};
use chrono::Utc;
use domain::access::CurrentUser;
use domain::problem::ErrorCode;
use domain::services::audit::{self, Entry};
use domain::services::users;
use domain::sessions::{self, SIGNED_IN_AT_KEY, USER_ID_KEY};
use domain::{Actor, DomainError};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tower_sessions::Session;

use crate::http::error::HttpError;
use crate::http::extract::JsonObject;
use crate::http::redirect::{safe_next, urlencode};
use crate::middleware::caller::session_method;
use crate::state::AppState;
use crate::web::google;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/logout-everywhere", post(logout_everywhere))
        .route("/password-reset", post(request_reset))
        .route("/password-reset/confirm", post(confirm_reset))
        .route("/google", get(google::start))
        .route("/google/callback", get(google::callback))
}

fn is_json(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Reads a JSON or form body into `T`; `Err` is the response to send.
async fn read_body<T: DeserializeOwned>(request: Request, state: &AppState) -> Result<(T, bool), Response> {
    if is_json(&request) {
        JsonObject::<T>::from_request(request, state)
            .await
            .map(|JsonObject(v)| (v, true))
            .map_err(IntoResponse::into_response)
    } else {
        Form::<T>::from_request(request, state)
            .await
            .map(|Form(v)| (v, false))
            .map_err(|e| HttpError::bad_request(e.body_text()).into_response())
    }
}

/// Starts a signed-in session: a fresh session id (no fixation), who, and since when.
pub async fn start_session(session: &Session, user_id: &str) -> Result<(), Response> {
    let failed = |e: tower_sessions::session::Error| {
        tracing::error!(error = %e, "could not start a session");
        HttpError::new(ErrorCode::Internal, "Could not sign you in; please try again.").into_response()
    };
    session.cycle_id().await.map_err(failed)?;
    session.insert(USER_ID_KEY, user_id).await.map_err(failed)?;
    session.insert(SIGNED_IN_AT_KEY, Utc::now()).await.map_err(failed)?;
    Ok(())
}

#[derive(Deserialize)]
struct LoginBody {
    email: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

fn login_page(error: &str, next: &str) -> Response {
    let next = if next == "/" { String::new() } else { format!("&next={}", urlencode(next)) };
    Redirect::to(&format!("/login?error={error}{next}")).into_response()
}

async fn login(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    session: Session,
    request: Request,
) -> Response {
    let (body, json) = match read_body::<LoginBody>(request, &state).await {
        Ok(parsed) => parsed,
        Err(response) => return response,
    };
    let next = safe_next(body.next.as_deref());
    match users::sign_in(&state.db, &body.email, &body.password, &auth.meta).await {
        Ok(user_id) => {
            if let Err(response) = start_session(&session, &user_id).await {
                return response;
            }
            if !json {
                return Redirect::to(&next).into_response();
            }
            match users::actor_for_user(&state.db, &user_id, session_method(&session)).await {
                Ok(Some(actor)) => Json(serde_json::json!({ "user": current_user(&actor) })).into_response(),
                Ok(None) => HttpError::from(DomainError::InvalidCredentials).into_response(),
                Err(err) => HttpError::from(err).into_response(),
            }
        }
        Err(err) if json => HttpError::from(err).into_response(),
        Err(DomainError::InvalidCredentials) => login_page("credentials", &next),
        Err(DomainError::RateLimited { .. }) => login_page("throttled", &next),
        Err(err) => {
            let api = HttpError::from(err);
            login_page(if api.status().is_server_error() { "unavailable" } else { "credentials" }, &next)
        }
    }
}

pub fn current_user(actor: &Actor) -> CurrentUser {
    CurrentUser {
        id: actor.user_id.clone(),
        email: actor.email.clone(),
        display_name: actor.display_name.clone(),
        role: actor.role,
    }
}

fn signed_out(request_wants_json: bool) -> Response {
    if request_wants_json {
        StatusCode::NO_CONTENT.into_response()
    } else {
        Redirect::to("/login?signed_out=1").into_response()
    }
}

fn wants_json_reply(auth_headers: &axum::http::HeaderMap) -> bool {
    auth_headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

async fn logout(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    session: Session,
    headers: axum::http::HeaderMap,
) -> Response {
    if let Some(actor) = &auth.actor {
        let _ = audit::record(&state.db, Entry::new("auth.sign_out").by(actor).from(&auth.meta)).await;
    }
    let _ = session.flush().await;
    signed_out(wants_json_reply(&headers))
}

async fn logout_everywhere(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    session: Session,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(actor) = &auth.actor else {
        return HttpError::unauthorized().into_response();
    };
    if let Err(err) = sessions::delete_for_user(&state.db, &actor.user_id).await {
        return HttpError::from(err).into_response();
    }
    let _ = audit::record(&state.db, Entry::new("auth.sign_out_everywhere").by(actor).from(&auth.meta)).await;
    let _ = session.flush().await;
    signed_out(wants_json_reply(&headers))
}

#[derive(Deserialize)]
struct ResetRequestBody {
    email: String,
}

async fn request_reset(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    request: Request,
) -> Response {
    let (body, json) = match read_body::<ResetRequestBody>(request, &state).await {
        Ok(parsed) => parsed,
        Err(response) => return response,
    };
    let result =
        users::request_password_reset(&state.db, &body.email, &state.config.public_base_url, &auth.meta)
            .await;
    match (result, json) {
        (Ok(()), true) => StatusCode::ACCEPTED.into_response(),
        (Ok(()), false) => Redirect::to("/password-reset?sent=1").into_response(),
        (Err(err), true) => HttpError::from(err).into_response(),
        (Err(DomainError::Validation(_)), false) => {
            Redirect::to("/password-reset?error=email").into_response()
        }
        (Err(DomainError::RateLimited { .. }), false) => {
            Redirect::to("/password-reset?error=throttled").into_response()
        }
        (Err(err), false) => {
            let _ = HttpError::from(err);
            Redirect::to("/password-reset?error=unavailable").into_response()
        }
    }
}

#[derive(Deserialize)]
struct ResetConfirmBody {
    token: String,
    new_password: String,
}

async fn confirm_reset(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    request: Request,
) -> Response {
    let (body, json) = match read_body::<ResetConfirmBody>(request, &state).await {
        Ok(parsed) => parsed,
        Err(response) => return response,
    };
    let result = users::reset_password(&state.db, &body.token, &body.new_password, &auth.meta).await;
    match (result, json) {
        (Ok(()), true) => StatusCode::NO_CONTENT.into_response(),
        (Ok(()), false) => Redirect::to("/login?reset=1").into_response(),
        (Err(err), true) => HttpError::from(err).into_response(),
        (Err(DomainError::Validation(fields)), false) => {
            let code = if fields.contains_key("new_password") { "weak" } else { "token" };
            Redirect::to(&format!("/password-reset?token={}&error={code}", urlencode(&body.token)))
                .into_response()
        }
        (Err(err), false) => {
            let _ = HttpError::from(err);
            Redirect::to("/password-reset?error=unavailable").into_response()
        }
    }
}
