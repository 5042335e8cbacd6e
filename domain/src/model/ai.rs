//! The AI layer's inputs and answers (serde only: shared with the WASM UI). Every engine, the
//! built-in one and a remote model alike, answers in these shapes.

use serde::{Deserialize, Serialize};

/// What a patient's text message back to the clinic is asking for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SmsIntent {
    Confirm,
    Cancel,
    Reschedule,
    OptOut,
    Question,
    Other,
}

impl SmsIntent {
    pub const ALL: [SmsIntent; 6] = [
        SmsIntent::Confirm,
        SmsIntent::Cancel,
        SmsIntent::Reschedule,
        SmsIntent::OptOut,
        SmsIntent::Question,
        SmsIntent::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SmsIntent::Confirm => "confirm",
            SmsIntent::Cancel => "cancel",
            SmsIntent::Reschedule => "reschedule",
            SmsIntent::OptOut => "opt_out",
            SmsIntent::Question => "question",
            SmsIntent::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<SmsIntent> {
        SmsIntent::ALL.into_iter().find(|intent| intent.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            SmsIntent::Confirm => "Confirms",
            SmsIntent::Cancel => "Cancels",
            SmsIntent::Reschedule => "Wants another time",
            SmsIntent::OptOut => "Opts out",
            SmsIntent::Question => "Asks a question",
            SmsIntent::Other => "Something else",
        }
    }
}

/// What the text a patient replied to asked of them, which decides what a bare "no" means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReplyContext {
    /// A confirmation or reminder of a booking ("Reply YES to confirm or R to reschedule").
    #[default]
    Reminder,
    /// A yes/no question about attending ("Can you still make it?").
    AttendanceQuestion,
    /// Nothing known (a first message, or the clinic's text is not on record).
    Unprompted,
}

/// A reply to classify.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SmsIntentInput {
    /// The reply as received (at most 1,600 characters: ten SMS parts).
    #[cfg_attr(feature = "server", schema(value_type = crate::input::rules::RequiredProse1600, inline))]
    pub text: String,
    #[serde(default)]
    pub context: ReplyContext,
}

/// A reply's intent, with how sure the engine is (0–1). Unsure answers are low: the inbox asks a
/// person instead of acting on them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SmsIntentAnswer {
    pub intent: SmsIntent,
    pub confidence: f64,
}

/// What a contact's warmness is scored from: no names, numbers or addresses, only facts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WarmnessFacts {
    pub requested_modality: Option<super::Modality>,
    pub referral_on_file: bool,
    pub source: super::ContactSource,
    pub has_phone: bool,
    pub has_email: bool,
    pub has_date_of_birth: bool,
    /// Touchpoints (calls, texts, emails, notes, bookings), newest first.
    pub touchpoints: Vec<TouchFact>,
    /// The contact's bookings, any order.
    pub bookings: Vec<BookingFact>,
    /// Scored as of this instant (the same facts at the same instant give the same score).
    pub now: chrono::DateTime<chrono::Utc>,
}

/// One touchpoint as warmness sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TouchFact {
    pub kind: super::TouchpointKind,
    /// From the patient (a reply), not from the clinic.
    pub inbound: bool,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// One booking as warmness sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct BookingFact {
    pub status: super::BookingStatus,
    pub starts_at: chrono::DateTime<chrono::Utc>,
}

/// How likely a contact is to book, 0–100, and why: each reason the points it added or took.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Warmness {
    pub score: i32,
    pub reasons: Vec<WarmnessReason>,
}

/// One part of a warmness score ("+18 referral on file").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WarmnessReason {
    pub points: i32,
    pub text: String,
}

impl WarmnessReason {
    /// "+18 referral on file", "−10 no contact for 21 days".
    pub fn label(&self) -> String {
        if self.points < 0 {
            format!("\u{2212}{} {}", self.points.unsigned_abs(), self.text)
        } else {
            format!("+{} {}", self.points, self.text)
        }
    }
}

/// A contact's warmness as its facts give it now, and when the stored score (what lists, cards
/// and filters use) was last worked out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ContactWarmness {
    pub contact_id: String,
    pub score: i32,
    pub reasons: Vec<WarmnessReason>,
    /// `None` when it has never been stored.
    pub calculated_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What a note or an enquiry is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EnquiryIntent {
    BookScan,
    Price,
    Results,
    Reschedule,
    Cancel,
    Other,
}

/// How soon the person needs the clinic to act.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Low,
    Normal,
    High,
    Urgent,
}

/// A note to read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnrichInput {
    /// The note or enquiry as written (at most 2,000 characters).
    #[cfg_attr(feature = "server", schema(value_type = crate::input::rules::RequiredProse2000, inline))]
    pub text: String,
}

/// What a note says, with the words each finding rests on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Enrichment {
    pub intent: EnquiryIntent,
    pub urgency: Urgency,
    pub modality: Option<super::Modality>,
    /// e.g. "knee", "lumbar spine", "breast".
    pub body_part: Option<String>,
    pub referral_mentioned: bool,
    /// e.g. `modality: "MRI"`, `urgency: "asap"`.
    pub evidence: Vec<String>,
}
