//! A contact's phone number and email as people read them and as links that call or write:
//! `tel:` with the stored E.164 number (which dials from anywhere), `mailto:` with the address.

use leptos::prelude::*;

/// Link classes for a phone number or email inside details and tables.
const LINK: &str = "text-sky-700 underline underline-offset-2 hover:text-sky-900";

/// The number in the national format ("0412 555 019"), calling it when clicked.
#[component]
pub fn PhoneLink(e164: String) -> impl IntoView {
    let shown = domain::display::national_phone(&e164);
    view! { <a href=format!("tel:{e164}") class=format!("tabular-nums {LINK}")>{shown}</a> }
}

/// The address, opening the mail program when clicked.
#[component]
pub fn EmailLink(address: String) -> impl IntoView {
    view! { <a href=format!("mailto:{address}") class=format!("break-all {LINK}")>{address.clone()}</a> }
}
