//! `apptctl notifications`: the SMS and e-mail messages the account got
//! (confirmations, cancellation notices, one-time codes).

use apptctl_api::journal::Notification;
use apptctl_api::MAX_PAGE_SIZE;

use crate::context::Context;
use crate::output::ListWriter;

const EXAMPLES: &str = "\
Examples:
  apptctl notifications
  apptctl notifications -o json | jq '.[0].body'";

/// Show the account's SMS and e-mail messages
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// At most this many messages
    #[arg(long, value_name = "N", default_value_t = 50,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,
}

pub async fn run(args: Args, ctx: &mut Context) -> anyhow::Result<()> {
    let client = ctx.authed_client()?;
    let wanted = args.limit as usize;
    let mut writer: ListWriter<'_, Notification> = ctx.out.list()?;
    let mut written = 0usize;
    let mut cursor: Option<String> = None;
    loop {
        let left = wanted - written;
        let page_size = u32::try_from(left)
            .unwrap_or(MAX_PAGE_SIZE)
            .min(MAX_PAGE_SIZE);
        let page = client
            .notifications(page_size, cursor.as_deref())
            .await?
            .value;
        let take = left.min(page.items.len());
        writer.push_page(&page.items[..take])?;
        written += take;

        match page.next_cursor {
            Some(next) if written < wanted => cursor = Some(next),
            _ => break,
        }
    }
    writer.finish()?;
    Ok(())
}
