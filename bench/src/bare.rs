//! The yardstick: a minimal axum + sqlx server answering `GET /contacts/{id}` with the same
//! row read as JSON, and nothing else (no auth, audit, scoping, middleware).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use domain::Db;
use serde_json::{Value, json};

const SQL: &str =
    "SELECT id, first_name, last_name, phone, email, source, stage_id FROM contacts WHERE id = $1";

async fn contact(State(db): State<Db>, Path(id): Path<String>) -> Result<Json<Value>, StatusCode> {
    type Row = (String, String, String, Option<String>, Option<String>, String, String);
    let row: Option<Row> = domain::on_db!(&db, pool => {
        sqlx::query_as(SQL).bind(&id).fetch_optional(pool).await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
    });
    let (id, first_name, last_name, phone, email, source, stage_id) = row.ok_or(StatusCode::NOT_FOUND)?;
    Ok(Json(json!({ "id": id, "first_name": first_name, "last_name": last_name, "phone": phone,
                    "email": email, "source": source, "stage_id": stage_id })))
}

/// Serves on a random local port; returns its base URL.
pub async fn spawn(db: Db) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = Router::new().route("/contacts/{id}", get(contact)).with_state(db);
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}
