//! Helpers of the reliability and security tests: a dev server on a port
//! and database the test chooses (so it can be killed and started again in
//! the same place) whose log the test can read, and a raw `/metrics` read
//! that goes around the CLI.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::{binary, TestEnv, CODE};

const LISTENING: &str = "apptctl dev server listening on ";

/// A dev server at a fixed port and database. Killed (SIGKILL) on drop.
pub struct PinnedServer {
    child: Child,
    pub url: String,
    pub port: u16,
    pub db: PathBuf,
    pub log: PathBuf,
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

impl PinnedServer {
    /// Starts `start-dev` on `port` with `db`; the server's stderr (its log,
    /// at `RUST_LOG=log_level`) goes to `log`, appended.
    /// A few tries: a port just freed by a killed server can take a moment
    /// to be free again.
    pub fn start(port: u16, db: &Path, log: &Path, log_level: &str, extra: &[&str]) -> Self {
        for _ in 0..20 {
            if let Some(server) = Self::try_start(port, db, log, log_level, extra) {
                return server;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        let text = std::fs::read_to_string(log).unwrap_or_default();
        panic!("the dev server did not start on port {port}: {text}");
    }

    fn try_start(port: u16, db: &Path, log: &Path, level: &str, extra: &[&str]) -> Option<Self> {
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("open the server log");
        let mut child = Command::new(binary())
            .args(["server", "start-dev", "--otp-fixed", CODE, "--addr"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--db")
            .arg(db)
            .args(extra)
            .env_clear()
            .env("HOME", db.parent().expect("db in a directory"))
            .env("RUST_LOG", level)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("start the dev server");
        let Some(url) = wait_for_listening(child.stdout.take().expect("piped stdout")) else {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        };
        Some(PinnedServer {
            child,
            url,
            port,
            db: db.to_path_buf(),
            log: log.to_path_buf(),
        })
    }

    pub fn env(&self) -> TestEnv {
        TestEnv::new(&self.url)
    }

    /// SIGKILL: no shutdown, no flush beyond what SQLite committed.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The server's log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for PinnedServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The address the server prints, or `None` when it exits first.
fn wait_for_listening(stdout: std::process::ChildStdout) -> Option<String> {
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
    received.recv_timeout(Duration::from_secs(120)).ok()
}

/// The server's Prometheus text, fetched without the CLI (and so without
/// its retries: `/metrics` never meets injected faults).
pub fn metrics(url: &str) -> String {
    let address = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).expect("connect for /metrics");
    let request = format!("GET /metrics HTTP/1.0\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut text = String::new();
    stream.read_to_string(&mut text).expect("read /metrics");
    text
}

/// The sum of every sample of `name` whose labels contain all of `labels`.
pub fn metric_sum(text: &str, name: &str, labels: &[&str]) -> u64 {
    text.lines()
        .filter(|line| line.starts_with(&format!("{name}{{")))
        .filter(|line| labels.iter().all(|label| line.contains(label)))
        .filter_map(|line| line.rsplit(' ').next()?.trim().parse::<f64>().ok())
        .map(|value| value as u64)
        .sum()
}
