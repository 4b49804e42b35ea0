//! Changing records in PostgreSQL: cancellation, batch challenges,
//! rescheduling and re-booking. (Being ported.)
#![allow(unused_variables)]

use apptctl_api::cancel::Challenge;
use apptctl_api::{RecordId, SlotId};
use postgres::Transaction;

use crate::auth::Actor;
use crate::domain::records::RecordRow;
use crate::error::ApiError;
use crate::store::{CancelCommand, CancelResult, OpContext, RebookTarget};

fn unported() -> ApiError {
    ApiError::Internal(anyhow::anyhow!("not ported yet"))
}

pub fn cancel(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: &Actor,
    command: &CancelCommand,
) -> Result<CancelResult, ApiError> {
    Err(unported())
}

pub fn batch_challenge(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: &Actor,
    ids: &[RecordId],
) -> Result<Challenge, ApiError> {
    Err(unported())
}

pub fn reschedule(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: &Actor,
    id: RecordId,
    slot_id: SlotId,
) -> Result<RecordRow, ApiError> {
    Err(unported())
}

pub fn rebook(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: &Actor,
    id: RecordId,
    target: RebookTarget,
) -> Result<RecordRow, ApiError> {
    Err(unported())
}
