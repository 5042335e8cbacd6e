//! The client's address, and the IP allowlist that admits it. The address is the socket peer,
//! or for a trusted proxy the nearest untrusted hop in `X-Forwarded-For` (read right to left,
//! so a client cannot forge its own entry).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use domain::Db;
use domain::problem::ErrorCode;
use domain::services::ip_allowlist::{self, IpAllowlist};
use ipnet::IpNet;
use tokio::sync::RwLock;

use crate::http::error::refusal;
use crate::state::AppState;

/// The resolved client address, for handlers and later middleware.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

/// The allowlist is re-read from the database this often, so every instance follows a change.
const ALLOWLIST_TTL: Duration = Duration::from_secs(5);

pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
        .collect();
    hops.iter().rev().find(|ip| !is_trusted(ip)).copied().or(hops.first().copied()).unwrap_or(peer)
}

/// The socket peer of a request (loopback if the server was not given connect info).
pub fn peer<B>(request: &Request<B>) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]))
}

/// The allowlist as last read, shared by all requests of this instance.
#[derive(Debug)]
pub struct AllowlistCache {
    db: Db,
    cached: RwLock<Option<(Instant, Arc<IpAllowlist>)>>,
}

impl AllowlistCache {
    pub fn new(db: Db) -> Self {
        AllowlistCache { db, cached: RwLock::new(None) }
    }

    async fn current(&self) -> Option<Arc<IpAllowlist>> {
        if let Some((at, list)) = self.cached.read().await.as_ref()
            && at.elapsed() < ALLOWLIST_TTL
        {
            return Some(list.clone());
        }
        match ip_allowlist::load(&self.db).await {
            Ok(list) => {
                let list = Arc::new(list);
                *self.cached.write().await = Some((Instant::now(), list.clone()));
                Some(list)
            }
            Err(err) => {
                tracing::error!(error = %err, "could not read the IP allowlist");
                // Keep enforcing the last list we knew; with none, refuse rather than guess.
                self.cached.read().await.as_ref().map(|(_, list)| list.clone())
            }
        }
    }

    /// Forget the cached list (after this instance saved a new one).
    pub async fn invalidate(&self) {
        *self.cached.write().await = None;
    }
}

/// What anyone may fetch whatever the allowlist says: `/health` for load balancers, and the
/// stylesheet and icon the patients' pages (open to everyone) use.
fn open_to_all(path: &str) -> bool {
    path == "/health" || path == "/favicon.svg" || (path.starts_with("/pkg/") && path.ends_with(".css"))
}

/// Resolves the client's address (through trusted proxies) for everything after, and refuses
/// addresses outside the IP allowlist, except for [`open_to_all`] paths.
pub async fn admit_client(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let ip = resolve(peer(&request), request.headers(), &state.config.trusted_proxies);
    request.extensions_mut().insert(ClientIp(ip));
    if open_to_all(request.uri().path()) {
        return next.run(request).await;
    }
    match state.allowlist.current().await {
        Some(list) if list.allows(ip) => next.run(request).await,
        Some(_) => {
            tracing::warn!(%ip, "request refused by the IP allowlist");
            refusal(&request, ErrorCode::Forbidden, "Access from your network is not allowed.")
        }
        None => refusal(&request, ErrorCode::Unavailable, "Temporarily unavailable."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(xff).unwrap());
        h
    }

    #[test]
    fn untrusted_peers_cannot_claim_another_address() {
        let peer: IpAddr = "198.51.100.9".parse().unwrap();
        assert_eq!(resolve(peer, &headers("203.0.113.5"), &[]), peer);
    }

    #[test]
    fn trusted_proxies_pass_on_the_nearest_untrusted_hop() {
        let trusted = vec!["10.0.0.0/8".parse().unwrap()];
        let proxy: IpAddr = "10.1.2.3".parse().unwrap();
        // The client wrote a fake first entry; the proxy appended the real one.
        let got = resolve(proxy, &headers("1.1.1.1, 203.0.113.5, 10.0.0.7"), &trusted);
        assert_eq!(got, "203.0.113.5".parse::<IpAddr>().unwrap());
        assert_eq!(resolve(proxy, &HeaderMap::new(), &trusted), proxy);
    }
}
