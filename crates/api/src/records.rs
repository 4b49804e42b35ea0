//! Records (appointments) as the API shows them, and the list query.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{RecordId, SlotId};

/// The seven statuses of SPEC §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RecordStatus {
    Pending,
    Confirmed,
    InProgress,
    Completed,
    Rejected,
    Cancelled,
    Expired,
}

impl RecordStatus {
    pub const ALL: [RecordStatus; 7] = [
        RecordStatus::Pending,
        RecordStatus::Confirmed,
        RecordStatus::InProgress,
        RecordStatus::Completed,
        RecordStatus::Rejected,
        RecordStatus::Cancelled,
        RecordStatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Pending => "pending",
            RecordStatus::Confirmed => "confirmed",
            RecordStatus::InProgress => "in_progress",
            RecordStatus::Completed => "completed",
            RecordStatus::Rejected => "rejected",
            RecordStatus::Cancelled => "cancelled",
            RecordStatus::Expired => "expired",
        }
    }

    /// Only active records can be cancelled or rescheduled.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            RecordStatus::Pending | RecordStatus::Confirmed | RecordStatus::InProgress
        )
    }
}

impl std::fmt::Display for RecordStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for RecordStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        RecordStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<_> = RecordStatus::ALL.iter().map(|s| s.as_str()).collect();
                format!("unknown status {s:?}; expected one of {}", names.join(", "))
            })
    }
}

/// Something a caller may do with a record now; the server decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Action {
    Cancel,
    Reschedule,
    Rebook,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceRef {
    pub code: String,
    pub name: String,
    pub category: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentRef {
    pub id: String,
    pub name: String,
    pub address: String,
}

/// A record as lists show it. The field names are stable (SPEC §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Record {
    pub id: RecordId,
    pub status: RecordStatus,
    pub service: ServiceRef,
    pub department: DepartmentRef,
    pub slot_id: SlotId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Whether the caller could cancel it now.
    pub cancellable: bool,
    /// The last moment a cancellation is accepted (start minus the cutoff).
    pub cancellable_until: DateTime<Utc>,
    pub allowed_actions: Vec<Action>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The record this one was re-booked from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebooked_from: Option<RecordId>,
    /// The record that re-booked this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebooked_to: Option<RecordId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Applicant {
    pub name: String,
    pub phone: String,
    pub email: String,
}

/// A receipt, confirmation or other attachment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Document {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffComment {
    pub author: String,
    pub at: DateTime<Utc>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Specialist {
    pub name: String,
    pub phone: String,
    pub email: String,
}

/// One step in a record's life.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordEvent {
    pub at: DateTime<Utc>,
    /// `created`, `confirmed`, `cancelled`, `rescheduled`, `rebooked`, ...
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_status: Option<RecordStatus>,
    pub to_status: RecordStatus,
    /// Username of whoever caused it, or `system`.
    pub actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<crate::cancel::Reason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `GET /v1/records/{id}`: the record with everything about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordDetails {
    #[serde(flatten)]
    pub record: Record,
    pub applicant: Applicant,
    pub documents: Vec<Document>,
    pub comments: Vec<StaffComment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specialist: Option<Specialist>,
    pub history: Vec<RecordEvent>,
}

/// The query string of `GET /v1/records`. Every filter is optional and they
/// combine with AND; `status` may repeat as a comma-separated list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ListRecordsQuery {
    /// Comma-separated statuses, e.g. `pending,confirmed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Service code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Service category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Department id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Slots starting at or after this instant (RFC 3339) or date (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Slots starting before this instant (RFC 3339) or date (YYYY-MM-DD,
    /// the whole day included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Free text matched against the service name and the record id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    /// Page size, 1 to 1000 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000))]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}
