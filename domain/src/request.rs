//! Where a request came from: what the audit log records besides who and what.

use std::net::IpAddr;

/// The client's address (after trusted proxies) and the request's id (the `x-request-id` its
/// log line carries, so an audit entry can be matched with the log). Empty for the command
/// line and background work.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestMeta {
    pub ip: Option<IpAddr>,
    pub request_id: Option<String>,
}

impl RequestMeta {
    pub fn new(ip: IpAddr, request_id: Option<String>) -> RequestMeta {
        RequestMeta { ip: Some(ip), request_id }
    }
}
