//! Which engine answers: the built-in one (the default), or an OpenAI-compatible model with the
//! built-in engine behind it. A remote call gets redacted text only, its answer is checked
//! against the function's type, and on a timeout, an error, an answer that does not fit, or a
//! spent monthly budget the built-in engine answers instead — logged as a fallback, so a reply
//! is never left unread because a model was down.

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};

use super::builtin;
use super::redact::Redactions;
use super::usage::Policy;
use crate::model::{ReplyContext, SmsIntent, SmsIntentAnswer};
use crate::providers::openai::{ChatError, ChatRequest, OpenAiClient, OpenAiConfig, SchemaStyle};

pub use crate::model::AiFunction;

/// How a call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The configured engine answered.
    Ok,
    /// The model failed or did not fit; the built-in engine answered.
    Fallback,
    /// The month's budget is spent; the built-in engine answered without asking the model.
    OverBudget,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Fallback => "fallback",
            Outcome::OverBudget => "over_budget",
        }
    }
}

/// A remote model and what it costs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteSettings {
    pub client: OpenAiConfig,
    /// `AI_MODEL`, e.g. `@cf/meta/llama-3.1-8b-instruct`.
    pub model: String,
    /// Per-function models (`AI_MODEL_SMS_INTENT`, …), over `model`.
    pub models: Vec<(AiFunction, String)>,
}

impl RemoteSettings {
    pub fn model_for(&self, function: AiFunction) -> &str {
        self.models.iter().find(|(f, _)| *f == function).map_or(self.model.as_str(), |(_, m)| m.as_str())
    }
}

/// What [`Engine::describe`] tells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EngineDescription {
    pub endpoint_host: Option<String>,
    pub key_set: bool,
    pub schema_style: Option<&'static str>,
    pub timeout_secs: Option<u64>,
    pub retries: Option<u32>,
    pub models: Vec<(AiFunction, Option<String>)>,
}

/// One answer and how it came: what the usage log records.
#[derive(Clone, Debug, PartialEq)]
pub struct Answered<T> {
    pub answer: T,
    pub function: AiFunction,
    /// `builtin` or `openai`: who answered in the end.
    pub provider: &'static str,
    /// The model asked (also when it failed and the built-in engine answered).
    pub model: Option<String>,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub latency: Duration,
    pub outcome: Outcome,
    /// Why it fell back (no prompt text, no patient data).
    pub error: Option<String>,
}

/// The engine the server runs with.
#[derive(Clone, Debug, Default)]
pub struct Engine {
    remote: Option<Remote>,
    policy: Policy,
}

#[derive(Clone, Debug)]
struct Remote {
    client: OpenAiClient,
    settings: RemoteSettings,
}

impl Engine {
    /// The built-in engine alone (`AI_PROVIDER=builtin`).
    pub fn builtin() -> Engine {
        Engine { remote: None, policy: Policy::default() }
    }

    /// An OpenAI-compatible model, the built-in engine behind it.
    pub fn remote(settings: RemoteSettings, policy: Policy) -> Result<Engine, String> {
        let client = OpenAiClient::new(settings.client.clone()).map_err(|e| e.to_string())?;
        Ok(Engine { remote: Some(Remote { client, settings }), policy })
    }

    /// The price table and the month's budget.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Whether a model outside the server is asked (and so the budget matters).
    pub fn is_remote(&self) -> bool {
        self.remote.is_some()
    }

    /// `builtin` or `openai`.
    pub fn provider(&self) -> &'static str {
        if self.remote.is_some() { "openai" } else { "builtin" }
    }

    pub fn model_for(&self, function: AiFunction) -> Option<&str> {
        self.remote.as_ref().map(|r| r.settings.model_for(function))
    }

    /// How the engine is set up, for the settings page (never the key): the provider's host
    /// (no path, no user name or password), whether a key is set, the schema style, the timeout
    /// and retries, and each function's model.
    pub fn describe(&self) -> EngineDescription {
        let Some(remote) = &self.remote else {
            return EngineDescription {
                models: AiFunction::ALL.iter().map(|f| (*f, None)).collect(),
                ..EngineDescription::default()
            };
        };
        let config = &remote.settings.client;
        let after_scheme =
            config.base_url.split_once("://").map_or(config.base_url.as_str(), |(_, rest)| rest);
        let authority = after_scheme.split(['/', '?', '#']).next().unwrap_or_default();
        let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        EngineDescription {
            endpoint_host: Some(host.to_owned()),
            key_set: config.api_key.is_some(),
            schema_style: Some(match config.schema_style {
                SchemaStyle::OpenAi => "openai",
                SchemaStyle::Bare => "bare",
            }),
            timeout_secs: Some(config.timeout.as_secs()),
            retries: Some(config.retries),
            // Warmness is always the built-in engine's (exact reasons at no cost, where a model
            // would be a call per contact every night).
            models: AiFunction::ALL
                .iter()
                .map(|f| (*f, (*f != AiFunction::Warmness).then(|| remote.settings.model_for(*f).to_owned())))
                .collect(),
        }
    }

    /// Asks the default model a one-line question that needs a JSON answer: whether the
    /// provider, the key and the model work. `None` for the built-in engine.
    pub async fn test_connection(&self) -> Option<(String, Duration, Result<(), ChatError>)> {
        let remote = self.remote.as_ref()?;
        let model = remote.settings.model.clone();
        let schema = json!({
            "type": "object",
            "properties": { "ok": { "type": "boolean" } },
            "required": ["ok"],
            "additionalProperties": false,
        });
        let request = ChatRequest {
            model: &model,
            system: "You check that a connection works. Answer with JSON only.",
            user: "Answer {\"ok\": true}.",
            schema_name: "connection_test",
            schema: &schema,
        };
        let started = Instant::now();
        let result = remote.client.chat_json(&request).await.and_then(|chat| match chat.json.get("ok") {
            Some(Value::Bool(_)) => Ok(()),
            _ => Err(ChatError::SchemaViolation("the answer has no true or false `ok`".into())),
        });
        Some((model, started.elapsed(), result))
    }

    /// Answers one function: the built-in engine alone, or the model with the built-in engine
    /// behind it. `allowed`: false when the month's budget is spent.
    pub async fn ask<T>(&self, question: Question<'_, T>, allowed: bool) -> Answered<T> {
        let started = Instant::now();
        let function = question.function;
        let Some(remote) = &self.remote else {
            return Answered {
                answer: (question.builtin)(),
                function,
                provider: "builtin",
                model: None,
                prompt_tokens: 0,
                completion_tokens: 0,
                latency: started.elapsed(),
                outcome: Outcome::Ok,
                error: None,
            };
        };
        let model = remote.settings.model_for(function).to_owned();
        let fallback =
            |outcome: Outcome, error: Option<String>, prompt_tokens: u64, completion_tokens: u64| Answered {
                answer: (question.builtin)(),
                function,
                provider: "builtin",
                model: Some(model.clone()),
                prompt_tokens,
                completion_tokens,
                latency: started.elapsed(),
                outcome,
                error,
            };
        if !allowed {
            return fallback(Outcome::OverBudget, None, 0, 0);
        }
        let mut redactions = Redactions::default();
        let user = (question.prompt)(&mut redactions);
        let request = ChatRequest {
            model: &model,
            system: question.system,
            user: &user,
            schema_name: function.as_str(),
            schema: &question.schema,
        };
        match remote.client.chat_json(&request).await {
            Ok(chat) => match (question.read)(&chat.json, &redactions) {
                Ok(answer) => Answered {
                    answer,
                    function,
                    provider: "openai",
                    model: Some(model.clone()),
                    prompt_tokens: chat.prompt_tokens,
                    completion_tokens: chat.completion_tokens,
                    latency: started.elapsed(),
                    outcome: Outcome::Ok,
                    error: None,
                },
                Err(problem) => {
                    let error = ChatError::SchemaViolation(problem).to_string();
                    tracing::warn!(function = function.as_str(), %error, "AI answer did not fit; the built-in engine answered");
                    fallback(Outcome::Fallback, Some(error), chat.prompt_tokens, chat.completion_tokens)
                }
            },
            Err(error) => {
                let error = error.to_string();
                tracing::warn!(function = function.as_str(), %error, "AI call failed; the built-in engine answered");
                fallback(Outcome::Fallback, Some(error), 0, 0)
            }
        }
    }

    /// Reads a reply's intent. `allowed`: false when the month's budget is spent.
    pub async fn sms_intent(
        &self,
        text: &str,
        context: ReplyContext,
        allowed: bool,
    ) -> Answered<SmsIntentAnswer> {
        let prompt = |redactions: &mut Redactions| {
            format!(
                "What the clinic's text asked: {}\nThe patient's reply: {}",
                match context {
                    ReplyContext::Reminder =>
                        "a reminder of a booking (reply YES to confirm, R to reschedule, STOP to opt out)",
                    ReplyContext::AttendanceQuestion => "whether they can still come to their booking",
                    ReplyContext::Unprompted => "nothing (the patient wrote first)",
                },
                redactions.redact_free_text(text, &[])
            )
        };
        let builtin = || builtin::sms_intent::classify(text, context);
        let read = |json: &Value, _: &Redactions| parse_sms_intent(json);
        let question = Question {
            function: AiFunction::SmsIntent,
            system: SMS_INTENT_SYSTEM,
            schema: sms_intent_schema(),
            prompt: &prompt,
            read: &read,
            builtin: &builtin,
        };
        self.ask(question, allowed).await
    }
}

/// A model's answer read into `T`; the error names what did not fit but never quotes the
/// answer (it may carry patient text, and the error is logged).
pub fn fit<T: serde::de::DeserializeOwned>(json: &Value) -> Result<T, String> {
    serde_json::from_value(json.clone()).map_err(|e| {
        let message = e.to_string();
        if message.starts_with("missing field") {
            format!("the answer has a {message}")
        } else {
            "the answer does not fit the schema (an unknown field, a wrong type or a value outside its set)"
                .to_owned()
        }
    })
}

/// One function's question to a model: what to ask, how to read the answer, and the built-in
/// engine's answer should the model fail.
pub struct Question<'a, T> {
    pub function: AiFunction,
    pub system: &'a str,
    /// The JSON schema the answer must fit.
    pub schema: Value,
    /// The user message; every patient detail in it goes through the redactions.
    pub prompt: &'a (dyn Fn(&mut Redactions) -> String + Sync),
    /// Checks the answer against the schema and the input, restoring placeholders; an `Err`
    /// (no words of the model's: it is logged) makes the built-in engine answer.
    pub read: &'a (dyn Fn(&Value, &Redactions) -> Result<T, String> + Sync),
    pub builtin: &'a (dyn Fn() -> T + Sync),
}

const SMS_INTENT_SYSTEM: &str = "You read text messages that patients send back to a medical imaging clinic in \
Australia. Say what the reply asks for: confirm (they will come), cancel (they will not, or no longer need it), \
reschedule (another day or time), opt_out (no more texts: STOP, unsubscribe, don't text me), question (they \
ask something), or other. A reply that confirms and also asks a question is confirm; one that says yes but asks \
for another time is reschedule. Give your confidence from 0 to 1; below 0.75 a person will read it. Placeholders \
such as [NAME_1] stand for details removed for privacy. Answer with JSON only.";

/// The JSON schema of an SMS intent answer.
pub fn sms_intent_schema() -> Value {
    let intents: Vec<&str> = SmsIntent::ALL.iter().map(|i| i.as_str()).collect();
    json!({
        "type": "object",
        "properties": {
            "intent": { "type": "string", "enum": intents },
            "confidence": { "type": "number", "minimum": 0, "maximum": 1 },
        },
        "required": ["intent", "confidence"],
        "additionalProperties": false,
    })
}

/// Checks a model's answer against [`sms_intent_schema`].
fn parse_sms_intent(json: &Value) -> Result<SmsIntentAnswer, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Answer {
        intent: String,
        confidence: f64,
    }
    let answer: Answer = fit(json)?;
    let intent = SmsIntent::parse(&answer.intent)
        // Not the model's own words: this message goes to the log.
        .ok_or_else(|| "the intent is not one of the six".to_owned())?;
    if !(0.0..=1.0).contains(&answer.confidence) {
        return Err(format!("confidence {} is not between 0 and 1", answer.confidence));
    }
    Ok(SmsIntentAnswer { intent, confidence: answer.confidence })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_outside_the_schema_is_refused() {
        assert!(parse_sms_intent(&json!({ "intent": "confirm", "confidence": 0.9 })).is_ok());
        assert!(parse_sms_intent(&json!({ "intent": "maybe", "confidence": 0.9 })).is_err());
        assert!(parse_sms_intent(&json!({ "intent": "confirm", "confidence": 1.5 })).is_err());
        assert!(parse_sms_intent(&json!({ "intent": "confirm" })).is_err());
        assert!(parse_sms_intent(&json!({ "intent": "confirm", "confidence": 0.9, "why": "x" })).is_err());
    }
}
