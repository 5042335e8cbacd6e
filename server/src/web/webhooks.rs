//! Webhooks providers call: ClickSend's delivery receipts at
//! `POST /webhooks/clicksend/receipts/{secret}`. The secret in the path (`SMS_WEBHOOK_SECRET`)
//! is the authentication, compared in constant time; a wrong one is 401, and without one
//! configured the route answers 404. Request logs and metrics name the route template, never the
//! secret. No session, CSRF check or IP allowlist: ClickSend is none of our staff.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::routing::post;
use domain::problem::ErrorCode;
use domain::services::messages::receipts::{self, Outcome, Receipt};

use crate::http::error::HttpError;
use crate::state::AppState;

/// The most receipts one request may carry.
const MAX_RECEIPTS: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new().route("/webhooks/clicksend/receipts/{secret}", post(clicksend_receipts))
}

/// One receipt (form-encoded, as ClickSend posts them, or JSON), or a JSON array of them.
async fn clicksend_receipts(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, HttpError> {
    let Some(expected) = state.config.sms_webhook_secret.as_deref() else {
        return Err(HttpError::new(
            ErrorCode::NotFound,
            "Delivery receipts are not enabled (SMS_WEBHOOK_SECRET).",
        ));
    };
    if !crate::http::secret::matches(&secret, expected) {
        return Err(HttpError::new(ErrorCode::Unauthorized, "Wrong webhook secret."));
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    let list: Vec<Receipt> =
        if json {
            let value: serde_json::Value = serde_json::from_slice(&body)
                .map_err(|e| HttpError::new(ErrorCode::BadRequest, format!("The body is not JSON: {e}")))?;
            let read = |v: serde_json::Value| {
                serde_json::from_value::<Receipt>(v)
                    .map_err(|e| HttpError::new(ErrorCode::BadRequest, format!("Not a receipt: {e}")))
            };
            match value {
                serde_json::Value::Array(items) if items.len() <= MAX_RECEIPTS => {
                    items.into_iter().map(read).collect::<Result<_, _>>()?
                }
                serde_json::Value::Array(_) => {
                    return Err(HttpError::new(
                        ErrorCode::PayloadTooLarge,
                        format!("At most {MAX_RECEIPTS} receipts per request."),
                    ));
                }
                other => vec![read(other)?],
            }
        } else {
            vec![serde_urlencoded::from_bytes::<Receipt>(&body).map_err(|e| {
                HttpError::new(ErrorCode::BadRequest, format!("Not a form-encoded receipt: {e}"))
            })?]
        };
    let (mut recorded, mut duplicates, mut unmatched) = (0, 0, 0);
    for receipt in list {
        match receipts::record(&state.db, receipt).await? {
            Outcome::Recorded { .. } => recorded += 1,
            Outcome::Duplicate => duplicates += 1,
            Outcome::Unmatched => unmatched += 1,
        }
    }
    Ok(Json(serde_json::json!({ "recorded": recorded, "duplicates": duplicates, "unmatched": unmatched })))
}
