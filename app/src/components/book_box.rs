//! The contact page's Bookings box: the contact's bookings (coming ones first, each linking to
//! its day on the calendar) and "Book a scan": choose the service, location and day (a plain
//! GET form, so it works before the page's script loads), then one of the free times.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

use crate::components::forms::{ActionResult, CARD, INPUT, LINK, SECONDARY};
use crate::components::layout::IfCan;
use crate::pages::contacts::query_string;
use crate::server_fns::bookings::{CreateBooking, booking_options, free_slots, list_contact_bookings};
use domain::access::Permission;
use domain::model::{Booking, BookingStatus, ContactBookings};

fn booking_line(b: &Booking) -> impl IntoView + use<> {
    let day = b.start.date_naive();
    let href = format!(
        "/calendar?{}",
        query_string(&[
            ("location_id", Some(b.location_id.clone())),
            ("date", Some(day.to_string())),
            ("booking", Some(b.id.clone()))
        ])
    );
    let status = b.status.label();
    let tone = match b.status {
        BookingStatus::Cancelled | BookingStatus::NoShow => "text-rose-800",
        BookingStatus::Confirmed => "text-emerald-800",
        _ => "text-slate-600",
    };
    view! {
        <li class="flex flex-wrap items-baseline justify-between gap-2 py-1.5">
            <span><a href=href class=LINK>{b.start_label.clone()}</a>{format!(" · {} · {}", b.service_name, b.location_name)}</span>
            <span class=format!("text-sm {tone}")>{status}</span>
        </li>
    }
}

#[component]
pub fn BookBox(#[prop(into)] contact_id: Signal<String>) -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let param = move |key: &str| query.read().get(key).filter(|v| !v.trim().is_empty());
    let create = ServerAction::<CreateBooking>::new();
    let bookings = Resource::new(
        move || (contact_id.get(), create.version().get()),
        |(id, _)| list_contact_bookings(id),
    );
    let options = Resource::new(|| (), |_| booking_options());
    let wanted =
        move || (param("book_service"), param("book_location"), param("book_date"), create.version().get());
    let slots = Resource::new(wanted, |(service, location, date, _)| async move {
        match (service, location, date) {
            (Some(s), Some(l), Some(d)) => free_slots(s, l, d).await.map(Some),
            _ => Ok(None),
        }
    });
    view! {
        <section class=format!("mt-6 {CARD}") aria-labelledby="bookings-heading">
            <h2 id="bookings-heading" class="font-semibold">"Bookings"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let ContactBookings { coming, past, .. } = bookings.await.unwrap_or_default();
                    if coming.is_empty() && past.is_empty() {
                        return view! { <p class="mt-2 text-sm text-slate-500">"No bookings yet."</p> }.into_any();
                    }
                    view! {
                        {(!coming.is_empty()).then(|| view! {
                            <h3 class="mt-2 text-sm font-medium text-slate-700">"Coming up"</h3>
                            <ul class="divide-y divide-slate-100" aria-label="Coming bookings">{coming.iter().map(booking_line).collect_view()}</ul>
                        })}
                        {(!past.is_empty()).then(|| view! {
                            <h3 class="mt-3 text-sm font-medium text-slate-700">"Past"</h3>
                            <ul class="divide-y divide-slate-100" aria-label="Past bookings">{past.iter().take(10).map(booking_line).collect_view()}</ul>
                        })}
                    }.into_any()
                })}
            </Transition>
            <IfCan permission=Permission::BookingsWrite>
                <h3 class="mt-4 text-sm font-semibold">"Book a scan"</h3>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let (services, locations) = options.await.unwrap_or_default();
                        let suggested = bookings.await.ok().and_then(|b| b.suggested_day).map(|d| d.to_string());
                        let (service_now, location_now) = (param("book_service"), param("book_location"));
                        let date_now = param("book_date").or(suggested).unwrap_or_default();
                        view! {
                            <form method="get" action=location.pathname.get_untracked() aria-label="Find a time" class="mt-2 flex flex-wrap items-end gap-3">
                                <label class="text-sm text-slate-700">"Service"
                                    <select name="book_service" required class="mt-1 block rounded-md border border-slate-300 px-2 py-2 text-sm">
                                        {services.into_iter().map(|s| {
                                            let chosen = service_now.as_deref() == Some(s.id.as_str());
                                            view! { <option value=s.id.clone() selected=chosen>{format!("{} ({} min)", s.name, s.duration_minutes)}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <label class="text-sm text-slate-700">"Location"
                                    <select name="book_location" required class="mt-1 block rounded-md border border-slate-300 px-2 py-2 text-sm">
                                        {locations.into_iter().map(|l| {
                                            let chosen = location_now.as_deref() == Some(l.id.as_str());
                                            view! { <option value=l.id.clone() selected=chosen>{l.name.clone()}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <label class="text-sm text-slate-700">"Day"
                                    <input type="date" name="book_date" required value=date_now class=format!("{INPUT} py-1.5") />
                                </label>
                                <button type="submit" class=SECONDARY>"Find times"</button>
                            </form>
                        }
                    })}
                </Transition>
                <Transition fallback=|| view! { <p class="mt-2 text-sm text-slate-500">"Finding free times…"</p> }>
                    {move || Suspend::new(async move {
                        match slots.await {
                            Ok(None) => ().into_any(),
                            Err(error) => view! { <p role="alert" class="mt-2 text-sm text-rose-800">{error.message().to_owned()}</p> }.into_any(),
                            Ok(Some(found)) if found.is_empty() => view! {
                                <p class="mt-2 text-sm text-slate-600">"No free times that day. Try another day."</p>
                            }.into_any(),
                            Ok(Some(found)) => {
                                let (service, location) = (param("book_service").unwrap_or_default(), param("book_location").unwrap_or_default());
                                view! {
                                    <ul class="mt-3 flex flex-wrap gap-2" aria-label="Free times">
                                        {found.into_iter().map(|slot| {
                                            let label = format!("Book {}", slot.start.format("%-I:%M %P"));
                                            let (contact, service, location) = (contact_id.get_untracked(), service.clone(), location.clone());
                                            view! {
                                                <li>
                                                    <ActionForm action=create>
                                                        <input type="hidden" name="contact_id" value=contact />
                                                        <input type="hidden" name="service_id" value=service />
                                                        <input type="hidden" name="location_id" value=location />
                                                        <input type="hidden" name="start" value=slot.start.to_rfc3339() />
                                                        <input type="hidden" name="resource_id" value=slot.resource_id.clone() />
                                                        <input type="hidden" name="staff_id" value=slot.staff_id.clone() />
                                                        <button type="submit" aria-label=label class=SECONDARY disabled=move || create.pending().get()>
                                                            {slot.start.format("%-I:%M %P").to_string()}
                                                        </button>
                                                    </ActionForm>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }
                        }
                    })}
                </Transition>
                <ActionResult value=create.value() success="Booked. The confirmation text is on its way." />
            </IfCan>
        </section>
    }
}
