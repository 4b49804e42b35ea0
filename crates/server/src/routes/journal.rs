//! `GET /v1/history` (the audit journal, newest first) and
//! `GET /v1/notifications` (the caller's SMS and e-mail outbox).

use apptctl_api::auth::Scope;
use apptctl_api::journal::{AuditEntry, HistoryQuery, Notification};
use apptctl_api::Page;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::parse_record_id;
use crate::auth::Actor;
use crate::domain::access::Visibility;
use crate::domain::query::{page_size, parse_bound, parse_cursor, RangeEnd};
use crate::error::{ApiError, ApiQuery};
use crate::state::AppState;
use crate::store::{HistoryFilter, PageRequest};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/history", get(history))
        .route("/v1/notifications", get(notifications))
}

async fn history(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> Result<Json<Page<AuditEntry>>, ApiError> {
    actor.require_scope(Scope::RecordsRead)?;
    let record = query
        .record
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .map(parse_record_id)
        .transpose()?;
    let filter = HistoryFilter {
        record,
        from: parse_bound("from", query.from.as_deref(), RangeEnd::From)?,
        to: parse_bound("to", query.to.as_deref(), RangeEnd::To)?,
    };
    let page = PageRequest {
        limit: page_size(query.limit)?,
        after: parse_cursor("history", query.cursor.as_deref())?,
    };

    let found = state
        .store
        .history(Visibility::of(&actor), actor.user_id, filter, page)
        .await?;
    Ok(Json(Page {
        items: found.items,
        next_cursor: found.next.map(|c| c.encode("history")),
    }))
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    limit: Option<u32>,
    cursor: Option<String>,
}

async fn notifications(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Page<Notification>>, ApiError> {
    let page = PageRequest {
        limit: page_size(query.limit)?,
        after: parse_cursor("outbox", query.cursor.as_deref())?,
    };
    let found = state.store.notifications(actor.user_id, page).await?;
    Ok(Json(Page {
        items: found.items,
        next_cursor: found.next.map(|c| c.encode("outbox")),
    }))
}
