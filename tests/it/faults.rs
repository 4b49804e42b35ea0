//! The client against an unreliable server: retries absorb injected
//! faults; a server that always fails ends in the server class (exit 8) or,
//! when the last attempt got no answer, the network class (exit 9);
//! every retry of a POST carries the same idempotency key.

use crate::support::{stderr, unavailable, DevServer, ScriptedEndpoint, TestEnv, DEMO};

/// Every API request of `--fault-rate 1` meets a fault: a 503 or 500
/// (server class), or a dropped connection or a stall past `--timeout`
/// (network class). Which one comes last is random, so either class may
/// end the run — but never success or another class.
#[test]
fn a_server_that_always_fails_ends_in_the_server_or_network_class() {
    let server = DevServer::start(&["--fault-rate", "1"]);
    let env = server.env();
    let output = env
        .run(&["--retries", "2", "--timeout", "1s", "list"])
        .env("APPTCTL_TOKEN", "t")
        .output()
        .unwrap();
    let code = output.status.code();
    assert!(
        code == Some(8) || code == Some(9),
        "exit {code:?}: {}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("hint:"), "{}", stderr(&output));
}

#[test]
fn retries_absorb_occasional_faults() {
    let server = DevServer::start(&["--fault-rate", "0.3"]);
    let env = server.env();
    env.login(DEMO);
    for _ in 0..3 {
        let output = env.run(&["list", "--limit", "5", "-q"]).output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
    }
}

#[test]
fn retries_reuse_one_idempotency_key_and_end_in_the_server_class() {
    let endpoint = ScriptedEndpoint::start(Some(unavailable()));
    let env = TestEnv::new(&endpoint.url);
    let output = env
        .run(&["--retries", "2", "rebook", "R0000000013", "--first-free"])
        .env("APPTCTL_TOKEN", "t")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(8), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("request id: req-1"),
        "{}",
        stderr(&output)
    );

    let requests = endpoint.requests();
    assert_eq!(requests.len(), 3, "one attempt and two retries");
    let keys: Vec<&str> = requests
        .iter()
        .map(|head| {
            head.lines()
                .find(|l| l.starts_with("idempotency-key:"))
                .expect("a key")
        })
        .collect();
    assert!(keys.iter().all(|k| *k == keys[0]), "keys differ: {keys:?}");
}

#[test]
fn a_dropped_connection_after_sending_is_an_unknown_outcome() {
    let endpoint = ScriptedEndpoint::start(None);
    let env = TestEnv::new(&endpoint.url);
    let output = env
        .run(&["--retries", "1", "rebook", "R0000000013", "--first-free"])
        .env("APPTCTL_TOKEN", "t")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("outcome is unknown"),
        "{}",
        stderr(&output)
    );
    assert_eq!(endpoint.requests().len(), 2);
}
