//! `cancel-batch` on a terminal, under a pseudo-terminal made by
//! `script(1)` (never the test runner's own): it asks before sending, asks
//! for the one-time code, and draws a progress bar on stderr.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::batch_support::{id_file, pool, session, status};
use crate::support::{binary, CODE};

const PATIENCE: Duration = Duration::from_secs(30);

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[test]
fn on_a_terminal_it_confirms_asks_for_the_code_and_shows_progress() {
    let pool = pool();
    let env = session(&pool.server);
    let ids = pool.take(20);
    let file = id_file(&env, "tty.txt", &ids);

    let mut line = shell_quote(binary().to_str().unwrap());
    for arg in ["cancel-batch", "--reason", "duplicate", "--file"] {
        line.push(' ');
        line.push_str(&shell_quote(arg));
    }
    line.push(' ');
    line.push_str(&shell_quote(file.to_str().unwrap()));

    let template = env.std_cmd(&[]);
    let mut command = Command::new("script");
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
    let mut stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buffer) {
            if n == 0 || sent.send(buffer[..n].to_vec()).is_err() {
                break;
            }
        }
    });

    let mut screen = Vec::new();
    let mut stdin = child.stdin.take().unwrap();
    for (prompt, answer) in [("cancel 20 record(s)", "y"), ("one-time code", CODE)] {
        let deadline = Instant::now() + PATIENCE;
        while !String::from_utf8_lossy(&screen).contains(prompt) {
            let left = deadline.saturating_duration_since(Instant::now());
            match received.recv_timeout(left) {
                Ok(chunk) => screen.extend(chunk),
                Err(_) => panic!("no {prompt:?}: {}", String::from_utf8_lossy(&screen)),
            }
        }
        std::thread::sleep(Duration::from_millis(200));
        stdin.write_all(format!("{answer}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }
    let deadline = Instant::now() + PATIENCE;
    while let Ok(chunk) = received.recv_timeout(deadline.saturating_duration_since(Instant::now()))
    {
        screen.extend(chunk);
    }
    drop(stdin);
    let code = child.wait().unwrap().code();
    let screen = String::from_utf8_lossy(&screen).into_owned();

    assert_eq!(code, Some(0), "{screen}");
    assert!(screen.contains("cancelling ["), "no progress bar: {screen}");
    assert!(screen.contains("20 cancelled"), "{screen}");
    assert!(!screen.contains(CODE), "the code was echoed: {screen}");
    assert_eq!(status(&env, &ids[3]), "cancelled");
}
