//! The pipeline board: a column per stage with its count, filtered by location, owner and scan;
//! cards move by drag and drop, by each card's stage menu (the way on a phone) or, for keyboard
//! users, with ← and → on a focused card, and a skip link passes each column. Moves show at once
//! and persist through a server function; a refused move is put back and the reason shown in a
//! toast. Users who may not move contacts get the board without the means to.

use crate::components::page_title::PageTitle;
use domain::access::Permission;
use domain::model::{BoardCard, BoardColumn, Modality, Stage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::components::forms::{LINK, LoadError, SECONDARY, server_error_message, use_hydrated};
use crate::components::layout::{can, use_current_user};
use crate::components::toast::Toast;
use crate::pages::contacts::{filter_select, query_string};
use crate::server_fns::contacts::contact_form_choices;
use crate::server_fns::pipeline::{BoardQuery, move_contact_stage, pipeline_board};

#[component]
pub fn PipelinePage() -> impl IntoView {
    let query = use_query_map();
    let param = move |key: &str| query.read().get(key).filter(|v| !v.trim().is_empty());
    let filters = move || BoardQuery {
        location_id: param("location_id"),
        owner_id: param("owner_id"),
        modality: param("modality"),
    };
    let board = Resource::new(filters, pipeline_board);
    let choices = Resource::new(|| (), |_| contact_form_choices());
    let me = use_current_user();
    view! {
        <PageTitle text="Pipeline" />
        <h1 class="text-2xl font-semibold tracking-tight">"Pipeline"</h1>
        // A plain GET form: filtering works before the page's script has loaded, too.
        <form method="get" action="/pipeline" aria-label="Filter the board" class="mt-3 flex flex-wrap items-end gap-3">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let (locations, staff) = choices.await.unwrap_or_default();
                    let now = filters();
                    let modalities = Modality::ALL.into_iter().map(|m| (m.as_str().to_owned(), m.label().to_owned())).collect();
                    view! {
                        {filter_select("location_id", "Location", "All locations", locations, now.location_id)}
                        {filter_select("owner_id", "Owner", "Any owner", staff, now.owner_id)}
                        {filter_select("modality", "Scan", "Any scan", modalities, now.modality)}
                    }
                })}
            </Transition>
            <button type="submit" class=SECONDARY>"Filter"</button>
            {move || (filters() != BoardQuery::default()).then(|| view! {
                <a href="/pipeline" class=format!("text-sm {LINK}")>"Show everyone"</a>
            })}
        </form>
        <Transition fallback=|| view! { <p class="mt-6 text-sm text-slate-500">"Loading the board…"</p> }>
            {move || Suspend::new(async move {
                let can_move = can(me, Permission::ContactsWrite).await;
                match board.await {
                    Err(error) => view! { <LoadError error /> }.into_any(),
                    Ok(board) => view! { <Board columns=board.columns can_move filters=filters() /> }.into_any(),
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

/// A move shown on the board and not yet saved.
struct PendingMove {
    card_id: String,
    stage_id: String,
    /// Where the card was, to put it back should the save be refused.
    from: usize,
    position: usize,
    name: String,
}

#[component]
fn Board(columns: Vec<BoardColumn>, can_move: bool, filters: BoardQuery) -> impl IntoView {
    let stages: Vec<Stage> = columns.iter().map(|c| c.stage.clone()).collect();
    let columns = RwSignal::new(columns);
    let announcement = RwSignal::new(String::new());
    let drop_target = RwSignal::new(None::<usize>);
    let saves = StoredValue::new(std::collections::VecDeque::<PendingMove>::new());
    let saving = StoredValue::new(false);

    let move_card = move |card_id: String, to: usize, keep_focus: bool| {
        let mut moved = None;
        columns.update(|cols| moved = shift(cols, &card_id, to));
        let Some((from, position, name)) = moved else { return };
        let stage = columns.with_untracked(|cols| cols[to].stage.clone());
        announcement.set(format!("Moved {name} to {}.", stage.name));
        if keep_focus {
            let element_id = format!("card-{card_id}");
            request_animation_frame(move || focus_element(&element_id));
        }
        // Moves are saved one after another in the order they were made: two quick presses of
        // → sent at once could otherwise land in either order and leave the card a stage back.
        saves.update_value(|q| {
            q.push_back(PendingMove { card_id, stage_id: stage.id.clone(), from, position, name })
        });
        if saving.get_value() {
            return;
        }
        saving.set_value(true);
        spawn_local(async move {
            loop {
                let mut next = None;
                saves.update_value(|q| next = q.pop_front());
                let Some(PendingMove { card_id, stage_id, from, position, name }) = next else { break };
                if let Err(error) = move_contact_stage(card_id.clone(), stage_id).await {
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
            }
            saving.set_value(false);
        });
    };

    let column_count = columns.with_untracked(Vec::len);
    let help = if can_move {
        "Drag a card to another stage, pick one from its menu, or focus it and press ← or →. Enter opens the contact."
    } else {
        "Focus a card and press Enter to open the contact. Your role can see the board but not move cards."
    };
    view! {
        <p id="board-help" class="mt-3 text-sm text-slate-600">{help}</p>
        <Toast message=announcement />
        // Columns share the width (six fit at 1440 px beside the menu); more than fit scroll inside
        // the board, never the page.
        <div class="mt-3 flex gap-3 overflow-x-auto pb-4">
            {(0..column_count).map(|index| {
                let stage = stages[index].clone();
                let heading_id = format!("stage-{}", stage.id);
                let labelled_by = heading_id.clone();
                let mut more_pairs = vec![("stage_id", Some(stage.id.clone()))];
                more_pairs.extend([("location_id", filters.location_id.clone()), ("owner_id", filters.owner_id.clone())]);
                let more_href = format!("/contacts?{}", query_string(&more_pairs));
                // Keyboard users skip a column's cards: to the next column, or past the board.
                let (skip_to, skip_label) = match stages.get(index + 1) {
                    Some(next) => (format!("column-{}", next.id), format!("Skip to {}", next.name)),
                    None => ("board-end".to_owned(), "Skip past the board".to_owned()),
                };
                let skip_href = format!("#{skip_to}");
                let stages = stages.clone();
                view! {
                    <section
                        aria-labelledby=labelled_by
                        data-stage-id=stage.id.clone()
                        class=move || format!(
                            "flex min-w-40 flex-1 basis-0 flex-col rounded-xl border p-3 {}",
                            if drop_target.get() == Some(index) { "border-sky-400 bg-sky-50" } else { "border-slate-200 bg-slate-100" },
                        )
                        on:dragover=move |ev| {
                            if can_move {
                                ev.prevent_default();
                                drop_target.set(Some(index));
                            }
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
                        <a href=skip_href
                            class="sr-only rounded bg-white px-2 py-1 text-sm text-sky-800 underline focus:not-sr-only focus:mb-2 focus:block"
                            on:click=move |ev| {
                                ev.prevent_default();
                                focus_element(&skip_to);
                            }>
                            {skip_label}
                        </a>
                        <h2 id=format!("column-{}", stage.id) tabindex="-1" class="flex items-baseline justify-between px-1 font-semibold focus:outline-none focus:ring-2 focus:ring-sky-500">
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
                                    <Card card index stages=stages.clone() can_move on_move=move_card />
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
        <p id="board-end" tabindex="-1" class="sr-only">"End of the board"</p>
    }
}

/// Moves keyboard focus to the element with `id`, if it is on the page.
fn focus_element(id: &str) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(element) =
        document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

#[component]
fn Card(
    card: BoardCard,
    index: usize,
    stages: Vec<Stage>,
    can_move: bool,
    on_move: impl Fn(String, usize, bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let navigate = use_navigate();
    let hydrated = use_hydrated();
    let href = format!("/contacts/{}", card.id);
    let (drag_id, key_id, pick_id) = (card.id.clone(), card.id.clone(), card.id.clone());
    let open = href.clone();
    let last = stages.len().saturating_sub(1);
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
    let picker_label = format!("Stage for {}", card.name);
    // The way to move a card on a phone, where dragging is awkward; it needs the page's script.
    let picker = can_move.then(|| {
        let choices = stages.iter().enumerate().map(|(i, stage)| {
            view! { <option value=stage.id.clone() selected=i == index>{stage.name.clone()}</option> }
        }).collect_view();
        let ids: Vec<String> = stages.iter().map(|s| s.id.clone()).collect();
        view! {
            <select aria-label=picker_label disabled=move || !hydrated.get()
                class="mt-2 w-full rounded-md border border-slate-300 bg-white px-2 py-1 text-xs text-slate-700"
                on:change=move |ev| {
                    let chosen = event_target_value(&ev);
                    if let Some(to) = ids.iter().position(|id| *id == chosen) {
                        on_move(pick_id.clone(), to, true);
                    }
                }>
                {choices}
            </select>
        }
    });
    view! {
        <li>
            <article
                id=format!("card-{}", card.id)
                data-card-id=card.id.clone()
                draggable=if can_move { "true" } else { "false" }
                tabindex="0"
                aria-describedby="board-help"
                class=if can_move {
                    "cursor-grab rounded-lg border border-slate-200 bg-white p-3 shadow-sm focus:outline-none focus:ring-2 focus:ring-sky-500"
                } else {
                    "rounded-lg border border-slate-200 bg-white p-3 shadow-sm focus:outline-none focus:ring-2 focus:ring-sky-500"
                }
                on:dragstart=move |ev| {
                    if let Some(data) = ev.data_transfer() {
                        let _ = data.set_data("text/plain", &drag_id);
                        data.set_effect_allowed("move");
                    }
                }
                on:keydown=move |ev| {
                    // Keys pressed in the card's stage menu are the menu's.
                    if ev.target() != ev.current_target() {
                        return;
                    }
                    let to = match ev.key().as_str() {
                        "ArrowRight" if can_move && index < last => index + 1,
                        "ArrowLeft" if can_move && index > 0 => index - 1,
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
                {picker}
            </article>
        </li>
    }
}
