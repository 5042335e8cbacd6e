//! Avatar CRM's web UI: rendered on the server, hydrated in the browser.
//!
//! `pages/<feature>.rs` are the pages; `server_fns/<feature>.rs` the server functions they call,
//! one module per feature as in `server/src/api` and `domain/src/services`. Server functions
//! stay thin: who is calling, one domain service, its error as an [`error::AppError`] (the
//! shared `Problem`, so forms can mark the bad field).

#![recursion_limit = "256"]

pub mod components;
pub mod error;
pub mod pages;
pub mod server_fns;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use components::layout::Layout;
use components::page_title::PageTitle;
use pages::account::AccountPage;
use pages::ai::{AiSettingsPage, AiUsagePage};
use pages::audit::AuditPage;
use pages::calendar::CalendarPage;
use pages::calendar_insights::CalendarInsightsPage;
use pages::contact_import::ImportContactsPage;
use pages::contact_merge::MergeContactsPage;
use pages::contact_new::NewContactPage;
use pages::contacts::{ContactPage, ContactsPage};
use pages::dashboard::DashboardPage;
use pages::jobs::JobsPage;
use pages::messages::MessagesPage;
use pages::not_found::NotFoundPage;
use pages::outbox::OutboxPage;
use pages::pipeline::PipelinePage;
use pages::scheduling::SchedulingPage;
use pages::section::{Section, SectionPage};
use pages::settings::{PipelineStagesPage, SecurityPage, SettingsPage};
use pages::sign_in::{PasswordResetPage, SignInPage};
use pages::tasks::TasksPage;
use pages::users::UsersPage;

/// What the server puts in every request's context for server functions.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct ServerContext {
    pub db: domain::Db,
    /// Signs patients' links (the manage link in confirmations).
    pub links: domain::services::bookings::links::PatientLinks,
    /// Whether "Sign in with Google" is configured.
    pub google_sign_in: bool,
    /// Which SMS and email providers are configured.
    pub providers: domain::model::ProviderSettings,
    /// The AI engine (the same one `/api/v1/ai` uses).
    pub ai: std::sync::Arc<domain::services::ai::engine::Engine>,
}

/// Who is calling and from where; the server's middleware puts it in each request's extensions.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct RequestAuth {
    pub actor: Option<domain::Actor>,
    pub meta: domain::RequestMeta,
}

/// The HTML document around the app; rendered only on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en-AU">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="description" content="Avatar CRM for medical imaging clinics" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // Both read the build's hash.txt: the content-hashed names of the bundle.
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

/// The root component, shared by server rendering and browser hydration.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    // Effects only run in the browser: this attribute tells tests (and curious humans) that
    // the WASM bundle has loaded and taken over the server-rendered page.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <PageTitle text="" />
        <Router>
            <Layout>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=DashboardPage />
                    <Route path=path!("/pipeline") view=PipelinePage />
                    <Route path=path!("/contacts") view=ContactsPage />
                    <Route path=path!("/contacts/new") view=NewContactPage />
                    <Route path=path!("/contacts/import") view=ImportContactsPage />
                    // Async: wait for the lookup before sending headers, so an unknown id is a real 404.
                    <Route path=path!("/contacts/:id") view=ContactPage ssr=SsrMode::Async />
                    <Route path=path!("/contacts/:id/merge/:other") view=MergeContactsPage />
                    <Route path=path!("/calendar") view=CalendarPage />
                    <Route path=path!("/calendar/insights") view=CalendarInsightsPage />
                    <Route path=path!("/inbox") view=|| view! { <SectionPage section=Section::Inbox /> } />
                    <Route path=path!("/tasks") view=TasksPage />
                    <Route path=path!("/outbox") view=MessagesPage />
                    <Route path=path!("/campaigns") view=|| view! { <SectionPage section=Section::Campaigns /> } />
                    <Route path=path!("/reports") view=|| view! { <SectionPage section=Section::Reports /> } />
                    <Route path=path!("/automations") view=|| view! { <SectionPage section=Section::Automations /> } />
                    <Route path=path!("/settings") view=SettingsPage />
                    <Route path=path!("/settings/users") view=UsersPage />
                    <Route path=path!("/settings/security") view=SecurityPage />
                    <Route path=path!("/settings/pipeline") view=PipelineStagesPage />
                    <Route path=path!("/settings/scheduling") view=SchedulingPage />
                    <Route path=path!("/audit") view=AuditPage />
                    <Route path=path!("/settings/outbox") view=OutboxPage />
                    <Route path=path!("/settings/jobs") view=JobsPage />
                    <Route path=path!("/settings/ai") view=AiSettingsPage />
                    <Route path=path!("/settings/ai/usage") view=AiUsagePage />
                    <Route path=path!("/account") view=AccountPage />
                    <Route path=path!("/login") view=SignInPage />
                    <Route path=path!("/password-reset") view=PasswordResetPage />
                </Routes>
            </Layout>
        </Router>
    }
}
