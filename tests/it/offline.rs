//! What the CLI decides before or without a working server: usage errors,
//! local validation, credentials files, transport refusals, network errors.

use std::os::unix::fs::PermissionsExt;

use crate::support::{json_error, stderr, TestEnv};

#[test]
fn unknown_flags_and_missing_commands_are_usage_errors() {
    let env = TestEnv::closed_port();
    env.run(&["list", "--frobnicate"]).assert().code(2);
    env.run(&[]).assert().code(2);
    env.run(&["--output", "yaml", "list"]).assert().code(2);
}

#[test]
fn a_mistyped_record_id_fails_before_any_request() {
    // The server port is closed: reaching it would be exit 9, not 3.
    let env = TestEnv::closed_port();
    let output = env
        .run(&["show", "R0000000031"])
        .env("APPTCTL_TOKEN", "t")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("R0000000031") && text.contains("check digit"),
        "{text}"
    );
    assert!(text.contains("hint:"), "{text}");

    env.run(&["rebook", "R12", "--first-free"])
        .env("APPTCTL_TOKEN", "t")
        .assert()
        .code(3);
    env.run(&["history", "--record", "X"])
        .env("APPTCTL_TOKEN", "t")
        .assert()
        .code(3);
}

#[test]
fn bad_dates_and_statuses_are_invalid_input() {
    let env = TestEnv::closed_port();
    let token = ("APPTCTL_TOKEN", "t");
    env.run(&["list", "--from", "2026-02-30"])
        .env(token.0, token.1)
        .assert()
        .code(3);
    env.run(&["list", "--to", "tomorrow"])
        .env(token.0, token.1)
        .assert()
        .code(3);
    env.run(&["list", "--from", "2026-12-05", "--to", "2026-12-01"])
        .env(token.0, token.1)
        .assert()
        .code(3);
    env.run(&["list", "--status", "done"])
        .env(token.0, token.1)
        .assert()
        .code(3);
    env.run(&["slots", "--service", "X", "--from", "12/05"])
        .env(token.0, token.1)
        .assert()
        .code(3);
}

#[test]
fn errors_as_json_have_the_documented_shape() {
    let env = TestEnv::closed_port();
    let output = env
        .run(&["-o", "json", "show", "R1"])
        .env("APPTCTL_TOKEN", "t")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let error = json_error(&output);
    let keys: Vec<&String> = error["error"].as_object().unwrap().keys().collect();
    expect_test::expect![[r#"["class", "code", "hint", "message", "request_id"]"#]]
        .assert_eq(&format!("{keys:?}"));
    assert_eq!(error["error"]["class"], "invalid_input");
}

#[test]
fn a_closed_port_is_a_network_error() {
    let env = TestEnv::closed_port();
    let output = env
        .run(&["--retries", "1", "list"])
        .env("APPTCTL_TOKEN", "t")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("could not connect"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn without_a_token_commands_ask_for_a_login() {
    let env = TestEnv::closed_port();
    let output = env.run(&["list"]).output().unwrap();
    assert_eq!(output.status.code(), Some(6));
    assert!(
        stderr(&output).contains("apptctl login"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn prompts_are_refused_off_a_terminal() {
    let env = TestEnv::closed_port();
    let output = env.run(&["login", "--username", "demo"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--password-stdin"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn tokens_never_go_over_plain_http_to_other_hosts() {
    let env = TestEnv::new("http://appointments.invalid");
    let output = env
        .run(&["whoami"])
        .env("APPTCTL_TOKEN", "t")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--insecure-http"),
        "{}",
        stderr(&output)
    );

    // With the flag the request is attempted (and fails on DNS: network).
    env.run(&["--insecure-http", "--retries", "0", "whoami"])
        .env("APPTCTL_TOKEN", "t")
        .assert()
        .code(9);
}

#[test]
fn a_credentials_file_others_can_read_is_refused() {
    let env = TestEnv::closed_port();
    let path = env.credentials_file();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();

    let output = env.run(&["list"]).output().unwrap();
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert!(stderr(&output).contains("chmod 600"), "{}", stderr(&output));
}

#[test]
fn a_malformed_credentials_file_names_the_line() {
    let env = TestEnv::closed_port();
    let path = env.credentials_file();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "[[credential]]\nserver = \"x\"\nthis is not toml\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();

    let output = env.run(&["list"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("credentials.toml:3:"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn timeouts_parse_with_units() {
    let env = TestEnv::closed_port();
    env.run(&["--timeout", "soon", "list"]).assert().code(2);
    env.run(&["--timeout", "500ms", "--retries", "0", "list"])
        .env("APPTCTL_TOKEN", "t")
        .assert()
        .code(9);
}

#[test]
fn a_dev_server_on_a_taken_port_is_a_usage_error_with_a_way_out() {
    let running = crate::support::DevServer::shared();
    let taken = running
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/');

    let env = running.env();
    let output = env
        .run(&["server", "start-dev", "--seed", "none", "--addr", taken])
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("already in use"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("--addr 127.0.0.1:0"),
        "{}",
        stderr(&output)
    );
}
