//! An OpenAI-compatible chat-completions client (`POST {base}/chat/completions`, Bearer key):
//! OpenAI itself, Cloudflare Workers AI's `/ai/v1`, Ollama, vLLM, llama.cpp's server. It asks
//! for JSON that fits a schema through `response_format` — OpenAI's shape
//! `{"type":"json_schema","json_schema":{"name","schema","strict":true}}`, or the bare schema
//! under `json_schema` as Cloudflare's example has it ([`SchemaStyle`]) — and answers the parsed
//! JSON with the provider's token counts. 429 and 5xx are tried again with back-off (honouring
//! `Retry-After` up to a cap); a timeout is not (the caller falls back instead of waiting
//! twice as long). The caller checks the JSON against its type.

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};

/// How `response_format.json_schema` is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SchemaStyle {
    /// `{"name", "schema", "strict": true}` (OpenAI, vLLM, Ollama, llama.cpp).
    #[default]
    OpenAi,
    /// The schema itself (Cloudflare Workers AI's documented example).
    Bare,
}

impl SchemaStyle {
    pub fn parse(value: &str) -> Option<SchemaStyle> {
        match value {
            "openai" => Some(SchemaStyle::OpenAi),
            "bare" => Some(SchemaStyle::Bare),
            _ => None,
        }
    }
}

/// Where the model is and how to ask it.
#[derive(Clone, PartialEq, Eq)]
pub struct OpenAiConfig {
    /// Up to and including `/v1`, e.g. `http://localhost:11434/v1`.
    pub base_url: String,
    pub api_key: Option<String>,
    pub schema_style: SchemaStyle,
    /// Longest wait for one answer.
    pub timeout: Duration,
    /// Attempts after the first for 429 and 5xx.
    pub retries: u32,
    /// The first back-off (doubled each time; a `Retry-After` over 5 s is cut to 5 s).
    pub backoff: Duration,
}

impl std::fmt::Debug for OpenAiConfig {
    // Never print the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "(set)"))
            .field("schema_style", &self.schema_style)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .finish_non_exhaustive()
    }
}

/// One question for the model.
#[derive(Clone, Debug)]
pub struct ChatRequest<'a> {
    pub model: &'a str,
    pub system: &'a str,
    pub user: &'a str,
    /// The schema's name (OpenAI requires one: letters, digits, `_`, `-`).
    pub schema_name: &'a str,
    pub schema: &'a Value,
}

/// The model's answer: its JSON and what it cost in tokens.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatAnswer {
    pub json: Value,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// How long the call took, retries included.
    pub latency: Duration,
    /// Attempts made (1 when the first answered).
    pub attempts: u32,
}

/// Why there is no usable answer. Each carries what the log may say (never the prompt).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChatError {
    #[error("no answer within the time allowed")]
    Timeout,
    /// Throttled or failing after every retry, or not reachable.
    #[error("the provider could not answer: {0}")]
    Unavailable(String),
    /// The key or the model is wrong (401, 403, 404): an administrator must act.
    #[error("the provider refused our key or model: {0}")]
    Configuration(String),
    /// It answered, but not with JSON (or not with a message at all).
    #[error("the answer was not JSON: {0}")]
    InvalidJson(String),
    /// JSON, but not what the schema says.
    #[error("the answer did not fit the schema: {0}")]
    SchemaViolation(String),
}

/// The client.
#[derive(Clone, Debug)]
pub struct OpenAiClient {
    config: OpenAiConfig,
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct Completion {
    #[serde(default)]
    choices: Vec<Choice>,
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Option<Message>,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

impl OpenAiClient {
    pub fn new(config: OpenAiConfig) -> Result<OpenAiClient, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(OpenAiClient { config, http })
    }

    pub fn config(&self) -> &OpenAiConfig {
        &self.config
    }

    /// The request body sent for `request`.
    pub fn body(&self, request: &ChatRequest<'_>) -> Value {
        let json_schema = match self.config.schema_style {
            SchemaStyle::OpenAi => {
                json!({ "name": request.schema_name, "schema": request.schema, "strict": true })
            }
            SchemaStyle::Bare => request.schema.clone(),
        };
        json!({
            "model": request.model,
            "messages": [
                { "role": "system", "content": request.system },
                { "role": "user", "content": request.user },
            ],
            "temperature": 0,
            "response_format": { "type": "json_schema", "json_schema": json_schema },
        })
    }

    /// Asks, retrying 429 and 5xx, and parses the answer's JSON.
    pub async fn chat_json(&self, request: &ChatRequest<'_>) -> Result<ChatAnswer, ChatError> {
        let started = Instant::now();
        let url = format!("{}/chat/completions", self.config.base_url.trim_end_matches('/'));
        let body = self.body(request);
        let mut backoff = self.config.backoff;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let mut call = self.http.post(&url).json(&body);
            if let Some(key) = &self.config.api_key {
                call = call.bearer_auth(key);
            }
            let response = match call.send().await {
                Ok(response) => response,
                Err(e) if e.is_timeout() => return Err(ChatError::Timeout),
                Err(e) if attempts <= self.config.retries && e.is_connect() => {
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                    continue;
                }
                Err(e) => return Err(ChatError::Unavailable(without_url(&e))),
            };
            let status = response.status();
            if status.as_u16() == 429 || status.is_server_error() {
                if attempts > self.config.retries {
                    return Err(ChatError::Unavailable(format!("HTTP {}", status.as_u16())));
                }
                let wait = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map_or(backoff, |s| Duration::from_secs(s.min(5)));
                tokio::time::sleep(wait).await;
                backoff *= 2;
                continue;
            }
            if matches!(status.as_u16(), 401 | 403 | 404) {
                return Err(ChatError::Configuration(format!("HTTP {}", status.as_u16())));
            }
            if !status.is_success() {
                return Err(ChatError::Unavailable(format!("HTTP {}", status.as_u16())));
            }
            let text = match response.text().await {
                Ok(text) => text,
                Err(e) if e.is_timeout() => return Err(ChatError::Timeout),
                Err(e) => return Err(ChatError::Unavailable(without_url(&e))),
            };
            let completion: Completion = serde_json::from_str(&text)
                .map_err(|e| ChatError::InvalidJson(format!("the completion: {e}")))?;
            let content = completion
                .choices
                .into_iter()
                .next()
                .and_then(|c| c.message)
                .and_then(|m| m.content)
                .ok_or_else(|| ChatError::InvalidJson("no message in the answer".to_owned()))?;
            let json: Value = serde_json::from_str(strip_fences(&content))
                .map_err(|e| ChatError::InvalidJson(format!("the message: {e}")))?;
            let usage = completion.usage.unwrap_or(Usage { prompt_tokens: 0, completion_tokens: 0 });
            return Ok(ChatAnswer {
                json,
                prompt_tokens: usage.prompt_tokens,
                completion_tokens: usage.completion_tokens,
                latency: started.elapsed(),
                attempts,
            });
        }
    }
}

/// Some models wrap JSON in a Markdown fence even when asked not to.
fn strip_fences(content: &str) -> &str {
    let trimmed = content.trim();
    trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|rest| rest.strip_suffix("```"))
        .map_or(trimmed, str::trim)
}

/// A transport error without its URL (which could carry an account id).
fn without_url(e: &reqwest::Error) -> String {
    let mut e = e.to_string();
    if let Some(at) = e.find(" for url") {
        e.truncate(at);
    }
    e
}
