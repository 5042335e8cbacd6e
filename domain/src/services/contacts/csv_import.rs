//! CSV import: columns matched to fields (guessed from the headers, or chosen by staff), every
//! row validated like a hand-made contact, duplicates skipped, updated or created, and a report
//! of every row that was not simply created. Rows are written in batches, one transaction each.
//!
//! Staff upload in chunks (each with the header line and `first_row`) so the page can show
//! progress; a chunk sees the contacts earlier chunks created, so duplicates across chunks
//! are caught too.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Deserialize;

use super::{ContactFields, Mode, Refs, Row, Write, apply, load, new_row, store_all};
use crate::access::Permission;
use crate::error::FieldErrors;
use crate::input::{Email, Phone};
use crate::model::{IMPORT_FIELDS, ImportPreview, ImportReport, ImportRowReport, ImportRowStatus};
use crate::on_db;
use crate::services::audit::{self, Entry};
use crate::{Actor, Db, DomainError, RequestMeta};

/// Data rows one request may carry.
pub const MAX_ROWS: usize = 20_000;
const MAX_COLUMNS: usize = 60;
/// Rows written per transaction.
const BATCH: usize = 500;

/// How an import treats a row whose phone or email matches a contact that exists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnDuplicate {
    /// Leave the existing contact alone and report the row.
    #[default]
    Skip,
    /// Fill the existing contact with the row's non-empty values.
    Update,
    /// Create another contact anyway.
    Create,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportOptions {
    /// One field per column (see [`IMPORT_FIELDS`]); guessed from the headers when absent.
    pub mapping: Option<Vec<String>>,
    #[serde(default)]
    pub duplicates: OnDuplicate,
    #[serde(default)]
    pub dry_run: bool,
    /// The line number of the chunk's first data row in the whole file (default 2).
    pub first_row: Option<usize>,
}

/// A header's field, by its normalised name ("Mobile phone" → "mobilephone").
fn guess(header: &str) -> String {
    let key: String =
        header.chars().filter(char::is_ascii_alphanumeric).flat_map(char::to_lowercase).collect();
    let field = match key.as_str() {
        "firstname" | "givenname" | "first" | "forename" => "first_name",
        "lastname" | "surname" | "familyname" | "last" => "last_name",
        "name" | "fullname" | "patientname" | "patient" => "full_name",
        "phone" | "mobile" | "mobilephone" | "phonenumber" | "cell" | "telephone" | "mobilenumber" => "phone",
        "email" | "emailaddress" => "email",
        "dob" | "dateofbirth" | "birthdate" | "birthday" => "date_of_birth",
        "source" | "leadsource" => "source",
        "referrer" | "referringdoctor" | "referringgp" | "gp" | "doctor" => "referring_doctor",
        "modality" | "requestedmodality" | "scan" | "scantype" => "requested_modality",
        "notes" | "note" | "comments" => "notes",
        "tags" | "labels" => "tags",
        "stage" | "pipelinestage" | "status" => "stage",
        "location" | "clinic" | "site" => "location",
        "smsconsent" | "smsoptin" => "sms_consent",
        "emailconsent" | "emailoptin" => "email_consent",
        _ => "",
    };
    field.to_owned()
}

fn parse_csv(text: &str) -> Result<(Vec<String>, Vec<csv::StringRecord>), DomainError> {
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| DomainError::field("file", format!("is not CSV: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(DomainError::field("file", "needs a header row naming its columns"));
    }
    if headers.len() > MAX_COLUMNS {
        return Err(DomainError::field("file", format!("has more than {MAX_COLUMNS} columns")));
    }
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            DomainError::field("file", format!("cannot be read at line {line}: {e}"))
        })?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        records.push(record);
        if records.len() > MAX_ROWS {
            return Err(DomainError::field("file", format!("has more than {MAX_ROWS} rows; split it")));
        }
    }
    Ok((headers, records))
}

/// The columns, the guessed mapping and the first five rows.
pub fn preview(actor: &Actor, text: &str) -> Result<ImportPreview, DomainError> {
    actor.require(Permission::ContactsWrite)?;
    let (headers, records) = parse_csv(text)?;
    let mapping = headers.iter().map(|h| guess(h)).collect();
    let sample = records.iter().take(5).map(|r| r.iter().map(str::to_owned).collect()).collect();
    Ok(ImportPreview { headers, mapping, sample, total_rows: records.len() })
}

fn check_mapping(mapping: &[String], columns: usize) -> Result<(), DomainError> {
    if mapping.len() != columns {
        return Err(DomainError::field("mapping", format!("must have one entry per column ({columns})")));
    }
    for field in mapping.iter().filter(|f| !f.is_empty()) {
        let custom_ok = field.strip_prefix("custom:").is_some_and(|key| {
            !key.is_empty() && key.len() <= 40 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if !custom_ok && !IMPORT_FIELDS.contains(&field.as_str()) {
            return Err(DomainError::field("mapping", format!("`{field}` is not a contact field")));
        }
        if !field.starts_with("custom:") && mapping.iter().filter(|f| *f == field).count() > 1 {
            return Err(DomainError::field("mapping", format!("`{field}` is chosen for two columns")));
        }
    }
    Ok(())
}

/// Undoes the export's guard against spreadsheet formulas (a leading `'`).
fn cell(value: &str) -> Option<String> {
    let value = match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => value,
    };
    (!value.is_empty()).then(|| value.to_owned())
}

fn yes_no(value: &str) -> Result<bool, String> {
    match value.to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "opted in" => Ok(true),
        "no" | "n" | "false" | "0" | "opted out" => Ok(false),
        _ => Err("must be yes or no".into()),
    }
}

/// Turns one CSV row into contact fields; problems that are the file's own (unknown stage,
/// location, date format) are collected with the contact's own validation later.
fn fields_of(record: &csv::StringRecord, mapping: &[String], refs: &Refs) -> (ContactFields, FieldErrors) {
    let mut fields = ContactFields::default();
    let mut errors = FieldErrors::new();
    let mut custom = BTreeMap::new();
    for (value, field) in record.iter().zip(mapping) {
        let Some(value) = cell(value) else { continue };
        match field.as_str() {
            "" => {}
            "first_name" => fields.first_name = Some(value),
            "last_name" => fields.last_name = Some(value),
            "full_name" => match value.rsplit_once(char::is_whitespace) {
                Some((first, last)) => {
                    fields.first_name = Some(first.trim().to_owned());
                    fields.last_name = Some(last.to_owned());
                }
                None => {
                    errors.insert("full_name".into(), "needs a first and a last name".into());
                }
            },
            "phone" => fields.phone = Some(value),
            "email" => fields.email = Some(value),
            "date_of_birth" => {
                let parsed = NaiveDate::parse_from_str(&value, "%Y-%m-%d")
                    .or_else(|_| NaiveDate::parse_from_str(&value, "%d/%m/%Y"));
                match parsed {
                    Ok(date) => fields.date_of_birth = Some(date.format("%Y-%m-%d").to_string()),
                    Err(_) => {
                        errors.insert(
                            "date_of_birth".into(),
                            "must be a date as YYYY-MM-DD or DD/MM/YYYY".into(),
                        );
                    }
                }
            }
            "source" => fields.source = Some(value.to_lowercase().replace([' ', '-'], "_")),
            "referring_doctor" => fields.referring_doctor = Some(value),
            "requested_modality" => {
                fields.requested_modality = Some(
                    value.chars().filter(char::is_ascii_alphanumeric).flat_map(char::to_lowercase).collect(),
                )
            }
            "notes" => fields.notes = Some(value),
            "tags" => fields.tags = Some(value.split([';', '|', ',']).map(str::to_owned).collect()),
            "stage" => {
                match refs.stages.iter().find(|(id, name)| *id == value || name.eq_ignore_ascii_case(&value))
                {
                    Some((id, _)) => fields.stage_id = Some(id.clone()),
                    None => {
                        let names: Vec<&str> = refs.stages.iter().map(|(_, n)| n.as_str()).collect();
                        errors.insert("stage".into(), format!("must be one of {}", names.join(", ")));
                    }
                }
            }
            "location" => match refs
                .locations
                .iter()
                .find(|(id, name)| *id == value || name.eq_ignore_ascii_case(&value))
            {
                Some((id, _)) => fields.location_id = Some(id.clone()),
                None => {
                    errors.insert("location".into(), "is not one of the clinic's locations".into());
                }
            },
            "sms_consent" => match yes_no(&value) {
                Ok(v) => fields.sms_consent = Some(v),
                Err(e) => {
                    errors.insert("sms_consent".into(), e);
                }
            },
            "email_consent" => match yes_no(&value) {
                Ok(v) => fields.email_consent = Some(v),
                Err(e) => {
                    errors.insert("email_consent".into(), e);
                }
            },
            other => {
                if let Some(key) = other.strip_prefix("custom:") {
                    custom.insert(super::custom_field_key(key), value);
                }
            }
        }
    }
    if !custom.is_empty() {
        fields.custom_fields = Some(custom);
    }
    (fields, errors)
}

/// Existing live contacts the actor can see, by phone and by email.
struct Known {
    by_phone: HashMap<String, String>,
    by_email: HashMap<String, String>,
}

impl Known {
    async fn load(db: &Db, actor: &Actor) -> Result<Known, DomainError> {
        /// (id, phone, email, location id)
        type Identity = (String, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Identity> = on_db!(db, pool => sqlx::query_as(
            "SELECT id, phone, email, location_id FROM contacts WHERE deleted_at IS NULL \
             AND (phone IS NOT NULL OR email IS NOT NULL)",
        )
        .fetch_all(pool)
        .await?);
        let mut known = Known { by_phone: HashMap::new(), by_email: HashMap::new() };
        for (id, phone, email, location) in rows {
            if actor.may_see(location.as_deref()) {
                known.remember(&id, phone.as_deref(), email.as_deref());
            }
        }
        Ok(known)
    }

    fn remember(&mut self, id: &str, phone: Option<&str>, email: Option<&str>) {
        if let Some(phone) = phone {
            self.by_phone.entry(phone.to_owned()).or_insert_with(|| id.to_owned());
        }
        if let Some(email) = email {
            self.by_email.entry(email.to_owned()).or_insert_with(|| id.to_owned());
        }
    }

    /// The existing contact with the row's phone (in any format) or email.
    fn find(&self, fields: &ContactFields) -> Option<String> {
        let phone = fields.phone.as_deref().and_then(|p| Phone::parse(p).ok());
        let email = fields.email.as_deref().and_then(|e| Email::parse(e).ok());
        phone
            .and_then(|p| self.by_phone.get(p.as_str()).cloned())
            .or_else(|| email.and_then(|e| self.by_email.get(e.as_str()).cloned()))
    }
}

/// Imports `text` (CSV with a header row) and reports on every row not simply created.
pub async fn import(
    db: &Db,
    actor: &Actor,
    text: &str,
    options: ImportOptions,
    meta: &RequestMeta,
) -> Result<ImportReport, DomainError> {
    actor.require(Permission::ContactsWrite)?;
    let (headers, records) = parse_csv(text)?;
    let mapping = options.mapping.clone().unwrap_or_else(|| headers.iter().map(|h| guess(h)).collect());
    check_mapping(&mapping, headers.len())?;
    let has = |field: &str| mapping.iter().any(|m| m == field);
    if !(has("full_name") || has("first_name") && has("last_name")) {
        return Err(DomainError::field(
            "mapping",
            "choose columns for the first and last name (or the full name)",
        ));
    }
    if !has("phone") && !has("email") {
        return Err(DomainError::field("mapping", "choose a column for the phone number or the email"));
    }
    let first_row = options.first_row.unwrap_or(2).max(2);
    if first_row > 10_000_000 {
        return Err(DomainError::field("first_row", "must be a row number within the file"));
    }
    let refs = Refs::load(db).await?;
    let mut known = Known::load(db, actor).await?;
    let mut report =
        ImportReport { dry_run: options.dry_run, total_rows: records.len(), ..Default::default() };
    let mut to_insert: Vec<Row> = Vec::new();
    let mut to_update: Vec<Row> = Vec::new();

    for (index, record) in records.iter().enumerate() {
        let line = first_row + index;
        let (fields, mut errors) = fields_of(record, &mapping, &refs);
        let existing = known.find(&fields);
        let outcome = match (&existing, options.duplicates) {
            (Some(id), OnDuplicate::Skip) if errors.is_empty() => {
                report.duplicates += 1;
                report.rows.push(ImportRowReport {
                    row: line,
                    status: ImportRowStatus::Duplicate,
                    contact_id: Some(id.clone()),
                    errors: FieldErrors::new(),
                });
                continue;
            }
            (Some(id), OnDuplicate::Update) if errors.is_empty() => {
                let current = load(db, actor, id, false).await?;
                apply(&refs, Some(actor), current, &fields, Mode::Patch).map(|row| (row, false))
            }
            _ => apply(&refs, Some(actor), new_row(&refs), &fields, Mode::Replace).map(|row| (row, true)),
        };
        match outcome {
            Ok((row, is_new)) if errors.is_empty() => {
                if is_new {
                    report.created += 1;
                    known.remember(&row.id, row.phone.as_deref(), row.email.as_deref());
                    to_insert.push(row);
                } else {
                    report.updated += 1;
                    report.rows.push(ImportRowReport {
                        row: line,
                        status: ImportRowStatus::Updated,
                        contact_id: Some(row.id.clone()),
                        errors: FieldErrors::new(),
                    });
                    to_update.push(row);
                }
            }
            other => {
                if let Err(DomainError::Validation(problems)) = other {
                    for (field, problem) in problems {
                        errors.entry(field).or_insert(problem);
                    }
                }
                report.invalid += 1;
                report.rows.push(ImportRowReport {
                    row: line,
                    status: ImportRowStatus::Invalid,
                    contact_id: None,
                    errors,
                });
            }
        }
    }

    if !options.dry_run {
        let writes: Vec<Write> = to_insert
            .iter()
            .map(|row| Write { row, insert: true, write_tags: !row.tags.is_empty(), stage_note: None })
            .chain(to_update.iter().map(|row| Write {
                row,
                insert: false,
                write_tags: true,
                stage_note: None,
            }))
            .collect();
        // Each batch commits with its rows' audit entries, or not at all.
        for batch in writes.chunks(BATCH) {
            let mut tx = db.begin().await?;
            store_all(&mut tx, batch, Some(actor)).await?;
            let entries = batch.iter().map(|w| {
                let action = if w.insert { "contact.create" } else { "contact.update" };
                Entry::new(action).by(actor).on("contact", &w.row.id).detail("import").from(meta)
            });
            audit::record_many_in(&mut tx, entries.collect()).await?;
            tx.commit().await?;
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_matched_to_fields_by_their_usual_names() {
        let cases = [
            ("First Name", "first_name"),
            ("Surname", "last_name"),
            ("Mobile phone", "phone"),
            ("E-mail", "email"),
            ("DOB", "date_of_birth"),
            ("Referring GP", "referring_doctor"),
            ("Scan type", "requested_modality"),
            ("Shoe size", ""),
        ];
        for (header, field) in cases {
            assert_eq!(guess(header), field, "{header}");
        }
    }

    #[test]
    fn a_mapping_must_fit_the_file() {
        let ok = vec!["first_name".to_owned(), "custom:medicare".to_owned(), String::new()];
        assert!(check_mapping(&ok, 3).is_ok());
        assert!(check_mapping(&ok, 2).is_err(), "one entry per column");
        assert!(check_mapping(&["shoe_size".to_owned()], 1).is_err());
        assert!(check_mapping(&["phone".to_owned(), "phone".to_owned()], 2).is_err());
    }

    #[test]
    fn formula_guards_from_our_export_are_removed() {
        assert_eq!(cell("'=1+1").as_deref(), Some("=1+1"));
        assert_eq!(cell("'+61412345678").as_deref(), Some("+61412345678"));
        assert_eq!(cell("O'Brien").as_deref(), Some("O'Brien"));
        assert_eq!(cell(""), None);
    }

    #[test]
    fn unreadable_files_name_the_problem() {
        let wide = format!("{}\n", vec!["c"; MAX_COLUMNS + 1].join(","));
        assert!(matches!(parse_csv(&wide), Err(DomainError::Validation(f)) if f.contains_key("file")));
        assert!(matches!(parse_csv(""), Err(DomainError::Validation(f)) if f.contains_key("file")));
        let (headers, rows) = parse_csv("Name,Phone\n\nJane Doe,0412 345 678\n").unwrap();
        assert_eq!(headers, ["Name", "Phone"]);
        assert_eq!(rows.len(), 1, "blank lines are skipped");
    }
}
