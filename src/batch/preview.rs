//! `--dry-run` and the confirmation preview: reads each record and says
//! whether it would be cancelled, and if not, why. The server decides
//! (`cancellable`, `allowed_actions`); nothing here re-implements the rules.

use std::sync::Arc;

use apptctl_api::records::{Action, Record, RecordStatus};
use apptctl_api::RecordId;
use serde::Serialize;
use tokio::task::JoinSet;

use crate::client::ApiClient;
use crate::output::{Cell, Listable, Output, Tone};

/// What a cancellation of one record would do.
#[derive(Debug, Clone, Serialize)]
pub struct PreviewRow {
    pub record_id: RecordId,
    pub would_cancel: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<RecordStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Why not, when it would not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_not: Option<String>,
}

impl PreviewRow {
    fn from_record(record: &Record) -> PreviewRow {
        let would_cancel = record.cancellable && record.allowed_actions.contains(&Action::Cancel);
        PreviewRow {
            record_id: record.id,
            would_cancel,
            status: Some(record.status),
            service: Some(record.service.name.clone()),
            starts_at: Some(record.starts_at),
            why_not: (!would_cancel).then(|| why_not(record)),
        }
    }

    fn unreadable(record_id: RecordId, why: String) -> PreviewRow {
        PreviewRow {
            record_id,
            would_cancel: false,
            status: None,
            service: None,
            starts_at: None,
            why_not: Some(why),
        }
    }
}

fn why_not(record: &Record) -> String {
    match record.status {
        RecordStatus::Cancelled => "already cancelled".to_string(),
        status if !status.is_active() => format!("not active ({status})"),
        _ if chrono::Utc::now() > record.cancellable_until => format!(
            "too late: cancellable until {}",
            crate::output::human_time(record.cancellable_until)
        ),
        _ => "the server does not allow cancelling it now".to_string(),
    }
}

impl Listable for PreviewRow {
    const HEADERS: &'static [&'static str] = &[
        "record",
        "would_cancel",
        "status",
        "service",
        "starts_at",
        "why_not",
    ];

    fn id(&self) -> String {
        self.record_id.to_string()
    }

    fn cells(&self) -> Vec<Cell> {
        let (verdict, tone) = if self.would_cancel {
            ("yes", Tone::Good)
        } else {
            ("no", Tone::Warn)
        };
        vec![
            Cell::text(self.record_id.to_string()),
            Cell::toned(verdict, tone),
            Cell::text(self.status.map(|s| s.as_str()).unwrap_or("")),
            Cell::text(self.service.clone().unwrap_or_default()),
            Cell::optional_time(self.starts_at),
            Cell::text(self.why_not.clone().unwrap_or_default()),
        ]
    }
}

/// Reads every record, `concurrency` at a time, keeping the input order.
pub async fn preview(client: &ApiClient, ids: &[RecordId], concurrency: usize) -> Vec<PreviewRow> {
    let mut rows: Vec<Option<PreviewRow>> = vec![None; ids.len()];
    let mut in_flight = JoinSet::new();
    let client = Arc::new(client.clone());
    let mut next = 0;

    loop {
        while in_flight.len() < concurrency.max(1) && next < ids.len() {
            let client = Arc::clone(&client);
            let (index, id) = (next, ids[next]);
            in_flight.spawn(async move { (index, preview_one(&client, id).await) });
            next += 1;
        }
        match in_flight.join_next().await {
            Some(Ok((index, row))) => rows[index] = Some(row),
            Some(Err(e)) => tracing::error!("a preview worker failed: {e}"),
            None => break,
        }
    }

    rows.into_iter()
        .zip(ids)
        .map(|(row, &id)| row.unwrap_or_else(|| PreviewRow::unreadable(id, "not read".into())))
        .collect()
}

async fn preview_one(client: &ApiClient, id: RecordId) -> PreviewRow {
    match client.record(id).await {
        Ok(reply) => PreviewRow::from_record(&reply.value.record),
        Err(error) => PreviewRow::unreadable(id, error.to_string()),
    }
}

/// Prints the rows in the chosen format and a one-line count on stderr.
pub fn print(out: &Output, rows: &[PreviewRow]) -> std::io::Result<()> {
    let mut list = out.list::<PreviewRow>()?;
    for row in rows {
        if out.quiet() && !row.would_cancel {
            continue;
        }
        list.push(row)?;
    }
    list.finish()?;

    let yes = rows.iter().filter(|row| row.would_cancel).count();
    eprintln!(
        "dry run: {yes} of {} would be cancelled, {} would not; nothing was changed",
        rows.len(),
        rows.len() - yes
    );
    Ok(())
}
