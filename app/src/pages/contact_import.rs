//! CSV import: choose a file, check how its columns map to contact fields (guessed from the
//! headers), choose what to do with contacts already on file, then import in chunks with a
//! progress bar and a report of every row that was not simply created.

use crate::components::page_title::PageTitle;
use domain::model::{IMPORT_FIELDS, ImportPreview, ImportReport, ImportRowStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::components::forms::{BUTTON, CARD, INPUT, LINK, server_error_message};
use crate::server_fns::contact_import::{import_contacts, preview_contact_import};

/// Rows sent per request: small enough for steady progress, large enough to stay fast.
const CHUNK_ROWS: usize = 1000;

/// Splits CSV text into its header line and one string per record, keeping quoted newlines
/// inside their record. Blank lines are dropped.
pub fn split_records(text: &str) -> (String, Vec<String>) {
    let mut records = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for ch in text.trim_start_matches('\u{feff}').chars() {
        match ch {
            '"' => {
                quoted = !quoted;
                current.push(ch);
            }
            '\n' if !quoted => {
                let record = current.trim_end_matches('\r').to_owned();
                if !record.trim().is_empty() {
                    records.push(record);
                }
                current.clear();
            }
            _ => current.push(ch),
        }
    }
    if !current.trim().is_empty() {
        records.push(current.trim_end_matches('\r').to_owned());
    }
    if records.is_empty() {
        return (String::new(), Vec::new());
    }
    let header = records.remove(0);
    (header, records)
}

fn field_label(field: &str) -> String {
    match field {
        "full_name" => "Full name (first and last)".into(),
        "requested_modality" => "Requested scan".into(),
        "sms_consent" => "SMS consent (yes/no)".into(),
        "email_consent" => "Email consent (yes/no)".into(),
        other => {
            let text = other.replace('_', " ");
            let mut chars = text.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
    }
}

/// A custom-field key made from a column header.
fn custom_key(header: &str) -> String {
    let key: String = header
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    key.trim_matches('_').chars().take(40).collect()
}

/// Adds one chunk's report to the running total.
fn combine(total: &mut ImportReport, chunk: ImportReport) {
    total.total_rows += chunk.total_rows;
    total.created += chunk.created;
    total.updated += chunk.updated;
    total.duplicates += chunk.duplicates;
    total.invalid += chunk.invalid;
    total.rows.extend(chunk.rows);
}

#[derive(Clone, Debug, PartialEq)]
struct LoadedFile {
    header: String,
    records: Vec<String>,
    preview: ImportPreview,
}

#[component]
pub fn ImportContactsPage() -> impl IntoView {
    let file = RwSignal::new(None::<LoadedFile>);
    let mapping = RwSignal::new(Vec::<String>::new());
    let duplicates = RwSignal::new("skip".to_owned());
    let error = RwSignal::new(None::<String>);
    let progress = RwSignal::new(None::<(usize, usize)>);
    let report = RwSignal::new(None::<ImportReport>);

    let load = move |text: String| {
        error.set(None);
        report.set(None);
        let (header, records) = split_records(&text);
        if header.is_empty() {
            error.set(Some("That file is empty.".into()));
            return;
        }
        let sample = std::iter::once(header.clone())
            .chain(records.iter().take(5).cloned())
            .collect::<Vec<_>>()
            .join("\n");
        spawn_local(async move {
            match preview_contact_import(sample).await {
                Ok(mut preview) => {
                    preview.total_rows = records.len();
                    mapping.set(preview.mapping.clone());
                    file.set(Some(LoadedFile { header, records, preview }));
                }
                Err(e) => error.set(Some(server_error_message(&e))),
            }
        });
    };

    let on_file = move |ev: leptos::ev::Event| {
        use leptos::wasm_bindgen::JsCast;
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        let Some(chosen) = input.files().and_then(|files| files.get(0)) else { return };
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(chosen.text()).await {
                Ok(text) => load(text.as_string().unwrap_or_default()),
                Err(_) => error.set(Some("The browser could not read that file.".into())),
            }
        });
    };

    let start = move |_| {
        let Some(loaded) = file.get_untracked() else { return };
        let columns = mapping.get_untracked().join(",");
        let mode = duplicates.get_untracked();
        let total_rows = loaded.records.len();
        error.set(None);
        report.set(None);
        progress.set(Some((0, total_rows)));
        spawn_local(async move {
            let mut total = ImportReport::default();
            for (index, chunk) in loaded.records.chunks(CHUNK_ROWS).enumerate() {
                let body = std::iter::once(loaded.header.clone())
                    .chain(chunk.iter().cloned())
                    .collect::<Vec<_>>()
                    .join("\n");
                let first_row = 2 + index * CHUNK_ROWS;
                match import_contacts(body, columns.clone(), mode.clone(), first_row).await {
                    Ok(part) => combine(&mut total, part),
                    Err(e) => {
                        error.set(Some(format!(
                            "Stopped after {} rows: {}",
                            index * CHUNK_ROWS,
                            server_error_message(&e)
                        )));
                        break;
                    }
                }
                progress.set(Some(((index * CHUNK_ROWS + chunk.len()).min(total_rows), total_rows)));
            }
            report.set(Some(total));
        });
    };

    view! {
        <PageTitle text="Import contacts" />
        <A href="/contacts" attr:class=format!("text-sm {LINK}")>"← Contacts"</A>
        <h1 class="mt-2 text-2xl font-semibold tracking-tight">"Import contacts from CSV"</h1>
        <p class="mt-1 text-slate-600">
            "The first row must name the columns. Each row is checked like a contact typed by hand; rows with problems are listed after the import and nothing else is lost."
        </p>
        <section class=format!("mt-4 {CARD}")>
            <label for="csv-file" class="block text-sm font-medium text-slate-700">"CSV file"</label>
            <input id="csv-file" type="file" accept=".csv,text/csv" on:change=on_file class="mt-1 block text-sm" />
            {move || error.get().map(|message| view! {
                <p role="alert" class="mt-3 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">{message}</p>
            })}
        </section>
        {move || file.get().map(|loaded| {
            let preview = loaded.preview.clone();
            view! {
                <section class=format!("mt-4 {CARD}") aria-labelledby="mapping-heading">
                    <h2 id="mapping-heading" class="font-semibold">{format!("Match {} columns to contact fields", preview.headers.len())}</h2>
                    <p class="mt-1 text-sm text-slate-600">{format!("{} rows to import. First rows shown below each column.", preview.total_rows)}</p>
                    <div class="mt-3 overflow-x-auto" role="region" aria-label="Rows of the file" tabindex="0">
                        <table class="min-w-full text-left text-sm">
                            <thead class="text-xs uppercase tracking-wide text-slate-500">
                                <tr>
                                    <th scope="col" class="py-2 pr-4 font-medium">"Column"</th>
                                    <th scope="col" class="py-2 pr-4 font-medium">"Imports as"</th>
                                    <th scope="col" class="py-2 font-medium">"Sample"</th>
                                </tr>
                            </thead>
                            <tbody class="divide-y divide-slate-100">
                                {preview.headers.iter().enumerate().map(|(column, header)| {
                                    let custom = format!("custom:{}", custom_key(header));
                                    let sample = preview.sample.iter().filter_map(|row| row.get(column).cloned()).filter(|v| !v.is_empty()).take(3).collect::<Vec<_>>().join(" · ");
                                    let current = move || mapping.with(|m| m.get(column).cloned().unwrap_or_default());
                                    let custom_value = custom.clone();
                                    view! {
                                        <tr>
                                            <th scope="row" class="py-2 pr-4 font-medium">{header.clone()}</th>
                                            <td class="py-2 pr-4">
                                                <select
                                                    aria-label=format!("Field for column {header}")
                                                    class="rounded-md border border-slate-300 px-2 py-1 text-sm"
                                                    on:change=move |ev| {
                                                        let value = event_target_value(&ev);
                                                        mapping.update(|m| if let Some(slot) = m.get_mut(column) { *slot = value; });
                                                    }
                                                >
                                                    <option value="" selected=move || current().is_empty()>"Ignore this column"</option>
                                                    {IMPORT_FIELDS.into_iter().map(|field| view! {
                                                        <option value=field selected=move || current() == field>{field_label(field)}</option>
                                                    }).collect_view()}
                                                    <option value=custom_value.clone() selected=move || current() == custom_value>{format!("Custom field “{}”", custom.trim_start_matches("custom:"))}</option>
                                                </select>
                                            </td>
                                            <td class="py-2 text-slate-600">{sample}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <div class="mt-4 flex flex-wrap items-end gap-4">
                        <div>
                            <label for="on-duplicate" class="block text-sm font-medium text-slate-700">"When a row's phone or email is already on file"</label>
                            <select id="on-duplicate" class=INPUT on:change=move |ev| duplicates.set(event_target_value(&ev))>
                                <option value="skip" selected=true>"Skip the row and list it"</option>
                                <option value="update">"Update the existing contact"</option>
                                <option value="create">"Create another contact anyway"</option>
                            </select>
                        </div>
                        <button type="button" class=BUTTON on:click=start disabled=move || progress.get().is_some() && report.get().is_none()>
                            {format!("Import {} rows", preview.total_rows)}
                        </button>
                    </div>
                </section>
            }
        })}
        {move || progress.get().map(|(done, total)| view! {
            <section class=format!("mt-4 {CARD}") aria-label="Import progress">
                <label for="import-progress" class="text-sm text-slate-700">{format!("Imported {done} of {total} rows")}</label>
                <progress id="import-progress" class="mt-2 block w-full" max=total.max(1) value=done></progress>
            </section>
        })}
        {move || report.get().map(|report| view! { <Report report /> })}
    }
}

#[component]
fn Report(report: ImportReport) -> impl IntoView {
    let summary = format!(
        "{} created · {} updated · {} already on file · {} with problems",
        report.created, report.updated, report.duplicates, report.invalid
    );
    view! {
        <section class=format!("mt-4 {CARD}") aria-labelledby="report-heading">
            <h2 id="report-heading" class="font-semibold">"Import report"</h2>
            <p role="status" class="mt-1 text-sm text-slate-700">{summary}</p>
            {(!report.rows.is_empty()).then(|| view! {
                <table class="mt-3 min-w-full text-left text-sm" aria-label="Rows not created">
                    <thead class="text-xs uppercase tracking-wide text-slate-500">
                        <tr>
                            <th scope="col" class="py-2 pr-4 font-medium">"Row"</th>
                            <th scope="col" class="py-2 pr-4 font-medium">"Outcome"</th>
                            <th scope="col" class="py-2 font-medium">"Details"</th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100">
                        {report.rows.into_iter().map(|row| {
                            let outcome = match row.status {
                                ImportRowStatus::Invalid => "Not imported",
                                ImportRowStatus::Duplicate => "Already on file",
                                ImportRowStatus::Updated => "Updated",
                            };
                            let details = row.errors.iter().map(|(field, problem)| format!("{}: {problem}", field.replace('_', " "))).collect::<Vec<_>>().join("; ");
                            view! {
                                <tr>
                                    <td class="py-2 pr-4 tabular-nums">{row.row}</td>
                                    <td class="py-2 pr-4">{outcome}</td>
                                    <td class="py-2">
                                        {details}
                                        {row.contact_id.map(|id| view! {
                                            <a href=format!("/contacts/{id}") class=LINK>"Open contact"</a>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_keep_quoted_newlines_and_drop_blank_lines() {
        let (header, records) =
            split_records("\u{feff}Name,Notes\r\nAda,\"line one\nline two\"\r\n\r\nBo,\"say \"\"hi\"\"\"\n");
        assert_eq!(header, "Name,Notes");
        assert_eq!(records, ["Ada,\"line one\nline two\"", "Bo,\"say \"\"hi\"\"\""]);
    }

    #[test]
    fn column_headers_become_custom_field_keys() {
        assert_eq!(custom_key(" Medicare No. "), "medicare_no");
        assert_eq!(custom_key("Preferred day"), "preferred_day");
    }
}
