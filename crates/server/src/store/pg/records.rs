//! Reading records, slots and reference data in PostgreSQL. (Being ported.)
#![allow(unused_variables)]

use apptctl_api::records::{DepartmentRef, ServiceRef};
use apptctl_api::slots::Slot;
use apptctl_api::RecordId;
use postgres::Transaction;

use crate::domain::access::Visibility;
use crate::domain::records::RecordRow;
use crate::error::ApiError;
use crate::store::{PageOf, PageRequest, RecordDetailsRow, RecordFilter, SlotFilter};

fn unported() -> ApiError {
    ApiError::Internal(anyhow::anyhow!("not ported yet"))
}

pub fn list(
    tx: &mut Transaction,
    visibility: &Visibility,
    filter: &RecordFilter,
    page: PageRequest,
) -> Result<PageOf<RecordRow>, ApiError> {
    Err(unported())
}

pub fn details(tx: &mut Transaction, id: RecordId) -> Result<Option<RecordDetailsRow>, ApiError> {
    Err(unported())
}

pub fn list_slots(
    tx: &mut Transaction,
    filter: &SlotFilter,
    page: PageRequest,
) -> Result<PageOf<Slot>, ApiError> {
    Err(unported())
}

pub fn services(tx: &mut Transaction) -> Result<Vec<ServiceRef>, ApiError> {
    Err(unported())
}

pub fn departments(tx: &mut Transaction) -> Result<Vec<DepartmentRef>, ApiError> {
    Err(unported())
}

/// TEMP stand-in until the ported `alternatives` lands: the nearest free
/// slots of a service, those of `department` first.
pub fn alternatives(
    tx: &mut Transaction,
    ctx: &crate::store::OpContext,
    service: &str,
    department: &str,
) -> Result<Vec<Slot>, ApiError> {
    use super::rows::{secs, slot_row, SLOT_COLUMNS, SLOT_FROM, SLOT_IS_FREE};
    let sql = format!(
        "SELECT {SLOT_COLUMNS} {SLOT_FROM} WHERE sl.service_code = $1 AND sl.starts_at > $3 \
         AND {SLOT_IS_FREE} ORDER BY sl.department_id <> $2, sl.starts_at, sl.id LIMIT 5"
    );
    tx.query(&sql, &[&service, &department, &secs(ctx.now)])?
        .iter()
        .map(slot_row)
        .collect()
}
