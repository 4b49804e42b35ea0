//! Changing records in PostgreSQL: the storage side of cancellation, batch
//! challenges, rescheduling and re-booking, whose logic lives in
//! [`crate::store::changes`], run inside one serializable transaction.
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
//! other writers of `records` (see `attempt_once` in the parent module)
//! instead of racing them again. Cancellation runs READ COMMITTED instead:
//! its row lock is all it needs, and it then never conflicts with changes
//! of other records.

use apptctl_api::cancel::{Challenge, ChallengePurpose};
use apptctl_api::slots::Slot;
use apptctl_api::{RecordId, SlotId};
use chrono::{DateTime, Utc};
use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::Transaction;

use super::challenges;
use super::journal::{audit_ok, insert_event, notify, Event, Message};
use super::rows::*;
use crate::auth::Actor;
use crate::domain::challenge::ChallengeRow;
use crate::domain::records::RecordRow;
use crate::error::ApiError;
use crate::store::changes::{self, RecordChanges, RecordPlace, SlotWrite};
use crate::store::{CancelCommand, CancelResult, OpContext, RebookTarget};

/// The index that keeps one active record per slot.
const ACTIVE_SLOT_INDEX: &str = "records_active_slot";

pub fn cancel(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: &Actor,
    command: &CancelCommand,
) -> Result<CancelResult, ApiError> {
    changes::cancel(&mut PgChanges(tx), ctx, actor, command)
}

/// One challenge covering those of `ids` the actor may see; the others are
/// left out silently, as on SQLite, so a batch reveals nothing about them.
pub fn batch_challenge(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: &Actor,
    ids: &[RecordId],
) -> Result<Challenge, ApiError> {
    changes::batch_challenge(&mut PgChanges(tx), ctx, actor, ids)
}

pub fn reschedule(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: &Actor,
    id: RecordId,
    slot_id: SlotId,
) -> Result<RecordRow, ApiError> {
    changes::reschedule(&mut PgChanges(tx), ctx, actor, id, slot_id)
}

pub fn rebook(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: &Actor,
    id: RecordId,
    target: RebookTarget,
) -> Result<RecordRow, ApiError> {
    changes::rebook(&mut PgChanges(tx), ctx, actor, id, target)
}

/// The storage side of the record changes in one serializable transaction.
struct PgChanges<'a, 't>(&'a mut Transaction<'t>);

impl RecordChanges for PgChanges<'_, '_> {
    const GUARD: &'static str = "row lock";

    /// Locks the record for this transaction: see the module comment.
    fn record_for_change(&mut self, id: RecordId) -> Result<Option<RecordRow>, ApiError> {
        // `OF r`: only the record is locked, not its service and department,
        // which every other record shares.
        let sql =
            format!("SELECT {RECORD_COLUMNS} {RECORD_FROM} WHERE r.id = $1 FOR NO KEY UPDATE OF r");
        self.0
            .query_opt(&sql, &[&record_number(id)])?
            .map(|row| record_row(&row))
            .transpose()
    }

    fn record(&mut self, id: RecordId) -> Result<Option<RecordRow>, ApiError> {
        load_record(self.0, id)
    }

    fn record_places(&mut self, ids: &[RecordId]) -> Result<Vec<RecordPlace>, ApiError> {
        let numbers: Vec<i64> = ids.iter().map(|id| record_number(*id)).collect();
        let rows = self.0.query(
            "SELECT id, owner_id, department_id FROM records WHERE id = ANY($1) ORDER BY id",
            &[&numbers],
        )?;
        rows.iter()
            .map(|row| {
                Ok(RecordPlace {
                    id: record_id(row, 0)?,
                    owner_id: col(row, 1)?,
                    department: col(row, 2)?,
                })
            })
            .collect()
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
            "SELECT {SLOT_COLUMNS} {SLOT_FROM} WHERE sl.service_code = $1 \
             AND sl.department_id = $2 AND sl.starts_at >= $3 AND {SLOT_IS_FREE} \
             ORDER BY sl.starts_at, sl.id LIMIT 1"
        );
        let found = self
            .0
            .query_opt(&sql, &[&service, &department, &secs(from)])?;
        found.map(|slot| slot_row(&slot)).transpose()
    }

    fn alternatives(
        &mut self,
        ctx: &OpContext,
        service: &str,
        department: &str,
    ) -> Result<Vec<Slot>, ApiError> {
        super::records::alternatives(self.0, ctx, service, department)
    }

    fn mark_cancelled(&mut self, id: RecordId, at: DateTime<Utc>) -> Result<u64, ApiError> {
        let sql = format!(
            "UPDATE records SET status = 'cancelled', updated_at = $2 \
             WHERE id = $1 AND status IN {ACTIVE_SQL}"
        );
        Ok(self.0.execute(&sql, &[&record_number(id), &secs(at)])?)
    }

    fn move_record(
        &mut self,
        id: RecordId,
        slot: &Slot,
        at: DateTime<Utc>,
    ) -> Result<SlotWrite, ApiError> {
        let sql = format!(
            "UPDATE records SET slot_id = $2, department_id = $3, starts_at = $4, ends_at = $5, \
                 updated_at = $6 \
             WHERE id = $1 AND status IN {ACTIVE_SQL}"
        );
        let moved = write_in_savepoint(
            self.0,
            &sql,
            &[
                &record_number(id),
                &slot_number(slot.id),
                &slot.department.id,
                &secs(slot.starts_at),
                &secs(slot.ends_at),
                &secs(at),
            ],
        );
        slot_write(moved)
    }

    /// The next number as on SQLite: imported and seeded records carry
    /// their own numbers, so the identity sequence may lag behind them.
    fn next_record_number(&mut self) -> Result<i64, ApiError> {
        let next = self
            .0
            .query_one("SELECT COALESCE(MAX(id), 0) + 1 FROM records", &[])?;
        col(&next, 0)
    }

    fn insert_rebooked(
        &mut self,
        number: i64,
        old: &RecordRow,
        slot: &Slot,
        at: DateTime<Utc>,
    ) -> Result<SlotWrite, ApiError> {
        // Two re-bookings may pick the same number. With `ON CONFLICT (id) DO
        // NOTHING` the clash is always a serialization failure (the other row
        // is not in this transaction's snapshot), which is retried, never a
        // unique violation answered 500. The slot index is not an arbiter, so
        // a taken slot still raises its own violation.
        let inserted = write_in_savepoint(
            self.0,
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
                &secs(at),
                &record_number(old.id),
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
            "UPDATE records SET rebooked_to = $2, updated_at = $3 WHERE id = $1",
            &[&record_number(old), &number, &secs(at)],
        )?;
        Ok(())
    }

    fn contacts(&mut self, user_id: i64) -> Result<(String, String), ApiError> {
        let row = self
            .0
            .query_one("SELECT phone, email FROM users WHERE id = $1", &[&user_id])?;
        Ok((col(&row, 0)?, col(&row, 1)?))
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

    /// SQLite keeps a NUL in a comment; PostgreSQL refuses the whole
    /// statement, which would turn a valid cancellation into an error. Each
    /// NUL becomes U+FFFD instead, so the text keeps its length in
    /// characters and its other text.
    fn storable_text(&self, text: &str) -> String {
        text.replace('\0', "\u{FFFD}")
    }
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

/// Tells the unique-slot index apart from other failures of a write that
/// puts a record into a slot: the last line of defence when two instances
/// book one slot at the same moment.
fn slot_write(written: Result<u64, postgres::Error>) -> Result<SlotWrite, ApiError> {
    match written {
        Ok(changed) => Ok(SlotWrite::Changed(changed)),
        Err(e) if holds_a_slot_twice(&e) => Ok(SlotWrite::SlotHeld),
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
    use apptctl_api::records::RecordStatus;
    use chrono::{Duration, TimeZone};
    use postgres::{Client, NoTls};

    use super::*;
    use crate::config::ServerConfig;
    use crate::store::pg::testing::TempDatabase;
    use crate::store::pg::{run_with_retries, Isolation, PgStore};
    use crate::store::CancelAuthorization;

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
        run_with_retries(client, &work, Isolation::Serializable)
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
        let mut store = PgChanges(&mut tx);
        let written = store.move_record(id, &slot, now()).unwrap();
        assert!(matches!(written, SlotWrite::SlotHeld), "{written:?}");
        let answer = changes::check_slot_write(&mut store, &ctx, written, &slot, "D1");
        assert_eq!(answer.unwrap_err().code().as_str(), "slot_taken");
        assert!(load_record(&mut tx, id).unwrap().is_some());
    }

    /// Runs `work` on `racers` threads at once, each with its own
    /// connection, as separate service instances would, isolated as
    /// [`PgStore`] isolates that change.
    fn race<T: Send + 'static>(
        db: &TempDatabase,
        racers: usize,
        isolation: Isolation,
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
                    let each = |tx: &mut Transaction| work(n, tx);
                    run_with_retries(&mut client, &each, isolation)
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

        let outcomes = race(&db, RACERS, Isolation::RowLocks, move |_, tx| {
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

        let outcomes = race(&db, SPREAD_RACERS, Isolation::RowLocks, move |n, tx| {
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

        let outcomes = race(&db, RACERS, Isolation::Serializable, move |n, tx| {
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
        let outcomes = race(&db, SPREAD_RACERS, Isolation::Serializable, move |n, tx| {
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

        let outcomes = race(&db, RACERS, Isolation::Serializable, move |n, tx| {
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

        let outcomes = race(&db, SPREAD_RACERS, Isolation::Serializable, move |n, tx| {
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
