//! Shared test support: a real server on 127.0.0.1 port 0 with a temporary
//! SQLite file and a manual clock, and a small JSON client for it.
#![allow(dead_code)]

use apptctl_api::RecordId;
use apptctl_server::dev::{spawn, DevOptions, RunningServer};
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
        let mut opts = options(dir.path().join("test.db"));
        adjust(&mut opts);
        let server = spawn(opts).await.unwrap();
        TestServer {
            server,
            client: reqwest::Client::new(),
            dir,
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
