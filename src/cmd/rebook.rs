//! `apptctl rebook ID`: book the same service and department again from a
//! cancelled or expired record, into a chosen slot or the first free one.

use apptctl_api::slots::RebookRequest;

use crate::cmd::{parse_instant, parse_record_id, parse_slot_id, print_record, slot_taken_error};
use crate::context::Context;

const EXAMPLES: &str = "\
Examples:
  apptctl slots --service passport                 # find a free slot
  apptctl rebook R0000000013 --slot S1042
  apptctl rebook R0000000013 --first-free --from 2026-12-28
  apptctl rebook R0000000013 --first-free -q       # prints the new record id";

/// Book a cancelled or expired record again (a new record)
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The cancelled or expired record, like R0000000013
    pub id: String,

    /// The slot to book, like S1042
    #[arg(
        long,
        value_name = "SLOT",
        required_unless_present = "first_free",
        conflicts_with = "first_free"
    )]
    pub slot: Option<String>,

    /// Take the first free slot of the same service and department
    #[arg(long)]
    pub first_free: bool,

    /// With --first-free: not before this date (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE", requires = "first_free")]
    pub from: Option<String>,
}

pub async fn run(args: Args, ctx: &mut Context) -> anyhow::Result<()> {
    let id = parse_record_id(&args.id)?;
    let request = RebookRequest {
        slot_id: args.slot.as_deref().map(parse_slot_id).transpose()?,
        first_free: args.first_free,
        from: args
            .from
            .as_deref()
            .map(|d| parse_instant("--from", d))
            .transpose()?,
    };

    let client = ctx.authed_client()?;
    let record = match client.rebook(id, &request).await {
        Ok(reply) => reply.value,
        Err(err) => return Err(slot_taken_error(&err).unwrap_or_else(|| err.into())),
    };

    print_record(ctx, &record)?;
    ctx.out
        .chatter(format_args!("rebooked {id} as {}", record.id));
    Ok(())
}
