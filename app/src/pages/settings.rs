//! Settings: an index of what can be configured, and the security settings (IP allowlist).

use domain::access::Permission;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::forms::{ActionResult, BUTTON, CARD, INPUT, LoadError};
use crate::components::layout::use_current_user;
use crate::server_fns::{SaveIpAllowlist, get_ip_allowlist, my_ip_address};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let me = use_current_user();
    let link = |href: &'static str, title: &'static str, text: &'static str| {
        view! {
            <A href=href attr:class=format!("block {CARD} hover:border-sky-300 hover:shadow")>
                <h2 class="font-semibold text-sky-800">{title}</h2>
                <p class="mt-1 text-sm text-slate-600">{text}</p>
            </A>
        }
    };
    view! {
        <Title text="Settings" />
        <h1 class="text-2xl font-semibold tracking-tight">"Settings"</h1>
        <p class="mt-1 text-slate-600">"Locations, services, resources, staff hours, users and integrations."</p>
        <div class="mt-6 grid gap-4 md:grid-cols-2">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let me = me.await.ok().flatten();
                    let can = |p: Permission| me.as_ref().is_some_and(|u| u.can(p));
                    view! {
                        {can(Permission::UsersRead).then(|| link("/settings/users", "Users & roles", "Who can sign in and what each role may do."))}
                        {link("/settings/security", "Security", "Limit access to your clinic's networks (IP allowlist).")}
                        {can(Permission::AuditRead).then(|| link("/audit", "Audit log", "Sign-ins and every view or change of a record."))}
                        {link("/account", "My account", "Your password, API tokens and sessions.")}
                        {can(Permission::UsersWrite).then(|| link("/settings/outbox", "Email outbox", "Messages waiting while no email relay is configured, such as password-reset links."))}
                    }
                })}
            </Transition>
        </div>
        <p class="mt-6 rounded-xl border border-dashed border-slate-300 bg-white p-5 text-sm text-slate-500">
            "Locations, services, resources, staff hours, templates and integrations arrive in an upcoming release."
        </p>
    }
}

#[component]
pub fn SecurityPage() -> impl IntoView {
    let save = ServerAction::<SaveIpAllowlist>::new();
    let settings = Resource::new(move || save.version().get(), |_| get_ip_allowlist());
    let my_ip = Resource::new(|| (), |_| my_ip_address());

    view! {
        <Title text="Security" />
        <h1 class="text-2xl font-semibold tracking-tight">"Security"</h1>
        <section class=format!("mt-6 {CARD}") aria-labelledby="allowlist-heading">
            <h2 id="allowlist-heading" class="font-semibold">"IP allowlist"</h2>
            <p class="mt-1 text-sm text-slate-600">
                "When on, only these addresses can reach Avatar CRM. Use the clinic's public addresses or ranges, one per line (IPv4 or IPv6, e.g. 203.0.113.0/24)."
            </p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    my_ip.await.ok().map(|ip| view! {
                        <p class="mt-2 text-sm text-slate-600">"Your address: " <code class="rounded bg-slate-100 px-1" data-testid="my-ip">{ip}</code></p>
                    })
                })}
            </Suspense>
            <Transition fallback=|| view! { <p class="mt-3 text-sm text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Err(error) => view! { <LoadError error /> }.into_any(),
                        Ok(current) => view! {
                            <ActionForm action=save attr:class="mt-4 space-y-3">
                                <label class="flex items-center gap-2 text-sm font-medium text-slate-700">
                                    <input type="checkbox" name="enabled" value="on" checked=current.enabled class="h-4 w-4 rounded border-slate-300" />
                                    "Only allow the addresses below"
                                </label>
                                <div>
                                    <label for="entries" class="block text-sm font-medium text-slate-700">"Allowed addresses"</label>
                                    <textarea id="entries" name="entries" rows="5" class=format!("{INPUT} font-mono text-sm")>
                                        {current.entries.join("\n")}
                                    </textarea>
                                </div>
                                <button type="submit" class=BUTTON>"Save allowlist"</button>
                            </ActionForm>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
            <ActionResult value=save.value() success="The allowlist has been saved." />
        </section>
    }
}
