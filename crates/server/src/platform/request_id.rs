//! The outermost layer: every request gets an id (the caller's, when it is
//! sane), every response echoes it, and a panic anywhere inside becomes a
//! plain `500 internal` problem whose details only reach the log.

use std::any::Any;

use apptctl_api::{ErrorCode, REQUEST_ID};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Response as HttpResponse, StatusCode};
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
    }

    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
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
