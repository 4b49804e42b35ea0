//! Body size and time limits. Bodies are read here, within the bound, so a
//! too-large body is always answered with a `body_too_large` problem rather
//! than whatever an extractor deep inside would say.

use std::sync::Arc;
use std::time::Duration;

use apptctl_api::ErrorCode;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use super::PlatformConfig;

pub(super) struct Limits {
    max_body_bytes: usize,
    request_timeout: Duration,
}

impl Limits {
    pub(super) fn from_config(cfg: &PlatformConfig) -> Limits {
        Limits {
            max_body_bytes: cfg.max_body_bytes,
            request_timeout: cfg.request_timeout,
        }
    }
}

/// The timeout covers reading the body too, so a client trickling a body
/// byte by byte cannot hold a connection for ever.
pub(super) async fn enforce_limits(
    State(limits): State<Arc<Limits>>,
    req: Request,
    next: Next,
) -> Response {
    let request_id = super::request_id_of(&req);
    let handled = async {
        match buffer_body(req, limits.max_body_bytes).await {
            Ok(req) => next.run(req).await,
            Err(refusal) => refusal,
        }
    };

    match tokio::time::timeout(limits.request_timeout, handled).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(timeout = ?limits.request_timeout, "request timed out");
            super::problem_retry_after(
                ErrorCode::Timeout,
                "the request took too long to handle",
                "retry in a moment; the same Idempotency-Key replays a finished answer",
                1,
                &request_id,
            )
        }
    }
}

/// Reads the whole body, up to `max` bytes, and puts it back as a buffered
/// body. A declared or actual size over `max` is answered 413.
async fn buffer_body(req: Request, max: usize) -> Result<Request, Response> {
    let request_id = super::request_id_of(&req);
    let too_large = |size: String| {
        super::problem(
            ErrorCode::BodyTooLarge,
            &format!("the request body is {size} bytes; at most {max} are accepted"),
            "send a smaller body, e.g. split the batch into several requests",
            &request_id,
        )
    };

    if let Some(declared) = declared_length(&req) {
        if declared > max as u64 {
            return Err(too_large(declared.to_string()));
        }
    }

    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, max).await {
        Ok(bytes) => Ok(Request::from_parts(parts, Body::from(bytes))),
        Err(err) if is_length_limit(&err) => Err(too_large(format!("more than {max}"))),
        Err(err) => {
            tracing::debug!(error = %err, "request body could not be read");
            Err(super::problem(
                ErrorCode::InvalidRequest,
                "the request body could not be read",
                "send the request again with a complete body",
                &request_id,
            ))
        }
    }
}

fn declared_length(req: &Request) -> Option<u64> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Whether reading failed because the body outgrew the limit (as opposed to
/// the connection failing mid-body).
fn is_length_limit(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(current) = source {
        if current.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = current.source();
    }
    false
}
