//! The SQLite implementation of [`Store`].
//!
//! WAL mode, one writer connection behind a mutex (every change is a
//! `BEGIN IMMEDIATE` transaction on it, so writes are serialised and a
//! checked row cannot change before it is written) and a few reader
//! connections that never block the writer. All SQLite calls run on tokio's
//! blocking pool. Migrations are compiled into the binary and applied on
//! open, in order, once each.

mod accounts;
mod challenges;
mod journal;
mod records;
pub mod rows;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::Context;
use apptctl_api::auth::{CreateTokenOutcome, Session, TokenInfo};
use apptctl_api::cancel::{Challenge, ChallengePurpose};
use apptctl_api::journal::{AuditEntry, Notification};
use apptctl_api::records::{DepartmentRef, ServiceRef};
use apptctl_api::slots::Slot;
use apptctl_api::{RecordId, SlotId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use accounts::{AccountError, NewAccount};

use super::*;
use crate::auth::{Actor, Authentication};
use crate::domain::access::Visibility;
use crate::domain::records::RecordRow;
use crate::error::ApiError;

/// The migrations, in order: version, name, SQL. Never edit one that has
/// shipped; add a new one.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "0001_initial",
        include_str!("../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        "0002_notification_delivery",
        include_str!("../migrations/sqlite/0002_notification_delivery.sql"),
    ),
];

/// One embedded migration, as reported by `apptctl server migrate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
}

const READERS: usize = 4;

pub struct SqliteStore {
    writer: Arc<Mutex<Connection>>,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: AtomicUsize,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: &Path) -> anyhow::Result<SqliteStore> {
        let mut writer =
            connect(path).with_context(|| format!("opening database {}", path.display()))?;
        migrate(&mut writer).context("migrating the database")?;
        let readers = (0..READERS)
            .map(|_| connect(path).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SqliteStore {
            writer: Arc::new(Mutex::new(writer)),
            readers: Arc::new(readers),
            next_reader: AtomicUsize::new(0),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens (creating if needed) the database at `path`, applies the
    /// migrations it lacks and returns those, without opening a store.
    pub fn apply_migrations(path: &Path) -> anyhow::Result<Vec<Migration>> {
        let mut conn =
            connect(path).with_context(|| format!("opening database {}", path.display()))?;
        migrate(&mut conn).context("migrating the database")
    }

    /// Migration versions applied to the database at `path` that this binary
    /// does not know: the file was migrated by a newer release. Read-only.
    pub fn unknown_migrations(path: &Path) -> anyhow::Result<Vec<i64>> {
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .with_context(|| format!("opening database {}", path.display()))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        if !has_migrations_table(&conn)? {
            return Ok(Vec::new());
        }
        let known = MIGRATIONS.last().map_or(0, |m| m.0);
        let mut statement =
            conn.prepare("SELECT version FROM schema_migrations WHERE version > ?1 ORDER BY 1")?;
        let versions = statement
            .query_map([known], |r| r.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(versions)
    }

    /// The embedded migrations the existing database at `path` lacks. Opens
    /// it read-only, so looking changes nothing.
    pub fn pending_migrations(path: &Path) -> anyhow::Result<Vec<Migration>> {
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .with_context(|| format!("opening database {}", path.display()))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let has_table = has_migrations_table(&conn)?;
        let mut pending = Vec::new();
        for (version, name, _) in MIGRATIONS {
            let applied = has_table
                && conn.query_row(
                    "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)",
                    [version],
                    |r| r.get::<_, bool>(0),
                )?;
            if !applied {
                pending.push(Migration {
                    version: *version,
                    name,
                });
            }
        }
        Ok(pending)
    }

    /// Whether the database holds no accounts yet (a fresh file to seed).
    pub fn is_empty(&self) -> anyhow::Result<bool> {
        let conn = lock(&self.writer);
        let users: i64 = conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
        Ok(users == 0)
    }

    /// Creates an account for an operator; returns the new user's id.
    pub fn create_account(&self, account: &NewAccount) -> Result<i64, AccountError> {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(anyhow::Error::from)?;
        let user_id = accounts::create_account(&tx, account)?;
        tx.commit().map_err(anyhow::Error::from)?;
        Ok(user_id)
    }

    /// Runs `work` in one immediate transaction on the writer, synchronously.
    /// For seeding and tools; request handling goes through the trait.
    pub fn with_transaction<T>(
        &self,
        work: impl FnOnce(&Transaction) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> Result<T, ApiError> + Send + 'static,
    {
        let writer = self.writer.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = lock(&writer);
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = work(&tx)?;
            tx.commit()?;
            Ok(value)
        })
        .await?
    }

    /// A write whose inner refusal must still be committed (a counted wrong
    /// code, a counted failed login).
    async fn write_then<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> Result<Result<T, ApiError>, ApiError> + Send + 'static,
    {
        self.write(work).await?
    }

    async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, ApiError> + Send + 'static,
    {
        let readers = self.readers.clone();
        let index = self.next_reader.fetch_add(1, Ordering::Relaxed) % readers.len();
        tokio::task::spawn_blocking(move || {
            let conn = lock(&readers[index]);
            work(&conn)
        })
        .await?
    }
}

// A poisoned connection mutex only means a panic happened while it was held;
// SQLite rolled the open transaction back when it was dropped.
fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock().unwrap_or_else(|e| e.into_inner())
}

fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -32000;",
    )?;
    Ok(conn)
}

fn has_migrations_table(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master \
         WHERE type = 'table' AND name = 'schema_migrations')",
        [],
        |r| r.get(0),
    )
}

/// Applies the migrations not yet applied, each in its own transaction, and
/// returns them.
fn migrate(conn: &mut Connection) -> anyhow::Result<Vec<Migration>> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations \
         (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )?;
    let mut applied_now = Vec::new();
    for (version, name, sql) in MIGRATIONS {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let applied: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)",
            [version],
            |r| r.get(0),
        )?;
        if !applied {
            tx.execute_batch(sql)
                .with_context(|| format!("migration {version}"))?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, datetime('now'))",
                [version],
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

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    /// Reads the schema version from the file itself: `SELECT 1` would
    /// answer even when the database file is gone or unreadable.
    async fn ping(&self) -> bool {
        let answer = self
            .read(|conn| {
                Ok(
                    conn.query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
                        r.get::<_, Option<i64>>(0)
                    })?,
                )
            })
            .await;
        matches!(answer, Ok(Some(_)))
    }

    async fn authenticate(
        &self,
        secret_hash: String,
        now: DateTime<Utc>,
    ) -> Result<Authentication, ApiError> {
        self.read(move |conn| accounts::authenticate(conn, &secret_hash, now))
            .await
    }

    async fn touch_credential(
        &self,
        credential_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        self.write(move |tx| accounts::touch(tx, credential_id, now))
            .await
    }

    async fn find_user(&self, username: String) -> Result<Option<UserRow>, ApiError> {
        self.read(move |conn| accounts::find_user(conn, &username))
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
        self.read(move |conn| accounts::list_tokens(conn, user_id))
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
        self.read(move |conn| challenges::show(conn, &ctx, &id, caller))
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
        self.read(move |conn| records::list(conn, &visibility, &filter, page))
            .await
    }

    async fn record_details(&self, id: RecordId) -> Result<Option<RecordDetailsRow>, ApiError> {
        self.read(move |conn| records::details(conn, id)).await
    }

    async fn cancel_record(
        &self,
        ctx: OpContext,
        actor: Actor,
        command: CancelCommand,
    ) -> Result<CancelResult, ApiError> {
        self.write(move |tx| records::cancel(tx, &ctx, &actor, &command))
            .await
    }

    async fn batch_challenge(
        &self,
        ctx: OpContext,
        actor: Actor,
        ids: Vec<RecordId>,
    ) -> Result<Challenge, ApiError> {
        self.write(move |tx| records::batch_challenge(tx, &ctx, &actor, &ids))
            .await
    }

    async fn reschedule(
        &self,
        ctx: OpContext,
        actor: Actor,
        id: RecordId,
        slot: SlotId,
    ) -> Result<RecordRow, ApiError> {
        self.write(move |tx| records::reschedule(tx, &ctx, &actor, id, slot))
            .await
    }

    async fn rebook(
        &self,
        ctx: OpContext,
        actor: Actor,
        id: RecordId,
        target: RebookTarget,
    ) -> Result<RecordRow, ApiError> {
        self.write(move |tx| records::rebook(tx, &ctx, &actor, id, target))
            .await
    }

    async fn list_slots(
        &self,
        filter: SlotFilter,
        page: PageRequest,
    ) -> Result<PageOf<Slot>, ApiError> {
        self.read(move |conn| records::list_slots(conn, &filter, page))
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
        self.read(move |conn| journal::list_history(conn, &visibility, user_id, &filter, page))
            .await
    }

    async fn notifications(
        &self,
        user_id: i64,
        page: PageRequest,
    ) -> Result<PageOf<Notification>, ApiError> {
        self.read(move |conn| journal::list_notifications(conn, user_id, page))
            .await
    }

    async fn audit(&self, entry: NewAuditEntry) -> Result<(), ApiError> {
        self.write(move |tx| journal::insert_audit(tx, &entry))
            .await
    }
}
