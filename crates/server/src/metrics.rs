//! Prometheus counters: requests by route and status, cancellations by
//! outcome and code. A process-wide registry, because every layer and handler
//! reports into it and `/metrics` renders it.
//!
//! A handful of label sets exist, so a mutex-guarded map is plenty; counters
//! are bumped once per request, far below where contention would show.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock};

type Labels = Vec<(&'static str, String)>;

#[derive(Default)]
struct Registry {
    counters: BTreeMap<&'static str, BTreeMap<Labels, u64>>,
}

fn registry() -> &'static Mutex<Registry> {
    static REGISTRY: OnceLock<Mutex<Registry>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

fn bump(name: &'static str, labels: Labels) {
    let mut registry = registry().lock().unwrap_or_else(|e| e.into_inner());
    *registry
        .counters
        .entry(name)
        .or_default()
        .entry(labels)
        .or_default() += 1;
}

/// One HTTP request served. `route` is the matched route template, never
/// the raw path, so ids do not explode the label set.
pub fn record_request(method: &str, route: &str, status: u16) {
    let labels = vec![
        ("method", method.to_string()),
        ("route", route.to_string()),
        ("status", status.to_string()),
    ];
    bump("apptctl_http_requests_total", labels);
}

/// One cancellation attempt: `outcome` is `cancelled`, `challenge` or
/// `refused`; `code` is the error code of a refusal, or `none`.
pub fn record_cancellation(outcome: &str, code: &str) {
    let labels = vec![("outcome", outcome.to_string()), ("code", code.to_string())];
    bump("apptctl_cancellations_total", labels);
}

const HELP: &[(&str, &str)] = &[
    (
        "apptctl_http_requests_total",
        "HTTP requests served, by method, route and status.",
    ),
    (
        "apptctl_cancellations_total",
        "Cancellation attempts, by outcome and error code.",
    ),
];

/// The registry in the Prometheus text exposition format (version 0.0.4).
pub fn render() -> String {
    let registry = registry().lock().unwrap_or_else(|e| e.into_inner());
    let mut out = String::new();

    for (name, help) in HELP {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} counter");
        for (labels, value) in registry.counters.get(name).into_iter().flatten() {
            let rendered: Vec<String> = labels
                .iter()
                .map(|(key, value)| format!("{key}=\"{}\"", escape(value)))
                .collect();
            let _ = writeln!(out, "{name}{{{}}} {value}", rendered.join(","));
        }
    }
    out
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_with_labels() {
        record_request("GET", "/v1/records/{id}", 200);
        record_request("GET", "/v1/records/{id}", 200);
        record_cancellation("refused", "cutoff_passed");

        let text = render();
        assert!(text.contains("# TYPE apptctl_http_requests_total counter"));
        assert!(text.contains(
            "apptctl_http_requests_total{method=\"GET\",route=\"/v1/records/{id}\",status=\"200\"}"
        ));
        assert!(text
            .contains("apptctl_cancellations_total{outcome=\"refused\",code=\"cutoff_passed\"} 1"));
    }
}
