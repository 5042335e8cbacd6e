//! The built-in engine: no network, no cost, the same answer every time, and reasons a person
//! can check.

pub mod campaign_draft;
pub mod enrichment;
pub mod report_insights;
pub mod sms_intent;
pub mod warmness;
