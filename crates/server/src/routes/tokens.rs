//! Automation tokens: `GET /v1/tokens`, `POST /v1/tokens` (after a code
//! check), `DELETE /v1/tokens/{id}`.

use apptctl_api::auth::{CreateTokenOutcome, CreateTokenRequest, TokenInfo};
use apptctl_api::ErrorCode;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use chrono::Duration;

use super::{audited, Attempt};
use crate::auth::Actor;
use crate::error::{ApiError, ApiJson, ApiPath};
use crate::request_id::RequestId;
use crate::state::AppState;
use crate::store::NewToken;

const DEFAULT_DAYS: u32 = 30;
const MAX_DAYS: u32 = 365;
const MAX_NAME_CHARS: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/tokens", get(list).post(create))
        .route("/v1/tokens/{id}", delete(revoke))
}

async fn list(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Json<Vec<TokenInfo>>, ApiError> {
    Ok(Json(state.store.list_tokens(actor.user_id).await?))
}

async fn create(
    State(state): State<AppState>,
    request_id: RequestId,
    actor: Actor,
    ApiJson(request): ApiJson<CreateTokenRequest>,
) -> Result<Response, ApiError> {
    let result = async {
        let token = new_token(&state, &actor, &request)?;
        state
            .store
            .create_token(
                state.op(&request_id),
                actor.clone(),
                token,
                request.challenge_id.clone(),
            )
            .await
    }
    .await;
    match audited(
        &state,
        &request_id,
        Attempt::by(&actor, "token.create", None),
        result,
    )
    .await?
    {
        created @ CreateTokenOutcome::Created { .. } => {
            Ok((StatusCode::CREATED, Json(created)).into_response())
        }
        asked => Ok((StatusCode::ACCEPTED, Json(asked)).into_response()),
    }
}

fn new_token(
    state: &AppState,
    actor: &Actor,
    request: &CreateTokenRequest,
) -> Result<NewToken, ApiError> {
    if actor.is_token() {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "an automation token cannot create tokens",
            "log in as a person with `apptctl login` to create tokens",
        ));
    }
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            format!("a token name has 1 to {MAX_NAME_CHARS} characters"),
            "name the token after where it runs, e.g. ci-nightly",
        ));
    }
    if request.scopes.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "a token needs at least one scope",
            "choose from records:read, records:cancel, records:rebook",
        ));
    }
    let days = request.expires_in_days.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            format!("expires_in_days={days} is out of range"),
            format!("a token lives 1 to {MAX_DAYS} days"),
        ));
    }

    let mut scopes = request.scopes.clone();
    scopes.sort();
    scopes.dedup();
    Ok(NewToken {
        name: name.to_string(),
        scopes,
        expires_at: state.now() + Duration::days(days.into()),
    })
}

async fn revoke(
    State(state): State<AppState>,
    request_id: RequestId,
    actor: Actor,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let result = state
        .store
        .revoke_token(state.op(&request_id), actor.clone(), id)
        .await;
    audited(
        &state,
        &request_id,
        Attempt::by(&actor, "token.revoke", None),
        result,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
