//! The audit log: who signed in, viewed or changed what, when and from where.

use crate::components::page_title::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::forms::{CARD, INPUT, LINK, LoadError, SECONDARY};
use crate::components::time::local_time;
use crate::server_fns::audit::list_audit_events;
use domain::display::Zoned;

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        let q = query.read();
        (q.get("action"), q.get("actor"), q.get("cursor"))
    };
    let events = Resource::new(params, |(action, actor, cursor)| list_audit_events(action, actor, cursor));

    view! {
        <PageTitle text="Audit log" />
        <h1 class="text-2xl font-semibold tracking-tight">"Audit log"</h1>
        <p class="mt-1 text-slate-600">
            "Every sign-in and every view or change of a record, newest first. Entries cannot be edited or deleted."
        </p>
        <form method="get" action="/audit" class=format!("mt-6 flex flex-wrap items-end gap-3 {CARD}")>
            <div>
                <label for="action" class="block text-sm font-medium text-slate-700">"Action"</label>
                <input id="action" name="action" placeholder="e.g. auth.sign_in" class=INPUT value=move || params().0.unwrap_or_default() prop:value=move || params().0.unwrap_or_default() />
            </div>
            <div>
                <label for="actor" class="block text-sm font-medium text-slate-700">"User id"</label>
                <input id="actor" name="actor" class=INPUT value=move || params().1.unwrap_or_default() prop:value=move || params().1.unwrap_or_default() />
            </div>
            <button type="submit" class=SECONDARY>"Filter"</button>
            <a href="/audit" class=format!("text-sm {LINK}")>"Clear"</a>
        </form>
        <Transition fallback=|| view! { <p class="mt-6 text-sm text-slate-500">"Loading the audit log…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Err(error) => view! { <LoadError error /> }.into_any(),
                    Ok(Zoned { value: page, .. }) if page.items.is_empty() => view! {
                        <p class="mt-6 text-sm text-slate-500">"No entries match."</p>
                    }
                    .into_any(),
                    Ok(Zoned { value: page, times }) => {
                        let (action, actor, _) = params();
                        let next = page.next_cursor.clone().map(|cursor| {
                            let mut href = format!("/audit?cursor={cursor}");
                            if let Some(action) = action { href.push_str(&format!("&action={action}")); }
                            if let Some(actor) = actor { href.push_str(&format!("&actor={actor}")); }
                            href
                        });
                        view! {
                            <div class=format!("mt-6 overflow-x-auto {CARD}") role="region" aria-label="Audit entries" tabindex="0">
                                <table class="min-w-full text-left text-sm">
                                    <thead class="text-xs uppercase tracking-wide text-slate-500">
                                        <tr>
                                            <th scope="col" class="py-2 pr-4 font-medium">"When"</th>
                                            <th scope="col" class="py-2 pr-4 font-medium">"Who"</th>
                                            <th scope="col" class="py-2 pr-4 font-medium">"Action"</th>
                                            <th scope="col" class="py-2 pr-4 font-medium">"Record"</th>
                                            <th scope="col" class="py-2 pr-4 font-medium">"From"</th>
                                            <th scope="col" class="py-2 font-medium">"Detail"</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {page.items.into_iter().map(|event| {
                                            let who = event.actor_email.clone()
                                                .or_else(|| event.actor_user_id.clone())
                                                .unwrap_or_else(|| "—".into());
                                            let via = event.actor_token_id.as_ref().map(|_| " (API token)").unwrap_or("");
                                            let record = match (&event.subject_type, &event.subject_id) {
                                                (Some(kind), Some(id)) => format!("{kind} {id}"),
                                                _ => "—".into(),
                                            };
                                            view! {
                                                <tr>
                                                    <td class="whitespace-nowrap py-2 pr-4">{local_time(&event.occurred_at, &times)}</td>
                                                    <td class="py-2 pr-4">{who}{via}</td>
                                                    <td class="py-2 pr-4 font-mono text-xs">{event.action}</td>
                                                    <td class="py-2 pr-4 font-mono text-xs">{record}</td>
                                                    <td class="py-2 pr-4">{event.ip.unwrap_or_else(|| "—".into())}</td>
                                                    <td class="py-2 text-slate-600">{event.detail.unwrap_or_default()}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {next.map(|href| view! {
                                    <a href=href class=format!("mt-4 inline-block text-sm {LINK}")>"Older entries →"</a>
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
