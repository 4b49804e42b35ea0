//! `apptctl reschedule ID --slot SLOT`: move an active record to another
//! free slot of the same service (allowed inside the cancellation cutoff,
//! not after the start). A taken slot answers with the nearest free ones.

use apptctl_api::slots::RescheduleRequest;

use crate::cmd::{parse_record_id, parse_slot_id, print_record, slot_taken_error};
use crate::context::Context;

const EXAMPLES: &str = "\
Examples:
  apptctl slots --service passport --from 2026-12-28
  apptctl reschedule R0000000013 --slot S1042
  apptctl reschedule R0000000013 --slot S1042 -o json   # alternatives in the error if taken";

/// Move an active record to another slot
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The record, like R0000000013
    pub id: String,

    /// The new slot, like S1042
    #[arg(long, value_name = "SLOT")]
    pub slot: String,
}

pub async fn run(args: Args, ctx: &mut Context) -> anyhow::Result<()> {
    let id = parse_record_id(&args.id)?;
    let request = RescheduleRequest {
        slot_id: parse_slot_id(&args.slot)?,
    };

    let client = ctx.authed_client()?;
    let record = match client.reschedule(id, &request).await {
        Ok(reply) => reply.value,
        Err(err) => return Err(slot_taken_error(&err).unwrap_or_else(|| err.into())),
    };

    print_record(ctx, &record)?;
    ctx.out
        .chatter(format_args!("moved {id} to {}", record.slot_id));
    Ok(())
}
