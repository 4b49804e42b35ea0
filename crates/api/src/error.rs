//! Error codes, failure classes and the problem+json body (RFC 9457).
//!
//! Every error the service returns carries a stable machine `code`. Each code
//! belongs to one failure class; the CLI turns the class into its exit code,
//! so a script can branch on the class without knowing every code.

use serde::{Deserialize, Serialize};

/// The failure classes of SPEC §2. The CLI maps each to one exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorClass {
    Internal,
    Usage,
    InvalidInput,
    NotFound,
    Conflict,
    Auth,
    Forbidden,
    Server,
    Network,
    Partial,
    Interrupted,
}

impl ErrorClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Internal => "internal",
            ErrorClass::Usage => "usage",
            ErrorClass::InvalidInput => "invalid_input",
            ErrorClass::NotFound => "not_found",
            ErrorClass::Conflict => "conflict",
            ErrorClass::Auth => "auth",
            ErrorClass::Forbidden => "forbidden",
            ErrorClass::Server => "server",
            ErrorClass::Network => "network",
            ErrorClass::Partial => "partial",
            ErrorClass::Interrupted => "interrupted",
        }
    }
}

macro_rules! error_codes {
    ($( $variant:ident = $text:literal, $status:literal, $class:ident; )*) => {
        /// Every stable error code of the API. The string form is the contract;
        /// the variant names only mirror it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum ErrorCode {
            $( $variant, )*
            /// A code this build does not know (a newer server). Never sent.
            #[serde(other)]
            Unknown,
        }

        impl ErrorCode {
            /// Every code the service may send, for docs and tests.
            pub const ALL: &'static [ErrorCode] = &[$( ErrorCode::$variant, )*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $( ErrorCode::$variant => $text, )*
                    ErrorCode::Unknown => "unknown",
                }
            }

            /// The HTTP status the service answers this code with.
            pub fn http_status(self) -> u16 {
                match self {
                    $( ErrorCode::$variant => $status, )*
                    ErrorCode::Unknown => 500,
                }
            }

            pub fn class(self) -> ErrorClass {
                match self {
                    $( ErrorCode::$variant => ErrorClass::$class, )*
                    ErrorCode::Unknown => ErrorClass::Internal,
                }
            }
        }
    };
}

error_codes! {
    // The request itself is wrong.
    InvalidRequest = "invalid_request", 400, InvalidInput;
    InvalidJson = "invalid_json", 400, InvalidInput;
    InvalidRecordId = "invalid_record_id", 400, InvalidInput;
    InvalidSlotId = "invalid_slot_id", 400, InvalidInput;
    InvalidDate = "invalid_date", 400, InvalidInput;
    InvalidCursor = "invalid_cursor", 400, InvalidInput;
    InvalidReason = "invalid_reason", 400, InvalidInput;
    CommentRequired = "comment_required", 400, InvalidInput;
    WeakPassword = "weak_password", 400, InvalidInput;
    BodyTooLarge = "body_too_large", 413, InvalidInput;
    UnsupportedMediaType = "unsupported_media_type", 415, InvalidInput;
    IdempotencyKeyInvalid = "idempotency_key_invalid", 400, InvalidInput;
    IdempotencyKeyReused = "idempotency_key_reused", 422, InvalidInput;
    // Nothing there (or not visible to the caller).
    NotFound = "not_found", 404, NotFound;
    RecordNotFound = "record_not_found", 404, NotFound;
    SlotNotFound = "slot_not_found", 404, NotFound;
    ChallengeNotFound = "challenge_not_found", 404, NotFound;
    TokenNotFound = "token_not_found", 404, NotFound;
    ServiceNotFound = "service_not_found", 404, NotFound;
    MethodNotAllowed = "method_not_allowed", 405, InvalidInput;
    // The state of things does not allow it.
    AlreadyCancelled = "already_cancelled", 409, Conflict;
    NotActive = "not_active", 409, Conflict;
    CutoffPassed = "cutoff_passed", 409, Conflict;
    AlreadyStarted = "already_started", 409, Conflict;
    NotRebookable = "not_rebookable", 409, Conflict;
    SlotTaken = "slot_taken", 409, Conflict;
    SlotMismatch = "slot_mismatch", 409, Conflict;
    ChallengeNotCovering = "challenge_not_covering", 409, Conflict;
    IdempotencyInProgress = "idempotency_in_progress", 409, Conflict;
    // Who is asking.
    Unauthenticated = "unauthenticated", 401, Auth;
    InvalidToken = "invalid_token", 401, Auth;
    SessionExpired = "session_expired", 401, Auth;
    InvalidCredentials = "invalid_credentials", 401, Auth;
    AccountLocked = "account_locked", 401, Auth;
    CodeRequired = "code_required", 401, Auth;
    InvalidCode = "invalid_code", 401, Auth;
    ChallengeExpired = "challenge_expired", 401, Auth;
    ChallengeLocked = "challenge_locked", 401, Auth;
    ChallengeUnconfirmed = "challenge_unconfirmed", 401, Auth;
    // What they may do.
    Forbidden = "forbidden", 403, Forbidden;
    InsufficientScope = "insufficient_scope", 403, Forbidden;
    ReasonNotAllowed = "reason_not_allowed", 403, Forbidden;
    // The service's own trouble.
    RateLimited = "rate_limited", 429, Server;
    Unavailable = "unavailable", 503, Server;
    Timeout = "timeout", 503, Server;
    Internal = "internal", 500, Server;
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One field that failed validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// An error body, `application/problem+json` (RFC 9457), with this API's
/// extension members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI naming the problem type: `urn:apptctl:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short, human-readable summary of the problem type.
    pub title: String,
    pub status: u16,
    /// What happened in this occurrence.
    pub detail: String,
    /// The stable machine code.
    pub code: ErrorCode,
    /// What to do next.
    pub hint: String,
    /// The request id, to find the attempt in the audit journal.
    pub request_id: String,
    /// Fields that failed validation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// With `slot_taken`: the nearest free slots of the same service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<crate::slots::Slot>,
    /// With `invalid_code`: tries left before the challenge locks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
    /// With 429 and 503: seconds to wait, as in the `Retry-After` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// With `cutoff_passed`: the last moment the record could be cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellable_until: Option<chrono::DateTime<chrono::Utc>>,
    /// With `not_active` and `already_cancelled`: the record's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_status: Option<crate::records::RecordStatus>,
}

impl Problem {
    /// A problem for `code` with the given detail and hint; the extension
    /// members start empty.
    pub fn new(code: ErrorCode, detail: impl Into<String>, hint: impl Into<String>) -> Problem {
        Problem {
            kind: format!("urn:apptctl:problem:{}", code.as_str()),
            title: code.as_str().replace('_', " "),
            status: code.http_status(),
            detail: detail.into(),
            code,
            hint: hint.into(),
            request_id: String::new(),
            errors: Vec::new(),
            alternatives: Vec::new(),
            attempts_left: None,
            retry_after: None,
            cancellable_until: None,
            record_status: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), *code);
        }
    }

    #[test]
    fn unknown_codes_from_a_newer_server_still_parse() {
        let code: ErrorCode = serde_json::from_str("\"brand_new_code\"").unwrap();
        assert_eq!(code, ErrorCode::Unknown);
    }
}
