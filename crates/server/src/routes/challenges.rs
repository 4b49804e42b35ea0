//! Challenges: `GET /v1/challenges/{id}` and
//! `POST /v1/challenges/{id}/confirm`. A login challenge is confirmed before
//! there is a session, so these accept anonymous callers for login
//! challenges only; other challenges belong to their user alone.

use apptctl_api::cancel::{Challenge, ConfirmRequest};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::auth::MaybeActor;
use crate::error::{ApiError, ApiJson, ApiPath};
use crate::request_id::RequestId;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/challenges/{id}", get(show))
        .route("/v1/challenges/{id}/confirm", post(confirm))
}

async fn show(
    State(state): State<AppState>,
    request_id: RequestId,
    MaybeActor(actor): MaybeActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Challenge>, ApiError> {
    let caller = actor.map(|a| a.user_id);
    Ok(Json(
        state
            .store
            .challenge(state.op(&request_id), id, caller)
            .await?,
    ))
}

/// Wrong codes and refusals are journaled by the store, in the same
/// transaction that counts the try.
async fn confirm(
    State(state): State<AppState>,
    request_id: RequestId,
    MaybeActor(actor): MaybeActor,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<ConfirmRequest>,
) -> Result<Json<Challenge>, ApiError> {
    let caller = actor.map(|a| a.user_id);
    let code: String = request.code.chars().take(32).collect();
    Ok(Json(
        state
            .store
            .confirm_challenge(state.op(&request_id), id, caller, code)
            .await?,
    ))
}
