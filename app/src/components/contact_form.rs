//! The contact form's fields, shared by New contact and the contact page's edit mode. Inputs
//! are named `form[…]` so a server function receives them as one `ContactForm`.

use domain::model::{Contact, ContactSource, Modality};
use leptos::prelude::*;

use crate::components::forms::{FieldError, field_problem};
use crate::error::AppError;

use crate::components::forms::INPUT;

/// The fields [`ContactFormFields`] marks inline when the server refuses them.
pub const CONTACT_FIELDS: &[&str] =
    &["first_name", "last_name", "phone", "email", "date_of_birth", "referring_doctor"];

/// Labelled inputs for every contact field, filled from `contact` when editing.
#[component]
pub fn ContactFormFields(
    contact: Option<Contact>,
    locations: Vec<(String, String)>,
    staff: Vec<(String, String)>,
    /// The save's refusal, if it was one: each field it names is marked with its message.
    #[prop(optional, into)]
    refusal: Option<Signal<Option<AppError>>>,
) -> impl IntoView {
    let refusal = refusal.unwrap_or_else(|| Signal::stored(None));
    let invalid = move |field: &'static str| field_problem(refusal, field).is_some();
    let c = contact.unwrap_or_else(|| Contact {
        source: ContactSource::default(),
        location_id: locations.first().map(|(id, _)| id.clone()),
        ..Default::default()
    });
    let text =
        |id: &'static str, label: &'static str, value: Option<String>, kind: &'static str, required: bool| {
            view! {
                <div>
                    <label for=id class="block text-sm font-medium text-slate-700">{label}</label>
                    <input id=id name=format!("form[{id}]") type=kind class=INPUT required=required
                        value=value.unwrap_or_default() maxlength="200"
                        aria-invalid=move || invalid(id).then_some("true")
                        aria-describedby=move || invalid(id).then(|| format!("{id}-error")) />
                    <FieldError refusal field=id label=label />
                </div>
            }
        };
    let source = c.source;
    let modality = c.requested_modality;
    let location = c.location_id.clone().unwrap_or_default();
    let owner = c.owner_id.clone().unwrap_or_default();
    view! {
        <div class="grid gap-4 sm:grid-cols-2">
            {text("first_name", "First name", Some(c.first_name.clone()), "text", true)}
            {text("last_name", "Last name", Some(c.last_name.clone()), "text", true)}
            {text("phone", "Phone", c.phone.clone(), "tel", false)}
            {text("email", "Email", c.email.clone(), "email", false)}
            {text("date_of_birth", "Date of birth", c.date_of_birth.map(|d| d.to_string()), "date", false)}
            {text("referring_doctor", "Referring doctor", c.referring_doctor.clone(), "text", false)}
            <div>
                <label for="source" class="block text-sm font-medium text-slate-700">"Source"</label>
                <select id="source" name="form[source]" class=INPUT>
                    {ContactSource::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=source == s>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="requested_modality" class="block text-sm font-medium text-slate-700">"Requested scan"</label>
                <select id="requested_modality" name="form[requested_modality]" class=INPUT>
                    <option value="">"Not yet known"</option>
                    {Modality::ALL.into_iter().map(|m| view! {
                        <option value=m.as_str() selected=modality == Some(m)>{m.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="location_id" class="block text-sm font-medium text-slate-700">"Location"</label>
                <select id="location_id" name="form[location_id]" class=INPUT>
                    <option value="">"No location"</option>
                    {locations.into_iter().map(|(id, name)| {
                        let selected = id == location;
                        view! { <option value=id selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="owner_id" class="block text-sm font-medium text-slate-700">"Owner"</label>
                <select id="owner_id" name="form[owner_id]" class=INPUT>
                    <option value="">"Unassigned"</option>
                    {staff.into_iter().map(|(id, name)| {
                        let selected = id == owner;
                        view! { <option value=id selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="sm:col-span-2">
                <label for="tags" class="block text-sm font-medium text-slate-700">"Tags"</label>
                <input id="tags" name="form[tags]" class=INPUT value=c.tags.join(", ") placeholder="e.g. claustrophobic, needs interpreter" />
                <p class="mt-1 text-xs text-slate-500">"Separate tags with commas."</p>
            </div>
            <div class="sm:col-span-2">
                <label for="notes" class="block text-sm font-medium text-slate-700">"Enquiry notes"</label>
                <textarea id="notes" name="form[notes]" rows="3" maxlength="5000" class=INPUT>{c.notes.clone().unwrap_or_default()}</textarea>
            </div>
            <fieldset class="sm:col-span-2 flex flex-wrap gap-6">
                <legend class="sr-only">"Consent"</legend>
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="form[sms_consent]" checked=c.sms_consent />
                    "Agrees to SMS"
                </label>
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="form[email_consent]" checked=c.email_consent />
                    "Agrees to email"
                </label>
            </fieldset>
        </div>
    }
}
