//! `apptctl retry [BATCH_ID]`: finish a batch from its journal. Re-sends
//! what failed, what has an unknown outcome and what never finished (a
//! Ctrl-C or a killed process); never what succeeded.

use std::path::PathBuf;

use apptctl_api::ErrorClass;

use crate::batch::engine::{self, WorkItem, MAX_CONCURRENCY};
use crate::batch::journal::{self, BatchState, ItemState, JournalWriter, Outcome};
use crate::batch::runner::{self, Run};
use crate::batch::{authority, journal_dir};
use crate::context::Context;
use crate::error::CliError;

/// Re-run what failed in a batch (default: the latest batch).
///
/// Items that succeeded (cancelled or already cancelled) are never sent
/// again. Failures that cannot succeed on a retry (not found, forbidden,
/// too late, not active) are skipped unless --all. Items whose outcome is
/// unknown are read first to see whether they were cancelled after all.
/// A person's session confirms a fresh one-time code.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  apptctl retry
  apptctl retry 20261203-154012-3f9a2c --code 123456
  apptctl retry --all -o json")]
pub struct Args {
    /// The batch to retry (see `apptctl journal`); the latest when omitted
    #[arg(value_name = "BATCH_ID")]
    pub batch_id: Option<String>,

    /// Also re-send failures that are not expected to succeed
    #[arg(long)]
    pub all: bool,

    /// Requests in flight at once
    #[arg(long, default_value_t = 16, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=MAX_CONCURRENCY as i64))]
    pub concurrency: u16,

    /// The one-time code for a person's session (or APPTCTL_CODE)
    #[arg(long, value_name = "CODE")]
    pub code: Option<String>,
}

pub async fn run(args: Args, ctx: &mut Context) -> anyhow::Result<()> {
    let path = find_journal(ctx, args.batch_id.as_deref())?;
    // Locked before reading: a batch still running elsewhere would be read
    // half-done and its items sent twice.
    let writer = open_journal(&path)?;
    let state = BatchState::load(&path)
        .map_err(|e| CliError::invalid_input(e.to_string()).with_code("bad_journal"))?;
    check_server(ctx, &state)?;
    if state.skipped_lines > 0 {
        ctx.out.note(format!(
            "{} unreadable line(s) in the journal (a write cut short by a crash) were skipped",
            state.skipped_lines
        ));
    }

    let (items, skipped) = items_to_retry(&state, args.all);
    if skipped > 0 {
        ctx.out.note(format!(
            "{skipped} failure(s) that cannot succeed on retry were skipped (use --all to send them)"
        ));
    }
    if items.is_empty() {
        ctx.out.chatter(format!(
            "nothing to retry in batch {}",
            state.header.batch_id
        ));
        return Ok(());
    }

    let client = ctx.authed_client()?;
    let who = authority::authority(&client).await?;
    let records: Vec<_> = items.iter().map(|item| item.record).collect();
    let header = &state.header;
    let comment = header.comment.as_deref();
    let code = args.code.as_deref();
    let challenge_id =
        runner::authorize(ctx, &client, &who, &records, header.reason, comment, code).await?;

    ctx.out.chatter(format!(
        "retrying {} item(s) of batch {}",
        items.len(),
        state.header.batch_id
    ));

    let run = Run {
        command: "retry",
        batch_id: state.header.batch_id.clone(),
        batch_created_at: state.header.created_at,
        run: state.runs + 1,
        reason: state.header.reason,
        comment: state.header.comment.clone(),
        concurrency: args.concurrency.into(),
        actor: who.username().to_string(),
        challenge_id,
        items,
    };
    runner::execute(ctx, &client, writer, run).await
}

fn open_journal(path: &std::path::Path) -> Result<JournalWriter, CliError> {
    JournalWriter::append(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::WouldBlock {
            return CliError::new(ErrorClass::Conflict, e.to_string())
                .with_code("batch_in_use")
                .with_hint("wait for it to finish (or stop it), then run `apptctl retry` again");
        }
        CliError::internal(format!(
            "could not open the journal {}: {e}",
            path.display()
        ))
    })
}

/// The journal of `batch_id`, or of the latest batch.
pub fn find_journal(ctx: &Context, batch_id: Option<&str>) -> Result<PathBuf, CliError> {
    let dir = journal_dir(ctx);
    let batch_id = match batch_id {
        Some(id) => id.to_string(),
        None => journal::list_batch_ids(&dir)
            .map_err(|e| CliError::internal(format!("could not list {}: {e}", dir.display())))?
            .pop()
            .ok_or_else(|| {
                CliError::new(ErrorClass::NotFound, "there are no batches yet")
                    .with_hint("start one with `apptctl cancel-batch`")
            })?,
    };

    let valid = !batch_id.is_empty()
        && batch_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let path = journal::journal_path(&dir, &batch_id);
    if !valid || !path.is_file() {
        return Err(
            CliError::new(ErrorClass::NotFound, format!("no batch {batch_id:?}"))
                .with_code("batch_not_found")
                .with_hint("`apptctl journal` lists the batches"),
        );
    }
    Ok(path)
}

/// A batch belongs to the server it ran against; retrying it elsewhere
/// would cancel nothing or the wrong thing.
fn check_server(ctx: &Context, state: &BatchState) -> Result<(), CliError> {
    let here = ctx.server().as_str().trim_end_matches('/');
    let there = state.header.server.trim_end_matches('/');
    if here == there {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "batch {} ran against {there}, not {here}",
        state.header.batch_id
    ))
    .with_hint(format!("run it with --server {there}")))
}

/// The items to send again, and how many failures were left out.
fn items_to_retry(state: &BatchState, all: bool) -> (Vec<WorkItem>, usize) {
    let mut items = Vec::new();
    let mut skipped = 0;

    for &record in &state.header.items {
        match state.item(record) {
            None => items.push(WorkItem::new(record)),
            Some(item) if item.outcome.is_success() => {}
            Some(item) if all || item.outcome == Outcome::Unknown || may_succeed_later(item) => {
                items.push(WorkItem::after(item.outcome, item.code.as_deref(), record));
            }
            Some(_) => skipped += 1,
        }
    }
    (items, skipped)
}

/// Not found, forbidden, too late, not active: the same request would fail
/// the same way. Server and network trouble, a request still running, or an
/// expired challenge, may not.
fn may_succeed_later(item: &ItemState) -> bool {
    let hopeless = matches!(
        item.class,
        Some(
            ErrorClass::NotFound
                | ErrorClass::Forbidden
                | ErrorClass::Conflict
                | ErrorClass::InvalidInput
        )
    );
    !hopeless || engine::may_pass_later(item.class, item.code.as_deref())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use apptctl_api::cancel::Reason;
    use apptctl_api::RecordId;
    use chrono::Utc;

    use super::*;
    use crate::batch::journal::{Header, Selection, JOURNAL_VERSION};

    fn id(n: u64) -> RecordId {
        RecordId::from_number(n).unwrap()
    }

    /// A record number and its latest outcome and class, if any.
    type Seen = (u64, Option<(Outcome, Option<ErrorClass>)>);

    fn state(items: &[Seen]) -> BatchState {
        let mut latest = HashMap::new();
        for (n, state) in items {
            if let Some((outcome, class)) = state {
                let item = ItemState {
                    outcome: *outcome,
                    class: *class,
                    code: None,
                    message: None,
                    request_id: None,
                    at: Utc::now(),
                };
                latest.insert(id(*n), item);
            }
        }
        let records: Vec<_> = items.iter().map(|(n, _)| id(*n)).collect();
        BatchState {
            header: Header {
                version: JOURNAL_VERSION,
                batch_id: "b".into(),
                created_at: Utc::now(),
                server: "http://127.0.0.1:1".into(),
                profile: None,
                reason: Reason::Duplicate,
                comment: None,
                selection: Selection::Stdin,
                item_count: records.len(),
                items: records,
            },
            path: PathBuf::from("b.jsonl"),
            latest,
            runs: 1,
            last_run_unfinished: true,
            skipped_lines: 0,
        }
    }

    #[test]
    fn retries_what_may_succeed_and_never_what_did() {
        let state = state(&[
            (1, Some((Outcome::Cancelled, None))),
            (2, Some((Outcome::AlreadyCancelled, None))),
            (3, Some((Outcome::Failed, Some(ErrorClass::Server)))),
            (4, Some((Outcome::Unknown, Some(ErrorClass::Network)))),
            (5, None),
            (6, Some((Outcome::Failed, Some(ErrorClass::Conflict)))),
            (7, Some((Outcome::Failed, Some(ErrorClass::NotFound)))),
            (8, Some((Outcome::Failed, Some(ErrorClass::Auth)))),
        ]);

        let (items, skipped) = items_to_retry(&state, false);
        let picked: Vec<_> = items
            .iter()
            .map(|i| (i.record.number(), i.reconcile))
            .collect();
        assert_eq!(picked, vec![(3, false), (4, true), (5, false), (8, false)]);
        assert_eq!(skipped, 2);

        let (items, skipped) = items_to_retry(&state, true);
        assert_eq!(items.len(), 6);
        assert_eq!(skipped, 0);
    }
}
