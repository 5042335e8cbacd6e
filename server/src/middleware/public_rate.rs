//! Rate limits on the patients' pages, per client address: page views and form posts each
//! have a budget per ten-minute window, generous for a person and a wall for a script trying
//! to fill the diary or probe links. Over budget is a 429 page with `Retry-After`. Kept in
//! memory: each instance counts its own clients (behind a load balancer, the limit is per
//! instance — still a bound).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::middleware::client_ip::{ClientIp, peer, resolve};
use crate::state::AppState;

pub const WINDOW: Duration = Duration::from_secs(10 * 60);
/// Page views per client per window.
pub const PAGE_BUDGET: u32 = 300;
/// Form posts (bookings, changes, offers taken) per client per window.
pub const POST_BUDGET: u32 = 20;
/// Beyond this many clients, windows that have ended are swept out.
const SWEEP_AT: usize = 10_000;

#[derive(Clone, Copy)]
struct Window {
    started: Instant,
    pages: u32,
    posts: u32,
}

#[derive(Default)]
pub struct PublicRate {
    clients: Mutex<HashMap<IpAddr, Window>>,
}

/// Shows how many clients are counted, never their addresses.
impl std::fmt::Debug for PublicRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let clients = self.clients.lock().map(|c| c.len()).unwrap_or_default();
        f.debug_struct("PublicRate").field("clients", &clients).finish()
    }
}

impl PublicRate {
    /// Counts one request; `Err(seconds)` when over budget, until the window ends.
    pub fn admit(&self, ip: IpAddr, post: bool, now: Instant) -> Result<(), u64> {
        let Ok(mut clients) = self.clients.lock() else { return Ok(()) };
        if clients.len() >= SWEEP_AT {
            clients.retain(|_, w| now.duration_since(w.started) < WINDOW);
        }
        let window = clients.entry(ip).or_insert(Window { started: now, pages: 0, posts: 0 });
        if now.duration_since(window.started) >= WINDOW {
            *window = Window { started: now, pages: 0, posts: 0 };
        }
        let (count, budget) =
            if post { (&mut window.posts, POST_BUDGET) } else { (&mut window.pages, PAGE_BUDGET) };
        if *count >= budget {
            let left = WINDOW.saturating_sub(now.duration_since(window.started));
            return Err(left.as_secs().max(1));
        }
        *count += 1;
        Ok(())
    }
}

/// Resolves the client's address (no allowlist: these pages are for everyone) and applies the
/// budgets.
pub async fn limit(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let ip = resolve(peer(&request), request.headers(), &state.config.trusted_proxies);
    request.extensions_mut().insert(ClientIp(ip));
    let post = request.method() == Method::POST;
    match state.public_rate.admit(ip, post, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(retry_after) => {
            let body = app::pages::book::document(
                &state.leptos_options,
                "Please wait",
                app::pages::book::message_view(
                    "Please wait",
                    "There have been too many requests from your connection. Please wait a few minutes and try again, or call the clinic.",
                ),
            );
            let mut response = (StatusCode::TOO_MANY_REQUESTS, Html(body)).into_response();
            if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_are_per_client_and_per_window() {
        let rate = PublicRate::default();
        let a = IpAddr::from([10, 0, 0, 1]);
        let b = IpAddr::from([10, 0, 0, 2]);
        let t0 = Instant::now();
        for _ in 0..POST_BUDGET {
            assert!(rate.admit(a, true, t0).is_ok());
        }
        let wait = rate.admit(a, true, t0 + Duration::from_secs(60)).unwrap_err();
        assert_eq!(wait, WINDOW.as_secs() - 60);
        // Pages have their own budget; another client its own window.
        assert!(rate.admit(a, false, t0).is_ok());
        assert!(rate.admit(b, true, t0).is_ok());
        // A new window starts afresh.
        assert!(rate.admit(a, true, t0 + WINDOW).is_ok());
    }
}
