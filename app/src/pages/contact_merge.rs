//! Compare two records side by side and merge the second into the first: its timeline, tasks
//! and tags move over, and any detail the kept record lacks is filled from it.

use crate::components::page_title::PageTitle;
use domain::model::Contact;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::components::forms::{ActionResult, CARD, LINK, LoadError, SECONDARY, SubmitButton};
use crate::server_fns::contacts::{MergeContacts, get_contact};

fn rows(c: &Contact) -> Vec<(&'static str, String)> {
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    vec![
        ("Name", format!("{} {}", c.first_name, c.last_name)),
        ("Phone", c.phone.as_deref().map(domain::display::national_phone).unwrap_or_else(|| "—".into())),
        ("Email", or_dash(&c.email)),
        ("Date of birth", c.date_of_birth.map(|d| d.to_string()).unwrap_or_else(|| "—".into())),
        ("Requested", c.requested_modality.map(|m| m.label().to_owned()).unwrap_or_else(|| "—".into())),
        ("Referring doctor", or_dash(&c.referring_doctor)),
        ("Tags", if c.tags.is_empty() { "—".into() } else { c.tags.join(", ") }),
        ("Added", c.created_at.format("%-d %b %Y").to_string()),
    ]
}

#[component]
pub fn MergeContactsPage() -> impl IntoView {
    let params = use_params_map();
    let ids = move || {
        let p = params.read();
        (p.get("id").unwrap_or_default(), p.get("other").unwrap_or_default())
    };
    let pair = Resource::new(ids, |(keep, other)| async move {
        (get_contact(keep).await.map(|c| c.value), get_contact(other).await.map(|c| c.value))
    });
    let merge = ServerAction::<MergeContacts>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(kept)) = merge.value().get() {
            navigate(&format!("/contacts/{kept}"), Default::default());
        }
    });

    view! {
        <PageTitle text="Merge contacts" />
        <A href=move || format!("/contacts/{}", ids().0) attr:class=format!("text-sm {LINK}")>"← Back to the contact"</A>
        <h1 class="mt-2 text-2xl font-semibold tracking-tight">"Merge duplicate contacts"</h1>
        <p class="mt-1 text-slate-600">
            "The record on the left is kept. The right one's timeline, tasks and tags move to it, and any detail the kept record lacks is taken from it. The right record is then retired."
        </p>
        <Transition fallback=|| view! { <p class="mt-4 text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match pair.await {
                    (Err(error), _) | (_, Err(error)) => view! { <LoadError error /> }.into_any(),
                    (Ok(keep), Ok(other)) => {
                        let (keep_rows, other_rows) = (rows(&keep), rows(&other));
                        let swap = format!("/contacts/{}/merge/{}", other.id, keep.id);
                        view! {
                            <div class=format!("mt-4 overflow-x-auto {CARD}") role="region" aria-label="Both records" tabindex="0">
                                <table class="min-w-full text-left text-sm" aria-label="Records compared">
                                    <thead class="text-xs uppercase tracking-wide text-slate-500">
                                        <tr>
                                            <th scope="col" class="py-2 pr-4 font-medium">"Field"</th>
                                            <th scope="col" class="py-2 pr-4 font-medium">"Kept record"</th>
                                            <th scope="col" class="py-2 font-medium">"Duplicate (merged in)"</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {keep_rows.into_iter().zip(other_rows).map(|((label, kept), (_, merged))| {
                                            let differs = kept != merged;
                                            view! {
                                                <tr class=if differs { "bg-amber-50" } else { "" }>
                                                    <th scope="row" class="py-2 pr-4 font-medium text-slate-600">{label}</th>
                                                    <td class="py-2 pr-4">{kept}</td>
                                                    <td class="py-2">{merged}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <ActionForm action=merge attr:class="mt-4 flex flex-wrap items-center gap-3">
                                <input type="hidden" name="keep_id" value=keep.id.clone() />
                                <input type="hidden" name="duplicate_id" value=other.id.clone() />
                                <SubmitButton pending=merge.pending() label="Merge into the kept record" busy="Merging…" />
                                <a href=swap class=SECONDARY>"Keep the other record instead"</a>
                            </ActionForm>
                            <ActionResult value=merge.value() success="" />
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}
