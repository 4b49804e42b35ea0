//! Challenges in PostgreSQL. (Being ported.)
#![allow(unused_variables)]

use apptctl_api::cancel::{Challenge, ChallengePurpose};
use apptctl_api::RecordId;
use postgres::Transaction;

use crate::domain::challenge::ChallengeRow;
use crate::error::ApiError;
use crate::store::OpContext;

fn unported() -> ApiError {
    ApiError::Internal(anyhow::anyhow!("not ported yet"))
}

pub fn issue(
    tx: &mut Transaction,
    ctx: &OpContext,
    user_id: i64,
    purpose: ChallengePurpose,
    records: &[RecordId],
) -> Result<Challenge, ApiError> {
    Err(unported())
}

pub fn load(tx: &mut Transaction, id: &str) -> Result<Option<ChallengeRow>, ApiError> {
    Err(unported())
}

pub fn load_for(
    tx: &mut Transaction,
    id: &str,
    caller: Option<i64>,
) -> Result<ChallengeRow, ApiError> {
    Err(unported())
}

pub fn covers(tx: &mut Transaction, id: &str, record: RecordId) -> Result<bool, ApiError> {
    Err(unported())
}

pub fn mark_used(tx: &mut Transaction, id: &str) -> Result<(), ApiError> {
    Err(unported())
}

pub fn confirm(
    tx: &mut Transaction,
    ctx: &OpContext,
    id: &str,
    caller: Option<i64>,
    code: &str,
) -> Result<Result<Challenge, ApiError>, ApiError> {
    Err(unported())
}

pub fn show(
    tx: &mut Transaction,
    ctx: &OpContext,
    id: &str,
    caller: Option<i64>,
) -> Result<Challenge, ApiError> {
    Err(unported())
}
