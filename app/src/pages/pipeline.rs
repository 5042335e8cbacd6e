//! The pipeline board: a column per stage with its count; cards move by drag and drop or, for
//! keyboard users, with ← and → on a focused card. Moves show at once and persist through a
//! server function; a refused move is put back and the reason announced.

use crate::components::page_title::PageTitle;
use domain::model::{BoardCard, BoardColumn};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::components::forms::{LINK, LoadError, server_error_message};
use crate::server_fns::pipeline::{move_contact_stage, pipeline_board};

#[component]
pub fn PipelinePage() -> impl IntoView {
    let board = Resource::new(|| (), |_| pipeline_board());
    view! {
        <PageTitle text="Pipeline" />
        <h1 class="text-2xl font-semibold tracking-tight">"Pipeline"</h1>
        <p id="board-help" class="mt-1 text-slate-600">
            "Drag a card to another stage, or focus it and press ← or → to move it. Enter opens the contact."
        </p>
        <Transition fallback=|| view! { <p class="mt-6 text-sm text-slate-500">"Loading the board…"</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Err(error) => view! { <LoadError error /> }.into_any(),
                    Ok(board) => view! { <Board columns=board.columns /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Where a card is: (column index, position in the column).
fn locate(columns: &[BoardColumn], card_id: &str) -> Option<(usize, usize)> {
    columns
        .iter()
        .enumerate()
        .find_map(|(c, column)| column.cards.iter().position(|card| card.id == card_id).map(|p| (c, p)))
}

/// Moves a card to the top of column `to`, keeping the counts true; returns the card's old place.
fn shift(columns: &mut [BoardColumn], card_id: &str, to: usize) -> Option<(usize, usize, String)> {
    let (from, position) = locate(columns, card_id)?;
    if from == to || to >= columns.len() {
        return None;
    }
    let card = columns[from].cards.remove(position);
    let name = card.name.clone();
    columns[from].count -= 1;
    columns[to].cards.insert(0, card);
    columns[to].count += 1;
    Some((from, position, name))
}

#[component]
fn Board(columns: Vec<BoardColumn>) -> impl IntoView {
    let columns = RwSignal::new(columns);
    let announcement = RwSignal::new(String::new());
    let drop_target = RwSignal::new(None::<usize>);

    let move_card = move |card_id: String, to: usize, keep_focus: bool| {
        let mut moved = None;
        columns.update(|cols| moved = shift(cols, &card_id, to));
        let Some((from, position, name)) = moved else { return };
        let stage = columns.with_untracked(|cols| cols[to].stage.clone());
        announcement.set(format!("Moved {name} to {}.", stage.name));
        if keep_focus {
            let element_id = format!("card-{card_id}");
            request_animation_frame(move || {
                use leptos::wasm_bindgen::JsCast;
                if let Some(card) = document()
                    .get_element_by_id(&element_id)
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = card.focus();
                }
            });
        }
        spawn_local(async move {
            if let Err(error) = move_contact_stage(card_id.clone(), stage.id.clone()).await {
                // Put the card back where it was and say why.
                columns.update(|cols| {
                    if let Some((now, p)) = locate(cols, &card_id) {
                        let card = cols[now].cards.remove(p);
                        cols[now].count -= 1;
                        let back = position.min(cols[from].cards.len());
                        cols[from].cards.insert(back, card);
                        cols[from].count += 1;
                    }
                });
                announcement.set(format!("Could not move {name}: {}", server_error_message(&error)));
            }
        });
    };

    let column_count = columns.with_untracked(Vec::len);
    view! {
        <p role="status" aria-live="polite" class="mt-3 min-h-5 text-sm text-slate-700">{move || announcement.get()}</p>
        // Columns share the width (six fit at 1440 px beside the menu); more than fit scroll inside
        // the board, never the page.
        <div class="mt-2 flex gap-3 overflow-x-auto pb-4">
            {(0..column_count).map(|index| {
                let stage = columns.with_untracked(|cols| cols[index].stage.clone());
                let heading_id = format!("stage-{}", stage.id);
                let labelled_by = heading_id.clone();
                let more_href = format!("/contacts?stage_id={}", stage.id);
                view! {
                    <section
                        aria-labelledby=labelled_by
                        data-stage-id=stage.id.clone()
                        class=move || format!(
                            "flex min-w-40 flex-1 basis-0 flex-col rounded-xl border p-3 {}",
                            if drop_target.get() == Some(index) { "border-sky-400 bg-sky-50" } else { "border-slate-200 bg-slate-100" },
                        )
                        on:dragover=move |ev| {
                            ev.prevent_default();
                            drop_target.set(Some(index));
                        }
                        on:dragleave=move |_| drop_target.set(None)
                        on:drop=move |ev| {
                            ev.prevent_default();
                            drop_target.set(None);
                            if let Some(id) = ev.data_transfer().and_then(|data| data.get_data("text/plain").ok()) {
                                move_card(id, index, false);
                            }
                        }
                    >
                        <h2 class="flex items-baseline justify-between px-1 font-semibold">
                            <span id=heading_id>{stage.name.clone()}</span>
                            <span class="rounded-full bg-white px-2 text-sm tabular-nums text-slate-600" data-testid="stage-count">
                                {move || columns.with(|cols| cols[index].count)}
                                <span class="sr-only">" contacts"</span>
                            </span>
                        </h2>
                        <ol class="mt-3 flex max-h-[70vh] min-h-24 flex-col gap-2 overflow-y-auto pr-1">
                            <For
                                each=move || columns.with(|cols| cols[index].cards.clone())
                                key=|card| card.id.clone()
                                children=move |card| view! {
                                    <Card card index last=column_count - 1 on_move=move_card />
                                }
                            />
                        </ol>
                        {move || {
                            let (count, shown) = columns.with(|cols| (cols[index].count, cols[index].cards.len() as i64));
                            (count > shown).then(|| view! {
                                <a href=more_href.clone() class=format!("mt-2 px-1 text-sm {LINK}")>
                                    {format!("{} more in Contacts →", count - shown)}
                                </a>
                            })
                        }}
                    </section>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn Card(
    card: BoardCard,
    index: usize,
    last: usize,
    on_move: impl Fn(String, usize, bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let navigate = use_navigate();
    let href = format!("/contacts/{}", card.id);
    let (drag_id, key_id) = (card.id.clone(), card.id.clone());
    let open = href.clone();
    let details = [
        card.requested_modality.map(|m| m.label().to_owned()),
        Some(card.warmness.map(|w| format!("Warmness {w}")).unwrap_or_else(|| "Unscored".into())),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let last_touch = card
        .last_touch_at
        .map(|t| format!("Last touch {}", t.format("%-d %b %Y")))
        .unwrap_or_else(|| "No touches yet".into());
    view! {
        <li>
            <article
                id=format!("card-{}", card.id)
                data-card-id=card.id.clone()
                draggable="true"
                tabindex="0"
                aria-describedby="board-help"
                class="cursor-grab rounded-lg border border-slate-200 bg-white p-3 shadow-sm focus:outline-none focus:ring-2 focus:ring-sky-500"
                on:dragstart=move |ev| {
                    if let Some(data) = ev.data_transfer() {
                        let _ = data.set_data("text/plain", &drag_id);
                        data.set_effect_allowed("move");
                    }
                }
                on:keydown=move |ev| {
                    let to = match ev.key().as_str() {
                        "ArrowRight" if index < last => index + 1,
                        "ArrowLeft" if index > 0 => index - 1,
                        "Enter" => {
                            navigate(&open, Default::default());
                            return;
                        }
                        _ => return,
                    };
                    ev.prevent_default();
                    on_move(key_id.clone(), to, true);
                }
            >
                <a href=href draggable="false" tabindex="-1" class="font-medium text-sky-800 hover:underline">{card.name}</a>
                <p class="mt-1 text-xs text-slate-600">{details}</p>
                <p class="mt-0.5 text-xs text-slate-500">{last_touch}</p>
            </article>
        </li>
    }
}
