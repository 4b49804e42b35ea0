//! Idempotent POSTs (SPEC §3, §4): a POST carrying `Idempotency-Key` runs at
//! most once per (caller, key). The first answer that is not a 5xx is stored
//! and replayed to every retry of the same request; a retry with another
//! body is refused; a retry while the first is still running is told to
//! wait. A 5xx answer is not stored, so the retry runs again.
//!
//! Answers are kept for 24 hours, except those carrying a bearer secret (new
//! sessions and tokens): those only for 10 minutes, since the database would
//! otherwise hold in clear text what the domain store keeps only hashed.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use apptctl_api::{ErrorCode, IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED};
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use sha2::{Digest, Sha256};
use tracing::Instrument;

use super::idempotency_store::{KEY_LIFETIME, SECRET_ANSWER_LIFETIME};
use super::{Begin, ClientIdentity, IdempotencyStore, StoredAnswer};

/// Longest key accepted.
const MAX_KEY_LEN: usize = 255;

pub(super) struct Idempotency {
    store: Arc<dyn IdempotencyStore>,
    max_body_bytes: usize,
}

impl Idempotency {
    pub(super) fn new(store: Arc<dyn IdempotencyStore>, max_body_bytes: usize) -> Idempotency {
        Idempotency {
            store,
            max_body_bytes,
        }
    }

    /// Stored answers may be larger than requests (a batch's outcome), but
    /// not without bound.
    fn max_answer_bytes(&self) -> usize {
        self.max_body_bytes.saturating_mul(4)
    }
}

/// Routes whose answers carry a bearer secret (a new session's token, a new
/// automation token's secret). They are replayable for a short time only
/// and marked `Cache-Control: no-store`.
const SECRET_BEARING_ROUTES: &[&str] = &["/v1/sessions", "/v1/tokens"];

/// The (caller, key) a request is remembered under.
#[derive(Debug, Clone)]
struct Claim {
    client: ClientIdentity,
    key: String,
    /// Whether the answer will hold a secret, judged by the route.
    secret_bearing: bool,
}

pub(super) async fn idempotent_post(
    State(idempotency): State<Arc<Idempotency>>,
    req: Request,
    next: Next,
) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let request_id = super::request_id_of(&req);

    let key = match idempotency_key(&req) {
        KeyHeader::Valid(key) => key,
        // The CLI always sends a key; other callers simply get no protection.
        KeyHeader::Absent => return next.run(req).await,
        KeyHeader::Invalid => return invalid_key(&request_id),
    };
    let claim = Claim {
        client: ClientIdentity::of(&req),
        key,
        secret_bearing: is_secret_bearing_route(&req),
    };

    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, idempotency.max_body_bytes).await else {
        return unreadable_body(&request_id);
    };
    let fingerprint = fingerprint(&parts.method, &parts.uri, &body);
    let req = Request::from_parts(parts, Body::from(body));

    // Claiming the key and running the request share one task of their own.
    // Were the claim awaited here, a caller hanging up just after it was
    // written would drop this future before the request ran, leaving the key
    // marked in flight: every retry would be refused until the lease ran out.
    let work = claim_and_run(idempotency, claim, fingerprint, req, next);
    let task = tokio::spawn(work.instrument(tracing::Span::current()));
    match task.await {
        Ok(response) => response,
        Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
        Err(err) => {
            tracing::error!(error = %err, "idempotent request task was cancelled");
            internal(&request_id)
        }
    }
}

async fn claim_and_run(
    idempotency: Arc<Idempotency>,
    claim: Claim,
    fingerprint: String,
    req: Request,
    next: Next,
) -> Response {
    let request_id = super::request_id_of(&req);
    let begun = idempotency
        .store
        .begin(claim.client.as_str(), &claim.key, &fingerprint)
        .await;
    match begun {
        Ok(Begin::Fresh) => run_once(idempotency, claim, req, next).await,
        Ok(Begin::Replay(answer)) => replay(answer, claim.secret_bearing),
        Ok(Begin::InProgress) => in_progress(&request_id),
        Ok(Begin::Mismatch) => key_reused(&request_id),
        Err(err) => store_failed(&err, &request_id),
    }
}

/// What the `Idempotency-Key` header of a request holds.
enum KeyHeader {
    Absent,
    Valid(String),
    /// Not 1 to 255 visible ASCII characters.
    Invalid,
}

fn idempotency_key(req: &Request) -> KeyHeader {
    let Some(value) = req.headers().get(IDEMPOTENCY_KEY) else {
        return KeyHeader::Absent;
    };
    let bytes = value.as_bytes();
    let valid =
        !bytes.is_empty() && bytes.len() <= MAX_KEY_LEN && bytes.iter().all(u8::is_ascii_graphic);
    if !valid {
        return KeyHeader::Invalid;
    }
    KeyHeader::Valid(String::from_utf8_lossy(bytes).into_owned())
}

fn is_secret_bearing_route(req: &Request) -> bool {
    let route = req.extensions().get::<MatchedPath>();
    route.is_some_and(|route| SECRET_BEARING_ROUTES.contains(&route.as_str()))
}

/// Secret-bearing by route, or because the handler said no one may store it.
fn answer_holds_a_secret(claim: &Claim, headers: &HeaderMap) -> bool {
    let no_store = headers
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| value.to_ascii_lowercase().contains("no-store"));
    claim.secret_bearing || no_store
}

/// sha256 over method, path with query, and body, with separators so the
/// parts cannot run into each other.
fn fingerprint(method: &Method, uri: &axum::http::Uri, body: &[u8]) -> String {
    let target = uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or_else(|| uri.path());
    let mut hasher = Sha256::new();
    hasher.update(method.as_str().as_bytes());
    hasher.update([0]);
    hasher.update(target.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hex::encode(hasher.finalize())
}

/// Runs the request on its own task, so that it finishes and its answer is
/// stored even when the caller hangs up or the timeout layer gives up: the
/// retry then replays that answer instead of acting a second time.
async fn run_once(
    idempotency: Arc<Idempotency>,
    claim: Claim,
    req: Request,
    next: Next,
) -> Response {
    let request_id = super::request_id_of(&req);
    let work = async move {
        let handled = AssertUnwindSafe(next.run(req)).catch_unwind().await;
        match handled {
            Ok(response) => Ok(settle(&idempotency, &claim, response).await),
            Err(panic) => {
                abandon(&idempotency, &claim).await;
                Err(panic)
            }
        }
    };
    // The handler's logs stay inside this request's span.
    let task = tokio::spawn(work.instrument(tracing::Span::current()));

    match task.await {
        Ok(Ok(response)) => response,
        // Re-raised so the panic layer answers it like any other panic.
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
        Err(err) => {
            tracing::error!(error = %err, "idempotent request task was cancelled");
            internal(&request_id)
        }
    }
}

/// Stores a non-5xx answer for replay and hands it on; forgets the key on a
/// 5xx so the retry runs again.
async fn settle(idempotency: &Idempotency, claim: &Claim, response: Response) -> Response {
    if response.status().is_server_error() {
        abandon(idempotency, claim).await;
        return response;
    }

    let (mut parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, idempotency.max_answer_bytes()).await {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "answer too large or unreadable; not stored");
            abandon(idempotency, claim).await;
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };

    let answer = StoredAnswer {
        status: parts.status.as_u16(),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body: body.to_vec(),
    };
    let keep_for = if answer_holds_a_secret(claim, &parts.headers) {
        forbid_storing(&mut parts.headers);
        SECRET_ANSWER_LIFETIME
    } else {
        KEY_LIFETIME
    };
    let stored = idempotency
        .store
        .complete(claim.client.as_str(), &claim.key, answer, keep_for)
        .await;
    if let Err(err) = stored {
        // The change is done; the caller still gets the real answer. A retry
        // meets the in-flight mark until its lease runs out.
        tracing::error!(error = %err, "could not store the idempotent answer");
    }
    Response::from_parts(parts, Body::from(body))
}

async fn abandon(idempotency: &Idempotency, claim: &Claim) {
    if let Err(err) = idempotency
        .store
        .abandon(claim.client.as_str(), &claim.key)
        .await
    {
        tracing::error!(error = %err, "could not forget an in-flight idempotency key");
    }
}

fn forbid_storing(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn replay(answer: StoredAnswer, secret_bearing: bool) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = (status, Bytes::from(answer.body)).into_response();
    let headers = response.headers_mut();
    if let Some(value) = answer
        .content_type
        .and_then(|ct| HeaderValue::from_str(&ct).ok())
    {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    if secret_bearing {
        forbid_storing(headers);
    }
    response
}

fn invalid_key(request_id: &str) -> Response {
    super::problem(
        ErrorCode::IdempotencyKeyInvalid,
        "the Idempotency-Key header must be 1 to 255 visible ASCII characters",
        "send a fresh key such as a UUID",
        request_id,
    )
}

fn key_reused(request_id: &str) -> Response {
    super::problem(
        ErrorCode::IdempotencyKeyReused,
        "this Idempotency-Key was already used for a different request",
        "use a new key for a new request; reuse a key only to retry the same request",
        request_id,
    )
}

fn in_progress(request_id: &str) -> Response {
    super::problem_retry_after(
        ErrorCode::IdempotencyInProgress,
        "a request with this Idempotency-Key is still being handled",
        "wait a moment and retry with the same key to get its answer",
        1,
        request_id,
    )
}

fn unreadable_body(request_id: &str) -> Response {
    super::problem(
        ErrorCode::InvalidRequest,
        "the request body could not be read",
        "send the request again with a complete body",
        request_id,
    )
}

fn store_failed(err: &anyhow::Error, request_id: &str) -> Response {
    tracing::error!(error = %err, "idempotency store failed");
    super::problem_retry_after(
        ErrorCode::Unavailable,
        "the service cannot check the Idempotency-Key right now",
        "retry in a moment with the same key",
        1,
        request_id,
    )
}

fn internal(request_id: &str) -> Response {
    super::problem(
        ErrorCode::Internal,
        "the service failed while handling this request",
        "retry later; if it keeps failing, report the request id",
        request_id,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_separates_path_and_body() {
        let uri_a: axum::http::Uri = "/v1/a".parse().unwrap();
        let uri_ab: axum::http::Uri = "/v1/ab".parse().unwrap();
        let a = fingerprint(&Method::POST, &uri_a, b"b");
        let b = fingerprint(&Method::POST, &uri_ab, b"");
        assert_ne!(a, b);
        assert_eq!(a, fingerprint(&Method::POST, &uri_a, b"b"));
    }
}
