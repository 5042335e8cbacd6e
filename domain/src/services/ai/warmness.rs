//! A contact's warmness: its facts read from the database (the record, its touchpoints and its
//! bookings — no names or numbers), scored by the engine, and stored on the contact with its
//! reasons for lists, cards and filters.

use chrono::Duration;

use super::builtin;
use crate::access::Permission;
use crate::jobs::queue::{ClaimedJob, Failure};
use crate::jobs::worker::Handler;
use crate::jobs::{self, NewJob};
use crate::model::JobKind;
use crate::model::{
    BookingFact, BookingStatus, ContactSource, ContactWarmness, Modality, TouchFact, TouchpointKind,
    WarmnessFacts, WarmnessReason,
};
use crate::request::RequestMeta;
use crate::services::audit::{self, Entry};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, Tx, on_db, on_tx};

/// How far back touchpoints count (older ones are worth next to nothing at a 14-day half-life).
const TOUCH_WINDOW_DAYS: i64 = 180;
/// The most touchpoints read (a contact called daily for half a year is still scored right).
const MAX_TOUCHES: i64 = 200;

type FactsRow = (Option<String>, bool, String, bool, bool, bool, Option<String>, Option<Timestamp>);

/// What is on file, as yes or no (the date of birth's type differs between the databases).
const FACTS_SQL: &str = "SELECT requested_modality, (referring_doctor IS NOT NULL AND TRIM(referring_doctor) <> ''), source, \
     (phone IS NOT NULL AND phone <> ''), (email IS NOT NULL AND email <> ''), (date_of_birth IS NOT NULL), location_id, warmness_at \
     FROM contacts WHERE id = $1 AND deleted_at IS NULL";
const TOUCHES_SQL: &str = "SELECT kind, occurred_at FROM touchpoints WHERE contact_id = $1 AND occurred_at > $2 \
     ORDER BY occurred_at DESC LIMIT $3";
const BOOKINGS_SQL: &str = "SELECT status, starts_at FROM bookings WHERE contact_id = $1";

/// The facts of one contact the actor may see, and when its stored score was worked out.
async fn facts(
    db: &Db,
    actor: Option<&Actor>,
    contact_id: &str,
) -> Result<(WarmnessFacts, Option<Timestamp>), DomainError> {
    let now = Timestamp::now().0;
    let since = Timestamp(now - Duration::days(TOUCH_WINDOW_DAYS));
    let (row, touches, bookings) = on_db!(db, pool => {
        tokio::try_join!(
            sqlx::query_as::<_, FactsRow>(FACTS_SQL).bind(contact_id).fetch_optional(pool),
            sqlx::query_as::<_, (String, Timestamp)>(TOUCHES_SQL).bind(contact_id).bind(since).bind(MAX_TOUCHES).fetch_all(pool),
            sqlx::query_as::<_, (String, Timestamp)>(BOOKINGS_SQL).bind(contact_id).fetch_all(pool),
        )?
    });
    let Some((modality, doctor, source, phone, email, dob, location_id, stored_at)) = row else {
        return Err(DomainError::NotFound("contact"));
    };
    if actor.is_some_and(|a| !a.may_see(location_id.as_deref())) {
        return Err(DomainError::NotFound("contact"));
    }
    let facts = assemble((modality, doctor, source, phone, email, dob), touches, bookings, now);
    Ok((facts, stored_at))
}

/// The record's part of the facts: modality, referral, source, phone, email, date of birth.
type RecordFacts = (Option<String>, bool, String, bool, bool, bool);

/// The facts from what the database holds.
fn assemble(
    (modality, doctor, source, phone, email, dob): RecordFacts,
    touches: Vec<(String, Timestamp)>,
    bookings: Vec<(String, Timestamp)>,
    now: chrono::DateTime<chrono::Utc>,
) -> WarmnessFacts {
    WarmnessFacts {
        requested_modality: modality.as_deref().and_then(Modality::parse),
        referral_on_file: doctor,
        source: ContactSource::parse(&source).unwrap_or_default(),
        has_phone: phone,
        has_email: email,
        has_date_of_birth: dob,
        touchpoints: touches
            .into_iter()
            .filter_map(|(kind, at)| {
                // Replies from the patient are touchpoints of their own once two-way SMS lands;
                // until then every touchpoint is the clinic's.
                Some(TouchFact { kind: TouchpointKind::parse(&kind)?, inbound: false, at: at.0 })
            })
            .collect(),
        bookings: bookings
            .into_iter()
            .filter_map(|(status, at)| {
                Some(BookingFact { status: BookingStatus::parse(&status)?, starts_at: at.0 })
            })
            .collect(),
        now,
    }
}

/// The contact's warmness as its facts give it now (nothing is stored). Viewing it is audited:
/// it tells of the patient's bookings and no-shows.
pub async fn get(
    db: &Db,
    actor: &Actor,
    contact_id: &str,
    meta: &RequestMeta,
) -> Result<ContactWarmness, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let (facts, stored_at) = facts(db, Some(actor), contact_id).await?;
    let warmness = builtin::warmness::score(&facts);
    audit::record(db, Entry::new("contact.warmness.view").by(actor).on("contact", contact_id).from(meta))
        .await?;
    Ok(ContactWarmness {
        contact_id: contact_id.to_owned(),
        score: warmness.score,
        reasons: warmness.reasons,
        calculated_at: stored_at.map(|t| t.0),
    })
}

/// Works the contact's warmness out again and stores it with its reasons (audited in the same
/// transaction).
pub async fn recalculate(
    db: &Db,
    actor: &Actor,
    contact_id: &str,
    meta: &RequestMeta,
) -> Result<ContactWarmness, DomainError> {
    actor.require(Permission::ContactsWrite)?;
    let (facts, _) = facts(db, Some(actor), contact_id).await?;
    let warmness = builtin::warmness::score(&facts);
    let at = Timestamp(facts.now);
    store(
        db,
        contact_id,
        warmness.score,
        &warmness.reasons,
        at,
        Some(Entry::new("contact.warmness.recalculate").by(actor).on("contact", contact_id).from(meta)),
    )
    .await?;
    Ok(ContactWarmness {
        contact_id: contact_id.to_owned(),
        score: warmness.score,
        reasons: warmness.reasons,
        calculated_at: Some(at.0),
    })
}

/// Stores a score. Two jobs for one contact may run at once; the one that read the older facts
/// must not overwrite the newer score when it happens to finish last.
const STORE_SQL: &str = "UPDATE contacts SET warmness = $1, warmness_reasons = $2, warmness_at = $3 \
     WHERE id = $4 AND deleted_at IS NULL AND (warmness_at IS NULL OR warmness_at <= $3)";

async fn store(
    db: &Db,
    contact_id: &str,
    score: i32,
    reasons: &[WarmnessReason],
    at: Timestamp,
    entry: Option<Entry>,
) -> Result<(), DomainError> {
    let reasons = serde_json::to_string(reasons).map_err(|e| DomainError::Internal(e.to_string()))?;
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
        sqlx::query(STORE_SQL)
            .bind(score)
            .bind(&reasons)
            .bind(at)
            .bind(contact_id)
            .execute(&mut **tx)
            .await?;
    });
    if let Some(entry) = entry {
        audit::record_in(&mut tx, entry).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    contact_id: String,
}

/// Enqueues a recalculation of the contact's warmness in the transaction of a change to it,
/// its timeline or its bookings: one job per change (the key names the contact and the
/// transaction, so ten texts queued together make one job, and no change is missed).
pub async fn enqueue_recalculation(tx: &mut Tx, contact_id: &str) -> Result<(), DomainError> {
    let key = format!("warmness:{contact_id}:{}", tx.id());
    jobs::enqueue(
        tx,
        NewJob::new(JobKind::RecalculateWarmness, key, &Payload { contact_id: contact_id.to_owned() }),
    )
    .await?;
    Ok(())
}

/// Scores one contact and stores it (no actor: the system, after a change). A contact merged
/// away or deleted since is skipped.
async fn recalculate_quietly(db: &Db, contact_id: &str) -> Result<(), DomainError> {
    match facts(db, None, contact_id).await {
        Ok((facts, _)) => {
            let warmness = builtin::warmness::score(&facts);
            store(db, contact_id, warmness.score, &warmness.reasons, Timestamp(facts.now), None).await
        }
        Err(DomainError::NotFound(_)) => Ok(()),
        Err(other) => Err(other),
    }
}

/// The `recalculate_warmness` job.
pub struct RecalculateWarmness(pub Db);

#[async_trait::async_trait]
impl Handler for RecalculateWarmness {
    async fn run(&self, job: &ClaimedJob) -> Result<(), Failure> {
        let payload: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|e| Failure::Permanent(format!("bad payload: {e}")))?;
        recalculate_quietly(&self.0, &payload.contact_id).await.map_err(|e| Failure::Transient(e.to_string()))
    }
}

/// Contacts read per batch by the nightly sweep.
const SWEEP_BATCH: i64 = 500;

/// The `warmness_sweep` job: every contact not deleted, scored again, in id order.
pub struct WarmnessSweep(pub Db);

#[async_trait::async_trait]
impl Handler for WarmnessSweep {
    async fn run(&self, _job: &ClaimedJob) -> Result<(), Failure> {
        sweep(&self.0).await.map(|_| ()).map_err(|e| Failure::Transient(e.to_string()))
    }
}

type BatchRow = (String, Option<String>, bool, String, bool, bool, bool);

/// A batch of contacts in id order, with the record's facts.
const BATCH_SQL: &str = "SELECT id, requested_modality, (referring_doctor IS NOT NULL AND TRIM(referring_doctor) <> ''), source, \
     (phone IS NOT NULL AND phone <> ''), (email IS NOT NULL AND email <> ''), (date_of_birth IS NOT NULL) \
     FROM contacts WHERE deleted_at IS NULL AND id > $1 ORDER BY id LIMIT $2";
/// The touchpoints of every contact whose id is in the batch's range, newest first per contact.
const BATCH_TOUCHES_SQL: &str = "SELECT contact_id, kind, occurred_at FROM touchpoints \
     WHERE contact_id >= $1 AND contact_id <= $2 AND occurred_at > $3 ORDER BY contact_id, occurred_at DESC";
const BATCH_BOOKINGS_SQL: &str =
    "SELECT contact_id, status, starts_at FROM bookings WHERE contact_id >= $1 AND contact_id <= $2";

/// Scores every contact again; how many. A batch at a time: three reads for the batch (its
/// records, and the touchpoints and bookings of its id range) and one transaction writing its
/// scores, so 100,000 contacts are 200 commits, not 100,000.
pub async fn sweep(db: &Db) -> Result<u64, DomainError> {
    let mut after = String::new();
    let mut done = 0;
    loop {
        let now = Timestamp::now().0;
        let since = Timestamp(now - Duration::days(TOUCH_WINDOW_DAYS));
        let rows: Vec<BatchRow> = on_db!(db, pool => {
            sqlx::query_as(BATCH_SQL).bind(&after).bind(SWEEP_BATCH).fetch_all(pool).await?
        });
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else { return Ok(done) };
        let (first, last) = (first.0.clone(), last.0.clone());
        let (touches, bookings) = on_db!(db, pool => {
            tokio::try_join!(
                sqlx::query_as::<_, (String, String, Timestamp)>(BATCH_TOUCHES_SQL).bind(&first).bind(&last).bind(since).fetch_all(pool),
                sqlx::query_as::<_, (String, String, Timestamp)>(BATCH_BOOKINGS_SQL).bind(&first).bind(&last).fetch_all(pool),
            )?
        });
        let mut touches_of: std::collections::HashMap<String, Vec<(String, Timestamp)>> = Default::default();
        for (contact, kind, at) in touches {
            let list = touches_of.entry(contact).or_default();
            if list.len() < usize::try_from(MAX_TOUCHES).unwrap_or(usize::MAX) {
                list.push((kind, at));
            }
        }
        let mut bookings_of: std::collections::HashMap<String, Vec<(String, Timestamp)>> = Default::default();
        for (contact, status, at) in bookings {
            bookings_of.entry(contact).or_default().push((status, at));
        }
        let mut scored = Vec::with_capacity(rows.len());
        for (id, modality, doctor, source, phone, email, dob) in rows {
            let facts = assemble(
                (modality, doctor, source, phone, email, dob),
                touches_of.remove(&id).unwrap_or_default(),
                bookings_of.remove(&id).unwrap_or_default(),
                now,
            );
            let warmness = builtin::warmness::score(&facts);
            let reasons =
                serde_json::to_string(&warmness.reasons).map_err(|e| DomainError::Internal(e.to_string()))?;
            scored.push((id, warmness.score, reasons));
        }
        let at = Timestamp(now);
        let mut tx = db.begin().await?;
        on_tx!(&mut tx, tx => {
            for (id, score, reasons) in &scored {
                sqlx::query(STORE_SQL).bind(score).bind(reasons).bind(at).bind(id).execute(&mut **tx).await?;
            }
        });
        tx.commit().await?;
        done += scored.len() as u64;
        after = last;
    }
}
