//! Reading a patient's reply: what it asks for and how sure the engine is.

use super::engine::Engine;
use super::usage;
use crate::access::Permission;
use crate::input::prose;
use crate::model::{SmsIntentAnswer, SmsIntentInput};
use crate::{Actor, Db, DomainError};

/// The longest reply read: ten SMS parts (ClickSend joins longer texts than that rarely).
pub const MAX_TEXT: usize = 1600;

/// Reads a reply with the configured engine (the built-in one when a model fails or the budget
/// is spent) and logs the call.
pub async fn classify(
    db: &Db,
    engine: &Engine,
    actor: &Actor,
    input: &SmsIntentInput,
) -> Result<SmsIntentAnswer, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let text = prose(&input.text, MAX_TEXT).map_err(|problem| DomainError::field("text", problem))?;
    let allowed = !engine.is_remote() || usage::within_budget(db, engine.policy()).await?;
    let answered = engine.sms_intent(&text, input.context, allowed).await;
    usage::record(db, engine.policy(), &answered).await?;
    Ok(answered.answer)
}
