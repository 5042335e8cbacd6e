//! The patients' pages, open to anyone (no session, no IP allowlist), each client address
//! rate-limited (`middleware::public_rate`): `/book` step by step, `POST /book`, the manage
//! link `/b/{token}` with confirm, move and cancel, and the waitlist offer `/w/{token}`. Plain
//! HTML with links and form posts; every post answers with a redirect (so a reload never
//! repeats it) or the page again with what was wrong and everything typed kept.

use app::pages::book::{self as pages, DetailsForm, TimesFor, TimesPage};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use chrono::{DateTime, NaiveDate, Utc};
use domain::error::FieldErrors;
use domain::model::{BookingMenu, MenuLocation, Service};
use domain::services::bookings::{public, waitlist};
use domain::{DomainError, RequestMeta};
use serde::Deserialize;

use crate::middleware::client_ip::ClientIp;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/book", get(start).post(book))
        .route("/book/details", get(details))
        .route("/b/{token}", get(manage))
        .route("/b/{token}/confirm", axum::routing::post(confirm))
        .route("/b/{token}/cancel", axum::routing::post(cancel))
        .route("/b/{token}/move", get(move_times).post(move_to))
        .route("/w/{token}", get(offer).post(take_offer))
}

/// Longest value any field of these forms may carry; more is refused before any work.
const MAX_FIELD: usize = 320;

fn meta(request_ip: Option<ClientIp>, headers: &axum::http::HeaderMap) -> RequestMeta {
    let request_id = headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    RequestMeta { ip: request_ip.map(|ClientIp(ip)| ip), request_id }
}

/// An HTML page with `status`; never cached (free times change by the minute).
fn page(
    state: &AppState,
    status: StatusCode,
    title: &str,
    body: impl leptos::IntoView + 'static,
) -> Response {
    let mut response = (status, Html(pages::document(&state.leptos_options, title, body))).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn message(state: &AppState, status: StatusCode, heading: &str, text: &str) -> Response {
    page(state, status, heading, pages::message_view(heading, text))
}

/// A page for a domain error that is not about a field: not found, or something broke.
fn failure(state: &AppState, err: DomainError) -> Response {
    match err {
        DomainError::NotFound(_) => message(
            state,
            StatusCode::NOT_FOUND,
            "Not found",
            "This link or page doesn't exist. If you followed a link from a text, it may be out of date.",
        ),
        DomainError::RateLimited { message: text, .. } => {
            message(state, StatusCode::TOO_MANY_REQUESTS, "Please wait", &text)
        }
        other => {
            tracing::error!(error = %other, "a patient page failed");
            message(
                state,
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "We couldn't do that just now. Please try again in a minute, or call the clinic.",
            )
        }
    }
}

#[derive(Deserialize, Default)]
struct StartQuery {
    service: Option<String>,
    location: Option<String>,
    from: Option<String>,
    day: Option<String>,
}

fn day(raw: Option<&str>) -> Option<NaiveDate> {
    raw.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

fn pick<'a>(
    menu: &'a BookingMenu,
    service: &str,
    location: Option<&str>,
) -> Option<(&'a Service, Vec<&'a MenuLocation>)> {
    let service = menu.services.iter().find(|s| s.id == service)?;
    let locations = menu
        .locations
        .iter()
        .filter(|l| l.service_ids.contains(&service.id) && location.is_none_or(|id| l.id == id))
        .collect();
    Some((service, locations))
}

/// `/book`: the step its query has reached — services, locations, or days and times.
async fn start(State(state): State<AppState>, Query(query): Query<StartQuery>) -> Response {
    let menu = match public::menu(&state.db).await {
        Ok(menu) => menu,
        Err(err) => return failure(&state, err),
    };
    let Some(service_id) = query.service.as_deref() else {
        return page(&state, StatusCode::OK, "Book a scan", pages::services_view(&menu, None));
    };
    let Some((service, locations)) = pick(&menu, service_id, None) else {
        let problem = Some("That scan can't be booked online. Please choose from the list.".to_owned());
        return page(&state, StatusCode::NOT_FOUND, "Book a scan", pages::services_view(&menu, problem));
    };
    let location = match query.location.as_deref() {
        Some(id) => locations.iter().copied().find(|l| l.id == id),
        // One place does it: no need to ask where.
        None if locations.len() == 1 => locations.first().copied(),
        None => {
            let title = format!("{}: where?", service.name);
            let owned: Vec<MenuLocation> = locations.into_iter().cloned().collect();
            return page(&state, StatusCode::OK, &title, pages::locations_view(service, &owned));
        }
    };
    let Some(location) = location else {
        let owned: Vec<MenuLocation> = locations.into_iter().cloned().collect();
        return page(&state, StatusCode::NOT_FOUND, "Where?", pages::locations_view(service, &owned));
    };
    times_page(&state, service, location, &query, TimesFor::New, None, StatusCode::OK).await
}

async fn times_page(
    state: &AppState,
    service: &Service,
    location: &MenuLocation,
    query: &StartQuery,
    purpose: TimesFor,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let from = day(query.from.as_deref()).unwrap_or_else(|| Utc::now().date_naive());
    let days = match public::open_days(&state.db, &service.id, &location.id, from, 7).await {
        Ok(days) => days,
        Err(err) => return failure(state, err),
    };
    let title = format!("{} at {}", service.name, location.name);
    let view = pages::times_view(TimesPage {
        service,
        location,
        days: &days,
        chosen: day(query.day.as_deref()),
        purpose,
        problem,
    });
    page(state, status, &title, view)
}

#[derive(Deserialize)]
struct DetailsQuery {
    #[serde(default)]
    service: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    start: String,
}

/// `/book/details`: the form for the chosen time.
async fn details(State(state): State<AppState>, Query(query): Query<DetailsQuery>) -> Response {
    let form = DetailsForm {
        service_id: query.service,
        location_id: query.location,
        start: query.start,
        ..DetailsForm::default()
    };
    details_page(&state, form, &FieldErrors::new(), StatusCode::OK).await
}

async fn details_page(
    state: &AppState,
    form: DetailsForm,
    errors: &FieldErrors,
    status: StatusCode,
) -> Response {
    let menu = match public::menu(&state.db).await {
        Ok(menu) => menu,
        Err(err) => return failure(state, err),
    };
    let chosen = pick(&menu, &form.service_id, Some(&form.location_id));
    let start = DateTime::parse_from_rfc3339(&form.start).ok();
    let (Some((service, locations)), Some(start)) = (chosen, start) else {
        let problem = Some("Please choose a scan, a place and a time.".to_owned());
        return page(state, StatusCode::NOT_FOUND, "Book a scan", pages::services_view(&menu, problem));
    };
    let Some(location) = locations.first().copied() else {
        return failure(state, DomainError::NotFound("location"));
    };
    let view = pages::details_view(service, location, &start, form, errors);
    page(state, status, "Your details", view)
}

#[derive(Deserialize)]
struct BookForm {
    #[serde(default)]
    service_id: String,
    #[serde(default)]
    location_id: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    date_of_birth: String,
    sms_consent: Option<String>,
    email_consent: Option<String>,
}

impl BookForm {
    fn too_long(&self) -> bool {
        [
            &self.service_id,
            &self.location_id,
            &self.start,
            &self.first_name,
            &self.last_name,
            &self.phone,
            &self.email,
            &self.date_of_birth,
        ]
        .iter()
        .any(|v| v.len() > MAX_FIELD)
    }
}

/// `POST /book`: the booking, then its manage page; or the form again with what was wrong.
async fn book(
    State(state): State<AppState>,
    ip: Option<axum::Extension<ClientIp>>,
    headers: axum::http::HeaderMap,
    form: Result<Form<BookForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let meta = meta(ip.map(|e| e.0), &headers);
    let Ok(Form(form)) = form else {
        return message(
            &state,
            StatusCode::BAD_REQUEST,
            "Something was missing",
            "Please go back and try again.",
        );
    };
    if form.too_long() {
        return message(&state, StatusCode::PAYLOAD_TOO_LARGE, "Too long", "One of the answers is too long.");
    }
    let kept = DetailsForm {
        service_id: form.service_id.clone(),
        location_id: form.location_id.clone(),
        start: form.start.clone(),
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        phone: form.phone.clone(),
        email: form.email.clone(),
        date_of_birth: form.date_of_birth.clone(),
        sms_consent: form.sms_consent.is_some(),
        email_consent: form.email_consent.is_some(),
    };
    let request = public::PatientRequest {
        service_id: form.service_id,
        location_id: form.location_id,
        start: form.start,
        first_name: form.first_name,
        last_name: form.last_name,
        phone: form.phone,
        email: form.email,
        date_of_birth: form.date_of_birth,
        sms_consent: kept.sms_consent,
        email_consent: kept.email_consent,
    };
    match public::book(&state.db, &state.config.patient_links, request, &meta).await {
        Ok((_, token)) => Redirect::to(&format!("/b/{token}?done=booked")).into_response(),
        Err(DomainError::Validation(errors)) if errors.contains_key("start") && errors.len() == 1 => {
            taken(&state, &kept, errors.get("start").cloned()).await
        }
        Err(DomainError::Validation(errors)) => {
            details_page(&state, kept, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(DomainError::Conflict(_)) => taken(&state, &kept, None).await,
        Err(err) => failure(&state, err),
    }
}

/// The times again, when the chosen one was taken meanwhile (or is no longer offered).
async fn taken(state: &AppState, form: &DetailsForm, why: Option<String>) -> Response {
    let menu = match public::menu(&state.db).await {
        Ok(menu) => menu,
        Err(err) => return failure(state, err),
    };
    let Some((service, locations)) = pick(&menu, &form.service_id, Some(&form.location_id)) else {
        return failure(state, DomainError::NotFound("service"));
    };
    let Some(location) = locations.first().copied() else {
        return failure(state, DomainError::NotFound("location"));
    };
    let day = DateTime::parse_from_rfc3339(&form.start).ok().map(|s| s.date_naive().to_string());
    let query = StartQuery { day: day.clone(), from: day, ..StartQuery::default() };
    let problem = why
        .filter(|w| !w.contains("Choose a time"))
        .map(|w| format!("That time can't be booked: {w}."))
        .or_else(|| Some("Sorry — that time was just taken. Please choose another.".to_owned()));
    times_page(state, service, location, &query, TimesFor::New, problem, StatusCode::CONFLICT).await
}

#[derive(Deserialize, Default)]
struct Done {
    done: Option<String>,
}

fn done_text(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "booked" => "You're booked. We've sent you a confirmation with this page's link.",
            "confirmed" => "Thanks — you've confirmed. See you then.",
            "cancelled" => "Your appointment is cancelled.",
            "moved" => "Your appointment has moved to the new time.",
            _ => return None,
        }
        .to_owned(),
    )
}

/// `/b/{token}`: the patient's booking.
async fn manage(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(done): Query<Done>,
    ip: Option<axum::Extension<ClientIp>>,
    headers: axum::http::HeaderMap,
) -> Response {
    manage_page(
        &state,
        &token,
        done_text(done.done.as_deref()),
        None,
        &meta(ip.map(|e| e.0), &headers),
        StatusCode::OK,
    )
    .await
}

async fn manage_page(
    state: &AppState,
    token: &str,
    done: Option<String>,
    problem: Option<String>,
    meta: &RequestMeta,
    status: StatusCode,
) -> Response {
    match public::manage(&state.db, &state.config.patient_links, token, meta).await {
        Ok(booking) => {
            page(state, status, "Your appointment", pages::manage_view(token, &booking, done, problem))
        }
        Err(err) => failure(state, err),
    }
}

/// After a change: back to the manage page with news, or with the problem.
async fn after_change(
    state: &AppState,
    token: &str,
    result: Result<domain::model::Booking, DomainError>,
    done: &str,
    meta: &RequestMeta,
) -> Response {
    match result {
        Ok(_) => Redirect::to(&format!("/b/{token}?done={done}")).into_response(),
        Err(DomainError::Conflict(problem)) => {
            manage_page(state, token, None, Some(problem), meta, StatusCode::CONFLICT).await
        }
        Err(DomainError::Validation(errors)) => {
            let problem = errors.into_values().next();
            manage_page(state, token, None, problem, meta, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(err) => failure(state, err),
    }
}

async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ip: Option<axum::Extension<ClientIp>>,
    headers: axum::http::HeaderMap,
) -> Response {
    let meta = meta(ip.map(|e| e.0), &headers);
    let result = public::confirm(&state.db, &state.config.patient_links, &token, &meta).await;
    after_change(&state, &token, result, "confirmed", &meta).await
}

#[derive(Deserialize)]
struct CancelForm {
    #[serde(default)]
    reason: String,
}

async fn cancel(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ip: Option<axum::Extension<ClientIp>>,
    headers: axum::http::HeaderMap,
    Form(form): Form<CancelForm>,
) -> Response {
    let meta = meta(ip.map(|e| e.0), &headers);
    let reason: String = form.reason.chars().take(200).collect();
    let result = public::cancel(&state.db, &state.config.patient_links, &token, &reason, &meta).await;
    after_change(&state, &token, result, "cancelled", &meta).await
}

/// `/b/{token}/move`: free times for the booking's service and location.
async fn move_times(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<StartQuery>,
    ip: Option<axum::Extension<ClientIp>>,
    headers: axum::http::HeaderMap,
) -> Response {
    let meta = meta(ip.map(|e| e.0), &headers);
    move_page(&state, &token, &query, None, &meta, StatusCode::OK).await
}

async fn move_page(
    state: &AppState,
    token: &str,
    query: &StartQuery,
    problem: Option<String>,
    meta: &RequestMeta,
    status: StatusCode,
) -> Response {
    let booking = match public::manage(&state.db, &state.config.patient_links, token, meta).await {
        Ok(booking) => booking,
        Err(err) => return failure(state, err),
    };
    if !booking.may_change {
        return manage_page(state, token, None, None, meta, StatusCode::OK).await;
    }
    let menu = match public::menu(&state.db).await {
        Ok(menu) => menu,
        Err(err) => return failure(state, err),
    };
    let Some((service, locations)) = pick(&menu, &booking.service_id, Some(&booking.location_id)) else {
        return failure(state, DomainError::NotFound("service"));
    };
    let Some(location) = locations.first().copied() else {
        return failure(state, DomainError::NotFound("location"));
    };
    let purpose = TimesFor::Move { token: token.to_owned() };
    times_page(state, service, location, query, purpose, problem, status).await
}

#[derive(Deserialize)]
struct MoveForm {
    #[serde(default)]
    start: String,
}

async fn move_to(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ip: Option<axum::Extension<ClientIp>>,
    headers: axum::http::HeaderMap,
    Form(form): Form<MoveForm>,
) -> Response {
    let meta = meta(ip.map(|e| e.0), &headers);
    if form.start.len() > MAX_FIELD {
        return message(
            &state,
            StatusCode::PAYLOAD_TOO_LARGE,
            "Too long",
            "Please choose a time from the list.",
        );
    }
    match public::reschedule(&state.db, &state.config.patient_links, &token, &form.start, &meta).await {
        Ok(_) => Redirect::to(&format!("/b/{token}?done=moved")).into_response(),
        Err(DomainError::Conflict(problem)) => {
            let day =
                DateTime::parse_from_rfc3339(form.start.trim()).ok().map(|s| s.date_naive().to_string());
            let query = StartQuery { day: day.clone(), from: day, ..StartQuery::default() };
            move_page(&state, &token, &query, Some(problem), &meta, StatusCode::CONFLICT).await
        }
        Err(DomainError::Validation(errors)) => {
            let problem = errors.into_values().next().map(|p| format!("That time can't be booked: {p}"));
            move_page(
                &state,
                &token,
                &StartQuery::default(),
                problem,
                &meta,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(err) => failure(&state, err),
    }
}

/// `/w/{token}`: a waitlist offer.
async fn offer(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match waitlist::view(&state.db, &state.config.patient_links, &token).await {
        Ok(offer) => {
            page(&state, StatusCode::OK, "A time has come free", pages::offer_view(&token, &offer, None))
        }
        Err(err) => failure(&state, err),
    }
}

async fn take_offer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ip: Option<axum::Extension<ClientIp>>,
    headers: axum::http::HeaderMap,
) -> Response {
    let meta = meta(ip.map(|e| e.0), &headers);
    match waitlist::accept(&state.db, &state.config.patient_links, &token, &meta).await {
        Ok(manage) => Redirect::to(&format!("/b/{manage}?done=booked")).into_response(),
        Err(DomainError::Conflict(problem)) => {
            match waitlist::view(&state.db, &state.config.patient_links, &token).await {
                Ok(offer) => page(
                    &state,
                    StatusCode::CONFLICT,
                    "A time has come free",
                    pages::offer_view(&token, &offer, Some(problem)),
                ),
                Err(err) => failure(&state, err),
            }
        }
        Err(err) => failure(&state, err),
    }
}
