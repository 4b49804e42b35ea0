//! One typed method per endpoint of the API. Each is a thin wrapper over
//! [`ApiClient::call`] naming the path and the wire types of `apptctl_api`.

use apptctl_api::auth::{
    CreateTokenOutcome, CreateTokenRequest, LoginOutcome, LoginRequest, Me, TokenInfo,
};
use apptctl_api::cancel::{
    BatchCancelRequest, CancelOutcome, CancelRequest, Challenge, ConfirmRequest,
};
use apptctl_api::journal::{AuditEntry, HistoryQuery, Notification};
use apptctl_api::records::{ListRecordsQuery, Record, RecordDetails};
use apptctl_api::slots::{RebookRequest, RescheduleRequest, Slot, SlotsQuery};
use apptctl_api::{Health, Page, RecordId};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{ApiClient, CallOptions, ClientError, Reply};

/// No query string.
const NO_QUERY: Option<&()> = None;

/// No request body.
const NO_BODY: Option<&()> = None;

impl ApiClient {
    /// A GET with default options.
    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<Reply<T>, ClientError> {
        let options = CallOptions::default();
        self.call(Method::GET, path, query, NO_BODY, &options).await
    }

    /// A POST of `body`; `options` carry the idempotency key when the caller
    /// has its own (the batch engine does), else a fresh one is made.
    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &(impl Serialize + ?Sized),
        options: &CallOptions,
    ) -> Result<Reply<T>, ClientError> {
        self.call(Method::POST, path, NO_QUERY, Some(body), options)
            .await
    }

    /// A DELETE with default options.
    async fn delete<T: DeserializeOwned>(&self, path: &str) -> Result<Reply<T>, ClientError> {
        let options = CallOptions::default();
        self.call(Method::DELETE, path, NO_QUERY, NO_BODY, &options)
            .await
    }

    /// `GET /healthz`.
    pub async fn health(&self) -> Result<Reply<Health>, ClientError> {
        self.get("/healthz", NO_QUERY).await
    }

    /// `POST /v1/sessions`: log in, or finish a two-factor login.
    pub async fn create_session(
        &self,
        request: &LoginRequest,
    ) -> Result<Reply<LoginOutcome>, ClientError> {
        self.post("/v1/sessions", request, &CallOptions::default())
            .await
    }

    /// `DELETE /v1/sessions/current`: revoke the session in use.
    pub async fn delete_current_session(&self) -> Result<Reply<()>, ClientError> {
        self.delete("/v1/sessions/current").await
    }

    /// `GET /v1/me`.
    pub async fn me(&self) -> Result<Reply<Me>, ClientError> {
        self.get("/v1/me", NO_QUERY).await
    }

    /// `POST /v1/challenges/{id}/confirm` with a one-time code.
    pub async fn confirm_challenge(
        &self,
        challenge_id: &str,
        code: &str,
    ) -> Result<Reply<Challenge>, ClientError> {
        let path = format!("/v1/challenges/{}/confirm", encode_segment(challenge_id));
        let body = ConfirmRequest {
            code: code.to_string(),
        };
        self.post(&path, &body, &CallOptions::default()).await
    }

    /// `GET /v1/tokens`: every token of the caller.
    pub async fn list_tokens(&self) -> Result<Reply<Vec<TokenInfo>>, ClientError> {
        let reply: Reply<TokenList> = self.get("/v1/tokens", NO_QUERY).await?;
        Ok(reply.map(TokenList::into_items))
    }

    /// `POST /v1/tokens`.
    pub async fn create_token(
        &self,
        request: &CreateTokenRequest,
    ) -> Result<Reply<CreateTokenOutcome>, ClientError> {
        self.post("/v1/tokens", request, &CallOptions::default())
            .await
    }

    /// `DELETE /v1/tokens/{id}`.
    /// Answers the revoked token, or nothing (204).
    pub async fn revoke_token(
        &self,
        token_id: &str,
    ) -> Result<Reply<Option<TokenInfo>>, ClientError> {
        let path = format!("/v1/tokens/{}", encode_segment(token_id));
        self.delete(&path).await
    }

    /// `GET /v1/records`: one page.
    pub async fn list_records(
        &self,
        query: &ListRecordsQuery,
    ) -> Result<Reply<Page<Record>>, ClientError> {
        self.get("/v1/records", Some(query)).await
    }

    /// `GET /v1/records/{id}`.
    pub async fn record(&self, id: RecordId) -> Result<Reply<RecordDetails>, ClientError> {
        self.get(&format!("/v1/records/{id}"), NO_QUERY).await
    }

    /// `POST /v1/records/{id}/cancellation`.
    pub async fn cancel_record(
        &self,
        id: RecordId,
        request: &CancelRequest,
        options: &CallOptions,
    ) -> Result<Reply<CancelOutcome>, ClientError> {
        self.post(&format!("/v1/records/{id}/cancellation"), request, options)
            .await
    }

    /// `POST /v1/cancellations`: one challenge covering many records.
    pub async fn request_batch_challenge(
        &self,
        request: &BatchCancelRequest,
        options: &CallOptions,
    ) -> Result<Reply<CancelOutcome>, ClientError> {
        self.post("/v1/cancellations", request, options).await
    }

    /// `POST /v1/records/{id}/rebook`: the new record.
    pub async fn rebook(
        &self,
        id: RecordId,
        request: &RebookRequest,
    ) -> Result<Reply<Record>, ClientError> {
        let path = format!("/v1/records/{id}/rebook");
        self.post(&path, request, &CallOptions::default()).await
    }

    /// `POST /v1/records/{id}/reschedule`: the moved record.
    pub async fn reschedule(
        &self,
        id: RecordId,
        request: &RescheduleRequest,
    ) -> Result<Reply<Record>, ClientError> {
        let path = format!("/v1/records/{id}/reschedule");
        self.post(&path, request, &CallOptions::default()).await
    }

    /// `GET /v1/slots`: one page of free slots.
    pub async fn slots(&self, query: &SlotsQuery) -> Result<Reply<Page<Slot>>, ClientError> {
        self.get("/v1/slots", Some(query)).await
    }

    /// `GET /v1/history`: one page of the audit journal.
    pub async fn history(
        &self,
        query: &HistoryQuery,
    ) -> Result<Reply<Page<AuditEntry>>, ClientError> {
        self.get("/v1/history", Some(query)).await
    }

    /// `GET /v1/notifications`: one page of the account's messages.
    pub async fn notifications(
        &self,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Reply<Page<Notification>>, ClientError> {
        let query = serde_json::json!({ "limit": limit, "cursor": cursor });
        self.get("/v1/notifications", Some(&query)).await
    }
}

/// The token list: the reference service answers a bare array, while the
/// other lists are pages; both are read so either form works.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum TokenList {
    Page(Page<TokenInfo>),
    Items(Vec<TokenInfo>),
}

impl TokenList {
    fn into_items(self) -> Vec<TokenInfo> {
        match self {
            TokenList::Page(page) => page.items,
            TokenList::Items(items) => items,
        }
    }
}

/// A path segment from user input, percent-encoded so it cannot change the path.
fn encode_segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
