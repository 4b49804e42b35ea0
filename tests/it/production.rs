//! `apptctl server start`, `migrate` and `create-account`: the production
//! mode refuses dev-only settings and a missing or unmigrated database,
//! serves the API on a migrated database with an operator-created account,
//! logs JSON lines, drains a request in flight on SIGTERM, and moves an
//! SQLite database into PostgreSQL with `import-sqlite`.
//!
//! Accounts come from `server create-account` rather than a database filled
//! by `start-dev`: that is the path an operator takes, and it keeps demo data
//! out of the production test entirely.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command as StdCommand, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::str::contains;

use crate::support::{binary, TestEnv};

const LISTENING: &str = "apptctl server listening on ";
const PASSWORD: &str = "alice-pass-1";

/// The binary with a clean environment; `home` is a test's temp dir.
fn apptctl(home: &Path) -> Command {
    let mut command = Command::new(binary());
    command
        .env_clear()
        .env("HOME", home)
        .timeout(Duration::from_secs(60));
    command
}

fn home_of(db: &Path) -> &Path {
    db.parent().expect("db in a directory")
}

fn migrate(db: &Path) -> Command {
    let mut command = apptctl(home_of(db));
    command.args(["server", "migrate", "--db"]).arg(db);
    command
}

fn create_account(db: &Path, username: &str, extra: &[&str]) {
    apptctl(home_of(db))
        .args(["server", "create-account", "--db"])
        .arg(db)
        .args(["--username", username, "--role", "applicant"])
        .args(["--phone", "+7 900 000-00-00", "--email", "a@example.org"])
        .args(extra)
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .success();
}

#[test]
fn start_refuses_dev_only_flags_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("prod.db");
    for flag in [
        ["--otp-fixed", "123456"],
        ["--fault-rate", "0.5"],
        ["--latency", "20"],
        ["--clock", "2030-01-01T00:00:00Z"],
    ] {
        apptctl(dir.path())
            .args(["server", "start", "--db"])
            .arg(&db)
            .args(flag)
            .assert()
            .code(2)
            .stderr(contains(format!("{} is for the dev server only", flag[0])))
            .stderr(contains("hint:"));
    }
    assert!(!db.exists(), "a refused start must not create the database");
}

#[test]
fn start_refuses_a_missing_or_unmigrated_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    apptctl(dir.path())
        .args(["server", "start"])
        .assert()
        .code(2)
        .stderr(contains("needs a database"));

    let missing = dir.path().join("typo.db");
    apptctl(dir.path())
        .args(["server", "start", "--db"])
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(contains("no database"))
        .stderr(contains("server migrate"));
    assert!(
        !missing.exists(),
        "a mistyped path must not become a database"
    );

    // An empty file is an empty SQLite database: every migration is pending.
    let behind = dir.path().join("behind.db");
    std::fs::write(&behind, b"").expect("empty db");
    apptctl(dir.path())
        .args(["server", "start", "--db"])
        .arg(&behind)
        .env("APPTCTL_ADDR", "127.0.0.1:0")
        .assert()
        .code(2)
        .stderr(contains(
            "lacks migrations: 0001_initial, 0002_notification_delivery",
        ))
        .stderr(contains("apptctl server migrate --db"));
}

#[test]
fn migrate_applies_once_then_reports_up_to_date() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("prod.db");
    migrate(&db)
        .assert()
        .success()
        .stdout("applied 0001_initial\napplied 0002_notification_delivery\n");
    migrate(&db)
        .assert()
        .success()
        .stdout(contains("up to date, nothing applied"));

    let output = migrate(&db).args(["-o", "json"]).output().expect("run");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["applied"], serde_json::json!([]));
}

#[test]
fn create_account_keeps_the_password_policy_and_unique_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("prod.db");
    migrate(&db).assert().success();
    create_account(&db, "alice", &[]);

    let again = |password: &str, username: &str| {
        apptctl(dir.path())
            .args(["server", "create-account", "--db"])
            .arg(&db)
            .args(["--username", username, "--role", "applicant"])
            .args(["--phone", "1", "--email", "b@example.org"])
            .write_stdin(format!("{password}\n"))
            .assert()
    };
    again("short", "bob").code(3).stderr(contains("too weak"));
    again(PASSWORD, "alice")
        .code(5)
        .stderr(contains("already exists"));
}

/// The server child, killed if the test fails before it exits by itself.
struct Server {
    child: Child,
    url: String,
    log: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(db: &Path) -> Server {
        let mut child = StdCommand::new(binary())
            .args(["server", "start", "--addr", "127.0.0.1:0"])
            .env_clear()
            .env("HOME", home_of(db))
            .env("APPTCTL_DB", db)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let (log_sent, log) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = log_sent.send(line);
            }
        });
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("read stdout");
        let url = first
            .strip_prefix(LISTENING)
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .trim()
            .to_string();
        Server { child, url, log }
    }

    fn host_port(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// Log lines until one containing `needle` (returned with those before).
    fn log_until(&self, needle: &str) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut lines = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Ok(line) = self.log.recv_timeout(left) else {
                break;
            };
            let found = line.contains(needle);
            lines.push(line);
            if found {
                return lines;
            }
        }
        panic!("no log line with {needle:?} in {lines:#?}");
    }

    fn wait_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn http_get(host_port: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(host_port).expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host_port}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer
}

#[test]
fn start_serves_logs_json_and_drains_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("prod.db");
    migrate(&db).assert().success();
    create_account(&db, "alice", &["--no-two-factor"]);
    create_account(&db, "carol", &[]);
    let mut server = Server::start(&db);

    let health = http_get(server.host_port(), "/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains(r#""database_ok":true"#), "{health}");

    // The CLI against the production server, with the operator's account.
    let env = TestEnv::new(&server.url);
    env.run(&["login", "--username", "alice", "--password-stdin"])
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .success();
    env.run(&["whoami"])
        .assert()
        .success()
        .stdout(contains("alice"));
    env.run(&["list", "-q"]).assert().success().stdout("");

    // A two-factor login sends a code; production must not write it to the log.
    env.run(&["login", "--username", "carol", "--password-stdin"])
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .failure();

    // A request in flight when SIGTERM arrives: its body comes in two parts,
    // the second only once the server has logged that it is draining.
    let body = format!(r#"{{"username":"alice","password":"{PASSWORD}"}}"#);
    let (first, rest) = body.split_at(10);
    let mut slow = TcpStream::connect(server.host_port()).expect("connect");
    let head = format!(
        "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{first}",
        body.len()
    );
    slow.write_all(head.as_bytes())
        .expect("send the first part");
    std::thread::sleep(Duration::from_millis(100));

    let pid = libc::pid_t::try_from(server.child.id()).expect("pid");
    // SAFETY: sends a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let mut log = server.log_until("draining");
    assert!(
        refuses_new_connections(server.host_port()),
        "a draining server must not accept new connections"
    );

    slow.write_all(rest.as_bytes()).expect("send the rest");
    let mut answer = String::new();
    slow.read_to_string(&mut answer).expect("read the answer");
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert!(answer.contains(r#""token""#), "{answer}");

    let status = server.wait_exit();
    assert_eq!(status.code(), Some(0), "exit status after SIGTERM");

    log.extend(server.log.try_iter());
    assert_json_log(&log);
}

/// Every line parses as a JSON object with a level and a message, the
/// listening address is among them, and no line carries a one-time code.
fn assert_json_log(log: &[String]) {
    let events: Vec<serde_json::Value> = log
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    for event in &events {
        assert!(
            event["level"].is_string() && event["message"].is_string(),
            "{event}"
        );
        assert!(
            event.get("code").is_none(),
            "a one-time code in the log: {event}"
        );
    }
    assert!(
        events
            .iter()
            .any(|e| e["message"] == "listening" && e["addr"].is_string()),
        "{events:#?}"
    );
    assert!(
        events.iter().any(|e| e["message"]
            .as_str()
            .is_some_and(|m| m.contains("notifications outbox"))),
        "the two-factor login left no trace: {events:#?}"
    );
}

fn refuses_new_connections(host_port: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if TcpStream::connect(host_port).is_err() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Moving a one-machine deployment to PostgreSQL: `import-sqlite` copies
/// everything into an empty, migrated database once, and refuses a second
/// copy into the now non-empty one (exit 5) without touching it.
#[cfg(feature = "server")]
#[test]
fn import_sqlite_copies_into_an_empty_postgres_once() {
    use apptctl_server::store::pg::testing::TempDatabase;

    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("prod.db");
    migrate(&db).assert().success();
    create_account(&db, "alice", &[]);
    let postgres = TempDatabase::create().expect("a PostgreSQL test database");

    apptctl(dir.path())
        .args(["server", "import-sqlite", "--db"])
        .arg(&db)
        .args(["--database-url", postgres.url()])
        .assert()
        .code(2)
        .stderr(contains("lacks migrations"));

    apptctl(dir.path())
        .args(["server", "migrate", "--database-url", postgres.url()])
        .assert()
        .success();
    let output = apptctl(dir.path())
        .args(["server", "import-sqlite", "-o", "json", "--db"])
        .arg(&db)
        .args(["--database-url", postgres.url()])
        .output()
        .expect("run");
    assert!(output.status.success(), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["tables"]["users"], 1, "{report}");
    assert_eq!(report["tables"]["records"], 0, "{report}");

    apptctl(dir.path())
        .args(["server", "import-sqlite", "--db"])
        .arg(&db)
        .args(["--database-url", postgres.url()])
        .assert()
        .code(5)
        .stderr(contains("not empty"));

    let mut client = postgres::Client::connect(postgres.url(), postgres::NoTls).expect("connects");
    let users: i64 = client
        .query_one("SELECT COUNT(*) FROM users WHERE username = 'alice'", &[])
        .expect("counts")
        .get(0);
    assert_eq!(users, 1, "copied once");
}
