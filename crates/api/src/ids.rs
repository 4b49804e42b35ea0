//! Identifiers with a fixed, checkable format.
//!
//! A record id is `R` followed by ten digits: nine for the number and a last
//! check digit computed with the Damm algorithm. Damm catches every
//! single-digit typo and every swap of two adjacent digits, so a mistyped id
//! is rejected by the CLI before any request is sent, and by the server with
//! `invalid_record_id` rather than a misleading `record_not_found`.

use std::fmt;
use std::str::FromStr;

/// Why a string is not a valid identifier. The message is shown to users as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("record id is empty")]
    Empty,
    #[error("record id {0:?} must start with 'R'")]
    Prefix(String),
    #[error("record id {0:?} has {1} digits; a record id is R followed by exactly 10 digits")]
    Length(String, usize),
    #[error("record id {0:?} contains {1:?}; only digits may follow the 'R'")]
    Character(String, char),
    #[error("record id {0:?} fails its check digit (a typo or two swapped digits?)")]
    Checksum(String),
    #[error("slot id {0:?} is not valid; a slot id is S followed by digits, like S1042")]
    Slot(String),
}

/// The Damm quasigroup of order 10 (weakly totally anti-symmetric), as
/// published by H. Michael Damm (2004).
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

fn damm_interim(digits: impl Iterator<Item = u8>) -> u8 {
    digits.fold(0, |interim, d| DAMM[interim as usize][d as usize])
}

/// Digits in a record number, without the check digit.
const RECORD_NUMBER_DIGITS: usize = 9;

/// The largest record number the format can carry.
pub const MAX_RECORD_NUMBER: u64 = 999_999_999;

/// A record (appointment) id, like `R0000000013`. Always valid once built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(u64);

impl RecordId {
    /// The id of record number `n` (1..=999,999,999). Returns `None` when `n`
    /// does not fit the format.
    pub fn from_number(n: u64) -> Option<RecordId> {
        (n <= MAX_RECORD_NUMBER).then_some(RecordId(n))
    }

    /// The record number, the id without prefix and check digit.
    pub fn number(self) -> u64 {
        self.0
    }

    fn check_digit(n: u64) -> u8 {
        let text = format!("{n:0width$}", width = RECORD_NUMBER_DIGITS);
        damm_interim(text.bytes().map(|b| b - b'0'))
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let check = Self::check_digit(self.0);
        write!(
            f,
            "R{:0width$}{check}",
            self.0,
            width = RECORD_NUMBER_DIGITS
        )
    }
}

impl FromStr for RecordId {
    type Err = IdError;

    /// Accepts surrounding white space and a lower-case `r`; nothing else.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        if text.is_empty() {
            return Err(IdError::Empty);
        }

        let Some(digits) = text.strip_prefix(['R', 'r']) else {
            return Err(IdError::Prefix(text.to_string()));
        };
        if let Some(bad) = digits.chars().find(|c| !c.is_ascii_digit()) {
            return Err(IdError::Character(text.to_string(), bad));
        }
        if digits.len() != RECORD_NUMBER_DIGITS + 1 {
            return Err(IdError::Length(text.to_string(), digits.len()));
        }

        if damm_interim(digits.bytes().map(|b| b - b'0')) != 0 {
            return Err(IdError::Checksum(text.to_string()));
        }
        let number = digits[..RECORD_NUMBER_DIGITS]
            .parse()
            .map_err(|_| IdError::Checksum(text.to_string()))?;
        Ok(RecordId(number))
    }
}

impl serde::Serialize for RecordId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for RecordId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for RecordId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[Rr][0-9]{10}$"))
            .description(Some("Record id: R, nine digits, a Damm check digit."))
            .examples([serde_json::json!("R0000000013")])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for RecordId {}

/// A bookable time slot, like `S1042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SlotId(u64);

impl SlotId {
    pub fn new(n: u64) -> SlotId {
        SlotId(n)
    }

    pub fn number(self) -> u64 {
        self.0
    }
}

impl fmt::Display for SlotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "S{}", self.0)
    }
}

impl FromStr for SlotId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let digits = text.strip_prefix(['S', 's']).unwrap_or("");
        let valid = !digits.is_empty() && digits.len() <= 15;
        match digits.parse::<u64>() {
            Ok(n) if valid && digits.bytes().all(|b| b.is_ascii_digit()) => Ok(SlotId(n)),
            _ => Err(IdError::Slot(text.to_string())),
        }
    }
}

impl serde::Serialize for SlotId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for SlotId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for SlotId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[Ss][0-9]{1,15}$"))
            .description(Some("Slot id: S followed by digits."))
            .examples([serde_json::json!("S1042")])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for SlotId {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        for n in [1, 13, 999, 123_456_789, MAX_RECORD_NUMBER] {
            let id = RecordId::from_number(n).unwrap();
            let text = id.to_string();
            assert_eq!(text.len(), 11);
            assert_eq!(text.parse::<RecordId>().unwrap(), id);
        }
    }

    #[test]
    fn rejects_every_single_digit_typo_and_adjacent_swap() {
        let good = RecordId::from_number(123_456_789).unwrap().to_string();
        let digits: Vec<u8> = good[1..].bytes().collect();

        for i in 0..digits.len() {
            for d in b'0'..=b'9' {
                if d == digits[i] {
                    continue;
                }
                let mut typo = digits.clone();
                typo[i] = d;
                let text = format!("R{}", String::from_utf8(typo).unwrap());
                assert!(text.parse::<RecordId>().is_err(), "{text} accepted");
            }
        }

        for i in 0..digits.len() - 1 {
            if digits[i] == digits[i + 1] {
                continue;
            }
            let mut swapped = digits.clone();
            swapped.swap(i, i + 1);
            let text = format!("R{}", String::from_utf8(swapped).unwrap());
            assert!(matches!(
                text.parse::<RecordId>(),
                Err(IdError::Checksum(_))
            ));
        }
    }

    #[test]
    fn names_what_is_wrong() {
        assert_eq!("".parse::<RecordId>(), Err(IdError::Empty));
        assert!(matches!(
            "X0000000013".parse::<RecordId>(),
            Err(IdError::Prefix(_))
        ));
        assert!(matches!(
            "R000000013".parse::<RecordId>(),
            Err(IdError::Length(_, 9))
        ));
        assert!(matches!(
            "R00000000130".parse::<RecordId>(),
            Err(IdError::Length(_, 11))
        ));
        assert!(matches!(
            "R00000'0013".parse::<RecordId>(),
            Err(IdError::Character(_, '\''))
        ));
        assert_eq!(" r0000000013\n".parse::<RecordId>().unwrap().number(), 1);
    }

    #[test]
    fn slot_ids() {
        assert_eq!("S1042".parse::<SlotId>().unwrap(), SlotId::new(1042));
        for bad in ["", "S", "1042", "S-1", "S1 2", "S99999999999999999999"] {
            assert!(bad.parse::<SlotId>().is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn parser_never_panics(text in "\\PC{0,40}") {
            let _ = text.parse::<RecordId>();
            let _ = text.parse::<SlotId>();
        }

        /// The check digit catches every single-digit error and every swap
        /// of two adjacent different digits, check digit included, and each
        /// refusal says what is wrong.
        #[test]
        fn mistyped_ids_are_always_caught(
            n in 1u64..=999_999_999,
            at in 1usize..=10,
            digit in 0u8..10,
        ) {
            let good = RecordId::from_number(n).unwrap().to_string();
            proptest::prop_assert_eq!(good.parse::<RecordId>().unwrap().number(), n);

            let mut typo = good.clone().into_bytes();
            if typo[at] != b'0' + digit {
                typo[at] = b'0' + digit;
                let typo = String::from_utf8(typo).unwrap();
                let err = typo.parse::<RecordId>().unwrap_err();
                proptest::prop_assert!(!err.to_string().is_empty());
            }
            let mut swapped = good.into_bytes();
            if at < 10 && swapped[at] != swapped[at + 1] {
                swapped.swap(at, at + 1);
                let swapped = String::from_utf8(swapped).unwrap();
                proptest::prop_assert!(swapped.parse::<RecordId>().is_err(), "{}", swapped);
            }
        }
    }
}
