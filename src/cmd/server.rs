//! `apptctl server ...`: the reference appointment service, on embedded
//! SQLite (`--db FILE`, one instance) or PostgreSQL (`--database-url`,
//! several instances). `start-dev` is for trying the CLI, its tests and benchmarks;
//! `start`, `migrate` and `create-account` run it in production. Built only
//! with the default cargo feature `server`.

use std::path::PathBuf;

use crate::context::Context;
use crate::error::CliError;

pub const EXAMPLES: &str = "\
Examples:
  apptctl server start-dev --seed demo
  apptctl server start-dev --addr 127.0.0.1:0 --db ./dev.db --records 5000
  apptctl server start-dev --otp-fixed 123456 --fault-rate 0.3 --latency 50
  apptctl server start-dev --database-url postgres://apptctl@127.0.0.1/apptctl_dev

Demo accounts (two-factor on): demo / demo12345 (applicant),
manager / manager12345 (manager).";

/// Run the reference appointment service
#[derive(Debug, clap::Subcommand)]
pub enum ServerCommand {
    /// Start the reference service with demo data (development only)
    #[command(after_help = EXAMPLES)]
    StartDev(StartDevArgs),

    /// Start the service in production mode: no demo data, JSON logs
    #[command(after_help = START_EXAMPLES)]
    Start(StartArgs),

    /// Create or update a database's schema, report what was applied, exit
    #[command(after_help = MIGRATE_EXAMPLES)]
    Migrate(MigrateArgs),

    /// Create an account; the password is read from stdin
    #[command(after_help = CREATE_ACCOUNT_EXAMPLES)]
    CreateAccount(CreateAccountArgs),

    /// Copy an SQLite database into an empty PostgreSQL one, to run several instances
    #[command(after_help = IMPORT_EXAMPLES)]
    ImportSqlite(ImportSqliteArgs),
}

pub const IMPORT_EXAMPLES: &str = "\
Examples:
  apptctl server migrate --database-url postgres://apptctl:secret@db.internal/apptctl
  apptctl server import-sqlite --db /var/lib/apptctl/apptctl.db \\
      --database-url postgres://apptctl:secret@db.internal/apptctl

Stop the service on the SQLite file first: rows written after the copy
starts are not copied. Both databases must be migrated by this release, and
the PostgreSQL one must be empty. Everything is copied in one transaction
(records, accounts, sessions, tokens, challenges, notifications, journal);
idempotency keys are not.";

pub const START_EXAMPLES: &str = "\
Examples:
  apptctl server migrate --db /var/lib/apptctl/apptctl.db
  apptctl server start --db /var/lib/apptctl/apptctl.db --addr 127.0.0.1:8787
  APPTCTL_DB=/var/lib/apptctl/apptctl.db APPTCTL_ADDR=0.0.0.0:8787 apptctl server start

Several instances on one PostgreSQL database (each on its own host or port):
  DATABASE_URL=postgres://apptctl:secret@db.internal/apptctl apptctl server migrate
  DATABASE_URL=postgres://apptctl:secret@db.internal/apptctl apptctl server start \
      --addr 0.0.0.0:8787

The database must exist and be migrated (`apptctl server migrate`). Logs are
JSON lines on stderr (level: RUST_LOG, default info). SIGTERM or Ctrl-C stops
accepting connections and lets requests in flight finish within --drain-timeout.";

pub const MIGRATE_EXAMPLES: &str = "\
Examples:
  apptctl server migrate --db /var/lib/apptctl/apptctl.db
  apptctl server migrate --database-url postgres://apptctl:secret@db.internal/apptctl

Creates an SQLite file when it does not exist; a PostgreSQL database must
exist (createdb). Safe to run from several instances at once. Back the
database up first.";

pub const CREATE_ACCOUNT_EXAMPLES: &str = "\
Examples:
  printf '%s\\n' \"$PASSWORD\" | apptctl server create-account --db ./apptctl.db \\
      --username ivanova --role applicant --phone '+7 900 000-00-00' --email i@example.org
  printf '%s\\n' \"$PASSWORD\" | apptctl server create-account --db ./apptctl.db \\
      --username lead --role manager --department dep-01 --phone '+7 900 000-00-01' \\
      --email lead@example.org";

/// Flags of `start-dev` that `start` refuses by name, so that a dev-only
/// setting is never silently dropped in production.
#[derive(Debug, Clone, clap::Args)]
pub struct DevOnlyFlags {
    #[arg(long, hide = true, value_name = "CODE")]
    pub otp_fixed: Option<String>,
    #[arg(long, hide = true, value_name = "P")]
    pub fault_rate: Option<String>,
    #[arg(long, hide = true, value_name = "MS")]
    pub latency: Option<String>,
    #[arg(long, hide = true, value_name = "RFC3339")]
    pub clock: Option<String>,
    #[arg(long, hide = true, value_name = "SEED")]
    pub seed: Option<String>,
    #[arg(long, hide = true, value_name = "N")]
    pub records: Option<String>,
}

#[cfg(feature = "server")]
impl DevOnlyFlags {
    /// The first dev-only flag given, as typed on the command line.
    fn first_given(&self) -> Option<&'static str> {
        [
            ("--otp-fixed", self.otp_fixed.is_some()),
            ("--fault-rate", self.fault_rate.is_some()),
            ("--latency", self.latency.is_some()),
            ("--clock", self.clock.is_some()),
            ("--seed", self.seed.is_some()),
            ("--records", self.records.is_some()),
        ]
        .into_iter()
        .find_map(|(flag, given)| given.then_some(flag))
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct StartArgs {
    /// Address to listen on; port 0 picks a free port (printed at start)
    #[arg(
        long,
        env = "APPTCTL_ADDR",
        value_name = "HOST:PORT",
        default_value = "127.0.0.1:8787"
    )]
    pub addr: std::net::SocketAddr,

    /// SQLite database file, created and migrated by `apptctl server migrate`
    #[arg(long, env = "APPTCTL_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// PostgreSQL database, instead of --db: several instances may share it
    #[arg(long, env = "DATABASE_URL", value_name = "URL", conflicts_with = "db")]
    pub database_url: Option<String>,

    /// Most PostgreSQL connections this instance keeps open
    #[arg(long, env = "APPTCTL_DB_POOL_SIZE", value_name = "N", default_value_t = 16,
        value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_pool_size: u32,

    /// Requests per second per client before 429 [default: 2000]
    #[arg(long, env = "APPTCTL_RATE_LIMIT", value_name = "N")]
    pub rate_limit: Option<u32>,

    /// Hours before the start when cancelling stops [default: 24]
    #[arg(long, env = "APPTCTL_CUTOFF_HOURS", value_name = "H")]
    pub cutoff_hours: Option<u32>,

    /// Longest a request may take before it is answered 503, in seconds
    #[arg(long, env = "APPTCTL_REQUEST_TIMEOUT", value_name = "SECS", default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout: u64,

    /// Largest request body accepted, in bytes
    #[arg(long, env = "APPTCTL_BODY_LIMIT", value_name = "BYTES", default_value_t = 2 * 1024 * 1024,
        value_parser = clap::value_parser!(u64).range(1..))]
    pub body_limit: u64,

    /// After SIGTERM or Ctrl-C, how long requests in flight may take to finish
    #[arg(
        long,
        env = "APPTCTL_DRAIN_TIMEOUT",
        value_name = "SECS",
        default_value_t = 20
    )]
    pub drain_timeout: u64,

    #[command(flatten)]
    pub dev_only: DevOnlyFlags,
}

#[derive(Debug, Clone, clap::Args)]
pub struct MigrateArgs {
    /// SQLite database file; created when it does not exist
    #[arg(long, env = "APPTCTL_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// PostgreSQL database, instead of --db: several instances may share it
    #[arg(long, env = "DATABASE_URL", value_name = "URL", conflicts_with = "db")]
    pub database_url: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ImportSqliteArgs {
    /// The SQLite database file to copy (left as it is)
    #[arg(long, value_name = "PATH")]
    pub db: PathBuf,

    /// The empty, migrated PostgreSQL database to copy into
    #[arg(long, env = "DATABASE_URL", value_name = "URL")]
    pub database_url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AccountRole {
    Applicant,
    Manager,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CreateAccountArgs {
    /// The migrated SQLite database file
    #[arg(long, env = "APPTCTL_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// PostgreSQL database, instead of --db: several instances may share it
    #[arg(long, env = "DATABASE_URL", value_name = "URL", conflicts_with = "db")]
    pub database_url: Option<String>,

    /// The login name
    #[arg(long, value_name = "NAME")]
    pub username: String,

    /// What the account may see and do
    #[arg(long, value_enum)]
    pub role: AccountRole,

    /// A department a manager acts for (repeat for several)
    #[arg(long = "department", value_name = "ID")]
    pub departments: Vec<String>,

    /// The person's full name [default: the username]
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,

    /// Where one-time codes and notices go by SMS
    #[arg(long, value_name = "NUMBER")]
    pub phone: String,

    /// Where one-time codes and notices go by e-mail
    #[arg(long, value_name = "ADDRESS")]
    pub email: String,

    /// Log in with the password alone (no one-time code); not for people
    #[arg(long)]
    pub no_two_factor: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct StartDevArgs {
    /// Address to listen on; port 0 picks a free port (printed at start)
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8787")]
    pub addr: std::net::SocketAddr,

    /// SQLite database file [default: a fresh temporary database]
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// PostgreSQL database instead of --db; migrated, and seeded when empty
    #[arg(long, value_name = "URL", conflicts_with = "db")]
    pub database_url: Option<String>,

    /// Most PostgreSQL connections this instance keeps open
    #[arg(long, env = "APPTCTL_DB_POOL_SIZE", value_name = "N", default_value_t = 16,
        value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_pool_size: u32,

    /// Seed data: demo accounts and records, or nothing
    #[arg(long, value_enum, default_value_t = Seed::Demo)]
    pub seed: Seed,

    /// Extra records for the demo account (bulk work, benchmarks)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub records: u32,

    /// Every one-time code equals CODE (dev and tests only)
    #[arg(long, value_name = "CODE")]
    pub otp_fixed: Option<String>,

    /// Share of requests answered with an injected failure, 0.0 to 1.0
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = parse_rate)]
    pub fault_rate: f64,

    /// Added latency per request, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,

    /// Start a manual clock at this instant (RFC 3339); dev and tests only
    #[arg(long, value_name = "RFC3339")]
    pub clock: Option<chrono::DateTime<chrono::Utc>>,

    /// Requests per second per client before 429 [default: the server's]
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<u32>,

    /// Hours before the start when cancelling stops [default: 24]
    #[arg(long, value_name = "H")]
    pub cutoff_hours: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Seed {
    Demo,
    None,
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("{text:?} is not a share between 0.0 and 1.0")),
    }
}

pub async fn run(command: ServerCommand, ctx: &mut Context) -> anyhow::Result<()> {
    match command {
        ServerCommand::StartDev(args) => start_dev(args, ctx).await,
        ServerCommand::Start(args) => start(args, ctx).await,
        ServerCommand::Migrate(args) => migrate(args, ctx).await,
        ServerCommand::CreateAccount(args) => create_account(args, ctx).await,
        ServerCommand::ImportSqlite(args) => import_sqlite(args, ctx).await,
    }
}

#[cfg(feature = "server")]
async fn start_dev(args: StartDevArgs, _ctx: &mut Context) -> anyhow::Result<()> {
    let addr = args.addr;
    apptctl_server::dev::start_dev(dev_options(args)?)
        .await
        .map_err(|err| explain_bind_failure(err, addr))
}

/// A port already taken or not ours to bind is the user's to fix, not a bug:
/// say so with the way out, as a usage error.
#[cfg(feature = "server")]
fn explain_bind_failure(err: anyhow::Error, addr: std::net::SocketAddr) -> anyhow::Error {
    let io_kind = err
        .chain()
        .find_map(|cause| cause.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    let message = match io_kind {
        Some(std::io::ErrorKind::AddrInUse) => format!("{addr} is already in use"),
        Some(std::io::ErrorKind::PermissionDenied) => format!("not allowed to listen on {addr}"),
        Some(std::io::ErrorKind::AddrNotAvailable) => {
            format!("{addr} is not an address of this machine")
        }
        _ => return err,
    };
    CliError::usage(message)
        .with_hint("stop what listens there, or pass --addr 127.0.0.1:0 to take a free port")
        .into()
}

/// The flags as the server crate's options.
#[cfg(feature = "server")]
fn dev_options(args: StartDevArgs) -> Result<apptctl_server::dev::DevOptions, CliError> {
    use apptctl_server::database::Database;

    let postgres = match args.database_url {
        Some(url) => match database_of(None, Some(url), args.db_pool_size, "start-dev")? {
            Database::Postgres(options) => Some(options),
            Database::Sqlite(_) => None,
        },
        None => None,
    };
    Ok(apptctl_server::dev::DevOptions {
        addr: args.addr,
        db: args.db,
        postgres,
        seed_demo: args.seed == Seed::Demo,
        extra_records: u64::from(args.records),
        otp_fixed: args.otp_fixed,
        fault_rate: args.fault_rate,
        latency_ms: args.latency,
        clock: args.clock,
        rate_limit_per_sec: args.rate_limit,
        cutoff_hours: args.cutoff_hours,
    })
}

/// The database the flags name: `--database-url` (PostgreSQL) or `--db`
/// (an SQLite file); clap already refuses both at once.
#[cfg(feature = "server")]
fn database_of(
    db: Option<PathBuf>,
    url: Option<String>,
    pool_size: u32,
    command: &str,
) -> Result<apptctl_server::database::Database, CliError> {
    use apptctl_server::database::Database;
    use apptctl_server::store::pg::{is_postgres_url, redact_url, PgOptions};

    match (db, url) {
        (_, Some(url)) if !is_postgres_url(&url) => Err(CliError::usage(format!(
            "--database-url {} is not a PostgreSQL URL",
            redact_url(&url)
        ))
        .with_hint("write it as postgres://USER:PASSWORD@HOST:5432/DATABASE, or use --db FILE")),
        (_, Some(url)) => {
            let mut options = PgOptions::new(url);
            options.pool_size = pool_size;
            Ok(Database::Postgres(options))
        }
        (Some(path), None) => Ok(Database::Sqlite(path)),
        (None, None) => Err(CliError::usage(format!(
            "server {command} needs a database: --db PATH (or APPTCTL_DB), \
             or --database-url URL (or DATABASE_URL)"
        ))
        .with_hint("create one with `apptctl server migrate --db PATH`")),
    }
}

#[cfg(feature = "server")]
async fn start(args: StartArgs, _ctx: &mut Context) -> anyhow::Result<()> {
    use apptctl_server::production::{self, StartError};

    let opts = production_options(args)?;
    let addr = opts.addr;
    let migrate_command = migrate_command(&opts.db);
    production::start(opts)
        .await
        .map_err(|err| match err.downcast_ref::<StartError>() {
            Some(StartError::NoDatabase(path)) => CliError::usage(err.to_string())
                .with_hint(format!(
                    "create it first: apptctl server migrate --db {}",
                    path.display()
                ))
                .into(),
            Some(StartError::MigrationsPending { .. }) => CliError::usage(err.to_string())
                .with_hint(format!("back the database up, then run: {migrate_command}"))
                .into(),
            Some(StartError::SchemaNewer { .. }) => CliError::usage(err.to_string())
                .with_hint("run the apptctl release that migrated it, or a newer one")
                .into(),
            Some(StartError::Unreadable(_)) => explain_database_failure(err),
            None => explain_bind_failure(explain_database_failure(err), addr),
        })
}

/// A PostgreSQL server that cannot be reached is the network's or the
/// operator's to fix, not a bug: exit with the network class and a hint.
#[cfg(feature = "server")]
fn explain_database_failure(err: anyhow::Error) -> anyhow::Error {
    if !apptctl_server::store::pg::is_unreachable(&err) {
        return err;
    }
    CliError::new(
        apptctl_api::ErrorClass::Network,
        format!("cannot reach the database: {err:#}"),
    )
    .with_hint("check that PostgreSQL runs there and that --database-url (DATABASE_URL) is right")
    .into()
}

/// The `server migrate` command line for `db`, password left out.
#[cfg(feature = "server")]
fn migrate_command(db: &apptctl_server::database::Database) -> String {
    use apptctl_server::database::Database;

    match db {
        Database::Sqlite(path) => format!("apptctl server migrate --db {}", path.display()),
        Database::Postgres(_) => format!("apptctl server migrate --database-url '{db}'"),
    }
}

/// Checks what clap cannot: no dev-only flag, and a database given.
#[cfg(feature = "server")]
fn production_options(
    args: StartArgs,
) -> Result<apptctl_server::production::ProductionOptions, CliError> {
    if let Some(flag) = args.dev_only.first_given() {
        return Err(
            CliError::usage(format!("{flag} is for the dev server only")).with_hint(
                "drop it, or run `apptctl server start-dev` to try things with demo data",
            ),
        );
    }
    let db = database_of(args.db, args.database_url, args.db_pool_size, "start")?;
    let max_body_bytes = usize::try_from(args.body_limit)
        .map_err(|_| CliError::usage(format!("--body-limit {} is too large", args.body_limit)))?;
    Ok(apptctl_server::production::ProductionOptions {
        addr: args.addr,
        db,
        rate_limit_per_sec: args.rate_limit,
        cutoff_hours: args.cutoff_hours,
        request_timeout: std::time::Duration::from_secs(args.request_timeout),
        max_body_bytes,
        drain: std::time::Duration::from_secs(args.drain_timeout),
    })
}

#[cfg(feature = "server")]
async fn migrate(args: MigrateArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let db = database_of(args.db, args.database_url, 1, "migrate")?;
    let shown = db.to_string();
    let applied = tokio::task::spawn_blocking(move || apptctl_server::production::migrate(&db))
        .await?
        .map_err(explain_database_failure)
        .map_err(
            |err| match err.downcast_ref::<apptctl_server::production::StartError>() {
                Some(_) => CliError::usage(err.to_string())
                    .with_hint("run the apptctl release that migrated it, or a newer one")
                    .into(),
                None => err,
            },
        )?;
    if ctx.out.is_json() {
        let names: Vec<&str> = applied.iter().map(|m| m.name).collect();
        ctx.out.json(&serde_json::json!({
            "database": shown,
            "applied": names,
        }))?;
    } else if applied.is_empty() {
        ctx.out
            .line(format!("{shown}: up to date, nothing applied"))?;
    } else {
        for migration in &applied {
            ctx.out.line(format!("applied {}", migration.name))?;
        }
    }
    Ok(())
}

#[cfg(feature = "server")]
async fn create_account(args: CreateAccountArgs, ctx: &mut Context) -> anyhow::Result<()> {
    use apptctl_server::production::{self, AccountRequest, CreateAccountError, StartError};
    use apptctl_server::store::sqlite::AccountError;

    let db = database_of(args.db, args.database_url, 1, "create-account")?;
    let password = crate::prompt::secret_from_stdin("password")?;
    let request = AccountRequest {
        name: args.name.clone().unwrap_or_else(|| args.username.clone()),
        username: args.username.clone(),
        role: match args.role {
            AccountRole::Applicant => apptctl_api::auth::Role::Applicant,
            AccountRole::Manager => apptctl_api::auth::Role::Manager,
        },
        password: password.expose().to_string(),
        two_factor: !args.no_two_factor,
        phone: args.phone,
        email: args.email,
        departments: args.departments,
    };
    let created =
        tokio::task::spawn_blocking(move || production::create_account(&db, request)).await?;
    let user_id = created.map_err(|err| {
        let message = err.to_string();
        match err {
            CreateAccountError::WeakPassword
            | CreateAccountError::ManagerWithoutDepartment
            | CreateAccountError::ApplicantWithDepartment
            | CreateAccountError::Account(AccountError::UnknownDepartment(_)) => {
                CliError::invalid_input(message)
            }
            CreateAccountError::Account(AccountError::Exists(_)) => {
                CliError::new(apptctl_api::ErrorClass::Conflict, message)
            }
            CreateAccountError::Start(StartError::NoDatabase(_))
            | CreateAccountError::Start(StartError::MigrationsPending { .. })
            | CreateAccountError::Start(StartError::SchemaNewer { .. }) => CliError::usage(message)
                .with_hint("run `apptctl server migrate` with the same --db or --database-url"),
            CreateAccountError::Start(StartError::Unreadable(inner))
            | CreateAccountError::Account(AccountError::Storage(inner)) => {
                match explain_database_failure(inner).downcast::<CliError>() {
                    Ok(unreachable) => unreachable,
                    Err(inner) => CliError::internal(format!("{inner:#}")),
                }
            }
        }
    })?;
    ctx.out
        .chatter(format!("created account {} (id {user_id})", args.username));
    Ok(())
}

#[cfg(feature = "server")]
async fn import_sqlite(args: ImportSqliteArgs, ctx: &mut Context) -> anyhow::Result<()> {
    use apptctl_server::database::Database;
    use apptctl_server::production::{self, StartError};
    use apptctl_server::store::pg::transfer::CopyRefused;

    let Database::Postgres(target) =
        database_of(None, Some(args.database_url), 1, "import-sqlite")?
    else {
        return Err(CliError::usage("--database-url must name a PostgreSQL database").into());
    };
    let shown = Database::Postgres(target.clone()).to_string();
    let source = args.db.clone();
    let report = tokio::task::spawn_blocking(move || production::import_sqlite(&source, &target))
        .await?
        .map_err(explain_database_failure)
        .map_err(|err| {
            let message = err.to_string();
            if let Some(refused) = err.downcast_ref::<CopyRefused>() {
                return match refused {
                    CopyRefused::NotEmpty { .. } => {
                        CliError::new(apptctl_api::ErrorClass::Conflict, message)
                            .with_hint("import into a new database: createdb, then server migrate")
                            .into()
                    }
                    CopyRefused::NotMigrated(_) => CliError::usage(message).into(),
                };
            }
            match err.downcast_ref::<StartError>() {
                Some(StartError::Unreadable(_)) | None => err,
                Some(StartError::NoDatabase(_)) => CliError::usage(message)
                    .with_hint("check the --db path: it names the SQLite file to copy")
                    .into(),
                Some(_) => CliError::usage(message)
                    .with_hint("run `apptctl server migrate` on it with this apptctl first")
                    .into(),
            }
        })?;

    if ctx.out.is_json() {
        let tables: serde_json::Map<String, serde_json::Value> = report
            .tables
            .iter()
            .map(|t| (t.table.to_string(), t.rows.into()))
            .collect();
        ctx.out.json(&serde_json::json!({
            "source": args.db.display().to_string(),
            "database": shown,
            "rows": report.total_rows(),
            "tables": tables,
        }))?;
    } else {
        for table in &report.tables {
            ctx.out
                .line(format!("{:<18} {:>9}", table.table, table.rows))?;
        }
        ctx.out.line(format!(
            "copied {} rows from {} into {shown}",
            report.total_rows(),
            args.db.display()
        ))?;
    }
    Ok(())
}

#[cfg(not(feature = "server"))]
async fn import_sqlite(_args: ImportSqliteArgs, _ctx: &mut Context) -> anyhow::Result<()> {
    Err(without_server())
}

#[cfg(not(feature = "server"))]
async fn start_dev(_args: StartDevArgs, _ctx: &mut Context) -> anyhow::Result<()> {
    Err(without_server())
}

#[cfg(not(feature = "server"))]
async fn start(_args: StartArgs, _ctx: &mut Context) -> anyhow::Result<()> {
    Err(without_server())
}

#[cfg(not(feature = "server"))]
async fn migrate(_args: MigrateArgs, _ctx: &mut Context) -> anyhow::Result<()> {
    Err(without_server())
}

#[cfg(not(feature = "server"))]
async fn create_account(_args: CreateAccountArgs, _ctx: &mut Context) -> anyhow::Result<()> {
    Err(without_server())
}

#[cfg(not(feature = "server"))]
fn without_server() -> anyhow::Error {
    CliError::usage("this apptctl was built without the reference service")
        .with_hint("build with the default `server` feature: cargo install apptctl")
        .into()
}
