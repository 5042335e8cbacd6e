//! New contact: the full form; a phone number or email already on file stops the save and
//! links to that contact, with an explicit way to save a separate record anyway.

use crate::components::page_title::PageTitle;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::components::contact_form::{CONTACT_FIELDS, ContactFormFields};
use crate::components::forms::{ActionResult, CARD, LINK, LoadError, SubmitButton, refusal_of};
use crate::server_fns::contacts::{CreateContact, contact_form_choices};
use domain::problem::ErrorCode;

#[component]
pub fn NewContactPage() -> impl IntoView {
    let create = ServerAction::<CreateContact>::new();
    let choices = Resource::new(|| (), |_| contact_form_choices());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/contacts/{id}"), Default::default());
        }
    });
    // The duplicate warning replaces the generic error line: it links to the contact on file.
    let duplicate = move || match create.value().get() {
        Some(Err(error)) if error.0.code == ErrorCode::Duplicate => {
            error.0.duplicate_of.clone().map(|existing_id| (existing_id, error.message().to_owned()))
        }
        _ => None,
    };
    let other_failure = Signal::derive(move || match create.value().get() {
        Some(Err(error)) if error.0.code == ErrorCode::Duplicate => None,
        other => other,
    });

    view! {
        <PageTitle text="New contact" />
        <A href="/contacts" attr:class=format!("text-sm {LINK}")>"← Contacts"</A>
        <h1 class="mt-2 text-2xl font-semibold tracking-tight">"New contact"</h1>
        <Transition fallback=|| view! { <p class="mt-4 text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Err(error) => view! { <LoadError error /> }.into_any(),
                    Ok((locations, staff)) => view! {
                        <ActionForm action=create attr:class=format!("mt-4 space-y-4 {CARD}")>
                            <ContactFormFields contact=None locations staff refusal=refusal_of(other_failure) />
                            {move || duplicate().map(|(existing_id, message)| view! {
                                <div role="alert" class="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
                                    <p>
                                        {message} " "
                                        <a href=format!("/contacts/{existing_id}") class="font-medium underline">"Open the existing contact"</a>
                                    </p>
                                    <label class="mt-2 flex items-center gap-2">
                                        <input type="checkbox" name="allow_duplicate" value="true" />
                                        "Save as a separate contact anyway"
                                    </label>
                                </div>
                            })}
                            <ActionResult value=other_failure success="" marks=CONTACT_FIELDS />
                            <SubmitButton pending=create.pending() label="Save contact" />
                        </ActionForm>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}
