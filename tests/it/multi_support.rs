//! Support for the multi-instance tests: a fresh PostgreSQL database with the
//! demo data, two production `apptctl server start` processes sharing it, a
//! round-robin TCP proxy in front of them, one-time codes read from the
//! notifications outbox the way a delivery worker reads it, the CLI on a
//! pseudo-terminal that types such a code when asked, and a small HTTP
//! client for the API.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::process::{Child, Command as StdCommand, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use apptctl_server::store::pg::testing::TempDatabase;
use postgres::types::ToSql;
use postgres::{Client, NoTls};
use serde_json::{json, Value};

use crate::support::{binary, TestEnv};

/// What `server start` prints once it accepts connections.
const LISTENING: &str = "apptctl server listening on ";

/// What `server start-dev` prints once it accepts connections.
const DEV_LISTENING: &str = "apptctl dev server listening on ";

/// How long a server may take to start (the dev one seeds first).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a prompt or a command on the pseudo-terminal may take.
const PATIENCE: Duration = Duration::from_secs(30);

/// A fresh database with the demo data and two production instances on it.
pub struct Cluster {
    pub instances: Vec<Instance>,
    // Dropped after the instances (fields drop in order), so no server is
    // connected when the database goes.
    pub db: TempDatabase,
}

impl Cluster {
    /// A migrated database seeded with the demo data (and `records` extra
    /// records for demo), served by two `server start` processes with the
    /// extra `flags`.
    pub fn start(records: u32, flags: &[&str]) -> Cluster {
        let db = TempDatabase::create().expect("a test database (set APPTCTL_TEST_POSTGRES_URL)");
        migrate(db.url());
        seed(db.url(), records);
        let instances = (0..2).map(|_| Instance::start(db.url(), flags)).collect();
        Cluster { instances, db }
    }

    pub fn urls(&self) -> Vec<String> {
        self.instances.iter().map(|i| i.url.clone()).collect()
    }

    /// A direct connection to the shared database.
    pub fn sql(&self) -> Client {
        Client::connect(self.db.url(), NoTls).expect("connect to the test database")
    }

    /// The first column of the first row of `query`, a BIGINT (or COUNT).
    pub fn number(&self, query: &str, params: &[&(dyn ToSql + Sync)]) -> i64 {
        let row = self.sql().query_one(query, params).expect(query);
        row.try_get(0).expect("a BIGINT column")
    }

    /// The latest one-time code sent to `username` by SMS.
    pub fn latest_code(&self, username: &str) -> String {
        latest_code(self.db.url(), username)
    }
}

fn migrate(url: &str) {
    let output = quiet_binary()
        .args(["server", "migrate", "--database-url", url])
        .output()
        .expect("run server migrate");
    assert!(
        output.status.success(),
        "server migrate: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs `start-dev` once: on an empty PostgreSQL database it seeds the demo
/// accounts and records; it is stopped as soon as it listens.
fn seed(url: &str, records: u32) {
    let mut command = quiet_binary();
    command
        .args(["server", "start-dev", "--addr", "127.0.0.1:0"])
        .args(["--database-url", url, "--records", &records.to_string()]);
    let (child, _) = spawn_listening(command, DEV_LISTENING);
    let mut seeding = Instance {
        child: Some(child),
        url: String::new(),
        _home: None,
    };
    seeding.stop();
}

/// The binary with a clean environment and quiet logs.
fn quiet_binary() -> StdCommand {
    let mut command = StdCommand::new(binary());
    command
        .env_clear()
        .env("HOME", std::env::temp_dir())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null());
    command
}

/// One `apptctl server start` process, stopped (SIGTERM, then wait) on drop.
pub struct Instance {
    child: Option<Child>,
    pub url: String,
    // A home and temp dir of its own: instances share nothing but the
    // database, as on separate machines.
    _home: Option<tempfile::TempDir>,
}

impl Instance {
    fn start(url: &str, flags: &[&str]) -> Instance {
        let home = tempfile::tempdir().expect("temp dir");
        let mut command = quiet_binary();
        command
            .args([
                "server",
                "start",
                "--addr",
                "127.0.0.1:0",
                "--drain-timeout",
                "2",
            ])
            .args(["--database-url", url])
            .args(flags)
            .env("HOME", home.path())
            .env("TMPDIR", home.path());
        let (child, url) = spawn_listening(command, LISTENING);
        Instance {
            child: Some(child),
            url,
            _home: Some(home),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.url
            .trim_start_matches("http://")
            .parse()
            .expect("a host:port URL")
    }

    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(pid) = libc::pid_t::try_from(child.id()) {
            // SAFETY: sends a signal to our own child process.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Spawns `command`, waits for its `prefix` line on stdout and returns the
/// address after it; stdout keeps being drained so the server never blocks.
fn spawn_listening(mut command: StdCommand, prefix: &'static str) -> (Child, String) {
    command.stdout(Stdio::piped()).stderr(Stdio::null());
    die_with_parent(&mut command);
    let mut child = command.spawn().expect("start the server");
    let stdout = child.stdout.take().expect("piped stdout");
    let (sent, received) = mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = Some(sent);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix(prefix) {
                if let Some(sender) = sent.take() {
                    let _ = sender.send(url.trim().to_string());
                }
            }
        }
    });
    match received.recv_timeout(START_TIMEOUT) {
        Ok(url) => (child, url),
        Err(_) => {
            let _ = child.kill();
            let status = child.wait();
            panic!("the server did not say where it listens (exit: {status:?})");
        }
    }
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
fn die_with_parent(_command: &mut StdCommand) {}

/// The latest SMS to `username` in the outbox, and the 6-digit code in it.
pub fn latest_code(db_url: &str, username: &str) -> String {
    let mut sql = Client::connect(db_url, NoTls).expect("connect to the test database");
    let row = sql
        .query_opt(
            "SELECT n.body FROM notifications n JOIN users u ON u.id = n.user_id \
             WHERE u.username = $1 AND n.channel = 'sms' ORDER BY n.id DESC LIMIT 1",
            &[&username],
        )
        .expect("read the outbox")
        .unwrap_or_else(|| panic!("no SMS to {username} in the outbox"));
    let body: String = row.try_get(0).expect("a text body");
    six_digits(&body).unwrap_or_else(|| panic!("no code in the SMS {body:?}"))
}

/// The first run of exactly six digits in `text`.
fn six_digits(text: &str) -> Option<String> {
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        if run.len() == 6 {
            return Some(run);
        }
        run.clear();
    }
    None
}

/// A round-robin TCP proxy: each new connection goes to the next backend.
/// Counts the connections each backend got.
pub struct Proxy {
    pub url: String,
    served: Arc<Vec<AtomicUsize>>,
    // Owns the proxy's tasks: dropping the proxy stops them.
    _runtime: tokio::runtime::Runtime,
}

impl Proxy {
    pub fn start(backends: Vec<SocketAddr>) -> Proxy {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the proxy");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind the proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy address"));
        let served: Arc<Vec<AtomicUsize>> =
            Arc::new(backends.iter().map(|_| AtomicUsize::new(0)).collect());
        runtime.spawn(accept(listener, backends, served.clone()));
        Proxy {
            url,
            served,
            _runtime: runtime,
        }
    }

    /// Connections per backend so far.
    pub fn served(&self) -> Vec<usize> {
        self.served
            .iter()
            .map(|n| n.load(Ordering::SeqCst))
            .collect()
    }
}

async fn accept(
    listener: tokio::net::TcpListener,
    backends: Vec<SocketAddr>,
    served: Arc<Vec<AtomicUsize>>,
) {
    let mut next = 0;
    while let Ok((mut inbound, _)) = listener.accept().await {
        let pick = next % backends.len();
        next += 1;
        served[pick].fetch_add(1, Ordering::SeqCst);
        let backend = backends[pick];
        tokio::spawn(async move {
            if let Ok(mut outbound) = tokio::net::TcpStream::connect(backend).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}

/// What a command on the pseudo-terminal did.
pub struct Terminal {
    pub code: Option<i32>,
    /// What the command wrote to stdout (redirected to a file).
    pub stdout: String,
    /// What the terminal showed (prompts, stderr).
    pub screen: String,
}

/// Runs `apptctl ARGS` on a pseudo-terminal (script(1)) with stdout in a
/// file. `stdin` is typed first, then end of input (^D), for a command with
/// `--password-stdin`; at the one-time code prompt it types the code
/// `code_of` reads once the prompt shows (so the challenge it answers
/// exists).
pub fn on_terminal(
    env: &TestEnv,
    args: &[&str],
    stdin: Option<&str>,
    code_of: impl FnOnce() -> String,
) -> Terminal {
    let out = env.dir.path().join("terminal-stdout");
    let mut line = quote(binary().to_str().expect("a UTF-8 path"));
    for arg in args {
        line.push(' ');
        line.push_str(&quote(arg));
    }
    line.push_str(" >");
    line.push_str(&quote(out.to_str().expect("a UTF-8 path")));

    let template = env.std_cmd(&[]);
    let mut command = StdCommand::new("script");
    command.args(["-qec", &line, "/dev/null"]).env_clear();
    for (key, value) in template.get_envs() {
        if let Some(value) = value {
            command.env(key, value);
        }
    }
    command.env("PATH", "/usr/bin:/bin").env("TERM", "xterm");
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script(1)");

    let (sent, received) = mpsc::channel::<Vec<u8>>();
    let mut screen_out = child.stdout.take().expect("piped stdout");
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = screen_out.read(&mut buffer) {
            if n == 0 || sent.send(buffer[..n].to_vec()).is_err() {
                break;
            }
        }
    });

    let mut screen = Vec::new();
    let given = stdin;
    let mut stdin = child.stdin.take().expect("piped stdin");
    if let Some(text) = given {
        // A terminal ends the input at a ^D that starts a line; it is not
        // sticky, so the code prompt (which opens /dev/tty) still reads.
        let typed = format!("{text}\n\x04");
        stdin
            .write_all(typed.as_bytes())
            .expect("type on the terminal");
        stdin.flush().expect("flush the terminal");
    }
    // A command that sends nothing needing a code ends without asking.
    if wait_for(&received, &mut screen, "one-time code") {
        type_line(&mut stdin, &code_of());
    }

    let deadline = Instant::now() + PATIENCE;
    while let Ok(chunk) = received.recv_timeout(deadline.saturating_duration_since(Instant::now()))
    {
        screen.extend(chunk);
    }
    drop(stdin);
    let status = child.wait().expect("wait for script(1)");
    Terminal {
        code: status.code(),
        stdout: std::fs::read_to_string(&out).unwrap_or_default(),
        screen: String::from_utf8_lossy(&screen).into_owned(),
    }
}

fn type_line(stdin: &mut std::process::ChildStdin, text: &str) {
    // The prompt is printed just before echo is switched off; typing at once
    // could race it, as no person types that fast.
    std::thread::sleep(Duration::from_millis(200));
    stdin
        .write_all(format!("{text}\n").as_bytes())
        .expect("type on the terminal");
    stdin.flush().expect("flush the terminal");
}

/// Waits until the screen shows `prompt` (true) or the command ends
/// without it (false).
fn wait_for(received: &mpsc::Receiver<Vec<u8>>, screen: &mut Vec<u8>, prompt: &str) -> bool {
    let deadline = Instant::now() + PATIENCE;
    while !String::from_utf8_lossy(screen).contains(prompt) {
        let left = deadline.saturating_duration_since(Instant::now());
        match received.recv_timeout(left) {
            Ok(chunk) => screen.extend(chunk),
            Err(mpsc::RecvTimeoutError::Disconnected) => return false,
            Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                "no prompt {prompt:?}; screen: {}",
                String::from_utf8_lossy(screen)
            ),
        }
    }
    true
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// An HTTP answer: status, headers of interest and the JSON body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub replayed: bool,
    pub body: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

/// The API of several instances, one HTTP client.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    pub urls: Vec<String>,
    db_url: String,
}

impl Api {
    pub fn new(cluster: &Cluster) -> Api {
        Api {
            client: reqwest::Client::new(),
            urls: cluster.urls(),
            db_url: cluster.db.url().to_string(),
        }
    }

    /// `POST path` on instance `at` (modulo the count), with a bearer token
    /// when given and an idempotency key (a fresh one when `key` is None).
    pub async fn post(
        &self,
        at: usize,
        token: Option<&str>,
        path: &str,
        key: Option<&str>,
        body: Value,
    ) -> Answer {
        let url = format!("{}{path}", self.urls[at % self.urls.len()]);
        let key = key.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string);
        let mut request = self
            .client
            .post(url)
            .header("Idempotency-Key", key)
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        answer(request.send().await.expect("send a POST")).await
    }

    pub async fn delete(&self, at: usize, token: &str, path: &str) -> Answer {
        let url = format!("{}{path}", self.urls[at % self.urls.len()]);
        let request = self.client.delete(url).bearer_auth(token);
        answer(request.send().await.expect("send a DELETE")).await
    }

    pub async fn get(&self, at: usize, token: &str, path: &str) -> Answer {
        let url = format!("{}{path}", self.urls[at % self.urls.len()]);
        let request = self.client.get(url).bearer_auth(token);
        answer(request.send().await.expect("send a GET")).await
    }

    /// A session of `username` by password and the code from the outbox;
    /// the steps alternate between the instances.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let body = json!({"username": username, "password": password});
        let started = self.post(0, None, "/v1/sessions", None, body).await;
        assert_eq!(started.status, 202, "login: {:#}", started.body);
        let challenge = started.body["challenge"]["id"]
            .as_str()
            .expect("a challenge id")
            .to_string();
        self.confirm(1, None, &challenge, username).await;

        let body = json!({"challenge_id": challenge});
        let finished = self.post(0, None, "/v1/sessions", None, body).await;
        assert_eq!(finished.status, 201, "login: {:#}", finished.body);
        finished.body["session"]["token"]
            .as_str()
            .expect("a session token")
            .to_string()
    }

    /// An automation token with `scopes`, created from `session` after the
    /// code check.
    pub async fn token(&self, session: &str, username: &str, scopes: &[&str]) -> String {
        let body = json!({"name": "multi-instance", "scopes": scopes});
        let started = self
            .post(1, Some(session), "/v1/tokens", None, body.clone())
            .await;
        assert_eq!(started.status, 202, "token: {:#}", started.body);
        let challenge = started.body["challenge"]["id"]
            .as_str()
            .expect("a challenge id")
            .to_string();
        self.confirm(0, Some(session), &challenge, username).await;

        let mut body = body;
        body["challenge_id"] = json!(challenge);
        let created = self.post(1, Some(session), "/v1/tokens", None, body).await;
        assert_eq!(created.status, 201, "token: {:#}", created.body);
        created.body["secret"]
            .as_str()
            .expect("a token secret")
            .to_string()
    }

    async fn confirm(&self, at: usize, token: Option<&str>, challenge: &str, username: &str) {
        let code = self.code(username).await;
        let path = format!("/v1/challenges/{challenge}/confirm");
        let confirmed = self
            .post(at, token, &path, None, json!({ "code": code }))
            .await;
        assert_eq!(confirmed.status, 200, "confirm: {:#}", confirmed.body);
    }

    /// The latest code of `username`, read off the async workers (the
    /// postgres client runs a runtime of its own).
    pub async fn code(&self, username: &str) -> String {
        let db_url = self.db_url.clone();
        let username = username.to_string();
        tokio::task::spawn_blocking(move || latest_code(&db_url, &username))
            .await
            .expect("read the outbox")
    }
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let replayed = response.headers().contains_key("idempotent-replayed");
    let text = response.text().await.expect("read a body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        replayed,
        body,
    }
}

/// Runs `work` on a fresh multi-threaded runtime (the tests keep blocking
/// database checks outside of it).
pub fn block_on<F: std::future::Future>(work: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("a test runtime")
        .block_on(work)
}

#[cfg(test)]
mod tests {
    use super::six_digits;

    #[test]
    fn the_code_is_the_run_of_six_digits() {
        assert_eq!(
            six_digits("Code 042917 for R0000000013, valid 10 min").as_deref(),
            Some("042917")
        );
        assert_eq!(six_digits("no code 12345 1234567"), None);
    }
}
