//! Throwaway PostgreSQL databases for tests: each test gets a database of
//! its own on the server named by `APPTCTL_TEST_POSTGRES_URL`, dropped when
//! the handle goes. `scripts/test.sh` starts such a server on loopback and
//! sets the variable; `.ci/run` runs that script.

use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::Context;
use postgres::{Client, NoTls};

/// The variable naming a PostgreSQL server tests may create databases on,
/// as a URL of its maintenance database, e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`.
pub const SERVER_VARIABLE: &str = "APPTCTL_TEST_POSTGRES_URL";

/// A database created for one test and dropped with this handle.
pub struct TempDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TempDatabase {
    /// Creates an empty database; fails with a hint when no test server is
    /// configured. Callable from async tests too: the blocking client runs
    /// on a thread of its own (it cannot run inside a tokio runtime).
    pub fn create() -> anyhow::Result<TempDatabase> {
        off_runtime(TempDatabase::create_here)
    }

    fn create_here() -> anyhow::Result<TempDatabase> {
        let admin_url = std::env::var(SERVER_VARIABLE).map_err(|_| {
            anyhow::anyhow!(
                "{SERVER_VARIABLE} is not set: the PostgreSQL tests need a server; \
                 run scripts/test.sh, which starts one on loopback"
            )
        })?;
        let name = unique_name();
        let mut admin = connect(&admin_url)?;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .with_context(|| format!("creating test database {name}"))?;
        let url = with_database(&admin_url, &name)?;
        Ok(TempDatabase {
            admin_url,
            name,
            url,
        })
    }

    /// The URL of this database.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Best effort: a leftover test database only takes disk space.
        off_runtime(move || {
            if let Ok(mut admin) = connect(&admin_url) {
                let _ = admin.batch_execute(&sql);
            }
        });
    }
}

/// Runs `work` on a new thread and waits for it: the blocking `postgres`
/// client panics when called on a thread that drives a tokio runtime.
fn off_runtime<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| match scope.spawn(work).join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

fn connect(url: &str) -> anyhow::Result<Client> {
    Client::connect(url, NoTls).with_context(|| format!("connecting to {url}"))
}

fn unique_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "apptctl_test_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        uuid::Uuid::new_v4()
            .simple()
            .to_string()
            .get(..8)
            .unwrap_or("0")
    )
}

/// `url` with its database (the path) replaced by `name`.
fn with_database(url: &str, name: &str) -> anyhow::Result<String> {
    let (scheme, rest) = url
        .split_once("://")
        .with_context(|| format!("{SERVER_VARIABLE} must be a postgres:// URL"))?;
    let (authority, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let host = authority.split('/').next().unwrap_or(authority);
    let mut out = format!("{scheme}://{host}/{name}");
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_replace_the_path() {
        let url = with_database("postgres://u@127.0.0.1:5432/postgres", "x").unwrap();
        assert_eq!(url, "postgres://u@127.0.0.1:5432/x");
        let url = with_database("postgres://u@h/postgres?sslmode=disable", "x").unwrap();
        assert_eq!(url, "postgres://u@h/x?sslmode=disable");
    }
}
