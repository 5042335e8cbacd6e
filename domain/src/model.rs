//! Data shapes shared by the server and the hydrated UI (serde only: compiles to WASM).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod ai;
mod bookings;
pub use ai::*;
pub use bookings::*;

/// What the dashboard shows: every figure comes from the database in one service call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DashboardSummary {
    pub total_contacts: i64,
    pub new_contacts_last_7_days: i64,
    pub open_tasks: i64,
    pub overdue_tasks: i64,
    pub stages: Vec<StageCount>,
    pub locations: Vec<LocationSummary>,
    pub recent_contacts: Vec<RecentContact>,
}

/// Contacts currently in one pipeline stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct StageCount {
    pub stage_id: String,
    pub name: String,
    pub contacts: i64,
}

/// A clinic location with its IANA time zone and how many contacts it holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LocationSummary {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    /// The clinic's wall-clock time there now, e.g. "Fri 27 Nov, 5:53 pm AEDT".
    pub local_time: String,
    pub contacts: i64,
}

/// A contact as listed on the dashboard: enough to recognise them, nothing clinical.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RecentContact {
    pub id: String,
    pub display_name: String,
    pub stage_name: String,
    pub requested_modality: Option<Modality>,
    pub created_at: DateTime<Utc>,
    /// When the enquiry came in, on the clinic's clock (its first location's zone), e.g.
    /// "Tue 1 Dec, 6:33 am AEDT": one zone for the whole list.
    pub created_local: String,
}

/// A staff account as listed on the Users page and in the API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UserSummary {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: crate::access::Role,
    pub job_title: Option<String>,
    pub active: bool,
    pub has_password: bool,
    /// `None` = every location; otherwise the ids the user is limited to.
    pub location_ids: Option<Vec<String>>,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

/// An API token as listed (never the token itself).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ApiTokenSummary {
    pub id: String,
    pub name: String,
    /// The first characters, to tell tokens apart, e.g. `avt_3fa9c2`.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A token just created: the only time its secret is shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct NewApiToken {
    pub token: String,
    pub summary: ApiTokenSummary,
}

/// One entry of the audit log: ids only, never a patient's details.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    pub actor_user_id: Option<String>,
    pub actor_email: Option<String>,
    pub actor_token_id: Option<String>,
    pub action: String,
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    pub ip: Option<String>,
    /// The `x-request-id` of the request, as in the server's log.
    pub request_id: Option<String>,
    pub detail: Option<String>,
}

/// A page of a list, with the cursor for the next page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    /// The cursor of the page before this one, on lists that can go back (contacts); absent
    /// on the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A page that only goes forward.
    pub fn forward(items: Vec<T>, next_cursor: Option<String>) -> Page<T> {
        Page { items, next_cursor, prev_cursor: None }
    }

    /// Nothing to show.
    pub fn empty() -> Page<T> {
        Page::forward(Vec::new(), None)
    }
}

/// How many contacts a list's filters find (`GET /api/v1/contacts/count`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ContactCount {
    pub total: u64,
    /// A name search keeps only its best 1,000 matches: `true` when it found that many, so
    /// there may be more.
    pub capped: bool,
}

/// The IP allowlist as edited in Settings.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct IpAllowlistSettings {
    pub enabled: bool,
    /// IPv4/IPv6 addresses or CIDR ranges, e.g. `203.0.113.0/24`, `2001:db8::/32`; blank ones
    /// are dropped. Saving refuses a list that leaves out the saver's own address.
    #[cfg_attr(feature = "server", schema(max_items = 200))]
    pub entries: Vec<String>,
}

/// An email to staff in the system outbox: kept to be passed on, or sent through the relay.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct OutboxEmail {
    pub id: String,
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub body_text: String,
    pub created_at: DateTime<Utc>,
    /// When the SMTP relay took it (its text is then no longer kept).
    #[serde(default)]
    pub sent_at: Option<DateTime<Utc>>,
}

/// A patient or enquirer, as the API and the contact page show them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Contact {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    /// E.164, e.g. `+61412345678`.
    pub phone: Option<String>,
    /// Lower-cased.
    pub email: Option<String>,
    pub date_of_birth: Option<chrono::NaiveDate>,
    pub source: ContactSource,
    pub referring_doctor: Option<String>,
    pub requested_modality: Option<Modality>,
    pub notes: Option<String>,
    pub stage_id: String,
    pub location_id: Option<String>,
    pub owner_id: Option<String>,
    /// 0–100 once the AI layer scores the contact; `None` = unscored.
    pub warmness: Option<i32>,
    pub sms_consent: bool,
    pub sms_consent_changed_at: Option<DateTime<Utc>>,
    pub email_consent: bool,
    pub email_consent_changed_at: Option<DateTime<Utc>>,
    /// Lower-case labels, sorted.
    pub tags: Vec<String>,
    /// Clinic-defined extra fields, e.g. `medicare_number`.
    pub custom_fields: std::collections::BTreeMap<String, String>,
    /// When the newest touchpoint happened.
    pub last_touch_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where a contact came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactSource {
    WebForm,
    Referral,
    #[default]
    Phone,
    Campaign,
    WalkIn,
}

impl ContactSource {
    pub const ALL: [ContactSource; 5] = [
        ContactSource::WebForm,
        ContactSource::Referral,
        ContactSource::Phone,
        ContactSource::Campaign,
        ContactSource::WalkIn,
    ];

    /// The stored and API form, e.g. `walk_in`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactSource::WebForm => "web_form",
            ContactSource::Referral => "referral",
            ContactSource::Phone => "phone",
            ContactSource::Campaign => "campaign",
            ContactSource::WalkIn => "walk_in",
        }
    }

    /// Exactly one of the API forms (no trimming or case folding: the API says exactly these).
    pub fn parse(value: &str) -> Option<ContactSource> {
        ContactSource::ALL.into_iter().find(|source| source.as_str() == value)
    }

    /// How staff read it ("Walk-in").
    pub fn label(self) -> &'static str {
        match self {
            ContactSource::WebForm => "Web form",
            ContactSource::Referral => "Referral",
            ContactSource::Phone => "Phone",
            ContactSource::Campaign => "Campaign",
            ContactSource::WalkIn => "Walk-in",
        }
    }
}

/// An imaging modality a contact may ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    Mri,
    Ct,
    Ultrasound,
    Xray,
    Mammography,
}

impl Modality {
    pub const ALL: [Modality; 5] =
        [Modality::Mri, Modality::Ct, Modality::Ultrasound, Modality::Xray, Modality::Mammography];

    pub fn as_str(self) -> &'static str {
        match self {
            Modality::Mri => "mri",
            Modality::Ct => "ct",
            Modality::Ultrasound => "ultrasound",
            Modality::Xray => "xray",
            Modality::Mammography => "mammography",
        }
    }

    /// Exactly one of the API forms.
    pub fn parse(value: &str) -> Option<Modality> {
        Modality::ALL.into_iter().find(|modality| modality.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Modality::Mri => "MRI",
            Modality::Ct => "CT",
            Modality::Ultrasound => "Ultrasound",
            Modality::Xray => "X-ray",
            Modality::Mammography => "Mammography",
        }
    }
}

/// What a timeline entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TouchpointKind {
    Call,
    Sms,
    Email,
    Booking,
    Note,
    StageChange,
}

impl TouchpointKind {
    pub const ALL: [TouchpointKind; 6] = [
        TouchpointKind::Call,
        TouchpointKind::Sms,
        TouchpointKind::Email,
        TouchpointKind::Booking,
        TouchpointKind::Note,
        TouchpointKind::StageChange,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TouchpointKind::Call => "call",
            TouchpointKind::Sms => "sms",
            TouchpointKind::Email => "email",
            TouchpointKind::Booking => "booking",
            TouchpointKind::Note => "note",
            TouchpointKind::StageChange => "stage_change",
        }
    }

    pub fn parse(value: &str) -> Option<TouchpointKind> {
        TouchpointKind::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            TouchpointKind::Call => "Call",
            TouchpointKind::Sms => "SMS",
            TouchpointKind::Email => "Email",
            TouchpointKind::Booking => "Booking",
            TouchpointKind::Note => "Note",
            TouchpointKind::StageChange => "Stage change",
        }
    }
}

/// Why another contact may be the same person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// The same phone number.
    Phone,
    /// The same email address.
    Email,
    /// A similar name (typos tolerated), and no different date of birth on record.
    Name,
}

/// What an import did with a row that was not simply created.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportRowStatus {
    /// An existing contact (same phone or email) was updated from the row.
    Updated,
    /// Skipped: the contact is already on file.
    Duplicate,
    /// Not imported; `errors` says why.
    Invalid,
}

/// How many open tasks each of the Tasks page's lists holds, in the caller's locations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TaskCounts {
    /// Due by the end of today (overdue included), the caller's or no one's.
    pub needs_doing: i64,
    /// Open and the caller's.
    pub mine: i64,
    /// Open and no one's.
    pub unassigned: i64,
    /// Open and past their due time, anyone's.
    pub overdue: i64,
    /// Open, anyone's.
    pub open: i64,
}

/// Which tasks a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Not completed yet.
    #[default]
    Open,
    /// Not completed and past their due time.
    Overdue,
    /// Not completed and due by the end of today on the clinic's clock (overdue included):
    /// what needs doing today.
    DueToday,
    /// Completed.
    Done,
    All,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 5] =
        [TaskStatus::Open, TaskStatus::Overdue, TaskStatus::DueToday, TaskStatus::Done, TaskStatus::All];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Overdue => "overdue",
            TaskStatus::DueToday => "due_today",
            TaskStatus::Done => "done",
            TaskStatus::All => "all",
        }
    }

    pub fn parse(value: &str) -> Option<TaskStatus> {
        TaskStatus::ALL.into_iter().find(|status| status.as_str() == value)
    }
}

/// How a contact list is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactSort {
    /// Best name match first (needs a name in `q`; otherwise newest).
    Relevance,
    Newest,
    Oldest,
    Name,
    Updated,
    Warmness,
}

impl ContactSort {
    pub const ALL: [ContactSort; 6] = [
        ContactSort::Relevance,
        ContactSort::Newest,
        ContactSort::Oldest,
        ContactSort::Name,
        ContactSort::Updated,
        ContactSort::Warmness,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactSort::Relevance => "relevance",
            ContactSort::Newest => "newest",
            ContactSort::Oldest => "oldest",
            ContactSort::Name => "name",
            ContactSort::Updated => "updated",
            ContactSort::Warmness => "warmness",
        }
    }

    pub fn parse(value: &str) -> Option<ContactSort> {
        ContactSort::ALL.into_iter().find(|sort| sort.as_str() == value)
    }
}

/// One entry on a contact's timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Touchpoint {
    pub id: String,
    pub contact_id: String,
    pub kind: TouchpointKind,
    pub summary: String,
    pub user_id: Option<String>,
    pub occurred_at: DateTime<Utc>,
    /// The message this entry is, when it is an SMS or email sent from here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// That message's delivery status now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_status: Option<MessageStatus>,
}

/// A to-do for staff, usually about a contact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Task {
    pub id: String,
    pub contact_id: Option<String>,
    /// The contact's name, for lists (absent for tasks not about a contact).
    pub contact_name: Option<String>,
    pub title: String,
    pub assignee_id: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    /// The calendar day `due_at` falls on in the zone of the contact's location (else the
    /// clinic's first location).
    pub due_day: Option<chrono::NaiveDate>,
    /// `due_at` as that location's clock shows it, e.g. "Tue 15 Dec 2026, 5:00 pm AEST".
    pub due_label: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Open and past its due time, as of when the server answered.
    pub overdue: bool,
}

/// What an import column can fill: a contact field, `full_name` (split at the last space),
/// or `custom:<key>` for a custom field. An empty mapping ignores the column.
pub const IMPORT_FIELDS: [&str; 15] = [
    "first_name",
    "last_name",
    "full_name",
    "phone",
    "email",
    "date_of_birth",
    "source",
    "referring_doctor",
    "requested_modality",
    "notes",
    "tags",
    "stage",
    "location",
    "sms_consent",
    "email_consent",
];

/// A CSV file's columns with the fields they were matched to, and its first rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ImportPreview {
    pub headers: Vec<String>,
    /// One entry per header: an [`IMPORT_FIELDS`] name, `custom:<key>`, or "" (ignored).
    pub mapping: Vec<String>,
    pub sample: Vec<Vec<String>>,
    pub total_rows: usize,
}

/// What an import did (or, with `dry_run`, would do).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub dry_run: bool,
    pub total_rows: usize,
    pub created: usize,
    pub updated: usize,
    /// Rows skipped because the contact already exists (same phone or email).
    pub duplicates: usize,
    pub invalid: usize,
    /// Every row not simply created, in file order.
    pub rows: Vec<ImportRowReport>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ImportRowReport {
    /// The row's line in the file (the header is row 1).
    pub row: usize,
    pub status: ImportRowStatus,
    pub contact_id: Option<String>,
    /// Field → problem, for invalid rows.
    pub errors: std::collections::BTreeMap<String, String>,
}

/// Where a merged record's value of one field comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MergeSource {
    /// Both records say the same (or neither says anything).
    Same,
    /// The kept record's value stays; the retired one's is dropped.
    Kept,
    /// The kept record had none: the retired record's value is taken.
    Retired,
    /// Both are kept together (notes, tags, custom fields).
    Combined,
}

/// One field of a merge, before it happens: each record's value and what the kept record
/// will hold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MergeField {
    pub label: String,
    pub kept: Option<String>,
    pub retired: Option<String>,
    pub result: Option<String>,
    pub source: MergeSource,
}

/// A merge into a contact that can still be undone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ContactMerge {
    pub id: String,
    pub kept_id: String,
    pub retired_id: String,
    /// The retired record's name.
    pub retired_name: String,
    pub merged_at: DateTime<Utc>,
    /// After this the merge is final.
    pub undo_until: DateTime<Utc>,
}

/// Another contact that may be the same person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DuplicateMatch {
    pub contact_id: String,
    pub name: String,
    pub reason: DuplicateReason,
}

/// The pipeline board: every stage with its total and its most recently changed cards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PipelineBoard {
    pub columns: Vec<BoardColumn>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct BoardColumn {
    pub stage: Stage,
    /// Every contact in the stage (the column may show fewer cards).
    pub count: i64,
    pub cards: Vec<BoardCard>,
}

/// What a card on the board shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct BoardCard {
    pub id: String,
    pub name: String,
    pub requested_modality: Option<Modality>,
    /// `None` until the AI layer scores the contact ("unscored").
    pub warmness: Option<i32>,
    pub last_touch_at: Option<DateTime<Utc>>,
}

/// A pipeline stage (New enquiry → … → Lost).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Stage {
    pub id: String,
    pub name: String,
    pub is_closed: bool,
}

/// What a background job does. A closed set: each kind has its handler and retry policy
/// (domain/src/jobs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Does nothing: measures the queue itself (the benchmark) and proves a worker is alive.
    Noop,
    /// Puts back jobs whose worker died mid-run (a cron schedule, every minute).
    RecoverLeases,
    /// Deletes finished jobs and old outbox copies (a cron schedule, nightly).
    RetentionSweep,
    /// Sends one stored SMS through the configured provider.
    SendSms,
    /// Sends one stored email through the configured provider.
    SendEmail,
    /// Sends one email to staff (a password reset link) from the system email outbox through
    /// the SMTP relay, when one is configured.
    SendStaffEmail,
    /// Texts a patient a reminder of their booking, at one of the reminder offsets before it.
    BookingReminder,
    /// Marks past bookings never confirmed for staff to close (a cron schedule, hourly).
    NoShowSweep,
    /// Offers a cancelled or moved booking's old time to the waitlist.
    WaitlistOffer,
    /// Works one contact's warmness out again after a change to it, its timeline or bookings.
    RecalculateWarmness,
    /// Works every contact's warmness out again (a cron schedule, nightly at 02:00).
    WarmnessSweep,
    /// Reads a contact's notes again after the record or a note or call on its timeline changed.
    EnrichContact,
    /// Reads the notes of every contact not read yet (a cron schedule, nightly at 02:30).
    EnrichmentSweep,
}

impl JobKind {
    pub const ALL: [JobKind; 13] = [
        JobKind::Noop,
        JobKind::RecoverLeases,
        JobKind::RetentionSweep,
        JobKind::SendSms,
        JobKind::SendEmail,
        JobKind::SendStaffEmail,
        JobKind::BookingReminder,
        JobKind::NoShowSweep,
        JobKind::WaitlistOffer,
        JobKind::RecalculateWarmness,
        JobKind::WarmnessSweep,
        JobKind::EnrichContact,
        JobKind::EnrichmentSweep,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Noop => "noop",
            JobKind::RecoverLeases => "recover_leases",
            JobKind::RetentionSweep => "retention_sweep",
            JobKind::SendSms => "send_sms",
            JobKind::SendEmail => "send_email",
            JobKind::SendStaffEmail => "send_staff_email",
            JobKind::BookingReminder => "booking_reminder",
            JobKind::NoShowSweep => "no_show_sweep",
            JobKind::WaitlistOffer => "waitlist_offer",
            JobKind::RecalculateWarmness => "recalculate_warmness",
            JobKind::WarmnessSweep => "warmness_sweep",
            JobKind::EnrichContact => "enrich_contact",
            JobKind::EnrichmentSweep => "enrichment_sweep",
        }
    }

    pub fn parse(value: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    /// What a person reads on the Jobs page.
    pub fn label(self) -> &'static str {
        match self {
            JobKind::Noop => "No-op (queue check)",
            JobKind::RecoverLeases => "Recover stopped jobs",
            JobKind::RetentionSweep => "Retention sweep",
            JobKind::SendSms => "Send SMS",
            JobKind::SendEmail => "Send email",
            JobKind::SendStaffEmail => "Send staff email",
            JobKind::BookingReminder => "Booking reminder",
            JobKind::NoShowSweep => "No-show review sweep",
            JobKind::WaitlistOffer => "Waitlist offer",
            JobKind::RecalculateWarmness => "Recalculate a contact's warmness",
            JobKind::WarmnessSweep => "Nightly warmness recalculation",
            JobKind::EnrichContact => "Read a contact's notes",
            JobKind::EnrichmentSweep => "Nightly reading of unread notes",
        }
    }
}

/// Where a job is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for its time and a worker.
    Queued,
    /// Claimed by a worker, under a lease it renews.
    Running,
    /// Its last run failed; it runs again at `run_at`.
    Failed,
    Succeeded,
    /// Failed on every attempt (or permanently): waits for a person to retry or discard it.
    Dead,
    /// Given up by a person; never runs again.
    Discarded,
}

impl JobState {
    pub const ALL: [JobState; 6] = [
        JobState::Queued,
        JobState::Running,
        JobState::Failed,
        JobState::Succeeded,
        JobState::Dead,
        JobState::Discarded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Failed => "failed",
            JobState::Succeeded => "succeeded",
            JobState::Dead => "dead",
            JobState::Discarded => "discarded",
        }
    }

    pub fn parse(value: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|state| state.as_str() == value)
    }

    /// Whether a person may retry a job in this state (it is not waiting or running already).
    pub fn retryable(self) -> bool {
        matches!(self, JobState::Failed | JobState::Dead | JobState::Discarded)
    }

    /// Whether a person may discard a job in this state.
    pub fn discardable(self) -> bool {
        matches!(self, JobState::Queued | JobState::Failed | JobState::Dead)
    }
}

/// A background job as the Jobs page and `GET /api/v1/jobs` show it (its payload is left out:
/// it can name a patient's message).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Job {
    pub id: String,
    pub kind: JobKind,
    pub state: JobState,
    pub attempts: i64,
    pub max_attempts: i64,
    /// Runs cut off by a crash or a shutdown: a side effect may have happened more than once.
    pub interrupted: i64,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// How a message travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Sms,
    Email,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Sms, Channel::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
        }
    }

    pub fn parse(value: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|channel| channel.as_str() == value)
    }

    /// What a person reads: "SMS", "Email".
    pub fn label(self) -> &'static str {
        match self {
            Channel::Sms => "SMS",
            Channel::Email => "Email",
        }
    }
}

/// Where a message is: `queued → sent → delivered | failed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Stored, with its job waiting (or retrying after the provider could not take it).
    Queued,
    /// The provider took it (or, with no provider configured, the outbox kept it).
    Sent,
    /// The provider's receipt says it reached the phone.
    Delivered,
    /// Refused by the provider, undeliverable, or the contact opted out before it went.
    Failed,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 4] =
        [MessageStatus::Queued, MessageStatus::Sent, MessageStatus::Delivered, MessageStatus::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Queued => "queued",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<MessageStatus> {
        MessageStatus::ALL.into_iter().find(|status| status.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            MessageStatus::Queued => "Queued",
            MessageStatus::Sent => "Sent",
            MessageStatus::Delivered => "Delivered",
            MessageStatus::Failed => "Failed",
        }
    }
}

/// An SMS or email to a contact, as stored (what was, or with no provider would have been, sent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: String,
    pub contact_id: String,
    /// The contact's name now, for lists.
    pub contact_name: String,
    pub channel: Channel,
    /// The number (E.164) or address it was written to.
    pub to: String,
    /// Email only.
    pub subject: Option<String>,
    /// The SMS text, or the email's plain-text part.
    pub body: String,
    /// Email only, when it has an HTML part.
    pub html: Option<String>,
    /// The template it came from, if any.
    pub template: Option<String>,
    pub status: MessageStatus,
    /// Who took it: `outbox` (kept here, not sent), `clicksend`, `smtp`; none while queued.
    pub provider: Option<String>,
    /// The provider's id for it.
    pub provider_id: Option<String>,
    /// SMS parts (what the provider bills by).
    pub segments: Option<i64>,
    /// In millionths of `currency`, where the provider says.
    pub cost_micros: Option<i64>,
    pub currency: Option<String>,
    /// Why it failed, or why the last attempt did.
    pub error: Option<String>,
    /// Who wrote it (none for the system's own messages).
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// When the status last changed.
    pub status_at: DateTime<Utc>,
}

/// Why a contact must not be sent a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SuppressionReason {
    /// They asked not to be contacted this way.
    OptedOut,
    /// They replied STOP (or another opt-out keyword).
    RepliedStop,
    /// Messages to the address bounce.
    Bounced,
    /// They reported a message as spam.
    Complaint,
    Other,
}

impl SuppressionReason {
    pub const ALL: [SuppressionReason; 5] = [
        SuppressionReason::OptedOut,
        SuppressionReason::RepliedStop,
        SuppressionReason::Bounced,
        SuppressionReason::Complaint,
        SuppressionReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionReason::OptedOut => "opted_out",
            SuppressionReason::RepliedStop => "replied_stop",
            SuppressionReason::Bounced => "bounced",
            SuppressionReason::Complaint => "complaint",
            SuppressionReason::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<SuppressionReason> {
        SuppressionReason::ALL.into_iter().find(|reason| reason.as_str() == value)
    }

    /// As a sentence's end: "… because they opted out".
    pub fn label(self) -> &'static str {
        match self {
            SuppressionReason::OptedOut => "opted out",
            SuppressionReason::RepliedStop => "replied STOP",
            SuppressionReason::Bounced => "messages bounce",
            SuppressionReason::Complaint => "reported a message as spam",
            SuppressionReason::Other => "asked by staff",
        }
    }
}

/// A contact who must not be sent a channel, since when and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Suppression {
    pub id: String,
    pub contact_id: String,
    pub contact_name: String,
    pub channel: Channel,
    /// The number or address suppressed with the contact.
    pub address: Option<String>,
    pub reason: SuppressionReason,
    pub note: Option<String>,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Where texts go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SmsProviderKind {
    /// Kept in the local outbox, not sent.
    Outbox,
    Clicksend,
}

/// Where email goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmailProviderKind {
    /// Kept in the local outbox, not sent.
    Outbox,
    Smtp,
}

/// Messages of one channel still waiting after a failed attempt: what an administrator fixes
/// (ClickSend refusing our credentials, the SMTP relay down).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DeliveryProblem {
    pub channel: Channel,
    /// Messages queued for another attempt.
    pub waiting: i64,
    /// The newest waiting message's error, e.g. "HTTP 401: Invalid credentials".
    pub last_error: String,
    /// When the oldest of them was written.
    pub waiting_since: DateTime<Utc>,
}

/// Which providers this server sends through (never their secrets), and what is stuck.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ProviderSettings {
    pub sms: SmsProviderKind,
    /// ClickSend's sender id or number, when it is the provider.
    pub sms_from: Option<String>,
    pub email: EmailProviderKind,
    /// The From address of email, when SMTP is configured.
    pub email_from: Option<String>,
    /// Whether delivery receipts are accepted (`SMS_WEBHOOK_SECRET` is set).
    pub sms_receipts: bool,
    /// Whether this instance runs the job worker that sends them.
    pub worker: bool,
    /// Channels whose messages are waiting after a failed attempt; empty when all is well.
    #[serde(default)]
    pub problems: Vec<DeliveryProblem>,
}
