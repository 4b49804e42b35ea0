//! Copying an SQLite database into an empty PostgreSQL one: how the dev
//! server gives PostgreSQL the same demo data as SQLite, and how an operator
//! moves a running service's data to PostgreSQL once.
//!
//! Every domain table is streamed with `COPY ... FROM STDIN` (text format)
//! inside one PostgreSQL transaction, parents before children, so a failure
//! leaves the target as empty as it was. The SQLite side is read inside one
//! read transaction, so the copy is a single snapshot even while a service
//! writes to the file. Column lists come from the SQLite tables and are
//! checked against PostgreSQL first, so a schema version mismatch is a clear
//! error rather than shifted columns.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Utc};
use postgres::Transaction;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

/// The domain tables, parents before children. Not `schema_migrations`
/// (each side keeps its own) nor the idempotency keys (short-lived request
/// state, not data).
pub const TABLES: &[&str] = &[
    "services",
    "departments",
    "users",
    "user_departments",
    "credentials",
    "slots",
    "records",
    "record_events",
    "documents",
    "staff_comments",
    "challenges",
    "challenge_records",
    "notifications",
    "audit_log",
];

/// COPY data is sent to the server in chunks of about this size.
const CHUNK_BYTES: usize = 256 * 1024;

/// Rows copied, per table, in copy order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TransferReport {
    pub tables: Vec<TableCopied>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopied {
    pub table: &'static str,
    pub rows: u64,
}

impl TransferReport {
    /// Rows copied into `table`, if it was copied.
    pub fn rows(&self, table: &str) -> Option<u64> {
        self.tables
            .iter()
            .find(|t| t.table == table)
            .map(|t| t.rows)
    }

    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

impl fmt::Display for TransferReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, copied) in self.tables.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{} {}", copied.table, copied.rows)?;
        }
        Ok(())
    }
}

/// Copies every domain table of the migrated SQLite database at `sqlite`
/// into the migrated, empty PostgreSQL database at `pg_url`, in one
/// transaction, then moves each identity sequence past the copied ids.
/// Refuses a PostgreSQL database that holds any domain row. Blocking: call
/// it from `spawn_blocking` in async code.
pub fn copy_from_sqlite(sqlite: &Path, pg_url: &str) -> anyhow::Result<TransferReport> {
    let mut source = open_source(sqlite)?;
    let source = source
        .transaction()
        .context("starting a read transaction on the SQLite database")?;
    ensure_migrated(pg_url)?;
    let mut target = super::connect_once(pg_url)?;

    let mut tx = target.transaction()?;
    lock_tables(&mut tx)?;
    ensure_empty(&mut tx, pg_url)?;

    let report = copy_tables(&source, &mut tx)?;
    tx.commit().context("committing the copy")?;

    tracing::info!(rows = report.total_rows(), %report, "copied SQLite into PostgreSQL");
    Ok(report)
}

/// The copy proper, inside the target's transaction.
fn copy_tables(
    source: &rusqlite::Transaction<'_>,
    tx: &mut Transaction,
) -> anyhow::Result<TransferReport> {
    let set_aside = SetAside::take(tx).context(
        "setting foreign keys and indexes aside for the copy \
         (connect as the role that owns the tables, the one that migrated them)",
    )?;
    let mut report = TransferReport::default();
    for &table in TABLES {
        let rows =
            copy_table(source, tx, table).with_context(|| format!("copying table {table}"))?;
        tracing::info!(table, rows, "table copied");
        report.tables.push(TableCopied { table, rows });
    }

    // On a million records this takes longer than the copy itself.
    tracing::info!("rebuilding indexes and checking foreign keys");
    set_aside.restore(tx)?;
    for &table in TABLES {
        reset_identity(tx, table)?;
        // Fresh statistics, so the first queries after the copy are planned
        // for a million rows rather than for an empty table.
        tx.batch_execute(&format!("ANALYZE {}", quoted(table)))?;
    }
    Ok(report)
}

/// Gives the migrated, empty PostgreSQL database at `pg_url` the demo data
/// of [`crate::seed`] (plus `extra_records` bulk records): seeds a temporary
/// SQLite file, copies it, and deletes the file. The seed is written once,
/// for SQLite; this keeps both backends' demo data the same. Blocking.
pub fn seed_postgres(
    pg_url: &str,
    now: DateTime<Utc>,
    extra_records: u64,
) -> anyhow::Result<TransferReport> {
    let scratch = ScratchFile::new();
    let store = crate::store::sqlite::SqliteStore::open(&scratch.0)?;
    crate::seed::seed(&store, now, extra_records)?;
    drop(store);
    copy_from_sqlite(&scratch.0, pg_url)
}

/// A temporary SQLite file, deleted (with its WAL files) on drop.
struct ScratchFile(PathBuf);

impl ScratchFile {
    fn new() -> ScratchFile {
        let name = format!("apptctl-seed-{}.db", uuid::Uuid::new_v4().simple());
        ScratchFile(std::env::temp_dir().join(name))
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            // Best effort: a leftover file in the temp dir only takes space.
            let _ = std::fs::remove_file(path);
        }
    }
}

fn open_source(path: &Path) -> anyhow::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .with_context(|| format!("opening SQLite database {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

/// The schema must be in place: copying into tables a later migration would
/// create is not something to discover half way.
fn ensure_migrated(pg_url: &str) -> anyhow::Result<()> {
    let pending = super::PgStore::pending_migrations(pg_url)?;
    if !pending.is_empty() {
        return Err(CopyRefused::NotMigrated(super::redact_url(pg_url)).into());
    }
    Ok(())
}

/// Why a copy was refused before it changed anything; the operator's to fix.
#[derive(Debug, thiserror::Error)]
pub enum CopyRefused {
    #[error(
        "the PostgreSQL database {0} is not migrated; run `apptctl server migrate` on it first"
    )]
    NotMigrated(String),
    #[error(
        "the PostgreSQL database {db} is not empty (table {table} has rows); \
         copy only into a freshly migrated database"
    )]
    NotEmpty { db: String, table: &'static str },
}

/// Holds off every writer (other instances included) from the emptiness
/// check to the commit. Setting the indexes aside then locks out readers
/// too: an instance already serving this database waits for the copy.
fn lock_tables(tx: &mut Transaction) -> anyhow::Result<()> {
    let list = TABLES
        .iter()
        .map(|t| quoted(t))
        .collect::<Vec<_>>()
        .join(", ");
    tx.batch_execute(&format!("LOCK TABLE {list} IN EXCLUSIVE MODE"))
        .context("locking the PostgreSQL tables for the copy")?;
    Ok(())
}

fn ensure_empty(tx: &mut Transaction, pg_url: &str) -> anyhow::Result<()> {
    for &table in TABLES {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", quoted(table));
        let has_rows: bool = tx.query_one(sql.as_str(), &[])?.try_get(0)?;
        if has_rows {
            let db = super::redact_url(pg_url);
            return Err(CopyRefused::NotEmpty { db, table }.into());
        }
    }
    Ok(())
}

/// The foreign keys and secondary indexes of the domain tables, dropped
/// while the rows stream in and recreated afterwards, inside the copy's
/// transaction. Checking a million rows' references one by one and growing
/// indexes row by row is several times slower than one validating join per
/// key and one sorted build per index. Primary keys and unique constraints
/// stay: foreign keys need them, and ids arrive in order anyway.
struct SetAside {
    foreign_keys: Vec<(String, String, String)>,
    indexes: Vec<(String, String)>,
}

impl SetAside {
    fn take(tx: &mut Transaction) -> anyhow::Result<SetAside> {
        let tables: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
        let foreign_keys = tx
            .query(
                "SELECT t.relname::TEXT, c.conname::TEXT, pg_get_constraintdef(c.oid) \
                 FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
                 WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace \
                 AND t.relname = ANY($1)",
                &[&tables],
            )?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<Vec<(String, String, String)>, postgres::Error>>()?;
        let indexes = tx
            .query(
                "SELECT i.relname::TEXT, pg_get_indexdef(i.oid) \
                 FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
                 JOIN pg_class t ON t.oid = x.indrelid \
                 WHERE t.relnamespace = current_schema()::regnamespace \
                 AND t.relname = ANY($1) AND NOT EXISTS (SELECT 1 FROM pg_constraint c \
                     WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid)",
                &[&tables],
            )?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<Vec<(String, String)>, postgres::Error>>()?;

        for (table, name, _) in &foreign_keys {
            let sql = format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                quoted(table),
                quoted(name)
            );
            tx.batch_execute(&sql)?;
        }
        for (name, _) in &indexes {
            tx.batch_execute(&format!("DROP INDEX {}", quoted(name)))?;
        }
        Ok(SetAside {
            foreign_keys,
            indexes,
        })
    }

    fn restore(self, tx: &mut Transaction) -> anyhow::Result<()> {
        // Sorting for an index build may use this much memory, this
        // transaction only.
        tx.batch_execute("SET LOCAL maintenance_work_mem = '128MB'")?;
        for (name, definition) in &self.indexes {
            tx.batch_execute(definition)
                .with_context(|| format!("rebuilding index {name}"))?;
        }
        for (table, name, definition) in &self.foreign_keys {
            let sql = format!(
                "ALTER TABLE {} ADD CONSTRAINT {} {definition}",
                quoted(table),
                quoted(name)
            );
            tx.batch_execute(&sql)
                .with_context(|| format!("checking foreign key {name} of table {table}"))?;
        }
        Ok(())
    }
}

/// Streams one table; returns the rows PostgreSQL took.
fn copy_table(
    source: &rusqlite::Transaction<'_>,
    tx: &mut Transaction,
    table: &str,
) -> anyhow::Result<u64> {
    let mut select = source
        .prepare(&format!("SELECT * FROM {}", quoted(table)))
        .with_context(|| format!("reading table {table} from SQLite (is it migrated?)"))?;
    let columns: Vec<String> = select
        .column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    ensure_same_columns(tx, table, &columns)?;

    let column_list = columns.iter().map(|c| quoted(c)).collect::<Vec<_>>();
    let copy = format!(
        "COPY {} ({}) FROM STDIN",
        quoted(table),
        column_list.join(", ")
    );
    let mut writer = tx.copy_in(copy.as_str())?;
    let mut chunk = Vec::with_capacity(CHUNK_BYTES + 4096);
    let mut rows = select.query([])?;
    while let Some(row) = rows.next()? {
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                chunk.push(b'\t');
            }
            write_field(&mut chunk, row.get_ref(i)?)
                .with_context(|| format!("column {column} of table {table}"))?;
        }
        chunk.push(b'\n');
        if chunk.len() >= CHUNK_BYTES {
            writer.write_all(&chunk)?;
            chunk.clear();
        }
    }
    writer.write_all(&chunk)?;
    Ok(writer.finish()?)
}

/// Both sides must have the same columns: a missing one on either side
/// means the two databases are at different schema versions.
fn ensure_same_columns(
    tx: &mut Transaction,
    table: &str,
    columns: &[String],
) -> anyhow::Result<()> {
    let rows = tx.query(
        "SELECT column_name::TEXT FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1",
        &[&table],
    )?;
    let mut target = rows
        .iter()
        .map(|r| r.try_get::<_, String>(0))
        .collect::<Result<Vec<_>, _>>()?;
    let mut source = columns.to_vec();
    target.sort();
    source.sort();
    anyhow::ensure!(
        source == target,
        "table {table} has columns ({}) in SQLite but ({}) in PostgreSQL; \
         migrate both databases with the same release first",
        source.join(", "),
        target.join(", ")
    );
    Ok(())
}

/// One value in COPY's text format: `\N` for NULL, text with backslash,
/// tab, newline and carriage return escaped.
fn write_field(out: &mut Vec<u8>, value: ValueRef<'_>) -> anyhow::Result<()> {
    match value {
        ValueRef::Null => out.extend_from_slice(b"\\N"),
        ValueRef::Integer(n) => write!(out, "{n}")?,
        ValueRef::Real(x) => write_real(out, x)?,
        ValueRef::Text(bytes) => {
            let text = std::str::from_utf8(bytes).context("text that is not UTF-8")?;
            // PostgreSQL text cannot hold NUL; SQLite's can.
            anyhow::ensure!(!text.contains('\0'), "text with a NUL character");
            escape_text(out, text);
        }
        ValueRef::Blob(bytes) => {
            // bytea's hex input form; its backslash escaped for COPY.
            out.extend_from_slice(b"\\\\x");
            out.extend_from_slice(hex::encode(bytes).as_bytes());
        }
    }
    Ok(())
}

fn write_real(out: &mut Vec<u8>, x: f64) -> anyhow::Result<()> {
    if x.is_nan() {
        out.extend_from_slice(b"NaN");
    } else if x.is_infinite() {
        out.extend_from_slice(if x > 0.0 { b"Infinity" } else { b"-Infinity" });
    } else {
        write!(out, "{x}")?;
    }
    Ok(())
}

fn escape_text(out: &mut Vec<u8>, text: &str) {
    for byte in text.bytes() {
        match byte {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            other => out.push(other),
        }
    }
}

/// Points each identity column's sequence past the largest copied id, so
/// the next insert does not collide with a copied row.
fn reset_identity(tx: &mut Transaction, table: &str) -> anyhow::Result<()> {
    let identities = tx.query(
        "SELECT column_name::TEXT FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'",
        &[&table],
    )?;
    for row in identities {
        let column: String = row.try_get(0)?;
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX({col}), 0) + 1, false) \
             FROM {table}",
            col = quoted(&column),
            table = quoted(table),
        );
        tx.query_one(sql.as_str(), &[&table, &column])
            .with_context(|| format!("resetting the sequence of {table}.{column}"))?;
    }
    Ok(())
}

/// An SQL identifier in double quotes.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::pg::testing::TempDatabase;
    use crate::store::pg::PgStore;
    use crate::store::sqlite::SqliteStore;
    use postgres::Client;

    /// A seeded SQLite file with a staff comment holding every character
    /// COPY's text format escapes.
    fn seeded_sqlite() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("service.db");
        let store = SqliteStore::open(&path).unwrap();
        crate::seed::seed(&store, chrono::Utc::now(), 1000).unwrap();
        drop(store);

        let conn = Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO staff_comments (record_id, author, at, text) \
             SELECT MIN(id), 'back\\slash', 1, ?1 FROM records",
            [TRICKY_TEXT],
        )
        .unwrap();
        (dir, path)
    }

    const TRICKY_TEXT: &str = "tab\there\nnew line\r\\N not null \\ end é";

    fn count_sqlite(conn: &Connection, table: &str) -> u64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        conn.query_row(&sql, [], |r| r.get::<_, i64>(0)).unwrap() as u64
    }

    fn count_pg(client: &mut Client, table: &str) -> u64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        client
            .query_one(sql.as_str(), &[])
            .unwrap()
            .get::<_, i64>(0) as u64
    }

    #[test]
    fn a_seeded_database_copies_whole_and_ids_continue() {
        let (_dir, path) = seeded_sqlite();
        let db = TempDatabase::create().unwrap();
        PgStore::apply_migrations(db.url()).unwrap();

        let report = copy_from_sqlite(&path, db.url()).unwrap();

        let source = Connection::open(&path).unwrap();
        let mut target = Client::connect(db.url(), postgres::NoTls).unwrap();
        assert_eq!(report.tables.len(), TABLES.len());
        for &table in TABLES {
            let expected = count_sqlite(&source, table);
            assert_eq!(report.rows(table), Some(expected), "{table}");
            assert_eq!(count_pg(&mut target, table), expected, "{table}");
        }
        assert!(report.rows("records").unwrap() >= 1000);

        let (username, two_factor): (String, i64) = source
            .query_row(
                "SELECT username, two_factor FROM users ORDER BY id LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let row = target
            .query_one(
                "SELECT username, two_factor FROM users ORDER BY id LIMIT 1",
                &[],
            )
            .unwrap();
        assert_eq!(row.get::<_, String>(0), username);
        assert_eq!(row.get::<_, bool>(1), two_factor == 1);

        let last_record = "SELECT id, status, starts_at, specialist_name FROM records \
                           ORDER BY id DESC LIMIT 1";
        let expected: (i64, String, i64, Option<String>) = source
            .query_row(last_record, [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap();
        let row = target.query_one(last_record, &[]).unwrap();
        let copied = (row.get(0), row.get(1), row.get(2), row.get(3));
        assert_eq!(copied, expected);

        let row = target
            .query_one(
                "SELECT author, text FROM staff_comments ORDER BY id DESC LIMIT 1",
                &[],
            )
            .unwrap();
        assert_eq!(row.get::<_, String>(0), "back\\slash");
        assert_eq!(row.get::<_, String>(1), TRICKY_TEXT);

        let next: i64 = target
            .query_one(
                "INSERT INTO staff_comments (record_id, author, at, text) \
                 SELECT MIN(id), 'x', 2, 'y' FROM records RETURNING id",
                &[],
            )
            .unwrap()
            .get(0);
        let max_before: i64 = source
            .query_row("SELECT MAX(id) FROM staff_comments", [], |r| r.get(0))
            .unwrap();
        assert_eq!(next, max_before + 1);
    }

    #[test]
    fn only_an_empty_migrated_database_is_copied_into() {
        let (_dir, path) = seeded_sqlite();
        let db = TempDatabase::create().unwrap();

        let unmigrated = copy_from_sqlite(&path, db.url()).unwrap_err();
        assert!(
            unmigrated.to_string().contains("not migrated"),
            "{unmigrated:#}"
        );

        PgStore::apply_migrations(db.url()).unwrap();
        let seeded = seed_postgres(db.url(), chrono::Utc::now(), 0).unwrap();
        let mut target = Client::connect(db.url(), postgres::NoTls).unwrap();
        let demo_records = count_pg(&mut target, "records");
        assert!(demo_records > 0);
        assert_eq!(seeded.rows("records"), Some(demo_records));

        // The seeded file's 1000 extra records are not added to the demo data.
        let refused = copy_from_sqlite(&path, db.url()).unwrap_err();
        assert!(refused.to_string().contains("not empty"), "{refused:#}");
        assert_eq!(count_pg(&mut target, "records"), demo_records);
    }

    #[test]
    fn copy_text_escapes_what_the_format_reserves() {
        let mut out = Vec::new();
        escape_text(&mut out, "a\\b\tc\nd\re");
        assert_eq!(out, b"a\\\\b\\tc\\nd\\re");

        let mut out = Vec::new();
        write_field(&mut out, ValueRef::Null).unwrap();
        write_field(&mut out, ValueRef::Integer(-7)).unwrap();
        write_field(&mut out, ValueRef::Blob(&[0xab, 0x01])).unwrap();
        assert_eq!(out, b"\\N-7\\\\xab01");
        assert!(write_field(&mut out, ValueRef::Text(b"a\0b")).is_err());
    }
}
