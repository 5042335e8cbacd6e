//! Building blocks shared by pages.

pub mod layout;
pub mod stage_chart;
