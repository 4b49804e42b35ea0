//! Records and slots in SQLite: lists with keyset pagination, details, and
//! the storage side of the state changes (cancel, reschedule, rebook),
//! whose logic lives in [`crate::store::changes`].

use apptctl_api::cancel::{Challenge, ChallengePurpose};
use apptctl_api::records::{
    Applicant, DepartmentRef, Document, RecordEvent, RecordStatus, ServiceRef, Specialist,
    StaffComment,
};
use apptctl_api::slots::Slot;
use apptctl_api::{ErrorCode, RecordId, SlotId};
use chrono::{DateTime, Utc};
use rusqlite::types::ToSql;
use rusqlite::{params, params_from_iter, Connection, ErrorCode as SqliteCode};

use super::challenges;
use super::journal::{audit_ok, insert_event, notify, paged, Event, Message};
use super::rows::*;
use crate::auth::Actor;
use crate::domain::access::Visibility;
use crate::domain::challenge::ChallengeRow;
use crate::domain::query::Cursor;
use crate::domain::records::RecordRow;
use crate::error::ApiError;
use crate::store::changes::{self, RecordChanges, RecordPlace, SlotWrite};
use crate::store::{
    CancelCommand, CancelResult, OpContext, PageOf, PageRequest, RebookTarget, RecordDetailsRow,
    RecordFilter, SlotFilter,
};

/// How many free alternatives a `slot_taken` answer lists.
const ALTERNATIVES: usize = 5;

pub fn list(
    conn: &Connection,
    visibility: &Visibility,
    filter: &RecordFilter,
    page: PageRequest,
) -> Result<PageOf<RecordRow>, ApiError> {
    let mut conditions = Vec::new();
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    visible_condition(visibility, &mut conditions, &mut args);
    filter_conditions(filter, &mut conditions, &mut args);
    if let Some(after) = page.after {
        conditions.push("(r.starts_at, r.id) > (?, ?)".to_string());
        args.push(Box::new(after.primary));
        args.push(Box::new(after.secondary));
    }

    let sql = format!(
        "SELECT {RECORD_COLUMNS} {RECORD_FROM} WHERE {} ORDER BY r.starts_at, r.id LIMIT {}",
        conditions.join(" AND "),
        page.limit + 1
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params_from_iter(args.iter()), record_row)?;
    let items = rows.collect::<Result<Vec<_>, _>>()?;
    Ok(paged(items, page.limit, |r| Cursor {
        primary: secs(r.starts_at),
        secondary: record_number(r.id),
    }))
}

fn visible_condition(
    visibility: &Visibility,
    conditions: &mut Vec<String>,
    args: &mut Vec<Box<dyn ToSql>>,
) {
    match visibility {
        Visibility::Owner(user_id) => {
            conditions.push("r.owner_id = ?".to_string());
            args.push(Box::new(*user_id));
        }
        Visibility::Departments(ids) if ids.is_empty() => conditions.push("0".to_string()),
        Visibility::Departments(ids) => {
            // The unary `+` keeps the planner off the department index: walking
            // records_start in list order beats sorting every record of
            // several departments.
            conditions.push(format!(
                "+r.department_id IN ({})",
                vec!["?"; ids.len()].join(", ")
            ));
            args.extend(ids.iter().map(|id| Box::new(id.clone()) as Box<dyn ToSql>));
        }
    }
}

fn filter_conditions(
    filter: &RecordFilter,
    conditions: &mut Vec<String>,
    args: &mut Vec<Box<dyn ToSql>>,
) {
    if let [status] = filter.statuses.as_slice() {
        conditions.push("r.status = ?".to_string());
        args.push(Box::new(status.as_str()));
    } else if !filter.statuses.is_empty() {
        // Several statuses: an index on status would need a full sort, so
        // `+` keeps the scan in list order instead.
        conditions.push(format!(
            "+r.status IN ({})",
            vec!["?"; filter.statuses.len()].join(", ")
        ));
        args.extend(
            filter
                .statuses
                .iter()
                .map(|s| Box::new(s.as_str()) as Box<dyn ToSql>),
        );
    }
    if let Some(service) = &filter.service {
        conditions.push("r.service_code = ?".to_string());
        args.push(Box::new(service.clone()));
    }
    if let Some(category) = &filter.category {
        conditions
            .push("r.service_code IN (SELECT code FROM services WHERE category = ?)".to_string());
        args.push(Box::new(category.clone()));
    }
    if let Some(department) = &filter.department {
        conditions.push("r.department_id = ?".to_string());
        args.push(Box::new(department.clone()));
    }
    if let Some(from) = filter.from {
        conditions.push("r.starts_at >= ?".to_string());
        args.push(Box::new(secs(from)));
    }
    if let Some(to) = filter.to {
        conditions.push("r.starts_at < ?".to_string());
        args.push(Box::new(secs(to)));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        search_condition(search, conditions, args);
    }
}

/// Matches the service name, or the record id: a whole id exactly, a part of
/// one (digits, optionally after `R`) as a substring of its number.
fn search_condition(search: &str, conditions: &mut Vec<String>, args: &mut Vec<Box<dyn ToSql>>) {
    // SQLite's LIKE stops reading its pattern at a NUL, so "\0" would match
    // every record and "PASS\0x" like "PASS". No name holds a NUL: such a
    // search matches nothing.
    if search.contains('\0') {
        conditions.push("0".to_string());
        return;
    }
    let name_match = "r.service_code IN (SELECT code FROM services WHERE name LIKE ? ESCAPE '\\')";
    args.push(Box::new(format!("%{}%", like_literal(search))));

    if let Ok(id) = search.parse::<RecordId>() {
        conditions.push(format!("({name_match} OR r.id = ?)"));
        args.push(Box::new(record_number(id)));
        return;
    }
    let digits = search.strip_prefix(['R', 'r']).unwrap_or(search);
    let id_like =
        !digits.is_empty() && digits.len() <= 9 && digits.bytes().all(|b| b.is_ascii_digit());
    if id_like {
        conditions.push(format!("({name_match} OR printf('R%09d', r.id) LIKE ?)"));
        let prefix = if search.len() > digits.len() { "R" } else { "" };
        args.push(Box::new(format!("%{prefix}{digits}%")));
        return;
    }
    conditions.push(name_match.to_string());
}

pub fn details(conn: &Connection, id: RecordId) -> Result<Option<RecordDetailsRow>, ApiError> {
    let Some(record) = load_record(conn, id)? else {
        return Ok(None);
    };
    let (applicant, owner_name) = applicant(conn, record.owner_id)?;
    let number = record_number(id);

    Ok(Some(RecordDetailsRow {
        applicant,
        documents: documents(conn, number)?,
        comments: staff_comments(conn, number)?,
        specialist: specialist(conn, number)?,
        history: history(conn, &record, owner_name)?,
        record,
    }))
}

/// The owner's contact details and username.
fn applicant(conn: &Connection, owner_id: i64) -> Result<(Applicant, String), ApiError> {
    let found = conn.query_row(
        "SELECT name, phone, email, username FROM users WHERE id = ?1",
        params![owner_id],
        |row| {
            let applicant = Applicant {
                name: row.get(0)?,
                phone: row.get(1)?,
                email: row.get(2)?,
            };
            Ok((applicant, row.get(3)?))
        },
    )?;
    Ok(found)
}

fn documents(conn: &Connection, record: i64) -> Result<Vec<Document>, ApiError> {
    let mut statement =
        conn.prepare_cached("SELECT name, url FROM documents WHERE record_id = ?1 ORDER BY id")?;
    let rows = statement.query_map(params![record], |row| {
        Ok(Document {
            name: row.get(0)?,
            url: row.get(1)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn staff_comments(conn: &Connection, record: i64) -> Result<Vec<StaffComment>, ApiError> {
    let mut statement = conn.prepare_cached(
        "SELECT author, at, text FROM staff_comments WHERE record_id = ?1 ORDER BY at, id",
    )?;
    let rows = statement.query_map(params![record], |row| {
        Ok(StaffComment {
            author: row.get(0)?,
            at: time(row, 1)?,
            text: row.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn specialist(conn: &Connection, record: i64) -> Result<Option<Specialist>, ApiError> {
    let found = conn.query_row(
        "SELECT specialist_name, COALESCE(specialist_phone, ''), COALESCE(specialist_email, '') \
         FROM records WHERE id = ?1",
        params![record],
        |row| {
            let name: Option<String> = row.get(0)?;
            let (phone, email) = (row.get(1)?, row.get(2)?);
            Ok(name.map(|name| Specialist { name, phone, email }))
        },
    )?;
    Ok(found)
}

/// The derived `created` event followed by the stored ones.
fn history(
    conn: &Connection,
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
    let mut statement = conn.prepare_cached(
        "SELECT at, event, from_status, to_status, actor, reason, comment FROM record_events \
         WHERE record_id = ?1 ORDER BY at, id",
    )?;
    let stored = statement.query_map(params![record_number(record.id)], |row| {
        let from: Option<String> = row.get(2)?;
        let reason: Option<String> = row.get(5)?;
        Ok(RecordEvent {
            at: time(row, 0)?,
            event: row.get(1)?,
            from_status: from.and_then(|s| s.parse().ok()),
            to_status: parsed(row, 3)?,
            actor: row.get(4)?,
            reason: reason.and_then(|r| r.parse().ok()),
            comment: row.get(6)?,
        })
    })?;
    let mut events = vec![created];
    for event in stored {
        events.push(event?);
    }
    Ok(events)
}

pub fn cancel(
    conn: &Connection,
    ctx: &OpContext,
    actor: &Actor,
    command: &CancelCommand,
) -> Result<CancelResult, ApiError> {
    changes::cancel(&mut SqliteChanges(conn), ctx, actor, command)
}

pub fn batch_challenge(
    conn: &Connection,
    ctx: &OpContext,
    actor: &Actor,
    ids: &[RecordId],
) -> Result<Challenge, ApiError> {
    changes::batch_challenge(&mut SqliteChanges(conn), ctx, actor, ids)
}

pub fn reschedule(
    conn: &Connection,
    ctx: &OpContext,
    actor: &Actor,
    id: RecordId,
    slot_id: SlotId,
) -> Result<RecordRow, ApiError> {
    changes::reschedule(&mut SqliteChanges(conn), ctx, actor, id, slot_id)
}

pub fn rebook(
    conn: &Connection,
    ctx: &OpContext,
    actor: &Actor,
    id: RecordId,
    target: RebookTarget,
) -> Result<RecordRow, ApiError> {
    changes::rebook(&mut SqliteChanges(conn), ctx, actor, id, target)
}

/// The storage side of the record changes on one SQLite connection, inside
/// the store's write transaction. SQLite runs one writer at a time, so a
/// record checked in the transaction cannot change before it is written.
struct SqliteChanges<'c>(&'c Connection);

/// Ids are checked in chunks to stay under SQLite's bound-parameter limit.
const ID_CHUNK: usize = 500;

impl RecordChanges for SqliteChanges<'_> {
    const GUARD: &'static str = "write lock";

    fn record_for_change(&mut self, id: RecordId) -> Result<Option<RecordRow>, ApiError> {
        load_record(self.0, id)
    }

    fn record(&mut self, id: RecordId) -> Result<Option<RecordRow>, ApiError> {
        load_record(self.0, id)
    }

    fn record_places(&mut self, ids: &[RecordId]) -> Result<Vec<RecordPlace>, ApiError> {
        let mut places = Vec::new();
        for chunk in ids.chunks(ID_CHUNK) {
            let sql = format!(
                "SELECT id, owner_id, department_id FROM records WHERE id IN ({})",
                vec!["?"; chunk.len()].join(", ")
            );
            let mut statement = self.0.prepare(&sql)?;
            let rows = statement.query_map(
                params_from_iter(chunk.iter().map(|id| record_number(*id))),
                |row| {
                    Ok(RecordPlace {
                        id: record_id(row, 0)?,
                        owner_id: row.get(1)?,
                        department: row.get(2)?,
                    })
                },
            )?;
            for place in rows {
                places.push(place?);
            }
        }
        Ok(places)
    }

    fn slot(&mut self, id: SlotId) -> Result<Option<Slot>, ApiError> {
        load_slot(self.0, id)
    }

    fn first_free_slot(
        &mut self,
        service: &str,
        department: &str,
        from: DateTime<Utc>,
    ) -> Result<Option<Slot>, ApiError> {
        let sql = format!(
            "SELECT {SLOT_COLUMNS} {SLOT_FROM} WHERE sl.service_code = ?1 \
             AND sl.department_id = ?2 AND sl.starts_at >= ?3 AND {SLOT_IS_FREE} \
             ORDER BY sl.starts_at, sl.id LIMIT 1"
        );
        let mut statement = self.0.prepare_cached(&sql)?;
        let mut slots = statement.query_map(params![service, department, secs(from)], slot_row)?;
        Ok(slots.next().transpose()?)
    }

    fn alternatives(
        &mut self,
        ctx: &OpContext,
        service: &str,
        department: &str,
    ) -> Result<Vec<Slot>, ApiError> {
        alternatives(self.0, ctx, service, department)
    }

    fn mark_cancelled(&mut self, id: RecordId, at: DateTime<Utc>) -> Result<u64, ApiError> {
        let changed = self.0.execute(
            &format!(
                "UPDATE records SET status = 'cancelled', updated_at = ?2 \
                 WHERE id = ?1 AND status IN {ACTIVE_SQL}"
            ),
            params![record_number(id), secs(at)],
        )?;
        Ok(changed as u64)
    }

    fn move_record(
        &mut self,
        id: RecordId,
        slot: &Slot,
        at: DateTime<Utc>,
    ) -> Result<SlotWrite, ApiError> {
        let moved = self.0.execute(
            &format!(
                "UPDATE records SET slot_id = ?2, department_id = ?3, starts_at = ?4, \
                     ends_at = ?5, updated_at = ?6 \
                 WHERE id = ?1 AND status IN {ACTIVE_SQL}"
            ),
            params![
                record_number(id),
                slot_number(slot.id),
                slot.department.id,
                secs(slot.starts_at),
                secs(slot.ends_at),
                secs(at)
            ],
        );
        slot_write(moved)
    }

    fn next_record_number(&mut self) -> Result<i64, ApiError> {
        let sql = "SELECT COALESCE(MAX(id), 0) + 1 FROM records";
        Ok(self.0.query_row(sql, [], |r| r.get(0))?)
    }

    fn insert_rebooked(
        &mut self,
        number: i64,
        old: &RecordRow,
        slot: &Slot,
        at: DateTime<Utc>,
    ) -> Result<SlotWrite, ApiError> {
        let inserted = self.0.execute(
            "INSERT INTO records (id, owner_id, slot_id, service_code, department_id, \
                 starts_at, ends_at, status, created_at, updated_at, rebooked_from) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?8, ?9)",
            params![
                number,
                old.owner_id,
                slot_number(slot.id),
                slot.service.code,
                slot.department.id,
                secs(slot.starts_at),
                secs(slot.ends_at),
                secs(at),
                record_number(old.id)
            ],
        );
        slot_write(inserted)
    }

    fn link_rebooked(
        &mut self,
        old: RecordId,
        number: i64,
        at: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        self.0.execute(
            "UPDATE records SET rebooked_to = ?2, updated_at = ?3 WHERE id = ?1",
            params![record_number(old), number, secs(at)],
        )?;
        Ok(())
    }

    fn contacts(&mut self, user_id: i64) -> Result<(String, String), ApiError> {
        Ok(self.0.query_row(
            "SELECT phone, email FROM users WHERE id = ?1",
            params![user_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?)
    }

    fn insert_event(&mut self, at: DateTime<Utc>, event: Event<'_>) -> Result<(), ApiError> {
        insert_event(self.0, at, event)
    }

    fn notify(&mut self, at: DateTime<Utc>, message: Message<'_>) -> Result<(), ApiError> {
        notify(self.0, at, message)
    }

    fn audit_ok(
        &mut self,
        ctx: &OpContext,
        actor: (Option<i64>, &str),
        action: &str,
        record_id: Option<RecordId>,
        detail: Option<String>,
    ) -> Result<(), ApiError> {
        audit_ok(self.0, ctx, actor, action, record_id, detail)
    }

    fn issue_challenge(
        &mut self,
        ctx: &OpContext,
        user_id: i64,
        purpose: ChallengePurpose,
        records: &[RecordId],
    ) -> Result<Challenge, ApiError> {
        challenges::issue(self.0, ctx, user_id, purpose, records)
    }

    fn challenge_for(&mut self, id: &str, user_id: i64) -> Result<ChallengeRow, ApiError> {
        challenges::load_for(self.0, id, Some(user_id))
    }

    fn challenge_covers(&mut self, id: &str, record: RecordId) -> Result<bool, ApiError> {
        challenges::covers(self.0, id, record)
    }

    /// SQLite keeps any text as it came.
    fn storable_text(&self, text: &str) -> String {
        text.to_string()
    }
}

/// Tells a constraint violation (the unique slot index) apart from other
/// failures of a write that puts a record into a slot.
fn slot_write(written: rusqlite::Result<usize>) -> Result<SlotWrite, ApiError> {
    match written {
        Ok(changed) => Ok(SlotWrite::Changed(changed as u64)),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == SqliteCode::ConstraintViolation => {
            Ok(SlotWrite::SlotHeld)
        }
        Err(e) => Err(e.into()),
    }
}

/// The nearest free slots of a service, those of `department` first.
pub fn alternatives(
    conn: &Connection,
    ctx: &OpContext,
    service: &str,
    department: &str,
) -> Result<Vec<Slot>, ApiError> {
    let same = format!(
        "SELECT {SLOT_COLUMNS} {SLOT_FROM} WHERE sl.service_code = ?1 AND sl.department_id = ?2 \
         AND sl.starts_at > ?3 AND {SLOT_IS_FREE} ORDER BY sl.starts_at, sl.id LIMIT {ALTERNATIVES}"
    );
    let mut found = conn
        .prepare_cached(&same)?
        .query_map(params![service, department, secs(ctx.now)], slot_row)?
        .collect::<Result<Vec<_>, _>>()?;
    if found.len() < ALTERNATIVES {
        let others = format!(
            "SELECT {SLOT_COLUMNS} {SLOT_FROM} \
             WHERE sl.service_code = ?1 AND sl.department_id <> ?2 \
             AND sl.starts_at > ?3 AND {SLOT_IS_FREE} ORDER BY sl.starts_at, sl.id LIMIT {}",
            ALTERNATIVES - found.len()
        );
        let mut statement = conn.prepare_cached(&others)?;
        let more = statement.query_map(params![service, department, secs(ctx.now)], slot_row)?;
        for slot in more {
            found.push(slot?);
        }
    }
    Ok(found)
}

pub fn list_slots(
    conn: &Connection,
    filter: &SlotFilter,
    page: PageRequest,
) -> Result<PageOf<Slot>, ApiError> {
    let known: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM services WHERE code = ?1)",
        params![filter.service],
        |r| r.get(0),
    )?;
    if !known {
        return Err(ApiError::new(
            ErrorCode::ServiceNotFound,
            format!("service {:?} not found", filter.service),
            "list service codes with GET /v1/services",
        ));
    }

    let mut conditions = vec![
        "sl.service_code = ?".to_string(),
        "sl.starts_at >= ?".to_string(),
        SLOT_IS_FREE.to_string(),
    ];
    let mut args: Vec<Box<dyn ToSql>> = vec![
        Box::new(filter.service.clone()),
        Box::new(secs(filter.from)),
    ];
    if let Some(department) = &filter.department {
        conditions.push("sl.department_id = ?".to_string());
        args.push(Box::new(department.clone()));
    }
    if let Some(to) = filter.to {
        conditions.push("sl.starts_at < ?".to_string());
        args.push(Box::new(secs(to)));
    }
    if let Some(after) = page.after {
        conditions.push("(sl.starts_at, sl.id) > (?, ?)".to_string());
        args.push(Box::new(after.primary));
        args.push(Box::new(after.secondary));
    }
    let sql = format!(
        "SELECT {SLOT_COLUMNS} {SLOT_FROM} WHERE {} ORDER BY sl.starts_at, sl.id LIMIT {}",
        conditions.join(" AND "),
        page.limit + 1
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let slots = statement
        .query_map(params_from_iter(args.iter()), slot_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(paged(slots, page.limit, |s| Cursor {
        primary: secs(s.starts_at),
        secondary: slot_number(s.id),
    }))
}

pub fn services(conn: &Connection) -> Result<Vec<ServiceRef>, ApiError> {
    let mut statement =
        conn.prepare_cached("SELECT code, name, category FROM services ORDER BY code")?;
    let rows = statement.query_map([], |row| {
        Ok(ServiceRef {
            code: row.get(0)?,
            name: row.get(1)?,
            category: row.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn departments(conn: &Connection) -> Result<Vec<DepartmentRef>, ApiError> {
    let mut statement =
        conn.prepare_cached("SELECT id, name, address FROM departments ORDER BY id")?;
    let rows = statement.query_map([], |row| {
        Ok(DepartmentRef {
            id: row.get(0)?,
            name: row.get(1)?,
            address: row.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
