//! A list of tasks with the actions staff take on them: done/reopen, and reassign or move the
//! due day. Shared by the Tasks page and the contact page.

use domain::model::Task;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::forms::{LINK, SECONDARY, SubmitButton, utc};
use crate::server_fns::tasks::{RescheduleTask, SetTaskDone};

#[component]
pub fn TaskList(
    tasks: Vec<Task>,
    staff: Vec<(String, String)>,
    set_done: ServerAction<SetTaskDone>,
    reschedule: ServerAction<RescheduleTask>,
    /// Whether the user may change tasks: without it the list is read-only (no Done, no
    /// reassigning).
    can_change: bool,
) -> impl IntoView {
    view! {
        <ul class="divide-y divide-slate-100" aria-label="Tasks">
            {tasks.into_iter().map(|task| {
                let done = task.completed_at.is_some();
                let overdue = task.overdue;
                // The label is the location's clock, from the server; the attribute the instant.
                let due = task.due_at.map(|at| (at.to_rfc3339(), task.due_label.clone().unwrap_or_else(|| utc(&at))));
                let due_day = task.due_day.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
                let assignee = task.assignee_id.clone().unwrap_or_default();
                let assignee_name = staff.iter().find(|(id, _)| *id == assignee).map(|(_, n)| n.clone());
                let (button, next) = if done { ("Reopen", "false") } else { ("Done", "true") };
                // The spoken names start with the words shown (WCAG 2.5.3) and name the task, which
                // tells the list's buttons apart.
                let button_label = format!("{button}: {}", task.title);
                let change_label = format!("Reassign or change due day: {}", task.title);
                let (done_id, change_id) = (task.id.clone(), task.id.clone());
                let staff = staff.clone();
                view! {
                    <li class="py-3">
                        <div class="flex flex-wrap items-center justify-between gap-3">
                            <div>
                                <p class=if done { "font-medium text-slate-500 line-through" } else { "font-medium" }>{task.title.clone()}</p>
                                <p class="text-sm text-slate-600">
                                    {task.contact_id.clone().zip(task.contact_name.clone()).map(|(id, name)| view! {
                                        <A href=format!("/contacts/{id}") attr:class=LINK>{name}</A>
                                        " · "
                                    })}
                                    <span class=if overdue { "font-medium text-rose-700" } else { "" }>
                                        {match due {
                                            Some((instant, label)) => view! { "Due " <time datetime=instant>{label}</time> }.into_any(),
                                            None => "No due date".into_any(),
                                        }}
                                        {overdue.then_some(" (overdue)")}
                                    </span>
                                    " · "
                                    {assignee_name.unwrap_or_else(|| "Unassigned".into())}
                                </p>
                            </div>
                            {can_change.then(|| view! {
                                <ActionForm action=set_done>
                                    <input type="hidden" name="id" value=done_id />
                                    <input type="hidden" name="done" value=next />
                                    <SubmitButton pending=set_done.pending() label=button busy=button class=SECONDARY aria_label=button_label />
                                </ActionForm>
                            })}
                        </div>
                        {can_change.then(|| view! {
                        <details class="mt-2">
                            <summary class="cursor-pointer text-sm text-sky-700" aria-label=change_label>"Reassign or change due day"</summary>
                            <ActionForm action=reschedule attr:class="mt-2 flex flex-wrap items-end gap-2">
                                <input type="hidden" name="id" value=change_id />
                                <label class="text-sm text-slate-700">
                                    "Assignee"
                                    <select name="assignee_id" class="mt-1 block rounded-md border border-slate-300 px-2 py-1 text-sm">
                                        <option value="">"Unassigned"</option>
                                        {staff.into_iter().map(|(id, name)| {
                                            let selected = id == assignee;
                                            view! { <option value=id selected=selected>{name}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <label class="text-sm text-slate-700">
                                    "Due day"
                                    <input type="date" name="due_date" value=due_day class="mt-1 block rounded-md border border-slate-300 px-2 py-1 text-sm" />
                                </label>
                                <SubmitButton pending=reschedule.pending() label="Save" class=SECONDARY />
                            </ActionForm>
                        </details>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
