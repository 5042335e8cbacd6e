//! Tasks: call-backs and follow-ups. Mine, overdue, everyone's open tasks, and done.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::components::forms::{ActionResult, CARD, LoadError, SECONDARY, utc};
use crate::server_fns::{SetTaskDone, list_tasks};

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
    let tasks =
        Resource::new(move || (view_name(), set_done.version().get()), |(view, _)| list_tasks(Some(view)));

    view! {
        <Title text="Tasks" />
        <h1 class="text-2xl font-semibold tracking-tight">"Tasks"</h1>
        <p class="mt-1 text-slate-600">"Call-backs and follow-ups: mine, overdue and everyone's."</p>
        <nav aria-label="Task lists" class="mt-6 flex flex-wrap gap-2">
            {VIEWS.into_iter().map(|(key, label)| view! {
                <A
                    href=format!("/tasks?view={key}")
                    attr:class=move || if view_name() == key {
                        "rounded-full bg-sky-600 px-3 py-1 text-sm font-medium text-white"
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
        <Transition fallback=|| view! { <p class="mt-6 text-sm text-slate-500">"Loading tasks…"</p> }>
            {move || Suspend::new(async move {
                match tasks.await {
                    Err(error) => view! { <LoadError error /> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! {
                        <p class="mt-6 rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-500">
                            "Nothing here. Well done."
                        </p>
                    }
                    .into_any(),
                    Ok(page) => view! {
                        <ul class=format!("mt-4 divide-y divide-slate-100 {CARD}") aria-label="Tasks">
                            {page.items.into_iter().map(|task| {
                                let done = task.completed_at.is_some();
                                let overdue = task.overdue;
                                let due = task.due_at.as_ref().map(utc);
                                let (button, next) = if done { ("Reopen", "false") } else { ("Done", "true") };
                                let button_label = format!("{button}: {}", task.title);
                                view! {
                                    <li class="flex flex-wrap items-center justify-between gap-3 py-3">
                                        <div>
                                            <p class=if done { "font-medium text-slate-500 line-through" } else { "font-medium" }>{task.title}</p>
                                            <p class="text-sm text-slate-600">
                                                {task.contact_id.zip(task.contact_name).map(|(id, name)| view! {
                                                    <A href=format!("/contacts/{id}") attr:class="text-sky-700 hover:underline">{name}</A>
                                                    " · "
                                                })}
                                                <span class=if overdue { "font-medium text-rose-700" } else { "" }>
                                                    {due.map(|d| format!("Due {d}")).unwrap_or_else(|| "No due date".into())}
                                                    {overdue.then_some(" (overdue)")}
                                                </span>
                                            </p>
                                        </div>
                                        <ActionForm action=set_done>
                                            <input type="hidden" name="id" value=task.id />
                                            <input type="hidden" name="done" value=next />
                                            <button type="submit" class=SECONDARY aria-label=button_label>{button}</button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}
