//! Test support: the real `apptctl` binary, a real dev server it starts on
//! port 0, and hermetic command builders (temporary config, state and home
//! directories; no inherited environment; stdin not a terminal).

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::Duration;

use assert_cmd::Command;
use tempfile::TempDir;

/// The one-time code every dev server in these tests uses.
pub const CODE: &str = "123456";

/// The line the dev server prints once it accepts connections.
const LISTENING: &str = "apptctl dev server listening on ";

/// How long a dev server may take to start (it seeds a database first).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Bulk records of the shared server: enough for more than one full page.
pub const SHARED_BULK_RECORDS: usize = 1100;

/// The demo accounts of `--seed demo`: username and password.
pub const DEMO: (&str, &str) = ("demo", "demo12345");
pub const MANAGER: (&str, &str) = ("manager", "manager12345");
pub const OTHER: (&str, &str) = ("other", "other12345");

pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_apptctl"))
}

/// A dev server child process, killed when dropped.
pub struct DevServer {
    child: Option<Child>,
    pub url: String,
    _dir: TempDir,
}

impl DevServer {
    /// Starts `apptctl server start-dev` on a free port with a database in a
    /// temporary directory, plus `extra` flags.
    pub fn start(extra: &[&str]) -> DevServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let (child, url) = spawn_server(&dir.path().join("dev.db"), extra);
        DevServer {
            child: Some(child),
            url,
            _dir: dir,
        }
    }

    /// The server shared by every test of this binary that does not need
    /// special flags. Its process dies with the test binary (Linux: the
    /// parent-death signal; see [`spawn_server`]).
    pub fn shared() -> &'static DevServer {
        static SHARED: OnceLock<DevServer> = OnceLock::new();
        SHARED.get_or_init(|| DevServer::start(&["--records", &SHARED_BULK_RECORDS.to_string()]))
    }

    /// A hermetic environment talking to this server.
    pub fn env(&self) -> TestEnv {
        TestEnv::new(&self.url)
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Spawns the server from a thread that lives as long as the test process,
/// so the parent-death signal (tied to the spawning thread on Linux) fires
/// only when the whole test binary ends.
fn spawn_server(db: &Path, extra: &[&str]) -> (Child, String) {
    let home = db.parent().expect("db in a directory");
    let mut command = StdCommand::new(binary());
    command
        .args([
            "server",
            "start-dev",
            "--addr",
            "127.0.0.1:0",
            "--otp-fixed",
            CODE,
            "--db",
        ])
        .arg(db)
        .args(extra)
        .env_clear()
        .env("HOME", home)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    die_with_parent(&mut command);

    let (sent, received) = mpsc::channel();
    std::thread::spawn(move || {
        let spawned = command.spawn();
        let _ = sent.send(spawned);
        loop {
            std::thread::park();
        }
    });
    let mut child = received
        .recv()
        .expect("spawner thread")
        .expect("start the dev server");
    let stdout = child.stdout.take().expect("piped stdout");
    let url = wait_for_listening(stdout);
    (child, url)
}

#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut StdCommand) {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe and touches no memory of ours.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_command: &mut StdCommand) {
    // Elsewhere a shared server outlives a killed test binary; the dropped
    // per-test servers are still cleaned up.
}

/// Reads the server's stdout until it says where it listens; keeps draining
/// it afterwards so the server never blocks on a full pipe.
fn wait_for_listening(stdout: std::process::ChildStdout) -> String {
    let (sent, received) = mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = Some(sent);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix(LISTENING) {
                if let Some(sender) = sent.take() {
                    let _ = sender.send(url.trim().to_string());
                }
            }
        }
    });
    received
        .recv_timeout(START_TIMEOUT)
        .expect("the dev server did not say where it listens")
}

/// A hermetic environment: its own config, state and home directories.
pub struct TestEnv {
    pub dir: TempDir,
    pub server: String,
}

impl TestEnv {
    pub fn new(server: &str) -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("temp dir"),
            server: server.to_string(),
        }
    }

    /// An environment pointing at a port where nothing listens.
    pub fn closed_port() -> TestEnv {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        drop(listener);
        TestEnv::new(&format!("http://127.0.0.1:{port}"))
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    pub fn credentials_file(&self) -> PathBuf {
        self.config_dir().join("apptctl").join("credentials.toml")
    }

    /// `apptctl` with only the variables a test sets, as a std command (for
    /// tests that manage the pipes themselves).
    pub fn std_cmd(&self, args: &[&str]) -> StdCommand {
        let mut command = StdCommand::new(binary());
        command
            .args(args)
            .env_clear()
            .env("XDG_CONFIG_HOME", self.config_dir())
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("HOME", self.dir.path().join("home"))
            .env("APPTCTL_SERVER", &self.server)
            .env("CI", "true");
        command
    }

    /// `apptctl` with only the variables a test sets.
    pub fn cmd(&self) -> Command {
        let mut command = Command::from_std(self.std_cmd(&[]));
        command.timeout(Duration::from_secs(60));
        command
    }

    /// `apptctl ARGS` with the given arguments.
    pub fn run(&self, args: &[&str]) -> Command {
        let mut command = self.cmd();
        command.args(args);
        command
    }

    /// Logs in with a password and the fixed one-time code.
    pub fn login(&self, account: (&str, &str)) {
        self.run(&[
            "login",
            "--username",
            account.0,
            "--password-stdin",
            "--code",
            CODE,
        ])
        .write_stdin(format!("{}\n", account.1))
        .assert()
        .success();
    }

    /// Creates an automation token with `scopes` (comma list) from a logged-in
    /// session and returns its secret.
    pub fn create_token(&self, name: &str, scopes: &str) -> String {
        let output = self
            .run(&[
                "token", "create", "--name", name, "--scope", scopes, "--code", CODE, "-q",
            ])
            .output()
            .expect("run token create");
        assert!(output.status.success(), "token create: {}", stderr(&output));
        String::from_utf8(output.stdout)
            .expect("utf-8")
            .trim()
            .to_string()
    }
}

pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Parses a stdout that should be one JSON document.
pub fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("stdout is not JSON ({err}): {}", stdout(output)))
}

/// Parses the JSON error object `-o json` writes to stderr.
pub fn json_error(output: &std::process::Output) -> serde_json::Value {
    let text = stderr(output);
    let line = text
        .lines()
        .find(|l| l.starts_with("{\"error\""))
        .unwrap_or_else(|| {
            panic!("no JSON error on stderr: {text}");
        });
    serde_json::from_str(line).expect("error JSON")
}

/// A scripted HTTP endpoint for transport behaviour the real service cannot
/// be made to show on demand (every attempt failing, a connection dropped
/// after the request). It records each request's head and answers with
/// `answer` (or closes the connection when `answer` is `None`).
pub struct ScriptedEndpoint {
    pub url: String,
    requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl ScriptedEndpoint {
    pub fn start(answer: Option<String>) -> ScriptedEndpoint {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                serve_one(stream, answer.as_deref(), &seen);
            }
        });
        ScriptedEndpoint { url, requests }
    }

    /// The heads of the requests received so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("lock").clone()
    }
}

fn serve_one(
    mut stream: std::net::TcpStream,
    answer: Option<&str>,
    seen: &std::sync::Mutex<Vec<String>>,
) {
    use std::io::{Read, Write};

    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(str::to_string)
        })
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    let _ = stream.read_exact(&mut body);
    seen.lock().expect("lock").push(head);
    if let Some(answer) = answer {
        let _ = stream.write_all(answer.as_bytes());
    }
}

/// A 503 problem+json answer that asks for no wait.
pub fn unavailable() -> String {
    let body = r#"{"type":"urn:apptctl:problem:unavailable","title":"unavailable","status":503,"detail":"down for maintenance","code":"unavailable","hint":"try later","request_id":"req-1"}"#;
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\n\
         retry-after: 0\r\nx-request-id: req-1\r\nconnection: close\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    )
}
