//! Records and slots in SQLite: lists with keyset pagination, details, and
//! the state changes (cancel, reschedule, rebook), each checked by the
//! domain rules on the row read inside the same write transaction.

use apptctl_api::cancel::{Challenge, ChallengePurpose, Channel};
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
use crate::domain::access::{record_not_found, Visibility};
use crate::domain::challenge;
use crate::domain::query::Cursor;
use crate::domain::records::{self as rules, RecordRow};
use crate::error::ApiError;
use crate::store::{
    CancelAuthorization, CancelCommand, CancelResult, OpContext, PageOf, PageRequest, RebookTarget,
    RecordDetailsRow, RecordFilter, SlotFilter,
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

/// The record `id` if `actor` may see it; "not found" otherwise.
fn visible_record(conn: &Connection, actor: &Actor, id: RecordId) -> Result<RecordRow, ApiError> {
    let visibility = Visibility::of(actor);
    load_record(conn, id)?
        .filter(|row| visibility.can_see(row.owner_id, &row.department.id))
        .ok_or_else(|| record_not_found(id))
}

pub fn cancel(
    conn: &Connection,
    ctx: &OpContext,
    actor: &Actor,
    command: &CancelCommand,
) -> Result<CancelResult, ApiError> {
    let id = command.record_id;
    let row = visible_record(conn, actor, id)?;
    rules::check_cancellable(&row, ctx.now, ctx.config.cutoff)?;

    match &command.authorization {
        CancelAuthorization::Token => {}
        CancelAuthorization::AskForCode => {
            let purpose = ChallengePurpose::Cancel;
            let issued = challenges::issue(conn, ctx, actor.user_id, purpose, &[id])?;
            return Ok(CancelResult::ChallengeRequired(issued));
        }
        CancelAuthorization::Challenge(challenge_id) => {
            check_cancel_challenge(conn, ctx, actor, challenge_id, id)?;
        }
    }

    mark_cancelled(conn, ctx, id)?;
    write_cancellation(conn, ctx, actor, command, &row)?;
    let updated = load_record(conn, id)?.ok_or_else(|| record_not_found(id))?;
    Ok(CancelResult::Cancelled(updated))
}

/// A person's cancellation needs their own confirmed challenge covering
/// the record.
fn check_cancel_challenge(
    conn: &Connection,
    ctx: &OpContext,
    actor: &Actor,
    challenge_id: &str,
    id: RecordId,
) -> Result<(), ApiError> {
    let found = challenges::load_for(conn, challenge_id, Some(actor.user_id))?;
    challenge::check_usable(&found, ChallengePurpose::Cancel, ctx.now, &ctx.config)?;
    if challenges::covers(conn, challenge_id, id)? {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::ChallengeNotCovering,
        format!("challenge {challenge_id} does not cover record {id}"),
        "request a challenge that lists this record",
    ))
}

/// The compare-and-set: only an active record becomes cancelled.
fn mark_cancelled(conn: &Connection, ctx: &OpContext, id: RecordId) -> Result<(), ApiError> {
    let changed = conn.execute(
        &format!(
            "UPDATE records SET status = 'cancelled', updated_at = ?2 \
             WHERE id = ?1 AND status IN {ACTIVE_SQL}"
        ),
        params![record_number(id), secs(ctx.now)],
    )?;
    if changed == 1 {
        return Ok(());
    }
    // The row was checked in this same write transaction; a miss is a bug.
    Err(ApiError::Internal(anyhow::anyhow!(
        "record {id} changed under the write lock"
    )))
}

/// The history event, the notifications and the journal entry.
fn write_cancellation(
    conn: &Connection,
    ctx: &OpContext,
    actor: &Actor,
    command: &CancelCommand,
    row: &RecordRow,
) -> Result<(), ApiError> {
    let reason = command.reason.as_str();
    let comment = command
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let event = Event {
        record_id: row.id,
        event: "cancelled",
        from: Some(row.status),
        to: RecordStatus::Cancelled,
        actor: &actor.username,
        reason: Some(reason),
        comment,
    };
    insert_event(conn, ctx.now, event)?;
    notify_cancelled(conn, ctx, row, reason)?;

    let detail = match comment {
        Some(comment) => format!("{reason}: {comment}"),
        None => reason.to_string(),
    };
    let who = (Some(actor.user_id), actor.username.as_str());
    audit_ok(conn, ctx, who, "record.cancel", Some(row.id), Some(detail))
}

fn contacts(conn: &Connection, user_id: i64) -> Result<(String, String), ApiError> {
    Ok(conn.query_row(
        "SELECT phone, email FROM users WHERE id = ?1",
        params![user_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?)
}

fn notify_cancelled(
    conn: &Connection,
    ctx: &OpContext,
    row: &RecordRow,
    reason: &str,
) -> Result<(), ApiError> {
    let (phone, email) = contacts(conn, row.owner_id)?;
    let when = row.starts_at.format("%Y-%m-%d %H:%M UTC");
    let sms = format!("Record {} is cancelled. The slot is released.", row.id);
    let mail = format!(
        "Your record {} ({}, {}) for {when} has been cancelled.\nReason: {reason}.\n\n\
         To book again, run `apptctl rebook {} --first-free` or choose a time in your account.",
        row.id, row.service.name, row.department.name, row.id
    );
    let subject = format!("Record {} cancelled", row.id);
    notify(
        conn,
        ctx.now,
        Message {
            user_id: row.owner_id,
            channel: Channel::Sms,
            to: &phone,
            subject: None,
            body: &sms,
            record_id: Some(row.id),
        },
    )?;
    notify(
        conn,
        ctx.now,
        Message {
            user_id: row.owner_id,
            channel: Channel::Email,
            to: &email,
            subject: Some(&subject),
            body: &mail,
            record_id: Some(row.id),
        },
    )
}

/// Ids are checked in chunks to stay under SQLite's bound-parameter limit.
const ID_CHUNK: usize = 500;

pub fn batch_challenge(
    conn: &Connection,
    ctx: &OpContext,
    actor: &Actor,
    ids: &[RecordId],
) -> Result<Challenge, ApiError> {
    let visibility = Visibility::of(actor);
    let mut covered = Vec::new();
    for chunk in ids.chunks(ID_CHUNK) {
        let sql = format!(
            "SELECT id, owner_id, department_id FROM records WHERE id IN ({})",
            vec!["?"; chunk.len()].join(", ")
        );
        let mut statement = conn.prepare(&sql)?;
        let rows = statement.query_map(
            params_from_iter(chunk.iter().map(|id| record_number(*id))),
            |row| {
                Ok((
                    record_id(row, 0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                ))
            },
        )?;
        for row in rows {
            let (id, owner, department) = row?;
            if visibility.can_see(owner, &department) {
                covered.push(id);
            }
        }
    }
    challenges::issue(conn, ctx, actor.user_id, ChallengePurpose::Cancel, &covered)
}

pub fn reschedule(
    conn: &Connection,
    ctx: &OpContext,
    actor: &Actor,
    id: RecordId,
    slot_id: SlotId,
) -> Result<RecordRow, ApiError> {
    let row = visible_record(conn, actor, id)?;
    rules::check_reschedulable(&row, ctx.now)?;
    let slot = target_slot(conn, ctx, slot_id)?;
    if slot.service.code != row.service.code {
        return Err(slot_mismatch(&slot, &row, "the same service"));
    }
    if !slot.free {
        return Err(slot_taken(conn, ctx, &slot, &row.department.id));
    }

    let moved = conn.execute(
        &format!(
            "UPDATE records SET slot_id = ?2, department_id = ?3, starts_at = ?4, ends_at = ?5, \
                 updated_at = ?6 \
             WHERE id = ?1 AND status IN {ACTIVE_SQL}"
        ),
        params![
            record_number(id),
            slot_number(slot.id),
            slot.department.id,
            secs(slot.starts_at),
            secs(slot.ends_at),
            secs(ctx.now)
        ],
    );
    check_slot_write(conn, ctx, moved, &slot, &row.department.id)?;

    let note = format!(
        "from {} to {}",
        row.starts_at.to_rfc3339(),
        slot.starts_at.to_rfc3339()
    );
    let event = Event {
        record_id: id,
        event: "rescheduled",
        from: Some(row.status),
        to: row.status,
        actor: &actor.username,
        reason: None,
        comment: Some(&note),
    };
    insert_event(conn, ctx.now, event)?;
    notify_booked(conn, ctx, row.owner_id, id, &slot, "moved")?;
    audit_ok(
        conn,
        ctx,
        (Some(actor.user_id), &actor.username),
        "record.reschedule",
        Some(id),
        Some(format!("to slot {}", slot.id)),
    )?;
    load_record(conn, id)?.ok_or_else(|| record_not_found(id))
}

pub fn rebook(
    conn: &Connection,
    ctx: &OpContext,
    actor: &Actor,
    id: RecordId,
    target: RebookTarget,
) -> Result<RecordRow, ApiError> {
    let row = visible_record(conn, actor, id)?;
    rules::check_rebookable(&row)?;
    let slot = match target {
        RebookTarget::Slot(slot_id) => target_slot(conn, ctx, slot_id)?,
        RebookTarget::FirstFree(from) => first_free(conn, &row, from.max(ctx.now))?,
    };
    if slot.service.code != row.service.code || slot.department.id != row.department.id {
        return Err(slot_mismatch(
            &slot,
            &row,
            "the same service and department",
        ));
    }
    if !slot.free {
        return Err(slot_taken(conn, ctx, &slot, &row.department.id));
    }

    let new_id = insert_rebooked(conn, ctx, &row, &slot)?;
    let note = format!("re-booked as {new_id}");
    let event = Event {
        record_id: id,
        event: "rebooked",
        from: Some(row.status),
        to: row.status,
        actor: &actor.username,
        reason: None,
        comment: Some(&note),
    };
    insert_event(conn, ctx.now, event)?;
    notify_booked(conn, ctx, row.owner_id, new_id, &slot, "booked")?;
    let who = (Some(actor.user_id), actor.username.as_str());
    audit_ok(conn, ctx, who, "record.rebook", Some(id), Some(note))?;
    load_record(conn, new_id)?.ok_or_else(|| record_not_found(new_id))
}

/// The new record in `slot`, linked both ways with `old`.
fn insert_rebooked(
    conn: &Connection,
    ctx: &OpContext,
    old: &RecordRow,
    slot: &Slot,
) -> Result<RecordId, ApiError> {
    let number: i64 = conn.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM records", [], |r| {
        r.get(0)
    })?;
    let new_id = to_record_id(number)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("record numbers exhausted")))?;

    let inserted = conn.execute(
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
            secs(ctx.now),
            record_number(old.id)
        ],
    );
    check_slot_write(conn, ctx, inserted, slot, &old.department.id)?;
    conn.execute(
        "UPDATE records SET rebooked_to = ?2, updated_at = ?3 WHERE id = ?1",
        params![record_number(old.id), number, secs(ctx.now)],
    )?;
    Ok(new_id)
}

fn notify_booked(
    conn: &Connection,
    ctx: &OpContext,
    owner: i64,
    id: RecordId,
    slot: &Slot,
    verb: &str,
) -> Result<(), ApiError> {
    let (phone, email) = contacts(conn, owner)?;
    let when = slot.starts_at.format("%Y-%m-%d %H:%M UTC");
    let sms = format!("Record {id} {verb}: {when}, {}.", slot.department.name);
    let mail = format!(
        "Your record {id} is {verb} for {when}.\nService: {}\nDepartment: {}, {}",
        slot.service.name, slot.department.name, slot.department.address
    );
    let subject = format!("Record {id} {verb}");
    notify(
        conn,
        ctx.now,
        Message {
            user_id: owner,
            channel: Channel::Sms,
            to: &phone,
            subject: None,
            body: &sms,
            record_id: Some(id),
        },
    )?;
    notify(
        conn,
        ctx.now,
        Message {
            user_id: owner,
            channel: Channel::Email,
            to: &email,
            subject: Some(&subject),
            body: &mail,
            record_id: Some(id),
        },
    )
}

/// The slot asked for, which must exist and lie in the future.
fn target_slot(conn: &Connection, ctx: &OpContext, id: SlotId) -> Result<Slot, ApiError> {
    let slot = load_slot(conn, id)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::SlotNotFound,
            format!("slot {id} not found"),
            "list free slots with `apptctl slots --service CODE`",
        )
    })?;
    if slot.starts_at <= ctx.now {
        return Err(ApiError::new(
            ErrorCode::SlotNotFound,
            format!("slot {id} has already started"),
            "choose a slot in the future: `apptctl slots --service CODE`",
        ));
    }
    Ok(slot)
}

fn first_free(conn: &Connection, row: &RecordRow, from: DateTime<Utc>) -> Result<Slot, ApiError> {
    let sql = format!(
        "SELECT {SLOT_COLUMNS} {SLOT_FROM} WHERE sl.service_code = ?1 AND sl.department_id = ?2 \
         AND sl.starts_at >= ?3 AND {SLOT_IS_FREE} ORDER BY sl.starts_at, sl.id LIMIT 1"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let mut slots = statement.query_map(
        params![row.service.code, row.department.id, secs(from)],
        slot_row,
    )?;
    match slots.next() {
        Some(slot) => Ok(slot?),
        None => Err(ApiError::new(
            ErrorCode::SlotNotFound,
            format!(
                "no free slot for {} at {} from {}",
                row.service.code,
                row.department.id,
                from.to_rfc3339()
            ),
            "try an earlier --from, or another department with `apptctl slots`",
        )),
    }
}

fn slot_mismatch(slot: &Slot, row: &RecordRow, needed: &str) -> ApiError {
    ApiError::new(
        ErrorCode::SlotMismatch,
        format!(
            "slot {} is for {} at {}; record {} needs {needed}",
            slot.id, slot.service.code, slot.department.id, row.id
        ),
        format!(
            "list matching slots with `apptctl slots --service {}`",
            row.service.code
        ),
    )
}

fn slot_taken(conn: &Connection, ctx: &OpContext, slot: &Slot, department: &str) -> ApiError {
    let alternatives = match alternatives(conn, ctx, &slot.service.code, department) {
        Ok(found) => found,
        Err(e) => return e,
    };
    ApiError::new(
        ErrorCode::SlotTaken,
        format!("slot {} is already taken", slot.id),
        "choose one of the alternatives, or run `apptctl slots`",
    )
    .with(|p| p.alternatives = alternatives)
}

/// Maps the unique-slot constraint to `slot_taken`: the last line of defence
/// if a check and a write ever raced.
fn check_slot_write(
    conn: &Connection,
    ctx: &OpContext,
    written: rusqlite::Result<usize>,
    slot: &Slot,
    department: &str,
) -> Result<(), ApiError> {
    match written {
        Ok(1) => Ok(()),
        Ok(_) => Err(ApiError::Internal(anyhow::anyhow!(
            "record changed under the write lock"
        ))),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == SqliteCode::ConstraintViolation => {
            Err(slot_taken(conn, ctx, slot, department))
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
