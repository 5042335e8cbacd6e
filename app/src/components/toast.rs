//! Toasts: a short status message floating at the bottom of the window, so it never pushes
//! the page about; read out by screen readers (a polite live region, always in the page so
//! the change is announced) and gone after a few seconds.

use std::time::Duration;

use leptos::prelude::*;

/// How long a toast stays: long enough to read a sentence twice.
const SHOWN_FOR: Duration = Duration::from_secs(8);

/// Shows each new `message`; an empty one hides the toast.
#[component]
pub fn Toast(#[prop(into)] message: Signal<String>) -> impl IntoView {
    let shown = RwSignal::new(String::new());
    // Each message gets a number, so an older one's timer cannot hide a newer one.
    let generation = StoredValue::new(0_u64);
    Effect::new(move |_| {
        let text = message.get();
        generation.update_value(|n| *n += 1);
        let mine = generation.get_value();
        shown.set(text.clone());
        if !text.is_empty() {
            set_timeout(
                move || {
                    if generation.get_value() == mine {
                        shown.set(String::new());
                    }
                },
                SHOWN_FOR,
            );
        }
    });
    view! {
        <div role="status" aria-live="polite" class="pointer-events-none fixed inset-x-0 bottom-6 z-50 flex justify-center px-4">
            {move || {
                let text = shown.get();
                (!text.is_empty()).then(|| view! {
                    <p class="pointer-events-auto max-w-xl rounded-lg bg-slate-900 px-4 py-2 text-sm text-white shadow-lg">{text}</p>
                })
            }}
        </div>
    }
}
