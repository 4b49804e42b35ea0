//! Gathers the record ids of a batch: from a file or stdin (checked line
//! by line before anything is sent), or from the same filters as `list`.

use std::fs::File;
use std::io::{self, BufReader};
use std::path::Path;

use apptctl_api::records::ListRecordsQuery;
use apptctl_api::{RecordId, MAX_PAGE_SIZE};
use serde_json::json;

use crate::batch::input::{self, BatchInput, InputError};
use crate::batch::journal::Selection;
use crate::client::ApiClient;
use crate::error::CliError;

/// Most bad lines printed one by one on stderr; JSON output lists them all.
const MAX_LINES_SHOWN: usize = 100;

/// Reads ids from `path`, or from stdin when `path` is `-`.
pub fn from_file(path: &str) -> anyhow::Result<(BatchInput, Selection)> {
    let (parsed, selection) = if path == "-" {
        (input::parse_reader(io::stdin().lock()), Selection::Stdin)
    } else {
        let file = File::open(Path::new(path)).map_err(|e| unreadable(path, &e))?;
        let parsed = input::parse_reader(BufReader::new(file));
        (
            parsed,
            Selection::File {
                path: path.to_string(),
            },
        )
    };

    let source = if path == "-" { "stdin" } else { path };
    match parsed {
        Ok(batch) => Ok((batch, selection)),
        Err(InputError::BadLines(lines)) => Err(bad_lines(source, &lines).into()),
        Err(InputError::Io(e)) => Err(unreadable(source, &e).into()),
    }
}

fn unreadable(path: &str, error: &io::Error) -> CliError {
    CliError::usage(format!("could not read {path}: {error}"))
        .with_hint("give --file an existing file, or `-` to read ids from stdin")
}

/// One error naming every bad line; the lines are also printed on stderr,
/// since the point is to fix them all in one go.
fn bad_lines(source: &str, lines: &[input::LineError]) -> CliError {
    for line in lines.iter().take(MAX_LINES_SHOWN) {
        eprintln!("{source}: {line}");
    }
    if lines.len() > MAX_LINES_SHOWN {
        eprintln!(
            "{source}: ... and {} more bad lines",
            lines.len() - MAX_LINES_SHOWN
        );
    }

    let details: Vec<_> = lines
        .iter()
        .map(|l| json!({ "line": l.line, "problem": l.problem.to_string() }))
        .collect();
    CliError::invalid_input(format!(
        "{} bad line(s) in {source}; nothing was sent",
        lines.len()
    ))
    .with_code("bad_batch_input")
    .with_hint("fix or remove those lines (one record id per line, like R0000000013) and run again")
    .with_details(json!({ "bad_lines": details }))
}

/// Every record id matching `query`, page by page.
pub async fn from_filters(
    client: &ApiClient,
    query: &ListRecordsQuery,
) -> anyhow::Result<Vec<RecordId>> {
    let mut page_query = query.clone();
    page_query.limit = Some(MAX_PAGE_SIZE);
    let mut ids = Vec::new();

    loop {
        let page = client.list_records(&page_query).await?.value;
        ids.extend(page.items.iter().map(|record| record.id));
        match page.next_cursor {
            Some(cursor) => page_query.cursor = Some(cursor),
            None => break,
        }
    }
    Ok(ids)
}
