//! A row of filter tabs (a list's states or channels): plain links, so they work before
//! hydration, with the current one marked for assistive technology.

use leptos::prelude::*;

/// One tab; put them in `<nav aria-label=…><ul class="flex flex-wrap gap-2">`.
#[component]
pub fn Tab(href: String, label: String, current: bool) -> impl IntoView {
    let class = if current {
        "block rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white"
    } else {
        "block rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100"
    };
    view! {
        <li>
            <a href=href aria-current=current.then_some("page") class=class>{label}</a>
        </li>
    }
}
