//! The audit journal, the notifications outbox and record history events,
//! in PostgreSQL.

use apptctl_api::journal::{AuditEntry, Notification, Outcome};
use apptctl_api::RecordId;
use chrono::{DateTime, Utc};
use postgres::types::ToSql;
use postgres::Transaction;

pub use crate::store::common::{paged, Event, Message};

use super::rows::{col, enum_text, json_enum, optional_record_id, record_number, secs, time};
use crate::domain::access::Visibility;
use crate::domain::query::Cursor;
use crate::error::ApiError;
use crate::store::{HistoryFilter, NewAuditEntry, OpContext, PageOf, PageRequest};

pub fn insert_audit(tx: &mut Transaction, entry: &NewAuditEntry) -> Result<(), ApiError> {
    let record = entry.record_id.map(record_number);
    // A refused request may carry NUL in what it quotes (a username, say);
    // PostgreSQL text cannot hold it, and the entry must not be lost.
    let actor = without_nul(&entry.actor);
    let detail = entry.detail.as_deref().map(without_nul);
    tx.execute(
        "INSERT INTO audit_log (at, actor_id, actor, action, record_id, owner_id, department_id, \
             outcome, code, request_id, detail) \
         VALUES ($1, $2, $3, $4, $5, (SELECT owner_id FROM records WHERE id = $5), \
             (SELECT department_id FROM records WHERE id = $5), $6, $7, $8, $9)",
        &[
            &secs(entry.at),
            &entry.actor_id,
            &actor,
            &entry.action,
            &record,
            &enum_text(&entry.outcome),
            &entry.code,
            &entry.request_id,
            &detail,
        ],
    )?;
    Ok(())
}

/// `text` with NUL characters replaced by U+FFFD.
fn without_nul(text: &str) -> String {
    text.replace('\0', "\u{fffd}")
}

/// An `ok` journal entry for a change made by `actor` in this request.
pub fn audit_ok(
    tx: &mut Transaction,
    ctx: &OpContext,
    actor: (Option<i64>, &str),
    action: &str,
    record_id: Option<RecordId>,
    detail: Option<String>,
) -> Result<(), ApiError> {
    let entry = NewAuditEntry {
        at: ctx.now,
        actor_id: actor.0,
        actor: actor.1.to_string(),
        action: action.to_string(),
        record_id,
        outcome: Outcome::Ok,
        code: None,
        request_id: ctx.request_id.clone(),
        detail,
    };
    insert_audit(tx, &entry)
}

/// Numbered placeholders for a query built piece by piece.
#[derive(Default)]
pub struct Args {
    values: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Args {
    /// Adds `value` and returns its placeholder (`$n`).
    pub fn push(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.values.push(Box::new(value));
        format!("${}", self.values.len())
    }

    pub fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.values
            .iter()
            .map(|v| v.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

pub fn list_history(
    tx: &mut Transaction,
    visibility: &Visibility,
    user_id: i64,
    filter: &HistoryFilter,
    page: PageRequest,
) -> Result<PageOf<AuditEntry>, ApiError> {
    let mut args = Args::default();
    let mut sql = String::from(
        "SELECT seq, at, actor, action, record_id, outcome, code, request_id, detail \
         FROM audit_log a WHERE ",
    );
    let me = args.push(user_id);
    match visibility {
        Visibility::Owner(owner) => {
            let owner = args.push(*owner);
            sql.push_str(&format!("(a.actor_id = {me} OR a.owner_id = {owner})"));
        }
        Visibility::Departments(ids) => {
            let departments = args.push(ids.clone());
            sql.push_str(&format!(
                "(a.actor_id = {me} OR a.department_id = ANY({departments}))"
            ));
        }
    }
    if let Some(record) = filter.record {
        sql.push_str(&format!(
            " AND a.record_id = {}",
            args.push(record_number(record))
        ));
    }
    if let Some(from) = filter.from {
        sql.push_str(&format!(" AND a.at >= {}", args.push(secs(from))));
    }
    if let Some(to) = filter.to {
        sql.push_str(&format!(" AND a.at < {}", args.push(secs(to))));
    }
    if let Some(after) = page.after {
        sql.push_str(&format!(" AND a.seq < {}", args.push(after.primary)));
    }
    sql.push_str(&format!(" ORDER BY a.seq DESC LIMIT {}", page.limit + 1));

    let rows = tx.query(&sql, &args.refs())?;
    let items = rows
        .iter()
        .map(|row| {
            Ok(AuditEntry {
                seq: col(row, 0)?,
                at: time(row, 1)?,
                actor: col(row, 2)?,
                action: col(row, 3)?,
                record_id: optional_record_id(row, 4)?,
                outcome: json_enum(row, 5)?,
                code: col(row, 6)?,
                request_id: col(row, 7)?,
                detail: col(row, 8)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(paged(items, page.limit, |e| Cursor {
        primary: e.seq,
        secondary: 0,
    }))
}

pub fn notify(
    tx: &mut Transaction,
    at: DateTime<Utc>,
    message: Message<'_>,
) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO notifications \
             (user_id, channel, recipient, subject, body, record_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &message.user_id,
            &enum_text(&message.channel),
            &message.to,
            &message.subject,
            &message.body,
            &message.record_id.map(record_number),
            &secs(at),
        ],
    )?;
    Ok(())
}

pub fn list_notifications(
    tx: &mut Transaction,
    user_id: i64,
    page: PageRequest,
) -> Result<PageOf<Notification>, ApiError> {
    let after = page.after.map_or(i64::MAX, |c| c.primary);
    let rows = tx.query(
        "SELECT id, channel, recipient, subject, body, record_id, created_at FROM notifications \
         WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
        &[&user_id, &after, &(i64::from(page.limit) + 1)],
    )?;
    let items = rows
        .iter()
        .map(|row| {
            Ok(Notification {
                id: col(row, 0)?,
                channel: json_enum(row, 1)?,
                to: col(row, 2)?,
                subject: col(row, 3)?,
                body: col(row, 4)?,
                record_id: optional_record_id(row, 5)?,
                created_at: time(row, 6)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(paged(items, page.limit, |n| Cursor {
        primary: n.id,
        secondary: 0,
    }))
}

pub fn insert_event(
    tx: &mut Transaction,
    at: DateTime<Utc>,
    event: Event<'_>,
) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO record_events \
             (record_id, at, event, from_status, to_status, actor, reason, comment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &record_number(event.record_id),
            &secs(at),
            &event.event,
            &event.from.map(|s| s.as_str()),
            &event.to.as_str(),
            &event.actor,
            &event.reason,
            &event.comment,
        ],
    )?;
    Ok(())
}
