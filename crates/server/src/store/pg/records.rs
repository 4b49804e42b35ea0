//! Reading records, slots and reference data in PostgreSQL: record lists
//! with keyset pagination, a record's details, free slots, and the services
//! and departments. The answers, their order and their cursors are those of
//! the SQLite store.

use apptctl_api::records::{
    Applicant, DepartmentRef, Document, RecordEvent, RecordStatus, ServiceRef, Specialist,
    StaffComment,
};
use apptctl_api::slots::Slot;
use apptctl_api::{ErrorCode, RecordId};
use postgres::{Row, Transaction};

use super::journal::{paged, Args};
use super::rows::*;
use crate::domain::access::Visibility;
use crate::domain::query::Cursor;
use crate::domain::records::RecordRow;
use crate::error::ApiError;
use crate::store::{OpContext, PageOf, PageRequest, RecordDetailsRow, RecordFilter, SlotFilter};

/// How many free alternatives a `slot_taken` answer lists.
const ALTERNATIVES: i64 = 5;

/// The columns `slot_row` reads, for queries whose WHERE already keeps only
/// free slots (`SLOT_IS_FREE`). Repeating that test in the select list, as
/// `SLOT_COLUMNS` does, can lead PostgreSQL to hash the slot of every active
/// record on each query: 0.1 to 0.3 s a page at 200,000 records.
const FREE_SLOT_COLUMNS: &str = "sl.id, sl.service_code, s.name, s.category, sl.department_id, \
     d.name, d.address, sl.starts_at, sl.ends_at, TRUE";

/// A service name folded the way SQLite's LIKE folds it: ASCII letters only,
/// so both backends find the same records for the same search.
const FOLDED_SERVICE_NAME: &str =
    "translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')";

pub fn list(
    tx: &mut Transaction,
    visibility: &Visibility,
    filter: &RecordFilter,
    page: PageRequest,
) -> Result<PageOf<RecordRow>, ApiError> {
    let (sql, args) = list_query(tx, visibility, filter, page)?;
    let rows = tx.query(&sql, &args.refs())?;
    let items = rows.iter().map(record_row).collect::<Result<Vec<_>, _>>()?;
    Ok(paged(items, page.limit, |r| Cursor {
        primary: secs(r.starts_at),
        secondary: record_number(r.id),
    }))
}

/// The statement of one page of a record list, and its arguments.
fn list_query(
    tx: &mut Transaction,
    visibility: &Visibility,
    filter: &RecordFilter,
    page: PageRequest,
) -> Result<(String, Args), ApiError> {
    let mut conditions = Vec::new();
    let mut args = Args::default();
    visible_condition(visibility, &mut conditions, &mut args);
    filter_conditions(tx, filter, &mut conditions, &mut args)?;
    if let Some(after) = page.after {
        let (starts_at, id) = (args.push(after.primary), args.push(after.secondary));
        conditions.push(format!("(r.starts_at, r.id) > ({starts_at}, {id})"));
    }

    let limit = args.push(i64::from(page.limit) + 1);
    let sql = format!(
        "SELECT {RECORD_COLUMNS} {RECORD_FROM} WHERE {} ORDER BY r.starts_at, r.id LIMIT {limit}",
        conditions.join(" AND ")
    );
    Ok((sql, args))
}

fn visible_condition(visibility: &Visibility, conditions: &mut Vec<String>, args: &mut Args) {
    match visibility {
        Visibility::Owner(user_id) => {
            conditions.push(format!("r.owner_id = {}", args.push(*user_id)));
        }
        Visibility::Departments(ids) if ids.is_empty() => conditions.push("FALSE".to_string()),
        // No planner hint as on SQLite: PostgreSQL's statistics choose well
        // between walking records_start and sorting a few departments' records.
        Visibility::Departments(ids) => {
            conditions.push(format!("r.department_id = ANY({})", args.push(ids.clone())));
        }
    }
}

fn filter_conditions(
    tx: &mut Transaction,
    filter: &RecordFilter,
    conditions: &mut Vec<String>,
    args: &mut Args,
) -> Result<(), ApiError> {
    if any_text_holds_nul(filter) {
        conditions.push("FALSE".to_string());
        return Ok(());
    }

    conditions.extend(status_condition(&filter.statuses, args));
    if let Some(service) = &filter.service {
        conditions.push(format!("r.service_code = {}", args.push(service.clone())));
    }
    if let Some(category) = &filter.category {
        let codes = service_codes(tx, "category = $1", category)?;
        conditions.push(any_service(codes, args).unwrap_or_else(|| "FALSE".to_string()));
    }
    if let Some(department) = &filter.department {
        conditions.push(format!(
            "r.department_id = {}",
            args.push(department.clone())
        ));
    }
    if let Some(from) = filter.from {
        conditions.push(format!("r.starts_at >= {}", args.push(secs(from))));
    }
    if let Some(to) = filter.to {
        conditions.push(format!("r.starts_at < {}", args.push(secs(to))));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        conditions.push(search_condition(tx, search, args)?);
    }
    Ok(())
}

/// PostgreSQL refuses a NUL inside a text parameter. No code, name or id
/// holds one, so a filter holding one matches nothing, as it does on SQLite.
fn any_text_holds_nul(filter: &RecordFilter) -> bool {
    let texts = [
        &filter.service,
        &filter.category,
        &filter.department,
        &filter.search,
    ];
    texts
        .iter()
        .any(|text| text.as_deref().is_some_and(holds_nul))
}

fn holds_nul(text: &str) -> bool {
    text.contains('\0')
}

fn status_condition(statuses: &[RecordStatus], args: &mut Args) -> Option<String> {
    match statuses {
        [] => None,
        [status] => Some(format!("r.status = {}", args.push(status.as_str()))),
        _ => {
            let names: Vec<&'static str> = statuses.iter().map(|s| s.as_str()).collect();
            Some(format!("r.status = ANY({})", args.push(names)))
        }
    }
}

/// The codes of the services matching `condition` on `value` ($1).
///
/// The services are looked up before the records are read, not in a
/// subquery of the list: with the codes known the planner walks the list
/// index with a plain filter, and a search that names no service and no id
/// reads no record at all instead of every visible one.
fn service_codes(
    tx: &mut Transaction,
    condition: &str,
    value: &str,
) -> Result<Vec<String>, ApiError> {
    let sql = format!("SELECT code FROM services WHERE {condition}");
    let rows = tx.query(&sql, &[&value])?;
    rows.iter().map(|row| col(row, 0)).collect()
}

fn any_service(codes: Vec<String>, args: &mut Args) -> Option<String> {
    (!codes.is_empty()).then(|| format!("r.service_code = ANY({})", args.push(codes)))
}

/// Matches the service name, or the record id: a whole id exactly, a part of
/// one (digits, optionally after `R`) as a substring of its number.
fn search_condition(
    tx: &mut Transaction,
    search: &str,
    args: &mut Args,
) -> Result<String, ApiError> {
    let pattern = format!("%{}%", like_literal(&search.to_ascii_lowercase()));
    let condition = format!("{FOLDED_SERVICE_NAME} LIKE $1 ESCAPE '\\'");
    let named = service_codes(tx, &condition, &pattern)?;

    let mut matches: Vec<String> = any_service(named, args).into_iter().collect();
    if let Ok(id) = search.parse::<RecordId>() {
        matches.push(format!("r.id = {}", args.push(record_number(id))));
    } else if let Some(part) = record_number_part(search) {
        // Record numbers have at most nine digits, so the padding never cuts.
        let part = args.push(part);
        matches.push(format!("'R' || lpad(r.id::text, 9, '0') LIKE {part}"));
    }
    Ok(match matches.as_slice() {
        [] => "FALSE".to_string(),
        [only] => only.clone(),
        _ => format!("({})", matches.join(" OR ")),
    })
}

/// The LIKE pattern for a search that looks like part of a record id:
/// up to nine digits, optionally after `R`, found anywhere in `R%09d`.
fn record_number_part(search: &str) -> Option<String> {
    let digits = search.strip_prefix(['R', 'r']).unwrap_or(search);
    let id_like =
        !digits.is_empty() && digits.len() <= 9 && digits.bytes().all(|b| b.is_ascii_digit());
    let prefix = if search.len() > digits.len() { "R" } else { "" };
    id_like.then(|| format!("%{prefix}{digits}%"))
}

pub fn details(tx: &mut Transaction, id: RecordId) -> Result<Option<RecordDetailsRow>, ApiError> {
    let Some(record) = load_record(tx, id)? else {
        return Ok(None);
    };
    let (applicant, owner_name) = applicant(tx, record.owner_id)?;
    let number = record_number(id);

    Ok(Some(RecordDetailsRow {
        applicant,
        documents: documents(tx, number)?,
        comments: staff_comments(tx, number)?,
        specialist: specialist(tx, number)?,
        history: history(tx, &record, owner_name)?,
        record,
    }))
}

/// The owner's contact details and username.
fn applicant(tx: &mut Transaction, owner_id: i64) -> Result<(Applicant, String), ApiError> {
    let row = tx.query_one(
        "SELECT name, phone, email, username FROM users WHERE id = $1",
        &[&owner_id],
    )?;
    let applicant = Applicant {
        name: col(&row, 0)?,
        phone: col(&row, 1)?,
        email: col(&row, 2)?,
    };
    Ok((applicant, col(&row, 3)?))
}

fn documents(tx: &mut Transaction, record: i64) -> Result<Vec<Document>, ApiError> {
    let rows = tx.query(
        "SELECT name, url FROM documents WHERE record_id = $1 ORDER BY id",
        &[&record],
    )?;
    rows.iter()
        .map(|row| {
            Ok(Document {
                name: col(row, 0)?,
                url: col(row, 1)?,
            })
        })
        .collect()
}

fn staff_comments(tx: &mut Transaction, record: i64) -> Result<Vec<StaffComment>, ApiError> {
    let rows = tx.query(
        "SELECT author, at, text FROM staff_comments WHERE record_id = $1 ORDER BY at, id",
        &[&record],
    )?;
    rows.iter()
        .map(|row| {
            Ok(StaffComment {
                author: col(row, 0)?,
                at: time(row, 1)?,
                text: col(row, 2)?,
            })
        })
        .collect()
}

fn specialist(tx: &mut Transaction, record: i64) -> Result<Option<Specialist>, ApiError> {
    let row = tx.query_one(
        "SELECT specialist_name, COALESCE(specialist_phone, ''), COALESCE(specialist_email, '') \
         FROM records WHERE id = $1",
        &[&record],
    )?;
    let name: Option<String> = col(&row, 0)?;
    let (phone, email) = (col(&row, 1)?, col(&row, 2)?);
    Ok(name.map(|name| Specialist { name, phone, email }))
}

/// The derived `created` event followed by the stored ones.
fn history(
    tx: &mut Transaction,
    record: &RecordRow,
    owner: String,
) -> Result<Vec<RecordEvent>, ApiError> {
    let created = RecordEvent {
        at: record.created_at,
        event: "created".to_string(),
        from_status: None,
        to_status: RecordStatus::Pending,
        actor: owner,
        reason: None,
        comment: None,
    };
    let rows = tx.query(
        "SELECT at, event, from_status, to_status, actor, reason, comment FROM record_events \
         WHERE record_id = $1 ORDER BY at, id",
        &[&record_number(record.id)],
    )?;
    let mut events = vec![created];
    for row in &rows {
        events.push(stored_event(row)?);
    }
    Ok(events)
}

fn stored_event(row: &Row) -> Result<RecordEvent, ApiError> {
    let from: Option<String> = col(row, 2)?;
    let reason: Option<String> = col(row, 5)?;
    Ok(RecordEvent {
        at: time(row, 0)?,
        event: col(row, 1)?,
        from_status: from.and_then(|s| s.parse().ok()),
        to_status: parsed(row, 3)?,
        actor: col(row, 4)?,
        reason: reason.and_then(|r| r.parse().ok()),
        comment: col(row, 6)?,
    })
}

/// The nearest free slots of a service, those of `department` first.
pub fn alternatives(
    tx: &mut Transaction,
    ctx: &OpContext,
    service: &str,
    department: &str,
) -> Result<Vec<Slot>, ApiError> {
    let same = format!(
        "SELECT {FREE_SLOT_COLUMNS} {SLOT_FROM} WHERE sl.service_code = $1 AND sl.department_id = $2 \
         AND sl.starts_at > $3 AND {SLOT_IS_FREE} ORDER BY sl.starts_at, sl.id LIMIT $4"
    );
    let now = secs(ctx.now);
    let rows = tx.query(&same, &[&service, &department, &now, &ALTERNATIVES])?;
    let mut found = rows.iter().map(slot_row).collect::<Result<Vec<_>, _>>()?;

    let missing = ALTERNATIVES - found.len() as i64;
    if missing > 0 {
        let others = format!(
            "SELECT {FREE_SLOT_COLUMNS} {SLOT_FROM} \
             WHERE sl.service_code = $1 AND sl.department_id <> $2 \
             AND sl.starts_at > $3 AND {SLOT_IS_FREE} ORDER BY sl.starts_at, sl.id LIMIT $4"
        );
        let rows = tx.query(&others, &[&service, &department, &now, &missing])?;
        for row in &rows {
            found.push(slot_row(row)?);
        }
    }
    Ok(found)
}

pub fn list_slots(
    tx: &mut Transaction,
    filter: &SlotFilter,
    page: PageRequest,
) -> Result<PageOf<Slot>, ApiError> {
    if !service_exists(tx, &filter.service)? {
        return Err(ApiError::new(
            ErrorCode::ServiceNotFound,
            format!("service {:?} not found", filter.service),
            "list service codes with GET /v1/services",
        ));
    }

    let mut args = Args::default();
    let mut conditions = vec![
        format!("sl.service_code = {}", args.push(filter.service.clone())),
        format!("sl.starts_at >= {}", args.push(secs(filter.from))),
        SLOT_IS_FREE.to_string(),
    ];
    match &filter.department {
        // No department id holds a NUL, which PostgreSQL would refuse.
        Some(department) if holds_nul(department) => conditions.push("FALSE".to_string()),
        Some(department) => {
            conditions.push(format!(
                "sl.department_id = {}",
                args.push(department.clone())
            ));
        }
        None => {}
    }
    if let Some(to) = filter.to {
        conditions.push(format!("sl.starts_at < {}", args.push(secs(to))));
    }
    if let Some(after) = page.after {
        let (starts_at, id) = (args.push(after.primary), args.push(after.secondary));
        conditions.push(format!("(sl.starts_at, sl.id) > ({starts_at}, {id})"));
    }

    let limit = args.push(i64::from(page.limit) + 1);
    let sql = format!(
        "SELECT {FREE_SLOT_COLUMNS} {SLOT_FROM} WHERE {} ORDER BY sl.starts_at, sl.id LIMIT {limit}",
        conditions.join(" AND ")
    );
    let rows = tx.query(&sql, &args.refs())?;
    let slots = rows.iter().map(slot_row).collect::<Result<Vec<_>, _>>()?;
    Ok(paged(slots, page.limit, |s| Cursor {
        primary: secs(s.starts_at),
        secondary: slot_number(s.id),
    }))
}

fn service_exists(tx: &mut Transaction, code: &str) -> Result<bool, ApiError> {
    // A code holding a NUL names no service; PostgreSQL would refuse it.
    if holds_nul(code) {
        return Ok(false);
    }
    let row = tx.query_one(
        "SELECT EXISTS (SELECT 1 FROM services WHERE code = $1)",
        &[&code],
    )?;
    col(&row, 0)
}

// `COLLATE "C"` orders by bytes, as SQLite does, whatever the database's
// own collation.

pub fn services(tx: &mut Transaction) -> Result<Vec<ServiceRef>, ApiError> {
    let rows = tx.query(
        "SELECT code, name, category FROM services ORDER BY code COLLATE \"C\"",
        &[],
    )?;
    rows.iter()
        .map(|row| {
            Ok(ServiceRef {
                code: col(row, 0)?,
                name: col(row, 1)?,
                category: col(row, 2)?,
            })
        })
        .collect()
}

pub fn departments(tx: &mut Transaction) -> Result<Vec<DepartmentRef>, ApiError> {
    let rows = tx.query(
        "SELECT id, name, address FROM departments ORDER BY id COLLATE \"C\"",
        &[],
    )?;
    rows.iter()
        .map(|row| {
            Ok(DepartmentRef {
                id: col(row, 0)?,
                name: col(row, 1)?,
                address: col(row, 2)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{DateTime, Utc};
    use postgres::{Client, NoTls};

    use super::*;
    use crate::config::ServerConfig;
    use crate::store::pg::testing::TempDatabase;
    use crate::store::pg::{PgOptions, PgStore};
    use crate::store::sqlite::SqliteStore;
    use crate::store::Store;

    /// 2030-03-17T17:46:40Z: every test time is an hour offset from it.
    const BASE: i64 = 1_900_000_000;
    const ALICE: i64 = 1;
    const BOB: i64 = 2;

    const SERVICES: [(&str, &str, &str); 5] = [
        ("PASS-01", "Internal passport issue", "documents"),
        ("DRV-01", "Driving licence exchange", "transport"),
        ("ODD-01", "Offer 40%_off \\ today", "misc"),
        ("MED-01", "Medical insurance policy", "health"),
        ("ARZ-01", "Ärztliche Bescheinigung", "health"),
    ];
    const DEPARTMENTS: [&str; 3] = ["dep-01", "dep-02", "dep-03"];
    const STATUSES: [&str; 7] = [
        "pending",
        "confirmed",
        "in_progress",
        "completed",
        "rejected",
        "cancelled",
        "expired",
    ];

    /// A record the fixture inserts, and the oracle the answers are checked
    /// against.
    #[derive(Debug, Clone)]
    struct Spec {
        number: i64,
        owner: i64,
        service: &'static str,
        department: &'static str,
        starts_at: i64,
        status: &'static str,
        slot: i64,
    }

    impl Spec {
        fn category(&self) -> &'static str {
            SERVICES
                .iter()
                .find(|s| s.0 == self.service)
                .map_or("", |s| s.2)
        }
    }

    /// Forty records over three services, three departments and thirteen
    /// start times (so many share one), owned by Alice and Bob, in every
    /// status, each in a slot of its own numbered like the record.
    fn specs() -> Vec<Spec> {
        (1..=40)
            .map(|n: i64| Spec {
                number: n,
                owner: if n % 5 == 0 { BOB } else { ALICE },
                service: SERVICES[(n % 3) as usize].0,
                department: DEPARTMENTS[((n / 3) % 3) as usize],
                starts_at: BASE + ((n * 7) % 13) * 3600,
                status: STATUSES[(n % 7) as usize],
                slot: n,
            })
            .collect()
    }

    /// Free and held slots of MED-01: 201..=212, every 15 minutes from
    /// BASE + 1h, alternating dep-01 and dep-02; 203 is held by an active
    /// record (41), 204 only by a cancelled one (42). And record 43, of the
    /// service with a name beyond ASCII.
    fn extra_specs() -> Vec<Spec> {
        let record = |number, slot, status| Spec {
            number,
            owner: ALICE,
            service: "MED-01",
            department: medical_department(slot),
            starts_at: medical_start(slot),
            status,
            slot,
        };
        let arzt = Spec {
            number: 43,
            owner: ALICE,
            service: "ARZ-01",
            department: "dep-03",
            starts_at: BASE + 2 * 3600,
            status: "pending",
            slot: 301,
        };
        vec![
            record(41, 203, "confirmed"),
            record(42, 204, "cancelled"),
            arzt,
        ]
    }

    fn medical_department(slot: i64) -> &'static str {
        DEPARTMENTS[(slot % 2) as usize]
    }

    fn medical_start(slot: i64) -> i64 {
        BASE + 3600 + (slot - 201) * 900
    }

    struct Fixture {
        // Dropped after the client, which holds a connection to it.
        client: Client,
        db: TempDatabase,
    }

    impl Fixture {
        fn create() -> Fixture {
            let db = TempDatabase::create().unwrap();
            PgStore::apply_migrations(db.url()).unwrap();
            let mut client = Client::connect(db.url(), NoTls).unwrap();
            client.batch_execute(&fixture_sql()).unwrap();
            Fixture { client, db }
        }

        fn list(&mut self, visibility: &Visibility, filter: &RecordFilter) -> Vec<i64> {
            self.list_pages(visibility, filter, 100)
        }

        /// Every page of a list of `limit` records, as record numbers.
        fn list_pages(
            &mut self,
            visibility: &Visibility,
            filter: &RecordFilter,
            limit: u32,
        ) -> Vec<i64> {
            let mut tx = self.client.transaction().unwrap();
            let mut numbers = Vec::new();
            let mut after = None;
            loop {
                let page = list(&mut tx, visibility, filter, PageRequest { limit, after }).unwrap();
                assert!(page.items.len() <= limit as usize);
                numbers.extend(page.items.iter().map(|r| record_number(r.id)));
                match page.next {
                    Some(next) => after = Some(next),
                    None => return numbers,
                }
            }
        }

        fn search(&mut self, visibility: &Visibility, text: &str) -> Vec<i64> {
            let filter = RecordFilter {
                search: Some(text.to_string()),
                ..RecordFilter::default()
            };
            self.list(visibility, &filter)
        }
    }

    /// The whole fixture as SQL with literal values, which SQLite and
    /// PostgreSQL both run as it is: reference data, two applicants, the
    /// records of [`specs`] and [`extra_specs`] in their slots, free MED-01
    /// slots, and the documents, comments, specialist and history of record 3.
    fn fixture_sql() -> String {
        let mut sql = String::from("BEGIN;\n");
        for (code, name, category) in SERVICES {
            sql += &format!("INSERT INTO services VALUES ('{code}', '{name}', '{category}');\n");
        }
        for id in DEPARTMENTS {
            sql += &format!("INSERT INTO departments VALUES ('{id}', 'Office {id}', 'Main St');\n");
        }
        for (id, name) in [(ALICE, "alice"), (BOB, "bob")] {
            sql += &format!(
                "INSERT INTO users (id, username, name, role, password_hash, phone, email) \
                 VALUES ({id}, '{name}', '{}', 'applicant', 'x', '+100', '{name}@example.org');\n",
                name.to_uppercase()
            );
        }
        for spec in specs().iter().chain(&extra_specs()) {
            sql += &slot_sql(spec.slot, spec.service, spec.department, spec.starts_at);
            sql += &format!(
                "INSERT INTO records (id, owner_id, slot_id, service_code, department_id, \
                     starts_at, ends_at, status, created_at, updated_at) \
                 VALUES ({}, {}, {}, '{}', '{}', {}, {}, '{}', {created}, {created});\n",
                spec.number,
                spec.owner,
                spec.slot,
                spec.service,
                spec.department,
                spec.starts_at,
                spec.starts_at + 900,
                spec.status,
                created = BASE - 86_400,
            );
        }
        for slot in (201..=212).filter(|s| ![203, 204].contains(s)) {
            sql += &slot_sql(
                slot,
                "MED-01",
                medical_department(slot),
                medical_start(slot),
            );
        }
        sql += &format!(
            "UPDATE records SET specialist_name = 'Dr Who', specialist_email = 'who@example.org' \
                 WHERE id = 3; \
             INSERT INTO documents (record_id, name, url) VALUES \
                 (3, 'Form', 'https://x/1'), (3, 'Receipt', 'https://x/2'), (4, 'Other', 'x'); \
             INSERT INTO staff_comments (record_id, author, at, text) VALUES \
                 (3, 'clerk', {late}, 'second'), (3, 'clerk', {early}, 'first a'), \
                 (3, 'chief', {early}, 'first b'); \
             INSERT INTO record_events (record_id, at, event, from_status, to_status, actor, \
                 reason, comment) VALUES \
                 (3, {late}, 'completed', 'in_progress', 'completed', 'clerk', NULL, NULL), \
                 (3, {early}, 'confirmed', 'pending', 'confirmed', 'clerk', NULL, 'ok');\n\
             COMMIT;",
            early = BASE - 3600,
            late = BASE - 60,
        );
        sql
    }

    fn slot_sql(id: i64, service: &str, department: &str, at: i64) -> String {
        format!(
            "INSERT INTO slots (id, service_code, department_id, starts_at, ends_at) \
             VALUES ({id}, '{service}', '{department}', {at}, {});\n",
            at + 900
        )
    }

    /// The record numbers of `specs` that pass `keep`, in list order.
    fn expected(keep: impl Fn(&Spec) -> bool) -> Vec<i64> {
        let mut found: Vec<Spec> = specs()
            .into_iter()
            .chain(extra_specs())
            .filter(|s| keep(s))
            .collect();
        found.sort_by_key(|s| (s.starts_at, s.number));
        found.iter().map(|s| s.number).collect()
    }

    fn statuses(names: &[&str]) -> Vec<RecordStatus> {
        names.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn at(secs: i64) -> DateTime<Utc> {
        from_secs(secs).unwrap()
    }

    fn alice() -> Visibility {
        Visibility::Owner(ALICE)
    }

    #[test]
    fn paging_returns_every_record_once_in_list_order() {
        let mut fixture = Fixture::create();
        let all = expected(|s| s.owner == ALICE);
        assert!(all.len() > 30);

        for limit in [1, 4, 7, 100] {
            let paged = fixture.list_pages(&alice(), &RecordFilter::default(), limit);
            assert_eq!(paged, all, "pages of {limit}");
        }
        let filter = RecordFilter {
            statuses: statuses(&["pending", "confirmed"]),
            ..RecordFilter::default()
        };
        let wanted = expected(|s| s.owner == ALICE && ["pending", "confirmed"].contains(&s.status));
        assert_eq!(fixture.list_pages(&alice(), &filter, 2), wanted);
    }

    #[test]
    fn filters_combine_like_the_oracle() {
        let mut fixture = Fixture::create();
        let mine = |s: &Spec| s.owner == ALICE;

        let one_status = RecordFilter {
            statuses: statuses(&["completed"]),
            ..RecordFilter::default()
        };
        let found = fixture.list(&alice(), &one_status);
        assert!(!found.is_empty());
        assert_eq!(found, expected(|s| mine(s) && s.status == "completed"));

        let several = RecordFilter {
            statuses: statuses(&["rejected", "expired", "in_progress"]),
            ..RecordFilter::default()
        };
        let wanted = ["rejected", "expired", "in_progress"];
        assert_eq!(
            fixture.list(&alice(), &several),
            expected(|s| mine(s) && wanted.contains(&s.status))
        );

        let narrow = RecordFilter {
            service: Some("DRV-01".to_string()),
            department: Some("dep-02".to_string()),
            from: Some(at(BASE + 3 * 3600)),
            to: Some(at(BASE + 9 * 3600)),
            ..RecordFilter::default()
        };
        let window = BASE + 3 * 3600..BASE + 9 * 3600;
        assert_eq!(
            fixture.list(&alice(), &narrow),
            expected(|s| mine(s)
                && s.service == "DRV-01"
                && s.department == "dep-02"
                && window.contains(&s.starts_at))
        );

        let category = RecordFilter {
            category: Some("misc".to_string()),
            ..RecordFilter::default()
        };
        let found = fixture.list(&alice(), &category);
        assert!(!found.is_empty());
        assert_eq!(found, expected(|s| mine(s) && s.category() == "misc"));

        let unknown = RecordFilter {
            service: Some("NOPE".to_string()),
            ..RecordFilter::default()
        };
        assert!(fixture.list(&alice(), &unknown).is_empty());
    }

    #[test]
    fn visibility_is_by_owner_or_by_departments() {
        let mut fixture = Fixture::create();
        let all = RecordFilter::default();

        let bobs = fixture.list(&Visibility::Owner(BOB), &all);
        assert!(!bobs.is_empty());
        assert_eq!(bobs, expected(|s| s.owner == BOB));

        let two = Visibility::Departments(vec!["dep-01".to_string(), "dep-03".to_string()]);
        let wanted = expected(|s| ["dep-01", "dep-03"].contains(&s.department));
        assert_eq!(fixture.list_pages(&two, &all, 5), wanted);

        let narrowed = RecordFilter {
            department: Some("dep-02".to_string()),
            ..RecordFilter::default()
        };
        assert!(fixture.list(&two, &narrowed).is_empty());
        assert!(fixture
            .list(&Visibility::Departments(Vec::new()), &all)
            .is_empty());
        assert!(fixture.list(&Visibility::Owner(99), &all).is_empty());
    }

    #[test]
    fn search_is_literal_and_case_insensitive() {
        let mut fixture = Fixture::create();
        let mine = |s: &Spec| s.owner == ALICE;
        let odd = expected(|s| mine(s) && s.service == "ODD-01");
        assert!(!odd.is_empty());

        for text in ["%", "_", "\\", "40%_OFF \\", "  oFfEr  "] {
            assert_eq!(fixture.search(&alice(), text), odd, "search {text:?}");
        }
        for text in ["40_%", "R%", "off%today", "\0", "pass\0"] {
            assert!(fixture.search(&alice(), text).is_empty(), "search {text:?}");
        }
        // Letters beyond ASCII match only as written, as on SQLite.
        assert_eq!(fixture.search(&alice(), "ÄRZTLICHE bescheinigung"), [43]);
        assert!(fixture.search(&alice(), "ärztliche").is_empty());

        let passports = expected(|s| mine(s) && s.service == "PASS-01");
        assert_eq!(fixture.search(&alice(), "PASSPORT"), passports);
        assert_eq!(fixture.search(&alice(), "Internal Passport"), passports);

        let texts = [
            RecordFilter {
                service: Some("\0".to_string()),
                ..RecordFilter::default()
            },
            RecordFilter {
                category: Some("misc\0".to_string()),
                ..RecordFilter::default()
            },
            RecordFilter {
                department: Some("\0".to_string()),
                ..RecordFilter::default()
            },
        ];
        for filter in &texts {
            assert!(fixture.list(&alice(), filter).is_empty(), "{filter:?}");
        }
    }

    #[test]
    fn search_finds_whole_and_partial_record_ids() {
        let mut fixture = Fixture::create();
        let mine = |s: &Spec| s.owner == ALICE;
        let padded = |s: &Spec| format!("R{:09}", s.number);

        let twelve = RecordId::from_number(12).unwrap().to_string();
        assert_eq!(fixture.search(&alice(), &twelve), vec![12]);
        assert_eq!(
            fixture.search(&alice(), &twelve.to_lowercase()),
            vec![12],
            "a lower-case r"
        );
        // Bob's record is not Alice's to find.
        let bobs = RecordId::from_number(10).unwrap().to_string();
        assert!(fixture.search(&alice(), &bobs).is_empty());

        for (text, part) in [
            ("1", "1"),
            ("12", "12"),
            ("r00000001", "R00000001"),
            ("R0000000", "R0000000"),
            ("000000004", "000000004"),
        ] {
            let wanted = expected(|s| mine(s) && padded(s).contains(part));
            assert!(!wanted.is_empty());
            assert_eq!(fixture.search(&alice(), text), wanted, "search {text:?}");
        }
        // "4" is in the name "Offer 40%_off" and in some numbers: either will do.
        let either = expected(|s| mine(s) && (s.service == "ODD-01" || padded(s).contains('4')));
        assert!(either.contains(&4) && either.contains(&2));
        assert_eq!(fixture.search(&alice(), "4"), either);
        // Ten digits are more than a record number holds.
        assert!(fixture.search(&alice(), "0000000001").is_empty());
    }

    #[test]
    fn details_carry_applicant_documents_comments_specialist_and_history() {
        let mut fixture = Fixture::create();
        let mut tx = fixture.client.transaction().unwrap();
        let three = RecordId::from_number(3).unwrap();
        let found = details(&mut tx, three).unwrap().unwrap();
        assert_eq!(found.record.id, three);
        assert_eq!(found.applicant.name, "ALICE");
        assert_eq!(found.applicant.email, "alice@example.org");
        let documents: Vec<&str> = found.documents.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(documents, ["Form", "Receipt"]);
        let comments: Vec<&str> = found.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(comments, ["first a", "first b", "second"]);
        let specialist = found.specialist.unwrap();
        assert_eq!(
            (specialist.name.as_str(), specialist.phone.as_str()),
            ("Dr Who", "")
        );

        let events: Vec<&str> = found.history.iter().map(|e| e.event.as_str()).collect();
        assert_eq!(events, ["created", "confirmed", "completed"]);
        let created = &found.history[0];
        assert_eq!(created.actor, "alice");
        assert_eq!(created.at, at(BASE - 86_400));
        assert_eq!(found.history[1].from_status, Some(RecordStatus::Pending));
        assert_eq!(found.history[1].comment.as_deref(), Some("ok"));

        let plain = details(&mut tx, RecordId::from_number(5).unwrap())
            .unwrap()
            .unwrap();
        assert!(plain.specialist.is_none() && plain.documents.is_empty());
        assert_eq!(plain.applicant.name, "BOB");
        assert_eq!(plain.history.len(), 1);
        assert!(details(&mut tx, RecordId::from_number(999).unwrap())
            .unwrap()
            .is_none());
    }

    fn slot_numbers(slots: &[Slot]) -> Vec<i64> {
        slots.iter().map(|s| slot_number(s.id)).collect()
    }

    fn medical(department: Option<&str>, from: i64, to: Option<i64>) -> SlotFilter {
        SlotFilter {
            service: "MED-01".to_string(),
            department: department.map(str::to_string),
            from: at(from),
            to: to.map(at),
        }
    }

    /// Every page of free slots, as slot numbers.
    fn all_slots(tx: &mut Transaction, filter: &SlotFilter, limit: u32) -> Vec<i64> {
        let mut numbers = Vec::new();
        let mut after = None;
        loop {
            let page = list_slots(tx, filter, PageRequest { limit, after }).unwrap();
            assert!(page.items.iter().all(|s| s.free));
            numbers.extend(slot_numbers(&page.items));
            match page.next {
                Some(next) => after = Some(next),
                None => return numbers,
            }
        }
    }

    #[test]
    fn free_slots_page_and_filter_and_alternatives_prefer_the_department() {
        let mut fixture = Fixture::create();
        let mut tx = fixture.client.transaction().unwrap();

        let free: Vec<i64> = (201..=212).filter(|s| *s != 203).collect();
        assert_eq!(all_slots(&mut tx, &medical(None, BASE, None), 3), free);
        let later = medical(Some("dep-02"), medical_start(206), Some(medical_start(211)));
        assert_eq!(all_slots(&mut tx, &later, 2), [207, 209]);
        assert!(all_slots(&mut tx, &medical(Some("\0"), BASE, None), 5).is_empty());

        for service in ["NOPE", "MED-01\0"] {
            let filter = SlotFilter {
                service: service.to_string(),
                ..medical(None, BASE, None)
            };
            let refused = list_slots(
                &mut tx,
                &filter,
                PageRequest {
                    limit: 5,
                    after: None,
                },
            );
            assert_eq!(refused.unwrap_err().code(), ErrorCode::ServiceNotFound);
        }

        let ctx = OpContext {
            request_id: "test".to_string(),
            now: at(medical_start(202)),
            config: Arc::new(ServerConfig::default()),
        };
        // dep-02 holds the odd slots; after 202, 203 is held.
        let offered = alternatives(&mut tx, &ctx, "MED-01", "dep-02").unwrap();
        assert_eq!(slot_numbers(&offered), [205, 207, 209, 211, 204]);
        let offered = alternatives(&mut tx, &ctx, "MED-01", "dep-03").unwrap();
        assert_eq!(slot_numbers(&offered), [204, 205, 206, 207, 208]);
        let after_all = OpContext {
            now: at(medical_start(212)),
            ..ctx
        };
        assert!(alternatives(&mut tx, &after_all, "MED-01", "dep-01")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn services_and_departments_come_in_byte_order() {
        let mut fixture = Fixture::create();
        let mut tx = fixture.client.transaction().unwrap();
        tx.execute(
            "INSERT INTO departments (id, name, address) VALUES ('Dep-00', 'Upper', 'x')",
            &[],
        )
        .unwrap();

        let codes: Vec<String> = services(&mut tx)
            .unwrap()
            .into_iter()
            .map(|s| s.code)
            .collect();
        assert_eq!(codes, ["ARZ-01", "DRV-01", "MED-01", "ODD-01", "PASS-01"]);
        let ids: Vec<String> = departments(&mut tx)
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(ids, ["Dep-00", "dep-01", "dep-02", "dep-03"]);
    }

    /// The plan of a list page, one line per node.
    fn plan(tx: &mut Transaction, visibility: &Visibility, filter: &RecordFilter) -> String {
        let after = Some(Cursor {
            primary: BASE + 1000 * 900,
            secondary: 5000,
        });
        let page = PageRequest { limit: 50, after };
        let (sql, args) = list_query(tx, visibility, filter, page).unwrap();
        let rows = tx
            .query(&format!("EXPLAIN (COSTS OFF) {sql}"), &args.refs())
            .unwrap();
        let lines: Vec<String> = rows.iter().map(|row| col(row, 0).unwrap()).collect();
        lines.join("\n")
    }

    /// 15,000 records of Alice's at the three departments, one in 1,000
    /// completed, the rest pending or confirmed: enough for the planner to
    /// show whether a list walks an index or reads the table.
    fn insert_bulk(tx: &mut Transaction) {
        tx.batch_execute(&format!(
            "INSERT INTO slots (id, service_code, department_id, starts_at, ends_at) \
             SELECT 1000 + g, (ARRAY['PASS-01', 'DRV-01', 'MED-01'])[1 + g % 3], \
                 (ARRAY['dep-01', 'dep-02', 'dep-03'])[1 + (g / 3) % 3], \
                 {BASE} + g * 300, {BASE} + g * 300 + 900 \
             FROM generate_series(1, 15000) g; \
             INSERT INTO records (id, owner_id, slot_id, service_code, department_id, \
                 starts_at, ends_at, status, created_at, updated_at) \
             SELECT id, {ALICE}, id, service_code, department_id, starts_at, ends_at, \
                 CASE WHEN id % 1000 = 7 THEN 'completed' \
                      WHEN id % 2 = 0 THEN 'confirmed' ELSE 'pending' END, {BASE}, {BASE} \
             FROM slots WHERE id > 1000; \
             ANALYZE;"
        ))
        .unwrap();
    }

    #[test]
    fn common_lists_read_an_index_not_the_table() {
        let mut fixture = Fixture::create();
        let mut tx = fixture.client.transaction().unwrap();
        insert_bulk(&mut tx);
        let managed = Visibility::Departments(DEPARTMENTS.map(String::from).to_vec());
        let completed = RecordFilter {
            statuses: statuses(&["completed"]),
            ..RecordFilter::default()
        };
        let cases = [
            (alice(), RecordFilter::default()),
            (alice(), completed.clone()),
            (
                alice(),
                RecordFilter {
                    statuses: statuses(&["pending", "confirmed"]),
                    from: Some(at(BASE + 3600)),
                    to: Some(at(BASE + 5000 * 300)),
                    ..RecordFilter::default()
                },
            ),
            (
                alice(),
                RecordFilter {
                    search: Some("passport".to_string()),
                    ..RecordFilter::default()
                },
            ),
            (
                alice(),
                RecordFilter {
                    category: Some("health".to_string()),
                    ..RecordFilter::default()
                },
            ),
            (
                alice(),
                RecordFilter {
                    search: Some(RecordId::from_number(7007).unwrap().to_string()),
                    ..RecordFilter::default()
                },
            ),
            (managed.clone(), RecordFilter::default()),
            (managed.clone(), completed),
            (
                managed,
                RecordFilter {
                    department: Some("dep-02".to_string()),
                    ..RecordFilter::default()
                },
            ),
        ];
        for (visibility, filter) in &cases {
            let plan = plan(&mut tx, visibility, filter);
            assert!(
                !plan.contains("Seq Scan on records"),
                "{visibility:?} {filter:?}:\n{plan}"
            );
        }
    }

    /// Every page of a record list from `store`: each record in full, and
    /// the cursor that followed its page.
    async fn record_pages(
        store: &dyn Store,
        visibility: &Visibility,
        filter: &RecordFilter,
        limit: u32,
    ) -> Vec<(Vec<String>, Option<Cursor>)> {
        let mut pages = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .list_records(
                    visibility.clone(),
                    filter.clone(),
                    PageRequest { limit, after },
                )
                .await
                .unwrap();
            let items = page.items.iter().map(|r| format!("{r:?}")).collect();
            pages.push((items, page.next));
            match page.next {
                Some(next) => after = Some(next),
                None => return pages,
            }
        }
    }

    async fn slot_pages(store: &dyn Store, filter: &SlotFilter, limit: u32) -> Vec<String> {
        let mut pages = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .list_slots(filter.clone(), PageRequest { limit, after })
                .await;
            pages.push(format!("{page:?}"));
            match page.map(|p| p.next) {
                Ok(Some(next)) => after = Some(next),
                _ => return pages,
            }
        }
    }

    fn parity_filters() -> Vec<RecordFilter> {
        let twelve = RecordId::from_number(12).unwrap().to_string();
        let searches = [
            "%",
            "_",
            "\\",
            "R%",
            "\0",
            "  oFfEr  ",
            "passport",
            "4",
            "12",
            "r00000001",
            "R0000000",
            "0000000001",
            "ärzt",
            "ÄRZTLICHE",
            "zzz",
            &twelve,
        ];
        let mut filters: Vec<RecordFilter> = searches
            .iter()
            .map(|text| RecordFilter {
                search: Some(text.to_string()),
                ..RecordFilter::default()
            })
            .collect();
        filters.extend([
            RecordFilter::default(),
            RecordFilter {
                statuses: statuses(&["completed"]),
                ..RecordFilter::default()
            },
            RecordFilter {
                statuses: statuses(&["pending", "confirmed", "expired"]),
                department: Some("dep-02".to_string()),
                ..RecordFilter::default()
            },
            RecordFilter {
                category: Some("health".to_string()),
                from: Some(at(BASE + 3600)),
                to: Some(at(BASE + 10 * 3600)),
                ..RecordFilter::default()
            },
            RecordFilter {
                service: Some("ODD-01".to_string()),
                search: Some("40%".to_string()),
                ..RecordFilter::default()
            },
            RecordFilter {
                category: Some("nope\0".to_string()),
                ..RecordFilter::default()
            },
        ]);
        filters
    }

    #[test]
    fn answers_and_pages_equal_the_sqlite_stores() {
        let fixture = Fixture::create();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("parity.db");
        let sqlite = SqliteStore::open(&path).unwrap();
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(&fixture_sql())
            .unwrap();
        let pg = PgStore::connect(&PgOptions::new(fixture.db.url())).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let stores: [&dyn Store; 2] = [&sqlite, &pg];

        let visibilities = [
            alice(),
            Visibility::Owner(BOB),
            Visibility::Departments(vec!["dep-01".to_string(), "dep-03".to_string()]),
            Visibility::Departments(Vec::new()),
        ];
        for visibility in &visibilities {
            for filter in &parity_filters() {
                for limit in [3, 100] {
                    let [on_sqlite, on_pg] = stores.map(|store| {
                        runtime.block_on(record_pages(store, visibility, filter, limit))
                    });
                    assert_eq!(on_sqlite, on_pg, "{visibility:?} {filter:?} limit {limit}");
                }
            }
        }

        let slot_filters = [
            medical(None, BASE, None),
            medical(Some("dep-02"), medical_start(206), Some(medical_start(211))),
            medical(Some("\0"), BASE, None),
            SlotFilter {
                service: "NOPE".to_string(),
                ..medical(None, BASE, None)
            },
        ];
        for filter in &slot_filters {
            let [on_sqlite, on_pg] =
                stores.map(|store| runtime.block_on(slot_pages(store, filter, 2)));
            assert_eq!(on_sqlite, on_pg, "{filter:?}");
        }

        for number in (1..=43).chain([999]) {
            let id = RecordId::from_number(number).unwrap();
            let [on_sqlite, on_pg] = stores
                .map(|store| format!("{:?}", runtime.block_on(store.record_details(id)).unwrap()));
            assert_eq!(on_sqlite, on_pg, "record {id}");
        }
        let [on_sqlite, on_pg] = stores.map(|store| {
            let services = runtime.block_on(store.services()).unwrap();
            let departments = runtime.block_on(store.departments()).unwrap();
            format!("{services:?} {departments:?}")
        });
        assert_eq!(on_sqlite, on_pg);
    }
}
