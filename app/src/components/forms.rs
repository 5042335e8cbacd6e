//! Form styling, the inline result of a server action (error or confirmation) and the
//! per-field messages of a refused one.

use leptos::prelude::*;

use crate::error::AppError;

pub const INPUT: &str = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 shadow-sm focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-500";
pub const BUTTON: &str = "rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 focus:outline-none focus:ring-2 focus:ring-sky-500 focus:ring-offset-2 disabled:opacity-60";
/// [`BUTTON`] across the whole width of its form (sign-in, password reset).
pub const WIDE_BUTTON: &str = "w-full rounded-md bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800 focus:outline-none focus:ring-2 focus:ring-sky-500 focus:ring-offset-2 disabled:opacity-60";
pub const SECONDARY: &str = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50 focus:outline-none focus:ring-2 focus:ring-sky-500 disabled:opacity-60";
/// A link in text: underlined as well as coloured, so it is told apart without colour (WCAG 1.4.1).
pub const LINK: &str = "text-sky-700 underline underline-offset-2 hover:text-sky-900";
pub const CARD: &str = "rounded-xl border border-slate-200 bg-white p-5 shadow-sm";

/// Shows a server function's failure as an alert, or `success` once it worked. A refusal whose
/// every field is among `marks` (the fields its form marks inline) is summed up in one line
/// rather than repeated.
#[component]
pub fn ActionResult<T: Clone + Send + Sync + 'static>(
    #[prop(into)] value: Signal<Option<Result<T, AppError>>>,
    success: &'static str,
    #[prop(optional)] marks: &'static [&'static str],
) -> impl IntoView {
    move || {
        match value.get() {
        Some(Err(err)) => {
            let all_marked =
                !err.0.fields.is_empty() && err.0.fields.keys().all(|field| marks.contains(&field.as_str()));
            let text = if all_marked {
                "Please check the marked fields.".to_owned()
            } else {
                server_error_message(&err)
            };
            view! {
                <p role="alert" class="mt-3 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">
                    {text}
                </p>
            }
            .into_any()
        }
        Some(Ok(_)) if !success.is_empty() => view! {
            <p role="status" class="mt-3 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
                {success}
            </p>
        }
        .into_any(),
        _ => ().into_any(),
    }
    }
}

/// How long a save may run before the form says the server is slow.
pub const SLOW_AFTER: std::time::Duration = std::time::Duration::from_secs(5);

/// A form's submit button: busy and disabled while its action runs, so a second click cannot
/// send the form twice; a save that runs past [`SLOW_AFTER`] says so, calmly.
#[component]
pub fn SubmitButton(
    #[prop(into)] pending: Signal<bool>,
    label: &'static str,
    /// Shown while the action runs, e.g. "Saving…".
    #[prop(default = "Saving…")]
    busy: &'static str,
    #[prop(default = BUTTON)] class: &'static str,
    /// The spoken name, when the visible label alone would be ambiguous; starts with `label`.
    #[prop(optional, into)]
    aria_label: Option<String>,
) -> impl IntoView {
    let slow = RwSignal::new(false);
    // Each save gets its own timer; one that finished in time must not mark the next as slow.
    let started = StoredValue::new(0_u32);
    Effect::new(move |_| {
        if pending.get() {
            let this = started.get_value().wrapping_add(1);
            started.set_value(this);
            set_timeout(
                // `try_`: the form may be gone (a page left) before the timer fires.
                move || {
                    if pending.try_get_untracked() == Some(true) && started.try_get_value() == Some(this) {
                        slow.try_set(true);
                    }
                },
                SLOW_AFTER,
            );
        } else {
            slow.set(false);
        }
    });
    view! {
        <button type="submit" class=class aria-label=aria_label
            disabled=move || pending.get()
            aria-busy=move || pending.get().then_some("true")>
            {move || if pending.get() { busy } else { label }}
        </button>
        {move || slow.get().then(|| view! {
            <span role="status" class="text-sm text-slate-600">
                "Still working: the server is slow to answer. What you typed is kept, and this will finish or say what went wrong."
            </span>
        })}
    }
}

/// Empties `form` (back to the values it was drawn with) each time `value` turns out a success:
/// a note, call or task form is ready for the next one.
pub fn reset_on_success<T: Clone + Send + Sync + 'static>(
    value: impl Into<Signal<Option<Result<T, AppError>>>>,
    form: NodeRef<leptos::html::Form>,
) {
    let value = value.into();
    Effect::new(move |_| {
        if let Some(Ok(_)) = value.get()
            && let Some(form) = form.get_untracked()
        {
            form.reset();
        }
    });
}

/// How many times `value` has turned out a success. A list that reloads on this, rather than on
/// every answer, keeps a refused form (and what was typed in it) on screen.
pub fn successes<T: Clone + Send + Sync + 'static>(
    value: impl Into<Signal<Option<Result<T, AppError>>>>,
) -> ReadSignal<u32> {
    let value = value.into();
    let (count, set_count) = signal(0_u32);
    Effect::new(move |_| {
        if let Some(Ok(_)) = value.get() {
            set_count.update(|n| *n += 1);
        }
    });
    count
}

/// False on the server and until the page is hydrated, then true. A control that only works
/// with the page's script (not a plain form) is disabled until then, so it is visibly not yet
/// active rather than silently doing nothing.
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    // Effects run only in the browser, once the page is live.
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}

/// The sentence a server function failed with.
pub fn server_error_message(err: &AppError) -> String {
    err.message().to_owned()
}

/// A field's problem as a person reads it under the field: sentences ("That doesn't look like a
/// phone number — …") as they are, rule fragments ("is required") after the field's label.
pub fn field_sentence(label: &str, problem: &str) -> String {
    let mut text = if problem.starts_with(char::is_uppercase) {
        problem.to_owned()
    } else {
        format!("{label} {problem}")
    };
    if !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    text
}

/// The refusal in an action's last answer, if it was one.
pub fn refusal_of<T: Clone + Send + Sync + 'static>(
    value: Signal<Option<Result<T, AppError>>>,
) -> Signal<Option<AppError>> {
    Signal::derive(move || value.get().and_then(Result::err))
}

/// What the server said about `field` in `refusal`, if anything.
pub fn field_problem(refusal: Signal<Option<AppError>>, field: &str) -> Option<String> {
    refusal.get().and_then(|error| error.field(field).map(str::to_owned))
}

/// The server's message about one field, under it, as a sentence naming the field by `label`.
/// The field's input names it with `aria-describedby="{field}-error"` and is `aria-invalid`
/// meanwhile.
#[component]
pub fn FieldError(
    refusal: Signal<Option<AppError>>,
    field: &'static str,
    label: &'static str,
) -> impl IntoView {
    move || {
        field_problem(refusal, field).map(|problem| {
            view! { <p id=format!("{field}-error") class="mt-1 text-sm text-rose-700">{field_sentence(label, &problem)}</p> }
        })
    }
}

/// A page's load failure, in place of its content, with a way to try again (the server may
/// only have been unreachable for a moment).
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    view! {
        <div role="alert" class="mt-6 rounded-lg border border-rose-200 bg-rose-50 p-4 text-rose-800">
            <p>{server_error_message(&error)}</p>
            // An empty href is this very address: following it loads the page again.
            <a href="" class="mt-2 inline-block text-sm font-medium text-rose-900 underline underline-offset-2">"Try again"</a>
        </div>
    }
}

/// Formats a UTC instant for tables: unambiguous and sortable by eye.
pub fn utc(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}
