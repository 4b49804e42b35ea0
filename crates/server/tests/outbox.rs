//! The notifications outbox as a delivery worker sees it: the claim and
//! mark statements documented in ARCHITECTURE.md (storage) run against a
//! live service's database and hand out each message once.

mod support;

use support::*;

/// Claims up to 50 unsent rows whose claim (if any) ran out; ?1 worker,
/// ?2 now, ?3 claim end (Unix seconds).
const CLAIM: &str = "UPDATE notifications \
     SET claimed_by = ?1, claimed_until = ?3, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM notifications \
                  WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?2) \
                  ORDER BY id LIMIT 50) \
     RETURNING id, channel, recipient, body";

/// Marks one claimed row sent; ?1 id, ?2 worker, ?3 now.
const MARK_SENT: &str = "UPDATE notifications SET sent_at = ?3, claimed_until = NULL \
     WHERE id = ?1 AND claimed_by = ?2 AND sent_at IS NULL";

/// The PostgreSQL form of [`CLAIM`]: `SKIP LOCKED` lets several workers
/// claim at once without waiting on each other's rows.
const PG_CLAIM: &str = "UPDATE notifications \
     SET claimed_by = $1, claimed_until = $3, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM notifications \
                  WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < $2) \
                  ORDER BY id LIMIT 50 FOR UPDATE SKIP LOCKED) \
     RETURNING id, channel, recipient, body";

const PG_MARK_SENT: &str = "UPDATE notifications SET sent_at = $3, claimed_until = NULL \
     WHERE id = $1 AND claimed_by = $2 AND sent_at IS NULL";

/// What one run of two workers saw: the first's claims, the second's, and
/// the unsent rows left once the first marked its claims sent.
type Claims = (Vec<(i64, String)>, Vec<(i64, String)>, i64);

const NOW: i64 = 2_000_000_000;

#[tokio::test]
async fn a_worker_claims_each_message_once_and_marks_it_sent() {
    let t = TestServer::start().await;
    // A two-factor login writes the code to the outbox (SMS and e-mail).
    t.login("demo", "demo12345").await;

    let (first, second, left) = match (&t.database, t.server.db_path()) {
        (Some(database), _) => {
            let url = database.url().to_string();
            tokio::task::spawn_blocking(move || claim_on_postgres(&url))
                .await
                .unwrap()
        }
        (None, Some(path)) => {
            let path = path.to_path_buf();
            tokio::task::spawn_blocking(move || claim_on_sqlite(&path))
                .await
                .unwrap()
        }
        (None, None) => unreachable!("a server has a database"),
    };

    assert!(
        first.iter().any(|(_, channel)| channel == "sms"),
        "{first:?}"
    );
    assert!(
        first.iter().any(|(_, channel)| channel == "email"),
        "{first:?}"
    );
    assert!(second.is_empty(), "claimed twice: {second:?}");
    if first.len() < 50 {
        assert_eq!(left, 0, "every claimed row marked sent, none left over");
    }
}

fn claim_on_sqlite(path: &std::path::Path) -> Claims {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    let claim = |worker: &str| -> Vec<(i64, String)> {
        let mut statement = conn.prepare(CLAIM).unwrap();
        let rows = statement
            .query_map(rusqlite::params![worker, NOW, NOW + 60], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        rows.map(Result::unwrap).collect()
    };
    let first = claim("worker-a");
    let second = claim("worker-b");
    for (id, _) in &first {
        let marked = conn
            .execute(MARK_SENT, rusqlite::params![id, "worker-a", NOW])
            .unwrap();
        assert_eq!(marked, 1);
    }
    let left: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM notifications WHERE sent_at IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    (first, second, left)
}

fn claim_on_postgres(url: &str) -> Claims {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let mut claim = |worker: &str| -> Vec<(i64, String)> {
        client
            .query(PG_CLAIM, &[&worker, &NOW, &(NOW + 60)])
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect()
    };
    let first = claim("worker-a");
    let second = claim("worker-b");
    for (id, _) in &first {
        let marked = client
            .execute(PG_MARK_SENT, &[id, &"worker-a", &NOW])
            .unwrap();
        assert_eq!(marked, 1);
    }
    let left: i64 = client
        .query_one(
            "SELECT COUNT(*) FROM notifications WHERE sent_at IS NULL",
            &[],
        )
        .unwrap()
        .get(0);
    (first, second, left)
}
