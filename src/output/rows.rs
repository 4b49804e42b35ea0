//! How each API type looks as a list row: its columns, its cells, its id.

use apptctl_api::auth::TokenInfo;
use apptctl_api::journal::{AuditEntry, Notification, Outcome};
use apptctl_api::records::{Action, Record, RecordStatus};
use apptctl_api::slots::Slot;

use super::{Cell, Listable, Tone};

/// The tone of a status: active ones stand out, finished ones fade.
pub fn status_tone(status: RecordStatus) -> Tone {
    match status {
        RecordStatus::Pending => Tone::Warn,
        RecordStatus::Confirmed | RecordStatus::InProgress => Tone::Good,
        RecordStatus::Completed => Tone::Dim,
        RecordStatus::Rejected | RecordStatus::Cancelled | RecordStatus::Expired => Tone::Bad,
    }
}

/// The wire name of an action.
pub fn action_name(action: Action) -> &'static str {
    match action {
        Action::Cancel => "cancel",
        Action::Reschedule => "reschedule",
        Action::Rebook => "rebook",
    }
}

fn actions_text(actions: &[Action]) -> String {
    let names: Vec<&str> = actions.iter().map(|action| action_name(*action)).collect();
    names.join(",")
}

impl Listable for Record {
    const HEADERS: &'static [&'static str] = &[
        "id",
        "status",
        "service",
        "department",
        "starts_at",
        "cancellable_until",
        "actions",
    ];

    fn id(&self) -> String {
        self.id.to_string()
    }

    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(self.id.to_string()),
            Cell::toned(self.status.as_str(), status_tone(self.status)),
            Cell {
                human: self.service.name.clone(),
                ..Cell::text(self.service.code.clone())
            },
            Cell {
                human: self.department.name.clone(),
                ..Cell::text(self.department.id.clone())
            },
            Cell::time(self.starts_at),
            Cell::time(self.cancellable_until),
            Cell::text(actions_text(&self.allowed_actions)),
        ]
    }
}

impl Listable for Slot {
    const HEADERS: &'static [&'static str] = &[
        "id",
        "service",
        "department",
        "starts_at",
        "ends_at",
        "free",
    ];

    fn id(&self) -> String {
        self.id.to_string()
    }

    fn cells(&self) -> Vec<Cell> {
        let free = if self.free {
            Cell::toned("yes", Tone::Good)
        } else {
            Cell::text("no")
        };
        vec![
            Cell::text(self.id.to_string()),
            Cell {
                human: self.service.name.clone(),
                ..Cell::text(self.service.code.clone())
            },
            Cell {
                human: self.department.name.clone(),
                ..Cell::text(self.department.id.clone())
            },
            Cell::time(self.starts_at),
            Cell::time(self.ends_at),
            free,
        ]
    }
}

impl Listable for TokenInfo {
    const HEADERS: &'static [&'static str] = &[
        "id",
        "name",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ];

    fn id(&self) -> String {
        self.id.clone()
    }

    fn cells(&self) -> Vec<Cell> {
        let scopes: Vec<&str> = self.scopes.iter().map(|s| s.as_str()).collect();
        vec![
            Cell::text(self.id.clone()),
            Cell::text(self.name.clone()),
            Cell::text(scopes.join(",")),
            Cell::time(self.created_at),
            Cell::time(self.expires_at),
            Cell::optional_time(self.last_used_at),
            Cell::optional_time(self.revoked_at),
        ]
    }
}

impl Listable for AuditEntry {
    const HEADERS: &'static [&'static str] = &[
        "seq",
        "at",
        "actor",
        "action",
        "record_id",
        "outcome",
        "code",
        "request_id",
    ];

    fn id(&self) -> String {
        self.seq.to_string()
    }

    fn cells(&self) -> Vec<Cell> {
        let outcome = match self.outcome {
            Outcome::Ok => Cell::toned("ok", Tone::Good),
            Outcome::Refused => Cell::toned("refused", Tone::Bad),
        };
        vec![
            Cell::text(self.seq.to_string()),
            Cell::time(self.at),
            Cell::text(self.actor.clone()),
            Cell::text(self.action.clone()),
            Cell::text(self.record_id.map(|id| id.to_string()).unwrap_or_default()),
            outcome,
            Cell::text(self.code.clone().unwrap_or_default()),
            Cell::text(self.request_id.clone()),
        ]
    }
}

impl Listable for Notification {
    const HEADERS: &'static [&'static str] = &[
        "id",
        "created_at",
        "channel",
        "to",
        "record_id",
        "subject",
        "body",
    ];

    fn id(&self) -> String {
        self.id.to_string()
    }

    fn cells(&self) -> Vec<Cell> {
        let channel = match self.channel {
            apptctl_api::cancel::Channel::Sms => "sms",
            apptctl_api::cancel::Channel::Email => "email",
        };
        vec![
            Cell::text(self.id.to_string()),
            Cell::time(self.created_at),
            Cell::text(channel),
            Cell::text(self.to.clone()),
            Cell::text(self.record_id.map(|id| id.to_string()).unwrap_or_default()),
            Cell::text(self.subject.clone().unwrap_or_default()),
            Cell::text(self.body.clone()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        serde_json::from_value(serde_json::json!({
            "id": "R0000000013", "status": "confirmed",
            "service": {"code": "PASS-01", "name": "Internal passport issue", "category": "documents"},
            "department": {"id": "dep-01", "name": "Central office", "address": "1 Square"},
            "slot_id": "S7", "starts_at": "2026-12-24T09:00:00Z", "ends_at": "2026-12-24T09:30:00Z",
            "cancellable": true, "cancellable_until": "2026-12-23T09:00:00Z",
            "allowed_actions": ["cancel", "reschedule"],
            "created_at": "2026-12-01T09:00:00Z", "updated_at": "2026-12-01T09:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn a_record_row_has_one_cell_per_heading() {
        let cells = record().cells();
        assert_eq!(cells.len(), Record::HEADERS.len());
        assert_eq!(cells[1].tone, Tone::Good);
        assert_eq!(cells[2].machine, "PASS-01");
        assert_eq!(cells[4].machine, "2026-12-24T09:00:00Z");
        assert_eq!(cells[6].machine, "cancel,reschedule");
    }
}
