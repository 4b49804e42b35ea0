//! Turning an [`apptctl_api::Problem`] into an HTTP response: the one place
//! that knows the problem+json media type and the `Retry-After` header.

use apptctl_api::{Problem, PROBLEM_JSON};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The response for `problem`, with `request_id` filled in when the problem
/// does not carry one yet.
pub fn problem_response(mut problem: Problem, request_id: &str) -> Response {
    if problem.request_id.is_empty() {
        problem.request_id = request_id.to_string();
    }

    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let retry_after = problem.retry_after;
    let body = serde_json::to_vec(&problem).unwrap_or_else(|_| b"{}".to_vec());

    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    if let Some(seconds) = retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}
