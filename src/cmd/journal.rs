//! `apptctl journal [BATCH_ID] [--errors]`: the local batch journals — the
//! list of batches, one batch's items, or failures grouped by class and code.

use std::collections::BTreeMap;
use std::path::Path;

use apptctl_api::RecordId;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::batch::journal::{self, BatchState, Counts, Line, Outcome};
use crate::batch::journal_dir;
use crate::batch::report::outcome_tone;
use crate::cmd::retry::find_journal;
use crate::context::Context;
use crate::error::CliError;
use crate::output::{Cell, Listable, Tone};

/// Show the local batch journals.
///
/// Without a batch id, lists the batches with their counts; with one, lists
/// its items and their latest outcome ("pending": never finished). --errors
/// groups failures by class and code, with counts and when they were first
/// and last seen, over every batch or the one given.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  apptctl journal
  apptctl journal 20261203-154012-3f9a2c -o csv
  apptctl journal --errors
  apptctl journal 20261203-154012-3f9a2c --errors -o json")]
pub struct Args {
    /// A batch id (see the list); all batches when omitted
    #[arg(value_name = "BATCH_ID")]
    pub batch_id: Option<String>,

    /// Group failures by class and code
    #[arg(long)]
    pub errors: bool,
}

pub async fn run(args: Args, ctx: &mut Context) -> anyhow::Result<()> {
    match (args.batch_id.as_deref(), args.errors) {
        (None, false) => list_batches(ctx),
        (Some(id), false) => list_items(ctx, id),
        (id, true) => group_errors(ctx, id),
    }
}

/// One batch in the list.
#[derive(Debug, Serialize)]
struct BatchRow {
    batch_id: String,
    created_at: DateTime<Utc>,
    reason: String,
    runs: u32,
    #[serde(flatten)]
    counts: Counts,
}

impl Listable for BatchRow {
    const HEADERS: &'static [&'static str] = &[
        "batch",
        "created",
        "reason",
        "items",
        "cancelled",
        "already",
        "failed",
        "unknown",
        "pending",
    ];

    fn id(&self) -> String {
        self.batch_id.clone()
    }

    fn cells(&self) -> Vec<Cell> {
        let c = &self.counts;
        let warn =
            |n: usize| Cell::toned(n.to_string(), if n > 0 { Tone::Warn } else { Tone::Plain });
        vec![
            Cell::text(&self.batch_id),
            Cell::time(self.created_at),
            Cell::text(&self.reason),
            Cell::text(c.items.to_string()),
            Cell::text(c.cancelled.to_string()),
            Cell::text(c.already_cancelled.to_string()),
            warn(c.failed),
            warn(c.unknown),
            warn(c.pending),
        ]
    }
}

fn list_batches(ctx: &Context) -> anyhow::Result<()> {
    let dir = journal_dir(ctx);
    let ids = journal::list_batch_ids(&dir)
        .map_err(|e| CliError::internal(format!("could not list {}: {e}", dir.display())))?;

    let mut list = ctx.out.list::<BatchRow>()?;
    for id in ids.iter().rev() {
        match BatchState::load(&journal::journal_path(&dir, id)) {
            Ok(state) => list.push(&BatchRow {
                batch_id: state.header.batch_id.clone(),
                created_at: state.header.created_at,
                reason: state.header.reason.to_string(),
                runs: state.runs,
                counts: state.counts(),
            })?,
            Err(e) => ctx.out.warn(e),
        }
    }
    list.finish()?;
    Ok(())
}

/// One item of a batch, with its latest outcome.
#[derive(Debug, Serialize)]
struct ItemRow {
    record_id: RecordId,
    /// An outcome, or `pending` when the item never finished.
    outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<DateTime<Utc>>,
}

impl Listable for ItemRow {
    const HEADERS: &'static [&'static str] =
        &["record", "outcome", "code", "message", "request_id", "at"];

    fn id(&self) -> String {
        self.record_id.to_string()
    }

    fn cells(&self) -> Vec<Cell> {
        let tone = match self.outcome.as_str() {
            "pending" => Tone::Warn,
            _ => self
                .outcome_value()
                .map(outcome_tone)
                .unwrap_or(Tone::Plain),
        };
        vec![
            Cell::text(self.record_id.to_string()),
            Cell::toned(&self.outcome, tone),
            Cell::text(self.code.clone().unwrap_or_default()),
            Cell::text(self.message.clone().unwrap_or_default()),
            Cell::text(self.request_id.clone().unwrap_or_default()),
            Cell::optional_time(self.at),
        ]
    }
}

impl ItemRow {
    fn outcome_value(&self) -> Option<Outcome> {
        serde_json::from_value(serde_json::Value::String(self.outcome.clone())).ok()
    }
}

fn list_items(ctx: &Context, batch_id: &str) -> anyhow::Result<()> {
    let path = find_journal(ctx, Some(batch_id))?;
    let state = load(&path)?;
    if ctx.out.is_human_table() {
        describe_batch(&state);
    }

    let mut list = ctx.out.list::<ItemRow>()?;
    for &record in &state.header.items {
        let item = state.item(record);
        list.push(&ItemRow {
            record_id: record,
            outcome: item.map_or("pending", |i| i.outcome.as_str()).to_string(),
            class: item.and_then(|i| i.class).map(|c| c.as_str().to_string()),
            code: item.and_then(|i| i.code.clone()),
            message: item.and_then(|i| i.message.clone()),
            request_id: item.and_then(|i| i.request_id.clone()),
            at: item.map(|i| i.at),
        })?;
    }
    list.finish()?;
    Ok(())
}

/// What the batch was, above its items, for a person reading the table.
fn describe_batch(state: &BatchState) {
    let header = &state.header;
    let ending = if state.last_run_unfinished {
        ", last run did not finish"
    } else {
        ""
    };
    eprintln!(
        "batch {} against {}: reason {}, created {}, {} run(s){ending}",
        header.batch_id,
        header.server,
        header.reason,
        crate::output::human_time(header.created_at),
        state.runs
    );
}

fn load(path: &Path) -> Result<BatchState, CliError> {
    BatchState::load(path)
        .map_err(|e| CliError::invalid_input(e.to_string()).with_code("bad_journal"))
}

/// Failures of one class and code.
#[derive(Debug, Serialize)]
struct ErrorGroup {
    class: String,
    code: String,
    count: usize,
    batches: usize,
    first_seen: DateTime<Utc>,
    last_seen: DateTime<Utc>,
}

impl Listable for ErrorGroup {
    const HEADERS: &'static [&'static str] = &[
        "class",
        "code",
        "count",
        "batches",
        "first_seen",
        "last_seen",
    ];

    fn id(&self) -> String {
        format!("{}/{}", self.class, self.code)
    }

    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::toned(&self.class, Tone::Bad),
            Cell::text(&self.code),
            Cell::text(self.count.to_string()),
            Cell::text(self.batches.to_string()),
            Cell::time(self.first_seen),
            Cell::time(self.last_seen),
        ]
    }
}

/// Every failed or unknown attempt ever journaled counts, not only the
/// latest state: the point is to see which trouble happens and when.
fn group_errors(ctx: &Context, batch_id: Option<&str>) -> anyhow::Result<()> {
    let dir = journal_dir(ctx);
    let paths = match batch_id {
        Some(id) => vec![find_journal(ctx, Some(id))?],
        None => journal::list_batch_ids(&dir)
            .map_err(|e| CliError::internal(format!("could not list {}: {e}", dir.display())))?
            .iter()
            .map(|id| journal::journal_path(&dir, id))
            .collect(),
    };

    let mut groups: BTreeMap<(String, String), (ErrorGroup, String)> = BTreeMap::new();
    for path in &paths {
        let read = journal::read_lines(path, |line| {
            let Line::Item(event) = line else { return };
            if event.outcome.is_success() {
                return;
            }
            let class = event.class.map_or("unknown", |c| c.as_str()).to_string();
            let code = event
                .code
                .clone()
                .unwrap_or_else(|| event.outcome.as_str().to_string());
            let batch = path.display().to_string();
            let entry = groups
                .entry((class.clone(), code.clone()))
                .or_insert_with(|| {
                    let group = ErrorGroup {
                        class,
                        code,
                        count: 0,
                        batches: 0,
                        first_seen: event.at,
                        last_seen: event.at,
                    };
                    (group, String::new())
                });
            let (group, last_batch) = entry;
            group.count += 1;
            group.first_seen = group.first_seen.min(event.at);
            group.last_seen = group.last_seen.max(event.at);
            if *last_batch != batch {
                group.batches += 1;
                *last_batch = batch;
            }
        });
        if let Err(e) = read {
            ctx.out.warn(e);
        }
    }

    let mut rows: Vec<ErrorGroup> = groups.into_values().map(|(group, _)| group).collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
    let mut list = ctx.out.list::<ErrorGroup>()?;
    for row in &rows {
        list.push(row)?;
    }
    list.finish()?;
    Ok(())
}
