//! `apptctl journal`: the batch list, one batch's items, and failures
//! grouped by class and code; and `retry` skipping what cannot succeed.

use serde_json::Value;

use crate::batch_support::{code, id_file, pool, session};
use crate::support::{json, stderr, stdout};

fn missing(n: u64) -> String {
    apptctl_api::RecordId::from_number(999_999_000 + n)
        .unwrap()
        .to_string()
}

#[test]
fn failures_are_grouped_and_hopeless_ones_are_not_retried() {
    let pool = pool();
    let env = session(&pool.server);
    let mut ids = pool.take(3);
    ids.extend([missing(1), missing(2)]);
    let file = id_file(&env, "mixed.txt", &ids);

    let output = env
        .run(&["cancel-batch", "--reason", "duplicate", "--yes", "-q"])
        .arg("--file")
        .arg(&file)
        .args(code())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(10), "{}", stderr(&output));
    assert_eq!(
        stdout(&output).lines().count(),
        3,
        "-q prints the cancelled ids"
    );

    let listed = env.run(&["journal", "-o", "json"]).output().unwrap();
    assert!(listed.status.success(), "{}", stderr(&listed));
    let batch = &json(&listed)[0];
    assert_eq!(batch["items"], 5);
    assert_eq!(batch["cancelled"], 3);
    assert_eq!(batch["failed"], 2);
    let batch_id = batch["batch_id"].as_str().unwrap().to_string();

    let items = env
        .run(&["journal", &batch_id, "-o", "csv"])
        .output()
        .unwrap();
    assert!(items.status.success(), "{}", stderr(&items));
    let csv = stdout(&items);
    assert!(csv.starts_with("record,outcome,"), "{csv}");
    assert_eq!(csv.lines().count(), 6);

    let errors = env
        .run(&["journal", "--errors", "-o", "json"])
        .output()
        .unwrap();
    assert!(errors.status.success(), "{}", stderr(&errors));
    let groups = json(&errors);
    let not_found: Vec<&Value> = groups
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["code"] == "record_not_found")
        .collect();
    assert_eq!(not_found.len(), 1, "{groups}");
    assert_eq!(not_found[0]["class"], "not_found");
    assert_eq!(not_found[0]["count"], 2);
    assert!(not_found[0]["first_seen"].is_string());

    let retry = env
        .run(&["retry", &batch_id])
        .args(code())
        .output()
        .unwrap();
    assert!(retry.status.success(), "{}", stderr(&retry));
    assert!(stderr(&retry).contains("--all"), "{}", stderr(&retry));

    let retry_all = env
        .run(&["retry", &batch_id, "--all", "-o", "json"])
        .args(code())
        .output()
        .unwrap();
    assert_eq!(retry_all.status.code(), Some(10), "{}", stderr(&retry_all));
    assert_eq!(json(&retry_all)["items"].as_array().unwrap().len(), 2);

    let errors = env
        .run(&["journal", &batch_id, "--errors", "-o", "json"])
        .output()
        .unwrap();
    let groups = json(&errors);
    assert_eq!(groups[0]["count"], 4, "{groups}");
}

#[test]
fn an_unknown_batch_is_not_found() {
    let pool = pool();
    let env = pool.server.env();
    let output = env.run(&["journal", "no-such-batch"]).output().unwrap();
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    let output = env
        .run(&["retry"])
        .env("APPTCTL_TOKEN", "t")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
}
