//! The platform layers over a real listener: a small router of test
//! endpoints (a run counter, a slow one, a flaky one, one that panics)
//! wrapped by `platform::wrap`, talked to with a real HTTP client.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use apptctl_server::platform::{self, PlatformConfig};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

/// How many times the test handlers really ran.
#[derive(Clone, Default)]
struct Runs(Arc<AtomicUsize>);

impl Runs {
    fn bump(&self) -> usize {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

struct TestServer {
    base: String,
    runs: Runs,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl TestServer {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn post(&self, path: &str, key: Option<&str>, body: Value) -> reqwest::Response {
        let mut request = self.client.post(self.url(path)).json(&body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        request.send().await.expect("request sent")
    }
}

fn test_router(runs: Runs) -> Router {
    Router::new()
        .route("/v1/count", post(count))
        .route("/v1/sessions", post(count))
        .route("/v1/slow-count", post(slow_count))
        .route("/v1/flaky", post(flaky))
        .route("/v1/slow", get(slow))
        .route("/v1/panic", get(panics).post(panics))
        .route("/v1/records/{id}", get(record))
        .route("/v1/bare/{status}", get(bare_status))
        .with_state(runs)
        .merge(platform::ops_router())
}

async fn count(State(runs): State<Runs>, body: String) -> (StatusCode, Json<Value>) {
    let run = runs.bump();
    (
        StatusCode::CREATED,
        Json(json!({ "run": run, "body": body })),
    )
}

async fn slow_count(State(runs): State<Runs>) -> (StatusCode, Json<Value>) {
    tokio::time::sleep(Duration::from_millis(800)).await;
    let run = runs.bump();
    (StatusCode::CREATED, Json(json!({ "run": run })))
}

/// Fails its first run with a 500, succeeds afterwards.
async fn flaky(State(runs): State<Runs>) -> (StatusCode, Json<Value>) {
    match runs.bump() {
        1 => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "run": 1 }))),
        run => (StatusCode::CREATED, Json(json!({ "run": run }))),
    }
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(2)).await;
    "finally"
}

async fn panics(State(runs): State<Runs>) -> &'static str {
    runs.bump();
    panic!("secret detail 4711");
}

async fn record(axum::extract::Path(id): axum::extract::Path<String>) -> Json<Value> {
    Json(json!({ "id": id }))
}

/// An error status without a body, as a careless handler might answer.
async fn bare_status(axum::extract::Path(status): axum::extract::Path<u16>) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT)
}

async fn start(configure: impl FnOnce(&mut PlatformConfig)) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cfg = PlatformConfig::new(dir.path().join("service.db"));
    configure(&mut cfg);

    let runs = Runs::default();
    let app = platform::wrap(test_router(runs.clone()), cfg).expect("platform wraps");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, service).await.expect("server runs");
    });

    TestServer {
        base: format!("http://{addr}"),
        runs,
        client: reqwest::Client::new(),
        _dir: dir,
    }
}

async fn problem_of(response: reqwest::Response) -> Value {
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(content_type, "application/problem+json");
    response.json().await.expect("problem body")
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let server = start(|_| {}).await;

    let echoed = server
        .client
        .get(server.url("/metrics"))
        .header("X-Request-Id", "trace-42");
    let echoed = echoed.send().await.unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "trace-42");

    let generated = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    let id = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(id.len(), 32, "a uuid v7 in simple form: {id}");

    let insane = "x".repeat(300);
    let replaced = server
        .client
        .get(server.url("/metrics"))
        .header("X-Request-Id", &insane);
    let replaced = replaced.send().await.unwrap();
    assert_ne!(replaced.headers()["x-request-id"], insane.as_str());
}

#[tokio::test]
async fn a_panic_is_a_500_problem_without_details() {
    let server = start(|_| {}).await;

    let response = server
        .client
        .get(server.url("/v1/panic"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let text = response.text().await.unwrap();
    assert!(!text.contains("4711"), "panic details leaked: {text}");

    let problem: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(problem["code"], "internal");
    assert_eq!(problem["request_id"], request_id.as_str());
}

#[tokio::test]
async fn a_panicking_post_is_not_stored_and_runs_again() {
    let server = start(|_| {}).await;

    for _ in 0..2 {
        let response = server.post("/v1/panic", Some("panic-key"), json!({})).await;
        assert_eq!(problem_of(response).await["code"], "internal");
    }
    assert_eq!(server.runs.count(), 2);
}

#[tokio::test]
async fn the_same_key_and_body_replays_the_first_answer() {
    let server = start(|_| {}).await;

    let first = server
        .post("/v1/count", Some("key-1"), json!({ "n": 1 }))
        .await;
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();

    let again = server
        .post("/v1/count", Some("key-1"), json!({ "n": 1 }))
        .await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["content-type"], "application/json");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(server.runs.count(), 1);
}

#[tokio::test]
async fn a_key_reused_for_another_body_is_refused() {
    let server = start(|_| {}).await;

    server
        .post("/v1/count", Some("key-2"), json!({ "n": 1 }))
        .await;
    let reused = server
        .post("/v1/count", Some("key-2"), json!({ "n": 2 }))
        .await;
    assert_eq!(reused.status(), 422);
    assert_eq!(problem_of(reused).await["code"], "idempotency_key_reused");
    assert_eq!(server.runs.count(), 1);
}

#[tokio::test]
async fn keys_are_per_client() {
    let server = start(|_| {}).await;

    for token in ["Bearer alice", "Bearer bob"] {
        let request = server.client.post(server.url("/v1/count")).json(&json!({}));
        let request = request
            .header("Idempotency-Key", "shared")
            .header("Authorization", token);
        assert_eq!(request.send().await.unwrap().status(), 201);
    }
    assert_eq!(server.runs.count(), 2);
}

#[tokio::test]
async fn malformed_keys_are_a_400_and_posts_without_a_key_just_run() {
    let server = start(|_| {}).await;

    let long = "k".repeat(256);
    for key in ["has space", long.as_str()] {
        let response = server.post("/v1/count", Some(key), json!({})).await;
        assert_eq!(response.status(), 400);
        assert_eq!(
            problem_of(response).await["code"],
            "idempotency_key_invalid"
        );
    }

    server.post("/v1/count", None, json!({})).await;
    server.post("/v1/count", None, json!({})).await;
    assert_eq!(server.runs.count(), 2);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_run_once() {
    let server = Arc::new(start(|_| {}).await);

    let attempts = (0..4).map(|i| {
        let server = Arc::clone(&server);
        async move {
            // Let the first one take the key before the others arrive.
            tokio::time::sleep(Duration::from_millis(i * 50)).await;
            server
                .post("/v1/slow-count", Some("busy-key"), json!({}))
                .await
        }
    });
    let responses = futures_util::future::join_all(attempts).await;

    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409, 409, 409]);
    for busy in responses.into_iter().filter(|r| r.status() == 409) {
        assert_eq!(busy.headers()["retry-after"], "1");
        assert_eq!(problem_of(busy).await["code"], "idempotency_in_progress");
    }
    assert_eq!(server.runs.count(), 1);
}

#[tokio::test]
async fn a_5xx_answer_is_not_stored() {
    let server = start(|_| {}).await;

    let failed = server.post("/v1/flaky", Some("flaky-key"), json!({})).await;
    assert_eq!(failed.status(), 500);
    let retried = server.post("/v1/flaky", Some("flaky-key"), json!({})).await;
    assert_eq!(retried.status(), 201);
    assert!(retried.headers().get("idempotent-replayed").is_none());
    assert_eq!(server.runs.count(), 2);
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let server = start(|cfg| cfg.rate_limit_per_sec = 1).await;

    // A burst of two is allowed, then requests are refused (a loaded machine
    // may refill a token between requests, hence a few tries).
    let url = server.url("/v1/records/R0000000013");
    let mut answered = 0;
    let limited = loop {
        let response = server.client.get(&url).send().await.unwrap();
        if response.status() != 200 || answered == 5 {
            break response;
        }
        answered += 1;
    };
    assert!(answered >= 2, "the burst was not allowed");
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "1");
    let problem = problem_of(limited).await;
    assert_eq!(problem["code"], "rate_limited");
    assert_eq!(problem["retry_after"], 1);

    // Another credential is another client with its own bucket.
    let other = server.client.get(server.url("/v1/records/R0000000013"));
    let other = other
        .header("Authorization", "Bearer other")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
}

#[tokio::test]
async fn a_too_large_body_is_a_413_problem() {
    let server = start(|cfg| cfg.max_body_bytes = 1024).await;

    let big = json!({ "padding": "x".repeat(2048) });
    let response = server.post("/v1/count", Some("big-key"), big).await;
    assert_eq!(response.status(), 413);
    assert_eq!(problem_of(response).await["code"], "body_too_large");
    assert_eq!(server.runs.count(), 0);

    let small = server
        .post("/v1/count", Some("small-key"), json!({ "n": 1 }))
        .await;
    assert_eq!(small.status(), 201);
}

#[tokio::test]
async fn a_slow_request_times_out_with_a_503_problem() {
    let server = start(|cfg| cfg.request_timeout = Duration::from_millis(150)).await;

    let response = server
        .client
        .get(server.url("/v1/slow"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "1");
    assert_eq!(problem_of(response).await["code"], "timeout");
}

#[tokio::test]
async fn a_post_that_timed_out_still_finishes_and_its_retry_replays() {
    let server = start(|cfg| cfg.request_timeout = Duration::from_millis(150)).await;

    let timed_out = server
        .post("/v1/slow-count", Some("late-key"), json!({}))
        .await;
    assert_eq!(timed_out.status(), 503);

    // Retry as a client would: "in progress" until the first run is done.
    let mut retried = server
        .post("/v1/slow-count", Some("late-key"), json!({}))
        .await;
    for _ in 0..50 {
        if retried.status() != 409 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        retried = server
            .post("/v1/slow-count", Some("late-key"), json!({}))
            .await;
    }
    assert_eq!(retried.status(), 201);
    assert_eq!(retried.headers()["idempotent-replayed"], "true");
    assert_eq!(server.runs.count(), 1);
}

/// What one request met under fault injection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Seen {
    Unavailable,
    Internal,
    Dropped,
    Slow,
}

async fn classify(server: &TestServer, key: &str) -> Option<Seen> {
    let started = Instant::now();
    let request = server
        .client
        .post(server.url("/v1/count"))
        .json(&json!({ "k": key }));
    let Ok(response) = request.header("Idempotency-Key", key).send().await else {
        return Some(Seen::Dropped);
    };
    let status = response.status().as_u16();
    if response.bytes().await.is_err() {
        return Some(Seen::Dropped);
    }
    match status {
        503 => Some(Seen::Unavailable),
        500 => Some(Seen::Internal),
        201 if started.elapsed() >= Duration::from_millis(100) => Some(Seen::Slow),
        _ => None,
    }
}

#[tokio::test]
async fn every_fault_kind_is_injected_at_rate_one() {
    let server = start(|cfg| {
        cfg.fault_rate = 1.0;
        cfg.fault_slow = Duration::from_millis(100);
    })
    .await;

    let mut seen = std::collections::HashSet::new();
    for attempt in 0..200 {
        if let Some(kind) = classify(&server, &format!("fault-{attempt}")).await {
            seen.insert(kind);
        }
        if seen.len() == 4 {
            break;
        }
    }
    assert_eq!(seen.len(), 4, "fault kinds seen: {seen:?}");

    // Faults only strike the API.
    let metrics = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
}

#[tokio::test]
async fn under_faults_a_key_runs_its_handler_once() {
    let server = start(|cfg| {
        cfg.fault_rate = 1.0;
        cfg.fault_slow = Duration::from_millis(10);
    })
    .await;

    for _ in 0..30 {
        classify(&server, "one-key").await;
    }
    assert_eq!(server.runs.count(), 1);
}

#[tokio::test]
async fn metrics_use_route_templates_not_ids() {
    let server = start(|_| {}).await;

    let response = server
        .client
        .get(server.url("/v1/records/R0000000021"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let metrics = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert!(metrics.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = metrics.text().await.unwrap();
    assert!(text.contains("route=\"/v1/records/{id}\""), "{text}");
    assert!(!text.contains("R0000000021"), "{text}");
}

#[tokio::test]
async fn the_routers_own_404_and_405_are_problems() {
    let server = start(|_| {}).await;

    let missing = server
        .client
        .get(server.url("/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.headers().contains_key("x-request-id"));
    assert_eq!(problem_of(missing).await["code"], "not_found");

    let wrong_method = server
        .client
        .delete(server.url("/v1/count"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert!(wrong_method.headers()["allow"]
        .to_str()
        .unwrap()
        .contains("POST"));
    assert_eq!(problem_of(wrong_method).await["code"], "method_not_allowed");
}

#[tokio::test]
async fn bare_errors_become_problems_and_keep_their_status() {
    let server = start(|_| {}).await;

    for (status, code) in [
        (401, "unauthenticated"),
        (418, "invalid_request"),
        (502, "internal"),
    ] {
        let url = server.url(&format!("/v1/bare/{status}"));
        let response = server.client.get(url).send().await.unwrap();
        assert_eq!(response.status().as_u16(), status);
        let problem = problem_of(response).await;
        assert_eq!(problem["code"], code);
        assert_eq!(problem["status"], status);
    }
}

#[tokio::test]
async fn latency_delays_every_request() {
    let server = start(|cfg| cfg.latency = Duration::from_millis(120)).await;

    let started = Instant::now();
    let response = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(120));
}

#[test]
fn impossible_settings_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    for rate in [f64::NAN, -0.1, 1.5] {
        let mut cfg = PlatformConfig::new(dir.path().join("service.db"));
        cfg.fault_rate = rate;
        assert!(
            platform::wrap(Router::new(), cfg).is_err(),
            "fault rate {rate} accepted"
        );
    }
}

#[tokio::test]
async fn a_body_far_over_the_limit_still_gets_its_413() {
    let server = start(|cfg| cfg.max_body_bytes = 1024 * 1024).await;

    let body = vec![b'x'; 3 * 1024 * 1024];
    let request = server.client.post(server.url("/v1/count")).body(body);
    let response = request.send().await.expect("an answer, not a reset");
    assert_eq!(response.status(), 413);
    assert_eq!(problem_of(response).await["code"], "body_too_large");
}

#[tokio::test]
async fn a_body_that_never_arrives_times_out() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let server = start(|cfg| cfg.request_timeout = Duration::from_millis(150)).await;
    let addr = server.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();

    // Ten of the hundred promised bytes, then silence.
    let head = "POST /v1/count HTTP/1.1\r\nhost: test\r\ncontent-length: 100\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(b"0123456789").await.unwrap();

    let mut answer = vec![0; 4096];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer)).await;
    let read = read.expect("answered before the client gave up").unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("\"code\":\"timeout\""), "{answer}");
    assert_eq!(server.runs.count(), 0);
}

#[tokio::test]
async fn answers_with_secrets_are_marked_no_store_and_still_replay() {
    let server = start(|_| {}).await;

    let first = server
        .post("/v1/sessions", Some("login-key"), json!({}))
        .await;
    assert_eq!(first.status(), 201);
    assert_eq!(first.headers()["cache-control"], "no-store");

    let again = server
        .post("/v1/sessions", Some("login-key"), json!({}))
        .await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["cache-control"], "no-store");
    assert_eq!(server.runs.count(), 1);

    let ordinary = server.post("/v1/count", Some("count-key"), json!({})).await;
    assert!(ordinary.headers().get("cache-control").is_none());
}
