//! The PostgreSQL implementation of [`Store`], for several service
//! instances on one shared database.
//!
//! Changes run in SERIALIZABLE transactions: PostgreSQL then
//! guarantees that concurrent transactions, from this process or any other,
//! have the effect of running one at a time, which is exactly what the
//! SQLite store gets from its single writer. The domain code therefore reads
//! a row, checks it and writes it the same way on both backends; when two
//! instances race for one record or slot, PostgreSQL aborts one transaction
//! with a serialization failure and `PgStore::write` runs it again, where
//! it sees the winner's change. The partial unique index on active records
//! per slot backs that up with a constraint. The exceptions run READ
//! COMMITTED (`PgStore::write_row_locked`): a cancellation, which locks
//! its record row and changes it with a compare-and-set, and single-statement
//! writes; serializable cancellations of neighbouring records aborted each
//! other on shared index pages.
//!
//! Reads run in READ ONLY REPEATABLE READ transactions, so a page and its
//! joined rows come from one snapshot. The client is the blocking `postgres`
//! crate on tokio's blocking pool, like the SQLite store, behind an r2d2
//! connection pool.

mod accounts;
mod challenges;
mod changes;
mod journal;
mod pool;
mod records;
pub mod rows;
pub mod testing;
pub mod transfer;

use std::time::Duration;

use anyhow::Context;
use apptctl_api::auth::{CreateTokenOutcome, Session, TokenInfo};
use apptctl_api::cancel::{Challenge, ChallengePurpose};
use apptctl_api::journal::{AuditEntry, Notification};
use apptctl_api::records::{DepartmentRef, ServiceRef};
use apptctl_api::slots::Slot;
use apptctl_api::{ErrorCode, RecordId, SlotId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use postgres::error::SqlState;
use postgres::{Client, IsolationLevel, NoTls, Transaction};
use r2d2_postgres::PostgresConnectionManager;

use super::sqlite::Migration;
use super::*;
use crate::auth::{Actor, Authentication};
use crate::domain::access::Visibility;
use crate::domain::records::RecordRow;
use crate::error::ApiError;

/// The migrations, in order: version, name, SQL. Versions match the SQLite
/// migrations of the same name; never edit one that has shipped.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "0001_initial",
        include_str!("../migrations/postgres/0001_initial.sql"),
    ),
    (
        2,
        "0002_notification_delivery",
        include_str!("../migrations/postgres/0002_notification_delivery.sql"),
    ),
    (
        3,
        "0003_shared_limits",
        include_str!("../migrations/postgres/0003_shared_limits.sql"),
    ),
    (
        4,
        "0004_list_indexes",
        include_str!("../migrations/postgres/0004_list_indexes.sql"),
    ),
];

/// Any fixed number: every instance takes this advisory lock while it
/// migrates, so instances started together migrate one after another.
const MIGRATION_LOCK: i64 = 0x6170_7074_6374_6c00;

/// How often a transaction that lost a serialization race is run again
/// before the request is answered `503 unavailable`.
const MAX_ATTEMPTS: u32 = 12;

pub use pool::{Pool, PooledClient};

/// Connection settings of a PostgreSQL store.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// `postgres://user:password@host:port/database` (or key=value form).
    pub url: String,
    /// Most connections this instance holds open.
    pub pool_size: u32,
}

impl PgOptions {
    pub fn new(url: impl Into<String>) -> PgOptions {
        PgOptions {
            url: url.into(),
            pool_size: 16,
        }
    }
}

pub struct PgStore {
    pool: Pool,
    /// The URL without its password, for messages and `/healthz`.
    display_url: String,
}

impl PgStore {
    /// Connects a pool to an already migrated database.
    pub fn connect(options: &PgOptions) -> anyhow::Result<PgStore> {
        let config = parse_url(&options.url)?;
        let manager = PostgresConnectionManager::new(config, NoTls);
        let pool = r2d2::Pool::builder()
            .max_size(options.pool_size.max(1))
            .min_idle(Some(1))
            // A broken connection fails its query and is dropped then; a
            // check on every checkout cost a round trip per transaction.
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(5))
            .build(manager)
            .with_context(|| format!("connecting to {}", redact_url(&options.url)))?;
        Ok(PgStore {
            pool: Pool::new(pool),
            display_url: redact_url(&options.url),
        })
    }

    /// Applies the migrations the database lacks, then connects.
    pub fn open(options: &PgOptions) -> anyhow::Result<PgStore> {
        PgStore::apply_migrations(&options.url)?;
        PgStore::connect(options)
    }

    /// The pool, for the platform's shared idempotency keys and rate limits.
    pub fn pool(&self) -> Pool {
        self.pool.clone()
    }

    pub fn display_url(&self) -> &str {
        &self.display_url
    }

    /// Applies the migrations the database lacks and returns them. Safe to
    /// run from several instances at once.
    pub fn apply_migrations(url: &str) -> anyhow::Result<Vec<Migration>> {
        let mut client = connect_once(url)?;
        let mut applied_now = Vec::new();
        for (version, name, sql) in MIGRATIONS {
            let mut tx = client.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations \
                 (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
            )?;
            let applied: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)",
                    &[version],
                )?
                .get(0);
            if !applied {
                tx.batch_execute(sql)
                    .with_context(|| format!("migration {version} ({name})"))?;
                tx.execute(
                    "INSERT INTO schema_migrations (version) VALUES ($1)",
                    &[version],
                )?;
                applied_now.push(Migration {
                    version: *version,
                    name,
                });
            }
            tx.commit()?;
        }
        Ok(applied_now)
    }

    /// The embedded migrations the database lacks. Changes nothing.
    pub fn pending_migrations(url: &str) -> anyhow::Result<Vec<Migration>> {
        let applied = applied_versions(&mut connect_once(url)?)?;
        Ok(MIGRATIONS
            .iter()
            .filter(|(version, _, _)| !applied.contains(version))
            .map(|(version, name, _)| Migration {
                version: *version,
                name,
            })
            .collect())
    }

    /// Applied migration versions this binary does not know: a newer release
    /// migrated the database.
    pub fn unknown_migrations(url: &str) -> anyhow::Result<Vec<i64>> {
        let known = MIGRATIONS.last().map_or(0, |m| m.0);
        let applied = applied_versions(&mut connect_once(url)?)?;
        Ok(applied.into_iter().filter(|v| *v > known).collect())
    }

    /// Whether the database holds no accounts yet (a fresh one to seed).
    pub fn is_empty(&self) -> anyhow::Result<bool> {
        let mut client = self.pool.get()?;
        let users: i64 = client.query_one("SELECT COUNT(*) FROM users", &[])?.get(0);
        Ok(users == 0)
    }

    /// Creates an account for an operator; returns the new user's id.
    pub fn create_account(
        &self,
        account: &super::sqlite::NewAccount,
    ) -> Result<i64, super::sqlite::AccountError> {
        let mut client = self.pool.get().map_err(anyhow::Error::from)?;
        let mut tx = client.transaction().map_err(anyhow::Error::from)?;
        let user_id = accounts::create_account(&mut tx, account)?;
        tx.commit().map_err(anyhow::Error::from)?;
        Ok(user_id)
    }

    /// Runs `work` in a serializable transaction, again from the start when
    /// it loses a race with a concurrent one. `work` may therefore run more
    /// than once; only the last run's writes are committed.
    async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: Fn(&mut Transaction) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut client = checkout(&pool)?;
            run_with_retries(&mut client, &work, Isolation::Serializable).map_err(refuse_nul)
        })
        .await?
    }

    /// A change that locks the rows it checks (`SELECT … FOR NO KEY UPDATE`)
    /// or is a single statement, run READ COMMITTED: a concurrent change of
    /// the same row waits for the lock and then sees the committed state,
    /// so the guarantee holds without SERIALIZABLE's index-page conflicts
    /// between changes of different rows. Retried on deadlock only.
    async fn write_row_locked<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: Fn(&mut Transaction) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut client = checkout(&pool)?;
            run_with_retries(&mut client, &work, Isolation::RowLocks).map_err(refuse_nul)
        })
        .await?
    }

    /// A write whose inner refusal must still be committed (a counted wrong
    /// code, a counted failed login).
    async fn write_then<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: Fn(&mut Transaction) -> Result<Result<T, ApiError>, ApiError> + Send + 'static,
    {
        self.write(work).await?
    }

    async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Transaction) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut client = checkout(&pool)?;
            let mut tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let value = work(&mut tx).map_err(refuse_nul)?;
            tx.commit()?;
            Ok(value)
        })
        .await?
    }
}

/// How a change keeps concurrent changes from breaking its checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Isolation {
    /// SERIALIZABLE: PostgreSQL detects any conflict; the loser runs again.
    Serializable,
    /// READ COMMITTED: the change locks the rows it checks itself.
    RowLocks,
}

fn run_with_retries<T>(
    client: &mut Client,
    work: &impl Fn(&mut Transaction) -> Result<T, ApiError>,
    isolation: Isolation,
) -> Result<T, ApiError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match attempt_once(client, work, isolation, attempt > 1) {
            Err(err) if attempt < MAX_ATTEMPTS && lost_a_race(&err) => {
                // Jitter, growing with the attempts, so the racers spread out.
                let cap_ms = 2u64 << attempt.min(6);
                std::thread::sleep(Duration::from_millis(rand::random::<u64>() % cap_ms));
            }
            Err(err) if lost_a_race(&err) => {
                tracing::warn!(
                    attempts = attempt,
                    "transaction kept losing serialization races"
                );
                let busy = ApiError::new(
                    ErrorCode::Unavailable,
                    "the database is too busy with conflicting changes",
                    "retry in a moment",
                );
                return Err(busy.with(|problem| problem.retry_after = Some(1)));
            }
            outcome => return outcome,
        }
    }
}

/// PostgreSQL refuses NUL in text, where SQLite stores or compares it: a
/// request carrying one is the caller's mistake, answered 400, not a 500.
fn refuse_nul(err: ApiError) -> ApiError {
    let ApiError::Internal(cause) = &err else {
        return err;
    };
    let nul = cause
        .chain()
        .filter_map(|e| e.downcast_ref::<postgres::Error>())
        .any(|e| {
            e.code() == Some(&SqlState::CHARACTER_NOT_IN_REPERTOIRE)
                || e.code() == Some(&SqlState::UNTRANSLATABLE_CHARACTER)
        });
    if !nul {
        return err;
    }
    ApiError::new(
        ErrorCode::InvalidRequest,
        "the request holds a NUL character in a text field",
        "remove NUL (\\0) characters from names, comments and search terms",
    )
}

/// One run of `work`. A rerun first takes a lock on `records` that
/// conflicts with every other writer of the table (and with itself), so it
/// waits for the transactions in its way instead of racing them again.
/// PostgreSQL tracks serializable reads of an index per page: cancellations
/// of different records whose ids share a page abort each other, and with
/// 16 concurrent writers some lost a dozen races in a row. First runs stay
/// optimistic, so uncontended changes never queue.
fn attempt_once<T>(
    client: &mut Client,
    work: &impl Fn(&mut Transaction) -> Result<T, ApiError>,
    isolation: Isolation,
    after_a_lost_race: bool,
) -> Result<T, ApiError> {
    let level = match isolation {
        Isolation::Serializable => IsolationLevel::Serializable,
        Isolation::RowLocks => IsolationLevel::ReadCommitted,
    };
    let mut tx = client.build_transaction().isolation_level(level).start()?;
    if after_a_lost_race && isolation == Isolation::Serializable {
        tx.batch_execute("LOCK TABLE records IN SHARE ROW EXCLUSIVE MODE")?;
    }
    let value = work(&mut tx)?;
    tx.commit()?;
    Ok(value)
}

/// A serialization failure or deadlock: nothing was changed, and running
/// the transaction again will see the other side's committed change.
fn lost_a_race(err: &ApiError) -> bool {
    let ApiError::Internal(cause) = err else {
        return false;
    };
    cause
        .chain()
        .filter_map(|e| e.downcast_ref::<postgres::Error>())
        .any(|e| {
            e.code() == Some(&SqlState::T_R_SERIALIZATION_FAILURE)
                || e.code() == Some(&SqlState::T_R_DEADLOCK_DETECTED)
        })
}

/// A connection from the pool; none free within the timeout is a 503, not
/// an internal error: the database is there, just saturated.
fn checkout(pool: &Pool) -> Result<PooledClient, ApiError> {
    pool.get().map_err(|err| {
        tracing::warn!(error = %err, "no database connection available");
        ApiError::new(
            ErrorCode::Unavailable,
            "the service could not reach its database in time",
            "retry in a moment",
        )
        .with(|problem| problem.retry_after = Some(1))
    })
}

fn parse_url(url: &str) -> anyhow::Result<postgres::Config> {
    url.parse::<postgres::Config>()
        .with_context(|| format!("reading the database URL {}", redact_url(url)))
}

fn connect_once(url: &str) -> anyhow::Result<Client> {
    parse_url(url)?
        .connect(NoTls)
        .with_context(|| format!("connecting to {}", redact_url(url)))
}

fn applied_versions(client: &mut Client) -> anyhow::Result<Vec<i64>> {
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(Vec::new());
    }
    let rows = client.query("SELECT version FROM schema_migrations ORDER BY 1", &[])?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Whether `err` says the PostgreSQL server could not be reached or logged
/// in to (as opposed to a query it refused), for an exit code and a hint.
pub fn is_unreachable(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<postgres::Error>()
            .is_some_and(|e| e.code().is_none() || e.code() == Some(&SqlState::INVALID_PASSWORD))
            || cause.downcast_ref::<r2d2::Error>().is_some()
    })
}

/// Whether `text` names a PostgreSQL database rather than a file.
pub fn is_postgres_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// `url` with any password replaced by `***`, for logs and messages.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    /// Reads the schema version: a round trip through the pool to the
    /// database, not just a live socket.
    async fn ping(&self) -> bool {
        let answer = self
            .read(|tx| {
                let row = tx.query_one("SELECT MAX(version) FROM schema_migrations", &[])?;
                Ok(row.get::<_, Option<i64>>(0))
            })
            .await;
        matches!(answer, Ok(Some(_)))
    }

    async fn authenticate(
        &self,
        secret_hash: String,
        now: DateTime<Utc>,
    ) -> Result<Authentication, ApiError> {
        self.read(move |tx| accounts::authenticate(tx, &secret_hash, now))
            .await
    }

    async fn touch_credential(
        &self,
        credential_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        self.write_row_locked(move |tx| accounts::touch(tx, credential_id, now))
            .await
    }

    async fn find_user(&self, username: String) -> Result<Option<UserRow>, ApiError> {
        self.read(move |tx| accounts::find_user(tx, &username))
            .await
    }

    async fn login_failed(&self, ctx: OpContext, user_id: i64) -> Result<bool, ApiError> {
        self.write(move |tx| accounts::login_failed(tx, &ctx, user_id))
            .await
    }

    async fn login_succeeded(&self, ctx: OpContext, user_id: i64) -> Result<LoginStep, ApiError> {
        self.write(move |tx| accounts::login_succeeded(tx, &ctx, user_id))
            .await
    }

    async fn login_with_challenge(
        &self,
        ctx: OpContext,
        challenge_id: String,
    ) -> Result<Session, ApiError> {
        self.write(move |tx| accounts::login_with_challenge(tx, &ctx, &challenge_id))
            .await
    }

    async fn end_session(&self, ctx: OpContext, actor: Actor) -> Result<(), ApiError> {
        self.write(move |tx| accounts::end_session(tx, &ctx, &actor))
            .await
    }

    async fn list_tokens(&self, user_id: i64) -> Result<Vec<TokenInfo>, ApiError> {
        self.read(move |tx| accounts::list_tokens(tx, user_id))
            .await
    }

    async fn create_token(
        &self,
        ctx: OpContext,
        actor: Actor,
        token: NewToken,
        challenge_id: Option<String>,
    ) -> Result<CreateTokenOutcome, ApiError> {
        self.write(move |tx| {
            accounts::create_token(tx, &ctx, &actor, &token, challenge_id.as_deref())
        })
        .await
    }

    async fn revoke_token(
        &self,
        ctx: OpContext,
        actor: Actor,
        token_id: String,
    ) -> Result<(), ApiError> {
        self.write(move |tx| accounts::revoke_token(tx, &ctx, &actor, &token_id))
            .await
    }

    async fn issue_challenge(
        &self,
        ctx: OpContext,
        user_id: i64,
        purpose: ChallengePurpose,
    ) -> Result<Challenge, ApiError> {
        self.write(move |tx| challenges::issue(tx, &ctx, user_id, purpose, &[]))
            .await
    }

    async fn challenge(
        &self,
        ctx: OpContext,
        id: String,
        caller: Option<i64>,
    ) -> Result<Challenge, ApiError> {
        self.read(move |tx| challenges::show(tx, &ctx, &id, caller))
            .await
    }

    async fn confirm_challenge(
        &self,
        ctx: OpContext,
        id: String,
        caller: Option<i64>,
        code: String,
    ) -> Result<Challenge, ApiError> {
        self.write_then(move |tx| challenges::confirm(tx, &ctx, &id, caller, &code))
            .await
    }

    async fn list_records(
        &self,
        visibility: Visibility,
        filter: RecordFilter,
        page: PageRequest,
    ) -> Result<PageOf<RecordRow>, ApiError> {
        self.read(move |tx| records::list(tx, &visibility, &filter, page))
            .await
    }

    async fn record_details(&self, id: RecordId) -> Result<Option<RecordDetailsRow>, ApiError> {
        self.read(move |tx| records::details(tx, id)).await
    }

    async fn cancel_record(
        &self,
        ctx: OpContext,
        actor: Actor,
        command: CancelCommand,
    ) -> Result<CancelResult, ApiError> {
        self.write_row_locked(move |tx| changes::cancel(tx, &ctx, &actor, &command))
            .await
    }

    async fn batch_challenge(
        &self,
        ctx: OpContext,
        actor: Actor,
        ids: Vec<RecordId>,
    ) -> Result<Challenge, ApiError> {
        self.write(move |tx| changes::batch_challenge(tx, &ctx, &actor, &ids))
            .await
    }

    async fn reschedule(
        &self,
        ctx: OpContext,
        actor: Actor,
        id: RecordId,
        slot: SlotId,
    ) -> Result<RecordRow, ApiError> {
        self.write(move |tx| changes::reschedule(tx, &ctx, &actor, id, slot))
            .await
    }

    async fn rebook(
        &self,
        ctx: OpContext,
        actor: Actor,
        id: RecordId,
        target: RebookTarget,
    ) -> Result<RecordRow, ApiError> {
        self.write(move |tx| changes::rebook(tx, &ctx, &actor, id, target))
            .await
    }

    async fn list_slots(
        &self,
        filter: SlotFilter,
        page: PageRequest,
    ) -> Result<PageOf<Slot>, ApiError> {
        self.read(move |tx| records::list_slots(tx, &filter, page))
            .await
    }

    async fn services(&self) -> Result<Vec<ServiceRef>, ApiError> {
        self.read(records::services).await
    }

    async fn departments(&self) -> Result<Vec<DepartmentRef>, ApiError> {
        self.read(records::departments).await
    }

    async fn history(
        &self,
        visibility: Visibility,
        user_id: i64,
        filter: HistoryFilter,
        page: PageRequest,
    ) -> Result<PageOf<AuditEntry>, ApiError> {
        self.read(move |tx| journal::list_history(tx, &visibility, user_id, &filter, page))
            .await
    }

    async fn notifications(
        &self,
        user_id: i64,
        page: PageRequest,
    ) -> Result<PageOf<Notification>, ApiError> {
        self.read(move |tx| journal::list_notifications(tx, user_id, page))
            .await
    }

    async fn audit(&self, entry: NewAuditEntry) -> Result<(), ApiError> {
        self.write_row_locked(move |tx| journal::insert_audit(tx, &entry))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/appt"),
            "postgres://app:***@db:5432/appt"
        );
        assert_eq!(
            redact_url("postgres://app@db/appt"),
            "postgres://app@db/appt"
        );
        assert_eq!(redact_url("host=db user=app"), "host=db user=app");
    }

    #[test]
    fn migrations_apply_once_and_a_second_run_finds_none() {
        let db = testing::TempDatabase::create().unwrap();
        let first = PgStore::apply_migrations(db.url()).unwrap();
        assert_eq!(first.len(), MIGRATIONS.len());
        assert!(PgStore::apply_migrations(db.url()).unwrap().is_empty());
        assert!(PgStore::pending_migrations(db.url()).unwrap().is_empty());
        assert!(PgStore::unknown_migrations(db.url()).unwrap().is_empty());

        let store = PgStore::connect(&PgOptions::new(db.url())).unwrap();
        assert!(store.is_empty().unwrap());
    }

    #[test]
    fn postgres_urls_are_told_from_paths() {
        assert!(is_postgres_url("postgres://localhost/appt"));
        assert!(is_postgres_url("postgresql://localhost/appt"));
        assert!(!is_postgres_url("./appt.db"));
    }
}
