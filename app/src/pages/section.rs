//! Sections whose features are still being built: each says plainly what it will hold.

use crate::components::page_title::PageTitle;
use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Calendar,
    Inbox,
    Campaigns,
    Reports,
    Automations,
}

impl Section {
    fn title(self) -> &'static str {
        match self {
            Section::Calendar => "Calendar",
            Section::Inbox => "Inbox",
            Section::Campaigns => "Campaigns",
            Section::Reports => "Reports",
            Section::Automations => "Automations",
        }
    }

    fn purpose(self) -> &'static str {
        match self {
            Section::Calendar => "Bookings by day and week per location, scanner and staff member.",
            Section::Inbox => "Two-way SMS conversations with replies sorted by intent.",
            Section::Campaigns => "Email campaigns to segments, drafted with AI and tracked.",
            Section::Reports => "Contacts, bookings and performance over time, with AI insights.",
            Section::Automations => "Rules that act on events: tasks, messages and stage moves.",
        }
    }
}

#[component]
pub fn SectionPage(section: Section) -> impl IntoView {
    view! {
        <PageTitle text=section.title() />
        <h1 class="text-2xl font-semibold tracking-tight">{section.title()}</h1>
        <p class="mt-1 text-slate-600">{section.purpose()}</p>
        <div class="mt-8 rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center">
            <p class="font-medium text-slate-800">"Not available yet"</p>
            <p class="mt-2 text-sm text-slate-500">
                "This section is part of an upcoming release. The dashboard shows the clinic's live figures in the meantime."
            </p>
        </div>
    }
}
