//! The service's tunable rules: the cancellation cutoff, challenge and
//! session lifetimes, login lockout. Defaults follow SPEC §2.

use chrono::Duration;

/// Everything the domain rules need to know that is not in the database.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// A record can be cancelled until `starts_at - cutoff`, inclusive.
    pub cutoff: Duration,
    /// How long a one-time code can be confirmed.
    pub challenge_ttl: Duration,
    /// Wrong codes allowed before a challenge locks.
    pub code_attempts: u32,
    /// How long a confirmed cancel challenge keeps covering its records.
    pub cancel_window: Duration,
    pub session_ttl: Duration,
    /// Failed logins in a row before the account locks.
    pub max_failed_logins: u32,
    pub lockout: Duration,
    /// Every one-time code equals this (dev and tests only).
    pub otp_fixed: Option<String>,
    /// Whether the log shows each one-time code it "sends": the dev server's
    /// way of delivering them. Production leaves delivery to the outbox.
    pub log_codes: bool,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            cutoff: Duration::hours(24),
            challenge_ttl: Duration::minutes(10),
            code_attempts: 5,
            cancel_window: Duration::minutes(15),
            session_ttl: Duration::hours(12),
            max_failed_logins: 5,
            lockout: Duration::minutes(15),
            otp_fixed: None,
            log_codes: true,
        }
    }
}
