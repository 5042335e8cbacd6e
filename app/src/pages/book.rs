//! The patients' pages: `/book` (service → location → day and time → details), the manage
//! page `/b/{token}` and the waitlist offer `/w/{token}`. Rendered on the server as plain HTML
//! with links and form posts — no script, no WASM — so they work on any phone at once and the
//! first load is the document and the stylesheet. Leptos escapes every value in text and
//! attributes. They show free times and the patient's own booking, nothing about anyone else.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use domain::model::{
    BookingMenu, BookingStatus, MenuLocation, OfferStatus, OpenDay, PatientBooking, PatientOffer, Service,
};
use leptos::config::LeptosOptions;
use leptos::prelude::*;
use leptos_meta::HashedStylesheet;

/// The whole HTML document around a patient page.
pub fn document(options: &LeptosOptions, title: &str, body: impl IntoView + 'static) -> String {
    let title = format!("{title} · Book a scan");
    let options = options.clone();
    view! {
        <!DOCTYPE html>
        <html lang="en-AU">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="robots" content="noindex" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HashedStylesheet options id="leptos" />
                <title>{title}</title>
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
                <header class="border-b border-slate-200 bg-white">
                    <div class="mx-auto max-w-xl px-4 py-3">
                        <a href="/book" class="font-semibold text-slate-900 no-underline">"Avatar Imaging · Book a scan"</a>
                    </div>
                </header>
                <main class="mx-auto max-w-xl px-4 py-6 space-y-6">{body}</main>
            </body>
        </html>
    }
    .to_html()
}

/// "$420.00" from cents.
pub fn price(cents: i64) -> String {
    format!("${}.{:02}", cents / 100, cents % 100)
}

fn time_label(at: &DateTime<FixedOffset>) -> String {
    at.format("%-I:%M %P").to_string()
}

fn day_label(day: NaiveDate) -> String {
    day.format("%a %-d %b").to_string()
}

fn query(pairs: &[(&str, &str)]) -> String {
    let encoded: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", url_escape(v))).collect();
    encoded.join("&")
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
fn url_escape(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A notice at the top of a page: `role=alert` for problems, `status` for good news.
fn notice(text: Option<String>, problem: bool) -> impl IntoView + use<> {
    text.map(|text| {
        let (role, class) = if problem {
            ("alert", "rounded-md border border-red-200 bg-red-50 p-3 text-red-900")
        } else {
            ("status", "rounded-md border border-emerald-200 bg-emerald-50 p-3 text-emerald-900")
        };
        view! { <p role=role class=class>{text}</p> }
    })
}

fn service_facts(service: &Service) -> impl IntoView + use<> {
    let referral = service.referral_required.then(|| view! { <span>" · Referral needed"</span> });
    view! {
        <p class="text-sm text-slate-600">
            {format!("{} minutes · {}", service.duration_minutes, price(service.price_cents))}
            {referral}
        </p>
    }
}

/// Step 1: which scan.
pub fn services_view(menu: &BookingMenu, problem: Option<String>) -> impl IntoView + use<> {
    let items: Vec<_> = menu
        .services
        .iter()
        .map(|s| {
            let href = format!("/book?{}", query(&[("service", &s.id)]));
            let preparation =
                s.preparation.clone().map(|p| view! { <p class="text-sm text-slate-600">{p}</p> });
            view! {
                <li class="rounded-lg border border-slate-200 bg-white p-4">
                    <a href=href class="text-lg font-medium text-sky-800 underline">{s.name.clone()}</a>
                    {service_facts(s)}
                    {preparation}
                </li>
            }
        })
        .collect();
    let empty = items
        .is_empty()
        .then(|| view! { <p>"Online booking isn't open at the moment. Please call the clinic."</p> });
    view! {
        <h1 class="text-2xl font-semibold">"Book a scan"</h1>
        {notice(problem, true)}
        <p class="text-slate-700">"Choose what you'd like to book. You can change or cancel online up to 24 hours before."</p>
        <ul class="space-y-3" aria-label="Services">{items}</ul>
        {empty}
    }
}

/// Step 2: where.
pub fn locations_view(service: &Service, locations: &[MenuLocation]) -> impl IntoView + use<> {
    let items: Vec<_> = locations
        .iter()
        .map(|l| {
            let href = format!("/book?{}", query(&[("service", &service.id), ("location", &l.id)]));
            let address = l.address.clone().map(|a| view! { <p class="text-sm text-slate-600">{a}</p> });
            view! {
                <li class="rounded-lg border border-slate-200 bg-white p-4">
                    <a href=href class="text-lg font-medium text-sky-800 underline">{l.name.clone()}</a>
                    {address}
                </li>
            }
        })
        .collect();
    view! {
        <p><a href="/book" class="text-sky-800 underline">"← All scans"</a></p>
        <h1 class="text-2xl font-semibold">{format!("{}: where?", service.name)}</h1>
        {service_facts(service)}
        <ul class="space-y-3" aria-label="Locations">{items}</ul>
    }
}

/// What the day-and-time step is for: a new booking, or moving one through its manage link.
pub enum TimesFor {
    New,
    Move { token: String },
}

/// Step 3: the week's days and the chosen day's free times.
pub struct TimesPage<'a> {
    pub service: &'a Service,
    pub location: &'a MenuLocation,
    pub days: &'a [OpenDay],
    pub chosen: Option<NaiveDate>,
    pub purpose: TimesFor,
    pub problem: Option<String>,
}

pub fn times_view(page: TimesPage<'_>) -> impl IntoView + use<> {
    let TimesPage { service, location, days, chosen, purpose, problem } = page;
    let base = match &purpose {
        TimesFor::New => format!("/book?{}", query(&[("service", &service.id), ("location", &location.id)])),
        TimesFor::Move { token } => format!("/b/{}/move?", url_escape(token)),
    };
    let link = move |pairs: &[(&str, &str)]| {
        let joiner = if base.ends_with('?') { "" } else { "&" };
        format!("{base}{joiner}{}", query(pairs))
    };
    let first = days.first().map(|d| d.day);
    let chosen = chosen
        .filter(|c| days.iter().any(|d| d.day == *c))
        .or_else(|| days.iter().find(|d| !d.starts.is_empty()).map(|d| d.day))
        .or(first);
    let strip: Vec<_> = days
        .iter()
        .map(|d| {
            let from = first.unwrap_or(d.day).to_string();
            let day = d.day.to_string();
            let href = link(&[("from", &from), ("day", &day)]);
            let count = d.starts.len();
            let label = match count {
                0 => "no times".to_owned(),
                1 => "1 time".to_owned(),
                n => format!("{n} times"),
            };
            let current = (Some(d.day) == chosen).then_some("date");
            let class = if Some(d.day) == chosen {
                "block rounded-md border-2 border-sky-700 bg-sky-50 px-2 py-2 text-center text-sm"
            } else {
                "block rounded-md border border-slate-300 bg-white px-2 py-2 text-center text-sm"
            };
            view! {
                <li>
                    <a href=href class=class aria-current=current>
                        <span class="block font-medium">{day_label(d.day)}</span>
                        <span class="block text-slate-600">{label}</span>
                    </a>
                </li>
            }
        })
        .collect();
    let (earlier, later) = match (days.first(), days.last()) {
        (Some(f), Some(l)) => (f.day - Duration::days(7), l.day + Duration::days(1)),
        _ => (NaiveDate::default(), NaiveDate::default()),
    };
    let earlier_href = link(&[("from", &earlier.to_string())]);
    let later_href = link(&[("from", &later.to_string())]);
    let starts: Vec<DateTime<FixedOffset>> =
        days.iter().find(|d| Some(d.day) == chosen).map(|d| d.starts.clone()).unwrap_or_default();
    let heading = chosen.map(|d| d.format("%A %-d %B").to_string()).unwrap_or_default();
    let none = starts
        .is_empty()
        .then(|| view! { <p>"No free times this day. Try another day or the next week."</p> });
    let times: Vec<_> = starts
        .iter()
        .map(|start| {
            let rfc = start.to_rfc3339();
            let label = time_label(start);
            match &purpose {
                TimesFor::New => {
                    let href = format!(
                        "/book/details?{}",
                        query(&[("service", &service.id), ("location", &location.id), ("start", &rfc)])
                    );
                    view! {
                        <li><a href=href class="block rounded-md border border-sky-700 bg-white px-3 py-2 text-center font-medium text-sky-800">{label}</a></li>
                    }
                    .into_any()
                }
                TimesFor::Move { token } => {
                    let action = format!("/b/{}/move", url_escape(token));
                    view! {
                        <li>
                            <form method="post" action=action>
                                <input type="hidden" name="start" value=rfc />
                                <button type="submit" class="w-full rounded-md border border-sky-700 bg-white px-3 py-2 font-medium text-sky-800">{label}</button>
                            </form>
                        </li>
                    }
                    .into_any()
                }
            }
        })
        .collect();
    let back = match &purpose {
        TimesFor::New => view! { <p><a href=format!("/book?{}", query(&[("service", &service.id)])) class="text-sky-800 underline">"← Other locations"</a></p> }.into_any(),
        TimesFor::Move { token } => view! { <p><a href=format!("/b/{}", url_escape(token)) class="text-sky-800 underline">"← Back to your booking"</a></p> }.into_any(),
    };
    let title = match &purpose {
        TimesFor::New => format!("{} at {}", service.name, location.name),
        TimesFor::Move { .. } => format!("Move your {} at {}", service.name, location.name),
    };
    view! {
        {back}
        <h1 class="text-2xl font-semibold">{title}</h1>
        {notice(problem, true)}
        <nav aria-label="Days">
            <ul class="grid grid-cols-4 gap-2 sm:grid-cols-7">{strip}</ul>
            <p class="mt-2 flex justify-between text-sm">
                <a href=earlier_href class="text-sky-800 underline">"← Earlier"</a>
                <a href=later_href class="text-sky-800 underline">"Later →"</a>
            </p>
        </nav>
        <section aria-labelledby="times-heading" class="space-y-3">
            <h2 id="times-heading" class="text-lg font-medium">{heading}</h2>
            {none}
            <ul class="grid grid-cols-3 gap-2" aria-label="Free times">{times}</ul>
        </section>
    }
}

/// What the details form holds (kept when it comes back with problems).
#[derive(Clone, Debug, Default)]
pub struct DetailsForm {
    pub service_id: String,
    pub location_id: String,
    pub start: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub email: String,
    pub date_of_birth: String,
    pub sms_consent: bool,
    pub email_consent: bool,
}

fn field(
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
    autocomplete: &'static str,
    required: bool,
    errors: &domain::error::FieldErrors,
) -> impl IntoView + use<> {
    let error = errors.get(name).cloned();
    let error_id = format!("{name}-error");
    let described = error.as_ref().map(|_| error_id.clone());
    let invalid = error.as_ref().map(|_| "true");
    view! {
        <div class="space-y-1">
            <label for=name class="block font-medium">{label}{(!required).then_some(" (optional)")}</label>
            <input id=name name=name type=kind value=value autocomplete=autocomplete required=required
                aria-invalid=invalid aria-describedby=described
                class="block w-full rounded-md border border-slate-400 px-3 py-2 text-base" />
            {error.map(|e| view! { <p id=error_id class="text-sm text-red-800">{e}</p> })}
        </div>
    }
}

/// Step 4: who is coming.
pub fn details_view(
    service: &Service,
    location: &MenuLocation,
    start: &DateTime<FixedOffset>,
    form: DetailsForm,
    errors: &domain::error::FieldErrors,
) -> impl IntoView + use<> {
    let when = format!("{}, {}", start.format("%A %-d %B %Y"), time_label(start));
    let summary = (!errors.is_empty()).then(|| {
        view! { <p role="alert" class="rounded-md border border-red-200 bg-red-50 p-3 text-red-900">"Please check the details marked below."</p> }
    });
    let other = errors
        .iter()
        .filter(|(k, _)| {
            !["first_name", "last_name", "phone", "email", "date_of_birth"].contains(&k.as_str())
        })
        .map(|(_, v)| view! { <p class="text-sm text-red-800">{v.clone()}</p> })
        .collect::<Vec<_>>();
    let back = format!("/book?{}", query(&[("service", &service.id), ("location", &location.id)]));
    let preparation = service
        .preparation
        .clone()
        .map(|p| view! { <p class="text-sm text-slate-700">{format!("Before you come: {p}")}</p> });
    view! {
        <p><a href=back class="text-sky-800 underline">"← Other times"</a></p>
        <h1 class="text-2xl font-semibold">"Your details"</h1>
        <div class="rounded-lg border border-slate-200 bg-white p-4">
            <p class="font-medium">{service.name.clone()}</p>
            <p>{location.name.clone()}</p>
            <p>{when}</p>
            {preparation}
        </div>
        {summary}
        {other}
        <form method="post" action="/book" class="space-y-4" novalidate=true>
            <input type="hidden" name="service_id" value=form.service_id.clone() />
            <input type="hidden" name="location_id" value=form.location_id.clone() />
            <input type="hidden" name="start" value=form.start.clone() />
            {field("first_name", "First name", "text", form.first_name.clone(), "given-name", true, errors)}
            {field("last_name", "Last name", "text", form.last_name.clone(), "family-name", true, errors)}
            {field("phone", "Mobile number", "tel", form.phone.clone(), "tel", true, errors)}
            {field("email", "Email", "email", form.email.clone(), "email", false, errors)}
            {field("date_of_birth", "Date of birth", "date", form.date_of_birth.clone(), "bday", true, errors)}
            <fieldset class="space-y-2">
                <legend class="font-medium">"News and offers (optional)"</legend>
                <p class="text-sm text-slate-600">"Your confirmation and reminders come either way; reply STOP to any text to opt out."</p>
                <label class="flex items-center gap-2"><input type="checkbox" name="sms_consent" value="on" checked=form.sms_consent />"Text me news and offers"</label>
                <label class="flex items-center gap-2"><input type="checkbox" name="email_consent" value="on" checked=form.email_consent />"Email me news and offers"</label>
            </fieldset>
            <button type="submit" class="w-full rounded-md bg-sky-700 px-4 py-3 text-lg font-semibold text-white">"Book this time"</button>
        </form>
    }
}

/// The manage page.
pub fn manage_view(
    token: &str,
    booking: &PatientBooking,
    done: Option<String>,
    problem: Option<String>,
) -> impl IntoView + use<> {
    let base = format!("/b/{}", url_escape(token));
    let status = match booking.status {
        BookingStatus::Booked => "Booked",
        BookingStatus::Confirmed => "Confirmed",
        BookingStatus::Cancelled => "Cancelled",
        BookingStatus::Completed => "Attended",
        BookingStatus::NoShow => "Missed",
    };
    let confirm = booking.may_confirm.then(|| {
        view! {
            <form method="post" action=format!("{base}/confirm")>
                <button type="submit" class="w-full rounded-md bg-sky-700 px-4 py-3 font-semibold text-white">"Confirm I'm coming"</button>
            </form>
        }
    });
    let change = booking.may_change.then(|| {
        view! {
            <a href=format!("{base}/move") class="block rounded-md border border-sky-700 px-4 py-3 text-center font-semibold text-sky-800">"Change the time"</a>
            <form method="post" action=format!("{base}/cancel") class="space-y-2 rounded-lg border border-slate-200 bg-white p-4">
                <label for="reason" class="block font-medium">"Cancel this appointment"</label>
                <select id="reason" name="reason" class="block w-full rounded-md border border-slate-400 px-3 py-2">
                    <option value="I can't make it">"I can't make it"</option>
                    <option value="I'm unwell">"I'm unwell"</option>
                    <option value="I no longer need it">"I no longer need it"</option>
                    <option value="I booked elsewhere">"I booked elsewhere"</option>
                    <option value="Another reason">"Another reason"</option>
                </select>
                <button type="submit" class="w-full rounded-md border border-red-700 px-4 py-3 font-semibold text-red-800">"Cancel appointment"</button>
            </form>
        }
    });
    let late = (!booking.may_change && booking.status.is_open()).then(|| {
        let phone = booking.location_phone.clone().unwrap_or_default();
        view! {
            <p class="text-slate-700">
                {format!("It's less than {} hours away, so to change it please call the clinic", booking.cutoff_hours)}
                {(!phone.is_empty()).then(|| view! { " on " <a href=format!("tel:{phone}") class="text-sky-800 underline">{domain::display::national_phone(&phone)}</a> })}
                "."
            </p>
        }
    });
    let rebook = (booking.status == BookingStatus::Cancelled).then(|| {
        let href = format!(
            "/book?{}",
            query(&[("service", &booking.service_id), ("location", &booking.location_id)])
        );
        view! { <p><a href=href class="text-sky-800 underline">"Book another time"</a></p> }
    });
    let address = booking.location_address.clone().map(|a| view! { <p class="text-slate-700">{a}</p> });
    let preparation = booking
        .preparation
        .clone()
        .map(|p| view! { <p class="text-sm text-slate-700">{format!("Before you come: {p}")}</p> });
    view! {
        <h1 class="text-2xl font-semibold">"Your appointment"</h1>
        {notice(done, false)}
        {notice(problem, true)}
        <div class="space-y-1 rounded-lg border border-slate-200 bg-white p-4">
            <p class="text-lg font-medium">{booking.service_name.clone()}</p>
            <p>{booking.start_label.clone()}</p>
            <p>{booking.location_name.clone()}</p>
            {address}
            <p>"Status: " <strong>{status}</strong></p>
            {preparation}
        </div>
        {confirm}
        {change}
        {late}
        {rebook}
        <p class="text-sm text-slate-600">"Keep this link private: anyone with it can change this appointment."</p>
    }
}

/// A waitlist offer.
pub fn offer_view(token: &str, offer: &PatientOffer, problem: Option<String>) -> impl IntoView + use<> {
    let action = format!("/w/{}", url_escape(token));
    let body = match offer.status {
        OfferStatus::Open => view! {
            <p>{format!("This time is held for you until {}. The first person on the waitlist to take it gets it.", offer.expires_label)}</p>
            <form method="post" action=action>
                <button type="submit" class="w-full rounded-md bg-sky-700 px-4 py-3 text-lg font-semibold text-white">"Take this time"</button>
            </form>
        }
        .into_any(),
        OfferStatus::Accepted => {
            let href = offer.booking_token.as_ref().map(|t| format!("/b/{}", url_escape(t))).unwrap_or_default();
            view! { <p>"You took this time. " <a href=href class="text-sky-800 underline">"See your booking"</a></p> }.into_any()
        }
        OfferStatus::Lost => view! { <p>"Sorry — someone else took this time first. You're still on the waitlist."</p> }.into_any(),
        OfferStatus::Expired => view! { <p>"This offer has expired. You're still on the waitlist."</p> }.into_any(),
    };
    view! {
        <h1 class="text-2xl font-semibold">"A time has come free"</h1>
        {notice(problem, true)}
        <div class="space-y-1 rounded-lg border border-slate-200 bg-white p-4">
            <p class="text-lg font-medium">{offer.service_name.clone()}</p>
            <p>{offer.start_label.clone()}</p>
            <p>{offer.location_name.clone()}</p>
        </div>
        {body}
    }
}

/// A page for something that went wrong (not found, too many requests).
pub fn message_view(heading: &str, text: &str) -> impl IntoView + use<> {
    view! {
        <h1 class="text-2xl font-semibold">{heading.to_owned()}</h1>
        <p>{text.to_owned()}</p>
        <p><a href="/book" class="text-sky-800 underline">"Book a scan"</a></p>
    }
}
