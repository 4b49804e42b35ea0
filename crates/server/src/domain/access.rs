//! Which records a caller may see: applicants their own, managers those of
//! their departments. A record outside this answers "not found", never
//! "forbidden", so its existence is not revealed.

use apptctl_api::auth::Role;
use apptctl_api::{ErrorCode, RecordId};

use crate::auth::Actor;
use crate::error::ApiError;

/// The slice of records a caller can see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// An applicant: records they own.
    Owner(i64),
    /// A manager: records at these departments.
    Departments(Vec<String>),
}

impl Visibility {
    pub fn of(actor: &Actor) -> Visibility {
        match actor.role {
            Role::Applicant => Visibility::Owner(actor.user_id),
            Role::Manager => Visibility::Departments(actor.departments.clone()),
        }
    }

    pub fn can_see(&self, owner_id: i64, department_id: &str) -> bool {
        match self {
            Visibility::Owner(user_id) => *user_id == owner_id,
            Visibility::Departments(ids) => ids.iter().any(|id| id == department_id),
        }
    }
}

/// The refusal for a record that does not exist or is not visible; the two
/// must be indistinguishable.
pub fn record_not_found(id: RecordId) -> ApiError {
    ApiError::new(
        ErrorCode::RecordNotFound,
        format!("record {id} not found"),
        "check the id with `apptctl list`; you only see your own records",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applicants_see_their_own_and_managers_their_departments() {
        let applicant = Visibility::Owner(7);
        assert!(applicant.can_see(7, "dep-01"));
        assert!(!applicant.can_see(8, "dep-01"));

        let manager = Visibility::Departments(vec!["dep-01".into(), "dep-02".into()]);
        assert!(manager.can_see(8, "dep-02"));
        assert!(!manager.can_see(7, "dep-04"));
    }
}
