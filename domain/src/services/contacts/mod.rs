//! Contacts: create, read, change, soft-delete and restore; `search` lists them. Every read
//! and change is scoped to the actor's locations and written to the audit log (ids only).

pub mod csv_export;
pub mod csv_import;
pub mod duplicates;
pub mod merge;
mod search;
pub use merge::merge;
pub use search::{DEFAULT_PAGE, ListFilter, MAX_PAGE, count, list};

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, Utc};
use serde::Deserialize;
use sqlx::FromRow;
use ulid::Ulid;

use crate::access::Permission;
use crate::error::Validator;
use crate::input::{Email, Phone, label, optional_label, optional_prose, rules};
use crate::model::{Contact, ContactSource, DuplicateReason, Modality};
use crate::on_db;
use crate::services::audit::{self, Entry};
use crate::time::Timestamp;
use crate::{Actor, Backend, Db, DomainError, RequestMeta, Tx, on_tx};

/// Deleted contacts can be restored for this long.
pub const RESTORE_DAYS: i64 = 30;

/// Fields a caller sends; `None` (absent or `null`) means "not given": PATCH keeps the value,
/// PUT clears it. The `schema` attributes are the rules `apply` enforces, for the OpenAPI
/// document; rules JSON Schema cannot state (a real phone number, a phone or an email, ids
/// that exist) are in the descriptions.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactFields {
    #[schema(value_type = Option<rules::Label100>, inline)]
    pub first_name: Option<String>,
    #[schema(value_type = Option<rules::Label100>, inline)]
    pub last_name: Option<String>,
    /// Any common format (`0412 345 678`, `+61 412 345 678`); without a country code it is read
    /// as Australian; stored as E.164. A contact needs a phone number or an email. Blank clears.
    pub phone: Option<String>,
    /// Stored lower-cased. Blank clears.
    pub email: Option<String>,
    /// `YYYY-MM-DD`, from 1900 to today; `null` clears.
    #[schema(format = Date)]
    pub date_of_birth: Option<String>,
    #[schema(value_type = Option<ContactSource>)]
    pub source: Option<String>,
    /// Blank clears.
    #[schema(value_type = Option<rules::OptionalLabel200>, inline)]
    pub referring_doctor: Option<String>,
    /// `null` clears.
    #[schema(value_type = Option<Modality>)]
    pub requested_modality: Option<String>,
    /// Tabs and line breaks allowed. Blank clears.
    #[schema(value_type = Option<rules::Prose5000>, inline)]
    pub notes: Option<String>,
    /// A pipeline stage's id (the board's first stage when left out of a new contact).
    pub stage_id: Option<String>,
    /// One of the clinic's locations, and for staff limited to some locations one of theirs.
    /// Blank clears.
    pub location_id: Option<String>,
    /// An active staff member. Blank clears.
    pub owner_id: Option<String>,
    pub sms_consent: Option<bool>,
    pub email_consent: Option<bool>,
    /// Replaces the contact's tags (lower-cased, de-duplicated; blank ones are dropped).
    #[schema(value_type = Option<Vec<rules::OptionalLabel40>>, inline, max_items = 20)]
    pub tags: Option<Vec<String>>,
    /// Keys are lower-case letters, digits and `_`. With PATCH, merged into the existing fields
    /// (an empty value removes the key); with PUT, replaces them. At most 30 in all.
    #[schema(schema_with = custom_fields_schema)]
    pub custom_fields: Option<BTreeMap<String, String>>,
}

/// `custom_fields` for the OpenAPI document: names as `merge_custom_fields` checks them,
/// values of at most 500 characters, at most 30 of them; `null` leaves them as they are.
fn custom_fields_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let name = ObjectBuilder::new().schema_type(Type::String).pattern(Some("^[a-z0-9_]{1,40}$"));
    let value = ObjectBuilder::new().schema_type(Type::String).max_length(Some(500));
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([Type::Object, Type::Null]))
        .property_names(Some(name))
        .additional_properties(Some(value))
        .max_properties(Some(MAX_CUSTOM_FIELDS))
        .build()
}

pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 40;
pub const MAX_CUSTOM_FIELDS: usize = 30;

#[derive(Clone, Debug, FromRow)]
struct Row {
    id: String,
    first_name: String,
    last_name: String,
    phone: Option<String>,
    email: Option<String>,
    date_of_birth: Option<NaiveDate>,
    source: String,
    referring_doctor: Option<String>,
    requested_modality: Option<String>,
    notes: Option<String>,
    stage_id: String,
    location_id: Option<String>,
    owner_id: Option<String>,
    warmness: Option<i32>,
    sms_consent: bool,
    sms_consent_changed_at: Option<Timestamp>,
    email_consent: bool,
    email_consent_changed_at: Option<Timestamp>,
    custom_fields: String,
    last_touch_at: Option<Timestamp>,
    created_at: Timestamp,
    updated_at: Timestamp,
    deleted_at: Option<Timestamp>,
    /// Not a column: filled from `contact_tags` after loading.
    #[sqlx(skip)]
    tags: Vec<String>,
}

/// The columns of [`Row`], as a literal so queries can be built with `concat!` at compile time.
macro_rules! columns {
    () => {
        "id, first_name, last_name, phone, email, date_of_birth, source, referring_doctor, \
         requested_modality, notes, stage_id, location_id, owner_id, warmness, sms_consent, sms_consent_changed_at, \
         email_consent, email_consent_changed_at, custom_fields, last_touch_at, created_at, updated_at, deleted_at"
    };
}
const COLUMNS: &str = columns!();

/// The one-contact read with `$aggregate` joining the tag names.
macro_rules! by_id_sql {
    ($aggregate:literal) => {
        concat!(
            "SELECT ",
            columns!(),
            ", (SELECT ",
            $aggregate,
            " FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = contacts.id) AS tag_list \
             FROM contacts WHERE id = $1"
        )
    };
}

impl Row {
    fn custom_fields(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.custom_fields).unwrap_or_default()
    }
}

/// Fills `tags` for every row with one query.
async fn attach_tags(db: &Db, rows: &mut [Row]) -> Result<(), DomainError> {
    for chunk in rows.chunks_mut(500) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT ct.contact_id, t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id \
             WHERE ct.contact_id IN ({}) ORDER BY t.name",
            crate::db::placeholders(1, chunk.len())
        ));
        let pairs: Vec<(String, String)> = on_db!(db, pool => {
            let mut query = sqlx::query_as(sql);
            for row in chunk.iter() {
                query = query.bind(row.id.clone());
            }
            query.fetch_all(pool).await?
        });
        for (contact_id, tag) in pairs {
            if let Some(row) = chunk.iter_mut().find(|r| r.id == contact_id) {
                row.tags.push(tag);
            }
        }
    }
    Ok(())
}

impl From<Row> for Contact {
    fn from(r: Row) -> Contact {
        let custom_fields = r.custom_fields();
        Contact {
            id: r.id,
            first_name: r.first_name,
            last_name: r.last_name,
            phone: r.phone,
            email: r.email,
            date_of_birth: r.date_of_birth,
            // Written only from the enums, so every stored value parses.
            source: ContactSource::parse(&r.source).unwrap_or_default(),
            referring_doctor: r.referring_doctor,
            requested_modality: r.requested_modality.as_deref().and_then(Modality::parse),
            notes: r.notes,
            stage_id: r.stage_id,
            location_id: r.location_id,
            owner_id: r.owner_id,
            warmness: r.warmness,
            sms_consent: r.sms_consent,
            sms_consent_changed_at: r.sms_consent_changed_at.map(|t| t.0),
            email_consent: r.email_consent,
            email_consent_changed_at: r.email_consent_changed_at.map(|t| t.0),
            tags: r.tags,
            custom_fields,
            last_touch_at: r.last_touch_at.map(|t| t.0),
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        }
    }
}

/// Blank strings count as "cleared".
fn text(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The stages, locations and active staff a contact may point at, loaded once per operation
/// (an import checks thousands of rows against the same few).
pub(crate) struct Refs {
    /// (id, name) in board order.
    pub stages: Vec<(String, String)>,
    /// (id, name).
    pub locations: Vec<(String, String)>,
    pub active_users: Vec<String>,
}

impl Refs {
    pub async fn load(db: &Db) -> Result<Refs, DomainError> {
        Ok(on_db!(db, pool => Refs {
            stages: sqlx::query_as("SELECT id, name FROM pipeline_stages ORDER BY position").fetch_all(pool).await?,
            locations: sqlx::query_as("SELECT id, name FROM locations ORDER BY name").fetch_all(pool).await?,
            active_users: sqlx::query_scalar("SELECT id FROM users WHERE active = TRUE").fetch_all(pool).await?,
        }))
    }

    fn has_stage(&self, id: &str) -> bool {
        self.stages.iter().any(|(s, _)| s == id)
    }

    fn has_location(&self, id: &str) -> bool {
        self.locations.iter().any(|(l, _)| l == id)
    }
}

/// Validates `fields` over `current` (for a create, the defaults) and returns the new row.
fn apply(
    refs: &Refs,
    // `None`: the patient, on the public booking page (no location limits).
    actor: Option<&Actor>,
    mut row: Row,
    fields: &ContactFields,
    mode: Mode,
) -> Result<Row, DomainError> {
    let mut v = Validator::default();
    let replace = mode == Mode::Replace;
    // Replacing, a field left out is cleared; patching, it is kept.
    let given = |f: &Option<String>| replace || f.is_some();

    if given(&fields.first_name)
        && let Some(name) = v.check("first_name", label(fields.first_name.as_deref().unwrap_or(""), 100))
    {
        row.first_name = name;
    }
    if given(&fields.last_name)
        && let Some(name) = v.check("last_name", label(fields.last_name.as_deref().unwrap_or(""), 100))
    {
        row.last_name = name;
    }
    if given(&fields.phone) {
        row.phone = match text(&fields.phone) {
            Some(raw) => v.check("phone", Phone::parse(raw)).map(|p| p.as_str().to_owned()),
            None => None,
        };
    }
    if given(&fields.email) {
        row.email = match text(&fields.email) {
            Some(raw) => v.check("email", Email::parse(raw)).map(|e| e.as_str().to_owned()),
            None => None,
        };
    }
    if given(&fields.date_of_birth) {
        row.date_of_birth = match fields.date_of_birth.as_deref() {
            Some(raw) => v.check(
                "date_of_birth",
                NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                    .ok()
                    // chrono reads `2020-1-2` too; the documented form is exactly YYYY-MM-DD.
                    .filter(|d| d.format("%Y-%m-%d").to_string() == raw)
                    .ok_or_else(|| "must be a date as YYYY-MM-DD".to_owned())
                    .and_then(|d| {
                        let today = Utc::now().date_naive();
                        if d > today || d < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(d) {
                            Err("must be a real date of birth (not in the future)".to_owned())
                        } else {
                            Ok(d)
                        }
                    }),
            ),
            None => None,
        };
    }
    if let Some(raw) = fields.source.as_deref()
        && let Some(source) = v
            .check("source", one_of(raw, ContactSource::parse, ContactSource::ALL.map(ContactSource::as_str)))
    {
        row.source = source.as_str().to_owned();
    }
    if given(&fields.requested_modality) {
        row.requested_modality = match fields.requested_modality.as_deref() {
            Some(raw) => v
                .check(
                    "requested_modality",
                    one_of(raw, Modality::parse, Modality::ALL.map(Modality::as_str)),
                )
                .map(|m| m.as_str().to_owned()),
            None => None,
        };
    }
    if given(&fields.referring_doctor) {
        row.referring_doctor = v
            .check("referring_doctor", optional_label(fields.referring_doctor.as_deref().unwrap_or(""), 200))
            .flatten();
    }
    if given(&fields.notes) {
        row.notes = v.check("notes", optional_prose(fields.notes.as_deref().unwrap_or(""), 5000)).flatten();
    }
    if given_list(replace, &fields.tags) {
        row.tags =
            v.check("tags", parse_tags(fields.tags.as_deref().unwrap_or_default())).unwrap_or_default();
    }
    if replace || fields.custom_fields.is_some() {
        let base = if replace { BTreeMap::new() } else { row.custom_fields() };
        let given = fields.custom_fields.clone().unwrap_or_default();
        if let Some(merged) = v.check("custom_fields", merge_custom_fields(base, given)) {
            row.custom_fields = serde_json::to_string(&merged).unwrap_or_else(|_| "{}".into());
        }
    }
    if row.phone.is_none() && row.email.is_none() && !v.has("phone") && !v.has("email") {
        v.check::<()>(
            "phone",
            Err("Give a phone number or an email address, so the clinic can reach them.".into()),
        );
    }
    v.finish()?;

    let now = Timestamp::now();
    if let Some(consent) =
        fields.sms_consent.filter(|c| *c != row.sms_consent || row.sms_consent_changed_at.is_none())
    {
        row.sms_consent = consent;
        row.sms_consent_changed_at = Some(now);
    }
    if let Some(consent) =
        fields.email_consent.filter(|c| *c != row.email_consent || row.email_consent_changed_at.is_none())
    {
        row.email_consent = consent;
        row.email_consent_changed_at = Some(now);
    }
    if let Some(stage) = text(&fields.stage_id) {
        if !refs.has_stage(stage) {
            return Err(DomainError::field("stage_id", "is not a pipeline stage"));
        }
        row.stage_id = stage.to_owned();
    }
    if given(&fields.location_id) {
        row.location_id = match text(&fields.location_id) {
            Some(id) => {
                if !refs.has_location(id) {
                    return Err(DomainError::field("location_id", "is not a location"));
                }
                Some(id.to_owned())
            }
            None => None,
        };
    }
    if actor.is_some_and(|a| !a.may_see(row.location_id.as_deref())) {
        return Err(DomainError::field("location_id", "must be one of your locations"));
    }
    if given(&fields.owner_id) {
        row.owner_id = match text(&fields.owner_id) {
            Some(id) => {
                if !refs.active_users.iter().any(|u| u == id) {
                    return Err(DomainError::field("owner_id", "is not an active staff member"));
                }
                Some(id.to_owned())
            }
            None => None,
        };
    }
    row.updated_at = now;
    Ok(row)
}

fn given_list<T>(replace: bool, value: &Option<T>) -> bool {
    replace || value.is_some()
}

/// Lower-cased, trimmed, de-duplicated and sorted tag names. Limits count what was sent
/// (blank and repeated ones included), as the API documents them.
pub fn parse_tags(raw: &[String]) -> Result<Vec<String>, String> {
    if raw.len() > MAX_TAGS {
        return Err(format!("at most {MAX_TAGS} tags"));
    }
    if let Some(long) = raw.iter().find(|t| t.chars().count() > MAX_TAG_CHARS) {
        return Err(format!(
            "tag `{}…` is longer than {MAX_TAG_CHARS} characters",
            long.chars().take(20).collect::<String>()
        ));
    }
    if raw.iter().any(|t| t.chars().any(char::is_control)) {
        return Err("tags cannot contain control characters".into());
    }
    let mut tags: Vec<String> =
        raw.iter().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()).collect();
    tags.sort();
    tags.dedup();
    Ok(tags)
}

/// A custom field name as people type it ("Medicare number") turned into the stored form
/// (`medicare_number`): for the contact form and CSV import; the API takes the stored form.
pub fn custom_field_key(raw: &str) -> String {
    raw.trim().to_lowercase().replace([' ', '-'], "_")
}

/// Applies `changes` to `fields`: keys are lower-case letters, digits and `_`, at most 40;
/// values at most 500 characters; an empty value removes the key.
fn merge_custom_fields(
    mut fields: BTreeMap<String, String>,
    changes: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, String> {
    if changes.len() > MAX_CUSTOM_FIELDS {
        return Err(format!("at most {MAX_CUSTOM_FIELDS} fields"));
    }
    for (key, value) in changes {
        let key_ok = !key.is_empty()
            && key.len() <= 40
            && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok {
            return Err(format!(
                "`{key}` is not a field name (lower-case letters, digits and _; at most 40)"
            ));
        }
        if value.chars().count() > 500 {
            return Err(format!("`{key}` must be at most 500 characters"));
        }
        let value = value.trim();
        if value.is_empty() {
            fields.remove(&key);
        } else {
            fields.insert(key, value.to_owned());
        }
    }
    if fields.len() > MAX_CUSTOM_FIELDS {
        return Err(format!("at most {MAX_CUSTOM_FIELDS} fields"));
    }
    Ok(fields)
}

/// `value` as one of a closed set, exactly as the API spells its members.
pub(crate) fn one_of<T, const N: usize>(
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
    allowed: [&str; N],
) -> Result<T, String> {
    parse(value).ok_or_else(|| format!("must be one of {}", allowed.join(", ")))
}

/// A contact by id, if the actor may see it (deleted ones are not found).
/// A contact with its tags joined into one text (a single read for the contact page and the
/// API's GET).
#[derive(FromRow)]
struct RowWithTags {
    #[sqlx(flatten)]
    row: Row,
    tag_list: Option<String>,
}

/// Separates tag names in `tag_list` (the ASCII unit separator: no tag contains it).
const TAG_SEPARATOR: char = '\u{1f}';

/// The one-contact read: every column and the tags (`tag_list`, joined by `TAG_SEPARATOR`).
/// Public so the benchmark's bare yardstick runs exactly this query.
pub fn by_id_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => by_id_sql!("group_concat(t.name, char(31))"),
        Backend::Postgres => by_id_sql!("string_agg(t.name, chr(31))"),
    }
}

async fn load(db: &Db, actor: &Actor, id: &str, include_deleted: bool) -> Result<Row, DomainError> {
    let sql = sqlx::AssertSqlSafe(by_id_sql(db.backend()));
    let found =
        on_db!(db, pool => sqlx::query_as::<_, RowWithTags>(sql).bind(id).fetch_optional(pool).await?);
    match found {
        Some(RowWithTags { mut row, tag_list })
            if (include_deleted || row.deleted_at.is_none()) && actor.may_see(row.location_id.as_deref()) =>
        {
            row.tags = tag_list
                .as_deref()
                .unwrap_or("")
                .split(TAG_SEPARATOR)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect();
            row.tags.sort();
            Ok(row)
        }
        _ => Err(DomainError::NotFound("contact")),
    }
}

/// One contact to write: inserted or updated, with its tags and an optional stage move.
struct Write<'a> {
    row: &'a Row,
    insert: bool,
    write_tags: bool,
    /// (from stage id, to stage id): the move joins the contact's timeline.
    stage_note: Option<(String, String)>,
}

/// Writes one contact and its audit entry in one transaction.
async fn store(db: &Db, write: Write<'_>, actor: &Actor, entry: Entry) -> Result<(), DomainError> {
    let mut tx = db.begin().await?;
    let id = write.row.id.clone();
    store_all(&mut tx, &[write], Some(actor)).await?;
    // The record is part of the score (referral, completeness). Imports rely on the nightly run.
    crate::services::ai::warmness::enqueue_recalculation(&mut tx, &id).await?;
    crate::services::ai::enrich::enqueue(&mut tx, &id).await?;
    audit::record_in(&mut tx, entry).await?;
    tx.commit().await
}

/// Writes every contact in the caller's transaction.
async fn store_all(tx: &mut Tx, writes: &[Write<'_>], actor: Option<&Actor>) -> Result<(), DomainError> {
    // One bind list serves both statements (the update writes `created_at` back unchanged).
    const INSERT: &str = "INSERT INTO contacts (first_name, last_name, phone, email, date_of_birth, source, referring_doctor, \
         requested_modality, notes, stage_id, location_id, owner_id, sms_consent, sms_consent_changed_at, \
         email_consent, email_consent_changed_at, updated_at, created_at, custom_fields, id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)";
    const UPDATE: &str = "UPDATE contacts SET first_name = $1, last_name = $2, phone = $3, email = $4, date_of_birth = $5, \
         source = $6, referring_doctor = $7, requested_modality = $8, notes = $9, stage_id = $10, \
         location_id = $11, owner_id = $12, sms_consent = $13, sms_consent_changed_at = $14, \
         email_consent = $15, email_consent_changed_at = $16, updated_at = $17, \
         created_at = $18, custom_fields = $19 WHERE id = $20";
    on_tx!(tx, tx => {
        for Write { row, insert, write_tags, stage_note } in writes {
            sqlx::query(if *insert { INSERT } else { UPDATE })
                .bind(&row.first_name)
                .bind(&row.last_name)
                .bind(&row.phone)
                .bind(&row.email)
                .bind(row.date_of_birth)
                .bind(&row.source)
                .bind(&row.referring_doctor)
                .bind(&row.requested_modality)
                .bind(&row.notes)
                .bind(&row.stage_id)
                .bind(&row.location_id)
                .bind(&row.owner_id)
                .bind(row.sms_consent)
                .bind(row.sms_consent_changed_at)
                .bind(row.email_consent)
                .bind(row.email_consent_changed_at)
                .bind(row.updated_at)
                .bind(row.created_at)
                .bind(&row.custom_fields)
                .bind(&row.id)
                .execute(&mut **tx)
                .await?;
            if *write_tags {
                sqlx::query("DELETE FROM contact_tags WHERE contact_id = $1").bind(&row.id).execute(&mut **tx).await?;
                for tag in &row.tags {
                    sqlx::query("INSERT INTO tags (id, name) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                        .bind(Ulid::new().to_string())
                        .bind(tag)
                        .execute(&mut **tx)
                        .await?;
                    sqlx::query("INSERT INTO contact_tags (contact_id, tag_id) SELECT $1, id FROM tags WHERE name = $2")
                        .bind(&row.id)
                        .bind(tag)
                        .execute(&mut **tx)
                        .await?;
                }
            }
            if let Some((from, to)) = stage_note {
                sqlx::query(
                    "INSERT INTO touchpoints (id, contact_id, kind, summary, user_id, occurred_at) \
                     SELECT $1, $2, 'stage_change', 'Stage: ' || f.name || ' → ' || t.name, $3, $4 \
                     FROM pipeline_stages f, pipeline_stages t WHERE f.id = $5 AND t.id = $6",
                )
                .bind(Ulid::new().to_string())
                .bind(&row.id)
                .bind(actor.map(|a| a.user_id.as_str()))
                .bind(row.updated_at)
                .bind(from)
                .bind(to)
                .execute(&mut **tx)
                .await?;
            }
        }
    });
    Ok(())
}

/// A new contact's starting point: a fresh id, nothing else set (see [`new_row`]).
fn blank_row() -> Row {
    let now = Timestamp::now();
    Row {
        id: Ulid::new().to_string(),
        first_name: String::new(),
        last_name: String::new(),
        phone: None,
        email: None,
        date_of_birth: None,
        source: ContactSource::default().as_str().to_owned(),
        referring_doctor: None,
        requested_modality: None,
        notes: None,
        // Set from the first stage on the board by `first_stage` before validation.
        stage_id: String::new(),
        location_id: None,
        owner_id: None,
        warmness: None,
        sms_consent: false,
        sms_consent_changed_at: None,
        email_consent: false,
        email_consent_changed_at: None,
        custom_fields: "{}".into(),
        last_touch_at: None,
        created_at: now,
        updated_at: now,
        deleted_at: None,
        tags: Vec::new(),
    }
}

/// A blank contact in the board's first stage (New enquiry unless the clinic changed it).
fn new_row(refs: &Refs) -> Row {
    let mut row = blank_row();
    row.stage_id = refs.stages.first().map(|(id, _)| id.clone()).unwrap_or_default();
    row
}

/// Not found unless the contact exists, is not deleted and is in the actor's locations.
pub async fn ensure_visible(db: &Db, actor: &Actor, id: &str) -> Result<(), DomainError> {
    load(db, actor, id, false).await.map(|_| ())
}

/// Creates a contact. Unless `allow_duplicate`, a contact the actor can see with the same phone
/// number or email is a [`DomainError::Duplicate`] naming it.
pub async fn create(
    db: &Db,
    actor: &Actor,
    fields: ContactFields,
    allow_duplicate: bool,
    meta: &RequestMeta,
) -> Result<Contact, DomainError> {
    actor.require(Permission::ContactsWrite)?;
    let refs = Refs::load(db).await?;
    let row = apply(&refs, Some(actor), new_row(&refs), &fields, Mode::Replace)?;
    if !allow_duplicate {
        let probe = duplicates::Probe {
            exclude_id: None,
            first_name: "",
            last_name: "",
            phone: row.phone.as_deref(),
            email: row.email.as_deref(),
            date_of_birth: row.date_of_birth,
        };
        if let Some(existing) = duplicates::find(db, actor, &probe).await?.into_iter().next() {
            let field = if existing.reason == DuplicateReason::Phone { "phone" } else { "email" };
            return Err(DomainError::Duplicate { field, existing_id: existing.contact_id });
        }
    }
    let entry = Entry::new("contact.create").by(actor).on("contact", &row.id).from(meta);
    let write = Write { row: &row, insert: true, write_tags: !row.tags.is_empty(), stage_note: None };
    store(db, write, actor, entry).await?;
    Ok(row.into())
}

/// A new contact a patient gave on the public booking page, checked like any other (each bad
/// field named) but not yet written: [`insert_patient_in`] writes it with the booking.
pub(crate) struct NewPatient(Row);

impl NewPatient {
    pub(crate) fn id(&self) -> &str {
        &self.0.id
    }
}

/// Checks a patient's own details; the contact will be a web enquiry at `location_id`.
pub(crate) async fn patient(db: &Db, fields: ContactFields) -> Result<NewPatient, DomainError> {
    let refs = Refs::load(db).await?;
    let fields = ContactFields { source: Some(ContactSource::WebForm.as_str().to_owned()), ..fields };
    apply(&refs, None, new_row(&refs), &fields, Mode::Replace).map(NewPatient)
}

/// The contact a patient's details name, if one exists: the same mobile number or email, and a
/// date of birth that does not differ (a parent and child who share a phone stay two people).
pub(crate) async fn match_patient(db: &Db, patient: &NewPatient) -> Result<Option<String>, DomainError> {
    let row = &patient.0;
    let found: Option<(String,)> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT id FROM contacts WHERE deleted_at IS NULL AND (phone = $1 OR email = $2) \
             AND (date_of_birth IS NULL OR date_of_birth = $3) \
             ORDER BY CASE WHEN date_of_birth IS NULL THEN 1 ELSE 0 END, created_at LIMIT 1",
        )
        .bind(&row.phone)
        .bind(&row.email)
        .bind(row.date_of_birth)
        .fetch_optional(pool)
        .await?
    });
    Ok(found.map(|(id,)| id))
}

/// Writes a patient's new contact in the caller's transaction, audited as the patient's.
pub(crate) async fn insert_patient_in(
    tx: &mut Tx,
    patient: &NewPatient,
    meta: &RequestMeta,
) -> Result<(), DomainError> {
    let write = Write { row: &patient.0, insert: true, write_tags: false, stage_note: None };
    store_all(tx, &[write], None).await?;
    let entry = Entry::new("contact.create")
        .on("contact", &patient.0.id)
        .from(meta)
        .detail("by the patient (booking page)");
    audit::record_in(tx, entry).await
}

/// One contact; the view is written to the audit log.
pub async fn get(db: &Db, actor: &Actor, id: &str, meta: &RequestMeta) -> Result<Contact, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let row = load(db, actor, id, false).await?;
    audit::record(db, Entry::new("contact.view").by(actor).on("contact", id).from(meta)).await?;
    Ok(row.into())
}

/// How a change treats the fields it leaves out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// PUT, and forms that show every field: a field left out is cleared.
    Replace,
    /// PATCH: a field left out keeps its value.
    Patch,
}

/// Changes a contact: [`Mode::Patch`] changes the fields given, [`Mode::Replace`] all of them.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: &str,
    fields: ContactFields,
    mode: Mode,
    meta: &RequestMeta,
) -> Result<Contact, DomainError> {
    actor.require(Permission::ContactsWrite)?;
    let current = load(db, actor, id, false).await?;
    let old_stage = current.stage_id.clone();
    let row = apply(&Refs::load(db).await?, Some(actor), current, &fields, mode)?;
    let stage_note = (row.stage_id != old_stage).then(|| (old_stage, row.stage_id.clone()));
    let write_tags = mode == Mode::Replace || fields.tags.is_some();
    let entry = Entry::new("contact.update").by(actor).on("contact", id).from(meta);
    store(db, Write { row: &row, insert: false, write_tags, stage_note }, actor, entry).await?;
    Ok(row.into())
}

/// Moves a contact to another pipeline stage (the board's drag and drop); the move joins the
/// timeline. Moving to the stage it is already in changes nothing.
pub async fn move_to_stage(
    db: &Db,
    actor: &Actor,
    id: &str,
    stage_id: &str,
    meta: &RequestMeta,
) -> Result<Contact, DomainError> {
    actor.require(Permission::ContactsWrite)?;
    if stage_id.trim().is_empty() {
        return Err(DomainError::field("stage_id", "is required"));
    }
    let current = load(db, actor, id, false).await?;
    if current.stage_id == stage_id {
        return Ok(current.into());
    }
    let fields = ContactFields { stage_id: Some(stage_id.to_owned()), ..Default::default() };
    update(db, actor, id, fields, Mode::Patch, meta).await
}

/// Soft delete: hidden everywhere, restorable for 30 days.
pub async fn delete(db: &Db, actor: &Actor, id: &str, meta: &RequestMeta) -> Result<(), DomainError> {
    actor.require(Permission::ContactsWrite)?;
    load(db, actor, id, false).await?;
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
        sqlx::query("UPDATE contacts SET deleted_at = $2 WHERE id = $1").bind(id).bind(Timestamp::now()).execute(&mut **tx).await?;
    });
    audit::record_in(&mut tx, Entry::new("contact.delete").by(actor).on("contact", id).from(meta)).await?;
    tx.commit().await
}

/// Brings back a contact deleted in the last [`RESTORE_DAYS`] days.
pub async fn restore(db: &Db, actor: &Actor, id: &str, meta: &RequestMeta) -> Result<Contact, DomainError> {
    actor.require(Permission::ContactsWrite)?;
    let mut row = load(db, actor, id, true).await?;
    let Some(deleted_at) = row.deleted_at else {
        return Err(DomainError::Conflict("this contact is not deleted".into()));
    };
    // A merged record's history lives on the record it was merged into: undoing the merge
    // brings both back, restoring it alone would bring back an empty shell.
    let merged_into: Option<String> = on_db!(db, pool => {
        sqlx::query_scalar("SELECT merged_into FROM contacts WHERE id = $1").bind(id).fetch_one(pool).await?
    });
    if merged_into.is_some() {
        return Err(DomainError::Conflict(
            "this contact was merged into another; undo the merge from that contact's page instead".into(),
        ));
    }
    if Utc::now() - deleted_at.0 > Duration::days(RESTORE_DAYS) {
        return Err(DomainError::Conflict(format!(
            "deleted more than {RESTORE_DAYS} days ago; it can no longer be restored"
        )));
    }
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
        sqlx::query("UPDATE contacts SET deleted_at = NULL WHERE id = $1").bind(id).execute(&mut **tx).await?;
    });
    audit::record_in(&mut tx, Entry::new("contact.restore").by(actor).on("contact", id).from(meta)).await?;
    tx.commit().await?;
    row.deleted_at = None;
    Ok(row.into())
}
