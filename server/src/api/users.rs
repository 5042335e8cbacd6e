//! Staff accounts: list, invite/create, change role, locations or active state.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::model::UserSummary;
use domain::services::users::{self, NewUser, UserChanges};
use serde::{Deserialize, Deserializer, Serialize};

use crate::api::error::ApiError;
use crate::api::extract::{ApiActor, ApiJson};
use crate::startup::AppState;

#[derive(Serialize)]
pub struct UserList {
    items: Vec<UserSummary>,
    next_cursor: Option<String>,
}

pub async fn list(State(state): State<AppState>, caller: ApiActor) -> Result<Json<UserList>, ApiError> {
    let items = users::list(&state.db, &caller.actor).await?;
    Ok(Json(UserList { items, next_cursor: None }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    email: String,
    display_name: String,
    role: String,
    #[serde(default)]
    job_title: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    location_ids: Option<Vec<String>>,
}

pub async fn create(
    State(state): State<AppState>,
    caller: ApiActor,
    ApiJson(body): ApiJson<CreateUser>,
) -> Result<(StatusCode, Json<UserSummary>), ApiError> {
    let input = NewUser {
        email: body.email,
        display_name: body.display_name,
        role: body.role,
        job_title: body.job_title,
        password: body.password,
        location_ids: body.location_ids,
    };
    let user = users::create(&state.db, Some(&caller.actor), input, Some(caller.ip.to_string())).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// Distinguishes an absent field (leave as is) from `null` (every location).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Vec<String>>>, D::Error> {
    Option::<Vec<String>>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    active: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    location_ids: Option<Option<Vec<String>>>,
}

pub async fn update(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateUser>,
) -> Result<Json<UserSummary>, ApiError> {
    let changes = UserChanges {
        display_name: body.display_name,
        role: body.role,
        active: body.active,
        location_ids: body.location_ids,
    };
    Ok(Json(users::update(&state.db, &caller.actor, &id, changes, Some(caller.ip.to_string())).await?))
}
