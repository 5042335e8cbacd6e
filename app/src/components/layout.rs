//! The staff app's frame: a sidebar on wide screens, a menu button on phones, the signed-in
//! user with "My account" and "Sign out", and the contact search box above every page. Sign-in
//! pages get a bare frame.

use domain::access::{CurrentUser, Permission};
use leptos::prelude::*;

use crate::error::AppError;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use super::quick_search::QuickSearch;
use crate::server_fns::account::whoami;

/// The sections of the staff app, in the order the sidebar lists them: address, label, and
/// whether the section is still to come (marked so in the menu until its feature lands).
pub const NAV_ITEMS: [(&str, &str, bool); 11] = [
    ("/", "Dashboard", false),
    ("/pipeline", "Pipeline", false),
    ("/contacts", "Contacts", false),
    ("/calendar", "Calendar", false),
    ("/inbox", "Inbox", true),
    ("/tasks", "Tasks", false),
    ("/outbox", "Outbox", false),
    ("/campaigns", "Campaigns", true),
    ("/reports", "Reports", true),
    ("/automations", "Automations", true),
    ("/settings", "Settings", false),
];

/// Pages shown without the app's navigation (nobody is signed in there yet).
pub fn is_bare_page(path: &str) -> bool {
    matches!(path, "/login" | "/password-reset")
}

/// The signed-in user, loaded once by the layout and shared with pages.
pub type CurrentUserResource = Resource<Result<Option<CurrentUser>, AppError>>;

/// A resource with the signed-in user, for a page to read inside one `<Suspense>` or
/// `<Transition>`. Each page makes its own: one resource read in two boundaries can stall
/// server rendering (leptos issue #4851). During SSR this is a direct call, not a request.
pub fn use_current_user() -> CurrentUserResource {
    Resource::new(|| (), |_| whoami())
}

/// `children` only for a signed-in user whose role holds `permission`: controls a person may
/// not use are not shown at all (the server refuses them regardless). Its own user resource
/// and boundary, so it can sit anywhere on a page.
#[component]
pub fn IfCan(permission: Permission, children: ChildrenFn) -> impl IntoView {
    let me = use_current_user();
    view! {
        <Transition fallback=|| ()>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    let allowed = me.await.ok().flatten().is_some_and(|user| user.can(permission));
                    allowed.then(|| children())
                })
            }}
        </Transition>
    }
}

/// Whether the signed-in user (from `me`, read inside the caller's boundary) holds `permission`.
pub async fn can(me: CurrentUserResource, permission: Permission) -> bool {
    me.await.ok().flatten().is_some_and(|user| user.can(permission))
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);
    let close_menu = move |_| set_menu_open.set(false);
    let location = use_location();
    // A memo: the frame (and the search box's state) is rebuilt only when it changes between
    // bare and full, not on every navigation.
    let bare = Memo::new(move |_| is_bare_page(&location.pathname.get()));
    let user = use_current_user();

    let chrome = move || {
        (!bare.get()).then(|| {
            view! {
                <header class="flex items-center justify-between border-b border-slate-200 bg-slate-900 px-4 py-3 text-white md:hidden">
                    <A href="/" attr:class="text-lg font-semibold tracking-tight">
                        "Avatar CRM"
                    </A>
                    <button
                        type="button"
                        class="rounded-md border border-slate-600 px-3 py-1.5 text-sm font-medium hover:bg-slate-800 focus:outline-none focus:ring-2 focus:ring-sky-400"
                        aria-controls="primary-nav"
                        aria-expanded=move || if menu_open.get() { "true" } else { "false" }
                        on:click=move |_| set_menu_open.update(|open| *open = !*open)
                    >
                        {move || if menu_open.get() { "Close" } else { "Menu" }}
                    </button>
                </header>
                <nav
                    id="primary-nav"
                    aria-label="Main"
                    class=move || {
                        let base = "w-full shrink-0 flex-col bg-slate-900 text-slate-200 md:flex md:w-60 md:min-h-screen";
                        if menu_open.get() { format!("flex {base}") } else { format!("hidden {base}") }
                    }
                >
                    <div class="hidden px-5 py-5 md:block">
                        <A href="/" attr:class="text-xl font-semibold tracking-tight text-white">
                            "Avatar CRM"
                        </A>
                        <p class="mt-1 text-xs text-slate-400">"Medical imaging clinics"</p>
                    </div>
                    <ul class="space-y-0.5 px-2 pb-4 md:pb-6">
                        {NAV_ITEMS
                            .into_iter()
                            .map(|(href, label, coming)| {
                                view! {
                                    <li>
                                        <A
                                            href=href
                                            exact=true
                                            on:click=close_menu
                                            attr:class="block rounded-md px-3 py-2 text-sm font-medium hover:bg-slate-800 hover:text-white aria-[current=page]:bg-sky-700 aria-[current=page]:text-white"
                                        >
                                            {label}
                                            {coming.then(|| view! {
                                                " "
                                                <span class="ml-2 rounded bg-slate-700 px-1.5 py-0.5 text-xs font-normal text-slate-200">
                                                    "Coming soon"
                                                </span>
                                            })}
                                        </A>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    <div class="mt-auto border-t border-slate-800 px-4 py-4 text-sm">
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                user.await.ok().flatten().map(|user| view! { <UserMenu user /> })
                            })}
                        </Transition>
                    </div>
                </nav>
            }
        })
    };

    view! {
        <a
            href="#main"
            class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow"
        >
            "Skip to content"
        </a>
        <div class="md:flex md:min-h-screen">
            {chrome}
            <div class="min-w-0 flex-1">
                {move || (!bare.get()).then(|| view! {
                    <div class="border-b border-slate-200 bg-white px-4 py-3 md:px-8">
                        <div class="mx-auto max-w-6xl"><QuickSearch /></div>
                    </div>
                })}
                <main id="main" class="px-4 py-6 md:px-8 md:py-8">
                    <div class="mx-auto max-w-6xl">{children()}</div>
                </main>
            </div>
        </div>
    }
}

#[component]
fn UserMenu(user: CurrentUser) -> impl IntoView {
    view! {
        <p class="font-medium text-white" data-testid="signed-in-user">{user.display_name}</p>
        <p class="text-xs text-slate-400">{user.role.label()}</p>
        <div class="mt-3 flex items-center gap-3">
            <A href="/account" attr:class="text-sky-300 underline underline-offset-2 hover:text-sky-200">
                "My account"
            </A>
            <form method="post" action="/auth/logout">
                <button type="submit" class="text-slate-300 hover:text-white underline-offset-2 hover:underline">
                    "Sign out"
                </button>
            </form>
        </div>
    }
}
