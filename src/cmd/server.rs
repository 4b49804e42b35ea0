//! `apptctl server start-dev`: the reference appointment service on embedded
//! SQLite, for trying the CLI, for its tests and for benchmarks. Built only
//! with the default cargo feature `server`.

use std::path::PathBuf;

use crate::context::Context;
use crate::error::CliError;

pub const EXAMPLES: &str = "\
Examples:
  apptctl server start-dev --seed demo
  apptctl server start-dev --addr 127.0.0.1:0 --db ./dev.db --records 5000
  apptctl server start-dev --otp-fixed 123456 --fault-rate 0.3 --latency 50

Demo accounts (two-factor on): demo / demo12345 (applicant),
manager / manager12345 (manager).";

/// Run the reference appointment service
#[derive(Debug, clap::Subcommand)]
pub enum ServerCommand {
    /// Start the reference service on embedded SQLite (development only)
    #[command(after_help = EXAMPLES)]
    StartDev(StartDevArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct StartDevArgs {
    /// Address to listen on; port 0 picks a free port (printed at start)
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8787")]
    pub addr: std::net::SocketAddr,

    /// SQLite database file [default: a fresh temporary database]
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Seed data: demo accounts and records, or nothing
    #[arg(long, value_enum, default_value_t = Seed::Demo)]
    pub seed: Seed,

    /// Extra records for the demo account (bulk work, benchmarks)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub records: u32,

    /// Every one-time code equals CODE (dev and tests only)
    #[arg(long, value_name = "CODE")]
    pub otp_fixed: Option<String>,

    /// Share of requests answered with an injected failure, 0.0 to 1.0
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = parse_rate)]
    pub fault_rate: f64,

    /// Added latency per request, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,

    /// Start a manual clock at this instant (RFC 3339); dev and tests only
    #[arg(long, value_name = "RFC3339")]
    pub clock: Option<chrono::DateTime<chrono::Utc>>,

    /// Requests per second per client before 429 [default: the server's]
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<u32>,

    /// Hours before the start when cancelling stops [default: 24]
    #[arg(long, value_name = "H")]
    pub cutoff_hours: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Seed {
    Demo,
    None,
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("{text:?} is not a share between 0.0 and 1.0")),
    }
}

pub async fn run(command: ServerCommand, ctx: &mut Context) -> anyhow::Result<()> {
    match command {
        ServerCommand::StartDev(args) => start_dev(args, ctx).await,
    }
}

#[cfg(feature = "server")]
async fn start_dev(args: StartDevArgs, _ctx: &mut Context) -> anyhow::Result<()> {
    let addr = args.addr;
    apptctl_server::dev::start_dev(dev_options(args))
        .await
        .map_err(|err| explain_bind_failure(err, addr))
}

/// A port already taken or not ours to bind is the user's to fix, not a bug:
/// say so with the way out, as a usage error.
#[cfg(feature = "server")]
fn explain_bind_failure(err: anyhow::Error, addr: std::net::SocketAddr) -> anyhow::Error {
    let io_kind = err
        .chain()
        .find_map(|cause| cause.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    let message = match io_kind {
        Some(std::io::ErrorKind::AddrInUse) => format!("{addr} is already in use"),
        Some(std::io::ErrorKind::PermissionDenied) => format!("not allowed to listen on {addr}"),
        Some(std::io::ErrorKind::AddrNotAvailable) => {
            format!("{addr} is not an address of this machine")
        }
        _ => return err,
    };
    CliError::usage(message)
        .with_hint("stop what listens there, or pass --addr 127.0.0.1:0 to take a free port")
        .into()
}

/// The flags as the server crate's options.
#[cfg(feature = "server")]
fn dev_options(args: StartDevArgs) -> apptctl_server::dev::DevOptions {
    apptctl_server::dev::DevOptions {
        addr: args.addr,
        db: args.db,
        seed_demo: args.seed == Seed::Demo,
        extra_records: u64::from(args.records),
        otp_fixed: args.otp_fixed,
        fault_rate: args.fault_rate,
        latency_ms: args.latency,
        clock: args.clock,
        rate_limit_per_sec: args.rate_limit,
        cutoff_hours: args.cutoff_hours,
    }
}

#[cfg(not(feature = "server"))]
async fn start_dev(_args: StartDevArgs, _ctx: &mut Context) -> anyhow::Result<()> {
    Err(
        CliError::usage("this apptctl was built without the dev server")
            .with_hint("build with the default `server` feature: cargo install apptctl")
            .into(),
    )
}
