//! The OpenAPI 3.1 contract of the service (placeholder until the document
//! is written; see the platform brief).

/// The OpenAPI document as JSON.
pub fn document() -> serde_json::Value {
    serde_json::json!({"openapi": "3.1.0", "info": {"title": "apptctl", "version": "1"}, "paths": {}})
}
