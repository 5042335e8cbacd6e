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

/// Shows a server function's failure as an alert, or `success` once it worked.
#[component]
pub fn ActionResult<T: Clone + Send + Sync + 'static>(
    #[prop(into)] value: Signal<Option<Result<T, AppError>>>,
    success: &'static str,
) -> impl IntoView {
    move || {
        match value.get() {
        Some(Err(err)) => view! {
            <p role="alert" class="mt-3 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">
                {server_error_message(&err)}
            </p>
        }
        .into_any(),
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

/// The sentence a server function failed with.
pub fn server_error_message(err: &AppError) -> String {
    err.message().to_owned()
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

/// The server's message about one field, under it. The field's input names it with
/// `aria-describedby="{field}-error"` and is `aria-invalid` meanwhile.
#[component]
pub fn FieldError(refusal: Signal<Option<AppError>>, field: &'static str) -> impl IntoView {
    move || {
        field_problem(refusal, field).map(|problem| {
            view! { <p id=format!("{field}-error") class="mt-1 text-sm text-rose-700">{problem}</p> }
        })
    }
}

/// A page's load failure, in place of its content.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    view! {
        <p role="alert" class="mt-6 rounded-lg border border-rose-200 bg-rose-50 p-4 text-rose-800">
            {server_error_message(&error)}
        </p>
    }
}

/// Formats a UTC instant for tables: unambiguous and sortable by eye.
pub fn utc(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}
