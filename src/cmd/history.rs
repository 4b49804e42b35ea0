//! `apptctl history`: the server's audit journal — every change and every
//! refused attempt the caller may see.

use apptctl_api::journal::{AuditEntry, HistoryQuery};
use apptctl_api::MAX_PAGE_SIZE;

use crate::cmd::{check_range, parse_date_bound, parse_record_id};
use crate::context::Context;
use crate::output::ListWriter;

const EXAMPLES: &str = "\
Examples:
  apptctl history --record R0000000013
  apptctl history --from 2026-12-01 -o csv > audit.csv";

/// Show the server's audit journal
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Only entries about this record
    #[arg(long, value_name = "ID")]
    pub record: Option<String>,

    /// Not before this date (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Not after the end of this date (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    /// At most this many entries
    #[arg(long, value_name = "N", default_value_t = 100, conflicts_with = "all",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,

    /// Every entry, page by page
    #[arg(long)]
    pub all: bool,
}

pub async fn run(args: Args, ctx: &mut Context) -> anyhow::Result<()> {
    let record = args.record.as_deref().map(parse_record_id).transpose()?;
    let from = args
        .from
        .as_deref()
        .map(|d| parse_date_bound("--from", d))
        .transpose()?;
    let to = args
        .to
        .as_deref()
        .map(|d| parse_date_bound("--to", d))
        .transpose()?;
    check_range(from.as_deref(), to.as_deref())?;
    let mut query = HistoryQuery {
        record: record.map(|id| id.to_string()),
        from,
        to,
        limit: None,
        cursor: None,
    };

    let client = ctx.authed_client()?;
    let wanted = (!args.all).then_some(args.limit as usize);
    let mut writer: ListWriter<'_, AuditEntry> = ctx.out.list()?;
    let mut written = 0usize;
    loop {
        let left = wanted.map(|w| w - written).unwrap_or(usize::MAX);
        query.limit = Some(
            u32::try_from(left)
                .unwrap_or(MAX_PAGE_SIZE)
                .min(MAX_PAGE_SIZE),
        );
        let page = client.history(&query).await?.value;

        let take = left.min(page.items.len());
        writer.push_page(&page.items[..take])?;
        written += take;

        match page.next_cursor {
            Some(cursor) if written < wanted.unwrap_or(usize::MAX) => query.cursor = Some(cursor),
            _ => break,
        }
    }
    writer.finish()?;
    Ok(())
}
