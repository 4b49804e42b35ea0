//! The audit journal, the notifications outbox and record history events.

use apptctl_api::journal::{AuditEntry, Notification, Outcome};
use apptctl_api::RecordId;
use chrono::{DateTime, Utc};
use rusqlite::types::ToSql;
use rusqlite::{params, params_from_iter, Connection};

use super::rows::{enum_text, json_enum, optional_record_id, record_number, secs, time};
use crate::domain::access::Visibility;
use crate::domain::query::Cursor;
use crate::error::ApiError;
pub use crate::store::common::{paged, Event, Message};
use crate::store::{HistoryFilter, NewAuditEntry, PageOf, PageRequest};

pub fn insert_audit(conn: &Connection, entry: &NewAuditEntry) -> Result<(), ApiError> {
    let record = entry.record_id.map(record_number);
    conn.execute(
        "INSERT INTO audit_log (at, actor_id, actor, action, record_id, owner_id, department_id, \
             outcome, code, request_id, detail) \
         VALUES (?1, ?2, ?3, ?4, ?5, (SELECT owner_id FROM records WHERE id = ?5), \
             (SELECT department_id FROM records WHERE id = ?5), ?6, ?7, ?8, ?9)",
        params![
            secs(entry.at),
            entry.actor_id,
            entry.actor,
            entry.action,
            record,
            enum_text(&entry.outcome),
            entry.code,
            entry.request_id,
            entry.detail,
        ],
    )?;
    Ok(())
}

/// An `ok` journal entry for a change made by `actor` in this request.
pub fn audit_ok(
    conn: &Connection,
    ctx: &crate::store::OpContext,
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
    insert_audit(conn, &entry)
}

pub fn list_history(
    conn: &Connection,
    visibility: &Visibility,
    user_id: i64,
    filter: &HistoryFilter,
    page: PageRequest,
) -> Result<PageOf<AuditEntry>, ApiError> {
    let mut sql = String::from(
        "SELECT seq, at, actor, action, record_id, outcome, code, request_id, detail \
         FROM audit_log a WHERE ",
    );
    let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(user_id)];
    match visibility {
        Visibility::Owner(owner) => {
            sql.push_str("(a.actor_id = ? OR a.owner_id = ?)");
            args.push(Box::new(*owner));
        }
        Visibility::Departments(ids) => {
            let marks = vec!["?"; ids.len()].join(", ");
            sql.push_str(&format!("(a.actor_id = ? OR a.department_id IN ({marks}))"));
            args.extend(ids.iter().map(|id| Box::new(id.clone()) as Box<dyn ToSql>));
        }
    }
    if let Some(record) = filter.record {
        sql.push_str(" AND a.record_id = ?");
        args.push(Box::new(record_number(record)));
    }
    if let Some(from) = filter.from {
        sql.push_str(" AND a.at >= ?");
        args.push(Box::new(secs(from)));
    }
    if let Some(to) = filter.to {
        sql.push_str(" AND a.at < ?");
        args.push(Box::new(secs(to)));
    }
    if let Some(after) = page.after {
        sql.push_str(" AND a.seq < ?");
        args.push(Box::new(after.primary));
    }
    sql.push_str(&format!(" ORDER BY a.seq DESC LIMIT {}", page.limit + 1));

    let mut statement = conn.prepare(&sql)?;
    let rows = statement.query_map(params_from_iter(args.iter()), |row| {
        Ok(AuditEntry {
            seq: row.get(0)?,
            at: time(row, 1)?,
            actor: row.get(2)?,
            action: row.get(3)?,
            record_id: optional_record_id(row, 4)?,
            outcome: json_enum(row, 5)?,
            code: row.get(6)?,
            request_id: row.get(7)?,
            detail: row.get(8)?,
        })
    })?;
    let items = rows.collect::<Result<Vec<_>, _>>()?;
    Ok(paged(items, page.limit, |e| Cursor {
        primary: e.seq,
        secondary: 0,
    }))
}

pub fn notify(conn: &Connection, at: DateTime<Utc>, message: Message<'_>) -> Result<(), ApiError> {
    conn.execute(
        "INSERT INTO notifications \
             (user_id, channel, recipient, subject, body, record_id, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            message.user_id,
            enum_text(&message.channel),
            message.to,
            message.subject,
            message.body,
            message.record_id.map(record_number),
            secs(at),
        ],
    )?;
    Ok(())
}

pub fn list_notifications(
    conn: &Connection,
    user_id: i64,
    page: PageRequest,
) -> Result<PageOf<Notification>, ApiError> {
    let after = page.after.map_or(i64::MAX, |c| c.primary);
    let mut statement = conn.prepare(
        "SELECT id, channel, recipient, subject, body, record_id, created_at FROM notifications \
         WHERE user_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
    )?;
    let rows = statement.query_map(params![user_id, after, page.limit + 1], |row| {
        Ok(Notification {
            id: row.get(0)?,
            channel: json_enum(row, 1)?,
            to: row.get(2)?,
            subject: row.get(3)?,
            body: row.get(4)?,
            record_id: optional_record_id(row, 5)?,
            created_at: time(row, 6)?,
        })
    })?;
    let items = rows.collect::<Result<Vec<_>, _>>()?;
    Ok(paged(items, page.limit, |n| Cursor {
        primary: n.id,
        secondary: 0,
    }))
}

pub fn insert_event(
    conn: &Connection,
    at: DateTime<Utc>,
    event: Event<'_>,
) -> Result<(), ApiError> {
    conn.execute(
        "INSERT INTO record_events \
             (record_id, at, event, from_status, to_status, actor, reason, comment) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            record_number(event.record_id),
            secs(at),
            event.event,
            event.from.map(|s| s.as_str()),
            event.to.as_str(),
            event.actor,
            event.reason,
            event.comment,
        ],
    )?;
    Ok(())
}
