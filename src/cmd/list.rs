//! `apptctl list`: records matching filters, one page or all of them.
//! With `--all` rows are written as pages arrive, so memory stays flat for
//! any number of records (a table on a terminal is the exception: it needs
//! every row to size its columns).

use apptctl_api::records::{ListRecordsQuery, Record, RecordStatus};
use apptctl_api::MAX_PAGE_SIZE;

use crate::cmd::{check_range, parse_date_bound};
use crate::context::Context;
use crate::error::CliError;
use crate::output::ListWriter;

const EXAMPLES: &str = "\
Examples:
  apptctl list
  apptctl list --status pending,confirmed --from 2026-12-01 --to 2026-12-31
  apptctl list --service passport --search Moscow -o json
  apptctl list --all -o ndjson > records.ndjson
  apptctl list --all -q --status confirmed | wc -l";

/// The record filters shared by `list` and `cancel-batch`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RecordFilters {
    /// Only these statuses (repeat or comma-separate): pending, confirmed,
    /// in_progress, completed, rejected, cancelled, expired
    #[arg(long, value_name = "STATUS", value_delimiter = ',')]
    pub status: Vec<String>,

    /// Only this service (code)
    #[arg(long, value_name = "CODE")]
    pub service: Option<String>,

    /// Only this service category
    #[arg(long)]
    pub category: Option<String>,

    /// Only this department (id)
    #[arg(long, value_name = "ID")]
    pub department: Option<String>,

    /// Slots starting on or after this date (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Slots starting before the end of this date (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    /// Text to find in the service name or record id
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
}

impl RecordFilters {
    /// The filters as the API query, checked locally first (exit code 3 on
    /// a bad status or date).
    pub fn to_query(&self) -> Result<ListRecordsQuery, CliError> {
        let statuses = self
            .status
            .iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.parse::<RecordStatus>().map(RecordStatus::as_str))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|err| {
                CliError::invalid_input(err).with_hint("see `apptctl list --help` for the statuses")
            })?;
        let from = self
            .from
            .as_deref()
            .map(|d| parse_date_bound("--from", d))
            .transpose()?;
        let to = self
            .to
            .as_deref()
            .map(|d| parse_date_bound("--to", d))
            .transpose()?;
        check_range(from.as_deref(), to.as_deref())?;

        Ok(ListRecordsQuery {
            status: (!statuses.is_empty()).then(|| statuses.join(",")),
            service: self.service.clone(),
            category: self.category.clone(),
            department: self.department.clone(),
            from,
            to,
            search: self.search.clone(),
            limit: None,
            cursor: None,
        })
    }
}

/// List records
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub filters: RecordFilters,

    /// At most this many records
    #[arg(long, value_name = "N", default_value_t = 50, conflicts_with = "all",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,

    /// Every matching record, page by page
    #[arg(long)]
    pub all: bool,
}

pub async fn run(args: Args, ctx: &mut Context) -> anyhow::Result<()> {
    let mut query = args.filters.to_query()?;
    let wanted = if args.all {
        None
    } else {
        Some(args.limit as usize)
    };
    let client = ctx.authed_client()?;

    let mut writer: ListWriter<'_, Record> = ctx.out.list()?;
    let mut written = 0usize;
    loop {
        let remaining = wanted.map(|w| w - written);
        query.limit = Some(page_size(remaining));
        let page = client.list_records(&query).await?.value;

        let take = remaining.unwrap_or(usize::MAX).min(page.items.len());
        writer.push_page(&page.items[..take])?;
        written += take;

        let done = wanted.is_some_and(|w| written >= w);
        match page.next_cursor {
            Some(cursor) if !done => query.cursor = Some(cursor),
            _ => break,
        }
    }
    writer.finish()?;
    Ok(())
}

/// The page to ask for: the largest page for `--all`, else what is left.
fn page_size(remaining: Option<usize>) -> u32 {
    match remaining {
        None => MAX_PAGE_SIZE,
        Some(left) => u32::try_from(left)
            .unwrap_or(MAX_PAGE_SIZE)
            .min(MAX_PAGE_SIZE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use apptctl_api::ErrorClass;

    #[test]
    fn statuses_are_checked_and_joined() {
        let filters = RecordFilters {
            status: vec!["pending".into(), "in-progress".into()],
            ..Default::default()
        };
        assert_eq!(
            filters.to_query().unwrap().status.as_deref(),
            Some("pending,in_progress")
        );

        let bad = RecordFilters {
            status: vec!["done".into()],
            ..Default::default()
        };
        assert_eq!(bad.to_query().unwrap_err().class, ErrorClass::InvalidInput);
    }

    #[test]
    fn pages_never_exceed_the_api_limit() {
        assert_eq!(page_size(None), MAX_PAGE_SIZE);
        assert_eq!(page_size(Some(7)), 7);
        assert_eq!(page_size(Some(5000)), MAX_PAGE_SIZE);
    }
}
