//! Building blocks shared by pages.

pub mod forms;
pub mod layout;
pub mod stage_chart;
