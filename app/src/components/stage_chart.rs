//! A horizontal bar chart of contacts per pipeline stage, drawn as SVG on the server.

use domain::model::StageCount;
use leptos::prelude::*;

const ROW_HEIGHT: usize = 34;
const LABEL_WIDTH: f64 = 120.0;
const BAR_AREA: f64 = 320.0;

#[component]
pub fn StageChart(stages: Vec<StageCount>) -> impl IntoView {
    let max = stages.iter().map(|s| s.contacts).max().unwrap_or(0).max(1) as f64;
    let height = stages.len() * ROW_HEIGHT;
    let description =
        stages.iter().map(|s| format!("{}: {}", s.name, s.contacts)).collect::<Vec<_>>().join(", ");
    let rows = stages
        .into_iter()
        .enumerate()
        .map(|(i, stage)| {
            let y = i * ROW_HEIGHT;
            let width = (stage.contacts as f64 / max * BAR_AREA).max(2.0);
            view! {
                <g transform=format!("translate(0,{y})")>
                    <text x="0" y="21" class="fill-slate-600 text-[13px]">{stage.name}</text>
                    <rect x=LABEL_WIDTH y="6" width=format!("{width:.1}") height="20" rx="4" class="fill-sky-500" />
                    <text x=format!("{:.1}", LABEL_WIDTH + width + 8.0) y="21" class="fill-slate-800 text-[13px] font-semibold">
                        {stage.contacts}
                    </text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg
            viewBox=format!("0 0 {} {height}", LABEL_WIDTH + BAR_AREA + 48.0)
            class="w-full"
            role="img"
            aria-label=format!("Contacts per pipeline stage: {description}")
        >
            {rows}
        </svg>
    }
}
