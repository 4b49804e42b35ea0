//! Records: `GET /v1/records`, `GET /v1/records/{id}`, and the changes
//! `POST /v1/records/{id}/cancellation`, `/reschedule`, `/rebook`, plus the
//! batch challenge `POST /v1/cancellations`.

use std::collections::HashSet;

use apptctl_api::auth::Scope;
use apptctl_api::cancel::{BatchCancelRequest, CancelOutcome, CancelRequest};
use apptctl_api::records::{ListRecordsQuery, Record, RecordDetails, RecordStatus};
use apptctl_api::slots::{RebookRequest, RescheduleRequest};
use apptctl_api::{ErrorCode, Page, RecordId, MAX_BATCH_SIZE};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::{audited, parse_record_id, Attempt, RecordPath};
use crate::auth::Actor;
use crate::domain::access::{record_not_found, Visibility};
use crate::domain::query::{page_size, parse_bound, parse_cursor, RangeEnd};
use crate::domain::records::{check_reason, present};
use crate::error::{ApiError, ApiJson, ApiQuery};
use crate::metrics;
use crate::request_id::RequestId;
use crate::state::AppState;
use crate::store::{
    CancelAuthorization, CancelCommand, CancelResult, PageRequest, RebookTarget, RecordFilter,
};

/// The kind tag of record-list cursors.
const CURSOR: &str = "records";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/records", get(list))
        .route("/v1/records/{id}", get(show))
        .route("/v1/records/{id}/cancellation", post(cancel))
        .route("/v1/records/{id}/reschedule", post(reschedule))
        .route("/v1/records/{id}/rebook", post(rebook))
        .route("/v1/cancellations", post(batch_challenge))
}

async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<ListRecordsQuery>,
) -> Result<Json<Page<Record>>, ApiError> {
    actor.require_scope(Scope::RecordsRead)?;
    let filter = record_filter(&query)?;
    let page = PageRequest {
        limit: page_size(query.limit)?,
        after: parse_cursor(CURSOR, query.cursor.as_deref())?,
    };

    let found = state
        .store
        .list_records(Visibility::of(&actor), filter, page)
        .await?;
    let now = state.now();
    let items = found
        .items
        .iter()
        .map(|row| present(row, &actor, now, state.config.cutoff))
        .collect();
    Ok(Json(Page {
        items,
        next_cursor: found.next.map(|c| c.encode(CURSOR)),
    }))
}

fn record_filter(query: &ListRecordsQuery) -> Result<RecordFilter, ApiError> {
    let statuses = match query.status.as_deref() {
        None => Vec::new(),
        Some(list) => list
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.parse::<RecordStatus>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                ApiError::new(
                    ErrorCode::InvalidRequest,
                    e,
                    "pass statuses as a comma-separated list",
                )
            })?,
    };
    let text = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(String::from)
    };
    Ok(RecordFilter {
        statuses,
        service: text(&query.service),
        category: text(&query.category),
        department: text(&query.department),
        from: parse_bound("from", query.from.as_deref(), RangeEnd::From)?,
        to: parse_bound("to", query.to.as_deref(), RangeEnd::To)?,
        search: text(&query.search).map(|s| s.chars().take(200).collect()),
    })
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    RecordPath(id): RecordPath,
) -> Result<Json<RecordDetails>, ApiError> {
    let id = parse_record_id(&id)?;
    actor.require_scope(Scope::RecordsRead)?;

    let visibility = Visibility::of(&actor);
    let details = state
        .store
        .record_details(id)
        .await?
        .filter(|d| visibility.can_see(d.record.owner_id, &d.record.department.id))
        .ok_or_else(|| record_not_found(id))?;

    Ok(Json(RecordDetails {
        record: present(&details.record, &actor, state.now(), state.config.cutoff),
        applicant: details.applicant,
        documents: details.documents,
        comments: details.comments,
        specialist: details.specialist,
        history: details.history,
    }))
}

async fn cancel(
    State(state): State<AppState>,
    request_id: RequestId,
    actor: Actor,
    RecordPath(id): RecordPath,
    body: Result<ApiJson<CancelRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let record_id = parse_record_id(&id).ok();
    let result = cancel_record(&state, &request_id, &actor, &id, body).await;
    let result = audited(
        &state,
        &request_id,
        Attempt::by(&actor, "record.cancel", record_id),
        result,
    )
    .await;

    match result {
        Ok(CancelResult::Cancelled(row)) => {
            metrics::record_cancellation("cancelled", "none");
            let record = present(&row, &actor, state.now(), state.config.cutoff);
            Ok((StatusCode::OK, Json(CancelOutcome::Cancelled { record })).into_response())
        }
        Ok(CancelResult::ChallengeRequired(challenge)) => {
            metrics::record_cancellation("challenge", "none");
            Ok((
                StatusCode::ACCEPTED,
                Json(CancelOutcome::ChallengeRequired { challenge }),
            )
                .into_response())
        }
        Err(refusal) => {
            metrics::record_cancellation("refused", refusal.code().as_str());
            Err(refusal)
        }
    }
}

async fn cancel_record(
    state: &AppState,
    request_id: &RequestId,
    actor: &Actor,
    id: &str,
    body: Result<ApiJson<CancelRequest>, ApiError>,
) -> Result<CancelResult, ApiError> {
    let record_id = parse_record_id(id)?;
    let ApiJson(request) = body?;
    let authorization = if actor.is_token() {
        actor.require_scope(Scope::RecordsCancel)?;
        CancelAuthorization::Token
    } else {
        match request.challenge_id {
            Some(challenge_id) => CancelAuthorization::Challenge(challenge_id),
            None => CancelAuthorization::AskForCode,
        }
    };
    check_reason(actor.role, request.reason, request.comment.as_deref())?;

    let command = CancelCommand {
        record_id,
        reason: request.reason,
        comment: request.comment,
        authorization,
    };
    state
        .store
        .cancel_record(state.op(request_id), actor.clone(), command)
        .await
}

async fn batch_challenge(
    State(state): State<AppState>,
    request_id: RequestId,
    actor: Actor,
    ApiJson(request): ApiJson<BatchCancelRequest>,
) -> Result<Response, ApiError> {
    let result = batch(&state, &request_id, &actor, request).await;
    let challenge = audited(
        &state,
        &request_id,
        Attempt::by(&actor, "cancellation.batch", None),
        result,
    )
    .await?;
    metrics::record_cancellation("challenge", "none");
    Ok((
        StatusCode::ACCEPTED,
        Json(CancelOutcome::ChallengeRequired { challenge }),
    )
        .into_response())
}

async fn batch(
    state: &AppState,
    request_id: &RequestId,
    actor: &Actor,
    request: BatchCancelRequest,
) -> Result<apptctl_api::cancel::Challenge, ApiError> {
    if actor.is_token() {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "automation tokens do not need a batch challenge",
            "a token with records:cancel cancels each record directly: \
             POST /v1/records/{id}/cancellation",
        ));
    }
    if request.record_ids.is_empty() || request.record_ids.len() > MAX_BATCH_SIZE {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            format!(
                "a batch lists 1 to {MAX_BATCH_SIZE} record ids, not {}",
                request.record_ids.len()
            ),
            "split the ids into several batches",
        ));
    }
    check_reason(actor.role, request.reason, request.comment.as_deref())?;

    let mut seen = HashSet::new();
    let ids: Vec<RecordId> = request
        .record_ids
        .into_iter()
        .filter(|id| seen.insert(*id))
        .collect();
    state
        .store
        .batch_challenge(state.op(request_id), actor.clone(), ids)
        .await
}

async fn reschedule(
    State(state): State<AppState>,
    request_id: RequestId,
    actor: Actor,
    RecordPath(id): RecordPath,
    body: Result<ApiJson<RescheduleRequest>, ApiError>,
) -> Result<Json<Record>, ApiError> {
    let record_id = parse_record_id(&id).ok();
    let result = async {
        let record_id = parse_record_id(&id)?;
        let ApiJson(request) = body?;
        actor.require_scope(Scope::RecordsRebook)?;
        state
            .store
            .reschedule(
                state.op(&request_id),
                actor.clone(),
                record_id,
                request.slot_id,
            )
            .await
    }
    .await;
    let row = audited(
        &state,
        &request_id,
        Attempt::by(&actor, "record.reschedule", record_id),
        result,
    )
    .await?;
    Ok(Json(present(
        &row,
        &actor,
        state.now(),
        state.config.cutoff,
    )))
}

async fn rebook(
    State(state): State<AppState>,
    request_id: RequestId,
    actor: Actor,
    RecordPath(id): RecordPath,
    body: Result<ApiJson<RebookRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let record_id = parse_record_id(&id).ok();
    let result = async {
        let record_id = parse_record_id(&id)?;
        let ApiJson(request) = body?;
        actor.require_scope(Scope::RecordsRebook)?;
        let target = rebook_target(&request, state.now())?;
        state
            .store
            .rebook(state.op(&request_id), actor.clone(), record_id, target)
            .await
    }
    .await;
    let row = audited(
        &state,
        &request_id,
        Attempt::by(&actor, "record.rebook", record_id),
        result,
    )
    .await?;
    let record = present(&row, &actor, state.now(), state.config.cutoff);
    Ok((StatusCode::CREATED, Json(record)).into_response())
}

fn rebook_target(
    request: &RebookRequest,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<RebookTarget, ApiError> {
    match (request.slot_id, request.first_free) {
        (Some(slot), false) => Ok(RebookTarget::Slot(slot)),
        (None, true) => Ok(RebookTarget::FirstFree(request.from.unwrap_or(now))),
        _ => Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "give either slot_id or first_free",
            "send {\"slot_id\": \"S123\"} or {\"first_free\": true}",
        )),
    }
}
