//! Reading a patient's reply: what it asks for and how sure the engine is.

use super::builtin;
use crate::access::Permission;
use crate::input::prose;
use crate::model::{SmsIntentAnswer, SmsIntentInput};
use crate::{Actor, DomainError};

/// The longest reply read: ten SMS parts (ClickSend joins longer texts than that rarely).
pub const MAX_TEXT: usize = 1600;

pub fn classify(actor: &Actor, input: &SmsIntentInput) -> Result<SmsIntentAnswer, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let text = prose(&input.text, MAX_TEXT).map_err(|problem| DomainError::field("text", problem))?;
    Ok(builtin::sms_intent::classify(&text, input.context))
}
