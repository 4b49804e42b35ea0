//! Behaviour on a terminal, under a pseudo-terminal made by `script(1)`
//! (never the test runner's own terminal): prompts that do not echo, colour
//! that appears only on a terminal and never with NO_COLOR.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::{binary, DevServer, TestEnv, CODE, DEMO};

/// How long to wait for a prompt or for the end.
const PATIENCE: Duration = Duration::from_secs(30);

/// The pause between seeing a prompt and typing the answer.
const TYPING_DELAY: Duration = Duration::from_millis(200);

/// What happened in a terminal session.
struct Session {
    code: Option<i32>,
    screen: String,
}

/// Runs `apptctl ARGS` on a pseudo-terminal; each time the screen shows a
/// prompt of `answers`, types its answer.
fn on_terminal(
    env: &TestEnv,
    args: &[&str],
    extra_env: &[(&str, &str)],
    answers: &[(&str, &str)],
) -> Session {
    let mut line = shell_quote(binary().to_str().unwrap());
    for arg in args {
        line.push(' ');
        line.push_str(&shell_quote(arg));
    }
    let template = env.std_cmd(&[]);
    let mut command = Command::new("script");
    command.args(["-qec", &line, "/dev/null"]).env_clear();
    for (key, value) in template.get_envs() {
        if let Some(value) = value {
            command.env(key, value);
        }
    }
    command.env("PATH", "/usr/bin:/bin").env("TERM", "xterm");
    for (key, value) in extra_env {
        command.env(key, value);
    }
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
    for (prompt, answer) in answers {
        wait_for(&received, &mut screen, prompt);
        // The prompt is printed just before echo is switched off; typing at
        // once could race it, as no person types that fast.
        std::thread::sleep(TYPING_DELAY);
        stdin.write_all(format!("{answer}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }
    let deadline = Instant::now() + PATIENCE;
    while let Ok(chunk) = received.recv_timeout(deadline.saturating_duration_since(Instant::now()))
    {
        screen.extend(chunk);
    }
    drop(stdin);
    let status = child.wait().unwrap();
    Session {
        code: status.code(),
        screen: String::from_utf8_lossy(&screen).into_owned(),
    }
}

fn wait_for(received: &mpsc::Receiver<Vec<u8>>, screen: &mut Vec<u8>, prompt: &str) {
    let deadline = Instant::now() + PATIENCE;
    while !String::from_utf8_lossy(screen).contains(prompt) {
        let left = deadline.saturating_duration_since(Instant::now());
        match received.recv_timeout(left) {
            Ok(chunk) => screen.extend(chunk),
            Err(_) => panic!(
                "no prompt {prompt:?}; screen: {}",
                String::from_utf8_lossy(screen)
            ),
        }
    }
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[test]
fn the_password_prompt_does_not_echo() {
    let env = TestEnv::closed_port();
    let session = on_terminal(
        &env,
        &["--retries", "0", "login", "--username", "demo"],
        &[],
        &[("password for demo", "hunter2secret")],
    );
    // The password was read (then the closed port failed the login).
    assert_eq!(session.code, Some(9), "{}", session.screen);
    assert!(
        !session.screen.contains("hunter2secret"),
        "echoed: {}",
        session.screen
    );
}

#[test]
fn login_on_a_terminal_prompts_for_password_and_code() {
    let env = DevServer::shared().env();
    let session = on_terminal(
        &env,
        &["login", "--username", DEMO.0],
        &[],
        &[("password for demo", DEMO.1), ("one-time code", CODE)],
    );
    assert_eq!(session.code, Some(0), "{}", session.screen);
    assert!(session.screen.contains("logged in"), "{}", session.screen);
    assert!(!session.screen.contains(DEMO.1), "{}", session.screen);
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let env = DevServer::shared().env();
    env.login(DEMO);
    let coloured = on_terminal(&env, &["list", "--limit", "5"], &[], &[]);
    assert_eq!(coloured.code, Some(0), "{}", coloured.screen);
    assert!(
        coloured.screen.contains("\x1b["),
        "no colour: {}",
        coloured.screen
    );

    let plain = on_terminal(&env, &["list", "--limit", "5"], &[("NO_COLOR", "1")], &[]);
    assert_eq!(plain.code, Some(0), "{}", plain.screen);
    assert!(
        !plain.screen.contains("\x1b[3"),
        "colour despite NO_COLOR: {}",
        plain.screen
    );
    let plain = on_terminal(&env, &["--no-color", "list", "--limit", "5"], &[], &[]);
    assert!(
        !plain.screen.contains("\x1b[3"),
        "colour despite --no-color: {}",
        plain.screen
    );
}
