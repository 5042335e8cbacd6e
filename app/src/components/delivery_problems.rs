//! Messages stuck after failed attempts (a wrong ClickSend key, an SMTP relay that is down), as
//! an alert on Settings and the Outbox, so the people who can fix it see it.

use domain::display::LocalTimes;
use domain::model::{Channel, DeliveryProblem};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::forms::LINK;
use crate::components::time::local_time;

/// Messages waiting after a failed attempt, per channel: what an administrator has to fix.
#[component]
pub fn DeliveryProblems(problems: Vec<DeliveryProblem>, times: LocalTimes) -> impl IntoView {
    problems
        .into_iter()
        .map(|problem| {
            let what = match (problem.channel, problem.waiting) {
                (Channel::Sms, 1) => "1 text is".to_owned(),
                (Channel::Sms, n) => format!("{n} texts are"),
                (Channel::Email, 1) => "1 email is".to_owned(),
                (Channel::Email, n) => format!("{n} emails are"),
            };
            let since = local_time(&problem.waiting_since, &times);
            view! {
                <div role="alert" class="mt-3 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-900">
                    <p class="font-medium">{format!("{what} waiting to be sent again (the oldest since ")}{since}")."</p>
                    <p class="mt-1 break-words">"The last attempt failed: " {problem.last_error}</p>
                    <p class="mt-1">"They are retried on their own; check the provider's settings if this does not clear. "
                        <A href="/settings/jobs" attr:class=LINK>"Background jobs"</A> " lists each attempt."</p>
                </div>
            }
        })
        .collect_view()
}
