//! The Outbox: every SMS and email sent to contacts — or, with no provider configured, kept
//! here instead of sent — newest first, by channel, with its delivery status and any error.

use leptos::prelude::*;

use crate::components::tabs::Tab;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::components::delivery_problems::DeliveryProblems;
use crate::components::forms::{CARD, LINK, LoadError};
use crate::components::page_title::PageTitle;
use crate::components::time::local_time;
use crate::pages::contacts::status_class;
use crate::server_fns::messages::{list_messages, message_providers};
use domain::display::Zoned;
use domain::model::{Channel, EmailProviderKind, Message, SmsProviderKind};

fn provider_note(message: &Message) -> Option<&'static str> {
    match message.provider.as_deref() {
        Some("outbox") => Some("Kept in the outbox: no provider is configured, so it was not sent."),
        _ => None,
    }
}

#[component]
pub fn MessagesPage() -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        let q = query.read();
        (q.get("channel"), q.get("cursor"))
    };
    let messages = Resource::new(params, |(channel, cursor)| list_messages(channel, cursor));
    let providers = Resource::new(|| (), |_| message_providers());
    view! {
        <PageTitle text="Outbox" />
        <h1 class="text-2xl font-semibold tracking-tight">"Outbox"</h1>
        <p class="mt-1 text-slate-600">"Every text and email sent to a contact, newest first, with what happened to it."</p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                providers.await.ok().map(|Zoned { value: p, times }| {
                    let kept = [(p.sms == SmsProviderKind::Outbox).then_some("texts"), (p.email == EmailProviderKind::Outbox).then_some("email")]
                        .into_iter().flatten().collect::<Vec<_>>();
                    view! {
                        {(!kept.is_empty()).then(|| view! {
                            <p role="note" class="mt-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
                                {format!("No provider is configured for {}: they are kept here and not sent. ", kept.join(" or "))}
                                <A href="/settings" attr:class=LINK>"Settings"</A> " says which providers are set up."
                            </p>
                        })}
                        <DeliveryProblems problems=p.problems times />
                    }
                })
            })}
        </Transition>
        <Transition fallback=|| view! { <p class="mt-6 text-sm text-slate-500">"Loading messages…"</p> }>
            {move || Suspend::new(async move {
                match messages.await {
                    Err(error) => view! { <LoadError error /> }.into_any(),
                    Ok(Zoned { value: page, times }) => {
                        let (channel, _) = params();
                        let tab = |href: &'static str, label: &'static str, current: bool| view! { <Tab href=href.to_owned() label=label.to_owned() current /> };
                        let next = page.next_cursor.clone().map(|cursor| match &channel {
                            Some(c) => format!("/outbox?channel={c}&cursor={cursor}"),
                            None => format!("/outbox?cursor={cursor}"),
                        });
                        view! {
                            <nav aria-label="Channels" class="mt-6">
                                <ul class="flex flex-wrap gap-2">
                                    {tab("/outbox", "All", channel.is_none())}
                                    {tab("/outbox?channel=sms", "SMS", channel.as_deref() == Some("sms"))}
                                    {tab("/outbox?channel=email", "Email", channel.as_deref() == Some("email"))}
                                </ul>
                            </nav>
                            {if page.items.is_empty() {
                                view! { <p class="mt-6 text-sm text-slate-500">"No messages yet."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="mt-6 space-y-3" aria-label="Messages">
                                        {page.items.into_iter().map(|message| {
                                            let label = format!("{} to {}", message.channel.label(), message.contact_name);
                                            let note = provider_note(&message);
                                            view! {
                                                <li class=CARD>
                                                    <article aria-label=label>
                                                        <p class="text-sm text-slate-600">
                                                            {message.channel.label()} " to "
                                                            <A href=format!("/contacts/{}", message.contact_id) attr:class=LINK>{message.contact_name.clone()}</A>
                                                            " (" {if message.channel == Channel::Sms { domain::display::national_phone(&message.to) } else { message.to.clone() }} ") · " {local_time(&message.created_at, &times)}
                                                            " · " <span class=status_class(message.status)>{message.status.label()}</span>
                                                            {(message.channel == Channel::Sms).then(|| message.segments.map(|n| format!(" · {n} part{}", if n == 1 { "" } else { "s" })))}
                                                        </p>
                                                        {message.subject.clone().map(|subject| view! { <h2 class="mt-1 font-semibold">{subject}</h2> })}
                                                        <p class="mt-2 whitespace-pre-wrap text-sm text-slate-800">{message.body.clone()}</p>
                                                        {note.map(|note| view! { <p class="mt-2 text-sm text-amber-800">{note}</p> })}
                                                        {message.error.clone().map(|error| view! {
                                                            <p class="mt-2 break-words text-sm text-rose-800">{error}</p>
                                                        })}
                                                    </article>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                    {next.map(|href| view! {
                                        <p class="mt-4"><a href=href class=LINK>"Older messages"</a></p>
                                    })}
                                }.into_any()
                            }}
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}
