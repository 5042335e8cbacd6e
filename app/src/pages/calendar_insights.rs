//! The calendar's Insights: over a range of days (the last 30 by default) and one location or
//! all, how full each scanner and room was, the no-show rate, how far ahead patients book, and
//! bookings by service and outcome. A plain GET form, so it works before the page's script.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

use crate::components::forms::{CARD, INPUT, LINK, LoadError, SECONDARY};
use crate::components::page_title::PageTitle;
use crate::server_fns::bookings::{booking_analytics, booking_options};
use domain::model::BookingAnalytics;

fn lead_label(hours: Option<f64>) -> String {
    match hours {
        None => "—".into(),
        Some(h) if h < 48.0 => format!("{h:.0} hours"),
        Some(h) => format!("{:.1} days", h / 24.0),
    }
}

fn hours_label(minutes: i64) -> String {
    format!("{:.1} h", minutes as f64 / 60.0)
}

#[component]
pub fn CalendarInsightsPage() -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let param = move |key: &str| query.read().get(key).filter(|v| !v.trim().is_empty());
    let figures = Resource::new(
        move || (param("location_id"), param("from"), param("to")),
        |(location, from, to)| booking_analytics(location, from, to),
    );
    let options = Resource::new(|| (), |_| booking_options());
    view! {
        <PageTitle text="Booking insights" />
        <p class="text-sm"><a href="/calendar" class=LINK>"← Calendar"</a></p>
        <h1 class="mt-2 text-2xl font-semibold">"Booking insights"</h1>
        <Transition fallback=|| view! { <p class="mt-4 text-sm text-slate-500">"Counting…"</p> }>
            {move || Suspend::new(async move {
                let (_, locations) = options.await.unwrap_or_default();
                let chosen = param("location_id");
                let figures = match figures.await {
                    Ok(figures) => figures,
                    Err(error) => return view! { <LoadError error /> }.into_any(),
                };
                let BookingAnalytics { from, to, utilisation, bookings, finished, no_shows, no_show_percent, median_lead_hours, by_service } = figures;
                view! {
                    <form method="get" action=location.pathname.get_untracked() aria-label="Choose the days" class="mt-4 flex flex-wrap items-end gap-3">
                        <label class="text-sm text-slate-700">"Location"
                            <select name="location_id" class="mt-1 block rounded-md border border-slate-300 px-2 py-2 text-sm">
                                <option value="">"All locations"</option>
                                {locations.into_iter().map(|l| {
                                    let selected = chosen.as_deref() == Some(l.id.as_str());
                                    view! { <option value=l.id.clone() selected=selected>{l.name.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label class="text-sm text-slate-700">"From"
                            <input type="date" name="from" value=from.to_string() class=format!("{INPUT} py-1.5") />
                        </label>
                        <label class="text-sm text-slate-700">"To"
                            <input type="date" name="to" value=to.to_string() class=format!("{INPUT} py-1.5") />
                        </label>
                        <button type="submit" class=SECONDARY>"Show"</button>
                    </form>
                    <section class=format!("mt-6 {CARD}") aria-labelledby="outcomes-heading">
                        <h2 id="outcomes-heading" class="font-semibold">
                            {format!("{} – {}", from.format("%a %-d %b %Y"), to.format("%a %-d %b %Y"))}
                        </h2>
                        {(bookings == 0).then(|| view! { <p class="mt-1 text-sm text-slate-600">"No bookings in these days: choose other days or all locations."</p> })}
                        <dl class="mt-3 grid grid-cols-2 gap-4 sm:grid-cols-4">
                            <div><dt class="text-sm text-slate-600">"Bookings"</dt><dd class="text-2xl font-semibold">{bookings}</dd></div>
                            <div><dt class="text-sm text-slate-600">"No-show rate"</dt><dd class="text-2xl font-semibold">{if finished == 0 { "—".to_owned() } else { format!("{no_show_percent:.1}%") }}</dd>
                                <dd class="text-xs text-slate-500">{if finished == 0 { "no outcomes yet".to_owned() } else { format!("{no_shows} of {finished} with an outcome") }}</dd></div>
                            <div><dt class="text-sm text-slate-600">"Median lead time"</dt><dd class="text-2xl font-semibold">{lead_label(median_lead_hours)}</dd>
                                <dd class="text-xs text-slate-500">"from booking to appointment"</dd></div>
                        </dl>
                    </section>
                    <section class=format!("mt-6 {CARD}") aria-labelledby="utilisation-heading">
                        <h2 id="utilisation-heading" class="font-semibold">"Utilisation by scanner and room"</h2>
                        <p class="text-sm text-slate-600">"Time held by bookings, of the time the location was open (maintenance taken out)."</p>
                        {utilisation.is_empty().then(|| view! { <p class="mt-2 text-sm text-slate-600">"No scanners or rooms here yet: add them in Settings → Scheduling."</p> })}
                        <table class="mt-3 w-full text-sm">
                            <thead><tr class="text-left text-slate-600"><th class="py-1">"Resource"</th><th>"Location"</th><th>"Booked"</th><th>"Open"</th><th>"Utilisation"</th></tr></thead>
                            <tbody>
                                {utilisation.into_iter().map(|u| {
                                    let label = format!("{} utilisation", u.resource_name);
                                    view! {
                                        <tr class="border-t border-slate-100">
                                            <td class="py-1.5">{u.resource_name.clone()}</td>
                                            <td>{u.location_name.clone()}</td>
                                            <td>{hours_label(u.booked_minutes)}</td>
                                            <td>{hours_label(u.open_minutes)}</td>
                                            <td class="flex items-center gap-2 py-1.5">
                                                <meter min="0" max="100" value=u.percent aria-label=label class="w-24"></meter>
                                                <span>{format!("{:.1}%", u.percent)}</span>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                    <section class=format!("mt-6 {CARD}") aria-labelledby="services-heading">
                        <h2 id="services-heading" class="font-semibold">"Bookings by service"</h2>
                        {by_service.is_empty().then(|| view! { <p class="mt-2 text-sm text-slate-600">"Nothing booked in these days."</p> })}
                        <table class="mt-3 w-full text-sm">
                            <thead><tr class="text-left text-slate-600"><th class="py-1">"Service"</th><th>"Bookings"</th><th>"Attended"</th><th>"No-shows"</th><th>"Cancelled"</th><th>"Coming or open"</th></tr></thead>
                            <tbody>
                                {by_service.into_iter().map(|s| view! {
                                    <tr class="border-t border-slate-100">
                                        <td class="py-1.5">{s.service_name.clone()}</td>
                                        <td>{s.bookings}</td>
                                        <td>{s.completed}</td>
                                        <td>{s.no_shows}</td>
                                        <td>{s.cancelled}</td>
                                        <td>{s.open}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}
