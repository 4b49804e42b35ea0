//! Mapping between PostgreSQL rows and domain values. Columns are read with
//! `try_get`, so a row that does not match its type is an internal error of
//! the request, never a panic.

use std::str::FromStr;

use apptctl_api::records::{DepartmentRef, RecordStatus, ServiceRef};
use apptctl_api::slots::Slot;
use apptctl_api::{RecordId, SlotId};
use chrono::{DateTime, Utc};
use postgres::types::FromSql;
use postgres::{Row, Transaction};

use crate::domain::records::RecordRow;
use crate::error::ApiError;
pub use crate::store::common::{
    enum_from_text, enum_text, from_secs, like_literal, record_number, secs, slot_number,
    to_record_id, to_slot_id, ACTIVE_SQL,
};

/// Column `index` of `row`, as `T`.
pub fn col<'a, T: FromSql<'a>>(row: &'a Row, index: usize) -> Result<T, ApiError> {
    Ok(row.try_get(index)?)
}

pub fn time(row: &Row, index: usize) -> Result<DateTime<Utc>, ApiError> {
    let value: i64 = col(row, index)?;
    from_secs(value).ok_or_else(|| bad_column(index, "timestamp out of range"))
}

pub fn optional_time(row: &Row, index: usize) -> Result<Option<DateTime<Utc>>, ApiError> {
    let value: Option<i64> = col(row, index)?;
    value
        .map(|v| from_secs(v).ok_or_else(|| bad_column(index, "timestamp out of range")))
        .transpose()
}

pub fn record_id(row: &Row, index: usize) -> Result<RecordId, ApiError> {
    let value: i64 = col(row, index)?;
    to_record_id(value).ok_or_else(|| bad_column(index, "record number out of range"))
}

pub fn optional_record_id(row: &Row, index: usize) -> Result<Option<RecordId>, ApiError> {
    let value: Option<i64> = col(row, index)?;
    value
        .map(|v| to_record_id(v).ok_or_else(|| bad_column(index, "record number out of range")))
        .transpose()
}

/// A text column holding one of the wire names of `T`.
pub fn parsed<T: FromStr>(row: &Row, index: usize) -> Result<T, ApiError> {
    let text: String = col(row, index)?;
    text.parse()
        .map_err(|_| bad_column(index, "unknown enum value"))
}

/// A text column holding a serde enum (purpose, state, channel...).
pub fn json_enum<T: serde::de::DeserializeOwned>(row: &Row, index: usize) -> Result<T, ApiError> {
    let text: String = col(row, index)?;
    enum_from_text(text).ok_or_else(|| bad_column(index, "unknown enum value"))
}

fn bad_column(index: usize, message: &str) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("column {index}: {message}"))
}

/// The columns [`record_row`] reads, with [`RECORD_FROM`].
pub const RECORD_COLUMNS: &str = "r.id, r.status, r.service_code, s.name, s.category, \
     r.department_id, d.name, d.address, r.slot_id, r.starts_at, r.ends_at, r.created_at, \
     r.updated_at, r.rebooked_from, r.rebooked_to, r.owner_id";

pub const RECORD_FROM: &str = "FROM records r JOIN services s ON s.code = r.service_code \
     JOIN departments d ON d.id = r.department_id";

pub fn record_row(row: &Row) -> Result<RecordRow, ApiError> {
    let status: RecordStatus = parsed(row, 1)?;
    Ok(RecordRow {
        id: record_id(row, 0)?,
        status,
        service: ServiceRef {
            code: col(row, 2)?,
            name: col(row, 3)?,
            category: col(row, 4)?,
        },
        department: DepartmentRef {
            id: col(row, 5)?,
            name: col(row, 6)?,
            address: col(row, 7)?,
        },
        slot_id: to_slot_id(col(row, 8)?),
        starts_at: time(row, 9)?,
        ends_at: time(row, 10)?,
        created_at: time(row, 11)?,
        updated_at: time(row, 12)?,
        rebooked_from: optional_record_id(row, 13)?,
        rebooked_to: optional_record_id(row, 14)?,
        owner_id: col(row, 15)?,
    })
}

pub fn load_record(tx: &mut Transaction, id: RecordId) -> Result<Option<RecordRow>, ApiError> {
    let sql = format!("SELECT {RECORD_COLUMNS} {RECORD_FROM} WHERE r.id = $1");
    tx.query_opt(&sql, &[&record_number(id)])?
        .map(|row| record_row(&row))
        .transpose()
}

/// The columns [`slot_row`] reads, with [`SLOT_FROM`].
pub const SLOT_COLUMNS: &str = "sl.id, sl.service_code, s.name, s.category, sl.department_id, \
     d.name, d.address, sl.starts_at, sl.ends_at, \
     NOT EXISTS (SELECT 1 FROM records x WHERE x.slot_id = sl.id \
         AND x.status IN ('pending', 'confirmed', 'in_progress'))";

pub const SLOT_FROM: &str = "FROM slots sl JOIN services s ON s.code = sl.service_code \
     JOIN departments d ON d.id = sl.department_id";

/// The condition that a slot (`sl`) is not held by an active record.
pub const SLOT_IS_FREE: &str = "NOT EXISTS (SELECT 1 FROM records x WHERE x.slot_id = sl.id \
     AND x.status IN ('pending', 'confirmed', 'in_progress'))";

pub fn slot_row(row: &Row) -> Result<Slot, ApiError> {
    Ok(Slot {
        id: to_slot_id(col(row, 0)?),
        service: ServiceRef {
            code: col(row, 1)?,
            name: col(row, 2)?,
            category: col(row, 3)?,
        },
        department: DepartmentRef {
            id: col(row, 4)?,
            name: col(row, 5)?,
            address: col(row, 6)?,
        },
        starts_at: time(row, 7)?,
        ends_at: time(row, 8)?,
        free: col(row, 9)?,
    })
}

pub fn load_slot(tx: &mut Transaction, id: SlotId) -> Result<Option<Slot>, ApiError> {
    let sql = format!("SELECT {SLOT_COLUMNS} {SLOT_FROM} WHERE sl.id = $1");
    tx.query_opt(&sql, &[&slot_number(id)])?
        .map(|row| slot_row(&row))
        .transpose()
}
