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
//!
//! Changes of *different* records also conflict when their ids share a page
//! of the primary-key index (PostgreSQL tracks serializable reads of an
//! index by page). A rerun therefore takes a lock that queues it behind the
//! other writers of `records` (see `attempt_serializable` in the parent
//! module) instead of racing them again.

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

    // Two re-bookings may pick the same number. With `ON CONFLICT (id) DO
    // NOTHING` the clash is always a serialization failure (the other row is
    // not in this transaction's snapshot), which is retried, never a unique
    // violation answered 500. The slot index is not an arbiter, so a taken
    // slot still raises its own violation.
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Barrier};

    use apptctl_api::auth::{CredentialKind, Role, Scope};
    use apptctl_api::cancel::Reason;
    use chrono::{Duration, TimeZone};
    use postgres::{Client, NoTls};

    use super::*;
    use crate::config::ServerConfig;
    use crate::store::pg::testing::TempDatabase;
    use crate::store::pg::{run_serializable, PgStore};

    const APPLICANT: i64 = 1;
    const OTHER_APPLICANT: i64 = 2;
    const MANAGER: i64 = 3;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap()
    }

    /// A migrated database with two services, two departments, two
    /// applicants and a manager of D1.
    fn database() -> (TempDatabase, Client) {
        let db = TempDatabase::create().unwrap();
        PgStore::apply_migrations(db.url()).unwrap();
        let mut client = Client::connect(db.url(), NoTls).unwrap();
        client
            .batch_execute(
                "INSERT INTO services VALUES ('PASS', 'Passport', 'documents'), \
                     ('TAX', 'Tax number', 'documents'); \
                 INSERT INTO departments VALUES ('D1', 'North office', '1 North St'), \
                     ('D2', 'South office', '2 South St'); \
                 INSERT INTO users (id, username, name, role, password_hash, phone, email) VALUES \
                     (1, 'alice', 'Alice', 'applicant', 'x', '+15550001', 'alice@example.org'), \
                     (2, 'bob', 'Bob', 'applicant', 'x', '+15550002', 'bob@example.org'), \
                     (3, 'mia', 'Mia', 'manager', 'x', '+15550003', 'mia@example.org'); \
                 INSERT INTO user_departments VALUES (3, 'D1');",
            )
            .unwrap();
        (db, client)
    }

    fn add_slot(client: &mut Client, service: &str, department: &str, hours: i64) -> SlotId {
        let starts_at = secs(now() + Duration::hours(hours));
        let row = client
            .query_one(
                "INSERT INTO slots (service_code, department_id, starts_at, ends_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
                &[&service, &department, &starts_at, &(starts_at + 900)],
            )
            .unwrap();
        to_slot_id(row.get(0))
    }

    fn add_record(client: &mut Client, owner: i64, slot: SlotId, status: &str) -> RecordId {
        let row = client
            .query_one(
                "INSERT INTO records (id, owner_id, slot_id, service_code, department_id, \
                     starts_at, ends_at, status, created_at, updated_at) \
                 SELECT (SELECT COALESCE(MAX(id), 0) + 1 FROM records), $1, sl.id, \
                     sl.service_code, sl.department_id, sl.starts_at, sl.ends_at, $3, $4, $4 \
                 FROM slots sl WHERE sl.id = $2 RETURNING id",
                &[&owner, &slot_number(slot), &status, &secs(now())],
            )
            .unwrap();
        to_record_id(row.get(0)).unwrap()
    }

    fn actor(user_id: i64, credential: CredentialKind) -> Actor {
        let (username, role, departments) = match user_id {
            APPLICANT => ("alice", Role::Applicant, vec![]),
            OTHER_APPLICANT => ("bob", Role::Applicant, vec![]),
            _ => ("mia", Role::Manager, vec!["D1".to_string()]),
        };
        Actor {
            user_id,
            username: username.to_string(),
            name: username.to_string(),
            role,
            departments,
            two_factor: true,
            credential,
            credential_id: 1,
            scopes: Scope::ALL.to_vec(),
            expires_at: now() + Duration::days(1),
            last_used_at: None,
        }
    }

    fn ctx() -> OpContext {
        let config = ServerConfig {
            otp_fixed: Some("123456".to_string()),
            ..ServerConfig::default()
        };
        OpContext {
            request_id: "req-test".to_string(),
            now: now(),
            config: Arc::new(config),
        }
    }

    fn by_token(id: RecordId) -> CancelCommand {
        CancelCommand {
            record_id: id,
            reason: Reason::PlansChanged,
            comment: None,
            authorization: CancelAuthorization::Token,
        }
    }

    /// Runs `work` as [`PgStore`] runs a write: serializable, retried.
    fn write<T>(
        client: &mut Client,
        work: impl Fn(&mut Transaction) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        run_serializable(client, &work)
    }

    fn count(client: &mut Client, sql: &str, record: RecordId) -> i64 {
        client
            .query_one(sql, &[&record_number(record)])
            .unwrap()
            .get(0)
    }

    fn code_of<T>(outcome: &Result<T, ApiError>) -> &'static str {
        match outcome {
            Ok(_) => "ok",
            Err(e) => e.code().as_str(),
        }
    }

    #[test]
    fn a_token_cancels_once_and_the_second_try_is_refused() {
        let (_db, mut client) = database();
        let slot = add_slot(&mut client, "PASS", "D1", 48);
        let id = add_record(&mut client, APPLICANT, slot, "confirmed");
        let (ctx, alice) = (ctx(), actor(APPLICANT, CredentialKind::Token));

        let first = write(&mut client, |tx| cancel(tx, &ctx, &alice, &by_token(id))).unwrap();
        let CancelResult::Cancelled(row) = first else {
            panic!("a token cancels without a code");
        };
        assert_eq!(row.status, RecordStatus::Cancelled);
        assert_eq!(row.updated_at, now());

        let events = "SELECT COUNT(*) FROM record_events WHERE record_id = $1 \
             AND event = 'cancelled' AND from_status = 'confirmed' AND reason = 'plans_changed'";
        assert_eq!(count(&mut client, events, id), 1);
        let outbox = "SELECT COUNT(*) FROM notifications WHERE record_id = $1 AND user_id = 1";
        assert_eq!(count(&mut client, outbox, id), 2);
        let audit = "SELECT COUNT(*) FROM audit_log WHERE record_id = $1 \
             AND action = 'record.cancel' AND outcome = 'ok' AND owner_id = 1 \
             AND department_id = 'D1' AND detail = 'plans_changed'";
        assert_eq!(count(&mut client, audit, id), 1);

        let second = write(&mut client, |tx| cancel(tx, &ctx, &alice, &by_token(id)));
        assert_eq!(code_of(&second), "already_cancelled");
        assert_eq!(count(&mut client, events, id), 1);
    }

    #[test]
    fn cancellation_closes_at_the_cutoff_and_only_for_those_who_see_the_record() {
        let (_db, mut client) = database();
        let ctx = ctx();
        let at_cutoff = add_slot(&mut client, "PASS", "D1", 24);
        let at_cutoff = add_record(&mut client, APPLICANT, at_cutoff, "pending");
        let late = add_slot(&mut client, "PASS", "D1", 23);
        let late = add_record(&mut client, APPLICANT, late, "pending");
        let done = add_slot(&mut client, "PASS", "D1", 72);
        let done = add_record(&mut client, APPLICANT, done, "completed");

        let alice = actor(APPLICANT, CredentialKind::Token);
        let bob = actor(OTHER_APPLICANT, CredentialKind::Token);
        let refused = write(&mut client, |tx| cancel(tx, &ctx, &alice, &by_token(late)));
        assert_eq!(code_of(&refused), "cutoff_passed");
        let not_active = write(&mut client, |tx| cancel(tx, &ctx, &alice, &by_token(done)));
        assert_eq!(code_of(&not_active), "not_active");
        let hidden = write(&mut client, |tx| {
            cancel(tx, &ctx, &bob, &by_token(at_cutoff))
        });
        assert_eq!(code_of(&hidden), "record_not_found");

        // Exactly 24 hours ahead is still in time; a manager of D1 may.
        let mia = actor(MANAGER, CredentialKind::Token);
        let ok = write(&mut client, |tx| {
            cancel(tx, &ctx, &mia, &by_token(at_cutoff))
        });
        assert_eq!(code_of(&ok), "ok");
    }

    #[test]
    fn a_person_needs_a_confirmed_challenge_that_covers_the_record() {
        let (_db, mut client) = database();
        let ctx = ctx();
        let alice = actor(APPLICANT, CredentialKind::Session);
        let first = add_slot(&mut client, "PASS", "D1", 48);
        let first = add_record(&mut client, APPLICANT, first, "pending");
        let second = add_slot(&mut client, "PASS", "D1", 50);
        let second = add_record(&mut client, APPLICANT, second, "pending");
        let command = |id, authorization| CancelCommand {
            record_id: id,
            reason: Reason::Other,
            comment: Some(" moved\0away ".to_string()),
            authorization,
        };

        let asked = write(&mut client, |tx| {
            cancel(
                tx,
                &ctx,
                &alice,
                &command(first, CancelAuthorization::AskForCode),
            )
        })
        .unwrap();
        let CancelResult::ChallengeRequired(issued) = asked else {
            panic!("a person without a challenge is asked for a code");
        };
        assert_eq!(issued.record_count, Some(1));
        let with_challenge = CancelAuthorization::Challenge(issued.id.clone());

        let early = write(&mut client, |tx| {
            cancel(tx, &ctx, &alice, &command(first, with_challenge.clone()))
        });
        assert_eq!(code_of(&early), "challenge_unconfirmed");
        write(&mut client, |tx| {
            challenges::confirm(tx, &ctx, &issued.id, Some(APPLICANT), "123456")
        })
        .unwrap()
        .unwrap();

        let uncovered = write(&mut client, |tx| {
            cancel(tx, &ctx, &alice, &command(second, with_challenge.clone()))
        });
        assert_eq!(code_of(&uncovered), "challenge_not_covering");
        let bob = actor(OTHER_APPLICANT, CredentialKind::Session);
        let foreign = write(&mut client, |tx| {
            cancel(tx, &ctx, &bob, &command(first, with_challenge.clone()))
        });
        assert_eq!(code_of(&foreign), "record_not_found");
        let nul = CancelAuthorization::Challenge("ch\0".to_string());
        let nul = write(&mut client, |tx| {
            cancel(tx, &ctx, &alice, &command(first, nul.clone()))
        });
        assert_eq!(code_of(&nul), "challenge_not_found");

        let done = write(&mut client, |tx| {
            cancel(tx, &ctx, &alice, &command(first, with_challenge.clone()))
        });
        assert_eq!(code_of(&done), "ok");
        let comment: String = client
            .query_one(
                "SELECT comment FROM record_events WHERE record_id = $1",
                &[&record_number(first)],
            )
            .unwrap()
            .get(0);
        assert_eq!(comment, "moved\u{FFFD}away");
    }

    #[test]
    fn a_batch_challenge_covers_only_visible_records() {
        let (_db, mut client) = database();
        let ctx = ctx();
        let mine = add_slot(&mut client, "PASS", "D1", 48);
        let mine = add_record(&mut client, APPLICANT, mine, "pending");
        let also_mine = add_slot(&mut client, "TAX", "D2", 48);
        let also_mine = add_record(&mut client, APPLICANT, also_mine, "pending");
        let theirs = add_slot(&mut client, "PASS", "D1", 49);
        let theirs = add_record(&mut client, OTHER_APPLICANT, theirs, "pending");
        let missing = RecordId::from_number(999_999).unwrap();
        let ids = [also_mine, theirs, missing, mine];

        let alice = actor(APPLICANT, CredentialKind::Session);
        let issued = write(&mut client, |tx| batch_challenge(tx, &ctx, &alice, &ids)).unwrap();
        assert_eq!(issued.record_count, Some(2));
        let mia = actor(MANAGER, CredentialKind::Session);
        let managed = write(&mut client, |tx| batch_challenge(tx, &ctx, &mia, &ids)).unwrap();
        assert_eq!(managed.record_count, Some(2));

        let covered: Vec<i64> = client
            .query(
                "SELECT record_id FROM challenge_records WHERE challenge_id = $1 ORDER BY 1",
                &[&managed.id],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(covered, [record_number(mine), record_number(theirs)]);
    }

    #[test]
    fn reschedule_moves_to_a_free_slot_and_refuses_a_taken_one() {
        let (_db, mut client) = database();
        let ctx = ctx();
        let alice = actor(APPLICANT, CredentialKind::Token);
        let held = add_slot(&mut client, "PASS", "D1", 48);
        let id = add_record(&mut client, APPLICANT, held, "confirmed");
        let taken = add_slot(&mut client, "PASS", "D2", 50);
        add_record(&mut client, OTHER_APPLICANT, taken, "pending");
        let free = add_slot(&mut client, "PASS", "D2", 60);
        let other_service = add_slot(&mut client, "TAX", "D1", 60);

        let refused = write(&mut client, |tx| reschedule(tx, &ctx, &alice, id, taken));
        assert_eq!(code_of(&refused), "slot_taken");
        let Err(ApiError::Refused(problem)) = refused else {
            unreachable!()
        };
        let offered: Vec<SlotId> = problem.alternatives.iter().map(|s| s.id).collect();
        assert_eq!(offered, [free]);
        let mismatch = write(&mut client, |tx| {
            reschedule(tx, &ctx, &alice, id, other_service)
        });
        assert_eq!(code_of(&mismatch), "slot_mismatch");

        let moved = write(&mut client, |tx| reschedule(tx, &ctx, &alice, id, free)).unwrap();
        assert_eq!((moved.slot_id, moved.department.id.as_str()), (free, "D2"));
        assert_eq!(moved.status, RecordStatus::Confirmed);
        let events = "SELECT COUNT(*) FROM record_events WHERE record_id = $1 \
             AND event = 'rescheduled'";
        assert_eq!(count(&mut client, events, id), 1);
    }

    #[test]
    fn rebook_takes_a_free_slot_once_and_refuses_a_taken_one() {
        let (_db, mut client) = database();
        let ctx = ctx();
        let alice = actor(APPLICANT, CredentialKind::Token);
        let old_slot = add_slot(&mut client, "PASS", "D1", 30);
        let old = add_record(&mut client, APPLICANT, old_slot, "cancelled");
        let taken = add_slot(&mut client, "PASS", "D1", 40);
        add_record(&mut client, OTHER_APPLICANT, taken, "confirmed");
        let past = add_slot(&mut client, "PASS", "D1", -1);
        let later = add_slot(&mut client, "PASS", "D1", 90);
        let elsewhere = add_slot(&mut client, "PASS", "D2", 90);

        let refused = write(&mut client, |tx| {
            rebook(tx, &ctx, &alice, old, RebookTarget::Slot(taken))
        });
        assert_eq!(code_of(&refused), "slot_taken");
        let started = write(&mut client, |tx| {
            rebook(tx, &ctx, &alice, old, RebookTarget::Slot(past))
        });
        assert_eq!(code_of(&started), "slot_not_found");
        let moved = write(&mut client, |tx| {
            rebook(tx, &ctx, &alice, old, RebookTarget::Slot(elsewhere))
        });
        assert_eq!(code_of(&moved), "slot_mismatch");

        // The cancelled record's own slot is free again and comes first.
        let from = now() - Duration::days(3);
        let new = write(&mut client, |tx| {
            rebook(tx, &ctx, &alice, old, RebookTarget::FirstFree(from))
        })
        .unwrap();
        assert_eq!((new.slot_id, new.status), (old_slot, RecordStatus::Pending));
        assert_eq!(new.rebooked_from, Some(old));
        let linked = "SELECT COUNT(*) FROM records WHERE id = $1 AND rebooked_to IS NOT NULL";
        assert_eq!(count(&mut client, linked, old), 1);

        let again = write(&mut client, |tx| {
            rebook(tx, &ctx, &alice, old, RebookTarget::Slot(later))
        });
        assert_eq!(code_of(&again), "not_rebookable");
    }

    #[test]
    fn a_write_that_breaks_the_slot_index_is_slot_taken_and_the_transaction_lives_on() {
        let (_db, mut client) = database();
        let ctx = ctx();
        let taken = add_slot(&mut client, "PASS", "D1", 48);
        add_record(&mut client, OTHER_APPLICANT, taken, "pending");
        let mine = add_slot(&mut client, "PASS", "D1", 50);
        let id = add_record(&mut client, APPLICANT, mine, "pending");

        let mut tx = client.transaction().unwrap();
        let slot = load_slot(&mut tx, taken).unwrap().unwrap();
        let written = write_in_savepoint(
            &mut tx,
            "UPDATE records SET slot_id = $2 WHERE id = $1",
            &[&record_number(id), &slot_number(taken)],
        );
        let answer = check_slot_write(&mut tx, &ctx, written, &slot, "D1");
        assert_eq!(answer.unwrap_err().code().as_str(), "slot_taken");
        assert!(load_record(&mut tx, id).unwrap().is_some());
    }

    /// Runs `work` on `racers` threads at once, each with its own
    /// connection, as separate service instances would.
    fn race<T: Send + 'static>(
        db: &TempDatabase,
        racers: usize,
        work: impl Fn(usize, &mut Transaction) -> Result<T, ApiError> + Send + Sync + 'static,
    ) -> Vec<Result<T, ApiError>> {
        let work = Arc::new(work);
        let start = Arc::new(Barrier::new(racers));
        let threads: Vec<_> = (0..racers)
            .map(|n| {
                let (work, start) = (work.clone(), start.clone());
                let mut client = Client::connect(db.url(), NoTls).unwrap();
                std::thread::spawn(move || {
                    start.wait();
                    run_serializable(&mut client, &|tx: &mut Transaction| work(n, tx))
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    }

    fn tally<T>(outcomes: &[Result<T, ApiError>]) -> Vec<(&'static str, usize)> {
        let mut counts = std::collections::BTreeMap::new();
        for outcome in outcomes {
            *counts.entry(code_of(outcome)).or_insert(0) += 1;
        }
        counts.into_iter().collect()
    }

    const RACERS: usize = 16;

    /// Racers for different records or slots. These conflict only through
    /// shared index pages, which PostgreSQL still reports as serialization
    /// failures, so each may retry several times; fewer racers keep the
    /// tests far from the retry limit on a busy machine.
    const SPREAD_RACERS: usize = 8;

    #[test]
    fn racing_instances_cancel_a_record_exactly_once() {
        let (db, mut client) = database();
        let slot = add_slot(&mut client, "PASS", "D1", 48);
        let id = add_record(&mut client, APPLICANT, slot, "pending");
        let (ctx, alice) = (ctx(), actor(APPLICANT, CredentialKind::Token));

        let outcomes = race(&db, RACERS, move |_, tx| {
            cancel(tx, &ctx, &alice, &by_token(id))
        });
        assert_eq!(
            tally(&outcomes),
            [("already_cancelled", RACERS - 1), ("ok", 1)]
        );
        let events = "SELECT COUNT(*) FROM record_events WHERE record_id = $1";
        assert_eq!(count(&mut client, events, id), 1);
        let outbox = "SELECT COUNT(*) FROM notifications WHERE record_id = $1";
        assert_eq!(count(&mut client, outbox, id), 2);
    }

    #[test]
    fn racing_instances_cancel_different_records_without_giving_up() {
        let (db, mut client) = database();
        let ids: Vec<RecordId> = (0..SPREAD_RACERS as i64)
            .map(|n| {
                let slot = add_slot(&mut client, "PASS", "D1", 48 + n);
                add_record(&mut client, APPLICANT, slot, "pending")
            })
            .collect();
        let (ctx, alice) = (ctx(), actor(APPLICANT, CredentialKind::Token));

        let outcomes = race(&db, SPREAD_RACERS, move |n, tx| {
            cancel(tx, &ctx, &alice, &by_token(ids[n]))
        });
        assert_eq!(tally(&outcomes), [("ok", SPREAD_RACERS)]);
    }

    #[test]
    fn racing_instances_book_a_slot_exactly_once() {
        let (db, mut client) = database();
        let contested = add_slot(&mut client, "PASS", "D1", 100);
        let olds: Vec<RecordId> = (0..RACERS as i64)
            .map(|n| {
                let slot = add_slot(&mut client, "PASS", "D1", -(n + 1));
                add_record(&mut client, APPLICANT, slot, "expired")
            })
            .collect();
        let (ctx, alice) = (ctx(), actor(APPLICANT, CredentialKind::Token));

        let outcomes = race(&db, RACERS, move |n, tx| {
            rebook(tx, &ctx, &alice, olds[n], RebookTarget::Slot(contested))
        });
        assert_eq!(tally(&outcomes), [("ok", 1), ("slot_taken", RACERS - 1)]);
        let holders: i64 = client
            .query_one(
                "SELECT COUNT(*) FROM records WHERE slot_id = $1",
                &[&slot_number(contested)],
            )
            .unwrap()
            .get(0);
        assert_eq!(holders, 1);
    }

    #[test]
    fn racing_rebookings_into_different_slots_all_get_new_numbers() {
        let (db, mut client) = database();
        let pairs: Vec<(RecordId, SlotId)> = (0..SPREAD_RACERS as i64)
            .map(|n| {
                let past = add_slot(&mut client, "PASS", "D1", -(n + 1));
                let old = add_record(&mut client, APPLICANT, past, "cancelled");
                (old, add_slot(&mut client, "PASS", "D1", 100 + n))
            })
            .collect();
        let (ctx, alice) = (ctx(), actor(APPLICANT, CredentialKind::Token));

        // Every racer first picks the same next record number.
        let outcomes = race(&db, SPREAD_RACERS, move |n, tx| {
            let (old, slot) = pairs[n];
            rebook(tx, &ctx, &alice, old, RebookTarget::Slot(slot))
        });
        assert_eq!(tally(&outcomes), [("ok", SPREAD_RACERS)]);
        let mut numbers: Vec<u64> = outcomes.iter().flatten().map(|r| r.id.number()).collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), SPREAD_RACERS);
    }

    #[test]
    fn racing_instances_move_records_into_one_slot_once() {
        let (db, mut client) = database();
        let target = add_slot(&mut client, "PASS", "D2", 100);
        let records: Vec<RecordId> = (0..RACERS as i64)
            .map(|n| {
                let slot = add_slot(&mut client, "PASS", "D1", 30 + n);
                add_record(&mut client, APPLICANT, slot, "pending")
            })
            .collect();
        let (ctx, alice) = (ctx(), actor(APPLICANT, CredentialKind::Token));

        let outcomes = race(&db, RACERS, move |n, tx| {
            reschedule(tx, &ctx, &alice, records[n], target)
        });
        assert_eq!(tally(&outcomes), [("ok", 1), ("slot_taken", RACERS - 1)]);
    }

    #[test]
    fn racing_instances_rebooking_the_first_free_slot_each_get_their_own() {
        let (db, mut client) = database();
        // Every racer picks the earliest free slot, so each round of
        // retries books one: the last losers run once per slot, plus one.
        let free: Vec<SlotId> = (0..3)
            .map(|n| add_slot(&mut client, "PASS", "D2", 100 + n))
            .collect();
        let olds: Vec<RecordId> = (0..SPREAD_RACERS as i64)
            .map(|n| {
                let slot = add_slot(&mut client, "PASS", "D2", -(n + 1));
                add_record(&mut client, APPLICANT, slot, "expired")
            })
            .collect();
        let (ctx, alice) = (ctx(), actor(APPLICANT, CredentialKind::Token));

        let outcomes = race(&db, SPREAD_RACERS, move |n, tx| {
            rebook(tx, &ctx, &alice, olds[n], RebookTarget::FirstFree(now()))
        });
        assert_eq!(
            tally(&outcomes),
            [
                ("ok", free.len()),
                ("slot_not_found", SPREAD_RACERS - free.len())
            ]
        );
        let mut booked: Vec<u64> = outcomes
            .iter()
            .flatten()
            .map(|row| row.slot_id.number())
            .collect();
        booked.sort_unstable();
        let expected: Vec<u64> = free.iter().map(|s| s.number()).collect();
        assert_eq!(booked, expected);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn racing_requests_through_the_store_book_a_slot_once() {
        use crate::store::pg::PgOptions;
        use crate::store::Store;

        let (db, olds, contested) = tokio::task::spawn_blocking(|| {
            let (db, mut client) = database();
            let contested = add_slot(&mut client, "PASS", "D1", 100);
            let olds: Vec<RecordId> = (0..RACERS as i64)
                .map(|n| {
                    let slot = add_slot(&mut client, "PASS", "D1", -(n + 1));
                    add_record(&mut client, APPLICANT, slot, "cancelled")
                })
                .collect();
            (db, olds, contested)
        })
        .await
        .unwrap();
        let url = db.url().to_string();
        let store = tokio::task::spawn_blocking(move || PgStore::connect(&PgOptions::new(url)))
            .await
            .unwrap()
            .unwrap();

        let alice = actor(APPLICANT, CredentialKind::Token);
        let requests = olds.iter().map(|old| {
            let target = RebookTarget::Slot(contested);
            store.rebook(ctx(), alice.clone(), *old, target)
        });
        let outcomes = futures_util::future::join_all(requests).await;
        let tally = tally(&outcomes);

        // The blocking clients must be closed off the runtime's threads.
        tokio::task::spawn_blocking(move || drop((store, db)))
            .await
            .unwrap();
        assert_eq!(tally, [("ok", 1), ("slot_taken", RACERS - 1)]);
    }
}
