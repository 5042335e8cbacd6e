//! Reading a note or enquiry: intent, urgency, modality, body part, referral mentioned.

use super::builtin;
use super::engine::{AiFunction, Answered, Engine, Outcome};
use super::usage;
use crate::access::Permission;
use crate::input::prose;
use crate::model::{EnrichInput, Enrichment};
use crate::{Actor, Db, DomainError};

/// The longest note read.
pub const MAX_TEXT: usize = 2000;

/// Reads a note with the built-in engine (a model for enrichment is not wired yet) and logs the
/// call.
pub async fn enrich(
    db: &Db,
    engine: &Engine,
    actor: &Actor,
    input: &EnrichInput,
) -> Result<Enrichment, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let text = prose(&input.text, MAX_TEXT).map_err(|problem| DomainError::field("text", problem))?;
    let started = std::time::Instant::now();
    let answer = builtin::enrichment::enrich(&text);
    let call = Answered {
        answer,
        function: AiFunction::Enrichment,
        provider: "builtin",
        model: None,
        prompt_tokens: 0,
        completion_tokens: 0,
        latency: started.elapsed(),
        outcome: Outcome::Ok,
        error: None,
    };
    usage::record(db, engine.policy(), &call).await?;
    Ok(call.answer)
}
