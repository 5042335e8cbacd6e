//! The REST API under `/api/v1`: Bearer tokens, JSON, errors as in ARCHITECTURE.md.
//! One module per area; each handler parses, calls one domain service, maps the error.

mod account;
mod ai;
mod audit;
mod bookings;
pub mod caller;
mod contacts;
mod jobs;
mod messages;
mod pipeline;
mod scheduling;
mod settings;
mod tasks;
mod users;
mod waitlist;

use axum::Json;
use axum::Router;
use axum::routing::get;
use domain::problem::ErrorCode;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::HttpError;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Avatar CRM REST API", description = "Contacts, pipeline, tasks, bookings and availability, messages, the AI layer (reply intent, warmness), users, settings and background jobs for imaging clinics. \
        Send `Authorization: Bearer <token>` (create tokens on My account). Errors are `{\"error\": {code, message, fields?}}`."),
    servers((url = "/api/v1")),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("avt_…").build(),
            ),
        );
    }
}

/// Every operation may also answer any 4XX or 5XX in the error shape: a body over 2 MiB (413),
/// one that did not arrive in time (408), the wrong content type (415), a throttled caller
/// (429), an address outside the IP allowlist (403), the database unreachable (503). The
/// statuses an operation answers for its own reasons are listed with it.
struct GenericErrors;

impl utoipa::Modify for GenericErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{Ref, ResponseBuilder, content::ContentBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            for operation in [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch]
                .into_iter()
                .flatten()
            {
                let responses = &mut operation.responses.responses;
                responses
                    .entry("4XX".into())
                    .or_insert_with(|| error("Refused; `error.code` says why").into());
                responses
                    .entry("5XX".into())
                    .or_insert_with(|| error("Our fault, or the database is unreachable").into());
            }
        }
    }
}

/// Every REST route, each registered with its OpenAPI description (so the document is complete
/// by construction), and `GET /openapi.json` serving that document.
pub fn router() -> Router<AppState> {
    let (router, document) = routes_and_document();
    let document = std::sync::Arc::new(document);
    router
        .route("/openapi.json", get(move || async move { Json(document.as_ref().clone()) }))
        .fallback(|| async { HttpError::new(ErrorCode::NotFound, "No such API route.") })
}

/// The OpenAPI document `GET /api/v1/openapi.json` serves.
pub fn document() -> utoipa::openapi::OpenApi {
    routes_and_document().1
}

fn routes_and_document() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(account::me))
        .routes(routes!(account::dashboard))
        .routes(routes!(account::list_tokens, account::create_token))
        .routes(routes!(account::revoke_token))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::update))
        .routes(routes!(audit::list))
        .routes(routes!(contacts::list, contacts::create))
        .routes(routes!(contacts::count))
        .routes(routes!(contacts::export_csv))
        .routes(routes!(contacts::import_csv))
        .routes(routes!(contacts::get, contacts::replace, contacts::patch, contacts::delete))
        .routes(routes!(contacts::restore))
        .routes(routes!(contacts::move_stage))
        .routes(routes!(contacts::duplicates))
        .routes(routes!(contacts::merge))
        .routes(routes!(contacts::merge_preview))
        .routes(routes!(contacts::merges))
        .routes(routes!(contacts::undo_merge))
        .routes(routes!(contacts::board))
        .routes(routes!(pipeline::create_stage))
        .routes(routes!(pipeline::update_stage, pipeline::delete_stage))
        .routes(routes!(tasks::timeline, tasks::log_touchpoint))
        .routes(routes!(tasks::list, tasks::create))
        .routes(routes!(tasks::counts))
        .routes(routes!(tasks::update))
        .routes(routes!(settings::get_allowlist, settings::put_allowlist))
        .routes(routes!(jobs::list))
        .routes(routes!(jobs::get))
        .routes(routes!(jobs::retry))
        .routes(routes!(jobs::discard))
        .routes(routes!(messages::send_sms))
        .routes(routes!(messages::send_email))
        .routes(routes!(messages::list))
        .routes(routes!(messages::get))
        .routes(routes!(messages::list_suppressions, messages::add_suppression))
        .routes(routes!(messages::remove_suppression))
        .routes(routes!(settings::providers))
        .routes(routes!(bookings::locations))
        .routes(routes!(bookings::services))
        .routes(routes!(bookings::resources))
        .routes(routes!(bookings::staff))
        .routes(routes!(bookings::availability))
        .routes(routes!(bookings::list, bookings::create))
        .routes(routes!(bookings::get, bookings::update))
        .routes(routes!(bookings::cancel))
        .routes(routes!(bookings::confirm))
        .routes(routes!(bookings::uncancel))
        .routes(routes!(bookings::complete))
        .routes(routes!(bookings::no_show))
        .routes(routes!(waitlist::list, waitlist::add))
        .routes(routes!(waitlist::remove))
        .routes(routes!(bookings::analytics))
        .routes(routes!(bookings::staff_feed))
        .routes(routes!(bookings::resource_feed))
        .routes(routes!(scheduling::set_location_hours))
        .routes(routes!(scheduling::add_closure))
        .routes(routes!(scheduling::remove_closure))
        .routes(routes!(scheduling::create_service))
        .routes(routes!(scheduling::update_service))
        .routes(routes!(scheduling::create_resource))
        .routes(routes!(scheduling::update_resource))
        .routes(routes!(scheduling::add_block))
        .routes(routes!(scheduling::remove_block))
        .routes(routes!(scheduling::set_qualifications))
        .routes(routes!(scheduling::set_working_hours))
        .routes(routes!(scheduling::add_leave))
        .routes(routes!(scheduling::remove_leave))
        .routes(routes!(ai::sms_intent))
        .routes(routes!(ai::get_warmness))
        .routes(routes!(ai::recalculate_warmness))
        .routes(routes!(ai::usage))
        .routes(routes!(ai::enrich))
        .routes(routes!(ai::campaign_draft))
        .routes(routes!(ai::report_insights))
        .routes(routes!(ai::ai_settings))
        .routes(routes!(ai::test_connection))
        .routes(routes!(ai::get_enrichment))
        .split_for_parts();
    // After the routes: a modifier in `#[openapi]` runs before any path is added.
    utoipa::Modify::modify(&GenericErrors, &mut document);
    (router, document)
}

#[cfg(test)]
mod document_tests;
