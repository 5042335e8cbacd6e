//! The domain layer's one error type, and the one table that turns it into what a caller is
//! told ([`Problem`]: code, HTTP status, sentence, fields), used by the REST API and the server
//! functions alike: Validation → 422, NotFound → 404, Conflict and Duplicate → 409,
//! Forbidden → 403, Unauthenticated and InvalidCredentials → 401, RateLimited → 429, the rest
//! → 500 without details.

use std::collections::BTreeMap;

use crate::access::Permission;
use crate::problem::{ErrorCode, Problem};

/// Field name → what is wrong with it, e.g. `{"email": "must contain @"}`.
pub type FieldErrors = BTreeMap<String, String>;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("{}", describe_fields(.0))]
    Validation(FieldErrors),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// A contact with the same phone number or email already exists.
    #[error("a contact with this {} already exists", .field.replace('_', " "))]
    Duplicate { field: &'static str, existing_id: String },
    #[error("your role does not allow {}", .0.as_str())]
    Forbidden(Permission),
    #[error("{0}")]
    ForbiddenReason(String),
    #[error("sign in required")]
    Unauthenticated,
    /// Wrong email or password: one message for both, so accounts cannot be discovered.
    #[error("Email or password is incorrect.")]
    InvalidCredentials,
    #[error("{message}")]
    RateLimited { message: String, retry_after_secs: u64 },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("internal error: {0}")]
    Internal(String),
}

fn describe_fields(fields: &FieldErrors) -> String {
    let parts: Vec<String> = fields.iter().map(|(field, problem)| format!("{field}: {problem}")).collect();
    format!("invalid input ({})", parts.join("; "))
}

impl DomainError {
    /// A validation error about one field.
    pub fn field(field: &str, problem: impl Into<String>) -> DomainError {
        DomainError::Validation(FieldErrors::from([(field.to_owned(), problem.into())]))
    }

    /// Maps a unique-constraint violation to a 409 with `message`; other errors pass through.
    pub fn on_unique_violation(err: sqlx::Error, message: impl Into<String>) -> DomainError {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => DomainError::Conflict(message.into()),
            _ => DomainError::Database(err),
        }
    }
}

/// "email: must be …; phone: …", as one sentence for people.
fn fields_sentence(fields: &FieldErrors) -> String {
    fields
        .iter()
        .map(|(field, problem)| format!("{}: {problem}", field.replace('_', " ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// "the pipeline needs a stage" → "The pipeline needs a stage."
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let Some(first) = chars.next() else { return String::new() };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

impl From<DomainError> for Problem {
    fn from(err: DomainError) -> Problem {
        match err {
            DomainError::Validation(fields) => Problem {
                fields: fields.clone(),
                ..Problem::new(ErrorCode::Validation, fields_sentence(&fields))
            },
            DomainError::NotFound(what) => {
                Problem::new(ErrorCode::NotFound, format!("That {what} no longer exists."))
            }
            DomainError::Conflict(message) => Problem::new(ErrorCode::Conflict, sentence(&message)),
            DomainError::Duplicate { field, existing_id } => Problem {
                fields: FieldErrors::from([(
                    field.to_owned(),
                    "is already used by another contact".to_owned(),
                )]),
                duplicate_of: Some(existing_id),
                ..Problem::new(
                    ErrorCode::Duplicate,
                    format!("A contact with this {} already exists.", field.replace('_', " ")),
                )
            },
            DomainError::Forbidden(permission) => Problem::new(
                ErrorCode::Forbidden,
                format!(
                    "Your role can't {}. Ask a clinic administrator if you need to.",
                    permission.action()
                ),
            ),
            DomainError::ForbiddenReason(message) => Problem::new(ErrorCode::Forbidden, message),
            DomainError::Unauthenticated => {
                Problem::new(ErrorCode::Unauthorized, "Your session has ended. Please sign in again.")
            }
            DomainError::InvalidCredentials => Problem::new(ErrorCode::Unauthorized, err.to_string()),
            DomainError::RateLimited { message, retry_after_secs } => Problem {
                retry_after_secs: Some(retry_after_secs),
                ..Problem::new(ErrorCode::RateLimited, message)
            },
            other @ (DomainError::Database(_) | DomainError::Migration(_) | DomainError::Internal(_)) => {
                // The cause is for the operator's log; it never holds patient data.
                tracing::error!(error = %other, "request failed");
                Problem::new(ErrorCode::Internal, "Something went wrong on our side. Please try again.")
            }
        }
    }
}

/// Collects field problems, then fails once with all of them.
#[derive(Default)]
pub struct Validator {
    errors: FieldErrors,
}

impl Validator {
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(problem) => {
                self.errors.entry(field.to_owned()).or_insert(problem);
                None
            }
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }

    pub fn finish(self) -> Result<(), DomainError> {
        if self.errors.is_empty() { Ok(()) } else { Err(DomainError::Validation(self.errors)) }
    }
}
