//! One-time code challenges: codes and their hashes, the state a challenge
//! is effectively in at a given moment, and what a challenge allows.
//!
//! A code is checked against `sha256(challenge id + code)`, so the stored
//! hash of one challenge says nothing about another's code.

use apptctl_api::cancel::{Challenge, ChallengePurpose, ChallengeState, Channel};
use apptctl_api::ErrorCode;
use chrono::{DateTime, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::config::ServerConfig;
use crate::error::ApiError;

/// A challenge as stored, with where its code went.
#[derive(Debug, Clone)]
pub struct ChallengeRow {
    pub id: String,
    pub user_id: i64,
    pub purpose: ChallengePurpose,
    pub state: ChallengeState,
    pub code_hash: String,
    pub expires_at: DateTime<Utc>,
    pub attempts_left: u32,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub phone: String,
    pub email: String,
    pub record_count: Option<usize>,
}

pub fn new_challenge_id() -> String {
    let bytes: [u8; 16] = rand::thread_rng().gen();
    format!("ch_{}", hex::encode(bytes))
}

/// A fresh six-digit code, or the fixed dev code.
pub fn new_code(fixed: Option<&str>) -> String {
    match fixed {
        Some(code) => code.to_string(),
        None => format!("{:06}", rand::thread_rng().gen_range(0..1_000_000)),
    }
}

pub fn code_hash(challenge_id: &str, code: &str) -> String {
    hex::encode(Sha256::digest(
        format!("{challenge_id}:{}", code.trim()).as_bytes(),
    ))
}

/// `+7 900 123-45-67` becomes `+7 *** ***-45-67`: only the last four digits
/// and the separators stay.
/// The SMS and the e-mail text that carry `code`.
pub fn code_messages(
    purpose: ChallengePurpose,
    code: &str,
    config: &ServerConfig,
) -> (String, String) {
    let what = match purpose {
        ChallengePurpose::Login => "log in",
        ChallengePurpose::Cancel => "confirm the cancellation",
        ChallengePurpose::TokenCreate => "create an automation token",
    };
    let minutes = config.challenge_ttl.num_minutes();
    let sms = format!("Code {code} to {what}. Valid for {minutes} min. Do not share it.");
    let mail = format!(
        "Your one-time code to {what} is {code}.\n\nIt is valid for {minutes} minutes. \
         If you did not ask for it, change your password."
    );
    (sms, mail)
}

pub fn mask_phone(phone: &str) -> String {
    let total = phone.chars().filter(char::is_ascii_digit).count();
    let mut seen = 0;
    let mut masked = String::new();
    for c in phone.chars() {
        if c.is_ascii_digit() {
            seen += 1;
            let keep = seen == 1 && phone.starts_with('+') || seen + 4 > total;
            masked.push(if keep { c } else { '*' });
        } else {
            masked.push(c);
        }
    }
    masked
}

/// `demo@example.org` becomes `d***@example.org`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

/// The state at `now`: a pending challenge past its expiry is expired, and a
/// confirmed cancel challenge expires when its window after confirmation ends.
pub fn effective_state(
    row: &ChallengeRow,
    now: DateTime<Utc>,
    config: &ServerConfig,
) -> ChallengeState {
    match row.state {
        ChallengeState::Pending if now > row.expires_at => ChallengeState::Expired,
        ChallengeState::Confirmed if row.purpose == ChallengePurpose::Cancel => {
            let confirmed_at = row.confirmed_at.unwrap_or(row.expires_at);
            if now > confirmed_at + config.cancel_window {
                ChallengeState::Expired
            } else {
                ChallengeState::Confirmed
            }
        }
        state => state,
    }
}

pub fn present(row: &ChallengeRow, now: DateTime<Utc>, config: &ServerConfig) -> Challenge {
    Challenge {
        id: row.id.clone(),
        purpose: row.purpose,
        state: effective_state(row, now, config),
        channels: vec![Channel::Sms, Channel::Email],
        sent_to: vec![mask_phone(&row.phone), mask_email(&row.email)],
        expires_at: row.expires_at,
        attempts_left: row.attempts_left,
        record_count: row.record_count,
    }
}

/// The outcome of checking a code against a pending challenge.
#[derive(Debug, PartialEq, Eq)]
pub enum CodeCheck {
    Correct,
    /// Wrong; this many tries remain (zero: the challenge is now locked).
    Wrong {
        attempts_left: u32,
    },
}

/// Checks `code` against a challenge that must still be pending. Refuses
/// expired, locked and already used challenges without looking at the code.
pub fn check_code(
    row: &ChallengeRow,
    code: &str,
    now: DateTime<Utc>,
    config: &ServerConfig,
) -> Result<CodeCheck, ApiError> {
    match effective_state(row, now, config) {
        ChallengeState::Pending => {}
        ChallengeState::Confirmed => return Ok(CodeCheck::Correct),
        other => return Err(unusable(row, other)),
    }

    if code_hash(&row.id, code) == row.code_hash {
        return Ok(CodeCheck::Correct);
    }
    Ok(CodeCheck::Wrong {
        attempts_left: row.attempts_left.saturating_sub(1),
    })
}

/// The refusal for a wrong code.
pub fn wrong_code(attempts_left: u32) -> ApiError {
    if attempts_left == 0 {
        return ApiError::new(
            ErrorCode::ChallengeLocked,
            "wrong code; no tries left, the challenge is locked",
            "start again to get a new code",
        );
    }
    ApiError::new(
        ErrorCode::InvalidCode,
        format!("wrong code; {attempts_left} tries left"),
        "check the code in the SMS or e-mail and try again",
    )
    .with(|p| p.attempts_left = Some(attempts_left))
}

/// Whether a challenge can authorise the action it was made for now: it
/// must be confirmed and within its time.
pub fn check_usable(
    row: &ChallengeRow,
    purpose: ChallengePurpose,
    now: DateTime<Utc>,
    config: &ServerConfig,
) -> Result<(), ApiError> {
    if row.purpose != purpose {
        return Err(ApiError::new(
            ErrorCode::ChallengeNotCovering,
            format!("challenge {} was made for another purpose", row.id),
            "request a new challenge for this action",
        ));
    }
    match effective_state(row, now, config) {
        ChallengeState::Confirmed => Ok(()),
        ChallengeState::Pending => Err(ApiError::new(
            ErrorCode::ChallengeUnconfirmed,
            format!("challenge {} is not confirmed yet", row.id),
            "confirm the code first: POST /v1/challenges/{id}/confirm, or pass --code",
        )),
        other => Err(unusable(row, other)),
    }
}

fn unusable(row: &ChallengeRow, state: ChallengeState) -> ApiError {
    match state {
        ChallengeState::Locked => ApiError::new(
            ErrorCode::ChallengeLocked,
            format!("challenge {} is locked after too many wrong codes", row.id),
            "start again to get a new code",
        ),
        ChallengeState::Used => ApiError::new(
            ErrorCode::ChallengeExpired,
            format!("challenge {} was already used", row.id),
            "start again to get a new code",
        ),
        _ => ApiError::new(
            ErrorCode::ChallengeExpired,
            format!("challenge {} has expired", row.id),
            "start again to get a new code",
        ),
    }
}

pub fn not_found(id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ChallengeNotFound,
        format!("challenge {id:?} not found"),
        "use the challenge id from the answer that asked for a code",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn row(purpose: ChallengePurpose, now: DateTime<Utc>) -> ChallengeRow {
        let id = "ch_test".to_string();
        ChallengeRow {
            code_hash: code_hash(&id, "123456"),
            id,
            user_id: 1,
            purpose,
            state: ChallengeState::Pending,
            expires_at: now + Duration::minutes(10),
            attempts_left: 5,
            confirmed_at: None,
            phone: "+7 900 123-45-67".into(),
            email: "demo@example.org".into(),
            record_count: None,
        }
    }

    #[test]
    fn masks_contacts() {
        assert_eq!(mask_phone("+7 900 123-45-67"), "+7 *** ***-45-67");
        assert_eq!(mask_email("demo@example.org"), "d***@example.org");
    }

    #[test]
    fn codes_are_six_digits_or_fixed() {
        let code = new_code(None);
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(new_code(Some("000000")), "000000");
    }

    #[test]
    fn code_checks_count_down_and_expire() {
        let now = Utc::now();
        let config = ServerConfig::default();
        let r = row(ChallengePurpose::Cancel, now);
        assert_eq!(
            check_code(&r, "123456", now, &config).unwrap(),
            CodeCheck::Correct
        );
        assert_eq!(
            check_code(&r, "000000", now, &config).unwrap(),
            CodeCheck::Wrong { attempts_left: 4 }
        );

        let late = now + Duration::minutes(10) + Duration::seconds(1);
        assert_eq!(
            check_code(&r, "123456", late, &config).unwrap_err().code(),
            ErrorCode::ChallengeExpired
        );
        assert_eq!(wrong_code(0).code(), ErrorCode::ChallengeLocked);
        assert_eq!(wrong_code(2).code(), ErrorCode::InvalidCode);
    }

    #[test]
    fn confirmed_cancel_challenge_lasts_its_window() {
        let now = Utc::now();
        let config = ServerConfig::default();
        let mut r = row(ChallengePurpose::Cancel, now);
        r.state = ChallengeState::Confirmed;
        r.confirmed_at = Some(now);
        assert!(check_usable(
            &r,
            ChallengePurpose::Cancel,
            now + Duration::minutes(15),
            &config
        )
        .is_ok());
        let late = now + Duration::minutes(15) + Duration::seconds(1);
        assert!(check_usable(&r, ChallengePurpose::Cancel, late, &config).is_err());
        let wrong = check_usable(&r, ChallengePurpose::TokenCreate, now, &config).unwrap_err();
        assert_eq!(wrong.code(), ErrorCode::ChallengeNotCovering);
    }
}
