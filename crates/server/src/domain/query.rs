//! Parsing list queries at the edge: dates and instants, page sizes and the
//! opaque keyset cursors.

use apptctl_api::{ErrorCode, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::error::ApiError;

/// Which end of a date range a bare date names: `from` a day means its start,
/// `to` a day includes the whole day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeEnd {
    From,
    To,
}

/// An RFC 3339 instant, or a `YYYY-MM-DD` date (UTC).
pub fn parse_instant(field: &str, text: &str, end: RangeEnd) -> Result<DateTime<Utc>, ApiError> {
    let text = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant.to_utc());
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|_| text.len() == 10);
    let start = day.and_then(|d| match end {
        RangeEnd::From => Some(d),
        RangeEnd::To => d.checked_add_days(Days::new(1)),
    });
    match start.and_then(|d| d.and_hms_opt(0, 0, 0)) {
        Some(midnight) => Ok(midnight.and_utc()),
        None => Err(ApiError::new(
            ErrorCode::InvalidDate,
            format!("{field}={text:?} is not a date"),
            "use YYYY-MM-DD or an RFC 3339 time like 2026-12-03T10:00:00Z",
        )),
    }
}

/// The optional bound `field` of a query.
pub fn parse_bound(
    field: &str,
    text: Option<&str>,
    end: RangeEnd,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| parse_instant(field, t, end))
        .transpose()
}

/// The page size: 1 to `MAX_PAGE_SIZE`, `DEFAULT_PAGE_SIZE` when absent.
pub fn page_size(limit: Option<u32>) -> Result<u32, ApiError> {
    match limit {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::new(
            ErrorCode::InvalidRequest,
            format!("limit={n} is out of range"),
            format!("use a limit from 1 to {MAX_PAGE_SIZE}, and the cursor for more"),
        )),
    }
}

/// Where the next page starts: the sort key of the last item shown. The
/// text form is opaque to clients; a kind tag stops a cursor of one list
/// from being used on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub primary: i64,
    pub secondary: i64,
}

impl Cursor {
    pub fn encode(self, kind: &str) -> String {
        URL_SAFE_NO_PAD.encode(format!("{kind}:{}:{}", self.primary, self.secondary))
    }

    pub fn decode(kind: &str, text: &str) -> Result<Cursor, ApiError> {
        let parsed = URL_SAFE_NO_PAD
            .decode(text.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|plain| {
                let mut parts = plain.split(':');
                let tag = parts.next()?;
                let primary = parts.next()?.parse().ok()?;
                let secondary = parts.next()?.parse().ok()?;
                (tag == kind && parts.next().is_none()).then_some(Cursor { primary, secondary })
            });
        parsed.ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidCursor,
                "the cursor is not valid for this list",
                "pass the next_cursor of the previous page unchanged, or start without one",
            )
        })
    }
}

/// The optional cursor of a query.
pub fn parse_cursor(kind: &str, text: Option<&str>) -> Result<Option<Cursor>, ApiError> {
    text.filter(|t| !t.is_empty())
        .map(|t| Cursor::decode(kind, t))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_instants() {
        let from = parse_instant("from", "2026-12-03", RangeEnd::From).unwrap();
        assert_eq!(from.to_rfc3339(), "2026-12-03T00:00:00+00:00");
        let to = parse_instant("to", "2026-12-03", RangeEnd::To).unwrap();
        assert_eq!(to.to_rfc3339(), "2026-12-04T00:00:00+00:00");
        let exact = parse_instant("from", "2026-12-03T10:00:00+03:00", RangeEnd::From).unwrap();
        assert_eq!(exact.to_rfc3339(), "2026-12-03T07:00:00+00:00");
        for bad in ["2026-13-01", "yesterday", "2026-1-1", "'; drop table"] {
            assert_eq!(
                parse_instant("from", bad, RangeEnd::From)
                    .unwrap_err()
                    .code(),
                ErrorCode::InvalidDate
            );
        }
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = Cursor {
            primary: 1_700_000_000,
            secondary: 42,
        };
        assert_eq!(Cursor::decode("r", &cursor.encode("r")).unwrap(), cursor);
        assert!(Cursor::decode("h", &cursor.encode("r")).is_err());
        for bad in ["", "!!!", "cjox", "not-a-cursor"] {
            assert_eq!(
                Cursor::decode("r", bad).unwrap_err().code(),
                ErrorCode::InvalidCursor
            );
        }
    }

    #[test]
    fn page_sizes() {
        assert_eq!(page_size(None).unwrap(), DEFAULT_PAGE_SIZE);
        assert_eq!(page_size(Some(MAX_PAGE_SIZE)).unwrap(), MAX_PAGE_SIZE);
        assert!(page_size(Some(0)).is_err());
        assert!(page_size(Some(MAX_PAGE_SIZE + 1)).is_err());
    }
}
