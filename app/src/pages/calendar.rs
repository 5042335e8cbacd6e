//! The calendar: one location's day (a column per scanner or room) or week (a column per day,
//! a lane per resource), on the location's own clock, with a now-line. Filters, paging and the
//! booking drawer are plain links and GET forms, so they work before the page's script loads;
//! once it has, bookings can be dragged to another time or scanner: the target shows whether it
//! would clash before the drop, and the server checks again.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::components::forms::{
    ActionResult, INPUT, LINK, LoadError, SECONDARY, SubmitButton, server_error_message,
};
use crate::components::layout::{can, use_current_user};
use crate::components::page_title::PageTitle;
use crate::components::toast::Toast;
use crate::pages::contacts::query_string;
use crate::server_fns::bookings::{
    BookingAction, CreateBooking, MoveBooking, calendar, get_booking, move_booking,
};
use crate::server_fns::contacts::quick_search;
use domain::access::Permission;
use domain::model::{BookingStatus, CALENDAR_STEP_MINUTES, CalendarBooking, CalendarView};

/// Pixels per grid row (15 minutes).
const ROW_PX: u32 = 22;

fn status_style(status: BookingStatus) -> &'static str {
    match status {
        BookingStatus::Booked => "border-sky-300 bg-sky-50 text-sky-950",
        BookingStatus::Confirmed => "border-emerald-400 bg-emerald-50 text-emerald-950",
        BookingStatus::Cancelled => "border-slate-300 bg-slate-100 text-slate-600 line-through",
        BookingStatus::Completed => "border-slate-300 bg-white text-slate-700",
        BookingStatus::NoShow => "border-rose-300 bg-rose-50 text-rose-900",
    }
}

fn time_label(minute: u32) -> String {
    let (h, m) = (minute / 60, minute % 60);
    let (h12, ampm) = match h {
        0 => (12, "am"),
        1..=11 => (h, "am"),
        12 => (12, "pm"),
        _ => (h - 12, "pm"),
    };
    format!("{h12}:{m:02} {ampm}")
}

/// The page's filters as they stand, for links that change one of them.
#[derive(Clone, Debug, Default, PartialEq)]
struct Place {
    location_id: Option<String>,
    date: Option<String>,
    view: Option<String>,
    resource_id: Option<String>,
    staff_id: Option<String>,
}

impl Place {
    fn href(&self, extra: &[(&str, Option<String>)]) -> String {
        let mut pairs = vec![
            ("location_id", self.location_id.clone()),
            ("date", self.date.clone()),
            ("view", self.view.clone()),
            ("resource_id", self.resource_id.clone()),
            ("staff_id", self.staff_id.clone()),
        ];
        pairs.extend(extra.iter().cloned());
        format!("/calendar?{}", query_string(&pairs))
    }
}

/// What is being dragged: the booking, its length and the buffers its service holds.
#[derive(Clone, Debug, PartialEq)]
struct Dragged {
    id: String,
    minutes: i64,
    before: i64,
    after: i64,
    resource_id: String,
}

/// The row under a dragged booking: where it would start, and whom it would clash with.
#[derive(Clone, Debug, PartialEq)]
struct DropTarget {
    column: usize,
    row: usize,
    start: chrono::DateTime<chrono::FixedOffset>,
    clash: Option<String>,
}

/// A line every quarter hour down a column (one background, not an element per row).
const GRID_LINES: &str =
    "bg-[repeating-linear-gradient(to_bottom,var(--color-slate-100)_0_1px,transparent_1px_22px)]";

/// The grid row under the pointer in a column zone, and the instant it starts (none for a
/// local time that does not exist that day).
fn row_at(
    ev: &web_sys::MouseEvent,
    cal: &StoredValue<CalendarView>,
    day: usize,
) -> Option<(usize, chrono::DateTime<chrono::FixedOffset>)> {
    use leptos::wasm_bindgen::JsCast;
    // The zone itself or a time inside it (a click's current target is where Leptos
    // delegates it, not the zone).
    let zone = ev.target()?.dyn_into::<web_sys::Element>().ok()?.closest("[data-zone]").ok()??;
    let y = f64::from(ev.client_y()) - zone.get_bounding_client_rect().top();
    if y < 0.0 {
        return None;
    }
    // Whole rows of ROW_PX; the float is a pixel offset, far inside usize.
    let row = (y / f64::from(ROW_PX)).floor() as usize;
    cal.with_value(|c| c.rows.get(day)?.get(row).copied().flatten()).map(|start| (row, start))
}

/// Whether `dragged` dropped at `start` on `resource` would overlap another booking in view
/// (buffers included); the one it would clash with, if so.
fn clash<'a>(
    view: &'a CalendarView,
    dragged: &Dragged,
    start: chrono::DateTime<chrono::FixedOffset>,
    resource: &str,
) -> Option<&'a CalendarBooking> {
    let buffers: HashMap<&str, (i64, i64)> = view
        .services
        .iter()
        .map(|s| (s.id.as_str(), (s.buffer_before_minutes, s.buffer_after_minutes)))
        .collect();
    let from = start - Duration::minutes(dragged.before);
    let until = start + Duration::minutes(dragged.minutes + dragged.after);
    view.bookings.iter().find(|other| {
        let b = &other.booking;
        let (before, after) = buffers.get(b.service_id.as_str()).copied().unwrap_or((0, 0));
        b.id != dragged.id
            && b.status != BookingStatus::Cancelled
            && b.resource_id == resource
            && b.start - Duration::minutes(before) < until
            && from < b.end + Duration::minutes(after)
    })
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |key: &str| query.read().get(key).filter(|v| !v.trim().is_empty());
    let place = move || Place {
        location_id: param("location_id"),
        date: param("date"),
        view: param("view"),
        resource_id: param("resource_id"),
        staff_id: param("staff_id"),
    };
    // A booking's action or a new booking in the drawer redraws the grid.
    let action = ServerAction::<BookingAction>::new();
    let create = ServerAction::<CreateBooking>::new();
    let data = Resource::new(
        move || (place(), action.version().get(), create.version().get()),
        |(p, _, _)| calendar(p.location_id, p.date, p.view, p.resource_id, p.staff_id),
    );
    let me = use_current_user();
    let toast = RwSignal::new(String::new());
    let dragging = RwSignal::new(None::<Dragged>);
    // The row under the dragged booking: its key and, if it would clash, with whom.
    let target = RwSignal::new(None::<DropTarget>);
    let on_drop = move |booking_id: String, start: String, resource: Option<String>| {
        spawn_local(async move {
            match move_booking(booking_id, start, resource).await {
                Ok(moved) => {
                    toast.set(format!("Moved {} to {}.", moved.contact_name, moved.start_label));
                    data.refetch();
                }
                Err(error) => toast.set(server_error_message(&error)),
            }
        });
    };
    view! {
        <PageTitle text="Calendar" />
        <div class="flex flex-wrap items-baseline justify-between gap-2">
            <h1 class="text-2xl font-semibold tracking-tight">"Calendar"</h1>
            <a href="/calendar/insights" class=LINK>"Insights: utilisation and no-shows"</a>
        </div>
        <Toast message=toast />
        <Transition fallback=|| view! { <p class="mt-6 text-sm text-slate-500">"Loading the calendar…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <LoadError error /> }.into_any(),
                    Ok(None) => view! {
                        <p class="mt-6 text-sm text-slate-600">"No locations are set up yet, so there is nothing to book."</p>
                    }.into_any(),
                    Ok(Some(cal)) => {
                        let can_change = can(me, Permission::BookingsWrite).await;
                        let here = place();
                        let here = Place { location_id: Some(cal.location_id.clone()), ..here };
                        view! {
                            <Filters cal=cal.clone() here=here.clone() />
                            <Grid cal here=here.clone() can_change dragging target toast on_drop />
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
        // Outside the grid's boundary: the drawer's own resources are created once, not per redraw.
        <Drawer place=Signal::derive(place) data action create />
    }
}

#[component]
fn Filters(cal: CalendarView, here: Place) -> impl IntoView {
    let week = cal.week;
    let first = cal.days[0];
    let step = if week { 7 } else { 1 };
    let shift = |days: i64| {
        Place { date: Some((first + Duration::days(days)).to_string()), ..here.clone() }.href(&[])
    };
    let (previous, next) = (shift(-step), shift(step));
    let today = Place { date: None, ..here.clone() }.href(&[]);
    let other_view = Place { view: (!week).then(|| "week".to_owned()), ..here.clone() }.href(&[]);
    let heading = if week {
        format!("Week of {} · {}", first.format("%a %-d %b %Y"), cal.location_name)
    } else {
        format!("{} · {}", first.format("%A %-d %B %Y"), cal.location_name)
    };
    let option = |value: String, text: String, now: Option<&String>| {
        let selected = now == Some(&value);
        view! { <option value=value selected=selected>{text}</option> }
    };
    view! {
        <form method="get" action="/calendar" aria-label="Choose what the calendar shows" class="mt-3 flex flex-wrap items-end gap-3">
            <label class="text-sm text-slate-700">"Location"
                <select name="location_id" class="mt-1 block rounded-md border border-slate-300 px-2 py-2 text-sm">
                    {cal.locations.iter().map(|l| option(l.id.clone(), l.name.clone(), Some(&cal.location_id))).collect_view()}
                </select>
            </label>
            <label class="text-sm text-slate-700">"Day"
                <input type="date" name="date" value=first.to_string() class="mt-1 block rounded-md border border-slate-300 px-2 py-1.5 text-sm" />
            </label>
            <label class="text-sm text-slate-700">"Show"
                <select name="view" class="mt-1 block rounded-md border border-slate-300 px-2 py-2 text-sm">
                    <option value="" selected=!week>"Day"</option>
                    <option value="week" selected=week>"Week"</option>
                </select>
            </label>
            <label class="text-sm text-slate-700">"Resource"
                <select name="resource_id" class="mt-1 block rounded-md border border-slate-300 px-2 py-2 text-sm">
                    <option value="">"All resources"</option>
                    {cal.resource_options.iter().map(|r| option(r.id.clone(), r.name.clone(), cal.resource_filter.as_ref())).collect_view()}
                </select>
            </label>
            <label class="text-sm text-slate-700">"Staff"
                <select name="staff_id" class="mt-1 block rounded-md border border-slate-300 px-2 py-2 text-sm">
                    <option value="">"All staff"</option>
                    {cal.staff.iter().map(|s| option(s.id.clone(), s.display_name.clone(), cal.staff_filter.as_ref())).collect_view()}
                </select>
            </label>
            <button type="submit" class=SECONDARY>"Show"</button>
        </form>
        <div class="mt-4 flex flex-wrap items-center gap-3">
            <h2 class="text-lg font-semibold" id="calendar-heading">{heading}</h2>
            <nav aria-label="Calendar pages" class="flex gap-2 text-sm">
                <a href=previous class=SECONDARY>{if week { "← Previous week" } else { "← Previous day" }}</a>
                <a href=today class=SECONDARY>"Today"</a>
                <a href=next class=SECONDARY>{if week { "Next week →" } else { "Next day →" }}</a>
                <a href=other_view class=LINK>{if week { "Day view" } else { "Week view" }}</a>
            </nav>
            <span class="text-sm text-slate-500">{format!("Times in {}", cal.time_zone)}</span>
        </div>
    }
}

/// One column of the grid: a resource on a day.
struct Column {
    day: usize,
    date: NaiveDate,
    resource_id: String,
    resource_name: String,
    label: String,
}

#[component]
fn Grid(
    cal: CalendarView,
    here: Place,
    can_change: bool,
    dragging: RwSignal<Option<Dragged>>,
    target: RwSignal<Option<DropTarget>>,
    toast: RwSignal<String>,
    on_drop: impl Fn(String, String, Option<String>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let columns: Vec<Column> = cal
        .days
        .iter()
        .enumerate()
        .flat_map(|(day, date)| {
            cal.resources.iter().map(move |r| Column {
                day,
                date: *date,
                resource_id: r.id.clone(),
                resource_name: r.name.clone(),
                label: if cal.week {
                    format!("{} · {}", date.format("%a %-d"), r.name)
                } else {
                    r.name.clone()
                },
            })
        })
        .collect();
    if columns.is_empty() {
        return view! { <p class="mt-6 text-sm text-slate-500">"This location has no scanners or rooms set up."</p> }.into_any();
    }
    let rows = ((cal.last_minute - cal.first_minute) / CALENDAR_STEP_MINUTES) as usize;
    // The first column and row are the times and the headers; the rest are implicit tracks.
    let template = if cal.week {
        "relative grid grid-cols-[4.5rem] auto-cols-[minmax(5rem,1fr)] grid-rows-[2.5rem] auto-rows-[22px]"
    } else {
        "relative grid grid-cols-[4.5rem] auto-cols-[minmax(9rem,1fr)] grid-rows-[2.5rem] auto-rows-[22px]"
    };
    let column_of: HashMap<(NaiveDate, String), usize> =
        columns.iter().enumerate().map(|(i, c)| ((c.date, c.resource_id.clone()), i)).collect();
    let services: HashMap<String, (i64, i64)> = cal
        .services
        .iter()
        .map(|s| (s.id.clone(), (s.buffer_before_minutes, s.buffer_after_minutes)))
        .collect();
    let cal = StoredValue::new(cal);
    let first_minute = cal.with_value(|c| c.first_minute);
    let row_of =
        move |minute: u32| (minute.saturating_sub(first_minute) / CALENDAR_STEP_MINUTES) as usize + 2;

    let headers = columns.iter().enumerate().map(|(i, c)| {
        view! {
            <div class=format!("sticky top-0 z-10 row-start-1 col-start-{} border-b border-l border-slate-200 bg-white px-2 py-1 text-xs font-semibold text-slate-700", i + 2)>
                {c.label.clone()}
            </div>
        }
    }).collect_view();
    let times = (0..rows).map(|r| {
        let minute = first_minute + r as u32 * CALENDAR_STEP_MINUTES;
        let label = minute.is_multiple_of(60).then(|| time_label(minute));
        view! {
            <div class=format!("col-start-1 row-start-{} border-t border-slate-100 pr-2 text-right text-xs text-slate-500", r + 2)>
                {label}
            </div>
        }
    }).collect_view();
    // One zone per column under the bookings: where a dragged booking lands (the row is read
    // off the pointer, so the week's 70 columns need no element per quarter hour) and, in the
    // day view, a link per empty time to book it. The week's zones link to their day, and once
    // the script runs a click books the time under the pointer.
    let navigate = use_navigate();
    let zones = columns.iter().enumerate().map(|(ci, column)| {
        let day = column.day;
        let resource = column.resource_id.clone();
        let place = format!("col-start-{} row-start-2 row-end-{} border-l border-slate-100 {GRID_LINES}", ci + 2, rows + 2);
        let over_resource = resource.clone();
        let on_over = move |ev: web_sys::DragEvent| {
            let Some(dragged) = dragging.get_untracked() else { return };
            let Some((row, start)) = row_at(&ev, &cal, day) else {
                target.set(None);
                return;
            };
            ev.prevent_default();
            let clash = cal.with_value(|c| {
                clash(c, &dragged, start, &over_resource)
                    .map(|b| format!("{} at {}", b.booking.contact_name, b.booking.start.format("%-I:%M %P")))
            });
            let now = Some(DropTarget { column: ci, row, start, clash });
            if target.get_untracked() != now {
                target.set(now);
            }
        };
        let drop_resource = resource.clone();
        let on_drop_here = move |ev: web_sys::DragEvent| {
            ev.prevent_default();
            let landed = target.get_untracked();
            target.set(None);
            let Some(dragged) = dragging.get_untracked() else { return };
            dragging.set(None);
            match landed {
                Some(DropTarget { clash: Some(with), .. }) => toast.set(format!("That would clash with {with}: not moved.")),
                Some(DropTarget { column, start, .. }) if column == ci => {
                    let resource = (drop_resource != dragged.resource_id).then(|| drop_resource.clone());
                    on_drop(dragged.id, start.to_rfc3339(), resource);
                }
                _ => {}
            }
        };
        if cal.with_value(|c| c.week) {
            let day_href = Place { date: Some(column.date.to_string()), view: None, ..here.clone() }.href(&[]);
            let label = format!("Open {} on {}", column.resource_name, column.date.format("%A %-d %B"));
            let (here, navigate, resource) = (here.clone(), navigate.clone(), resource.clone());
            view! {
                <a href=day_href tabindex="-1" draggable="false" aria-label=label data-zone="" data-resource=resource.clone() class=format!("{place} block hover:bg-sky-50/50")
                    on:dragover=on_over on:drop=on_drop_here
                    on:click=move |ev: web_sys::MouseEvent| {
                        // Without the right to book, the link opens the day as it would unhydrated.
                        if !can_change { return }
                        let Some((_, start)) = row_at(&ev, &cal, day) else { return };
                        ev.prevent_default();
                        let href = here.href(&[("new", Some(start.to_rfc3339())), ("new_resource", Some(resource.clone()))]);
                        navigate(&href, Default::default());
                    }
                ></a>
            }.into_any()
        } else {
            let links = (0..rows).map(|r| match cal.with_value(|c| c.rows.get(day).and_then(|d| d.get(r).copied().flatten())) {
                None => view! { <div class="h-[22px] bg-slate-50"></div> }.into_any(),
                Some(start) => {
                    let href = here.href(&[("new", Some(start.to_rfc3339())), ("new_resource", Some(resource.clone()))]);
                    let label = format!("Book {} at {}", column.label, start.format("%-I:%M %P"));
                    view! { <a href=href tabindex="-1" draggable="false" aria-label=label class="block h-[22px] hover:bg-sky-50"></a> }.into_any()
                }
            }).collect_view();
            view! {
                <div class=place data-zone="" data-resource=resource.clone() on:dragover=on_over on:drop=on_drop_here>{links}</div>
            }.into_any()
        }
    }).collect_view();
    // Where the dragged booking would land, with its time, or what it would clash with.
    let ghost = move || {
        let (Some(t), Some(d)) = (target.get(), dragging.get()) else { return None };
        let span =
            ((d.minutes.max(1) as u32).div_ceil(CALENDAR_STEP_MINUTES) as usize).min(rows - t.row).max(1);
        let (tone, text) = match &t.clash {
            Some(with) => ("border-rose-500 bg-rose-100/90 text-rose-900", format!("Clashes with {with}")),
            None => (
                "border-emerald-500 bg-emerald-100/90 text-emerald-900",
                format!("Move to {}", t.start.format("%-I:%M %P")),
            ),
        };
        Some(view! {
            <div data-testid="drop-target" aria-hidden="true"
                class=format!("col-start-{} row-start-{} row-end-{} z-30 pointer-events-none m-0.5 rounded-md border-2 border-dashed px-1.5 py-0.5 text-xs font-medium {tone}", t.column + 2, t.row + 2, t.row + 2 + span)>
                {text}
            </div>
        })
    };
    let bookings = cal.with_value(|c| c.bookings.clone()).into_iter().filter_map(|placed| {
        let column = *column_of.get(&(placed.day, placed.booking.resource_id.clone()))?;
        let b = placed.booking.clone();
        let (row_start, row_end) = (row_of(placed.start_minute), row_of(placed.end_minute.max(placed.start_minute + CALENDAR_STEP_MINUTES)));
        let href = here.href(&[("booking", Some(b.id.clone()))]);
        let (before, after) = services.get(&b.service_id).copied().unwrap_or((0, 0));
        let dragged = Dragged {
            id: b.id.clone(),
            minutes: (b.end - b.start).num_minutes(),
            before,
            after,
            resource_id: b.resource_id.clone(),
        };
        let movable = can_change && b.status.is_open();
        Some(view! {
            <a href=href data-booking-id=b.id.clone()
                draggable=if movable { "true" } else { "false" }
                class={
                    let base = format!(
                        "col-start-{} row-start-{row_start} row-end-{row_end} z-20 m-0.5 overflow-hidden rounded-md border px-1.5 py-0.5 text-xs shadow-sm hover:ring-2 hover:ring-sky-400 {}",
                        column + 2,
                        status_style(b.status)
                    );
                    let own = b.id.clone();
                    // While another booking is dragged, this one lets it through to the time below,
                    // so a drop on a taken time is seen (and refused) as a clash.
                    move || match dragging.get() {
                        Some(d) if d.id != own => format!("{base} pointer-events-none opacity-80"),
                        _ => base.clone(),
                    }
                }
                on:dragstart=move |ev| {
                    if let Some(data) = ev.data_transfer() {
                        let _ = data.set_data("text/plain", &dragged.id);
                        data.set_effect_allowed("move");
                    }
                    dragging.set(Some(dragged.clone()));
                }
                on:dragend=move |_| {
                    dragging.set(None);
                    target.set(None);
                }>
                // What it shows is its name (WCAG 2.5.3); the status is read out, and shown by colour
                // and strike-through.
                <span class="block font-medium">{b.contact_name.clone()}</span>
                <span class="block">{format!("{} · {}", b.start.format("%-I:%M %P"), b.service_name)}</span>
                <span class="block text-slate-600">{b.staff_name.clone()}</span>
                <span class="sr-only">{format!(", {}", b.status.label())}</span>
            </a>
        })
    }).collect_view();
    // The now-line across today's columns, on the location's clock.
    let now = cal.with_value(|c| c.now);
    let now_minute = chrono::Timelike::hour(&now) * 60 + chrono::Timelike::minute(&now);
    let now_line = columns.iter().position(|c| c.date == now.date_naive()).filter(|_| {
        now_minute >= first_minute && now_minute < cal.with_value(|c| c.last_minute)
    }).map(|first_col| {
        let span = columns.iter().filter(|c| c.date == now.date_naive()).count();
        let offset = (now_minute - first_minute) % CALENDAR_STEP_MINUTES * ROW_PX / CALENDAR_STEP_MINUTES;
        view! {
            <div aria-hidden="true" data-testid="now-line"
                class=format!("col-start-{} col-span-{span} row-start-{} mt-[{offset}px] pointer-events-none z-30 border-t-2 border-rose-500", first_col + 2, row_of(now_minute))></div>
        }
    });
    let count = cal
        .with_value(|c| c.bookings.iter().filter(|b| b.booking.status != BookingStatus::Cancelled).count());
    view! {
        <p class="mt-2 text-sm text-slate-600" aria-live="polite">
            {format!("{count} booking{} in view.", if count == 1 { "" } else { "s" })}
            {can_change.then_some(" Drag a booking to move it; click an empty time to book it.")}
        </p>
        <div class="mt-3 overflow-x-auto rounded-xl border border-slate-200 bg-white" role="region" aria-labelledby="calendar-heading">
            <div class=template>
                <div class="col-start-1 row-start-1 sticky top-0 z-10 border-b border-slate-200 bg-white"></div>
                {headers}
                {times}
                {zones}
                {bookings}
                {now_line}
                {ghost}
            </div>
        </div>
    }
    .into_any()
}

/// The drawer: a booking's details and actions (`?booking=`), or booking an empty time (`?new=`).
#[component]
fn Drawer(
    place: Signal<Place>,
    data: Resource<Result<Option<CalendarView>, crate::error::AppError>>,
    action: ServerAction<BookingAction>,
    create: ServerAction<CreateBooking>,
) -> impl IntoView {
    let query = use_query_map();
    let param = move |key: &str| query.read().get(key).filter(|v| !v.trim().is_empty());
    let detail = Resource::new(
        move || (param("booking"), action.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_booking(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let matches = Resource::new(
        move || param("q"),
        |q| async move {
            match q {
                Some(q) if q.trim().chars().count() >= 2 => quick_search(q).await,
                _ => Ok(Vec::new()),
            }
        },
    );
    let options = Resource::new(|| (), |_| crate::server_fns::bookings::booking_options());
    // "Move to": another day's free times for the open booking (keyboard and phone users'
    // way to move one; dragging is the mouse's). A GET form, so it works before hydration.
    let mover = ServerAction::<MoveBooking>::new();
    let move_slots = Resource::new(
        move || (param("move_service"), param("move_location"), param("move_day"), mover.version().get()),
        |(service, location, day, _)| async move {
            match (service, location, day) {
                (Some(s), Some(l), Some(d)) => {
                    crate::server_fns::bookings::free_slots(s, l, d).await.map(Some)
                }
                _ => Ok(None),
            }
        },
    );
    Effect::new(move |_| {
        if let Some(Ok(_)) = mover.value().get() {
            data.refetch();
            detail.refetch();
        }
    });
    view! {
        <Transition fallback=|| ()>
            {move || {
                Suspend::new(async move {
                    // The location shown (the first one when none was chosen).
                    let location_id = data.await.ok().flatten().map(|c| c.location_id);
                    let here = Place { location_id, ..place.get() };
                    let close = here.href(&[]);
                    if let Some(start) = param("new") {
                        let resource = param("new_resource").unwrap_or_default();
                        let q = param("q").unwrap_or_default();
                        let found = matches.await.unwrap_or_default();
                        let when = chrono::DateTime::parse_from_rfc3339(&start).map(|s| s.format("%a %-d %b, %-I:%M %P").to_string()).unwrap_or_default();
                        let location = here.location_id.clone().unwrap_or_default();
                        let service_now = param("new_service");
                        let (services, _) = options.await.unwrap_or_default();
                        return view! {
                            <aside aria-label="New booking" class="fixed inset-y-0 right-0 z-40 w-full max-w-md overflow-y-auto border-l border-slate-200 bg-white p-5 shadow-xl">
                                <div class="flex items-center justify-between">
                                    <h2 class="text-lg font-semibold">{format!("New booking · {when}")}</h2>
                                    <a href=close.clone() class=LINK>"Close"</a>
                                </div>
                                <form method="get" action="/calendar" class="mt-3 space-y-2" aria-label="Find the patient">
                                    {[("location_id", here.location_id.clone()), ("date", here.date.clone()), ("view", here.view.clone()), ("resource_id", here.resource_id.clone()), ("staff_id", here.staff_id.clone()), ("new", Some(start.clone())), ("new_resource", Some(resource.clone()))]
                                        .into_iter().filter_map(|(k, v)| v.map(|v| view! { <input type="hidden" name=k value=v /> })).collect_view()}
                                    <label class="block text-sm font-medium text-slate-700">"Service"
                                        <select name="new_service" required class=INPUT>
                                            {services.into_iter().map(|s| {
                                                let chosen = service_now.as_deref() == Some(s.id.as_str());
                                                view! { <option value=s.id.clone() selected=chosen>{format!("{} ({} min)", s.name, s.duration_minutes)}</option> }
                                            }).collect_view()}
                                        </select>
                                    </label>
                                    <label class="block text-sm font-medium text-slate-700">"Patient (name, phone or email)"
                                        <input name="q" value=q required minlength="2" class=INPUT />
                                    </label>
                                    <button type="submit" class=SECONDARY>"Find"</button>
                                </form>
                                <ul class="mt-4 space-y-2" aria-label="Matching contacts">
                                    {found.into_iter().map(|m| {
                                        let label = format!("Book {}", m.name);
                                        let (service, location, start, resource) =
                                            (service_now.clone().unwrap_or_default(), location.clone(), start.clone(), resource.clone());
                                        view! {
                                            <li class="flex items-center justify-between rounded-md border border-slate-200 px-3 py-2">
                                                <span>{m.name.clone()}<span class="block text-xs text-slate-500">{m.phone.as_deref().map(domain::display::national_phone).or(m.email.clone())}</span></span>
                                                <ActionForm action=create>
                                                    <input type="hidden" name="contact_id" value=m.id.clone() />
                                                    <input type="hidden" name="service_id" value=service />
                                                    <input type="hidden" name="location_id" value=location />
                                                    <input type="hidden" name="start" value=start />
                                                    <input type="hidden" name="resource_id" value=resource />
                                                    <SubmitButton pending=create.pending() label="Book" busy="Booking…" aria_label=label />
                                                </ActionForm>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                <ActionResult value=create.value() success="Booked. The confirmation is on its way." />
                            </aside>
                        }.into_any();
                    }
                    match detail.await {
                        Ok(Some(detail)) => {
                            let moves = move_slots.await;
                            let b = detail.booking.clone();
                            let move_form = b.status.is_open().then(|| {
                                        let day_now = param("move_day").unwrap_or_else(|| b.start.date_naive().to_string());
                                        let keep = [("location_id", here.location_id.clone()), ("date", here.date.clone()), ("view", here.view.clone()),
                                            ("resource_id", here.resource_id.clone()), ("staff_id", here.staff_id.clone()), ("booking", Some(b.id.clone())),
                                            ("move_service", Some(b.service_id.clone())), ("move_location", Some(b.location_id.clone()))];
                                        view! {
                                            <form method="get" action="/calendar" aria-label="Move the booking" class="mt-4 flex flex-wrap items-end gap-2">
                                                {keep.into_iter().filter_map(|(k, v)| v.map(|v| view! { <input type="hidden" name=k value=v /> })).collect_view()}
                                                <label class="text-sm font-medium text-slate-700">"Move to another time on"
                                                    <input type="date" name="move_day" value=day_now required class=format!("{INPUT} py-1.5") />
                                                </label>
                                                <button type="submit" class=SECONDARY>"Find times"</button>
                                            </form>
                                        }
                                    });
                            let move_times = match (b.status.is_open(), moves) {(true, Ok(Some(found))) if found.is_empty() => view! { <p class="mt-2 text-sm text-slate-600">"No free times that day."</p> }.into_any(),
                                        (true, Ok(Some(found))) => view! {
                                            <ul class="mt-2 flex flex-wrap gap-2" aria-label="Times to move to">
                                                {found.into_iter().map(|slot| {
                                                    let label = slot.start.format("%-I:%M %P").to_string();
                                                    let id = b.id.clone();
                                                    view! {
                                                        <li>
                                                            <ActionForm action=mover>
                                                                <input type="hidden" name="id" value=id />
                                                                <input type="hidden" name="start" value=slot.start.to_rfc3339() />
                                                                <input type="hidden" name="resource_id" value=slot.resource_id.clone() />
                                                                <button type="submit" aria-label=format!("Move to {label}") class=SECONDARY disabled=move || mover.pending().get()>{label.clone()}</button>
                                                            </ActionForm>
                                                        </li>
                                                    }
                                                }).collect_view()}
                                            </ul>
                                        }.into_any(),
                                        (true, Err(error)) => view! { <p role="alert" class="mt-2 text-sm text-rose-800">{error.message().to_owned()}</p> }.into_any(),
                                        _ => ().into_any(),
                                    };
                            let actions: Vec<(&str, &str)> = match b.status {
                                BookingStatus::Booked => vec![("confirm", "Confirm"), ("complete", "Attended"), ("no_show", "No-show")],
                                BookingStatus::Confirmed => vec![("complete", "Attended"), ("no_show", "No-show")],
                                BookingStatus::Cancelled => vec![("uncancel", "Book again")],
                                BookingStatus::NoShow => vec![("complete", "Attended after all")],
                                BookingStatus::Completed => vec![("no_show", "Mark as no-show")],
                            };
                            view! {
                                <aside aria-label="Booking" class="fixed inset-y-0 right-0 z-40 w-full max-w-md overflow-y-auto border-l border-slate-200 bg-white p-5 shadow-xl">
                                    <div class="flex items-center justify-between">
                                        <h2 class="text-lg font-semibold">{b.contact_name.clone()}</h2>
                                        <a href=close.clone() class=LINK>"Close"</a>
                                    </div>
                                    <dl class="mt-3 grid grid-cols-3 gap-x-3 gap-y-1 text-sm">
                                        <dt class="text-slate-500">"Service"</dt><dd class="col-span-2">{b.service_name.clone()}</dd>
                                        <dt class="text-slate-500">"When"</dt><dd class="col-span-2">{b.start_label.clone()}</dd>
                                        <dt class="text-slate-500">"Where"</dt><dd class="col-span-2">{format!("{}, {}", b.resource_name, b.location_name)}</dd>
                                        <dt class="text-slate-500">"With"</dt><dd class="col-span-2">{b.staff_name.clone()}</dd>
                                        <dt class="text-slate-500">"Status"</dt><dd class="col-span-2" data-testid="booking-status">{b.status.label()}{b.cancel_reason.clone().map(|r| format!(" ({r})"))}</dd>
                                        {b.needs_review.then(|| view! { <dt class="text-slate-500">"Review"</dt><dd class="col-span-2 text-amber-800">"Past and never confirmed: mark it attended or a no-show."</dd> })}
                                        {b.notes.clone().map(|n| view! { <dt class="text-slate-500">"Notes"</dt><dd class="col-span-2 whitespace-pre-wrap">{n}</dd> })}
                                    </dl>
                                    <p class="mt-2"><A href=format!("/contacts/{}", b.contact_id) attr:class=LINK>"Open the contact"</A></p>
                                    <div class="mt-4 flex flex-wrap gap-2">
                                        {actions.into_iter().map(|(name, label)| {
                                            let id = b.id.clone();
                                            view! {
                                            <ActionForm action>
                                                <input type="hidden" name="id" value=id />
                                                <input type="hidden" name="action" value=name />
                                                <button type="submit" class=SECONDARY disabled=move || action.pending().get()>{label}</button>
                                            </ActionForm>
                                        }}).collect_view()}
                                    </div>
                                    {b.status.is_open().then(|| view! {
                                        <ActionForm action attr:class="mt-4 space-y-2" attr:aria-label="Cancel the booking">
                                            <input type="hidden" name="id" value=b.id.clone() />
                                            <input type="hidden" name="action" value="cancel" />
                                            <label class="block text-sm font-medium text-slate-700">"Reason for cancelling"
                                                <input name="reason" required maxlength="200" class=INPUT />
                                            </label>
                                            <SubmitButton pending=action.pending() label="Cancel booking" busy="Cancelling…" class=SECONDARY />
                                        </ActionForm>
                                    })}
                                    <ActionResult value=action.value() success="Saved." />
                                    {move_form}
                                    {move_times}
                                    <ActionResult value=mover.value() success="Moved." />
                                    <h3 class="mt-5 text-sm font-semibold">"History"</h3>
                                    <ol class="mt-2 space-y-1 text-sm text-slate-700">
                                        {detail.history.into_iter().map(|e| view! {
                                            <li>{e.kind.label()}{e.detail.map(|d| format!(": {d}"))}{e.user_name.map(|u| format!(" — {u}"))}</li>
                                        }).collect_view()}
                                    </ol>
                                </aside>
                            }.into_any()
                        }
                        Ok(None) => ().into_any(),
                        Err(error) => view! { <LoadError error /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
