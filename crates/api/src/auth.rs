//! Accounts, sessions and scoped automation tokens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::cancel::Challenge;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    Applicant,
    Manager,
}

/// What an automation token may do. A person's session may do everything its
/// role allows; a token only what its scopes name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    #[serde(rename = "records:read")]
    RecordsRead,
    #[serde(rename = "records:cancel")]
    RecordsCancel,
    #[serde(rename = "records:rebook")]
    RecordsRebook,
}

impl Scope {
    pub const ALL: [Scope; 3] = [
        Scope::RecordsRead,
        Scope::RecordsCancel,
        Scope::RecordsRebook,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::RecordsRead => "records:read",
            Scope::RecordsCancel => "records:cancel",
            Scope::RecordsRebook => "records:rebook",
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Scope {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown scope {s:?}; expected records:read, records:cancel or records:rebook"
                )
            })
    }
}

/// `POST /v1/sessions`. Either `username` and `password`, or — after the
/// login challenge was confirmed — `challenge_id` alone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_id: Option<String>,
}

/// A new session's bearer token. Shown once; the server keeps only a hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: Me,
}

/// The answer to `POST /v1/sessions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LoginOutcome {
    /// `201`: logged in.
    LoggedIn { session: Session },
    /// `202`: two-factor account; confirm the challenge, then send
    /// `{"challenge_id": ...}`.
    ChallengeRequired { challenge: Challenge },
}

/// How the caller is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CredentialKind {
    Session,
    Token,
}

/// `GET /v1/me`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub username: String,
    pub name: String,
    pub role: Role,
    /// Departments a manager acts on; empty for applicants.
    pub departments: Vec<String>,
    pub two_factor: bool,
    /// How this request was authenticated (absent in a new session's body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<CredentialKind>,
    /// For a token: its scopes; for a session: every scope.
    #[serde(default)]
    pub scopes: Vec<Scope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// `POST /v1/tokens`. A person's session must confirm a challenge first:
/// the first call answers `202` with one; send again with `challenge_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub scopes: Vec<Scope>,
    /// Lifetime in days, 1 to 365 (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub expires_in_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_id: Option<String>,
}

/// A token as `GET /v1/tokens` lists it; the secret is never shown again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The answer to `POST /v1/tokens`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CreateTokenOutcome {
    /// `201`: the token; `secret` is shown this once.
    Created { token: TokenInfo, secret: String },
    /// `202`: confirm the challenge and send again with `challenge_id`.
    ChallengeRequired { challenge: Challenge },
}
