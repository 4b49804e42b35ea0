//! The HTTP platform around the resource routes: request ids, panics turned
//! into problems, metrics and access logs, injected latency and faults, the
//! per-client rate limit, body and time limits, and idempotent POSTs.
//!
//! `wrap` takes the finished resource router and layers all of that around
//! it; `ops_router` serves `/metrics` and `/openapi.json`. The layers are
//! applied with `Router::layer`, so they run after routing and see the
//! matched route template (for metric labels) on every request. That also
//! means routes or a fallback added to the router *after* `wrap` go
//! unwrapped: build the whole router first.
//!
//! Wiring, in the service's start-up:
//!
//! ```text
//! let router = app(state).merge(platform::ops_router());
//! let router = platform::wrap(router, PlatformConfig::new(&db_path))?;
//! let service = router.into_make_service_with_connect_info::<SocketAddr>();
//! axum::serve(listener, service).await?;
//! ```
//!
//! On PostgreSQL, `PlatformConfig::postgres(pg_store.pool())` instead: the
//! idempotency keys and the rate-limit buckets then live in the shared
//! database, so every instance on it sees the same ones. On SQLite they live
//! in a file beside the database and in memory, for the one process.
//!
//! Without `into_make_service_with_connect_info`, anonymous callers (no
//! `Authorization` header) all share one rate-limit bucket and one
//! idempotency-key namespace.

mod client;
mod faults;
mod idempotency;
mod idempotency_store;
mod limits;
mod observe;
mod pg_idempotency;
mod rate_limit;
mod request_id;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use apptctl_api::{ErrorCode, Problem};
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;

pub use client::ClientIdentity;
pub use idempotency_store::{
    Begin, IdempotencyStore, SqliteIdempotencyStore, StoredAnswer, KEY_LIFETIME,
    SECRET_ANSWER_LIFETIME,
};
pub use pg_idempotency::PgIdempotencyStore;

use crate::request_id::RequestId;
use crate::store::pg::Pool;

/// Where the state the platform keeps between requests lives: idempotency
/// records and rate-limit buckets.
#[derive(Clone)]
pub enum PlatformStorage {
    /// The domain store's SQLite file: idempotency records in a file beside
    /// it ([`idempotency_path`]), rate-limit buckets in this process.
    Sqlite(PathBuf),
    /// The domain store's PostgreSQL database (migration 0003's tables),
    /// shared by every instance on it.
    Postgres(Pool),
}

impl std::fmt::Debug for PlatformStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlatformStorage::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            PlatformStorage::Postgres(_) => f.write_str("Postgres"),
        }
    }
}

/// How the platform layers behave. Build it with [`PlatformConfig::new`]
/// (SQLite) or [`PlatformConfig::postgres`] and change the fields that differ
/// from the defaults.
#[derive(Debug, Clone)]
pub struct PlatformConfig {
    /// Where idempotency records and rate-limit buckets live.
    pub storage: PlatformStorage,
    /// Fraction (0.0 to 1.0) of `/v1/*` requests that get an injected fault.
    pub fault_rate: f64,
    /// Added before every request is handled.
    pub latency: Duration,
    /// How long a "slow answer" fault stalls before answering.
    pub fault_slow: Duration,
    /// Sustained requests per second per client; 0 turns the limit off.
    /// A client may burst to twice this.
    pub rate_limit_per_sec: u32,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Longest a request may take before it is answered `503 timeout`.
    pub request_timeout: Duration,
}

impl PlatformConfig {
    /// Defaults generous enough that benchmarks are not throttled and a
    /// batch body of 100,000 record ids fits.
    /// `db_path` is the SQLite database file (WAL) the domain store uses.
    pub fn new(db_path: impl Into<PathBuf>) -> PlatformConfig {
        PlatformConfig::with_storage(PlatformStorage::Sqlite(db_path.into()))
    }

    /// The same defaults, for instances sharing the PostgreSQL database of
    /// `pool` (the domain store's, [`crate::store::pg::PgStore::pool`]).
    pub fn postgres(pool: Pool) -> PlatformConfig {
        PlatformConfig::with_storage(PlatformStorage::Postgres(pool))
    }

    fn with_storage(storage: PlatformStorage) -> PlatformConfig {
        PlatformConfig {
            storage,
            fault_rate: 0.0,
            latency: Duration::ZERO,
            fault_slow: Duration::from_secs(3),
            rate_limit_per_sec: 2000,
            max_body_bytes: 2 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
        }
    }

    /// Refuses settings that cannot work, so a typo in a start-up flag is an
    /// error rather than a surprise.
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            (0.0..=1.0).contains(&self.fault_rate),
            "the fault rate must be between 0 and 1, not {}",
            self.fault_rate
        );
        anyhow::ensure!(
            self.max_body_bytes > 0,
            "the body limit must be above 0 bytes"
        );
        anyhow::ensure!(
            !self.request_timeout.is_zero(),
            "the request timeout must be above 0"
        );
        Ok(())
    }
}

/// Layers the platform around `router` (outermost first): request id and
/// panic catching, metrics and logs, latency and faults, rate limit, body
/// limit and timeout, idempotency.
///
/// Peer addresses (the rate-limit identity of anonymous callers) are only
/// known when the server is run with
/// `into_make_service_with_connect_info::<SocketAddr>()`.
pub fn wrap(router: Router, cfg: PlatformConfig) -> anyhow::Result<Router> {
    cfg.validate()?;
    let lease = in_flight_lease(&cfg);
    let store: Arc<dyn IdempotencyStore> = match &cfg.storage {
        PlatformStorage::Sqlite(db_path) => Arc::new(SqliteIdempotencyStore::open(
            &idempotency_path(db_path),
            lease,
        )?),
        PlatformStorage::Postgres(pool) => Arc::new(PgIdempotencyStore::new(pool.clone(), lease)),
    };
    Ok(wrap_with_store(router, cfg, store))
}

/// The idempotency keys live in a file of their own beside the database.
/// Two connections writing one SQLite file take turns on its single write
/// lock, and the loser sleeps in SQLite's busy handler (1 ms, 2 ms, 5 ms ...):
/// with every POST writing both stores, that sleeping capped bulk cancelling
/// with the server's CPU half idle.
pub fn idempotency_path(db_path: &Path) -> PathBuf {
    let mut name = db_path.as_os_str().to_owned();
    name.push("-idempotency");
    PathBuf::from(name)
}

/// [`wrap`] with an idempotency store of the caller's choosing; the rate
/// limit still follows `cfg.storage`.
pub fn wrap_with_store(
    router: Router,
    cfg: PlatformConfig,
    store: Arc<dyn IdempotencyStore>,
) -> Router {
    let faults = Arc::new(faults::FaultPlan::from_config(&cfg));
    let limiter = Arc::new(match &cfg.storage {
        PlatformStorage::Sqlite(_) => rate_limit::RateLimiter::in_memory(cfg.rate_limit_per_sec),
        PlatformStorage::Postgres(pool) => {
            rate_limit::RateLimiter::shared(pool.clone(), cfg.rate_limit_per_sec)
        }
    });
    let limits = Arc::new(limits::Limits::from_config(&cfg));
    let idempotency = Arc::new(idempotency::Idempotency::new(store, cfg.max_body_bytes));

    let layers = ServiceBuilder::new()
        .layer(axum::middleware::from_fn(request_id::assign_request_id))
        .layer(axum::middleware::from_fn(observe::observe_request))
        .layer(CatchPanicLayer::custom(request_id::panic_response))
        .layer(from_fn_with_state(faults, faults::inject))
        .layer(from_fn_with_state(limiter, rate_limit::limit_rate))
        .layer(from_fn_with_state(limits, limits::enforce_limits))
        .layer(DefaultBodyLimit::max(cfg.max_body_bytes))
        .layer(from_fn_with_state(
            idempotency,
            idempotency::idempotent_post,
        ));

    router.layer(layers)
}

/// An in-flight idempotency mark older than this belongs to a request that
/// can no longer be running (the process died mid-request), so a retry may
/// take it over.
fn in_flight_lease(cfg: &PlatformConfig) -> Duration {
    cfg.request_timeout + cfg.fault_slow + Duration::from_secs(30)
}

/// `GET /metrics` (Prometheus text) and `GET /openapi.json`.
pub fn ops_router() -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
}

async fn metrics() -> Response {
    let content_type = HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8");
    (
        [(header::CONTENT_TYPE, content_type)],
        crate::metrics::render(),
    )
        .into_response()
}

/// The document is built once; it cannot change while the process runs.
async fn openapi() -> Response {
    static DOCUMENT: OnceLock<axum::body::Bytes> = OnceLock::new();
    let body = DOCUMENT.get_or_init(|| {
        let document = crate::openapi::document();
        serde_json::to_vec(&document).unwrap_or_default().into()
    });
    let content_type = HeaderValue::from_static("application/json");
    ([(header::CONTENT_TYPE, content_type)], body.clone()).into_response()
}

/// The request id the outermost layer assigned (empty if none did).
fn request_id_of(req: &Request) -> String {
    req.extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default()
}

/// A problem response for `code`, carrying `request_id`.
fn problem(code: ErrorCode, detail: &str, hint: &str, request_id: &str) -> Response {
    crate::problem::problem_response(Problem::new(code, detail, hint), request_id)
}

/// Like [`problem`], with a `Retry-After` of `seconds`.
fn problem_retry_after(
    code: ErrorCode,
    detail: &str,
    hint: &str,
    seconds: u64,
    request_id: &str,
) -> Response {
    let mut body = Problem::new(code, detail, hint);
    body.retry_after = Some(seconds);
    crate::problem::problem_response(body, request_id)
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::http::StatusCode;
    use axum::routing::post;

    use super::*;
    use crate::store::pg::testing::TempDatabase;
    use crate::store::pg::{PgOptions, PgStore};

    /// A service whose one POST counts its runs, wrapped as on PostgreSQL
    /// and listening on a free port; returns its base URL.
    async fn instance(pool: Pool, runs: Arc<AtomicUsize>) -> String {
        let handler = move || async move {
            let run = runs.fetch_add(1, Ordering::SeqCst) + 1;
            (StatusCode::CREATED, format!("run {run}"))
        };
        let mut cfg = PlatformConfig::postgres(pool);
        cfg.rate_limit_per_sec = 1;
        let app = wrap(Router::new().route("/v1/count", post(handler)), cfg).unwrap();

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let service = app.into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, service).await.unwrap();
        });
        format!("http://{addr}/v1/count")
    }

    /// The blocking database client may not be connected or dropped on a
    /// runtime thread, so the database is set up outside the runtime.
    #[test]
    fn instances_on_one_postgres_database_share_keys_and_limits() {
        let db = TempDatabase::create().unwrap();
        let store = PgStore::open(&PgOptions::new(db.url())).unwrap();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(two_instances(store.pool()));
        drop(runtime);
    }

    async fn two_instances(pool: Pool) {
        let runs = Arc::new(AtomicUsize::new(0));
        let first = instance(pool.clone(), runs.clone()).await;
        let second = instance(pool, runs.clone()).await;
        let client = reqwest::Client::new();
        let send = |url: &str| {
            client
                .post(url)
                .header("Idempotency-Key", "same-key")
                .body("{}")
                .send()
        };

        let original = send(&first).await.unwrap();
        assert_eq!(original.status(), StatusCode::CREATED);
        let retry = send(&second).await.unwrap();
        assert_eq!(retry.status(), StatusCode::CREATED);
        assert!(retry.headers().contains_key("idempotent-replayed"));
        assert_eq!(retry.text().await.unwrap(), "run 1");
        assert_eq!(runs.load(Ordering::SeqCst), 1);

        // One a second with a burst of two: both instances drew from one
        // bucket, so the third request is refused by either.
        let refused = send(&first).await.unwrap();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.headers()["retry-after"], "1");
    }
}
