//! Logging in, two-factor challenges, lockout, sessions and tokens.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::*;

async fn password_login(t: &TestServer, username: &str, password: &str) -> Answer {
    let body = json!({"username": username, "password": password});
    t.send(Method::POST, "/v1/sessions", None, Some(body)).await
}

#[tokio::test]
async fn two_factor_login_gives_a_session_and_me() {
    let t = TestServer::start().await;

    let first = password_login(&t, "demo", "demo12345").await;
    assert_eq!(first.status, StatusCode::ACCEPTED);
    assert_eq!(first.body["status"], "challenge_required");
    assert_eq!(first.body["challenge"]["purpose"], "login");
    assert_eq!(first.body["challenge"]["sent_to"][0], "+7 *** ***-45-67");

    // Not confirmed yet: no session.
    let challenge = first.body["challenge"]["id"].as_str().unwrap();
    let early = t
        .send(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({"challenge_id": challenge})),
        )
        .await;
    early.assert_problem(401, "challenge_unconfirmed");

    let session = t.login("demo", "demo12345").await;
    let me = t.get(&session, "/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["username"], "demo");
    assert_eq!(me.body["role"], "applicant");
    assert_eq!(me.body["credential"], "session");
    assert_eq!(me.body["scopes"].as_array().unwrap().len(), 3);

    // The code went to the outbox by SMS and e-mail.
    let outbox = t.get(&session, "/v1/notifications").await;
    let channels: Vec<&str> = outbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["channel"].as_str().unwrap())
        .collect();
    assert!(
        channels.contains(&"sms") && channels.contains(&"email"),
        "{channels:?}"
    );
    assert!(outbox.body["items"][0]["body"]
        .as_str()
        .unwrap()
        .contains(CODE));
}

#[tokio::test]
async fn a_login_challenge_is_single_use() {
    let t = TestServer::start().await;
    let first = password_login(&t, "demo", "demo12345").await;
    let challenge = first.body["challenge"]["id"].as_str().unwrap().to_string();
    let confirm = format!("/v1/challenges/{challenge}/confirm");
    t.send(Method::POST, &confirm, None, Some(json!({"code": CODE})))
        .await;

    let once = t
        .send(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({"challenge_id": challenge})),
        )
        .await;
    assert_eq!(once.status, StatusCode::CREATED);
    let twice = t
        .send(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({"challenge_id": challenge})),
        )
        .await;
    twice.assert_problem(401, "challenge_expired");
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_for_fifteen_minutes() {
    let t = TestServer::start().await;
    password_login(&t, "nobody", "whatever1")
        .await
        .assert_problem(401, "invalid_credentials");

    for _ in 0..4 {
        password_login(&t, "demo", "wrong-password1")
            .await
            .assert_problem(401, "invalid_credentials");
    }
    password_login(&t, "demo", "wrong-password1")
        .await
        .assert_problem(401, "account_locked");
    // Locked even with the right password.
    password_login(&t, "demo", "demo12345")
        .await
        .assert_problem(401, "account_locked");

    t.advance(15 * 60 + 1).await;
    let after = password_login(&t, "demo", "demo12345").await;
    assert_eq!(after.status, StatusCode::ACCEPTED, "{:#}", after.body);

    // The refusals are in demo's journal.
    let session = t.login("demo", "demo12345").await;
    let journal = t.get(&session, "/v1/history?limit=100").await;
    let locked = journal.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == "account_locked")
        .count();
    assert_eq!(locked, 2, "{:#}", journal.body);
}

#[tokio::test]
async fn wrong_codes_count_down_then_lock_and_codes_expire() {
    let t = TestServer::start().await;
    let first = password_login(&t, "demo", "demo12345").await;
    let confirm = format!(
        "/v1/challenges/{}/confirm",
        first.body["challenge"]["id"].as_str().unwrap()
    );

    for left in (1..=4).rev() {
        let wrong = t
            .send(
                Method::POST,
                &confirm,
                None,
                Some(json!({"code": "000000"})),
            )
            .await;
        wrong.assert_problem(401, "invalid_code");
        assert_eq!(wrong.body["attempts_left"], left);
    }
    let last = t
        .send(
            Method::POST,
            &confirm,
            None,
            Some(json!({"code": "000000"})),
        )
        .await;
    last.assert_problem(401, "challenge_locked");
    let right = t
        .send(Method::POST, &confirm, None, Some(json!({"code": CODE})))
        .await;
    right.assert_problem(401, "challenge_locked");

    let second = password_login(&t, "demo", "demo12345").await;
    let confirm = format!(
        "/v1/challenges/{}/confirm",
        second.body["challenge"]["id"].as_str().unwrap()
    );
    t.advance(10 * 60 + 1).await;
    let late = t
        .send(Method::POST, &confirm, None, Some(json!({"code": CODE})))
        .await;
    late.assert_problem(401, "challenge_expired");
}

#[tokio::test]
async fn challenges_of_others_are_not_found() {
    let t = TestServer::start().await;
    let demo = t.login("demo", "demo12345").await;
    let other = t.login("other", "other12345").await;

    let asked = t
        .post(
            &demo,
            "/v1/tokens",
            json!({"name": "ci", "scopes": ["records:read"]}),
        )
        .await;
    let challenge = asked.body["challenge"]["id"].as_str().unwrap();
    t.post(
        &other,
        &format!("/v1/challenges/{challenge}/confirm"),
        json!({"code": CODE}),
    )
    .await
    .assert_problem(404, "challenge_not_found");
    t.get(&other, &format!("/v1/challenges/{challenge}"))
        .await
        .assert_problem(404, "challenge_not_found");
    // Without credentials only login challenges are visible.
    let anonymous = t
        .send(
            Method::GET,
            &format!("/v1/challenges/{challenge}"),
            None,
            None,
        )
        .await;
    anonymous.assert_problem(404, "challenge_not_found");

    let mine = t.get(&demo, &format!("/v1/challenges/{challenge}")).await;
    assert_eq!(mine.body["state"], "pending");
}

#[tokio::test]
async fn sessions_end_on_logout_and_expire() {
    let t = TestServer::start().await;
    let session = t.login("demo", "demo12345").await;
    let ended = t
        .send(Method::DELETE, "/v1/sessions/current", Some(&session), None)
        .await;
    assert_eq!(ended.status, StatusCode::NO_CONTENT);
    t.get(&session, "/v1/me")
        .await
        .assert_problem(401, "invalid_token");

    let session = t.login("demo", "demo12345").await;
    t.advance(12 * 3600).await;
    t.get(&session, "/v1/me")
        .await
        .assert_problem(401, "session_expired");
}

#[tokio::test]
async fn missing_and_garbage_credentials_are_refused() {
    let t = TestServer::start().await;
    let none = t.send(Method::GET, "/v1/records", None, None).await;
    none.assert_problem(401, "unauthenticated");
    t.get("garbage", "/v1/records")
        .await
        .assert_problem(401, "invalid_token");

    let basic = t
        .client
        .get(t.url("/v1/me"))
        .header("authorization", "Basic ZGVtbzpkZW1vMTIzNDU=")
        .send()
        .await
        .unwrap();
    answer(basic).await.assert_problem(401, "invalid_token");
}

#[tokio::test]
async fn tokens_need_a_code_act_within_their_scopes_and_can_be_revoked() {
    let t = TestServer::start().await;
    let session = t.login("demo", "demo12345").await;

    let reader = t.token(&session, &["records:read"]).await;
    let me = t.get(&reader, "/v1/me").await;
    assert_eq!(me.body["credential"], "token");
    assert_eq!(me.body["scopes"], json!(["records:read"]));
    assert_eq!(t.get(&reader, "/v1/records").await.status, StatusCode::OK);

    let cancel = t
        .post(
            &reader,
            &format!("/v1/records/{}/cancellation", record(1)),
            json!({"reason": "plans_changed"}),
        )
        .await;
    cancel.assert_problem(403, "insufficient_scope");
    let slot = t
        .post(
            &reader,
            &format!("/v1/records/{}/reschedule", record(1)),
            json!({"slot_id": "S1"}),
        )
        .await;
    slot.assert_problem(403, "insufficient_scope");

    // A token may never create tokens.
    let created = t
        .post(
            &reader,
            "/v1/tokens",
            json!({"name": "x", "scopes": ["records:read"]}),
        )
        .await;
    created.assert_problem(403, "forbidden");

    let listed = t.get(&session, "/v1/tokens").await;
    let id = listed.body[0]["id"].as_str().unwrap().to_string();
    let revoked = t
        .send(
            Method::DELETE,
            &format!("/v1/tokens/{id}"),
            Some(&session),
            None,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    t.get(&reader, "/v1/records")
        .await
        .assert_problem(401, "invalid_token");
    let missing = t
        .send(Method::DELETE, "/v1/tokens/tok_nope", Some(&session), None)
        .await;
    missing.assert_problem(404, "token_not_found");
}

#[tokio::test]
async fn tokens_expire_and_validate_their_request() {
    let t = TestServer::start().await;
    let session = t.login("demo", "demo12345").await;
    let bad_days = t
        .post(
            &session,
            "/v1/tokens",
            json!({"name": "x", "scopes": ["records:read"], "expires_in_days": 0}),
        )
        .await;
    bad_days.assert_problem(400, "invalid_request");
    let no_scope = t
        .post(&session, "/v1/tokens", json!({"name": "x", "scopes": []}))
        .await;
    no_scope.assert_problem(400, "invalid_request");
    let unknown_scope = t
        .post(
            &session,
            "/v1/tokens",
            json!({"name": "x", "scopes": ["records:delete"]}),
        )
        .await;
    unknown_scope.assert_problem(400, "invalid_request");

    let token = t.token(&session, &["records:read"]).await;
    t.advance(30 * 86_400).await;
    t.get(&token, "/v1/records")
        .await
        .assert_problem(401, "invalid_token");
}

#[tokio::test]
async fn token_use_is_noted() {
    let t = TestServer::start().await;
    let session = t.login("demo", "demo12345").await;
    let token = t.token(&session, &["records:read"]).await;
    let before = t.get(&session, "/v1/tokens").await;
    assert!(before.body[0]["last_used_at"].is_null());
    t.get(&token, "/v1/me").await;
    let after = t.get(&session, "/v1/tokens").await;
    assert_eq!(after.body[0]["last_used_at"], json!(start_time()));
}

#[tokio::test]
async fn a_token_without_records_read_cannot_read() {
    let t = TestServer::start().await;
    let session = t.login("demo", "demo12345").await;
    let canceller = t.token(&session, &["records:cancel"]).await;
    t.get(&canceller, "/v1/records")
        .await
        .assert_problem(403, "insufficient_scope");
    let shown = t
        .get(&canceller, &format!("/v1/records/{}", record(1)))
        .await;
    shown.assert_problem(403, "insufficient_scope");
    let done = t
        .post(
            &canceller,
            &format!("/v1/records/{}/cancellation", record(1)),
            json!({"reason": "duplicate"}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{:#}", done.body);
    assert_eq!(done.body["record"]["allowed_actions"], json!([]));
}
