//! `POST /v1/sessions` (log in, with the two-factor step),
//! `DELETE /v1/sessions/current` (log out) and `GET /v1/me`.

use apptctl_api::auth::{LoginOutcome, LoginRequest, Me};
use apptctl_api::ErrorCode;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};

use super::{audited, Attempt};
use crate::auth::{decoy_hash, verify_password, Actor};
use crate::error::{ApiError, ApiJson};
use crate::request_id::RequestId;
use crate::state::AppState;
use crate::store::LoginStep;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/sessions", post(create_session))
        .route("/v1/sessions/current", delete(end_session))
        .route("/v1/me", get(me))
}

async fn create_session(
    State(state): State<AppState>,
    request_id: RequestId,
    ApiJson(login): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    if let Some(challenge_id) = login.challenge_id.clone() {
        let session = state
            .store
            .login_with_challenge(state.op(&request_id), challenge_id)
            .await;
        let attempt = Attempt::anonymous(None, None, "session.create");
        let session = audited(&state, &request_id, attempt, session).await?;
        return Ok(logged_in(LoginOutcome::LoggedIn { session }));
    }

    let (Some(username), Some(password)) = (login.username, login.password) else {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "a login needs username and password, or a confirmed challenge_id",
            "send {\"username\": ..., \"password\": ...}",
        ));
    };
    let (user_id, step) = password_login(&state, &request_id, &username, password).await;
    let attempt = Attempt::anonymous(Some(&username), user_id, "session.create");
    match audited(&state, &request_id, attempt, step).await? {
        LoginStep::LoggedIn(session) => Ok(logged_in(LoginOutcome::LoggedIn { session })),
        LoginStep::ChallengeRequired(challenge) => {
            let outcome = LoginOutcome::ChallengeRequired { challenge };
            Ok((StatusCode::ACCEPTED, Json(outcome)).into_response())
        }
    }
}

fn logged_in(outcome: LoginOutcome) -> Response {
    (StatusCode::CREATED, Json(outcome)).into_response()
}

/// Checks the password with lockout; returns the account's id when the
/// username names one, for the journal.
async fn password_login(
    state: &AppState,
    request_id: &RequestId,
    username: &str,
    password: String,
) -> (Option<i64>, Result<LoginStep, ApiError>) {
    let user = match state.store.find_user(username.to_string()).await {
        Ok(user) => user,
        Err(e) => return (None, Err(e)),
    };
    let stored = user
        .as_ref()
        .map_or_else(|| decoy_hash().to_string(), |u| u.password_hash.clone());
    let matches = tokio::task::spawn_blocking(move || verify_password(&stored, &password)).await;

    let Some(user) = user else {
        return (None, Err(invalid_credentials()));
    };
    let step = match matches {
        Err(e) => Err(e.into()),
        Ok(_) if user.locked_until.is_some_and(|until| until > state.now()) => {
            Err(account_locked(user.locked_until.unwrap_or_default()))
        }
        Ok(false) => match state
            .store
            .login_failed(state.op(request_id), user.id)
            .await
        {
            Ok(true) => Err(account_locked(state.now() + state.config.lockout)),
            Ok(false) => Err(invalid_credentials()),
            Err(e) => Err(e),
        },
        Ok(true) => {
            state
                .store
                .login_succeeded(state.op(request_id), user.id)
                .await
        }
    };
    (Some(user.id), step)
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidCredentials,
        "wrong username or password",
        "check both and try again; the account locks after 5 failures in a row",
    )
}

fn account_locked(until: chrono::DateTime<chrono::Utc>) -> ApiError {
    ApiError::new(
        ErrorCode::AccountLocked,
        format!(
            "the account is locked after too many failed logins, until {}",
            until.to_rfc3339()
        ),
        "wait until the lock ends, then log in with the right password",
    )
}

async fn end_session(
    State(state): State<AppState>,
    request_id: RequestId,
    actor: Actor,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .end_session(state.op(&request_id), actor)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(actor: Actor) -> Json<Me> {
    Json(actor.me())
}
