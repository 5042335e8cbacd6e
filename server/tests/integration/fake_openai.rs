//! A local OpenAI-compatible server (`POST /v1/chat/completions`, Bearer `sk-test`) for tests
//! that ask a model through the whole app: it speaks the chat-completions wire format, keeps
//! every request body it was sent, and answers by a word in the reply it is asked about —
//! `MODE-invalid-json` answers a message that is not JSON, `MODE-schema` JSON outside the
//! schema (for a campaign draft: one without its unsubscribe link), `MODE-invented` report
//! insights citing a figure it was not given, `MODE-429` "too many requests" the first time it sees a request, `MODE-500` always
//! HTTP 500, `MODE-slow` after three seconds; anything else `{"intent":"question",
//! "confidence":0.91}` (which the built-in engine would not say of the tests' replies, so an
//! answer tells who gave it). Campaign drafts, report insights and enrichments (told apart by
//! their schema's fields) get answers of their own, as unlike the built-in engine's; an
//! enrichment's evidence quotes the first name placeholder it was sent. Every answer in time reports 1,000 prompt and 200 completion tokens.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use serde_json::{Value, json};

#[derive(Clone, Default)]
pub struct FakeOpenAi {
    pub addr: Option<SocketAddr>,
    received: Arc<Mutex<Vec<Value>>>,
    throttled: Arc<Mutex<HashSet<String>>>,
}

impl FakeOpenAi {
    pub async fn spawn() -> FakeOpenAi {
        let mut fake = FakeOpenAi::default();
        let app =
            axum::Router::new().route("/v1/chat/completions", post(completions)).with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        fake.addr = Some(listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        fake
    }

    /// The settings that point the app at this fake (one second to answer, quick retries).
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AI_PROVIDER", "openai".into()),
            ("AI_BASE_URL", format!("http://{}/v1", self.addr.unwrap())),
            ("AI_API_KEY", "sk-test".into()),
            ("AI_MODEL", "@cf/meta/llama-3.1-8b-instruct".into()),
            ("AI_TIMEOUT_SECS", "1".into()),
            ("AI_RETRIES", "2".into()),
            ("AI_RETRY_BACKOFF_MS", "10".into()),
        ]
    }

    /// Every request body, in the order they came.
    pub fn received(&self) -> Vec<Value> {
        self.received.lock().unwrap().clone()
    }
}

fn completion(content: &str) -> Value {
    json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": "@cf/meta/llama-3.1-8b-instruct",
        "choices": [{ "index": 0, "message": { "role": "assistant", "content": content }, "finish_reason": "stop" }],
        "usage": { "prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200 },
    })
}

async fn completions(
    State(fake): State<FakeOpenAi>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> axum::response::Response {
    fake.received.lock().unwrap().push(body.clone());
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer sk-test") {
        let error =
            json!({ "error": { "message": "Incorrect API key provided", "type": "invalid_request_error" } });
        return (StatusCode::UNAUTHORIZED, Json(error)).into_response();
    }
    let asked = body["messages"][1]["content"].as_str().unwrap_or_default().to_owned();
    if asked.contains("MODE-500") {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "error": { "message": "upstream failed" } })),
        )
            .into_response();
    }
    if asked.contains("MODE-429") && fake.throttled.lock().unwrap().insert(asked.clone()) {
        let error = json!({ "error": { "message": "Rate limit reached", "type": "rate_limit_error" } });
        return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "0")], Json(error)).into_response();
    }
    if asked.contains("MODE-slow") {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    // Which function asks: the schema's fields tell (its name is absent in Cloudflare's style).
    let format = &body["response_format"]["json_schema"];
    let schema = if format["schema"].is_object() { &format["schema"] } else { format };
    let has = |field: &str| schema["properties"][field].is_object();
    let placeholder = asked
        .find("[NAME_")
        .and_then(|start| asked[start..].find(']').map(|end| asked[start..start + end + 1].to_owned()));
    let content = if has("ok") {
        json!({ "ok": true }).to_string()
    } else if has("subject") {
        let unsubscribe = if asked.contains("MODE-schema") { "" } else { "{{unsubscribe_url}}" };
        json!({
            "kind": "recall",
            "subject": "A note from your imaging clinic",
            "preheader": "Book in a minute",
            "html": format!("<p onclick=\"steal()\">Hi {{{{contact.first_name}}}},</p><script>steal()</script><p><a href=\"{{{{booking_url}}}}\">Book</a></p><p>{unsubscribe}</p>"),
            "text": format!("Hi {{{{contact.first_name}}}},\n\nBook: {{{{booking_url}}}}\n\n{unsubscribe}"),
        })
        .to_string()
    } else if has("insights") {
        let figure = if asked.contains("MODE-invented") { "35%" } else { "18%" };
        json!({ "insights": [{ "kind": "change", "metric": "bookings", "figure": figure,
            "text": format!("Bookings were up {figure} on the month before."), "tone": "good" }] })
        .to_string()
    } else if has("urgency") {
        json!({ "intent": "price", "urgency": "low", "modality": "ct", "body_part": "Chest",
            "referral_mentioned": false,
            "evidence": [format!("asked on behalf of {}", placeholder.as_deref().unwrap_or("nobody"))] })
        .to_string()
    } else if asked.contains("MODE-invalid-json") {
        "Sure! The patient is confirming.".to_owned()
    } else if asked.contains("MODE-schema") {
        json!({ "intent": "maybe", "confidence": 2 }).to_string()
    } else {
        json!({ "intent": "question", "confidence": 0.91 }).to_string()
    };
    Json(completion(&content)).into_response()
}
