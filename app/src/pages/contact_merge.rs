//! Compare two records and merge the second into the first: the page shows, field by field,
//! what the kept record will hold and where each value comes from, asks for confirmation
//! (`?confirm=1`, so it works before the page's script has loaded too), and says that the merge
//! can be undone for 30 days from the kept contact's page.

use crate::components::page_title::PageTitle;
use domain::model::{MergeField, MergeSource};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::components::forms::{ActionResult, BUTTON, CARD, LINK, LoadError, SECONDARY, SubmitButton};
use crate::server_fns::contacts::{MergeContacts, get_contact, merge_preview};

/// Where the kept record's value comes from, in words.
fn source_label(source: MergeSource) -> &'static str {
    match source {
        MergeSource::Same => "Same on both",
        MergeSource::Kept => "Kept record's",
        MergeSource::Retired => "Taken from the duplicate",
        MergeSource::Combined => "Both, combined",
    }
}

async fn contact_name(id: String) -> Result<String, crate::error::AppError> {
    get_contact(id).await.map(|c| format!("{} {}", c.value.first_name, c.value.last_name))
}

#[component]
pub fn MergeContactsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let ids = move || {
        let p = params.read();
        (p.get("id").unwrap_or_default(), p.get("other").unwrap_or_default())
    };
    let confirming = move || query.read().get("confirm").is_some_and(|v| v == "1");
    let pair = Resource::new(ids, |(keep, other)| async move {
        (
            contact_name(keep.clone()).await,
            contact_name(other.clone()).await,
            merge_preview(keep, other).await,
        )
    });
    let merge = ServerAction::<MergeContacts>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(kept)) = merge.value().get() {
            navigate(&format!("/contacts/{kept}?merged=1"), Default::default());
        }
    });

    view! {
        <PageTitle text="Merge contacts" />
        <A href=move || format!("/contacts/{}", ids().0) attr:class=format!("text-sm {LINK}")>"← Back to the contact"</A>
        <h1 class="mt-2 text-2xl font-semibold tracking-tight">"Merge duplicate contacts"</h1>
        <p class="mt-1 text-slate-600">
            "The first record is kept. The duplicate's timeline, tasks and tags move to it, and any detail the kept record lacks is taken from the duplicate, which is then retired. You can undo a merge for 30 days."
        </p>
        <Transition fallback=|| view! { <p class="mt-4 text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match pair.await {
                    (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => view! { <LoadError error /> }.into_any(),
                    (Ok(kept_name), Ok(retired_name), Ok(fields)) => {
                        let (keep_id, other_id) = ids();
                        let swap = format!("/contacts/{other_id}/merge/{keep_id}");
                        let review = format!("/contacts/{keep_id}/merge/{other_id}?confirm=1");
                        let back = format!("/contacts/{keep_id}/merge/{other_id}");
                        let question = format!("Merge {retired_name} into {kept_name}?");
                        view! {
                            <MergeTable fields kept_name=kept_name.clone() retired_name=retired_name.clone() />
                            {if confirming() {
                                view! {
                                    <section role="alertdialog" aria-labelledby="confirm-heading" aria-describedby="confirm-text"
                                        class="mt-4 rounded-xl border border-amber-300 bg-amber-50 p-4">
                                        <h2 id="confirm-heading" class="font-semibold text-amber-950">{question}</h2>
                                        <p id="confirm-text" class="mt-1 text-sm text-amber-950">
                                            {format!("{kept_name} will hold the values in the last column and {retired_name}'s history. {retired_name}'s record is retired; the merge can be undone from {kept_name}'s page for 30 days.")}
                                        </p>
                                        <ActionForm action=merge attr:class="mt-3 flex flex-wrap items-center gap-3">
                                            <input type="hidden" name="keep_id" value=keep_id.clone() />
                                            <input type="hidden" name="duplicate_id" value=other_id.clone() />
                                            <SubmitButton pending=merge.pending() label="Yes, merge these records" busy="Merging…" />
                                            <a href=back class=SECONDARY>"Cancel"</a>
                                        </ActionForm>
                                        <ActionResult value=merge.value() success="" />
                                    </section>
                                }
                                .into_any()
                            } else {
                                view! {
                                    <div class="mt-4 flex flex-wrap items-center gap-3">
                                        <a href=review class=BUTTON>"Review and merge"</a>
                                        <a href=swap class=SECONDARY>"Keep the other record instead"</a>
                                    </div>
                                }
                                .into_any()
                            }}
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Both records and the result, one row per field; rows that change stand out.
#[component]
fn MergeTable(fields: Vec<MergeField>, kept_name: String, retired_name: String) -> impl IntoView {
    let dash = |value: Option<String>| value.unwrap_or_else(|| "—".into());
    view! {
        <div class=format!("mt-4 overflow-x-auto {CARD}") role="region" aria-label="Both records" tabindex="0">
            <table class="min-w-full text-left text-sm" aria-label="What the merge keeps">
                <thead class="text-xs uppercase tracking-wide text-slate-500">
                    <tr>
                        <th scope="col" class="py-2 pr-4 font-medium">"Field"</th>
                        <th scope="col" class="py-2 pr-4 font-medium">{format!("Kept: {kept_name}")}</th>
                        <th scope="col" class="py-2 pr-4 font-medium">{format!("Duplicate: {retired_name}")}</th>
                        <th scope="col" class="py-2 font-medium">"After the merge"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {fields.into_iter().map(|field| {
                        let changes = !matches!(field.source, MergeSource::Same | MergeSource::Kept);
                        view! {
                            <tr class=if changes { "bg-amber-50" } else { "" }>
                                <th scope="row" class="py-2 pr-4 font-medium text-slate-600">{field.label}</th>
                                <td class="py-2 pr-4 whitespace-pre-wrap">{dash(field.kept)}</td>
                                <td class="py-2 pr-4 whitespace-pre-wrap">{dash(field.retired)}</td>
                                <td class="py-2 whitespace-pre-wrap">
                                    <span class="font-medium text-slate-900">{dash(field.result)}</span>
                                    <span class="block text-xs text-slate-600">{source_label(field.source)}</span>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
