//! HTTP routes that are not Leptos pages. One module per area.

pub mod contacts_export;
pub mod health;
pub mod server_fn_errors;
