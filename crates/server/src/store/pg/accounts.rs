//! Accounts, sessions and tokens in PostgreSQL. (Being ported.)
#![allow(unused_variables)]

use apptctl_api::auth::{CreateTokenOutcome, Session, TokenInfo};
use chrono::{DateTime, Utc};
use postgres::Transaction;

use crate::auth::{Actor, Authentication};
use crate::error::ApiError;
use crate::store::sqlite::{AccountError, NewAccount};
use crate::store::{LoginStep, NewToken, OpContext, UserRow};

fn unported() -> ApiError {
    ApiError::Internal(anyhow::anyhow!("not ported yet"))
}

pub fn authenticate(
    tx: &mut Transaction,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Authentication, ApiError> {
    Err(unported())
}

pub fn touch(tx: &mut Transaction, credential_id: i64, now: DateTime<Utc>) -> Result<(), ApiError> {
    Err(unported())
}

pub fn find_user(tx: &mut Transaction, username: &str) -> Result<Option<UserRow>, ApiError> {
    Err(unported())
}

pub fn login_failed(tx: &mut Transaction, ctx: &OpContext, user_id: i64) -> Result<bool, ApiError> {
    Err(unported())
}

pub fn login_succeeded(
    tx: &mut Transaction,
    ctx: &OpContext,
    user_id: i64,
) -> Result<LoginStep, ApiError> {
    Err(unported())
}

pub fn login_with_challenge(
    tx: &mut Transaction,
    ctx: &OpContext,
    id: &str,
) -> Result<Session, ApiError> {
    Err(unported())
}

pub fn end_session(tx: &mut Transaction, ctx: &OpContext, actor: &Actor) -> Result<(), ApiError> {
    Err(unported())
}

pub fn list_tokens(tx: &mut Transaction, user_id: i64) -> Result<Vec<TokenInfo>, ApiError> {
    Err(unported())
}

pub fn create_token(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: &Actor,
    token: &NewToken,
    challenge_id: Option<&str>,
) -> Result<CreateTokenOutcome, ApiError> {
    Err(unported())
}

pub fn revoke_token(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: &Actor,
    id: &str,
) -> Result<(), ApiError> {
    Err(unported())
}

pub fn create_account(tx: &mut Transaction, account: &NewAccount) -> Result<i64, AccountError> {
    Err(AccountError::from(anyhow::anyhow!("not ported yet")))
}
