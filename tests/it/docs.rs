//! Help text, completions and man pages: snapshots of a few `--help`
//! screens, and a drift check of the generated files checked in under
//! `completions/` and `man/`.

use std::path::Path;

use crate::support::{stdout, TestEnv};

fn help(args: &[&str]) -> String {
    let env = TestEnv::closed_port();
    let output = env.run(args).env("COLUMNS", "100").output().unwrap();
    assert!(output.status.success());
    stdout(&output)
}

#[test]
fn every_command_has_examples_in_its_help() {
    let commands = [
        "login",
        "logout",
        "whoami",
        "list",
        "show",
        "rebook",
        "reschedule",
        "slots",
        "history",
        "notifications",
        "doctor",
        "completions",
    ];
    for command in commands {
        let text = help(&[command, "--help"]);
        assert!(
            text.contains("Examples:"),
            "`apptctl {command} --help` has no examples"
        );
    }
    for action in ["create", "list", "revoke"] {
        assert!(
            help(&["token", action, "--help"]).contains("Examples:"),
            "token {action}"
        );
    }
    for action in ["start-dev", "start", "migrate", "create-account"] {
        assert!(
            help(&["server", action, "--help"]).contains("Examples:"),
            "server {action}"
        );
    }
}

#[test]
fn list_help_snapshot() {
    expect_test::expect_file!["snapshots/list-help.txt"].assert_eq(&help(&["list", "-h"]));
}

#[test]
fn login_help_snapshot() {
    expect_test::expect_file!["snapshots/login-help.txt"].assert_eq(&help(&["login", "-h"]));
}

#[test]
fn completions_print_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let text = help(&["completions", shell]);
        assert!(text.contains("apptctl"), "{shell} completions");
    }
}

/// Fails when the checked-in completions or man pages differ from what the
/// clap tree generates. Fix: `cargo run -- generate-docs --out .`
#[test]
fn generated_docs_match_the_checked_in_files() {
    let env = TestEnv::closed_port();
    let out = env.dir.path().join("docs");
    env.run(&["generate-docs", "--out", out.to_str().unwrap()])
        .assert()
        .success();

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["completions", "man"] {
        let generated = list_files(&out.join(dir));
        let checked_in = list_files(&root.join(dir));
        assert_eq!(
            generated, checked_in,
            "files in {dir}/ differ; run `cargo run -- generate-docs --out .`"
        );
        for name in generated {
            let fresh = std::fs::read(out.join(dir).join(&name)).unwrap();
            let kept = std::fs::read(root.join(dir).join(&name)).unwrap();
            assert!(
                fresh == kept,
                "{dir}/{name} is stale; run `cargo run -- generate-docs --out .`"
            );
        }
    }
}

fn list_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
