//! `apptctl cancel ID...` against the real dev server.

use crate::batch_support::{code, pool, session, status, with_token};
use crate::support::{json, stderr, TestEnv};

#[test]
fn a_session_cancels_with_the_one_time_code() {
    let pool = pool();
    let env = session(&pool.server);
    let ids = pool.take(2);

    let output = env
        .run(&[
            "cancel",
            &ids[0],
            &ids[1],
            "--reason",
            "plans_changed",
            "--yes",
        ])
        .args(code())
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let items = json(&output);
    assert_eq!(items.as_array().unwrap().len(), 2);
    assert!(ids.iter().all(|id| status(&env, id) == "cancelled"));
}

#[test]
fn a_session_without_a_code_off_a_terminal_is_refused() {
    let pool = pool();
    let env = session(&pool.server);
    let ids = pool.take(1);
    let output = env
        .run(&["cancel", &ids[0], "--reason", "plans_changed", "--yes"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--code"), "{}", stderr(&output));
    assert_ne!(status(&env, &ids[0]), "cancelled");
}

#[test]
fn a_token_cancels_without_a_code_and_again_is_a_conflict() {
    let pool = pool();
    let (env, token) = with_token(&pool.server);
    let ids = pool.take(1);

    let output = env
        .run(&["cancel", &ids[0], "--reason", "duplicate", "--yes", "-q"])
        .env("APPTCTL_TOKEN", &token)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), ids[0]);
    assert_eq!(status(&env, &ids[0]), "cancelled");

    let again = env
        .run(&[
            "cancel",
            &ids[0],
            "--reason",
            "duplicate",
            "--yes",
            "-o",
            "json",
        ])
        .env("APPTCTL_TOKEN", &token)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(5), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already_cancelled"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn a_dry_run_changes_nothing() {
    let pool = pool();
    let env = session(&pool.server);
    let ids = pool.take(1);
    let output = env
        .run(&[
            "cancel",
            &ids[0],
            "--reason",
            "duplicate",
            "--dry-run",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(json(&output)[0]["would_cancel"], true);
    assert_ne!(status(&env, &ids[0]), "cancelled");
}

#[test]
fn off_a_terminal_it_needs_yes() {
    let pool = pool();
    let (env, token) = with_token(&pool.server);
    let ids = pool.take(1);
    let output = env
        .run(&["cancel", &ids[0], "--reason", "duplicate"])
        .env("APPTCTL_TOKEN", &token)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--yes"), "{}", stderr(&output));
    assert_ne!(status(&env, &ids[0]), "cancelled");
}

#[test]
fn a_mistyped_id_fails_before_any_request() {
    // Nothing listens there: any request would fail with exit 9, not 3.
    let env = TestEnv::closed_port();
    let output = env
        .run(&["cancel", "R0000000012", "--reason", "duplicate", "--yes"])
        .env("APPTCTL_TOKEN", "unused")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("R0000000012"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn reason_other_needs_a_comment() {
    let env = TestEnv::closed_port();
    let output = env
        .run(&["cancel", "R0000000013", "--reason", "other", "--yes"])
        .env("APPTCTL_TOKEN", "unused")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
}
