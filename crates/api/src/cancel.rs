//! Cancellation: reasons, requests, confirmation challenges and outcomes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::RecordId;
use crate::records::Record;

/// Why a record is cancelled. The last two are for managers only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Reason {
    PlansChanged,
    WrongData,
    Duplicate,
    PersonalDataChanged,
    /// Needs a comment.
    Other,
    ServiceRefused,
    TechnicalFailure,
}

impl Reason {
    pub const ALL: [Reason; 7] = [
        Reason::PlansChanged,
        Reason::WrongData,
        Reason::Duplicate,
        Reason::PersonalDataChanged,
        Reason::Other,
        Reason::ServiceRefused,
        Reason::TechnicalFailure,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::PlansChanged => "plans_changed",
            Reason::WrongData => "wrong_data",
            Reason::Duplicate => "duplicate",
            Reason::PersonalDataChanged => "personal_data_changed",
            Reason::Other => "other",
            Reason::ServiceRefused => "service_refused",
            Reason::TechnicalFailure => "technical_failure",
        }
    }

    pub fn managers_only(self) -> bool {
        matches!(self, Reason::ServiceRefused | Reason::TechnicalFailure)
    }

    pub fn needs_comment(self) -> bool {
        self == Reason::Other
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Reason {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        Reason::ALL
            .into_iter()
            .find(|r| r.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<_> = Reason::ALL.iter().map(|r| r.as_str()).collect();
                format!("unknown reason {s:?}; expected one of {}", names.join(", "))
            })
    }
}

/// Longest comment accepted with a cancellation.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// `POST /v1/records/{id}/cancellation`.
///
/// Without `challenge_id`, a person's session gets `202` with a challenge and
/// the record stays active; with a confirmed challenge that covers the record,
/// or with an automation token holding `records:cancel`, the record is
/// cancelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    pub reason: Reason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_id: Option<String>,
}

/// `POST /v1/cancellations`: ask for one challenge covering many records.
/// Answers `202` with the challenge; each record is then cancelled with its
/// own `POST /v1/records/{id}/cancellation` carrying `challenge_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BatchCancelRequest {
    pub record_ids: Vec<RecordId>,
    pub reason: Reason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Where a one-time code went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Channel {
    Sms,
    Email,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ChallengePurpose {
    Login,
    Cancel,
    TokenCreate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ChallengeState {
    Pending,
    Confirmed,
    Used,
    Expired,
    Locked,
}

/// A confirmation challenge: a one-time code was sent; confirm it with
/// `POST /v1/challenges/{id}/confirm`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Challenge {
    pub id: String,
    pub purpose: ChallengePurpose,
    pub state: ChallengeState,
    pub channels: Vec<Channel>,
    /// Where the code went, masked: `+7 *** ***-45-67`, `d***@example.org`.
    pub sent_to: Vec<String>,
    /// The code must be confirmed before this moment.
    pub expires_at: DateTime<Utc>,
    pub attempts_left: u32,
    /// For cancellations: how many records it covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_count: Option<usize>,
}

/// `POST /v1/challenges/{id}/confirm`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    pub code: String,
}

/// The answer to a cancellation request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CancelOutcome {
    /// `200`: done; the record as it is now.
    Cancelled { record: Record },
    /// `202`: nothing changed yet; confirm the challenge and send again.
    ChallengeRequired { challenge: Challenge },
}
