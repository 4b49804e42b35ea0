//! The production mode: `apptctl server start`, `server migrate` and
//! `server create-account`. No demo data, no fixed codes, no injected faults
//! and no settable clock; the database (an SQLite file, or PostgreSQL for
//! several instances) must exist and be migrated (by `server migrate`)
//! before the service starts on it. Logs are JSON lines.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use apptctl_api::auth::Role;

use crate::clock::SystemClock;
use crate::config::ServerConfig;
use crate::database::Opened;
pub use crate::database::{Database, StartError};
use crate::platform::PlatformConfig;
use crate::serve::{self, LogFormat, ServeParts};
use crate::store::pg::transfer::{self, TransferReport};
use crate::store::pg::{PgOptions, PgStore};
use crate::store::sqlite::{AccountError, Migration, NewAccount, SqliteStore};

/// Settings of `apptctl server start`.
#[derive(Debug, Clone)]
pub struct ProductionOptions {
    pub addr: SocketAddr,
    pub db: Database,
    /// Requests per second per client before 429; `None`: the platform's.
    pub rate_limit_per_sec: Option<u32>,
    pub cutoff_hours: Option<u32>,
    pub request_timeout: Duration,
    pub max_body_bytes: usize,
    /// How long requests in flight may take to finish after a stop signal.
    pub drain: Duration,
}

/// `apptctl server start`: serves until Ctrl-C or SIGTERM, then lets the
/// requests in flight finish within `opts.drain`.
pub async fn start(opts: ProductionOptions) -> anyhow::Result<()> {
    serve::init_logging(LogFormat::Json);
    let opened = open_migrated(opts.db.clone()).await?;

    let server = serve::serve(ServeParts {
        addr: opts.addr,
        store: opened.store,
        database: opts.db.clone(),
        clock: Arc::new(SystemClock),
        config: server_config(&opts),
        platform: platform_config(&opts, opened.platform),
    })
    .await?;
    announce(&server)?;

    serve::wait_for_stop_signal().await;
    tracing::info!(
        drain_seconds = opts.drain.as_secs(),
        "stop signal: draining"
    );
    server.shutdown_within(opts.drain).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Opens the store only when the database exists and every migration is
/// in: a schema change is the operator's step (`server migrate`, after a
/// backup), not a side effect of a restart.
async fn open_migrated(db: Database) -> anyhow::Result<Opened> {
    tokio::task::spawn_blocking(move || {
        db.check_schema()?;
        db.open()
    })
    .await?
}

/// The address on stdout (for people and scripts) and in the log.
fn announce(server: &serve::RunningServer) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "apptctl server listening on {}", server.url())?;
    out.flush()?;
    tracing::info!(addr = %server.addr(), db = %server.database(), "listening");
    Ok(())
}

fn server_config(opts: &ProductionOptions) -> ServerConfig {
    let mut config = ServerConfig {
        log_codes: false,
        ..ServerConfig::default()
    };
    if let Some(hours) = opts.cutoff_hours {
        config.cutoff = chrono::Duration::hours(hours.into());
    }
    config
}

fn platform_config(opts: &ProductionOptions, mut config: PlatformConfig) -> PlatformConfig {
    config.request_timeout = opts.request_timeout;
    config.max_body_bytes = opts.max_body_bytes;
    if let Some(per_sec) = opts.rate_limit_per_sec {
        config.rate_limit_per_sec = per_sec;
    }
    config
}

/// `apptctl server migrate`: creates an SQLite file when missing, applies
/// the migrations the database lacks and returns them (empty: it was up to
/// date).
pub fn migrate(db: &Database) -> anyhow::Result<Vec<Migration>> {
    db.migrate()
}

/// `apptctl server import-sqlite`: copies every record, account, session,
/// token, challenge, notification and journal entry of an SQLite database
/// into an empty PostgreSQL one, in one transaction. Both must be migrated
/// by this release. Idempotency records are not copied: they are a day's
/// retry window, not data.
pub fn import_sqlite(sqlite: &Path, postgres: &PgOptions) -> anyhow::Result<TransferReport> {
    Database::Sqlite(sqlite.to_path_buf()).check_schema()?;
    Database::Postgres(postgres.clone()).check_schema()?;
    transfer::copy_from_sqlite(sqlite, &postgres.url)
}

/// An account to create with `apptctl server create-account`.
#[derive(Debug, Clone)]
pub struct AccountRequest {
    pub username: String,
    pub name: String,
    pub role: Role,
    pub password: String,
    pub two_factor: bool,
    pub phone: String,
    pub email: String,
    pub departments: Vec<String>,
}

/// Why `create-account` refused.
#[derive(Debug, thiserror::Error)]
pub enum CreateAccountError {
    #[error("the password is too weak: at least 8 characters with letters and digits")]
    WeakPassword,
    #[error("a manager needs at least one --department")]
    ManagerWithoutDepartment,
    #[error("an applicant has no departments")]
    ApplicantWithDepartment,
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Start(#[from] StartError),
}

/// Creates the account in the migrated database `db`; returns its id.
pub fn create_account(db: &Database, request: AccountRequest) -> Result<i64, CreateAccountError> {
    check_account(&request)?;
    db.check_schema()?;

    let password_hash =
        crate::auth::hash_password(&request.password).map_err(AccountError::Storage)?;
    let account = NewAccount {
        username: request.username,
        name: request.name,
        role: request.role,
        password_hash,
        two_factor: request.two_factor,
        phone: request.phone,
        email: request.email,
        departments: request.departments,
    };
    match db {
        Database::Sqlite(path) => {
            let store = SqliteStore::open(path).map_err(AccountError::Storage)?;
            Ok(store.create_account(&account)?)
        }
        Database::Postgres(options) => {
            let store = PgStore::connect(options).map_err(AccountError::Storage)?;
            Ok(store.create_account(&account)?)
        }
    }
}

fn check_account(request: &AccountRequest) -> Result<(), CreateAccountError> {
    if crate::auth::check_password_policy(&request.password).is_err() {
        return Err(CreateAccountError::WeakPassword);
    }
    match (request.role, request.departments.is_empty()) {
        (Role::Manager, true) => Err(CreateAccountError::ManagerWithoutDepartment),
        (Role::Applicant, false) => Err(CreateAccountError::ApplicantWithDepartment),
        _ => Ok(()),
    }
}
