//! The `logibridge-sandbox` command as a user runs it: its messages, exit codes and the
//! hosts it accepts.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_logibridge-sandbox");

/// Waits for a command that must exit by itself; a sandbox that started serving instead is
/// killed, so the test fails rather than hangs.
fn run_to_exit(args: &[&str]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let give_up = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > give_up {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Kills the serving sandbox when the test ends, whatever happens; holds its stdout open
/// meanwhile, as a script reading the URLs would.
struct Serving(Child, BufReader<ChildStdout>);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a sandbox that must serve, and returns it with its first stdout line.
fn serve(args: &[&str]) -> (Serving, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    (Serving(child, stdout), line)
}

#[test]
fn a_port_in_use_is_one_line_for_a_human() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = run_to_exit(&["--port", &port]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{:?}: {stderr}", out.status);
    assert!(out.status.code().is_some(), "killed, not exited: {stderr}");
    assert_eq!(
        stderr,
        format!("error: cannot listen on 127.0.0.1:{port}: address already in use\n")
    );
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_host_name_that_resolves_is_accepted() {
    let (_sandbox, line) = serve(&["--host", "localhost", "--port", "0"]);
    // "carreta http://127.0.0.1:PORT/carreta/v1/ api_key=..." (or [::1] where localhost is
    // IPv6 first): the URL is usable as printed.
    let url = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    assert!(url.ends_with("/carreta/v1/"), "{line:?}");
    let profile = reqwest::blocking::Client::new()
        .get(format!("{url}profile/?api_key=sandbox-carreta-key"))
        .timeout(Duration::from_secs(30))
        .send()
        .expect("the sandbox on localhost answers");
    assert_eq!(profile.status().as_u16(), 200);
}

#[test]
fn a_host_that_does_not_resolve_is_a_usage_error() {
    let out = run_to_exit(&["--host", "no-such-host.invalid"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--host") && stderr.contains("no-such-host.invalid"),
        "{stderr}"
    );
}

#[test]
fn an_empty_or_blank_api_key_is_a_usage_error() {
    for key in ["", "  ", "\t"] {
        let out = run_to_exit(&["--carreta-api-key", key, "--port", "0"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{key:?}: {stderr}");
        assert!(
            stderr.contains("--carreta-api-key") && stderr.contains("empty"),
            "{key:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{key:?} started a sandbox");
    }
}

#[test]
fn help_names_every_option_with_its_meaning() {
    let out = run_to_exit(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "--port",
        "--host",
        "localhost",
        "--carreta-api-key",
        "--ireca-token",
        "--seed",
        "--threads",
        "/_control/",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
}

#[test]
fn the_ireca_line_follows_the_carreta_line() {
    let (mut sandbox, first) = serve(&["--port", "0", "--ireca-token", "cli-token"]);
    assert!(first.starts_with("carreta http://"), "{first:?}");
    let mut second = String::new();
    sandbox.1.read_line(&mut second).unwrap();
    // "ireca http://127.0.0.1:PORT/ireca/api/v1/ token=cli-token"
    let words: Vec<&str> = second.split_whitespace().collect();
    assert_eq!(words.len(), 3, "{second:?}");
    assert_eq!(words[0], "ireca");
    assert!(words[1].ends_with("/ireca/api/v1/"), "{second:?}");
    assert_eq!(words[2], "token=cli-token");
    let taxes = reqwest::blocking::Client::new()
        .get(format!("{}taxes", words[1]))
        .bearer_auth("cli-token")
        .timeout(Duration::from_secs(30))
        .send()
        .expect("the iRECA emulator answers");
    assert_eq!(taxes.status().as_u16(), 200);
    // "cargorun http://127.0.0.1:PORT/cargorun/ username=… password=…", then control.
    let mut third = String::new();
    sandbox.1.read_line(&mut third).unwrap();
    let words: Vec<&str> = third.split_whitespace().collect();
    assert_eq!(words.len(), 4, "{third:?}");
    assert_eq!(words[0], "cargorun");
    assert!(words[1].ends_with("/cargorun/"), "{third:?}");
    assert_eq!(
        words[2],
        format!("username={}", logibridge_sandbox::DEFAULT_CARGORUN_USERNAME)
    );
    assert_eq!(
        words[3],
        format!("password={}", logibridge_sandbox::DEFAULT_CARGORUN_PASSWORD)
    );
    let mut fourth = String::new();
    sandbox.1.read_line(&mut fourth).unwrap();
    assert!(fourth.starts_with("control http://"), "{fourth:?}");
}

#[test]
fn an_empty_or_blank_ireca_token_is_a_usage_error() {
    for token in ["", "  "] {
        let out = run_to_exit(&["--ireca-token", token, "--port", "0"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{token:?}: {stderr}");
        assert!(
            stderr.contains("--ireca-token") && stderr.contains("empty"),
            "{stderr}"
        );
        assert!(out.stdout.is_empty(), "{token:?} started a sandbox");
    }
}

#[test]
fn a_thread_count_beyond_256_is_a_usage_error_not_a_stall() {
    // 99,999 worker threads took the sandbox 30 s and 360 MB without printing its URLs.
    let out = run_to_exit(&["--port", "0", "--threads", "99999"]);
    assert_eq!(out.status.code(), Some(2), "clap's usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("0..=256"));
}
