//! What can go wrong talking to the service, typed so callers can tell "the
//! request never left" from "it left and we do not know what happened".

use apptctl_api::{ErrorClass, Problem};

use crate::error::{class_of_status, CliError};

/// A failed API call, after any retries.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The service answered with a problem+json error.
    #[error("{}", .problem.detail)]
    Api { problem: Box<Problem> },

    /// The request was not sent: the connection could not be made (refused,
    /// DNS, TLS handshake). Safe to retry; nothing happened on the server.
    #[error("could not connect to {url}: {cause}")]
    NotSent { url: String, cause: String },

    /// The request was sent but no answer came (timeout, connection dropped).
    /// The server may or may not have acted on it.
    #[error("no answer from {url} ({cause}); the outcome is unknown")]
    OutcomeUnknown { url: String, cause: String },

    /// The service answered something this client cannot read.
    #[error("unexpected answer from the server (HTTP {status}): {detail}")]
    BadResponse {
        status: u16,
        request_id: Option<String>,
        detail: String,
    },

    /// A token would have gone over plain http to a non-loopback host.
    #[error("refusing to send a token over plain http to {host}")]
    InsecureTransport { host: String },

    /// The server URL itself is not usable.
    #[error("invalid server URL {url:?}: {cause}")]
    InvalidUrl { url: String, cause: String },
}

impl ClientError {
    /// The failure class, which decides the exit code.
    pub fn class(&self) -> ErrorClass {
        match self {
            ClientError::Api { problem } => CliError::from_problem(problem).class,
            ClientError::NotSent { .. } | ClientError::OutcomeUnknown { .. } => ErrorClass::Network,
            ClientError::BadResponse { status, .. } if *status >= 500 => ErrorClass::Server,
            ClientError::BadResponse { status, .. } => match class_of_status(*status) {
                ErrorClass::Internal => ErrorClass::Internal,
                other => other,
            },
            ClientError::InsecureTransport { .. } | ClientError::InvalidUrl { .. } => {
                ErrorClass::Usage
            }
        }
    }

    /// The server's problem, when there was one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ClientError::Api { problem } => Some(problem),
            _ => None,
        }
    }

    /// The stable error code of an API problem.
    pub fn code(&self) -> Option<apptctl_api::ErrorCode> {
        self.problem().map(|p| p.code)
    }

    /// True when the request may have taken effect although no answer came.
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, ClientError::OutcomeUnknown { .. })
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            ClientError::Api { problem } if !problem.request_id.is_empty() => {
                Some(&problem.request_id)
            }
            ClientError::BadResponse { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The error as shown to the user, with a hint for the next step.
    pub fn to_cli_error(&self) -> CliError {
        match self {
            ClientError::Api { problem } => CliError::from_problem(problem),
            ClientError::NotSent { .. } => CliError::new(ErrorClass::Network, self.to_string())
                .with_hint(
                    "check that the server runs and --server / APPTCTL_SERVER points at it \
                     (`apptctl doctor` checks the connection)",
                ),
            ClientError::OutcomeUnknown { .. } => {
                CliError::new(ErrorClass::Network, self.to_string()).with_hint(
                    "check the result with `apptctl show ID` or `apptctl list` before trying \
                     again; a longer --timeout may help",
                )
            }
            ClientError::BadResponse { request_id, .. } => {
                let mut err = CliError::new(self.class(), self.to_string())
                    .with_hint("check that --server points at an apptctl service");
                err.request_id = request_id.clone();
                err
            }
            ClientError::InsecureTransport { .. } => CliError::usage(self.to_string()).with_hint(
                "use https, or pass --insecure-http if you accept that the token can be read \
                 on the way",
            ),
            ClientError::InvalidUrl { .. } => CliError::usage(self.to_string())
                .with_hint("give --server as a full URL like https://appointments.example.org"),
        }
    }
}
