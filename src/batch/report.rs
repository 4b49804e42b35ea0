//! Per-item results and the summary of a batch run, in every output
//! format, written as items finish so memory stays flat.
//!
//! `-o json` prints `{"batch_id", "items": [...], "summary"}`, streaming the
//! items; `-o ndjson` prints one item per line and then one summary line;
//! `-q` prints the ids cancelled by this run; a table on a terminal shows
//! every item of a small batch, or only the items that need attention of a
//! large one. Output errors (a closed pipe) never stop the batch: the
//! cancellations are the point, and the journal keeps every result.

use std::io::{self, BufWriter, Stdout, Write};
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::batch::engine::RunTotals;
use crate::batch::journal::{ItemEvent, Outcome};
use crate::output::{Cell, Format, ListWriter, Listable, Output, Tone};

/// Above this many items, a terminal table lists only the items that did
/// not succeed; the summary counts the rest.
const FULL_TABLE_LIMIT: usize = 50;

/// One item as the output shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ItemRow {
    pub record_id: String,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    pub attempts: u32,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl From<&ItemEvent> for ItemRow {
    fn from(event: &ItemEvent) -> Self {
        ItemRow {
            record_id: event.record_id.to_string(),
            outcome: event.outcome,
            class: event.class.map(|class| class.as_str().to_string()),
            code: event.code.clone(),
            message: event.message.clone(),
            request_id: event.request_id.clone(),
            attempts: event.attempts,
            at: event.at,
        }
    }
}

impl Listable for ItemRow {
    const HEADERS: &'static [&'static str] = &[
        "record",
        "outcome",
        "code",
        "message",
        "request_id",
        "attempts",
    ];

    fn id(&self) -> String {
        self.record_id.clone()
    }

    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.record_id),
            Cell::toned(self.outcome.as_str(), outcome_tone(self.outcome)),
            Cell::text(self.code.clone().unwrap_or_default()),
            Cell::text(self.message.clone().unwrap_or_default()),
            Cell::text(self.request_id.clone().unwrap_or_default()),
            Cell::text(self.attempts.to_string()),
        ]
    }
}

pub fn outcome_tone(outcome: Outcome) -> Tone {
    match outcome {
        Outcome::Cancelled => Tone::Good,
        Outcome::AlreadyCancelled => Tone::Dim,
        Outcome::Failed => Tone::Bad,
        Outcome::Unknown => Tone::Warn,
    }
}

/// The summary line of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub items: usize,
    pub cancelled: usize,
    pub already_cancelled: usize,
    pub failed: usize,
    pub unknown: usize,
    pub not_started: usize,
    pub interrupted: bool,
    pub elapsed_ms: u128,
    pub per_second: f64,
    pub journal: String,
}

impl Summary {
    pub fn new(items: usize, totals: &RunTotals, elapsed: Duration, journal: &Path) -> Summary {
        let finished = totals.cancelled + totals.already_cancelled + totals.failed + totals.unknown;
        let seconds = elapsed.as_secs_f64().max(0.001);
        Summary {
            items,
            cancelled: totals.cancelled,
            already_cancelled: totals.already_cancelled,
            failed: totals.failed,
            unknown: totals.unknown,
            not_started: totals.not_started,
            interrupted: totals.interrupted,
            elapsed_ms: elapsed.as_millis(),
            per_second: (finished as f64 / seconds * 10.0).round() / 10.0,
            journal: journal.display().to_string(),
        }
    }

    /// One line for people.
    pub fn sentence(&self) -> String {
        let mut parts = vec![format!("{} cancelled", self.cancelled)];
        if self.already_cancelled > 0 {
            parts.push(format!("{} already cancelled", self.already_cancelled));
        }
        if self.failed > 0 {
            parts.push(format!("{} failed", self.failed));
        }
        if self.unknown > 0 {
            parts.push(format!("{} unknown", self.unknown));
        }
        if self.not_started > 0 {
            parts.push(format!("{} not started", self.not_started));
        }
        let lead = if self.interrupted {
            "interrupted: "
        } else {
            ""
        };
        format!(
            "{lead}{} items: {} in {:.1}s ({}/s)",
            self.items,
            parts.join(", "),
            self.elapsed_ms as f64 / 1000.0,
            self.per_second
        )
    }
}

enum Sink<'a> {
    /// `-o json`: the envelope is written by hand to stream its items.
    Json {
        stdout: BufWriter<Stdout>,
        first: bool,
    },
    /// `-o ndjson`, flushed per item so a reader sees each as it finishes.
    Ndjson(ListWriter<'a, ItemRow>),
    /// `-q`: only ids this run cancelled.
    Quiet(BufWriter<Stdout>),
    /// CSV and tab-separated text: every item.
    Rows(ListWriter<'a, ItemRow>),
    /// A table on a terminal, sized at the end.
    Table {
        writer: ListWriter<'a, ItemRow>,
        everything: bool,
        rows: usize,
    },
}

/// Writes a run's items and summary.
pub struct Reporter<'a> {
    out: &'a Output,
    batch_id: String,
    sink: Sink<'a>,
    broken: bool,
}

impl<'a> Reporter<'a> {
    pub fn new(out: &'a Output, batch_id: &str, items: usize) -> io::Result<Reporter<'a>> {
        let sink = match (out.quiet(), out.format()) {
            (true, _) => Sink::Quiet(BufWriter::new(io::stdout())),
            (false, Format::Json) => {
                let mut stdout = BufWriter::new(io::stdout());
                let id = serde_json::to_string(batch_id)?;
                write!(stdout, "{{\n  \"batch_id\": {id},\n  \"items\": [")?;
                Sink::Json {
                    stdout,
                    first: true,
                }
            }
            (false, Format::Ndjson) => Sink::Ndjson(out.list()?),
            (false, _) if out.is_human_table() => Sink::Table {
                writer: out.list()?,
                everything: items <= FULL_TABLE_LIMIT,
                rows: 0,
            },
            (false, _) => Sink::Rows(out.list()?),
        };
        Ok(Reporter {
            out,
            batch_id: batch_id.to_string(),
            sink,
            broken: false,
        })
    }

    /// Reports one finished item. A write error stops the output, not the
    /// batch.
    pub fn item(&mut self, event: &ItemEvent) {
        if self.broken {
            return;
        }
        if let Err(e) = self.write_item(event) {
            self.output_failed(&e);
        }
    }

    fn write_item(&mut self, event: &ItemEvent) -> io::Result<()> {
        match &mut self.sink {
            Sink::Json { stdout, first } => {
                stdout.write_all(if *first { b"\n    " } else { b",\n    " })?;
                *first = false;
                serde_json::to_writer(&mut *stdout, &ItemRow::from(event))?;
                Ok(())
            }
            Sink::Ndjson(writer) => {
                writer.push(&ItemRow::from(event))?;
                writer.flush()
            }
            Sink::Quiet(stdout) if event.outcome == Outcome::Cancelled => {
                writeln!(stdout, "{}", event.record_id)
            }
            Sink::Quiet(_) => Ok(()),
            Sink::Rows(writer) => writer.push(&ItemRow::from(event)),
            Sink::Table {
                writer,
                everything,
                rows,
            } => {
                if *everything || !event.outcome.is_success() {
                    *rows += 1;
                    writer.push(&ItemRow::from(event))?;
                }
                Ok(())
            }
        }
    }

    /// Ends the item list and writes the summary: in the data for JSON and
    /// NDJSON, on stderr for people.
    pub fn finish(self, summary: &Summary) {
        let out = self.out;
        let broken = self.broken;
        if let Err(e) = self.write_end(summary) {
            if !broken {
                tracing::warn!("could not write the batch results: {e}");
            }
        }
        if !out.is_json() && !out.quiet() {
            eprintln!("{}", summary.sentence());
            if summary.failed + summary.unknown + summary.not_started > 0 {
                eprintln!("journal: {}", summary.journal);
            }
        }
    }

    fn write_end(self, summary: &Summary) -> io::Result<()> {
        if self.broken {
            return Ok(());
        }
        match self.sink {
            Sink::Json { mut stdout, first } => {
                let summary = serde_json::to_string(summary)?;
                let close = if first { "],\n" } else { "\n  ],\n" };
                write!(stdout, "{close}  \"summary\": {summary}\n}}\n")?;
                stdout.flush()
            }
            Sink::Ndjson(writer) => {
                writer.finish()?;
                let line = serde_json::json!({ "batch_id": self.batch_id, "summary": summary });
                let mut stdout = io::stdout().lock();
                writeln!(stdout, "{line}")?;
                stdout.flush()
            }
            Sink::Quiet(mut stdout) => stdout.flush(),
            // A large batch where everything succeeded has no rows to show;
            // the summary says it all.
            Sink::Table { rows: 0, .. } => Ok(()),
            Sink::Rows(writer) | Sink::Table { writer, .. } => writer.finish().map(|_| ()),
        }
    }

    fn output_failed(&mut self, error: &io::Error) {
        self.broken = true;
        if error.kind() != io::ErrorKind::BrokenPipe {
            tracing::warn!("could not write the batch results: {error}; the batch goes on");
        }
    }
}
