//! The Jobs page (administrators): the background queue by state — what waits, runs, failed
//! and is retrying, or died — with each job's attempts and last error, and retry or discard.

use leptos::prelude::*;

use crate::components::tabs::Tab;
use leptos_router::hooks::use_query_map;

use crate::components::forms::{ActionResult, CARD, LINK, LoadError, SECONDARY, SubmitButton, successes};
use crate::components::page_title::PageTitle;
use crate::components::time::local_time;
use crate::server_fns::jobs::{DiscardJob, JobsView, RetryJob, list_jobs};
use domain::display::Zoned;
use domain::model::JobState;

/// The tabs, in the order a person checks them.
const TABS: [JobState; 6] = [
    JobState::Dead,
    JobState::Failed,
    JobState::Running,
    JobState::Queued,
    JobState::Succeeded,
    JobState::Discarded,
];

fn state_label(state: JobState) -> &'static str {
    match state {
        JobState::Queued => "Queued",
        JobState::Running => "Running",
        JobState::Failed => "Failed, will retry",
        JobState::Succeeded => "Succeeded",
        JobState::Dead => "Dead",
        JobState::Discarded => "Discarded",
    }
}

#[component]
pub fn JobsPage() -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        let q = query.read();
        (q.get("state"), q.get("cursor"))
    };
    let retry = ServerAction::<RetryJob>::new();
    let discard = ServerAction::<DiscardJob>::new();
    let (retried, discarded) = (successes(retry.value()), successes(discard.value()));
    let jobs = Resource::new(
        move || (params(), retried.get(), discarded.get()),
        |((state, cursor), _, _)| list_jobs(state, cursor),
    );

    view! {
        <PageTitle text="Jobs" />
        <h1 class="text-2xl font-semibold tracking-tight">"Background jobs"</h1>
        <p class="mt-1 text-slate-600">
            "Texts, emails and housekeeping run here after the change that asked for them. A failed job retries by itself, waiting longer each time; after its last attempt it is dead until you retry or discard it."
        </p>
        <ActionResult value=retry.value() success="The job will run again now." />
        <ActionResult value=discard.value() success="The job was discarded." />
        <Transition fallback=|| view! { <p class="mt-6 text-sm text-slate-500">"Loading jobs…"</p> }>
            {move || Suspend::new(async move {
                match jobs.await {
                    Err(error) => view! { <LoadError error /> }.into_any(),
                    Ok(Zoned { value: JobsView { page, counts }, times }) => {
                        let (state, _) = params();
                        let count = |s: JobState| counts.iter().find(|(st, _)| *st == s).map(|(_, n)| *n).unwrap_or(0);
                        let total: i64 = counts.iter().map(|(_, n)| n).sum();
                        let tab = |href: String, label: String, current: bool| view! { <Tab href label current /> };
                        let next = page.next_cursor.clone().map(|cursor| match &state {
                            Some(s) => format!("/settings/jobs?state={s}&cursor={cursor}"),
                            None => format!("/settings/jobs?cursor={cursor}"),
                        });
                        view! {
                            <nav aria-label="Job states" class="mt-6">
                                <ul class="flex flex-wrap gap-2">
                                    {tab("/settings/jobs".into(), format!("All ({total})"), state.is_none())}
                                    {TABS.into_iter().map(|s| tab(
                                        format!("/settings/jobs?state={}", s.as_str()),
                                        format!("{} ({})", state_label(s), count(s)),
                                        state.as_deref() == Some(s.as_str()),
                                    )).collect_view()}
                                </ul>
                            </nav>
                            {if page.items.is_empty() {
                                view! { <p class="mt-6 text-sm text-slate-500">"No jobs here."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="mt-6 space-y-3" aria-label="Jobs">
                                        {page.items.into_iter().map(|job| {
                                            let label = format!("{} job {}", job.kind.label(), job.id);
                                            let (retry_id, discard_id) = (job.id.clone(), job.id.clone());
                                            let retry_label = format!("Retry {} job {}", job.kind.label(), job.id);
                                            let discard_label = format!("Discard {} job {}", job.kind.label(), job.id);
                                            let waiting = matches!(job.state, JobState::Queued | JobState::Failed);
                                            view! {
                                                <li class=CARD>
                                                    <article aria-label=label class="flex flex-wrap items-start justify-between gap-3">
                                                        <div class="min-w-0">
                                                            <h2 class="font-semibold">{job.kind.label()}</h2>
                                                            <p class="text-sm text-slate-600">
                                                                {state_label(job.state)} " · attempt " {job.attempts} " of " {job.max_attempts}
                                                                " · updated " {local_time(&job.updated_at, &times)}
                                                                {waiting.then(|| view! { " · runs " {local_time(&job.run_at, &times)} })}
                                                            </p>
                                                            {(job.interrupted > 0).then(|| view! {
                                                                <p class="text-sm text-amber-800">
                                                                    {format!("Cut off mid-run {} time(s): what it does may have happened more than once.", job.interrupted)}
                                                                </p>
                                                            })}
                                                            {job.last_error.clone().map(|error| view! {
                                                                <p class="mt-1 break-words text-sm text-rose-800">"Last error: " {error}</p>
                                                            })}
                                                            <p class="mt-1 font-mono text-xs text-slate-500">{job.id.clone()}</p>
                                                        </div>
                                                        <div class="flex gap-2">
                                                            {job.state.retryable().then(|| view! {
                                                                <ActionForm action=retry>
                                                                    <input type="hidden" name="id" value=retry_id />
                                                                    <SubmitButton pending=retry.pending() label="Retry" busy="Retrying…" class=SECONDARY aria_label=retry_label />
                                                                </ActionForm>
                                                            })}
                                                            {job.state.discardable().then(|| view! {
                                                                <ActionForm action=discard>
                                                                    <input type="hidden" name="id" value=discard_id />
                                                                    <SubmitButton pending=discard.pending() label="Discard" busy="Discarding…" class=SECONDARY aria_label=discard_label />
                                                                </ActionForm>
                                                            })}
                                                        </div>
                                                    </article>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            {next.map(|href| view! { <p class="mt-4"><a href=href class=LINK>"Older jobs"</a></p> })}
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}
