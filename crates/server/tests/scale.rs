//! Scale checks, ignored by default (they take tens of seconds): generate a
//! million records and time a page fetch. Run with
//! `cargo test -p apptctl-server --release --test scale -- --ignored --nocapture`.

mod support;

use std::time::Instant;

use reqwest::StatusCode;
use support::*;

#[tokio::test]
#[ignore]
async fn a_million_records_generate_quickly_and_pages_stay_fast() {
    let started = Instant::now();
    // APPTCTL_SCALE_DB keeps the database for a look with the sqlite3 shell.
    let keep = std::env::var_os("APPTCTL_SCALE_DB").map(std::path::PathBuf::from);
    let t = TestServer::start_with(tempfile::tempdir().unwrap(), |o| {
        o.extra_records = 1_000_000;
        if let Some(path) = keep {
            o.db = Some(path);
        }
    })
    .await;
    println!("seeded 1,000,000 extra records in {:?}", started.elapsed());
    let demo = t.login("demo", "demo12345").await;

    let mut cursor = None;
    for page in 0..5 {
        let path = match &cursor {
            Some(c) => format!("/v1/records?limit=1000&cursor={c}"),
            None => "/v1/records?limit=1000".to_string(),
        };
        let started = Instant::now();
        let answer = t.get(&demo, &path).await;
        println!("page {page} of 1000: {:?}", started.elapsed());
        assert_eq!(answer.status, StatusCode::OK);
        cursor = answer.body["next_cursor"].as_str().map(String::from);
    }

    for query in [
        "status=cancelled&limit=50",
        "service=TAX-01&department=dep-02&limit=50",
        "search=R00050&limit=50",
        "from=2027-06-01&limit=50",
        "search=licence&limit=50",
        "status=completed&limit=50",
    ] {
        let started = Instant::now();
        let answer = t.get(&demo, &format!("/v1/records?{query}")).await;
        println!(
            "{query}: {:?} ({} items)",
            started.elapsed(),
            answer.body["items"].as_array().map_or(0, |i| i.len())
        );
        assert_eq!(answer.status, StatusCode::OK);
    }

    let manager = t.login("manager", "manager12345").await;
    let started = Instant::now();
    let answer = t.get(&manager, "/v1/records?limit=50").await;
    println!("manager, first page of 50: {:?}", started.elapsed());
    assert_eq!(answer.status, StatusCode::OK);
}
