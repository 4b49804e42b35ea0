//! One module per subcommand.
//!
//! Convention: each `cmd/<verb>.rs` defines
//!
//! ```text
//! #[derive(clap::Args)] pub struct Args { ... }
//! pub async fn run(args: Args, ctx: &mut Context) -> anyhow::Result<()>
//! ```
//!
//! and talks to the service only through `ctx.client()` / `ctx.authed_client()`,
//! prints only through `ctx.out`, and fails with a `CliError` (or a
//! `ClientError`, which carries its own class) so `main` can pick the exit code.
//! [`run`] dispatches a parsed [`Command`] to its module.

pub mod cancel;
pub mod cancel_batch;
pub mod journal;
pub mod retry;

use crate::cli::Command;
use crate::context::Context;

/// Runs one parsed command.
pub async fn run(command: Command, ctx: &mut Context) -> anyhow::Result<()> {
    match command {
        Command::Cancel(args) => cancel::run(args, ctx).await,
        Command::CancelBatch(args) => cancel_batch::run(args, ctx).await,
        Command::Retry(args) => retry::run(args, ctx).await,
        Command::Journal(args) => journal::run(args, ctx).await,
    }
}
