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
pub mod completions;
pub mod doctor;
pub mod history;
pub mod journal;
pub mod list;
pub mod login;
pub mod logout;
pub mod notifications;
pub mod rebook;
pub mod reschedule;
pub mod retry;
pub mod server;
pub mod show;
pub mod slots;
pub mod token;
pub mod whoami;

use apptctl_api::records::Record;
use apptctl_api::{ErrorCode, RecordId, SlotId};
use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, Utc};

use crate::cli::Command;
use crate::client::ClientError;
use crate::context::Context;
use crate::error::{self, CliError};
use crate::output::{self, ListWriter};

/// Runs one parsed command.
pub async fn run(command: Command, ctx: &mut Context) -> anyhow::Result<()> {
    match command {
        Command::Login(args) => login::run(args, ctx).await,
        Command::Logout(args) => logout::run(args, ctx).await,
        Command::Whoami(args) => whoami::run(args, ctx).await,
        Command::Token(args) => token::run(args, ctx).await,
        Command::List(args) => list::run(args, ctx).await,
        Command::Show(args) => show::run(args, ctx).await,
        Command::Cancel(args) => cancel::run(args, ctx).await,
        Command::CancelBatch(args) => cancel_batch::run(args, ctx).await,
        Command::Retry(args) => retry::run(args, ctx).await,
        Command::Rebook(args) => rebook::run(args, ctx).await,
        Command::Reschedule(args) => reschedule::run(args, ctx).await,
        Command::Slots(args) => slots::run(args, ctx).await,
        Command::History(args) => history::run(args, ctx).await,
        Command::Journal(args) => journal::run(args, ctx).await,
        Command::Notifications(args) => notifications::run(args, ctx).await,
        Command::Doctor(args) => doctor::run(args, ctx).await,
        Command::Completions(args) => completions::run(args, ctx).await,
        Command::Server(command) => server::run(command, ctx).await,
        Command::GenerateDocs(args) => completions::run_generate_docs(args, ctx).await,
    }
}

/// A record id from the command line, checked before any request: a typo
/// fails here with exit code 3 and a hint, never as "not found".
pub fn parse_record_id(text: &str) -> Result<RecordId, CliError> {
    text.parse::<RecordId>()
        .map_err(|err| error::invalid_id(&err))
}

/// A slot id from the command line.
pub fn parse_slot_id(text: &str) -> Result<SlotId, CliError> {
    text.parse::<SlotId>()
        .map_err(|err| error::invalid_id(&err))
}

/// A `--from` / `--to` bound: a date (`2026-12-24`) or an RFC 3339 instant.
/// Returned in the form the API takes; bad input fails with exit code 3.
pub fn parse_date_bound(flag: &str, text: &str) -> Result<String, CliError> {
    let text = text.trim();
    if NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() {
        return Ok(text.to_string());
    }
    match DateTime::parse_from_rfc3339(text) {
        Ok(at) => Ok(at
            .with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Secs, true)),
        Err(_) => Err(CliError::invalid_input(format!(
            "{flag} {text:?} is not a date; use YYYY-MM-DD or an RFC 3339 time"
        ))
        .with_hint(format!(
            "for example {flag} 2026-12-24 or {flag} 2026-12-24T09:00:00+03:00"
        ))),
    }
}

/// A `--from` bound as an instant: a date means its start (UTC midnight).
pub fn parse_instant(flag: &str, text: &str) -> Result<DateTime<Utc>, CliError> {
    let normalised = parse_date_bound(flag, text)?;
    if let Ok(day) = NaiveDate::parse_from_str(&normalised, "%Y-%m-%d") {
        return Ok(day.and_time(NaiveTime::MIN).and_utc());
    }
    DateTime::parse_from_rfc3339(&normalised)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|err| CliError::invalid_input(format!("{flag}: {err}")))
}

/// Checks that `from` is not after `to` when both are given.
pub fn check_range(from: Option<&str>, to: Option<&str>) -> Result<(), CliError> {
    let (Some(from), Some(to)) = (from, to) else {
        return Ok(());
    };
    let (start, end) = (parse_instant("--from", from)?, parse_instant("--to", to)?);
    if start > end {
        return Err(
            CliError::invalid_input(format!("--from {from} is after --to {to}"))
                .with_hint("swap the two dates"),
        );
    }
    Ok(())
}

/// A `slot_taken` answer as an error that carries the server's nearest free
/// slots: in the hint for people, under `details.alternatives` in JSON.
/// `None` for any other error.
pub fn slot_taken_error(err: &ClientError) -> Option<anyhow::Error> {
    let problem = err.problem().filter(|p| p.code == ErrorCode::SlotTaken)?;
    let mut cli = CliError::from_problem(problem);
    let nearest: Vec<String> = problem
        .alternatives
        .iter()
        .take(5)
        .map(|slot| format!("{} ({})", slot.id, output::human_time(slot.starts_at)))
        .collect();
    if !nearest.is_empty() {
        cli.hint = Some(format!("nearest free slots: {}", nearest.join(", ")));
    }
    let details = serde_json::json!({ "alternatives": problem.alternatives });
    Some(cli.with_details(details).into())
}

/// One record as a one-row list in the chosen format (JSON: the record
/// object itself).
pub fn print_record(ctx: &Context, record: &Record) -> anyhow::Result<()> {
    if ctx.out.is_json() {
        ctx.out.json(record)?;
        return Ok(());
    }
    let mut writer: ListWriter<'_, Record> = ctx.out.list()?;
    writer.push(record)?;
    writer.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use apptctl_api::ErrorClass;

    #[test]
    fn dates_and_instants_are_accepted() {
        assert_eq!(
            parse_date_bound("--from", "2026-12-24").unwrap(),
            "2026-12-24"
        );
        assert_eq!(
            parse_date_bound("--from", "2026-12-24T09:00:00+03:00").unwrap(),
            "2026-12-24T06:00:00Z"
        );
        let err = parse_date_bound("--to", "24.12.2026").unwrap_err();
        assert_eq!(err.class, ErrorClass::InvalidInput);
        assert!(parse_date_bound("--to", "2026-02-30").is_err());
    }

    #[test]
    fn ranges_must_not_be_reversed() {
        assert!(check_range(Some("2026-12-24"), Some("2026-12-25")).is_ok());
        assert!(check_range(Some("2026-12-26"), Some("2026-12-25")).is_err());
    }

    #[test]
    fn record_ids_are_checked_locally() {
        let err = parse_record_id("R0000000012").unwrap_err();
        assert_eq!(err.class, ErrorClass::InvalidInput);
        assert!(err.message.contains("R0000000012"));
        assert!(parse_record_id("R0000000013").is_ok());
    }
}
