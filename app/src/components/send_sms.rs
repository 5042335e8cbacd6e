//! The contact page's "Send SMS" box: a message field with a live count of characters and SMS
//! parts (the same counting the server and the carriers use), sent through a job.

use leptos::prelude::*;

use crate::components::forms::{ActionResult, SubmitButton};
use crate::server_fns::messages::SendSms;
use domain::segments::{self, Encoding};

/// What the counter under the box says, e.g. "42 characters · 1 part · 118 left in this part".
pub fn describe(text: &str) -> String {
    let count = segments::count(text);
    if count.parts == 0 {
        return "0 characters · nothing to send".to_owned();
    }
    let characters = text.chars().count();
    let parts = if count.parts == 1 { "1 SMS part".to_owned() } else { format!("{} SMS parts", count.parts) };
    let unicode =
        if count.encoding == Encoding::Ucs2 { " · Unicode (fewer characters per part)" } else { "" };
    format!("{characters} characters · {parts} · {} left in this part{unicode}", count.remaining)
}

#[component]
pub fn SendSmsBox(
    #[prop(into)] contact_id: Signal<String>,
    /// Whom it goes to, e.g. "+61412555019".
    to: String,
    action: ServerAction<SendSms>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            text.set(String::new());
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
        }
    });
    let over = move || segments::count(&text.read()).parts > segments::MAX_PARTS;
    view! {
        <section class="mt-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm" aria-labelledby="send-sms-heading">
            <h2 id="send-sms-heading" class="font-semibold">"Send SMS"</h2>
            <p class="text-sm text-slate-600">"To " {domain::display::national_phone(&to)}</p>
            <ActionForm action node_ref=form attr:class="mt-3 space-y-2" attr:aria-label="Send SMS">
                <input type="hidden" name="contact_id" value=contact_id />
                <label for="sms-body" class="block text-sm font-medium text-slate-700">"Message"</label>
                <textarea id="sms-body" name="body" required rows="3" maxlength="1600"
                    aria-describedby="sms-count"
                    class="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
                    on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <p id="sms-count" class=move || if over() { "text-sm text-rose-700" } else { "text-sm text-slate-600" } aria-live="polite">
                    {move || describe(&text.read())}
                    {move || over().then(|| format!(" — at most {} parts are sent", segments::MAX_PARTS))}
                </p>
                <SubmitButton pending=action.pending() label="Send SMS" busy="Sending…" />
            </ActionForm>
            <ActionResult value=action.value() success="Queued: it is on its way." />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn the_counter_says_parts_and_what_is_left() {
        assert_eq!(describe(""), "0 characters · nothing to send");
        assert_eq!(describe("Hello"), "5 characters · 1 SMS part · 155 left in this part");
        assert_eq!(describe(&"x".repeat(161)), "161 characters · 2 SMS parts · 145 left in this part");
        assert!(
            describe("Café 🙂").ends_with("Unicode (fewer characters per part)"),
            "{}",
            describe("Café 🙂")
        );
    }
}
