//! What both storage backends share: the mapping of domain values to
//! column values (times as Unix seconds, enums as their wire names, records
//! by number), keyset paging, and the shapes of outbox messages and history
//! events. Only the SQL differs between backends.

use apptctl_api::auth::Scope;
use apptctl_api::cancel::Channel;
use apptctl_api::records::RecordStatus;
use apptctl_api::{RecordId, SlotId};
use chrono::{DateTime, Utc};
use rand::RngCore;

use crate::domain::query::Cursor;
use crate::store::PageOf;

/// The statuses that hold a slot, as an SQL list.
pub const ACTIVE_SQL: &str = "('pending', 'confirmed', 'in_progress')";

pub fn secs(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

pub fn from_secs(value: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(value, 0)
}

pub fn to_record_id(number: i64) -> Option<RecordId> {
    u64::try_from(number).ok().and_then(RecordId::from_number)
}

pub fn record_number(id: RecordId) -> i64 {
    // Record numbers have at most nine digits, far inside i64.
    id.number() as i64
}

pub fn slot_number(id: SlotId) -> i64 {
    i64::try_from(id.number()).unwrap_or(i64::MAX)
}

pub fn to_slot_id(number: i64) -> SlotId {
    SlotId::new(number.max(0) as u64)
}

/// The wire name of a serde enum, for storing.
pub fn enum_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => String::new(),
    }
}

/// A serde enum from its stored wire name.
pub fn enum_from_text<T: serde::de::DeserializeOwned>(text: String) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text)).ok()
}

/// Token scopes as stored: their wire names, comma-separated.
pub fn scopes_text(scopes: &[Scope]) -> String {
    let names: Vec<&str> = scopes.iter().map(|scope| scope.as_str()).collect();
    names.join(",")
}

/// Unknown scope names (from a newer release) are dropped, not fatal.
pub fn parse_scopes(text: &str) -> Vec<Scope> {
    text.split(',')
        .filter_map(|name| name.parse().ok())
        .collect()
}

/// A credential's public id: `prefix` and 16 random hex digits.
pub fn public_id(prefix: &str) -> String {
    let mut bytes = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// Escapes `%`, `_` and `\` so `text` matches literally in `LIKE ... ESCAPE '\'`.
pub fn like_literal(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Cuts the extra row fetched to learn whether another page follows.
pub fn paged<T>(mut items: Vec<T>, limit: u32, key: impl Fn(&T) -> Cursor) -> PageOf<T> {
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next = if more { items.last().map(key) } else { None };
    PageOf { items, next }
}

/// A message in `user_id`'s outbox.
pub struct Message<'a> {
    pub user_id: i64,
    pub channel: Channel,
    pub to: &'a str,
    pub subject: Option<&'a str>,
    pub body: &'a str,
    pub record_id: Option<RecordId>,
}

/// One step in a record's history.
pub struct Event<'a> {
    pub record_id: RecordId,
    pub event: &'a str,
    pub from: Option<RecordStatus>,
    pub to: RecordStatus,
    pub actor: &'a str,
    pub reason: Option<&'a str>,
    pub comment: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_are_literal() {
        assert_eq!(like_literal("50%_off\\"), "50\\%\\_off\\\\");
        assert_eq!(like_literal("o'brien; \"x\""), "o'brien; \"x\"");
    }
}
