//! Settings: an index of what can be configured, and the security settings (IP allowlist).

use crate::components::page_title::PageTitle;
use domain::access::Permission;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::delivery_problems::DeliveryProblems;
use crate::components::forms::{
    ActionResult, CARD, INPUT, LINK, LoadError, SECONDARY, SubmitButton, reset_on_success, successes,
};
use crate::components::layout::{can, use_current_user};
use crate::server_fns::messages::message_providers;
use crate::server_fns::pipeline::{RemoveStage, SaveStage, pipeline_board};
use crate::server_fns::settings::{SaveIpAllowlist, get_ip_allowlist, my_ip_address};
use domain::display::Zoned;
use domain::model::{EmailProviderKind, SmsProviderKind};

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
        <PageTitle text="Settings" />
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
                        {can(Permission::SettingsWrite).then(|| link("/settings/scheduling", "Scheduling", "Opening hours, closures, scanners and rooms, maintenance, leave and services offered."))}
                        {can(Permission::SettingsWrite).then(|| link("/settings/pipeline", "Pipeline stages", "Rename, reorder, add or remove the stages on the board."))}
                        {can(Permission::AuditRead).then(|| link("/audit", "Audit log", "Sign-ins and every view or change of a record."))}
                        {link("/account", "My account", "Your password, API tokens and sessions.")}
                        {link("/settings/ai", "AI provider", "The built-in engine or a model, each function's model, the monthly budget, and a connection test.")}
                        {link("/settings/ai/usage", "AI usage", "Calls, fallbacks and cost per function per day.")}
                        {can(Permission::JobsManage).then(|| link("/settings/jobs", "Background jobs", "Texts, emails and housekeeping waiting, running, failed or dead; retry or discard them."))}
                        {can(Permission::UsersWrite).then(|| link("/settings/outbox", "System email outbox", "Sign-in emails, such as password-reset links, kept here for administrators."))}
                    }
                })}
            </Transition>
        </div>
        <MessageProviders />
        <p class="mt-6 rounded-xl border border-dashed border-slate-300 bg-white p-5 text-sm text-slate-500">
            "Locations, services, resources, staff hours, templates and integrations arrive in an upcoming release."
        </p>
    }
}

/// Which providers send texts and email (set by the server's environment; never their secrets).
#[component]
fn MessageProviders() -> impl IntoView {
    let providers = Resource::new(|| (), |_| message_providers());
    view! {
        <section class=format!("mt-6 {CARD}") aria-labelledby="providers-heading">
            <h2 id="providers-heading" class="font-semibold">"Message providers"</h2>
            <p class="mt-1 text-sm text-slate-600">
                "Set in the server's environment (SMS_PROVIDER, CLICKSEND_*, SMTP_URL, EMAIL_FROM, SMS_WEBHOOK_SECRET); see the README."
            </p>
            <Transition fallback=|| view! { <p class="mt-3 text-sm text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match providers.await {
                        Err(error) => view! { <LoadError error /> }.into_any(),
                        Ok(Zoned { value: p, times }) => {
                            let sms = match (p.sms, p.sms_from) {
                                (SmsProviderKind::Clicksend, Some(from)) => format!("ClickSend, from {from}"),
                                (SmsProviderKind::Clicksend, None) => "ClickSend".to_owned(),
                                (SmsProviderKind::Outbox, _) => "Outbox only: texts are kept, not sent".to_owned(),
                            };
                            let email = match (p.email, p.email_from) {
                                (EmailProviderKind::Smtp, Some(from)) => format!("SMTP relay, from {from}"),
                                (EmailProviderKind::Smtp, None) => "SMTP relay".to_owned(),
                                (EmailProviderKind::Outbox, _) => "Outbox only: email is kept, not sent".to_owned(),
                            };
                            let problems = p.problems;
                            let row = |term: &'static str, value: String| view! {
                                <div>
                                    <dt class="text-xs uppercase tracking-wide text-slate-500">{term}</dt>
                                    <dd class="mt-0.5 text-slate-900">{value}</dd>
                                </div>
                            };
                            view! {
                                <dl class="mt-3 grid gap-4 sm:grid-cols-2" aria-label="Message providers">
                                    {row("SMS", sms)}
                                    {row("Email", email)}
                                    {row("Delivery receipts", if p.sms_receipts { "Accepted from ClickSend".into() } else { "Off (no webhook secret)".into() })}
                                    {row("Sending", if p.worker { "This server sends queued messages".into() } else { "Another server sends queued messages".into() })}
                                </dl>
                                <DeliveryProblems problems times />
                            }
                            .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn SecurityPage() -> impl IntoView {
    let save = ServerAction::<SaveIpAllowlist>::new();
    let saved = successes(save.value());
    let settings = Resource::new(move || saved.get(), |_| get_ip_allowlist());
    let my_ip = Resource::new(|| (), |_| my_ip_address());
    let me = use_current_user();

    view! {
        <PageTitle text="Security" />
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
                    let can_change = can(me, Permission::SettingsWrite).await;
                    match settings.await {
                        Err(error) => view! { <LoadError error /> }.into_any(),
                        // Shown, not offered: the allowlist as it stands, and who can change it.
                        Ok(current) if !can_change => view! {
                            <div class="mt-4 space-y-2 text-sm" aria-label="Allowlist in force">
                                <p class="font-medium text-slate-700">
                                    {if current.enabled { "On: only the addresses below can reach Avatar CRM." } else { "Off: every address can reach Avatar CRM." }}
                                </p>
                                {(!current.entries.is_empty()).then(|| view! {
                                    <ul class="list-disc pl-5 font-mono">
                                        {current.entries.iter().map(|entry| view! { <li>{entry.clone()}</li> }).collect_view()}
                                    </ul>
                                })}
                                <p class="text-slate-600">"Only administrators and clinic managers can change the allowlist."</p>
                            </div>
                        }
                        .into_any(),
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
                                <SubmitButton pending=save.pending() label="Save allowlist" />
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

/// Settings → Pipeline stages: rename, reorder, close, add, and remove empty stages.
#[component]
pub fn PipelineStagesPage() -> impl IntoView {
    let save = ServerAction::<SaveStage>::new();
    let remove = ServerAction::<RemoveStage>::new();
    let (saved, removed) = (successes(save.value()), successes(remove.value()));
    let board = Resource::new(move || (saved.get(), removed.get()), |_| pipeline_board(Default::default()));
    let new_stage_form = NodeRef::new();
    reset_on_success(save.value(), new_stage_form);
    view! {
        <PageTitle text="Pipeline stages" />
        <A href="/settings" attr:class=format!("text-sm {LINK}")>"← Settings"</A>
        <h1 class="mt-2 text-2xl font-semibold tracking-tight">"Pipeline stages"</h1>
        <p class="mt-1 text-slate-600">"The columns of the board, in order. New contacts start in the first stage; closed stages (such as Lost) end the pipeline."</p>
        <ActionResult value=save.value() success="Stage saved." />
        <ActionResult value=remove.value() success="" />
        <Transition fallback=|| view! { <p class="mt-4 text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Err(error) => view! { <LoadError error /> }.into_any(),
                    Ok(board) => {
                        let last = board.columns.len();
                        view! {
                            <ol class=format!("mt-4 divide-y divide-slate-100 {CARD}") aria-label="Stages">
                                {board.columns.into_iter().enumerate().map(|(index, column)| {
                                    let stage = column.stage;
                                    let label = format!("Name of stage {}", index + 1);
                                    let (up_id, down_id, remove_id, save_id) = (stage.id.clone(), stage.id.clone(), stage.id.clone(), stage.id.clone());
                                    let current_name = stage.name.clone();
                                    let up_label = format!("Move {} up", stage.name);
                                    let down_label = format!("Move {} down", stage.name);
                                    let remove_label = format!("Remove {}", stage.name);
                                    let closed = stage.is_closed;
                                    view! {
                                        <li class="flex flex-wrap items-end gap-3 py-3">
                                            <ActionForm action=save attr:class="flex flex-1 flex-wrap items-end gap-2">
                                                <input type="hidden" name="id" value=save_id />
                                                <label class="min-w-48 flex-1 text-sm text-slate-700">
                                                    <span class="sr-only">{label.clone()}</span>
                                                    <input name="name" value=current_name aria-label=label required maxlength="40" class=INPUT />
                                                </label>
                                                <label class="flex items-center gap-1 text-sm text-slate-700">
                                                    <input type="checkbox" name="is_closed" checked=closed />
                                                    "Closed"
                                                </label>
                                                <button type="submit" class=SECONDARY>"Save"</button>
                                            </ActionForm>
                                            <span class="text-sm tabular-nums text-slate-500">{format!("{} contacts", column.count)}</span>
                                            <ActionForm action=save>
                                                <input type="hidden" name="id" value=up_id />
                                                <input type="hidden" name="position" value=index.to_string() />
                                                <button type="submit" class=SECONDARY disabled={index == 0} aria-label=up_label>"↑"</button>
                                            </ActionForm>
                                            <ActionForm action=save>
                                                <input type="hidden" name="id" value=down_id />
                                                <input type="hidden" name="position" value=(index + 2).to_string() />
                                                <button type="submit" class=SECONDARY disabled={index + 1 == last} aria-label=down_label>"↓"</button>
                                            </ActionForm>
                                            <ActionForm action=remove>
                                                <input type="hidden" name="id" value=remove_id />
                                                <button type="submit" class=SECONDARY disabled={column.count > 0} aria-label=remove_label
                                                    title={if column.count > 0 { "Move its contacts to another stage first" } else { "" }}>"Remove"</button>
                                            </ActionForm>
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
        <ActionForm action=save node_ref=new_stage_form attr:class=format!("mt-4 flex flex-wrap items-end gap-2 {CARD}") attr:aria-label="Add a stage">
            <div class="min-w-64 flex-1">
                <label for="new-stage" class="block text-sm font-medium text-slate-700">"New stage"</label>
                <input id="new-stage" name="name" required maxlength="40" placeholder="e.g. Awaiting referral" class=INPUT />
            </div>
            <SubmitButton pending=save.pending() label="Add stage" busy="Adding…" />
        </ActionForm>
    }
}
