//! Staff accounts: list, invite/create, change role, locations or active state.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::access::Role;
use domain::input::rules;
use domain::model::UserSummary;
use domain::services::users::{self, NewUser, UserChanges};
use serde::{Deserialize, Deserializer, Serialize};

use crate::api::caller::ApiActor;
use crate::http::error::{ErrorBody, HttpError};
use crate::http::extract::JsonObject;
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserList {
    items: Vec<UserSummary>,
    next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/users", tag = "users", summary = "Staff accounts",  responses((status = 200, body = UserList), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, caller: ApiActor) -> Result<Json<UserList>, HttpError> {
    let items = users::list(&state.db, &caller.actor).await?;
    Ok(Json(UserList { items, next_cursor: None }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// Their email address (stored lower-cased); one account per address.
    email: String,
    #[schema(value_type = rules::Label100, inline)]
    display_name: String,
    #[schema(value_type = Role)]
    role: String,
    /// Blank means none.
    #[serde(default)]
    #[schema(value_type = Option<rules::OptionalLabel100>, inline)]
    job_title: Option<String>,
    /// Left out: the account signs in with Google or a reset link until a password is set.
    #[serde(default)]
    #[schema(min_length = 10, max_length = 200)]
    password: Option<String>,
    /// Left out or `null`: every location. Otherwise existing location ids (repeats ignored).
    #[serde(default)]
    #[schema(max_items = 100)]
    location_ids: Option<Vec<String>>,
}

#[utoipa::path(post, path = "/users", tag = "users", summary = "Add a staff account", request_body = CreateUser, responses((status = 201, body = UserSummary), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 409, description = "Conflicts with existing data", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiActor,
    JsonObject(body): JsonObject<CreateUser>,
) -> Result<(StatusCode, Json<UserSummary>), HttpError> {
    let input = NewUser {
        email: body.email,
        display_name: body.display_name,
        role: body.role,
        job_title: body.job_title,
        password: body.password,
        location_ids: body.location_ids,
    };
    let user = users::create(&state.db, Some(&caller.actor), input, &caller.meta).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// Distinguishes an absent field (leave as is) from `null` (every location).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Vec<String>>>, D::Error> {
    Option::<Vec<String>>::deserialize(d).map(Some)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[serde(default)]
    #[schema(value_type = Option<rules::Label100>, inline)]
    display_name: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Role>)]
    role: Option<String>,
    /// `false` deactivates the account and ends its sessions.
    #[serde(default)]
    active: Option<bool>,
    /// `null`: every location; a list: only those (repeats ignored). Left out: unchanged.
    #[serde(default, deserialize_with = "present")]
    #[schema(max_items = 100)]
    location_ids: Option<Option<Vec<String>>>,
}

#[utoipa::path(patch, path = "/users/{id}", tag = "users", summary = "Change role, name, locations or active", params(("id" = String, Path, description = "The record's id")), request_body = UpdateUser, responses((status = 200, body = UserSummary), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<UpdateUser>,
) -> Result<Json<UserSummary>, HttpError> {
    let changes = UserChanges {
        display_name: body.display_name,
        role: body.role,
        active: body.active,
        location_ids: body.location_ids,
    };
    Ok(Json(users::update(&state.db, &caller.actor, &id, changes, &caller.meta).await?))
}
