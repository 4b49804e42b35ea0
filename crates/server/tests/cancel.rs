//! Cancelling records: the cutoff to the second, codes, reasons, batches,
//! what a cancellation writes, and that a record is never cancelled twice.

mod support;

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;
use support::*;

async fn starts_at(t: &TestServer, session: &str, n: u64) -> DateTime<Utc> {
    let shown = t.get(session, &format!("/v1/records/{}", record(n))).await;
    DateTime::parse_from_rfc3339(shown.body["starts_at"].as_str().unwrap())
        .unwrap()
        .to_utc()
}

fn cancel_path(n: u64) -> String {
    format!("/v1/records/{}/cancellation", record(n))
}

#[tokio::test]
async fn the_cutoff_allows_exactly_twenty_four_hours_before_and_not_a_second_later() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let token = t.token(&demo, &["records:read", "records:cancel"]).await;
    let body = json!({"reason": "plans_changed"});

    let late_start = starts_at(&t, &demo, 2).await;
    t.set_clock(late_start - Duration::hours(24) + Duration::seconds(1))
        .await;
    let late = t.post(&token, &cancel_path(2), body.clone()).await;
    late.assert_problem(409, "cutoff_passed");
    assert_eq!(
        late.body["cancellable_until"],
        json!(late_start - Duration::hours(24))
    );
    let listed = t.get(&token, &format!("/v1/records/{}", record(2))).await;
    assert_eq!(listed.body["status"], "pending");
    assert_eq!(listed.body["cancellable"], false);
    assert_eq!(listed.body["allowed_actions"], json!([]));

    let start = starts_at(&t, &token, 10).await;
    t.set_clock(start - Duration::hours(24)).await;
    let in_time = t.post(&token, &cancel_path(10), body).await;
    assert_eq!(in_time.status, StatusCode::OK, "{:#}", in_time.body);
    assert_eq!(in_time.body["status"], "cancelled");
    assert_eq!(in_time.body["record"]["status"], "cancelled");
}

#[tokio::test]
async fn records_inside_the_cutoff_and_inactive_ones_are_refused() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let body = json!({"reason": "plans_changed"});

    t.post(&demo, &cancel_path(4), body.clone())
        .await
        .assert_problem(409, "cutoff_passed");
    let cancelled = t.post(&demo, &cancel_path(8), body.clone()).await;
    cancelled.assert_problem(409, "already_cancelled");
    assert_eq!(cancelled.body["record_status"], "cancelled");
    for (n, status) in [(6, "completed"), (7, "rejected"), (9, "expired")] {
        let refused = t.post(&demo, &cancel_path(n), body.clone()).await;
        refused.assert_problem(409, "not_active");
        assert_eq!(refused.body["record_status"], status);
    }
    t.post(&demo, &cancel_path(13), body)
        .await
        .assert_problem(404, "record_not_found");
}

#[tokio::test]
async fn reasons_follow_the_role() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let manager = t.login("manager", "manager12345").await;

    t.post(&demo, &cancel_path(1), json!({"reason": "other"}))
        .await
        .assert_problem(400, "comment_required");
    t.post(
        &demo,
        &cancel_path(1),
        json!({"reason": "other", "comment": "  "}),
    )
    .await
    .assert_problem(400, "comment_required");
    let long = "x".repeat(1001);
    t.post(
        &demo,
        &cancel_path(1),
        json!({"reason": "other", "comment": long}),
    )
    .await
    .assert_problem(400, "invalid_request");
    t.post(&demo, &cancel_path(1), json!({"reason": "service_refused"}))
        .await
        .assert_problem(403, "reason_not_allowed");
    t.post(&demo, &cancel_path(1), json!({"reason": "bored"}))
        .await
        .assert_problem(400, "invalid_reason");

    let asked = t
        .post(
            &manager,
            &cancel_path(1),
            json!({"reason": "service_refused"}),
        )
        .await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{:#}", asked.body);
    let other = t
        .post(
            &demo,
            &cancel_path(1),
            json!({"reason": "other", "comment": "moving away"}),
        )
        .await;
    assert_eq!(other.status, StatusCode::ACCEPTED, "{:#}", other.body);
}

#[tokio::test]
async fn a_session_cancels_only_with_a_confirmed_code_and_everything_is_written() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let path = cancel_path(1);

    let asked = t.post(&demo, &path, json!({"reason": "wrong_data"})).await;
    assert_eq!(asked.status, StatusCode::ACCEPTED);
    assert_eq!(asked.body["status"], "challenge_required");
    assert_eq!(asked.body["challenge"]["record_count"], 1);
    let challenge = asked.body["challenge"]["id"].as_str().unwrap().to_string();
    let shown = t.get(&demo, &format!("/v1/records/{}", record(1))).await;
    assert_eq!(
        shown.body["status"], "confirmed",
        "unconfirmed: nothing changes"
    );

    let unconfirmed = t
        .post(
            &demo,
            &path,
            json!({"reason": "wrong_data", "challenge_id": challenge}),
        )
        .await;
    unconfirmed.assert_problem(401, "challenge_unconfirmed");
    let wrong = t
        .post(
            &demo,
            &format!("/v1/challenges/{challenge}/confirm"),
            json!({"code": "111111"}),
        )
        .await;
    wrong.assert_problem(401, "invalid_code");
    t.confirm(&demo, &challenge).await;

    // The challenge covers record 1 only.
    let elsewhere = t
        .post(
            &demo,
            &cancel_path(2),
            json!({"reason": "wrong_data", "challenge_id": challenge}),
        )
        .await;
    elsewhere.assert_problem(409, "challenge_not_covering");
    let unknown = t
        .post(
            &demo,
            &path,
            json!({"reason": "wrong_data", "challenge_id": "ch_nope"}),
        )
        .await;
    unknown.assert_problem(404, "challenge_not_found");

    let done = t
        .post(
            &demo,
            &path,
            json!({"reason": "wrong_data", "challenge_id": challenge}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{:#}", done.body);
    let slot = done.body["record"]["slot_id"].as_str().unwrap().to_string();
    let starts = done.body["record"]["starts_at"]
        .as_str()
        .unwrap()
        .to_string();

    let details = t.get(&demo, &format!("/v1/records/{}", record(1))).await;
    let last = details.body["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["event"], "cancelled");
    assert_eq!(last["reason"], "wrong_data");

    let outbox = t.get(&demo, "/v1/notifications").await;
    let about: Vec<_> = outbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["record_id"] == json!(record(1)))
        .collect();
    assert_eq!(about.len(), 2);
    let email = about.iter().find(|n| n["channel"] == "email").unwrap();
    let text = email["body"].as_str().unwrap();
    assert!(
        text.contains(&record(1).to_string())
            && text.contains("wrong_data")
            && text.contains("rebook"),
        "{text}"
    );

    let journal = t
        .get(&demo, &format!("/v1/history?record={}", record(1)))
        .await;
    let entries = journal.body["items"].as_array().unwrap();
    assert!(entries
        .iter()
        .any(|e| e["action"] == "record.cancel" && e["outcome"] == "ok"));
    // The attempt on record 2 is journaled under record 2, not here.
    assert!(!entries
        .iter()
        .any(|e| e["code"] == "challenge_not_covering"));
    assert!(entries
        .iter()
        .any(|e| e["action"] == "record.cancel" && e["code"] == "challenge_unconfirmed"));

    // The slot is free for others at once.
    let other = t.login("other", "other12345").await;
    let free = t
        .get(
            &other,
            &format!(
                "/v1/slots?service=PASS-01&department=dep-01&from={}&limit=1",
                starts.replace('+', "%2B")
            ),
        )
        .await;
    assert_eq!(free.body["items"][0]["id"], slot.as_str());
}

#[tokio::test]
async fn a_confirmed_cancel_challenge_lasts_fifteen_minutes() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let asked = t
        .post(
            &demo,
            "/v1/cancellations",
            json!({"record_ids": [record(1), record(2)], "reason": "duplicate"}),
        )
        .await;
    let challenge = asked.body["challenge"]["id"].as_str().unwrap().to_string();
    t.confirm(&demo, &challenge).await;

    t.advance(15 * 60).await;
    let first = t
        .post(
            &demo,
            &cancel_path(1),
            json!({"reason": "duplicate", "challenge_id": challenge}),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{:#}", first.body);
    t.advance(1).await;
    let second = t
        .post(
            &demo,
            &cancel_path(2),
            json!({"reason": "duplicate", "challenge_id": challenge}),
        )
        .await;
    second.assert_problem(401, "challenge_expired");
}

#[tokio::test]
async fn one_batch_challenge_covers_the_visible_records() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let ids = json!([record(1), record(2), record(1), record(13), record(999)]);

    let asked = t
        .post(
            &demo,
            "/v1/cancellations",
            json!({"record_ids": ids, "reason": "duplicate"}),
        )
        .await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{:#}", asked.body);
    assert_eq!(asked.body["status"], "challenge_required");
    assert_eq!(asked.body["challenge"]["record_count"], 2);
    let challenge = asked.body["challenge"]["id"].as_str().unwrap().to_string();
    t.confirm(&demo, &challenge).await;

    for n in [1, 2] {
        let done = t
            .post(
                &demo,
                &cancel_path(n),
                json!({"reason": "duplicate", "challenge_id": challenge}),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{:#}", done.body);
    }
    let hidden = t
        .post(
            &demo,
            &cancel_path(13),
            json!({"reason": "duplicate", "challenge_id": challenge}),
        )
        .await;
    hidden.assert_problem(404, "record_not_found");

    let empty = t
        .post(
            &demo,
            "/v1/cancellations",
            json!({"record_ids": [], "reason": "duplicate"}),
        )
        .await;
    empty.assert_problem(400, "invalid_request");
    let bad_id = t
        .post(
            &demo,
            "/v1/cancellations",
            json!({"record_ids": ["R1"], "reason": "duplicate"}),
        )
        .await;
    bad_id.assert_problem(400, "invalid_record_id");

    let token = t.token(&demo, &["records:cancel"]).await;
    let with_token = t
        .post(
            &token,
            "/v1/cancellations",
            json!({"record_ids": [record(3)], "reason": "duplicate"}),
        )
        .await;
    with_token.assert_problem(400, "invalid_request");
    assert!(with_token.body["hint"]
        .as_str()
        .unwrap()
        .contains("records:cancel"));
}

#[tokio::test]
async fn concurrent_cancels_of_one_record_cancel_it_once() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let token = t.token(&demo, &["records:read", "records:cancel"]).await;

    let requests = (0..32)
        .map(|_| (cancel_path(3), json!({"reason": "plans_changed"})))
        .collect();
    let answers = t.post_concurrently(&token, requests).await;
    let won = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let lost = answers
        .iter()
        .filter(|a| a.code() == "already_cancelled")
        .count();
    assert_eq!((won, lost), (1, 31));

    let details = t.get(&token, &format!("/v1/records/{}", record(3))).await;
    let cancelled = details.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "cancelled")
        .count();
    assert_eq!(cancelled, 1);
    let journal = t
        .get(
            &token,
            &format!("/v1/history?record={}&limit=100", record(3)),
        )
        .await;
    let ok = journal.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "record.cancel" && e["outcome"] == "ok")
        .count();
    assert_eq!(ok, 1);
    let refused = journal.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == "already_cancelled")
        .count();
    assert_eq!(refused, 31);
}
