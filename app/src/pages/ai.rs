//! Settings → AI: how the AI layer is set up (the built-in engine, or an OpenAI-compatible
//! provider with each function's model; from the server's environment, the key never shown),
//! the month's spend against its budget, a "Test connection" button; and the AI usage page —
//! calls, fallbacks and cost per function per day over the last 7, 30 or 90 days, as a chart
//! and a table.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::components::forms::{CARD, LINK, LoadError, SECONDARY, SubmitButton, server_error_message};
use crate::components::layout::IfCan;
use crate::components::page_title::PageTitle;
use crate::server_fns::ai::{TestAiConnection, load_ai_settings, load_ai_usage};
use domain::access::Permission;
use domain::model::{AiFunction, Usage, UsageDay};

/// Millionths of a dollar as dollars: "$0.001341", "$1.20", "$0.00".
pub fn dollars(micros: i64) -> String {
    let sign = if micros < 0 { "\u{2212}" } else { "" };
    let micros = micros.unsigned_abs();
    let fraction = format!("{:06}", micros % 1_000_000);
    let trimmed = fraction.trim_end_matches('0');
    let shown = if trimmed.len() < 2 { &fraction[..2] } else { trimmed };
    format!("{sign}${}.{shown}", micros / 1_000_000)
}

#[component]
pub fn AiSettingsPage() -> impl IntoView {
    let settings = Resource::new(|| (), |_| load_ai_settings());
    let test = ServerAction::<TestAiConnection>::new();
    view! {
        <PageTitle text="AI provider" />
        <h1 class="text-2xl font-semibold tracking-tight">"AI provider"</h1>
        <p class="mt-1 text-slate-600">
            "Warmness, notes, SMS replies, campaign drafts and report insights. Set in the server's environment (AI_PROVIDER, AI_BASE_URL, AI_API_KEY, AI_MODEL, AI_MODEL_<FUNCTION>, AI_MONTHLY_BUDGET); see the README. The key is never shown."
        </p>
        <p class="mt-2 text-sm"><A href="/settings/ai/usage" attr:class=LINK>"AI usage and cost"</A></p>
        <Transition fallback=|| view! { <p class="mt-6 text-sm text-slate-500">"Loading the AI settings…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Err(error) => view! { <LoadError error /> }.into_any(),
                    Ok(s) => {
                        let engine = match (&s.provider[..], &s.endpoint_host) {
                            ("openai", Some(host)) => format!("OpenAI-compatible provider at {host}, the built-in engine behind it"),
                            ("openai", None) => "OpenAI-compatible provider, the built-in engine behind it".to_owned(),
                            _ => "Built-in engine: on this server, no network, no cost".to_owned(),
                        };
                        let remote = s.provider == "openai";
                        let budget = match s.monthly_budget_micros {
                            Some(b) => format!("{} of {} spent this month", dollars(s.spent_this_month_micros), dollars(b)),
                            None if remote => format!("No limit; {} spent this month", dollars(s.spent_this_month_micros)),
                            None => "Nothing to spend".to_owned(),
                        };
                        let row = |term: &'static str, value: String| view! {
                            <div>
                                <dt class="text-xs uppercase tracking-wide text-slate-500">{term}</dt>
                                <dd class="mt-0.5 text-slate-900">{value}</dd>
                            </div>
                        };
                        view! {
                            <section class=format!("mt-6 {CARD}") aria-labelledby="engine-heading">
                                <h2 id="engine-heading" class="font-semibold">"Engine"</h2>
                                <dl class="mt-3 grid gap-4 sm:grid-cols-2" aria-label="AI settings">
                                    {row("Engine", engine)}
                                    {remote.then(|| row("API key", if s.key_set { "Set".into() } else { "Not set".into() }))}
                                    {remote.then(|| row("Answer format", match s.schema_style.as_deref() {
                                        Some("bare") => "JSON schema, bare (Cloudflare's style)".into(),
                                        _ => "JSON schema (OpenAI's style)".into(),
                                    }))}
                                    {remote.then(|| row("Timeout and retries", format!(
                                        "{} s, then the built-in engine; {} retries of a busy or failing provider",
                                        s.timeout_secs.unwrap_or_default(), s.retries.unwrap_or_default()
                                    )))}
                                    {row("Monthly budget", budget)}
                                </dl>
                                <table class="mt-4 min-w-full text-left text-sm" aria-label="Model per function">
                                    <thead class="text-xs uppercase tracking-wide text-slate-500">
                                        <tr><th scope="col" class="py-2 pr-4 font-medium">"Function"</th><th scope="col" class="py-2 font-medium">"Answered by"</th></tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {s.models.into_iter().map(|m| view! {
                                            <tr>
                                                <th scope="row" class="py-2 pr-4 font-normal">{m.function.label()}</th>
                                                <td class="py-2 font-mono text-xs">{m.model.unwrap_or_else(|| "built-in engine".to_owned())}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </section>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
        <IfCan permission=Permission::SettingsWrite>
            <section class=format!("mt-6 {CARD}") aria-labelledby="test-heading">
                <h2 id="test-heading" class="font-semibold">"Test connection"</h2>
                <p class="mt-1 text-sm text-slate-600">"Asks the model a one-line question (a fraction of a cent with a paid provider)."</p>
                <ActionForm action=test attr:class="mt-3" attr:aria-label="Test connection">
                    <SubmitButton pending=test.pending() label="Test connection" busy="Testing…" class=SECONDARY />
                </ActionForm>
                {move || match test.value().get() {
                    None => ().into_any(),
                    Some(Err(error)) => view! {
                        <p role="alert" class="mt-3 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">{server_error_message(&error)}</p>
                    }.into_any(),
                    Some(Ok(result)) => {
                        let tone = if result.ok {
                            "mt-3 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800"
                        } else {
                            "mt-3 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800"
                        };
                        let model = result.model.map(|m| format!(" (model {m})")).unwrap_or_default();
                        view! { <p role="status" class=tone>{format!("{}{model}", result.message)}</p> }.into_any()
                    }
                }}
            </section>
        </IfCan>
    }
}

/// The ranges offered, in days.
const RANGES: [(i64, &str); 3] = [(7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days")];

#[component]
pub fn AiUsagePage() -> impl IntoView {
    let query = use_query_map();
    let days = move || {
        query
            .read()
            .get("days")
            .and_then(|d| d.parse::<i64>().ok())
            .filter(|d| RANGES.iter().any(|(r, _)| r == d))
            .unwrap_or(30)
    };
    let usage = Resource::new(days, load_ai_usage);
    view! {
        <PageTitle text="AI usage" />
        <h1 class="text-2xl font-semibold tracking-tight">"AI usage"</h1>
        <p class="mt-1 text-slate-600">"Every call of the AI layer: which function, whether the built-in engine stood in, and what the provider billed."</p>
        <p class="mt-2 text-sm"><A href="/settings/ai" attr:class=LINK>"AI provider settings"</A></p>
        <form method="get" action="/settings/ai/usage" class=format!("mt-6 flex flex-wrap items-end gap-3 {CARD}")>
            <div>
                <label for="days" class="block text-sm font-medium text-slate-700">"Period"</label>
                <select id="days" name="days" class="mt-1 block rounded-md border border-slate-300 px-3 py-2">
                    {RANGES.iter().map(|(d, label)| view! {
                        <option value=d.to_string() selected=move || days() == *d>{*label}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class=SECONDARY>"Show"</button>
        </form>
        <Transition fallback=|| view! { <p class="mt-6 text-sm text-slate-500">"Loading the usage…"</p> }>
            {move || Suspend::new(async move {
                match usage.await {
                    Err(error) => view! { <LoadError error /> }.into_any(),
                    Ok(usage) => view! { <UsageView usage /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn UsageView(usage: Usage) -> impl IntoView {
    let calls: i64 = usage.days.iter().map(|d| d.calls).sum();
    let fallbacks: i64 = usage.days.iter().map(|d| d.fallbacks).sum();
    let budget = usage.monthly_budget_micros.map_or_else(
        || format!("{} this month, no budget set", dollars(usage.spent_this_month_micros)),
        |b| format!("{} of {} this month", dollars(usage.spent_this_month_micros), dollars(b)),
    );
    let summary = view! {
        <dl class=format!("mt-6 grid gap-4 sm:grid-cols-4 {CARD}") aria-label="Totals">
            <div><dt class="text-xs uppercase tracking-wide text-slate-500">"Calls"</dt><dd class="mt-0.5 text-xl font-semibold tabular-nums">{calls}</dd></div>
            <div><dt class="text-xs uppercase tracking-wide text-slate-500">"Built-in stood in"</dt><dd class="mt-0.5 text-xl font-semibold tabular-nums">{fallbacks}</dd></div>
            <div><dt class="text-xs uppercase tracking-wide text-slate-500">"Cost in period"</dt><dd class="mt-0.5 text-xl font-semibold tabular-nums">{dollars(usage.total_cost_micros)}</dd></div>
            <div><dt class="text-xs uppercase tracking-wide text-slate-500">"Budget"</dt><dd class="mt-0.5 text-slate-900">{budget}</dd></div>
        </dl>
    };
    if usage.days.is_empty() {
        return view! {
            {summary}
            <p class="mt-6 rounded-xl border border-dashed border-slate-300 bg-white p-5 text-sm text-slate-600">
                {format!("No AI calls between {} and {}.", usage.from.format("%a %-d %b"), usage.to.format("%a %-d %b %Y"))}
            </p>
        }
        .into_any();
    }
    // Cost when a provider billed anything; calls otherwise (the built-in engine costs nothing).
    let by_cost = usage.total_cost_micros > 0;
    let mut rows = usage.days.clone();
    rows.sort_by(|a, b| b.day.cmp(&a.day).then(a.function.as_str().cmp(b.function.as_str())));
    view! {
        {summary}
        <section class=format!("mt-6 {CARD}") aria-labelledby="chart-heading">
            <h2 id="chart-heading" class="font-semibold">{if by_cost { "Cost per day, by function" } else { "Calls per day, by function" }}</h2>
            <UsageChart usage=usage.clone() by_cost />
        </section>
        <div class=format!("mt-6 overflow-x-auto {CARD}") role="region" aria-label="Usage by day" tabindex="0">
            <table class="min-w-full text-left text-sm">
                <thead class="text-xs uppercase tracking-wide text-slate-500">
                    <tr>
                        <th scope="col" class="py-2 pr-4 font-medium">"Day"</th>
                        <th scope="col" class="py-2 pr-4 font-medium">"Function"</th>
                        <th scope="col" class="py-2 pr-4 text-right font-medium">"Calls"</th>
                        <th scope="col" class="py-2 pr-4 text-right font-medium">"Built-in stood in"</th>
                        <th scope="col" class="py-2 pr-4 text-right font-medium">"Tokens in / out"</th>
                        <th scope="col" class="py-2 text-right font-medium">"Cost"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {rows.into_iter().map(|d| view! {
                        <tr>
                            <td class="py-2 pr-4 whitespace-nowrap">{d.day.format("%a %-d %b").to_string()}</td>
                            <td class="py-2 pr-4">{d.function.label()}</td>
                            <td class="py-2 pr-4 text-right tabular-nums">{d.calls}</td>
                            <td class="py-2 pr-4 text-right tabular-nums">{d.fallbacks}</td>
                            <td class="py-2 pr-4 text-right tabular-nums">{format!("{} / {}", d.prompt_tokens, d.completion_tokens)}</td>
                            <td class="py-2 text-right tabular-nums">{dollars(d.cost_micros)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Each function's colour in the chart and its legend (classes, not inline styles: the CSP).
fn colour(function: AiFunction) -> &'static str {
    match function {
        AiFunction::SmsIntent => "fill-sky-700",
        AiFunction::Warmness => "fill-amber-600",
        AiFunction::Enrichment => "fill-emerald-700",
        AiFunction::CampaignDraft => "fill-fuchsia-700",
        AiFunction::ReportInsights => "fill-slate-600",
    }
}

/// Stacked bars, one a day over the whole range (days without calls stay empty), in SVG.
#[component]
fn UsageChart(usage: Usage, by_cost: bool) -> impl IntoView {
    let value = move |d: &UsageDay| if by_cost { d.cost_micros } else { d.calls };
    let days: Vec<chrono::NaiveDate> = usage.from.iter_days().take_while(|d| *d <= usage.to).collect();
    let total = |day: chrono::NaiveDate| usage.days.iter().filter(|d| d.day == day).map(value).sum::<i64>();
    let max = days.iter().map(|d| total(*d)).max().unwrap_or(0).max(1);
    let (width, height) = (720.0_f64, 180.0_f64);
    let slot = width / days.len().max(1) as f64;
    let bar = (slot * 0.7).max(1.0);
    let label = if by_cost {
        format!("Most in a day: {}", dollars(max))
    } else {
        format!("Most in a day: {max} calls")
    };
    let bars = days
        .iter()
        .enumerate()
        .flat_map(|(i, day)| {
            let mut y = height;
            let x = i as f64 * slot + (slot - bar) / 2.0;
            AiFunction::ALL
                .iter()
                .filter_map(|f| {
                    let amount: i64 = usage.days.iter().filter(|d| d.day == *day && d.function == *f).map(value).sum();
                    (amount > 0).then(|| {
                        let h = amount as f64 / max as f64 * (height - 4.0);
                        y -= h;
                        let shown = if by_cost { dollars(amount) } else { format!("{amount} calls") };
                        view! {
                            <rect x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{bar:.1}") height=format!("{h:.1}") class=colour(*f)>
                                <title>{format!("{} · {} · {shown}", day.format("%a %-d %b"), f.label())}</title>
                            </rect>
                        }
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect_view();
    let used: Vec<AiFunction> =
        AiFunction::ALL.iter().copied().filter(|f| usage.days.iter().any(|d| d.function == *f)).collect();
    view! {
        <p class="mt-1 text-xs text-slate-600">{label}</p>
        <svg viewBox=format!("0 0 {width} {height}") class="mt-2 h-48 w-full" role="img"
            aria-label="Chart of the table below">
            <line x1="0" y1=height.to_string() x2=width.to_string() y2=height.to_string() class="stroke-slate-300" />
            {bars}
        </svg>
        <div class="mt-1 flex justify-between text-xs text-slate-600" aria-hidden="true">
            <span>{usage.from.format("%-d %b").to_string()}</span>
            <span>{usage.to.format("%-d %b").to_string()}</span>
        </div>
        <ul class="mt-3 flex flex-wrap gap-4 text-sm" aria-label="Legend">
            {used.into_iter().map(|f| view! {
                <li class="flex items-center gap-1.5">
                    <svg viewBox="0 0 10 10" class="h-3 w-3" aria-hidden="true"><rect width="10" height="10" class=colour(f) /></svg>
                    {f.label()}
                </li>
            }).collect_view()}
        </ul>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn micro_dollars_read_as_dollars() {
        assert_eq!(super::dollars(0), "$0.00");
        assert_eq!(super::dollars(1_341), "$0.001341");
        assert_eq!(super::dollars(1_200_000), "$1.20");
        assert_eq!(super::dollars(12_345_678), "$12.345678");
    }
}
