//! Patients booking themselves, with no account: the public page's menu (bookable services
//! and where), free times within its own notice and horizon (times held for waitlist offers
//! are not offered), the booking itself — matched to an existing contact by mobile or email,
//! else a new web enquiry — and the signed manage link's confirm, move and cancel, which keep
//! to the clinic's cut-off. Patients see nothing about anyone else: only free start times.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::calendars::{self, Wanted};
use super::change::{cancel_by, confirm_by, reschedule_by};
use super::create::{By, ForContact, Insert, PatientContact, Target, insert};
use super::links::{LinkPurpose, PatientLinks};
use super::{BookingChanges, CancelBooking, Reach, availability, catalog};
use crate::error::Validator;
use crate::model::{Booking, BookingMenu, BookingStatus, MenuLocation, OpenDay, PatientBooking};
use crate::services::audit::{self, Entry};
use crate::services::contacts::{self, ContactFields};
use crate::{Db, DomainError, RequestMeta, on_db};

/// Patients book at least two hours ahead and at most 90 days.
pub const REACH: Reach = Reach { notice: Duration::hours(2), horizon_days: 90 };
/// Within this many hours of the start, moving or cancelling takes a call to the clinic.
pub const CHANGE_CUTOFF_HOURS: i64 = 24;
/// Days one request of the public page may cover.
pub const MAX_DAYS: i64 = 14;

/// Bookable services (active, with a resource kind some location has) and where.
pub async fn menu(db: &Db) -> Result<BookingMenu, DomainError> {
    let kinds: Vec<(String, String)> = on_db!(db, pool => {
        sqlx::query_as("SELECT DISTINCT location_id, kind FROM resources WHERE active = TRUE").fetch_all(pool).await?
    });
    let services: Vec<_> = catalog::all_services(db)
        .await?
        .into_iter()
        .filter(|s| {
            s.active && s.resource_kind.is_some_and(|k| kinds.iter().any(|(_, kind)| kind == k.as_str()))
        })
        .collect();
    let locations = catalog::all_locations(db)
        .await?
        .into_iter()
        .map(|l| MenuLocation {
            service_ids: services
                .iter()
                .filter(|s| {
                    s.resource_kind
                        .is_some_and(|k| kinds.iter().any(|(loc, kind)| *loc == l.id && kind == k.as_str()))
                })
                .map(|s| s.id.clone())
                .collect(),
            id: l.id,
            name: l.name,
            address: l.address,
            phone: l.phone,
        })
        .filter(|l| !l.service_ids.is_empty())
        .collect();
    Ok(BookingMenu { services, locations })
}

/// Free start times for a service at a location over `days` days from `from` (its clock).
pub async fn open_days(
    db: &Db,
    service_id: &str,
    location_id: &str,
    from: NaiveDate,
    days: i64,
) -> Result<Vec<OpenDay>, DomainError> {
    let menu = menu(db).await?;
    if !menu.locations.iter().any(|l| l.id == location_id && l.service_ids.iter().any(|s| s == service_id)) {
        return Err(DomainError::NotFound("service at this location"));
    }
    let Some(service) = calendars::service_spec(db, service_id).await? else {
        return Err(DomainError::NotFound("service"));
    };
    let Some((zone, _)) = calendars::location_zone(db, location_id).await? else {
        return Err(DomainError::NotFound("location"));
    };
    let now = Utc::now();
    let today = now.with_timezone(&zone).date_naive();
    let last = today + Duration::days(REACH.horizon_days);
    let from = from.clamp(today, last);
    let to = (from + Duration::days(days.clamp(1, MAX_DAYS) - 1)).min(last);
    let wanted = Wanted {
        service: &service,
        location_id,
        zone,
        from,
        to,
        resource_id: None,
        staff_id: None,
        moving: None,
        public: true,
    };
    let calendars = calendars::load(db, &wanted).await?;
    let query = calendars::slot_query(&service, from, to, now, REACH);
    let slots = availability::slots(&calendars.location, &calendars.resources, &calendars.staff, &query);
    let mut open: Vec<OpenDay> =
        from.iter_days().take_while(|d| *d <= to).map(|day| OpenDay { day, starts: Vec::new() }).collect();
    for slot in slots {
        let day = slot.start.date_naive();
        if let Some(entry) = open.iter_mut().find(|d| d.day == day)
            && entry.starts.last() != Some(&slot.start)
        {
            // One start per instant, whichever resource and staff member would take it.
            entry.starts.push(slot.start);
        }
    }
    Ok(open)
}

/// What the patient fills in.
#[derive(Clone, Debug, Default)]
pub struct PatientRequest {
    pub service_id: String,
    pub location_id: String,
    /// RFC 3339, as the page's time buttons carry it.
    pub start: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub email: String,
    pub date_of_birth: String,
    /// Offers and news by text and by email (reminders need no consent).
    pub sms_consent: bool,
    pub email_consent: bool,
}

/// Books a patient in: every bad field named at once; the contact matched or created; the
/// confirmation (with the manage link) queued. Returns the booking and its manage token.
pub async fn book(
    db: &Db,
    links: &PatientLinks,
    request: PatientRequest,
    meta: &RequestMeta,
) -> Result<(Booking, String), DomainError> {
    let mut v = Validator::default();
    let start = v.check(
        "start",
        DateTime::parse_from_rfc3339(request.start.trim())
            .map(|s| s.with_timezone(&Utc))
            .map_err(|_| "Choose a time from the list.".to_owned()),
    );
    if request.first_name.trim().is_empty() {
        v.check::<()>("first_name", Err("Give your first name.".into()));
    }
    if request.last_name.trim().is_empty() {
        v.check::<()>("last_name", Err("Give your last name.".into()));
    }
    if request.phone.trim().is_empty() {
        v.check::<()>("phone", Err("Give a mobile number, so we can text your confirmation.".into()));
    }
    if request.date_of_birth.trim().is_empty() {
        v.check::<()>("date_of_birth", Err("Give your date of birth, so we know it's you.".into()));
    }
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let fields = ContactFields {
        first_name: Some(request.first_name.clone()),
        last_name: Some(request.last_name.clone()),
        phone: text(&request.phone),
        email: text(&request.email),
        date_of_birth: text(&request.date_of_birth),
        location_id: Some(request.location_id.clone()),
        sms_consent: Some(request.sms_consent),
        email_consent: Some(request.email_consent),
        ..ContactFields::default()
    };
    let menu = menu(db).await?;
    let offered = menu
        .locations
        .iter()
        .any(|l| l.id == request.location_id && l.service_ids.contains(&request.service_id));
    if !offered {
        v.check::<()>("service_id", Err("Choose a service and a location from the list.".into()));
    }
    let patient = match contacts::patient(db, fields).await {
        Ok(patient) => Some(patient),
        Err(DomainError::Validation(errors)) => {
            for (field, problem) in errors {
                if !v.has(&field) {
                    v.check::<()>(&field, Err(problem));
                }
            }
            None
        }
        Err(other) => return Err(other),
    };
    v.finish()?;
    let (Some(start), Some(patient)) = (start, patient) else {
        return Err(DomainError::field("start", "Choose a time from the list."));
    };
    let Some(service) = calendars::service_spec(db, &request.service_id).await? else {
        return Err(DomainError::field("service_id", "Choose a service from the list."));
    };
    let Some((zone, location_name)) = calendars::location_zone(db, &request.location_id).await? else {
        return Err(DomainError::field("location_id", "Choose a location from the list."));
    };
    let existing = contacts::match_patient(db, &patient).await?;
    let details = PatientContact {
        first_name: request.first_name.trim().to_owned(),
        phone: text(&request.phone),
        email: text(&request.email),
    };
    let contact = match &existing {
        Some(id) => ForContact::Existing(id),
        None => ForContact::New(&patient, &details),
    };
    let target = Target {
        service: &service,
        location_id: &request.location_id,
        zone,
        resource_id: None,
        staff_id: None,
        moving: None,
        public: true,
    };
    let booking = insert(
        db,
        Insert {
            by: By::Patient,
            contact,
            target,
            location_name: &location_name,
            start,
            notes: None,
            links,
            meta,
            accepting_offer: None,
        },
    )
    .await?;
    let token = links.token(LinkPurpose::ManageBooking, &booking.id);
    Ok((booking, token))
}

/// The booking a manage link names, or 404 for a link that is not genuine.
async fn booking_for(db: &Db, links: &PatientLinks, token: &str) -> Result<Booking, DomainError> {
    let id = links.verify(LinkPurpose::ManageBooking, token).ok_or(DomainError::NotFound("booking"))?;
    super::read::find(db, &id).await
}

fn may_change(booking: &Booking, now: DateTime<Utc>) -> bool {
    booking.status.is_open()
        && booking.start.with_timezone(&Utc) - now >= Duration::hours(CHANGE_CUTOFF_HOURS)
}

fn too_late() -> DomainError {
    DomainError::Conflict(format!(
        "Your appointment is less than {CHANGE_CUTOFF_HOURS} hours away, so it can't be changed online. Please call the clinic."
    ))
}

/// The manage page: the booking as its patient sees it (the view is audited).
pub async fn manage(
    db: &Db,
    links: &PatientLinks,
    token: &str,
    meta: &RequestMeta,
) -> Result<PatientBooking, DomainError> {
    let booking = booking_for(db, links, token).await?;
    let location = catalog::all_locations(db).await?.into_iter().find(|l| l.id == booking.location_id);
    let preparation = calendars::preparation(db, &booking.service_id).await?;
    let entry = Entry::new("booking.view").on("booking", &booking.id).from(meta).detail("by the patient");
    audit::record(db, entry).await?;
    let now = Utc::now();
    Ok(PatientBooking {
        may_change: may_change(&booking, now),
        may_confirm: booking.status == BookingStatus::Booked && booking.start.with_timezone(&Utc) > now,
        cutoff_hours: CHANGE_CUTOFF_HOURS,
        service_id: booking.service_id,
        service_name: booking.service_name,
        location_id: booking.location_id,
        location_name: booking.location_name,
        location_address: location.as_ref().and_then(|l| l.address.clone()),
        location_phone: location.and_then(|l| l.phone),
        start: booking.start,
        end: booking.end,
        start_label: booking.start_label,
        status: booking.status,
        preparation,
    })
}

pub async fn confirm(
    db: &Db,
    links: &PatientLinks,
    token: &str,
    meta: &RequestMeta,
) -> Result<Booking, DomainError> {
    let booking = booking_for(db, links, token).await?;
    if booking.start.with_timezone(&Utc) <= Utc::now() {
        return Err(DomainError::Conflict("This appointment's time has passed.".into()));
    }
    confirm_by(db, By::Patient, &booking.id, meta).await
}

pub async fn cancel(
    db: &Db,
    links: &PatientLinks,
    token: &str,
    reason: &str,
    meta: &RequestMeta,
) -> Result<Booking, DomainError> {
    let booking = booking_for(db, links, token).await?;
    if booking.status == BookingStatus::Cancelled {
        return Ok(booking);
    }
    if !may_change(&booking, Utc::now()) {
        return Err(too_late());
    }
    let reason = if reason.trim().is_empty() { "Cancelled online by the patient" } else { reason };
    cancel_by(db, By::Patient, &booking.id, CancelBooking { reason: reason.to_owned() }, meta).await
}

/// Moves the booking to another free time (the public page's rules apply to the new time too).
pub async fn reschedule(
    db: &Db,
    links: &PatientLinks,
    token: &str,
    start: &str,
    meta: &RequestMeta,
) -> Result<Booking, DomainError> {
    let booking = booking_for(db, links, token).await?;
    if !may_change(&booking, Utc::now()) {
        return Err(too_late());
    }
    let start = DateTime::parse_from_rfc3339(start.trim())
        .map_err(|_| DomainError::field("start", "Choose a time from the list."))?;
    if start == booking.start {
        return Ok(booking);
    }
    let changes = BookingChanges { start: Some(start), ..BookingChanges::default() };
    reschedule_by(db, By::Patient, &booking.id, changes, meta).await
}
