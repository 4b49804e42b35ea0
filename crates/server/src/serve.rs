//! The start-up both server modes share: build the router around an opened
//! store, bind, serve in a background task with graceful shutdown, wait for
//! Ctrl-C or SIGTERM, and set up the log. `dev` and `production` differ only
//! in what they open and which settings they allow.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::config::ServerConfig;
use crate::database::Database;
use crate::platform::{self, PlatformConfig};
use crate::state::AppState;
use crate::store::Store;

/// Everything a server needs once its database is open.
pub struct ServeParts {
    pub addr: SocketAddr,
    pub store: Arc<dyn Store>,
    /// Where the store keeps its data, for messages and tests.
    pub database: Database,
    pub clock: Arc<dyn Clock>,
    pub config: ServerConfig,
    pub platform: PlatformConfig,
}

/// A server running in this process.
pub struct RunningServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    /// A temporary database directory, removed when the server is dropped.
    pub(crate) temp_dir: Option<PathBuf>,
    database: Database,
}

impl RunningServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The SQLite file the server uses; `None` on PostgreSQL.
    pub fn db_path(&self) -> Option<&Path> {
        self.database.sqlite_path()
    }

    pub fn database(&self) -> &Database {
        &self.database
    }

    /// Stops accepting connections, lets requests in flight finish, and
    /// removes a temporary database.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        self.stop_accepting();
        if let Some(task) = self.task.take() {
            task.await.context("server task")?.context("serving")?;
        }
        Ok(())
    }

    /// [`shutdown`](Self::shutdown), but gives requests in flight at most
    /// `drain` to finish; after that they are dropped and this says so.
    pub async fn shutdown_within(mut self, drain: Duration) -> anyhow::Result<()> {
        self.stop_accepting();
        let Some(task) = self.task.take() else {
            return Ok(());
        };
        let abort = task.abort_handle();
        match tokio::time::timeout(drain, task).await {
            Ok(finished) => finished.context("server task")?.context("serving"),
            Err(_) => {
                abort.abort();
                anyhow::bail!(
                    "requests still in flight after {} s; their connections were closed",
                    drain.as_secs()
                )
            }
        }
    }

    fn stop_accepting(&mut self) {
        if let Some(signal) = self.shutdown.take() {
            let _ = signal.send(());
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.stop_accepting();
        if let Some(dir) = self.temp_dir.take() {
            // Best effort: the server task may still hold the file for a
            // moment; a leftover temp dir is harmless.
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Builds the router (resources, ops endpoints, platform layers), binds
/// `parts.addr` and serves in a background task.
pub async fn serve(parts: ServeParts) -> anyhow::Result<RunningServer> {
    let state = AppState {
        store: parts.store,
        clock: parts.clock,
        config: Arc::new(parts.config),
    };
    let router = crate::app::app(state).merge(platform::ops_router());
    let router = platform::wrap(router, parts.platform)?;

    let listener = tokio::net::TcpListener::bind(parts.addr)
        .await
        .with_context(|| format!("binding {}", parts.addr))?;
    let addr = listener.local_addr()?;
    let (shutdown, stop) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stop.await;
        })
        .await
    });

    Ok(RunningServer {
        addr,
        shutdown: Some(shutdown),
        task: Some(task),
        temp_dir: None,
        database: parts.database,
    })
}

/// How the service writes its log on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Readable lines, coloured on a terminal (the dev server).
    Text,
    /// One JSON object per line, for a log collector (production).
    Json,
}

/// `RUST_LOG` when set, else `info`.
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // The CLI may have installed a subscriber already; then that one stays.
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        LogFormat::Text => {
            // Colour only for a person watching; a log file or pipe gets plain text.
            let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none();
            builder.with_ansi(ansi).try_init()
        }
    };
}

/// Waits for Ctrl-C or, on Unix, SIGTERM.
pub async fn wait_for_stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
