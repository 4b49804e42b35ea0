//! Who is asking: password hashing and policy, bearer secrets, and the
//! [`Actor`] extractor every protected handler takes.
//!
//! Passwords are hashed with argon2id. Session and token secrets are 256
//! random bits, so a plain SHA-256 of the secret is enough to store them: a
//! leaked database does not give working credentials, and lookups stay a
//! single indexed equality.

use apptctl_api::auth::{CredentialKind, Me, Role, Scope};
use apptctl_api::journal::Outcome;
use apptctl_api::ErrorCode;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::request::Parts;
use axum::http::{header, Method};
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::request_id::RequestId;
use crate::state::AppState;
use crate::store::NewAuditEntry;

/// The argon2id PHC string of `password`.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the stored PHC string. A malformed stored hash
/// never matches.
pub fn verify_password(stored: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// A hash that matches no password, verified for unknown usernames so that
/// the answer takes as long as for a known one.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy-password-1").unwrap_or_default())
}

/// SPEC §2: at least 8 characters with letters and digits.
pub fn check_password_policy(password: &str) -> Result<(), ApiError> {
    let long_enough = password.chars().count() >= 8;
    let has_letter = password.chars().any(char::is_alphabetic);
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    if long_enough && has_letter && has_digit {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::WeakPassword,
        "the password is too weak",
        "use at least 8 characters with both letters and digits",
    ))
}

/// A new bearer secret: `prefix` and 64 hex digits.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// How a secret is stored and looked up.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub name: String,
    pub role: Role,
    /// Departments a manager acts on; empty for applicants.
    pub departments: Vec<String>,
    pub two_factor: bool,
    pub credential: CredentialKind,
    pub credential_id: i64,
    /// Every scope for a session; the token's own for a token.
    pub scopes: Vec<Scope>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// How stale a token's `last_used_at` may get before a use rewrites it: a
/// script making thousands of calls costs one write a minute, not one each.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::minutes(1);

impl Actor {
    pub fn is_token(&self) -> bool {
        self.credential == CredentialKind::Token
    }

    pub fn has_scope(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// Refuses with `insufficient_scope` unless the credential holds `scope`.
    pub fn require_scope(&self, scope: Scope) -> Result<(), ApiError> {
        if self.has_scope(scope) {
            return Ok(());
        }
        Err(ApiError::new(
            ErrorCode::InsufficientScope,
            format!("this token lacks the scope {scope}"),
            format!("create a token with --scope {scope}, or log in as a person"),
        ))
    }

    pub fn me(&self) -> Me {
        Me {
            username: self.username.clone(),
            name: self.name.clone(),
            role: self.role,
            departments: self.departments.clone(),
            two_factor: self.two_factor,
            credential: Some(self.credential),
            scopes: self.scopes.clone(),
            expires_at: Some(self.expires_at),
        }
    }
}

/// What the store found for a presented secret.
#[derive(Debug)]
pub enum Authentication {
    Valid(Box<Actor>),
    Expired(CredentialKind),
    /// Unknown or revoked.
    Unknown,
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let found = match bearer_secret(parts) {
            Ok(Some(secret)) => authenticate(state, &secret).await,
            Ok(None) => Err(ApiError::new(
                ErrorCode::Unauthenticated,
                "this request needs a session or a token",
                "log in with `apptctl login`, or set APPTCTL_TOKEN",
            )),
            Err(refusal) => Err(refusal),
        };
        if let Err(refusal) = &found {
            journal_refused_change(parts, state, refusal).await;
        }
        found
    }
}

/// Journals a state-changing request refused for its credentials; reads are
/// not journaled.
async fn journal_refused_change(parts: &Parts, state: &AppState, refusal: &ApiError) {
    let changes_state = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !changes_state || refusal.is_internal() {
        return;
    }

    let route = parts
        .extensions
        .get::<MatchedPath>()
        .map_or("", MatchedPath::as_str);
    let request_id = parts
        .extensions
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let entry = NewAuditEntry {
        at: state.now(),
        actor_id: None,
        actor: "anonymous".to_string(),
        action: format!("{} {route}", parts.method),
        record_id: None,
        outcome: Outcome::Refused,
        code: Some(refusal.code().to_string()),
        request_id,
        detail: Some(refusal.detail()),
    };
    if let Err(e) = state.store.audit(entry).await {
        tracing::error!(error = ?e, "journaling a refused request");
    }
}

/// The caller if credentials were sent; `None` for an anonymous request.
/// Credentials that were sent but do not work are still refused.
pub struct MaybeActor(pub Option<Actor>);

impl FromRequestParts<AppState> for MaybeActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match bearer_secret(parts)? {
            Some(secret) => Ok(MaybeActor(Some(authenticate(state, &secret).await?))),
            None => Ok(MaybeActor(None)),
        }
    }
}

fn bearer_secret(parts: &Parts) -> Result<Option<String>, ApiError> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || {
        ApiError::new(
            ErrorCode::InvalidToken,
            "the Authorization header is not `Bearer <token>`",
            "send Authorization: Bearer followed by a session or token secret",
        )
    };
    let text = value.to_str().map_err(|_| malformed())?;
    let (scheme, secret) = text.trim().split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") || secret.trim().is_empty() {
        return Err(malformed());
    }
    Ok(Some(secret.trim().to_string()))
}

async fn authenticate(state: &AppState, secret: &str) -> Result<Actor, ApiError> {
    let now = state.now();
    let found = state.store.authenticate(secret_hash(secret), now).await?;
    match found {
        Authentication::Valid(actor) => {
            let stale = actor
                .last_used_at
                .map_or(true, |at| now - at >= TOUCH_EVERY);
            if actor.is_token() && stale {
                state
                    .store
                    .touch_credential(actor.credential_id, now)
                    .await?;
            }
            Ok(*actor)
        }
        Authentication::Expired(CredentialKind::Session) => Err(ApiError::new(
            ErrorCode::SessionExpired,
            "the session has expired",
            "log in again with `apptctl login`",
        )),
        Authentication::Expired(CredentialKind::Token) => Err(ApiError::new(
            ErrorCode::InvalidToken,
            "the token has expired",
            "create a new token with `apptctl token create`",
        )),
        Authentication::Unknown => Err(ApiError::new(
            ErrorCode::InvalidToken,
            "the token is unknown or revoked",
            "log in again with `apptctl login`, or use a valid token",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy() {
        assert!(check_password_policy("demo12345").is_ok());
        for weak in ["short1", "onlyletters", "1234567890", ""] {
            assert_eq!(
                check_password_policy(weak).unwrap_err().code(),
                ErrorCode::WeakPassword
            );
        }
    }

    #[test]
    fn hashes_verify() {
        let hash = hash_password("demo12345").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "demo12345"));
        assert!(!verify_password(&hash, "demo12346"));
        assert!(!verify_password("garbage", "demo12345"));
    }

    #[test]
    fn secrets_are_random_and_hash_stably() {
        let a = new_secret("apts_");
        assert_ne!(a, new_secret("apts_"));
        assert_eq!(secret_hash(&a), secret_hash(&a));
        assert_eq!(secret_hash(&a).len(), 64);
    }
}
