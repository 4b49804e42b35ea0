//! The state changes of records — cancellation, batch challenges,
//! rescheduling and re-booking — written once for every backend.
//!
//! Each operation reads the record its actor may see, checks it with the
//! domain rules, picks and checks the slot, writes, and records what
//! happened: the history event, the owner's notifications and the audit
//! entry. A backend takes part only through [`RecordChanges`], the storage
//! primitives it runs inside its write transaction: SQL and row mapping,
//! plus how it keeps a checked row and a slot safe from other writers.

use apptctl_api::cancel::{Challenge, ChallengePurpose, Channel};
use apptctl_api::records::RecordStatus;
use apptctl_api::slots::Slot;
use apptctl_api::{ErrorCode, RecordId, SlotId};
use chrono::{DateTime, Utc};

use crate::auth::Actor;
use crate::domain::access::{record_not_found, Visibility};
use crate::domain::challenge::{self, ChallengeRow};
use crate::domain::records::{self as rules, RecordRow};
use crate::error::ApiError;
use crate::store::common::{to_record_id, Event, Message};
use crate::store::{CancelAuthorization, CancelCommand, CancelResult, OpContext, RebookTarget};

/// The outcome of a write that puts a record into a slot.
#[derive(Debug)]
pub enum SlotWrite {
    /// The statement ran and changed this many rows.
    Changed(u64),
    /// The store's one-record-per-slot constraint refused the write.
    SlotHeld,
}

/// Where an existing record belongs, for deciding who may see it.
pub struct RecordPlace {
    pub id: RecordId,
    pub owner_id: i64,
    pub department: String,
}

/// The storage primitives of the record changes, run by a backend inside
/// one write transaction.
pub trait RecordChanges {
    /// What keeps a checked record from changing before it is written;
    /// named in the error when a write misses the record anyway (a bug).
    const GUARD: &'static str;

    /// The record `id`, read for a change: a backend with row locks locks
    /// it for the rest of the transaction.
    fn record_for_change(&mut self, id: RecordId) -> Result<Option<RecordRow>, ApiError>;

    /// The record `id` as it stands now.
    fn record(&mut self, id: RecordId) -> Result<Option<RecordRow>, ApiError>;

    /// The place of each of `ids` that exists.
    fn record_places(&mut self, ids: &[RecordId]) -> Result<Vec<RecordPlace>, ApiError>;

    fn slot(&mut self, id: SlotId) -> Result<Option<Slot>, ApiError>;

    /// The earliest free slot of `service` at `department` from `from` on.
    fn first_free_slot(
        &mut self,
        service: &str,
        department: &str,
        from: DateTime<Utc>,
    ) -> Result<Option<Slot>, ApiError>;

    /// The nearest free slots of a service, those of `department` first.
    fn alternatives(
        &mut self,
        ctx: &OpContext,
        service: &str,
        department: &str,
    ) -> Result<Vec<Slot>, ApiError>;

    /// The compare-and-set of a cancellation: only an active record becomes
    /// cancelled. Returns how many records changed.
    fn mark_cancelled(&mut self, id: RecordId, at: DateTime<Utc>) -> Result<u64, ApiError>;

    /// Moves the active record `id` into `slot`.
    fn move_record(
        &mut self,
        id: RecordId,
        slot: &Slot,
        at: DateTime<Utc>,
    ) -> Result<SlotWrite, ApiError>;

    /// The number the next new record gets.
    fn next_record_number(&mut self) -> Result<i64, ApiError>;

    /// Inserts the pending record `number` in `slot`, re-booked from `old`.
    fn insert_rebooked(
        &mut self,
        number: i64,
        old: &RecordRow,
        slot: &Slot,
        at: DateTime<Utc>,
    ) -> Result<SlotWrite, ApiError>;

    /// Points `old` at the record `number` that replaced it.
    fn link_rebooked(
        &mut self,
        old: RecordId,
        number: i64,
        at: DateTime<Utc>,
    ) -> Result<(), ApiError>;

    /// A user's phone and email.
    fn contacts(&mut self, user_id: i64) -> Result<(String, String), ApiError>;

    fn insert_event(&mut self, at: DateTime<Utc>, event: Event<'_>) -> Result<(), ApiError>;

    fn notify(&mut self, at: DateTime<Utc>, message: Message<'_>) -> Result<(), ApiError>;

    /// An `ok` journal entry for a change made by `actor` in this request.
    fn audit_ok(
        &mut self,
        ctx: &OpContext,
        actor: (Option<i64>, &str),
        action: &str,
        record_id: Option<RecordId>,
        detail: Option<String>,
    ) -> Result<(), ApiError>;

    /// Issues a challenge for `user_id` covering `records` and sends its code.
    fn issue_challenge(
        &mut self,
        ctx: &OpContext,
        user_id: i64,
        purpose: ChallengePurpose,
        records: &[RecordId],
    ) -> Result<Challenge, ApiError>;

    /// The challenge `id` if it belongs to `user_id`; "not found" otherwise.
    fn challenge_for(&mut self, id: &str, user_id: i64) -> Result<ChallengeRow, ApiError>;

    fn challenge_covers(&mut self, id: &str, record: RecordId) -> Result<bool, ApiError>;

    /// `text` from a request as the store can keep it.
    fn storable_text(&self, text: &str) -> String;
}

/// The record `id` if `actor` may see it; "not found" otherwise.
fn visible_record(
    store: &mut impl RecordChanges,
    actor: &Actor,
    id: RecordId,
) -> Result<RecordRow, ApiError> {
    let visibility = Visibility::of(actor);
    store
        .record_for_change(id)?
        .filter(|row| visibility.can_see(row.owner_id, &row.department.id))
        .ok_or_else(|| record_not_found(id))
}

pub fn cancel(
    store: &mut impl RecordChanges,
    ctx: &OpContext,
    actor: &Actor,
    command: &CancelCommand,
) -> Result<CancelResult, ApiError> {
    let id = command.record_id;
    let row = visible_record(store, actor, id)?;
    rules::check_cancellable(&row, ctx.now, ctx.config.cutoff)?;

    match &command.authorization {
        CancelAuthorization::Token => {}
        CancelAuthorization::AskForCode => {
            let purpose = ChallengePurpose::Cancel;
            let issued = store.issue_challenge(ctx, actor.user_id, purpose, &[id])?;
            return Ok(CancelResult::ChallengeRequired(issued));
        }
        CancelAuthorization::Challenge(challenge_id) => {
            check_cancel_challenge(store, ctx, actor, challenge_id, id)?;
        }
    }

    mark_cancelled(store, ctx, id)?;
    write_cancellation(store, ctx, actor, command, &row)?;
    let updated = store.record(id)?.ok_or_else(|| record_not_found(id))?;
    Ok(CancelResult::Cancelled(updated))
}

/// A person's cancellation needs their own confirmed challenge covering
/// the record.
fn check_cancel_challenge(
    store: &mut impl RecordChanges,
    ctx: &OpContext,
    actor: &Actor,
    challenge_id: &str,
    id: RecordId,
) -> Result<(), ApiError> {
    let found = store.challenge_for(challenge_id, actor.user_id)?;
    challenge::check_usable(&found, ChallengePurpose::Cancel, ctx.now, &ctx.config)?;
    if store.challenge_covers(challenge_id, id)? {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::ChallengeNotCovering,
        format!("challenge {challenge_id} does not cover record {id}"),
        "request a challenge that lists this record",
    ))
}

fn mark_cancelled<S: RecordChanges>(
    store: &mut S,
    ctx: &OpContext,
    id: RecordId,
) -> Result<(), ApiError> {
    if store.mark_cancelled(id, ctx.now)? == 1 {
        return Ok(());
    }
    // The record was checked in this same transaction under the store's
    // guard; a concurrent change fails the transaction instead. A miss is
    // a bug.
    Err(ApiError::Internal(anyhow::anyhow!(
        "record {id} changed under the {}",
        S::GUARD
    )))
}

/// The history event, the notifications and the journal entry.
fn write_cancellation(
    store: &mut impl RecordChanges,
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
        .map(|c| store.storable_text(c));
    let event = Event {
        record_id: row.id,
        event: "cancelled",
        from: Some(row.status),
        to: RecordStatus::Cancelled,
        actor: &actor.username,
        reason: Some(reason),
        comment: comment.as_deref(),
    };
    store.insert_event(ctx.now, event)?;
    notify_cancelled(store, ctx, row, reason)?;

    let detail = match &comment {
        Some(comment) => format!("{reason}: {comment}"),
        None => reason.to_string(),
    };
    let who = (Some(actor.user_id), actor.username.as_str());
    store.audit_ok(ctx, who, "record.cancel", Some(row.id), Some(detail))
}

fn notify_cancelled(
    store: &mut impl RecordChanges,
    ctx: &OpContext,
    row: &RecordRow,
    reason: &str,
) -> Result<(), ApiError> {
    let (phone, email) = store.contacts(row.owner_id)?;
    let when = row.starts_at.format("%Y-%m-%d %H:%M UTC");
    let sms = format!("Record {} is cancelled. The slot is released.", row.id);
    let mail = format!(
        "Your record {} ({}, {}) for {when} has been cancelled.\nReason: {reason}.\n\n\
         To book again, run `apptctl rebook {} --first-free` or choose a time in your account.",
        row.id, row.service.name, row.department.name, row.id
    );
    let subject = format!("Record {} cancelled", row.id);
    store.notify(
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
    store.notify(
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
/// left out silently, so a batch reveals nothing about them.
pub fn batch_challenge(
    store: &mut impl RecordChanges,
    ctx: &OpContext,
    actor: &Actor,
    ids: &[RecordId],
) -> Result<Challenge, ApiError> {
    let visibility = Visibility::of(actor);
    let covered: Vec<RecordId> = store
        .record_places(ids)?
        .into_iter()
        .filter(|place| visibility.can_see(place.owner_id, &place.department))
        .map(|place| place.id)
        .collect();
    store.issue_challenge(ctx, actor.user_id, ChallengePurpose::Cancel, &covered)
}

pub fn reschedule(
    store: &mut impl RecordChanges,
    ctx: &OpContext,
    actor: &Actor,
    id: RecordId,
    slot_id: SlotId,
) -> Result<RecordRow, ApiError> {
    let row = visible_record(store, actor, id)?;
    rules::check_reschedulable(&row, ctx.now)?;
    let slot = target_slot(store, ctx, slot_id)?;
    if slot.service.code != row.service.code {
        return Err(slot_mismatch(&slot, &row, "the same service"));
    }
    if !slot.free {
        return Err(slot_taken(store, ctx, &slot, &row.department.id));
    }

    let moved = store.move_record(id, &slot, ctx.now)?;
    check_slot_write(store, ctx, moved, &slot, &row.department.id)?;

    let note = format!(
        "from {} to {}",
        row.starts_at.to_rfc3339(),
        slot.starts_at.to_rfc3339()
    );
    store.insert_event(ctx.now, unchanged_status(&row, "rescheduled", actor, &note))?;
    notify_booked(store, ctx, row.owner_id, id, &slot, "moved")?;
    store.audit_ok(
        ctx,
        (Some(actor.user_id), &actor.username),
        "record.reschedule",
        Some(id),
        Some(format!("to slot {}", slot.id)),
    )?;
    store.record(id)?.ok_or_else(|| record_not_found(id))
}

pub fn rebook(
    store: &mut impl RecordChanges,
    ctx: &OpContext,
    actor: &Actor,
    id: RecordId,
    target: RebookTarget,
) -> Result<RecordRow, ApiError> {
    let row = visible_record(store, actor, id)?;
    rules::check_rebookable(&row)?;
    let slot = match target {
        RebookTarget::Slot(slot_id) => target_slot(store, ctx, slot_id)?,
        RebookTarget::FirstFree(from) => first_free(store, &row, from.max(ctx.now))?,
    };
    if slot.service.code != row.service.code || slot.department.id != row.department.id {
        return Err(slot_mismatch(
            &slot,
            &row,
            "the same service and department",
        ));
    }
    if !slot.free {
        return Err(slot_taken(store, ctx, &slot, &row.department.id));
    }

    let new_id = insert_rebooked(store, ctx, &row, &slot)?;
    let note = format!("re-booked as {new_id}");
    store.insert_event(ctx.now, unchanged_status(&row, "rebooked", actor, &note))?;
    notify_booked(store, ctx, row.owner_id, new_id, &slot, "booked")?;
    let who = (Some(actor.user_id), actor.username.as_str());
    store.audit_ok(ctx, who, "record.rebook", Some(id), Some(note))?;
    store
        .record(new_id)?
        .ok_or_else(|| record_not_found(new_id))
}

/// The history event of a change that leaves the record's status as it is.
fn unchanged_status<'a>(
    row: &RecordRow,
    event: &'a str,
    actor: &'a Actor,
    note: &'a str,
) -> Event<'a> {
    Event {
        record_id: row.id,
        event,
        from: Some(row.status),
        to: row.status,
        actor: &actor.username,
        reason: None,
        comment: Some(note),
    }
}

/// The new record in `slot`, linked both ways with `old`.
fn insert_rebooked(
    store: &mut impl RecordChanges,
    ctx: &OpContext,
    old: &RecordRow,
    slot: &Slot,
) -> Result<RecordId, ApiError> {
    let number = store.next_record_number()?;
    let new_id = to_record_id(number)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("record numbers exhausted")))?;

    let inserted = store.insert_rebooked(number, old, slot, ctx.now)?;
    check_slot_write(store, ctx, inserted, slot, &old.department.id)?;
    store.link_rebooked(old.id, number, ctx.now)?;
    Ok(new_id)
}

fn notify_booked(
    store: &mut impl RecordChanges,
    ctx: &OpContext,
    owner: i64,
    id: RecordId,
    slot: &Slot,
    verb: &str,
) -> Result<(), ApiError> {
    let (phone, email) = store.contacts(owner)?;
    let when = slot.starts_at.format("%Y-%m-%d %H:%M UTC");
    let sms = format!("Record {id} {verb}: {when}, {}.", slot.department.name);
    let mail = format!(
        "Your record {id} is {verb} for {when}.\nService: {}\nDepartment: {}, {}",
        slot.service.name, slot.department.name, slot.department.address
    );
    let subject = format!("Record {id} {verb}");
    store.notify(
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
    store.notify(
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
fn target_slot(
    store: &mut impl RecordChanges,
    ctx: &OpContext,
    id: SlotId,
) -> Result<Slot, ApiError> {
    let slot = store.slot(id)?.ok_or_else(|| {
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
    store: &mut impl RecordChanges,
    row: &RecordRow,
    from: DateTime<Utc>,
) -> Result<Slot, ApiError> {
    let found = store.first_free_slot(&row.service.code, &row.department.id, from)?;
    found.ok_or_else(|| {
        ApiError::new(
            ErrorCode::SlotNotFound,
            format!(
                "no free slot for {} at {} from {}",
                row.service.code,
                row.department.id,
                from.to_rfc3339()
            ),
            "try an earlier --from, or another department with `apptctl slots`",
        )
    })
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

fn slot_taken(
    store: &mut impl RecordChanges,
    ctx: &OpContext,
    slot: &Slot,
    department: &str,
) -> ApiError {
    let alternatives = match store.alternatives(ctx, &slot.service.code, department) {
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

/// Answers a slot held by another record `slot_taken`: the last line of
/// defence if a check and a write ever raced.
pub(super) fn check_slot_write<S: RecordChanges>(
    store: &mut S,
    ctx: &OpContext,
    written: SlotWrite,
    slot: &Slot,
    department: &str,
) -> Result<(), ApiError> {
    match written {
        SlotWrite::Changed(1) => Ok(()),
        SlotWrite::Changed(_) => Err(ApiError::Internal(anyhow::anyhow!(
            "record changed under the {}",
            S::GUARD
        ))),
        SlotWrite::SlotHeld => Err(slot_taken(store, ctx, slot, department)),
    }
}
