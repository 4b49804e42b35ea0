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

use super::challenges;
use super::journal::audit_ok;
use super::rows::{col, json_enum, optional_time, secs, time};
use crate::auth::{new_secret, secret_hash, Actor, Authentication};
use crate::domain::challenge;
use crate::error::ApiError;
use crate::store::common::{parse_scopes, public_id, scopes_text};
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
///
/// Unlike SQLite's, the update skips a row already touched at `now` or
/// later. Parallel requests with one token all find it stale and touch it at
/// once; the losers of that serialization race then run again, see the
/// winner's time and change nothing, instead of racing each other anew.
/// The caller touches only a row older than `now`, so no touch it asks for
/// is lost.
pub fn touch(tx: &mut Transaction, credential_id: i64, now: DateTime<Utc>) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE credentials SET last_used_at = $2 \
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)",
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::Duration;
    use postgres::{Client, NoTls};

    use super::*;
    use crate::config::ServerConfig;
    use crate::store::pg::testing::TempDatabase;
    use crate::store::pg::{PgOptions, PgStore};
    use crate::store::Store;

    const CODE: &str = "424242";

    struct Fixture {
        // Dropped after the client, which holds a connection to it.
        client: Client,
        _db: TempDatabase,
    }

    fn fixture() -> Fixture {
        let db = TempDatabase::create().unwrap();
        PgStore::apply_migrations(db.url()).unwrap();
        let mut client = Client::connect(db.url(), NoTls).unwrap();
        client
            .execute(
                "INSERT INTO departments (id, name, address) VALUES ('d1', 'North', '1 Road')",
                &[],
            )
            .unwrap();
        Fixture { client, _db: db }
    }

    fn start() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn ctx_at(now: DateTime<Utc>) -> OpContext {
        let config = ServerConfig {
            max_failed_logins: 3,
            otp_fixed: Some(CODE.to_string()),
            log_codes: false,
            ..ServerConfig::default()
        };
        OpContext {
            request_id: "req-test".to_string(),
            now,
            config: Arc::new(config),
        }
    }

    fn ctx() -> OpContext {
        ctx_at(start())
    }

    /// Runs `work` in a transaction and commits it.
    fn committed<T>(client: &mut Client, work: impl FnOnce(&mut Transaction) -> T) -> T {
        let mut tx = client.transaction().unwrap();
        let value = work(&mut tx);
        tx.commit().unwrap();
        value
    }

    fn account(username: &str, two_factor: bool, departments: &[&str]) -> NewAccount {
        NewAccount {
            username: username.to_string(),
            name: format!("{username} Person"),
            role: if departments.is_empty() {
                Role::Applicant
            } else {
                Role::Manager
            },
            password_hash: "$argon2id$stand-in".to_string(),
            two_factor,
            phone: "+79990001122".to_string(),
            email: format!("{username}@example.org"),
            departments: departments.iter().map(|d| d.to_string()).collect(),
        }
    }

    fn create(client: &mut Client, account: &NewAccount) -> i64 {
        committed(client, |tx| create_account(tx, account)).unwrap()
    }

    /// Logs a one-factor account in and returns the session's actor.
    fn session_actor(client: &mut Client, user_id: i64) -> (Session, Actor) {
        let step = committed(client, |tx| login_succeeded(tx, &ctx(), user_id)).unwrap();
        let LoginStep::LoggedIn(session) = step else {
            panic!("a one-factor account logs in at once, got {step:?}");
        };
        let hash = secret_hash(&session.token);
        let found = committed(client, |tx| authenticate(tx, &hash, start())).unwrap();
        let Authentication::Valid(actor) = found else {
            panic!("a fresh session authenticates");
        };
        (session, *actor)
    }

    fn audit_actions(client: &mut Client) -> Vec<String> {
        client
            .query("SELECT action FROM audit_log ORDER BY seq", &[])
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect()
    }

    #[test]
    fn created_accounts_are_found_and_duplicates_and_unknown_departments_refused() {
        let mut f = fixture();
        let ann = create(&mut f.client, &account("ann", true, &[]));

        let found = committed(&mut f.client, |tx| find_user(tx, "  ann ")).unwrap();
        let found = found.expect("ann exists");
        assert_eq!((found.id, found.username.as_str()), (ann, "ann"));
        assert_eq!(found.password_hash, "$argon2id$stand-in");
        assert_eq!(found.locked_until, None);
        for missing in ["bob", "ann\0", "ANN"] {
            let none = committed(&mut f.client, |tx| find_user(tx, missing)).unwrap();
            assert!(none.is_none(), "{missing:?} is nobody");
        }

        let again = committed(&mut f.client, |tx| {
            create_account(tx, &account("ann", false, &[]))
        });
        assert!(matches!(again, Err(AccountError::Exists(name)) if name == "ann"));
        for department in ["d9", "d1\0"] {
            let mut tx = f.client.transaction().unwrap();
            let refused = create_account(&mut tx, &account("mia", false, &[department]));
            assert!(
                matches!(&refused, Err(AccountError::UnknownDepartment(d)) if d == department),
                "{refused:?}"
            );
        }

        let max = create(&mut f.client, &account("max", false, &["d1", "d1"]));
        let (session, actor) = session_actor(&mut f.client, max);
        assert_eq!(actor.departments, vec!["d1".to_string()]);
        assert_eq!(actor.role, Role::Manager);
        assert_eq!(session.user.departments, vec!["d1".to_string()]);
        assert_eq!(session.user.role, Role::Manager);
    }

    #[test]
    fn a_username_taken_by_a_concurrent_operator_is_refused_as_a_duplicate() {
        let mut f = fixture();
        let mut other = Client::connect(f._db.url(), NoTls).unwrap();
        let mut first = f.client.transaction().unwrap();
        create_account(&mut first, &account("zoe", false, &[])).unwrap();

        // The second insert waits on the first's uncommitted row, which its
        // check could not see, and fails on the unique username.
        let second = std::thread::spawn(move || {
            let mut tx = other.transaction().unwrap();
            create_account(&mut tx, &account("zoe", true, &[]))
        });
        std::thread::sleep(std::time::Duration::from_millis(100));
        first.commit().unwrap();

        let refused = second.join().unwrap();
        assert!(matches!(refused, Err(AccountError::Exists(name)) if name == "zoe"));
    }

    #[test]
    fn repeated_failures_lock_the_account_and_a_success_clears_the_count() {
        let mut f = fixture();
        let ann = create(&mut f.client, &account("ann", false, &[]));

        let fail = |client: &mut Client| committed(client, |tx| login_failed(tx, &ctx(), ann));
        assert!(!fail(&mut f.client).unwrap());
        assert!(!fail(&mut f.client).unwrap());
        assert!(fail(&mut f.client).unwrap(), "the third failure locks");
        let user = committed(&mut f.client, |tx| find_user(tx, "ann")).unwrap();
        let lockout = ctx().config.lockout;
        assert_eq!(user.unwrap().locked_until, Some(start() + lockout));

        assert!(!fail(&mut f.client).unwrap(), "the count starts again");
        committed(&mut f.client, |tx| login_succeeded(tx, &ctx(), ann)).unwrap();
        let user = committed(&mut f.client, |tx| find_user(tx, "ann")).unwrap();
        assert_eq!(user.unwrap().locked_until, None);
        assert!(!fail(&mut f.client).unwrap());
        assert!(!fail(&mut f.client).unwrap(), "the success reset the count");
    }

    #[test]
    fn concurrent_failures_from_several_connections_are_all_counted() {
        let mut f = fixture();
        let ann = create(&mut f.client, &account("ann", false, &[]));
        let store = Arc::new(PgStore::connect(&PgOptions::new(f._db.url())).unwrap());

        // The blocking clients must not run on a runtime thread: only the
        // store's own calls (on the blocking pool) run inside it.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let locks = runtime.block_on(async {
            let failures: Vec<_> = (0..8)
                .map(|_| {
                    let store = store.clone();
                    tokio::spawn(async move { store.login_failed(ctx(), ann).await })
                })
                .collect();
            let mut locks = 0;
            for failure in failures {
                locks += usize::from(failure.await.unwrap().unwrap());
            }
            locks
        });
        drop(runtime);

        // Eight failures with a limit of three: locked at the 3rd and 6th.
        assert_eq!(locks, 2);
        let row = f
            .client
            .query_one("SELECT failed_logins FROM users WHERE id = $1", &[&ann])
            .unwrap();
        assert_eq!(row.get::<_, i64>(0), 2);
    }

    #[test]
    fn parallel_touches_succeed_and_a_repeated_touch_writes_nothing() {
        let mut f = fixture();
        let ann = create(&mut f.client, &account("ann", false, &[]));
        let (_, actor) = session_actor(&mut f.client, ann);
        let store = Arc::new(PgStore::connect(&PgOptions::new(f._db.url())).unwrap());

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let touched = runtime.block_on(async {
            let touches: Vec<_> = (0..16)
                .map(|_| {
                    let store = store.clone();
                    let id = actor.credential_id;
                    tokio::spawn(async move { store.touch_credential(id, start()).await })
                })
                .collect();
            let mut touched = 0;
            for touch in touches {
                touch.await.unwrap().unwrap();
                touched += 1;
            }
            touched
        });
        drop(runtime);

        assert_eq!(touched, 16);
        let (used, version) = last_used(&mut f.client, &actor);
        assert_eq!(used, Some(secs(start())));

        // A touch at the same time writes no new row version, so a retried
        // loser of the race above has nothing left to conflict over.
        committed(&mut f.client, |tx| touch(tx, actor.credential_id, start())).unwrap();
        assert_eq!(last_used(&mut f.client, &actor), (used, version.clone()));
        let later = start() + Duration::minutes(1);
        committed(&mut f.client, |tx| touch(tx, actor.credential_id, later)).unwrap();
        let (used, newer) = last_used(&mut f.client, &actor);
        assert_eq!(used, Some(secs(later)));
        assert_ne!(newer, version);
    }

    /// When the credential was last used, and the version of its row (the
    /// transaction that last wrote it).
    fn last_used(client: &mut Client, actor: &Actor) -> (Option<i64>, String) {
        let row = client
            .query_one(
                "SELECT last_used_at, xmin::text FROM credentials WHERE id = $1",
                &[&actor.credential_id],
            )
            .unwrap();
        (row.get(0), row.get(1))
    }

    #[test]
    fn sessions_authenticate_until_they_expire_or_end() {
        let mut f = fixture();
        let ann = create(&mut f.client, &account("ann", false, &[]));
        let (session, actor) = session_actor(&mut f.client, ann);
        assert_eq!(actor.user_id, ann);
        assert_eq!(actor.credential, CredentialKind::Session);
        assert_eq!(actor.scopes, Scope::ALL.to_vec());
        assert_eq!(session.user.username, "ann");
        assert_eq!(session.expires_at, start() + ctx().config.session_ttl);

        let hash = secret_hash(&session.token);
        let later = committed(&mut f.client, |tx| {
            authenticate(tx, &hash, session.expires_at)
        });
        assert!(matches!(
            later.unwrap(),
            Authentication::Expired(CredentialKind::Session)
        ));
        let unknown = committed(&mut f.client, |tx| authenticate(tx, "beef", start()));
        assert!(matches!(unknown.unwrap(), Authentication::Unknown));

        committed(&mut f.client, |tx| end_session(tx, &ctx(), &actor)).unwrap();
        let ended = committed(&mut f.client, |tx| authenticate(tx, &hash, start()));
        assert!(matches!(ended.unwrap(), Authentication::Unknown));
        assert_eq!(
            audit_actions(&mut f.client),
            ["session.create", "session.revoke"]
        );
    }

    #[test]
    fn two_factor_logins_need_a_confirmed_challenge_used_once() {
        let mut f = fixture();
        let ann = create(&mut f.client, &account("ann", true, &[]));

        let step = committed(&mut f.client, |tx| login_succeeded(tx, &ctx(), ann)).unwrap();
        let LoginStep::ChallengeRequired(issued) = step else {
            panic!("a two-factor account gets a challenge, got {step:?}");
        };
        let early = committed(&mut f.client, |tx| {
            login_with_challenge(tx, &ctx(), &issued.id)
        });
        assert_eq!(early.unwrap_err().code(), ErrorCode::ChallengeUnconfirmed);

        committed(&mut f.client, |tx| {
            challenges::confirm(tx, &ctx(), &issued.id, None, CODE)
        })
        .unwrap()
        .unwrap();
        let session = committed(&mut f.client, |tx| {
            login_with_challenge(tx, &ctx(), &issued.id)
        })
        .unwrap();
        assert_eq!(session.user.username, "ann");
        assert!(session.user.two_factor);

        let reused = committed(&mut f.client, |tx| {
            login_with_challenge(tx, &ctx(), &issued.id)
        });
        assert_eq!(reused.unwrap_err().code(), ErrorCode::ChallengeExpired);
    }

    #[test]
    fn tokens_are_created_after_a_code_listed_newest_first_and_revoked() {
        let mut f = fixture();
        let ann = create(&mut f.client, &account("ann", false, &[]));
        let (_, actor) = session_actor(&mut f.client, ann);

        let first = new_token_for(&mut f.client, &actor, "ci-nightly", start());
        let later = ctx_at(start() + Duration::seconds(5));
        let second = new_token_for(&mut f.client, &actor, "deploy", later.now);

        let listed = committed(&mut f.client, |tx| list_tokens(tx, ann)).unwrap();
        let names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["deploy", "ci-nightly"]);
        assert_eq!(listed[1].id, first.id);
        assert_eq!(listed[1].scopes, [Scope::RecordsRead, Scope::RecordsCancel]);

        committed(&mut f.client, |tx| {
            touch(tx, actor.credential_id, later.now)
        })
        .unwrap();
        committed(&mut f.client, |tx| {
            revoke_token(tx, &later, &actor, &second.id)
        })
        .unwrap();
        committed(&mut f.client, |tx| {
            revoke_token(tx, &later, &actor, &second.id)
        })
        .unwrap();
        let listed = committed(&mut f.client, |tx| list_tokens(tx, ann)).unwrap();
        assert_eq!(listed[0].revoked_at, Some(later.now));
        assert_eq!(listed[1].revoked_at, None);

        for missing in ["tok_nope", "tok\0", first.id.as_str()] {
            let mut other = actor.clone();
            if missing == first.id {
                other.user_id = create(&mut f.client, &account("bob", false, &[]));
            }
            let refused = committed(&mut f.client, |tx| {
                revoke_token(tx, &later, &other, missing)
            });
            assert_eq!(refused.unwrap_err().code(), ErrorCode::TokenNotFound);
        }
    }

    #[test]
    fn a_token_secret_authenticates_with_its_scopes_and_its_challenge_is_spent() {
        let mut f = fixture();
        let ann = create(&mut f.client, &account("ann", false, &["d1"]));
        let (_, actor) = session_actor(&mut f.client, ann);

        let token = NewToken {
            name: "ci".to_string(),
            scopes: vec![Scope::RecordsRead],
            expires_at: start() + Duration::days(30),
        };
        let (challenge_id, outcome) = create_with_code(&mut f.client, &actor, &token);
        let CreateTokenOutcome::Created {
            token: info,
            secret,
        } = outcome
        else {
            panic!("a confirmed challenge creates the token");
        };
        assert_eq!(info.expires_at, token.expires_at);
        let hash = secret_hash(&secret);
        let found = committed(&mut f.client, |tx| authenticate(tx, &hash, start())).unwrap();
        let Authentication::Valid(token_actor) = found else {
            panic!("the new token authenticates");
        };
        assert_eq!(token_actor.credential, CredentialKind::Token);
        assert_eq!(token_actor.scopes, [Scope::RecordsRead]);
        assert_eq!(token_actor.departments, ["d1"]);

        let reused = committed(&mut f.client, |tx| {
            create_token(tx, &ctx(), &actor, &token, Some(&challenge_id))
        });
        assert_eq!(reused.unwrap_err().code(), ErrorCode::ChallengeExpired);
        let nul_name = NewToken {
            name: "c\0i".to_string(),
            ..token
        };
        let refused = committed(&mut f.client, |tx| {
            create_token(tx, &ctx(), &actor, &nul_name, None)
        });
        assert_eq!(refused.unwrap_err().code(), ErrorCode::InvalidRequest);

        let actions = audit_actions(&mut f.client);
        assert!(actions.ends_with(&[
            "challenge.issue".to_string(),
            "challenge.confirm".to_string(),
            "token.create".to_string(),
        ]));
        let detail: String = f
            .client
            .query_one(
                "SELECT detail FROM audit_log WHERE action = 'token.create'",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(detail, format!("{} ci [records:read]", info.id));
    }

    /// Asks for a token, confirms the code, asks again with the challenge.
    fn create_with_code(
        client: &mut Client,
        actor: &Actor,
        token: &NewToken,
    ) -> (String, CreateTokenOutcome) {
        let ctx = ctx_at(token.expires_at - Duration::days(30));
        let asked = committed(client, |tx| create_token(tx, &ctx, actor, token, None)).unwrap();
        let CreateTokenOutcome::ChallengeRequired { challenge: issued } = asked else {
            panic!("a token needs a code first");
        };
        committed(client, |tx| {
            challenges::confirm(tx, &ctx, &issued.id, Some(actor.user_id), CODE)
        })
        .unwrap()
        .unwrap();
        let created = committed(client, |tx| {
            create_token(tx, &ctx, actor, token, Some(&issued.id))
        })
        .unwrap();
        (issued.id, created)
    }

    fn new_token_for(
        client: &mut Client,
        actor: &Actor,
        name: &str,
        now: DateTime<Utc>,
    ) -> TokenInfo {
        let token = NewToken {
            name: name.to_string(),
            scopes: vec![Scope::RecordsRead, Scope::RecordsCancel],
            expires_at: now + Duration::days(30),
        };
        match create_with_code(client, actor, &token).1 {
            CreateTokenOutcome::Created { token, .. } => token,
            other => panic!("expected a token, got {other:?}"),
        }
    }
}
