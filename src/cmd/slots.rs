//! `apptctl slots --service CODE`: free slots, nearest first.

use apptctl_api::slots::{Slot, SlotsQuery};
use apptctl_api::MAX_PAGE_SIZE;

use crate::cmd::{check_range, parse_date_bound};
use crate::context::Context;
use crate::output::ListWriter;

const EXAMPLES: &str = "\
Examples:
  apptctl slots --service passport
  apptctl slots --service passport --department D01 --from 2026-12-28 --to 2026-12-31
  apptctl slots --service passport --limit 1 -q    # the id of the nearest free slot";

/// List free slots of a service
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Service code
    #[arg(long, value_name = "CODE")]
    pub service: String,

    /// Only this department (id)
    #[arg(long, value_name = "ID")]
    pub department: Option<String>,

    /// Not before this date (YYYY-MM-DD or RFC 3339) [default: now]
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Not after the end of this date (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    /// At most this many slots
    #[arg(long, value_name = "N", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..=MAX_PAGE_SIZE as i64))]
    pub limit: u32,
}

pub async fn run(args: Args, ctx: &mut Context) -> anyhow::Result<()> {
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
    let query = SlotsQuery {
        service: args.service,
        department: args.department,
        from,
        to,
        limit: Some(args.limit),
        cursor: None,
    };

    let page = ctx.authed_client()?.slots(&query).await?.value;
    let mut writer: ListWriter<'_, Slot> = ctx.out.list()?;
    writer.push_page(&page.items)?;
    writer.finish()?;
    Ok(())
}
