//! `POST /v1/dev/clock`: set or advance the server's manual clock. The route
//! exists only when the server runs with a manual clock (dev and tests).

use apptctl_api::ErrorCode;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/dev/clock", post(set_clock))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockRequest {
    now: Option<DateTime<Utc>>,
    advance_seconds: Option<i64>,
}

#[derive(Debug, Serialize)]
struct ClockAnswer {
    now: DateTime<Utc>,
}

async fn set_clock(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ClockRequest>,
) -> Result<Json<ClockAnswer>, ApiError> {
    let Some(clock) = state.clock.as_manual() else {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "no such path",
            "the clock is settable only with --clock",
        ));
    };
    match (request.now, request.advance_seconds) {
        (Some(at), None) => clock.set(at),
        (None, Some(seconds)) if seconds.unsigned_abs() <= 100 * 365 * 86_400 => {
            clock.advance(Duration::seconds(seconds))
        }
        _ => {
            return Err(ApiError::new(
                ErrorCode::InvalidRequest,
                "give either now (RFC 3339) or advance_seconds",
                "send {\"now\": \"2026-12-03T10:00:00Z\"} or {\"advance_seconds\": 60}",
            ))
        }
    }
    Ok(Json(ClockAnswer { now: state.now() }))
}
