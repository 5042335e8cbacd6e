//! `/api/v1/ai/…` and a contact's warmness: the AI layer's answers over REST.

use axum::Json;
use axum::extract::{Path, State};
use domain::model::{
    AiConnectionTest, AiSettings, CampaignDraft, CampaignDraftInput, ContactEnrichment, ContactWarmness,
    EnrichInput, Enrichment, ReportInsights, ReportInsightsInput, SmsIntentAnswer, SmsIntentInput,
};
use domain::services::ai::usage::{self, Usage, UsageQuery};
use domain::services::ai::{campaign_draft, enrich, report_insights, settings, sms_intent, warmness};

use crate::api::caller::ApiActor;
use crate::http::error::{ErrorBody, HttpError};
use crate::http::extract::{JsonObject, QueryParams};
use crate::state::AppState;

/// What a patient's reply asks for (`confirm`, `cancel`, `reschedule`, `opt_out`, `question`,
/// `other`) and how sure the engine is; `context` (default `reminder`) is what the clinic's text
/// asked, which decides what a bare "no" means. Below 0.75 a person should decide.
#[utoipa::path(post, path = "/ai/sms-intent", tag = "ai", summary = "Read an SMS reply's intent", request_body = SmsIntentInput, responses((status = 200, body = SmsIntentAnswer), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn sms_intent(
    State(state): State<AppState>,
    caller: ApiActor,
    JsonObject(input): JsonObject<SmsIntentInput>,
) -> Result<Json<SmsIntentAnswer>, HttpError> {
    Ok(Json(sms_intent::classify(&state.db, &state.ai, &caller.actor, &input).await?))
}

/// The contact's warmness as its record, touchpoints and bookings give it now, each reason with
/// its points; `calculated_at` is when the stored score (lists, cards, filters) was last worked out.
#[utoipa::path(get, path = "/contacts/{id}/warmness", tag = "ai", summary = "A contact's warmness and its reasons", params(("id" = String, Path, description = "The record's id")), responses((status = 200, body = ContactWarmness), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody)))]
pub async fn get_warmness(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ContactWarmness>, HttpError> {
    Ok(Json(warmness::get(&state.db, &caller.actor, &id, &caller.meta).await?))
}

/// Works the contact's warmness out again now and stores it with its reasons.
#[utoipa::path(post, path = "/contacts/{id}/recalculate-warmness", tag = "ai", summary = "Recalculate and store a contact's warmness", params(("id" = String, Path, description = "The record's id")), responses((status = 200, body = ContactWarmness), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody)))]
pub async fn recalculate_warmness(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ContactWarmness>, HttpError> {
    Ok(Json(warmness::recalculate(&state.db, &caller.actor, &id, &caller.meta).await?))
}

/// The AI layer's calls by function and day (clinic's clock): how many, how many fell back to
/// the built-in engine, tokens and cost in millionths of a US dollar; and the month's spend
/// against its budget.
#[utoipa::path(get, path = "/ai/usage", tag = "ai", summary = "AI usage and cost by function and day", params(UsageQuery), responses((status = 200, body = Usage), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody)))]
pub async fn usage(
    State(state): State<AppState>,
    caller: ApiActor,
    QueryParams(query): QueryParams<UsageQuery>,
) -> Result<Json<Usage>, HttpError> {
    Ok(Json(usage::summary(&state.db, &caller.actor, state.ai.policy(), state.ai.provider(), &query).await?))
}

/// What a note or enquiry is about: intent (`book_scan`, `price`, `results`, `reschedule`,
/// `cancel`, `other`), urgency (`low`, `normal`, `high`, `urgent`), modality, body part and
/// whether a referral is mentioned, with the words each finding rests on.
#[utoipa::path(post, path = "/ai/enrich", tag = "ai", summary = "Read a note: intent, urgency, modality, body part, referral", request_body = EnrichInput, responses((status = 200, body = Enrichment), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn enrich(
    State(state): State<AppState>,
    caller: ApiActor,
    JsonObject(input): JsonObject<EnrichInput>,
) -> Result<Json<Enrichment>, HttpError> {
    Ok(Json(enrich::enrich(&state.db, &state.ai, &caller.actor, &input).await?))
}

/// A first draft of an email campaign from its goal and facts about its audience: subject,
/// preheader, HTML and text bodies with `{{contact.first_name}}`, `{{location.name}}`,
/// `{{booking_url}}` and `{{unsubscribe_url}}` to fill in per recipient, and the kind of campaign
/// the goal was read as.
#[utoipa::path(post, path = "/ai/campaign-draft", tag = "ai", summary = "Draft an email campaign", request_body = CampaignDraftInput, responses((status = 200, body = CampaignDraft), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn campaign_draft(
    State(state): State<AppState>,
    caller: ApiActor,
    JsonObject(input): JsonObject<CampaignDraftInput>,
) -> Result<Json<CampaignDraft>, HttpError> {
    Ok(Json(campaign_draft::draft(&state.db, &state.ai, &caller.actor, &input).await?))
}

/// What stands out in a report's statistics — changes against the previous period, anomalies
/// and trends — most notable first, each sentence quoting in `figure` the number it rests on.
#[utoipa::path(post, path = "/ai/report-insights", tag = "ai", summary = "Insights from report statistics", request_body = ReportInsightsInput, responses((status = 200, body = ReportInsights), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 422, description = "Invalid input; `fields` names each problem", body = ErrorBody), (status = 400, description = "Malformed JSON", body = ErrorBody)))]
pub async fn report_insights(
    State(state): State<AppState>,
    caller: ApiActor,
    JsonObject(input): JsonObject<ReportInsightsInput>,
) -> Result<Json<ReportInsights>, HttpError> {
    Ok(Json(report_insights::insights(&state.db, &state.ai, &caller.actor, &input).await?))
}

/// How the AI layer is set up — provider, host, each function's model, timeout, retries, the
/// month's spend and budget — from the server's environment; whether a key is set, never the key.
#[utoipa::path(get, path = "/ai/settings", tag = "ai", summary = "The AI provider's settings", responses((status = 200, body = AiSettings), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody)))]
pub async fn ai_settings(
    State(state): State<AppState>,
    caller: ApiActor,
) -> Result<Json<AiSettings>, HttpError> {
    Ok(Json(settings::view(&state.db, &state.ai, &caller.actor).await?))
}

/// Asks the configured model a one-line question to check the provider, key and model work
/// (`ok: false` with what went wrong when they do not). Audited.
#[utoipa::path(post, path = "/ai/test-connection", tag = "ai", summary = "Test the AI provider's connection", responses((status = 200, body = AiConnectionTest), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody)))]
pub async fn test_connection(
    State(state): State<AppState>,
    caller: ApiActor,
) -> Result<Json<AiConnectionTest>, HttpError> {
    Ok(Json(settings::test_connection(&state.db, &state.ai, &caller.actor, &caller.meta).await?))
}

/// What the contact's notes say — its own notes and the latest notes and calls on its timeline —
/// as last read after they changed (`read_at`); `enrichment` is null until then.
#[utoipa::path(get, path = "/contacts/{id}/enrichment", tag = "ai", summary = "What a contact's notes say", params(("id" = String, Path, description = "The record's id")), responses((status = 200, body = ContactEnrichment), (status = 401, description = "No or bad token", body = ErrorBody), (status = 403, description = "Role lacks the permission", body = ErrorBody), (status = 404, description = "No such record (or not in your locations)", body = ErrorBody)))]
pub async fn get_enrichment(
    State(state): State<AppState>,
    caller: ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ContactEnrichment>, HttpError> {
    Ok(Json(enrich::stored(&state.db, &caller.actor, &id, &caller.meta).await?))
}
