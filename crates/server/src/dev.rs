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
use crate::platform::PlatformConfig;
use crate::seed;
use crate::serve::{self, LogFormat, ServeParts};
use crate::store::sqlite::SqliteStore;

pub use crate::serve::RunningServer;

/// Options of `apptctl server start-dev`.
#[derive(Debug, Clone)]
pub struct DevOptions {
    /// Default 127.0.0.1:8787; port 0 picks a free port.
    pub addr: SocketAddr,
    /// `None`: a fresh temporary database, removed at shutdown.
    pub db: Option<PathBuf>,
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
    let (db, temp_dir) = database_path(opts.db.as_ref())?;
    let clock: Arc<dyn Clock> = match opts.clock {
        Some(start) => Arc::new(ManualClock::new(start)),
        None => Arc::new(SystemClock),
    };
    let store = open_and_seed(db.clone(), clock.now(), opts.seed_demo, opts.extra_records).await?;

    let mut server = serve::serve(ServeParts {
        addr: opts.addr,
        store,
        clock,
        config: server_config(&opts),
        platform: platform_config(&opts, &db),
    })
    .await?;
    server.temp_dir = temp_dir;
    Ok(server)
}

/// The HTTP layer's settings; `None` options keep the platform defaults.
fn platform_config(opts: &DevOptions, db: &std::path::Path) -> PlatformConfig {
    let mut config = PlatformConfig::new(db);
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

async fn open_and_seed(
    db: PathBuf,
    now: DateTime<Utc>,
    seed_demo: bool,
    extra_records: u64,
) -> anyhow::Result<Arc<SqliteStore>> {
    tokio::task::spawn_blocking(move || {
        let store = SqliteStore::open(&db)?;
        let fresh = store.is_empty()?;
        if !fresh && extra_records > 0 {
            tracing::warn!(db = %db.display(), "existing database kept as it is; --records ignored");
        }
        if fresh && (seed_demo || extra_records > 0) {
            let started = std::time::Instant::now();
            seed::seed(&store, now, extra_records)?;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            tracing::info!(extra_records, elapsed_ms, "demo data seeded");
        }
        Ok(Arc::new(store))
    })
    .await?
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
    writeln!(out, "database: {}", server.db_path().display())?;
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
