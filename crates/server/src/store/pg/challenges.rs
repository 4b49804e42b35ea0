//! Challenges in PostgreSQL: issuing one (the code goes to the user's SMS
//! and e-mail outbox and the server log), loading, confirming and using it.
//! The rules are in [`crate::domain::challenge`]; this is the SQL.

use apptctl_api::cancel::{Challenge, ChallengePurpose, ChallengeState, Channel};
use apptctl_api::journal::Outcome;
use apptctl_api::RecordId;
use postgres::Transaction;

use super::journal::{audit_ok, insert_audit, notify, Message};
use super::rows::{col, enum_text, json_enum, optional_time, record_number, secs, time};
use crate::domain::challenge::{self, ChallengeRow, CodeCheck};
use crate::error::ApiError;
use crate::store::{NewAuditEntry, OpContext};

/// Issues a challenge for `user_id` covering `records` (for cancellations)
/// and sends its code.
pub fn issue(
    tx: &mut Transaction,
    ctx: &OpContext,
    user_id: i64,
    purpose: ChallengePurpose,
    records: &[RecordId],
) -> Result<Challenge, ApiError> {
    let user = tx.query_one(
        "SELECT username, phone, email FROM users WHERE id = $1",
        &[&user_id],
    )?;
    let (username, phone, email): (String, String, String) =
        (col(&user, 0)?, col(&user, 1)?, col(&user, 2)?);

    let id = challenge::new_challenge_id();
    let code = challenge::new_code(ctx.config.otp_fixed.as_deref());
    let expires_at = ctx.now + ctx.config.challenge_ttl;
    let record_count = (purpose == ChallengePurpose::Cancel).then_some(records.len());
    tx.execute(
        "INSERT INTO challenges (id, user_id, purpose, state, code_hash, created_at, expires_at, \
             attempts_left, record_count) VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8)",
        &[
            &id,
            &user_id,
            &enum_text(&purpose),
            &challenge::code_hash(&id, &code),
            &secs(ctx.now),
            &secs(expires_at),
            &i64::from(ctx.config.code_attempts),
            &record_count.map(|n| n as i64),
        ],
    )?;
    cover(tx, &id, records)?;

    send_code(tx, ctx, user_id, (&phone, &email), purpose, &code)?;
    // A transaction that loses a serialization race runs again with a new
    // challenge; the log line of the lost run names a challenge that was
    // never committed, so its code cannot be confused with the live one.
    if ctx.config.log_codes {
        tracing::info!(user = %username, challenge = %id, purpose = ?purpose, %code,
            "one-time code sent by SMS and e-mail");
    } else {
        tracing::info!(user = %username, challenge = %id, purpose = ?purpose,
            "one-time code queued in the notifications outbox");
    }
    audit_ok(
        tx,
        ctx,
        (Some(user_id), &username),
        "challenge.issue",
        records.first().copied().filter(|_| records.len() == 1),
        Some(format!("{} code", enum_text(&purpose))),
    )?;

    let row = ChallengeRow {
        id,
        user_id,
        purpose,
        state: ChallengeState::Pending,
        code_hash: String::new(),
        expires_at,
        attempts_left: ctx.config.code_attempts,
        confirmed_at: None,
        phone,
        email,
        record_count,
    };
    Ok(challenge::present(&row, ctx.now, &ctx.config))
}

/// One statement for the whole batch: up to 100,000 records per challenge.
fn cover(tx: &mut Transaction, id: &str, records: &[RecordId]) -> Result<(), ApiError> {
    if records.is_empty() {
        return Ok(());
    }
    let numbers: Vec<i64> = records.iter().map(|r| record_number(*r)).collect();
    tx.execute(
        "INSERT INTO challenge_records (challenge_id, record_id) \
         SELECT $1, n FROM unnest($2::BIGINT[]) AS n ON CONFLICT DO NOTHING",
        &[&id, &numbers],
    )?;
    Ok(())
}

fn send_code(
    tx: &mut Transaction,
    ctx: &OpContext,
    user_id: i64,
    (phone, email): (&str, &str),
    purpose: ChallengePurpose,
    code: &str,
) -> Result<(), ApiError> {
    let (sms, mail) = challenge::code_messages(purpose, code, &ctx.config);
    notify(
        tx,
        ctx.now,
        Message {
            user_id,
            channel: Channel::Sms,
            to: phone,
            subject: None,
            body: &sms,
            record_id: None,
        },
    )?;
    notify(
        tx,
        ctx.now,
        Message {
            user_id,
            channel: Channel::Email,
            to: email,
            subject: Some("Your one-time code"),
            body: &mail,
            record_id: None,
        },
    )
}

pub fn load(tx: &mut Transaction, id: &str) -> Result<Option<ChallengeRow>, ApiError> {
    // PostgreSQL text cannot hold NUL; no stored id has one (SQLite answers
    // "not found" for such an id, and so does this).
    if id.contains('\0') {
        return Ok(None);
    }
    let Some(row) = tx.query_opt(
        "SELECT c.id, c.user_id, c.purpose, c.state, c.code_hash, c.expires_at, \
             c.attempts_left, c.confirmed_at, u.phone, u.email, c.record_count \
         FROM challenges c JOIN users u ON u.id = c.user_id WHERE c.id = $1",
        &[&id],
    )?
    else {
        return Ok(None);
    };
    let attempts_left: i64 = col(&row, 6)?;
    let record_count: Option<i64> = col(&row, 10)?;
    Ok(Some(ChallengeRow {
        id: col(&row, 0)?,
        user_id: col(&row, 1)?,
        purpose: json_enum(&row, 2)?,
        state: json_enum(&row, 3)?,
        code_hash: col(&row, 4)?,
        expires_at: time(&row, 5)?,
        attempts_left: u32::try_from(attempts_left.max(0)).unwrap_or(u32::MAX),
        confirmed_at: optional_time(&row, 7)?,
        phone: col(&row, 8)?,
        email: col(&row, 9)?,
        record_count: record_count.map(|n| n.max(0) as usize),
    }))
}

/// The challenge `id` as `caller` may see it: their own, or, without a
/// caller, only a login challenge (the login is not finished yet).
pub fn load_for(
    tx: &mut Transaction,
    id: &str,
    caller: Option<i64>,
) -> Result<ChallengeRow, ApiError> {
    let row = load(tx, id)?.filter(|row| match caller {
        Some(user_id) => row.user_id == user_id,
        None => row.purpose == ChallengePurpose::Login,
    });
    row.ok_or_else(|| challenge::not_found(id))
}

pub fn covers(tx: &mut Transaction, id: &str, record: RecordId) -> Result<bool, ApiError> {
    let found = tx.query_opt(
        "SELECT 1 FROM challenge_records WHERE challenge_id = $1 AND record_id = $2",
        &[&id, &record_number(record)],
    )?;
    Ok(found.is_some())
}

pub fn mark_used(tx: &mut Transaction, id: &str) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE challenges SET state = 'used' WHERE id = $1 AND state = 'confirmed'",
        &[&id],
    )?;
    Ok(())
}

/// Checks the code. The outer result fails only on storage errors; the
/// inner one is the caller's answer, so a wrong try is committed (counted)
/// even though the request is refused.
pub fn confirm(
    tx: &mut Transaction,
    ctx: &OpContext,
    id: &str,
    caller: Option<i64>,
    code: &str,
) -> Result<Result<Challenge, ApiError>, ApiError> {
    let mut row = match load_for(tx, id, caller) {
        Ok(row) => row,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let user = tx.query_one("SELECT username FROM users WHERE id = $1", &[&row.user_id])?;
    let username: String = col(&user, 0)?;

    let check = match challenge::check_code(&row, code, ctx.now, &ctx.config) {
        Ok(check) => check,
        Err(refusal) => {
            audit_refused(tx, ctx, (row.user_id, &username), &refusal)?;
            return Ok(Err(refusal));
        }
    };

    match check {
        CodeCheck::Correct => {
            if row.state == ChallengeState::Pending {
                tx.execute(
                    "UPDATE challenges SET state = 'confirmed', confirmed_at = $2 \
                     WHERE id = $1 AND state = 'pending'",
                    &[&id, &secs(ctx.now)],
                )?;
                row.state = ChallengeState::Confirmed;
                row.confirmed_at = Some(ctx.now);
                audit_ok(
                    tx,
                    ctx,
                    (Some(row.user_id), &username),
                    "challenge.confirm",
                    None,
                    None,
                )?;
            }
            Ok(Ok(challenge::present(&row, ctx.now, &ctx.config)))
        }
        CodeCheck::Wrong { attempts_left } => {
            let state = if attempts_left == 0 {
                "locked"
            } else {
                "pending"
            };
            tx.execute(
                "UPDATE challenges SET attempts_left = $2, state = $3 WHERE id = $1",
                &[&id, &i64::from(attempts_left), &state],
            )?;
            let refusal = challenge::wrong_code(attempts_left);
            audit_refused(tx, ctx, (row.user_id, &username), &refusal)?;
            Ok(Err(refusal))
        }
    }
}

fn audit_refused(
    tx: &mut Transaction,
    ctx: &OpContext,
    (user_id, username): (i64, &str),
    refusal: &ApiError,
) -> Result<(), ApiError> {
    let entry = NewAuditEntry {
        at: ctx.now,
        actor_id: Some(user_id),
        actor: username.to_string(),
        action: "challenge.confirm".to_string(),
        record_id: None,
        outcome: Outcome::Refused,
        code: Some(refusal.code().to_string()),
        request_id: ctx.request_id.clone(),
        detail: Some(refusal.detail()),
    };
    insert_audit(tx, &entry)
}

/// Presents a challenge as it stands now.
pub fn show(
    tx: &mut Transaction,
    ctx: &OpContext,
    id: &str,
    caller: Option<i64>,
) -> Result<Challenge, ApiError> {
    let row = load_for(tx, id, caller)?;
    Ok(challenge::present(&row, ctx.now, &ctx.config))
}
