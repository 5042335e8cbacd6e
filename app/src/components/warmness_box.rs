//! The contact page's Warmness box: the score as the contact's facts give it now, every reason
//! with its points ("+18 referral on file"), when the stored score (lists, cards, filters) was
//! last worked out, and a Recalculate button that stores it.

use leptos::prelude::*;

use crate::components::forms::{ActionResult, CARD, SECONDARY, SubmitButton, server_error_message};
use crate::components::layout::IfCan;
use crate::components::time::local_time;
use crate::server_fns::ai::{RecalculateWarmness, load_contact_warmness};
use domain::access::Permission;

/// How the score reads: a word beside the number, for a glance.
fn band(score: i32) -> &'static str {
    match score {
        70.. => "Hot",
        40..=69 => "Warm",
        _ => "Cool",
    }
}

#[component]
pub fn WarmnessBox(
    #[prop(into)] contact_id: Signal<String>,
    /// Changes whenever something the score rests on may have (a call logged, the record saved).
    #[prop(into)]
    changed: Signal<usize>,
) -> impl IntoView {
    let recalculate = ServerAction::<RecalculateWarmness>::new();
    let warmness = Resource::new(
        move || (contact_id.get(), changed.get(), recalculate.version().get()),
        |(id, _, _)| load_contact_warmness(id),
    );
    view! {
        <section class=format!("mt-6 {CARD}") aria-labelledby="warmness-heading">
            <div class="flex flex-wrap items-center justify-between gap-2">
                <h2 id="warmness-heading" class="font-semibold">"Warmness"</h2>
                <IfCan permission=Permission::ContactsWrite>
                    <ActionForm action=recalculate attr:aria-label="Recalculate warmness">
                        <input type="hidden" name="contact_id" value=move || contact_id.get() />
                        <SubmitButton pending=recalculate.pending() label="Recalculate" busy="Recalculating…" class=SECONDARY />
                    </ActionForm>
                </IfCan>
            </div>
            <Transition fallback=|| view! { <p class="mt-2 text-sm text-slate-500">"Working it out…"</p> }>
                {move || Suspend::new(async move {
                    match warmness.await {
                        Err(error) => view! { <p role="alert" class="mt-2 text-sm text-rose-800">{server_error_message(&error)}</p> }.into_any(),
                        Ok(zoned) => {
                            let w = zoned.value;
                            let stored = match w.calculated_at {
                                Some(at) => view! { "Stored for lists and cards " {local_time(&at, &zoned.times)} "." }.into_any(),
                                None => view! { "Not stored yet: lists and cards show it once it is recalculated." }.into_any(),
                            };
                            view! {
                                <p class="mt-2 flex items-baseline gap-2">
                                    <span class="text-3xl font-semibold tabular-nums" data-testid="warmness-score">{w.score}</span>
                                    <span class="text-sm text-slate-600">{format!("of 100 · {}", band(w.score))}</span>
                                </p>
                                // A meter, not a styled bar: the CSP allows no inline styles.
                                <meter min="0" max="100" low="40" high="70" optimum="100" value=w.score.clamp(0, 100)
                                    aria-hidden="true" class="mt-2 block w-full max-w-xs"></meter>
                                <ul class="mt-3 space-y-1 text-sm" aria-label="Why">
                                    {w.reasons.iter().map(|r| {
                                        let tone = if r.points < 0 { "text-rose-800" } else { "text-slate-800" };
                                        view! { <li class=tone>{r.label()}</li> }
                                    }).collect_view()}
                                </ul>
                                <p class="mt-2 text-xs text-slate-600">{stored}</p>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            <ActionResult value=recalculate.value() success="Warmness recalculated and stored." />
        </section>
    }
}
