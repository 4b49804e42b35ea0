//! Reading and changing records: `list` in every format, `show`, `slots`,
//! `rebook`, `reschedule`, `history`, `notifications`, and the exit codes
//! of not found, forbidden and conflict.

use std::io::Read;
use std::process::Stdio;

use serde_json::Value;

use crate::support::{json, json_error, stderr, stdout, DevServer, TestEnv, DEMO, OTHER};

/// demo's records as JSON, every page.
fn demo_records(env: &TestEnv) -> Vec<Value> {
    let output = env.run(&["list", "--all", "-o", "json"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    json(&output).as_array().unwrap().clone()
}

fn logged_in(account: (&str, &str)) -> TestEnv {
    let env = DevServer::shared().env();
    env.login(account);
    env
}

/// The first of demo's seeded records (not the bulk ones) matching `pick`.
fn seeded_record(env: &TestEnv, pick: impl Fn(&Value) -> bool) -> Value {
    let output = env
        .run(&["list", "--all", "-o", "ndjson"])
        .output()
        .unwrap();
    stdout(&output)
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .find(|record| pick(record))
        .expect("a seeded record of that kind")
}

#[test]
fn a_record_in_json_has_the_documented_fields() {
    let env = logged_in(DEMO);
    let output = env
        .run(&["list", "--limit", "1", "-o", "json"])
        .output()
        .unwrap();
    let records = json(&output);
    let record = records[0].as_object().unwrap();
    let mut keys: Vec<&str> = record.keys().map(String::as_str).collect();
    keys.retain(|k| !k.starts_with("rebooked_"));
    expect_test::expect![[r#"
        ["allowed_actions", "cancellable", "cancellable_until", "created_at", "department", "ends_at", "id", "service", "slot_id", "starts_at", "status", "updated_at"]"#]]
    .assert_eq(&format!("{keys:?}"));
    let starts_at = records[0]["starts_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(starts_at).is_ok(),
        "{starts_at}"
    );
}

#[test]
fn list_formats_agree_on_the_records() {
    let env = logged_in(DEMO);
    let ids = |args: &[&str]| {
        let output = env.run(args).output().unwrap();
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        stdout(&output)
    };
    let quiet: Vec<String> = ids(&["list", "--limit", "5", "-q"])
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(quiet.len(), 5);

    let ndjson = ids(&["list", "--limit", "5", "-o", "ndjson"]);
    let from_ndjson: Vec<String> = ndjson
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(from_ndjson, quiet);

    let csv = ids(&["list", "--limit", "5", "-o", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("id,status,service,department,starts_at,cancellable_until,actions")
    );
    let from_csv: Vec<String> = lines
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    assert_eq!(from_csv, quiet);

    // Off a terminal the table is plain tab-separated text, no colour.
    let plain = ids(&["list", "--limit", "5"]);
    assert!(!plain.contains('\x1b'));
    let first: Vec<&str> = plain.lines().next().unwrap().split('\t').collect();
    assert_eq!(first[0], quiet[0]);
    assert_eq!(first.len(), 7);
}

#[test]
fn list_filters_reach_the_server() {
    let env = logged_in(DEMO);
    let output = env
        .run(&["list", "--status", "cancelled,expired", "-o", "json"])
        .output()
        .unwrap();
    let records = json(&output);
    assert!(!records.as_array().unwrap().is_empty());
    for record in records.as_array().unwrap() {
        let status = record["status"].as_str().unwrap();
        assert!(status == "cancelled" || status == "expired", "{status}");
    }
}

#[test]
fn list_all_pages_through_every_record() {
    let env = logged_in(DEMO);
    let all = demo_records(&env);
    // The shared server seeds 1,100 bulk records: more than one 1,000-page.
    assert!(all.len() > 1_100, "{}", all.len());
    let mut ids: Vec<&str> = all.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "a record appeared on two pages");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let env = logged_in(DEMO);
    let mut command = env.std_cmd(&["list", "--all", "-q"]);
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first_line = [0u8; 12];
    child
        .stdout
        .take()
        .unwrap()
        .read_exact(&mut first_line)
        .unwrap();
    // stdout is dropped here, as `| head -1` would close it.
    let status = child.wait().unwrap();
    let mut errors = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut errors)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{errors}");
    assert!(!errors.contains("panicked"), "{errors}");
}

#[test]
fn show_gives_everything_about_a_record() {
    let env = logged_in(DEMO);
    let id = demo_records(&env)[0]["id"].as_str().unwrap().to_string();

    let output = env.run(&["show", &id, "-o", "json"]).output().unwrap();
    let details = json(&output);
    assert_eq!(details["id"], id.as_str());
    for key in ["applicant", "documents", "comments", "history"] {
        assert!(details.get(key).is_some(), "show -o json lacks {key}");
    }

    let output = env.run(&["show", &id]).output().unwrap();
    let text = stdout(&output);
    for section in ["applicant", "documents", "history"] {
        assert!(text.contains(section), "show lacks {section}: {text}");
    }
}

#[test]
fn another_applicants_record_is_not_found() {
    let other = logged_in(OTHER);
    let theirs = demo_records(&other)[0]["id"].as_str().unwrap().to_string();

    let env = logged_in(DEMO);
    let output = env.run(&["show", &theirs, "-o", "json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    let error = json_error(&output);
    assert_eq!(error["error"]["class"], "not_found");
    assert!(error["error"]["request_id"]
        .as_str()
        .is_some_and(|r| !r.is_empty()));
}

#[test]
fn a_token_without_the_scope_is_forbidden() {
    let env = logged_in(DEMO);
    let secret = env.create_token("read-only", "records:read");
    let cancelled = seeded_record(&env, |r| {
        r["status"] == "cancelled" && r.get("rebooked_to").is_none()
    });
    let id = cancelled["id"].as_str().unwrap();
    env.run(&["rebook", id, "--first-free"])
        .env("APPTCTL_TOKEN", &secret)
        .assert()
        .code(7);
}

#[test]
fn rebooking_an_active_record_is_a_conflict() {
    let env = logged_in(DEMO);
    let active = seeded_record(&env, |r| r["status"] == "confirmed");
    let output = env
        .run(&[
            "rebook",
            active["id"].as_str().unwrap(),
            "--first-free",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    assert_eq!(json_error(&output)["error"]["class"], "conflict");
}

#[test]
fn rebook_and_reschedule_move_records_to_free_slots() {
    let env = logged_in(DEMO);
    let expired = seeded_record(&env, |r| r["status"] == "expired");
    let output = env
        .run(&[
            "rebook",
            expired["id"].as_str().unwrap(),
            "--first-free",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let new = json(&output);
    assert_ne!(new["id"], expired["id"]);
    assert_eq!(new["service"]["code"], expired["service"]["code"]);

    let service = new["service"]["code"].as_str().unwrap();
    let output = env
        .run(&["slots", "--service", service, "--limit", "3", "-q"])
        .output()
        .unwrap();
    let slots: Vec<String> = stdout(&output).lines().map(String::from).collect();
    assert!(!slots.is_empty(), "{}", stderr(&output));

    let new_id = new["id"].as_str().unwrap();
    let output = env
        .run(&["reschedule", new_id, "--slot", &slots[0], "-o", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(json(&output)["slot_id"], slots[0].as_str());
}

#[test]
fn a_taken_slot_lists_the_alternatives() {
    let env = logged_in(DEMO);
    let records = demo_records(&env);
    // Two of demo's active records with the same service: move one into
    // the other's slot.
    let active: Vec<&Value> = records
        .iter()
        .filter(|r| {
            r["allowed_actions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == "reschedule")
        })
        .collect();
    let (moving, holder) = active
        .iter()
        .flat_map(|a| active.iter().map(move |b| (*a, *b)))
        .find(|(a, b)| a["id"] != b["id"] && a["service"]["code"] == b["service"]["code"])
        .expect("two active records of one service");

    let output = env
        .run(&[
            "reschedule",
            moving["id"].as_str().unwrap(),
            "--slot",
            holder["slot_id"].as_str().unwrap(),
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    let error = json_error(&output);
    assert_eq!(error["error"]["code"], "slot_taken");
    assert!(error["error"]["details"]["alternatives"]
        .as_array()
        .is_some_and(|a| !a.is_empty()));
}

#[test]
fn history_and_notifications_list_in_json() {
    let env = logged_in(DEMO);
    let output = env
        .run(&["history", "--limit", "5", "-o", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(json(&output).as_array().is_some());

    let output = env.run(&["notifications", "-o", "json"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    // Logging in sent a one-time code: at least that message is there.
    assert!(!json(&output).as_array().unwrap().is_empty());
}

#[test]
fn history_of_one_record_shows_only_that_record() {
    let env = logged_in(DEMO);
    let confirmed = seeded_record(&env, |r| r["status"] == "confirmed");
    let id = confirmed["id"].as_str().unwrap();
    // Reading a record leaves no audit entry; a refused change does.
    env.run(&["rebook", id, "--first-free"]).assert().code(5);

    let output = env
        .run(&["history", "--record", id, "-o", "json"])
        .output()
        .unwrap();
    let entries = json(&output);
    let entries = entries.as_array().unwrap();
    assert!(!entries.is_empty(), "no audit entry for the refused rebook");
    assert!(entries.iter().all(|e| e["record_id"] == id), "{entries:?}");
}
