//! Hostile and careless surroundings, end to end: TLS that does not verify,
//! plain http to a host that is not this machine, and secrets that must not
//! leak into traces, logs or error messages. (The access matrix and the
//! code brute force are tested at the service: crates/server/tests/security.rs.)

use std::time::{Duration, Instant};

use crate::reliability_support::{free_port, PinnedServer};
use crate::support::{stderr, stdout, unavailable, DevServer, ScriptedEndpoint, TestEnv, CODE};

/// A routable-looking address that is not this machine. Nothing is ever
/// sent there: every command below runs behind a loopback proxy trap.
const FAR_HOST: &str = "http://10.255.255.1";

/// `apptctl ARGS` with every proxy variable pointing at `trap`, so a
/// request that should never have been made lands on loopback, recorded.
fn trapped(env: &TestEnv, trap: &ScriptedEndpoint, args: &[&str]) -> assert_cmd::Command {
    let mut command = env.run(args);
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
    ] {
        command.env(name, &trap.url);
    }
    command.timeout(Duration::from_secs(30));
    command
}

#[test]
fn a_token_is_never_sent_over_plain_http_to_another_host() {
    let trap = ScriptedEndpoint::start(Some(unavailable()));
    let env = TestEnv::new(FAR_HOST);
    let commands: [&[&str]; 4] = [
        &["whoami"],
        &["list"],
        &["show", "R0000000013"],
        &["cancel", "R0000000013", "--reason", "duplicate", "--yes"],
    ];

    for args in commands {
        let started = Instant::now();
        let output = trapped(&env, &trap, args)
            .env("APPTCTL_TOKEN", "secret-token-value")
            .output()
            .unwrap();
        let took = started.elapsed();
        let text = stderr(&output);
        assert_ne!(output.status.code(), Some(0), "{args:?}: {text}");
        assert!(text.contains("--insecure-http"), "{args:?}: {text}");
        assert!(took < Duration::from_secs(5), "{args:?} took {took:?}");
        assert!(!text.contains("secret-token-value"), "{text}");
    }
    assert!(trap.requests().is_empty(), "{:?}", trap.requests());

    // doctor may probe the server's health without credentials, but the
    // token check must stop short of sending the token.
    let output = trapped(&env, &trap, &["--retries", "0", "doctor"])
        .env("APPTCTL_TOKEN", "secret-token-value")
        .output()
        .unwrap();
    assert_ne!(output.status.code(), Some(0), "{}", stderr(&output));
    for head in trap.requests() {
        assert!(
            !head.to_ascii_lowercase().contains("authorization"),
            "{head}"
        );
    }
    let probes = trap.requests().len();

    // The trap works: with the flag the request is made — to the trap.
    let output = trapped(
        &env,
        &trap,
        &["--insecure-http", "--retries", "0", "whoami"],
    )
    .env("APPTCTL_TOKEN", "secret-token-value")
    .output()
    .unwrap();
    assert_ne!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        trap.requests().len(),
        probes + 1,
        "the proxy trap saw nothing"
    );
}

#[test]
fn tls_is_verified_by_default() {
    // A plain-http server spoken to over https: the handshake fails and the
    // CLI says so in the network class instead of carrying on.
    let server = DevServer::shared();
    let https = server.url.replace("http://", "https://");
    let env = TestEnv::new(&https);
    let output = env
        .run(&["--retries", "0", "whoami"])
        .env("APPTCTL_TOKEN", "t")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));

    // A listener that accepts and says nothing TLS: no silent success either.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            use std::io::Write;
            let mut stream = stream;
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
        }
    });
    let output = TestEnv::new(&url)
        .run(&["--retries", "0", "--timeout", "5s", "whoami"])
        .env("APPTCTL_TOKEN", "t")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
}

/// Every secret a session produces: password, session token and an
/// automation token.
struct Secrets {
    password: String,
    session: String,
    token: String,
}

fn saved_session(env: &TestEnv) -> String {
    let saved = std::fs::read_to_string(env.credentials_file()).unwrap();
    saved
        .lines()
        .find_map(|l| l.strip_prefix("token = "))
        .expect("a saved token")
        .trim_matches('"')
        .to_string()
}

#[test]
fn secrets_never_reach_traces_logs_or_error_messages() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("server.log");
    let server = PinnedServer::start(free_port(), &dir.path().join("s.db"), &log, "debug", &[]);
    let env = server.env();
    let mut seen = String::new();
    let mut keep = |output: std::process::Output| {
        seen.push_str(&stdout(&output));
        seen.push_str(&stderr(&output));
        output
    };

    let password = "demo12345";
    let login = env
        .run(&[
            "-vv",
            "login",
            "--username",
            "demo",
            "--password-stdin",
            "--code",
            CODE,
        ])
        .write_stdin(format!("{password}\n"))
        .output()
        .unwrap();
    assert!(keep(login).status.success());
    let session = saved_session(&env);
    let token = env.create_token("leak-test", "records:read,records:cancel");
    let secrets = Secrets {
        password: password.to_string(),
        session,
        token,
    };

    for args in [
        vec!["-vv", "whoami"],
        vec!["-vv", "list", "--limit", "3"],
        vec![
            "-vv",
            "cancel",
            "R0000000003",
            "--reason",
            "duplicate",
            "--yes",
        ],
        vec!["-vv", "show", "R0000000099"],
        vec!["-vv", "-o", "json", "doctor"],
    ] {
        let output = env
            .run(&args)
            .env("APPTCTL_TOKEN", &secrets.token)
            .output()
            .unwrap();
        keep(output);
    }
    // A revoked or wrong token is refused without being echoed back.
    let wrong = format!("{}x", secrets.token);
    let refused = env
        .run(&["-vv", "whoami"])
        .env("APPTCTL_TOKEN", &wrong)
        .output()
        .unwrap();
    assert_eq!(keep(refused).status.code(), Some(6));
    let sessions = env.run(&["-vv", "whoami"]).output().unwrap();
    assert!(keep(sessions).status.success());

    let server_log = server.log_text();
    assert!(!server_log.is_empty(), "the server logged nothing at debug");
    for (name, secret) in [
        ("password", &secrets.password),
        ("session", &secrets.session),
        ("token", &secrets.token),
        ("wrong token", &wrong),
    ] {
        assert!(!seen.contains(secret.as_str()), "{name} in CLI output");
        assert!(
            !server_log.contains(secret.as_str()),
            "{name} in the server log"
        );
    }
}
