//! The storage interface: domain-level, transactional operations the
//! handlers call. Each state change (a cancellation with its history entry,
//! notifications and audit entry; a re-booking; a login) is one method and
//! one transaction, so a PostgreSQL implementation can follow by
//! implementing this trait without touching a handler.
//!
//! The domain checks themselves live in [`crate::domain`]; implementations
//! call them inside their transactions, on the rows they have locked.

mod changes;
pub mod common;
pub mod pg;
pub mod sqlite;

use std::sync::Arc;

use apptctl_api::auth::{CreateTokenOutcome, Scope, Session, TokenInfo};
use apptctl_api::cancel::{Challenge, ChallengePurpose, Reason};
use apptctl_api::journal::{AuditEntry, Notification, Outcome};
use apptctl_api::records::{
    Applicant, DepartmentRef, Document, RecordEvent, RecordStatus, ServiceRef, Specialist,
    StaffComment,
};
use apptctl_api::slots::Slot;
use apptctl_api::{RecordId, SlotId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::auth::{Actor, Authentication};
use crate::config::ServerConfig;
use crate::domain::access::Visibility;
use crate::domain::query::Cursor;
use crate::domain::records::RecordRow;
use crate::error::ApiError;

/// What every state-changing operation needs besides its arguments.
#[derive(Debug, Clone)]
pub struct OpContext {
    pub request_id: String,
    pub now: DateTime<Utc>,
    pub config: Arc<ServerConfig>,
}

/// An account as stored.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub locked_until: Option<DateTime<Utc>>,
}

/// After a correct password: a session, or a challenge for two-factor accounts.
#[derive(Debug)]
pub enum LoginStep {
    LoggedIn(Session),
    ChallengeRequired(Challenge),
}

/// Filters of a record list; all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    pub statuses: Vec<RecordStatus>,
    pub service: Option<String>,
    pub category: Option<String>,
    pub department: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Case-insensitive text; matched literally against the service name and
    /// the record id.
    pub search: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<Cursor>,
}

/// A page and the key of its last item when more follow.
#[derive(Debug)]
pub struct PageOf<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

/// Everything `GET /v1/records/{id}` shows beyond the record.
#[derive(Debug, Clone)]
pub struct RecordDetailsRow {
    pub record: RecordRow,
    pub applicant: Applicant,
    pub documents: Vec<Document>,
    pub comments: Vec<StaffComment>,
    pub specialist: Option<Specialist>,
    pub history: Vec<RecordEvent>,
}

/// How a cancellation is authorised.
#[derive(Debug, Clone)]
pub enum CancelAuthorization {
    /// An automation token with `records:cancel`: no code.
    Token,
    /// A person's session with a confirmed challenge.
    Challenge(String),
    /// A person's session without one: issue a challenge, change nothing.
    AskForCode,
}

#[derive(Debug, Clone)]
pub struct CancelCommand {
    pub record_id: RecordId,
    pub reason: Reason,
    pub comment: Option<String>,
    pub authorization: CancelAuthorization,
}

#[derive(Debug)]
pub enum CancelResult {
    Cancelled(RecordRow),
    ChallengeRequired(Challenge),
}

#[derive(Debug, Clone, Copy)]
pub enum RebookTarget {
    Slot(SlotId),
    /// The nearest free slot of the same service and department at or after.
    FirstFree(DateTime<Utc>),
}

#[derive(Debug, Clone)]
pub struct SlotFilter {
    pub service: String,
    pub department: Option<String>,
    pub from: DateTime<Utc>,
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    pub record: Option<RecordId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// A token to create.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub name: String,
    pub scopes: Vec<Scope>,
    pub expires_at: DateTime<Utc>,
}

/// An audit journal entry to write.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub record_id: Option<RecordId>,
    pub outcome: Outcome,
    pub code: Option<String>,
    pub request_id: String,
    pub detail: Option<String>,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `postgres`, for `/healthz`.
    fn backend(&self) -> &'static str;

    async fn ping(&self) -> bool;

    // Accounts and credentials.

    async fn authenticate(
        &self,
        secret_hash: String,
        now: DateTime<Utc>,
    ) -> Result<Authentication, ApiError>;
    /// Records that a credential was just used.
    async fn touch_credential(
        &self,
        credential_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError>;
    async fn find_user(&self, username: String) -> Result<Option<UserRow>, ApiError>;
    /// Counts a wrong password; returns whether the account is now locked.
    async fn login_failed(&self, ctx: OpContext, user_id: i64) -> Result<bool, ApiError>;
    async fn login_succeeded(&self, ctx: OpContext, user_id: i64) -> Result<LoginStep, ApiError>;
    async fn login_with_challenge(
        &self,
        ctx: OpContext,
        challenge_id: String,
    ) -> Result<Session, ApiError>;
    async fn end_session(&self, ctx: OpContext, actor: Actor) -> Result<(), ApiError>;
    async fn list_tokens(&self, user_id: i64) -> Result<Vec<TokenInfo>, ApiError>;
    /// Without `challenge_id`, issues a `token_create` challenge instead.
    async fn create_token(
        &self,
        ctx: OpContext,
        actor: Actor,
        token: NewToken,
        challenge_id: Option<String>,
    ) -> Result<CreateTokenOutcome, ApiError>;
    async fn revoke_token(
        &self,
        ctx: OpContext,
        actor: Actor,
        token_id: String,
    ) -> Result<(), ApiError>;

    // Challenges.

    async fn issue_challenge(
        &self,
        ctx: OpContext,
        user_id: i64,
        purpose: ChallengePurpose,
    ) -> Result<Challenge, ApiError>;
    /// `caller` is the authenticated user, if any; a challenge of another
    /// user is not found.
    async fn challenge(
        &self,
        ctx: OpContext,
        id: String,
        caller: Option<i64>,
    ) -> Result<Challenge, ApiError>;
    async fn confirm_challenge(
        &self,
        ctx: OpContext,
        id: String,
        caller: Option<i64>,
        code: String,
    ) -> Result<Challenge, ApiError>;

    // Records.

    async fn list_records(
        &self,
        visibility: Visibility,
        filter: RecordFilter,
        page: PageRequest,
    ) -> Result<PageOf<RecordRow>, ApiError>;
    async fn record_details(&self, id: RecordId) -> Result<Option<RecordDetailsRow>, ApiError>;
    async fn cancel_record(
        &self,
        ctx: OpContext,
        actor: Actor,
        command: CancelCommand,
    ) -> Result<CancelResult, ApiError>;
    /// One cancel challenge covering the listed records the actor can see.
    async fn batch_challenge(
        &self,
        ctx: OpContext,
        actor: Actor,
        ids: Vec<RecordId>,
    ) -> Result<Challenge, ApiError>;
    async fn reschedule(
        &self,
        ctx: OpContext,
        actor: Actor,
        id: RecordId,
        slot: SlotId,
    ) -> Result<RecordRow, ApiError>;
    /// Returns the new record.
    async fn rebook(
        &self,
        ctx: OpContext,
        actor: Actor,
        id: RecordId,
        target: RebookTarget,
    ) -> Result<RecordRow, ApiError>;

    // Reference data, journals.

    async fn list_slots(
        &self,
        filter: SlotFilter,
        page: PageRequest,
    ) -> Result<PageOf<Slot>, ApiError>;
    async fn services(&self) -> Result<Vec<ServiceRef>, ApiError>;
    async fn departments(&self) -> Result<Vec<DepartmentRef>, ApiError>;
    async fn history(
        &self,
        visibility: Visibility,
        user_id: i64,
        filter: HistoryFilter,
        page: PageRequest,
    ) -> Result<PageOf<AuditEntry>, ApiError>;
    async fn notifications(
        &self,
        user_id: i64,
        page: PageRequest,
    ) -> Result<PageOf<Notification>, ApiError>;
    async fn audit(&self, entry: NewAuditEntry) -> Result<(), ApiError>;
}
