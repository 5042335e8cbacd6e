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

    /// A form's due day (`YYYY-MM-DD`, empty for none) as the moment it falls due.
    pub async fn due_at(
        day: Option<&str>,
        contact_id: Option<&str>,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, DomainError> {
        let Some(day) = due_day(day)? else { return Ok(None) };
        domain::services::tasks::due_on(&context().db, day, contact_id.filter(|c| !c.is_empty()))
            .await
            .map(Some)
    }

    /// [`due_at`] for an existing task (its contact's zone).
    pub async fn due_at_for_task(
        day: Option<&str>,
        task_id: &str,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, DomainError> {
        let Some(day) = due_day(day)? else { return Ok(None) };
        domain::services::tasks::due_on_for_task(&context().db, day, task_id).await.map(Some)
    }

    /// A form's due day: empty is none; otherwise YYYY-MM-DD in a sane range.
    fn due_day(day: Option<&str>) -> Result<Option<chrono::NaiveDate>, DomainError> {
        let Some(day) = day.map(str::trim).filter(|d| !d.is_empty()) else { return Ok(None) };
        chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .ok()
            .filter(|d| (2000..=2200).contains(&chrono::Datelike::year(d)))
            .map(Some)
            .ok_or_else(|| DomainError::field("due_date", "must be a date as YYYY-MM-DD (years 2000–2200)"))
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

/// The Contacts page's search and filters, as its query string holds them. The page's "Export
/// CSV" link carries the same keys, so it exports exactly the list on screen.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ContactListQuery {
    pub q: Option<String>,
    pub stage_id: Option<String>,
    pub tag: Option<String>,
    pub owner_id: Option<String>,
    pub location_id: Option<String>,
    pub source: Option<String>,
    pub warmness_min: Option<String>,
    pub warmness_max: Option<String>,
    pub sort: Option<String>,
}

impl ContactListQuery {
    /// (query-string key, value) for each filter.
    pub fn pairs(&self) -> [(&'static str, Option<String>); 9] {
        [
            ("q", self.q.clone()),
            ("stage_id", self.stage_id.clone()),
            ("tag", self.tag.clone()),
            ("owner_id", self.owner_id.clone()),
            ("location_id", self.location_id.clone()),
            ("source", self.source.clone()),
            ("warmness_min", self.warmness_min.clone()),
            ("warmness_max", self.warmness_max.clone()),
            ("sort", self.sort.clone()),
        ]
    }
}

/// The Contacts page's list: one page of what `query` finds, from `cursor`.
#[server(prefix = "/rpc", endpoint = "list_contacts")]
pub async fn list_contacts(
    #[server(default)] query: ContactListQuery,
    #[server(default)] cursor: Option<String>,
) -> Result<Page<domain::model::Contact>, ServerFnError> {
    let (actor, _) = ssr::caller()?;
    let given = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
    // Range checks (0–100, min ≤ max) are the service's; here only "is it a number".
    let score = |field: &str, value: Option<String>| match given(value) {
        None => Ok(None),
        Some(text) => text.trim().parse::<i32>().map(Some).map_err(|_| {
            ssr::fail(domain::DomainError::field(field, "must be a whole number from 0 to 100"))
        }),
    };
    let filter = domain::services::contacts::ListFilter {
        warmness_min: score("warmness_min", query.warmness_min)?,
        warmness_max: score("warmness_max", query.warmness_max)?,
        q: given(query.q),
        stage_id: given(query.stage_id),
        tag: given(query.tag),
        owner_id: given(query.owner_id),
        location_id: given(query.location_id),
        source: given(query.source),
        sort: given(query.sort),
        cursor: given(cursor),
        ..Default::default()
    };
    domain::services::contacts::list(&ssr::context().db, &actor, filter).await.map_err(ssr::fail)
}

/// Tag names in use, for the tag filter.
#[server(prefix = "/rpc", endpoint = "contact_tag_names")]
pub async fn contact_tag_names() -> Result<Vec<String>, ServerFnError> {
    let (actor, _) = ssr::caller()?;
    domain::services::pipeline::tag_names(&ssr::context().db, &actor).await.map_err(ssr::fail)
}

/// Choices for the contact form: (locations, active staff), each as (id, name).
#[server(prefix = "/rpc", endpoint = "contact_form_choices")]
pub async fn contact_form_choices() -> Result<(Vec<(String, String)>, Vec<(String, String)>), ServerFnError> {
    let (actor, _) = ssr::caller()?;
    let db = ssr::context().db;
    let locations = domain::services::pipeline::location_options(&db, &actor).await.map_err(ssr::fail)?;
    let staff = domain::services::users::assignable(&db, &actor).await.map_err(ssr::fail)?;
    Ok((locations, staff))
}

/// Active staff (id, name) for owner and assignee pickers.
#[server(prefix = "/rpc", endpoint = "assignable_staff")]
pub async fn assignable_staff() -> Result<Vec<(String, String)>, ServerFnError> {
    let (actor, _) = ssr::caller()?;
    domain::services::users::assignable(&ssr::context().db, &actor).await.map_err(ssr::fail)
}

/// What saving the New contact form did.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum CreateContactOutcome {
    Created {
        id: String,
    },
    /// A contact with the same phone or email exists; nothing was saved.
    Duplicate {
        existing_id: String,
        field: String,
    },
}

/// The contact form's fields, as a browser form sends them (checkboxes are "on" or absent).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ContactForm {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub date_of_birth: Option<String>,
    pub source: Option<String>,
    pub referring_doctor: Option<String>,
    pub requested_modality: Option<String>,
    pub notes: Option<String>,
    pub location_id: Option<String>,
    pub owner_id: Option<String>,
    /// Comma-separated.
    pub tags: Option<String>,
    pub sms_consent: Option<String>,
    pub email_consent: Option<String>,
}

#[cfg(feature = "ssr")]
impl ContactForm {
    /// Saved as a replacement, so every field counts as given: an empty box (sent as "" or
    /// not at all) clears the value, which for the service is `None`.
    fn into_fields(self) -> domain::services::contacts::ContactFields {
        let filled = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        domain::services::contacts::ContactFields {
            first_name: Some(self.first_name.unwrap_or_default()),
            last_name: Some(self.last_name.unwrap_or_default()),
            phone: filled(self.phone),
            email: filled(self.email),
            date_of_birth: filled(self.date_of_birth),
            source: filled(self.source),
            referring_doctor: filled(self.referring_doctor),
            requested_modality: filled(self.requested_modality),
            notes: filled(self.notes),
            stage_id: None,
            location_id: filled(self.location_id),
            owner_id: filled(self.owner_id),
            sms_consent: Some(self.sms_consent.is_some()),
            email_consent: Some(self.email_consent.is_some()),
            tags: Some(self.tags.unwrap_or_default().split(',').map(str::to_owned).collect()),
            custom_fields: None,
        }
    }
}

#[server(prefix = "/rpc", endpoint = "create_contact")]
pub async fn create_contact(
    form: ContactForm,
    allow_duplicate: Option<String>,
) -> Result<CreateContactOutcome, ServerFnError> {
    let (actor, ip) = ssr::caller()?;
    let allow = allow_duplicate.is_some_and(|v| v == "true");
    match domain::services::contacts::create(
        &ssr::context().db,
        &actor,
        form.into_fields(),
        allow,
        Some(ip.to_string()),
    )
    .await
    {
        Ok(contact) => Ok(CreateContactOutcome::Created { id: contact.id }),
        Err(domain::DomainError::Duplicate { field, existing_id }) => {
            Ok(CreateContactOutcome::Duplicate { existing_id, field: field.to_owned() })
        }
        Err(err) => Err(ssr::fail(err)),
    }
}

/// Saves the contact page's edit form; `custom_fields` is "key=value" per line.
#[server(prefix = "/rpc", endpoint = "update_contact")]
pub async fn update_contact(
    id: String,
    form: ContactForm,
    custom_fields: Option<String>,
) -> Result<domain::model::Contact, ServerFnError> {
    let (actor, ip) = ssr::caller()?;
    let mut fields = form.into_fields();
    let mut custom = std::collections::BTreeMap::new();
    for line in custom_fields.unwrap_or_default().lines().filter(|l| !l.trim().is_empty()) {
        match line.split_once('=') {
            Some((key, value)) => {
                custom.insert(domain::services::contacts::custom_field_key(key), value.trim().to_owned());
            }
            None => {
                return Err(ssr::fail(domain::DomainError::field(
                    "custom_fields",
                    format!("`{line}` needs the form key = value"),
                )));
            }
        }
    }
    fields.custom_fields = Some(custom);
    // The form shows every field, so it replaces the record (empty boxes clear values).
    domain::services::contacts::update(&ssr::context().db, &actor, &id, fields, true, Some(ip.to_string()))
        .await
        .map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "contact_duplicates")]
pub async fn contact_duplicates(id: String) -> Result<Vec<domain::model::DuplicateMatch>, ServerFnError> {
    let (actor, _) = ssr::caller()?;
    domain::services::contacts::duplicates::for_contact(&ssr::context().db, &actor, &id)
        .await
        .map_err(ssr::fail)
}

/// Merges `duplicate_id` into `keep_id` (both histories end up on `keep_id`).
#[server(prefix = "/rpc", endpoint = "merge_contacts")]
pub async fn merge_contacts(keep_id: String, duplicate_id: String) -> Result<String, ServerFnError> {
    let (actor, ip) = ssr::caller()?;
    domain::services::contacts::merge(
        &ssr::context().db,
        &actor,
        &keep_id,
        &duplicate_id,
        Some(ip.to_string()),
    )
    .await
    .map(|c| c.id)
    .map_err(ssr::fail)
}

/// The columns of a CSV file, the fields they seem to hold, and its first rows.
#[server(prefix = "/rpc", endpoint = "preview_contact_import")]
pub async fn preview_contact_import(csv: String) -> Result<domain::model::ImportPreview, ServerFnError> {
    let (actor, _) = ssr::caller()?;
    domain::services::contacts::csv_import::preview(&actor, &csv).map_err(ssr::fail)
}

/// Imports one chunk of a CSV file (its header line first). `mapping` is one field per
/// column, comma-separated; `first_row` is the chunk's first line number in the whole file.
#[server(prefix = "/rpc", endpoint = "import_contacts")]
pub async fn import_contacts(
    csv: String,
    mapping: String,
    duplicates: String,
    first_row: usize,
) -> Result<domain::model::ImportReport, ServerFnError> {
    use domain::services::contacts::csv_import::{ImportOptions, OnDuplicate, import};
    let (actor, ip) = ssr::caller()?;
    let duplicates = match duplicates.as_str() {
        "update" => OnDuplicate::Update,
        "create" => OnDuplicate::Create,
        _ => OnDuplicate::Skip,
    };
    let options = ImportOptions {
        mapping: Some(mapping.split(',').map(str::to_owned).collect()),
        duplicates,
        dry_run: false,
        first_row: Some(first_row),
    };
    import(&ssr::context().db, &actor, &csv, options, Some(ip.to_string())).await.map_err(ssr::fail)
}

/// Tasks about one contact (open first, then done).
#[server(prefix = "/rpc", endpoint = "contact_tasks")]
pub async fn contact_tasks(contact_id: String) -> Result<Page<domain::model::Task>, ServerFnError> {
    let (actor, _) = ssr::caller()?;
    let filter = domain::services::tasks::TaskFilter {
        status: Some("all".into()),
        contact_id: Some(contact_id),
        limit: Some(200),
        ..Default::default()
    };
    domain::services::tasks::list(&ssr::context().db, &actor, filter).await.map_err(ssr::fail)
}

/// Adds a task; `due_date` is a calendar day (due at 5 pm in the clinic's time zone).
#[server(prefix = "/rpc", endpoint = "add_task")]
pub async fn add_task(
    title: String,
    contact_id: Option<String>,
    assignee_id: Option<String>,
    due_date: Option<String>,
) -> Result<domain::model::Task, ServerFnError> {
    let (actor, ip) = ssr::caller()?;
    let due_at = ssr::due_at(due_date.as_deref(), contact_id.as_deref()).await.map_err(ssr::fail)?;
    let input = domain::services::tasks::NewTask {
        title,
        contact_id: contact_id.filter(|c| !c.is_empty()),
        assignee_id: assignee_id.filter(|a| !a.is_empty()),
        due_at,
    };
    domain::services::tasks::create(&ssr::context().db, &actor, input, Some(ip.to_string()))
        .await
        .map_err(ssr::fail)
}

/// Reassigns a task and sets its due day (empty clears either).
#[server(prefix = "/rpc", endpoint = "reschedule_task")]
pub async fn reschedule_task(
    id: String,
    assignee_id: Option<String>,
    due_date: Option<String>,
) -> Result<domain::model::Task, ServerFnError> {
    let (actor, ip) = ssr::caller()?;
    // The day is read in the zone of the task's contact's location (see tasks::due_on).
    let due_at = ssr::due_at_for_task(due_date.as_deref(), &id).await.map_err(ssr::fail)?;
    let changes = domain::services::tasks::TaskChanges {
        assignee_id: Some(assignee_id.filter(|a| !a.is_empty())),
        due_at: Some(due_at),
        ..Default::default()
    };
    domain::services::tasks::update(&ssr::context().db, &actor, &id, changes, Some(ip.to_string()))
        .await
        .map_err(ssr::fail)
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

/// Adds a stage (no `id`) or renames, moves and opens/closes one; `is_closed` is a checkbox.
#[server(prefix = "/rpc", endpoint = "save_stage")]
pub async fn save_stage(
    id: Option<String>,
    name: Option<String>,
    position: Option<i64>,
    is_closed: Option<String>,
) -> Result<domain::model::Stage, ServerFnError> {
    use domain::services::pipeline::{NewStage, StageInput, create_stage, update_stage};
    let (actor, _) = ssr::caller()?;
    let db = ssr::context().db;
    match id.filter(|i| !i.is_empty()) {
        None => {
            let input =
                NewStage { name: name.unwrap_or_default(), position, is_closed: Some(is_closed.is_some()) };
            create_stage(&db, &actor, input).await.map_err(ssr::fail)
        }
        Some(id) => {
            // A move sends only the position; a rename sends the name and the checkbox.
            let closed = name.as_ref().map(|_| is_closed.is_some());
            let input = StageInput { name, position, is_closed: closed };
            update_stage(&db, &actor, &id, input).await.map_err(ssr::fail)
        }
    }
}

#[server(prefix = "/rpc", endpoint = "remove_stage")]
pub async fn remove_stage(id: String) -> Result<(), ServerFnError> {
    let (actor, _) = ssr::caller()?;
    domain::services::pipeline::delete_stage(&ssr::context().db, &actor, &id).await.map_err(ssr::fail)
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
