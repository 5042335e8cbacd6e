//! Reading a note or enquiry: intent, urgency, modality, body part, referral mentioned — asked
//! for one text over the API, and for a contact's notes (the record's own and the latest notes
//! and calls on its timeline) by the `enrich_contact` job, stored on the contact.

use serde::Deserialize;
use serde_json::{Value, json};

use super::builtin;
use super::engine::{AiFunction, Engine, Question, fit};
use super::redact::Redactions;
use super::usage;
use std::sync::Arc;

use crate::access::Permission;
use crate::input::prose;
use crate::jobs::queue::{ClaimedJob, Failure};
use crate::jobs::worker::Handler;
use crate::jobs::{self, NewJob};
use crate::model::{ContactEnrichment, EnquiryIntent, EnrichInput, Enrichment, JobKind, Modality, Urgency};
use crate::request::RequestMeta;
use crate::services::audit::{self, Entry};
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, Tx, on_db, on_tx};

/// The longest note read.
pub const MAX_TEXT: usize = 2000;

/// Reads a note with the configured engine (the built-in one when a model fails or the budget
/// is spent) and logs the call.
pub async fn enrich(
    db: &Db,
    engine: &Engine,
    actor: &Actor,
    input: &EnrichInput,
) -> Result<Enrichment, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let text = prose(&input.text, MAX_TEXT).map_err(|problem| DomainError::field("text", problem))?;
    read(db, engine, &text).await
}

/// Reads a note (already checked) and logs the call: no actor, for jobs.
pub async fn read(db: &Db, engine: &Engine, text: &str) -> Result<Enrichment, DomainError> {
    let prompt =
        |redactions: &mut Redactions| format!("The note: {}", redactions.redact_free_text(text, &[]));
    let builtin = || builtin::enrichment::enrich(text);
    let read = |json: &Value, redactions: &Redactions| read_answer(json, redactions);
    let question = Question {
        function: AiFunction::Enrichment,
        system: SYSTEM,
        schema: schema(),
        prompt: &prompt,
        read: &read,
        builtin: &builtin,
    };
    usage::ask_logged(db, engine, question).await
}

const SYSTEM: &str = "You read a note or enquiry written at, or sent to, a medical imaging clinic in Australia \
and say what it is about: the intent (book_scan, price, results, reschedule, cancel, other), the urgency (low, \
normal, high, urgent — urgent only when the note says so or describes an emergency), the modality asked for \
(mri, ct, ultrasound, xray, mammography, or null), the body part in plain words (or null), whether a referral \
is mentioned, and as evidence the few words of the note each finding rests on (\"modality: MRI\"). \
Placeholders such as [NAME_1] stand for details removed for privacy. Answer with JSON only.";

/// The JSON schema of an enrichment as a model must give it.
pub fn schema() -> Value {
    let modalities: Vec<Value> =
        Modality::ALL.iter().map(|m| json!(m.as_str())).chain(std::iter::once(Value::Null)).collect();
    json!({
        "type": "object",
        "properties": {
            "intent": { "type": "string", "enum": ["book_scan", "price", "results", "reschedule", "cancel", "other"] },
            "urgency": { "type": "string", "enum": ["low", "normal", "high", "urgent"] },
            "modality": { "type": ["string", "null"], "enum": modalities },
            "body_part": { "type": ["string", "null"], "maxLength": 60 },
            "referral_mentioned": { "type": "boolean" },
            "evidence": { "type": "array", "maxItems": 10, "items": { "type": "string", "maxLength": 120 } },
        },
        "required": ["intent", "urgency", "modality", "body_part", "referral_mentioned", "evidence"],
        "additionalProperties": false,
    })
}

fn read_answer(json: &Value, redactions: &Redactions) -> Result<Enrichment, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Answer {
        intent: EnquiryIntent,
        urgency: Urgency,
        modality: Option<String>,
        body_part: Option<String>,
        referral_mentioned: bool,
        evidence: Vec<String>,
    }
    let answer: Answer = fit(json)?;
    let modality = match answer.modality.as_deref() {
        None => None,
        Some(m) => Some(Modality::parse(m).ok_or_else(|| "the modality is not one of the five".to_owned())?),
    };
    let body_part = answer.body_part.map(|b| b.trim().to_lowercase()).filter(|b| !b.is_empty());
    if body_part.as_ref().is_some_and(|b| b.chars().count() > 60) || answer.evidence.len() > 10 {
        return Err("the body part or the evidence is too long".to_owned());
    }
    if answer.evidence.iter().any(|e| e.chars().count() > 120) {
        return Err("a piece of evidence is over 120 characters".to_owned());
    }
    Ok(Enrichment {
        intent: answer.intent,
        urgency: answer.urgency,
        modality,
        body_part,
        referral_mentioned: answer.referral_mentioned,
        evidence: answer.evidence.iter().map(|e| redactions.restore(e)).collect(),
    })
}

/// The latest notes and calls read with the record's notes.
const TIMELINE_NOTES: i64 = 10;

/// Enqueues a reading of the contact's notes in the transaction of a change to them (the key
/// names the contact and the transaction: one job per change, none lost).
pub async fn enqueue(tx: &mut Tx, contact_id: &str) -> Result<(), DomainError> {
    let key = format!("enrich:{contact_id}:{}", tx.id());
    jobs::enqueue(
        tx,
        NewJob::new(JobKind::EnrichContact, key, &Payload { contact_id: contact_id.to_owned() }),
    )
    .await?;
    Ok(())
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    contact_id: String,
}

/// The record's notes, then the latest notes and calls, newest first; and its location.
async fn notes_of(db: &Db, contact_id: &str) -> Result<Option<(String, Option<String>)>, DomainError> {
    let (contact, timeline) = on_db!(db, pool => {
        tokio::try_join!(
            sqlx::query_as::<_, (Option<String>, Option<String>)>(
                "SELECT notes, location_id FROM contacts WHERE id = $1 AND deleted_at IS NULL",
            )
            .bind(contact_id)
            .fetch_optional(pool),
            sqlx::query_scalar::<_, String>(
                "SELECT summary FROM touchpoints WHERE contact_id = $1 AND kind IN ('note', 'call') \
                 ORDER BY occurred_at DESC LIMIT $2",
            )
            .bind(contact_id)
            .bind(TIMELINE_NOTES)
            .fetch_all(pool),
        )?
    });
    let Some((notes, location_id)) = contact else { return Ok(None) };
    let parts: Vec<String> =
        notes.into_iter().chain(timeline).map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
    // The reading's limit: the newest words first, so what is cut is the oldest.
    let text: String = parts.join("\n").chars().take(MAX_TEXT).collect();
    Ok(Some((text, location_id)))
}

/// Reads the contact's notes and stores what they say (none when there are no notes).
async fn enrich_contact(db: &Db, engine: &Engine, contact_id: &str) -> Result<(), DomainError> {
    let started = Timestamp::now();
    let Some((text, _)) = notes_of(db, contact_id).await? else { return Ok(()) };
    let enrichment = if text.trim().is_empty() { None } else { Some(read(db, engine, &text).await?) };
    let json = enrichment
        .map(|e| serde_json::to_string(&e))
        .transpose()
        .map_err(|e| DomainError::Internal(e.to_string()))?;
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, tx => {
        // Two readings may run at once; the one that began earlier must not overwrite the later.
        sqlx::query(
            "UPDATE contacts SET enrichment = $1, enriched_at = $2 \
             WHERE id = $3 AND deleted_at IS NULL AND (enriched_at IS NULL OR enriched_at <= $2)",
        )
        .bind(&json)
        .bind(started)
        .bind(contact_id)
        .execute(&mut **tx)
        .await?;
    });
    tx.commit().await
}

/// What the contact's notes said when last read. Audited as a view (it quotes the notes).
pub async fn stored(
    db: &Db,
    actor: &Actor,
    contact_id: &str,
    meta: &RequestMeta,
) -> Result<ContactEnrichment, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let row: Option<(Option<String>, Option<Timestamp>, Option<String>)> = on_db!(db, pool => {
        sqlx::query_as("SELECT enrichment, enriched_at, location_id FROM contacts WHERE id = $1 AND deleted_at IS NULL")
            .bind(contact_id)
            .fetch_optional(pool)
            .await?
    });
    let Some((json, at, location_id)) = row else { return Err(DomainError::NotFound("contact")) };
    if !actor.may_see(location_id.as_deref()) {
        return Err(DomainError::NotFound("contact"));
    }
    // Written only by this module; a value it cannot read is treated as not read yet.
    let enrichment = json.and_then(|j| serde_json::from_str::<Enrichment>(&j).ok());
    // This contact's jobs by their keys' range (`enrich:{id}:…`), on the keys' unique index.
    let pending: bool = on_db!(db, pool => {
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM jobs WHERE idempotency_key >= $1 AND idempotency_key < $2 \
             AND kind = 'enrich_contact' AND state IN ('queued', 'running', 'failed'))",
        )
        .bind(format!("enrich:{contact_id}:"))
        .bind(format!("enrich:{contact_id};"))
        .fetch_one(pool)
        .await?
    });
    audit::record(db, Entry::new("contact.enrichment.view").by(actor).on("contact", contact_id).from(meta))
        .await?;
    Ok(ContactEnrichment { contact_id: contact_id.to_owned(), enrichment, read_at: at.map(|t| t.0), pending })
}

/// The `enrich_contact` job.
pub struct EnrichContact {
    pub db: Db,
    pub engine: Arc<Engine>,
}

#[async_trait::async_trait]
impl Handler for EnrichContact {
    async fn run(&self, job: &ClaimedJob) -> Result<(), Failure> {
        let payload: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|e| Failure::Permanent(format!("bad payload: {e}")))?;
        enrich_contact(&self.db, &self.engine, &payload.contact_id)
            .await
            .map_err(|e| Failure::Transient(e.to_string()))
    }
}

/// Contacts read per batch by [`sweep_unread`].
const SWEEP_BATCH: i64 = 500;

/// Reads every contact with notes that have not been read yet (CSV imports, which enqueue no
/// job per row, and records from before this feature); how many. Notes do not change with time,
/// so contacts already read are left alone (with a paid model, every night would cost again).
pub async fn sweep_unread(db: &Db, engine: &Engine) -> Result<u64, DomainError> {
    let mut after = String::new();
    let mut done = 0;
    loop {
        let ids: Vec<String> = on_db!(db, pool => {
            sqlx::query_scalar(
                "SELECT c.id FROM contacts c WHERE c.deleted_at IS NULL AND c.enriched_at IS NULL AND c.id > $1 \
                 AND ((c.notes IS NOT NULL AND TRIM(c.notes) <> '') \
                      OR EXISTS (SELECT 1 FROM touchpoints t WHERE t.contact_id = c.id AND t.kind IN ('note', 'call'))) \
                 ORDER BY c.id LIMIT $2",
            )
            .bind(&after)
            .bind(SWEEP_BATCH)
            .fetch_all(pool)
            .await?
        });
        let Some(last) = ids.last() else { return Ok(done) };
        after = last.clone();
        for id in &ids {
            enrich_contact(db, engine, id).await?;
            done += 1;
        }
    }
}

/// The `enrichment_sweep` job (nightly).
pub struct EnrichmentSweep {
    pub db: Db,
    pub engine: Arc<Engine>,
}

#[async_trait::async_trait]
impl Handler for EnrichmentSweep {
    async fn run(&self, _job: &ClaimedJob) -> Result<(), Failure> {
        sweep_unread(&self.db, &self.engine).await.map(|_| ()).map_err(|e| Failure::Transient(e.to_string()))
    }
}
