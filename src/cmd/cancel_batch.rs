//! `apptctl cancel-batch`: cancel many records, from a file, stdin or the
//! filters of `list`, with a journal that makes the batch resumable.

use apptctl_api::cancel::Reason;
use apptctl_api::records::ListRecordsQuery;
use apptctl_api::RecordId;
use chrono::Utc;

use crate::batch::authority;
use crate::batch::engine::{self, MAX_CONCURRENCY};
use crate::batch::journal::{self, Header, JournalWriter, Selection, JOURNAL_VERSION};
use crate::batch::runner::{self, Run};
use crate::batch::{check_comment, journal_dir, preview, selection};
use crate::context::Context;
use crate::error::CliError;
use crate::prompt;

/// Cancel many records at once.
///
/// Ids come from --file (a path, or - for stdin: one id per line, # comments,
/// or CSV with an `id` column) or from the same filters as `list`. Every
/// input line is checked before anything is sent. A person's session
/// confirms one one-time code for the whole batch; an automation token with
/// records:cancel needs none. Each batch has a journal, so `apptctl retry`
/// can finish what failed or was interrupted.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  apptctl cancel-batch --file ids.txt --reason duplicate --yes
  apptctl list -q --status confirmed --department D12 \\
    | apptctl cancel-batch --file - --reason service_refused --yes --expect-count 40
  apptctl cancel-batch --department D12 --from 2026-12-10 --to 2026-12-10 \\
    --reason technical_failure --comment 'office closed' --dry-run
  apptctl cancel-batch --file ids.csv --reason duplicate --yes -o ndjson")]
pub struct Args {
    /// Read record ids from this file, or from stdin with `-`
    #[arg(long, short = 'f', value_name = "PATH")]
    pub file: Option<String>,

    #[command(flatten)]
    pub filters: Filters,

    /// Select every visible record when no filter is given
    #[arg(long, conflicts_with = "file")]
    pub all: bool,

    /// Why the records are cancelled
    #[arg(long, value_name = "REASON", value_parser = parse_reason)]
    pub reason: Reason,

    /// A comment sent with each cancellation (required with --reason other)
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,

    /// Requests in flight at once
    #[arg(long, default_value_t = 16, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=MAX_CONCURRENCY as i64))]
    pub concurrency: u16,

    /// Abort before sending anything unless exactly N records are selected
    #[arg(long, value_name = "N")]
    pub expect_count: Option<usize>,

    /// Show what would be cancelled and why not; change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask for confirmation (required when not on a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// The one-time code for a person's session (or APPTCTL_CODE)
    #[arg(long, value_name = "CODE")]
    pub code: Option<String>,
}

/// The record filters of `list`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Filters {
    /// Only these statuses (repeatable or comma-separated)
    #[arg(
        long,
        value_name = "STATUS",
        value_delimiter = ',',
        conflicts_with = "file"
    )]
    pub status: Vec<apptctl_api::records::RecordStatus>,

    /// Only this service code
    #[arg(long, value_name = "CODE", conflicts_with = "file")]
    pub service: Option<String>,

    /// Only this service category
    #[arg(long, value_name = "CATEGORY", conflicts_with = "file")]
    pub category: Option<String>,

    /// Only this department id
    #[arg(long, value_name = "ID", conflicts_with = "file")]
    pub department: Option<String>,

    /// Slots starting on or after this date (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE", value_parser = parse_date, conflicts_with = "file")]
    pub from: Option<String>,

    /// Slots starting on or before this date (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE", value_parser = parse_date, conflicts_with = "file")]
    pub to: Option<String>,

    /// Free text matched against the service name and record id
    #[arg(long, value_name = "TEXT", conflicts_with = "file")]
    pub search: Option<String>,
}

impl Filters {
    fn is_empty(&self) -> bool {
        let Filters {
            status,
            service,
            category,
            department,
            from,
            to,
            search,
        } = self;
        status.is_empty()
            && [service, category, department, from, to, search]
                .iter()
                .all(|f| f.is_none())
    }

    fn query(&self) -> ListRecordsQuery {
        let statuses: Vec<_> = self.status.iter().map(|s| s.as_str()).collect();
        ListRecordsQuery {
            status: (!statuses.is_empty()).then(|| statuses.join(",")),
            service: self.service.clone(),
            category: self.category.clone(),
            department: self.department.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            search: self.search.clone(),
            limit: None,
            cursor: None,
        }
    }
}

pub fn parse_reason(text: &str) -> Result<Reason, String> {
    text.parse()
}

/// Dates are checked here so a typo fails before any request.
fn parse_date(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    let is_day = chrono::NaiveDate::parse_from_str(trimmed, "%Y-%m-%d").is_ok();
    if is_day || chrono::DateTime::parse_from_rfc3339(trimmed).is_ok() {
        return Ok(trimmed.to_string());
    }
    Err(format!(
        "{text:?} is not a date; use YYYY-MM-DD or RFC 3339"
    ))
}

pub async fn run(args: Args, ctx: &mut Context) -> anyhow::Result<()> {
    check_comment(args.reason, args.comment.as_deref())?;
    let client = ctx.authed_client()?;

    let (ids, selection) = select(&args, ctx, &client).await?;
    check_size(&args, ids.len())?;
    if ids.is_empty() {
        ctx.out.note("nothing to cancel: the selection is empty");
        return Ok(());
    }

    if args.dry_run {
        let rows = preview::preview(&client, &ids, args.concurrency.into()).await;
        preview::print(&ctx.out, &rows)?;
        return Ok(());
    }
    confirm_start(ctx, &args, ids.len())?;

    let who = authority::authority(&client).await?;
    let comment = args.comment.as_deref();
    let code = args.code.as_deref();
    let challenge_id =
        runner::authorize(ctx, &client, &who, &ids, args.reason, comment, code).await?;

    let (header, writer) = start_journal(ctx, &args, ids, selection)?;
    let run = Run {
        command: "cancel-batch",
        batch_id: header.batch_id.clone(),
        batch_created_at: header.created_at,
        run: 1,
        reason: args.reason,
        comment: args.comment,
        concurrency: args.concurrency.into(),
        actor: who.username().to_string(),
        challenge_id,
        items: engine::work_items(&header.items, &Default::default()),
    };
    drop(header);
    runner::execute(ctx, &client, writer, run).await
}

/// Writes the new batch's header, durably, before anything is sent.
fn start_journal(
    ctx: &Context,
    args: &Args,
    ids: Vec<RecordId>,
    selection: Selection,
) -> Result<(Header, JournalWriter), CliError> {
    let created_at = Utc::now();
    let header = Header {
        version: JOURNAL_VERSION,
        batch_id: journal::new_batch_id(created_at),
        created_at,
        server: ctx.server().to_string(),
        profile: Some(ctx.profile().to_string()),
        reason: args.reason,
        comment: args.comment.clone(),
        selection,
        item_count: ids.len(),
        items: ids,
    };
    let writer = JournalWriter::create(&journal_dir(ctx), &header).map_err(|e| {
        CliError::internal(format!("could not create the batch journal: {e}"))
            .with_hint("check that $XDG_STATE_HOME (or ~/.local/state) is writable")
    })?;

    let count = header.items.len();
    ctx.out
        .chatter(format!("batch {} ({count} records)", header.batch_id));
    Ok((header, writer))
}

/// The ids of the batch and where they came from.
async fn select(
    args: &Args,
    ctx: &Context,
    client: &crate::client::ApiClient,
) -> anyhow::Result<(Vec<RecordId>, Selection)> {
    if let Some(path) = &args.file {
        let (input, selection) = selection::from_file(path)?;
        if !input.duplicates.is_empty() {
            let first = &input.duplicates[0];
            ctx.out.note(format!(
                "dropped {} duplicate id(s) (first: {} on line {}, already on line {})",
                input.duplicates.len(),
                first.id,
                first.line,
                first.first_line
            ));
        }
        return Ok((input.ids, selection));
    }

    if args.filters.is_empty() && !args.all {
        let err = CliError::usage("no records selected: give --file, a filter, or --all")
            .with_hint("e.g. --file ids.txt, --status confirmed --department D12, or --all");
        return Err(err.into());
    }
    let query = args.filters.query();
    let ids = selection::from_filters(client, &query).await?;
    Ok((ids, Selection::Filters { query }))
}

fn check_size(args: &Args, count: usize) -> Result<(), CliError> {
    if let Some(expected) = args.expect_count {
        if expected != count {
            let message = format!(
                "the selection has {count} record(s), not the {expected} given by --expect-count; \
                 nothing was sent"
            );
            let err = CliError::new(apptctl_api::ErrorClass::Conflict, message)
                .with_code("count_mismatch")
                .with_hint("check the selection with --dry-run, then fix --expect-count");
            return Err(err);
        }
    }
    Ok(())
}

/// A person at a terminal confirms; a script must say `--yes`.
fn confirm_start(ctx: &Context, args: &Args, count: usize) -> Result<(), CliError> {
    if args.yes {
        return Ok(());
    }
    let question = format!("cancel {count} record(s) with reason {}?", args.reason);
    if prompt::confirm(ctx, &question)? {
        return Ok(());
    }
    Err(CliError::usage("cancelled by you; nothing was sent")
        .with_hint("answer y to go ahead, or pass --yes"))
}
