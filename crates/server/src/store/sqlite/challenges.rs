//! Challenges in SQLite: issuing one (the code goes to the user's SMS and
//! e-mail outbox and the server log), loading, confirming and using it.

use apptctl_api::cancel::{Challenge, ChallengePurpose, ChallengeState, Channel};
use apptctl_api::journal::Outcome;
use apptctl_api::RecordId;
use rusqlite::{params, Connection, OptionalExtension};

use super::journal::{audit_ok, insert_audit, notify, Message};
use super::rows::{enum_text, json_enum, optional_time, record_number, secs, time};
use crate::domain::challenge::{self, ChallengeRow, CodeCheck};
use crate::error::ApiError;
use crate::store::{NewAuditEntry, OpContext};

/// Issues a challenge for `user_id` covering `records` (for cancellations)
/// and sends its code.
pub fn issue(
    conn: &Connection,
    ctx: &OpContext,
    user_id: i64,
    purpose: ChallengePurpose,
    records: &[RecordId],
) -> Result<Challenge, ApiError> {
    let (username, phone, email): (String, String, String) = conn.query_row(
        "SELECT username, phone, email FROM users WHERE id = ?1",
        params![user_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;

    let id = challenge::new_challenge_id();
    let code = challenge::new_code(ctx.config.otp_fixed.as_deref());
    let expires_at = ctx.now + ctx.config.challenge_ttl;
    let record_count = (purpose == ChallengePurpose::Cancel).then_some(records.len());
    conn.execute(
        "INSERT INTO challenges (id, user_id, purpose, state, code_hash, created_at, expires_at, \
             attempts_left, record_count) VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            user_id,
            enum_text(&purpose),
            challenge::code_hash(&id, &code),
            secs(ctx.now),
            secs(expires_at),
            ctx.config.code_attempts,
            record_count.map(|n| n as i64),
        ],
    )?;
    cover(conn, &id, records)?;

    send_code(conn, ctx, user_id, (&phone, &email), purpose, &code)?;
    if ctx.config.log_codes {
        tracing::info!(user = %username, challenge = %id, purpose = ?purpose, %code,
            "one-time code sent by SMS and e-mail");
    } else {
        tracing::info!(user = %username, challenge = %id, purpose = ?purpose,
            "one-time code queued in the notifications outbox");
    }
    audit_ok(
        conn,
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

fn cover(conn: &Connection, id: &str, records: &[RecordId]) -> Result<(), ApiError> {
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO challenge_records (challenge_id, record_id) VALUES (?1, ?2)",
    )?;
    for record in records {
        insert.execute(params![id, record_number(*record)])?;
    }
    Ok(())
}

fn send_code(
    conn: &Connection,
    ctx: &OpContext,
    user_id: i64,
    (phone, email): (&str, &str),
    purpose: ChallengePurpose,
    code: &str,
) -> Result<(), ApiError> {
    let (sms, mail) = challenge::code_messages(purpose, code, &ctx.config);
    notify(
        conn,
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
        conn,
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

pub fn load(conn: &Connection, id: &str) -> Result<Option<ChallengeRow>, ApiError> {
    let row = conn
        .query_row(
            "SELECT c.id, c.user_id, c.purpose, c.state, c.code_hash, c.expires_at, \
                 c.attempts_left, \
                 c.confirmed_at, u.phone, u.email, c.record_count \
             FROM challenges c JOIN users u ON u.id = c.user_id WHERE c.id = ?1",
            params![id],
            |row| {
                Ok(ChallengeRow {
                    id: row.get(0)?,
                    user_id: row.get(1)?,
                    purpose: json_enum(row, 2)?,
                    state: json_enum(row, 3)?,
                    code_hash: row.get(4)?,
                    expires_at: time(row, 5)?,
                    attempts_left: row.get(6)?,
                    confirmed_at: optional_time(row, 7)?,
                    phone: row.get(8)?,
                    email: row.get(9)?,
                    record_count: row.get::<_, Option<i64>>(10)?.map(|n| n.max(0) as usize),
                })
            },
        )
        .optional()?;
    Ok(row)
}

/// The challenge `id` as `caller` may see it: their own, or, without a
/// caller, only a login challenge (the login is not finished yet).
pub fn load_for(
    conn: &Connection,
    id: &str,
    caller: Option<i64>,
) -> Result<ChallengeRow, ApiError> {
    let row = load(conn, id)?.filter(|row| match caller {
        Some(user_id) => row.user_id == user_id,
        None => row.purpose == ChallengePurpose::Login,
    });
    row.ok_or_else(|| challenge::not_found(id))
}

pub fn covers(conn: &Connection, id: &str, record: RecordId) -> Result<bool, ApiError> {
    let found = conn
        .query_row(
            "SELECT 1 FROM challenge_records WHERE challenge_id = ?1 AND record_id = ?2",
            params![id, record_number(record)],
            |_| Ok(()),
        )
        .optional()?;
    Ok(found.is_some())
}

pub fn mark_used(conn: &Connection, id: &str) -> Result<(), ApiError> {
    conn.execute(
        "UPDATE challenges SET state = 'used' WHERE id = ?1 AND state = 'confirmed'",
        params![id],
    )?;
    Ok(())
}

/// Checks the code. The outer result fails only on storage errors; the
/// inner one is the caller's answer, so a wrong try is committed (counted)
/// even though the request is refused.
pub fn confirm(
    conn: &Connection,
    ctx: &OpContext,
    id: &str,
    caller: Option<i64>,
    code: &str,
) -> Result<Result<Challenge, ApiError>, ApiError> {
    let mut row = match load_for(conn, id, caller) {
        Ok(row) => row,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let username: String = conn.query_row(
        "SELECT username FROM users WHERE id = ?1",
        params![row.user_id],
        |r| r.get(0),
    )?;

    let check = match challenge::check_code(&row, code, ctx.now, &ctx.config) {
        Ok(check) => check,
        Err(refusal) => {
            audit_refused(conn, ctx, (row.user_id, &username), &refusal)?;
            return Ok(Err(refusal));
        }
    };

    match check {
        CodeCheck::Correct => {
            if row.state == ChallengeState::Pending {
                conn.execute(
                    "UPDATE challenges SET state = 'confirmed', confirmed_at = ?2 \
                     WHERE id = ?1 AND state = 'pending'",
                    params![id, secs(ctx.now)],
                )?;
                row.state = ChallengeState::Confirmed;
                row.confirmed_at = Some(ctx.now);
                audit_ok(
                    conn,
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
            conn.execute(
                "UPDATE challenges SET attempts_left = ?2, state = ?3 WHERE id = ?1",
                params![id, attempts_left, state],
            )?;
            let refusal = challenge::wrong_code(attempts_left);
            audit_refused(conn, ctx, (row.user_id, &username), &refusal)?;
            Ok(Err(refusal))
        }
    }
}

fn audit_refused(
    conn: &Connection,
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
    insert_audit(conn, &entry)
}

/// Presents a challenge as it stands now.
pub fn show(
    conn: &Connection,
    ctx: &OpContext,
    id: &str,
    caller: Option<i64>,
) -> Result<Challenge, ApiError> {
    let row = load_for(conn, id, caller)?;
    Ok(challenge::present(&row, ctx.now, &ctx.config))
}
