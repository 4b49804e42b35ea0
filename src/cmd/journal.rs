//! Placeholder owned by the cli-batch engineer, who replaces this file.

use crate::context::Context;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args, _ctx: &mut Context) -> anyhow::Result<()> {
    anyhow::bail!("not built yet")
}
