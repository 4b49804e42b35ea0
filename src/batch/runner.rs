//! One run of a batch, shared by `cancel-batch` and `retry`: confirms the
//! challenge of a person's session ([`authorize`], before the journal is
//! touched), drives the engine with a progress bar and streaming results,
//! closes the journal, and turns the totals into the exit code (0, 10
//! partial, 130 interrupted).

use std::time::Instant;

use apptctl_api::cancel::Reason;
use apptctl_api::{ErrorClass, RecordId, MAX_BATCH_SIZE};
use chrono::{DateTime, Utc};

use crate::batch::authority::{self, Authority};
use crate::batch::engine::{self, RunPlan, RunTotals, WorkItem};
use crate::batch::journal::{JournalWriter, Line, RunEnd, RunStart};
use crate::batch::report::{Reporter, Summary};
use crate::client::ApiClient;
use crate::context::Context;
use crate::error::CliError;
use crate::output::progress_bar;
use crate::prompt;

/// What a run sends and on whose authority.
pub struct Run {
    pub command: &'static str,
    pub batch_id: String,
    pub batch_created_at: DateTime<Utc>,
    pub run: u32,
    pub reason: Reason,
    pub comment: Option<String>,
    pub concurrency: usize,
    /// Who acts (see [`Authority::username`]).
    pub actor: String,
    /// From [`authorize`]: the confirmed challenge of a session.
    pub challenge_id: Option<String>,
    pub items: Vec<WorkItem>,
}

/// What a person's session must confirm before cancelling `records`: one
/// challenge for all of them, with the code from `--code`, `APPTCTL_CODE`
/// or a prompt. A token needs nothing (`None`).
pub async fn authorize(
    ctx: &Context,
    client: &ApiClient,
    who: &Authority,
    records: &[RecordId],
    reason: Reason,
    comment: Option<&str>,
    code: Option<&str>,
) -> anyhow::Result<Option<String>> {
    if let Authority::Token { .. } = who {
        return Ok(None);
    }
    if records.len() > MAX_BATCH_SIZE {
        let message = format!(
            "{} records is more than one confirmation may cover ({MAX_BATCH_SIZE})",
            records.len()
        );
        let hint = "split the input, or use an automation token with records:cancel, \
                    which has no such limit";
        return Err(CliError::invalid_input(message).with_hint(hint).into());
    }
    let code_for = |challenge: &apptctl_api::cancel::Challenge| {
        let code = prompt::one_time_code(ctx, code, challenge)?;
        Ok(code.expose().to_string())
    };
    let challenge = authority::confirm_batch(client, records, reason, comment, code_for).await?;
    Ok(Some(challenge))
}

/// Sends the run's items and reports them. The journal must already hold
/// the batch header.
pub async fn execute(
    ctx: &mut Context,
    client: &ApiClient,
    journal: JournalWriter,
    run: Run,
) -> anyhow::Result<()> {
    // Armed only now: a Ctrl-C at a prompt should simply end the program,
    // since nothing was sent yet.
    let interrupt = ctx.interrupt_flag();

    let plan = RunPlan {
        batch_id: run.batch_id.clone(),
        run: run.run,
        reason: run.reason,
        comment: run.comment.clone(),
        challenge_id: run.challenge_id.clone(),
        batch_created_at: run.batch_created_at,
        actor: Some(run.actor.clone()),
        concurrency: run.concurrency,
    };
    let count = run.items.len();
    journal.write(Line::Run(RunStart {
        run: run.run,
        command: run.command.to_string(),
        started_at: Utc::now(),
        items: count,
    }));

    let started = Instant::now();
    let bar = progress_bar(&ctx.out, count as u64, "cancelling");
    // Drawn at once: a fast batch could otherwise end before the first
    // redraw and show nothing.
    bar.tick();
    let mut reporter = Reporter::new(&ctx.out, &run.batch_id, count)?;
    let totals = engine::run_items(client, &plan, run.items, &journal, &interrupt, |event| {
        bar.inc(1);
        reporter.item(event);
    })
    .await;
    bar.finish_and_clear();

    journal.write(Line::RunEnd(RunEnd {
        run: run.run,
        finished_at: Utc::now(),
        interrupted: totals.interrupted,
    }));
    let path = journal.path().to_path_buf();
    let stats = journal.finish().map_err(|e| {
        CliError::internal(format!(
            "could not write the batch journal {}: {e}",
            path.display()
        ))
    })?;
    tracing::info!("journal: {} lines, {} fsyncs", stats.lines, stats.fsyncs);

    let summary = Summary::new(count, &totals, started.elapsed(), &path);
    reporter.finish(&summary);
    outcome(&run.batch_id, &totals)
}

/// The exit of a finished run.
fn outcome(batch_id: &str, totals: &RunTotals) -> anyhow::Result<()> {
    if totals.interrupted {
        let hint = format!(
            "run `apptctl retry {batch_id}` to finish it; `apptctl journal {batch_id}` shows \
             each item"
        );
        let err =
            CliError::new(ErrorClass::Interrupted, "the batch was interrupted").with_hint(hint);
        return Err(err.into());
    }
    let retry_hint = format!(
        "`apptctl journal {batch_id}` shows each item; `apptctl retry {batch_id}` re-sends \
         those that may still succeed"
    );
    if let Some(code) = &totals.stopped_by {
        let message = format!(
            "the batch stopped early: the server refused the credentials ({code}); \
             {} item(s) not started",
            totals.not_started
        );
        let hint = format!(
            "log in again if needed, then `apptctl retry {batch_id}` (a session confirms a \
             fresh code)"
        );
        return Err(CliError::new(ErrorClass::Partial, message)
            .with_code(code.clone())
            .with_hint(hint)
            .into());
    }
    if !totals.all_succeeded() {
        let message = match totals.unknown {
            0 => format!("{} item(s) failed", totals.failed),
            unknown => format!(
                "{} item(s) failed and {unknown} have an unknown outcome",
                totals.failed
            ),
        };
        return Err(CliError::new(ErrorClass::Partial, message)
            .with_hint(retry_hint)
            .into());
    }
    Ok(())
}
