//! ClickSend REST v3 (`POST {base}/sms/send`, HTTP Basic with the username and API key).
//!
//! ClickSend answers HTTP 200 with `response_code: "SUCCESS"` even when it refuses the message:
//! each element of `data.messages` carries its own `status` (`SUCCESS`, or e.g.
//! `INVALID_RECIPIENT`, `INSUFFICIENT_CREDIT`, `COUNTRY_NOT_ENABLED`). So the message's own
//! status decides: `SUCCESS` is accepted, `THROTTLED` is tried again later, anything else is
//! refused for good. HTTP 401 is a configuration error; 429, 5xx and timeouts are retried.

use std::time::Duration;

use serde::Deserialize;

use super::sms::{Accepted, OutgoingSms, SendError, SmsProvider};

/// ClickSend's production API.
pub const DEFAULT_BASE_URL: &str = "https://rest.clicksend.com/v3";

/// The account and where to reach it.
#[derive(Clone, PartialEq, Eq)]
pub struct ClickSendConfig {
    pub username: String,
    pub api_key: String,
    /// The sender id or number texts come from (`CLICKSEND_FROM`).
    pub from: String,
    pub base_url: String,
    /// Longest wait for an answer.
    pub timeout: Duration,
}

impl std::fmt::Debug for ClickSendConfig {
    // Never print the API key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClickSendConfig")
            .field("username", &self.username)
            .field("from", &self.from)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The ClickSend client.
#[derive(Clone, Debug)]
pub struct ClickSend {
    config: ClickSendConfig,
    http: reqwest::Client,
}

impl ClickSend {
    pub fn new(config: ClickSendConfig) -> Result<ClickSend, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(ClickSend { config, http })
    }
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    response_code: String,
    #[serde(default)]
    response_msg: String,
    data: Option<Data>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(default)]
    messages: Vec<Message>,
    #[serde(rename = "_currency")]
    currency: Option<Currency>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    status: String,
    message_id: Option<String>,
    message_parts: Option<u32>,
    message_price: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Currency {
    currency_name_short: Option<String>,
}

/// A price as ClickSend writes it (a number or a numeric string, in currency units) in
/// millionths, without going through binary floating point.
fn micros(price: &serde_json::Value) -> Option<i64> {
    let text = match price {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.trim().to_owned(),
        _ => return None,
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let mut digits: String = fraction.chars().take(6).collect();
    while digits.len() < 6 {
        digits.push('0');
    }
    whole.parse::<i64>().ok()?.checked_mul(1_000_000)?.checked_add(digits.parse::<i64>().ok()?)
}

#[async_trait::async_trait]
impl SmsProvider for ClickSend {
    fn name(&self) -> &'static str {
        "clicksend"
    }

    async fn send(&self, sms: &OutgoingSms) -> Result<Accepted, SendError> {
        let body = serde_json::json!({
            "messages": [{
                "to": sms.to,
                "body": sms.body,
                "from": self.config.from,
                "custom_string": sms.message_id,
            }]
        });
        let response = self
            .http
            .post(format!("{}/sms/send", self.config.base_url.trim_end_matches('/')))
            .basic_auth(&self.config.username, Some(&self.config.api_key))
            .json(&body)
            .send()
            .await
            .map_err(|e| {
                SendError::Unavailable(if e.is_timeout() {
                    "no answer in time".into()
                } else {
                    e.to_string()
                })
            })?;
        let status = response.status();
        let text = response.text().await.map_err(|e| SendError::Unavailable(e.to_string()))?;
        let answer: Option<Answer> = serde_json::from_str(&text).ok();
        let said = answer
            .as_ref()
            .map(|a| format!("{} {}", a.response_code, a.response_msg).trim().to_owned())
            .unwrap_or_default();
        match status.as_u16() {
            200 => {}
            401 | 403 => return Err(SendError::Configuration(format!("HTTP {status}: {said}"))),
            429 | 500..=599 => return Err(SendError::Unavailable(format!("HTTP {status}: {said}"))),
            // Anything else (400 and the like) means this request will not be taken as it is.
            _ => return Err(SendError::Refused(format!("HTTP {status}: {said}"))),
        }
        let Some(answer) = answer else {
            return Err(SendError::Unavailable("an answer that is not ClickSend's JSON".into()));
        };
        if answer.response_code != "SUCCESS" {
            return Err(SendError::Refused(said));
        }
        let data = answer.data.ok_or_else(|| SendError::Unavailable("an answer without data".into()))?;
        let currency = data.currency.and_then(|c| c.currency_name_short);
        let message = data
            .messages
            .into_iter()
            .next()
            .ok_or_else(|| SendError::Unavailable("an answer without the message".into()))?;
        match message.status.as_str() {
            "SUCCESS" => Ok(Accepted {
                provider_id: message.message_id.unwrap_or_default(),
                parts: message.message_parts,
                cost_micros: message.message_price.as_ref().and_then(micros),
                currency,
            }),
            "THROTTLED" => Err(SendError::Unavailable("THROTTLED".into())),
            other => Err(SendError::Refused(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_become_exact_millionths() {
        assert_eq!(micros(&serde_json::json!(0.0771)), Some(77_100));
        assert_eq!(micros(&serde_json::json!("0.0771")), Some(77_100));
        assert_eq!(micros(&serde_json::json!(1)), Some(1_000_000));
        assert_eq!(micros(&serde_json::json!("12.5")), Some(12_500_000));
        assert_eq!(micros(&serde_json::json!("-1")), None);
        assert_eq!(micros(&serde_json::json!(null)), None);
    }
}
