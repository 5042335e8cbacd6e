//! The contact page's "What the notes say" box: the contact's own notes and the latest notes
//! and calls on its timeline as the AI layer last read them — what the person wants, how
//! urgent, which scan and body part, whether a referral is mentioned, and the words each
//! finding rests on. The reading is a job run just after a change, so while one is waiting the
//! box says so and asks again each second until it is stored.

use std::time::Duration;

use leptos::prelude::*;

use crate::components::forms::{CARD, server_error_message};
use crate::components::time::local_time;
use crate::server_fns::ai::load_contact_enrichment;

#[component]
pub fn EnrichmentBox(
    #[prop(into)] contact_id: Signal<String>,
    /// Changes whenever the notes may have (a note or call logged, the record saved).
    #[prop(into)]
    changed: Signal<usize>,
) -> impl IntoView {
    let again = RwSignal::new(0usize);
    let reading = Resource::new(
        move || (contact_id.get(), changed.get(), again.get()),
        |(id, _, _)| load_contact_enrichment(id),
    );
    // The reading is a job run just after the change: while one waits or runs, ask again each
    // second (for a minute at most, should the worker be down).
    let tries = StoredValue::new(0u8);
    Effect::new(move |_| {
        changed.track();
        tries.set_value(0);
    });
    Effect::new(move |_| {
        let Some(Ok(zoned)) = reading.get() else { return };
        if zoned.value.pending && tries.get_value() < 60 {
            tries.update_value(|t| *t += 1);
            set_timeout(move || again.update(|n| *n += 1), Duration::from_secs(1));
        }
    });
    view! {
        <section class=format!("mt-6 {CARD}") aria-labelledby="enrichment-heading">
            <h2 id="enrichment-heading" class="font-semibold">"What the notes say"</h2>
            <Transition fallback=|| view! { <p class="mt-2 text-sm text-slate-500">"Reading…"</p> }>
                {move || Suspend::new(async move {
                    match reading.await {
                        Err(error) => view! { <p role="alert" class="mt-2 text-sm text-rose-800">{server_error_message(&error)}</p> }.into_any(),
                        Ok(zoned) => {
                            let pending = zoned.value.pending.then(|| view! {
                                <p role="status" class="mt-2 text-xs text-slate-600">"Reading the latest notes…"</p>
                            });
                            let reading = match (zoned.value.enrichment, zoned.value.read_at) {
                            (Some(e), Some(at)) => {
                                let row = |term: &'static str, value: String| view! {
                                    <div>
                                        <dt class="text-xs uppercase tracking-wide text-slate-500">{term}</dt>
                                        <dd class="mt-0.5 text-slate-900">{value}</dd>
                                    </div>
                                };
                                view! {
                                    <dl class="mt-3 grid gap-3 sm:grid-cols-3" aria-label="Reading of the notes">
                                        {row("Wants", e.intent.label().to_owned())}
                                        {row("Urgency", e.urgency.label().to_owned())}
                                        {row("Scan", e.modality.map_or("Not said", |m| m.label()).to_owned())}
                                        {row("Body part", e.body_part.unwrap_or_else(|| "Not said".to_owned()))}
                                        {row("Referral", if e.referral_mentioned { "Mentioned".to_owned() } else { "Not mentioned".to_owned() })}
                                    </dl>
                                    {(!e.evidence.is_empty()).then(|| view! {
                                        <ul class="mt-3 space-y-0.5 text-sm text-slate-700" aria-label="Read from">
                                            {e.evidence.into_iter().map(|words| view! { <li>{words}</li> }).collect_view()}
                                        </ul>
                                    })}
                                    <p class="mt-2 text-xs text-slate-600">"Read " {local_time(&at, &zoned.times)} "."</p>
                                }
                                .into_any()
                            }
                            _ => view! {
                                <p class="mt-2 text-sm text-slate-600">"Nothing read yet: the contact's notes, and notes and calls on the timeline, are read as they are added."</p>
                            }
                            .into_any(),
                            };
                            view! { {reading} {pending} }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}
