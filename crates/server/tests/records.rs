//! Listing and showing records: who sees what, filters, search, pagination.

mod support;

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::Value;
use support::*;

fn ids(answer: &Answer) -> Vec<String> {
    answer.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn applicants_see_only_their_own_records() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;

    let listed = t.get(&demo, "/v1/records?limit=1000").await;
    let expected: HashSet<String> = (1..=12).map(|n| record(n).to_string()).collect();
    assert_eq!(ids(&listed).into_iter().collect::<HashSet<_>>(), expected);

    let others = t.get(&demo, &format!("/v1/records/{}", record(13))).await;
    others.assert_problem(404, "record_not_found");
    let missing = t.get(&demo, &format!("/v1/records/{}", record(999))).await;
    missing.assert_problem(404, "record_not_found");
    assert_eq!(
        others.body["detail"]
            .as_str()
            .unwrap()
            .replace(&record(13).to_string(), "X"),
        missing.body["detail"]
            .as_str()
            .unwrap()
            .replace(&record(999).to_string(), "X")
    );
}

#[tokio::test]
async fn managers_see_their_departments_only() {
    let t = TestServer::start().await;
    let manager = t.login("manager", "manager12345").await;
    let manager2 = t.login("manager2", "manager212345").await;

    let all = t.get(&manager, "/v1/records?limit=1000").await;
    let seen: HashSet<String> = ids(&all).into_iter().collect();
    assert!(seen.contains(&record(1).to_string()) && seen.contains(&record(13).to_string()));
    assert!(
        !seen.contains(&record(16).to_string()),
        "dep-04 is not manager's"
    );

    let far = t
        .get(&manager2, &format!("/v1/records/{}", record(1)))
        .await;
    far.assert_problem(404, "record_not_found");
    let own = t.get(&manager2, "/v1/records").await;
    let expected: HashSet<String> = [record(16), record(17)]
        .iter()
        .map(|id| id.to_string())
        .collect();
    assert_eq!(ids(&own).into_iter().collect::<HashSet<_>>(), expected);
    assert_eq!(own.body["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn details_carry_documents_comments_specialist_and_history() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;

    let rejected = t.get(&demo, &format!("/v1/records/{}", record(7))).await;
    assert_eq!(rejected.status, StatusCode::OK);
    let body = &rejected.body;
    assert_eq!(body["status"], "rejected");
    assert_eq!(body["applicant"]["name"], "Daria Demidova");
    assert!(!body["documents"].as_array().unwrap().is_empty());
    assert!(body["comments"][0]["text"]
        .as_str()
        .unwrap()
        .contains("incomplete"));
    assert!(body["specialist"]["name"].is_string());
    let events: Vec<&str> = body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, vec!["created", "rejected"]);
    assert_eq!(body["allowed_actions"], serde_json::json!([]));
    assert_eq!(body["cancellable"], false);

    let active = t.get(&demo, &format!("/v1/records/{}", record(1))).await;
    assert_eq!(active.body["cancellable"], true);
    assert_eq!(
        active.body["allowed_actions"],
        serde_json::json!(["cancel", "reschedule"])
    );
}

#[tokio::test]
async fn malformed_ids_are_invalid_not_missing() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let good = record(1).to_string();
    let swapped = format!("R{}{}{}", &good[1..9], &good[10..11], &good[9..10]);
    for bad in [
        "R123",
        "X0000000013",
        "R00000000130",
        swapped.as_str(),
        "R%27%3B--",
    ] {
        if bad == good {
            continue;
        }
        t.get(&demo, &format!("/v1/records/{bad}"))
            .await
            .assert_problem(400, "invalid_record_id");
    }
}

#[tokio::test]
async fn filters_combine() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let statuses = |answer: &Answer| -> HashSet<String> {
        answer.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["status"].as_str().unwrap().to_string())
            .collect()
    };

    let active = t
        .get(&demo, "/v1/records?status=pending,confirmed,in_progress")
        .await;
    assert_eq!(
        statuses(&active),
        ["pending", "confirmed", "in_progress"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    let passports = t.get(&demo, "/v1/records?category=documents").await;
    assert!(passports.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["service"]["category"] == "documents"));
    let service = t
        .get(&demo, "/v1/records?service=DRV-01&department=dep-02")
        .await;
    assert_eq!(ids(&service), vec![record(2).to_string()]);

    let future = t.get(&demo, "/v1/records?from=2026-12-02").await;
    assert!(future.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["starts_at"].as_str().unwrap() >= "2026-12-02"));
    let day = t
        .get(&demo, "/v1/records?from=2026-12-04&to=2026-12-04")
        .await;
    assert!(day.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["starts_at"].as_str().unwrap().starts_with("2026-12-04")));
    assert!(!ids(&day).is_empty());

    t.get(&demo, "/v1/records?status=lost")
        .await
        .assert_problem(400, "invalid_request");
    t.get(&demo, "/v1/records?from=tomorrow")
        .await
        .assert_problem(400, "invalid_date");
    t.get(&demo, "/v1/records?to=2026-02-30")
        .await
        .assert_problem(400, "invalid_date");
    t.get(&demo, "/v1/records?limit=0")
        .await
        .assert_problem(400, "invalid_request");
    t.get(&demo, "/v1/records?limit=1001")
        .await
        .assert_problem(400, "invalid_request");
    t.get(&demo, "/v1/records?limit=ten")
        .await
        .assert_problem(400, "invalid_request");
}

#[tokio::test]
async fn search_matches_names_and_ids_literally() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;

    let by_name = t.get(&demo, "/v1/records?search=PASSPORT").await;
    assert!(by_name.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["service"]["name"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("passport")));
    assert_eq!(ids(&by_name).len(), 4);
    let by_id = t
        .get(
            &demo,
            &format!(
                "/v1/records?search={}",
                record(3).to_string().to_lowercase()
            ),
        )
        .await;
    assert_eq!(ids(&by_id), vec![record(3).to_string()]);
    let other_id = t
        .get(&demo, &format!("/v1/records?search={}", record(13)))
        .await;
    assert!(ids(&other_id).is_empty());

    let huge = "x".repeat(10_000);
    for text in [
        "%",
        "_",
        "'",
        "\"",
        ";",
        "%25",
        "'%20OR%201=1;--",
        "\\",
        huge.as_str(),
    ] {
        let answer = t.get(&demo, &format!("/v1/records?search={text}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{text}: {:#}", answer.body);
        assert!(ids(&answer).is_empty(), "{text} matched {:?}", ids(&answer));
    }
}

#[tokio::test]
async fn pages_follow_a_stable_order_without_gaps() {
    let t = TestServer::start_with(tempfile::tempdir().unwrap(), |o| o.extra_records = 120).await;
    let demo = t.login("demo", "demo12345").await;

    let everything = t.get(&demo, "/v1/records?limit=1000").await;
    let all = ids(&everything);
    assert_eq!(all.len(), 132);
    let keys: Vec<(String, String)> = everything.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["starts_at"].as_str().unwrap().to_string(),
                r["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);

    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/records?limit=25&cursor={c}"),
            None => "/v1/records?limit=25".to_string(),
        };
        let page = t.get(&demo, &path).await;
        paged.extend(ids(&page));
        match &page.body["next_cursor"] {
            Value::String(next) => cursor = Some(next.clone()),
            _ => break,
        }
    }
    assert_eq!(paged, all);

    for bad in ["garbage", "AAAA", "c2xvdHM6MTow"] {
        t.get(&demo, &format!("/v1/records?cursor={bad}"))
            .await
            .assert_problem(400, "invalid_cursor");
    }
}
