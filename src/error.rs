//! Failure classes, the one mapping from class to exit code, and the error a
//! command hands back to `main`.
//!
//! Commands work with `anyhow`; at the boundary `main` turns whatever came
//! back into a [`CliError`] with [`CliError::from_anyhow`], prints it and
//! exits with [`exit_code`] of its class. The table in README.md between the
//! `exit-codes` markers is checked against [`exit_code`] by a unit test.

use std::fmt;

pub use apptctl_api::ErrorClass;
use apptctl_api::{IdError, Problem};
use serde::Serialize;

use crate::client::ClientError;

/// The exit code of each failure class (SPEC §2). The only place that knows it.
pub fn exit_code(class: ErrorClass) -> i32 {
    match class {
        ErrorClass::Internal => 1,
        ErrorClass::Usage => 2,
        ErrorClass::InvalidInput => 3,
        ErrorClass::NotFound => 4,
        ErrorClass::Conflict => 5,
        ErrorClass::Auth => 6,
        ErrorClass::Forbidden => 7,
        ErrorClass::Server => 8,
        ErrorClass::Network => 9,
        ErrorClass::Partial => 10,
        ErrorClass::Interrupted => 130,
    }
}

/// Every failure class, in exit-code order, for the documentation test.
pub const ALL_CLASSES: [ErrorClass; 11] = [
    ErrorClass::Internal,
    ErrorClass::Usage,
    ErrorClass::InvalidInput,
    ErrorClass::NotFound,
    ErrorClass::Conflict,
    ErrorClass::Auth,
    ErrorClass::Forbidden,
    ErrorClass::Server,
    ErrorClass::Network,
    ErrorClass::Partial,
    ErrorClass::Interrupted,
];

/// A failure as the user sees it: a class (which decides the exit code), an
/// optional stable code, a one-line message, a hint naming the next step, and
/// the server's request id when there was a request.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
pub struct CliError {
    pub class: ErrorClass,
    pub code: Option<String>,
    pub message: String,
    pub hint: Option<String>,
    pub request_id: Option<String>,
    /// Extra machine-readable detail for `-o json` (e.g. the alternatives of a
    /// taken slot). Not shown in text mode; the message covers it there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Box<serde_json::Value>>,
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl CliError {
    pub fn new(class: ErrorClass, message: impl Into<String>) -> CliError {
        CliError {
            class,
            code: None,
            message: message.into(),
            hint: None,
            request_id: None,
            details: None,
        }
    }

    pub fn usage(message: impl Into<String>) -> CliError {
        CliError::new(ErrorClass::Usage, message)
    }

    pub fn invalid_input(message: impl Into<String>) -> CliError {
        CliError::new(ErrorClass::InvalidInput, message)
    }

    pub fn auth(message: impl Into<String>) -> CliError {
        CliError::new(ErrorClass::Auth, message)
    }

    pub fn internal(message: impl Into<String>) -> CliError {
        CliError::new(ErrorClass::Internal, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> CliError {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_code(mut self, code: impl Into<String>) -> CliError {
        self.code = Some(code.into());
        self
    }

    pub fn with_details(mut self, details: serde_json::Value) -> CliError {
        self.details = Some(Box::new(details));
        self
    }

    pub fn exit_code(&self) -> i32 {
        exit_code(self.class)
    }

    /// A server problem as a CLI error: its class from the code, or from the
    /// HTTP status when this build does not know the code.
    pub fn from_problem(problem: &Problem) -> CliError {
        let class = match problem.code {
            apptctl_api::ErrorCode::Unknown => class_of_status(problem.status),
            code => code.class(),
        };
        let hint = (!problem.hint.is_empty()).then(|| problem.hint.clone());
        let request_id = (!problem.request_id.is_empty()).then(|| problem.request_id.clone());
        CliError {
            class,
            code: Some(problem.code.as_str().to_string()),
            message: problem.detail.clone(),
            hint,
            request_id,
            details: None,
        }
    }

    /// Whatever a command returned, as the error to show. Known error types
    /// keep their class; anything else is a bug (internal).
    pub fn from_anyhow(err: &anyhow::Error) -> CliError {
        if let Some(cli) = err.downcast_ref::<CliError>() {
            return cli.clone();
        }
        if let Some(client) = err.downcast_ref::<ClientError>() {
            return client.to_cli_error();
        }
        if let Some(id) = err.downcast_ref::<IdError>() {
            return invalid_id(id);
        }
        CliError::internal(format!("{err:#}"))
            .with_hint("this looks like a bug in apptctl; rerun with -vv and report it")
    }
}

/// A malformed record or slot id, as a usage-level input error.
pub fn invalid_id(err: &IdError) -> CliError {
    let hint = match err {
        IdError::Slot(_) => "list free slots with `apptctl slots --service CODE`",
        _ => {
            "a record id is R followed by 10 digits, like R0000000013; copy it from `apptctl list`"
        }
    };
    CliError::invalid_input(err.to_string()).with_hint(hint)
}

/// The class of an HTTP error status when the body names no known code.
pub fn class_of_status(status: u16) -> ErrorClass {
    match status {
        400 | 413 | 415 | 422 => ErrorClass::InvalidInput,
        401 => ErrorClass::Auth,
        403 => ErrorClass::Forbidden,
        404 => ErrorClass::NotFound,
        409 => ErrorClass::Conflict,
        429 | 500..=599 => ErrorClass::Server,
        _ => ErrorClass::Internal,
    }
}

/// Whether the root of `err` is a closed downstream pipe (`| head`): the
/// reader went away, which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of the exit-code table in README.md, as (class, exit code).
    fn documented_table(readme: &str) -> Vec<(String, i32)> {
        let start = readme
            .find("<!-- exit-codes:start -->")
            .expect("start marker");
        let end = readme.find("<!-- exit-codes:end -->").expect("end marker");
        readme[start..end]
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
                let class = cells.first()?.trim().trim_matches('`');
                let code = cells.get(1)?.trim().parse::<i32>().ok()?;
                Some((class.to_string(), code))
            })
            .collect()
    }

    #[test]
    fn readme_exit_code_table_matches_the_code() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
            .expect("README.md beside Cargo.toml");
        let documented = documented_table(&readme);
        let failures: Vec<_> = documented
            .iter()
            .filter(|(class, _)| class != "(success)")
            .collect();

        let expected: Vec<(String, i32)> = ALL_CLASSES
            .iter()
            .map(|class| (class.as_str().to_string(), exit_code(*class)))
            .collect();
        let got: Vec<(String, i32)> = failures.into_iter().cloned().collect();
        assert_eq!(
            got, expected,
            "README exit-code table differs from error::exit_code"
        );
        assert!(documented.contains(&("(success)".to_string(), 0)));
    }

    #[test]
    fn exit_codes_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for class in ALL_CLASSES {
            assert!(
                seen.insert(exit_code(class)),
                "{class:?} shares its exit code"
            );
        }
    }

    #[test]
    fn unknown_codes_fall_back_to_the_status() {
        let mut problem = Problem::new(apptctl_api::ErrorCode::Unknown, "new", "");
        problem.status = 403;
        assert_eq!(
            CliError::from_problem(&problem).class,
            ErrorClass::Forbidden
        );
    }
}
