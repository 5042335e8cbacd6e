//! Data shapes shared by the server and the hydrated UI (serde only: compiles to WASM).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the dashboard shows: every figure comes from the database in one service call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardSummary {
    pub total_contacts: i64,
    pub new_contacts_last_7_days: i64,
    pub open_tasks: i64,
    pub overdue_tasks: i64,
    pub stages: Vec<StageCount>,
    pub locations: Vec<LocationSummary>,
    pub recent_contacts: Vec<RecentContact>,
}

/// Contacts currently in one pipeline stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageCount {
    pub stage_id: String,
    pub name: String,
    pub contacts: i64,
}

/// A clinic location with its IANA time zone and how many contacts it holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocationSummary {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    /// The clinic's wall-clock time there now, e.g. "Fri 27 Nov, 17:53 AEDT".
    pub local_time: String,
    pub contacts: i64,
}

/// A contact as listed on the dashboard: enough to recognise them, nothing clinical.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecentContact {
    pub id: String,
    pub display_name: String,
    pub stage_name: String,
    pub requested_modality: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When the enquiry came in, in the time zone of the contact's location.
    pub created_local: String,
}

/// How a modality code reads to people.
pub fn modality_label(code: &str) -> &str {
    match code {
        "mri" => "MRI",
        "ct" => "CT",
        "ultrasound" => "Ultrasound",
        "xray" => "X-ray",
        "mammography" => "Mammography",
        other => other,
    }
}
