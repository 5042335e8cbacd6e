//! What a caller is told when a request fails: a code (which fixes the HTTP status), a sentence
//! for people, and per-field problems. The REST API sends it as `{"error": Problem}`, server
//! functions as their error, and the hydrated UI reads it to mark the bad fields. It is plain
//! serde data, so it compiles into the WASM bundle too.
//!
//! [`DomainError`](crate::DomainError) becomes a `Problem` in one place (`From` in
//! `error.rs`): that is the status table for every edge.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Why a request failed; each code has one HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the request could not be read (malformed JSON, a form without its fields).
    BadRequest,
    /// 401: no valid API token or session.
    Unauthorized,
    /// 403: the caller may not do this (role, network, a cross-site request).
    Forbidden,
    /// 404: no such record, or not in the caller's locations.
    NotFound,
    /// 405: the route exists, the method does not.
    MethodNotAllowed,
    /// 408: the body did not arrive in time.
    RequestTimeout,
    /// 409: it conflicts with what is stored.
    Conflict,
    /// 409: a contact with the same phone or email exists (`duplicate_of` names it).
    Duplicate,
    /// 413: the body is over the size limit.
    PayloadTooLarge,
    /// 415: the body is not in the format the route takes.
    UnsupportedMediaType,
    /// 422: the input breaks a rule; `fields` names each problem.
    Validation,
    /// 429: too many attempts; try again later.
    RateLimited,
    /// 500: our fault; the details are in the server's log, never in the answer.
    Internal,
    /// 503: a service the request needs (the database, the network) did not answer.
    Unavailable,
}

impl ErrorCode {
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::RequestTimeout => 408,
            ErrorCode::Conflict | ErrorCode::Duplicate => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::Validation => 422,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            ErrorCode::Unavailable => 503,
        }
    }
}

/// A failed request as its caller sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Problem {
    pub code: ErrorCode,
    /// One sentence for people.
    pub message: String,
    /// With `validation` (and `duplicate`): field name → what is wrong with it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// With `duplicate`: the contact already on file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// With `rate_limited`: seconds until trying again makes sense (sent as `Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

impl Problem {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Problem {
        Problem {
            code,
            message: message.into(),
            fields: BTreeMap::new(),
            duplicate_of: None,
            retry_after_secs: None,
        }
    }

    pub fn status(&self) -> u16 {
        self.code.status()
    }

    /// What is wrong with `field`, if anything.
    pub fn field(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(all(test, feature = "server"))]
mod tests {
    use super::*;

    #[test]
    fn a_problem_reads_as_the_api_documents_it() {
        let mut problem = Problem::new(ErrorCode::Validation, "Check the marked fields.");
        problem.fields.insert("email".into(), "must be an email address".into());
        let json = serde_json::to_value(&problem).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "validation", "message": "Check the marked fields.",
                               "fields": {"email": "must be an email address"}})
        );
        assert_eq!(serde_json::from_value::<Problem>(json).unwrap(), problem);
        assert_eq!(Problem::new(ErrorCode::Duplicate, "x").status(), 409);
    }
}
