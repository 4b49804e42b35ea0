//! The worker pool that cancels a batch's records: bounded concurrency over
//! one keep-alive client, one journal event per finished item, a second
//! pass for transient failures, reconciliation of unknown outcomes, and a
//! clean stop on Ctrl-C.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

use apptctl_api::cancel::{CancelOutcome, CancelRequest, Reason};
use apptctl_api::records::{RecordDetails, RecordStatus};
use apptctl_api::{ErrorClass, ErrorCode, RecordId};
use chrono::{DateTime, Utc};
use tokio::task::JoinSet;

use crate::batch::journal::{idempotency_key, ItemEvent, JournalWriter, Line, Outcome};
use crate::client::{ApiClient, CallOptions, ClientError, RetryCause, RetryNote};

/// Most requests in flight at once; more only queues on the server.
pub const MAX_CONCURRENCY: usize = 64;

/// What every request of one run carries.
#[derive(Debug, Clone)]
pub struct RunPlan {
    pub batch_id: String,
    pub run: u32,
    pub reason: Reason,
    pub comment: Option<String>,
    /// The confirmed challenge of a person's session; `None` with a token.
    pub challenge_id: Option<String>,
    /// When the batch was created: a cancellation found on a record after
    /// this moment, with this batch's reason, was this batch's doing.
    pub batch_created_at: DateTime<Utc>,
    /// Who acts, to recognise this batch's own cancellations in a record's
    /// history.
    pub actor: Option<String>,
    pub concurrency: usize,
}

/// How a run ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunTotals {
    pub cancelled: usize,
    pub already_cancelled: usize,
    pub failed: usize,
    pub unknown: usize,
    /// Items never started, because of Ctrl-C or a credentials failure.
    pub not_started: usize,
    pub interrupted: bool,
    /// The code that stopped the run early: the session or challenge was
    /// refused, so every further request would be refused too.
    pub stopped_by: Option<String>,
}

impl RunTotals {
    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Cancelled => self.cancelled += 1,
            Outcome::AlreadyCancelled => self.already_cancelled += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Unknown => self.unknown += 1,
        }
    }

    pub fn all_succeeded(&self) -> bool {
        self.failed == 0 && self.unknown == 0 && self.not_started == 0
    }
}

/// One item to send, and whether to read the record first because an
/// earlier attempt's outcome is not known.
#[derive(Debug, Clone, Copy)]
pub struct WorkItem {
    pub record: RecordId,
    pub reconcile: bool,
    /// Send under a new idempotency key: the old one is stuck "in
    /// progress" on the server (see `item_key`).
    pub takeover: bool,
}

impl WorkItem {
    pub fn new(record: RecordId) -> WorkItem {
        WorkItem {
            record,
            reconcile: false,
            takeover: false,
        }
    }

    /// The item again after `event`: read first when its outcome is not
    /// known, and under a new key when its key is stuck.
    pub fn after(event_outcome: Outcome, code: Option<&str>, record: RecordId) -> WorkItem {
        let takeover = code == Some(ErrorCode::IdempotencyInProgress.as_str());
        WorkItem {
            record,
            reconcile: takeover || event_outcome == Outcome::Unknown,
            takeover,
        }
    }
}

/// Runs every item: a first pass, then one more pass over the transient
/// failures and unknown outcomes. `on_item` sees each final event as it
/// happens (for streaming output and the progress bar); it runs on the
/// calling task, so it needs no locking.
pub async fn run_items(
    client: &ApiClient,
    plan: &RunPlan,
    items: Vec<WorkItem>,
    journal: &JournalWriter,
    interrupt: &AtomicBool,
    mut on_item: impl FnMut(&ItemEvent),
) -> RunTotals {
    let plan = Arc::new(plan.clone());
    let mut totals = RunTotals::default();
    let mut report = |event: &ItemEvent, totals: &mut RunTotals| {
        totals.count(event.outcome);
        on_item(event);
    };

    // Every event is journaled at once, transient ones too: if the process
    // dies before the second pass, the journal still knows what happened.
    let mut held = Vec::new();
    let first = run_pass(client, &plan, items, interrupt, |event| {
        journal.write(Line::Item(event.clone()));
        if is_transient(&event) {
            held.push(event);
        } else {
            report(&event, &mut totals);
        }
    })
    .await;
    totals.not_started = first.not_started;
    totals.stopped_by = first.stopped_by;

    // After a credentials failure the second pass would only meet it again.
    let again = match totals.stopped_by {
        Some(_) => Vec::new(),
        None => held
            .iter()
            .map(|event| WorkItem::after(event.outcome, event.code.as_deref(), event.record_id))
            .collect(),
    };
    if !again.is_empty() {
        tracing::info!("second pass over {} transient failures", again.len());
    }
    let mut finished = HashSet::new();
    let second = run_pass(client, &plan, again, interrupt, |event| {
        journal.write(Line::Item(event.clone()));
        finished.insert(event.record_id);
        report(&event, &mut totals);
    })
    .await;
    totals.stopped_by = totals.stopped_by.take().or(second.stopped_by);

    // Held items the second pass never reached (Ctrl-C, a credentials
    // failure) keep their first outcome.
    for event in held
        .iter()
        .filter(|event| !finished.contains(&event.record_id))
    {
        report(event, &mut totals);
    }

    totals.interrupted = interrupt.load(Ordering::Relaxed);
    totals
}

/// A failure that may well succeed if sent again a little later.
pub fn is_transient(event: &ItemEvent) -> bool {
    match event.outcome {
        Outcome::Unknown => true,
        Outcome::Failed => may_pass_later(event.class, event.code.as_deref()),
        _ => false,
    }
}

/// Server and network trouble, or the same request still running on the
/// server (`idempotency_in_progress`, a conflict only in name).
pub fn may_pass_later(class: Option<ErrorClass>, code: Option<&str>) -> bool {
    let in_progress = code == Some(ErrorCode::IdempotencyInProgress.as_str());
    in_progress || matches!(class, Some(ErrorClass::Server | ErrorClass::Network))
}

struct PassEnd {
    not_started: usize,
    stopped_by: Option<String>,
}

/// One pass: at most `plan.concurrency` items in flight; stops taking new
/// items once `interrupt` is set and waits for those in flight.
async fn run_pass(
    client: &ApiClient,
    plan: &Arc<RunPlan>,
    items: Vec<WorkItem>,
    interrupt: &AtomicBool,
    mut on_done: impl FnMut(ItemEvent),
) -> PassEnd {
    let limit = plan.concurrency.clamp(1, MAX_CONCURRENCY);
    let mut in_flight = JoinSet::new();
    let mut queue = items.into_iter();
    let mut stopped_by = None;

    loop {
        while in_flight.len() < limit && stopped_by.is_none() && !interrupt.load(Ordering::Relaxed)
        {
            let Some(item) = queue.next() else { break };
            in_flight.spawn(cancel_item(client.clone(), Arc::clone(plan), item));
        }

        match in_flight.join_next().await {
            Some(Ok(event)) => {
                if stopped_by.is_none() && refuses_credentials(&event) {
                    let code = event.code.clone().unwrap_or_else(|| "auth".into());
                    tracing::warn!("stopping the batch: the server answered {code}");
                    stopped_by = Some(code);
                }
                on_done(event);
            }
            // A worker panicked: a bug. Its item stays without an outcome in
            // the journal, so `retry` picks it up again.
            Some(Err(e)) => tracing::error!("a batch worker failed: {e}"),
            None => break,
        }
    }

    PassEnd {
        not_started: queue.len(),
        stopped_by,
    }
}

/// An auth failure (session or token expired, challenge expired or used
/// up): every other request of the run would meet it too.
fn refuses_credentials(event: &ItemEvent) -> bool {
    event.outcome == Outcome::Failed && event.class == Some(ErrorClass::Auth)
}

/// Cancels one record and says what happened, never failing itself.
async fn cancel_item(client: ApiClient, plan: Arc<RunPlan>, item: WorkItem) -> ItemEvent {
    let key = item_key(&plan, &item);

    if item.reconcile {
        if let Some(event) = reconcile(&client, &plan, item.record, &key).await {
            return event;
        }
    }

    let attempts = Arc::new(AtomicU32::new(1));
    let unanswered = Arc::new(AtomicBool::new(false));
    let options = CallOptions {
        idempotency_key: Some(key.clone()),
        on_retry: Some(retry_observer(&attempts, &unanswered)),
    };
    let request = CancelRequest {
        reason: plan.reason,
        comment: plan.comment.clone(),
        challenge_id: plan.challenge_id.clone(),
    };

    let result = client.cancel_record(item.record, &request, &options).await;
    let mut event = new_event(&plan, item.record, key, attempts.load(Ordering::Relaxed));
    match result {
        Ok(reply) => {
            event.request_id = reply.request_id;
            describe_answer(&mut event, reply.value);
        }
        Err(error) => describe_error(&mut event, &error, unanswered.load(Ordering::Relaxed)),
    }
    event
}

/// The idempotency key of an item's request.
///
/// Normally derived from the batch, record and challenge, so every resend
/// replays the first answer. A request whose caller died at the wrong moment
/// can leave its key marked "in progress" on the server until a lease runs
/// out; then, after reading the record to see it is still active, the item
/// goes out under a key scoped to this run. That is safe because the server
/// never cancels a record twice: at worst the old request and this one race
/// and one of them answers `already_cancelled`.
fn item_key(plan: &RunPlan, item: &WorkItem) -> String {
    let challenge = plan.challenge_id.as_deref();
    if !item.takeover {
        return idempotency_key(&plan.batch_id, item.record, challenge);
    }
    let scope = format!("{}#run-{}", challenge.unwrap_or(""), plan.run);
    idempotency_key(&plan.batch_id, item.record, Some(&scope))
}

/// Counts attempts and notes whether any attempt went unanswered: then a
/// later failure does not prove that nothing happened.
fn retry_observer(
    attempts: &Arc<AtomicU32>,
    unanswered: &Arc<AtomicBool>,
) -> crate::client::RetryObserver {
    let attempts = Arc::clone(attempts);
    let unanswered = Arc::clone(unanswered);
    Arc::new(move |note: &RetryNote| {
        attempts.fetch_add(1, Ordering::Relaxed);
        if note.cause == RetryCause::NoAnswer {
            unanswered.store(true, Ordering::Relaxed);
        }
    })
}

fn new_event(plan: &RunPlan, record: RecordId, key: String, attempts: u32) -> ItemEvent {
    ItemEvent {
        record_id: record,
        outcome: Outcome::Failed,
        class: None,
        code: None,
        message: None,
        request_id: None,
        attempts,
        idempotency_key: key,
        at: Utc::now(),
        run: plan.run,
    }
}

fn describe_answer(event: &mut ItemEvent, answer: CancelOutcome) {
    match answer {
        CancelOutcome::Cancelled { .. } => event.outcome = Outcome::Cancelled,
        // The challenge does not cover this record, or a token lost its scope
        // mid-run; either way nothing happened.
        CancelOutcome::ChallengeRequired { .. } => {
            event.outcome = Outcome::Failed;
            event.class = Some(ErrorClass::Auth);
            event.code = Some("challenge_required".into());
            event.message = Some("the server asked for a new confirmation code".into());
        }
    }
}

fn describe_error(event: &mut ItemEvent, error: &ClientError, unanswered: bool) {
    event.class = Some(error.class());
    event.code = error.code().map(|code| code.as_str().to_string());
    event.message = Some(error.to_string());
    event.request_id = error.request_id().map(str::to_string);

    let transient = matches!(event.class, Some(ErrorClass::Server | ErrorClass::Network));
    event.outcome = if error.code() == Some(ErrorCode::AlreadyCancelled) {
        Outcome::AlreadyCancelled
    } else if error.outcome_unknown() || (unanswered && transient) {
        Outcome::Unknown
    } else {
        Outcome::Failed
    };
    if event.outcome == Outcome::AlreadyCancelled {
        event.class = None;
    }
}

/// Reads the record of an item whose earlier outcome is unknown. Returns
/// its final event when the record shows the answer, `None` when the item
/// should simply be sent (again).
async fn reconcile(
    client: &ApiClient,
    plan: &RunPlan,
    record: RecordId,
    key: &str,
) -> Option<ItemEvent> {
    let reply = match client.record(record).await {
        Ok(reply) => reply,
        // Could not read it: sending is still safe, the server never
        // cancels a record twice.
        Err(e) => {
            tracing::info!("could not read {record} to reconcile it: {e}");
            return None;
        }
    };
    if reply.value.record.status != RecordStatus::Cancelled {
        return None;
    }

    let mut event = new_event(plan, record, key.to_string(), 1);
    event.request_id = reply.request_id;
    event.outcome = if cancelled_by_this_batch(&reply.value, plan) {
        Outcome::Cancelled
    } else {
        Outcome::AlreadyCancelled
    };
    event.message = Some("found cancelled when checking an unknown outcome".into());
    Some(event)
}

/// Whether the record's cancellation looks like this batch's: the same
/// reason, by the same actor, after the batch began.
fn cancelled_by_this_batch(details: &RecordDetails, plan: &RunPlan) -> bool {
    details.history.iter().rev().any(|entry| {
        entry.to_status == RecordStatus::Cancelled
            && entry.at >= plan.batch_created_at
            && entry.reason == Some(plan.reason)
            && plan
                .actor
                .as_ref()
                .map_or(true, |actor| &entry.actor == actor)
    })
}

/// Record ids in order, without those in `skip`.
pub fn work_items(records: &[RecordId], skip: &HashSet<RecordId>) -> Vec<WorkItem> {
    records
        .iter()
        .filter(|record| !skip.contains(record))
        .map(|&record| WorkItem::new(record))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> ItemEvent {
        let plan = RunPlan {
            batch_id: "b".into(),
            run: 1,
            reason: Reason::Duplicate,
            comment: None,
            challenge_id: None,
            batch_created_at: Utc::now(),
            actor: None,
            concurrency: 1,
        };
        new_event(&plan, RecordId::from_number(1).unwrap(), "k".into(), 1)
    }

    fn problem(code: ErrorCode) -> ClientError {
        let problem = apptctl_api::Problem::new(code, "detail", "hint");
        ClientError::Api {
            problem: Box::new(problem),
        }
    }

    fn described(error: ClientError, unanswered: bool) -> ItemEvent {
        let mut event = event();
        describe_error(&mut event, &error, unanswered);
        event
    }

    #[test]
    fn already_cancelled_is_a_success_without_a_class() {
        let event = described(problem(ErrorCode::AlreadyCancelled), false);
        assert_eq!(event.outcome, Outcome::AlreadyCancelled);
        assert_eq!(event.class, None);
        assert!(!is_transient(&event));
    }

    #[test]
    fn no_answer_is_unknown_and_worth_a_second_pass() {
        let error = ClientError::OutcomeUnknown {
            url: "u".into(),
            cause: "timed out".into(),
        };
        let event = described(error, true);
        assert_eq!(event.outcome, Outcome::Unknown);
        assert!(is_transient(&event));
    }

    #[test]
    fn a_failure_after_an_unanswered_attempt_is_unknown() {
        let event = described(problem(ErrorCode::Unavailable), true);
        assert_eq!(event.outcome, Outcome::Unknown);
        let event = described(problem(ErrorCode::Unavailable), false);
        assert_eq!(event.outcome, Outcome::Failed);
        assert_eq!(event.class, Some(ErrorClass::Server));
        assert!(is_transient(&event));
    }

    #[test]
    fn a_request_still_running_gets_a_second_pass() {
        let event = described(problem(ErrorCode::IdempotencyInProgress), false);
        assert_eq!(event.outcome, Outcome::Failed);
        assert!(is_transient(&event));
    }

    #[test]
    fn a_stuck_key_is_replaced_only_for_a_takeover() {
        let record = RecordId::from_number(1).unwrap();
        let plan = RunPlan {
            batch_id: "b".into(),
            run: 2,
            reason: Reason::Duplicate,
            comment: None,
            challenge_id: None,
            batch_created_at: Utc::now(),
            actor: None,
            concurrency: 1,
        };
        let normal = WorkItem::new(record);
        assert_eq!(item_key(&plan, &normal), idempotency_key("b", record, None));

        let in_progress = Some("idempotency_in_progress");
        let stuck = WorkItem::after(Outcome::Failed, in_progress, record);
        assert!(stuck.takeover && stuck.reconcile);
        assert_ne!(item_key(&plan, &stuck), item_key(&plan, &normal));

        let unknown = WorkItem::after(Outcome::Unknown, None, record);
        assert!(unknown.reconcile && !unknown.takeover);
    }

    #[test]
    fn rule_refusals_are_final() {
        for code in [
            ErrorCode::CutoffPassed,
            ErrorCode::RecordNotFound,
            ErrorCode::Forbidden,
        ] {
            let event = described(problem(code), true);
            assert_eq!(event.outcome, Outcome::Failed, "{code}");
            assert_eq!(event.code.as_deref(), Some(code.as_str()));
            assert!(!is_transient(&event), "{code}");
        }
    }
}
