//! Idempotency keys in the shared PostgreSQL database, so a retry that
//! reaches another instance of the service still finds the first answer.
//!
//! The semantics are the SQLite store's, with two differences that sharing
//! the table forces:
//! - Opening the store leaves in-flight marks alone: they may belong to
//!   requests another instance is running right now. A mark left by an
//!   instance that died is taken over once its lease has run out.
//! - Marking a key is one `INSERT ... ON CONFLICT DO UPDATE` that only
//!   overwrites an expired record or a stale mark. Two instances marking the
//!   same key at once meet on the primary key: one inserts, the other waits
//!   for it and then finds its mark, so exactly one of them gets `Fresh`.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use anyhow::Context;
use postgres::Client;

use super::idempotency_store::KEY_LIFETIME;
use super::{Begin, IdempotencyStore, StoredAnswer};
use crate::store::pg::Pool;

/// Most expired records one sweep deletes, so a sweep after a quiet day
/// stays a short statement; the next sweep takes the rest.
const SWEEP_BATCH: i64 = 10_000;

/// The PostgreSQL store, over the service's connection pool.
pub struct PgIdempotencyStore {
    pool: Pool,
    in_flight_lease: Duration,
    /// The second of the last expiry sweep this instance ran: sweeping once
    /// a second per instance keeps secret-bearing answers from outliving
    /// their lifetime without a DELETE on every POST.
    last_sweep: AtomicI64,
}

impl PgIdempotencyStore {
    /// A store on `pool`, whose database has the `idempotency_keys` table
    /// (migration 0003). In-flight marks older than `in_flight_lease` are
    /// taken over.
    pub fn new(pool: Pool, in_flight_lease: Duration) -> PgIdempotencyStore {
        PgIdempotencyStore {
            pool,
            in_flight_lease,
            last_sweep: AtomicI64::new(0),
        }
    }

    /// Runs `work` with a pooled connection on the blocking pool.
    async fn with_client<T, F>(&self, work: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Client) -> anyhow::Result<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut client = pool
                .get()
                .context("no database connection for the idempotency keys")?;
            work(&mut client)
        })
        .await
        .context("idempotency store task failed")?
    }

    /// Whether this instance should sweep at `now`: at most once a second.
    fn sweep_due(&self, now: i64) -> bool {
        let last = self.last_sweep.load(Ordering::Relaxed);
        now > last
            && self
                .last_sweep
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }
}

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

#[async_trait::async_trait]
impl IdempotencyStore for PgIdempotencyStore {
    async fn begin(&self, client: &str, key: &str, fingerprint: &str) -> anyhow::Result<Begin> {
        let (client, key, fingerprint) =
            (client.to_string(), key.to_string(), fingerprint.to_string());
        let lease = self.in_flight_lease.as_secs() as i64;
        let now = now_secs();
        let sweep = self.sweep_due(now);
        self.with_client(move |conn| {
            if sweep {
                sweep_expired(conn, now)?;
            }
            begin_in(conn, &client, &key, &fingerprint, now, lease)
        })
        .await
    }

    async fn complete(
        &self,
        client: &str,
        key: &str,
        answer: StoredAnswer,
        keep_for: Duration,
    ) -> anyhow::Result<()> {
        let (client, key) = (client.to_string(), key.to_string());
        let expires_at = now_secs() + keep_for.as_secs() as i64;
        self.with_client(move |conn| complete_in(conn, &client, &key, &answer, expires_at))
            .await
    }

    async fn abandon(&self, client: &str, key: &str) -> anyhow::Result<()> {
        let (client, key) = (client.to_string(), key.to_string());
        self.with_client(move |conn| abandon_in(conn, &client, &key))
            .await
    }
}

/// Marks the key in flight unless a live record holds it; reports which.
fn begin_in(
    conn: &mut Client,
    client: &str,
    key: &str,
    fingerprint: &str,
    now: i64,
    lease_secs: i64,
) -> anyhow::Result<Begin> {
    let mut tx = conn.transaction()?;

    // A live record is left as it is (but locked until this transaction
    // ends, so it cannot change between this statement and the next).
    let marked = tx.query_opt(
        "INSERT INTO idempotency_keys AS k
             (client, key, fingerprint, in_flight, created_at, expires_at)
         VALUES ($1, $2, $3, TRUE, $4, $5)
         ON CONFLICT (client, key) DO UPDATE
         SET fingerprint = EXCLUDED.fingerprint, in_flight = TRUE, status = NULL,
             content_type = NULL, body = NULL, created_at = EXCLUDED.created_at,
             expires_at = EXCLUDED.expires_at
         WHERE k.expires_at < $4 OR (k.in_flight AND k.created_at < $4 - $6)
         RETURNING 1",
        &[
            &client,
            &key,
            &fingerprint,
            &now,
            &(now + KEY_LIFETIME.as_secs() as i64),
            &lease_secs,
        ],
    )?;
    if marked.is_some() {
        tx.commit()?;
        return Ok(Begin::Fresh);
    }

    let live = tx
        .query_one(
            "SELECT fingerprint, in_flight, status, content_type, body
             FROM idempotency_keys WHERE client = $1 AND key = $2",
            &[&client, &key],
        )
        .context("reading the idempotency record that holds the key")?;
    tx.commit()?;

    let stored: String = live.try_get(0)?;
    if stored != fingerprint {
        return Ok(Begin::Mismatch);
    }
    if live.try_get::<_, bool>(1)? {
        return Ok(Begin::InProgress);
    }
    let status: Option<i32> = live.try_get(2)?;
    Ok(Begin::Replay(StoredAnswer {
        status: status.and_then(|s| u16::try_from(s).ok()).unwrap_or(500),
        content_type: live.try_get(3)?,
        body: live.try_get::<_, Option<Vec<u8>>>(4)?.unwrap_or_default(),
    }))
}

fn complete_in(
    conn: &mut Client,
    client: &str,
    key: &str,
    answer: &StoredAnswer,
    expires_at: i64,
) -> anyhow::Result<()> {
    conn.execute(
        "UPDATE idempotency_keys
         SET in_flight = FALSE, status = $3, content_type = $4, body = $5, expires_at = $6
         WHERE client = $1 AND key = $2 AND in_flight",
        &[
            &client,
            &key,
            &i32::from(answer.status),
            &answer.content_type,
            &answer.body,
            &expires_at,
        ],
    )?;
    Ok(())
}

fn abandon_in(conn: &mut Client, client: &str, key: &str) -> anyhow::Result<()> {
    conn.execute(
        "DELETE FROM idempotency_keys WHERE client = $1 AND key = $2 AND in_flight",
        &[&client, &key],
    )?;
    Ok(())
}

/// Deletes expired records (answers that may hold secrets among them).
/// Rows another instance is sweeping or marking right now are skipped
/// rather than waited for.
fn sweep_expired(conn: &mut Client, now: i64) -> anyhow::Result<u64> {
    let deleted = conn.execute(
        "DELETE FROM idempotency_keys WHERE (client, key) IN (
             SELECT client, key FROM idempotency_keys WHERE expires_at < $1
             LIMIT $2 FOR UPDATE SKIP LOCKED)",
        &[&now, &SWEEP_BATCH],
    )?;
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::SECRET_ANSWER_LIFETIME;
    use crate::store::pg::testing::TempDatabase;
    use crate::store::pg::{PgOptions, PgStore};

    const LEASE: i64 = 60;

    /// Expiry of an answer completed at t = 1000.
    const DAY_AFTER: i64 = 1000 + KEY_LIFETIME.as_secs() as i64;

    fn database() -> (TempDatabase, Pool) {
        let db = TempDatabase::create().expect("test database");
        let store = PgStore::open(&PgOptions::new(db.url())).expect("migrates");
        (db, store.pool())
    }

    /// What the store's `begin` does when a sweep is due.
    fn begin(conn: &mut Client, key: &str, fp: &str, now: i64) -> Begin {
        sweep_expired(conn, now).unwrap();
        begin_in(conn, "c", key, fp, now, LEASE).unwrap()
    }

    fn answer() -> StoredAnswer {
        StoredAnswer {
            status: 201,
            content_type: Some("application/json".to_string()),
            body: b"{}".to_vec(),
        }
    }

    #[test]
    fn a_key_goes_from_in_flight_to_replayed() {
        let (_db, pool) = database();
        let mut conn = pool.get().unwrap();

        assert_eq!(begin(&mut conn, "k", "fp", 1000), Begin::Fresh);
        assert_eq!(begin(&mut conn, "k", "fp", 1000), Begin::InProgress);
        assert_eq!(begin(&mut conn, "k", "other", 1000), Begin::Mismatch);

        complete_in(&mut conn, "c", "k", &answer(), DAY_AFTER).unwrap();
        assert_eq!(begin(&mut conn, "k", "fp", 1000), Begin::Replay(answer()));
        assert_eq!(begin(&mut conn, "k", "other", 1000), Begin::Mismatch);

        // A stored answer is never abandoned.
        abandon_in(&mut conn, "c", "k").unwrap();
        assert_eq!(begin(&mut conn, "k", "fp", 1000), Begin::Replay(answer()));

        // Another caller's key of the same name is its own.
        let other = begin_in(&mut conn, "d", "k", "fp", 1000, LEASE).unwrap();
        assert_eq!(other, Begin::Fresh);
    }

    /// Through the trait, as the layer calls it. The blocking client may not
    /// be connected or dropped on a runtime thread, so the database is set up
    /// outside the runtime.
    #[test]
    fn a_new_instance_leaves_the_marks_of_running_ones_alone() {
        let (_db, pool) = database();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(two_instances_share_keys(pool));
    }

    async fn two_instances_share_keys(pool: Pool) {
        let lease = Duration::from_secs(LEASE as u64);
        let first = PgIdempotencyStore::new(pool.clone(), lease);
        assert_eq!(
            first.begin("c", "running", "fp").await.unwrap(),
            Begin::Fresh
        );
        assert_eq!(first.begin("c", "done", "fp").await.unwrap(), Begin::Fresh);
        first
            .complete("c", "done", answer(), KEY_LIFETIME)
            .await
            .unwrap();

        let second = PgIdempotencyStore::new(pool, lease);
        let running = second.begin("c", "running", "fp").await.unwrap();
        assert_eq!(running, Begin::InProgress);
        let done = second.begin("c", "done", "fp").await.unwrap();
        assert_eq!(done, Begin::Replay(answer()));

        second.abandon("c", "running").await.unwrap();
        let retried = first.begin("c", "running", "fp").await.unwrap();
        assert_eq!(retried, Begin::Fresh);
    }

    #[test]
    fn secret_bearing_answers_are_forgotten_sooner() {
        let (_db, pool) = database();
        let mut conn = pool.get().unwrap();
        let ten_minutes = SECRET_ANSWER_LIFETIME.as_secs() as i64;

        begin(&mut conn, "login", "fp", 1000);
        complete_in(&mut conn, "c", "login", &answer(), 1000 + ten_minutes).unwrap();

        let within = begin(&mut conn, "login", "fp", 1000 + ten_minutes);
        assert_eq!(within, Begin::Replay(answer()));
        // Any later request sweeps it, whatever its key.
        begin(&mut conn, "other", "fp", 1001 + ten_minutes);
        let rows: i64 = conn
            .query_one(
                "SELECT count(*) FROM idempotency_keys WHERE key = 'login'",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(rows, 0);
    }

    #[test]
    fn an_abandoned_key_runs_again() {
        let (_db, pool) = database();
        let mut conn = pool.get().unwrap();
        assert_eq!(begin(&mut conn, "k", "fp", 1000), Begin::Fresh);
        abandon_in(&mut conn, "c", "k").unwrap();
        assert_eq!(begin(&mut conn, "k", "fp", 1001), Begin::Fresh);
    }

    #[test]
    fn keys_expire_after_a_day_and_stale_marks_after_the_lease() {
        let (_db, pool) = database();
        let mut conn = pool.get().unwrap();
        let day = KEY_LIFETIME.as_secs() as i64;

        begin(&mut conn, "done", "fp", 1000);
        complete_in(&mut conn, "c", "done", &answer(), DAY_AFTER).unwrap();
        let just_before = begin(&mut conn, "done", "fp2", 1000 + day);
        assert_eq!(just_before, Begin::Mismatch);
        // Taken over even when no sweep ran.
        let after = begin_in(&mut conn, "c", "done", "fp2", 1001 + day, LEASE).unwrap();
        assert_eq!(after, Begin::Fresh);

        begin(&mut conn, "stuck", "fp", 1000);
        let within = begin(&mut conn, "stuck", "fp", 1000 + LEASE);
        assert_eq!(within, Begin::InProgress);
        let past = begin(&mut conn, "stuck", "other", 1001 + LEASE);
        assert_eq!(past, Begin::Fresh);
    }

    #[test]
    fn of_many_instances_marking_one_key_at_once_exactly_one_runs_it() {
        const RACERS: usize = 12;
        let db = TempDatabase::create().unwrap();
        PgStore::apply_migrations(db.url()).unwrap();
        let start = std::sync::Arc::new(std::sync::Barrier::new(RACERS));

        let racers: Vec<_> = (0..RACERS)
            .map(|_| {
                // A connection each, like separate instances.
                let mut conn = Client::connect(db.url(), postgres::NoTls).unwrap();
                let start = start.clone();
                std::thread::spawn(move || {
                    start.wait();
                    begin_in(&mut conn, "c", "k", "fp", 1000, LEASE).unwrap()
                })
            })
            .collect();
        let outcomes: Vec<Begin> = racers.into_iter().map(|r| r.join().unwrap()).collect();

        let fresh = outcomes.iter().filter(|b| **b == Begin::Fresh).count();
        assert_eq!(fresh, 1, "{outcomes:?}");
        assert!(outcomes
            .iter()
            .all(|b| matches!(b, Begin::Fresh | Begin::InProgress)));
    }

    #[test]
    fn an_instance_sweeps_at_most_once_a_second() {
        let (_db, pool) = database();
        let store = PgIdempotencyStore::new(pool, Duration::from_secs(1));
        assert!(store.sweep_due(1000));
        assert!(!store.sweep_due(1000));
        assert!(store.sweep_due(1001));
        assert!(!store.sweep_due(999));
    }
}
