//! `cancel-batch` against the real dev server: files and pipes, sessions
//! and tokens, input checks that send nothing, partial failures, guards,
//! and a batch under injected faults.

use serde_json::Value;

use crate::batch_support::{
    assert_cancelled_once, cancellable_ids, code, id_file, journal_lines, journals, pool, session,
    status, with_token,
};
use crate::support::{binary, json, stderr, stdout, DevServer};

/// A valid id (the check digit is right) that no record has.
fn missing() -> String {
    apptctl_api::RecordId::from_number(999_999_999)
        .unwrap()
        .to_string()
}

#[test]
fn a_session_cancels_a_file_of_ids_with_one_code() {
    let pool = pool();
    let env = session(&pool.server);
    let ids = pool.take(100);
    let mut lines = vec!["# office closed".to_string(), String::new()];
    lines.extend(ids.iter().cloned());
    lines.push(ids[0].clone());
    let file = id_file(&env, "ids.txt", &lines);

    let output = env
        .run(&[
            "cancel-batch",
            "--reason",
            "duplicate",
            "--yes",
            "-o",
            "json",
        ])
        .arg("--file")
        .arg(&file)
        .args(code())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("duplicate"), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("cancelling ["),
        "no progress bar on a pipe"
    );

    let body = json(&output);
    assert!(body["batch_id"].is_string());
    assert_eq!(body["summary"]["cancelled"], 100);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 100);
    assert!(items.iter().all(|item| item["outcome"] == "cancelled"));
    assert_eq!(status(&env, &ids[7]), "cancelled");
    assert_cancelled_once(&env, &ids);
}

#[test]
fn a_token_cancels_ids_piped_from_list() {
    let server = DevServer::start(&["--records", "40"]);
    let (env, token) = with_token(&server);
    let before = cancellable_ids(&env);
    let confirmed_later = "list -q --status confirmed,pending --from \"$FROM\"";
    let script = format!(
        "\"$APPTCTL\" {confirmed_later} | \"$APPTCTL\" cancel-batch --file - --reason duplicate \
         --yes -o ndjson"
    );
    let from = (chrono::Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();

    let shell = env.std_cmd(&[]);
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .envs(shell.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("APPTCTL", binary())
        .env("APPTCTL_TOKEN", &token)
        .env("FROM", &from)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));

    let text = stdout(&output);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (summary, items) = lines.split_last().expect("a summary line");
    assert!(items.len() >= 10, "only {} items: {text}", items.len());
    assert!(items.iter().all(|item| item["outcome"] == "cancelled"));
    assert_eq!(summary["summary"]["cancelled"], items.len());

    let cancelled: Vec<String> = items
        .iter()
        .map(|i| i["record_id"].as_str().unwrap().to_string())
        .collect();
    assert!(cancelled.iter().all(|id| before.contains(id)));
    assert_cancelled_once(&env, &cancelled);
}

#[test]
fn bad_lines_are_all_reported_and_nothing_is_sent() {
    let pool = pool();
    let env = session(&pool.server);
    let ids = pool.take(2);
    let mut typo = ids[1].clone();
    let last = typo.pop().unwrap();
    typo.push(if last == '0' { '1' } else { '0' });
    let lines = vec![
        ids[0].clone(),
        "R123".into(),
        typo,
        "# fine".into(),
        "hello".into(),
    ];
    let file = id_file(&env, "bad.txt", &lines);

    let output = env
        .run(&["cancel-batch", "--reason", "duplicate", "--yes"])
        .arg("--file")
        .arg(&file)
        .args(code())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let err = stderr(&output);
    for line in ["line 2:", "line 3:", "line 5:"] {
        assert!(err.contains(line), "{line} missing: {err}");
    }
    assert!(
        !err.contains("line 1:") && !err.contains("line 4:"),
        "{err}"
    );
    assert_ne!(status(&env, &ids[0]), "cancelled");
    assert!(journals(&env).is_empty(), "no batch may start");
}

#[test]
fn some_failures_make_a_partial_batch_with_per_item_results() {
    let pool = pool();
    let env = session(&pool.server);
    let mut ids = pool.take(5);
    ids.push(missing());
    let file = id_file(&env, "mixed.txt", &ids);

    let output = env
        .run(&[
            "cancel-batch",
            "--reason",
            "wrong_data",
            "--yes",
            "-o",
            "json",
        ])
        .arg("--file")
        .arg(&file)
        .args(code())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(10), "{}", stderr(&output));

    let body = json(&output);
    assert_eq!(body["summary"]["cancelled"], 5);
    assert_eq!(body["summary"]["failed"], 1);
    let failed: Vec<&Value> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["outcome"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["record_id"], missing());
    assert_eq!(failed[0]["code"], "record_not_found");
    assert_eq!(failed[0]["class"], "not_found");
}

#[test]
fn a_wrong_expected_count_aborts_before_sending() {
    let pool = pool();
    let (env, token) = with_token(&pool.server);
    let ids = pool.take(3);
    let file = id_file(&env, "three.txt", &ids);

    let output = env
        .run(&[
            "cancel-batch",
            "--reason",
            "duplicate",
            "--yes",
            "--expect-count",
            "4",
        ])
        .arg("--file")
        .arg(&file)
        .env("APPTCTL_TOKEN", &token)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--expect-count"),
        "{}",
        stderr(&output)
    );
    assert!(ids.iter().all(|id| status(&env, id) != "cancelled"));
}

#[test]
fn a_selection_without_filters_needs_all() {
    let pool = pool();
    let (env, token) = with_token(&pool.server);
    let output = env
        .run(&["cancel-batch", "--reason", "duplicate", "--yes"])
        .env("APPTCTL_TOKEN", &token)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--all"), "{}", stderr(&output));
}

#[test]
fn off_a_terminal_it_needs_yes() {
    let pool = pool();
    let (env, token) = with_token(&pool.server);
    let ids = pool.take(1);
    let file = id_file(&env, "one.txt", &ids);
    let output = env
        .run(&["cancel-batch", "--reason", "duplicate"])
        .arg("--file")
        .arg(&file)
        .env("APPTCTL_TOKEN", &token)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--yes"), "{}", stderr(&output));
    assert_ne!(status(&env, &ids[0]), "cancelled");
}

#[test]
fn a_dry_run_changes_nothing_and_says_why_not() {
    let pool = pool();
    let env = session(&pool.server);
    let mut ids = pool.take(3);
    ids.push(missing());
    let file = id_file(&env, "dry.txt", &ids);

    let output = env
        .run(&[
            "cancel-batch",
            "--reason",
            "duplicate",
            "--dry-run",
            "-o",
            "json",
        ])
        .arg("--file")
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let rows = json(&output);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows.iter().filter(|r| r["would_cancel"] == true).count(), 3);
    assert!(ids[..3].iter().all(|id| status(&env, id) != "cancelled"));
    assert!(journals(&env).is_empty());
}

#[test]
fn under_faults_every_record_is_cancelled_exactly_once() {
    let server = DevServer::start(&["--records", "60", "--fault-rate", "0.3"]);
    let (env, token) = with_token(&server);
    let ids: Vec<String> = cancellable_ids(&env).into_iter().take(40).collect();
    let file = id_file(&env, "faulty.txt", &ids);

    let output = env
        .run(&[
            "cancel-batch",
            "--reason",
            "duplicate",
            "--yes",
            "-o",
            "json",
        ])
        .args(["--concurrency", "8"])
        .arg("--file")
        .arg(&file)
        .env("APPTCTL_TOKEN", &token)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let body = json(&output);
    assert_eq!(body["summary"]["cancelled"], 40, "{body}");

    let journal = &journals(&env)[0];
    let retried = journal_lines(journal)
        .iter()
        .filter(|line| line["type"] == "item" && line["attempts"].as_u64() > Some(1))
        .count();
    assert!(retried > 0, "a 30% fault rate must have needed retries");
    assert_cancelled_once(&env, &ids);
}

#[test]
fn filters_select_the_records_like_list_does() {
    let server = DevServer::start(&["--records", "30"]);
    let (env, token) = with_token(&server);
    let from = (chrono::Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let filters = ["--status", "confirmed", "--from", from.as_str()];
    let listed = env
        .run(&["list", "-q", "--all"])
        .args(filters)
        .output()
        .unwrap();
    let ids: Vec<String> = stdout(&listed).lines().map(str::to_string).collect();
    assert!(ids.len() >= 3, "too few records: {ids:?}");

    let count = ids.len().to_string();
    let output = env
        .run(&[
            "cancel-batch",
            "--reason",
            "duplicate",
            "--yes",
            "-o",
            "json",
        ])
        .args(filters)
        .args(["--expect-count", &count])
        .env("APPTCTL_TOKEN", &token)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(json(&output)["summary"]["cancelled"], ids.len());

    let journal = &journal_lines(&journals(&env)[0])[0];
    assert_eq!(journal["selection"]["kind"], "filters");
    assert_eq!(journal["selection"]["query"]["status"], "confirmed");

    let left = env
        .run(&["list", "-q", "--all"])
        .args(filters)
        .output()
        .unwrap();
    assert_eq!(stdout(&left), "", "every selected record is cancelled");
    assert_cancelled_once(&env, &ids);
}
