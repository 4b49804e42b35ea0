//! Mapping between SQLite rows and domain values: times as Unix seconds,
//! enums as their wire names, record numbers as ids.

use std::str::FromStr;

use apptctl_api::records::{DepartmentRef, RecordStatus, ServiceRef};
use apptctl_api::slots::Slot;
use apptctl_api::{RecordId, SlotId};
use chrono::{DateTime, Utc};
use rusqlite::types::Type;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::domain::records::RecordRow;
use crate::error::ApiError;
pub use crate::store::common::{
    enum_text, like_literal, record_number, secs, slot_number, to_record_id, ACTIVE_SQL,
};

pub fn time(row: &Row, index: usize) -> rusqlite::Result<DateTime<Utc>> {
    let value: i64 = row.get(index)?;
    DateTime::from_timestamp(value, 0).ok_or_else(|| conversion(index, "timestamp out of range"))
}

pub fn optional_time(row: &Row, index: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let value: Option<i64> = row.get(index)?;
    value
        .map(|v| {
            DateTime::from_timestamp(v, 0)
                .ok_or_else(|| conversion(index, "timestamp out of range"))
        })
        .transpose()
}

pub fn record_id(row: &Row, index: usize) -> rusqlite::Result<RecordId> {
    let value: i64 = row.get(index)?;
    to_record_id(value).ok_or_else(|| conversion(index, "record number out of range"))
}

pub fn optional_record_id(row: &Row, index: usize) -> rusqlite::Result<Option<RecordId>> {
    let value: Option<i64> = row.get(index)?;
    value
        .map(|v| to_record_id(v).ok_or_else(|| conversion(index, "record number out of range")))
        .transpose()
}

/// A text column holding one of the wire names of `T`.
pub fn parsed<T: FromStr>(row: &Row, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    text.parse()
        .map_err(|_| conversion(index, "unknown enum value"))
}

/// A text column holding a serde enum (purpose, state, channel...).
pub fn json_enum<T: serde::de::DeserializeOwned>(row: &Row, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_value(serde_json::Value::String(text))
        .map_err(|_| conversion(index, "unknown enum value"))
}

fn conversion(index: usize, message: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, Type::Text, message.to_string().into())
}

/// The columns [`record_row`] reads, with [`RECORD_FROM`].
pub const RECORD_COLUMNS: &str = "r.id, r.status, r.service_code, s.name, s.category, \
     r.department_id, d.name, d.address, r.slot_id, r.starts_at, r.ends_at, r.created_at, \
     r.updated_at, r.rebooked_from, r.rebooked_to, r.owner_id";

/// Records first, so the planner walks a records index in list order.
pub const RECORD_FROM: &str = "FROM records r CROSS JOIN services s ON s.code = r.service_code \
     CROSS JOIN departments d ON d.id = r.department_id";

pub fn record_row(row: &Row) -> rusqlite::Result<RecordRow> {
    let status: RecordStatus = parsed(row, 1)?;
    Ok(RecordRow {
        id: record_id(row, 0)?,
        status,
        service: ServiceRef {
            code: row.get(2)?,
            name: row.get(3)?,
            category: row.get(4)?,
        },
        department: DepartmentRef {
            id: row.get(5)?,
            name: row.get(6)?,
            address: row.get(7)?,
        },
        slot_id: SlotId::new(row.get::<_, i64>(8)?.max(0) as u64),
        starts_at: time(row, 9)?,
        ends_at: time(row, 10)?,
        created_at: time(row, 11)?,
        updated_at: time(row, 12)?,
        rebooked_from: optional_record_id(row, 13)?,
        rebooked_to: optional_record_id(row, 14)?,
        owner_id: row.get(15)?,
    })
}

pub fn load_record(conn: &Connection, id: RecordId) -> Result<Option<RecordRow>, ApiError> {
    let sql = format!("SELECT {RECORD_COLUMNS} {RECORD_FROM} WHERE r.id = ?1");
    let row = conn
        .query_row(&sql, params![record_number(id)], record_row)
        .optional()?;
    Ok(row)
}

/// The columns [`slot_row`] reads, with [`SLOT_FROM`].
pub const SLOT_COLUMNS: &str = "sl.id, sl.service_code, s.name, s.category, sl.department_id, \
     d.name, d.address, sl.starts_at, sl.ends_at, \
     NOT EXISTS (SELECT 1 FROM records x WHERE x.slot_id = sl.id \
         AND x.status IN ('pending', 'confirmed', 'in_progress'))";

pub const SLOT_FROM: &str = "FROM slots sl CROSS JOIN services s ON s.code = sl.service_code \
     CROSS JOIN departments d ON d.id = sl.department_id";

/// The condition that a slot (`sl`) is not held by an active record.
pub const SLOT_IS_FREE: &str = "NOT EXISTS (SELECT 1 FROM records x WHERE x.slot_id = sl.id \
     AND x.status IN ('pending', 'confirmed', 'in_progress'))";

pub fn slot_row(row: &Row) -> rusqlite::Result<Slot> {
    Ok(Slot {
        id: SlotId::new(row.get::<_, i64>(0)?.max(0) as u64),
        service: ServiceRef {
            code: row.get(1)?,
            name: row.get(2)?,
            category: row.get(3)?,
        },
        department: DepartmentRef {
            id: row.get(4)?,
            name: row.get(5)?,
            address: row.get(6)?,
        },
        starts_at: time(row, 7)?,
        ends_at: time(row, 8)?,
        free: row.get(9)?,
    })
}

pub fn load_slot(conn: &Connection, id: SlotId) -> Result<Option<Slot>, ApiError> {
    let sql = format!("SELECT {SLOT_COLUMNS} {SLOT_FROM} WHERE sl.id = ?1");
    Ok(conn
        .query_row(&sql, params![slot_number(id)], slot_row)
        .optional()?)
}
