//! The AI layer's inputs and answers (serde only: shared with the WASM UI). Every engine, the
//! built-in one and a remote model alike, answers in these shapes.

use serde::{Deserialize, Deserializer, Serialize};

/// Nested objects of the inputs are objects only: serde would otherwise also read a struct from
/// a JSON array of its fields in order, which the API documents as an error.
fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    struct ObjectOnly<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for ObjectOnly<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_map(ObjectOnly(std::marker::PhantomData))
}

/// One element of a list of objects, read by [`object`].
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        object(d).map(Object)
    }
}

/// A list whose elements are objects only (see [`object`]).
fn objects<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Vec::<Object<T>>::deserialize(d).map(|items| items.into_iter().map(|Object(t)| t).collect())
}

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

impl EnquiryIntent {
    pub fn label(self) -> &'static str {
        match self {
            EnquiryIntent::BookScan => "To book a scan",
            EnquiryIntent::Price => "To know the price",
            EnquiryIntent::Results => "Their results",
            EnquiryIntent::Reschedule => "Another time",
            EnquiryIntent::Cancel => "To cancel",
            EnquiryIntent::Other => "Not clear",
        }
    }
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

impl Urgency {
    pub fn label(self) -> &'static str {
        match self {
            Urgency::Low => "Low",
            Urgency::Normal => "Normal",
            Urgency::High => "Soon",
            Urgency::Urgent => "Urgent",
        }
    }
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

/// The tone a campaign draft is written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CampaignTone {
    /// "Hi Ada," … "See you soon,"
    #[default]
    Friendly,
    /// "Dear Ada," … "Kind regards,"
    Professional,
}

/// What a campaign sets out to do, as the draft reads its goal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CampaignKind {
    /// Patients due for a follow-up or a yearly screening.
    Recall,
    /// Enquiries that never booked.
    Reactivation,
    /// Patients who missed or cancelled a booking.
    Rebook,
    /// Something new: a service, a scanner, a location, hours.
    Announcement,
    /// Anything else (a newsletter).
    General,
}

impl CampaignKind {
    pub const ALL: [CampaignKind; 5] = [
        CampaignKind::Recall,
        CampaignKind::Reactivation,
        CampaignKind::Rebook,
        CampaignKind::Announcement,
        CampaignKind::General,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CampaignKind::Recall => "recall",
            CampaignKind::Reactivation => "reactivation",
            CampaignKind::Rebook => "rebook",
            CampaignKind::Announcement => "announcement",
            CampaignKind::General => "general",
        }
    }

    pub fn parse(value: &str) -> Option<CampaignKind> {
        CampaignKind::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

/// Who a campaign would reach, as facts (no names or numbers).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SegmentFacts {
    /// How many contacts it would reach (at most 10,000,000).
    #[serde(default)]
    #[cfg_attr(feature = "server", schema(maximum = 10_000_000))]
    pub size: Option<u32>,
    /// The scan they asked about or had.
    #[serde(default)]
    pub modality: Option<super::Modality>,
    /// The location's name, when the segment is one location's (at most 100 characters).
    #[serde(default)]
    #[cfg_attr(feature = "server", schema(value_type = Option<crate::input::rules::OptionalLabel100>))]
    pub location: Option<String>,
    /// Typical days since they were last in touch (at most 3,650).
    #[serde(default)]
    #[cfg_attr(feature = "server", schema(maximum = 3650))]
    pub inactive_days: Option<u32>,
}

/// What a campaign draft is asked for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignDraftInput {
    /// What the campaign is for, in the clinic's words ("Remind women due for their yearly
    /// mammogram"), at most 500 characters.
    #[cfg_attr(feature = "server", schema(value_type = crate::input::rules::Label500, inline))]
    pub goal: String,
    #[serde(default, deserialize_with = "object")]
    pub segment: SegmentFacts,
    #[serde(default)]
    pub tone: CampaignTone,
}

/// An email campaign's first draft. `{{contact.first_name}}`, `{{location.name}}`,
/// `{{booking_url}}` and `{{unsubscribe_url}}` are filled in for each recipient when it is sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CampaignDraft {
    pub kind: CampaignKind,
    pub subject: String,
    /// The line inboxes show after the subject.
    pub preheader: String,
    /// The body as HTML (paragraphs, links, emphasis and lists only).
    pub html: String,
    /// The same body as plain text.
    pub text: String,
    /// Why it reads the goal as it does ("recall: “yearly”").
    pub rationale: Vec<String>,
}

/// What a figure counts, which decides how it is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MetricUnit {
    /// "142"
    #[default]
    Count,
    /// Money in cents: 123450 is "$1,234.50".
    Cents,
    /// Percentage points: 7.5 is "7.5%".
    Percent,
    /// "42 min"
    Minutes,
}

/// One day's value in a metric's series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SeriesPoint {
    pub date: chrono::NaiveDate,
    #[cfg_attr(feature = "server", schema(minimum = -1e13, maximum = 1e13))]
    pub value: f64,
}

/// One statistic of a report: this period, the one before, and its days.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MetricInput {
    /// What insights cite it by: lower case letters, digits and `_`, at most 40.
    #[cfg_attr(feature = "server", schema(pattern = "^[a-z0-9_]{1,40}$", max_length = 40))]
    pub key: String,
    /// How a person calls it ("Bookings", "No-show rate"), at most 60 characters.
    #[cfg_attr(feature = "server", schema(value_type = crate::input::rules::Label60, inline))]
    pub label: String,
    #[serde(default)]
    pub unit: MetricUnit,
    #[cfg_attr(feature = "server", schema(minimum = -1e13, maximum = 1e13))]
    pub current: f64,
    #[serde(default)]
    #[cfg_attr(feature = "server", schema(minimum = -1e13, maximum = 1e13))]
    pub previous: Option<f64>,
    /// Whether a rise is good news (bookings) or bad (no-shows). Default true.
    #[serde(default = "yes")]
    pub higher_is_better: bool,
    /// This period's values day by day (at most 400), for trends and anomalies.
    #[serde(default, deserialize_with = "objects")]
    #[cfg_attr(feature = "server", schema(max_items = 400))]
    pub series: Vec<SeriesPoint>,
}

fn yes() -> bool {
    true
}

/// Statistics to read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportInsightsInput {
    /// One to 50 metrics (keys should be distinct: insights cite them by key).
    #[serde(deserialize_with = "objects")]
    #[cfg_attr(feature = "server", schema(min_items = 1, max_items = 50))]
    pub metrics: Vec<MetricInput>,
}

/// What an insight is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InsightKind {
    /// Against the previous period.
    Change,
    /// One day unlike the rest.
    Anomaly,
    /// A steady climb or fall through the period.
    Trend,
}

/// Whether an insight is good news.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InsightTone {
    Good,
    Concern,
    Neutral,
}

/// One sentence about the figures, citing the one it rests on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Insight {
    pub kind: InsightKind,
    /// The cited metric's key.
    pub metric: String,
    /// The figure the sentence rests on, as it appears in it ("18%", "$1,234.50").
    pub figure: String,
    pub text: String,
    pub tone: InsightTone,
}

/// What stands out in a report, most notable first (at most 12).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ReportInsights {
    pub insights: Vec<Insight>,
}

/// The functions the AI layer answers (a closed set: each has its schema and its model).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AiFunction {
    SmsIntent,
    Warmness,
    Enrichment,
    CampaignDraft,
    ReportInsights,
}

impl AiFunction {
    pub const ALL: [AiFunction; 5] = [
        AiFunction::SmsIntent,
        AiFunction::Warmness,
        AiFunction::Enrichment,
        AiFunction::CampaignDraft,
        AiFunction::ReportInsights,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AiFunction::SmsIntent => "sms_intent",
            AiFunction::Warmness => "warmness",
            AiFunction::Enrichment => "enrichment",
            AiFunction::CampaignDraft => "campaign_draft",
            AiFunction::ReportInsights => "report_insights",
        }
    }

    pub fn parse(value: &str) -> Option<AiFunction> {
        AiFunction::ALL.into_iter().find(|f| f.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            AiFunction::SmsIntent => "SMS reply intent",
            AiFunction::Warmness => "Warmness",
            AiFunction::Enrichment => "Notes enrichment",
            AiFunction::CampaignDraft => "Campaign drafts",
            AiFunction::ReportInsights => "Report insights",
        }
    }
}

/// One function's calls on one day (the clinic's clock).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UsageDay {
    pub day: chrono::NaiveDate,
    pub function: AiFunction,
    pub calls: i64,
    /// Calls the built-in engine answered because the model failed or the budget was spent.
    pub fallbacks: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    /// Millionths of a US dollar.
    pub cost_micros: i64,
}

/// The AI layer's calls by day and function over a range of days, and the month's spend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Usage {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    /// Days with calls only, by day then function.
    pub days: Vec<UsageDay>,
    pub total_cost_micros: i64,
    /// This calendar month so far (the clinic's clock), whatever the range.
    pub spent_this_month_micros: i64,
    /// `AI_MONTHLY_BUDGET` in millionths of a dollar; none when unlimited.
    pub monthly_budget_micros: Option<i64>,
    /// `builtin` or `openai`.
    pub provider: String,
}

/// One function's model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AiFunctionModel {
    pub function: AiFunction,
    /// The model asked; none when the built-in engine answers.
    pub model: Option<String>,
}

/// How the AI layer is set up (from the server's environment; never the key).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AiSettings {
    /// `builtin` or `openai`.
    pub provider: String,
    /// The provider's host (`api.cloudflare.com`, `localhost:11434`); none for the built-in engine.
    pub endpoint_host: Option<String>,
    /// Whether `AI_API_KEY` is set (its value is never shown).
    pub key_set: bool,
    /// `openai` or `bare` (`AI_JSON_SCHEMA_STYLE`).
    pub schema_style: Option<String>,
    pub timeout_secs: Option<u64>,
    pub retries: Option<u32>,
    pub models: Vec<AiFunctionModel>,
    pub monthly_budget_micros: Option<i64>,
    pub spent_this_month_micros: i64,
}

/// What asking the provider a one-line question found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AiConnectionTest {
    pub ok: bool,
    /// The model asked (the default `AI_MODEL`).
    pub model: Option<String>,
    pub latency_ms: i64,
    /// For a person: "The model answered in 412 ms." or what went wrong.
    pub message: String,
}

/// What a contact's notes say as last read (by the `enrich_contact` job), and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ContactEnrichment {
    pub contact_id: String,
    /// None until the notes have been read (or when there are none).
    pub enrichment: Option<Enrichment>,
    pub read_at: Option<chrono::DateTime<chrono::Utc>>,
    /// A reading of a later change is waiting or running.
    pub pending: bool,
}
