//! Reading records, slots and reference data in PostgreSQL: record lists
//! with keyset pagination, a record's details, free slots, and the services
//! and departments. The answers, their order and their cursors are those of
//! the SQLite store.

use apptctl_api::records::{
    Applicant, DepartmentRef, Document, RecordEvent, RecordStatus, ServiceRef, Specialist,
    StaffComment,
};
use apptctl_api::slots::Slot;
use apptctl_api::{ErrorCode, RecordId};
use postgres::{Row, Transaction};

use super::journal::{paged, Args};
use super::rows::*;
use crate::domain::access::Visibility;
use crate::domain::query::Cursor;
use crate::domain::records::RecordRow;
use crate::error::ApiError;
use crate::store::{OpContext, PageOf, PageRequest, RecordDetailsRow, RecordFilter, SlotFilter};

/// How many free alternatives a `slot_taken` answer lists.
const ALTERNATIVES: i64 = 5;

/// A service name folded the way SQLite's LIKE folds it: ASCII letters only,
/// so both backends find the same records for the same search.
const FOLDED_SERVICE_NAME: &str =
    "translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')";

pub fn list(
    tx: &mut Transaction,
    visibility: &Visibility,
    filter: &RecordFilter,
    page: PageRequest,
) -> Result<PageOf<RecordRow>, ApiError> {
    let mut conditions = Vec::new();
    let mut args = Args::default();
    visible_condition(visibility, &mut conditions, &mut args);
    filter_conditions(filter, &mut conditions, &mut args);
    if let Some(after) = page.after {
        let (starts_at, id) = (args.push(after.primary), args.push(after.secondary));
        conditions.push(format!("(r.starts_at, r.id) > ({starts_at}, {id})"));
    }

    let limit = args.push(i64::from(page.limit) + 1);
    let sql = format!(
        "SELECT {RECORD_COLUMNS} {RECORD_FROM} WHERE {} ORDER BY r.starts_at, r.id LIMIT {limit}",
        conditions.join(" AND ")
    );
    let rows = tx.query(&sql, &args.refs())?;
    let items = rows.iter().map(record_row).collect::<Result<Vec<_>, _>>()?;
    Ok(paged(items, page.limit, |r| Cursor {
        primary: secs(r.starts_at),
        secondary: record_number(r.id),
    }))
}

fn visible_condition(visibility: &Visibility, conditions: &mut Vec<String>, args: &mut Args) {
    match visibility {
        Visibility::Owner(user_id) => {
            conditions.push(format!("r.owner_id = {}", args.push(*user_id)));
        }
        Visibility::Departments(ids) if ids.is_empty() => conditions.push("FALSE".to_string()),
        Visibility::Departments(ids) => {
            conditions.push(format!("r.department_id = ANY({})", args.push(ids.clone())));
        }
    }
}

fn filter_conditions(filter: &RecordFilter, conditions: &mut Vec<String>, args: &mut Args) {
    // PostgreSQL refuses a NUL inside a text parameter. No code, name or id
    // holds one, so such a filter matches nothing, as it does on SQLite.
    let texts = [
        &filter.service,
        &filter.category,
        &filter.department,
        &filter.search,
    ];
    if texts
        .iter()
        .any(|text| text.as_deref().is_some_and(holds_nul))
    {
        conditions.push("FALSE".to_string());
        return;
    }

    if let [status] = filter.statuses.as_slice() {
        conditions.push(format!("r.status = {}", args.push(status.as_str())));
    } else if !filter.statuses.is_empty() {
        let statuses: Vec<&'static str> = filter.statuses.iter().map(|s| s.as_str()).collect();
        conditions.push(format!("r.status = ANY({})", args.push(statuses)));
    }
    if let Some(service) = &filter.service {
        conditions.push(format!("r.service_code = {}", args.push(service.clone())));
    }
    if let Some(category) = &filter.category {
        conditions.push(format!(
            "r.service_code IN (SELECT code FROM services WHERE category = {})",
            args.push(category.clone())
        ));
    }
    if let Some(department) = &filter.department {
        conditions.push(format!(
            "r.department_id = {}",
            args.push(department.clone())
        ));
    }
    if let Some(from) = filter.from {
        conditions.push(format!("r.starts_at >= {}", args.push(secs(from))));
    }
    if let Some(to) = filter.to {
        conditions.push(format!("r.starts_at < {}", args.push(secs(to))));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        conditions.push(search_condition(search, args));
    }
}

fn holds_nul(text: &str) -> bool {
    text.contains('\0')
}

/// Matches the service name, or the record id: a whole id exactly, a part of
/// one (digits, optionally after `R`) as a substring of its number.
fn search_condition(search: &str, args: &mut Args) -> String {
    let pattern = args.push(format!("%{}%", like_literal(&search.to_ascii_lowercase())));
    let name_match = format!(
        "r.service_code IN (SELECT code FROM services \
         WHERE {FOLDED_SERVICE_NAME} LIKE {pattern} ESCAPE '\\')"
    );

    if let Ok(id) = search.parse::<RecordId>() {
        return format!("({name_match} OR r.id = {})", args.push(record_number(id)));
    }
    let digits = search.strip_prefix(['R', 'r']).unwrap_or(search);
    let id_like =
        !digits.is_empty() && digits.len() <= 9 && digits.bytes().all(|b| b.is_ascii_digit());
    if id_like {
        // Record numbers have at most nine digits, so the padding never cuts.
        let prefix = if search.len() > digits.len() { "R" } else { "" };
        let part = args.push(format!("%{prefix}{digits}%"));
        return format!("({name_match} OR 'R' || lpad(r.id::text, 9, '0') LIKE {part})");
    }
    name_match
}

pub fn details(tx: &mut Transaction, id: RecordId) -> Result<Option<RecordDetailsRow>, ApiError> {
    let Some(record) = load_record(tx, id)? else {
        return Ok(None);
    };
    let (applicant, owner_name) = applicant(tx, record.owner_id)?;
    let number = record_number(id);

    Ok(Some(RecordDetailsRow {
        applicant,
        documents: documents(tx, number)?,
        comments: staff_comments(tx, number)?,
        specialist: specialist(tx, number)?,
        history: history(tx, &record, owner_name)?,
        record,
    }))
}

/// The owner's contact details and username.
fn applicant(tx: &mut Transaction, owner_id: i64) -> Result<(Applicant, String), ApiError> {
    let row = tx.query_one(
        "SELECT name, phone, email, username FROM users WHERE id = $1",
        &[&owner_id],
    )?;
    let applicant = Applicant {
        name: col(&row, 0)?,
        phone: col(&row, 1)?,
        email: col(&row, 2)?,
    };
    Ok((applicant, col(&row, 3)?))
}

fn documents(tx: &mut Transaction, record: i64) -> Result<Vec<Document>, ApiError> {
    let rows = tx.query(
        "SELECT name, url FROM documents WHERE record_id = $1 ORDER BY id",
        &[&record],
    )?;
    rows.iter()
        .map(|row| {
            Ok(Document {
                name: col(row, 0)?,
                url: col(row, 1)?,
            })
        })
        .collect()
}

fn staff_comments(tx: &mut Transaction, record: i64) -> Result<Vec<StaffComment>, ApiError> {
    let rows = tx.query(
        "SELECT author, at, text FROM staff_comments WHERE record_id = $1 ORDER BY at, id",
        &[&record],
    )?;
    rows.iter()
        .map(|row| {
            Ok(StaffComment {
                author: col(row, 0)?,
                at: time(row, 1)?,
                text: col(row, 2)?,
            })
        })
        .collect()
}

fn specialist(tx: &mut Transaction, record: i64) -> Result<Option<Specialist>, ApiError> {
    let row = tx.query_one(
        "SELECT specialist_name, COALESCE(specialist_phone, ''), COALESCE(specialist_email, '') \
         FROM records WHERE id = $1",
        &[&record],
    )?;
    let name: Option<String> = col(&row, 0)?;
    let (phone, email) = (col(&row, 1)?, col(&row, 2)?);
    Ok(name.map(|name| Specialist { name, phone, email }))
}

/// The derived `created` event followed by the stored ones.
fn history(
    tx: &mut Transaction,
    record: &RecordRow,
    owner: String,
) -> Result<Vec<RecordEvent>, ApiError> {
    let created = RecordEvent {
        at: record.created_at,
        event: "created".to_string(),
        from_status: None,
        to_status: RecordStatus::Pending,
        actor: owner,
        reason: None,
        comment: None,
    };
    let rows = tx.query(
        "SELECT at, event, from_status, to_status, actor, reason, comment FROM record_events \
         WHERE record_id = $1 ORDER BY at, id",
        &[&record_number(record.id)],
    )?;
    let mut events = vec![created];
    for row in &rows {
        events.push(stored_event(row)?);
    }
    Ok(events)
}

fn stored_event(row: &Row) -> Result<RecordEvent, ApiError> {
    let from: Option<String> = col(row, 2)?;
    let reason: Option<String> = col(row, 5)?;
    Ok(RecordEvent {
        at: time(row, 0)?,
        event: col(row, 1)?,
        from_status: from.and_then(|s| s.parse().ok()),
        to_status: parsed(row, 3)?,
        actor: col(row, 4)?,
        reason: reason.and_then(|r| r.parse().ok()),
        comment: col(row, 6)?,
    })
}

/// The nearest free slots of a service, those of `department` first.
pub fn alternatives(
    tx: &mut Transaction,
    ctx: &OpContext,
    service: &str,
    department: &str,
) -> Result<Vec<Slot>, ApiError> {
    let same = format!(
        "SELECT {SLOT_COLUMNS} {SLOT_FROM} WHERE sl.service_code = $1 AND sl.department_id = $2 \
         AND sl.starts_at > $3 AND {SLOT_IS_FREE} ORDER BY sl.starts_at, sl.id LIMIT $4"
    );
    let now = secs(ctx.now);
    let rows = tx.query(&same, &[&service, &department, &now, &ALTERNATIVES])?;
    let mut found = rows.iter().map(slot_row).collect::<Result<Vec<_>, _>>()?;

    let missing = ALTERNATIVES - found.len() as i64;
    if missing > 0 {
        let others = format!(
            "SELECT {SLOT_COLUMNS} {SLOT_FROM} \
             WHERE sl.service_code = $1 AND sl.department_id <> $2 \
             AND sl.starts_at > $3 AND {SLOT_IS_FREE} ORDER BY sl.starts_at, sl.id LIMIT $4"
        );
        let rows = tx.query(&others, &[&service, &department, &now, &missing])?;
        for row in &rows {
            found.push(slot_row(row)?);
        }
    }
    Ok(found)
}

pub fn list_slots(
    tx: &mut Transaction,
    filter: &SlotFilter,
    page: PageRequest,
) -> Result<PageOf<Slot>, ApiError> {
    if !service_exists(tx, &filter.service)? {
        return Err(ApiError::new(
            ErrorCode::ServiceNotFound,
            format!("service {:?} not found", filter.service),
            "list service codes with GET /v1/services",
        ));
    }

    let mut args = Args::default();
    let mut conditions = vec![
        format!("sl.service_code = {}", args.push(filter.service.clone())),
        format!("sl.starts_at >= {}", args.push(secs(filter.from))),
        SLOT_IS_FREE.to_string(),
    ];
    match &filter.department {
        // No department id holds a NUL, which PostgreSQL would refuse.
        Some(department) if holds_nul(department) => conditions.push("FALSE".to_string()),
        Some(department) => {
            conditions.push(format!(
                "sl.department_id = {}",
                args.push(department.clone())
            ));
        }
        None => {}
    }
    if let Some(to) = filter.to {
        conditions.push(format!("sl.starts_at < {}", args.push(secs(to))));
    }
    if let Some(after) = page.after {
        let (starts_at, id) = (args.push(after.primary), args.push(after.secondary));
        conditions.push(format!("(sl.starts_at, sl.id) > ({starts_at}, {id})"));
    }

    let limit = args.push(i64::from(page.limit) + 1);
    let sql = format!(
        "SELECT {SLOT_COLUMNS} {SLOT_FROM} WHERE {} ORDER BY sl.starts_at, sl.id LIMIT {limit}",
        conditions.join(" AND ")
    );
    let rows = tx.query(&sql, &args.refs())?;
    let slots = rows.iter().map(slot_row).collect::<Result<Vec<_>, _>>()?;
    Ok(paged(slots, page.limit, |s| Cursor {
        primary: secs(s.starts_at),
        secondary: slot_number(s.id),
    }))
}

fn service_exists(tx: &mut Transaction, code: &str) -> Result<bool, ApiError> {
    // A code holding a NUL names no service; PostgreSQL would refuse it.
    if holds_nul(code) {
        return Ok(false);
    }
    let row = tx.query_one(
        "SELECT EXISTS (SELECT 1 FROM services WHERE code = $1)",
        &[&code],
    )?;
    col(&row, 0)
}

// `COLLATE "C"` orders by bytes, as SQLite does, whatever the database's
// own collation.

pub fn services(tx: &mut Transaction) -> Result<Vec<ServiceRef>, ApiError> {
    let rows = tx.query(
        "SELECT code, name, category FROM services ORDER BY code COLLATE \"C\"",
        &[],
    )?;
    rows.iter()
        .map(|row| {
            Ok(ServiceRef {
                code: col(row, 0)?,
                name: col(row, 1)?,
                category: col(row, 2)?,
            })
        })
        .collect()
}

pub fn departments(tx: &mut Transaction) -> Result<Vec<DepartmentRef>, ApiError> {
    let rows = tx.query(
        "SELECT id, name, address FROM departments ORDER BY id COLLATE \"C\"",
        &[],
    )?;
    rows.iter()
        .map(|row| {
            Ok(DepartmentRef {
                id: col(row, 0)?,
                name: col(row, 1)?,
                address: col(row, 2)?,
            })
        })
        .collect()
}
