//! Who is cancelling, and the confirmation it needs: an automation token
//! with `records:cancel` acts directly; a person's session confirms one
//! challenge (a one-time code) that covers the whole batch.

use apptctl_api::auth::{CredentialKind, Scope};
use apptctl_api::cancel::{BatchCancelRequest, CancelOutcome, Challenge, Reason};
use apptctl_api::{ErrorClass, RecordId};

use crate::client::{ApiClient, CallOptions};
use crate::error::CliError;

/// How the cancellations of a run are authorised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authority {
    /// An automation token holding `records:cancel`: no challenge.
    Token { username: String },
    /// A person's session: one confirmed challenge per run.
    Session { username: String },
}

impl Authority {
    pub fn username(&self) -> &str {
        match self {
            Authority::Token { username } | Authority::Session { username } => username,
        }
    }
}

/// Asks the server who we are. A token without `records:cancel` is refused
/// here, before anything is sent.
pub async fn authority(client: &ApiClient) -> anyhow::Result<Authority> {
    let me = client.me().await?.value;
    let username = me.username.clone();

    if me.credential != Some(CredentialKind::Token) {
        return Ok(Authority::Session { username });
    }
    if !me.scopes.contains(&Scope::RecordsCancel) {
        let err = CliError::new(ErrorClass::Forbidden, "this token may not cancel records")
            .with_code("insufficient_scope")
            .with_hint(
                "create a token with `apptctl token create --scope records:cancel`, \
                 or log in as a person",
            );
        return Err(err.into());
    }
    Ok(Authority::Token { username })
}

/// Asks for one challenge covering `records`, gets the one-time code from
/// `code_for` (flag, environment or prompt), confirms it, and returns the
/// challenge id to send with each cancellation.
pub async fn confirm_batch(
    client: &ApiClient,
    records: &[RecordId],
    reason: Reason,
    comment: Option<&str>,
    code_for: impl FnOnce(&Challenge) -> anyhow::Result<String>,
) -> anyhow::Result<String> {
    let request = BatchCancelRequest {
        record_ids: records.to_vec(),
        reason,
        comment: comment.map(str::to_string),
    };
    let answer = client
        .request_batch_challenge(&request, &CallOptions::default())
        .await?;

    let challenge = match answer.value {
        CancelOutcome::ChallengeRequired { challenge } => challenge,
        // The server cancelled without asking: it should not for a
        // batch request, and nothing here would know what it did.
        CancelOutcome::Cancelled { .. } => {
            let err = CliError::internal("the server answered a batch request with a record")
                .with_hint("check that --server points at an apptctl service");
            return Err(err.into());
        }
    };

    let code = code_for(&challenge)?;
    client.confirm_challenge(&challenge.id, code.trim()).await?;
    Ok(challenge.id)
}

/// A short line telling where the code went, for the prompt.
pub fn code_destination(challenge: &Challenge) -> String {
    if challenge.sent_to.is_empty() {
        return "a one-time code was sent to you".to_string();
    }
    format!(
        "a one-time code was sent to {}",
        challenge.sent_to.join(" and ")
    )
}
