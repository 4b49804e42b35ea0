//! Helpers of the batch tests: one dev server whose cancellable records are
//! handed out to tests without overlap, logged-in environments, and checks
//! against the server's own audit journal.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use crate::support::{json, stderr, DevServer, TestEnv, CODE, DEMO};

/// The batch tests' server and the cancellable records not yet handed out.
pub struct Pool {
    pub server: DevServer,
    free: Mutex<Vec<String>>,
}

/// The shared batch server (400 extra records for `demo`).
pub fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let server = DevServer::start(&["--records", "400"]);
        let env = session(&server);
        let free = cancellable_ids(&env);
        Pool {
            server,
            free: Mutex::new(free),
        }
    })
}

impl Pool {
    /// `n` records no other test gets.
    pub fn take(&self, n: usize) -> Vec<String> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        assert!(free.len() >= n, "the batch pool ran out of records");
        let at = free.len() - n;
        free.split_off(at)
    }
}

/// Every record of `demo` that the server says can be cancelled now.
pub fn cancellable_ids(env: &TestEnv) -> Vec<String> {
    let output = env.run(&["list", "--all", "-o", "json"]).output().unwrap();
    assert!(output.status.success(), "list: {}", stderr(&output));
    json(&output)
        .as_array()
        .expect("a JSON array")
        .iter()
        .filter(|record| record["cancellable"] == Value::Bool(true))
        .map(|record| record["id"].as_str().expect("an id").to_string())
        .collect()
}

/// An environment logged in as `demo` with a session (codes needed).
pub fn session(server: &DevServer) -> TestEnv {
    let env = server.env();
    env.login(DEMO);
    env
}

/// An environment logged in as `demo`, and a `records:cancel` token to act
/// with (set `APPTCTL_TOKEN` on the command).
pub fn with_token(server: &DevServer) -> (TestEnv, String) {
    let env = session(server);
    let token = env.create_token("batch-tests", "records:cancel,records:read");
    (env, token)
}

/// A file of ids, one per line, in the environment's directory.
pub fn id_file(env: &TestEnv, name: &str, lines: &[String]) -> PathBuf {
    let path = env.dir.path().join(name);
    std::fs::write(&path, lines.join("\n") + "\n").expect("write the id file");
    path
}

/// The record's status as the server shows it.
pub fn status(env: &TestEnv, id: &str) -> String {
    let output = env.run(&["show", id, "-o", "json"]).output().unwrap();
    assert!(output.status.success(), "show {id}: {}", stderr(&output));
    json(&output)["status"]
        .as_str()
        .expect("a status")
        .to_string()
}

/// How many times the server's audit journal records a successful
/// cancellation of each record.
pub fn cancellations(env: &TestEnv) -> HashMap<String, usize> {
    let output = env
        .run(&["history", "--all", "-o", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "history: {}", stderr(&output));
    let mut counts = HashMap::new();
    for entry in json(&output).as_array().expect("a JSON array") {
        if entry["action"] == "record.cancel" && entry["outcome"] == "ok" {
            let id = entry["record_id"].as_str().unwrap_or_default().to_string();
            *counts.entry(id).or_insert(0) += 1;
        }
    }
    counts
}

/// Asserts that each of `ids` was cancelled exactly once.
pub fn assert_cancelled_once(env: &TestEnv, ids: &[String]) {
    let counts = cancellations(env);
    for id in ids {
        assert_eq!(counts.get(id), Some(&1), "{id} cancellations: {counts:?}");
    }
}

/// The journal files in the environment's state directory.
pub fn journals(env: &TestEnv) -> Vec<PathBuf> {
    let dir = env.dir.path().join("state/apptctl/batches");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    paths
}

/// The lines of a journal file, parsed (torn lines skipped).
pub fn journal_lines(path: &PathBuf) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("read the journal");
    text.lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// The one-time code flag pair for sessions.
pub fn code() -> [&'static str; 2] {
    ["--code", CODE]
}
