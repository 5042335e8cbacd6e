//! Settings → Scheduling: what the availability engine works from. Each location's opening
//! hours (typed per weekday, "08:00–12:00, 13:00–17:30", blank for closed) and closures; the
//! scanners and rooms (add one, take one out of use, maintenance blocks); staff leave, working
//! hours per location and qualifications; and each service's details (length, buffers, price,
//! preparation) and whether it is offered. Every form is an `ActionForm` (a plain post before
//! hydration).

use leptos::prelude::*;

use crate::components::forms::{
    ActionResult, CARD, FieldError, INPUT, SECONDARY, server_error_message, successes,
};
use crate::components::page_title::PageTitle;
use crate::server_fns::scheduling::{
    AddLocationClosure, AddMaintenance, AddResource, AddStaffLeave, RemoveLocationClosure, RemoveMaintenance,
    RemoveStaffLeave, SaveLocationHours, SaveServiceDetails, SaveStaffHours, SaveStaffServices,
    SetResourceInUse, SetServiceOffered, scheduling_setup,
};
use domain::model::{Location, ResourceKind, StaffMember};

const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const KINDS: [(ResourceKind, &str); 5] = [
    (ResourceKind::MriScanner, "MRI scanner"),
    (ResourceKind::CtScanner, "CT scanner"),
    (ResourceKind::UltrasoundRoom, "Ultrasound room"),
    (ResourceKind::XrayRoom, "X-ray room"),
    (ResourceKind::MammographyUnit, "Mammography unit"),
];

/// Periods of one weekday as the week forms show them: "08:00–12:00, 13:00–17:30".
fn periods_text<'a>(periods: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    periods.map(|(from, until)| format!("{from}–{until}")).collect::<Vec<_>>().join(", ")
}

/// A location's opening hours on one weekday (1 = Monday).
fn day_text(location: &Location, weekday: u8) -> String {
    periods_text(
        location.hours.iter().filter(|p| p.weekday == weekday).map(|p| (p.opens.as_str(), p.closes.as_str())),
    )
}

/// A staff member's periods at one location on one weekday.
fn staff_day_text(member: &StaffMember, location_id: &str, weekday: u8) -> String {
    periods_text(
        member
            .hours
            .iter()
            .filter(|p| p.weekday == weekday && p.location_id == location_id)
            .map(|p| (p.starts.as_str(), p.ends.as_str())),
    )
}

/// The fields of a service's form that it marks itself.
const SERVICE_FIELDS: &[&str] = &[
    "name",
    "duration_minutes",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "price",
    "preparation",
    "resource_kind",
];

/// Cents as the price field shows them: "450.00".
fn dollars(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[component]
pub fn SchedulingPage() -> impl IntoView {
    let hours = ServerAction::<SaveLocationHours>::new();
    let add_closure = ServerAction::<AddLocationClosure>::new();
    let remove_closure = ServerAction::<RemoveLocationClosure>::new();
    let add_resource = ServerAction::<AddResource>::new();
    let in_use = ServerAction::<SetResourceInUse>::new();
    let add_block = ServerAction::<AddMaintenance>::new();
    let remove_block = ServerAction::<RemoveMaintenance>::new();
    let add_leave = ServerAction::<AddStaffLeave>::new();
    let remove_leave = ServerAction::<RemoveStaffLeave>::new();
    let offered = ServerAction::<SetServiceOffered>::new();
    let details = ServerAction::<SaveServiceDetails>::new();
    let staff_hours = ServerAction::<SaveStaffHours>::new();
    let staff_services = ServerAction::<SaveStaffServices>::new();
    // Reloaded on saves that worked only: a refused form keeps what was typed in it.
    let saved = [
        successes(hours.value()),
        successes(add_closure.value()),
        successes(remove_closure.value()),
        successes(add_resource.value()),
        successes(in_use.value()),
        successes(add_block.value()),
        successes(remove_block.value()),
        successes(add_leave.value()),
        successes(remove_leave.value()),
        successes(offered.value()),
        successes(details.value()),
        successes(staff_hours.value()),
        successes(staff_services.value()),
    ];
    let setup = Resource::new(move || saved.iter().map(|n| n.get()).sum::<u32>(), |_| scheduling_setup());
    // Which service's or person's form was sent last, so its refusal is shown beside it.
    let (last_service, last_week) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    Effect::new(move |_| {
        if let Some(sent) = details.input().get() {
            last_service.set(sent.id);
        }
    });
    Effect::new(move |_| {
        if let Some(sent) = staff_hours.input().get() {
            last_week.set(format!("{}:{}", sent.user_id, sent.location_id));
        }
    });
    view! {
        <PageTitle text="Scheduling" />
        <h1 class="text-2xl font-semibold tracking-tight">"Scheduling"</h1>
        <p class="mt-1 text-slate-600">"Opening hours, closures, scanners and rooms, maintenance, leave and the services offered: what free times are worked out from."</p>
        <ActionResult value=hours.value() success="Opening hours saved." />
        <ActionResult value=add_closure.value() success="Closed that day." />
        <ActionResult value=remove_closure.value() success="Open that day again." />
        <ActionResult value=add_resource.value() success="Added." />
        <ActionResult value=in_use.value() success="Saved." />
        <ActionResult value=add_block.value() success="Maintenance booked in." />
        <ActionResult value=remove_block.value() success="Maintenance removed." />
        <ActionResult value=add_leave.value() success="Leave recorded." />
        <ActionResult value=remove_leave.value() success="Leave removed." />
        <ActionResult value=offered.value() success="Saved." />
        <ActionResult value=details.value() success="Service saved." marks=SERVICE_FIELDS />
        // A refusal is shown in the form that was sent (below); here only the success.
        {move || matches!(staff_hours.value().get(), Some(Ok(_))).then(|| view! {
            <p role="status" class="mt-3 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">"Working hours saved."</p>
        })}
        <ActionResult value=staff_services.value() success="Services saved." />
        <Transition fallback=|| view! { <p class="mt-4 text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (locations, resources, services, staff) = match setup.await {
                    Ok(all) => all,
                    Err(error) => return view! { <crate::components::forms::LoadError error /> }.into_any(),
                };
                let location_options = locations.iter().map(|l| (l.id.clone(), l.name.clone())).collect::<Vec<_>>();
                let service_options = services.iter().map(|s| (s.id.clone(), s.name.clone())).collect::<Vec<_>>();
                let no_resources = resources.is_empty().then(|| view! { <p class="mt-2 text-sm text-slate-600">"No scanners or rooms yet: add the first below, then book it."</p> });
                let no_leave = staff.iter().all(|m| m.leave.is_empty()).then(|| view! { <p class="mt-2 text-sm text-slate-600">"No leave coming up."</p> });
                let no_services = services.is_empty().then(|| view! { <p class="mt-2 text-sm text-slate-600">"No services yet: they are added through the API (POST /api/v1/services)."</p> });
                let no_staff = staff.is_empty().then(|| view! { <p class="mt-2 text-sm text-slate-600">"No staff members at your locations yet: add users on the Users page."</p> });
                let people = staff.clone();
                let places = location_options.clone();
                view! {
                    {locations.into_iter().map(|l| {
                        let (heading, heading_id) = (format!("hours-{}", l.id), format!("hours-{}", l.id));
                        let title = format!("{} · opening hours", l.name);
                        let note = format!("On the location's clock ({}). Several periods: “08:00–12:00, 13:00–17:30”. Blank: closed.", l.time_zone);
                        let (hours_label, closed_label, close_label) = (format!("Opening hours of {}", l.name), format!("Closed days at {}", l.name), format!("Close {} for a day", l.name));
                        let days = WEEKDAYS.iter().enumerate().map(|(n, day)| {
                            let value = day_text(&l, n as u8 + 1);
                            view! {
                                <label class="text-sm text-slate-700">{*day}
                                    <input name=format!("days[{n}]") value=value class=INPUT />
                                </label>
                            }
                        }).collect_view();
                        let closures = l.closures.iter().map(|c| {
                            let (id, day) = (l.id.clone(), c.day.to_string());
                            let label = format!("Open again: {}", c.day.format("%a %-d %b %Y"));
                            let text = format!("{} · {}", c.day.format("%a %-d %b %Y"), c.reason);
                            view! {
                                <li class="flex items-center justify-between py-1.5 text-sm">
                                    <span>{text}</span>
                                    <ActionForm action=remove_closure>
                                        <input type="hidden" name="location_id" value=id />
                                        <input type="hidden" name="day" value=day />
                                        <button type="submit" aria-label=label class=SECONDARY>"Open again"</button>
                                    </ActionForm>
                                </li>
                            }
                        }).collect_view();
                        let (id_for_hours, id_for_closure) = (l.id.clone(), l.id.clone());
                        view! {
                            <section class=format!("mt-6 {CARD}") aria-labelledby=heading>
                                <h2 id=heading_id class="font-semibold">{title}</h2>
                                <p class="text-sm text-slate-600">{note}</p>
                                <ActionForm action=hours attr:aria-label=hours_label attr:class="mt-3 grid gap-2 sm:grid-cols-2">
                                    <input type="hidden" name="location_id" value=id_for_hours />
                                    {days}
                                    <div class="sm:col-span-2"><button type="submit" class=SECONDARY>"Save opening hours"</button></div>
                                </ActionForm>
                                <h3 class="mt-4 text-sm font-semibold">"Closed days"</h3>
                                <ul class="mt-1 divide-y divide-slate-100" aria-label=closed_label>{closures}</ul>
                                <ActionForm action=add_closure attr:aria-label=close_label attr:class="mt-2 flex flex-wrap items-end gap-2">
                                    <input type="hidden" name="location_id" value=id_for_closure />
                                    <label class="text-sm text-slate-700">"Day"<input type="date" name="day" required class=format!("{INPUT} py-1.5") /></label>
                                    <label class="text-sm text-slate-700">"Reason"<input name="reason" required maxlength="200" placeholder="Public holiday" class=INPUT /></label>
                                    <button type="submit" class=SECONDARY>"Close that day"</button>
                                </ActionForm>
                            </section>
                        }
                    }).collect_view()}
                    <section class=format!("mt-6 {CARD}") aria-labelledby="resources-heading">
                        <h2 id="resources-heading" class="font-semibold">"Scanners and rooms"</h2>
                        {no_resources}
                        <ul class="mt-2 divide-y divide-slate-100" aria-label="Scanners and rooms">
                            {resources.iter().map(|r| {
                                let place = location_options.iter().find(|(id, _)| *id == r.location_id).map(|(_, n)| n.clone()).unwrap_or_default();
                                let (toggle, toggle_label) = if r.active { ("false", format!("Take {} out of use", r.name)) } else { ("true", format!("Put {} back in use", r.name)) };
                                let title = format!("{} · {}{}", r.name, place, if r.active { "" } else { " · out of use" });
                                let blocks_label = format!("Maintenance of {}", r.name);
                                let blocks = r.blocks.iter().map(|b| {
                                    let label = format!("Remove maintenance of {} from {}", r.name, b.label);
                                    let text = format!("Maintenance {} · {}", b.label, b.reason);
                                    let (resource, block) = (r.id.clone(), b.id.clone());
                                    view! {
                                        <li class="flex items-center justify-between text-slate-700">
                                            <span>{text}</span>
                                            <ActionForm action=remove_block>
                                                <input type="hidden" name="resource_id" value=resource />
                                                <input type="hidden" name="block_id" value=block />
                                                <button type="submit" aria-label=label class=SECONDARY>"Remove"</button>
                                            </ActionForm>
                                        </li>
                                    }
                                }).collect_view();
                                let id = r.id.clone();
                                view! {
                                    <li class="py-2 text-sm">
                                        <div class="flex flex-wrap items-center justify-between gap-2">
                                            <span class="font-medium">{title}</span>
                                            <ActionForm action=in_use>
                                                <input type="hidden" name="id" value=id />
                                                <input type="hidden" name="active" value=toggle />
                                                <button type="submit" class=SECONDARY>{toggle_label}</button>
                                            </ActionForm>
                                        </div>
                                        <ul class="mt-1 space-y-1" aria-label=blocks_label>{blocks}</ul>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <h3 class="mt-4 text-sm font-semibold">"Book maintenance"</h3>
                        <ActionForm action=add_block attr:aria-label="Book maintenance" attr:class="mt-2 flex flex-wrap items-end gap-2">
                            <label class="text-sm text-slate-700">"Scanner or room"
                                <select name="resource_id" class="mt-1 block rounded-md border border-slate-300 px-2 py-2 text-sm">
                                    {resources.iter().map(|r| view! { <option value=r.id.clone()>{r.name.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <label class="text-sm text-slate-700">"From"<input type="datetime-local" name="starts" required class=format!("{INPUT} py-1.5") /></label>
                            <label class="text-sm text-slate-700">"Until"<input type="datetime-local" name="ends" required class=format!("{INPUT} py-1.5") /></label>
                            <label class="text-sm text-slate-700">"Reason"<input name="reason" required maxlength="200" placeholder="Service visit" class=INPUT /></label>
                            <button type="submit" class=SECONDARY>"Book maintenance"</button>
                        </ActionForm>
                        <h3 class="mt-4 text-sm font-semibold">"Add a scanner or room"</h3>
                        <ActionForm action=add_resource attr:aria-label="Add a scanner or room" attr:class="mt-2 flex flex-wrap items-end gap-2">
                            <label class="text-sm text-slate-700">"Location"
                                <select name="location_id" class="mt-1 block rounded-md border border-slate-300 px-2 py-2 text-sm">
                                    {location_options.iter().map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <label class="text-sm text-slate-700">"Name"<input name="name" required maxlength="100" placeholder="MRI 3" class=INPUT /></label>
                            <label class="text-sm text-slate-700">"Kind"
                                <select name="kind" class="mt-1 block rounded-md border border-slate-300 px-2 py-2 text-sm">
                                    {KINDS.iter().map(|(k, label)| view! { <option value=k.as_str()>{*label}</option> }).collect_view()}
                                </select>
                            </label>
                            <button type="submit" class=SECONDARY>"Add"</button>
                        </ActionForm>
                    </section>
                    <section class=format!("mt-6 {CARD}") aria-labelledby="leave-heading">
                        <h2 id="leave-heading" class="font-semibold">"Staff leave"</h2>
                        {no_leave}
                        <ul class="mt-2 divide-y divide-slate-100" aria-label="Leave">
                            {staff.iter().flat_map(|m| m.leave.iter().map(move |l| (m.id.clone(), m.display_name.clone(), l.clone()))).map(|(user, name, l)| {
                                let label = format!("Remove {name}'s leave: {}", l.label);
                                view! {
                                    <li class="flex items-center justify-between py-1.5 text-sm">
                                        <span>{format!("{name} · {} · {}", l.label, l.reason)}</span>
                                        <ActionForm action=remove_leave>
                                            <input type="hidden" name="user_id" value=user />
                                            <input type="hidden" name="leave_id" value=l.id.clone() />
                                            <button type="submit" aria-label=label class=SECONDARY>"Remove"</button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <ActionForm action=add_leave attr:aria-label="Record leave" attr:class="mt-2 flex flex-wrap items-end gap-2">
                            <label class="text-sm text-slate-700">"Staff member"
                                <select name="user_id" class="mt-1 block rounded-md border border-slate-300 px-2 py-2 text-sm">
                                    {staff.iter().map(|m| view! { <option value=m.id.clone()>{m.display_name.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <label class="text-sm text-slate-700">"First day"<input type="date" name="first_day" required class=format!("{INPUT} py-1.5") /></label>
                            <label class="text-sm text-slate-700">"Last day"<input type="date" name="last_day" required class=format!("{INPUT} py-1.5") /></label>
                            <label class="text-sm text-slate-700">"Reason"<input name="reason" required maxlength="200" placeholder="Annual leave" class=INPUT /></label>
                            <button type="submit" class=SECONDARY>"Record leave"</button>
                        </ActionForm>
                    </section>
                    <section class=format!("mt-6 {CARD}") aria-labelledby="services-heading">
                        <h2 id="services-heading" class="font-semibold">"Services"</h2>
                        <p class="text-sm text-slate-600">"What each scan takes: its length, the time the scanner and staff are held either side, the price and what the patient must do beforehand."</p>
                        {no_services}
                        <ul class="mt-2 divide-y divide-slate-100" aria-label="Services">
                            {services.into_iter().map(|s| {
                                let (toggle, label) = if s.active { ("false", format!("Stop offering {}", s.name)) } else { ("true", format!("Offer {} again", s.name)) };
                                let price = format!("${}", dollars(s.price_cents));
                                let summary = format!("{} · {} min · {}{}", s.name, s.duration_minutes, price, if s.active { "" } else { " · not offered" });
                                let form_label = format!("Details of {}", s.name);
                                let kind_now = s.resource_kind;
                                let (toggle_id, form_id) = (s.id.clone(), s.id.clone());
                                let this = s.id.clone();
                                let refusal = Signal::derive(move || {
                                    (last_service.get() == this).then(|| details.value().get().and_then(Result::err)).flatten()
                                });
                                view! {
                                    <li class="py-2 text-sm">
                                        <div class="flex flex-wrap items-center justify-between gap-2">
                                            <span>{summary}</span>
                                            <ActionForm action=offered>
                                                <input type="hidden" name="id" value=toggle_id />
                                                <input type="hidden" name="active" value=toggle />
                                                <button type="submit" class=SECONDARY>{label}</button>
                                            </ActionForm>
                                        </div>
                                        <details class="mt-1">
                                            <summary class="cursor-pointer text-sky-800 underline underline-offset-2">{format!("Edit {}", s.name)}</summary>
                                            <ActionForm action=details attr:aria-label=form_label attr:class="mt-2 grid gap-2 sm:grid-cols-3">
                                                <input type="hidden" name="id" value=form_id />
                                                <label class="text-sm text-slate-700 sm:col-span-3">"Name"<input name="name" value=s.name.clone() required maxlength="200" class=INPUT /><FieldError refusal field="name" label="Name" /></label>
                                                <label class="text-sm text-slate-700">"Minutes"<input name="duration_minutes" inputmode="numeric" value=s.duration_minutes.to_string() required class=INPUT /><FieldError refusal field="duration_minutes" label="Minutes" /></label>
                                                <label class="text-sm text-slate-700">"Held before (min)"<input name="buffer_before_minutes" inputmode="numeric" value=s.buffer_before_minutes.to_string() required class=INPUT /><FieldError refusal field="buffer_before_minutes" label="Time held before" /></label>
                                                <label class="text-sm text-slate-700">"Held after (min)"<input name="buffer_after_minutes" inputmode="numeric" value=s.buffer_after_minutes.to_string() required class=INPUT /><FieldError refusal field="buffer_after_minutes" label="Time held after" /></label>
                                                <label class="text-sm text-slate-700">"Price ($)"<input name="price" inputmode="decimal" value=dollars(s.price_cents) required class=INPUT /><FieldError refusal field="price" label="Price" /></label>
                                                <label class="text-sm text-slate-700">"Done on"
                                                    <select name="resource_kind" class="mt-1 block w-full rounded-md border border-slate-300 px-2 py-2 text-sm">
                                                        <option value="" selected=kind_now.is_none()>"Not bookable"</option>
                                                        {KINDS.iter().map(|(k, label)| view! { <option value=k.as_str() selected=kind_now == Some(*k)>{*label}</option> }).collect_view()}
                                                    </select>
                                                </label>
                                                <label class="flex items-center gap-2 self-end text-sm text-slate-700"><input type="checkbox" name="referral_required" checked=s.referral_required />"Referral required"</label>
                                                <label class="text-sm text-slate-700 sm:col-span-3">"Preparation (sent with the confirmation)"
                                                    <textarea name="preparation" maxlength="2000" rows="2" class=INPUT>{s.preparation.clone().unwrap_or_default()}</textarea><FieldError refusal field="preparation" label="Preparation" />
                                                </label>
                                                <div class="sm:col-span-3"><button type="submit" class=SECONDARY>"Save service"</button></div>
                                            </ActionForm>
                                        </details>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                    <section class=format!("mt-6 {CARD}") aria-labelledby="staff-heading">
                        <h2 id="staff-heading" class="font-semibold">"Staff: working hours and services"</h2>
                        <p class="text-sm text-slate-600">"Each person's hours at each location on its clock (the gaps are their breaks), and the scans they may perform."</p>
                        {no_staff}
                        <ul class="mt-2 divide-y divide-slate-100" aria-label="Staff">
                            {people.into_iter().map(|m| {
                                let title = match &m.job_title { Some(job) => format!("{} · {job}", m.display_name), None => m.display_name.clone() };
                                let weeks = places.iter().map(|(location_id, location_name)| {
                                    let label = format!("Working hours of {} at {location_name}", m.display_name);
                                    let days = WEEKDAYS.iter().enumerate().map(|(n, day)| {
                                        let value = staff_day_text(&m, location_id, n as u8 + 1);
                                        view! { <label class="text-sm text-slate-700">{*day}<input name=format!("days[{n}]") value=value class=INPUT /></label> }
                                    }).collect_view();
                                    let (user, location, heading) = (m.id.clone(), location_id.clone(), format!("At {location_name}"));
                                    let this = format!("{}:{location_id}", m.id);
                                    let problem = move || {
                                        (last_week.get() == this).then(|| staff_hours.value().get().and_then(Result::err)).flatten().map(|error| view! {
                                            <p role="alert" class="text-sm text-rose-800 sm:col-span-4">{server_error_message(&error)}</p>
                                        })
                                    };
                                    view! {
                                        <ActionForm action=staff_hours attr:aria-label=label attr:class="mt-3 grid gap-2 sm:grid-cols-4">
                                            <input type="hidden" name="user_id" value=user />
                                            <input type="hidden" name="location_id" value=location />
                                            <h3 class="text-sm font-semibold sm:col-span-4">{heading}</h3>
                                            {days}
                                            <div class="self-end"><button type="submit" class=SECONDARY>"Save hours"</button></div>
                                            {problem}
                                        </ActionForm>
                                    }
                                }).collect_view();
                                let services_label = format!("Services {} performs", m.display_name);
                                let user = m.id.clone();
                                let boxes = service_options.iter().enumerate().map(|(n, (id, name))| {
                                    let ticked = m.service_ids.contains(id);
                                    view! { <label class="flex items-center gap-2 text-sm text-slate-700"><input type="checkbox" name=format!("service_ids[{n}]") value=id.clone() checked=ticked />{name.clone()}</label> }
                                }).collect_view();
                                view! {
                                    <li class="py-2 text-sm">
                                        <details>
                                            <summary class="cursor-pointer font-medium">{title}</summary>
                                            {weeks}
                                            <ActionForm action=staff_services attr:aria-label=services_label attr:class="mt-3">
                                                <input type="hidden" name="user_id" value=user />
                                                <fieldset>
                                                    <legend class="text-sm font-semibold">"Qualified for"</legend>
                                                    <div class="mt-1 grid gap-1 sm:grid-cols-3">{boxes}</div>
                                                </fieldset>
                                                <button type="submit" class=format!("mt-2 {SECONDARY}")>"Save services"</button>
                                            </ActionForm>
                                        </details>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}
