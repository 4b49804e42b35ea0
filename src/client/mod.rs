//! The one HTTP client of the CLI: transport, retries, idempotency keys,
//! typed errors, and a method per endpoint of the API (SPEC §4).
//!
//! It knows nothing of clap or tables. Every call goes through
//! [`ApiClient::call`], which retries transient failures (5xx, 429, a
//! request still in progress under the same idempotency key, connection
//! failures, timeouts) with exponential backoff and full jitter, and reuses
//! one `Idempotency-Key` across the retries of a POST or DELETE so the server
//! never acts twice.

mod endpoints;
mod error;
pub mod redact;
pub mod retry;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use apptctl_api::{Problem, IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED, REQUEST_ID};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

pub use error::ClientError;
pub use redact::Secret;
pub use retry::{RetryCause, RetryNote};

/// Called before each retry of a call, e.g. to count retries in a journal.
pub type RetryObserver = Arc<dyn Fn(&RetryNote) + Send + Sync>;

/// Longest wait for a TCP/TLS connection, whatever `--timeout` says: a host
/// that does not answer a connect in this time is not going to.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How the client is set up; built once from the global flags.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub server: Url,
    pub token: Option<Secret>,
    /// Per attempt.
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
    /// Allow a token over plain http to a non-loopback host.
    pub insecure_http: bool,
}

/// Per-call settings.
#[derive(Clone, Default)]
pub struct CallOptions {
    /// The `Idempotency-Key` of a POST or DELETE; a fresh uuid v4 when absent.
    /// The batch engine passes its own per item so a re-run reuses it.
    pub idempotency_key: Option<String>,
    /// Told about each retry before it happens.
    pub on_retry: Option<RetryObserver>,
}

impl CallOptions {
    pub fn with_key(key: impl Into<String>) -> CallOptions {
        CallOptions {
            idempotency_key: Some(key.into()),
            on_retry: None,
        }
    }
}

/// A successful answer with what the transport learnt on the way.
#[derive(Debug, Clone)]
pub struct Reply<T> {
    pub value: T,
    pub status: u16,
    pub request_id: Option<String>,
    /// How many retries it took (0: the first attempt answered).
    pub retries: u32,
    /// The server replayed a stored answer for this idempotency key.
    pub replayed: bool,
    /// Time of the last attempt.
    pub elapsed: Duration,
}

impl<T> Reply<T> {
    /// The same reply with its value transformed.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reply<U> {
        Reply {
            value: f(self.value),
            status: self.status,
            request_id: self.request_id,
            retries: self.retries,
            replayed: self.replayed,
            elapsed: self.elapsed,
        }
    }
}

/// The API client. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: Url,
    token: Option<Secret>,
    retries: u32,
    insecure_http: bool,
}

/// One attempt's raw answer.
struct RawAnswer {
    status: StatusCode,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    replayed: bool,
    body: Vec<u8>,
}

/// What to do after an attempt.
enum Verdict<T> {
    Done(Reply<T>),
    Retry {
        cause: RetryCause,
        after: Option<Duration>,
        error: ClientError,
    },
    Fail(ClientError),
}

impl ApiClient {
    pub fn new(options: ClientOptions) -> Result<ApiClient, ClientError> {
        let user_agent = concat!("apptctl/", env!("CARGO_PKG_VERSION"));
        let http = reqwest::Client::builder()
            .user_agent(user_agent)
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(MAX_CONNECT_TIMEOUT))
            .pool_idle_timeout(Duration::from_secs(60))
            // A redirect could carry the bearer token elsewhere; the API never
            // redirects, so any redirect is an answer to report, not follow.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| ClientError::InvalidUrl {
                url: options.server.to_string(),
                cause: err.to_string(),
            })?;
        Ok(ApiClient {
            http,
            base: options.server,
            token: options.token,
            retries: options.retries,
            insecure_http: options.insecure_http,
        })
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// The same client acting with another token (or none), e.g. to verify a
    /// token before saving it.
    pub fn with_token(&self, token: Option<Secret>) -> ApiClient {
        ApiClient {
            token,
            ..self.clone()
        }
    }

    /// Sends one request, retrying transient failures, and decodes the
    /// answer as `T`. `path` is relative to the server URL (`/v1/me`).
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: Option<&(impl Serialize + ?Sized)>,
        body: Option<&(impl Serialize + ?Sized)>,
        options: &CallOptions,
    ) -> Result<Reply<T>, ClientError> {
        let url = self.url(path, query)?;
        let body = body.map(encode_body).transpose()?;
        let carries_secret = self.token.is_some() || body_has_password(body.as_deref());
        self.guard_transport(&url, carries_secret)?;

        let key = needs_idempotency_key(&method).then(|| {
            options
                .idempotency_key
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
        });
        self.send_with_retries(method, url, body, key, options)
            .await
    }

    async fn send_with_retries<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
        key: Option<String>,
        options: &CallOptions,
    ) -> Result<Reply<T>, ClientError> {
        let mut retries = 0;
        loop {
            let started = Instant::now();
            let attempt = self
                .attempt(&method, &url, body.as_deref(), key.as_deref())
                .await;
            let verdict = judge(attempt, &url, started.elapsed(), retries);

            let (cause, after, error) = match verdict {
                Verdict::Done(reply) => return Ok(reply),
                Verdict::Fail(error) => return Err(error),
                Verdict::Retry {
                    cause,
                    after,
                    error,
                } => (cause, after, error),
            };
            if retries >= self.retries {
                return Err(error);
            }

            retries += 1;
            let wait = retry::backoff(retries, after);
            tracing::info!(target: "apptctl::http", "retry {retries} in {wait:?} after {cause}");
            if let Some(observer) = &options.on_retry {
                observer(&RetryNote {
                    retry: retries,
                    cause,
                    wait,
                });
            }
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        key: Option<&str>,
    ) -> Result<RawAnswer, ClientError> {
        let mut request = self.http.request(method.clone(), url.clone());
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose());
        }
        if let Some(key) = key {
            request = request.header(IDEMPOTENCY_KEY, key);
        }
        if let Some(body) = body {
            request = request.header(reqwest::header::CONTENT_TYPE, "application/json");
            request = request.body(body.to_vec());
        }
        trace_request(method, url, self.token.is_some(), key, body);

        let response = request
            .send()
            .await
            .map_err(|err| transport_error(url, &err))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|err| transport_error(url, &err))?;
        Ok(RawAnswer {
            status,
            request_id: header_text(&headers, REQUEST_ID),
            retry_after: header_text(&headers, "retry-after")
                .and_then(|v| retry::parse_retry_after(&v)),
            replayed: headers.contains_key(IDEMPOTENT_REPLAYED),
            body: body.to_vec(),
        })
    }

    fn url(
        &self,
        path: &str,
        query: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<Url, ClientError> {
        let mut url = self
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|err| ClientError::InvalidUrl {
                url: self.base.to_string(),
                cause: err.to_string(),
            })?;
        if let Some(query) = query {
            let pairs = query_pairs(query);
            if !pairs.is_empty() {
                url.query_pairs_mut().extend_pairs(pairs);
            }
        }
        Ok(url)
    }

    /// Credentials go over plain http only to this machine, unless the user
    /// said otherwise with `--insecure-http`.
    fn guard_transport(&self, url: &Url, carries_secret: bool) -> Result<(), ClientError> {
        if !carries_secret || self.insecure_http || url.scheme() != "http" {
            return Ok(());
        }
        match url.host() {
            Some(host) if is_loopback(&host) => Ok(()),
            host => Err(ClientError::InsecureTransport {
                host: host.map(|h| h.to_string()).unwrap_or_default(),
            }),
        }
    }
}

/// Turns one attempt's result into done, retry or fail.
fn judge<T: DeserializeOwned>(
    attempt: Result<RawAnswer, ClientError>,
    url: &Url,
    elapsed: Duration,
    retries: u32,
) -> Verdict<T> {
    let answer = match attempt {
        Ok(answer) => answer,
        Err(error) => {
            let cause = match &error {
                ClientError::NotSent { .. } => RetryCause::Connect,
                _ => RetryCause::NoAnswer,
            };
            return Verdict::Retry {
                cause,
                after: None,
                error,
            };
        }
    };
    trace_response(url, &answer, elapsed);

    if answer.status.is_success() {
        return match decode::<T>(&answer) {
            Ok(value) => Verdict::Done(Reply {
                value,
                status: answer.status.as_u16(),
                request_id: answer.request_id,
                retries,
                replayed: answer.replayed,
                elapsed,
            }),
            Err(error) => Verdict::Fail(error),
        };
    }
    judge_failure(answer)
}

fn judge_failure<T>(answer: RawAnswer) -> Verdict<T> {
    let status = answer.status.as_u16();
    let error = match serde_json::from_slice::<Problem>(&answer.body) {
        Ok(mut problem) => {
            if problem.request_id.is_empty() {
                problem.request_id = answer.request_id.clone().unwrap_or_default();
            }
            ClientError::Api {
                problem: Box::new(problem),
            }
        }
        Err(err) => ClientError::BadResponse {
            status,
            request_id: answer.request_id.clone(),
            detail: format!("not a problem+json body ({err})"),
        },
    };
    match retry::retryable_status(status, error.code()) {
        Some(cause) => Verdict::Retry {
            cause,
            after: answer.retry_after,
            error,
        },
        None => Verdict::Fail(error),
    }
}

fn decode<T: DeserializeOwned>(answer: &RawAnswer) -> Result<T, ClientError> {
    // An empty body (204) decodes as `null`, which is what `()` expects.
    let body: &[u8] = if answer.body.is_empty() {
        b"null"
    } else {
        &answer.body
    };
    serde_json::from_slice(body).map_err(|err| ClientError::BadResponse {
        status: answer.status.as_u16(),
        request_id: answer.request_id.clone(),
        detail: err.to_string(),
    })
}

fn transport_error(url: &Url, err: &reqwest::Error) -> ClientError {
    let url = url.to_string();
    let cause = if err.is_timeout() {
        "timed out".to_string()
    } else {
        innermost_cause(err)
    };
    if err.is_connect() {
        ClientError::NotSent { url, cause }
    } else {
        ClientError::OutcomeUnknown { url, cause }
    }
}

/// reqwest's top-level message is vague ("error sending request"); the
/// innermost cause says what happened ("Connection refused").
fn innermost_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

fn needs_idempotency_key(method: &Method) -> bool {
    method == Method::POST || method == Method::DELETE
}

fn encode_body(body: &(impl Serialize + ?Sized)) -> Result<Vec<u8>, ClientError> {
    serde_json::to_vec(body).map_err(|err| ClientError::BadResponse {
        status: 0,
        request_id: None,
        detail: format!("could not encode the request: {err}"),
    })
}

fn body_has_password(body: Option<&[u8]>) -> bool {
    body.is_some_and(|b| b.windows(10).any(|w| w == b"\"password\""))
}

/// A query struct's members as URL pairs; `None` members are left out.
fn query_pairs(query: &(impl Serialize + ?Sized)) -> Vec<(String, String)> {
    let Ok(serde_json::Value::Object(members)) = serde_json::to_value(query) else {
        return Vec::new();
    };
    members
        .into_iter()
        .filter_map(|(key, value)| match value {
            serde_json::Value::Null => None,
            serde_json::Value::String(text) => Some((key, text)),
            other => Some((key, other.to_string())),
        })
        .collect()
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        url::Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

fn header_text(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn trace_request(method: &Method, url: &Url, bearer: bool, key: Option<&str>, body: Option<&[u8]>) {
    let auth = if bearer {
        " authorization: Bearer ***"
    } else {
        ""
    };
    let key = key
        .map(|k| format!(" idempotency-key: {k}"))
        .unwrap_or_default();
    tracing::info!(target: "apptctl::http", "> {method} {url}{auth}{key}");
    if let Some(body) = body {
        tracing::debug!(target: "apptctl::http", "> {}", redact::redact_body(body));
    }
}

fn trace_response(url: &Url, answer: &RawAnswer, elapsed: Duration) {
    let request_id = answer.request_id.as_deref().unwrap_or("-");
    tracing::info!(
        target: "apptctl::http",
        "< {} {url} in {} ms (request id {request_id})",
        answer.status.as_u16(),
        elapsed.as_millis()
    );
    tracing::debug!(target: "apptctl::http", "< {}", redact::redact_body(&answer.body));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(server: &str, token: bool, insecure_http: bool) -> ApiClient {
        ApiClient::new(ClientOptions {
            server: Url::parse(server).unwrap(),
            token: token.then(|| Secret::new("t")),
            timeout: Duration::from_secs(1),
            retries: 0,
            insecure_http,
        })
        .unwrap()
    }

    #[test]
    fn tokens_stay_off_plain_http_to_other_hosts() {
        let url = Url::parse("http://example.org/v1/me").unwrap();
        assert!(client("http://example.org", true, false)
            .guard_transport(&url, true)
            .is_err());
        assert!(client("http://example.org", true, true)
            .guard_transport(&url, true)
            .is_ok());
        let local = Url::parse("http://127.0.0.1:8787/v1/me").unwrap();
        assert!(client("http://127.0.0.1", true, false)
            .guard_transport(&local, true)
            .is_ok());
        let https = Url::parse("https://example.org/v1/me").unwrap();
        assert!(client("https://example.org", true, false)
            .guard_transport(&https, true)
            .is_ok());
    }

    #[test]
    fn query_leaves_out_absent_filters() {
        let query = apptctl_api::records::ListRecordsQuery {
            status: Some("pending,confirmed".into()),
            limit: Some(10),
            ..Default::default()
        };
        let url = client("http://127.0.0.1:1/", false, false).url("/v1/records", Some(&query));
        assert_eq!(
            url.unwrap().as_str(),
            "http://127.0.0.1:1/v1/records?limit=10&status=pending%2Cconfirmed"
        );
    }
}
