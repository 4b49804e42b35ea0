//! Shared test support: a real server on 127.0.0.1 port 0 with a temporary
//! database and a manual clock, and a small JSON client for it.
//!
//! The suite is parameterised by backend: with `APPTCTL_TEST_BACKEND=postgres`
//! every server gets a fresh PostgreSQL database of its own on the server
//! `APPTCTL_TEST_POSTGRES_URL` names (`scripts/test.sh` runs the suite both
//! ways); otherwise a temporary SQLite file.
#![allow(dead_code)]

use apptctl_api::RecordId;
use apptctl_server::dev::{spawn, DevOptions, RunningServer};
use apptctl_server::store::pg::testing::TempDatabase;
use apptctl_server::store::pg::PgOptions;
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Every one-time code in tests.
pub const CODE: &str = "424242";

/// The manual clock's start: a fixed moment, so tests are reproducible.
pub fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T09:15:00Z")
        .unwrap()
        .to_utc()
}

pub struct TestServer {
    pub server: RunningServer,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
    /// The PostgreSQL database, dropped after the server (field order).
    pub database: Option<TempDatabase>,
}

/// Whether this run of the suite is on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("APPTCTL_TEST_BACKEND").is_ok_and(|v| v == "postgres")
}

/// For the few tests that read or damage the SQLite files themselves: says
/// so and returns true on a PostgreSQL run, where they do not apply (they
/// ran on the SQLite run of the same suite).
pub fn skip_on_postgres(why: &str) -> bool {
    if on_postgres() {
        eprintln!("not applicable on PostgreSQL: {why}");
    }
    on_postgres()
}

/// Options for a server on this run's backend, with the PostgreSQL
/// database that must outlive it.
pub fn backend_options(db: std::path::PathBuf) -> (DevOptions, Option<TempDatabase>) {
    let mut opts = options(db);
    if !on_postgres() {
        return (opts, None);
    }
    let database = TempDatabase::create().unwrap();
    opts.postgres = Some(PgOptions::new(database.url()));
    (opts, Some(database))
}

/// The answer to a request: status and JSON body (`Null` when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub content_type: String,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    /// Asserts a problem+json answer with the given status and code, a hint
    /// and a request id.
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{:#}", self.body);
        assert_eq!(self.code(), code, "{:#}", self.body);
        assert_eq!(self.content_type, "application/problem+json");
        assert!(
            !self.body["hint"].as_str().unwrap_or("").is_empty(),
            "no hint: {}",
            self.body
        );
        assert!(
            !self.body["request_id"].as_str().unwrap_or("").is_empty(),
            "no request id"
        );
    }
}

pub fn options(db: std::path::PathBuf) -> DevOptions {
    DevOptions {
        addr: "127.0.0.1:0".parse().unwrap(),
        db: Some(db),
        seed_demo: true,
        otp_fixed: Some(CODE.to_string()),
        clock: Some(start_time()),
        ..DevOptions::default()
    }
}

impl TestServer {
    pub async fn start() -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        TestServer::start_with(dir, |_| {}).await
    }

    pub async fn start_with(
        dir: tempfile::TempDir,
        adjust: impl FnOnce(&mut DevOptions),
    ) -> TestServer {
        let (mut opts, database) = backend_options(dir.path().join("test.db"));
        adjust(&mut opts);
        let server = spawn(opts).await.unwrap();
        TestServer {
            server,
            client: reqwest::Client::new(),
            dir,
            database,
        }
    }

    /// Runs statements on the server's database from outside the service,
    /// as another process would.
    pub async fn execute_sql(&self, sql: &str) {
        let target = self.sql_target();
        let sql = sql.to_string();
        tokio::task::spawn_blocking(move || match target {
            SqlTarget::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.busy_timeout(std::time::Duration::from_secs(10))
                    .unwrap();
                conn.execute_batch(&sql).unwrap();
            }
            SqlTarget::Postgres(url) => {
                let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                client.batch_execute(&sql).unwrap();
            }
        })
        .await
        .unwrap();
    }

    /// The rows a query returns, every column as text (NULL as "").
    pub async fn query_sql(&self, sql: &str) -> Vec<Vec<String>> {
        let target = self.sql_target();
        let sql = sql.to_string();
        tokio::task::spawn_blocking(move || match target {
            SqlTarget::Sqlite(path) => sqlite_rows(&path, &sql),
            SqlTarget::Postgres(url) => postgres_rows(&url, &sql),
        })
        .await
        .unwrap()
    }

    fn sql_target(&self) -> SqlTarget {
        match (&self.database, self.server.db_path()) {
            (Some(database), _) => SqlTarget::Postgres(database.url().to_string()),
            (None, Some(path)) => SqlTarget::Sqlite(path.to_path_buf()),
            (None, None) => panic!("a PostgreSQL server without its test database"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.unwrap()).await
    }

    pub async fn get(&self, token: &str, path: &str) -> Answer {
        self.send(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(token), Some(body)).await
    }

    /// Sends all `requests` at once, each from its own task, and waits for
    /// every answer.
    pub async fn post_concurrently(
        &self,
        token: &str,
        requests: Vec<(String, Value)>,
    ) -> Vec<Answer> {
        let tasks: Vec<_> = requests
            .into_iter()
            .map(|(path, body)| {
                let request = self
                    .client
                    .post(self.url(&path))
                    .bearer_auth(token)
                    .json(&body);
                tokio::spawn(async move { answer(request.send().await.unwrap()).await })
            })
            .collect();
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.unwrap());
        }
        answers
    }

    /// Logs in through the two-factor step; returns the session secret.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let first = self
            .send(
                Method::POST,
                "/v1/sessions",
                None,
                Some(json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(first.status, StatusCode::ACCEPTED, "{:#}", first.body);
        let challenge = first.body["challenge"]["id"].as_str().unwrap().to_string();

        let confirm = format!("/v1/challenges/{challenge}/confirm");
        let confirmed = self
            .send(Method::POST, &confirm, None, Some(json!({"code": CODE})))
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{:#}", confirmed.body);

        let done = self
            .send(
                Method::POST,
                "/v1/sessions",
                None,
                Some(json!({"challenge_id": challenge})),
            )
            .await;
        assert_eq!(done.status, StatusCode::CREATED, "{:#}", done.body);
        done.body["session"]["token"].as_str().unwrap().to_string()
    }

    /// A token of `session`'s user with `scopes`.
    pub async fn token(&self, session: &str, scopes: &[&str]) -> String {
        let body = json!({"name": "test", "scopes": scopes});
        let asked = self.post(session, "/v1/tokens", body.clone()).await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{:#}", asked.body);
        let challenge = asked.body["challenge"]["id"].as_str().unwrap().to_string();
        self.confirm(session, &challenge).await;

        let mut with_challenge = body;
        with_challenge["challenge_id"] = json!(challenge);
        let created = self.post(session, "/v1/tokens", with_challenge).await;
        assert_eq!(created.status, StatusCode::CREATED, "{:#}", created.body);
        created.body["secret"].as_str().unwrap().to_string()
    }

    pub async fn confirm(&self, session: &str, challenge: &str) -> Answer {
        let answer = self
            .post(
                session,
                &format!("/v1/challenges/{challenge}/confirm"),
                json!({"code": CODE}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{:#}", answer.body);
        answer
    }

    /// Cancels through the code step with a person's session.
    pub async fn cancel_confirmed(&self, session: &str, id: RecordId, reason: &str) -> Answer {
        let path = format!("/v1/records/{id}/cancellation");
        let asked = self.post(session, &path, json!({"reason": reason})).await;
        if asked.status != StatusCode::ACCEPTED {
            return asked;
        }
        let challenge = asked.body["challenge"]["id"].as_str().unwrap().to_string();
        self.confirm(session, &challenge).await;
        self.post(
            session,
            &path,
            json!({"reason": reason, "challenge_id": challenge}),
        )
        .await
    }

    pub async fn set_clock(&self, at: DateTime<Utc>) {
        let answer = self
            .send(
                Method::POST,
                "/v1/dev/clock",
                None,
                Some(json!({"now": at})),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{:#}", answer.body);
    }

    pub async fn advance(&self, seconds: i64) {
        let answer = self
            .send(
                Method::POST,
                "/v1/dev/clock",
                None,
                Some(json!({"advance_seconds": seconds})),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{:#}", answer.body);
    }
}

pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = response.bytes().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    Answer {
        status,
        body,
        content_type,
    }
}

/// The id of demo record number `n` (see the seed: 1..=12 are demo's,
/// 13..=17 other's).
pub fn record(n: u64) -> RecordId {
    RecordId::from_number(n).unwrap()
}

enum SqlTarget {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

fn sqlite_rows(path: &std::path::Path, sql: &str) -> Vec<Vec<String>> {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    let mut statement = conn.prepare(sql).unwrap();
    let columns = statement.column_count();
    let rows = statement
        .query_map([], |row| {
            (0..columns)
                .map(|i| {
                    Ok(match row.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => String::new(),
                        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                        rusqlite::types::ValueRef::Real(x) => x.to_string(),
                        rusqlite::types::ValueRef::Text(t) => {
                            String::from_utf8_lossy(t).into_owned()
                        }
                        rusqlite::types::ValueRef::Blob(b) => hex_of(b),
                    })
                })
                .collect::<rusqlite::Result<Vec<String>>>()
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn postgres_rows(url: &str, sql: &str) -> Vec<Vec<String>> {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    client
        .simple_query(sql)
        .unwrap()
        .into_iter()
        .filter_map(|message| match message {
            postgres::SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|i| row.get(i).unwrap_or("").to_string())
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}
