//! Building blocks every HTTP route shares, whichever way it is authenticated: the error type
//! and body, extractors, CSV downloads and where to send a browser after sign-in.

pub mod csv;
pub mod error;
pub mod extract;
pub mod redirect;
pub mod secret;
