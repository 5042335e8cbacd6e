//! The error every server function answers with: the domain's [`Problem`] (code, sentence,
//! per-field problems), the same one the REST API sends, so a form can mark the field that is
//! wrong. Failures of the call itself (the server unreachable, an answer that cannot be read, a
//! form missing its fields) become a `Problem` too, each with one sentence for people.

use domain::problem::{ErrorCode, Problem};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AppError(pub Problem);

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError(Problem::new(code, message))
    }

    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// What is wrong with `field`, if the server said.
    pub fn field(&self, field: &str) -> Option<&str> {
        self.0.field(field)
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> AppError {
        match value {
            // In the browser: the request never got an answer.
            ServerFnErrorErr::Request(_) => AppError::new(
                ErrorCode::Unavailable,
                "We could not reach the server. Check your connection and try again.",
            ),
            // On the server: the form did not carry what the function takes.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => AppError::new(
                ErrorCode::BadRequest,
                "Part of the form was missing or unreadable. Reload the page and try again.",
            ),
            ServerFnErrorErr::UnsupportedRequestMethod(_) => {
                AppError::new(ErrorCode::MethodNotAllowed, "That request is not supported here.")
            }
            // An answer that could not be read, or a failure inside the framework.
            ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::Serialization(_)
            | ServerFnErrorErr::Response(_)
            | ServerFnErrorErr::ServerError(_)
            | ServerFnErrorErr::MiddlewareError(_)
            | ServerFnErrorErr::Registration(_) => AppError::new(
                ErrorCode::Internal,
                "Something went wrong on our side. Reload the page and try again.",
            ),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::DomainError> for AppError {
    fn from(err: domain::DomainError) -> AppError {
        AppError(Problem::from(err))
    }
}
