//! The production mode serves only a schema it knows exactly: the checks
//! `server start` and `server create-account` share, on real SQLite files.

use apptctl_api::auth::Role;
use apptctl_server::production::{self, AccountRequest, CreateAccountError, Database, StartError};

fn request() -> AccountRequest {
    AccountRequest {
        username: "alice".into(),
        name: "Alice".into(),
        role: Role::Applicant,
        password: "alice-pass-1".into(),
        two_factor: true,
        phone: "+7 900 000-00-00".into(),
        email: "alice@example.org".into(),
        departments: Vec::new(),
    }
}

#[test]
fn a_database_migrated_by_a_newer_release_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prod.db");
    let db = Database::Sqlite(path.clone());
    assert_eq!(production::migrate(&db).unwrap().len(), 2);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO schema_migrations (version, applied_at) VALUES (99, 'later')",
        [],
    )
    .unwrap();

    let migrated = production::migrate(&db);
    assert!(
        matches!(
            migrated
                .as_ref()
                .map_err(|e| e.downcast_ref::<StartError>()),
            Err(Some(StartError::SchemaNewer { .. }))
        ),
        "{migrated:?}"
    );

    match production::create_account(&db, request()) {
        Err(CreateAccountError::Start(StartError::SchemaNewer { versions, .. })) => {
            assert_eq!(versions, vec![99]);
        }
        other => panic!("expected SchemaNewer, got {other:?}"),
    }
}

#[test]
fn an_up_to_date_database_takes_an_account_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prod.db");
    let db = Database::Sqlite(path.clone());
    production::migrate(&db).unwrap();
    assert!(production::migrate(&db).unwrap().is_empty());

    assert!(production::create_account(&db, request()).is_ok());
    let manager = AccountRequest {
        username: "lead".into(),
        role: Role::Manager,
        departments: vec!["dep-nowhere".into()],
        ..request()
    };
    assert!(matches!(
        production::create_account(&db, manager),
        Err(CreateAccountError::Account(_))
    ));
}
