//! Record rules: the cutoff, the status machine for cancel, reschedule and
//! rebook, reasons per role, and the record as a given caller sees it.

use apptctl_api::auth::{Role, Scope};
use apptctl_api::cancel::{Reason, MAX_COMMENT_CHARS};
use apptctl_api::records::{Action, DepartmentRef, Record, RecordStatus, ServiceRef};
use apptctl_api::{ErrorCode, RecordId, SlotId};
use chrono::{DateTime, Duration, Utc};

use crate::auth::Actor;
use crate::error::ApiError;

/// A record as stored, before it is shown to anyone.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRow {
    pub id: RecordId,
    pub status: RecordStatus,
    pub service: ServiceRef,
    pub department: DepartmentRef,
    pub slot_id: SlotId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub rebooked_from: Option<RecordId>,
    pub rebooked_to: Option<RecordId>,
    pub owner_id: i64,
}

/// The last moment a cancellation is accepted: exactly `starts_at - cutoff`
/// is still in time, one second later is not.
pub fn cancellable_until(starts_at: DateTime<Utc>, cutoff: Duration) -> DateTime<Utc> {
    starts_at - cutoff
}

/// Whether the record's state and time allow a cancellation now.
pub fn check_cancellable(
    row: &RecordRow,
    now: DateTime<Utc>,
    cutoff: Duration,
) -> Result<(), ApiError> {
    if row.status == RecordStatus::Cancelled {
        return Err(ApiError::new(
            ErrorCode::AlreadyCancelled,
            format!("record {} is already cancelled", row.id),
            "nothing to do; `apptctl rebook` books the service again",
        )
        .with(|p| p.record_status = Some(row.status)));
    }
    check_active(row)?;

    let until = cancellable_until(row.starts_at, cutoff);
    if now > until {
        return Err(ApiError::new(
            ErrorCode::CutoffPassed,
            format!(
                "record {} could be cancelled only until {}",
                row.id,
                until.to_rfc3339()
            ),
            "it is too late to cancel; `apptctl reschedule` can still move it",
        )
        .with(|p| p.cancellable_until = Some(until)));
    }
    Ok(())
}

fn check_active(row: &RecordRow) -> Result<(), ApiError> {
    if row.status.is_active() {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::NotActive,
        format!("record {} is {}, not active", row.id, row.status),
        "only pending, confirmed and in-progress records can be changed",
    )
    .with(|p| p.record_status = Some(row.status)))
}

/// Rescheduling: active, and not yet started (the cutoff does not apply).
pub fn check_reschedulable(row: &RecordRow, now: DateTime<Utc>) -> Result<(), ApiError> {
    check_active(row)?;
    if now >= row.starts_at {
        return Err(ApiError::new(
            ErrorCode::AlreadyStarted,
            format!(
                "record {} started at {}",
                row.id,
                row.starts_at.to_rfc3339()
            ),
            "a started appointment cannot be moved; contact the department",
        ));
    }
    Ok(())
}

/// Re-booking: from a cancelled or expired record not re-booked before.
pub fn check_rebookable(row: &RecordRow) -> Result<(), ApiError> {
    if !matches!(row.status, RecordStatus::Cancelled | RecordStatus::Expired) {
        return Err(ApiError::new(
            ErrorCode::NotRebookable,
            format!(
                "record {} is {}; only cancelled or expired records are re-booked",
                row.id, row.status
            ),
            "use `apptctl reschedule` to move an active record",
        )
        .with(|p| p.record_status = Some(row.status)));
    }
    if let Some(next) = row.rebooked_to {
        return Err(ApiError::new(
            ErrorCode::NotRebookable,
            format!("record {} was already re-booked as {next}", row.id),
            format!("see `apptctl show {next}`"),
        )
        .with(|p| p.record_status = Some(row.status)));
    }
    Ok(())
}

/// The reason and comment rules: `other` needs a comment; the last two
/// reasons are for managers.
pub fn check_reason(role: Role, reason: Reason, comment: Option<&str>) -> Result<(), ApiError> {
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if reason.managers_only() && role != Role::Manager {
        return Err(ApiError::new(
            ErrorCode::ReasonNotAllowed,
            format!("the reason {reason} is for department managers"),
            "use plans_changed, wrong_data, duplicate, personal_data_changed or other",
        ));
    }
    if reason.needs_comment() && comment.is_none() {
        return Err(ApiError::new(
            ErrorCode::CommentRequired,
            "the reason `other` needs a comment",
            "add --comment with a few words on why",
        ));
    }
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            format!("the comment is longer than {MAX_COMMENT_CHARS} characters"),
            "shorten the comment",
        ));
    }
    Ok(())
}

/// What `actor` may do with the record now; the CLI shows this as is.
pub fn allowed_actions(
    row: &RecordRow,
    actor: &Actor,
    now: DateTime<Utc>,
    cutoff: Duration,
) -> Vec<Action> {
    let mut actions = Vec::new();
    if actor.has_scope(Scope::RecordsCancel) && check_cancellable(row, now, cutoff).is_ok() {
        actions.push(Action::Cancel);
    }
    let may_rebook = actor.has_scope(Scope::RecordsRebook);
    if may_rebook && check_reschedulable(row, now).is_ok() {
        actions.push(Action::Reschedule);
    }
    if may_rebook && check_rebookable(row).is_ok() {
        actions.push(Action::Rebook);
    }
    actions
}

/// The record as `actor` sees it at `now`.
pub fn present(row: &RecordRow, actor: &Actor, now: DateTime<Utc>, cutoff: Duration) -> Record {
    let allowed_actions = allowed_actions(row, actor, now, cutoff);
    Record {
        id: row.id,
        status: row.status,
        service: row.service.clone(),
        department: row.department.clone(),
        slot_id: row.slot_id,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        cancellable: allowed_actions.contains(&Action::Cancel),
        cancellable_until: cancellable_until(row.starts_at, cutoff),
        allowed_actions,
        created_at: row.created_at,
        updated_at: row.updated_at,
        rebooked_from: row.rebooked_from,
        rebooked_to: row.rebooked_to,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use apptctl_api::auth::CredentialKind;

    fn row(status: RecordStatus, starts_at: DateTime<Utc>) -> RecordRow {
        RecordRow {
            id: RecordId::from_number(1).unwrap(),
            status,
            service: ServiceRef {
                code: "PASS-01".into(),
                name: "Passport".into(),
                category: "documents".into(),
            },
            department: DepartmentRef {
                id: "dep-01".into(),
                name: "Central".into(),
                address: "1 Main St".into(),
            },
            slot_id: SlotId::new(1),
            starts_at,
            ends_at: starts_at + Duration::minutes(30),
            created_at: starts_at - Duration::days(10),
            updated_at: starts_at - Duration::days(10),
            rebooked_from: None,
            rebooked_to: None,
            owner_id: 1,
        }
    }

    fn applicant(scopes: Vec<Scope>) -> Actor {
        Actor {
            user_id: 1,
            username: "demo".into(),
            name: "Demo".into(),
            role: Role::Applicant,
            departments: vec![],
            two_factor: true,
            credential: CredentialKind::Session,
            credential_id: 1,
            scopes,
            expires_at: Utc::now(),
            last_used_at: None,
        }
    }

    #[test]
    fn cutoff_is_inclusive_to_the_second() {
        let start = DateTime::parse_from_rfc3339("2030-01-10T10:00:00Z")
            .unwrap()
            .to_utc();
        let r = row(RecordStatus::Confirmed, start);
        let cutoff = Duration::hours(24);

        assert!(check_cancellable(&r, start - Duration::hours(24), cutoff).is_ok());
        let late = check_cancellable(
            &r,
            start - Duration::hours(24) + Duration::seconds(1),
            cutoff,
        );
        assert_eq!(late.unwrap_err().code(), ErrorCode::CutoffPassed);
    }

    #[test]
    fn statuses_decide_cancel_reschedule_and_rebook() {
        let start = Utc::now() + Duration::days(3);
        let now = Utc::now();
        let cancelled = row(RecordStatus::Cancelled, start);
        let cutoff = Duration::hours(24);
        assert_eq!(
            check_cancellable(&cancelled, now, cutoff)
                .unwrap_err()
                .code(),
            ErrorCode::AlreadyCancelled
        );
        for status in [
            RecordStatus::Completed,
            RecordStatus::Rejected,
            RecordStatus::Expired,
        ] {
            let r = row(status, start);
            assert_eq!(
                check_cancellable(&r, now, cutoff).unwrap_err().code(),
                ErrorCode::NotActive
            );
        }
        assert!(check_rebookable(&cancelled).is_ok());
        assert!(check_rebookable(&row(RecordStatus::Pending, start)).is_err());

        let soon = row(RecordStatus::Confirmed, now + Duration::hours(2));
        assert!(check_reschedulable(&soon, now).is_ok());
        assert_eq!(
            check_reschedulable(&soon, soon.starts_at)
                .unwrap_err()
                .code(),
            ErrorCode::AlreadyStarted
        );
    }

    #[test]
    fn reasons_per_role() {
        assert!(check_reason(Role::Applicant, Reason::PlansChanged, None).is_ok());
        let refused = check_reason(Role::Applicant, Reason::ServiceRefused, None).unwrap_err();
        assert_eq!(refused.code(), ErrorCode::ReasonNotAllowed);
        assert!(check_reason(Role::Manager, Reason::ServiceRefused, None).is_ok());
        let bare = check_reason(Role::Applicant, Reason::Other, Some("  ")).unwrap_err();
        assert_eq!(bare.code(), ErrorCode::CommentRequired);
        assert!(check_reason(Role::Applicant, Reason::Other, Some("moving")).is_ok());
    }

    #[test]
    fn actions_follow_scopes() {
        let now = Utc::now();
        let r = row(RecordStatus::Confirmed, now + Duration::days(3));
        let cutoff = Duration::hours(24);
        let all = applicant(Scope::ALL.to_vec());
        assert_eq!(
            allowed_actions(&r, &all, now, cutoff),
            vec![Action::Cancel, Action::Reschedule]
        );
        let read_only = applicant(vec![Scope::RecordsRead]);
        assert!(allowed_actions(&r, &read_only, now, cutoff).is_empty());
        assert!(!present(&r, &read_only, now, cutoff).cancellable);
    }
}
