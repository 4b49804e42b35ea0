//! Injected latency and faults, so the CLI's retries and idempotency can be
//! exercised against the real service (`start-dev --fault-rate --latency`).
//!
//! This layer sits outside idempotency on purpose: a fault that strikes
//! after the handler ran leaves a stored answer behind, and the client's
//! retry with the same key must get that answer instead of acting twice.

use std::sync::Arc;
use std::time::Duration;

use apptctl_api::ErrorCode;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use rand::Rng;

use super::PlatformConfig;

/// The kinds of trouble a request may meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// `503 unavailable` before the handler runs: nothing happened.
    UnavailableBefore,
    /// `500 internal` after the handler ran: the change happened, the
    /// client sees an error.
    InternalAfter,
    /// The connection breaks after the handler ran.
    DropAfter,
    /// Stall, then answer normally.
    Slow,
}

const FAULTS: [Fault; 4] = [
    Fault::UnavailableBefore,
    Fault::InternalAfter,
    Fault::DropAfter,
    Fault::Slow,
];

pub(super) struct FaultPlan {
    rate: f64,
    latency: Duration,
    slow: Duration,
}

impl FaultPlan {
    pub(super) fn from_config(cfg: &PlatformConfig) -> FaultPlan {
        FaultPlan {
            // NaN would make the random draw panic; treat it as "no faults".
            rate: if cfg.fault_rate.is_nan() {
                0.0
            } else {
                cfg.fault_rate.clamp(0.0, 1.0)
            },
            latency: cfg.latency,
            slow: cfg.fault_slow,
        }
    }

    /// Faults only strike the API, never `/healthz` or `/metrics`, so a
    /// faulty dev server can still be probed.
    fn pick(&self, path: &str) -> Option<Fault> {
        if self.rate <= 0.0 || !path.starts_with("/v1/") {
            return None;
        }
        let mut rng = rand::thread_rng();
        if !rng.gen_bool(self.rate) {
            return None;
        }
        Some(FAULTS[rng.gen_range(0..FAULTS.len())])
    }
}

pub(super) async fn inject(
    State(plan): State<Arc<FaultPlan>>,
    req: Request,
    next: Next,
) -> Response {
    if !plan.latency.is_zero() {
        tokio::time::sleep(plan.latency).await;
    }

    let Some(fault) = plan.pick(req.uri().path()) else {
        return next.run(req).await;
    };
    let request_id = super::request_id_of(&req);
    tracing::debug!(?fault, path = req.uri().path(), "injecting a fault");

    match fault {
        Fault::UnavailableBefore => super::problem_retry_after(
            ErrorCode::Unavailable,
            "the service is unavailable (injected fault)",
            "retry in a moment",
            1,
            &request_id,
        ),
        Fault::InternalAfter => {
            let _handled = next.run(req).await;
            super::problem(
                ErrorCode::Internal,
                "the service failed after handling the request (injected fault)",
                "retry with the same Idempotency-Key; the first answer is replayed",
                &request_id,
            )
        }
        Fault::DropAfter => {
            let handled = next.run(req).await;
            broken_body(handled)
        }
        Fault::Slow => {
            tokio::time::sleep(plan.slow).await;
            next.run(req).await
        }
    }
}

/// The handler's response head with a body that fails on first read, so the
/// server aborts the connection and the client never gets a whole answer.
fn broken_body(handled: Response) -> Response {
    let (parts, _body) = handled.into_parts();
    let failing = futures_util::stream::once(async {
        Err::<axum::body::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "injected fault: connection dropped",
        ))
    });
    Response::from_parts(parts, Body::from_stream(failing))
}
