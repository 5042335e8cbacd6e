//! An instant as the clinic reads it ("Tue 1 Dec, 6:33 am AEST", formatted by the server in
//! the right zone) inside a `<time>` element that carries the exact instant for machines.

use chrono::{DateTime, Utc};
use domain::display::LocalTimes;
use leptos::prelude::*;

/// `at` as `times` says it reads.
pub fn local_time(at: &DateTime<Utc>, times: &LocalTimes) -> impl IntoView + use<> {
    view! { <time datetime=at.to_rfc3339()>{times.show(at)}</time> }
}
