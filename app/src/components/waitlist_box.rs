//! The contact page's Waitlist box: what the contact is waiting for (with any offer out), a
//! way to take them off, and a form to put them on — a service at a location between two days.
//! When a booking there is cancelled or moved, its time is offered to the first waiting.

use leptos::prelude::*;

use crate::components::forms::{ActionResult, CARD, INPUT, SECONDARY};
use crate::components::layout::{IfCan, can, use_current_user};
use crate::server_fns::bookings::booking_options;
use crate::server_fns::waitlist::{AddToWaitlist, RemoveFromWaitlist, list_contact_waitlist};
use domain::access::Permission;
use domain::model::WaitlistEntry;

fn window(entry: &WaitlistEntry) -> String {
    if entry.earliest_day == entry.latest_day {
        entry.earliest_day.format("%a %-d %b").to_string()
    } else {
        format!("{} – {}", entry.earliest_day.format("%a %-d %b"), entry.latest_day.format("%a %-d %b"))
    }
}

#[component]
pub fn WaitlistBox(#[prop(into)] contact_id: Signal<String>) -> impl IntoView {
    let add = ServerAction::<AddToWaitlist>::new();
    let remove = ServerAction::<RemoveFromWaitlist>::new();
    let entries = Resource::new(
        move || (contact_id.get(), add.version().get(), remove.version().get()),
        |(id, _, _)| list_contact_waitlist(id),
    );
    let options = Resource::new(|| (), |_| booking_options());
    // Read here, not through `IfCan` in the list: a component making a resource inside a
    // Suspend breaks hydration.
    let me = use_current_user();
    view! {
        <section class=format!("mt-6 {CARD}") aria-labelledby="waitlist-heading">
            <h2 id="waitlist-heading" class="font-semibold">"Waitlist"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let entries = entries.await.unwrap_or_default();
                    let may_change = can(me, Permission::BookingsWrite).await;
                    if entries.is_empty() {
                        return view! { <p class="mt-2 text-sm text-slate-500">"Not waiting for anything."</p> }.into_any();
                    }
                    view! {
                        <ul class="divide-y divide-slate-100" aria-label="Waiting for">
                            {entries.into_iter().map(|e| {
                                let offer = (e.open_offers > 0).then_some(" · a time has been offered");
                                let label = format!("Remove {} from the waitlist", e.service_name);
                                let id = e.id.clone();
                                view! {
                                    <li class="flex flex-wrap items-center justify-between gap-2 py-1.5">
                                        <span>{format!("{} · {} · {}", e.service_name, e.location_name, window(&e))}{offer}</span>
                                        {may_change.then(|| view! {
                                            <ActionForm action=remove>
                                                <input type="hidden" name="id" value=id />
                                                <button type="submit" aria-label=label class=SECONDARY disabled=move || remove.pending().get()>"Remove"</button>
                                            </ActionForm>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })}
            </Transition>
            <IfCan permission=Permission::BookingsWrite>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let (services, locations) = options.await.unwrap_or_default();
                        view! {
                            <ActionForm action=add attr:aria-label="Add to the waitlist" attr:class="mt-3 flex flex-wrap items-end gap-3">
                                <input type="hidden" name="contact_id" value=contact_id.get_untracked() />
                                <label class="text-sm text-slate-700">"Service"
                                    <select name="service_id" required class="mt-1 block rounded-md border border-slate-300 px-2 py-2 text-sm">
                                        {services.into_iter().map(|s| view! { <option value=s.id.clone()>{format!("{} ({} min)", s.name, s.duration_minutes)}</option> }).collect_view()}
                                    </select>
                                </label>
                                <label class="text-sm text-slate-700">"Location"
                                    <select name="location_id" required class="mt-1 block rounded-md border border-slate-300 px-2 py-2 text-sm">
                                        {locations.into_iter().map(|l| view! { <option value=l.id.clone()>{l.name.clone()}</option> }).collect_view()}
                                    </select>
                                </label>
                                <label class="text-sm text-slate-700">"From"
                                    <input type="date" name="earliest_day" required class=format!("{INPUT} py-1.5") />
                                </label>
                                <label class="text-sm text-slate-700">"Until"
                                    <input type="date" name="latest_day" required class=format!("{INPUT} py-1.5") />
                                </label>
                                <button type="submit" class=SECONDARY disabled=move || add.pending().get()>"Add to waitlist"</button>
                            </ActionForm>
                        }
                    })}
                </Transition>
                <ActionResult value=add.value() success="On the waitlist. They'll be offered a time that comes free." />
                <ActionResult value=remove.value() success="Taken off the waitlist." />
            </IfCan>
        </section>
    }
}
