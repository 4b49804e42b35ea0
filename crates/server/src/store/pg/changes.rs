//! Changing records in PostgreSQL: cancellation, batch challenges,
//! rescheduling and re-booking, each checked by the domain rules on the row
//! read inside the same serializable transaction.
//!
//! Several service instances may race for one record or one slot. The
//! record is read `FOR NO KEY UPDATE`, so a second change of it waits for
//! the first and then fails its serialization check at once, before doing
//! any work, and [`super::PgStore::write`] runs it again on the new state. A
//! slot is guarded by the partial unique index `records_active_slot`; a write
//! that violates it is answered `slot_taken`, as a taken slot is on SQLite.

use apptctl_api::cancel::{Challenge, ChallengePurpose, Channel};
use apptctl_api::records::RecordStatus;
use apptctl_api::slots::Slot;
use apptctl_api::{ErrorCode, RecordId, SlotId};
use chrono::{DateTime, Utc};
use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::Transaction;

use super::challenges;
use super::journal::{audit_ok, insert_event, notify, Event, Message};
use super::rows::*;
use crate::auth::Actor;
use crate::domain::access::{record_not_found, Visibility};
use crate::domain::challenge;
use crate::domain::records::{self as rules, RecordRow};
use crate::error::ApiError;
use crate::store::{CancelAuthorization, CancelCommand, CancelResult, OpContext, RebookTarget};

/// The index that keeps one active record per slot.
const ACTIVE_SLOT_INDEX: &str = "records_active_slot";

/// The record `id`, locked for this transaction, if `actor` may see it;
/// "not found" otherwise.
fn visible_record(
    tx: &mut Transaction,
    actor: &Actor,
    id: RecordId,
) -> Result<RecordRow, ApiError> {
    // `OF r`: only the record is locked, not its service and department,
    // which every other record shares.
    let sql =
        format!("SELECT {RECORD_COLUMNS} {RECORD_FROM} WHERE r.id = $1 FOR NO KEY UPDATE OF r");
    let found = tx
        .query_opt(&sql, &[&record_number(id)])?
        .map(|row| record_row(&row))
        .transpose()?;
    let visibility = Visibility::of(actor);
    found
        .filter(|row| visibility.can_see(row.owner_id, &row.department.id))
        .ok_or_else(|| record_not_found(id))
}

pub fn cancel(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: &Actor,
    command: &CancelCommand,
) -> Result<CancelResult, ApiError> {
    let id = command.record_id;
    let row = visible_record(tx, actor, id)?;
    rules::check_cancellable(&row, ctx.now, ctx.config.cutoff)?;

    match &command.authorization {
        CancelAuthorization::Token => {}
        CancelAuthorization::AskForCode => {
            let purpose = ChallengePurpose::Cancel;
            let issued = challenges::issue(tx, ctx, actor.user_id, purpose, &[id])?;
            return Ok(CancelResult::ChallengeRequired(issued));
        }
        CancelAuthorization::Challenge(challenge_id) => {
            check_cancel_challenge(tx, ctx, actor, challenge_id, id)?;
        }
    }

    mark_cancelled(tx, ctx, id)?;
    write_cancellation(tx, ctx, actor, command, &row)?;
    let updated = load_record(tx, id)?.ok_or_else(|| record_not_found(id))?;
    Ok(CancelResult::Cancelled(updated))
}

/// A person's cancellation needs their own confirmed challenge covering
/// the record.
fn check_cancel_challenge(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: &Actor,
    challenge_id: &str,
    id: RecordId,
) -> Result<(), ApiError> {
    // PostgreSQL refuses a NUL in a text parameter; no challenge id holds
    // one, so SQLite answers "not found" and so do we.
    if challenge_id.contains('\0') {
        return Err(challenge::not_found(challenge_id));
    }
    let found = challenges::load_for(tx, challenge_id, Some(actor.user_id))?;
    challenge::check_usable(&found, ChallengePurpose::Cancel, ctx.now, &ctx.config)?;
    if challenges::covers(tx, challenge_id, id)? {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::ChallengeNotCovering,
        format!("challenge {challenge_id} does not cover record {id}"),
        "request a challenge that lists this record",
    ))
}

/// The compare-and-set: only an active record becomes cancelled.
fn mark_cancelled(tx: &mut Transaction, ctx: &OpContext, id: RecordId) -> Result<(), ApiError> {
    let changed = tx.execute(
        &format!(
            "UPDATE records SET status = 'cancelled', updated_at = $2 \
             WHERE id = $1 AND status IN {ACTIVE_SQL}"
        ),
        &[&record_number(id), &secs(ctx.now)],
    )?;
    if changed == 1 {
        return Ok(());
    }
    // The row is locked by this transaction and was checked in it; a
    // concurrent change fails the transaction instead. A miss is a bug.
    Err(ApiError::Internal(anyhow::anyhow!(
        "record {id} changed under the row lock"
    )))
}

/// The history event, the notifications and the journal entry.
fn write_cancellation(
    tx: &mut Transaction,
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
        .filter(|c| !c.is_empty())
        .map(storable_text);
    let event = Event {
        record_id: row.id,
        event: "cancelled",
        from: Some(row.status),
        to: RecordStatus::Cancelled,
        actor: &actor.username,
        reason: Some(reason),
        comment: comment.as_deref(),
    };
    insert_event(tx, ctx.now, event)?;
    notify_cancelled(tx, ctx, row, reason)?;

    let detail = match &comment {
        Some(comment) => format!("{reason}: {comment}"),
        None => reason.to_string(),
    };
    let who = (Some(actor.user_id), actor.username.as_str());
    audit_ok(tx, ctx, who, "record.cancel", Some(row.id), Some(detail))
}

/// `text` as PostgreSQL can store it. SQLite keeps a NUL in a comment;
/// PostgreSQL refuses the whole statement, which would turn a valid
/// cancellation into an error. Each NUL becomes U+FFFD instead, so the
/// comment keeps its length in characters and its other text.
fn storable_text(text: &str) -> String {
    text.replace('\0', "\u{FFFD}")
}

fn contacts(tx: &mut Transaction, user_id: i64) -> Result<(String, String), ApiError> {
    let row = tx.query_one("SELECT phone, email FROM users WHERE id = $1", &[&user_id])?;
    Ok((col(&row, 0)?, col(&row, 1)?))
}

fn notify_cancelled(
    tx: &mut Transaction,
    ctx: &OpContext,
    row: &RecordRow,
    reason: &str,
) -> Result<(), ApiError> {
    let (phone, email) = contacts(tx, row.owner_id)?;
    let when = row.starts_at.format("%Y-%m-%d %H:%M UTC");
    let sms = format!("Record {} is cancelled. The slot is released.", row.id);
    let mail = format!(
        "Your record {} ({}, {}) for {when} has been cancelled.\nReason: {reason}.\n\n\
         To book again, run `apptctl rebook {} --first-free` or choose a time in your account.",
        row.id, row.service.name, row.department.name, row.id
    );
    let subject = format!("Record {} cancelled", row.id);
    notify(
        tx,
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
        tx,
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

/// One challenge covering those of `ids` the actor may see; the others are
/// left out silently, as on SQLite, so a batch reveals nothing about them.
pub fn batch_challenge(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: &Actor,
    ids: &[RecordId],
) -> Result<Challenge, ApiError> {
    let visibility = Visibility::of(actor);
    let numbers: Vec<i64> = ids.iter().map(|id| record_number(*id)).collect();
    let rows = tx.query(
        "SELECT id, owner_id, department_id FROM records WHERE id = ANY($1) ORDER BY id",
        &[&numbers],
    )?;

    let mut covered = Vec::new();
    for row in &rows {
        let owner: i64 = col(row, 1)?;
        let department: String = col(row, 2)?;
        if visibility.can_see(owner, &department) {
            covered.push(record_id(row, 0)?);
        }
    }
    challenges::issue(tx, ctx, actor.user_id, ChallengePurpose::Cancel, &covered)
}

pub fn reschedule(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: &Actor,
    id: RecordId,
    slot_id: SlotId,
) -> Result<RecordRow, ApiError> {
    let row = visible_record(tx, actor, id)?;
    rules::check_reschedulable(&row, ctx.now)?;
    let slot = target_slot(tx, ctx, slot_id)?;
    if slot.service.code != row.service.code {
        return Err(slot_mismatch(&slot, &row, "the same service"));
    }
    if !slot.free {
        return Err(slot_taken(tx, ctx, &slot, &row.department.id));
    }

    let sql = format!(
        "UPDATE records SET slot_id = $2, department_id = $3, starts_at = $4, ends_at = $5, \
             updated_at = $6 \
         WHERE id = $1 AND status IN {ACTIVE_SQL}"
    );
    let moved = write_in_savepoint(
        tx,
        &sql,
        &[
            &record_number(id),
            &slot_number(slot.id),
            &slot.department.id,
            &secs(slot.starts_at),
            &secs(slot.ends_at),
            &secs(ctx.now),
        ],
    );
    check_slot_write(tx, ctx, moved, &slot, &row.department.id)?;

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
    insert_event(tx, ctx.now, event)?;
    notify_booked(tx, ctx, row.owner_id, id, &slot, "moved")?;
    audit_ok(
        tx,
        ctx,
        (Some(actor.user_id), &actor.username),
        "record.reschedule",
        Some(id),
        Some(format!("to slot {}", slot.id)),
    )?;
    load_record(tx, id)?.ok_or_else(|| record_not_found(id))
}

pub fn rebook(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: &Actor,
    id: RecordId,
    target: RebookTarget,
) -> Result<RecordRow, ApiError> {
    let row = visible_record(tx, actor, id)?;
    rules::check_rebookable(&row)?;
    let slot = match target {
        RebookTarget::Slot(slot_id) => target_slot(tx, ctx, slot_id)?,
        RebookTarget::FirstFree(from) => first_free(tx, &row, from.max(ctx.now))?,
    };
    if slot.service.code != row.service.code || slot.department.id != row.department.id {
        return Err(slot_mismatch(
            &slot,
            &row,
            "the same service and department",
        ));
    }
    if !slot.free {
        return Err(slot_taken(tx, ctx, &slot, &row.department.id));
    }

    let new_id = insert_rebooked(tx, ctx, &row, &slot)?;
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
    insert_event(tx, ctx.now, event)?;
    notify_booked(tx, ctx, row.owner_id, new_id, &slot, "booked")?;
    let who = (Some(actor.user_id), actor.username.as_str());
    audit_ok(tx, ctx, who, "record.rebook", Some(id), Some(note))?;
    load_record(tx, new_id)?.ok_or_else(|| record_not_found(new_id))
}

/// The new record in `slot`, linked both ways with `old`.
fn insert_rebooked(
    tx: &mut Transaction,
    ctx: &OpContext,
    old: &RecordRow,
    slot: &Slot,
) -> Result<RecordId, ApiError> {
    // The next number as on SQLite: imported and seeded records carry their
    // own numbers, so the identity sequence may lag behind them.
    let next = tx.query_one("SELECT COALESCE(MAX(id), 0) + 1 FROM records", &[])?;
    let number: i64 = col(&next, 0)?;
    let new_id = to_record_id(number)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("record numbers exhausted")))?;

    // Two re-bookings may pick the same number. `ON CONFLICT (id) DO NOTHING`
    // makes that a serialization failure (the other row is not in this
    // transaction's snapshot), which is retried, rather than a unique
    // violation; the slot index is not an arbiter, so a taken slot still
    // raises its own violation.
    let inserted = write_in_savepoint(
        tx,
        "INSERT INTO records (id, owner_id, slot_id, service_code, department_id, \
             starts_at, ends_at, status, created_at, updated_at, rebooked_from) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8, $9) \
         ON CONFLICT (id) DO NOTHING",
        &[
            &number,
            &old.owner_id,
            &slot_number(slot.id),
            &slot.service.code,
            &slot.department.id,
            &secs(slot.starts_at),
            &secs(slot.ends_at),
            &secs(ctx.now),
            &record_number(old.id),
        ],
    );
    check_slot_write(tx, ctx, inserted, slot, &old.department.id)?;
    tx.execute(
        "UPDATE records SET rebooked_to = $2, updated_at = $3 WHERE id = $1",
        &[&record_number(old.id), &number, &secs(ctx.now)],
    )?;
    Ok(new_id)
}

fn notify_booked(
    tx: &mut Transaction,
    ctx: &OpContext,
    owner: i64,
    id: RecordId,
    slot: &Slot,
    verb: &str,
) -> Result<(), ApiError> {
    let (phone, email) = contacts(tx, owner)?;
    let when = slot.starts_at.format("%Y-%m-%d %H:%M UTC");
    let sms = format!("Record {id} {verb}: {when}, {}.", slot.department.name);
    let mail = format!(
        "Your record {id} is {verb} for {when}.\nService: {}\nDepartment: {}, {}",
        slot.service.name, slot.department.name, slot.department.address
    );
    let subject = format!("Record {id} {verb}");
    notify(
        tx,
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
        tx,
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
fn target_slot(tx: &mut Transaction, ctx: &OpContext, id: SlotId) -> Result<Slot, ApiError> {
    let slot = load_slot(tx, id)?.ok_or_else(|| {
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

fn first_free(
    tx: &mut Transaction,
    row: &RecordRow,
    from: DateTime<Utc>,
) -> Result<Slot, ApiError> {
    let sql = format!(
        "SELECT {SLOT_COLUMNS} {SLOT_FROM} WHERE sl.service_code = $1 AND sl.department_id = $2 \
         AND sl.starts_at >= $3 AND {SLOT_IS_FREE} ORDER BY sl.starts_at, sl.id LIMIT 1"
    );
    let found = tx.query_opt(&sql, &[&row.service.code, &row.department.id, &secs(from)])?;
    match found {
        Some(slot) => slot_row(&slot),
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

fn slot_taken(tx: &mut Transaction, ctx: &OpContext, slot: &Slot, department: &str) -> ApiError {
    let alternatives = match super::records::alternatives(tx, ctx, &slot.service.code, department) {
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

/// Runs one statement in a savepoint and returns how many rows it changed.
/// A failed statement aborts a PostgreSQL transaction; rolling back to the
/// savepoint keeps it usable, so a `slot_taken` answer can still list
/// alternatives.
fn write_in_savepoint(
    tx: &mut Transaction,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<u64, postgres::Error> {
    let mut savepoint = tx.transaction()?;
    match savepoint.execute(sql, params) {
        Ok(changed) => {
            savepoint.commit()?;
            Ok(changed)
        }
        Err(e) => {
            savepoint.rollback()?;
            Err(e)
        }
    }
}

/// Maps the unique-slot index to `slot_taken`: the last line of defence
/// when two instances book one slot at the same moment.
fn check_slot_write(
    tx: &mut Transaction,
    ctx: &OpContext,
    written: Result<u64, postgres::Error>,
    slot: &Slot,
    department: &str,
) -> Result<(), ApiError> {
    match written {
        Ok(1) => Ok(()),
        Ok(_) => Err(ApiError::Internal(anyhow::anyhow!(
            "record changed under the row lock"
        ))),
        Err(e) if holds_a_slot_twice(&e) => Err(slot_taken(tx, ctx, slot, department)),
        Err(e) => Err(e.into()),
    }
}

fn holds_a_slot_twice(err: &postgres::Error) -> bool {
    err.as_db_error().is_some_and(|db| {
        db.code() == &SqlState::UNIQUE_VIOLATION && db.constraint() == Some(ACTIVE_SLOT_INDEX)
    })
}
