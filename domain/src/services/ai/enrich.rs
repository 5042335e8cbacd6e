//! Reading a note or enquiry: intent, urgency, modality, body part, referral mentioned.

use serde::Deserialize;
use serde_json::{Value, json};

use super::builtin;
use super::engine::{AiFunction, Engine, Question, fit};
use super::redact::Redactions;
use super::usage;
use crate::access::Permission;
use crate::input::prose;
use crate::model::{EnquiryIntent, EnrichInput, Enrichment, Modality, Urgency};
use crate::{Actor, Db, DomainError};

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
    let allowed = !engine.is_remote() || usage::within_budget(db, engine.policy()).await?;
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
    let answered = engine.ask(question, allowed).await;
    usage::record(db, engine.policy(), &answered).await?;
    Ok(answered.answer)
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
