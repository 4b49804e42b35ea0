//! Accounts in PostgreSQL: credential lookup, login with lockout, sessions
//! and automation tokens, and the operator's `create-account`.
//!
//! The same queries and refusals as the SQLite store. Failed logins are
//! counted by the database itself (`failed_logins + 1 ... RETURNING`) inside
//! the serializable write, so instances sharing the database lock an account
//! after the same number of failures, whichever instance saw them.

use apptctl_api::auth::{CreateTokenOutcome, CredentialKind, Me, Role, Scope, Session, TokenInfo};
use apptctl_api::cancel::ChallengePurpose;
use apptctl_api::ErrorCode;
use chrono::{DateTime, Utc};
use postgres::error::SqlState;
use postgres::{Row, Transaction};
use rand::RngCore;

use super::challenges;
use super::journal::audit_ok;
use super::rows::{col, json_enum, optional_time, secs, time};
use crate::auth::{new_secret, secret_hash, Actor, Authentication};
use crate::domain::challenge;
use crate::error::ApiError;
use crate::store::sqlite::{AccountError, NewAccount};
use crate::store::{LoginStep, NewToken, OpContext, UserRow};

/// The columns [`token_info`] reads.
const TOKEN_COLUMNS: &str =
    "public_id, name, scopes, created_at, expires_at, last_used_at, revoked_at";

/// PostgreSQL refuses text parameters holding NUL, where SQLite simply finds
/// no row: callers check with this and answer as SQLite would.
fn has_nul(text: &str) -> bool {
    text.contains('\0')
}

fn scopes_text(scopes: &[Scope]) -> String {
    let names: Vec<&str> = scopes.iter().map(|scope| scope.as_str()).collect();
    names.join(",")
}

/// Unknown scope names (from a newer release) are dropped, not fatal.
fn parse_scopes(text: &str) -> Vec<Scope> {
    text.split(',')
        .filter_map(|name| name.parse().ok())
        .collect()
}

fn departments(tx: &mut Transaction, user_id: i64) -> Result<Vec<String>, ApiError> {
    let rows = tx.query(
        "SELECT department_id FROM user_departments WHERE user_id = $1 ORDER BY department_id",
        &[&user_id],
    )?;
    rows.iter().map(|row| col(row, 0)).collect()
}

pub fn authenticate(
    tx: &mut Transaction,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Authentication, ApiError> {
    let row = tx.query_opt(
        "SELECT c.id, c.kind, c.scopes, c.expires_at, c.revoked_at, u.id, u.username, u.name, \
             u.role, u.two_factor, c.last_used_at \
         FROM credentials c JOIN users u ON u.id = c.user_id WHERE c.secret_hash = $1",
        &[&hash],
    )?;
    let Some(row) = row else {
        return Ok(Authentication::Unknown);
    };

    let (mut actor, revoked_at) = credential_actor(&row)?;
    if revoked_at.is_some() {
        return Ok(Authentication::Unknown);
    }
    if now >= actor.expires_at {
        return Ok(Authentication::Expired(actor.credential));
    }
    actor.departments = departments(tx, actor.user_id)?;
    Ok(Authentication::Valid(Box::new(actor)))
}

/// The actor a credential row names (without departments), and when the
/// credential was revoked.
fn credential_actor(row: &Row) -> Result<(Actor, Option<DateTime<Utc>>), ApiError> {
    let kind: CredentialKind = json_enum(row, 1)?;
    let scopes: String = col(row, 2)?;
    let actor = Actor {
        credential_id: col(row, 0)?,
        credential: kind,
        scopes: parse_scopes(&scopes),
        expires_at: time(row, 3)?,
        user_id: col(row, 5)?,
        username: col(row, 6)?,
        name: col(row, 7)?,
        role: json_enum(row, 8)?,
        two_factor: col(row, 9)?,
        departments: Vec::new(),
        last_used_at: optional_time(row, 10)?,
    };
    Ok((actor, optional_time(row, 4)?))
}

/// Notes when a token was last used (shown by `GET /v1/tokens`).
pub fn touch(tx: &mut Transaction, credential_id: i64, now: DateTime<Utc>) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE credentials SET last_used_at = $2 WHERE id = $1",
        &[&credential_id, &secs(now)],
    )?;
    Ok(())
}

pub fn find_user(tx: &mut Transaction, username: &str) -> Result<Option<UserRow>, ApiError> {
    let username = username.trim();
    if has_nul(username) {
        return Ok(None);
    }
    let row = tx.query_opt(
        "SELECT id, username, password_hash, locked_until FROM users WHERE username = $1",
        &[&username],
    )?;
    row.map(|row| {
        Ok(UserRow {
            id: col(&row, 0)?,
            username: col(&row, 1)?,
            password_hash: col(&row, 2)?,
            locked_until: optional_time(&row, 3)?,
        })
    })
    .transpose()
}

fn me(tx: &mut Transaction, user_id: i64) -> Result<Me, ApiError> {
    let row = tx.query_one(
        "SELECT username, name, role, two_factor FROM users WHERE id = $1",
        &[&user_id],
    )?;
    let role: String = col(&row, 2)?;
    let role = if role == "manager" {
        Role::Manager
    } else {
        Role::Applicant
    };
    Ok(Me {
        username: col(&row, 0)?,
        name: col(&row, 1)?,
        role,
        departments: departments(tx, user_id)?,
        two_factor: col(&row, 3)?,
        credential: None,
        scopes: Scope::ALL.to_vec(),
        expires_at: None,
    })
}

/// Counts a failed login; locks the account after too many in a row. The
/// caller journals the refusal.
pub fn login_failed(tx: &mut Transaction, ctx: &OpContext, user_id: i64) -> Result<bool, ApiError> {
    let row = tx.query_one(
        "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
        &[&user_id],
    )?;
    let failures: i64 = col(&row, 0)?;
    let locked = failures >= i64::from(ctx.config.max_failed_logins);
    if locked {
        tx.execute(
            "UPDATE users SET failed_logins = 0, locked_until = $2 WHERE id = $1",
            &[&user_id, &secs(ctx.now + ctx.config.lockout)],
        )?;
    }

    Ok(locked)
}

pub fn login_succeeded(
    tx: &mut Transaction,
    ctx: &OpContext,
    user_id: i64,
) -> Result<LoginStep, ApiError> {
    tx.execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1",
        &[&user_id],
    )?;
    let row = tx.query_one("SELECT two_factor FROM users WHERE id = $1", &[&user_id])?;
    let two_factor: bool = col(&row, 0)?;
    if two_factor {
        let issued = challenges::issue(tx, ctx, user_id, ChallengePurpose::Login, &[])?;
        return Ok(LoginStep::ChallengeRequired(issued));
    }
    Ok(LoginStep::LoggedIn(create_session(tx, ctx, user_id)?))
}

fn create_session(
    tx: &mut Transaction,
    ctx: &OpContext,
    user_id: i64,
) -> Result<Session, ApiError> {
    let secret = new_secret("apts_");
    let expires_at = ctx.now + ctx.config.session_ttl;
    tx.execute(
        "INSERT INTO credentials \
             (public_id, user_id, kind, secret_hash, scopes, created_at, expires_at) \
         VALUES ($1, $2, 'session', $3, $4, $5, $6)",
        &[
            &public_id("ses_"),
            &user_id,
            &secret_hash(&secret),
            &scopes_text(&Scope::ALL),
            &secs(ctx.now),
            &secs(expires_at),
        ],
    )?;

    let mut user = me(tx, user_id)?;
    user.expires_at = Some(expires_at);
    audit_ok(
        tx,
        ctx,
        (Some(user_id), &user.username),
        "session.create",
        None,
        None,
    )?;
    Ok(Session {
        token: secret,
        expires_at,
        user,
    })
}

fn public_id(prefix: &str) -> String {
    let mut bytes = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

pub fn login_with_challenge(
    tx: &mut Transaction,
    ctx: &OpContext,
    id: &str,
) -> Result<Session, ApiError> {
    let row = challenges::load_for(tx, id, None)?;
    challenge::check_usable(&row, ChallengePurpose::Login, ctx.now, &ctx.config)?;
    challenges::mark_used(tx, id)?;
    create_session(tx, ctx, row.user_id)
}

pub fn end_session(tx: &mut Transaction, ctx: &OpContext, actor: &Actor) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE credentials SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        &[&actor.credential_id, &secs(ctx.now)],
    )?;
    let action = if actor.is_token() {
        "token.revoke"
    } else {
        "session.revoke"
    };
    audit_ok(
        tx,
        ctx,
        (Some(actor.user_id), &actor.username),
        action,
        None,
        None,
    )
}

pub fn list_tokens(tx: &mut Transaction, user_id: i64) -> Result<Vec<TokenInfo>, ApiError> {
    let sql = format!(
        "SELECT {TOKEN_COLUMNS} FROM credentials WHERE user_id = $1 AND kind = 'token' \
         ORDER BY created_at DESC, id DESC"
    );
    let rows = tx.query(&sql, &[&user_id])?;
    rows.iter().map(token_info).collect()
}

fn token_info(row: &Row) -> Result<TokenInfo, ApiError> {
    let scopes: String = col(row, 2)?;
    let name: Option<String> = col(row, 1)?;
    Ok(TokenInfo {
        id: col(row, 0)?,
        name: name.unwrap_or_default(),
        scopes: parse_scopes(&scopes),
        created_at: time(row, 3)?,
        expires_at: time(row, 4)?,
        last_used_at: optional_time(row, 5)?,
        revoked_at: optional_time(row, 6)?,
    })
}

pub fn create_token(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: &Actor,
    token: &NewToken,
    challenge_id: Option<&str>,
) -> Result<CreateTokenOutcome, ApiError> {
    // SQLite would store such a name; PostgreSQL cannot, so it is refused
    // before a code is sent rather than failing after.
    if has_nul(&token.name) {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "a token name cannot contain NUL characters",
            "name the token after where it runs, e.g. ci-nightly",
        ));
    }
    let Some(challenge_id) = challenge_id else {
        let issued = challenges::issue(tx, ctx, actor.user_id, ChallengePurpose::TokenCreate, &[])?;
        return Ok(CreateTokenOutcome::ChallengeRequired { challenge: issued });
    };
    let row = challenges::load_for(tx, challenge_id, Some(actor.user_id))?;
    challenge::check_usable(&row, ChallengePurpose::TokenCreate, ctx.now, &ctx.config)?;
    challenges::mark_used(tx, challenge_id)?;

    let secret = new_secret("aptt_");
    let id = public_id("tok_");
    tx.execute(
        "INSERT INTO credentials \
             (public_id, user_id, kind, secret_hash, name, scopes, created_at, expires_at) \
         VALUES ($1, $2, 'token', $3, $4, $5, $6, $7)",
        &[
            &id,
            &actor.user_id,
            &secret_hash(&secret),
            &token.name,
            &scopes_text(&token.scopes),
            &secs(ctx.now),
            &secs(token.expires_at),
        ],
    )?;
    let detail = format!("{id} {} [{}]", token.name, scopes_text(&token.scopes));
    audit_ok(
        tx,
        ctx,
        (Some(actor.user_id), &actor.username),
        "token.create",
        None,
        Some(detail),
    )?;

    let sql = format!("SELECT {TOKEN_COLUMNS} FROM credentials WHERE public_id = $1");
    let info = token_info(&tx.query_one(&sql, &[&id])?)?;
    Ok(CreateTokenOutcome::Created {
        token: info,
        secret,
    })
}

/// Revokes one of the actor's tokens; revoking a revoked token is a no-op.
pub fn revoke_token(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: &Actor,
    id: &str,
) -> Result<(), ApiError> {
    let exists = !has_nul(id)
        && tx
            .query_opt(
                "SELECT 1 FROM credentials \
                 WHERE public_id = $1 AND user_id = $2 AND kind = 'token'",
                &[&id, &actor.user_id],
            )?
            .is_some();
    if !exists {
        return Err(ApiError::new(
            ErrorCode::TokenNotFound,
            format!("token {id:?} not found"),
            "list your tokens with `apptctl token list`",
        ));
    }
    tx.execute(
        "UPDATE credentials SET revoked_at = $3 \
         WHERE public_id = $1 AND user_id = $2 AND revoked_at IS NULL",
        &[&id, &actor.user_id, &secs(ctx.now)],
    )?;
    audit_ok(
        tx,
        ctx,
        (Some(actor.user_id), &actor.username),
        "token.revoke",
        None,
        Some(id.to_string()),
    )
}

/// Inserts the account and its departments; returns the new user's id.
///
/// The caller's transaction need not be serializable: two operators creating
/// one username at once both pass the check, and the loser's insert then
/// hits the unique username, which is answered as the same refusal.
pub fn create_account(tx: &mut Transaction, account: &NewAccount) -> Result<i64, AccountError> {
    let taken: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM users WHERE username = $1)",
            &[&account.username],
        )
        .map_err(anyhow::Error::from)?
        .try_get(0)
        .map_err(anyhow::Error::from)?;
    if taken {
        return Err(AccountError::Exists(account.username.clone()));
    }
    let role = match account.role {
        Role::Applicant => "applicant",
        Role::Manager => "manager",
    };
    let inserted = tx.query_one(
        "INSERT INTO users (username, name, role, password_hash, two_factor, phone, email) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        &[
            &account.username,
            &account.name,
            &role,
            &account.password_hash,
            &account.two_factor,
            &account.phone,
            &account.email,
        ],
    );
    let user_id: i64 = match inserted {
        Ok(row) => row.try_get(0).map_err(anyhow::Error::from)?,
        Err(err) if err.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            return Err(AccountError::Exists(account.username.clone()));
        }
        Err(err) => return Err(anyhow::Error::from(err).into()),
    };
    for department in &account.departments {
        add_department(tx, user_id, department)?;
    }
    Ok(user_id)
}

fn add_department(
    tx: &mut Transaction,
    user_id: i64,
    department: &str,
) -> Result<(), AccountError> {
    let unknown = || AccountError::UnknownDepartment(department.to_string());
    if has_nul(department) {
        return Err(unknown());
    }
    let exists: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM departments WHERE id = $1)",
            &[&department],
        )
        .map_err(anyhow::Error::from)?
        .try_get(0)
        .map_err(anyhow::Error::from)?;
    if !exists {
        return Err(unknown());
    }
    tx.execute(
        "INSERT INTO user_departments (user_id, department_id) VALUES ($1, $2) \
         ON CONFLICT DO NOTHING",
        &[&user_id, &department],
    )
    .map_err(anyhow::Error::from)?;
    Ok(())
}
