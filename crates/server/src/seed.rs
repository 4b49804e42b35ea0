//! Demo data for `start-dev --seed demo`, and `--records N` bulk records.
//!
//! Everything is placed relative to the clock's "now", so a fresh demo always
//! has records far enough ahead to cancel, some inside the cutoff, and some
//! in the past. Bulk records are written in one transaction with prepared
//! statements; their history is derived from the record (no event rows).

use anyhow::Context;
use chrono::{DateTime, Duration, DurationRound, Utc};
use rusqlite::{params, OptionalExtension, Transaction};

use crate::auth::hash_password;
use crate::store::sqlite::SqliteStore;

/// Username, password, what the account is for (printed by `start-dev`).
pub const DEMO_ACCOUNTS: [(&str, &str, &str); 4] = [
    (
        "demo",
        "demo12345",
        "applicant with records of every status",
    ),
    (
        "other",
        "other12345",
        "applicant whose records demo must not see",
    ),
    (
        "manager",
        "manager12345",
        "manager of dep-01, dep-02, dep-03",
    ),
    (
        "manager2",
        "manager212345",
        "manager of dep-04 (none of demo's records)",
    ),
];

const SERVICES: [(&str, &str, &str); 6] = [
    ("PASS-01", "Internal passport issue", "documents"),
    ("PASS-02", "Foreign travel passport", "documents"),
    ("DRV-01", "Driving licence exchange", "transport"),
    ("REG-01", "Residence registration", "housing"),
    ("TAX-01", "Taxpayer number issue", "tax"),
    ("MED-01", "Medical insurance policy", "health"),
];

const DEPARTMENTS: [(&str, &str, &str, &str); 4] = [
    (
        "dep-01",
        "Central office",
        "1 Government Square",
        "Irina Petrova",
    ),
    (
        "dep-02",
        "North district office",
        "14 Northern Avenue",
        "Sergey Ivanov",
    ),
    (
        "dep-03",
        "River district office",
        "7 Embankment Street",
        "Anna Kuznetsova",
    ),
    (
        "dep-04",
        "Airport office",
        "2 Terminal Road",
        "Pavel Smirnov",
    ),
];

/// The services the small airport office offers; the others offer all.
const AIRPORT_SERVICES: [&str; 2] = ["PASS-01", "MED-01"];

/// A demo account.
struct DemoUser {
    username: &'static str,
    name: &'static str,
    role: &'static str,
    phone: &'static str,
    email: &'static str,
    departments: &'static [&'static str],
}

const USERS: [DemoUser; 4] = [
    DemoUser {
        username: "demo",
        name: "Daria Demidova",
        role: "applicant",
        phone: "+7 900 123-45-67",
        email: "demo@example.org",
        departments: &[],
    },
    DemoUser {
        username: "other",
        name: "Oleg Orlov",
        role: "applicant",
        phone: "+7 900 765-43-21",
        email: "other@example.org",
        departments: &[],
    },
    DemoUser {
        username: "manager",
        name: "Marina Sokolova",
        role: "manager",
        phone: "+7 900 555-01-01",
        email: "manager@example.org",
        departments: &["dep-01", "dep-02", "dep-03"],
    },
    DemoUser {
        username: "manager2",
        name: "Pavel Volkov",
        role: "manager",
        phone: "+7 900 555-02-02",
        email: "manager2@example.org",
        departments: &["dep-04"],
    },
];

/// Demo records: owner, service, department, hours from now, status.
const RECORDS: [(&str, &str, &str, i64, &str); 17] = [
    ("demo", "PASS-01", "dep-01", 72, "confirmed"),
    ("demo", "DRV-01", "dep-02", 120, "pending"),
    ("demo", "REG-01", "dep-01", 48, "in_progress"),
    ("demo", "TAX-01", "dep-03", 1, "confirmed"),
    ("demo", "PASS-02", "dep-02", 1, "pending"),
    ("demo", "MED-01", "dep-01", -120, "completed"),
    ("demo", "PASS-01", "dep-02", -72, "rejected"),
    ("demo", "DRV-01", "dep-01", 96, "cancelled"),
    ("demo", "TAX-01", "dep-01", -48, "expired"),
    ("demo", "REG-01", "dep-03", 240, "confirmed"),
    ("demo", "MED-01", "dep-02", 168, "pending"),
    ("demo", "PASS-02", "dep-01", 200, "confirmed"),
    ("other", "PASS-01", "dep-01", 72, "confirmed"),
    ("other", "DRV-01", "dep-02", 144, "pending"),
    ("other", "TAX-01", "dep-03", -24, "cancelled"),
    ("other", "PASS-01", "dep-04", 96, "confirmed"),
    ("other", "MED-01", "dep-04", 50, "pending"),
];

/// Slots exist from this many days back to this many ahead.
const DAYS_BACK: i64 = 7;
const DAYS_AHEAD: i64 = 28;
/// Opening hours (UTC) and slot length.
const OPENS_AT_HOUR: i64 = 8;
const SLOTS_PER_DAY: i64 = 20;
const SLOT_MINUTES: i64 = 30;

/// Seeds reference data, accounts, slots and the demo records, then
/// `extra_records` bulk records for `demo`, all in one transaction: an
/// interrupted seed leaves an empty database, which the next start seeds
/// again, never a half-seeded one.
pub fn seed(store: &SqliteStore, now: DateTime<Utc>, extra_records: u64) -> anyhow::Result<()> {
    let hashes = USERS
        .iter()
        .map(|user| {
            let password = DEMO_ACCOUNTS
                .iter()
                .find(|a| a.0 == user.username)
                .map_or("", |a| a.1);
            hash_password(password)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;

    store.with_transaction(|tx| {
        reference_data(tx)?;
        users(tx, &hashes)?;
        slots(tx, now)?;
        records(tx, now)?;
        if extra_records > 0 {
            bulk(tx, extra_records, now)?;
        }
        Ok(())
    })
}

fn reference_data(tx: &Transaction) -> anyhow::Result<()> {
    for (code, name, category) in SERVICES {
        tx.execute(
            "INSERT INTO services (code, name, category) VALUES (?1, ?2, ?3)",
            params![code, name, category],
        )?;
    }
    for (id, name, address, _) in DEPARTMENTS {
        tx.execute(
            "INSERT INTO departments (id, name, address) VALUES (?1, ?2, ?3)",
            params![id, name, address],
        )?;
    }
    Ok(())
}

fn users(tx: &Transaction, hashes: &[String]) -> anyhow::Result<()> {
    for (user, hash) in USERS.iter().zip(hashes) {
        tx.execute(
            "INSERT INTO users (username, name, role, password_hash, two_factor, phone, email) \
             VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)",
            params![
                user.username,
                user.name,
                user.role,
                hash,
                user.phone,
                user.email
            ],
        )?;
        let user_id = tx.last_insert_rowid();
        for department in user.departments {
            tx.execute(
                "INSERT INTO user_departments (user_id, department_id) VALUES (?1, ?2)",
                params![user_id, department],
            )?;
        }
    }
    Ok(())
}

fn offers(service: &str, department: &str) -> bool {
    department != "dep-04" || AIRPORT_SERVICES.contains(&service)
}

fn slots(tx: &Transaction, now: DateTime<Utc>) -> anyhow::Result<()> {
    let today = now.duration_trunc(Duration::days(1))?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO slots (service_code, department_id, starts_at, ends_at) \
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for day in -DAYS_BACK..=DAYS_AHEAD {
        for slot in 0..SLOTS_PER_DAY {
            let starts = today
                + Duration::days(day)
                + Duration::hours(OPENS_AT_HOUR)
                + Duration::minutes(slot * SLOT_MINUTES);
            let ends = starts + Duration::minutes(SLOT_MINUTES);
            for (service, _, _) in SERVICES {
                for (department, _, _, _) in DEPARTMENTS {
                    if offers(service, department) {
                        insert.execute(params![
                            service,
                            department,
                            starts.timestamp(),
                            ends.timestamp()
                        ])?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn records(tx: &Transaction, now: DateTime<Utc>) -> anyhow::Result<()> {
    for (number, (owner, service, department, hours, status)) in RECORDS.iter().enumerate() {
        let id = number as i64 + 1;
        let (slot_id, starts, ends) =
            unused_slot(tx, service, department, now + Duration::hours(*hours))?;
        let created = starts.min(now) - Duration::days(10);
        let specialist = DEPARTMENTS.iter().find(|d| d.0 == *department).map(|d| d.3);
        tx.execute(
            "INSERT INTO records (id, owner_id, slot_id, service_code, department_id, \
                 starts_at, ends_at, status, created_at, updated_at, specialist_name, \
                 specialist_phone, specialist_email) \
             VALUES (?1, (SELECT id FROM users WHERE username = ?2), ?3, ?4, ?5, ?6, ?7, ?8, \
                 ?9, ?9, ?10, \
                 '+7 800 100-20-30', 'office@example.org')",
            params![
                id,
                owner,
                slot_id,
                service,
                department,
                starts.timestamp(),
                ends.timestamp(),
                status,
                created.timestamp(),
                specialist
            ],
        )?;
        life(tx, id, owner, status, created)?;
        attachments(tx, id, status, created)?;
    }
    Ok(())
}

/// The first slot at or after `at` that no seeded record uses yet.
fn unused_slot(
    tx: &Transaction,
    service: &str,
    department: &str,
    at: DateTime<Utc>,
) -> anyhow::Result<(i64, DateTime<Utc>, DateTime<Utc>)> {
    let found = tx
        .query_row(
            "SELECT id, starts_at, ends_at FROM slots \
             WHERE service_code = ?1 AND department_id = ?2 AND starts_at >= ?3 \
                 AND id NOT IN (SELECT slot_id FROM records) \
             ORDER BY starts_at LIMIT 1",
            params![service, department, at.timestamp()],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                ))
            },
        )
        .optional()?
        .with_context(|| format!("no slot for {service} at {department} after {at}"))?;
    let time = |secs: i64| DateTime::from_timestamp(secs, 0).unwrap_or(at);
    Ok((found.0, time(found.1), time(found.2)))
}

/// History events leading from `pending` to `status`.
fn life(
    tx: &Transaction,
    id: i64,
    owner: &str,
    status: &str,
    created: DateTime<Utc>,
) -> anyhow::Result<()> {
    let steps: &[(&str, &str, &str, &str)] = match status {
        "confirmed" => &[("confirmed", "pending", "confirmed", "system")],
        "in_progress" => &[
            ("confirmed", "pending", "confirmed", "system"),
            ("in_progress", "confirmed", "in_progress", "manager"),
        ],
        "completed" => &[
            ("confirmed", "pending", "confirmed", "system"),
            ("completed", "confirmed", "completed", "manager"),
        ],
        "rejected" => &[("rejected", "pending", "rejected", "manager")],
        "cancelled" => &[
            ("confirmed", "pending", "confirmed", "system"),
            ("cancelled", "confirmed", "cancelled", owner),
        ],
        "expired" => &[
            ("confirmed", "pending", "confirmed", "system"),
            ("expired", "confirmed", "expired", "system"),
        ],
        _ => &[],
    };
    for (step, (event, from, to, actor)) in steps.iter().enumerate() {
        let reason = (*event == "cancelled").then_some("plans_changed");
        tx.execute(
            "INSERT INTO record_events \
                 (record_id, at, event, from_status, to_status, actor, reason) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id,
                (created + Duration::hours(step as i64 + 1)).timestamp(),
                event,
                from,
                to,
                actor,
                reason
            ],
        )?;
    }
    Ok(())
}

fn attachments(
    tx: &Transaction,
    id: i64,
    status: &str,
    created: DateTime<Utc>,
) -> anyhow::Result<()> {
    let base = format!("https://portal.example.org/records/{id}");
    tx.execute(
        "INSERT INTO documents (record_id, name, url) VALUES (?1, 'Application form', ?2)",
        params![id, format!("{base}/application.pdf")],
    )?;
    if status != "pending" && status != "rejected" {
        tx.execute(
            "INSERT INTO documents (record_id, name, url) VALUES (?1, 'Booking confirmation', ?2)",
            params![id, format!("{base}/confirmation.pdf")],
        )?;
    }
    let comment = match status {
        "rejected" => Some("The document set is incomplete: the fee receipt is missing."),
        "in_progress" => Some("Documents received; the application is under review."),
        "completed" => Some("Issued in person."),
        _ => None,
    };
    if let Some(text) = comment {
        tx.execute(
            "INSERT INTO staff_comments (record_id, author, at, text) \
             VALUES (?1, 'Marina Sokolova', ?2, ?3)",
            params![id, (created + Duration::hours(3)).timestamp(), text],
        )?;
    }
    Ok(())
}

/// Lanes bulk records are spread over: every service at the three big offices.
const BULK_DEPARTMENTS: [&str; 3] = ["dep-01", "dep-02", "dep-03"];
const BULK_SLOT_MINUTES: i64 = 15;

/// `n` extra records for `demo`, each in its own slot starting three days
/// ahead (outside the cutoff), with every tenth slot left free and every
/// hundredth record cancelled. Needs the demo data first.
fn bulk(tx: &Transaction, n: u64, now: DateTime<Utc>) -> anyhow::Result<()> {
    // Building an index once over sorted data is far cheaper than updating
    // it a million times; the definitions come back verbatim from the
    // schema, so they cannot drift from the migrations.
    let indexes = drop_indexes(tx, &["slots", "records"])?;
    insert_bulk(tx, n, now)?;
    for sql in indexes {
        tx.execute_batch(&sql)?;
    }
    Ok(())
}

/// Drops the explicit indexes of `tables`, returning their definitions.
fn drop_indexes(tx: &Transaction, tables: &[&str]) -> anyhow::Result<Vec<String>> {
    let mut found = Vec::new();
    for table in tables {
        let mut statement = tx.prepare(
            "SELECT name, sql FROM sqlite_master \
             WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL",
        )?;
        let rows = statement.query_map(params![table], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        for row in rows {
            found.push(row?);
        }
    }
    for (name, _) in &found {
        tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
    }
    Ok(found.into_iter().map(|(_, sql)| sql).collect())
}

fn insert_bulk(tx: &Transaction, n: u64, now: DateTime<Utc>) -> anyhow::Result<()> {
    {
        let owner: i64 = tx.query_row("SELECT id FROM users WHERE username = 'demo'", [], |r| {
            r.get(0)
        })?;
        let mut next_slot: i64 =
            tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM slots", [], |r| {
                r.get(0)
            })?;
        let mut next_record: i64 =
            tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM records", [], |r| {
                r.get(0)
            })?;
        let base = now.duration_trunc(Duration::hours(1))? + Duration::days(3);
        let created = (now - Duration::days(1)).timestamp();
        let lanes: Vec<(&str, &str)> = SERVICES
            .iter()
            .flat_map(|s| BULK_DEPARTMENTS.iter().map(move |d| (s.0, *d)))
            .collect();

        let mut slot = tx.prepare_cached(
            "INSERT INTO slots (id, service_code, department_id, starts_at, ends_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut record = tx.prepare_cached(
            "INSERT INTO records (id, owner_id, slot_id, service_code, department_id, \
                 starts_at, ends_at, \
                 status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        )?;

        let mut made = 0u64;
        let mut position = 0i64;
        while made < n {
            let (service, department) = lanes[(position as usize) % lanes.len()];
            let step = position / lanes.len() as i64;
            let starts = (base + Duration::minutes(step * BULK_SLOT_MINUTES)).timestamp();
            let ends = starts + BULK_SLOT_MINUTES * 60;
            slot.execute(params![next_slot, service, department, starts, ends])?;

            if position % 10 != 9 {
                let status = match made % 100 {
                    99 => "cancelled",
                    m if m % 2 == 0 => "confirmed",
                    _ => "pending",
                };
                record.execute(params![
                    next_record,
                    owner,
                    next_slot,
                    service,
                    department,
                    starts,
                    ends,
                    status,
                    created
                ])?;
                next_record += 1;
                made += 1;
            }
            next_slot += 1;
            position += 1;
        }
        Ok(())
    }
}
