//! Contacts: a searchable list, and each contact's page with details and timeline.

use std::collections::HashMap;

use domain::model::{Contact, Stage, modality_label};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::forms::{ActionResult, BUTTON, CARD, INPUT, LoadError, utc};
use crate::server_fns::{LogTouchpoint, contact_timeline, get_contact, list_contacts, pipeline_stages};

fn stage_names(stages: Vec<Stage>) -> HashMap<String, String> {
    stages.into_iter().map(|s| (s.id, s.name)).collect()
}

fn source_label(source: &str) -> String {
    match source {
        "web_form" => "Web form".into(),
        "walk_in" => "Walk-in".into(),
        other => {
            let mut chars = other.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
    }
}

#[component]
pub fn ContactsPage() -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        let q = query.read();
        (q.get("q").filter(|q| !q.trim().is_empty()), q.get("cursor"))
    };
    let contacts = Resource::new(params, |(q, cursor)| list_contacts(q, cursor));
    let stages = Resource::new(|| (), |_| pipeline_stages());

    view! {
        <Title text="Contacts" />
        <h1 class="text-2xl font-semibold tracking-tight">"Contacts"</h1>
        <p class="mt-1 text-slate-600">"Patients and enquiries, newest first."</p>
        <form method="get" action="/contacts" role="search" class="mt-6 flex max-w-xl gap-2">
            <label for="q" class="sr-only">"Search contacts"</label>
            <input
                id="q"
                name="q"
                type="search"
                placeholder="Name, phone or email"
                class=INPUT
                prop:value=move || params().0.unwrap_or_default()
            />
            <button type="submit" class=BUTTON>"Search"</button>
        </form>
        <Transition fallback=|| view! { <p class="mt-6 text-sm text-slate-500">"Loading contacts…"</p> }>
            {move || Suspend::new(async move {
                let names = stage_names(stages.await.unwrap_or_default());
                match contacts.await {
                    Err(error) => view! { <LoadError error /> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! {
                        <p class="mt-6 rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-500">
                            "No contacts match."
                        </p>
                    }
                    .into_any(),
                    Ok(page) => {
                        let next = page.next_cursor.clone().map(|cursor| match params().0 {
                            Some(q) => format!("/contacts?q={q}&cursor={cursor}"),
                            None => format!("/contacts?cursor={cursor}"),
                        });
                        view! {
                            <div class=format!("mt-6 overflow-x-auto {CARD}")>
                                <table class="min-w-full text-left text-sm">
                                    <thead class="text-xs uppercase tracking-wide text-slate-500">
                                        <tr>
                                            <th scope="col" class="py-2 pr-4 font-medium">"Name"</th>
                                            <th scope="col" class="py-2 pr-4 font-medium">"Phone"</th>
                                            <th scope="col" class="py-2 pr-4 font-medium">"Email"</th>
                                            <th scope="col" class="py-2 pr-4 font-medium">"Stage"</th>
                                            <th scope="col" class="py-2 font-medium">"Modality"</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {page.items.into_iter().map(|contact| view! { <ContactRow contact names=names.clone() /> }).collect_view()}
                                    </tbody>
                                </table>
                                {next.map(|href| view! {
                                    <a href=href class="mt-4 inline-block text-sm text-sky-700 hover:underline">"Older contacts →"</a>
                                })}
                            </div>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn ContactRow(contact: Contact, names: HashMap<String, String>) -> impl IntoView {
    let stage = names.get(&contact.stage_id).cloned().unwrap_or_default();
    let modality = contact.requested_modality.as_deref().map(modality_label).unwrap_or("—").to_owned();
    view! {
        <tr>
            <td class="py-2 pr-4 font-medium">
                <A href=format!("/contacts/{}", contact.id) attr:class="text-sky-800 hover:underline">
                    {format!("{} {}", contact.first_name, contact.last_name)}
                </A>
            </td>
            <td class="py-2 pr-4 tabular-nums">{contact.phone.unwrap_or_else(|| "—".into())}</td>
            <td class="py-2 pr-4">{contact.email.unwrap_or_else(|| "—".into())}</td>
            <td class="py-2 pr-4">{stage}</td>
            <td class="py-2">{modality}</td>
        </tr>
    }
}

#[component]
pub fn ContactPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let log = ServerAction::<LogTouchpoint>::new();
    let contact = Resource::new(id, get_contact);
    let stages = Resource::new(|| (), |_| pipeline_stages());
    let timeline = Resource::new(move || (id(), log.version().get()), |(id, _)| contact_timeline(id));

    view! {
        <A href="/contacts" attr:class="text-sm text-sky-700 hover:underline">"← Contacts"</A>
        <Transition fallback=|| view! { <p class="mt-4 text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let names = stage_names(stages.await.unwrap_or_default());
                match contact.await {
                    Err(error) => view! { <Title text="Contact" /> <LoadError error /> }.into_any(),
                    Ok(contact) => view! { <ContactDetails contact names /> }.into_any(),
                }
            })}
        </Transition>
        <section class=format!("mt-6 {CARD}") aria-labelledby="timeline-heading">
            <h2 id="timeline-heading" class="font-semibold">"Timeline"</h2>
            <ActionForm action=log attr:class="mt-3 space-y-2">
                <input type="hidden" name="contact_id" prop:value=id />
                <div class="flex flex-wrap gap-2">
                    <label for="kind" class="sr-only">"Kind"</label>
                    <select id="kind" name="kind" class="rounded-md border border-slate-300 px-2 py-2 text-sm">
                        <option value="note">"Note"</option>
                        <option value="call">"Call"</option>
                    </select>
                    <label for="summary" class="sr-only">"What happened"</label>
                    <input id="summary" name="summary" required maxlength="2000" placeholder="Add a note or log a call" class="min-w-64 flex-1 rounded-md border border-slate-300 px-3 py-2 text-sm" />
                    <button type="submit" class=BUTTON>"Add"</button>
                </div>
            </ActionForm>
            <ActionResult value=log.value() success="" />
            <Transition fallback=|| view! { <p class="mt-3 text-sm text-slate-500">"Loading the timeline…"</p> }>
                {move || Suspend::new(async move {
                    match timeline.await {
                        Err(error) => view! { <LoadError error /> }.into_any(),
                        Ok(page) if page.items.is_empty() => view! {
                            <p class="mt-4 text-sm text-slate-500">"Nothing on the timeline yet."</p>
                        }
                        .into_any(),
                        Ok(page) => view! {
                            <ol class="mt-4 space-y-3" aria-label="Timeline entries">
                                {page.items.into_iter().map(|entry| view! {
                                    <li class="border-l-2 border-sky-200 pl-3">
                                        <p class="text-xs uppercase tracking-wide text-slate-500">
                                            {entry.kind.replace('_', " ")} " · " {utc(&entry.occurred_at)}
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

#[component]
fn ContactDetails(contact: Contact, names: HashMap<String, String>) -> impl IntoView {
    let name = format!("{} {}", contact.first_name, contact.last_name);
    let stage = names.get(&contact.stage_id).cloned().unwrap_or_default();
    let row = |label: &'static str, value: Option<String>| {
        view! {
            <div>
                <dt class="text-xs uppercase tracking-wide text-slate-500">{label}</dt>
                <dd class="mt-0.5 text-slate-900">{value.unwrap_or_else(|| "—".into())}</dd>
            </div>
        }
    };
    let consent = |given: bool| if given { "Yes" } else { "No" }.to_owned();
    view! {
        <Title text=name.clone() />
        <div class="mt-2 flex flex-wrap items-center gap-3">
            <h1 class="text-2xl font-semibold tracking-tight">{name}</h1>
            <span class="rounded-full bg-sky-100 px-2.5 py-0.5 text-sm text-sky-800">{stage}</span>
            <span class="text-sm text-slate-500">
                {contact.warmness.map(|w| format!("Warmness {w}")).unwrap_or_else(|| "Unscored".into())}
            </span>
        </div>
        <dl class=format!("mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3 {CARD}")>
            {row("Phone", contact.phone)}
            {row("Email", contact.email)}
            {row("Date of birth", contact.date_of_birth.map(|d| d.format("%-d %b %Y").to_string()))}
            {row("Requested", contact.requested_modality.as_deref().map(|m| modality_label(m).to_owned()))}
            {row("Source", Some(source_label(&contact.source)))}
            {row("Referring doctor", contact.referring_doctor)}
            {row("SMS consent", Some(consent(contact.sms_consent)))}
            {row("Email consent", Some(consent(contact.email_consent)))}
            {row("Added", Some(utc(&contact.created_at)))}
        </dl>
        {contact.notes.map(|notes| view! {
            <section class=format!("mt-4 {CARD}") aria-labelledby="notes-heading">
                <h2 id="notes-heading" class="font-semibold">"Enquiry notes"</h2>
                <p class="mt-2 whitespace-pre-wrap text-sm text-slate-800">{notes}</p>
            </section>
        })}
    }
}
