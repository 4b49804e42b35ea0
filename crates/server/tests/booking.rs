//! Rescheduling and re-booking: free slots, taken slots with alternatives,
//! service and department rules, and one slot booked once under load.

mod support;

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::*;

async fn free_slot(t: &TestServer, session: &str, query: &str) -> Value {
    let slots = t.get(session, &format!("/v1/slots?{query}&limit=1")).await;
    assert_eq!(slots.status, StatusCode::OK, "{:#}", slots.body);
    slots.body["items"][0].clone()
}

fn at(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().unwrap())
        .unwrap()
        .to_utc()
}

#[tokio::test]
async fn slots_list_free_slots_nearest_first() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let page = t
        .get(&demo, "/v1/slots?service=PASS-01&department=dep-01&limit=5")
        .await;
    let items = page.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert!(page.body["next_cursor"].is_string());
    assert!(items
        .iter()
        .all(|s| s["free"] == true && s["service"]["code"] == "PASS-01"));
    assert!(items
        .windows(2)
        .all(|w| at(&w[0]["starts_at"]) <= at(&w[1]["starts_at"])));
    assert!(at(&items[0]["starts_at"]) >= start_time());

    t.get(&demo, "/v1/slots?service=NOPE")
        .await
        .assert_problem(404, "service_not_found");
    t.get(&demo, "/v1/slots")
        .await
        .assert_problem(400, "invalid_request");
    t.get(&demo, "/v1/slots?service=PASS-01&from=soon")
        .await
        .assert_problem(400, "invalid_date");
}

#[tokio::test]
async fn reschedule_moves_an_active_record_even_inside_the_cutoff() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    // Record 4 (TAX-01) starts within the hour: too late to cancel, not to move.
    let slot = free_slot(
        &t,
        &demo,
        "service=TAX-01&department=dep-02&from=2026-12-05",
    )
    .await;
    let path = format!("/v1/records/{}/reschedule", record(4));

    let moved = t.post(&demo, &path, json!({"slot_id": slot["id"]})).await;
    assert_eq!(moved.status, StatusCode::OK, "{:#}", moved.body);
    assert_eq!(moved.body["slot_id"], slot["id"]);
    assert_eq!(moved.body["starts_at"], slot["starts_at"]);
    assert_eq!(moved.body["department"]["id"], "dep-02");
    assert_eq!(moved.body["cancellable"], true);

    let other_service = free_slot(&t, &demo, "service=PASS-01").await;
    let mismatch = t
        .post(&demo, &path, json!({"slot_id": other_service["id"]}))
        .await;
    mismatch.assert_problem(409, "slot_mismatch");
    t.post(&demo, &path, json!({"slot_id": "S99999999"}))
        .await
        .assert_problem(404, "slot_not_found");
    t.post(&demo, &path, json!({"slot_id": "99"}))
        .await
        .assert_problem(400, "invalid_slot_id");
    t.post(&demo, &path, json!({}))
        .await
        .assert_problem(400, "invalid_request");

    let inactive = t
        .post(
            &demo,
            &format!("/v1/records/{}/reschedule", record(8)),
            json!({"slot_id": slot["id"]}),
        )
        .await;
    inactive.assert_problem(409, "not_active");
}

#[tokio::test]
async fn reschedule_after_the_start_is_refused() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let slot = free_slot(&t, &demo, "service=PASS-02&from=2026-12-10").await;
    let shown = t.get(&demo, &format!("/v1/records/{}", record(5))).await;
    t.set_clock(at(&shown.body["starts_at"])).await;

    let late = t
        .post(
            &demo,
            &format!("/v1/records/{}/reschedule", record(5)),
            json!({"slot_id": slot["id"]}),
        )
        .await;
    late.assert_problem(409, "already_started");
}

#[tokio::test]
async fn a_taken_slot_answers_with_alternatives_of_the_same_service() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    // Record 1 holds a PASS-01 slot at dep-01; record 13 (other's) another.
    let taken = t
        .get(&demo, &format!("/v1/records/{}", record(1)))
        .await
        .body["slot_id"]
        .clone();
    let path = format!("/v1/records/{}/reschedule", record(12));
    let mismatch = t.post(&demo, &path, json!({"slot_id": taken})).await;
    mismatch.assert_problem(409, "slot_mismatch");

    let manager = t.login("manager", "manager12345").await;
    let others_slot = t
        .get(&manager, &format!("/v1/records/{}", record(13)))
        .await
        .body["slot_id"]
        .clone();
    let refused = t
        .post(
            &demo,
            &format!("/v1/records/{}/reschedule", record(1)),
            json!({"slot_id": others_slot}),
        )
        .await;
    refused.assert_problem(409, "slot_taken");
    let alternatives = refused.body["alternatives"].as_array().unwrap();
    assert_eq!(alternatives.len(), 5);
    assert!(alternatives
        .iter()
        .all(|s| s["service"]["code"] == "PASS-01" && s["free"] == true));
    assert_eq!(
        alternatives[0]["department"]["id"], "dep-01",
        "same department first"
    );
}

#[tokio::test]
async fn rebook_makes_a_linked_new_record_once() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    // Record 8: a cancelled DRV-01 at dep-01.
    let path = format!("/v1/records/{}/rebook", record(8));
    let wrong_department = free_slot(&t, &demo, "service=DRV-01&department=dep-02").await;
    t.post(&demo, &path, json!({"slot_id": wrong_department["id"]}))
        .await
        .assert_problem(409, "slot_mismatch");
    t.post(&demo, &path, json!({}))
        .await
        .assert_problem(400, "invalid_request");
    t.post(&demo, &path, json!({"slot_id": "S1", "first_free": true}))
        .await
        .assert_problem(400, "invalid_request");

    t.post(
        &demo,
        &path,
        json!({"first_free": true, "from": "next week"}),
    )
    .await
    .assert_problem(400, "invalid_date");

    let from = start_time() + Duration::days(6);
    let rebooked = t
        .post(&demo, &path, json!({"first_free": true, "from": from}))
        .await;
    assert_eq!(rebooked.status, StatusCode::CREATED, "{:#}", rebooked.body);
    let new_id = rebooked.body["id"].as_str().unwrap().to_string();
    assert_ne!(new_id, record(8).to_string());
    assert_eq!(rebooked.body["status"], "pending");
    assert_eq!(rebooked.body["rebooked_from"], json!(record(8)));
    assert_eq!(rebooked.body["service"]["code"], "DRV-01");
    assert_eq!(rebooked.body["department"]["id"], "dep-01");
    assert!(at(&rebooked.body["starts_at"]) >= from);

    let old = t.get(&demo, &format!("/v1/records/{}", record(8))).await;
    assert_eq!(old.body["rebooked_to"], new_id.as_str());
    assert_eq!(old.body["allowed_actions"], json!([]));
    t.post(&demo, &path, json!({"first_free": true}))
        .await
        .assert_problem(409, "not_rebookable");
    let active = t
        .post(
            &demo,
            &format!("/v1/records/{}/rebook", record(1)),
            json!({"first_free": true}),
        )
        .await;
    active.assert_problem(409, "not_rebookable");

    // The new record is the caller's, listed and shown like any other.
    assert_eq!(
        t.get(&demo, &format!("/v1/records/{new_id}")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_manager_of_another_department_cannot_touch_demo_records() {
    let t = TestServer::start().await;
    let manager2 = t.login("manager2", "manager212345").await;
    let slot = free_slot(&t, &manager2, "service=PASS-01").await;
    let moved = t
        .post(
            &manager2,
            &format!("/v1/records/{}/reschedule", record(1)),
            json!({"slot_id": slot["id"]}),
        )
        .await;
    moved.assert_problem(404, "record_not_found");
    let rebooked = t
        .post(
            &manager2,
            &format!("/v1/records/{}/rebook", record(8)),
            json!({"first_free": true}),
        )
        .await;
    rebooked.assert_problem(404, "record_not_found");
    let cancelled = t
        .post(
            &manager2,
            &format!("/v1/records/{}/cancellation", record(1)),
            json!({"reason": "service_refused"}),
        )
        .await;
    cancelled.assert_problem(404, "record_not_found");
}

#[tokio::test]
async fn thirty_two_concurrent_moves_into_one_slot_book_it_once() {
    let t = TestServer::start_with(tempfile::tempdir().unwrap(), |o| o.extra_records = 300).await;
    let demo = t.login("demo", "demo12345").await;
    let token = t.token(&demo, &["records:read", "records:rebook"]).await;

    let active = t
        .get(
            &token,
            "/v1/records?service=PASS-01&status=pending,confirmed&limit=40",
        )
        .await;
    let ids: Vec<String> = active.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 32, "{}", ids.len());
    let slot = free_slot(
        &t,
        &token,
        "service=PASS-01&department=dep-03&from=2026-12-20",
    )
    .await;

    let requests = ids[..32]
        .iter()
        .map(|id| {
            (
                format!("/v1/records/{id}/reschedule"),
                json!({"slot_id": slot["id"]}),
            )
        })
        .collect();
    let answers = t.post_concurrently(&token, requests).await;
    let won: Vec<_> = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .collect();
    assert_eq!(won.len(), 1);
    for lost in answers.iter().filter(|a| a.status != StatusCode::OK) {
        lost.assert_problem(409, "slot_taken");
        assert!(!lost.body["alternatives"].as_array().unwrap().is_empty());
    }
    let holders = t
        .get(
            &token,
            &format!(
                "/v1/records?service=PASS-01&from={}&to={}&limit=1000",
                slot["starts_at"].as_str().unwrap(),
                (at(&slot["ends_at"])).to_rfc3339().replace('+', "%2B")
            ),
        )
        .await;
    let holding: Vec<_> = holders.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["slot_id"] == slot["id"])
        .collect();
    assert_eq!(holding.len(), 1);
}

#[tokio::test]
async fn thirty_two_concurrent_rebookings_into_one_slot_book_it_once() {
    let t = TestServer::start_with(tempfile::tempdir().unwrap(), |o| o.extra_records = 1200).await;
    let demo = t.login("demo", "demo12345").await;
    let scopes = ["records:read", "records:cancel", "records:rebook"];
    let token = t.token(&demo, &scopes).await;

    let lane = "service=REG-01&department=dep-02&status=pending,confirmed&limit=40";
    let active = t.get(&token, &format!("/v1/records?{lane}")).await;
    let ids: Vec<String> = active.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 32, "{}", ids.len());
    let cancels = ids[..32]
        .iter()
        .map(|id| {
            (
                format!("/v1/records/{id}/cancellation"),
                json!({"reason": "duplicate"}),
            )
        })
        .collect();
    let cancelled = t.post_concurrently(&token, cancels).await;
    assert!(cancelled.iter().all(|a| a.status == StatusCode::OK));

    let slot = free_slot(
        &t,
        &token,
        "service=REG-01&department=dep-02&from=2026-12-22",
    )
    .await;
    let rebooks = ids[..32]
        .iter()
        .map(|id| {
            (
                format!("/v1/records/{id}/rebook"),
                json!({"slot_id": slot["id"]}),
            )
        })
        .collect();
    let answers = t.post_concurrently(&token, rebooks).await;
    let won = answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED)
        .count();
    assert_eq!(won, 1);
    for lost in answers.iter().filter(|a| a.status != StatusCode::CREATED) {
        lost.assert_problem(409, "slot_taken");
        assert!(!lost.body["alternatives"].as_array().unwrap().is_empty());
    }
}
