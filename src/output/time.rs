//! Times for people (local, minutes) and for programs (RFC 3339, UTC).

use chrono::{DateTime, Local, SecondsFormat, Utc};

/// `2026-12-03 16:30` in the local time zone.
pub fn human_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// `2026-12-03T13:30:00Z`.
pub fn machine_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}
