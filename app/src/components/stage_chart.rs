//! A horizontal bar chart of contacts per pipeline stage, drawn as HTML on the server; each
//! bar is a link to the contacts in that stage.

use domain::model::StageCount;
use leptos::prelude::*;

#[component]
pub fn StageChart(stages: Vec<StageCount>) -> impl IntoView {
    let max = stages.iter().map(|s| s.contacts).max().unwrap_or(0).max(1) as f64;
    view! {
        <ul class="space-y-2" aria-label="Contacts per pipeline stage">
            {stages.into_iter().map(|stage| {
                let share = (stage.contacts as f64 / max * 100.0).max(1.0);
                view! {
                    <li>
                        // Named by what it shows: "Booked 43 contacts" (the last word for listeners only).
                        <a href=format!("/contacts?stage_id={}", stage.stage_id)
                            class="group grid grid-cols-[8rem_1fr] items-center gap-3 rounded-md px-1 py-0.5 hover:bg-slate-50 focus:outline-none focus:ring-2 focus:ring-sky-500">
                            <span class="truncate text-sm text-slate-700 group-hover:underline">
                                {stage.name}
                            </span>
                            <span class="flex items-center gap-2">
                                // An SVG bar: its width is an attribute, as the CSP allows no inline styles.
                                <svg viewBox="0 0 100 20" preserveAspectRatio="none" class="h-5 flex-1" aria-hidden="true">
                                    <rect width=format!("{share:.1}") height="20" rx="2" class="fill-sky-600" />
                                </svg>
                                <span class="w-10 text-sm font-semibold tabular-nums text-slate-800">
                                    {stage.contacts}<span class="sr-only">" contacts"</span>
                                </span>
                            </span>
                        </a>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
