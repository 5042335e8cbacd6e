//! Server functions for contacts: the list and its filters, the contact page, the contact form, duplicates, merging and the timeline.

use domain::display::Zoned;
use domain::model::Page;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

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

/// Contacts on one page of the Contacts list.
pub const CONTACTS_PER_PAGE: u32 = 50;

#[cfg(feature = "ssr")]
impl ContactListQuery {
    /// The service's filter: blank values are absent, warmness must be a whole number (its
    /// range, 0–100 and min ≤ max, is the service's to check).
    fn into_filter(self, cursor: Option<String>) -> Result<domain::services::contacts::ListFilter, AppError> {
        let given = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
        let score = |field: &str, value: Option<String>| match given(value) {
            None => Ok(None),
            Some(text) => text.trim().parse::<i32>().map(Some).map_err(|_| {
                ssr::fail(domain::DomainError::field(field, "must be a whole number from 0 to 100"))
            }),
        };
        Ok(domain::services::contacts::ListFilter {
            warmness_min: score("warmness_min", self.warmness_min)?,
            warmness_max: score("warmness_max", self.warmness_max)?,
            q: given(self.q),
            stage_id: given(self.stage_id),
            tag: given(self.tag),
            owner_id: given(self.owner_id),
            location_id: given(self.location_id),
            source: given(self.source),
            sort: given(self.sort),
            cursor: given(cursor),
            limit: Some(CONTACTS_PER_PAGE),
        })
    }
}

/// The Contacts page's list: one page of what `query` finds, from `cursor`.
#[server(prefix = "/rpc", endpoint = "list_contacts")]
pub async fn list_contacts(
    #[server(default)] query: ContactListQuery,
    #[server(default)] cursor: Option<String>,
) -> Result<Page<domain::model::Contact>, AppError> {
    let (actor, _) = ssr::caller()?;
    let filter = query.into_filter(cursor)?;
    domain::services::contacts::list(&ssr::context().db, &actor, filter).await.map_err(ssr::fail)
}

/// How many contacts the Contacts page's filters find.
#[server(prefix = "/rpc", endpoint = "count_contacts")]
pub async fn count_contacts(
    #[server(default)] query: ContactListQuery,
) -> Result<domain::model::ContactCount, AppError> {
    let (actor, _) = ssr::caller()?;
    let filter = query.into_filter(None)?;
    domain::services::contacts::count(&ssr::context().db, &actor, filter).await.map_err(ssr::fail)
}

/// One contact the header's search box offers as you type.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QuickMatch {
    pub id: String,
    pub name: String,
    /// E.164.
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// How many matches the header's search box shows.
pub const QUICK_MATCHES: u32 = 8;

/// The best few contacts for what is typed in the header's search box (name, phone or email),
/// best first.
#[server(prefix = "/rpc", endpoint = "quick_search")]
pub async fn quick_search(q: String) -> Result<Vec<QuickMatch>, AppError> {
    let (actor, _) = ssr::caller()?;
    if q.trim().is_empty() {
        return Ok(Vec::new());
    }
    let filter = domain::services::contacts::ListFilter {
        q: Some(q),
        limit: Some(QUICK_MATCHES),
        ..Default::default()
    };
    let page =
        domain::services::contacts::list(&ssr::context().db, &actor, filter).await.map_err(ssr::fail)?;
    Ok(page
        .items
        .into_iter()
        .map(|c| QuickMatch {
            name: format!("{} {}", c.first_name, c.last_name),
            id: c.id,
            phone: c.phone,
            email: c.email,
        })
        .collect())
}

/// Tag names in use, for the tag filter.
#[server(prefix = "/rpc", endpoint = "contact_tag_names")]
pub async fn contact_tag_names() -> Result<Vec<String>, AppError> {
    let (actor, _) = ssr::caller()?;
    domain::services::pipeline::tag_names(&ssr::context().db, &actor).await.map_err(ssr::fail)
}

/// Choices for the contact form: (locations, active staff), each as (id, name).
#[server(prefix = "/rpc", endpoint = "contact_form_choices")]
pub async fn contact_form_choices() -> Result<(Vec<(String, String)>, Vec<(String, String)>), AppError> {
    let (actor, _) = ssr::caller()?;
    let db = ssr::context().db;
    let locations = domain::services::pipeline::location_options(&db, &actor).await.map_err(ssr::fail)?;
    let staff = domain::services::users::assignable(&db, &actor).await.map_err(ssr::fail)?;
    Ok((locations, staff))
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
/// Saves the New contact form and answers the new contact's id. A phone or email already on
/// file is a `duplicate` error naming the contact (`duplicate_of`) unless `allow_duplicate`.
pub async fn create_contact(form: ContactForm, allow_duplicate: Option<String>) -> Result<String, AppError> {
    let (actor, meta) = ssr::caller()?;
    let allow = allow_duplicate.is_some_and(|v| v == "true");
    domain::services::contacts::create(&ssr::context().db, &actor, form.into_fields(), allow, &meta)
        .await
        .map(|contact| contact.id)
        .map_err(ssr::fail)
}

/// Saves the contact page's edit form; `custom_fields` is "key=value" per line.
#[server(prefix = "/rpc", endpoint = "update_contact")]
pub async fn update_contact(
    id: String,
    form: ContactForm,
    custom_fields: Option<String>,
) -> Result<domain::model::Contact, AppError> {
    let (actor, meta) = ssr::caller()?;
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
    use domain::services::contacts::Mode;
    domain::services::contacts::update(&ssr::context().db, &actor, &id, fields, Mode::Replace, &meta)
        .await
        .map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "contact_duplicates")]
pub async fn contact_duplicates(id: String) -> Result<Vec<domain::model::DuplicateMatch>, AppError> {
    let (actor, _) = ssr::caller()?;
    domain::services::contacts::duplicates::for_contact(&ssr::context().db, &actor, &id)
        .await
        .map_err(ssr::fail)
}

/// Merges `duplicate_id` into `keep_id` (both histories end up on `keep_id`).
#[server(prefix = "/rpc", endpoint = "merge_contacts")]
pub async fn merge_contacts(keep_id: String, duplicate_id: String) -> Result<String, AppError> {
    let (actor, meta) = ssr::caller()?;
    domain::services::contacts::merge(&ssr::context().db, &actor, &keep_id, &duplicate_id, &meta)
        .await
        .map(|c| c.id)
        .map_err(ssr::fail)
}

/// One contact, its times on its location's clock.
/// Field by field, what merging `duplicate_id` into `keep_id` would leave on the kept record.
#[server(prefix = "/rpc", endpoint = "merge_preview")]
pub async fn merge_preview(
    keep_id: String,
    duplicate_id: String,
) -> Result<Vec<domain::model::MergeField>, AppError> {
    let (actor, _) = ssr::caller()?;
    domain::services::contacts::merge::preview(&ssr::context().db, &actor, &keep_id, &duplicate_id)
        .await
        .map_err(ssr::fail)
}

/// The merges into a contact that can still be undone, with their times on its clock.
#[server(prefix = "/rpc", endpoint = "contact_merges")]
pub async fn contact_merges(id: String) -> Result<Zoned<Vec<domain::model::ContactMerge>>, AppError> {
    let (actor, _) = ssr::caller()?;
    let db = ssr::context().db;
    let merges =
        domain::services::contacts::merge::undoable_into(&db, &actor, &id).await.map_err(ssr::fail)?;
    let clock = domain::services::clock::for_contact(&db, &id).await.map_err(ssr::fail)?;
    let instants: Vec<_> = merges.iter().flat_map(|m| [m.merged_at, m.undo_until]).collect();
    Ok(clock.zoned(merges, &instants))
}

/// Undoes a merge; answers the restored record's id.
#[server(prefix = "/rpc", endpoint = "undo_merge")]
pub async fn undo_merge(merge_id: String) -> Result<String, AppError> {
    let (actor, meta) = ssr::caller()?;
    domain::services::contacts::merge::undo(&ssr::context().db, &actor, &merge_id, &meta)
        .await
        .map(|c| c.id)
        .map_err(ssr::fail)
}

#[server(prefix = "/rpc", endpoint = "get_contact")]
pub async fn get_contact(id: String) -> Result<Zoned<domain::model::Contact>, AppError> {
    let (actor, meta) = ssr::caller()?;
    let db = ssr::context().db;
    let contact = domain::services::contacts::get(&db, &actor, &id, &meta).await.map_err(ssr::fail)?;
    let clock = domain::services::clock::for_contact(&db, &contact.id).await.map_err(ssr::fail)?;
    let instants = [contact.created_at, contact.updated_at];
    Ok(clock.zoned(contact, &instants))
}

/// A contact's timeline, newest first, on its location's clock.
#[server(prefix = "/rpc", endpoint = "contact_timeline")]
pub async fn contact_timeline(id: String) -> Result<Zoned<Page<domain::model::Touchpoint>>, AppError> {
    let (actor, _) = ssr::caller()?;
    let db = ssr::context().db;
    let page =
        domain::services::touchpoints::list(&db, &actor, &id, None, Some(100)).await.map_err(ssr::fail)?;
    let clock = domain::services::clock::for_contact(&db, &id).await.map_err(ssr::fail)?;
    let instants: Vec<_> = page.items.iter().map(|entry| entry.occurred_at).collect();
    Ok(clock.zoned(page, &instants))
}

/// Logs a call or a note on a contact's timeline.
#[server(prefix = "/rpc", endpoint = "log_touchpoint")]
pub async fn log_touchpoint(
    contact_id: String,
    kind: String,
    summary: String,
) -> Result<domain::model::Touchpoint, AppError> {
    let (actor, meta) = ssr::caller()?;
    let input = domain::services::touchpoints::NewTouchpoint { kind, summary, occurred_at: None };
    domain::services::touchpoints::create(&ssr::context().db, &actor, &contact_id, input, &meta)
        .await
        .map_err(ssr::fail)
}
