//! Which database the service keeps its data in, and what each kind needs
//! at start-up: an SQLite file serves one instance; a PostgreSQL database
//! serves any number of instances, which then share their idempotency keys
//! and rate limits through it as well. Both modes of the server and the
//! one-off commands (`migrate`, `create-account`) go through this type, so
//! the choice is made in one place.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::platform::PlatformConfig;
use crate::store::pg::{self, PgOptions, PgStore};
use crate::store::sqlite::{Migration, SqliteStore};
use crate::store::Store;

#[derive(Debug, Clone)]
pub enum Database {
    /// One SQLite file (WAL), for one server process.
    Sqlite(PathBuf),
    /// A PostgreSQL database, shared by every instance pointed at it.
    Postgres(PgOptions),
}

/// Why a database cannot be served from; each is the operator's to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("there is no database at {0}")]
    NoDatabase(PathBuf),
    #[error("the database {db} lacks migrations: {pending}")]
    MigrationsPending { db: String, pending: String },
    #[error("the database {db} has migrations this apptctl does not know: {versions:?}")]
    SchemaNewer { db: String, versions: Vec<i64> },
    /// The file could not be read as a database, or the server not reached.
    #[error(transparent)]
    Unreadable(anyhow::Error),
}

/// An opened store and the platform settings that go with it.
pub struct Opened {
    pub store: Arc<dyn Store>,
    pub platform: PlatformConfig,
}

impl Opened {
    /// An opened SQLite store; idempotency keys go in a file beside `path`.
    pub fn sqlite(store: SqliteStore, path: &Path) -> Opened {
        Opened {
            store: Arc::new(store),
            platform: PlatformConfig::new(path),
        }
    }

    /// A PostgreSQL store; idempotency keys and rate limits share its pool.
    pub fn postgres(store: PgStore) -> Opened {
        let platform = PlatformConfig::postgres(store.pool());
        Opened {
            store: Arc::new(store),
            platform,
        }
    }
}

impl fmt::Display for Database {
    /// The path, or the URL without its password: safe for logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(options) => write!(f, "{}", pg::redact_url(&options.url)),
        }
    }
}

impl Database {
    /// The SQLite file, when it is one.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Database::Sqlite(path) => Some(path),
            Database::Postgres(_) => None,
        }
    }

    /// Applies the embedded migrations the database lacks (creating an
    /// SQLite file when missing) and returns them. A database a newer
    /// release migrated is refused: "up to date" would be untrue.
    pub fn migrate(&self) -> anyhow::Result<Vec<Migration>> {
        let newer = match self {
            Database::Sqlite(path) if !path.is_file() => Vec::new(),
            Database::Sqlite(path) => SqliteStore::unknown_migrations(path)?,
            Database::Postgres(options) => PgStore::unknown_migrations(&options.url)?,
        };
        if !newer.is_empty() {
            return Err(self.schema_newer(newer).into());
        }
        match self {
            Database::Sqlite(path) => SqliteStore::apply_migrations(path),
            Database::Postgres(options) => PgStore::apply_migrations(&options.url),
        }
    }

    /// The schema must be exactly the one this binary embeds: behind needs
    /// `server migrate`, ahead means an older binary after a newer one
    /// migrated. A mistyped SQLite path must not create an empty database.
    pub fn check_schema(&self) -> Result<(), StartError> {
        if let Database::Sqlite(path) = self {
            if !path.is_file() {
                return Err(StartError::NoDatabase(path.clone()));
            }
        }
        let pending = match self {
            Database::Sqlite(path) => SqliteStore::pending_migrations(path),
            Database::Postgres(options) => PgStore::pending_migrations(&options.url),
        }
        .map_err(StartError::Unreadable)?;
        if !pending.is_empty() {
            return Err(StartError::MigrationsPending {
                db: self.to_string(),
                pending: migration_names(&pending),
            });
        }
        let newer = match self {
            Database::Sqlite(path) => SqliteStore::unknown_migrations(path),
            Database::Postgres(options) => PgStore::unknown_migrations(&options.url),
        }
        .map_err(StartError::Unreadable)?;
        if !newer.is_empty() {
            return Err(self.schema_newer(newer));
        }
        Ok(())
    }

    /// Opens the store of a checked database, and the platform settings that
    /// keep idempotency keys and rate limits where every instance sees them.
    /// Blocking: call it on the blocking pool.
    pub fn open(&self) -> anyhow::Result<Opened> {
        match self {
            Database::Sqlite(path) => Ok(Opened::sqlite(SqliteStore::open(path)?, path)),
            Database::Postgres(options) => Ok(Opened::postgres(PgStore::connect(options)?)),
        }
    }

    fn schema_newer(&self, versions: Vec<i64>) -> StartError {
        StartError::SchemaNewer {
            db: self.to_string(),
            versions,
        }
    }
}

/// `0001_initial, 0002_...`.
pub fn migration_names(migrations: &[Migration]) -> String {
    migrations
        .iter()
        .map(|m| m.name)
        .collect::<Vec<_>>()
        .join(", ")
}
