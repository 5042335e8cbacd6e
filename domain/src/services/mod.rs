//! Services: the operations the UI and the REST API call. One module per capability.

pub mod dashboard;
pub mod demo_seed;
