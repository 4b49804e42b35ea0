//! The batch engine: reading batch inputs, running cancellations with
//! bounded concurrency, and the journal that makes a batch resumable.
//!
//! `cancel-batch` and `retry` build a [`runner::Run`] and hand it to
//! [`runner::execute`]; the engine ([`engine`]) sends the requests and the
//! journal ([`journal`]) records every outcome as it happens.

pub mod authority;
pub mod engine;
pub mod input;
pub mod journal;
pub mod preview;
pub mod report;
pub mod runner;
pub mod selection;

use std::path::PathBuf;

use apptctl_api::cancel::{Reason, MAX_COMMENT_CHARS};

use crate::context::Context;
use crate::error::CliError;

/// Where the batch journals live: `$XDG_STATE_HOME/apptctl/batches`.
pub fn journal_dir(ctx: &Context) -> PathBuf {
    ctx.paths.state_dir.join("batches")
}

/// The comment rules the server would enforce, checked before any request.
pub fn check_comment(reason: Reason, comment: Option<&str>) -> Result<(), CliError> {
    let text = comment.map(str::trim).unwrap_or("");
    if reason.needs_comment() && text.is_empty() {
        return Err(CliError::invalid_input("reason `other` needs a comment")
            .with_code("comment_required")
            .with_hint("add --comment 'what happened'"));
    }
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        let message = format!("the comment is longer than {MAX_COMMENT_CHARS} characters");
        return Err(CliError::invalid_input(message).with_hint("shorten --comment"));
    }
    Ok(())
}
