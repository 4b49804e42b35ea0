//! Concurrency at the service: 64 callers at once into one slot or onto one
//! record. Exactly one wins; every loser gets the documented conflict (with
//! alternatives for a taken slot), and the audit journal shows one change.
//! And a request given up while its idempotency key is being claimed.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{record, Answer, TestServer};

/// Callers racing in each test.
const RACERS: usize = 64;

/// Ids of `RACERS` active demo records of `lane` that allow `action`.
async fn active_lane(t: &TestServer, token: &str, lane: &str, action: &str) -> Vec<String> {
    let query = format!("/v1/records?{lane}&status=pending,confirmed&limit=200");
    let active = t.get(token, &query).await;
    let ids: Vec<String> = active.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            let allowed = r["allowed_actions"].as_array().unwrap();
            allowed.iter().any(|a| a == action)
        })
        .map(|r| r["id"].as_str().unwrap().to_string())
        .take(RACERS)
        .collect();
    assert_eq!(ids.len(), RACERS, "not enough records in {lane}");
    ids
}

async fn first_free_slot(t: &TestServer, token: &str, query: &str) -> Value {
    let slots = t.get(token, &format!("/v1/slots?{query}")).await;
    slots.body["items"][0].clone()
}

/// Asserts one answer with `won` and the rest `slot_taken` with alternatives.
fn one_booking(answers: &[Answer], won: StatusCode) {
    let winners = answers.iter().filter(|a| a.status == won).count();
    assert_eq!(winners, 1, "{answers:#?}");
    for lost in answers.iter().filter(|a| a.status != won) {
        lost.assert_problem(409, "slot_taken");
        let alternatives = lost.body["alternatives"].as_array().unwrap();
        assert!(!alternatives.is_empty(), "{:#}", lost.body);
    }
}

/// How many successful `action` entries the audit journal holds.
async fn journaled(t: &TestServer, token: &str, action: &str) -> usize {
    let mut count = 0;
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/v1/history?limit=200".to_string();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = t.get(token, &path).await;
        count += page.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == action && e["outcome"] == "ok")
            .count();
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return count,
        }
    }
}

#[tokio::test]
async fn sixty_four_reschedules_into_one_slot_book_it_once() {
    let t = TestServer::start_with(tempfile::tempdir().unwrap(), |o| o.extra_records = 1500).await;
    let demo = t.login("demo", "demo12345").await;
    let token = t.token(&demo, &["records:read", "records:rebook"]).await;
    let ids = active_lane(&t, &token, "service=PASS-01", "reschedule").await;
    let slot = first_free_slot(
        &t,
        &token,
        "service=PASS-01&department=dep-03&from=2026-12-20",
    )
    .await;
    let before = journaled(&t, &token, "record.reschedule").await;

    let requests = ids
        .iter()
        .map(|id| {
            let path = format!("/v1/records/{id}/reschedule");
            (path, json!({"slot_id": slot["id"]}))
        })
        .collect();
    let answers = t.post_concurrently(&token, requests).await;

    one_booking(&answers, StatusCode::OK);
    assert_eq!(journaled(&t, &token, "record.reschedule").await, before + 1);
}

#[tokio::test]
async fn sixty_four_rebookings_into_one_slot_book_it_once() {
    let t = TestServer::start_with(tempfile::tempdir().unwrap(), |o| o.extra_records = 1500).await;
    let demo = t.login("demo", "demo12345").await;
    let scopes = ["records:read", "records:cancel", "records:rebook"];
    let token = t.token(&demo, &scopes).await;
    let ids = active_lane(&t, &token, "service=REG-01&department=dep-02", "cancel").await;
    let cancels = ids
        .iter()
        .map(|id| {
            let path = format!("/v1/records/{id}/cancellation");
            (path, json!({"reason": "duplicate"}))
        })
        .collect();
    let cancelled = t.post_concurrently(&token, cancels).await;
    assert!(cancelled.iter().all(|a| a.status == StatusCode::OK));
    let slot = first_free_slot(
        &t,
        &token,
        "service=REG-01&department=dep-02&from=2026-12-22",
    )
    .await;
    let before = journaled(&t, &token, "record.rebook").await;

    let rebooks = ids
        .iter()
        .map(|id| {
            let path = format!("/v1/records/{id}/rebook");
            (path, json!({"slot_id": slot["id"]}))
        })
        .collect();
    let answers = t.post_concurrently(&token, rebooks).await;

    one_booking(&answers, StatusCode::CREATED);
    assert_eq!(journaled(&t, &token, "record.rebook").await, before + 1);
}

#[tokio::test]
async fn sixty_four_cancels_of_one_record_cancel_it_once() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let token = t.token(&demo, &["records:read", "records:cancel"]).await;
    let path = format!("/v1/records/{}/cancellation", record(2));

    let requests = (0..RACERS)
        .map(|_| (path.clone(), json!({"reason": "plans_changed"})))
        .collect();
    let answers = t.post_concurrently(&token, requests).await;

    let won = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    assert_eq!(won, 1, "{answers:#?}");
    for lost in answers.iter().filter(|a| a.status != StatusCode::OK) {
        lost.assert_problem(409, "already_cancelled");
    }
    assert_eq!(journaled(&t, &token, "record.cancel").await, 1);
}

/// A POST whose idempotency key is being claimed when the request is given
/// up (here by the server's own timeout; a caller hanging up does the same)
/// must still run, so its retry replays the answer instead of being told
/// "in progress" until the claim's lease runs out.
#[tokio::test]
async fn a_request_given_up_while_its_key_is_claimed_still_runs_once() {
    use apptctl_server::platform::{self, PlatformConfig};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("service.db");
    let mut cfg = PlatformConfig::new(&db);
    cfg.request_timeout = Duration::from_millis(150);
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = runs.clone();
    let router = axum::Router::new().route(
        "/v1/count",
        axum::routing::post(move || {
            let run = counted.fetch_add(1, Ordering::SeqCst) + 1;
            async move { (StatusCode::CREATED, axum::Json(json!({ "run": run }))) }
        }),
    );
    let app = platform::wrap(router, cfg).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1/count", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let service = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, service).await.unwrap();
    });
    let client = reqwest::Client::new();
    let post = || {
        client
            .post(&url)
            .header("Idempotency-Key", "held")
            .json(&json!({}))
    };

    // Hold the idempotency store's write lock so the claim waits past the timeout.
    let blocker = rusqlite::Connection::open(platform::idempotency_path(&db)).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let given_up = post().send().await.unwrap();
    assert_eq!(given_up.status(), StatusCode::SERVICE_UNAVAILABLE);
    blocker.execute_batch("ROLLBACK").unwrap();

    let mut retried = post().send().await.unwrap();
    for _ in 0..30 {
        if retried.status() != StatusCode::CONFLICT {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        retried = post().send().await.unwrap();
    }
    assert_eq!(retried.status(), StatusCode::CREATED, "still in flight");
    assert_eq!(retried.headers()["idempotent-replayed"], "true");
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}
