//! The AI layer: one interface for the five things the CRM asks of a model (warmness, notes
//! enrichment, SMS reply intent, campaign drafts, report insights), answered by the built-in
//! engine by default.

pub mod builtin;
pub mod campaign_draft;
pub mod engine;
pub mod enrich;
pub mod redact;
pub mod report_insights;
pub mod settings;
pub mod sms_intent;
pub mod usage;
pub mod warmness;
