//! The outermost layer: every request gets an id (the caller's, when it is
//! sane), every response echoes it, a panic anywhere inside becomes a plain
//! `500 internal` problem whose details only reach the log, and the bare
//! errors the router itself produces (unknown path, wrong method) become
//! problems too, so every error body has the one documented shape.

use std::any::Any;

use apptctl_api::{ErrorCode, Problem, REQUEST_ID};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Response as HttpResponse, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::request_id::RequestId;

/// Longest caller-chosen request id we echo; longer ones are replaced.
const MAX_REQUEST_ID_LEN: usize = 128;

/// Marks the response the panic catcher produced, so this layer can replace
/// it with a problem that carries the request id.
#[derive(Debug, Clone, Copy)]
struct Panicked;

pub(super) async fn assign_request_id(mut req: Request, next: Next) -> Response {
    let id = incoming_id(&req).unwrap_or_else(new_request_id);
    req.extensions_mut().insert(RequestId(id.clone()));

    let mut response = next.run(req).await;
    if response.extensions().get::<Panicked>().is_some() {
        tracing::error!(request_id = %id, "request handler panicked");
        response = super::problem(
            ErrorCode::Internal,
            "the service failed while handling this request",
            "retry later; if it keeps failing, report the request id",
            &id,
        );
    } else if is_bare_error(&response) {
        response = problem_for_bare_error(response, &id);
    }

    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// An error status without any body type: the router's own 404 and 405
/// (handlers answer with problem+json).
fn is_bare_error(response: &Response) -> bool {
    let status = response.status();
    (status.is_client_error() || status.is_server_error())
        && !response.headers().contains_key(header::CONTENT_TYPE)
}

/// The problem for a bare error, keeping its status and headers (`Allow`
/// on a 405).
fn problem_for_bare_error(bare: Response, id: &str) -> Response {
    let status = bare.status();
    let (code, detail, hint) = match status {
        StatusCode::NOT_FOUND => (
            ErrorCode::NotFound,
            "there is nothing at this path",
            "check the path against /openapi.json",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorCode::MethodNotAllowed,
            "this path does not accept this method",
            "see the Allow header for the methods it accepts",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            ErrorCode::BodyTooLarge,
            "the request body is too large",
            "send a smaller body",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            ErrorCode::UnsupportedMediaType,
            "the request body has an unsupported media type",
            "send JSON with Content-Type: application/json",
        ),
        StatusCode::UNAUTHORIZED => (
            ErrorCode::Unauthenticated,
            "this request needs a valid credential",
            "log in with `apptctl login`",
        ),
        StatusCode::FORBIDDEN => (
            ErrorCode::Forbidden,
            "this is not allowed for the caller",
            "ask for a role or token scope that allows it",
        ),
        StatusCode::TOO_MANY_REQUESTS => (
            ErrorCode::RateLimited,
            "too many requests",
            "wait a moment and retry",
        ),
        StatusCode::SERVICE_UNAVAILABLE => (
            ErrorCode::Unavailable,
            "the service is unavailable",
            "retry in a moment",
        ),
        _ if status.is_server_error() => (
            ErrorCode::Internal,
            "the service failed while handling this request",
            "retry later; if it keeps failing, report the request id",
        ),
        _ => (
            ErrorCode::InvalidRequest,
            "the request was refused",
            "check the request",
        ),
    };

    // The status stays what the handler chose, even where the nearest code
    // usually comes with another one.
    let mut problem = Problem::new(code, detail, hint);
    problem.status = status.as_u16();
    let mut response = crate::problem::problem_response(problem, id);

    let (parts, _) = bare.into_parts();
    for (name, value) in parts.headers.iter() {
        if !response.headers().contains_key(name) && name != header::CONTENT_LENGTH {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    response
}

/// The caller's `X-Request-Id`, if it is 1 to 128 visible ASCII characters;
/// anything else could break log lines or header echoing.
fn incoming_id(req: &Request) -> Option<String> {
    let value = req.headers().get(REQUEST_ID)?.to_str().ok()?;
    let sane = !value.is_empty()
        && value.len() <= MAX_REQUEST_ID_LEN
        && value.bytes().all(|b| b.is_ascii_graphic());
    sane.then(|| value.to_string())
}

fn new_request_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// Called by the panic catcher with the panic payload: logs it and answers a
/// bare 500 that [`assign_request_id`] turns into a problem.
pub(super) fn panic_response(payload: Box<dyn Any + Send + 'static>) -> HttpResponse<Body> {
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "panic while handling a request");

    let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    response.extensions_mut().insert(Panicked);
    response
}
