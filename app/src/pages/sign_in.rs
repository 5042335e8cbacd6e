//! The sign-in and password-reset pages: plain HTML forms posting to `/auth/*`, so they work
//! before (or without) the WASM bundle.

use crate::components::page_title::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::forms::{INPUT, LINK, WIDE_BUTTON as BUTTON};
use crate::server_fns::account::google_sign_in_enabled;

fn sign_in_error(code: &str) -> &'static str {
    match code {
        "credentials" => "Email or password is incorrect.",
        "throttled" => "Too many failed sign-ins. Wait 15 minutes and try again, or reset your password.",
        "google_off" => "Google sign-in is not set up for this clinic.",
        "google_denied" => "Google sign-in was cancelled.",
        "google_state" => "That Google sign-in expired or did not match. Please try again.",
        "google_refused" => "This Google account cannot sign in here. Ask an administrator to invite you.",
        "google_failed" | "google_unavailable" => "Google did not confirm your sign-in. Please try again.",
        _ => "Sign-in is unavailable right now. Please try again shortly.",
    }
}

#[component]
fn Card(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="mx-auto mt-10 max-w-sm md:mt-20">
            <p class="text-center text-xl font-semibold tracking-tight text-slate-900">"Avatar CRM"</p>
            <section class="mt-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
                <h1 class="text-lg font-semibold">{title}</h1>
                {children()}
            </section>
        </div>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.read().get("error").map(|code| sign_in_error(&code));
    let notice = move || {
        let q = query.read();
        if q.get("signed_out").is_some() {
            Some("You have signed out.")
        } else if q.get("reset").is_some() {
            Some("Your password has been changed. Sign in with the new one.")
        } else {
            None
        }
    };
    let next = move || query.read().get("next").unwrap_or_default();
    let google = Resource::new(|| (), |_| google_sign_in_enabled());

    view! {
        <PageTitle text="Sign in" />
        <Card title="Sign in">
            {move || error().map(|message| view! {
                <p role="alert" class="mt-4 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">{message}</p>
            })}
            {move || notice().map(|message| view! {
                <p role="status" class="mt-4 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">{message}</p>
            })}
            <form method="post" action="/auth/login" class="mt-4 space-y-4">
                <div>
                    <label for="email" class="block text-sm font-medium text-slate-700">"Email"</label>
                    <input id="email" name="email" type="email" autocomplete="username" required class=INPUT />
                </div>
                <div>
                    <label for="password" class="block text-sm font-medium text-slate-700">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required class=INPUT />
                </div>
                <input type="hidden" name="next" value=next />
                <button type="submit" class=BUTTON>"Sign in"</button>
            </form>
            <p class="mt-4 text-center text-sm">
                <a href="/password-reset" class=LINK>"Forgot your password?"</a>
            </p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    google.await.unwrap_or(false).then(|| {
                        let next: String = form_urlencoded::byte_serialize(next().as_bytes()).collect();
                        let href = format!("/auth/google?next={next}");
                        view! {
                            <div class="mt-4 border-t border-slate-200 pt-4">
                                <a href=href rel="external" class="block w-full rounded-md border border-slate-300 px-4 py-2 text-center font-medium text-slate-700 hover:bg-slate-50">
                                    "Sign in with Google"
                                </a>
                            </div>
                        }
                    })
                })}
            </Suspense>
        </Card>
    }
}

fn reset_error(code: &str) -> &'static str {
    match code {
        "email" => "Enter your email address, such as name@clinic.com.au.",
        "token" => "This reset link is invalid, already used or expired. Ask for a new one below.",
        "weak" => "The new password must be at least 10 characters.",
        "throttled" => "Too many reset requests from your network. Wait 15 minutes and try again.",
        _ => "Password reset is unavailable right now. Please try again shortly.",
    }
}

#[component]
pub fn PasswordResetPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token");
    let error = move || query.read().get("error").map(|code| reset_error(&code));
    let sent = move || query.read().get("sent").is_some();

    view! {
        <PageTitle text="Reset your password" />
        <Card title="Reset your password">
            {move || error().map(|message| view! {
                <p role="alert" class="mt-4 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">{message}</p>
            })}
            {move || sent().then(|| view! {
                <p role="status" class="mt-4 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
                    "If an account uses that address, a reset link is on its way. It works for one hour."
                </p>
            })}
            {move || match token() {
                Some(token) => view! {
                    <form method="post" action="/auth/password-reset/confirm" class="mt-4 space-y-4">
                        <input type="hidden" name="token" value=token />
                        <div>
                            <label for="new_password" class="block text-sm font-medium text-slate-700">"New password"</label>
                            <input id="new_password" name="new_password" type="password" autocomplete="new-password" minlength="10" required class=INPUT />
                            <p class="mt-1 text-xs text-slate-500">"At least 10 characters."</p>
                        </div>
                        <button type="submit" class=BUTTON>"Set new password"</button>
                    </form>
                }
                .into_any(),
                None => view! {
                    <form method="post" action="/auth/password-reset" class="mt-4 space-y-4">
                        <p class="text-sm text-slate-600">"Enter your email and we will send you a link to choose a new password."</p>
                        <div>
                            <label for="email" class="block text-sm font-medium text-slate-700">"Email"</label>
                            <input id="email" name="email" type="email" autocomplete="username" required class=INPUT />
                        </div>
                        <button type="submit" class=BUTTON>"Send reset link"</button>
                    </form>
                }
                .into_any(),
            }}
            <p class="mt-4 text-center text-sm">
                <a href="/login" class=LINK>"Back to sign in"</a>
            </p>
        </Card>
    }
}
