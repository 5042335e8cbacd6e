//! Users & roles: who can sign in, with which role; add staff, change roles, deactivate.

use crate::components::page_title::PageTitle;
use domain::access::{Permission, Role};
use domain::model::UserSummary;
use leptos::prelude::*;

use crate::components::forms::{
    ActionResult, CARD, INPUT, LoadError, SECONDARY, SubmitButton, reset_on_success, successes,
};
use crate::components::layout::use_current_user;
use crate::components::time::local_time;
use crate::server_fns::users::{CreateUser, UpdateUser, list_users};
use domain::display::{LocalTimes, Zoned};

#[component]
pub fn UsersPage() -> impl IntoView {
    let me = use_current_user();
    let create = ServerAction::<CreateUser>::new();
    let update = ServerAction::<UpdateUser>::new();
    let (created, updated) = (successes(create.value()), successes(update.value()));
    let users = Resource::new(move || (created.get(), updated.get()), |_| list_users());

    view! {
        <PageTitle text="Users & roles" />
        <h1 class="text-2xl font-semibold tracking-tight">"Users & roles"</h1>
        <p class="mt-1 text-slate-600">"Staff who can sign in, and what their role lets them do."</p>

        <Transition fallback=|| view! { <p class="mt-6 text-sm text-slate-500">"Loading staff…"</p> }>
            {move || Suspend::new(async move {
                let can_manage = me.await.ok().flatten().is_some_and(|u| u.can(Permission::UsersWrite));
                let list = users.await;
                view! {
                    {can_manage.then(|| view! { <AddUserForm create /> })}
                    <section class=format!("mt-6 {CARD}") aria-labelledby="users-heading">
                        <h2 id="users-heading" class="font-semibold">"Staff"</h2>
                        <ActionResult value=update.value() success="Saved." />
                        {match list {
                            Err(error) => view! { <LoadError error /> }.into_any(),
                            Ok(Zoned { value: list, times }) => view! { <UserTable users=list times can_manage update /> }.into_any(),
                        }}
                    </section>
                }
            })}
        </Transition>
    }
}

#[component]
fn AddUserForm(create: ServerAction<CreateUser>) -> impl IntoView {
    let form = NodeRef::new();
    reset_on_success(create.value(), form);
    view! {
            <section class=format!("mt-6 {CARD}") aria-labelledby="add-user-heading">
                <h2 id="add-user-heading" class="font-semibold">"Add a staff member"</h2>
                <ActionForm action=create node_ref=form attr:class="mt-3 grid gap-3 md:grid-cols-2">
                    <div>
                        <label for="new_display_name" class="block text-sm font-medium text-slate-700">"Name"</label>
                        <input id="new_display_name" name="display_name" required maxlength="100" class=INPUT />
                    </div>
                    <div>
                        <label for="new_email" class="block text-sm font-medium text-slate-700">"Email"</label>
                        <input id="new_email" name="email" type="email" required class=INPUT />
                    </div>
                    <div>
                        <label for="new_role" class="block text-sm font-medium text-slate-700">"Role"</label>
                        <select id="new_role" name="role" class=INPUT>
                            {Role::ALL.into_iter().map(|role| view! {
                                <option value=role.as_str() selected=role == Role::Reception>{role.label()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div>
                        <label for="new_password" class="block text-sm font-medium text-slate-700">"Temporary password"</label>
                        <input id="new_password" name="password" type="password" autocomplete="new-password" class=INPUT />
                        <p class="mt-1 text-xs text-slate-500">"Optional: leave empty for Google sign-in or a reset link."</p>
                    </div>
                    <div class="md:col-span-2">
                        <SubmitButton pending=create.pending() label="Add staff member" busy="Adding…" />
                    </div>
                </ActionForm>
                <ActionResult value=create.value() success="Staff member added." />
            </section>
    }
}

#[component]
fn UserTable(
    users: Vec<UserSummary>,
    times: LocalTimes,
    can_manage: bool,
    update: ServerAction<UpdateUser>,
) -> impl IntoView {
    view! {
        <div class="mt-3 overflow-x-auto" role="region" aria-label="Staff list" tabindex="0">
            <table class="min-w-full text-left text-sm">
                <thead class="text-xs uppercase tracking-wide text-slate-500">
                    <tr>
                        <th scope="col" class="py-2 pr-4 font-medium">"Name"</th>
                        <th scope="col" class="py-2 pr-4 font-medium">"Email"</th>
                        <th scope="col" class="py-2 pr-4 font-medium">"Role"</th>
                        <th scope="col" class="py-2 pr-4 font-medium">"Last sign-in"</th>
                        <th scope="col" class="py-2 font-medium">"Status"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {users.into_iter().map(|user| {
                        let role_cell = if can_manage {
                            let id = user.id.clone();
                            let current = user.role;
                            let select_id = format!("role-{}", user.id);
                            let select_label = format!("Role for {}", user.display_name);
                            view! {
                                <ActionForm action=update attr:class="flex items-center gap-2">
                                    <input type="hidden" name="id" value=id />
                                    <label class="sr-only" for=select_id.clone()>{select_label}</label>
                                    <select id=select_id name="role" class="rounded-md border border-slate-300 px-2 py-1 text-sm">
                                        {Role::ALL.into_iter().map(|role| view! {
                                            <option value=role.as_str() selected=role == current>{role.label()}</option>
                                        }).collect_view()}
                                    </select>
                                    <button type="submit" class=SECONDARY>"Save"</button>
                                </ActionForm>
                            }
                            .into_any()
                        } else {
                            view! { <span>{user.role.label()}</span> }.into_any()
                        };
                        let status_cell = if can_manage {
                            let (label, next) = if user.active { ("Deactivate", "false") } else { ("Reactivate", "true") };
                            let button_label = format!("{label} {}", user.display_name);
                            view! {
                                <ActionForm action=update attr:class="flex items-center gap-2">
                                    <input type="hidden" name="id" value=user.id.clone() />
                                    <input type="hidden" name="active" value=next />
                                    <span class=if user.active { "text-emerald-700" } else { "text-slate-500" }>
                                        {if user.active { "Active" } else { "Deactivated" }}
                                    </span>
                                    <button type="submit" class=SECONDARY aria-label=button_label>{label}</button>
                                </ActionForm>
                            }
                            .into_any()
                        } else {
                            view! { <span>{if user.active { "Active" } else { "Deactivated" }}</span> }.into_any()
                        };
                        view! {
                            <tr>
                                <td class="py-2 pr-4 font-medium">{user.display_name.clone()}</td>
                                <td class="py-2 pr-4">{user.email.clone()}</td>
                                <td class="py-2 pr-4">{role_cell}</td>
                                <td class="py-2 pr-4">{match user.last_sign_in_at.as_ref() {
                                    Some(at) => local_time(at, &times).into_any(),
                                    None => "never".into_any(),
                                }}</td>
                                <td class="py-2">{status_cell}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
