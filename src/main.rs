//! `apptctl`: parse the command line, set up logging, build the context,
//! run the command, and turn its failure into a message and an exit code.

use std::process::ExitCode;

use apptctl::cli::{self, Cli};
use apptctl::cmd;
use apptctl::context::{Context, Env};
use apptctl::error::{self, CliError};
use apptctl::output::{Output, Ttys};
use clap::Parser;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version land here too, with exit code 0.
            let _ = err.print();
            return exit(err.exit_code());
        }
    };
    let (env, ttys) = (Env::capture(), Ttys::detect());
    let global = cli.global.clone();
    let no_color = global.no_color || env.no_color;

    // The dev server sets up its own logging (its log shows the one-time
    // codes); every other command gets the quiet CLI trace.
    if !matches!(cli.command, cli::Command::Server(_)) {
        init_tracing(global.verbose, ttys.stderr && !no_color);
    }

    let mut ctx = match Context::new(cli.global, env.clone(), ttys) {
        Ok(ctx) => ctx,
        Err(err) => {
            // No context, but the error still follows -o and --no-color.
            Output::new(global.output, global.quiet, no_color, ttys).error(&err);
            return exit(err.exit_code());
        }
    };
    let result = run(cli.command, &mut ctx);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if error::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let err = CliError::from_anyhow(&err);
            ctx.out.error(&err);
            exit(err.exit_code())
        }
    }
}

fn run(command: cli::Command, ctx: &mut Context) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| CliError::internal(format!("cannot start the async runtime: {err}")))?;
    runtime.block_on(cmd::run(command, ctx))
}

/// Quiet by default; `-v` shows the HTTP trace, `-vv` adds bodies, `-vvv`
/// everything at debug level (secrets stay redacted at every level).
fn init_tracing(verbose: u8, ansi: bool) {
    let filter = match verbose {
        0 => "warn",
        1 => "warn,apptctl=info",
        2 => "warn,apptctl=debug",
        _ => "debug",
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .without_time()
        .with_target(false)
        .init();
}

fn exit(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
