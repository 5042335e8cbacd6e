//! The domain layer's one error type; the edges (REST, server functions) map it to a status
//! once: Validation → 422, NotFound → 404, Conflict → 409, Forbidden → 403,
//! Unauthenticated → 401, RateLimited → 429, the rest → 500 without details.

use std::collections::BTreeMap;

use crate::access::Permission;

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
