//! The search box above every signed-in page: a contact's name, phone number or email, with
//! the best matches offered as you type (the ARIA 1.2 combobox pattern: arrow keys move
//! through them, Enter opens one, Escape closes the list).
//!
//! It is a plain GET form to the Contacts list first, so Enter works before the page is
//! hydrated and without JavaScript; once hydrated it also offers matches while typing.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

use crate::server_fns::contacts::{QuickMatch, quick_search};

/// Typing pauses this long before the matches are asked for, so a fast typist sends one
/// request, not one per key.
const PAUSE: Duration = Duration::from_millis(180);
const LIST_ID: &str = "quick-search-results";

fn option_id(index: usize) -> String {
    format!("quick-search-option-{index}")
}

#[component]
pub fn QuickSearch() -> impl IntoView {
    let typed = RwSignal::new(String::new());
    // What the matches are for: `typed` once typing pauses.
    let asked = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    let matches = LocalResource::new(move || {
        let q = asked.get();
        async move {
            // One letter matches half the clinic; two start to mean something.
            if q.trim().chars().count() < 2 { Ok(Vec::new()) } else { quick_search(q).await }
        }
    });
    let shown = move || -> Vec<QuickMatch> {
        matches.get().and_then(Result::ok).filter(|_| !asked.read().trim().is_empty()).unwrap_or_default()
    };
    // The last matches stay up while the next are asked for, so the list does not flicker.
    let expanded = move || {
        open.get() && typed.read().trim().chars().count() >= 2 && asked.read().trim().chars().count() >= 2
    };

    // Somewhere else now (a match opened, or the form sent to the list): start afresh.
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        location.search.track();
        typed.set(String::new());
        asked.set(String::new());
        open.set(false);
        active.set(None);
    });

    let navigate = use_navigate();
    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        typed.set(value.clone());
        active.set(None);
        open.set(true);
        set_timeout(
            // `try_`: the page may have gone (and the signals with it) before the pause ends.
            move || {
                if typed.try_get_untracked().as_deref() == Some(value.as_str()) {
                    asked.try_set(value);
                }
            },
            PAUSE,
        );
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let count = shown().len();
        match ev.key().as_str() {
            "ArrowDown" if count > 0 => {
                ev.prevent_default();
                open.set(true);
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % count)));
            }
            "ArrowUp" if count > 0 => {
                ev.prevent_default();
                open.set(true);
                active.update(|a| *a = Some(a.map_or(count - 1, |i| (i + count - 1) % count)));
            }
            "Enter" => {
                if let Some(chosen) =
                    active.get_untracked().filter(|_| expanded()).and_then(|i| shown().get(i).cloned())
                {
                    ev.prevent_default();
                    navigate(&format!("/contacts/{}", chosen.id), Default::default());
                }
            }
            "Escape" if expanded() => {
                ev.prevent_default();
                open.set(false);
                active.set(None);
            }
            _ => {}
        }
    };

    view! {
        <form method="get" action="/contacts" role="search" aria-label="Find a contact" class="relative w-full max-w-xl">
            <label for="quick-search" class="sr-only">"Find a contact"</label>
            <input
                id="quick-search"
                name="q"
                type="search"
                role="combobox"
                autocomplete="off"
                maxlength="100"
                placeholder="Find a contact: name, phone or email"
                aria-autocomplete="list"
                aria-controls=LIST_ID
                aria-expanded=move || if expanded() { "true" } else { "false" }
                aria-activedescendant=move || active.get().filter(|_| expanded()).map(option_id)
                class="w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-sky-600 focus:outline-none focus:ring-2 focus:ring-sky-500"
                prop:value=move || typed.get()
                on:input=on_input
                on:keydown=on_keydown
                on:focus=move |_| open.set(true)
                on:blur=move |_| open.set(false)
            />
            // Pressing on a match must not blur the box first, or the list would close before
            // the click lands.
            <div
                class=move || if expanded() { "absolute left-0 right-0 z-40 mt-1 rounded-md border border-slate-200 bg-white py-1 shadow-lg" } else { "hidden" }
                on:mousedown=|ev| ev.prevent_default()
            >
                <ul id=LIST_ID role="listbox" aria-label="Matching contacts">
                    {move || shown().into_iter().enumerate().map(|(index, found)| {
                        let selected = move || active.get() == Some(index);
                        let details = [found.phone.as_deref().map(domain::display::national_phone), found.email.clone()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" · ");
                        view! {
                            <li role="presentation">
                                <a
                                    id=option_id(index)
                                    role="option"
                                    href=format!("/contacts/{}", found.id)
                                    tabindex="-1"
                                    aria-selected=move || if selected() { "true" } else { "false" }
                                    class=move || format!(
                                        "block px-3 py-2 text-sm hover:bg-slate-50 {}",
                                        if selected() { "bg-sky-50" } else { "" },
                                    )
                                >
                                    <span class="block font-medium text-slate-900">{found.name}</span>
                                    <span class="block text-xs text-slate-600">{details}</span>
                                </a>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {move || {
                    let q = asked.get();
                    let none = matches.get().is_some_and(|m| m.is_ok_and(|m| m.is_empty()));
                    let failed = matches.get().is_some_and(|m| m.is_err());
                    let see_all = format!("/contacts?{}", crate::pages::contacts::query_string(&[("q", Some(q))]));
                    view! {
                        {none.then(|| view! { <p class="px-3 py-2 text-sm text-slate-600">"No contact matches that."</p> })}
                        {failed.then(|| view! { <p class="px-3 py-2 text-sm text-slate-600">"Search isn't answering just now. Press Enter to search the Contacts list."</p> })}
                        <a href=see_all tabindex="-1" class="block border-t border-slate-100 px-3 py-2 text-sm text-sky-800 underline underline-offset-2">
                            "All matching contacts"
                        </a>
                    }
                }}
            </div>
            // A live region without the status role: pages keep `status` for their own messages.
            <p class="sr-only" aria-live="polite" aria-atomic="true">
                {move || if expanded() {
                    match shown().len() {
                        0 => String::new(),
                        1 => "1 contact matches. Use the down arrow to choose it.".to_owned(),
                        n => format!("{n} contacts match. Use the arrow keys to choose one."),
                    }
                } else { String::new() }}
            </p>
        </form>
    }
}
