//! The checked-in contract `openapi.json` (repository root) must equal what
//! the service serves at `/openapi.json`. Regenerate it after changing the
//! API with:
//!
//! ```text
//! UPDATE_OPENAPI=1 cargo test -p apptctl-server --test openapi_drift
//! ```

use std::path::PathBuf;

use apptctl_server::platform;
use serde_json::Value;

fn checked_in_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../openapi.json")
}

async fn served_document() -> Value {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        axum::serve(listener, platform::ops_router())
            .await
            .expect("server runs");
    });

    let response = reqwest::get(format!("http://{addr}/openapi.json"))
        .await
        .expect("fetched");
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    response.json().await.expect("a JSON document")
}

#[tokio::test]
async fn the_checked_in_contract_matches_the_served_one() {
    let served = served_document().await;
    assert_eq!(served["openapi"], "3.1.0");

    let path = checked_in_path();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        let text = serde_json::to_string_pretty(&served).expect("serialises") + "\n";
        std::fs::write(&path, text).expect("openapi.json written");
        return;
    }

    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let checked_in: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    assert!(
        checked_in == served,
        "openapi.json differs from the document the service serves; regenerate it with\n\
         UPDATE_OPENAPI=1 cargo test -p apptctl-server --test openapi_drift"
    );
}
