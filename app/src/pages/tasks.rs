//! Tasks: call-backs and follow-ups. Mine, overdue, everyone's open tasks, and done.

use crate::components::page_title::PageTitle;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::components::forms::{ActionResult, CARD, LoadError};
use crate::components::task_list::TaskList;
use crate::server_fns::tasks::{RescheduleTask, SetTaskDone, list_tasks};
use crate::server_fns::users::assignable_staff;

const VIEWS: [(&str, &str); 4] =
    [("mine", "Mine"), ("overdue", "Overdue"), ("open", "All open"), ("done", "Done")];

#[component]
pub fn TasksPage() -> impl IntoView {
    let query = use_query_map();
    let view_name = move || {
        query
            .read()
            .get("view")
            .filter(|v| VIEWS.iter().any(|(key, _)| key == v))
            .unwrap_or_else(|| "mine".into())
    };
    let set_done = ServerAction::<SetTaskDone>::new();
    let reschedule = ServerAction::<RescheduleTask>::new();
    let tasks = Resource::new(
        move || (view_name(), set_done.version().get(), reschedule.version().get()),
        |(view, _, _)| async move { (list_tasks(Some(view)).await, assignable_staff().await) },
    );

    view! {
        <PageTitle text="Tasks" />
        <h1 class="text-2xl font-semibold tracking-tight">"Tasks"</h1>
        <p class="mt-1 text-slate-600">"Call-backs and follow-ups: mine, overdue and everyone's."</p>
        <nav aria-label="Task lists" class="mt-6 flex flex-wrap gap-2">
            {VIEWS.into_iter().map(|(key, label)| view! {
                <A
                    href=format!("/tasks?view={key}")
                    attr:class=move || if view_name() == key {
                        "rounded-full bg-sky-700 px-3 py-1 text-sm font-medium text-white"
                    } else {
                        "rounded-full border border-slate-300 bg-white px-3 py-1 text-sm text-slate-700 hover:bg-slate-50"
                    }
                    attr:aria-current=move || (view_name() == key).then_some("page")
                >
                    {label}
                </A>
            }).collect_view()}
        </nav>
        <ActionResult value=set_done.value() success="" />
        <ActionResult value=reschedule.value() success="Task updated." />
        <Transition fallback=|| view! { <p class="mt-6 text-sm text-slate-500">"Loading tasks…"</p> }>
            {move || Suspend::new(async move {
                match tasks.await {
                    (Err(error), _) | (_, Err(error)) => view! { <LoadError error /> }.into_any(),
                    (Ok(page), _) if page.items.is_empty() => view! {
                        <p class="mt-6 rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-500">
                            "Nothing here. Well done."
                        </p>
                    }
                    .into_any(),
                    (Ok(page), Ok(staff)) => view! {
                        <div class=format!("mt-4 {CARD}")>
                            <TaskList tasks=page.items staff set_done reschedule />
                        </div>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}
