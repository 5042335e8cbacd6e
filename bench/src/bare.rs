//! The yardsticks: a minimal axum + sqlx server answering with the same database read as
//! `GET /api/v1/contacts/{id}` (the domain's own SQL text: every column the API returns, tags in
//! the same subquery) and the same JSON body, and nothing else: no authentication, location
//! scoping, middleware or error envelope.
//!
//! - `GET /audited/contacts/{id}` also commits the same audit row the API commits for a view
//!   (`contact.view`, same table and indexes, same driver) before answering, with the same
//!   durability: on SQLite the same pool (WAL, `synchronous = NORMAL`), on PostgreSQL a pool
//!   whose commits do not wait for the WAL flush (`synchronous_commit = off`, as the API's
//!   audit writer). It is one plain INSERT per request: what a bare handler would write. The
//!   read API's budget compares against it.
//! - `GET /contacts/{id}` reads only: what everything but the read costs, for information.

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
    /// Who the audit rows name: the benchmark token's user and token.
    actor: (String, String),
    /// PostgreSQL: the pool audit rows are written through (`synchronous_commit = off`).
    audit_pool: Option<sqlx::PgPool>,
}

const AUDIT_INSERT: &str = "INSERT INTO audit_events (id, occurred_at, actor_user_id, actor_token_id, action, \
    subject_type, subject_id, ip, request_id, detail) \
    VALUES ($1, $2, $3, $4, 'contact.view', 'contact', $5, '127.0.0.1', $6, NULL)";

async fn audited(bare: State<Bare>, id: Path<String>) -> Result<Json<Contact>, StatusCode> {
    let contact = contact(bare.clone(), id).await?;
    let failed = |_| StatusCode::INTERNAL_SERVER_ERROR;
    let (user, token) = &bare.actor;
    let (entry, request) = (ulid::Ulid::new().to_string(), ulid::Ulid::new().to_string());
    let now = Timestamp::now();
    match (&bare.audit_pool, bare.db.pool()) {
        (Some(pool), _) => {
            let insert = sqlx::query(AUDIT_INSERT).bind(&entry).bind(now).bind(user).bind(token);
            insert.bind(&contact.id).bind(&request).execute(pool).await.map_err(failed)?;
        }
        (None, domain::Pool::Sqlite(pool)) => {
            let insert = sqlx::query(AUDIT_INSERT).bind(&entry).bind(now).bind(user).bind(token);
            insert.bind(&contact.id).bind(&request).execute(pool).await.map_err(failed)?;
        }
        (None, domain::Pool::Postgres(_)) => return Err(StatusCode::INTERNAL_SERVER_ERROR),
    }
    Ok(contact)
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

/// Serves on a random local port; returns its base URL. `actor` is (user id, token id).
pub async fn spawn(db: Db, actor: (String, String)) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let sql = domain::services::contacts::by_id_sql(db.backend());
    let audit_pool = match db.pool() {
        domain::Pool::Postgres(pool) => {
            let options = pool.connect_options().as_ref().clone().options([("synchronous_commit", "off")]);
            Some(sqlx::postgres::PgPoolOptions::new().max_connections(16).connect_with(options).await?)
        }
        domain::Pool::Sqlite(_) => None,
    };
    let app = Router::new()
        .route("/contacts/{id}", get(contact))
        .route("/audited/contacts/{id}", get(audited))
        .with_state(Bare { db, sql, actor, audit_pool });
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{addr}"))
}
