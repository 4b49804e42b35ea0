//! The per-client rate limit: a token bucket per caller that refills at
//! `rate_limit_per_sec` and holds twice that, answered `429 rate_limited`
//! with `Retry-After` when empty.
//!
//! With SQLite the service is one process and the buckets live in its
//! memory. With PostgreSQL several instances share the callers, so the
//! buckets live in the database (`rate_limit_buckets`): one atomic upsert per
//! request refills the caller's bucket from the database's own clock, so
//! instances with skewed clocks agree, and takes a token if there is one. A
//! failing database never fails a request here: the request goes through and
//! the store, which needs the database too, reports the trouble.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use apptctl_api::ErrorCode;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use postgres::Client;

use super::ClientIdentity;
use crate::store::pg::Pool;

/// Past this many tracked callers, idle (full) buckets are forgotten so the
/// map cannot grow without bound.
const MAX_TRACKED_CLIENTS: usize = 10_000;

/// A shared bucket untouched this long is full (refilling takes two seconds
/// at most) and is deleted: an absent bucket counts as full, so deleting it
/// changes nothing but the table's size.
const IDLE_BUCKET_SECS: f64 = 60.0;

/// How often an instance deletes idle shared buckets.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// How long a request waits for a pooled connection to check its bucket
/// before going through unchecked.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(1);

/// Where the buckets live.
pub(super) enum RateLimiter {
    Off,
    InMemory(MemoryBuckets),
    Shared(SharedBuckets),
}

impl RateLimiter {
    /// Buckets in this process; `per_sec == 0` turns the limit off.
    pub(super) fn in_memory(per_sec: u32) -> RateLimiter {
        if per_sec == 0 {
            return RateLimiter::Off;
        }
        RateLimiter::InMemory(MemoryBuckets::new(per_sec))
    }

    /// Buckets in the PostgreSQL database of `pool`, shared by every
    /// instance on it; `per_sec == 0` turns the limit off.
    pub(super) fn shared(pool: Pool, per_sec: u32) -> RateLimiter {
        if per_sec == 0 {
            return RateLimiter::Off;
        }
        RateLimiter::Shared(SharedBuckets::new(pool, per_sec))
    }

    /// Takes one token for `client`; `Err(seconds)` says how long until
    /// one is available.
    async fn take(&self, client: &ClientIdentity) -> Result<(), u64> {
        match self {
            RateLimiter::Off => Ok(()),
            RateLimiter::InMemory(buckets) => buckets.take(client, Instant::now()),
            RateLimiter::Shared(buckets) => buckets.take(client).await,
        }
    }
}

/// Whole seconds until a bucket holding `tokens` (fewer than one) has one.
fn retry_after(tokens: f64, per_sec: f64) -> u64 {
    let wait = (1.0 - tokens) / per_sec;
    wait.ceil().max(1.0) as u64
}

pub(super) struct MemoryBuckets {
    per_sec: f64,
    burst: f64,
    buckets: Mutex<HashMap<ClientIdentity, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

impl MemoryBuckets {
    fn new(per_sec: u32) -> MemoryBuckets {
        MemoryBuckets {
            per_sec: f64::from(per_sec),
            burst: f64::from(per_sec) * 2.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn take(&self, client: &ClientIdentity, now: Instant) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_TRACKED_CLIENTS {
            self.forget_idle(&mut buckets, now);
        }

        let fresh = Bucket {
            tokens: self.burst,
            refilled_at: now,
        };
        let bucket = buckets.entry(client.clone()).or_insert(fresh);
        self.refill(bucket, now);

        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        Err(retry_after(bucket.tokens, self.per_sec))
    }

    fn refill(&self, bucket: &mut Bucket, now: Instant) {
        let elapsed = now
            .saturating_duration_since(bucket.refilled_at)
            .as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_sec).min(self.burst);
        bucket.refilled_at = now;
    }

    fn forget_idle(&self, buckets: &mut HashMap<ClientIdentity, Bucket>, now: Instant) {
        buckets.retain(|_, bucket| {
            let mut bucket = *bucket;
            self.refill(&mut bucket, now);
            bucket.tokens < self.burst
        });
    }
}

pub(super) struct SharedBuckets {
    pool: Pool,
    per_sec: f64,
    burst: f64,
    /// When this instance last deleted idle buckets, in milliseconds since
    /// `started`.
    last_sweep_ms: AtomicI64,
    started: Instant,
}

impl SharedBuckets {
    fn new(pool: Pool, per_sec: u32) -> SharedBuckets {
        SharedBuckets {
            pool,
            per_sec: f64::from(per_sec),
            burst: f64::from(per_sec) * 2.0,
            last_sweep_ms: AtomicI64::new(0),
            started: Instant::now(),
        }
    }

    async fn take(&self, client: &ClientIdentity) -> Result<(), u64> {
        let pool = self.pool.clone();
        let client = client.clone();
        let (per_sec, burst) = (self.per_sec, self.burst);
        let sweep = self.sweep_due();
        let checked = tokio::task::spawn_blocking(move || {
            let mut conn = pool
                .get_timeout(CHECKOUT_TIMEOUT)
                .context("no database connection for the rate limit")?;
            let taken = take_shared(&mut conn, client.as_str(), per_sec, burst)?;
            if sweep {
                forget_idle_shared(&mut conn)?;
            }
            Ok::<_, anyhow::Error>(taken)
        })
        .await;

        match checked {
            Ok(Ok(true)) => Ok(()),
            // Refused means fewer than one token; how many is not read back.
            Ok(Ok(false)) => Err(retry_after(0.0, per_sec)),
            Ok(Err(err)) => {
                tracing::warn!(error = %format!("{err:#}"), "rate limit not checked");
                Ok(())
            }
            Err(err) => {
                tracing::warn!(error = %err, "rate limit not checked");
                Ok(())
            }
        }
    }

    /// At most once per [`SWEEP_EVERY`] per instance.
    fn sweep_due(&self) -> bool {
        let now_ms = self.started.elapsed().as_millis() as i64;
        let last = self.last_sweep_ms.load(Ordering::Relaxed);
        now_ms - last >= SWEEP_EVERY.as_millis() as i64
            && self
                .last_sweep_ms
                .compare_exchange(last, now_ms, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }
}

/// One statement: refills `client`'s bucket from the database clock and
/// takes a token if that leaves at least one. A refusal writes nothing (the
/// bucket's state is the same, refilled or not). A new caller's bucket
/// starts full, less this token. Returns whether a token was taken.
fn take_shared(conn: &mut Client, client: &str, per_sec: f64, burst: f64) -> anyhow::Result<bool> {
    let taken = conn.query_opt(
        "INSERT INTO rate_limit_buckets AS b (client, tokens, refilled_at)
         VALUES ($1, $2::float8 - 1, extract(epoch FROM clock_timestamp())::float8)
         ON CONFLICT (client) DO UPDATE
         SET tokens = LEAST($2::float8, b.tokens
                 + GREATEST(0, EXCLUDED.refilled_at - b.refilled_at) * $3::float8) - 1,
             refilled_at = GREATEST(b.refilled_at, EXCLUDED.refilled_at)
         WHERE LEAST($2::float8, b.tokens
                 + GREATEST(0, EXCLUDED.refilled_at - b.refilled_at) * $3::float8) >= 1
         RETURNING 1",
        &[&client, &burst, &per_sec],
    )?;
    Ok(taken.is_some())
}

/// Deletes buckets idle long enough to be full, skipping any a request is
/// taking from right now.
fn forget_idle_shared(conn: &mut Client) -> anyhow::Result<u64> {
    let deleted = conn.execute(
        "DELETE FROM rate_limit_buckets WHERE client IN (
             SELECT client FROM rate_limit_buckets
             WHERE refilled_at < extract(epoch FROM clock_timestamp())::float8 - $1::float8
             FOR UPDATE SKIP LOCKED)",
        &[&IDLE_BUCKET_SECS],
    )?;
    Ok(deleted)
}

pub(super) async fn limit_rate(
    State(limiter): State<Arc<RateLimiter>>,
    req: Request,
    next: Next,
) -> Response {
    let client = ClientIdentity::of(&req);
    match limiter.take(&client).await {
        Ok(()) => next.run(req).await,
        Err(seconds) => {
            tracing::debug!(client = client.as_str(), seconds, "rate limited");
            super::problem_retry_after(
                ErrorCode::RateLimited,
                "too many requests from this client",
                &format!("wait {seconds} s and retry, or lower the concurrency"),
                seconds,
                &super::request_id_of(&req),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::pg::testing::TempDatabase;
    use crate::store::pg::{PgOptions, PgStore};

    #[test]
    fn bucket_allows_a_burst_then_refills() {
        let limiter = MemoryBuckets::new(2);
        let client = ClientIdentity("test".to_string());
        let start = Instant::now();

        for _ in 0..4 {
            assert!(limiter.take(&client, start).is_ok());
        }
        assert_eq!(limiter.take(&client, start), Err(1));

        let later = start + Duration::from_millis(600);
        assert!(limiter.take(&client, later).is_ok());
    }

    #[test]
    fn zero_turns_the_limit_off() {
        assert!(matches!(RateLimiter::in_memory(0), RateLimiter::Off));
    }

    fn shared_database() -> (TempDatabase, Pool) {
        let db = TempDatabase::create().expect("test database");
        let store = PgStore::open(&PgOptions::new(db.url())).expect("migrates");
        (db, store.pool())
    }

    /// Moves every shared bucket's last refill `secs` into the past, as if
    /// that much time had gone by.
    fn let_time_pass(conn: &mut Client, secs: f64) {
        conn.execute(
            "UPDATE rate_limit_buckets SET refilled_at = refilled_at - $1",
            &[&secs],
        )
        .unwrap();
    }

    /// One token a second, so that the real time the test takes (well under
    /// a second) cannot refill a token on its own.
    #[test]
    fn two_instances_on_one_database_share_a_bucket() {
        let (_db, pool) = shared_database();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let first = RateLimiter::shared(pool.clone(), 1);
        let second = RateLimiter::shared(pool.clone(), 1);
        let client = ClientIdentity("auth:shared".to_string());
        let other = ClientIdentity("auth:other".to_string());

        runtime.block_on(async {
            assert_eq!(first.take(&client).await, Ok(()));
            assert_eq!(second.take(&client).await, Ok(()));
            assert_eq!(first.take(&client).await, Err(1));
            assert_eq!(second.take(&client).await, Err(1));
            assert_eq!(second.take(&other).await, Ok(()));
        });

        // A second and a bit refills one token: one more, once.
        let_time_pass(&mut pool.get().unwrap(), 1.2);
        runtime.block_on(async {
            assert_eq!(second.take(&client).await, Ok(()));
            assert_eq!(first.take(&client).await, Err(1));
        });

        // Long idle refills to the burst, not beyond.
        let_time_pass(&mut pool.get().unwrap(), 3600.0);
        runtime.block_on(async {
            assert_eq!(first.take(&client).await, Ok(()));
            assert_eq!(second.take(&client).await, Ok(()));
            assert_eq!(first.take(&client).await, Err(1));
        });
    }

    #[test]
    fn idle_shared_buckets_are_deleted_and_recent_ones_kept() {
        let (_db, pool) = shared_database();
        let mut conn = pool.get().unwrap();
        assert!(take_shared(&mut conn, "idle", 2.0, 4.0).unwrap());
        assert!(take_shared(&mut conn, "busy", 2.0, 4.0).unwrap());
        conn.execute(
            "UPDATE rate_limit_buckets SET refilled_at = refilled_at - 61 WHERE client = 'idle'",
            &[],
        )
        .unwrap();

        assert_eq!(forget_idle_shared(&mut conn).unwrap(), 1);
        let left: Vec<String> = conn
            .query("SELECT client FROM rate_limit_buckets", &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(left, vec!["busy".to_string()]);
    }

    #[test]
    fn a_database_failure_lets_requests_through() {
        // A database without the table: every check fails.
        let db = TempDatabase::create().unwrap();
        let store = PgStore::connect(&PgOptions::new(db.url())).unwrap();
        let limiter = RateLimiter::shared(store.pool(), 1);
        let client = ClientIdentity("auth:x".to_string());
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            for _ in 0..5 {
                assert_eq!(limiter.take(&client).await, Ok(()));
            }
        });
    }
}
