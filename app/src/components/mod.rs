//! Building blocks shared by pages.

pub mod book_box;
pub mod contact_form;
pub mod contact_links;
pub mod delivery_problems;
pub mod enrichment_box;
pub mod forms;
pub mod layout;
pub mod page_title;
pub mod quick_search;
pub mod send_sms;
pub mod stage_chart;
pub mod tabs;
pub mod task_list;
pub mod time;
pub mod toast;
pub mod waitlist_box;
pub mod warmness_box;
