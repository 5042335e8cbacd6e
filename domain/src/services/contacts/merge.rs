//! Merging a duplicate into the record staff keep: both histories survive on the kept record.

use std::collections::BTreeMap;

use ulid::Ulid;

use super::{Row, load};
use crate::access::Permission;
use crate::model::Contact;
use crate::on_tx;
use crate::services::audit::{self, Entry};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, RequestMeta};

/// The kept record's value, or the duplicate's where the kept one is empty.
fn prefer<T: Clone>(kept: &Option<T>, duplicate: &Option<T>) -> Option<T> {
    kept.clone().or_else(|| duplicate.clone())
}

/// Merges contact `duplicate_id` into `keep_id`: the duplicate's timeline, tasks and tags move
/// to the kept record, which also takes any detail it lacks; the duplicate is deleted with a
/// pointer to the kept record. One transaction: a failure changes nothing.
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

    let mut custom: BTreeMap<String, String> = duplicate.custom_fields();
    custom.extend(kept.custom_fields());
    let notes = match (&kept.notes, &duplicate.notes) {
        (Some(a), Some(b)) if a != b => Some(format!("{a}\n\n{b}")),
        (a, b) => prefer(a, b),
    };
    let now = Timestamp::now();
    let summary =
        format!("Merged with a duplicate record ({} {})", duplicate.first_name, duplicate.last_name);
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
        for sql in [
            "UPDATE touchpoints SET contact_id = $1 WHERE contact_id = $2",
            "UPDATE tasks SET contact_id = $1 WHERE contact_id = $2",
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
        .bind(prefer(&kept.phone, &duplicate.phone))
        .bind(prefer(&kept.email, &duplicate.email))
        .bind(prefer(&kept.date_of_birth, &duplicate.date_of_birth))
        .bind(prefer(&kept.referring_doctor, &duplicate.referring_doctor))
        .bind(prefer(&kept.requested_modality, &duplicate.requested_modality))
        .bind(notes)
        .bind(prefer(&kept.location_id, &duplicate.location_id))
        .bind(prefer(&kept.owner_id, &duplicate.owner_id))
        .bind(kept.warmness.max(duplicate.warmness))
        .bind(serde_json::to_string(&custom).unwrap_or_else(|_| "{}".into()))
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
    });
    let entry =
        Entry::new("contact.merge").by(actor).on("contact", keep_id).detail(format!("merged {duplicate_id}"));
    audit::record_in(&mut tx, entry.from(meta)).await?;
    tx.commit().await?;
    let merged: Row = load(db, actor, keep_id, false).await?;
    Ok(merged.into())
}
