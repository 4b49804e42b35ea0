//! The access matrix: every endpoint against every kind of caller — the
//! owner, another applicant, the owner's manager, a manager of another
//! department, a token of each scope, a revoked token, an expired session
//! and token, and no credentials at all. A refusal must be the documented
//! one (another person's record is "not found", a missing scope is
//! "forbidden"), and a refused change must leave the record as it was.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{record, Answer, TestServer};

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Owner,
    OtherApplicant,
    Manager,
    OtherManager,
    ReadToken,
    CancelToken,
    RebookToken,
    RevokedToken,
    Nobody,
}

/// The callers that may change demo's records come last, so the refused
/// ones are checked against records nobody has touched yet.
const CALLERS: [Caller; 9] = [
    Caller::OtherApplicant,
    Caller::OtherManager,
    Caller::ReadToken,
    Caller::RevokedToken,
    Caller::Nobody,
    Caller::Owner,
    Caller::Manager,
    Caller::RebookToken,
    Caller::CancelToken,
];

/// What a call must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Served: a 2xx, or a 409 when an earlier allowed caller already
    /// changed the record.
    Served,
    Refused(u16, &'static str),
}

use Expect::{Refused, Served};

/// The secrets of every caller.
struct Callers {
    owner: String,
    other: String,
    manager: String,
    other_manager: String,
    read: String,
    cancel: String,
    rebook: String,
    revoked: String,
}

impl Callers {
    fn secret(&self, caller: Caller) -> Option<&str> {
        match caller {
            Caller::Owner => Some(&self.owner),
            Caller::OtherApplicant => Some(&self.other),
            Caller::Manager => Some(&self.manager),
            Caller::OtherManager => Some(&self.other_manager),
            Caller::ReadToken => Some(&self.read),
            Caller::CancelToken => Some(&self.cancel),
            Caller::RebookToken => Some(&self.rebook),
            Caller::RevokedToken => Some(&self.revoked),
            Caller::Nobody => None,
        }
    }
}

async fn callers(t: &TestServer) -> Callers {
    let owner = t.login("demo", "demo12345").await;
    let revoked = t.token(&owner, &["records:read"]).await;
    let tokens = t.get(&owner, "/v1/tokens").await;
    let id = tokens.body[0]["id"].as_str().unwrap().to_string();
    let gone = t
        .send(
            Method::DELETE,
            &format!("/v1/tokens/{id}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);

    Callers {
        read: t.token(&owner, &["records:read"]).await,
        cancel: t.token(&owner, &["records:cancel"]).await,
        rebook: t.token(&owner, &["records:rebook"]).await,
        other: t.login("other", "other12345").await,
        manager: t.login("manager", "manager12345").await,
        other_manager: t.login("manager2", "manager212345").await,
        owner,
        revoked,
    }
}

/// One endpoint of the matrix and what each caller must get there.
struct Row {
    method: Method,
    path: String,
    body: Option<Value>,
    expect: fn(Caller) -> Expect,
}

fn unauthenticated(caller: Caller) -> Option<Expect> {
    match caller {
        Caller::RevokedToken => Some(Refused(401, "invalid_token")),
        Caller::Nobody => Some(Refused(401, "unauthenticated")),
        _ => None,
    }
}

/// Anyone signed in.
fn signed_in(caller: Caller) -> Expect {
    unauthenticated(caller).unwrap_or(Served)
}

/// Readers of anyone's own data: sessions and tokens with records:read.
fn readers(caller: Caller) -> Expect {
    unauthenticated(caller).unwrap_or(match caller {
        Caller::CancelToken | Caller::RebookToken => Refused(403, "insufficient_scope"),
        _ => Served,
    })
}

/// Readers of demo's record: demo and demo's manager only.
fn record_readers(caller: Caller) -> Expect {
    unauthenticated(caller).unwrap_or(match caller {
        Caller::OtherApplicant | Caller::OtherManager => Refused(404, "record_not_found"),
        _ => readers(caller),
    })
}

/// Those who may change demo's record with `scope`'s token.
fn changers(caller: Caller, allowed_token: Caller) -> Expect {
    unauthenticated(caller).unwrap_or(match caller {
        Caller::OtherApplicant | Caller::OtherManager => Refused(404, "record_not_found"),
        Caller::ReadToken | Caller::CancelToken | Caller::RebookToken
            if caller != allowed_token =>
        {
            Refused(403, "insufficient_scope")
        }
        _ => Served,
    })
}

fn cancellers(caller: Caller) -> Expect {
    changers(caller, Caller::CancelToken)
}

fn rebookers(caller: Caller) -> Expect {
    changers(caller, Caller::RebookToken)
}

/// Sessions only: tokens never manage tokens.
fn sessions_only(caller: Caller) -> Expect {
    unauthenticated(caller).unwrap_or(match caller {
        Caller::ReadToken | Caller::CancelToken | Caller::RebookToken => Refused(403, "forbidden"),
        _ => Served,
    })
}

fn row(method: Method, path: String, body: Option<Value>, expect: fn(Caller) -> Expect) -> Row {
    Row {
        method,
        path,
        body,
        expect,
    }
}

/// Every endpoint but logout (which would end the caller's session) and
/// the dev clock (dev only, no credentials).
fn rows(slot_id: &str) -> Vec<Row> {
    let active = record(1);
    let cancelled = record(8);
    vec![
        row(Method::GET, "/v1/me".into(), None, signed_in),
        row(Method::GET, "/v1/services".into(), None, signed_in),
        row(Method::GET, "/v1/departments".into(), None, signed_in),
        row(Method::GET, "/v1/notifications".into(), None, signed_in),
        row(Method::GET, "/v1/records".into(), None, readers),
        row(Method::GET, "/v1/history".into(), None, readers),
        row(
            Method::GET,
            "/v1/slots?service=PASS-01".into(),
            None,
            readers,
        ),
        row(
            Method::GET,
            format!("/v1/records/{active}"),
            None,
            record_readers,
        ),
        row(
            Method::POST,
            format!("/v1/records/{cancelled}/rebook"),
            Some(json!({"first_free": true})),
            rebookers,
        ),
        row(
            Method::POST,
            format!("/v1/records/{active}/reschedule"),
            Some(json!({"slot_id": slot_id})),
            rebookers,
        ),
        row(
            Method::POST,
            format!("/v1/records/{active}/cancellation"),
            Some(json!({"reason": "duplicate"})),
            cancellers,
        ),
        row(Method::GET, "/v1/tokens".into(), None, signed_in),
        row(
            Method::POST,
            "/v1/tokens".into(),
            Some(json!({"name": "matrix", "scopes": ["records:read"]})),
            sessions_only,
        ),
    ]
}

async fn call(t: &TestServer, callers: &Callers, caller: Caller, row: &Row) -> Answer {
    t.send(
        row.method.clone(),
        &row.path,
        callers.secret(caller),
        row.body.clone(),
    )
    .await
}

fn check(answer: &Answer, expect: Expect, caller: Caller, row: &Row) {
    let what = format!("{caller:?} {} {}", row.method, row.path);
    match expect {
        Served => assert!(
            answer.status.is_success() || answer.status == StatusCode::CONFLICT,
            "{what}: {} {:#}",
            answer.status,
            answer.body
        ),
        Refused(status, code) => {
            assert_eq!(
                (answer.status.as_u16(), answer.code()),
                (status, code),
                "{what}: {:#}",
                answer.body
            );
            answer.assert_problem(status, code);
        }
    }
}

/// demo's record 1 as its owner sees it: status and slot.
async fn state_of_record_one(t: &TestServer, callers: &Callers) -> (Value, Value) {
    let shown = t
        .get(&callers.owner, &format!("/v1/records/{}", record(1)))
        .await;
    (shown.body["status"].clone(), shown.body["slot_id"].clone())
}

#[tokio::test]
async fn every_endpoint_answers_every_caller_as_the_matrix_says() {
    let t = TestServer::start().await;
    let callers = callers(&t).await;
    let slots = t
        .get(
            &callers.owner,
            "/v1/slots?service=PASS-01&department=dep-01",
        )
        .await;
    let slot_id = slots.body["items"][0]["id"].as_str().unwrap().to_string();
    let untouched = state_of_record_one(&t, &callers).await;

    let rows = rows(&slot_id);
    for caller in CALLERS {
        for row in &rows {
            let expect = (row.expect)(caller);
            let answer = call(&t, &callers, caller, row).await;
            check(&answer, expect, caller, row);
        }
        if caller == Caller::Nobody {
            // Every refused caller has had a go at record 1 by now.
            assert_eq!(state_of_record_one(&t, &callers).await, untouched);
        }
    }
}

#[tokio::test]
async fn another_persons_challenge_and_token_are_not_found() {
    let t = TestServer::start().await;
    let callers = callers(&t).await;
    let asked = t
        .post(
            &callers.owner,
            &format!("/v1/records/{}/cancellation", record(1)),
            json!({"reason": "duplicate"}),
        )
        .await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{:#}", asked.body);
    let challenge = asked.body["challenge"]["id"].as_str().unwrap().to_string();
    let path = format!("/v1/challenges/{challenge}");

    for caller in [
        Caller::OtherApplicant,
        Caller::OtherManager,
        Caller::Manager,
    ] {
        let secret = callers.secret(caller);
        let seen = t.send(Method::GET, &path, secret, None).await;
        assert_eq!(
            seen.status,
            StatusCode::NOT_FOUND,
            "{caller:?}: {:#}",
            seen.body
        );
        let confirm = t
            .send(
                Method::POST,
                &format!("{path}/confirm"),
                secret,
                Some(json!({"code": support::CODE})),
            )
            .await;
        assert_eq!(
            confirm.status,
            StatusCode::NOT_FOUND,
            "{caller:?}: {:#}",
            confirm.body
        );
    }
    let owner = t.get(&callers.owner, &path).await;
    assert_eq!(owner.body["state"], "pending", "{:#}", owner.body);
    assert_eq!(owner.body["attempts_left"], 5, "{:#}", owner.body);

    let tokens = t.get(&callers.owner, "/v1/tokens").await;
    let id = tokens.body[0]["id"].as_str().unwrap().to_string();
    let revoke = t
        .send(
            Method::DELETE,
            &format!("/v1/tokens/{id}"),
            Some(&callers.other),
            None,
        )
        .await;
    revoke.assert_problem(404, "token_not_found");
}

#[tokio::test]
async fn expired_sessions_and_tokens_are_refused_everywhere() {
    let t = TestServer::start().await;
    let callers = callers(&t).await;
    let rows = rows("S1");
    t.advance(31 * 86_400).await;

    for row in &rows {
        let session = t
            .send(
                row.method.clone(),
                &row.path,
                Some(&callers.owner),
                row.body.clone(),
            )
            .await;
        session.assert_problem(401, "session_expired");
        let token = t
            .send(
                row.method.clone(),
                &row.path,
                Some(&callers.read),
                row.body.clone(),
            )
            .await;
        token.assert_problem(401, "invalid_token");
    }
}

/// Text that would change an SQL statement if it were pasted into one, or
/// match everything if it reached a LIKE pattern unescaped.
const HOSTILE: [&str; 9] = [
    "' OR '1'='1",
    "'; DROP TABLE records; --",
    "\" OR 1=1 --",
    "%",
    "_",
    "\\",
    "R%",
    "') UNION SELECT * FROM users --",
    "\u{0}",
];

/// Every string filter of every list endpoint.
const FILTERS: [(&str, &str); 13] = [
    ("/v1/records", "status"),
    ("/v1/records", "service"),
    ("/v1/records", "category"),
    ("/v1/records", "department"),
    ("/v1/records", "search"),
    ("/v1/records", "from"),
    ("/v1/records", "cursor"),
    ("/v1/slots?service=PASS-01", "department"),
    ("/v1/slots?department=dep-01", "service"),
    ("/v1/slots?service=PASS-01", "from"),
    ("/v1/history", "record"),
    ("/v1/history", "from"),
    ("/v1/notifications", "cursor"),
];

fn with_param(path: &str, name: &str, value: &str) -> String {
    let joiner = if path.contains('?') { '&' } else { '?' };
    let encoded: String = url_encode(value);
    format!("{path}{joiner}{name}={encoded}")
}

fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn sql_metacharacters_in_any_filter_are_refused_or_matched_literally() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let all_before = t.get(&demo, "/v1/records?limit=1000").await;

    for (path, name) in FILTERS {
        for value in HOSTILE {
            let query = with_param(path, name, value);
            let answer = t.get(&demo, &query).await;
            assert!(
                !answer.status.is_server_error(),
                "{query}: {} {:#}",
                answer.status,
                answer.body
            );
            if answer.status.is_success() {
                let items = answer.body["items"].as_array().unwrap();
                assert!(items.is_empty(), "{query} matched: {:#}", answer.body);
            } else {
                assert!(answer.status.is_client_error(), "{query}");
                answer.assert_problem(answer.status.as_u16(), answer.code());
            }
        }
    }

    let all_after = t.get(&demo, "/v1/records?limit=1000").await;
    assert_eq!(all_before.body, all_after.body, "the records changed");
}

#[tokio::test]
async fn a_brute_forced_cancellation_code_locks_and_the_record_stays_active() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let path = format!("/v1/records/{}/cancellation", record(2));
    let asked = t.post(&demo, &path, json!({"reason": "duplicate"})).await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{:#}", asked.body);
    let challenge = asked.body["challenge"]["id"].as_str().unwrap().to_string();
    let confirm = format!("/v1/challenges/{challenge}/confirm");

    for guess in ["000000", "111111", "222222", "333333"] {
        let wrong = t.post(&demo, &confirm, json!({"code": guess})).await;
        wrong.assert_problem(401, "invalid_code");
    }
    let fifth = t.post(&demo, &confirm, json!({"code": "444444"})).await;
    fifth.assert_problem(401, "challenge_locked");
    let right = t
        .post(&demo, &confirm, json!({"code": support::CODE}))
        .await;
    right.assert_problem(401, "challenge_locked");

    let with_locked = t
        .post(
            &demo,
            &path,
            json!({"reason": "duplicate", "challenge_id": challenge}),
        )
        .await;
    assert!(
        with_locked.status.is_client_error(),
        "{:#}",
        with_locked.body
    );
    let shown = t.get(&demo, &format!("/v1/records/{}", record(2))).await;
    assert_eq!(shown.body["status"], "pending", "{:#}", shown.body);
}
