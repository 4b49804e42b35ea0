//! `apptctl retry`: finishing batches that were killed, interrupted or cut
//! short, without cancelling anything twice or re-sending finished items.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::batch_support::{
    assert_cancelled_once, cancellable_ids, id_file, journal_lines, journals, pool, with_token,
};
use crate::support::{json, stderr, DevServer, TestEnv};

/// Items in the batches that get stopped part-way.
const LONG_BATCH: usize = 150;

/// Starts a one-at-a-time batch over `ids` with the token, in the background.
fn start_batch(env: &TestEnv, token: &str, ids: &[String]) -> Child {
    let file = id_file(env, "long.txt", ids);
    env.std_cmd(&["cancel-batch", "--reason", "duplicate", "--yes"])
        .args(["--concurrency", "1", "-o", "ndjson", "--file"])
        .arg(file)
        .env("APPTCTL_TOKEN", token)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cancel-batch")
}

/// Waits until the batch's journal holds `count` item lines.
fn wait_for_items(env: &TestEnv, child: &mut Child, count: usize) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(path) = journals(env).first() {
            if item_lines(path).len() >= count {
                return path.clone();
            }
        }
        let finished = child.try_wait().expect("poll the batch");
        assert!(
            finished.is_none(),
            "the batch ended before it could be stopped"
        );
        assert!(Instant::now() < deadline, "the batch made no progress");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn item_lines(path: &Path) -> Vec<Value> {
    journal_lines(&path.to_path_buf())
        .into_iter()
        .filter(|line| line["type"] == "item")
        .collect()
}

/// Record ids the journal records as done.
fn done_in(path: &Path) -> HashSet<String> {
    item_lines(path)
        .iter()
        .filter(|line| line["outcome"] == "cancelled" || line["outcome"] == "already_cancelled")
        .map(|line| line["record_id"].as_str().unwrap().to_string())
        .collect()
}

fn retried_ids(output: &std::process::Output) -> HashSet<String> {
    json(output)["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["record_id"].as_str().unwrap().to_string())
        .collect()
}

/// A server with enough bulk records for the long batches, slowed a little
/// so a batch can be stopped part-way.
fn slow_server() -> DevServer {
    DevServer::start(&["--records", "200", "--latency", "5"])
}

#[test]
fn a_killed_batch_is_finished_by_retry_without_acting_twice() {
    let server = slow_server();
    let (env, token) = with_token(&server);
    let ids: Vec<String> = cancellable_ids(&env).into_iter().take(LONG_BATCH).collect();

    let mut child = start_batch(&env, &token, &ids);
    let journal = wait_for_items(&env, &mut child, 10);
    child.kill().expect("SIGKILL the batch");
    child.wait().expect("reap the batch");

    let done = done_in(&journal);
    assert!(done.len() < ids.len(), "the kill came too late");

    let output = env
        .run(&["retry", "-o", "json"])
        .env("APPTCTL_TOKEN", &token)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}\n{}",
        stderr(&output),
        crate::support::stdout(&output)
    );
    let retried = retried_ids(&output);
    assert!(
        retried.is_disjoint(&done),
        "retry re-sent finished items: {:?}",
        retried.intersection(&done).collect::<Vec<_>>()
    );
    assert_eq!(retried.len() + done.len(), ids.len());
    assert_cancelled_once(&env, &ids);

    let again = env
        .run(&["retry"])
        .env("APPTCTL_TOKEN", &token)
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", stderr(&again));
}

#[test]
fn ctrl_c_stops_cleanly_with_exit_130_and_the_journal_written() {
    let server = slow_server();
    let (env, token) = with_token(&server);
    let ids: Vec<String> = cancellable_ids(&env).into_iter().take(LONG_BATCH).collect();

    let mut child = start_batch(&env, &token, &ids);
    let journal = wait_for_items(&env, &mut child, 5);
    let pid = i32::try_from(child.id()).expect("a pid");
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(pid, libc::SIGINT) };
    let status = child.wait().expect("reap the batch");
    assert_eq!(status.code(), Some(130));

    let lines = journal_lines(&journal);
    let end = lines
        .iter()
        .find(|line| line["type"] == "run_end")
        .expect("a run end line");
    assert_eq!(end["interrupted"], true);
    let done = done_in(&journal);
    assert!(!done.is_empty() && done.len() < ids.len());

    let output = env
        .run(&["retry", "-o", "json"])
        .env("APPTCTL_TOKEN", &token)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(retried_ids(&output).is_disjoint(&done));
    assert_cancelled_once(&env, &ids);
}

#[test]
fn a_torn_journal_is_read_and_its_lost_items_are_retried() {
    let pool = pool();
    let (env, token) = with_token(&pool.server);
    let ids = pool.take(5);
    let file = id_file(&env, "five.txt", &ids);
    let output = env
        .run(&[
            "cancel-batch",
            "--reason",
            "duplicate",
            "--yes",
            "--concurrency",
            "1",
        ])
        .arg("--file")
        .arg(&file)
        .env("APPTCTL_TOKEN", &token)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));

    // Drop the last two item lines and the run end, as a crash before the
    // last fsync would, and leave half a line behind.
    let journal = journals(&env)[0].clone();
    let text = std::fs::read_to_string(&journal).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let kept = lines[..lines.len() - 3].join("\n");
    std::fs::write(
        &journal,
        format!("{kept}\n{{\"type\":\"item\",\"record_id\":\"R00"),
    )
    .unwrap();

    let listed = env.run(&["journal", "-o", "json"]).output().unwrap();
    assert!(listed.status.success(), "{}", stderr(&listed));
    let batch = &json(&listed)[0];
    assert_eq!(batch["cancelled"], 3);
    assert_eq!(batch["pending"], 2);

    let output = env
        .run(&["retry", "-o", "json"])
        .env("APPTCTL_TOKEN", &token)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(retried_ids(&output).len(), 2);
    assert_cancelled_once(&env, &ids);

    let listed = env.run(&["journal", "-o", "json"]).output().unwrap();
    assert_eq!(json(&listed)[0]["pending"], 0);
}

#[test]
fn a_revoked_token_stops_the_batch_and_retry_finishes_it() {
    let server = slow_server();
    let (env, token) = with_token(&server);
    let ids: Vec<String> = cancellable_ids(&env).into_iter().take(LONG_BATCH).collect();

    let mut child = start_batch(&env, &token, &ids);
    let journal = wait_for_items(&env, &mut child, 5);
    let tokens = env.run(&["token", "list", "-o", "json"]).output().unwrap();
    let token_id = json(&tokens)[0]["id"].as_str().unwrap().to_string();
    env.run(&["token", "revoke", &token_id]).assert().success();
    let status = child.wait().expect("reap the batch");
    assert_eq!(status.code(), Some(10));

    let stopped = journal_lines(&journal);
    let refused = stopped
        .iter()
        .filter(|line| line["type"] == "item" && line["class"] == "auth")
        .count();
    assert!(
        (1..=16).contains(&refused),
        "{refused} items met the revoked token"
    );
    let done = done_in(&journal);
    assert!(
        done.len() + refused < ids.len(),
        "the batch did not stop early"
    );

    let fresh = env.create_token("fresh", "records:cancel,records:read");
    let output = env
        .run(&["retry", "-o", "json"])
        .env("APPTCTL_TOKEN", &fresh)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(retried_ids(&output).is_disjoint(&done));
    assert_cancelled_once(&env, &ids);
}

#[test]
fn a_running_batch_cannot_be_retried_at_the_same_time() {
    let server = slow_server();
    let (env, token) = with_token(&server);
    let ids: Vec<String> = cancellable_ids(&env).into_iter().take(LONG_BATCH).collect();

    let mut child = start_batch(&env, &token, &ids);
    wait_for_items(&env, &mut child, 3);
    let busy = env
        .run(&["retry"])
        .env("APPTCTL_TOKEN", &token)
        .output()
        .unwrap();
    let still_running = child.try_wait().expect("poll the batch").is_none();
    child.kill().expect("stop the batch");
    child.wait().expect("reap the batch");

    assert!(
        still_running,
        "the batch ended before the retry could meet it"
    );
    assert_eq!(busy.status.code(), Some(5), "{}", stderr(&busy));
    assert!(
        stderr(&busy).contains("another apptctl"),
        "{}",
        stderr(&busy)
    );

    let output = env
        .run(&["retry"])
        .env("APPTCTL_TOKEN", &token)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_cancelled_once(&env, &ids);
}
