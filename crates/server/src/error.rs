//! The one error type of the service and the extractors that keep every
//! failure in the problem+json shape.
//!
//! Handlers and the store return [`ApiError`]: either a refusal the caller can
//! act on (a [`Problem`] with its stable code) or an internal failure whose
//! cause is logged and hidden. axum's own rejections (bad JSON, bad query,
//! unknown route, wrong method) are turned into problems here too, so a client
//! never sees a plain-text error.

use apptctl_api::{ErrorCode, Problem};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::problem::problem_response;
use crate::request_id::RequestId;

/// A failed request: a refusal with a stable code, or an internal failure.
#[derive(Debug)]
pub enum ApiError {
    Refused(Box<Problem>),
    Internal(anyhow::Error),
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>, hint: impl Into<String>) -> ApiError {
        ApiError::Refused(Box::new(Problem::new(code, detail, hint)))
    }

    /// Adds extension members (alternatives, attempts left, ...) to a refusal.
    pub fn with(mut self, fill: impl FnOnce(&mut Problem)) -> ApiError {
        if let ApiError::Refused(problem) = &mut self {
            fill(problem);
        }
        self
    }

    /// The stable code: `internal` for internal failures.
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Refused(problem) => problem.code,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn detail(&self) -> String {
        match self {
            ApiError::Refused(problem) => problem.detail.clone(),
            ApiError::Internal(_) => "internal error".to_string(),
        }
    }

    pub fn is_internal(&self) -> bool {
        matches!(self, ApiError::Internal(_))
    }

    fn into_problem(self) -> Problem {
        match self {
            ApiError::Refused(problem) => *problem,
            ApiError::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "request failed");
                Problem::new(
                    ErrorCode::Internal,
                    "the service failed to handle this request",
                    "retry later; if it keeps failing, report the request id",
                )
            }
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(cause: anyhow::Error) -> ApiError {
        ApiError::Internal(cause)
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(cause: rusqlite::Error) -> ApiError {
        ApiError::Internal(cause.into())
    }
}

impl From<postgres::Error> for ApiError {
    fn from(cause: postgres::Error) -> ApiError {
        ApiError::Internal(cause.into())
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(cause: tokio::task::JoinError) -> ApiError {
        ApiError::Internal(cause.into())
    }
}

impl IntoResponse for ApiError {
    /// The body is complete without a request id; [`finish_problems`] fills
    /// it in from the request, which an `IntoResponse` cannot see.
    fn into_response(self) -> Response {
        let problem = self.into_problem();
        let mut response = problem_response(problem.clone(), "");
        response.extensions_mut().insert(PendingProblem(problem));
        response
    }
}

/// A problem rendered without the request id, waiting for [`finish_problems`].
#[derive(Clone)]
struct PendingProblem(Problem);

/// Middleware: makes sure the request has a [`RequestId`], stamps it into
/// every problem body, and turns axum's bare 405 into a problem.
pub async fn finish_problems(mut request: Request, next: Next) -> Response {
    let request_id = match request.extensions().get::<RequestId>() {
        Some(id) => id.clone(),
        None => {
            let id = RequestId(uuid::Uuid::now_v7().simple().to_string());
            request.extensions_mut().insert(id.clone());
            id
        }
    };

    let mut response = next.run(request).await;
    if let Some(PendingProblem(problem)) = response.extensions_mut().remove::<PendingProblem>() {
        return problem_response(problem, request_id.as_str());
    }

    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/problem+json"));
    if response.status() == StatusCode::METHOD_NOT_ALLOWED && !is_problem {
        let problem = Problem::new(
            ErrorCode::MethodNotAllowed,
            "this path does not accept that HTTP method",
            "see /openapi.json for the methods each path accepts",
        );
        let allow = response.headers().get(header::ALLOW).cloned();
        let mut replaced = problem_response(problem, request_id.as_str());
        if let Some(allow) = allow {
            replaced.headers_mut().insert(header::ALLOW, allow);
        }
        return replaced;
    }
    response
}

/// The fallback for unknown paths.
pub async fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "no such path",
        "API paths start with /v1; see /openapi.json for the list",
    )
}

/// `Json` whose rejections are problems: `invalid_json`, `invalid_request`,
/// `unsupported_media_type` or `body_too_large`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(e) => {
            let text = e.body_text();
            let cause = text
                .split_once("target type: ")
                .map_or(text.as_str(), |(_, c)| c);
            ApiError::new(
                code_for_field(cause),
                format!("the request body does not fit: {cause}"),
                "check field names, types and allowed values against /openapi.json",
            )
        }
        JsonRejection::JsonSyntaxError(e) => ApiError::new(
            ErrorCode::InvalidJson,
            format!("the request body is not valid JSON: {}", e.body_text()),
            "send a JSON object",
        ),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "the request body must be JSON",
            "send the header Content-Type: application/json",
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            ErrorCode::BodyTooLarge,
            "the request body is too large",
            "split the request, e.g. cancel in smaller batches",
        ),
        other => ApiError::new(
            ErrorCode::InvalidRequest,
            format!("the request body could not be read: {}", other.body_text()),
            "send the request again",
        ),
    }
}

/// The specific code for a bad value in a known field. The deserializer
/// names the field first (`slot_id: ...`, `record_ids[3]: ...`); anything
/// else, like a missing field, stays `invalid_request`.
fn code_for_field(cause: &str) -> ErrorCode {
    let field = cause.split([':', '[', '.']).next().unwrap_or("");
    match field {
        "slot_id" => ErrorCode::InvalidSlotId,
        "record_ids" => ErrorCode::InvalidRecordId,
        "reason" => ErrorCode::InvalidReason,
        "from" | "now" => ErrorCode::InvalidDate,
        _ => ErrorCode::InvalidRequest,
    }
}

/// `Query` whose rejections are `invalid_request` problems.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(query_rejection(rejection)),
        }
    }
}

fn query_rejection(rejection: QueryRejection) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidRequest,
        format!("the query string does not fit: {}", rejection.body_text()),
        "check parameter names and values against /openapi.json",
    )
}

/// `Path` whose rejections (e.g. a segment that is not UTF-8) are
/// `invalid_request` problems.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(path_rejection(rejection)),
        }
    }
}

fn path_rejection(rejection: PathRejection) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidRequest,
        format!("the path does not fit: {}", rejection.body_text()),
        "check the id in the path; ids are plain ASCII",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_get_the_code_of_their_field() {
        assert_eq!(
            code_for_field("slot_id: slot id \"9\" is not valid"),
            ErrorCode::InvalidSlotId
        );
        assert_eq!(
            code_for_field("record_ids[2]: record id \"R1\""),
            ErrorCode::InvalidRecordId
        );
        assert_eq!(
            code_for_field("reason: unknown variant `x`"),
            ErrorCode::InvalidReason
        );
        assert_eq!(
            code_for_field("from: input contains invalid characters"),
            ErrorCode::InvalidDate
        );
        assert_eq!(
            code_for_field("missing field `reason`"),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            code_for_field("comment: invalid type"),
            ErrorCode::InvalidRequest
        );
    }
}
