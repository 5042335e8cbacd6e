//! The real ClickSend client against a local server that speaks ClickSend's wire format
//! (`POST /v3/sms/send`, HTTP Basic, `{"messages":[…]}` in, `{http_code, response_code,
//! response_msg, data}` out): accepted, refused inside a 200 answer, bad credentials,
//! throttled, a server error, and an answer too slow to wait for.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use base64::Engine;
use domain::providers::clicksend::{ClickSend, ClickSendConfig};
use domain::providers::sms::{OutgoingSms, SendError, SmsProvider};
use serde_json::{Value, json};

/// What the fake received, and how it answers: by the recipient's number.
#[derive(Clone, Default)]
struct Fake {
    received: Arc<Mutex<Vec<(String, Value)>>>,
}

async fn sms_send(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> axum::response::Response {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    fake.received.lock().unwrap().push((auth.clone(), body.clone()));
    let expected = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("clinic:key-123"));
    if auth != expected {
        let answer = json!({ "http_code": 401, "response_code": "UNAUTHORIZED", "response_msg": "Invalid credentials", "data": null });
        return (StatusCode::UNAUTHORIZED, Json(answer)).into_response();
    }
    let message = &body["messages"][0];
    let to = message["to"].as_str().unwrap_or_default();
    let status = match to {
        "+61400000429" => {
            let answer = json!({ "http_code": 429, "response_code": "TOO_MANY_REQUESTS", "response_msg": "Slow down", "data": null });
            return (StatusCode::TOO_MANY_REQUESTS, Json(answer)).into_response();
        }
        "+61400000500" => return (StatusCode::INTERNAL_SERVER_ERROR, "<html>oops</html>").into_response(),
        "+61400000999" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            "SUCCESS"
        }
        "+61400000000" => "INVALID_RECIPIENT",
        _ => "SUCCESS",
    };
    // As ClickSend documents it: the request succeeds, each message has its own status.
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
                "date": 1_764_000_000,
                "to": to,
                "body": message["body"],
                "from": message["from"],
                "schedule": 0,
                "message_id": "BF7AD270-0DE2-418B-B606-71D527D9C1AE",
                "message_parts": 1,
                "message_price": "0.0771",
                "custom_string": message["custom_string"],
                "country": "AU",
                "carrier": "Telstra",
                "status": status
            }],
            "_currency": { "currency_name_short": "AUD", "currency_prefix_d": "$", "currency_prefix_c": "¢", "currency_name_long": "Australian Dollars" }
        }
    }))
    .into_response()
}

async fn spawn_fake() -> (SocketAddr, Fake) {
    let fake = Fake::default();
    let app = axum::Router::new().route("/v3/sms/send", post(sms_send)).with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, fake)
}

fn client(addr: SocketAddr, api_key: &str) -> ClickSend {
    ClickSend::new(ClickSendConfig {
        username: "clinic".into(),
        api_key: api_key.into(),
        from: "AvatarMRI".into(),
        base_url: format!("http://{addr}/v3"),
        timeout: Duration::from_secs(1),
    })
    .unwrap()
}

fn sms(to: &str) -> OutgoingSms {
    OutgoingSms {
        message_id: "01KMESSAGE0000000000000001".into(),
        to: to.into(),
        body: "Your MRI is at 9:30 tomorrow. Reply YES to confirm.".into(),
    }
}

#[tokio::test]
async fn an_accepted_text_carries_our_id_and_comes_back_with_clicksends() {
    let (addr, fake) = spawn_fake().await;
    let accepted = client(addr, "key-123").send(&sms("+61412555019")).await.unwrap();
    assert_eq!(accepted.provider_id, "BF7AD270-0DE2-418B-B606-71D527D9C1AE");
    assert_eq!(
        (accepted.parts, accepted.cost_micros, accepted.currency.as_deref()),
        (Some(1), Some(77_100), Some("AUD"))
    );
    let received = fake.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    let message = &received[0].1["messages"][0];
    assert_eq!(message["to"], "+61412555019");
    assert_eq!(message["from"], "AvatarMRI");
    assert_eq!(message["custom_string"], "01KMESSAGE0000000000000001", "our id travels with it");
    assert_eq!(message["body"], "Your MRI is at 9:30 tomorrow. Reply YES to confirm.");
}

#[tokio::test]
async fn a_refusal_inside_a_200_answer_is_permanent() {
    let (addr, _) = spawn_fake().await;
    let refused = client(addr, "key-123").send(&sms("+61400000000")).await;
    assert_eq!(refused, Err(SendError::Refused("INVALID_RECIPIENT".into())));
}

#[tokio::test]
async fn bad_credentials_are_a_configuration_error() {
    let (addr, _) = spawn_fake().await;
    match client(addr, "wrong").send(&sms("+61412555019")).await {
        Err(SendError::Configuration(said)) => {
            assert!(said.contains("401") && said.contains("Invalid credentials"), "{said}")
        }
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[tokio::test]
async fn throttling_server_errors_and_slow_answers_are_worth_retrying() {
    let (addr, _) = spawn_fake().await;
    let clicksend = client(addr, "key-123");
    for to in ["+61400000429", "+61400000500", "+61400000999"] {
        let started = std::time::Instant::now();
        let answer = clicksend.send(&sms(to)).await;
        assert!(matches!(answer, Err(SendError::Unavailable(_))), "{to}: {answer:?}");
        assert!(started.elapsed() < Duration::from_secs(2), "{to}: the client gives up at its timeout");
    }
}
