//! The per-request id, put into the request's extensions by the platform
//! layer before any handler runs, echoed in `X-Request-Id`, written to every
//! audit journal entry and every problem body.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// The id of the request being served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = std::convert::Infallible;

    /// Never fails: a request that somehow bypassed the layer gets a fresh id
    /// rather than an error, so error bodies always carry one.
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let id = parts.extensions.get::<RequestId>().cloned();
        Ok(id.unwrap_or_else(|| RequestId(uuid::Uuid::now_v7().simple().to_string())))
    }
}
