//! Bad input never gets a 500 or a plain-text error, and data survives a
//! restart.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::*;

#[tokio::test]
async fn bad_bodies_are_problems() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let path = t.url(&format!("/v1/records/{}/cancellation", record(1)));
    let send = |body: &'static str, content_type: &'static str| {
        t.client
            .post(&path)
            .bearer_auth(&demo)
            .header("content-type", content_type)
            .body(body)
            .send()
    };

    answer(send("{not json", "application/json").await.unwrap())
        .await
        .assert_problem(400, "invalid_json");
    answer(send("", "application/json").await.unwrap())
        .await
        .assert_problem(400, "invalid_json");
    answer(
        send(r#"{"reason": "other", "comment": 5}"#, "application/json")
            .await
            .unwrap(),
    )
    .await
    .assert_problem(400, "invalid_request");
    answer(
        send(
            r#"{"reason": "plans_changed", "extra": 1}"#,
            "application/json",
        )
        .await
        .unwrap(),
    )
    .await
    .assert_problem(400, "invalid_request");
    answer(
        send(r#"{"reason": "plans_changed"}"#, "text/plain")
            .await
            .unwrap(),
    )
    .await
    .assert_problem(415, "unsupported_media_type");

    let huge = format!(
        r#"{{"reason": "other", "comment": "{}"}}"#,
        "x".repeat(5 * 1024 * 1024)
    );
    let response = t
        .client
        .post(&path)
        .bearer_auth(&demo)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    answer(response).await.assert_problem(413, "body_too_large");

    // Nothing was half-written: the record is as it was.
    let shown = t.get(&demo, &format!("/v1/records/{}", record(1))).await;
    assert_eq!(shown.body["status"], "confirmed");
}

#[tokio::test]
async fn unknown_paths_and_methods_are_problems() {
    let t = TestServer::start().await;
    let missing = t.send(Method::GET, "/v1/nothing-here", None, None).await;
    missing.assert_problem(404, "not_found");
    let wrong_method = t.send(Method::DELETE, "/v1/records", None, None).await;
    wrong_method.assert_problem(405, "method_not_allowed");
    let health = t.send(Method::GET, "/healthz", None, None).await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body["database_ok"], true);
    let backend = if on_postgres() { "postgres" } else { "sqlite" };
    assert_eq!(health.body["database"], backend);
}

#[tokio::test]
async fn the_dev_clock_exists_only_with_a_manual_clock() {
    let t = TestServer::start_with(tempfile::tempdir().unwrap(), |o| o.clock = None).await;
    let clock = t
        .send(
            Method::POST,
            "/v1/dev/clock",
            None,
            Some(json!({"advance_seconds": 5})),
        )
        .await;
    clock.assert_problem(404, "not_found");

    let manual = TestServer::start().await;
    let both = manual
        .send(
            Method::POST,
            "/v1/dev/clock",
            None,
            Some(json!({"now": start_time(), "advance_seconds": 1})),
        )
        .await;
    both.assert_problem(400, "invalid_request");
}

#[tokio::test]
async fn hostile_query_strings_are_refused_or_harmless() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let long = "9".repeat(5000);
    for query in [
        "status=pending%27%3B%20DROP%20TABLE%20records%3B--",
        "service=%27%20OR%201%3D1--",
        "department=%25",
        "category=_",
        "limit=-1",
        "limit=99999999999999999999",
        "cursor=%00%01",
    ] {
        let answer = t.get(&demo, &format!("/v1/records?{query}")).await;
        assert!(
            answer.status.is_client_error() || answer.body["items"].as_array().unwrap().is_empty(),
            "{query}: {:#}",
            answer.body
        );
        assert_ne!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    }
    let answer = t.get(&demo, &format!("/v1/records?search={long}")).await;
    assert_eq!(answer.status, StatusCode::OK);
    let still = t.get(&demo, "/v1/records?limit=1000").await;
    assert_eq!(still.body["items"].as_array().unwrap().len(), 12);
}

#[tokio::test]
async fn data_survives_a_restart_and_is_not_seeded_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (opts, database) = backend_options(dir.path().join("durable.db"));
    let first = apptctl_server::dev::spawn(opts.clone()).await.unwrap();
    let t = TestServer {
        server: first,
        client: reqwest::Client::new(),
        dir,
        database,
    };
    let demo = t.login("demo", "demo12345").await;
    let token = t.token(&demo, &["records:read", "records:cancel"]).await;
    let done = t
        .post(
            &token,
            &format!("/v1/records/{}/cancellation", record(1)),
            json!({"reason": "plans_changed"}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK);
    let TestServer {
        server,
        dir,
        client,
        database,
    } = t;
    server.shutdown().await.unwrap();

    let second = apptctl_server::dev::spawn(opts).await.unwrap();
    let t = TestServer {
        server: second,
        client,
        dir,
        database,
    };
    let shown = t.get(&token, &format!("/v1/records/{}", record(1))).await;
    assert_eq!(
        shown.status,
        StatusCode::OK,
        "the token survived: {:#}",
        shown.body
    );
    assert_eq!(shown.body["status"], "cancelled");
    let listed = t.get(&token, "/v1/records?limit=1000").await;
    assert_eq!(
        listed.body["items"].as_array().unwrap().len(),
        12,
        "not seeded twice"
    );
}

#[tokio::test]
async fn odd_path_segments_are_problems() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    for path in [
        "/v1/records/%FF",
        "/v1/records/%00",
        "/v1/tokens/%FF",
        "/v1/challenges/%FF",
        "/v1/records/R0000000013/cancellation/extra",
    ] {
        let answer = t.send(Method::GET, path, Some(&demo), None).await;
        assert!(
            answer.status.is_client_error(),
            "{path}: {:?}",
            answer.status
        );
        assert_eq!(
            answer.content_type, "application/problem+json",
            "{path}: {:#}",
            answer.body
        );
    }
    let post = t
        .send(
            Method::POST,
            "/v1/challenges/%FF/confirm",
            Some(&demo),
            Some(json!({"code": "1"})),
        )
        .await;
    assert_eq!(
        post.content_type, "application/problem+json",
        "{:#}",
        post.body
    );
}

#[tokio::test]
async fn refused_changes_without_credentials_are_journaled() {
    let t = TestServer::start().await;
    let path = format!("/v1/records/{}/cancellation", record(1));
    let body = json!({"reason": "plans_changed"});
    t.post("garbage", &path, body.clone())
        .await
        .assert_problem(401, "invalid_token");
    t.send(Method::POST, &path, None, Some(body))
        .await
        .assert_problem(401, "unauthenticated");
    t.send(Method::GET, "/v1/records", None, None)
        .await
        .assert_problem(401, "unauthenticated");

    let rows: Vec<(String, String)> = t
        .query_sql("SELECT action, code FROM audit_log WHERE actor = 'anonymous' ORDER BY seq")
        .await
        .into_iter()
        .map(|row| (row[0].clone(), row[1].clone()))
        .collect();
    let route = "POST /v1/records/{id}/cancellation".to_string();
    assert_eq!(
        rows,
        vec![
            (route.clone(), "invalid_token".to_string()),
            (route, "unauthenticated".to_string())
        ]
    );
}
