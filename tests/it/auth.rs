//! Logging in and out, `whoami`, automation tokens, `APPTCTL_TOKEN`, the
//! credentials file, redaction in `-v` traces, and `doctor`.

use std::os::unix::fs::PermissionsExt;

use crate::support::{json, stderr, stdout, DevServer, CODE, DEMO, MANAGER};

#[test]
fn login_saves_a_private_session_and_logout_revokes_it() {
    let env = DevServer::shared().env();
    env.login(DEMO);

    let mode = std::fs::metadata(env.credentials_file())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    let output = env.run(&["whoami", "-o", "json"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let me = json(&output);
    assert_eq!(me["username"], "demo");
    assert_eq!(me["role"], "applicant");
    assert_eq!(me["credential"], "session");

    // Keep the token to prove the server revoked it, not just the file.
    let saved = std::fs::read_to_string(env.credentials_file()).unwrap();
    let token = saved
        .lines()
        .find_map(|l| l.strip_prefix("token = "))
        .unwrap()
        .trim_matches('"');
    env.run(&["logout"]).assert().success();
    env.run(&["whoami"]).assert().code(6);
    env.run(&["whoami"])
        .env("APPTCTL_TOKEN", token)
        .assert()
        .code(6);
}

#[test]
fn a_wrong_password_or_code_is_an_auth_error() {
    let env = DevServer::shared().env();
    env.run(&[
        "login",
        "--username",
        "manager",
        "--password-stdin",
        "--code",
        CODE,
    ])
    .write_stdin("wrong-password1\n")
    .assert()
    .code(6);
    env.run(&[
        "login",
        "--username",
        "manager",
        "--password-stdin",
        "--code",
        "000000",
    ])
    .write_stdin(format!("{}\n", MANAGER.1))
    .assert()
    .code(6);
}

#[test]
fn the_code_can_come_from_the_environment() {
    let env = DevServer::shared().env();
    env.run(&[
        "login",
        "--username",
        "manager",
        "--password-stdin",
        "-o",
        "json",
    ])
    .env("APPTCTL_CODE", CODE)
    .write_stdin(format!("{}\n", MANAGER.1))
    .assert()
    .success();
    let output = env.run(&["whoami", "-q"]).output().unwrap();
    assert_eq!(stdout(&output).trim(), "manager");
}

#[test]
fn a_token_is_created_once_listed_and_revoked() {
    let env = DevServer::shared().env();
    env.login(DEMO);
    let secret = env.create_token("ci-read", "records:read");
    assert!(!secret.is_empty());

    // APPTCTL_TOKEN wins over the saved session.
    let output = env
        .run(&["whoami", "-o", "json"])
        .env("APPTCTL_TOKEN", &secret)
        .output()
        .unwrap();
    let me = json(&output);
    assert_eq!(me["credential"], "token");
    assert_eq!(me["scopes"], serde_json::json!(["records:read"]));

    let output = env.run(&["token", "list", "-o", "json"]).output().unwrap();
    let tokens = json(&output);
    let listed = tokens
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "ci-read")
        .unwrap();
    assert!(
        !stdout(&output).contains(&secret),
        "the list must not show secrets"
    );
    let id = listed["id"].as_str().unwrap().to_string();

    env.run(&["token", "revoke", &id]).assert().success();
    env.run(&["whoami"])
        .env("APPTCTL_TOKEN", &secret)
        .assert()
        .code(6);
}

#[test]
fn login_with_token_checks_and_saves_it_and_logout_only_forgets_it() {
    let env = DevServer::shared().env();
    env.login(DEMO);
    let secret = env.create_token("saved", "records:read");

    let other = DevServer::shared().env();
    other
        .run(&["login", "--with-token"])
        .write_stdin("not-a-token\n")
        .assert()
        .code(6);
    other
        .run(&["login", "--with-token"])
        .write_stdin(format!("{secret}\n"))
        .assert()
        .success();
    other.run(&["whoami"]).assert().success();
    other.run(&["logout"]).assert().success();
    other.run(&["whoami"]).assert().code(6);

    // Logout forgot the token locally but did not revoke it.
    other
        .run(&["whoami"])
        .env("APPTCTL_TOKEN", &secret)
        .assert()
        .success();
}

#[test]
fn verbose_traces_never_show_secrets() {
    let env = DevServer::shared().env();
    let output = env
        .run(&[
            "-vv",
            "login",
            "--username",
            "demo",
            "--password-stdin",
            "--code",
            CODE,
        ])
        .write_stdin(format!("{}\n", DEMO.1))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let trace = stderr(&output);
    assert!(
        trace.contains("POST") && trace.contains("/v1/sessions"),
        "{trace}"
    );
    assert!(!trace.contains(DEMO.1), "password in the trace");
    assert!(!trace.contains(CODE), "one-time code in the trace");

    let secret = env.create_token("traced", "records:read");
    let output = env
        .run(&["-vv", "whoami"])
        .env("APPTCTL_TOKEN", &secret)
        .output()
        .unwrap();
    let trace = stderr(&output);
    assert!(trace.contains("Bearer ***"), "{trace}");
    assert!(!trace.contains(&secret), "token in the trace");
}

#[test]
fn doctor_passes_with_a_token_and_names_the_failure_without_one() {
    let env = DevServer::shared().env();
    let output = env.run(&["doctor", "-o", "json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["ok"], false);
    let names: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "server reachable",
            "api version",
            "tls",
            "round trip",
            "token present"
        ]
    );

    env.login(DEMO);
    let output = env.run(&["doctor"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("token valid: demo"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn doctor_reports_an_unreachable_server_as_network() {
    let env = crate::support::TestEnv::closed_port();
    let output = env.run(&["--retries", "0", "doctor"]).output().unwrap();
    assert_eq!(output.status.code(), Some(9));
    assert!(
        stdout(&output).contains("FAIL server reachable"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_profile_names_its_server_and_keeps_its_own_credential() {
    let env = DevServer::shared().env();
    let config = env.config_dir().join("apptctl").join("config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!("[profiles.ci]\nserver = \"{}\"\n", env.server),
    )
    .unwrap();

    env.run(&[
        "--profile",
        "ci",
        "login",
        "-u",
        "demo",
        "--password-stdin",
        "--code",
        CODE,
    ])
    .env_remove("APPTCTL_SERVER")
    .write_stdin(format!("{}\n", DEMO.1))
    .assert()
    .success();
    env.run(&["whoami"])
        .env_remove("APPTCTL_SERVER")
        .env("APPTCTL_PROFILE", "ci")
        .assert()
        .success();
    // The default profile has no credential of its own.
    env.run(&["whoami"]).assert().code(6);
}

#[test]
fn a_token_needs_a_code_and_off_a_terminal_only_a_flag_gives_one() {
    let env = DevServer::shared().env();
    env.login(DEMO);
    let output = env
        .run(&["token", "create", "--name", "x", "--scope", "records:read"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("APPTCTL_CODE"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn logout_without_a_login_is_not_an_error() {
    let env = DevServer::shared().env();
    let output = env.run(&["logout", "-o", "json"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(json(&output)["forgotten"], false);
}
