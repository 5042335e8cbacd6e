//! Bookings' data shapes: locations with their hours, services, resources, staff schedules,
//! free slots and bookings (serde only: shared with the WASM UI).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::Modality;

/// What kind of scanner or room a resource is (and what a service needs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    MriScanner,
    CtScanner,
    UltrasoundRoom,
    XrayRoom,
    MammographyUnit,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 5] = [
        ResourceKind::MriScanner,
        ResourceKind::CtScanner,
        ResourceKind::UltrasoundRoom,
        ResourceKind::XrayRoom,
        ResourceKind::MammographyUnit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::MriScanner => "mri_scanner",
            ResourceKind::CtScanner => "ct_scanner",
            ResourceKind::UltrasoundRoom => "ultrasound_room",
            ResourceKind::XrayRoom => "xray_room",
            ResourceKind::MammographyUnit => "mammography_unit",
        }
    }

    pub fn parse(value: &str) -> Option<ResourceKind> {
        ResourceKind::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            ResourceKind::MriScanner => "MRI scanner",
            ResourceKind::CtScanner => "CT scanner",
            ResourceKind::UltrasoundRoom => "Ultrasound room",
            ResourceKind::XrayRoom => "X-ray room",
            ResourceKind::MammographyUnit => "Mammography unit",
        }
    }
}

/// Where a booking is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Booked,
    Confirmed,
    Cancelled,
    Completed,
    NoShow,
}

impl BookingStatus {
    pub const ALL: [BookingStatus; 5] = [
        BookingStatus::Booked,
        BookingStatus::Confirmed,
        BookingStatus::Cancelled,
        BookingStatus::Completed,
        BookingStatus::NoShow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Booked => "booked",
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::Completed => "completed",
            BookingStatus::NoShow => "no_show",
        }
    }

    pub fn parse(value: &str) -> Option<BookingStatus> {
        BookingStatus::ALL.into_iter().find(|status| status.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            BookingStatus::Booked => "Booked",
            BookingStatus::Confirmed => "Confirmed",
            BookingStatus::Cancelled => "Cancelled",
            BookingStatus::Completed => "Completed",
            BookingStatus::NoShow => "No-show",
        }
    }

    /// Still ahead of the patient: can be moved, confirmed or cancelled.
    pub fn is_open(self) -> bool {
        matches!(self, BookingStatus::Booked | BookingStatus::Confirmed)
    }
}

/// An open period of a weekday on the location's clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct OpeningPeriod {
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    /// "08:00"
    pub opens: String,
    /// "17:30"
    pub closes: String,
}

/// A local day the location is shut.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Closure {
    pub day: NaiveDate,
    pub reason: String,
}

/// A clinic location with its clock, hours and closures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Location {
    pub id: String,
    pub name: String,
    /// IANA name, e.g. `Australia/Sydney`.
    pub time_zone: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub hours: Vec<OpeningPeriod>,
    pub closures: Vec<Closure>,
}

/// Something a patient can be booked for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Service {
    pub id: String,
    pub code: String,
    pub name: String,
    pub modality: Modality,
    pub duration_minutes: i64,
    /// Time the resource and staff are held before and after the appointment (preparation,
    /// cleaning).
    pub buffer_before_minutes: i64,
    pub buffer_after_minutes: i64,
    pub price_cents: i64,
    pub currency: String,
    /// What the patient must do beforehand (fasting, no metal, a full bladder).
    pub preparation: Option<String>,
    pub referral_required: bool,
    /// The kind of scanner or room it is done on.
    pub resource_kind: Option<ResourceKind>,
    pub active: bool,
}

/// A time a resource is out of use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ResourceBlock {
    pub id: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: String,
    /// When, on the resource's location's clock: "Wed 13 Jan 2027, 9:00 am – 11:00 am AEDT".
    pub label: String,
}

/// A scanner or room at a location.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Resource {
    pub id: String,
    pub location_id: String,
    pub name: String,
    pub kind: ResourceKind,
    pub active: bool,
    /// Maintenance blocks from now on.
    pub blocks: Vec<ResourceBlock>,
}

/// A working period of a weekday at a location.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WorkingPeriod {
    pub location_id: String,
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    pub starts: String,
    pub ends: String,
}

/// Time a staff member is away.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Leave {
    pub id: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: String,
    /// When, on the clinic's clock: whole days as "Mon 14 Dec 2026 – Fri 18 Dec 2026".
    pub label: String,
}

/// A staff member who performs services, with what and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct StaffMember {
    pub id: String,
    pub display_name: String,
    pub job_title: Option<String>,
    /// The services they are qualified for.
    pub service_ids: Vec<String>,
    pub hours: Vec<WorkingPeriod>,
    /// Leave from now on.
    pub leave: Vec<Leave>,
}

/// A start time that can be booked, and the resource and staff member it would take.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Slot {
    /// RFC 3339 with the location's offset at that instant, e.g. `2027-07-06T09:00:00+10:00`.
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub resource_id: String,
    pub staff_id: String,
}

/// A booked appointment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Booking {
    pub id: String,
    pub contact_id: String,
    pub contact_name: String,
    pub service_id: String,
    pub service_name: String,
    pub location_id: String,
    pub location_name: String,
    pub resource_id: String,
    pub resource_name: String,
    pub staff_id: String,
    pub staff_name: String,
    /// RFC 3339 with the location's offset.
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    /// "Tue 6 Jul 2027, 9:00 am AEST" on the location's clock.
    pub start_label: String,
    pub status: BookingStatus,
    pub cancel_reason: Option<String>,
    pub notes: Option<String>,
    /// Past, never confirmed and not closed: for staff to mark completed or no-show.
    pub needs_review: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What happened to a booking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BookingEventKind {
    Created,
    Rescheduled,
    Confirmed,
    Cancelled,
    Uncancelled,
    Completed,
    NoShow,
    Note,
}

impl BookingEventKind {
    pub const ALL: [BookingEventKind; 8] = [
        BookingEventKind::Created,
        BookingEventKind::Rescheduled,
        BookingEventKind::Confirmed,
        BookingEventKind::Cancelled,
        BookingEventKind::Uncancelled,
        BookingEventKind::Completed,
        BookingEventKind::NoShow,
        BookingEventKind::Note,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BookingEventKind::Created => "created",
            BookingEventKind::Rescheduled => "rescheduled",
            BookingEventKind::Confirmed => "confirmed",
            BookingEventKind::Cancelled => "cancelled",
            BookingEventKind::Uncancelled => "uncancelled",
            BookingEventKind::Completed => "completed",
            BookingEventKind::NoShow => "no_show",
            BookingEventKind::Note => "note",
        }
    }

    pub fn parse(value: &str) -> Option<BookingEventKind> {
        BookingEventKind::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    /// As a booking's history reads it.
    pub fn label(self) -> &'static str {
        match self {
            BookingEventKind::Created => "Booked",
            BookingEventKind::Rescheduled => "Moved",
            BookingEventKind::Confirmed => "Confirmed",
            BookingEventKind::Cancelled => "Cancelled",
            BookingEventKind::Uncancelled => "Booked again",
            BookingEventKind::Completed => "Attended",
            BookingEventKind::NoShow => "Marked as a no-show",
            BookingEventKind::Note => "Note",
        }
    }
}

/// One entry of a booking's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct BookingEvent {
    pub kind: BookingEventKind,
    /// The status after it.
    pub status: BookingStatus,
    /// The reason, the note, or where it moved from and to.
    pub detail: Option<String>,
    pub user_name: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

/// A booking with its history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct BookingDetail {
    #[serde(flatten)]
    pub booking: Booking,
    /// Oldest first.
    pub history: Vec<BookingEvent>,
}

/// A location to choose in the calendar's picker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocationOption {
    pub id: String,
    pub name: String,
}

/// A scanner or room as the calendar shows it: a column, and a choice in its filter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceOption {
    pub id: String,
    pub name: String,
}

/// A staff member to filter the calendar by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffOption {
    pub id: String,
    pub display_name: String,
}

/// A booking as the calendar's grid draws it and checks a drop against it; the drawer loads the
/// whole [`Booking`]. Slim because a week's 500 travel in the page for hydration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GridBooking {
    pub id: String,
    pub contact_name: String,
    pub service_id: String,
    pub service_name: String,
    pub resource_id: String,
    pub staff_name: String,
    /// On the location's clock, with its offset.
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub status: BookingStatus,
}

/// A booking placed on the calendar's grid: its local day and minutes since that day's
/// midnight on the location's clock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarBooking {
    pub booking: GridBooking,
    pub day: NaiveDate,
    pub start_minute: u32,
    pub end_minute: u32,
}

/// Everything the calendar page shows for one location and a day or a week.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarView {
    pub locations: Vec<LocationOption>,
    pub location_id: String,
    pub location_name: String,
    pub time_zone: String,
    /// The day shown, or the seven days of the week shown (Monday first).
    pub days: Vec<NaiveDate>,
    pub week: bool,
    /// The grid's first and last minute of the day (the location's earliest opening and latest
    /// closing on those days), on the location's clock.
    pub first_minute: u32,
    pub last_minute: u32,
    /// The resources shown as columns (one, when filtered).
    pub resources: Vec<ResourceOption>,
    /// Every resource in use at the location, for the filter.
    pub resource_options: Vec<ResourceOption>,
    pub staff: Vec<StaffOption>,
    pub resource_filter: Option<String>,
    pub staff_filter: Option<String>,
    pub bookings: Vec<CalendarBooking>,
    pub services: Vec<Service>,
    /// Each day's grid rows, every [`CALENDAR_STEP_MINUTES`] from `first_minute`: the instant
    /// each row starts at, with that instant's offset, or `None` for a local time that does not
    /// exist that day (clocks going forward). The browser has no time zone database, so it
    /// takes these as they are when a booking is dropped on a row.
    pub rows: Vec<Vec<Option<DateTime<FixedOffset>>>>,
    /// Now on the location's clock.
    pub now: DateTime<FixedOffset>,
}

/// The calendar grid's row height in minutes (the slot grid's step).
pub const CALENDAR_STEP_MINUTES: u32 = 15;

/// A contact's bookings as the contact page lists them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactBookings {
    /// Not yet over, soonest first.
    pub coming: Vec<Booking>,
    /// Over, latest first.
    pub past: Vec<Booking>,
    /// The day "Book a scan" offers first: tomorrow on the clinic's clock.
    pub suggested_day: Option<NaiveDate>,
}

/// What the public booking page offers: bookable services, and the locations that can do each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookingMenu {
    pub services: Vec<Service>,
    pub locations: Vec<MenuLocation>,
}

/// A location on the public booking page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MenuLocation {
    pub id: String,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// The services it has a resource for.
    pub service_ids: Vec<String>,
}

/// One day's free times on the public booking page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenDay {
    pub day: chrono::NaiveDate,
    pub starts: Vec<DateTime<FixedOffset>>,
}

/// A booking as its patient sees it through the manage link: nothing about anyone else.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PatientBooking {
    pub service_id: String,
    pub service_name: String,
    pub location_id: String,
    pub location_name: String,
    pub location_address: Option<String>,
    pub location_phone: Option<String>,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    /// "Tue 6 Jul 2027, 9:00 am AEST" on the location's clock.
    pub start_label: String,
    pub status: BookingStatus,
    pub preparation: Option<String>,
    /// Whether the patient may still move or cancel it online (open, and not within the
    /// clinic's cut-off).
    pub may_change: bool,
    pub may_confirm: bool,
    /// Hours before the start after which changes need a call.
    pub cutoff_hours: i64,
}

/// A waitlist offer as its patient sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PatientOffer {
    pub service_name: String,
    pub location_name: String,
    pub start_label: String,
    pub expires_label: String,
    pub status: OfferStatus,
    /// The manage link's token once the offer became a booking.
    pub booking_token: Option<String>,
}

/// Where a waitlist offer stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OfferStatus {
    /// Sent, not yet answered, not expired.
    Open,
    /// Taken: it became a booking.
    Accepted,
    /// Someone else took the slot first, or it was booked otherwise.
    Lost,
    /// Not answered in time.
    Expired,
}

impl OfferStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OfferStatus::Open => "open",
            OfferStatus::Accepted => "accepted",
            OfferStatus::Lost => "lost",
            OfferStatus::Expired => "expired",
        }
    }

    pub fn parse(raw: &str) -> Option<OfferStatus> {
        [OfferStatus::Open, OfferStatus::Accepted, OfferStatus::Lost, OfferStatus::Expired]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// Where a waitlist entry stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WaitlistStatus {
    /// Waiting for a time to come free.
    Waiting,
    /// Took an offered time (or was booked).
    Booked,
    /// Taken off the list by staff.
    Removed,
}

impl WaitlistStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WaitlistStatus::Waiting => "waiting",
            WaitlistStatus::Booked => "booked",
            WaitlistStatus::Removed => "removed",
        }
    }

    pub fn parse(raw: &str) -> Option<WaitlistStatus> {
        [WaitlistStatus::Waiting, WaitlistStatus::Booked, WaitlistStatus::Removed]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// A contact waiting for a time to come free.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WaitlistEntry {
    pub id: String,
    pub contact_id: String,
    pub contact_name: String,
    pub service_id: String,
    pub service_name: String,
    pub location_id: String,
    pub location_name: String,
    /// First and last acceptable days on the location's clock.
    pub earliest_day: chrono::NaiveDate,
    pub latest_day: chrono::NaiveDate,
    pub notes: Option<String>,
    pub status: WaitlistStatus,
    /// The booking it became.
    pub booking_id: Option<String>,
    /// Offers sent and still open.
    pub open_offers: i64,
    pub created_at: DateTime<Utc>,
}

/// Booking analytics over a range of days (`GET /api/v1/analytics/bookings`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct BookingAnalytics {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    /// Each active resource: minutes held by bookings that are not cancelled ÷ minutes open.
    pub utilisation: Vec<ResourceUse>,
    /// Bookings starting in the range, cancelled ones left out.
    pub bookings: i64,
    /// Of those, the ones whose outcome is known (attended or missed).
    pub finished: i64,
    pub no_shows: i64,
    /// No-shows ÷ finished, one decimal.
    pub no_show_percent: f64,
    /// Median time from booking to appointment, in hours.
    pub median_lead_hours: Option<f64>,
    /// By service, every status counted (cancelled included).
    pub by_service: Vec<ServiceOutcomes>,
}

/// One resource's use over the range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ResourceUse {
    pub resource_id: String,
    pub resource_name: String,
    pub kind: Option<ResourceKind>,
    pub location_id: String,
    pub location_name: String,
    /// Minutes the location is open, maintenance taken out.
    pub open_minutes: i64,
    /// Minutes of those held by bookings.
    pub booked_minutes: i64,
    /// booked ÷ open, one decimal.
    pub percent: f64,
}

/// One service's bookings by outcome.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ServiceOutcomes {
    pub service_name: String,
    pub bookings: i64,
    /// Booked or confirmed, not yet happened (or not yet closed).
    pub open: i64,
    pub completed: i64,
    pub no_shows: i64,
    pub cancelled: i64,
}
