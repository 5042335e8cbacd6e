//! The yardstick: a minimal axum + sqlx server answering `GET /contacts/{id}` with the same
//! database read as `GET /api/v1/contacts/{id}` (the domain's own SQL text: every column the API
//! returns, tags in the same subquery) and the same JSON body, and nothing else: no authentication,
//! audit entry, location scoping, middleware or error envelope. The ratio of the two servers'
//! throughput is what everything but the read costs.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use domain::Db;
use domain::model::Contact;
use domain::time::Timestamp;

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    first_name: String,
    last_name: String,
    phone: Option<String>,
    email: Option<String>,
    date_of_birth: Option<NaiveDate>,
    source: String,
    referring_doctor: Option<String>,
    requested_modality: Option<String>,
    notes: Option<String>,
    stage_id: String,
    location_id: Option<String>,
    owner_id: Option<String>,
    warmness: Option<i32>,
    sms_consent: bool,
    sms_consent_changed_at: Option<Timestamp>,
    email_consent: bool,
    email_consent_changed_at: Option<Timestamp>,
    custom_fields: String,
    last_touch_at: Option<Timestamp>,
    created_at: Timestamp,
    updated_at: Timestamp,
    deleted_at: Option<Timestamp>,
    tag_list: Option<String>,
}

#[derive(Clone)]
struct Bare {
    db: Db,
    sql: &'static str,
}

async fn contact(State(bare): State<Bare>, Path(id): Path<String>) -> Result<Json<Contact>, StatusCode> {
    let sql = sqlx::AssertSqlSafe(bare.sql);
    let row: Option<Row> = domain::on_db!(&bare.db, pool => {
        sqlx::query_as(sql).bind(&id).fetch_optional(pool).await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
    });
    let row = row.filter(|r| r.deleted_at.is_none()).ok_or(StatusCode::NOT_FOUND)?;
    let mut tags: Vec<String> =
        row.tag_list.map(|list| list.split('\u{1f}').map(str::to_owned).collect()).unwrap_or_default();
    tags.sort();
    // The API's own answer type, so both servers serialize the same shape the same way.
    Ok(Json(Contact {
        id: row.id,
        first_name: row.first_name,
        last_name: row.last_name,
        phone: row.phone,
        email: row.email,
        date_of_birth: row.date_of_birth,
        source: domain::model::ContactSource::parse(&row.source).unwrap_or_default(),
        referring_doctor: row.referring_doctor,
        requested_modality: row.requested_modality.as_deref().and_then(domain::model::Modality::parse),
        notes: row.notes,
        stage_id: row.stage_id,
        location_id: row.location_id,
        owner_id: row.owner_id,
        warmness: row.warmness,
        sms_consent: row.sms_consent,
        sms_consent_changed_at: row.sms_consent_changed_at.map(|t| t.0),
        email_consent: row.email_consent,
        email_consent_changed_at: row.email_consent_changed_at.map(|t| t.0),
        tags,
        custom_fields: serde_json::from_str(&row.custom_fields).unwrap_or_default(),
        last_touch_at: row.last_touch_at.map(|t| t.0),
        created_at: row.created_at.0,
        updated_at: row.updated_at.0,
    }))
}

/// Serves on a random local port; returns its base URL.
pub async fn spawn(db: Db) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let sql = domain::services::contacts::by_id_sql(db.backend());
    let app = Router::new().route("/contacts/{id}", get(contact)).with_state(Bare { db, sql });
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}
