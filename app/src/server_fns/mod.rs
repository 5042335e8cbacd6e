//! Server functions: the UI's calls into the domain services, one module per feature, the
//! same features as `server/src/api` and `domain/src/services`. Each reads who is calling from
//! the request (put there by the server's middleware), calls one service, and answers a
//! failure as [`AppError`](crate::error::AppError): the shared `Problem`, with its status.

pub mod account;
pub mod ai;
pub mod audit;
pub mod bookings;
pub mod contact_import;
pub mod contacts;
pub mod dashboard;
pub mod jobs;
pub mod messages;
pub mod outbox;
pub mod pipeline;
pub mod scheduling;
pub mod settings;
pub mod tasks;
pub mod users;
pub mod waitlist;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use domain::{Actor, DomainError, RequestMeta};
    use http::StatusCode;
    use leptos::prelude::{expect_context, use_context};

    use crate::error::AppError;
    use crate::{RequestAuth, ServerContext};

    pub fn context() -> ServerContext {
        expect_context::<ServerContext>()
    }

    fn set_status(status: StatusCode) {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(status);
        }
    }

    pub fn request_auth() -> Option<RequestAuth> {
        use_context::<http::request::Parts>().and_then(|parts| parts.extensions.get::<RequestAuth>().cloned())
    }

    /// The signed-in caller and where the request came from, or a 401 asking them to sign in.
    pub fn caller() -> Result<(Actor, RequestMeta), AppError> {
        match request_auth() {
            Some(RequestAuth { actor: Some(actor), meta }) => Ok((actor, meta)),
            _ => Err(fail(DomainError::Unauthenticated)),
        }
    }

    /// A domain error as the browser should see it (the shared status table in
    /// `domain::error`), with the HTTP status set on the response, pages included.
    pub fn fail(err: DomainError) -> AppError {
        let error = AppError::from(err);
        if let Ok(status) = StatusCode::from_u16(error.0.status()) {
            set_status(status);
        }
        error
    }
}
