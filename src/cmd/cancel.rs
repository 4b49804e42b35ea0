//! `apptctl cancel ID... --reason R`: cancel a few records by hand, with a
//! preview and a confirmation for people and exit codes for scripts.

use apptctl_api::cancel::{CancelOutcome, CancelRequest, Reason};
use apptctl_api::RecordId;
use chrono::Utc;

use crate::batch::journal::{ItemEvent, Outcome};
use crate::batch::preview::{self, PreviewRow};
use crate::batch::report::ItemRow;
use crate::batch::{authority, check_comment};
use crate::client::{ApiClient, CallOptions};
use crate::cmd::cancel_batch::parse_reason;
use crate::context::Context;
use crate::error::{invalid_id, CliError};
use crate::prompt;

/// Cancel one or more records.
///
/// Record ids are checked before anything is sent. On a terminal, the
/// records are shown and you confirm; a script passes --yes. A person's
/// session confirms with a one-time code (--code, APPTCTL_CODE or a prompt);
/// an automation token with records:cancel needs none. A record that is
/// already cancelled is a conflict (exit 5).
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  apptctl cancel R0000000013 --reason plans_changed
  apptctl cancel R0000000013 R0000000021 --reason duplicate --yes --code 123456
  apptctl cancel R0000000013 --reason other --comment 'moved abroad' --dry-run")]
pub struct Args {
    /// The records to cancel
    #[arg(value_name = "ID", required = true)]
    pub ids: Vec<String>,

    /// Why: plans_changed, wrong_data, duplicate, personal_data_changed,
    /// other (needs --comment); managers also service_refused, technical_failure
    #[arg(long, value_name = "REASON", value_parser = parse_reason)]
    pub reason: Reason,

    /// A comment for the office (required with --reason other)
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,

    /// The one-time code for a person's session (or APPTCTL_CODE)
    #[arg(long, value_name = "CODE")]
    pub code: Option<String>,

    /// Do not ask for confirmation (required when not on a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Show what would be cancelled and why not; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Records read at once for the preview.
const PREVIEW_CONCURRENCY: usize = 8;

pub async fn run(args: Args, ctx: &mut Context) -> anyhow::Result<()> {
    let ids = parse_ids(&args.ids)?;
    check_comment(args.reason, args.comment.as_deref())?;
    let client = ctx.authed_client()?;

    if args.dry_run {
        let rows = preview::preview(&client, &ids, PREVIEW_CONCURRENCY).await;
        preview::print(&ctx.out, &rows)?;
        return Ok(());
    }
    if !args.yes {
        ask(ctx, &client, &ids, args.reason).await?;
    }

    let who = authority::authority(&client).await?;
    let challenge_id = match who {
        authority::Authority::Token { .. } => None,
        authority::Authority::Session { .. } => {
            let code_for = |challenge: &apptctl_api::cancel::Challenge| {
                let code = prompt::one_time_code(ctx, args.code.as_deref(), challenge)?;
                Ok(code.expose().to_string())
            };
            let comment = args.comment.as_deref();
            Some(authority::confirm_batch(&client, &ids, args.reason, comment, code_for).await?)
        }
    };

    let request = CancelRequest {
        reason: args.reason,
        comment: args.comment,
        challenge_id,
    };
    let mut failures = Vec::new();
    let mut list = ctx.out.list::<ItemRow>()?;
    for id in ids {
        let (event, error) = cancel_one(&client, id, &request).await;
        if event.outcome == Outcome::Cancelled {
            ctx.out.chatter(format!("cancelled {id}"));
        }
        if !ctx.out.quiet() || event.outcome == Outcome::Cancelled {
            list.push(&ItemRow::from(&event))?;
        }
        failures.extend(error);
    }
    list.finish()?;

    match failures.into_iter().next() {
        Some(first) => Err(first.into()),
        None => Ok(()),
    }
}

/// Every id is checked before anything is sent; the first bad one fails.
fn parse_ids(texts: &[String]) -> Result<Vec<RecordId>, CliError> {
    let mut ids = Vec::with_capacity(texts.len());
    for text in texts {
        let id = text.parse::<RecordId>().map_err(|e| invalid_id(&e))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Shows the records on stderr and asks; refuses off a terminal.
async fn ask(
    ctx: &Context,
    client: &ApiClient,
    ids: &[RecordId],
    reason: Reason,
) -> anyhow::Result<()> {
    // Refuse before reading anything when no one can answer.
    let ttys = ctx.ttys();
    if !(ttys.stdin && ttys.stderr) {
        let err = CliError::usage("refusing to cancel without confirmation: not on a terminal")
            .with_hint("pass --yes to confirm without a prompt");
        return Err(err.into());
    }

    let rows = preview::preview(client, ids, PREVIEW_CONCURRENCY).await;
    for row in &rows {
        eprintln!("  {}", describe(row));
    }
    let question = format!("cancel {} record(s) with reason {reason}?", ids.len());
    if prompt::confirm(ctx, &question)? {
        return Ok(());
    }
    Err(CliError::usage("cancelled by you; nothing was sent")
        .with_hint("answer y to go ahead, or pass --yes")
        .into())
}

fn describe(row: &PreviewRow) -> String {
    let when = row
        .starts_at
        .map(crate::output::human_time)
        .unwrap_or_default();
    let what = row.service.clone().unwrap_or_default();
    match &row.why_not {
        None => format!("{}  {what}  {when}", row.record_id),
        Some(why) => format!("{}  {what}  {when}  (will fail: {why})", row.record_id),
    }
}

/// Sends one cancellation; the event for the output and, when it failed,
/// the error that decides the exit code. Already cancelled is a conflict
/// here: the person asked for a change that cannot happen.
async fn cancel_one(
    client: &ApiClient,
    id: RecordId,
    request: &CancelRequest,
) -> (ItemEvent, Option<CliError>) {
    let key = uuid::Uuid::new_v4().to_string();
    let options = CallOptions::with_key(key.clone());
    let mut event = ItemEvent {
        record_id: id,
        outcome: Outcome::Failed,
        class: None,
        code: None,
        message: None,
        request_id: None,
        attempts: 1,
        idempotency_key: key,
        at: Utc::now(),
        run: 1,
    };

    match client.cancel_record(id, request, &options).await {
        Ok(reply) => {
            event.request_id = reply.request_id;
            event.attempts += reply.retries;
            match reply.value {
                CancelOutcome::Cancelled { .. } => {
                    event.outcome = Outcome::Cancelled;
                    (event, None)
                }
                CancelOutcome::ChallengeRequired { .. } => {
                    let err = CliError::auth(format!("the server asked to confirm {id} again"))
                        .with_code("challenge_required")
                        .with_hint("run the command again and enter the new code");
                    event.class = Some(err.class);
                    event.message = Some(err.message.clone());
                    (event, Some(err))
                }
            }
        }
        Err(error) => {
            let err = error.to_cli_error();
            event.outcome = if error.outcome_unknown() {
                Outcome::Unknown
            } else {
                Outcome::Failed
            };
            if error.code() == Some(apptctl_api::ErrorCode::AlreadyCancelled) {
                event.outcome = Outcome::AlreadyCancelled;
            }
            event.class = Some(err.class);
            event.code = err.code.clone();
            event.message = Some(err.message.clone());
            event.request_id = err.request_id.clone();
            (event, Some(err))
        }
    }
}
