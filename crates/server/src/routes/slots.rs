//! Reference data: `GET /v1/slots` (free slots, nearest first),
//! `GET /v1/services`, `GET /v1/departments`, and `GET /healthz`.

use apptctl_api::auth::Scope;
use apptctl_api::records::{DepartmentRef, ServiceRef};
use apptctl_api::slots::{Slot, SlotsQuery};
use apptctl_api::{Health, Page, API_VERSION};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use crate::auth::Actor;
use crate::domain::query::{page_size, parse_bound, parse_cursor, RangeEnd};
use crate::error::{ApiError, ApiQuery};
use crate::state::AppState;
use crate::store::{PageRequest, SlotFilter};

const CURSOR: &str = "slots";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/slots", get(list))
        .route("/v1/services", get(services))
        .route("/v1/departments", get(departments))
        .route("/healthz", get(health))
}

async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<SlotsQuery>,
) -> Result<Json<Page<Slot>>, ApiError> {
    actor.require_scope(Scope::RecordsRead)?;
    let now = state.now();
    let from = parse_bound("from", query.from.as_deref(), RangeEnd::From)?
        .unwrap_or(now)
        .max(now);
    let filter = SlotFilter {
        service: query.service.trim().to_string(),
        department: query
            .department
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(String::from),
        from,
        to: parse_bound("to", query.to.as_deref(), RangeEnd::To)?,
    };
    let page = PageRequest {
        limit: page_size(query.limit)?,
        after: parse_cursor(CURSOR, query.cursor.as_deref())?,
    };

    let found = state.store.list_slots(filter, page).await?;
    Ok(Json(Page {
        items: found.items,
        next_cursor: found.next.map(|c| c.encode(CURSOR)),
    }))
}

async fn services(
    State(state): State<AppState>,
    _actor: Actor,
) -> Result<Json<Vec<ServiceRef>>, ApiError> {
    Ok(Json(state.store.services().await?))
}

async fn departments(
    State(state): State<AppState>,
    _actor: Actor,
) -> Result<Json<Vec<DepartmentRef>>, ApiError> {
    Ok(Json(state.store.departments().await?))
}

/// 503 when the database does not answer, so a load balancer or an
/// orchestrator takes the instance out of rotation.
async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let database_ok = state.store.ping().await;
    let status = if database_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Json(Health {
        status: if database_ok { "ok" } else { "degraded" }.to_string(),
        api_version: API_VERSION.to_string(),
        server_version: env!("CARGO_PKG_VERSION").to_string(),
        database: state.store.backend().to_string(),
        database_ok,
    });
    (status, body)
}
