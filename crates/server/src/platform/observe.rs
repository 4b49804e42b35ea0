//! Metrics and the access log: one counter bump and one log line per
//! request, labelled with the matched route template rather than the raw
//! path, so record ids never become label values.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::request_id::RequestId;

/// Label for requests that matched no route (404s from the fallback).
const UNMATCHED: &str = "unmatched";

pub(super) async fn observe_request(req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_string())
        .unwrap_or_else(|| UNMATCHED.to_string());
    let request_id = req.extensions().get::<RequestId>().map(|id| id.0.clone());

    let span = tracing::info_span!(
        "request",
        method = %method,
        route = %route,
        request_id = request_id.as_deref().unwrap_or(""),
    );
    let started = Instant::now();
    let response = next.run(req).instrument(span.clone()).await;

    let status = response.status().as_u16();
    crate::metrics::record_request(&method, &route, status);
    log_request(&span, status, started);
    response
}

/// Server errors are worth a warning; everything else is routine and stays
/// at debug so heavy benchmarks do not drown in access lines.
fn log_request(span: &tracing::Span, status: u16, started: Instant) {
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let _entered = span.enter();
    if status >= 500 {
        tracing::warn!(status, latency_ms, "request served");
    } else {
        tracing::debug!(status, latency_ms, "request served");
    }
}
