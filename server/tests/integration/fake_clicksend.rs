//! A local ClickSend (`POST /v3/sms/send`) for tests that send through the whole app: it speaks
//! ClickSend's wire format, keeps every message it was given, and answers by number —
//! `+61400000000` is refused inside a 200 answer (INVALID_RECIPIENT), `+61400000500` gets HTTP
//! 500, anything else is queued with the message id `CS-{our id}`. Credentials `clinic:key-123`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use base64::Engine;
use serde_json::{Value, json};

/// One message as the fake received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub to: String,
    pub body: String,
    pub from: String,
    pub custom_string: String,
}

#[derive(Clone, Default)]
pub struct FakeClickSend {
    pub addr: Option<SocketAddr>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl FakeClickSend {
    pub async fn spawn() -> FakeClickSend {
        Self::spawn_on("127.0.0.1:0").await
    }

    pub async fn spawn_on(addr: &str) -> FakeClickSend {
        let mut fake = FakeClickSend::default();
        let app = axum::Router::new().route("/v3/sms/send", post(sms_send)).with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        fake.addr = Some(listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        fake
    }

    pub fn base_url(&self) -> String {
        format!("http://{}/v3", self.addr.unwrap())
    }

    /// The settings that point the app at this fake.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("SMS_PROVIDER", "clicksend".into()),
            ("CLICKSEND_USERNAME", "clinic".into()),
            ("CLICKSEND_API_KEY", "key-123".into()),
            ("CLICKSEND_FROM", "AvatarMRI".into()),
            ("CLICKSEND_BASE_URL", self.base_url()),
        ]
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn sms_send(
    State(fake): State<FakeClickSend>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> axum::response::Response {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let expected = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("clinic:key-123"));
    if auth != expected {
        let answer = json!({ "http_code": 401, "response_code": "UNAUTHORIZED", "response_msg": "Invalid credentials", "data": null });
        return (StatusCode::UNAUTHORIZED, Json(answer)).into_response();
    }
    let message = &body["messages"][0];
    let text = |key: &str| message[key].as_str().unwrap_or_default().to_owned();
    let received = Received {
        to: text("to"),
        body: text("body"),
        from: text("from"),
        custom_string: text("custom_string"),
    };
    let status = match received.to.as_str() {
        "+61400000500" => return (StatusCode::INTERNAL_SERVER_ERROR, "<html>oops</html>").into_response(),
        "+61400000000" => "INVALID_RECIPIENT",
        _ => "SUCCESS",
    };
    let id = format!("CS-{}", received.custom_string);
    fake.received.lock().unwrap().push(received.clone());
    Json(json!({
        "http_code": 200,
        "response_code": "SUCCESS",
        "response_msg": "Messages queued for delivery.",
        "data": {
            "total_price": 0.0771,
            "total_count": 1,
            "queued_count": if status == "SUCCESS" { 1 } else { 0 },
            "messages": [{
                "direction": "out",
                "to": received.to,
                "body": received.body,
                "from": received.from,
                "message_id": id,
                "message_parts": 1,
                "message_price": "0.0771",
                "custom_string": received.custom_string,
                "status": status
            }],
            "_currency": { "currency_name_short": "AUD" }
        }
    }))
    .into_response()
}
