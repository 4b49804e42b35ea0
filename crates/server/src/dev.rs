//! The development server: [`spawn`] opens (and seeds) a database and starts
//! the service on it, returning a handle (tests use it); [`start_dev`] is
//! `apptctl server start-dev`: it prints where it listens and the demo
//! accounts, then serves until Ctrl-C or SIGTERM. The serving itself is
//! [`crate::serve`], shared with the production mode.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};

use crate::clock::{Clock, ManualClock, SystemClock};
use crate::config::ServerConfig;
use crate::database::{Database, Opened};
use crate::platform::PlatformConfig;
use crate::seed;
use crate::serve::{self, LogFormat, ServeParts};
use crate::store::pg::{transfer, PgOptions, PgStore};
use crate::store::sqlite::SqliteStore;

pub use crate::serve::RunningServer;

/// Options of `apptctl server start-dev`.
#[derive(Debug, Clone)]
pub struct DevOptions {
    /// Default 127.0.0.1:8787; port 0 picks a free port.
    pub addr: SocketAddr,
    /// `None`: a fresh temporary database, removed at shutdown.
    pub db: Option<PathBuf>,
    /// A PostgreSQL database instead of an SQLite file (then `db` is
    /// ignored). It is migrated, and seeded when it holds no accounts.
    pub postgres: Option<PgOptions>,
    pub seed_demo: bool,
    /// Extra records for `demo` (`--records N`); they need the demo data,
    /// so a fresh database gets it even without `seed_demo`. An existing
    /// database is never seeded again.
    pub extra_records: u64,
    pub otp_fixed: Option<String>,
    pub fault_rate: f64,
    pub latency_ms: u64,
    /// A manual clock starting here; also enables `POST /v1/dev/clock`.
    pub clock: Option<DateTime<Utc>>,
    pub rate_limit_per_sec: Option<u32>,
    pub cutoff_hours: Option<u32>,
}

impl Default for DevOptions {
    fn default() -> DevOptions {
        DevOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 8787)),
            db: None,
            postgres: None,
            seed_demo: true,
            extra_records: 0,
            otp_fixed: None,
            fault_rate: 0.0,
            latency_ms: 0,
            clock: None,
            rate_limit_per_sec: None,
            cutoff_hours: None,
        }
    }
}

/// Opens (and when new, seeds) the database, binds `opts.addr` and serves in
/// a background task.
pub async fn spawn(opts: DevOptions) -> anyhow::Result<RunningServer> {
    let (database, temp_dir) = match &opts.postgres {
        Some(options) => (Database::Postgres(options.clone()), None),
        None => {
            let (path, temp_dir) = database_path(opts.db.as_ref())?;
            (Database::Sqlite(path), temp_dir)
        }
    };
    let clock: Arc<dyn Clock> = match opts.clock {
        Some(start) => Arc::new(ManualClock::new(start)),
        None => Arc::new(SystemClock),
    };
    let seeding = Seeding {
        now: clock.now(),
        demo: opts.seed_demo,
        extra_records: opts.extra_records,
    };
    let opened = open_and_seed(database.clone(), seeding).await?;

    let mut server = serve::serve(ServeParts {
        addr: opts.addr,
        store: opened.store,
        database,
        clock,
        config: server_config(&opts),
        platform: platform_config(&opts, opened.platform),
    })
    .await?;
    server.temp_dir = temp_dir;
    Ok(server)
}

/// The HTTP layer's settings; `None` options keep the platform defaults.
fn platform_config(opts: &DevOptions, mut config: PlatformConfig) -> PlatformConfig {
    config.fault_rate = opts.fault_rate;
    config.latency = std::time::Duration::from_millis(opts.latency_ms);
    if let Some(per_sec) = opts.rate_limit_per_sec {
        config.rate_limit_per_sec = per_sec;
    }
    config
}

fn server_config(opts: &DevOptions) -> ServerConfig {
    let mut config = ServerConfig {
        otp_fixed: opts.otp_fixed.clone(),
        ..ServerConfig::default()
    };
    if let Some(hours) = opts.cutoff_hours {
        config.cutoff = Duration::hours(hours.into());
    }
    config
}

fn database_path(db: Option<&PathBuf>) -> anyhow::Result<(PathBuf, Option<PathBuf>)> {
    if let Some(path) = db {
        return Ok((path.clone(), None));
    }
    let dir = std::env::temp_dir().join(format!("apptctl-dev-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok((dir.join("apptctl.db"), Some(dir)))
}

/// What a fresh dev database gets.
#[derive(Debug, Clone, Copy)]
struct Seeding {
    now: DateTime<Utc>,
    demo: bool,
    /// Extra records need the demo data, so they bring it along.
    extra_records: u64,
}

impl Seeding {
    fn wanted(&self) -> bool {
        self.demo || self.extra_records > 0
    }
}

async fn open_and_seed(database: Database, seeding: Seeding) -> anyhow::Result<Opened> {
    tokio::task::spawn_blocking(move || match &database {
        Database::Sqlite(path) => {
            let store = SqliteStore::open(path)?;
            let fresh = store.is_empty()?;
            warn_if_kept(fresh, &database, seeding);
            if fresh && seeding.wanted() {
                seed_sqlite(&store, seeding)?;
            }
            Ok(Opened::sqlite(store, path))
        }
        Database::Postgres(options) => {
            let store = PgStore::open(options)?;
            let fresh = store.is_empty()?;
            warn_if_kept(fresh, &database, seeding);
            if fresh && seeding.wanted() {
                seed_postgres(&options.url, seeding)?;
            }
            Ok(Opened::postgres(store))
        }
    })
    .await?
}

fn warn_if_kept(fresh: bool, database: &Database, seeding: Seeding) {
    if !fresh && seeding.extra_records > 0 {
        tracing::warn!(db = %database, "existing database kept as it is; --records ignored");
    }
}

fn seed_sqlite(store: &SqliteStore, seeding: Seeding) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    seed::seed(store, seeding.now, seeding.extra_records)?;
    let elapsed_ms = started.elapsed().as_millis() as u64;
    tracing::info!(
        extra_records = seeding.extra_records,
        elapsed_ms,
        "demo data seeded"
    );
    Ok(())
}

/// The demo data is generated once, for SQLite; PostgreSQL gets a copy of
/// it (see [`transfer::seed_postgres`]).
fn seed_postgres(url: &str, seeding: Seeding) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let report = transfer::seed_postgres(url, seeding.now, seeding.extra_records)?;
    let elapsed_ms = started.elapsed().as_millis() as u64;
    tracing::info!(
        extra_records = seeding.extra_records,
        rows = report.total_rows(),
        elapsed_ms,
        "demo data seeded"
    );
    Ok(())
}

/// `apptctl server start-dev`.
pub async fn start_dev(opts: DevOptions) -> anyhow::Result<()> {
    serve::init_logging(LogFormat::Text);
    let server = spawn(opts.clone()).await?;
    print_banner(&server, &opts)?;

    serve::wait_for_stop_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await
}

fn print_banner(server: &RunningServer, opts: &DevOptions) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "apptctl dev server listening on {}", server.url())?;
    out.flush()?;
    writeln!(out, "database: {}", server.database())?;
    writeln!(
        out,
        "demo accounts (two-factor on; codes are in the log and in `apptctl notifications`):"
    )?;
    for (username, password, what) in seed::DEMO_ACCOUNTS {
        writeln!(out, "  {username:<9} {password:<15} {what}")?;
    }
    if let Some(code) = &opts.otp_fixed {
        writeln!(out, "every one-time code is {code}")?;
    }
    if opts.clock.is_some() {
        writeln!(
            out,
            "manual clock: POST /v1/dev/clock {{\"advance_seconds\": N}}"
        )?;
    }
    writeln!(
        out,
        "try: apptctl login --username demo --server {}",
        server.url()
    )?;
    out.flush()?;
    Ok(())
}
