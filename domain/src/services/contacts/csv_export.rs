//! CSV export of the contacts a filter selects (every page, not just the one on screen).
//! Cells that a spreadsheet would run as a formula are prefixed with `'`; import strips it.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::{ListFilter, Refs, list};
use crate::access::Permission;
use crate::model::{Contact, ContactSort, ContactSource};
use crate::services::audit::{self, Entry};
use crate::{Actor, Db, DomainError, RequestMeta};

/// The most rows one export holds.
pub const MAX_EXPORT_ROWS: usize = 100_000;

const COLUMNS: [&str; 20] = [
    "id",
    "first_name",
    "last_name",
    "phone",
    "email",
    "date_of_birth",
    "source",
    "referring_doctor",
    "requested_modality",
    "stage",
    "location",
    "warmness",
    "tags",
    "sms_consent",
    "email_consent",
    "notes",
    "owner_id",
    "last_touch_at",
    "created_at",
    "updated_at",
];

/// Guards against formula injection when the file is opened in a spreadsheet.
fn safe(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() }
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

/// What an export selects: the list's filters, without its paging (an export holds every
/// matching contact, so `cursor` and `limit` are refused as unknown parameters).
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportFilter {
    /// A name (prefix, typos tolerated), or an exact email or phone number (any format).
    #[param(max_length = 100, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub q: Option<String>,
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub stage_id: Option<String>,
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub location_id: Option<String>,
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub owner_id: Option<String>,
    #[param(value_type = Option<ContactSource>, inline)]
    pub source: Option<String>,
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub tag: Option<String>,
    #[param(minimum = 0, maximum = 100)]
    pub warmness_min: Option<i32>,
    #[param(minimum = 0, maximum = 100)]
    pub warmness_max: Option<i32>,
    #[param(value_type = Option<ContactSort>, inline)]
    pub sort: Option<String>,
}

impl From<ExportFilter> for ListFilter {
    fn from(f: ExportFilter) -> ListFilter {
        ListFilter {
            q: f.q,
            stage_id: f.stage_id,
            location_id: f.location_id,
            owner_id: f.owner_id,
            source: f.source,
            tag: f.tag,
            warmness_min: f.warmness_min,
            warmness_max: f.warmness_max,
            sort: f.sort,
            cursor: None,
            limit: Some(super::MAX_PAGE),
        }
    }
}

/// Every contact matching `filter`, as CSV text.
pub async fn export(
    db: &Db,
    actor: &Actor,
    filter: ExportFilter,
    meta: &RequestMeta,
) -> Result<String, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let mut filter = ListFilter::from(filter);
    let mut contacts: Vec<Contact> = Vec::new();
    loop {
        let page = list(db, actor, filter.clone()).await?;
        contacts.extend(page.items);
        match page.next_cursor {
            Some(next) if contacts.len() < MAX_EXPORT_ROWS => filter.cursor = Some(next),
            _ => break,
        }
    }
    contacts.truncate(MAX_EXPORT_ROWS);
    let refs = Refs::load(db).await?;
    let name_of = |list: &[(String, String)], id: &Option<String>| {
        id.as_ref()
            .and_then(|id| list.iter().find(|(i, _)| i == id))
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let custom_keys: BTreeSet<String> =
        contacts.iter().flat_map(|c| c.custom_fields.keys().cloned()).collect();

    let mut writer = csv::Writer::from_writer(Vec::new());
    let header: Vec<String> = COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(custom_keys.iter().map(|k| format!("custom:{k}")))
        .collect();
    writer.write_record(&header).map_err(|e| DomainError::Internal(e.to_string()))?;
    for c in &contacts {
        let mut record = vec![
            c.id.clone(),
            c.first_name.clone(),
            c.last_name.clone(),
            c.phone.clone().unwrap_or_default(),
            c.email.clone().unwrap_or_default(),
            c.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
            c.source.as_str().to_owned(),
            c.referring_doctor.clone().unwrap_or_default(),
            c.requested_modality.map(|m| m.as_str().to_owned()).unwrap_or_default(),
            name_of(&refs.stages, &Some(c.stage_id.clone())),
            name_of(&refs.locations, &c.location_id),
            c.warmness.map(|w| w.to_string()).unwrap_or_default(),
            c.tags.join("; "),
            yes_no(c.sms_consent),
            yes_no(c.email_consent),
            c.notes.clone().unwrap_or_default(),
            c.owner_id.clone().unwrap_or_default(),
            c.last_touch_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            c.created_at.to_rfc3339(),
            c.updated_at.to_rfc3339(),
        ];
        record.extend(custom_keys.iter().map(|k| c.custom_fields.get(k).cloned().unwrap_or_default()));
        let record: Vec<String> = record.iter().map(|v| safe(v)).collect();
        writer.write_record(&record).map_err(|e| DomainError::Internal(e.to_string()))?;
    }
    let bytes = writer.into_inner().map_err(|e| DomainError::Internal(e.to_string()))?;
    audit::record(
        db,
        Entry::new("contact.export").by(actor).detail(format!("{} contacts", contacts.len())).from(meta),
    )
    .await?;
    String::from_utf8(bytes).map_err(|e| DomainError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_are_defused() {
        assert_eq!(super::safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(super::safe("+61412345678"), "'+61412345678");
        assert_eq!(super::safe("Jane"), "Jane");
    }
}
