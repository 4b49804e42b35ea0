//! Asking a person for a password, a one-time code or a yes/no, and reading
//! secrets from stdin. Prompts need a terminal: without one they refuse with
//! a usage error naming the flag or variable to use instead.

use std::io::{BufRead, Read};

use apptctl_api::cancel::Challenge;

use crate::client::Secret;
use crate::context::Context;
use crate::error::CliError;

/// Asks for a password on the terminal, without echo.
pub fn password(ctx: &Context, username: &str) -> Result<Secret, CliError> {
    require_terminal(ctx, "a password", "pipe it in with --password-stdin")?;
    let text = rpassword::prompt_password(format!("password for {username}: "))
        .map_err(|err| CliError::usage(format!("cannot read the password: {err}")))?;
    Ok(Secret::new(text))
}

/// The one-time code for a challenge: `given` (a `--code` flag) first, then
/// `APPTCTL_CODE`, else a prompt that says where the code was sent.
pub fn one_time_code(
    ctx: &Context,
    given: Option<&str>,
    challenge: &Challenge,
) -> Result<Secret, CliError> {
    if let Some(code) = given.map(str::trim).filter(|c| !c.is_empty()) {
        return Ok(Secret::new(code));
    }
    if let Some(code) = ctx.env_code() {
        return Ok(Secret::new(code.expose().trim()));
    }
    require_terminal(
        ctx,
        "the one-time code",
        "pass --code CODE or set APPTCTL_CODE",
    )?;
    let sent_to = if challenge.sent_to.is_empty() {
        "your phone or e-mail".to_string()
    } else {
        challenge.sent_to.join(" and ")
    };
    let prompt = format!("one-time code (sent to {sent_to}): ");
    let text = rpassword::prompt_password(prompt)
        .map_err(|err| CliError::usage(format!("cannot read the code: {err}")))?;
    Ok(Secret::new(text.trim()))
}

/// Asks a yes/no question on the terminal; `false` unless the answer is yes.
/// Off a terminal it refuses: a script must say `--yes`.
pub fn confirm(ctx: &Context, question: &str) -> Result<bool, CliError> {
    require_terminal(
        ctx,
        "a confirmation",
        "pass --yes to confirm without a prompt",
    )?;
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|err| CliError::usage(format!("cannot read the answer: {err}")))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// Reads a secret (password or token) from stdin: the first line, trimmed.
pub fn secret_from_stdin(what: &str) -> Result<Secret, CliError> {
    let mut text = String::new();
    std::io::stdin()
        .lock()
        .take(64 * 1024)
        .read_to_string(&mut text)
        .map_err(|err| CliError::usage(format!("cannot read {what} from stdin: {err}")))?;
    let line = text.lines().next().unwrap_or("").trim();
    if line.is_empty() {
        return Err(
            CliError::usage(format!("no {what} on stdin")).with_hint(format!(
                "pipe the {what} in, e.g. `printf '%s\\n' \"$SECRET\" | apptctl ...`"
            )),
        );
    }
    Ok(Secret::new(line))
}

fn require_terminal(ctx: &Context, what: &str, instead: &str) -> Result<(), CliError> {
    let ttys = ctx.ttys();
    if ttys.stdin && ttys.stderr {
        return Ok(());
    }
    Err(
        CliError::usage(format!("cannot ask for {what}: not running on a terminal"))
            .with_hint(instead.to_string()),
    )
}
