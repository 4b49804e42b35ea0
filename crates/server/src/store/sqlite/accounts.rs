//! Accounts in SQLite: credential lookup, login with lockout, sessions and
//! automation tokens.

use apptctl_api::auth::{CreateTokenOutcome, CredentialKind, Me, Role, Scope, Session, TokenInfo};
use apptctl_api::cancel::ChallengePurpose;
use apptctl_api::ErrorCode;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::challenges;
use super::journal::audit_ok;
use super::rows::{json_enum, optional_time, secs, time};
use crate::auth::{new_secret, secret_hash, Actor, Authentication};
use crate::domain::challenge;
use crate::error::ApiError;
use crate::store::common::{parse_scopes, public_id, scopes_text};
use crate::store::{LoginStep, NewToken, OpContext, UserRow};

fn departments(conn: &Connection, user_id: i64) -> Result<Vec<String>, ApiError> {
    let mut statement = conn.prepare_cached(
        "SELECT department_id FROM user_departments WHERE user_id = ?1 ORDER BY department_id",
    )?;
    let ids = statement.query_map(params![user_id], |row| row.get(0))?;
    Ok(ids.collect::<Result<Vec<String>, _>>()?)
}

pub fn authenticate(
    conn: &Connection,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Authentication, ApiError> {
    let found = conn
        .query_row(
            "SELECT c.id, c.kind, c.scopes, c.expires_at, c.revoked_at, u.id, u.username, u.name, \
                 u.role, u.two_factor, c.last_used_at \
             FROM credentials c JOIN users u ON u.id = c.user_id WHERE c.secret_hash = ?1",
            params![hash],
            |row| {
                let kind: CredentialKind = json_enum(row, 1)?;
                let scopes: String = row.get(2)?;
                let actor = Actor {
                    credential_id: row.get(0)?,
                    credential: kind,
                    scopes: parse_scopes(&scopes),
                    expires_at: time(row, 3)?,
                    user_id: row.get(5)?,
                    username: row.get(6)?,
                    name: row.get(7)?,
                    role: json_enum(row, 8)?,
                    two_factor: row.get(9)?,
                    departments: Vec::new(),
                    last_used_at: optional_time(row, 10)?,
                };
                Ok((actor, optional_time(row, 4)?))
            },
        )
        .optional()?;

    let Some((mut actor, revoked_at)) = found else {
        return Ok(Authentication::Unknown);
    };
    if revoked_at.is_some() {
        return Ok(Authentication::Unknown);
    }
    if now >= actor.expires_at {
        return Ok(Authentication::Expired(actor.credential));
    }
    actor.departments = departments(conn, actor.user_id)?;
    Ok(Authentication::Valid(Box::new(actor)))
}

/// Notes when a token was last used (shown by `GET /v1/tokens`).
pub fn touch(conn: &Connection, credential_id: i64, now: DateTime<Utc>) -> Result<(), ApiError> {
    conn.execute(
        "UPDATE credentials SET last_used_at = ?2 WHERE id = ?1",
        params![credential_id, secs(now)],
    )?;
    Ok(())
}

pub fn find_user(conn: &Connection, username: &str) -> Result<Option<UserRow>, ApiError> {
    let user = conn
        .query_row(
            "SELECT id, username, password_hash, locked_until FROM users WHERE username = ?1",
            params![username.trim()],
            |row| {
                Ok(UserRow {
                    id: row.get(0)?,
                    username: row.get(1)?,
                    password_hash: row.get(2)?,
                    locked_until: optional_time(row, 3)?,
                })
            },
        )
        .optional()?;
    Ok(user)
}

fn me(conn: &Connection, user_id: i64) -> Result<Me, ApiError> {
    let (username, name, role, two_factor): (String, String, String, bool) = conn.query_row(
        "SELECT username, name, role, two_factor FROM users WHERE id = ?1",
        params![user_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
    )?;
    let role = if role == "manager" {
        Role::Manager
    } else {
        Role::Applicant
    };
    Ok(Me {
        username,
        name,
        role,
        departments: departments(conn, user_id)?,
        two_factor,
        credential: None,
        scopes: Scope::ALL.to_vec(),
        expires_at: None,
    })
}

/// Counts a failed login; locks the account after too many in a row. The
/// caller journals the refusal.
pub fn login_failed(conn: &Connection, ctx: &OpContext, user_id: i64) -> Result<bool, ApiError> {
    let failures: u32 = conn.query_row(
        "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?1 RETURNING failed_logins",
        params![user_id],
        |row| row.get(0),
    )?;
    let locked = failures >= ctx.config.max_failed_logins;
    if locked {
        conn.execute(
            "UPDATE users SET failed_logins = 0, locked_until = ?2 WHERE id = ?1",
            params![user_id, secs(ctx.now + ctx.config.lockout)],
        )?;
    }

    Ok(locked)
}

pub fn login_succeeded(
    conn: &Connection,
    ctx: &OpContext,
    user_id: i64,
) -> Result<LoginStep, ApiError> {
    conn.execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?1",
        params![user_id],
    )?;
    let two_factor: bool = conn.query_row(
        "SELECT two_factor FROM users WHERE id = ?1",
        params![user_id],
        |r| r.get(0),
    )?;
    if two_factor {
        let issued = challenges::issue(conn, ctx, user_id, ChallengePurpose::Login, &[])?;
        return Ok(LoginStep::ChallengeRequired(issued));
    }
    Ok(LoginStep::LoggedIn(create_session(conn, ctx, user_id)?))
}

fn create_session(conn: &Connection, ctx: &OpContext, user_id: i64) -> Result<Session, ApiError> {
    let secret = new_secret("apts_");
    let expires_at = ctx.now + ctx.config.session_ttl;
    conn.execute(
        "INSERT INTO credentials \
             (public_id, user_id, kind, secret_hash, scopes, created_at, expires_at) \
         VALUES (?1, ?2, 'session', ?3, ?4, ?5, ?6)",
        params![
            public_id("ses_"),
            user_id,
            secret_hash(&secret),
            scopes_text(&Scope::ALL),
            secs(ctx.now),
            secs(expires_at)
        ],
    )?;

    let mut user = me(conn, user_id)?;
    user.expires_at = Some(expires_at);
    audit_ok(
        conn,
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

pub fn login_with_challenge(
    conn: &Connection,
    ctx: &OpContext,
    id: &str,
) -> Result<Session, ApiError> {
    let row = challenges::load_for(conn, id, None)?;
    challenge::check_usable(&row, ChallengePurpose::Login, ctx.now, &ctx.config)?;
    challenges::mark_used(conn, id)?;
    create_session(conn, ctx, row.user_id)
}

pub fn end_session(conn: &Connection, ctx: &OpContext, actor: &Actor) -> Result<(), ApiError> {
    conn.execute(
        "UPDATE credentials SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![actor.credential_id, secs(ctx.now)],
    )?;
    let action = if actor.is_token() {
        "token.revoke"
    } else {
        "session.revoke"
    };
    audit_ok(
        conn,
        ctx,
        (Some(actor.user_id), &actor.username),
        action,
        None,
        None,
    )
}

pub fn list_tokens(conn: &Connection, user_id: i64) -> Result<Vec<TokenInfo>, ApiError> {
    let mut statement = conn.prepare(
        "SELECT public_id, name, scopes, created_at, expires_at, last_used_at, revoked_at \
         FROM credentials WHERE user_id = ?1 AND kind = 'token' ORDER BY created_at DESC, id DESC",
    )?;
    let tokens = statement.query_map(params![user_id], token_info)?;
    Ok(tokens.collect::<Result<Vec<_>, _>>()?)
}

fn token_info(row: &rusqlite::Row) -> rusqlite::Result<TokenInfo> {
    let scopes: String = row.get(2)?;
    Ok(TokenInfo {
        id: row.get(0)?,
        name: row.get::<_, Option<String>>(1)?.unwrap_or_default(),
        scopes: parse_scopes(&scopes),
        created_at: time(row, 3)?,
        expires_at: time(row, 4)?,
        last_used_at: optional_time(row, 5)?,
        revoked_at: optional_time(row, 6)?,
    })
}

pub fn create_token(
    conn: &Connection,
    ctx: &OpContext,
    actor: &Actor,
    token: &NewToken,
    challenge_id: Option<&str>,
) -> Result<CreateTokenOutcome, ApiError> {
    let Some(challenge_id) = challenge_id else {
        let issued =
            challenges::issue(conn, ctx, actor.user_id, ChallengePurpose::TokenCreate, &[])?;
        return Ok(CreateTokenOutcome::ChallengeRequired { challenge: issued });
    };
    let row = challenges::load_for(conn, challenge_id, Some(actor.user_id))?;
    challenge::check_usable(&row, ChallengePurpose::TokenCreate, ctx.now, &ctx.config)?;
    challenges::mark_used(conn, challenge_id)?;

    let secret = new_secret("aptt_");
    let id = public_id("tok_");
    conn.execute(
        "INSERT INTO credentials \
             (public_id, user_id, kind, secret_hash, name, scopes, created_at, expires_at) \
         VALUES (?1, ?2, 'token', ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            actor.user_id,
            secret_hash(&secret),
            token.name,
            scopes_text(&token.scopes),
            secs(ctx.now),
            secs(token.expires_at)
        ],
    )?;
    let detail = format!("{id} {} [{}]", token.name, scopes_text(&token.scopes));
    audit_ok(
        conn,
        ctx,
        (Some(actor.user_id), &actor.username),
        "token.create",
        None,
        Some(detail),
    )?;

    let info = conn.query_row(
        "SELECT public_id, name, scopes, created_at, expires_at, last_used_at, revoked_at \
         FROM credentials WHERE public_id = ?1",
        params![id],
        token_info,
    )?;
    Ok(CreateTokenOutcome::Created {
        token: info,
        secret,
    })
}

/// Revokes one of the actor's tokens; revoking a revoked token is a no-op.
pub fn revoke_token(
    conn: &Connection,
    ctx: &OpContext,
    actor: &Actor,
    id: &str,
) -> Result<(), ApiError> {
    let exists = conn
        .query_row(
            "SELECT 1 FROM credentials WHERE public_id = ?1 AND user_id = ?2 AND kind = 'token'",
            params![id, actor.user_id],
            |_| Ok(()),
        )
        .optional()?;
    if exists.is_none() {
        return Err(ApiError::new(
            ErrorCode::TokenNotFound,
            format!("token {id:?} not found"),
            "list your tokens with `apptctl token list`",
        ));
    }
    conn.execute(
        "UPDATE credentials SET revoked_at = ?3 \
         WHERE public_id = ?1 AND user_id = ?2 AND revoked_at IS NULL",
        params![id, actor.user_id, secs(ctx.now)],
    )?;
    audit_ok(
        conn,
        ctx,
        (Some(actor.user_id), &actor.username),
        "token.revoke",
        None,
        Some(id.to_string()),
    )
}

/// An account created by an operator (`apptctl server create-account`).
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub name: String,
    pub role: Role,
    /// The argon2id PHC string; the caller checks the policy and hashes.
    pub password_hash: String,
    pub two_factor: bool,
    pub phone: String,
    pub email: String,
    /// The departments a manager acts for; they must exist.
    pub departments: Vec<String>,
}

/// Why an account could not be created.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("an account named {0:?} already exists")]
    Exists(String),
    #[error("there is no department {0:?}")]
    UnknownDepartment(String),
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// Inserts the account and its departments; returns the new user's id.
pub fn create_account(
    tx: &rusqlite::Transaction,
    account: &NewAccount,
) -> Result<i64, AccountError> {
    let taken: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM users WHERE username = ?1)",
            params![account.username],
            |r| r.get(0),
        )
        .map_err(anyhow::Error::from)?;
    if taken {
        return Err(AccountError::Exists(account.username.clone()));
    }
    let role = match account.role {
        Role::Applicant => "applicant",
        Role::Manager => "manager",
    };
    tx.execute(
        "INSERT INTO users (username, name, role, password_hash, two_factor, phone, email) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            account.username,
            account.name,
            role,
            account.password_hash,
            account.two_factor,
            account.phone,
            account.email
        ],
    )
    .map_err(anyhow::Error::from)?;
    let user_id = tx.last_insert_rowid();
    for department in &account.departments {
        add_department(tx, user_id, department)?;
    }
    Ok(user_id)
}

fn add_department(
    tx: &rusqlite::Transaction,
    user_id: i64,
    department: &str,
) -> Result<(), AccountError> {
    let exists: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM departments WHERE id = ?1)",
            params![department],
            |r| r.get(0),
        )
        .map_err(anyhow::Error::from)?;
    if !exists {
        return Err(AccountError::UnknownDepartment(department.to_string()));
    }
    tx.execute(
        "INSERT OR IGNORE INTO user_departments (user_id, department_id) VALUES (?1, ?2)",
        params![user_id, department],
    )
    .map_err(anyhow::Error::from)?;
    Ok(())
}
