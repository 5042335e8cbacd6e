//! Tasks: call-backs and follow-ups. Opens on what needs doing (overdue or due today, mine or
//! no one's); tabs for mine, unassigned, overdue, everyone's open tasks and done, each with its
//! count; open lists run soonest due first.

use crate::components::page_title::PageTitle;
use domain::access::Permission;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::components::forms::{ActionResult, CARD, LoadError, successes};
use crate::components::layout::{can, use_current_user};
use crate::components::task_list::TaskList;
use crate::server_fns::tasks::{RescheduleTask, SetTaskDone, TaskView, list_tasks, task_counts};
use crate::server_fns::users::assignable_staff;

#[component]
pub fn TasksPage() -> impl IntoView {
    let query = use_query_map();
    let view_now = move || TaskView::parse(&query.read().get("view").unwrap_or_default());
    let set_done = ServerAction::<SetTaskDone>::new();
    let reschedule = ServerAction::<RescheduleTask>::new();
    let (done, rescheduled) = (successes(set_done.value()), successes(reschedule.value()));
    let tasks = Resource::new(
        move || (view_now(), done.get(), rescheduled.get()),
        |(view, _, _)| async move { (list_tasks(Some(view.key().to_owned())).await, assignable_staff().await) },
    );
    let counts = Resource::new(move || (done.get(), rescheduled.get()), |_| task_counts());
    let me = use_current_user();

    view! {
        <PageTitle text="Tasks" />
        <h1 class="text-2xl font-semibold tracking-tight">"Tasks"</h1>
        <p class="mt-1 text-slate-600">"Call-backs and follow-ups. Open lists run soonest due first."</p>
        <nav aria-label="Task lists" class="mt-6 flex flex-wrap gap-2">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let counts = counts.await.ok();
                    TaskView::ALL.into_iter().map(|view| {
                        let count = counts.as_ref().and_then(|c| view.count(c));
                        let current = view_now() == view;
                        view! {
                            <A
                                href=format!("/tasks?view={}", view.key())
                                attr:class=if current {
                                    "rounded-full bg-sky-700 px-3 py-1 text-sm font-medium text-white"
                                } else {
                                    "rounded-full border border-slate-300 bg-white px-3 py-1 text-sm text-slate-700 hover:bg-slate-50"
                                }
                                attr:aria-current=current.then_some("page")
                            >
                                {view.label()}
                                {count.map(|n| view! { " " <span class="tabular-nums">{format!("({n})")}</span> })}
                            </A>
                        }
                    }).collect_view()
                })}
            </Transition>
        </nav>
        <ActionResult value=set_done.value() success="" />
        <ActionResult value=reschedule.value() success="Task updated." />
        <Transition fallback=|| view! { <p class="mt-6 text-sm text-slate-500">"Loading tasks…"</p> }>
            {move || Suspend::new(async move {
                let can_change = can(me, Permission::ContactsWrite).await;
                match tasks.await {
                    (Err(error), _) | (_, Err(error)) => view! { <LoadError error /> }.into_any(),
                    (Ok(page), _) if page.items.is_empty() => view! {
                        <p class="mt-6 rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-500">
                            {if view_now() == TaskView::Done { "Nothing done yet." } else { "Nothing here. Well done." }}
                        </p>
                    }
                    .into_any(),
                    (Ok(page), Ok(staff)) => view! {
                        <div class=format!("mt-4 {CARD}")>
                            <TaskList tasks=page.items staff set_done reschedule can_change />
                        </div>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}
