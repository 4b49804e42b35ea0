//! The OpenAPI 3.1 contract of the service, served at `/openapi.json` and
//! checked in as `openapi.json` at the repository root (a test fails when
//! the two drift apart).
//!
//! The real handlers live with the resource routes; the functions here exist
//! only to carry `#[utoipa::path]` documentation. They list each operation's
//! success answers; the error answers (all `application/problem+json`), the
//! `Idempotency-Key` header and the security requirements are added to every
//! operation by `PlatformRules` from one table, so they cannot differ
//! between operations by accident.

#![allow(dead_code)] // the documented functions are never called

use apptctl_api::auth::{
    CreateTokenOutcome, CreateTokenRequest, LoginOutcome, LoginRequest, Me, TokenInfo,
};
use apptctl_api::cancel::{
    BatchCancelRequest, CancelOutcome, CancelRequest, Challenge, ConfirmRequest,
};
use apptctl_api::journal::{AuditEntry, HistoryQuery, Notification};
use apptctl_api::records::{DepartmentRef, ListRecordsQuery, Record, RecordDetails, ServiceRef};
use apptctl_api::slots::{RebookRequest, RescheduleRequest, Slot, SlotsQuery};
use apptctl_api::{Health, Page, Problem};
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{HttpMethod, Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    Content, ObjectBuilder, OpenApi as Document, Ref, RefOr, Required, Response, ResponseBuilder,
    Type,
};
use utoipa::{Modify, OpenApi};

/// The OpenAPI document as JSON.
pub fn document() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_else(|err| {
        tracing::error!(error = %err, "the OpenAPI document does not serialise");
        serde_json::Value::Null
    })
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "apptctl reference appointment service",
        version = "1",
        description = "Appointments (records) at public-service offices: list, inspect, \
            cancel with confirmation, re-book and reschedule. Errors are RFC 9457 \
            problem+json bodies with a stable `code`, a `hint` and the `request_id`.",
    ),
    paths(
        login, logout, me, list_tokens, create_token, revoke_token,
        list_records, show_record, cancel_record, cancel_batch,
        show_challenge, confirm_challenge, rebook, reschedule,
        list_slots, history, notifications, services, departments,
        healthz, metrics, openapi_json,
    ),
    components(schemas(Problem)),
    modifiers(&PlatformRules),
    tags(
        (name = "sessions", description = "Logging in and out"),
        (name = "tokens", description = "Scoped automation tokens"),
        (name = "records", description = "Appointments and their cancellation"),
        (name = "challenges", description = "One-time code confirmation"),
        (name = "slots", description = "Free times, re-booking and rescheduling"),
        (name = "journal", description = "Audit journal and notifications"),
        (name = "catalogue", description = "Services and departments"),
        (name = "operations", description = "Health, metrics and this document"),
    ),
)]
struct ApiDoc;

// ---- sessions -------------------------------------------------------------

/// Log in with username and password, or finish a two-factor login with the
/// confirmed challenge's id.
#[utoipa::path(post, path = "/v1/sessions", tag = "sessions", request_body = LoginRequest,
    responses(
        (status = 201, description = "Logged in", body = LoginOutcome),
        (status = 202, description = "A one-time code was sent; confirm the challenge", body = LoginOutcome),
    ))]
fn login() {}

/// Log out: revoke the session this request is authenticated with.
#[utoipa::path(delete, path = "/v1/sessions/current", tag = "sessions",
    responses((status = 204, description = "The session is revoked")))]
fn logout() {}

/// Who the caller is and what it may do.
#[utoipa::path(get, path = "/v1/me", tag = "sessions",
    responses((status = 200, description = "The caller", body = Me)))]
fn me() {}

// ---- tokens ---------------------------------------------------------------

/// All of the caller's automation tokens, not paged (a person has few);
/// secrets are never shown again.
#[utoipa::path(get, path = "/v1/tokens", tag = "tokens",
    responses((status = 200, description = "The tokens", body = Vec<TokenInfo>)))]
fn list_tokens() {}

/// Create a scoped automation token. A session must confirm a challenge
/// first: the first call answers 202, the call with `challenge_id` 201.
#[utoipa::path(post, path = "/v1/tokens", tag = "tokens", request_body = CreateTokenRequest,
    responses(
        (status = 201, description = "The token; its secret is shown this once", body = CreateTokenOutcome),
        (status = 202, description = "A one-time code was sent; confirm the challenge", body = CreateTokenOutcome),
    ))]
fn create_token() {}

/// Revoke a token.
#[utoipa::path(delete, path = "/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "The token's id")),
    responses((status = 204, description = "The token is revoked")))]
fn revoke_token() {}

// ---- records --------------------------------------------------------------

/// The caller's records, filtered, in pages (oldest start first).
#[utoipa::path(get, path = "/v1/records", tag = "records", params(ListRecordsQuery),
    responses((status = 200, description = "A page of records", body = Page<Record>)))]
fn list_records() {}

/// One record with its documents, comments and history.
#[utoipa::path(get, path = "/v1/records/{id}", tag = "records",
    params(("id" = apptctl_api::RecordId, Path, description = "The record's id")),
    responses((status = 200, description = "The record", body = RecordDetails)))]
fn show_record() {}

/// Cancel a record. A person's session first gets 202 with a challenge; with
/// a confirmed challenge (or a `records:cancel` token) the record is
/// cancelled.
#[utoipa::path(post, path = "/v1/records/{id}/cancellation", tag = "records",
    params(("id" = apptctl_api::RecordId, Path, description = "The record's id")),
    request_body = CancelRequest,
    responses(
        (status = 200, description = "Cancelled", body = CancelOutcome),
        (status = 202, description = "Nothing changed yet; confirm the challenge", body = CancelOutcome),
    ))]
fn cancel_record() {}

/// Ask for one challenge covering many records; each is then cancelled with
/// its own cancellation request carrying the challenge's id.
#[utoipa::path(post, path = "/v1/cancellations", tag = "records", request_body = BatchCancelRequest,
    responses((status = 202, description = "The challenge covering the records", body = CancelOutcome)))]
fn cancel_batch() {}

// ---- challenges -----------------------------------------------------------

/// A confirmation challenge.
#[utoipa::path(get, path = "/v1/challenges/{id}", tag = "challenges",
    params(("id" = String, Path, description = "The challenge's id")),
    responses((status = 200, description = "The challenge", body = Challenge)))]
fn show_challenge() {}

/// Confirm a challenge with the one-time code that was sent.
#[utoipa::path(post, path = "/v1/challenges/{id}/confirm", tag = "challenges",
    params(("id" = String, Path, description = "The challenge's id")),
    request_body = ConfirmRequest,
    responses((status = 200, description = "The confirmed challenge", body = Challenge)))]
fn confirm_challenge() {}

// ---- slots ----------------------------------------------------------------

/// Book the same service and department again, from a cancelled or expired
/// record; the new record links back to the old one.
#[utoipa::path(post, path = "/v1/records/{id}/rebook", tag = "slots",
    params(("id" = apptctl_api::RecordId, Path, description = "The cancelled or expired record")),
    request_body = RebookRequest,
    responses((status = 201, description = "The new record", body = Record)))]
fn rebook() {}

/// Move an active record to another free slot of the same service.
#[utoipa::path(post, path = "/v1/records/{id}/reschedule", tag = "slots",
    params(("id" = apptctl_api::RecordId, Path, description = "The active record")),
    request_body = RescheduleRequest,
    responses((status = 200, description = "The record in its new slot", body = Record)))]
fn reschedule() {}

/// Free slots of a service, nearest first.
#[utoipa::path(get, path = "/v1/slots", tag = "slots", params(SlotsQuery),
    responses((status = 200, description = "A page of free slots", body = Page<Slot>)))]
fn list_slots() {}

// ---- journal --------------------------------------------------------------

/// The audit journal: every change and every refused attempt the caller may
/// see.
#[utoipa::path(get, path = "/v1/history", tag = "journal", params(HistoryQuery),
    responses((status = 200, description = "A page of journal entries", body = Page<AuditEntry>)))]
fn history() {}

/// The SMS and e-mail messages sent to the caller.
#[utoipa::path(get, path = "/v1/notifications", tag = "journal",
    responses((status = 200, description = "A page of notifications", body = Page<Notification>)))]
fn notifications() {}

// ---- catalogue ------------------------------------------------------------

/// The services that can be booked (a short list, not paged).
#[utoipa::path(get, path = "/v1/services", tag = "catalogue",
    responses((status = 200, description = "The services", body = Vec<ServiceRef>)))]
fn services() {}

/// The departments (offices; a short list, not paged).
#[utoipa::path(get, path = "/v1/departments", tag = "catalogue",
    responses((status = 200, description = "The departments", body = Vec<DepartmentRef>)))]
fn departments() {}

// ---- operations -----------------------------------------------------------

/// Whether the service and its database answer.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Healthy", body = Health),
        (status = 503, description = "The database does not answer", body = Health)))]
fn healthz() {}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Metrics in the Prometheus text format",
        body = String, content_type = "text/plain; version=0.0.4; charset=utf-8")))]
fn metrics() {}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI document", body = Object)))]
fn openapi_json() {}

// ---- platform rules -------------------------------------------------------

/// Adds what every operation shares: the bearer scheme, the error answers,
/// `Idempotency-Key` on POSTs.
struct PlatformRules;

/// Name of the bearer security scheme.
const BEARER: &str = "bearer";

/// Operations anyone may call without a credential.
const PUBLIC: &[(HttpMethod, &str)] = &[
    (HttpMethod::Post, "/v1/sessions"),
    (HttpMethod::Get, "/healthz"),
    (HttpMethod::Get, "/metrics"),
    (HttpMethod::Get, "/openapi.json"),
];

/// The error answers, by status: the name under `components/responses`
/// and what it means.
const ERRORS: &[(u16, &str, &str)] = &[
    (
        400,
        "BadRequest",
        "The request is malformed (`code` says what is wrong)",
    ),
    (
        401,
        "Unauthenticated",
        "Not logged in, session expired, or a wrong credential or code",
    ),
    (
        403,
        "Forbidden",
        "The role or token scope does not allow this",
    ),
    (
        404,
        "NotFound",
        "No such thing, or not visible to the caller",
    ),
    (
        409,
        "Conflict",
        "The state of the record, slot or key does not allow this",
    ),
    (413, "BodyTooLarge", "The request body is too large"),
    (415, "UnsupportedMediaType", "The request body is not JSON"),
    (
        422,
        "IdempotencyKeyReused",
        "The Idempotency-Key was used for a different request",
    ),
    (
        429,
        "RateLimited",
        "Too many requests; wait `Retry-After` seconds",
    ),
    (
        500,
        "Internal",
        "The service failed; the request id finds it in the logs",
    ),
    (
        503,
        "Unavailable",
        "The service is unavailable or timed out; retry after `Retry-After`",
    ),
];

impl Modify for PlatformRules {
    fn modify(&self, doc: &mut Document) {
        add_components(doc);
        for (path, item) in doc.paths.paths.iter_mut() {
            let operations = [
                (HttpMethod::Get, item.get.as_mut()),
                (HttpMethod::Post, item.post.as_mut()),
                (HttpMethod::Delete, item.delete.as_mut()),
            ];
            for (method, operation) in operations {
                if let Some(operation) = operation {
                    apply_rules(path, method, operation);
                }
            }
        }
    }
}

fn add_components(doc: &mut Document) {
    let components = doc.components.get_or_insert_with(Default::default);
    let bearer = HttpBuilder::new()
        .scheme(HttpAuthScheme::Bearer)
        .description(Some(
            "A session token from POST /v1/sessions or an automation token",
        ))
        .build();
    components.add_security_scheme(BEARER, SecurityScheme::Http(bearer));

    for (status, name, description) in ERRORS {
        let response = problem_response(*status, description);
        components
            .responses
            .insert(name.to_string(), RefOr::T(response));
    }
}

fn problem_response(status: u16, description: &str) -> Response {
    let content = Content::new(Some(Ref::from_schema_name("Problem")));
    let mut response = ResponseBuilder::new()
        .description(description)
        .content(apptctl_api::PROBLEM_JSON, content)
        .header(
            "X-Request-Id",
            header("The request's id, as in the body", Type::String),
        );
    if matches!(status, 409 | 429 | 503) {
        let retry = "Seconds to wait before retrying (on 409 only while the same \
            Idempotency-Key is in flight)";
        response = response.header("Retry-After", header(retry, Type::Integer));
    }
    response.build()
}

fn header(description: &str, kind: Type) -> Header {
    let schema = ObjectBuilder::new().schema_type(kind).build();
    HeaderBuilder::new()
        .schema(schema)
        .description(Some(description))
        .build()
}

fn apply_rules(path: &str, method: HttpMethod, operation: &mut Operation) {
    let public = PUBLIC.iter().any(|(m, p)| *m == method && *p == path);
    let requirement = if public {
        SecurityRequirement::default()
    } else {
        SecurityRequirement::new(BEARER, Vec::<String>::new())
    };
    operation.security = Some(vec![requirement]);

    for status in error_statuses(path, &method, public) {
        let Some((_, name, _)) = ERRORS.iter().find(|(s, _, _)| *s == status) else {
            continue;
        };
        let reference = RefOr::Ref(Ref::new(format!("#/components/responses/{name}")));
        operation
            .responses
            .responses
            .insert(status.to_string(), reference);
    }

    if method == HttpMethod::Post {
        operation
            .parameters
            .get_or_insert_with(Vec::new)
            .push(idempotency_key_header());
    }
}

/// Which errors an operation can answer. Generous on purpose: a documented
/// status that never comes is harmless, an undocumented one breaks clients
/// generated from this document.
fn error_statuses(path: &str, method: &HttpMethod, public: bool) -> Vec<u16> {
    // Every wrapped route can be rate limited, time out or fail.
    let mut statuses = vec![429, 500, 503];
    if !path.starts_with("/v1/") {
        return statuses;
    }

    statuses.extend([400, 401, 404]);
    if !public {
        statuses.push(403);
    }
    if *method == HttpMethod::Post {
        // Bodies, idempotency keys and state conflicts.
        statuses.extend([409, 413, 415, 422]);
    }
    if *method == HttpMethod::Delete {
        statuses.push(409);
    }
    statuses.sort_unstable();
    statuses
}

fn idempotency_key_header() -> Parameter {
    let schema = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(255))
        .pattern(Some("^[!-~]{1,255}$"));
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes the POST safe to retry: the same key and body replay the first answer \
             (with `Idempotent-Replayed: true`); the same key with another body is refused \
             with 422. Keys live 24 hours (answers carrying a new session or token: \
             10 minutes) and are scoped to the caller.",
        ))
        .schema(Some(schema))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_documents_its_errors_as_problems() {
        let doc = document();
        let problem = &doc["components"]["responses"]["RateLimited"]["content"]
            ["application/problem+json"]["schema"]["$ref"];
        assert_eq!(problem, "#/components/schemas/Problem");

        let cancel = &doc["paths"]["/v1/records/{id}/cancellation"]["post"];
        for status in ["400", "401", "403", "404", "409", "422", "429", "503"] {
            assert!(
                cancel["responses"][status].is_object(),
                "cancellation lacks {status}"
            );
        }
        let params = cancel["parameters"].as_array().expect("parameters");
        assert!(params
            .iter()
            .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"));
    }

    #[test]
    fn login_is_public_and_the_rest_needs_a_bearer() {
        let doc = document();
        assert_eq!(
            doc["paths"]["/v1/sessions"]["post"]["security"],
            serde_json::json!([{}])
        );
        assert_eq!(
            doc["paths"]["/v1/records"]["get"]["security"],
            serde_json::json!([{ "bearer": [] }])
        );
    }
}
