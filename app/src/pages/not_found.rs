use crate::components::page_title::PageTitle;
use leptos::prelude::*;
use leptos_router::components::A;

/// Shown for any path the app does not know; answers with HTTP 404.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <PageTitle text="Page not found" />
        <section class="mx-auto mt-16 max-w-lg rounded-xl border border-slate-200 bg-white p-8 text-center shadow-sm">
            <p class="text-sm font-semibold uppercase tracking-wide text-sky-700">"404"</p>
            <h1 class="mt-2 text-2xl font-semibold">"Page not found"</h1>
            <p class="mt-3 text-slate-600">
                "The page you asked for does not exist or has moved. Check the address, or go back to the dashboard."
            </p>
            <A href="/" attr:class="mt-6 inline-block rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800">
                "Go to the dashboard"
            </A>
        </section>
    }
}
