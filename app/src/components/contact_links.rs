//! A contact's phone number and email as people read them and as links that call or write:
//! `tel:` with the stored E.164 number (which dials from anywhere), `mailto:` with the address.

use leptos::prelude::*;

use super::forms::LINK;

/// Link classes: underlined where the link sits among other text (a contact's details), quiet
/// in a table cell of its own, where a column of underlines would shout.
fn link_class(quiet: bool) -> &'static str {
    if quiet { "text-slate-700 hover:text-sky-800 hover:underline" } else { LINK }
}

/// The number in the national format ("0412 555 019"), calling it when clicked.
#[component]
pub fn PhoneLink(e164: String, #[prop(optional)] quiet: bool) -> impl IntoView {
    let shown = domain::display::national_phone(&e164);
    view! { <a href=format!("tel:{e164}") class=format!("tabular-nums {}", link_class(quiet))>{shown}</a> }
}

/// The address, opening the mail program when clicked.
#[component]
pub fn EmailLink(address: String, #[prop(optional)] quiet: bool) -> impl IntoView {
    view! { <a href=format!("mailto:{address}") class=format!("break-all {}", link_class(quiet))>{address.clone()}</a> }
}
