//! Contacts: a searchable list, and each contact's page with details and timeline.

use std::collections::HashMap;

use crate::components::page_title::PageTitle;
use domain::model::{Contact, ContactSource, DuplicateReason, Stage};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::book_box::BookBox;
use crate::components::contact_form::{CONTACT_FIELDS, ContactFormFields};
use crate::components::contact_links::{EmailLink, PhoneLink};
use crate::components::enrichment_box::EnrichmentBox;
use crate::components::forms::{
    ActionResult, BUTTON, CARD, INPUT, LINK, LoadError, SECONDARY, SubmitButton, refusal_of,
    reset_on_success, successes, use_hydrated,
};
use crate::components::layout::{IfCan, can, use_current_user};
use crate::components::send_sms::SendSmsBox;
use crate::components::task_list::TaskList;
use crate::components::time::local_time;
use crate::components::waitlist_box::WaitlistBox;
use crate::components::warmness_box::WarmnessBox;
use crate::server_fns::contacts::{
    CONTACTS_PER_PAGE, ContactListQuery, LogTouchpoint, UndoMerge, UpdateContact, contact_duplicates,
    contact_form_choices, contact_merges, contact_tag_names, contact_timeline, count_contacts, get_contact,
    list_contacts,
};
use crate::server_fns::messages::SendSms;
use crate::server_fns::pipeline::{MoveContactStage, pipeline_stages};
use crate::server_fns::tasks::{AddTask, RescheduleTask, SetTaskDone, contact_tasks};
use crate::server_fns::users::assignable_staff;
use domain::access::Permission;
use domain::display::{LocalTimes, Zoned, grouped};

fn stage_names(stages: Vec<Stage>) -> HashMap<String, String> {
    stages.into_iter().map(|s| (s.id, s.name)).collect()
}

/// `key=value&…` for the given, non-empty values, percent-encoded.
pub fn query_string(pairs: &[(&str, Option<String>)]) -> String {
    let encode = |text: &str| {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .filter_map(|(key, value)| {
            value.as_deref().filter(|v| !v.is_empty()).map(|v| format!("{key}={}", encode(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

const SORT_CHOICES: [(&str, &str); 6] = [
    ("", "Best match / newest"),
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("name", "Name A–Z"),
    ("updated", "Recently updated"),
    ("warmness", "Warmest first"),
];

/// A filter `<select>`: "All …" first, then `choices` as (value, label), `now` selected.
/// Shared by the Contacts list and the pipeline board.
pub fn filter_select(
    name: &'static str,
    label: &'static str,
    all: &'static str,
    choices: Vec<(String, String)>,
    now: Option<String>,
) -> impl IntoView {
    view! {
        <label class="text-sm text-slate-700">
            <span class="sr-only">{label}</span>
            <select name=name aria-label=label class="mt-1 rounded-md border border-slate-300 px-2 py-2 text-sm">
                <option value="">{all}</option>
                {choices.into_iter().map(|(value, text)| {
                    let selected = now.as_deref() == Some(value.as_str());
                    view! { <option value=value selected=selected>{text}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

/// The list's place in the whole: which page, the `cursor` that opens it, and the filters.
#[derive(Clone, Debug, PartialEq)]
struct ListPosition {
    filters: ContactListQuery,
    cursor: Option<String>,
    /// 1-based, carried by the Previous and Next links so the list can say "51–100".
    page: u64,
}

impl ListPosition {
    fn href(&self, cursor: Option<String>, page: u64) -> String {
        let mut pairs = self.filters.pairs().to_vec();
        pairs.push(("cursor", cursor));
        pairs.push(("page", (page > 1).then(|| page.to_string())));
        let query = query_string(&pairs);
        if query.is_empty() { "/contacts".to_owned() } else { format!("/contacts?{query}") }
    }
}

/// How many filters (sort included) narrow or order the list, for the phone's Filters button.
fn filters_in_use(filters: &ContactListQuery) -> usize {
    filters.pairs().iter().filter(|(key, value)| *key != "q" && value.is_some()).count()
}

#[component]
pub fn ContactsPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |key: &str| query.read().get(key).filter(|v| !v.trim().is_empty());
    let filters = move || ContactListQuery {
        q: param("q"),
        stage_id: param("stage_id"),
        tag: param("tag"),
        owner_id: param("owner_id"),
        location_id: param("location_id"),
        source: param("source"),
        warmness_min: param("warmness_min"),
        warmness_max: param("warmness_max"),
        sort: param("sort"),
    };
    let position = move || ListPosition {
        filters: filters(),
        cursor: param("cursor"),
        page: param("page").and_then(|p| p.parse::<u64>().ok()).filter(|p| *p >= 1).unwrap_or(1),
    };
    let contacts =
        Resource::new(move || (filters(), param("cursor")), |(query, cursor)| list_contacts(query, cursor));
    // Asked apart, so that the page never waits for its count.
    let total = Resource::new(filters, count_contacts);
    let list_stages = Resource::new(|| (), |_| pipeline_stages());
    let filter_choices = Resource::new(
        || (),
        |_| async { (pipeline_stages().await, contact_tag_names().await, contact_form_choices().await) },
    );
    let export_href = move || format!("/contacts/export.csv?{}", query_string(&filters().pairs()));
    let hydrated = use_hydrated();
    let filters_open = RwSignal::new(false);

    view! {
        <PageTitle text="Contacts" />
        <div class="flex flex-wrap items-center justify-between gap-3">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">"Contacts"</h1>
                <p class="mt-1 text-slate-600">"Patients and enquiries. Search finds names despite typos."</p>
            </div>
            <div class="flex flex-wrap gap-2">
                <IfCan permission=Permission::ContactsWrite>
                    <a href="/contacts/new" class=BUTTON>"New contact"</a>
                    <a href="/contacts/import" class=SECONDARY>"Import CSV"</a>
                </IfCan>
                <a href=export_href class=SECONDARY download="contacts.csv">"Export CSV"</a>
            </div>
        </div>
        <form method="get" action="/contacts" role="search" aria-label="Contacts" class="mt-6 flex flex-wrap items-end gap-2">
            <div class="min-w-48 flex-1">
                <label for="q" class="sr-only">"Search contacts"</label>
                <input id="q" name="q" type="search" placeholder="Name, phone or email" class=INPUT
                    value=move || param("q").unwrap_or_default() prop:value=move || param("q").unwrap_or_default() />
            </div>
            // On a phone the filters fold away behind this button; wider screens show them all.
            <button type="button" class=format!("md:hidden {SECONDARY} py-2") aria-controls="contact-filters"
                aria-expanded=move || if filters_open.get() { "true" } else { "false" }
                disabled=move || !hydrated.get()
                on:click=move |_| filters_open.update(|open| *open = !*open)>
                {move || match filters_in_use(&filters()) {
                    0 => "Filters".to_owned(),
                    n => format!("Filters ({n})"),
                }}
            </button>
            <div id="contact-filters"
                class=move || format!("{} w-full flex-wrap items-end gap-2 md:flex md:w-auto", if filters_open.get() { "flex" } else { "hidden" })>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let (stages, tags, people) = filter_choices.await;
                    let (locations, staff) = people.unwrap_or_default();
                    let now = filters();
                    let stages = stages.unwrap_or_default().into_iter().map(|s| (s.id, s.name)).collect();
                    let tags = tags.unwrap_or_default().into_iter().map(|t| (t.clone(), t)).collect();
                    let sources =
                        ContactSource::ALL.into_iter().map(|s| (s.as_str().to_owned(), s.label().to_owned())).collect();
                    let sort_now = now.sort.clone();
                    view! {
                        {filter_select("stage_id", "Stage", "All stages", stages, now.stage_id)}
                        {filter_select("tag", "Tag", "All tags", tags, now.tag)}
                        {filter_select("owner_id", "Owner", "Any owner", staff, now.owner_id)}
                        {filter_select("location_id", "Location", "All locations", locations, now.location_id)}
                        {filter_select("source", "Source", "Any source", sources, now.source)}
                        <fieldset class="flex items-end gap-1 text-sm text-slate-700">
                            <legend class="sr-only">"Warmness"</legend>
                            <label>
                                <span class="block text-xs text-slate-500">"Warmness from"</span>
                                <input name="warmness_min" type="number" min="0" max="100" inputmode="numeric"
                                    aria-label="Warmness from" placeholder="0"
                                    class="mt-1 w-20 rounded-md border border-slate-300 px-2 py-2 text-sm"
                                    value=now.warmness_min.clone().unwrap_or_default() />
                            </label>
                            <label>
                                <span class="block text-xs text-slate-500">"to"</span>
                                <input name="warmness_max" type="number" min="0" max="100" inputmode="numeric"
                                    aria-label="Warmness to" placeholder="100"
                                    class="mt-1 w-20 rounded-md border border-slate-300 px-2 py-2 text-sm"
                                    value=now.warmness_max.clone().unwrap_or_default() />
                            </label>
                        </fieldset>
                        <label class="text-sm text-slate-700">
                            <span class="sr-only">"Sort"</span>
                            <select name="sort" aria-label="Sort" class="mt-1 rounded-md border border-slate-300 px-2 py-2 text-sm">
                                {SORT_CHOICES.into_iter().map(|(value, label)| {
                                    let selected = sort_now.as_deref().unwrap_or("") == value;
                                    view! { <option value=value selected=selected>{label}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                    }
                })}
            </Transition>
            </div>
            <button type="submit" class=BUTTON>"Search"</button>
        </form>
        <Transition fallback=|| view! { <p class="mt-6 text-sm text-slate-500">"Loading contacts…"</p> }>
            {move || Suspend::new(async move {
                let names = stage_names(list_stages.await.unwrap_or_default());
                let (_, _, people) = filter_choices.await;
                let places: HashMap<String, String> = people.unwrap_or_default().0.into_iter().collect();
                let at = position();
                match contacts.await {
                    Err(error) => view! { <LoadError error /> }.into_any(),
                    Ok(page) if page.items.is_empty() && page.prev_cursor.is_none() => view! {
                        <p class="mt-6 rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-500">
                            "No contacts match."
                        </p>
                    }
                    .into_any(),
                    Ok(page) => {
                        let first = (at.page - 1) * u64::from(CONTACTS_PER_PAGE) + 1;
                        let last = first + page.items.len() as u64 - 1;
                        let shown = if page.items.is_empty() {
                            "No more contacts on this page.".to_owned()
                        } else {
                            format!("Showing {}–{}", grouped(first), grouped(last))
                        };
                        let prev = page.prev_cursor.clone().map(|cursor| {
                            // Back to page 1 is the list without a cursor: the true first page.
                            let page_number = at.page.saturating_sub(1).max(1);
                            at.href((page_number > 1).then_some(cursor), page_number)
                        });
                        let next = page.next_cursor.clone().map(|cursor| at.href(Some(cursor), at.page + 1));
                        let rows = page.items.clone();
                        let sort_now = at.filters.sort.clone();
                        let header = |label: &'static str, sort: &'static str, order: &'static str| {
                            sort_header(&at, label, sort, order, sort_now.as_deref())
                        };
                        view! {
                            <p class="mt-6 text-sm text-slate-600" role="status">
                                {shown}
                                <Transition fallback=|| ()>
                                    {move || Suspend::new(async move {
                                        total.await.ok().map(|count| {
                                            let plus = if count.capped { "+" } else { "" };
                                            let noun = if count.total == 1 { "contact" } else { "contacts" };
                                            format!(" of {}{plus} {noun}", grouped(count.total))
                                        })
                                    })}
                                </Transition>
                            </p>
                            <div class=format!("mt-3 hidden overflow-x-auto md:block {CARD}") role="region" aria-label="Contact list" tabindex="0">
                                <table class="min-w-full text-left text-sm">
                                    <thead class="text-xs uppercase tracking-wide text-slate-500">
                                        <tr>
                                            {header("Name", "name", "ascending")}
                                            <th scope="col" class="py-2 pr-4 font-medium">"Phone"</th>
                                            <th scope="col" class="py-2 pr-4 font-medium">"Email"</th>
                                            <th scope="col" class="py-2 pr-4 font-medium">"Stage"</th>
                                            <th scope="col" class="py-2 pr-4 font-medium">"Location"</th>
                                            <th scope="col" class="py-2 pr-4 font-medium">"Tags"</th>
                                            {header("Warmness", "warmness", "descending")}
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {page.items.into_iter().map(|contact| view! {
                                            <ContactRow contact names=names.clone() places=places.clone() />
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <ul class="mt-3 space-y-3 md:hidden" aria-label="Contact list">
                                {rows.into_iter().map(|contact| view! {
                                    <ContactCard contact names=names.clone() places=places.clone() />
                                }).collect_view()}
                            </ul>
                            {(prev.is_some() || next.is_some()).then(|| view! {
                                <nav aria-label="Contact pages" class="mt-4 flex items-center justify-between gap-3 text-sm">
                                    {prev.map(|href| view! { <a href=href rel="prev" class=SECONDARY>"← Previous page"</a> })}
                                    <span class="text-slate-600">{format!("Page {}", at.page)}</span>
                                    {next.map(|href| view! { <a href=href rel="next" class=SECONDARY>"Next page →"</a> })}
                                </nav>
                            })}
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// A column heading that sorts the list by `sort` (whose direction is `order`, as `aria-sort`
/// says it); on the column already sorting, it goes back to the default order.
fn sort_header(
    at: &ListPosition,
    label: &'static str,
    sort: &'static str,
    order: &'static str,
    now: Option<&str>,
) -> impl IntoView + use<> {
    let active = now == Some(sort);
    let filters = ContactListQuery { sort: (!active).then(|| sort.to_owned()), ..at.filters.clone() };
    let href = ListPosition { filters, cursor: None, page: 1 }.href(None, 1);
    let arrow = match (active, order) {
        (false, _) => "↕",
        (true, "ascending") => "↑",
        (true, _) => "↓",
    };
    view! {
        <th scope="col" class="py-2 pr-4 font-medium" aria-sort=active.then_some(order)>
            <a href=href class="inline-flex items-center gap-1 uppercase hover:text-sky-800 hover:underline">
                {label}
                <span aria-hidden="true" class=if active { "text-slate-700" } else { "text-slate-400" }>{arrow}</span>
            </a>
        </th>
    }
}

/// The names of a contact's stage and location, for its row or card.
fn stage_and_place(
    contact: &Contact,
    names: &HashMap<String, String>,
    places: &HashMap<String, String>,
) -> (String, Option<String>) {
    let stage = names.get(&contact.stage_id).cloned().unwrap_or_default();
    (stage, contact.location_id.as_ref().and_then(|id| places.get(id).cloned()))
}

/// A contact's tags as small chips.
#[component]
fn TagChips(tags: Vec<String>) -> impl IntoView {
    tags.into_iter()
        .map(|tag| view! {
            <span class="mr-1 inline-block rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-700">{tag}</span>
        })
        .collect_view()
}

#[component]
fn ContactRow(
    contact: Contact,
    names: HashMap<String, String>,
    places: HashMap<String, String>,
) -> impl IntoView {
    let (stage, place) = stage_and_place(&contact, &names, &places);
    view! {
        <tr>
            // The name heads its row, so each cell is announced with whose it is.
            <th scope="row" class="py-2 pr-4 text-left font-medium">
                <A href=format!("/contacts/{}", contact.id) attr:class="text-sky-800 hover:underline">
                    {format!("{} {}", contact.first_name, contact.last_name)}
                </A>
            </th>
            <td class="py-2 pr-4 whitespace-nowrap">{or_dash(contact.phone.map(|e164| view! { <PhoneLink e164 quiet=true /> }))}</td>
            <td class="py-2 pr-4">{or_dash(contact.email.map(|address| view! { <EmailLink address quiet=true /> }))}</td>
            <td class="py-2 pr-4">{stage}</td>
            <td class="py-2 pr-4">{or_dash(place)}</td>
            <td class="py-2 pr-4"><TagChips tags=contact.tags /></td>
            <td class="py-2 tabular-nums">{contact.warmness.map(|w| w.to_string()).unwrap_or_else(|| "Unscored".into())}</td>
        </tr>
    }
}

/// A contact as a card, for a phone's narrow screen.
#[component]
fn ContactCard(
    contact: Contact,
    names: HashMap<String, String>,
    places: HashMap<String, String>,
) -> impl IntoView {
    let (stage, place) = stage_and_place(&contact, &names, &places);
    let facts =
        [Some(stage), place].into_iter().flatten().filter(|f| !f.is_empty()).collect::<Vec<_>>().join(" · ");
    let warmness = contact.warmness.map(|w| format!("Warmness {w}")).unwrap_or_else(|| "Unscored".into());
    view! {
        <li class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            <div class="flex items-baseline justify-between gap-3">
                <A href=format!("/contacts/{}", contact.id) attr:class="font-medium text-sky-800 hover:underline">
                    {format!("{} {}", contact.first_name, contact.last_name)}
                </A>
                <span class="text-xs tabular-nums text-slate-600">{warmness}</span>
            </div>
            <p class="mt-1 text-sm text-slate-600">{facts}</p>
            <div class="mt-2 flex flex-col gap-1 text-sm">
                {contact.phone.map(|e164| view! { <PhoneLink e164 /> })}
                {contact.email.map(|address| view! { <EmailLink address /> })}
            </div>
            {(!contact.tags.is_empty()).then(|| view! {
                <p class="mt-2"><TagChips tags=contact.tags /></p>
            })}
        </li>
    }
}

#[component]
pub fn ContactPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let log = ServerAction::<LogTouchpoint>::new();
    let log_form = NodeRef::new();
    reset_on_success(log.value(), log_form);
    let update = ServerAction::<UpdateContact>::new();
    let move_stage = ServerAction::<MoveContactStage>::new();
    let me = use_current_user();
    let editing = RwSignal::new(false);
    // Reloaded only after a successful save: a refused one keeps the form, and what was typed.
    let saved = RwSignal::new(0_u32);
    Effect::new(move |_| {
        if let Some(Ok(_)) = update.value().get() {
            editing.set(false);
            saved.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = move_stage.value().get() {
            saved.update(|n| *n += 1);
        }
    });
    let contact = Resource::new(move || (id(), saved.get()), |(id, _)| get_contact(id));
    let stages = Resource::new(|| (), |_| pipeline_stages());
    let choices = Resource::new(|| (), |_| contact_form_choices());
    let send_sms = ServerAction::<SendSms>::new();
    let timeline = Resource::new(
        move || (id(), log.version().get(), saved.get(), send_sms.version().get()),
        |(id, _, _, _)| contact_timeline(id),
    );

    view! {
        <A href="/contacts" attr:class=format!("text-sm {LINK}")>"← Contacts"</A>
        <Transition fallback=|| view! { <p class="mt-4 text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let stage_list = stages.await.unwrap_or_default();
                let names = stage_names(stage_list.clone());
                let (locations, staff) = choices.await.unwrap_or_default();
                let can_edit = can(me, Permission::ContactsWrite).await;
                let can_text = can(me, Permission::SmsSend).await;
                match contact.await {
                    Err(error) => view! { <PageTitle text="Contact" /> <LoadError error /> }.into_any(),
                    Ok(Zoned { value: contact, times }) => {
                        let texting = contact.phone.clone().filter(|_| can_text);
                        view! {
                        <Show
                            when=move || editing.get()
                            fallback={
                                let (contact, names, locations) = (contact.clone(), names.clone(), locations.clone());
                                let stage_list = stage_list.clone();
                                move || view! {
                                    <ContactDetails contact=contact.clone() times=times.clone() names=names.clone()
                                        stages=stage_list.clone() locations=locations.clone() editing can_edit move_stage />
                                }
                            }
                        >
                            <EditContact contact=contact.clone() locations=locations.clone() staff=staff.clone() update editing />
                        </Show>
                        {texting.map(|to| view! { <SendSmsBox contact_id=Signal::derive(id) to action=send_sms /> })}
                    }
                    .into_any()
                    }
                }
            })}
        </Transition>
        <RecentMerges id=Signal::derive(id) saved />
        <Duplicates id=Signal::derive(id) />
        <WarmnessBox contact_id=Signal::derive(id)
            changed=Signal::derive(move || log.version().get() + saved.get() as usize + send_sms.version().get()) />
        <EnrichmentBox contact_id=Signal::derive(id)
            changed=Signal::derive(move || log.version().get() + saved.get() as usize) />
        <BookBox contact_id=Signal::derive(id) />
        <WaitlistBox contact_id=Signal::derive(id) />
        <ContactTasks id=Signal::derive(id) />
        <section class=format!("mt-6 {CARD}") aria-labelledby="timeline-heading">
            <h2 id="timeline-heading" class="font-semibold">"Timeline"</h2>
            <IfCan permission=Permission::ContactsWrite>
            <ActionForm action=log node_ref=log_form attr:class="mt-3 space-y-2" attr:aria-label="Add to the timeline">
                <input type="hidden" name="contact_id" value=id />
                <div class="flex flex-wrap gap-2">
                    <label for="kind" class="sr-only">"Kind"</label>
                    <select id="kind" name="kind" class="rounded-md border border-slate-300 px-2 py-2 text-sm">
                        <option value="note">"Note"</option>
                        <option value="call">"Call"</option>
                    </select>
                    <label for="summary" class="sr-only">"What happened"</label>
                    <input id="summary" name="summary" required maxlength="2000" placeholder="Add a note or log a call" class="min-w-64 flex-1 rounded-md border border-slate-300 px-3 py-2 text-sm" />
                    <SubmitButton pending=log.pending() label="Add" busy="Adding…" />
                </div>
            </ActionForm>
            </IfCan>
            <ActionResult value=log.value() success="Added to the timeline." />
            <Transition fallback=|| view! { <p class="mt-3 text-sm text-slate-500">"Loading the timeline…"</p> }>
                {move || Suspend::new(async move {
                    match timeline.await {
                        Err(error) => view! { <LoadError error /> }.into_any(),
                        Ok(Zoned { value: page, .. }) if page.items.is_empty() => view! {
                            <p class="mt-4 text-sm text-slate-500">"Nothing on the timeline yet."</p>
                        }
                        .into_any(),
                        Ok(Zoned { value: page, times }) => view! {
                            <ol class="mt-4 space-y-3" aria-label="Timeline entries">
                                {page.items.into_iter().map(|entry| view! {
                                    <li class="border-l-2 border-sky-200 pl-3">
                                        <p class="text-xs uppercase tracking-wide text-slate-500">
                                            {entry.kind.label()} " · " {local_time(&entry.occurred_at, &times)}
                                            {entry.message_status.map(|status| view! {
                                                " · " <span class=status_class(status)>{status.label()}</span>
                                            })}
                                        </p>
                                        <p class="text-sm text-slate-800">{entry.summary}</p>
                                    </li>
                                }).collect_view()}
                            </ol>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// A message status's colour on the timeline and in the Outbox.
pub fn status_class(status: domain::model::MessageStatus) -> &'static str {
    use domain::model::MessageStatus;
    match status {
        MessageStatus::Queued => "font-medium text-amber-800",
        MessageStatus::Sent => "font-medium text-sky-800",
        MessageStatus::Delivered => "font-medium text-emerald-800",
        MessageStatus::Failed => "font-medium text-rose-800",
    }
}

#[component]
fn ContactDetails(
    contact: Contact,
    times: LocalTimes,
    names: HashMap<String, String>,
    stages: Vec<Stage>,
    locations: Vec<(String, String)>,
    editing: RwSignal<bool>,
    /// Whether the user may change the contact: without it, no Edit and no stage picker.
    can_edit: bool,
    move_stage: ServerAction<MoveContactStage>,
) -> impl IntoView {
    let name = format!("{} {}", contact.first_name, contact.last_name);
    let stage = names.get(&contact.stage_id).cloned().unwrap_or_default();
    let location = contact
        .location_id
        .as_ref()
        .and_then(|id| locations.iter().find(|(l, _)| l == id))
        .map(|(_, n)| n.clone());
    let linked = |label: &'static str, value: AnyView| {
        view! {
            <div>
                <dt class="text-xs uppercase tracking-wide text-slate-500">{label}</dt>
                <dd class="mt-0.5 text-slate-900">{value}</dd>
            </div>
        }
    };
    let row = move |label: &'static str, value: Option<String>| linked(label, or_dash(value));
    let consent = |given: bool| if given { "Yes" } else { "No" }.to_owned();
    let hydrated = use_hydrated();
    view! {
        <PageTitle text=name.clone() />
        <div class="mt-2 flex flex-wrap items-center gap-3">
            <h1 class="text-2xl font-semibold tracking-tight">{name}</h1>
            <span class="rounded-full bg-sky-100 px-2.5 py-0.5 text-sm text-sky-800">{stage}</span>
            <span class="text-sm text-slate-500">
                {contact.warmness.map(|w| format!("Warmness {w}")).unwrap_or_else(|| "Unscored".into())}
            </span>
            {contact.tags.iter().map(|tag| view! {
                <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-700">{tag.clone()}</span>
            }).collect_view()}
            {can_edit.then(|| view! {
                // Editing happens in place, which needs the page's script: not active until then.
                <button type="button" class=format!("ml-auto {SECONDARY}") disabled=move || !hydrated.get()
                    on:click=move |_| editing.set(true)>"Edit details"</button>
            })}
        </div>
        {can_edit.then(|| view! { <StagePicker contact_id=contact.id.clone() now=contact.stage_id.clone() stages move_stage /> })}
        <dl class=format!("mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3 {CARD}") aria-label="Contact details">
            {linked("Phone", or_dash(contact.phone.map(|e164| view! { <PhoneLink e164 /> })))}
            {linked("Email", or_dash(contact.email.map(|address| view! { <EmailLink address /> })))}
            {row("Date of birth", contact.date_of_birth.map(|d| d.format("%-d %b %Y").to_string()))}
            {row("Requested", contact.requested_modality.map(|m| m.label().to_owned()))}
            {row("Source", Some(contact.source.label().to_owned()))}
            {row("Referring doctor", contact.referring_doctor)}
            {row("Location", location)}
            {row("SMS consent", Some(consent(contact.sms_consent)))}
            {row("Email consent", Some(consent(contact.email_consent)))}
            {linked("Added", local_time(&contact.created_at, &times).into_any())}
            {contact.custom_fields.into_iter().map(|(key, value)| view! {
                <div>
                    <dt class="text-xs uppercase tracking-wide text-slate-500">{key.replace('_', " ")}</dt>
                    <dd class="mt-0.5 text-slate-900">{value}</dd>
                </div>
            }).collect_view()}
        </dl>
        {contact.notes.map(|notes| view! {
            <section class=format!("mt-4 {CARD}") aria-labelledby="notes-heading">
                <h2 id="notes-heading" class="font-semibold">"Enquiry notes"</h2>
                <p class="mt-2 whitespace-pre-wrap text-sm text-slate-800">{notes}</p>
            </section>
        })}
    }
}

/// The details card turned into a form, saved in place.
#[component]
fn EditContact(
    contact: Contact,
    locations: Vec<(String, String)>,
    staff: Vec<(String, String)>,
    update: ServerAction<UpdateContact>,
    editing: RwSignal<bool>,
) -> impl IntoView {
    let name = format!("{} {}", contact.first_name, contact.last_name);
    let custom =
        contact.custom_fields.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join("\n");
    let id = contact.id.clone();
    view! {
        <PageTitle text=name.clone() />
        <h1 class="mt-2 text-2xl font-semibold tracking-tight">{format!("Edit {name}")}</h1>
        <ActionForm action=update attr:class=format!("mt-4 space-y-4 {CARD}")>
            <input type="hidden" name="id" value=id />
            <ContactFormFields contact=Some(contact) locations staff refusal=refusal_of(update.value().into()) />
            <div>
                <label for="custom_fields" class="block text-sm font-medium text-slate-700">"Custom fields"</label>
                <textarea id="custom_fields" name="custom_fields" rows="3" class=INPUT placeholder="medicare_number = 2123 45670 1">{custom}</textarea>
                <p class="mt-1 text-xs text-slate-500">"One per line, as name = value."</p>
            </div>
            <ActionResult value=update.value() success="" marks=CONTACT_FIELDS />
            <div class="flex gap-2">
                <SubmitButton pending=update.pending() label="Save changes" />
                <button type="button" class=SECONDARY on:click=move |_| editing.set(false)>"Cancel"</button>
            </div>
        </ActionForm>
    }
}

/// Moves the contact to another stage: a plain form, so it works before the page's script has
/// loaded, and the way to move a contact on a phone.
#[component]
fn StagePicker(
    contact_id: String,
    now: String,
    stages: Vec<Stage>,
    move_stage: ServerAction<MoveContactStage>,
) -> impl IntoView {
    view! {
        <ActionForm action=move_stage attr:class="mt-3 flex flex-wrap items-end gap-2" attr:aria-label="Pipeline stage">
            <input type="hidden" name="id" value=contact_id />
            <label class="text-sm text-slate-700">
                <span class="block text-xs uppercase tracking-wide text-slate-500">"Stage"</span>
                <select name="stage_id" class="mt-1 rounded-md border border-slate-300 px-2 py-1.5 text-sm">
                    {stages.into_iter().map(|stage| {
                        let selected = stage.id == now;
                        view! { <option value=stage.id selected=selected>{stage.name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <SubmitButton pending=move_stage.pending() label="Move" busy="Moving…" class=SECONDARY />
        </ActionForm>
        <ActionResult value=move_stage.value() success="Stage changed." />
    }
}

/// Merges into this contact that can still be undone, each with its Undo.
#[component]
fn RecentMerges(id: Signal<String>, saved: RwSignal<u32>) -> impl IntoView {
    let undo = ServerAction::<UndoMerge>::new();
    let undone = successes(undo.value());
    Effect::new(move |_| {
        if undone.get() > 0 {
            saved.update(|n| *n += 1);
        }
    });
    let merges = Resource::new(move || (id.get(), undone.get()), |(id, _)| contact_merges(id));
    let me = use_current_user();
    view! {
        {move || match undo.value().get() {
            Some(Ok(restored)) => Some(view! {
                <p role="status" class="mt-4 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
                    "Merge undone: the other record is separate again. "
                    <a href=format!("/contacts/{restored}") class="font-medium underline">"Open it"</a>
                </p>
            }.into_any()),
            Some(Err(error)) => Some(view! {
                <p role="alert" class="mt-4 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">{error.message().to_owned()}</p>
            }.into_any()),
            None => None,
        }}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let can_undo = can(me, Permission::ContactsWrite).await;
                let Zoned { value: merges, times } = merges.await.unwrap_or_default();
                (!merges.is_empty()).then(|| view! {
                    <section class="mt-4 rounded-xl border border-sky-200 bg-sky-50 p-4" aria-labelledby="merges-heading">
                        <h2 id="merges-heading" class="font-semibold text-sky-950">"Merged records"</h2>
                        <ul class="mt-2 space-y-2 text-sm text-slate-800">
                            {merges.into_iter().map(|merge| view! {
                                <li class="flex flex-wrap items-center gap-3">
                                    <span>
                                        {format!("{} was merged into this record ", merge.retired_name)}
                                        {local_time(&merge.merged_at, &times)}
                                        ". It can be undone until " {local_time(&merge.undo_until, &times)} "."
                                    </span>
                                    {can_undo.then(|| view! {
                                        <ActionForm action=undo>
                                            <input type="hidden" name="merge_id" value=merge.id.clone() />
                                            <SubmitButton pending=undo.pending() label="Undo merge" busy="Undoing…" class=SECONDARY
                                                aria_label=format!("Undo merge of {}", merge.retired_name) />
                                        </ActionForm>
                                    })}
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}

/// Other records that may be the same person, each with a way to compare and merge.
#[component]
fn Duplicates(id: Signal<String>) -> impl IntoView {
    let found = Resource::new(move || id.get(), contact_duplicates);
    let me = use_current_user();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let matches = found.await.unwrap_or_default();
                let can_merge = can(me, Permission::ContactsWrite).await;
                (!matches.is_empty()).then(|| view! {
                    <section class="mt-4 rounded-xl border border-amber-300 bg-amber-50 p-4" aria-labelledby="duplicates-heading">
                        <h2 id="duplicates-heading" class="font-semibold text-amber-900">"Possible duplicates"</h2>
                        <ul class="mt-2 space-y-1 text-sm">
                            {matches.into_iter().map(|m| {
                                let reason = match m.reason {
                                    DuplicateReason::Phone => "same phone number",
                                    DuplicateReason::Email => "same email",
                                    DuplicateReason::Name => "similar name",
                                };
                                view! {
                                    <li>
                                        <a href=format!("/contacts/{}", m.contact_id) class="font-medium text-sky-800 hover:underline">{m.name.clone()}</a>
                                        {format!(" ({reason})")}
                                        {can_merge.then(|| view! {
                                            " · "
                                            <a href=format!("/contacts/{}/merge/{}", id.get_untracked(), m.contact_id) class=LINK>
                                                {format!("Compare and merge {}", m.name)}
                                            </a>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}

/// The contact's tasks, and a form to add one.
#[component]
fn ContactTasks(id: Signal<String>) -> impl IntoView {
    let add = ServerAction::<AddTask>::new();
    let add_form = NodeRef::new();
    reset_on_success(add.value(), add_form);
    let set_done = ServerAction::<SetTaskDone>::new();
    let reschedule = ServerAction::<RescheduleTask>::new();
    let tasks = Resource::new(
        move || (id.get(), add.version().get(), set_done.version().get(), reschedule.version().get()),
        |(id, _, _, _)| async move { (contact_tasks(id).await, assignable_staff().await) },
    );
    let me = use_current_user();
    view! {
        <section class=format!("mt-6 {CARD}") aria-labelledby="tasks-heading">
            <h2 id="tasks-heading" class="font-semibold">"Tasks"</h2>
            <IfCan permission=Permission::ContactsWrite>
            <ActionForm action=add node_ref=add_form attr:class="mt-3 flex flex-wrap items-end gap-2" attr:aria-label="Add a task">
                <input type="hidden" name="contact_id" value=move || id.get() />
                <div class="min-w-64 flex-1">
                    <label for="task-title" class="block text-sm text-slate-700">"New task"</label>
                    <input id="task-title" name="title" required maxlength="200" placeholder="e.g. Call back about referral" class=INPUT />
                </div>
                <div>
                    <label for="task-due" class="block text-sm text-slate-700">"Due day"</label>
                    <input id="task-due" name="due_date" type="date" class=INPUT />
                </div>
                <SubmitButton pending=add.pending() label="Add task" busy="Adding…" />
            </ActionForm>
            </IfCan>
            <ActionResult value=add.value() success="Task added." />
            <ActionResult value=set_done.value() success="" />
            <ActionResult value=reschedule.value() success="" />
            <Transition fallback=|| view! { <p class="mt-3 text-sm text-slate-500">"Loading tasks…"</p> }>
                {move || Suspend::new(async move {
                    let can_change = can(me, Permission::ContactsWrite).await;
                    match tasks.await {
                        (Err(error), _) | (_, Err(error)) => view! { <LoadError error /> }.into_any(),
                        (Ok(page), _) if page.items.is_empty() => view! {
                            <p class="mt-3 text-sm text-slate-500">"No tasks for this contact."</p>
                        }
                        .into_any(),
                        (Ok(page), Ok(staff)) => view! {
                            <div class="mt-3"><TaskList tasks=page.items staff set_done reschedule can_change /></div>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// A value's view, or a dash where there is none.
fn or_dash(value: Option<impl IntoView + 'static>) -> AnyView {
    match value {
        Some(value) => value.into_any(),
        None => "—".into_any(),
    }
}
