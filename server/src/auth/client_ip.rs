//! The client's address: the socket peer, or for a trusted proxy the nearest untrusted hop
//! in `X-Forwarded-For` (read right to left, so a client cannot forge its own entry).

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request};
use ipnet::IpNet;

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
