//! Server functions for tasks: a contact's tasks, the Tasks page, adding, rescheduling and completing.

use domain::model::Page;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

/// A form's due day as the moment it falls due (5 pm on the clock of the contact's location).
#[cfg(feature = "ssr")]
mod due {
    use domain::DomainError;

    use super::ssr;

    /// A form's due day (`YYYY-MM-DD`, empty for none) as the moment it falls due.
    pub async fn due_at(
        day: Option<&str>,
        contact_id: Option<&str>,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, DomainError> {
        let Some(day) = due_day(day)? else { return Ok(None) };
        domain::services::tasks::due_on(&ssr::context().db, day, contact_id.filter(|c| !c.is_empty()))
            .await
            .map(Some)
    }

    /// [`due_at`] for an existing task (its contact's zone).
    pub async fn due_at_for_task(
        day: Option<&str>,
        task_id: &str,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, DomainError> {
        let Some(day) = due_day(day)? else { return Ok(None) };
        domain::services::tasks::due_on_for_task(&ssr::context().db, day, task_id).await.map(Some)
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
}

/// Tasks about one contact (open first, then done).
#[server(prefix = "/rpc", endpoint = "contact_tasks")]
pub async fn contact_tasks(contact_id: String) -> Result<Page<domain::model::Task>, AppError> {
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
) -> Result<domain::model::Task, AppError> {
    let (actor, meta) = ssr::caller()?;
    let due_at = due::due_at(due_date.as_deref(), contact_id.as_deref()).await.map_err(ssr::fail)?;
    let input = domain::services::tasks::NewTask {
        title,
        contact_id: contact_id.filter(|c| !c.is_empty()),
        assignee_id: assignee_id.filter(|a| !a.is_empty()),
        due_at,
    };
    domain::services::tasks::create(&ssr::context().db, &actor, input, &meta).await.map_err(ssr::fail)
}

/// Reassigns a task and sets its due day (empty clears either).
#[server(prefix = "/rpc", endpoint = "reschedule_task")]
pub async fn reschedule_task(
    id: String,
    assignee_id: Option<String>,
    due_date: Option<String>,
) -> Result<domain::model::Task, AppError> {
    let (actor, meta) = ssr::caller()?;
    // The day is read in the zone of the task's contact's location (see tasks::due_on).
    let due_at = due::due_at_for_task(due_date.as_deref(), &id).await.map_err(ssr::fail)?;
    let changes = domain::services::tasks::TaskChanges {
        assignee_id: Some(assignee_id.filter(|a| !a.is_empty())),
        due_at: Some(due_at),
        ..Default::default()
    };
    domain::services::tasks::update(&ssr::context().db, &actor, &id, changes, &meta).await.map_err(ssr::fail)
}

/// The lists of the Tasks page, as its `?view=` names them; an unknown name is the first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskView {
    /// Overdue or due today, the caller's or no one's: what the page opens on.
    NeedsDoing,
    Mine,
    Unassigned,
    Overdue,
    Open,
    Done,
}

impl TaskView {
    pub const ALL: [TaskView; 6] = [
        TaskView::NeedsDoing,
        TaskView::Mine,
        TaskView::Unassigned,
        TaskView::Overdue,
        TaskView::Open,
        TaskView::Done,
    ];

    pub fn key(self) -> &'static str {
        match self {
            TaskView::NeedsDoing => "today",
            TaskView::Mine => "mine",
            TaskView::Unassigned => "unassigned",
            TaskView::Overdue => "overdue",
            TaskView::Open => "open",
            TaskView::Done => "done",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TaskView::NeedsDoing => "Needs doing",
            TaskView::Mine => "Mine",
            TaskView::Unassigned => "Unassigned",
            TaskView::Overdue => "Overdue",
            TaskView::Open => "All open",
            TaskView::Done => "Done",
        }
    }

    pub fn parse(key: &str) -> TaskView {
        TaskView::ALL.into_iter().find(|view| view.key() == key).unwrap_or(TaskView::NeedsDoing)
    }

    /// How many tasks the list holds, from `counts` (none for Done, which only grows).
    pub fn count(self, counts: &domain::model::TaskCounts) -> Option<i64> {
        match self {
            TaskView::NeedsDoing => Some(counts.needs_doing),
            TaskView::Mine => Some(counts.mine),
            TaskView::Unassigned => Some(counts.unassigned),
            TaskView::Overdue => Some(counts.overdue),
            TaskView::Open => Some(counts.open),
            TaskView::Done => None,
        }
    }
}

/// How many open tasks each list holds, for the tabs.
#[server(prefix = "/rpc", endpoint = "task_counts")]
pub async fn task_counts() -> Result<domain::model::TaskCounts, AppError> {
    let (actor, _) = ssr::caller()?;
    domain::services::tasks::counts(&ssr::context().db, &actor).await.map_err(ssr::fail)
}

/// Tasks for the Tasks page: the list `view` names (a [`TaskView`] key).
#[server(prefix = "/rpc", endpoint = "list_tasks")]
pub async fn list_tasks(view: Option<String>) -> Result<Page<domain::model::Task>, AppError> {
    let (actor, _) = ssr::caller()?;
    let (status, assignee) = match TaskView::parse(view.as_deref().unwrap_or_default()) {
        TaskView::NeedsDoing => ("due_today", Some("me_or_unassigned")),
        TaskView::Mine => ("open", Some("me")),
        TaskView::Unassigned => ("open", Some("unassigned")),
        TaskView::Overdue => ("overdue", None),
        TaskView::Open => ("open", None),
        TaskView::Done => ("done", None),
    };
    let assignee = assignee.map(str::to_owned);
    let filter = domain::services::tasks::TaskFilter {
        status: Some(status.into()),
        assignee_id: assignee,
        limit: Some(200),
        ..Default::default()
    };
    domain::services::tasks::list(&ssr::context().db, &actor, filter).await.map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "set_task_done")]
pub async fn set_task_done(id: String, done: bool) -> Result<domain::model::Task, AppError> {
    let (actor, meta) = ssr::caller()?;
    let changes = domain::services::tasks::TaskChanges { completed: Some(done), ..Default::default() };
    domain::services::tasks::update(&ssr::context().db, &actor, &id, changes, &meta).await.map_err(ssr::fail)
}
