//! The HTTP routes, one router per resource, and what they share: parsing
//! path ids, and writing refused attempts to the audit journal.

pub mod challenges;
pub mod dev;
pub mod journal;
pub mod records;
pub mod sessions;
pub mod slots;
pub mod tokens;

use apptctl_api::journal::Outcome;
use apptctl_api::{ErrorCode, RecordId};
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use crate::auth::Actor;
use crate::error::ApiError;
use crate::request_id::RequestId;
use crate::state::AppState;
use crate::store::NewAuditEntry;

/// The `{id}` segment of a record path, as sent. A segment that is not even
/// text is an `invalid_record_id` too.
pub struct RecordPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for RecordPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(RecordPath(id)),
            Err(_) => Err(ApiError::new(
                ErrorCode::InvalidRecordId,
                "the record id in the path is not valid text",
                "a record id is R followed by 10 digits, like R0000000013",
            )),
        }
    }
}

/// A record id from the path; a malformed one is `invalid_record_id`, never
/// `record_not_found`.
pub fn parse_record_id(text: &str) -> Result<RecordId, ApiError> {
    text.parse().map_err(|e: apptctl_api::IdError| {
        ApiError::new(
            ErrorCode::InvalidRecordId,
            e.to_string(),
            "a record id is R followed by 10 digits, like R0000000013",
        )
    })
}

/// Who attempted what, for the journal.
pub struct Attempt {
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: &'static str,
    pub record_id: Option<RecordId>,
}

impl Attempt {
    pub fn by(actor: &Actor, action: &'static str, record_id: Option<RecordId>) -> Attempt {
        Attempt {
            actor_id: Some(actor.user_id),
            actor: actor.username.clone(),
            action,
            record_id,
        }
    }

    /// An attempt without credentials; `claimed` is the username given, if
    /// any, and `user_id` the account it names, if it exists.
    pub fn anonymous(claimed: Option<&str>, user_id: Option<i64>, action: &'static str) -> Attempt {
        let actor = match claimed {
            Some(name) => format!("anonymous ({})", truncate(name, 64)),
            None => "anonymous".to_string(),
        };
        Attempt {
            actor_id: user_id,
            actor,
            action,
            record_id: None,
        }
    }
}

/// Passes `result` through, journaling it when it is a refusal. Successful
/// changes are journaled by the store inside their own transaction.
pub async fn audited<T>(
    state: &AppState,
    request_id: &RequestId,
    attempt: Attempt,
    result: Result<T, ApiError>,
) -> Result<T, ApiError> {
    let Err(refusal) = &result else {
        return result;
    };
    if refusal.is_internal() {
        return result;
    }

    let entry = NewAuditEntry {
        at: state.now(),
        actor_id: attempt.actor_id,
        actor: attempt.actor,
        action: attempt.action.to_string(),
        record_id: attempt.record_id,
        outcome: Outcome::Refused,
        code: Some(refusal.code().to_string()),
        request_id: request_id.as_str().to_string(),
        detail: Some(truncate(&refusal.detail(), 500)),
    };
    if let Err(e) = state.store.audit(entry).await {
        // The refusal stands either way; a journal failure must not turn a
        // client's mistake into a 500.
        tracing::error!(error = ?e, "writing a refused attempt to the audit journal");
    }
    result
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
