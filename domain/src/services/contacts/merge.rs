//! Merging a duplicate into the record staff keep: both histories survive on the kept record,
//! the page shows beforehand what the kept record will hold field by field ([`preview`], from
//! the same [`plan`] the merge carries out), and for 30 days the merge can be undone ([`undo`]):
//! the retired record comes back with its own timeline, tasks and tags.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ulid::Ulid;

use super::{Row, load};
use crate::access::Permission;
use crate::model::{Contact, ContactMerge, MergeField, MergeSource, Modality};
use crate::services::audit::{self, Entry};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, RequestMeta};
use crate::{on_db, on_tx};

/// How long a merge can be undone.
pub const UNDO_DAYS: i64 = 30;

/// What a merge does to the kept record: each single-valued field it takes from the retired
/// one, and the combined notes and custom fields.
struct Plan {
    /// (column, value) the kept record lacked and takes from the retired one.
    filled: Vec<(&'static str, String)>,
    notes: Option<String>,
    custom: BTreeMap<String, String>,
    warmness: Option<i32>,
}

/// The kept record's single-valued fields that a merge may fill: (column, label, kept, retired).
fn single_fields(
    kept: &Row,
    retired: &Row,
) -> Vec<(&'static str, &'static str, Option<String>, Option<String>)> {
    let day = |d: &Option<NaiveDate>| d.map(|d| d.to_string());
    vec![
        ("phone", "Phone", kept.phone.clone(), retired.phone.clone()),
        ("email", "Email", kept.email.clone(), retired.email.clone()),
        ("date_of_birth", "Date of birth", day(&kept.date_of_birth), day(&retired.date_of_birth)),
        (
            "referring_doctor",
            "Referring doctor",
            kept.referring_doctor.clone(),
            retired.referring_doctor.clone(),
        ),
        (
            "requested_modality",
            "Requested scan",
            kept.requested_modality.clone(),
            retired.requested_modality.clone(),
        ),
        ("location_id", "Location", kept.location_id.clone(), retired.location_id.clone()),
        ("owner_id", "Owner", kept.owner_id.clone(), retired.owner_id.clone()),
    ]
}

/// The merge of `retired` into `kept`, decided once for both the preview and the merge.
fn plan(kept: &Row, retired: &Row) -> Plan {
    let filled = single_fields(kept, retired)
        .into_iter()
        .filter_map(|(column, _, k, r)| match (k, r) {
            (None, Some(value)) => Some((column, value)),
            _ => None,
        })
        .collect();
    let notes = match (&kept.notes, &retired.notes) {
        (Some(a), Some(b)) if a != b => Some(format!("{a}\n\n{b}")),
        (a, b) => a.clone().or_else(|| b.clone()),
    };
    let mut custom = retired.custom_fields();
    custom.extend(kept.custom_fields());
    Plan { filled, notes, custom, warmness: kept.warmness.max(retired.warmness) }
}

/// What an undo needs: everything that moved, and each value the kept record took.
#[derive(Serialize, Deserialize, Default)]
struct Moved {
    touchpoints: Vec<String>,
    tasks: Vec<String>,
    /// Messages sent to the retired record (merges before messages existed have none).
    #[serde(default)]
    messages: Vec<String>,
    tags: Vec<String>,
    /// Column → the value taken from the retired record.
    filled: BTreeMap<String, String>,
    notes_before: Option<String>,
    notes_after: Option<String>,
    /// Custom field keys the kept record took.
    custom_added: BTreeMap<String, String>,
}

/// The columns an undo may clear again (a closed set: they are written into SQL).
const FILLABLE: [&str; 7] =
    ["phone", "email", "date_of_birth", "referring_doctor", "requested_modality", "location_id", "owner_id"];

async fn names(db: &Db) -> Result<(HashMap<String, String>, HashMap<String, String>), DomainError> {
    Ok(on_db!(db, pool => {
        let locations: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM locations").fetch_all(pool).await?;
        let users: Vec<(String, String)> = sqlx::query_as("SELECT id, display_name FROM users").fetch_all(pool).await?;
        (locations.into_iter().collect(), users.into_iter().collect())
    }))
}

/// Field by field, what merging `retired_id` into `keep_id` would leave on the kept record.
pub async fn preview(
    db: &Db,
    actor: &Actor,
    keep_id: &str,
    retired_id: &str,
) -> Result<Vec<MergeField>, DomainError> {
    actor.require(Permission::ContactsWrite)?;
    if keep_id == retired_id {
        return Err(DomainError::field("duplicate_id", "must be a different contact"));
    }
    let kept = load(db, actor, keep_id, false).await?;
    // An unknown duplicate is a 404 like an unknown contact: the id itself was well formed.
    let retired = load(db, actor, retired_id, false).await?;
    let (locations, users) = names(db).await?;
    let plan = plan(&kept, &retired);
    let readable = |column: &str, value: Option<String>| {
        value.map(|v| match column {
            "phone" => crate::display::national_phone(&v),
            "requested_modality" => Modality::parse(&v).map(|m| m.label().to_owned()).unwrap_or(v),
            "location_id" => locations.get(&v).cloned().unwrap_or(v),
            "owner_id" => users.get(&v).cloned().unwrap_or(v),
            "date_of_birth" => NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                .map(|d| d.format("%-d %b %Y").to_string())
                .unwrap_or(v),
            _ => v,
        })
    };
    let mut fields = vec![MergeField {
        label: "Name".into(),
        kept: Some(format!("{} {}", kept.first_name, kept.last_name)),
        retired: Some(format!("{} {}", retired.first_name, retired.last_name)),
        result: Some(format!("{} {}", kept.first_name, kept.last_name)),
        source: if (&kept.first_name, &kept.last_name) == (&retired.first_name, &retired.last_name) {
            MergeSource::Same
        } else {
            MergeSource::Kept
        },
    }];
    for (column, label, k, r) in single_fields(&kept, &retired) {
        let source = match (&k, &r) {
            (a, b) if a == b => MergeSource::Same,
            (None, Some(_)) => MergeSource::Retired,
            _ => MergeSource::Kept,
        };
        let result = k.clone().or_else(|| r.clone());
        fields.push(MergeField {
            label: label.into(),
            kept: readable(column, k),
            retired: readable(column, r),
            result: readable(column, result),
            source,
        });
    }
    let joined = |tags: &[String]| (!tags.is_empty()).then(|| tags.join(", "));
    let mut all_tags = kept.tags.clone();
    all_tags.extend(retired.tags.iter().filter(|t| !kept.tags.contains(t)).cloned());
    let combined = |same: bool, kept_has: bool, retired_has: bool| match (same, kept_has, retired_has) {
        (true, _, _) => MergeSource::Same,
        (_, true, true) => MergeSource::Combined,
        (_, false, true) => MergeSource::Retired,
        _ => MergeSource::Kept,
    };
    fields.push(MergeField {
        label: "Tags".into(),
        kept: joined(&kept.tags),
        retired: joined(&retired.tags),
        result: joined(&all_tags),
        source: combined(
            all_tags.len() == kept.tags.len(),
            !kept.tags.is_empty(),
            all_tags.len() > kept.tags.len(),
        ),
    });
    fields.push(MergeField {
        label: "Enquiry notes".into(),
        kept: kept.notes.clone(),
        retired: retired.notes.clone(),
        result: plan.notes.clone(),
        source: combined(kept.notes == plan.notes, kept.notes.is_some(), retired.notes.is_some()),
    });
    let shown = |map: &BTreeMap<String, String>| {
        (!map.is_empty())
            .then(|| map.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join("; "))
    };
    let kept_custom = kept.custom_fields();
    fields.push(MergeField {
        label: "Custom fields".into(),
        kept: shown(&kept_custom),
        retired: shown(&retired.custom_fields()),
        result: shown(&plan.custom),
        source: combined(
            kept_custom == plan.custom,
            !kept_custom.is_empty(),
            plan.custom.len() > kept_custom.len(),
        ),
    });
    Ok(fields)
}

/// Merges contact `duplicate_id` into `keep_id`: the duplicate's timeline, tasks and tags move
/// to the kept record, which also takes any detail it lacks; the duplicate is retired (deleted
/// with a pointer to the kept record). What moved is recorded for [`undo`]. One transaction: a
/// failure changes nothing.
pub async fn merge(
    db: &Db,
    actor: &Actor,
    keep_id: &str,
    duplicate_id: &str,
    meta: &RequestMeta,
) -> Result<Contact, DomainError> {
    actor.require(Permission::ContactsWrite)?;
    if keep_id == duplicate_id {
        return Err(DomainError::field("duplicate_id", "must be a different contact"));
    }
    let kept = load(db, actor, keep_id, false).await?;
    let duplicate = load(db, actor, duplicate_id, false)
        .await
        .map_err(|_| DomainError::field("duplicate_id", "is not a contact you can see"))?;
    let plan = plan(&kept, &duplicate);
    let value = |column: &str| plan.filled.iter().find(|(c, _)| *c == column).map(|(_, v)| v.clone());
    let kept_custom = kept.custom_fields();
    let now = Timestamp::now();
    let summary =
        format!("Merged with a duplicate record ({} {})", duplicate.first_name, duplicate.last_name);
    let merge_id = Ulid::new().to_string();
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
        let touchpoints: Vec<String> = sqlx::query_scalar("SELECT id FROM touchpoints WHERE contact_id = $1")
            .bind(duplicate_id).fetch_all(&mut **tx).await?;
        let tasks: Vec<String> = sqlx::query_scalar("SELECT id FROM tasks WHERE contact_id = $1")
            .bind(duplicate_id).fetch_all(&mut **tx).await?;
        let messages: Vec<String> = sqlx::query_scalar("SELECT id FROM messages WHERE contact_id = $1")
            .bind(duplicate_id).fetch_all(&mut **tx).await?;
        let tags: Vec<String> = sqlx::query_scalar(
            "SELECT tag_id FROM contact_tags WHERE contact_id = $2 \
             AND tag_id NOT IN (SELECT tag_id FROM contact_tags WHERE contact_id = $1)",
        )
        .bind(keep_id).bind(duplicate_id).fetch_all(&mut **tx).await?;
        let moved = Moved {
            touchpoints,
            tasks,
            messages,
            tags,
            filled: plan.filled.iter().map(|(c, v)| ((*c).to_owned(), v.clone())).collect(),
            notes_before: kept.notes.clone(),
            notes_after: plan.notes.clone(),
            custom_added: plan.custom.iter().filter(|(k, _)| !kept_custom.contains_key(*k))
                .map(|(k, v)| (k.clone(), v.clone())).collect(),
        };
        for sql in [
            "UPDATE touchpoints SET contact_id = $1 WHERE contact_id = $2",
            "UPDATE tasks SET contact_id = $1 WHERE contact_id = $2",
            "UPDATE messages SET contact_id = $1 WHERE contact_id = $2",
            "INSERT INTO contact_tags (contact_id, tag_id) SELECT $1, tag_id FROM contact_tags \
             WHERE contact_id = $2 AND tag_id NOT IN (SELECT tag_id FROM contact_tags WHERE contact_id = $1)",
        ] {
            sqlx::query(sql).bind(keep_id).bind(duplicate_id).execute(&mut **tx).await?;
        }
        sqlx::query("UPDATE contacts SET deleted_at = $2, merged_into = $3, updated_at = $2 WHERE id = $1")
            .bind(duplicate_id)
            .bind(now)
            .bind(keep_id)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "UPDATE contacts SET phone = $2, email = $3, date_of_birth = $4, referring_doctor = $5, \
             requested_modality = $6, notes = $7, location_id = $8, owner_id = $9, warmness = $10, \
             custom_fields = $11, updated_at = $12, \
             last_touch_at = (SELECT max(occurred_at) FROM touchpoints WHERE contact_id = $1) WHERE id = $1",
        )
        .bind(keep_id)
        .bind(kept.phone.clone().or_else(|| value("phone")))
        .bind(kept.email.clone().or_else(|| value("email")))
        .bind(kept.date_of_birth.or(duplicate.date_of_birth))
        .bind(kept.referring_doctor.clone().or_else(|| value("referring_doctor")))
        .bind(kept.requested_modality.clone().or_else(|| value("requested_modality")))
        .bind(&plan.notes)
        .bind(kept.location_id.clone().or_else(|| value("location_id")))
        .bind(kept.owner_id.clone().or_else(|| value("owner_id")))
        .bind(plan.warmness)
        .bind(serde_json::to_string(&plan.custom).unwrap_or_else(|_| "{}".into()))
        .bind(now)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO touchpoints (id, contact_id, kind, summary, user_id, occurred_at) VALUES ($1, $2, 'note', $3, $4, $5)",
        )
        .bind(Ulid::new().to_string())
        .bind(keep_id)
        .bind(&summary)
        .bind(&actor.user_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO contact_merges (id, kept_id, retired_id, merged_by, merged_at, moved) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&merge_id)
        .bind(keep_id)
        .bind(duplicate_id)
        .bind(&actor.user_id)
        .bind(now)
        .bind(serde_json::to_string(&moved).map_err(|e| DomainError::Internal(e.to_string()))?)
        .execute(&mut **tx)
        .await?;
    });
    let entry = Entry::new("contact.merge")
        .by(actor)
        .on("contact", keep_id)
        .detail(format!("merged {duplicate_id} (merge {merge_id})"));
    audit::record_in(&mut tx, entry.from(meta)).await?;
    tx.commit().await?;
    let merged: Row = load(db, actor, keep_id, false).await?;
    Ok(merged.into())
}

#[derive(sqlx::FromRow)]
struct MergeRow {
    id: String,
    kept_id: String,
    retired_id: String,
    merged_at: Timestamp,
    undone_at: Option<Timestamp>,
    moved: String,
    retired_first: String,
    retired_last: String,
}

const MERGE_SELECT: &str = "SELECT m.id, m.kept_id, m.retired_id, m.merged_at, m.undone_at, m.moved, \
     c.first_name AS retired_first, c.last_name AS retired_last \
     FROM contact_merges m JOIN contacts c ON c.id = m.retired_id";

impl From<MergeRow> for ContactMerge {
    fn from(r: MergeRow) -> Self {
        ContactMerge {
            id: r.id,
            kept_id: r.kept_id,
            retired_id: r.retired_id,
            retired_name: format!("{} {}", r.retired_first, r.retired_last),
            merged_at: r.merged_at.0,
            undo_until: r.merged_at.0 + Duration::days(UNDO_DAYS),
        }
    }
}

/// The merges into `contact_id` that can still be undone, newest first.
pub async fn undoable_into(
    db: &Db,
    actor: &Actor,
    contact_id: &str,
) -> Result<Vec<ContactMerge>, DomainError> {
    actor.require(Permission::ContactsRead)?;
    load(db, actor, contact_id, false).await?;
    let since = Timestamp(Utc::now() - Duration::days(UNDO_DAYS));
    let sql = sqlx::AssertSqlSafe(format!(
        "{MERGE_SELECT} WHERE m.kept_id = $1 AND m.undone_at IS NULL AND m.merged_at > $2 ORDER BY m.merged_at DESC"
    ));
    let rows: Vec<MergeRow> =
        on_db!(db, pool => sqlx::query_as(sql).bind(contact_id).bind(since).fetch_all(pool).await?);
    Ok(rows.into_iter().map(ContactMerge::from).collect())
}

/// Undoes merge `merge_id` within [`UNDO_DAYS`]: the retired record is restored with the
/// timeline entries, tasks and tags that moved, and the kept record gives back each value it
/// took that nobody has changed since. Answers the restored record.
pub async fn undo(
    db: &Db,
    actor: &Actor,
    merge_id: &str,
    meta: &RequestMeta,
) -> Result<Contact, DomainError> {
    actor.require(Permission::ContactsWrite)?;
    let sql = sqlx::AssertSqlSafe(format!("{MERGE_SELECT} WHERE m.id = $1"));
    let row: Option<MergeRow> =
        on_db!(db, pool => sqlx::query_as(sql).bind(merge_id).fetch_optional(pool).await?);
    let row = row.ok_or(DomainError::NotFound("merge"))?;
    // Both records must be within the actor's locations (404 otherwise, as for any contact).
    let kept = load(db, actor, &row.kept_id, false).await.map_err(|_| DomainError::NotFound("merge"))?;
    load(db, actor, &row.retired_id, true).await.map_err(|_| DomainError::NotFound("merge"))?;
    if row.undone_at.is_some() {
        return Err(DomainError::Conflict("this merge has already been undone".into()));
    }
    if Utc::now() - row.merged_at.0 > Duration::days(UNDO_DAYS) {
        return Err(DomainError::Conflict(format!(
            "this merge is more than {UNDO_DAYS} days old and can no longer be undone"
        )));
    }
    let moved: Moved = serde_json::from_str(&row.moved).map_err(|e| DomainError::Internal(e.to_string()))?;
    let mut custom = kept.custom_fields();
    for (key, value) in &moved.custom_added {
        if custom.get(key) == Some(value) {
            custom.remove(key);
        }
    }
    let now = Timestamp::now();
    let (kept_id, retired_id) = (row.kept_id.as_str(), row.retired_id.as_str());
    let note = format!("Merge undone: {} {} is a separate record again", row.retired_first, row.retired_last);
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
        for id in &moved.touchpoints {
            sqlx::query("UPDATE touchpoints SET contact_id = $1 WHERE id = $2 AND contact_id = $3")
                .bind(retired_id).bind(id).bind(kept_id).execute(&mut **tx).await?;
        }
        for id in &moved.tasks {
            sqlx::query("UPDATE tasks SET contact_id = $1 WHERE id = $2 AND contact_id = $3")
                .bind(retired_id).bind(id).bind(kept_id).execute(&mut **tx).await?;
        }
        for id in &moved.messages {
            sqlx::query("UPDATE messages SET contact_id = $1 WHERE id = $2 AND contact_id = $3")
                .bind(retired_id).bind(id).bind(kept_id).execute(&mut **tx).await?;
        }
        for tag in &moved.tags {
            sqlx::query("DELETE FROM contact_tags WHERE contact_id = $1 AND tag_id = $2")
                .bind(kept_id).bind(tag).execute(&mut **tx).await?;
        }
        for (column, value) in &moved.filled {
            // Only the known columns, each cleared only if it still holds what the merge put there.
            let Some(column) = FILLABLE.iter().find(|c| **c == column.as_str()) else { continue };
            let sql = sqlx::AssertSqlSafe(format!(
                "UPDATE contacts SET {column} = NULL WHERE id = $1 AND CAST({column} AS TEXT) = $2"
            ));
            sqlx::query(sql).bind(kept_id).bind(value).execute(&mut **tx).await?;
        }
        sqlx::query("UPDATE contacts SET notes = $2 WHERE id = $1 AND notes IS NOT DISTINCT FROM $3")
            .bind(kept_id).bind(&moved.notes_before).bind(&moved.notes_after).execute(&mut **tx).await?;
        sqlx::query(
            "UPDATE contacts SET custom_fields = $2, updated_at = $3, \
             last_touch_at = (SELECT max(occurred_at) FROM touchpoints WHERE contact_id = $1) WHERE id = $1",
        )
        .bind(kept_id)
        .bind(serde_json::to_string(&custom).unwrap_or_else(|_| "{}".into()))
        .bind(now)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "UPDATE contacts SET deleted_at = NULL, merged_into = NULL, updated_at = $2, \
             last_touch_at = (SELECT max(occurred_at) FROM touchpoints WHERE contact_id = $1) WHERE id = $1",
        )
        .bind(retired_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO touchpoints (id, contact_id, kind, summary, user_id, occurred_at) VALUES ($1, $2, 'note', $3, $4, $5)",
        )
        .bind(Ulid::new().to_string())
        .bind(kept_id)
        .bind(&note)
        .bind(&actor.user_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        sqlx::query("UPDATE contact_merges SET undone_at = $2 WHERE id = $1")
            .bind(merge_id).bind(now).execute(&mut **tx).await?;
    });
    let entry = Entry::new("contact.merge_undo")
        .by(actor)
        .on("contact", retired_id)
        .detail(format!("restored from {kept_id} (merge {merge_id})"));
    audit::record_in(&mut tx, entry.from(meta)).await?;
    tx.commit().await?;
    let restored: Row = load(db, actor, retired_id, false).await?;
    Ok(restored.into())
}
