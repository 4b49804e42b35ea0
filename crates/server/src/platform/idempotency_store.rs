//! Where idempotency records live. A small trait, so a PostgreSQL store can
//! follow the SQLite one without touching the layer that uses it.
//!
//! A record is keyed by (client identity, Idempotency-Key). It is first an
//! in-flight mark holding the request's fingerprint, then the stored answer.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// How long a key and its answer are remembered.
pub const KEY_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// How long an answer carrying a secret (a new session's or token's bearer
/// secret) is remembered: long enough for a client's retries, short enough
/// that secrets do not sit in the database in clear text for a day.
pub const SECRET_ANSWER_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// An answer kept for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// What [`IdempotencyStore::begin`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// No live record: one is now marked in flight; run the request.
    Fresh,
    /// The same request finished before: replay its answer.
    Replay(StoredAnswer),
    /// The same key is being handled right now.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

#[async_trait::async_trait]
pub trait IdempotencyStore: Send + Sync + 'static {
    /// Looks the key up and, when it is new, marks it in flight.
    async fn begin(&self, client: &str, key: &str, fingerprint: &str) -> anyhow::Result<Begin>;

    /// Stores the answer of a request that [`begin`](Self::begin) marked,
    /// to be replayed for `keep_for`.
    async fn complete(
        &self,
        client: &str,
        key: &str,
        answer: StoredAnswer,
        keep_for: Duration,
    ) -> anyhow::Result<()>;

    /// Forgets an in-flight mark, so a retry runs the request again.
    async fn abandon(&self, client: &str, key: &str) -> anyhow::Result<()>;
}

/// The SQLite store: its own connection to the service's WAL database file.
pub struct SqliteIdempotencyStore {
    conn: Arc<Mutex<Connection>>,
    in_flight_lease: Duration,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS idempotency_keys (
    client       TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    in_flight    INTEGER NOT NULL,
    status       INTEGER,
    content_type TEXT,
    body         BLOB,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (client, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_expiry ON idempotency_keys (expires_at);
";

impl SqliteIdempotencyStore {
    /// Opens (or creates) the database at `path` and the table in it.
    /// In-flight marks older than `in_flight_lease` are taken over.
    pub fn open(path: &Path, in_flight_lease: Duration) -> anyhow::Result<SqliteIdempotencyStore> {
        let conn = Connection::open(path)
            .with_context(|| format!("opening the idempotency store at {}", path.display()))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // WAL with NORMAL sync loses at most the last commits on power loss,
        // never consistency; a per-POST fsync would throttle batches.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Deleted answers may have held bearer secrets: overwrite them on disk.
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.execute_batch(SCHEMA)
            .context("creating the idempotency table")?;

        // Marks left by a previous process belong to requests that died with
        // it; without this, their retries would wait out the lease. (One
        // process per SQLite file; a shared PostgreSQL store must not do this.)
        conn.execute("DELETE FROM idempotency_keys WHERE in_flight = 1", [])
            .context("clearing stale in-flight idempotency marks")?;

        Ok(SqliteIdempotencyStore {
            conn: Arc::new(Mutex::new(conn)),
            in_flight_lease,
        })
    }

    /// Runs `work` with the connection on the blocking pool.
    async fn with_conn<T, F>(&self, work: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> anyhow::Result<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().unwrap_or_else(|e| e.into_inner());
            work(&mut conn)
        })
        .await
        .context("idempotency store task failed")?
    }
}

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

#[async_trait::async_trait]
impl IdempotencyStore for SqliteIdempotencyStore {
    async fn begin(&self, client: &str, key: &str, fingerprint: &str) -> anyhow::Result<Begin> {
        let (client, key, fingerprint) =
            (client.to_string(), key.to_string(), fingerprint.to_string());
        let lease = self.in_flight_lease.as_secs() as i64;
        self.with_conn(move |conn| begin_in(conn, &client, &key, &fingerprint, now_secs(), lease))
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
        self.with_conn(move |conn| complete_in(conn, &client, &key, &answer, expires_at))
            .await
    }

    async fn abandon(&self, client: &str, key: &str) -> anyhow::Result<()> {
        let (client, key) = (client.to_string(), key.to_string());
        self.with_conn(move |conn| abandon_in(conn, &client, &key))
            .await
    }
}

fn complete_in(
    conn: &mut Connection,
    client: &str,
    key: &str,
    answer: &StoredAnswer,
    expires_at: i64,
) -> anyhow::Result<()> {
    conn.execute(
        "UPDATE idempotency_keys
         SET in_flight = 0, status = ?3, content_type = ?4, body = ?5, expires_at = ?6
         WHERE client = ?1 AND key = ?2 AND in_flight = 1",
        params![
            client,
            key,
            answer.status,
            answer.content_type,
            answer.body,
            expires_at
        ],
    )?;
    Ok(())
}

fn abandon_in(conn: &mut Connection, client: &str, key: &str) -> anyhow::Result<()> {
    conn.execute(
        "DELETE FROM idempotency_keys WHERE client = ?1 AND key = ?2 AND in_flight = 1",
        params![client, key],
    )?;
    Ok(())
}

/// One transaction: drop what expired, look the key up, mark it if new.
fn begin_in(
    conn: &mut Connection,
    client: &str,
    key: &str,
    fingerprint: &str,
    now: i64,
    lease_secs: i64,
) -> anyhow::Result<Begin> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;

    forget_expired(&tx, client, key, now, lease_secs)?;
    let found = tx
        .query_row(
            "SELECT fingerprint, in_flight, status, content_type, body
             FROM idempotency_keys WHERE client = ?1 AND key = ?2",
            params![client, key],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, bool>(1)?,
                    row.get::<_, Option<u16>>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, Option<Vec<u8>>>(4)?,
                ))
            },
        )
        .optional()?;

    let outcome = match found {
        None => {
            tx.execute(
                "INSERT INTO idempotency_keys
                     (client, key, fingerprint, in_flight, created_at, expires_at)
                 VALUES (?1, ?2, ?3, 1, ?4, ?5)",
                params![
                    client,
                    key,
                    fingerprint,
                    now,
                    now + KEY_LIFETIME.as_secs() as i64
                ],
            )?;
            Begin::Fresh
        }
        Some((stored, _, _, _, _)) if stored != fingerprint => Begin::Mismatch,
        Some((_, true, _, _, _)) => Begin::InProgress,
        Some((_, false, status, content_type, body)) => Begin::Replay(StoredAnswer {
            status: status.unwrap_or(500),
            content_type,
            body: body.unwrap_or_default(),
        }),
    };
    tx.commit()?;
    Ok(outcome)
}

/// Removes every expired record, and this key's in-flight mark when it is
/// past its lease. The expiry index makes the sweep cheap, and sweeping on
/// every new request keeps secret-bearing answers from outliving their short
/// lifetime while the service is in use.
fn forget_expired(
    tx: &rusqlite::Transaction<'_>,
    client: &str,
    key: &str,
    now: i64,
    lease_secs: i64,
) -> anyhow::Result<()> {
    tx.execute(
        "DELETE FROM idempotency_keys WHERE expires_at < ?1",
        params![now],
    )?;
    tx.execute(
        "DELETE FROM idempotency_keys WHERE client = ?1 AND key = ?2
         AND in_flight = 1 AND created_at < ?3",
        params![client, key, now - lease_secs],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEASE: i64 = 60;

    /// Expiry of an answer completed at t = 1000.
    const DAY_AFTER: i64 = 1000 + KEY_LIFETIME.as_secs() as i64;

    fn store() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("service.db");
        SqliteIdempotencyStore::open(&path, Duration::from_secs(LEASE as u64)).expect("opens");
        let conn = Connection::open(&path).expect("reopens");
        (dir, conn)
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
        let (_dir, mut conn) = store();
        let begin = |conn: &mut Connection, fp: &str| begin_in(conn, "c", "k", fp, 1000, LEASE);

        assert_eq!(begin(&mut conn, "fp").unwrap(), Begin::Fresh);
        assert_eq!(begin(&mut conn, "fp").unwrap(), Begin::InProgress);
        assert_eq!(begin(&mut conn, "other").unwrap(), Begin::Mismatch);

        complete_in(&mut conn, "c", "k", &answer(), DAY_AFTER).unwrap();
        assert_eq!(begin(&mut conn, "fp").unwrap(), Begin::Replay(answer()));
        assert_eq!(begin(&mut conn, "other").unwrap(), Begin::Mismatch);

        // A stored answer is never abandoned.
        abandon_in(&mut conn, "c", "k").unwrap();
        assert_eq!(begin(&mut conn, "fp").unwrap(), Begin::Replay(answer()));

        // Another caller's key of the same name is its own.
        assert_eq!(
            begin_in(&mut conn, "d", "k", "fp", 1000, LEASE).unwrap(),
            Begin::Fresh
        );
    }

    #[test]
    fn reopening_forgets_in_flight_marks_but_keeps_answers() {
        let (dir, mut conn) = store();
        begin_in(&mut conn, "c", "stuck", "fp", 1000, LEASE).unwrap();
        begin_in(&mut conn, "c", "done", "fp", 1000, LEASE).unwrap();
        complete_in(&mut conn, "c", "done", &answer(), DAY_AFTER).unwrap();

        let path = dir.path().join("service.db");
        SqliteIdempotencyStore::open(&path, Duration::from_secs(LEASE as u64)).unwrap();
        let stuck = begin_in(&mut conn, "c", "stuck", "fp", 1000, LEASE).unwrap();
        assert_eq!(stuck, Begin::Fresh);
        let done = begin_in(&mut conn, "c", "done", "fp", 1000, LEASE).unwrap();
        assert_eq!(done, Begin::Replay(answer()));
    }

    #[test]
    fn secret_bearing_answers_are_forgotten_sooner() {
        let (_dir, mut conn) = store();
        let ten_minutes = SECRET_ANSWER_LIFETIME.as_secs() as i64;

        begin_in(&mut conn, "c", "login", "fp", 1000, LEASE).unwrap();
        complete_in(&mut conn, "c", "login", &answer(), 1000 + ten_minutes).unwrap();

        let within = begin_in(&mut conn, "c", "login", "fp", 1000 + ten_minutes, LEASE).unwrap();
        assert_eq!(within, Begin::Replay(answer()));
        // Any later request sweeps it, whatever its key.
        begin_in(&mut conn, "c", "other", "fp", 1001 + ten_minutes, LEASE).unwrap();
        let rows: i64 = conn
            .query_row(
                "SELECT count(*) FROM idempotency_keys WHERE key = 'login'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(rows, 0);
    }

    #[test]
    fn an_abandoned_key_runs_again() {
        let (_dir, mut conn) = store();
        assert_eq!(
            begin_in(&mut conn, "c", "k", "fp", 1000, LEASE).unwrap(),
            Begin::Fresh
        );
        abandon_in(&mut conn, "c", "k").unwrap();
        assert_eq!(
            begin_in(&mut conn, "c", "k", "fp", 1001, LEASE).unwrap(),
            Begin::Fresh
        );
    }

    #[test]
    fn keys_expire_after_a_day_and_stale_marks_after_the_lease() {
        let (_dir, mut conn) = store();
        let day = KEY_LIFETIME.as_secs() as i64;

        begin_in(&mut conn, "c", "done", "fp", 1000, LEASE).unwrap();
        complete_in(&mut conn, "c", "done", &answer(), DAY_AFTER).unwrap();
        let just_before = begin_in(&mut conn, "c", "done", "fp2", 1000 + day, LEASE).unwrap();
        assert_eq!(just_before, Begin::Mismatch);
        let after = begin_in(&mut conn, "c", "done", "fp2", 1001 + day, LEASE).unwrap();
        assert_eq!(after, Begin::Fresh);

        begin_in(&mut conn, "c", "stuck", "fp", 1000, LEASE).unwrap();
        let within = begin_in(&mut conn, "c", "stuck", "fp", 1000 + LEASE, LEASE).unwrap();
        assert_eq!(within, Begin::InProgress);
        let past = begin_in(&mut conn, "c", "stuck", "fp", 1001 + LEASE, LEASE).unwrap();
        assert_eq!(past, Begin::Fresh);
    }
}
