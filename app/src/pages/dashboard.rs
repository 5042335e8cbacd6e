//! The dashboard: the clinic's live figures at a glance.

use crate::components::page_title::PageTitle;
use domain::model::DashboardSummary;
use leptos::prelude::*;

use crate::components::stage_chart::StageChart;
use crate::server_fns::dashboard::get_dashboard;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let summary = Resource::new(|| (), |_| get_dashboard());
    let (pending, set_pending) = signal(false);
    let refreshing = move || pending.get();

    view! {
        <PageTitle text="Dashboard" />
        <div class="flex flex-wrap items-center justify-between gap-3">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">"Dashboard"</h1>
                <p class="mt-1 text-slate-600">"Enquiries, pipeline and tasks across your locations."</p>
            </div>
            <button
                type="button"
                class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-100 focus:outline-none focus:ring-2 focus:ring-sky-500 disabled:opacity-60"
                aria-busy=move || if refreshing() { "true" } else { "false" }
                disabled=refreshing
                on:click=move |_| summary.refetch()
            >
                {move || if refreshing() { "Refreshing…" } else { "Refresh" }}
            </button>
        </div>
        <Transition fallback=DashboardSkeleton set_pending>
            <ErrorBoundary fallback=|errors| {
                view! {
                    <div role="alert" class="mt-6 rounded-lg border border-rose-200 bg-rose-50 p-4 text-rose-800">
                        <p class="font-medium">"Something went wrong"</p>
                        <ul class="mt-1 list-disc pl-5 text-sm">
                            {move || errors.get().into_iter().map(|(_, e)| view! { <li>{e.to_string()}</li> }).collect_view()}
                        </ul>
                    </div>
                }
            }>
                {move || Suspend::new(async move {
                    summary.await.map(|summary| view! { <DashboardBody summary /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn DashboardSkeleton() -> impl IntoView {
    view! {
        <div class="mt-6 grid animate-pulse grid-cols-2 gap-4 lg:grid-cols-4" aria-busy="true" aria-label="Loading the dashboard">
            {(0..4).map(|_| view! { <div class="h-24 rounded-xl bg-slate-200"></div> }).collect_view()}
        </div>
    }
}

/// A figure, linking to the list it counts.
#[component]
fn StatCard(
    label: &'static str,
    value: i64,
    href: &'static str,
    #[prop(optional)] tone: &'static str,
) -> impl IntoView {
    let value_class = if tone == "warn" && value > 0 { "text-rose-700" } else { "text-slate-900" };
    view! {
        <div class="relative rounded-xl border border-slate-200 bg-white p-4 shadow-sm hover:border-sky-300 hover:shadow">
            <dt class="text-sm text-slate-600">
                // The whole card is the link's target; the link's name is the figure's label.
                <a href=href class="after:absolute after:inset-0 hover:underline focus:outline-none focus-visible:after:ring-2 focus-visible:after:ring-sky-500 focus-visible:after:rounded-xl">{label}</a>
            </dt>
            <dd class=format!("mt-1 text-3xl font-semibold tabular-nums {value_class}")>{value}</dd>
        </div>
    }
}

#[component]
fn DashboardBody(summary: DashboardSummary) -> impl IntoView {
    if summary.total_contacts == 0 {
        return view! {
            <div class="mt-6 rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center">
                <p class="font-medium text-slate-800">"No contacts yet"</p>
                <p class="mt-2 text-sm text-slate-500">
                    "Enquiries appear here as they arrive. To explore with sample data, run "
                    <code class="rounded bg-slate-100 px-1">"avatar-crm seed-demo"</code> "."
                </p>
            </div>
        }
        .into_any();
    }

    view! {
        <dl class="mt-6 grid grid-cols-2 gap-4 lg:grid-cols-4">
            <StatCard label="Contacts" value=summary.total_contacts href="/contacts" />
            <StatCard label="New in the last 7 days" value=summary.new_contacts_last_7_days href="/contacts?sort=newest" />
            <StatCard label="Open tasks" value=summary.open_tasks href="/tasks?view=open" />
            <StatCard label="Overdue tasks" value=summary.overdue_tasks href="/tasks?view=overdue" tone="warn" />
        </dl>
        <div class="mt-6 grid gap-6 lg:grid-cols-5">
            <section class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm lg:col-span-3" aria-labelledby="pipeline-heading">
                <h2 id="pipeline-heading" class="font-semibold">"Pipeline"</h2>
                <div class="mt-4">
                    <StageChart stages=summary.stages />
                </div>
            </section>
            <section class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm lg:col-span-2" aria-labelledby="locations-heading">
                <h2 id="locations-heading" class="font-semibold">"Locations"</h2>
                <ul class="mt-3 divide-y divide-slate-100">
                    {summary
                        .locations
                        .into_iter()
                        .map(|location| {
                            view! {
                                <li class="flex items-center justify-between py-3">
                                    <div>
                                        <a href=format!("/contacts?location_id={}", location.id) class="font-medium text-sky-800 hover:underline">{location.name}</a>
                                        <p class="text-xs text-slate-500">
                                            {location.local_time} " · " {location.time_zone}
                                        </p>
                                    </div>
                                    <span class="rounded-full bg-slate-100 px-2.5 py-0.5 text-sm tabular-nums text-slate-700">
                                        {location.contacts} " contacts"
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        </div>
        <section class="mt-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm" aria-labelledby="recent-heading">
            <h2 id="recent-heading" class="font-semibold">"Latest enquiries"</h2>
            <div class="mt-3 overflow-x-auto" role="region" aria-label="Latest contacts list" tabindex="0">
                <table class="min-w-full text-left text-sm">
                    <thead class="text-xs uppercase tracking-wide text-slate-500">
                        <tr>
                            <th scope="col" class="py-2 pr-4 font-medium">"Name"</th>
                            <th scope="col" class="py-2 pr-4 font-medium">"Stage"</th>
                            <th scope="col" class="py-2 pr-4 font-medium">"Modality"</th>
                            <th scope="col" class="py-2 font-medium">"Received"</th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100">
                        {summary
                            .recent_contacts
                            .into_iter()
                            .map(|contact| {
                                let modality = contact
                                    .requested_modality
                                    .map(|m| m.label())
                                    .unwrap_or("—")
                                    .to_string();
                                view! {
                                    <tr>
                                        <td class="py-2 pr-4 font-medium">
                                            <a href=format!("/contacts/{}", contact.id) class="text-sky-800 hover:underline">{contact.display_name}</a>
                                        </td>
                                        <td class="py-2 pr-4">{contact.stage_name}</td>
                                        <td class="py-2 pr-4">{modality}</td>
                                        <td class="py-2 text-slate-600">{contact.created_local}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
