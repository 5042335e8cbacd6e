//! The email outbox: what would have been sent while no SMTP relay is configured.

use crate::components::page_title::PageTitle;
use leptos::prelude::*;

use crate::components::forms::{CARD, LoadError};
use crate::components::time::local_time;
use crate::server_fns::outbox::list_outbox_emails;
use domain::display::Zoned;

#[component]
pub fn OutboxPage() -> impl IntoView {
    let emails = Resource::new(|| (), |_| list_outbox_emails());
    view! {
        <PageTitle text="System email outbox" />
        <h1 class="text-2xl font-semibold tracking-tight">"System email outbox"</h1>
        <p class="mt-1 text-slate-600">
            "No email relay is configured, so messages wait here instead of being sent. Newest first."
        </p>
        <Transition fallback=|| view! { <p class="mt-6 text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match emails.await {
                    Err(error) => view! { <LoadError error /> }.into_any(),
                    Ok(Zoned { value: list, .. }) if list.is_empty() => view! {
                        <p class="mt-6 text-sm text-slate-500">"The outbox is empty."</p>
                    }
                    .into_any(),
                    Ok(Zoned { value: list, times }) => view! {
                        <ul class="mt-6 space-y-4">
                            {list.into_iter().map(|email| {
                                let label = format!("Email to {}", email.to);
                                view! {
                                <li class=CARD>
                                    <article aria-label=label>
                                        <p class="text-sm text-slate-500">{local_time(&email.created_at, &times)} " · " {email.kind.replace('_', " ")}</p>
                                        <h2 class="mt-1 font-semibold">{email.subject}</h2>
                                        <p class="text-sm text-slate-700">"To: " {email.to}</p>
                                        <pre class="mt-3 whitespace-pre-wrap rounded bg-slate-50 p-3 text-sm text-slate-800">{email.body_text}</pre>
                                    </article>
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
