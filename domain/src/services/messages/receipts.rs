//! ClickSend's delivery receipts (`POST /webhooks/clicksend/receipts/{secret}`): each is kept
//! once (a repeat is ignored), and moves its message to `delivered` (status code 201) or
//! `failed` (301). Pending codes (200, 300) are kept but change nothing, and no receipt moves a
//! message out of a final state: receipts can arrive late, twice, or out of order.

use serde::{Deserialize, Deserializer};
use ulid::Ulid;

use crate::model::MessageStatus;
use crate::time::Timestamp;
use crate::{Db, DomainError, on_db, on_tx};

/// Longest text kept from a receipt's fields; the rest is cut off, not refused (a provider
/// retrying a refused receipt forever helps no one).
const MAX_FIELD: usize = 500;

/// A receipt as ClickSend posts it, form-encoded or as JSON (numbers or strings alike).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Receipt {
    /// The provider's id for the message.
    #[serde(default, deserialize_with = "text")]
    pub message_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub status_code: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub status_text: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub error_code: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub error_text: Option<String>,
    /// Our message id, sent with it.
    #[serde(default, deserialize_with = "text")]
    pub custom_string: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub timestamp: Option<String>,
}

/// A string, a number or null, as text.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

/// What a receipt did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Kept; the message's status is now this.
    Recorded { message_id: String, status: MessageStatus },
    /// The same receipt came before: nothing changed.
    Duplicate,
    /// No message of ours has this id (a message sent from ClickSend's own dashboard).
    Unmatched,
}

fn clip(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().chars().filter(|c| !c.is_control()).take(MAX_FIELD).collect::<String>())
        .filter(|v| !v.is_empty())
}

/// Records one receipt.
pub async fn record(db: &Db, receipt: Receipt) -> Result<Outcome, DomainError> {
    let mut v = crate::error::Validator::default();
    let provider_id = v.check("message_id", clip(receipt.message_id).ok_or_else(|| "is required".to_owned()));
    let code = v.check(
        "status_code",
        clip(receipt.status_code)
            .and_then(|c| c.parse::<i64>().ok())
            .filter(|c| (0..=999).contains(c))
            .ok_or_else(|| "must be a status code such as 201".to_owned()),
    );
    v.finish()?;
    let (Some(provider_id), Some(code)) = (provider_id, code) else {
        return Err(DomainError::Internal("validated fields missing".into()));
    };
    let ours = clip(receipt.custom_string).filter(|id| crate::input::ulid(id).is_some());
    let found: Option<(String, String)> = on_db!(db, pool => {
        let by_ours = match &ours {
            Some(id) => sqlx::query_as::<_, (String, String)>("SELECT id, status FROM messages WHERE id = $1 AND channel = 'sms'")
                .bind(id).fetch_optional(pool).await?,
            None => None,
        };
        match by_ours {
            Some(found) => Some(found),
            None => sqlx::query_as::<_, (String, String)>(
                "SELECT id, status FROM messages WHERE provider_id = $1 AND channel = 'sms' ORDER BY id LIMIT 1",
            )
            .bind(&provider_id).fetch_optional(pool).await?,
        }
    });
    let Some((message_id, _)) = found else { return Ok(Outcome::Unmatched) };
    let now = Timestamp::now();
    let error_text = clip(receipt.error_text);
    let status_text = clip(receipt.status_text);
    let mut tx = db.begin().await?;
    let status = on_tx!(&mut tx, tx => {
        let kept = sqlx::query(
            "INSERT INTO message_receipts (id, message_id, provider_message_id, status_code, status_text, error_code, error_text, provider_timestamp, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (provider_message_id, status_code, provider_timestamp) DO NOTHING",
        )
        .bind(Ulid::new().to_string())
        .bind(&message_id)
        .bind(&provider_id)
        .bind(code)
        .bind(&status_text)
        .bind(clip(receipt.error_code))
        .bind(&error_text)
        .bind(clip(receipt.timestamp).unwrap_or_default())
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if kept == 0 {
            None
        } else {
            match code {
                201 => {
                    sqlx::query("UPDATE messages SET status = 'delivered', error = NULL, status_at = $2 WHERE id = $1 AND status IN ('queued', 'sent')")
                        .bind(&message_id).bind(now).execute(&mut **tx).await?;
                }
                301 => {
                    let reason = error_text.clone().or_else(|| status_text.clone()).unwrap_or_else(|| "Undelivered".to_owned());
                    sqlx::query("UPDATE messages SET status = 'failed', error = $2, status_at = $3 WHERE id = $1 AND status IN ('queued', 'sent')")
                        .bind(&message_id).bind(format!("Not delivered: {reason}")).bind(now).execute(&mut **tx).await?;
                }
                _ => {}
            }
            let status: String = sqlx::query_scalar("SELECT status FROM messages WHERE id = $1")
                .bind(&message_id).fetch_one(&mut **tx).await?;
            Some(status)
        }
    });
    tx.commit().await?;
    Ok(match status {
        None => Outcome::Duplicate,
        Some(status) => Outcome::Recorded {
            message_id,
            status: MessageStatus::parse(&status).unwrap_or(MessageStatus::Sent),
        },
    })
}
