//! Runs the reference service like `apptctl server start-dev`, without the
//! CLI: `cargo run -p apptctl-server --example start_dev -- [ADDR] [RECORDS]`.

use apptctl_server::dev::{start_dev, DevOptions};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut opts = DevOptions::default();
    if let Some(addr) = args.next() {
        opts.addr = addr.parse()?;
    }
    if let Some(records) = args.next() {
        opts.extra_records = records.parse()?;
    }
    start_dev(opts).await
}
