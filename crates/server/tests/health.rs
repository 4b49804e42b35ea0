//! `/healthz` asks the database itself: 200 while it answers, 503 (with
//! `database_ok: false`) once it does not, so a load balancer can take the
//! instance out of rotation.

mod support;

use reqwest::{Method, StatusCode};
use support::*;

#[tokio::test]
async fn health_is_503_when_the_database_cannot_answer() {
    let t = TestServer::start().await;
    let healthy = t.send(Method::GET, "/healthz", None, None).await;
    assert_eq!(healthy.status, StatusCode::OK);
    assert_eq!(healthy.body["database_ok"], true);

    // Another process breaks the schema under the running service; a
    // `SELECT 1` would not notice, a query of the database does.
    t.execute_sql("DROP TABLE schema_migrations").await;

    let broken = t.send(Method::GET, "/healthz", None, None).await;
    assert_eq!(broken.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(broken.body["database_ok"], false);
    assert_eq!(broken.body["status"], "degraded");
}
