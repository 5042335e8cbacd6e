//! The system email outbox: email to staff (password reset links), kept here while no SMTP
//! relay is configured, or marked sent (without its text) once the relay took it.

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
            "Email to staff, such as password reset links, newest first. Without an email relay (SMTP_URL) they wait here to be passed on; once the relay takes one, only the fact that it was sent is kept."
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
                                        <p class="text-sm text-slate-500">
                                            {local_time(&email.created_at, &times)} " · " {email.kind.replace('_', " ")} " · "
                                            {match email.sent_at {
                                                Some(at) => view! { <span class="text-emerald-800">"Sent " {local_time(&at, &times)}</span> }.into_any(),
                                                None => view! { <span class="text-amber-800">"Kept here, not sent"</span> }.into_any(),
                                            }}
                                        </p>
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
