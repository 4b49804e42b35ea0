//! The wire contract of the appointment service.
//!
//! Everything the client and the server must agree on lives here: identifiers
//! and their formats, request and response bodies, the error codes with their
//! failure classes, and the header names. Nothing in this crate does I/O; it
//! is shared by `apptctl` (the CLI) and `apptctl-server` (the reference
//! service) so the two cannot drift apart.

pub mod auth;
pub mod cancel;
pub mod error;
pub mod ids;
pub mod journal;
pub mod records;
pub mod slots;

pub use error::{ErrorClass, ErrorCode, FieldError, Problem};
pub use ids::{IdError, RecordId, SlotId};

/// The API version the server reports at `/healthz` and the CLI expects.
/// Bumped only on a breaking change to this crate's JSON.
pub const API_VERSION: &str = "1";

/// Header carrying the caller's idempotency key on every POST.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Header set on a response that replays a stored idempotent answer.
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";

/// Request id header: echoed if the client sent one, generated otherwise.
pub const REQUEST_ID: &str = "x-request-id";

/// Media type of every error body (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Largest page a list endpoint returns; larger `limit`s are refused.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Page size when the caller gives none.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// Most record ids one batch challenge may cover.
pub const MAX_BATCH_SIZE: usize = 100_000;

/// A page of a list endpoint: the items and the opaque cursor of the next page
/// (absent on the last page).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `GET /healthz`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok`, or `degraded` when the database does not answer.
    pub status: String,
    pub api_version: String,
    pub server_version: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    pub database_ok: bool,
}
