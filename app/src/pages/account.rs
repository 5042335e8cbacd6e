//! My account: password, personal API tokens, sign out everywhere.

use crate::components::page_title::PageTitle;
use leptos::prelude::*;

use crate::components::forms::{
    ActionResult, CARD, INPUT, LoadError, SECONDARY, SubmitButton, reset_on_success,
};
use crate::components::layout::use_current_user;
use crate::components::time::local_time;
use crate::server_fns::account::{ChangePassword, CreateApiToken, RevokeApiToken, list_api_tokens};
use domain::display::Zoned;

#[component]
pub fn AccountPage() -> impl IntoView {
    let user = use_current_user();
    let change_password = ServerAction::<ChangePassword>::new();
    let create_token = ServerAction::<CreateApiToken>::new();
    let revoke_token = ServerAction::<RevokeApiToken>::new();
    let (password_form, token_form) = (NodeRef::new(), NodeRef::new());
    reset_on_success(change_password.value(), password_form);
    reset_on_success(create_token.value(), token_form);
    let tokens = Resource::new(
        move || (create_token.version().get(), revoke_token.version().get()),
        |_| list_api_tokens(),
    );

    view! {
        <PageTitle text="My account" />
        <h1 class="text-2xl font-semibold tracking-tight">"My account"</h1>
        <p class="mt-1 text-slate-600">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    user.await.ok().flatten().map(|u| format!("{} · {} · {}", u.display_name, u.email, u.role.label()))
                })}
            </Transition>
        </p>

        <div class="mt-6 grid gap-6 lg:grid-cols-2">
            <section class=CARD aria-labelledby="password-heading">
                <h2 id="password-heading" class="font-semibold">"Change password"</h2>
                <ActionForm action=change_password node_ref=password_form attr:class="mt-3 space-y-3">
                    <div>
                        <label for="current_password" class="block text-sm font-medium text-slate-700">"Current password"</label>
                        <input id="current_password" name="current_password" type="password" autocomplete="current-password" class=INPUT />
                    </div>
                    <div>
                        <label for="new_password" class="block text-sm font-medium text-slate-700">"New password"</label>
                        <input id="new_password" name="new_password" type="password" autocomplete="new-password" minlength="10" required class=INPUT />
                        <p class="mt-1 text-xs text-slate-500">"At least 10 characters."</p>
                    </div>
                    <SubmitButton pending=change_password.pending() label="Change password" />
                </ActionForm>
                <ActionResult value=change_password.value() success="Your password has been changed." />
            </section>

            <section class=CARD aria-labelledby="sessions-heading">
                <h2 id="sessions-heading" class="font-semibold">"Sessions"</h2>
                <p class="mt-2 text-sm text-slate-600">
                    "Signed in on a shared or lost device? Sign out of every browser at once, this one included."
                </p>
                <form method="post" action="/auth/logout-everywhere" class="mt-3">
                    <button type="submit" class=SECONDARY>"Sign out everywhere"</button>
                </form>
            </section>
        </div>

        <section class=format!("mt-6 {CARD}") aria-labelledby="tokens-heading">
            <h2 id="tokens-heading" class="font-semibold">"API tokens"</h2>
            <p class="mt-1 text-sm text-slate-600">
                "For other systems calling the REST API as you, with your role's permissions. Send as "
                <code class="rounded bg-slate-100 px-1">"Authorization: Bearer <token>"</code> "."
            </p>
            <ActionForm action=create_token node_ref=token_form attr:class="mt-3 flex flex-wrap items-end gap-3">
                <div class="min-w-64 flex-1">
                    <label for="token_name" class="block text-sm font-medium text-slate-700">"Token name"</label>
                    <input id="token_name" name="name" required maxlength="80" placeholder="e.g. Website booking sync" class=INPUT />
                </div>
                <SubmitButton pending=create_token.pending() label="Create token" busy="Creating…" />
            </ActionForm>
            {move || match create_token.value().get() {
                Some(Ok(created)) => view! {
                    <div role="status" class="mt-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
                        <p class="font-medium text-amber-900">"Copy this token now. It will not be shown again."</p>
                        <code data-testid="new-token" class="mt-2 block break-all rounded bg-white px-2 py-1 font-mono text-slate-900">{created.token}</code>
                    </div>
                }
                .into_any(),
                Some(Err(_)) => view! { <ActionResult value=create_token.value() success="" /> }.into_any(),
                None => ().into_any(),
            }}
            <ActionResult value=revoke_token.value() success="" />
            <Transition fallback=|| view! { <p class="mt-3 text-sm text-slate-500">"Loading tokens…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Err(error) => view! { <LoadError error /> }.into_any(),
                        Ok(Zoned { value: list, .. }) if list.is_empty() => view! {
                            <p class="mt-4 text-sm text-slate-500">"You have no API tokens."</p>
                        }
                        .into_any(),
                        Ok(Zoned { value: list, times }) => view! {
                            <table class="mt-4 min-w-full text-left text-sm">
                                <thead class="text-xs uppercase tracking-wide text-slate-500">
                                    <tr>
                                        <th scope="col" class="py-2 pr-4 font-medium">"Name"</th>
                                        <th scope="col" class="py-2 pr-4 font-medium">"Token"</th>
                                        <th scope="col" class="py-2 pr-4 font-medium">"Created"</th>
                                        <th scope="col" class="py-2 pr-4 font-medium">"Last used"</th>
                                        <th scope="col" class="py-2 font-medium"><span class="sr-only">"Actions"</span></th>
                                    </tr>
                                </thead>
                                <tbody class="divide-y divide-slate-100">
                                    {list.into_iter().map(|token| {
                                        let revoked = token.revoked_at.is_some();
                                        view! {
                                            <tr>
                                                <td class="py-2 pr-4 font-medium">{token.name.clone()}</td>
                                                <td class="py-2 pr-4 font-mono text-xs">{format!("{}…", token.prefix)}</td>
                                                <td class="py-2 pr-4">{local_time(&token.created_at, &times)}</td>
                                                <td class="py-2 pr-4">{match token.last_used_at.as_ref() {
                                                    Some(at) => local_time(at, &times).into_any(),
                                                    None => "never".into_any(),
                                                }}</td>
                                                <td class="py-2">
                                                    {if revoked {
                                                        view! { <span class="text-slate-500">"Revoked"</span> }.into_any()
                                                    } else {
                                                        view! {
                                                            <ActionForm action=revoke_token>
                                                                <input type="hidden" name="id" value=token.id.clone() />
                                                                <button type="submit" class=SECONDARY aria-label=format!("Revoke {}", token.name)>"Revoke"</button>
                                                            </ActionForm>
                                                        }
                                                        .into_any()
                                                    }}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
