//! The clap tree: global flags and the `Command` enum. Help text lives here
//! and in each command's `Args`; completions and man pages are generated
//! from the same tree.

use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::cmd;
use crate::output::Format;

/// The server used when neither `--server`, `APPTCTL_SERVER` nor the
/// profile names one: the default address of `apptctl server start-dev`.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:8787";

const MAIN_EXAMPLES: &str = "\
Examples:
  apptctl server start-dev --seed demo          # a local service to try things on
  apptctl login --username demo                 # asks for the password and the code
  apptctl list --status pending,confirmed
  apptctl show R0000000013 -o json
  apptctl cancel R0000000013 --reason plans_changed

Exit codes: 0 ok, 1 internal, 2 usage, 3 invalid input, 4 not found,
5 conflict, 6 auth, 7 forbidden, 8 server, 9 network, 10 partial, 130 interrupted.";

/// Scriptable command-line tool for the public-services appointment portal.
#[derive(Debug, Parser)]
#[command(
    name = "apptctl",
    version,
    propagate_version = true,
    max_term_width = 100,
    after_help = MAIN_EXAMPLES
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command accepts.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Server URL [default: the profile's, else http://127.0.0.1:8787]
    #[arg(
        long,
        global = true,
        env = "APPTCTL_SERVER",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub server: Option<String>,

    /// Profile in the config file (server and defaults)
    #[arg(
        long,
        global = true,
        env = "APPTCTL_PROFILE",
        hide_env_values = true,
        value_name = "NAME"
    )]
    pub profile: Option<String>,

    /// Output format
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = Format::Table)]
    pub output: Format,

    /// Print ids only, one per line
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Trace HTTP on stderr (secrets redacted); repeat for bodies
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// No colour (also when NO_COLOR is set)
    #[arg(long, global = true)]
    pub no_color: bool,

    /// Time limit per request, like 30s, 500ms or 2m
    #[arg(long, global = true, value_name = "DURATION", default_value = "30s",
          value_parser = parse_duration)]
    pub timeout: Duration,

    /// Retries of a failed request (5xx, 429, timeouts, dropped connections)
    #[arg(long, global = true, value_name = "N", default_value_t = 6)]
    pub retries: u32,

    /// Allow sending a token over plain http to a host other than this machine
    #[arg(long, global = true)]
    pub insecure_http: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Login(cmd::login::Args),

    Logout(cmd::logout::Args),

    Whoami(cmd::whoami::Args),

    Token(cmd::token::Args),

    List(cmd::list::Args),

    Show(cmd::show::Args),

    /// Cancel one or more records
    Cancel(cmd::cancel::Args),

    /// Cancel many records from a file, stdin or filters
    CancelBatch(cmd::cancel_batch::Args),

    /// Re-run what failed in a batch
    Retry(cmd::retry::Args),

    Rebook(cmd::rebook::Args),

    Reschedule(cmd::reschedule::Args),

    Slots(cmd::slots::Args),

    History(cmd::history::Args),

    /// Show local batch journals
    Journal(cmd::journal::Args),

    Notifications(cmd::notifications::Args),

    Doctor(cmd::doctor::Args),

    Completions(cmd::completions::Args),

    #[command(subcommand, after_help = cmd::server::EXAMPLES)]
    Server(cmd::server::ServerCommand),

    #[command(hide = true)]
    GenerateDocs(cmd::completions::DocsArgs),
}

/// `30s`, `500ms`, `2m`, `1h`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration; use e.g. 30s, 500ms or 2m"))?;
    let duration = match unit.trim() {
        "" | "s" => Duration::from_secs(number),
        "ms" => Duration::from_millis(number),
        "m" => Duration::from_secs(number.saturating_mul(60)),
        "h" => Duration::from_secs(number.saturating_mul(3600)),
        other => {
            return Err(format!(
                "unknown unit {other:?} in {text:?}; use ms, s, m or h"
            ))
        }
    };
    if duration.is_zero() {
        return Err("the duration must be more than zero".to_string());
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_clap_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5 days").is_err());
    }
}
