//! When to retry a failed attempt and how long to wait: exponential backoff
//! with full jitter, or the server's `Retry-After` when it sent one.

use std::time::Duration;

use apptctl_api::ErrorCode;
use rand::Rng;

/// First backoff step; doubled per attempt up to [`MAX_BACKOFF`].
const BASE_BACKOFF: Duration = Duration::from_millis(100);

/// Upper bound of one computed backoff wait.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Upper bound of a wait the server asks for, so a bad `Retry-After` cannot
/// hang a script for hours.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Why an attempt is worth repeating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryCause {
    /// 5xx or 429 (with the code from the problem body, if any).
    Status(u16),
    /// Another request with the same idempotency key is still running.
    InProgress,
    /// The connection could not be made.
    Connect,
    /// Sent, but no answer came.
    NoAnswer,
}

impl std::fmt::Display for RetryCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RetryCause::Status(status) => write!(f, "HTTP {status}"),
            RetryCause::InProgress => f.write_str("idempotency_in_progress"),
            RetryCause::Connect => f.write_str("connect failed"),
            RetryCause::NoAnswer => f.write_str("no answer"),
        }
    }
}

/// One retry about to happen, for observers such as the batch journal.
#[derive(Debug, Clone)]
pub struct RetryNote {
    /// 1 for the first retry.
    pub retry: u32,
    pub cause: RetryCause,
    pub wait: Duration,
}

/// Whether an error answer with this status and code should be retried.
pub fn retryable_status(status: u16, code: Option<ErrorCode>) -> Option<RetryCause> {
    match (status, code) {
        (409, Some(ErrorCode::IdempotencyInProgress)) => Some(RetryCause::InProgress),
        (429, _) | (500..=599, _) => Some(RetryCause::Status(status)),
        _ => None,
    }
}

/// The wait before retry number `retry` (1-based): the server's
/// `Retry-After` when given (capped), else full jitter over an exponential
/// ceiling.
pub fn backoff(retry: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(asked) = retry_after {
        return asked.min(MAX_RETRY_AFTER);
    }
    let ceiling = BASE_BACKOFF
        .saturating_mul(1u32 << retry.saturating_sub(1).min(16))
        .min(MAX_BACKOFF);
    let millis = rand::thread_rng().gen_range(0..=ceiling.as_millis() as u64);
    Duration::from_millis(millis)
}

/// `Retry-After` as a wait: seconds, or an HTTP date (a date in the past
/// means no wait).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_under_its_ceiling() {
        for retry in 1..40 {
            assert!(backoff(retry, None) <= MAX_BACKOFF);
        }
        assert!(backoff(1, None) <= BASE_BACKOFF);
    }

    #[test]
    fn retry_after_wins_but_is_capped() {
        assert_eq!(
            backoff(1, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(backoff(1, Some(Duration::from_secs(3600))), MAX_RETRY_AFTER);
    }

    #[test]
    fn only_transient_answers_are_retried() {
        assert!(retryable_status(503, None).is_some());
        assert!(retryable_status(429, Some(ErrorCode::RateLimited)).is_some());
        assert!(retryable_status(409, Some(ErrorCode::IdempotencyInProgress)).is_some());
        assert!(retryable_status(409, Some(ErrorCode::SlotTaken)).is_none());
        assert!(retryable_status(404, None).is_none());
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(60)).to_rfc2822();
        let wait = parse_retry_after(&soon).unwrap();
        assert!(
            wait > Duration::from_secs(50) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
