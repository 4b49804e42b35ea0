//! Slots, re-booking and rescheduling.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::SlotId;
use crate::records::{DepartmentRef, ServiceRef};

/// A bookable time at a department for a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Slot {
    pub id: SlotId,
    pub service: ServiceRef,
    pub department: DepartmentRef,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub free: bool,
}

/// The query string of `GET /v1/slots`: free slots, nearest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct SlotsQuery {
    /// Service code (required).
    pub service: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// RFC 3339 instant or YYYY-MM-DD; default now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// RFC 3339 instant or YYYY-MM-DD (whole day included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000))]
    pub limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// `POST /v1/records/{id}/rebook`: a new record for the same service and
/// department, from a `cancelled` or `expired` one. Give `slot_id`, or
/// `first_free` with an optional `from`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RebookRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot_id: Option<SlotId>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first_free: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
}

/// `POST /v1/records/{id}/reschedule`: move an active record to another free
/// slot of the same service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RescheduleRequest {
    pub slot_id: SlotId,
}
