//! Contacts: create, read, change, soft-delete and restore; `search` lists them. Every read
//! and change is scoped to the actor's locations and written to the audit log (ids only).

pub mod csv_export;
pub mod csv_import;
pub mod duplicates;
mod merge;
mod search;
pub use merge::merge;
pub use search::{DEFAULT_PAGE, ListFilter, MAX_PAGE, SORTS, list};

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, Utc};
use serde::Deserialize;
use sqlx::FromRow;
use ulid::Ulid;

use crate::access::Permission;
use crate::actor::LocationScope;
use crate::error::Validator;
use crate::input::{Email, Phone, label};
use crate::model::{CONTACT_SOURCES, Contact, MODALITIES};
use crate::on_db;
use crate::services::audit::{self, Entry};
use crate::time::Timestamp;
use crate::{Actor, Backend, Db, DomainError};

/// Deleted contacts can be restored for this long.
pub const RESTORE_DAYS: i64 = 30;

/// Fields a caller sends; `None` means "not given".
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactFields {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub date_of_birth: Option<String>,
    pub source: Option<String>,
    pub referring_doctor: Option<String>,
    pub requested_modality: Option<String>,
    pub notes: Option<String>,
    pub stage_id: Option<String>,
    pub location_id: Option<String>,
    pub owner_id: Option<String>,
    pub sms_consent: Option<bool>,
    pub email_consent: Option<bool>,
    /// Replaces the contact's tags (lower-cased; created as needed).
    pub tags: Option<Vec<String>>,
    /// With PATCH, merged into the existing fields (an empty value removes the key); with PUT, replaces them.
    pub custom_fields: Option<BTreeMap<String, String>>,
}

pub const MAX_TAGS: usize = 20;
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
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT ct.contact_id, t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id \
             WHERE ct.contact_id IN ({}) ORDER BY t.name",
            placeholders.join(", ")
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
            source: r.source,
            referring_doctor: r.referring_doctor,
            requested_modality: r.requested_modality,
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

fn in_scope(actor: &Actor, location_id: Option<&str>) -> bool {
    match (&actor.locations, location_id) {
        (LocationScope::All, _) => true,
        (LocationScope::Only(_), None) => false,
        (scope, Some(id)) => scope.includes(id),
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
    actor: &Actor,
    mut row: Row,
    fields: &ContactFields,
    replace: bool,
) -> Result<Row, DomainError> {
    let mut v = Validator::default();
    // With `replace` (PUT), a field left out is cleared; otherwise (PATCH) it is kept.
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
        row.date_of_birth = match text(&fields.date_of_birth) {
            Some(raw) => v.check(
                "date_of_birth",
                NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                    .map_err(|_| "must be a date as YYYY-MM-DD".to_owned())
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
    if let Some(source) = text(&fields.source)
        && let Some(source) = v.check("source", one_of(source, &CONTACT_SOURCES))
    {
        row.source = source;
    }
    if given(&fields.requested_modality) {
        row.requested_modality = match text(&fields.requested_modality) {
            Some(m) => v.check("requested_modality", one_of(m, &MODALITIES)),
            None => None,
        };
    }
    if given(&fields.referring_doctor) {
        row.referring_doctor = match text(&fields.referring_doctor) {
            Some(d) => v.check("referring_doctor", label(d, 200)),
            None => None,
        };
    }
    if given(&fields.notes) {
        row.notes = match text(&fields.notes) {
            Some(n) if n.chars().count() > 5000 => {
                v.check::<()>("notes", Err("must be at most 5000 characters".into()));
                None
            }
            Some(n) => Some(n.to_owned()),
            None => None,
        };
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
        v.check::<()>("phone", Err("give a phone number or an email address".into()));
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
    if !in_scope(actor, row.location_id.as_deref()) {
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

/// Lower-cased, trimmed, de-duplicated and sorted tag names.
pub fn parse_tags(raw: &[String]) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> =
        raw.iter().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()).collect();
    tags.sort();
    tags.dedup();
    if tags.len() > MAX_TAGS {
        return Err(format!("at most {MAX_TAGS} tags"));
    }
    if let Some(long) = tags.iter().find(|t| t.chars().count() > 40) {
        return Err(format!(
            "tag `{}…` is longer than 40 characters",
            long.chars().take(20).collect::<String>()
        ));
    }
    if tags.iter().any(|t| t.chars().any(char::is_control)) {
        return Err("tags cannot contain control characters".into());
    }
    Ok(tags)
}

/// Applies `changes` to `fields`: keys are lower-case letters, digits and `_` (spaces become
/// `_`); an empty value removes the key.
fn merge_custom_fields(
    mut fields: BTreeMap<String, String>,
    changes: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, String> {
    for (key, value) in changes {
        let key = key.trim().to_lowercase().replace([' ', '-'], "_");
        if key.is_empty() || key.len() > 40 || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("`{key}` is not a field name (letters, digits and _; at most 40)"));
        }
        let value = value.trim();
        if value.chars().count() > 500 {
            return Err(format!("`{key}` must be at most 500 characters"));
        }
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

/// `value` if it is one of `allowed`, else the problem naming the choices.
fn one_of(value: &str, allowed: &[&str]) -> Result<String, String> {
    if allowed.contains(&value) {
        Ok(value.to_owned())
    } else {
        Err(format!("must be one of {}", allowed.join(", ")))
    }
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
            if (include_deleted || row.deleted_at.is_none())
                && in_scope(actor, row.location_id.as_deref()) =>
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

async fn store(
    db: &Db,
    row: &Row,
    insert: bool,
    stage_note: Option<(String, String)>,
    write_tags: bool,
    actor: &Actor,
) -> Result<(), DomainError> {
    store_all(db, &[Write { row, insert, write_tags, stage_note }], actor).await
}

/// Writes every contact in one transaction.
async fn store_all(db: &Db, writes: &[Write<'_>], actor: &Actor) -> Result<(), DomainError> {
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
    on_db!(db, pool => {
        let mut tx = pool.begin().await?;
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
                .execute(&mut *tx)
                .await?;
            if *write_tags {
                sqlx::query("DELETE FROM contact_tags WHERE contact_id = $1").bind(&row.id).execute(&mut *tx).await?;
                for tag in &row.tags {
                    sqlx::query("INSERT INTO tags (id, name) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                        .bind(Ulid::new().to_string())
                        .bind(tag)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("INSERT INTO contact_tags (contact_id, tag_id) SELECT $1, id FROM tags WHERE name = $2")
                        .bind(&row.id)
                        .bind(tag)
                        .execute(&mut *tx)
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
                .bind(&actor.user_id)
                .bind(row.updated_at)
                .bind(from)
                .bind(to)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
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
        source: "phone".into(),
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
    ip: Option<String>,
) -> Result<Contact, DomainError> {
    actor.require(Permission::ContactsWrite)?;
    let refs = Refs::load(db).await?;
    let row = apply(&refs, actor, new_row(&refs), &fields, true)?;
    if !allow_duplicate {
        let probe = duplicates::Probe {
            exclude_id: None,
            first_name: "",
            last_name: "",
            phone: row.phone.as_deref(),
            email: row.email.as_deref(),
        };
        if let Some(existing) = duplicates::find(db, actor, &probe).await?.into_iter().next() {
            let field = if existing.reason == "phone" { "phone" } else { "email" };
            return Err(DomainError::Duplicate { field, existing_id: existing.contact_id });
        }
    }
    store(db, &row, true, None, !row.tags.is_empty(), actor).await?;
    audit::record(db, Entry::new("contact.create").by(actor).on("contact", &row.id).from_ip(ip)).await?;
    Ok(row.into())
}

/// One contact; the view is written to the audit log.
pub async fn get(db: &Db, actor: &Actor, id: &str, ip: Option<String>) -> Result<Contact, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let row = load(db, actor, id, false).await?;
    audit::record(db, Entry::new("contact.view").by(actor).on("contact", id).from_ip(ip)).await?;
    Ok(row.into())
}

/// PATCH (`replace = false`: only given fields change) or PUT (`replace = true`).
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: &str,
    fields: ContactFields,
    replace: bool,
    ip: Option<String>,
) -> Result<Contact, DomainError> {
    actor.require(Permission::ContactsWrite)?;
    let current = load(db, actor, id, false).await?;
    let old_stage = current.stage_id.clone();
    let row = apply(&Refs::load(db).await?, actor, current, &fields, replace)?;
    let stage_note = (row.stage_id != old_stage).then(|| (old_stage, row.stage_id.clone()));
    let write_tags = replace || fields.tags.is_some();
    store(db, &row, false, stage_note, write_tags, actor).await?;
    audit::record(db, Entry::new("contact.update").by(actor).on("contact", id).from_ip(ip)).await?;
    Ok(row.into())
}

/// Moves a contact to another pipeline stage (the board's drag and drop); the move joins the
/// timeline. Moving to the stage it is already in changes nothing.
pub async fn move_to_stage(
    db: &Db,
    actor: &Actor,
    id: &str,
    stage_id: &str,
    ip: Option<String>,
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
    update(db, actor, id, fields, false, ip).await
}

/// Soft delete: hidden everywhere, restorable for 30 days.
pub async fn delete(db: &Db, actor: &Actor, id: &str, ip: Option<String>) -> Result<(), DomainError> {
    actor.require(Permission::ContactsWrite)?;
    load(db, actor, id, false).await?;
    on_db!(db, pool => {
        sqlx::query("UPDATE contacts SET deleted_at = $2 WHERE id = $1").bind(id).bind(Timestamp::now()).execute(pool).await?;
    });
    audit::record(db, Entry::new("contact.delete").by(actor).on("contact", id).from_ip(ip)).await
}

pub async fn restore(db: &Db, actor: &Actor, id: &str, ip: Option<String>) -> Result<Contact, DomainError> {
    actor.require(Permission::ContactsWrite)?;
    let mut row = load(db, actor, id, true).await?;
    let Some(deleted_at) = row.deleted_at else {
        return Err(DomainError::Conflict("this contact is not deleted".into()));
    };
    if Utc::now() - deleted_at.0 > Duration::days(RESTORE_DAYS) {
        return Err(DomainError::Conflict(format!(
            "deleted more than {RESTORE_DAYS} days ago; it can no longer be restored"
        )));
    }
    on_db!(db, pool => {
        sqlx::query("UPDATE contacts SET deleted_at = NULL WHERE id = $1").bind(id).execute(pool).await?;
    });
    row.deleted_at = None;
    audit::record(db, Entry::new("contact.restore").by(actor).on("contact", id).from_ip(ip)).await?;
    Ok(row.into())
}
