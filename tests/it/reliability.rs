//! Proof under faults, crashes and concurrency, end to end: the real CLI
//! against a real dev server that drops, fails, stalls, or is killed. Every
//! test checks the server's own account (the audit journal and `/metrics`),
//! not just what the CLI says. Figures for RELIABILITY.md are printed to
//! stderr (`cargo test reliability -- --nocapture`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::batch_support::{
    assert_cancelled_once, cancellable_ids, id_file, journal_lines, journals, pool, with_token,
};
use crate::reliability_support::{free_port, metric_sum, metrics, PinnedServer};
use crate::support::{json, stderr, DevServer, TestEnv, DEMO};

/// Records cancelled under faults. 5,000 take about 45 s in a debug build
/// on one core; the engine's concurrency hides most of the injected stalls.
const FAULTY_BATCH: usize = 5000;

/// Items in the batches that get killed part-way.
const LONG_BATCH: usize = 120;

/// Every scope, for tokens that cancel and re-book.
const ALL_SCOPES: &str = "records:read,records:cancel,records:rebook";

fn cancel_batch(env: &TestEnv, token: &str, file: &Path, extra: &[&str]) -> Output {
    env.run(&[
        "cancel-batch",
        "--reason",
        "duplicate",
        "--yes",
        "-o",
        "json",
    ])
    .args(extra)
    .arg("--file")
    .arg(file)
    .env("APPTCTL_TOKEN", token)
    .timeout(Duration::from_secs(300))
    .output()
    .expect("run cancel-batch")
}

/// Item lines of a journal whose attempts were more than one.
fn retried_items(journal: &PathBuf) -> usize {
    journal_lines(journal)
        .iter()
        .filter(|line| line["type"] == "item" && line["attempts"].as_u64() > Some(1))
        .count()
}

/// Successful audit entries of `action` per record, or per actor when the
/// action has no record.
fn journaled(env: &TestEnv, token: &str, action: &str) -> HashMap<String, usize> {
    let output = env
        .run(&["history", "--all", "-o", "json"])
        .env("APPTCTL_TOKEN", token)
        .output()
        .unwrap();
    assert!(output.status.success(), "history: {}", stderr(&output));
    let mut counts = HashMap::new();
    for entry in json(&output).as_array().expect("a JSON array") {
        if entry["action"] == action && entry["outcome"] == "ok" {
            let key = entry["record_id"]
                .as_str()
                .or(entry["actor"].as_str())
                .unwrap_or_default()
                .to_string();
            *counts.entry(key).or_insert(0) += 1;
        }
    }
    counts
}

/// Injected faults the server answered so far: 503s before handling and
/// 500s after it.
fn injected(url: &str) -> u64 {
    let text = metrics(url);
    metric_sum(&text, "apptctl_http_requests_total", &["status=\"503\""])
        + metric_sum(&text, "apptctl_http_requests_total", &["status=\"500\""])
}

fn cancellations_counted(url: &str) -> u64 {
    metric_sum(
        &metrics(url),
        "apptctl_cancellations_total",
        &["outcome=\"cancelled\""],
    )
}

#[test]
fn five_thousand_cancellations_under_faults_each_happen_once() {
    // Some bulk records fall inside the cutoff; seed a few more than needed.
    let records = (FAULTY_BATCH + 200).to_string();
    let server = DevServer::start(&["--records", &records, "--fault-rate", "0.3"]);
    let (env, token) = with_token(&server);
    let ids: Vec<String> = cancellable_ids(&env)
        .into_iter()
        .take(FAULTY_BATCH)
        .collect();
    assert_eq!(ids.len(), FAULTY_BATCH);
    let file = id_file(&env, "faulty.txt", &ids);
    let faults_before = injected(&server.url);

    // A 1 s timeout turns the server's 3 s stalls into client timeouts too.
    let started = Instant::now();
    let flags = ["--timeout", "1s", "--concurrency", "32"];
    let output = cancel_batch(&env, &token, &file, &flags);
    let elapsed = started.elapsed();

    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(json(&output)["summary"]["cancelled"], FAULTY_BATCH);
    assert_eq!(cancellations_counted(&server.url), FAULTY_BATCH as u64);
    assert_cancelled_once(&env, &ids);
    let retried = retried_items(&journals(&env)[0]);
    let faults = injected(&server.url) - faults_before;
    assert!(retried > 0 && faults > 0, "a 30% fault rate needs retries");
    eprintln!(
        "figures: {FAULTY_BATCH} items, {faults} 5xx faults injected, \
         {retried} items retried, {elapsed:?}"
    );
}

#[test]
fn rebook_and_login_under_faults_act_exactly_once() {
    let server = DevServer::start(&["--records", "40", "--fault-rate", "0.3"]);
    let env = server.env();
    let logins = 5;
    for _ in 0..logins {
        env.login(DEMO);
    }
    let token = env.create_token("faulty", ALL_SCOPES);
    let ids: Vec<String> = cancellable_ids(&env).into_iter().take(8).collect();
    let file = id_file(&env, "rebook.txt", &ids);
    let cancelled = cancel_batch(&env, &token, &file, &["--timeout", "1s"]);
    assert!(cancelled.status.success(), "{}", stderr(&cancelled));

    for id in &ids {
        let output = env
            .run(&[
                "--timeout",
                "1s",
                "rebook",
                id,
                "--first-free",
                "-o",
                "json",
            ])
            .env("APPTCTL_TOKEN", &token)
            .output()
            .unwrap();
        assert!(output.status.success(), "rebook {id}: {}", stderr(&output));
    }

    let rebooks = journaled(&env, &token, "record.rebook");
    for id in &ids {
        assert_eq!(rebooks.get(id), Some(&1), "{id}: {rebooks:?}");
    }
    let sessions = journaled(&env, &token, "session.create");
    assert_eq!(sessions.values().sum::<usize>(), logins, "{sessions:?}");
    eprintln!(
        "figures: {logins} logins, {} rebooks, {} 5xx faults injected",
        ids.len(),
        injected(&server.url)
    );
}

/// Starts a one-at-a-time batch in the background.
fn start_batch(env: &TestEnv, token: &str, ids: &[String], extra: &[&str]) -> Child {
    let file = id_file(env, "long.txt", ids);
    env.std_cmd(&["cancel-batch", "--reason", "duplicate", "--yes"])
        .args(["--concurrency", "1", "-o", "ndjson"])
        .args(extra)
        .arg("--file")
        .arg(file)
        .env("APPTCTL_TOKEN", token)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cancel-batch")
}

/// Waits until the newest journal holds `count` item lines.
fn wait_for_items(env: &TestEnv, count: usize) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(path) = journals(env).last() {
            let items = journal_lines(path)
                .iter()
                .filter(|l| l["type"] == "item")
                .count();
            if items >= count {
                return path.clone();
            }
        }
        assert!(Instant::now() < deadline, "the batch made no progress");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Record ids the journal records as cancelled (or found cancelled).
fn done_in(journal: &PathBuf) -> Vec<String> {
    journal_lines(journal)
        .iter()
        .filter(|l| l["type"] == "item")
        .filter(|l| l["outcome"] == "cancelled" || l["outcome"] == "already_cancelled")
        .map(|l| l["record_id"].as_str().unwrap().to_string())
        .collect()
}

fn cancellation_requests(url: &str) -> u64 {
    metric_sum(
        &metrics(url),
        "apptctl_http_requests_total",
        &["route=\"/v1/records/{id}/cancellation\""],
    )
}

fn retry(env: &TestEnv, token: &str) -> Output {
    env.run(&["retry", "-o", "json"])
        .env("APPTCTL_TOKEN", token)
        .output()
        .unwrap()
}

#[test]
fn after_a_killed_cli_retry_sends_nothing_for_finished_items() {
    let server = DevServer::start(&["--records", "200", "--latency", "5"]);
    let (env, token) = with_token(&server);
    let ids: Vec<String> = cancellable_ids(&env).into_iter().take(LONG_BATCH).collect();

    let mut child = start_batch(&env, &token, &ids, &[]);
    let journal = wait_for_items(&env, 10);
    child.kill().expect("SIGKILL the batch");
    child.wait().expect("reap the batch");
    let done = done_in(&journal);
    assert!(done.len() < ids.len(), "the kill came too late");

    // Whatever the killed process had in flight may have reached the
    // server, so count from here: only retry's own requests follow.
    let before = cancellation_requests(&server.url);
    let output = retry(&env, &token);
    assert!(
        output.status.success(),
        "{}{}",
        crate::support::stdout(&output),
        stderr(&output)
    );
    let sent = cancellation_requests(&server.url) - before;

    assert_eq!(
        sent as usize,
        ids.len() - done.len(),
        "requests sent by retry"
    );
    assert_cancelled_once(&env, &ids);
    eprintln!(
        "figures: killed after {} of {} items; retry sent {sent} requests",
        done.len(),
        ids.len()
    );
}

#[test]
fn a_killed_server_keeps_what_it_acknowledged_and_retry_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let log = dir.path().join("server.log");
    let port = free_port();
    let extra = ["--records", "200", "--latency", "5"];
    let mut server = PinnedServer::start(port, &db, &log, "warn", &extra);
    let env = server.env();
    env.login(DEMO);
    let token = env.create_token("crash", ALL_SCOPES);
    let ids: Vec<String> = cancellable_ids(&env).into_iter().take(LONG_BATCH).collect();

    let mut child = start_batch(&env, &token, &ids, &["--retries", "0"]);
    wait_for_items(&env, 10);
    server.kill();
    let status = child.wait().expect("reap the batch");
    assert_eq!(status.code(), Some(10), "a batch cut off by a dead server");
    let journal = journals(&env).last().unwrap().clone();
    let acknowledged = done_in(&journal);
    assert!(acknowledged.len() < ids.len(), "the kill came too late");

    let restarted = PinnedServer::start(port, &db, &log, "warn", &extra);
    assert_eq!(restarted.url, server.url);
    let counts = crate::batch_support::cancellations(&env);
    for id in &acknowledged {
        assert_eq!(counts.get(id), Some(&1), "{id} lost in the crash");
    }
    let output = retry(&env, &token);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_cancelled_once(&env, &ids);
    eprintln!(
        "figures: server killed after {} acknowledged of {} items",
        acknowledged.len(),
        ids.len()
    );
}

fn summary_done(output: &Output) -> u64 {
    let summary: Value = json(output)["summary"].clone();
    summary["cancelled"].as_u64().unwrap() + summary["already_cancelled"].as_u64().unwrap()
}

#[test]
fn two_overlapping_batches_at_once_cancel_each_record_once() {
    let pool = pool();
    let (env_a, token) = with_token(&pool.server);
    let env_b = pool.server.env();
    let ids = pool.take(60);
    let first = id_file(&env_a, "first.txt", &ids[..40]);
    let second = id_file(&env_b, "second.txt", &ids[20..]);

    let run = |env: &TestEnv, file: &Path| {
        env.std_cmd(&[
            "cancel-batch",
            "--reason",
            "duplicate",
            "--yes",
            "-o",
            "json",
        ])
        .args(["--concurrency", "8", "--file"])
        .arg(file)
        .env("APPTCTL_TOKEN", &token)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start a batch")
    };
    let a = run(&env_a, &first);
    let b = run(&env_b, &second);
    let a = a.wait_with_output().unwrap();
    let b = b.wait_with_output().unwrap();

    assert!(a.status.success(), "{}", stderr(&a));
    assert!(b.status.success(), "{}", stderr(&b));
    assert_eq!((summary_done(&a), summary_done(&b)), (40, 40));
    assert_cancelled_once(&env_a, &ids);
}
