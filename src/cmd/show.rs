//! `apptctl show ID`: one record with everything about it — applicant,
//! documents, staff comments, the responsible specialist, and its history.

use apptctl_api::records::{Record, RecordDetails};

use crate::cmd::{parse_record_id, print_record};
use crate::context::Context;
use crate::output::{action_name, human_time, status_tone, Format, Output};

const EXAMPLES: &str = "\
Examples:
  apptctl show R0000000013
  apptctl show R0000000013 -o json | jq '.history'";

/// Show a record in full
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Record id, like R0000000013
    pub id: String,
}

pub async fn run(args: Args, ctx: &mut Context) -> anyhow::Result<()> {
    let id = parse_record_id(&args.id)?;
    let details = ctx.authed_client()?.record(id).await?.value;

    match ctx.out.format() {
        _ if ctx.out.quiet() => ctx.out.line(details.record.id)?,
        Format::Json | Format::Ndjson => ctx.out.json(&details)?,
        // CSV has no room for the nested parts: the record as one row.
        Format::Csv => print_record(ctx, &details.record)?,
        Format::Table => print_details(&ctx.out, &details)?,
    }
    Ok(())
}

fn print_details(out: &Output, details: &RecordDetails) -> std::io::Result<()> {
    let record = &details.record;
    let heading = format!(
        "{} {}",
        record.id,
        out.paint(record.status.as_str(), status_tone(record.status))
    );
    out.fields(Some(&heading), &record_fields(record))?;

    let applicant = &details.applicant;
    out.fields(
        Some("applicant"),
        &[
            ("name", applicant.name.clone()),
            ("phone", applicant.phone.clone()),
            ("e-mail", applicant.email.clone()),
        ],
    )?;
    if let Some(specialist) = &details.specialist {
        out.fields(
            Some("specialist"),
            &[
                ("name", specialist.name.clone()),
                ("phone", specialist.phone.clone()),
                ("e-mail", specialist.email.clone()),
            ],
        )?;
    }

    let documents: Vec<(&str, String)> = details
        .documents
        .iter()
        .map(|d| (d.name.as_str(), d.url.clone()))
        .collect();
    section(out, "documents", &documents)?;

    let comments: Vec<(String, String)> = details
        .comments
        .iter()
        .map(|c| (format!("{} {}", human_time(c.at), c.author), c.text.clone()))
        .collect();
    section(out, "comments", &comments)?;

    let history: Vec<(String, String)> = details.history.iter().map(history_line).collect();
    section(out, "history", &history)
}

fn record_fields(record: &Record) -> Vec<(&'static str, String)> {
    let (service, department) = (&record.service, &record.department);
    let slot_times = format!(
        "{} – {}",
        human_time(record.starts_at),
        human_time(record.ends_at)
    );
    let actions: Vec<&str> = record
        .allowed_actions
        .iter()
        .map(|a| action_name(*a))
        .collect();
    let actions = if actions.is_empty() {
        "none".to_string()
    } else {
        actions.join(", ")
    };

    let mut fields = vec![
        (
            "service",
            format!("{} ({}, {})", service.name, service.code, service.category),
        ),
        (
            "department",
            format!("{} ({})", department.name, department.id),
        ),
        ("address", department.address.clone()),
        ("slot", format!("{} {slot_times}", record.slot_id)),
        ("cancellable", yes_no(record.cancellable).to_string()),
        ("cancellable until", human_time(record.cancellable_until)),
        ("actions", actions),
        ("created", human_time(record.created_at)),
        ("updated", human_time(record.updated_at)),
    ];
    if let Some(from) = record.rebooked_from {
        fields.push(("rebooked from", from.to_string()));
    }
    if let Some(to) = record.rebooked_to {
        fields.push(("rebooked to", to.to_string()));
    }
    fields
}

fn history_line(event: &apptctl_api::records::RecordEvent) -> (String, String) {
    let from = event
        .from_status
        .map(|s| format!("{s} → "))
        .unwrap_or_default();
    let mut text = format!(
        "{} {from}{} by {}",
        event.event, event.to_status, event.actor
    );
    if let Some(reason) = event.reason {
        text.push_str(&format!(" ({reason})"));
    }
    if let Some(comment) = &event.comment {
        text.push_str(&format!(": {comment}"));
    }
    (human_time(event.at), text)
}

/// A titled block, or "none" under the title when it is empty.
fn section<L: AsRef<str>>(out: &Output, title: &str, rows: &[(L, String)]) -> std::io::Result<()> {
    if rows.is_empty() {
        return out.fields(Some(title), &[("none", String::new())]);
    }
    out.fields(Some(title), rows)
}

fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}
