//! The service as `start-dev` runs it, platform layers included: idempotent
//! replay of a cancellation, request ids in problems and the journal, every
//! documented path routed, and the metrics.

mod support;

use apptctl_api::{IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED, REQUEST_ID};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::*;

#[tokio::test]
async fn a_retried_cancellation_replays_the_first_answer_and_acts_once() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let token = t.token(&demo, &["records:read", "records:cancel"]).await;
    let path = t.url(&format!("/v1/records/{}/cancellation", record(1)));
    let send = |body: Value| {
        t.client
            .post(&path)
            .bearer_auth(&token)
            .header(IDEMPOTENCY_KEY, "retry-1")
            .json(&body)
            .send()
    };

    let first = send(json!({"reason": "plans_changed"})).await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert!(first.headers().get(IDEMPOTENT_REPLAYED).is_none());
    let first = answer(first).await;

    let again = send(json!({"reason": "plans_changed"})).await.unwrap();
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "a replay, not already_cancelled"
    );
    assert!(again.headers().get(IDEMPOTENT_REPLAYED).is_some());
    assert_eq!(answer(again).await.body, first.body);

    let other_body = answer(send(json!({"reason": "duplicate"})).await.unwrap()).await;
    other_body.assert_problem(422, "idempotency_key_reused");

    let journal = t
        .get(&token, &format!("/v1/history?record={}", record(1)))
        .await;
    let done = journal.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "record.cancel" && e["outcome"] == "ok")
        .count();
    assert_eq!(done, 1);
}

#[tokio::test]
async fn problems_and_journal_entries_carry_the_request_id() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let response = t
        .client
        .post(t.url(&format!("/v1/records/{}/cancellation", record(4))))
        .bearer_auth(&demo)
        .header(REQUEST_ID, "trace-me-42")
        .json(&json!({"reason": "plans_changed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()[REQUEST_ID], "trace-me-42");
    let refused = answer(response).await;
    refused.assert_problem(409, "cutoff_passed");
    assert_eq!(refused.body["request_id"], "trace-me-42");

    let journal = t
        .get(&demo, &format!("/v1/history?record={}", record(4)))
        .await;
    let entry = &journal.body["items"][0];
    assert_eq!(entry["request_id"], "trace-me-42");
    assert_eq!(entry["outcome"], "refused");
    assert_eq!(entry["code"], "cutoff_passed");
}

/// Every path and method of the checked-in contract is routed: none answers
/// the router's own 404 or 405.
#[tokio::test]
async fn every_documented_operation_is_served() {
    let t = TestServer::start().await;
    let contract: Value = serde_json::from_str(include_str!("../../../openapi.json")).unwrap();
    let demo = t.login("demo", "demo12345").await;

    for (path, operations) in contract["paths"].as_object().unwrap() {
        let concrete = path.replace("{id}", &record(1).to_string());
        for method in operations.as_object().unwrap().keys() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let body = (method == Method::POST).then(|| json!({}));
            let answer = t.send(method.clone(), &concrete, Some(&demo), body).await;
            assert_ne!(answer.code(), "not_found", "{method} {path}");
            assert_ne!(answer.code(), "method_not_allowed", "{method} {path}");
            assert_ne!(
                answer.status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "{method} {path}"
            );
        }
    }
}

#[tokio::test]
async fn cancellations_show_in_the_metrics() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    t.post(
        &demo,
        &format!("/v1/records/{}/cancellation", record(4)),
        json!({"reason": "plans_changed"}),
    )
    .await;
    let text = t
        .client
        .get(t.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("apptctl_cancellations_total{outcome=\"refused\",code=\"cutoff_passed\"}"),
        "{text}"
    );
}
