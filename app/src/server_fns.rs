//! Server functions: the UI's calls into the domain services. Each reads who is calling from
//! the request (put there by the server's middleware), calls one service, and maps a failure
//! to a plain message and the right HTTP status.

use domain::access::CurrentUser;
use domain::model::{
    ApiTokenSummary, AuditEvent, DashboardSummary, IpAllowlistSettings, NewApiToken, Page, UserSummary,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod ssr {
    use domain::{Actor, DomainError};
    use http::StatusCode;
    use leptos::prelude::*;

    use crate::{RequestAuth, ServerContext};

    pub fn context() -> ServerContext {
        expect_context::<ServerContext>()
    }

    fn set_status(status: StatusCode) {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(status);
        }
    }

    pub fn request_auth() -> Option<RequestAuth> {
        use_context::<http::request::Parts>().and_then(|parts| parts.extensions.get::<RequestAuth>().cloned())
    }

    /// The signed-in caller, or a 401 asking them to sign in.
    pub fn caller() -> Result<(Actor, std::net::IpAddr), ServerFnError> {
        match request_auth() {
            Some(RequestAuth { actor: Some(actor), ip }) => Ok((actor, ip)),
            _ => Err(fail(DomainError::Unauthenticated)),
        }
    }

    /// A domain error as the browser should see it: a status and a sentence, no internals.
    pub fn fail(err: DomainError) -> ServerFnError {
        let (status, message) = match &err {
            DomainError::Validation(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                fields
                    .iter()
                    .map(|(field, problem)| format!("{}: {problem}", field.replace('_', " ")))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            DomainError::NotFound(what) => (StatusCode::NOT_FOUND, format!("That {what} no longer exists.")),
            DomainError::Conflict(message) => (StatusCode::CONFLICT, capitalise(message)),
            DomainError::Duplicate { .. } => (StatusCode::CONFLICT, capitalise(&err.to_string())),
            DomainError::Forbidden(permission) => (
                StatusCode::FORBIDDEN,
                format!("You do not have permission to do this (it needs {}).", permission.as_str()),
            ),
            DomainError::ForbiddenReason(message) => (StatusCode::FORBIDDEN, message.clone()),
            DomainError::Unauthenticated => {
                (StatusCode::UNAUTHORIZED, "Your session has ended. Please sign in again.".into())
            }
            DomainError::InvalidCredentials => (StatusCode::UNAUTHORIZED, err.to_string()),
            DomainError::RateLimited { message, .. } => (StatusCode::TOO_MANY_REQUESTS, message.clone()),
            DomainError::Database(_) | DomainError::Migration(_) | DomainError::Internal(_) => {
                tracing::error!(error = %err, "server function failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on our side. Please try again.".into(),
                )
            }
        };
        set_status(status);
        ServerFnError::new(message)
    }

    fn capitalise(text: &str) -> String {
        let mut chars = text.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
            None => String::new(),
        }
    }
}

/// Every figure on the dashboard, within the caller's locations.
#[server(prefix = "/rpc", endpoint = "dashboard")]
pub async fn get_dashboard() -> Result<DashboardSummary, ServerFnError> {
    let (actor, _) = ssr::caller()?;
    domain::services::dashboard::summary(&ssr::context().db, &actor).await.map_err(|err| match err {
        domain::DomainError::Database(_) | domain::DomainError::Internal(_) => {
            tracing::error!(error = %err, "dashboard query failed");
            ServerFnError::new("The dashboard figures could not be loaded. Please try again.")
        }
        other => ssr::fail(other),
    })
}

/// The signed-in user, if any (never an error: the sign-in page asks too).
#[server(prefix = "/rpc", endpoint = "whoami")]
pub async fn whoami() -> Result<Option<CurrentUser>, ServerFnError> {
    Ok(ssr::request_auth().and_then(|auth| auth.actor).map(|actor| CurrentUser {
        id: actor.user_id,
        email: actor.email,
        display_name: actor.display_name,
        role: actor.role,
    }))
}

/// Which sign-in methods the sign-in page offers.
#[server(prefix = "/rpc", endpoint = "google_sign_in_enabled")]
pub async fn google_sign_in_enabled() -> Result<bool, ServerFnError> {
    Ok(ssr::context().google_sign_in)
}

#[server(prefix = "/rpc", endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<UserSummary>, ServerFnError> {
    let (actor, _) = ssr::caller()?;
    domain::services::users::list(&ssr::context().db, &actor).await.map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "create_user")]
pub async fn create_user(
    email: String,
    display_name: String,
    role: String,
    password: String,
) -> Result<UserSummary, ServerFnError> {
    let (actor, ip) = ssr::caller()?;
    let input = domain::services::users::NewUser {
        email,
        display_name,
        role,
        password: Some(password).filter(|p| !p.is_empty()),
        ..Default::default()
    };
    domain::services::users::create(&ssr::context().db, Some(&actor), input, Some(ip.to_string()))
        .await
        .map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "update_user")]
pub async fn update_user(
    id: String,
    role: Option<String>,
    active: Option<bool>,
) -> Result<UserSummary, ServerFnError> {
    let (actor, ip) = ssr::caller()?;
    let changes = domain::services::users::UserChanges { role, active, ..Default::default() };
    domain::services::users::update(&ssr::context().db, &actor, &id, changes, Some(ip.to_string()))
        .await
        .map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), ServerFnError> {
    let (actor, ip) = ssr::caller()?;
    domain::services::users::change_password(
        &ssr::context().db,
        &actor,
        &current_password,
        &new_password,
        Some(ip.to_string()),
    )
    .await
    .map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "list_api_tokens")]
pub async fn list_api_tokens() -> Result<Vec<ApiTokenSummary>, ServerFnError> {
    let (actor, _) = ssr::caller()?;
    domain::services::api_tokens::list_own(&ssr::context().db, &actor).await.map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "create_api_token")]
pub async fn create_api_token(name: String) -> Result<NewApiToken, ServerFnError> {
    let (actor, ip) = ssr::caller()?;
    domain::services::api_tokens::create(&ssr::context().db, &actor, &name, Some(ip.to_string()))
        .await
        .map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: String) -> Result<(), ServerFnError> {
    let (actor, ip) = ssr::caller()?;
    domain::services::api_tokens::revoke(&ssr::context().db, &actor, &id, Some(ip.to_string()))
        .await
        .map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "list_audit_events")]
pub async fn list_audit_events(
    action: Option<String>,
    actor_user_id: Option<String>,
    cursor: Option<String>,
) -> Result<Page<AuditEvent>, ServerFnError> {
    let (actor, _) = ssr::caller()?;
    let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let filter = domain::services::audit::Filter {
        action: clean(action),
        actor_user_id: clean(actor_user_id),
        ..Default::default()
    };
    domain::services::audit::list(&ssr::context().db, &actor, filter, clean(cursor), None)
        .await
        .map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "get_ip_allowlist")]
pub async fn get_ip_allowlist() -> Result<IpAllowlistSettings, ServerFnError> {
    let (actor, _) = ssr::caller()?;
    domain::services::ip_allowlist::get(&ssr::context().db, &actor).await.map_err(ssr::fail)
}

/// `entries` is the textarea: one address or range per line (commas also separate).
#[server(prefix = "/rpc", endpoint = "save_ip_allowlist")]
pub async fn save_ip_allowlist(
    enabled: Option<String>,
    entries: String,
) -> Result<IpAllowlistSettings, ServerFnError> {
    let (actor, ip) = ssr::caller()?;
    let settings = IpAllowlistSettings {
        enabled: enabled.is_some_and(|v| v == "on" || v == "true"),
        entries: entries.split(['\n', ',']).map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()).collect(),
    };
    domain::services::ip_allowlist::save(&ssr::context().db, &actor, settings, ip).await.map_err(ssr::fail)
}

/// The caller's address as the server sees it (after trusted proxies), for the allowlist page.
#[server(prefix = "/rpc", endpoint = "my_ip_address")]
pub async fn my_ip_address() -> Result<String, ServerFnError> {
    let (_, ip) = ssr::caller()?;
    Ok(ip.to_string())
}

/// The local email outbox (administrators).
#[server(prefix = "/rpc", endpoint = "list_outbox_emails")]
pub async fn list_outbox_emails() -> Result<Vec<domain::model::OutboxEmail>, ServerFnError> {
    let (actor, _) = ssr::caller()?;
    domain::services::outbox::list_emails(&ssr::context().db, &actor).await.map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "list_contacts")]
pub async fn list_contacts(
    q: Option<String>,
    cursor: Option<String>,
) -> Result<Page<domain::model::Contact>, ServerFnError> {
    let (actor, _) = ssr::caller()?;
    let filter = domain::services::contacts::ListFilter {
        q,
        cursor: cursor.filter(|c| !c.is_empty()),
        ..Default::default()
    };
    domain::services::contacts::list(&ssr::context().db, &actor, filter).await.map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "get_contact")]
pub async fn get_contact(id: String) -> Result<domain::model::Contact, ServerFnError> {
    let (actor, ip) = ssr::caller()?;
    domain::services::contacts::get(&ssr::context().db, &actor, &id, Some(ip.to_string()))
        .await
        .map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "pipeline_stages")]
pub async fn pipeline_stages() -> Result<Vec<domain::model::Stage>, ServerFnError> {
    let (actor, _) = ssr::caller()?;
    domain::services::pipeline::stages(&ssr::context().db, &actor).await.map_err(ssr::fail)
}

/// The pipeline board: every stage with its count and newest cards.
#[server(prefix = "/rpc", endpoint = "pipeline_board")]
pub async fn pipeline_board() -> Result<domain::model::PipelineBoard, ServerFnError> {
    let (actor, _) = ssr::caller()?;
    domain::services::pipeline::board(&ssr::context().db, &actor).await.map_err(ssr::fail)
}

/// Moves a contact to another stage (a card dropped on the board, or moved with the keyboard).
#[server(prefix = "/rpc", endpoint = "move_contact_stage")]
pub async fn move_contact_stage(id: String, stage_id: String) -> Result<(), ServerFnError> {
    let (actor, ip) = ssr::caller()?;
    domain::services::contacts::move_to_stage(
        &ssr::context().db,
        &actor,
        &id,
        &stage_id,
        Some(ip.to_string()),
    )
    .await
    .map(|_| ())
    .map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "contact_timeline")]
pub async fn contact_timeline(id: String) -> Result<Page<domain::model::Touchpoint>, ServerFnError> {
    let (actor, _) = ssr::caller()?;
    domain::services::touchpoints::list(&ssr::context().db, &actor, &id, None, Some(100))
        .await
        .map_err(ssr::fail)
}

/// Logs a call or a note on a contact's timeline.
#[server(prefix = "/rpc", endpoint = "log_touchpoint")]
pub async fn log_touchpoint(
    contact_id: String,
    kind: String,
    summary: String,
) -> Result<domain::model::Touchpoint, ServerFnError> {
    let (actor, ip) = ssr::caller()?;
    let input = domain::services::touchpoints::NewTouchpoint { kind, summary, occurred_at: None };
    domain::services::touchpoints::create(
        &ssr::context().db,
        &actor,
        &contact_id,
        input,
        Some(ip.to_string()),
    )
    .await
    .map_err(ssr::fail)
}

/// Tasks for the Tasks page: `view` is mine, overdue, open (everyone's) or done.
#[server(prefix = "/rpc", endpoint = "list_tasks")]
pub async fn list_tasks(view: Option<String>) -> Result<Page<domain::model::Task>, ServerFnError> {
    let (actor, _) = ssr::caller()?;
    let (status, assignee) = match view.as_deref().unwrap_or("mine") {
        "overdue" => ("overdue", None),
        "open" => ("open", None),
        "done" => ("done", None),
        _ => ("open", Some("me".to_owned())),
    };
    let filter = domain::services::tasks::TaskFilter {
        status: Some(status.into()),
        assignee_id: assignee,
        limit: Some(200),
        ..Default::default()
    };
    domain::services::tasks::list(&ssr::context().db, &actor, filter).await.map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "set_task_done")]
pub async fn set_task_done(id: String, done: bool) -> Result<domain::model::Task, ServerFnError> {
    let (actor, ip) = ssr::caller()?;
    let changes = domain::services::tasks::TaskChanges { completed: Some(done), ..Default::default() };
    domain::services::tasks::update(&ssr::context().db, &actor, &id, changes, Some(ip.to_string()))
        .await
        .map_err(ssr::fail)
}
