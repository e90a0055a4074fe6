//! The `logibridge` binary driven as a user drives it, against the sandbox: every
//! subcommand, its output and its exit code (0 done, 2 usage, 3 validation, 4 API,
//! 5 transport, 6 outcome unknown), the config file's permission rule, and that no secret
//! is ever printed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use logibridge_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

/// A directory of its own for one test, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!("logibridge-cli-test-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The binary with a clean environment: no LOGIBRIDGE_* of the machine, English, a HOME
/// without a config file, and the test's directory as the runtime one (the lock files of
/// `order create --comment` go there and are removed with it).
fn bin(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_logibridge"));
    c.env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default()).env("HOME", home).env("XDG_RUNTIME_DIR", home).env("LANG", "C");
    c
}

/// The binary pointed at a sandbox by environment variables.
fn at(sb: &Sandbox, home: &Path) -> Command {
    let mut c = bin(home);
    c.env("LOGIBRIDGE_CARRETA_URL", sb.carreta_url())
        .env("LOGIBRIDGE_CARRETA_API_KEY", sb.carreta_api_key())
        .env("LOGIBRIDGE_IRECA_URL", sb.ireca_url())
        .env("LOGIBRIDGE_IRECA_TOKEN", sb.ireca_token())
        .env("LOGIBRIDGE_CARGORUN_URL", sb.cargorun_url())
        .env("LOGIBRIDGE_CARGORUN_USERNAME", sb.cargorun_username())
        .env("LOGIBRIDGE_CARGORUN_PASSWORD", sb.cargorun_password());
    c
}

fn run(c: &mut Command, args: &[&str]) -> Output {
    c.args(args).stdin(Stdio::null()).output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The exit code, with the output in the message when it is not the one expected.
fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn expect_code(o: &Output, want: i32) {
    assert_eq!(code(o), want, "exit {:?}\nstdout: {}\nstderr: {}", o.status, stdout(o), stderr(o));
}

fn json_out(o: &Output) -> Value {
    expect_code(o, 0);
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

/// A bare HTTP/1.1 POST (the tests need no HTTP client crate): the status and the body.
fn post(url: &str, body: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((rest, "/".into()));
    let mut s = TcpStream::connect(host).unwrap();
    write!(s, "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let status = answer.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

/// Reads a child's stdout lines until one starts with `until`, returning them all.
fn lines_until(child: &mut Child, until: &str) -> Vec<String> {
    let out = child.stdout.as_mut().unwrap();
    let mut reader = BufReader::new(out);
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            panic!("the child ended before {until:?}: {lines:?}");
        }
        let done = line.starts_with(until);
        lines.push(line.trim_end().to_owned());
        if done {
            return lines;
        }
    }
}

/// A child process killed when the test ends, passed or not.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

// -- call and endpoints ---------------------------------------------------------------

#[test]
fn call_reaches_a_row_of_every_service_by_id() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let offers = json_out(&run(&mut at(&sb, &home.0), &["call", "carreta.search.query", "-p", "q=oc47", "-o", "json"]));
    assert!(offers.as_array().is_some_and(|a| !a.is_empty() && a[0].get("code").is_some()), "{offers}");
    let taxes = json_out(&run(&mut at(&sb, &home.0), &["call", "ireca.taxes.list", "--all", "-o", "json"]));
    assert!(taxes.as_array().is_some_and(|a| !a.is_empty()), "{taxes}");
    let drivers = json_out(&run(&mut at(&sb, &home.0), &["call", "cargorun.drivers.list", "-o", "json"]));
    assert!(drivers.is_array(), "{drivers}");
    // A library-side row needs no credentials at all.
    let o = run(&mut bin(&home.0), &["call", "carreta.order.check_comment", "-p", "client_comment=PO-17", "-o", "json"]);
    assert_eq!(json_out(&o), json!(true));
}

#[test]
fn call_reaches_a_generic_cargorun_operation_with_its_swagger_answer() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let ep = logibridge::endpoints::find("cargorun.swagger.trackers.get.by_id").expect("a generic row");
    let path_param = ep.params.iter().find(|p| p.location == logibridge::endpoints::Location::Path).unwrap().name;
    let got = json_out(&run(&mut at(&sb, &home.0), &["call", ep.id, "-p", &format!("{path_param}=5"), "-o", "json"]));
    let op = logibridge_sandbox::cargorun::generic::operations().iter().find(|o| o.id == ep.swagger.unwrap().id).unwrap();
    assert_eq!(got, logibridge_sandbox::cargorun::generic::answer(op).unwrap());
}

#[test]
fn call_path_sends_a_swagger_path_as_its_row_and_names_a_bad_method() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let ep = logibridge::endpoints::find("cargorun.swagger.trackers.get.by_id").unwrap();
    let op = logibridge_sandbox::cargorun::generic::operations().iter().find(|o| o.id == ep.swagger.unwrap().id).unwrap();
    let got = json_out(&run(&mut at(&sb, &home.0), &["call-path", "cargorun", "GET", "/api/Trackers/Get/5", "-o", "json"]));
    assert_eq!(got, logibridge_sandbox::cargorun::generic::answer(op).unwrap());
    let o = run(&mut at(&sb, &home.0), &["call-path", "cargorun", "HEAD", "/api/Trackers/Get/5"]);
    expect_code(&o, 3);
    assert!(stderr(&o).contains("\"method\""), "{}", stderr(&o));
    let o = run(&mut at(&sb, &home.0), &["call-path", "cargorun", "GET", "/api/Trackers/Get/abc"]);
    expect_code(&o, 3);
}

#[test]
fn call_prints_a_table_by_default_and_json_lines_on_request() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let o = run(&mut at(&sb, &home.0), &["call", "carreta.search.query", "-p", "q=oc47"]);
    expect_code(&o, 0);
    let table = stdout(&o);
    let header = table.lines().next().unwrap();
    assert!(header.contains("code") && header.contains("price"), "{table}");
    assert!(table.lines().nth(1).unwrap().starts_with("----"), "{table}");
    let o = run(&mut at(&sb, &home.0), &["call", "carreta.search.query", "-p", "q=oc47", "-o", "jsonl"]);
    expect_code(&o, 0);
    let lines: Vec<Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), table.lines().count() - 2, "one line per offer");
}

#[test]
fn endpoints_lists_filters_and_describes_rows() {
    let home = Scratch::new();
    let o = run(&mut bin(&home.0), &["endpoints", "--service", "carreta"]);
    expect_code(&o, 0);
    assert!(stdout(&o).contains("carreta.search.query") && !stdout(&o).contains("ireca."), "{}", stdout(&o));
    let o = run(&mut bin(&home.0), &["endpoints", "--search", "trackers.get", "-o", "json"]);
    let ids: Vec<String> = json_out(&o).as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_owned()).collect();
    assert!(ids.contains(&"cargorun.swagger.trackers.get.by_id".to_owned()), "{ids:?}");
    let o = run(&mut bin(&home.0), &["endpoints", "carreta.order.list"]);
    expect_code(&o, 0);
    assert!(stdout(&o).contains("client_comment") && stdout(&o).contains("Комментарий"), "{}", stdout(&o));
    let o = run(&mut bin(&home.0), &["endpoints", "--service", "nosuch"]);
    expect_code(&o, 2);
}

// -- exit codes -----------------------------------------------------------------------

#[test]
fn usage_errors_exit_2() {
    let home = Scratch::new();
    expect_code(&run(&mut bin(&home.0), &["no-such-command"]), 2);
    let o = run(&mut bin(&home.0), &["call", "carreta.order.delete"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("carreta.order.get"), "the known ids are listed: {}", stderr(&o));
    expect_code(&run(&mut bin(&home.0), &["call", "carreta.search.query", "-p", "no-equals-sign"]), 2);
}

#[test]
fn a_missing_credential_names_every_way_to_give_it() {
    let home = Scratch::new();
    let o = run(&mut bin(&home.0), &["call", "carreta.search.query", "-p", "q=oc47"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("LOGIBRIDGE_CARRETA_API_KEY") && stderr(&o).contains("--carreta-api-key"), "{}", stderr(&o));
}

#[test]
fn validation_errors_exit_3_naming_the_field_and_send_nothing() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let o = run(&mut at(&sb, &home.0), &["call", "carreta.order.get", "-p", "id=abc"]);
    expect_code(&o, 3);
    assert!(stderr(&o).contains("\"id\""), "{}", stderr(&o));
    let o = run(&mut at(&sb, &home.0), &["call", "carreta.order.get", "-p", "id=abc", "-o", "json"]);
    expect_code(&o, 3);
    let e: Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!((e["field"].as_str(), e["code"].as_str()), (Some("id"), Some("param.integer")), "{e}");
    // A documented order rule: more than the stock allows.
    let offers = json_out(&run(&mut at(&sb, &home.0), &["carreta", "search", "oc47", "-o", "json"]));
    let bounded = offers.as_array().unwrap().iter().find(|o| o["qty"].as_str().is_some_and(|q| q.starts_with('<'))).expect("an offer with a bounded stock").clone();
    let limit: i64 = bounded["qty"].as_str().unwrap()[1..].trim().parse().unwrap();
    let o = run(&mut at(&sb, &home.0), &["carreta", "order", "create", "--offer-json", &bounded.to_string(), "--qty", &(limit + 1).to_string()]);
    expect_code(&o, 3);
    assert!(stderr(&o).contains("order_qty"), "{}", stderr(&o));
    let listed = json_out(&run(&mut at(&sb, &home.0), &["carreta", "orders", "-o", "json"]));
    assert_eq!(listed, json!([]), "nothing was sent");
}

#[test]
fn api_errors_exit_4() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let o = run(&mut at(&sb, &home.0), &["carreta", "order", "get", "999999999"]);
    expect_code(&o, 4);
    let o = run(&mut at(&sb, &home.0).env("LOGIBRIDGE_CARRETA_API_KEY", "wrong-key-0123456789"), &["carreta", "search", "oc47"]);
    expect_code(&o, 4);
    assert!(!stderr(&o).contains("wrong-key-0123456789"), "{}", stderr(&o));
}

#[test]
fn transport_errors_exit_5() {
    let home = Scratch::new();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let o = run(
        bin(&home.0).env("LOGIBRIDGE_CARRETA_API_KEY", "k").env("LOGIBRIDGE_CARRETA_URL", format!("http://127.0.0.1:{port}/carreta/v1/")),
        &["--set", "max_retries=0", "carreta", "search", "oc47"],
    );
    expect_code(&o, 5);
}

// -- sandbox, faults and outcome unknown -------------------------------------------------

/// `logibridge sandbox` in a child: its printed lines, and the settings of its `export`
/// lines.
fn sandbox_child(args: &[&str], home: &Path) -> (Running, Vec<(String, String)>) {
    let mut child = Running(bin(home).arg("sandbox").args(args).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap());
    let lines = lines_until(&mut child.0, "export LOGIBRIDGE_CARGORUN");
    assert!(lines[0].starts_with("carreta http://") && lines[0].contains("api_key="), "{lines:?}");
    let env: Vec<(String, String)> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("export "))
        .flat_map(|rest| rest.split(' '))
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect();
    assert_eq!(env.len(), 7, "{env:?}");
    (child, env)
}

#[test]
fn sandbox_prints_its_urls_and_credentials_and_arms_faults() {
    let home = Scratch::new();
    let (_child, env) = sandbox_child(&["--faults", "/carreta/v1/search=503x1"], &home.0);
    let mut c = bin(&home.0);
    c.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    // The fault answers the first search 503 (not retried here), then the shop answers.
    let o = run(&mut c, &["--set", "max_retries=0", "carreta", "search", "oc47"]);
    expect_code(&o, 4);
    assert!(stderr(&o).contains("503"), "{}", stderr(&o));
    let mut c = bin(&home.0);
    c.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    expect_code(&run(&mut c, &["carreta", "search", "oc47"]), 0);
}

#[test]
fn a_lost_answer_to_an_order_exits_6() {
    let home = Scratch::new();
    let fault = r#"{"path_prefix": "/carreta/v1/order", "method": "POST", "drop_answer": true}"#;
    let (_child, env) = sandbox_child(&["--faults", fault], &home.0);
    let with_env = || {
        let mut c = bin(&home.0);
        c.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        c
    };
    let offers = json_out(&run(&mut with_env(), &["carreta", "search", "oc47", "-o", "json"]));
    let offer = offers[0].clone();
    let qty = offer["min_qty"].as_i64().unwrap_or(1).to_string();
    let o = run(&mut with_env(), &["carreta", "order", "create", "--offer-json", &offer.to_string(), "--qty", &qty]);
    expect_code(&o, 6);
    // The order exists: the answer was lost, not the order.
    let orders = json_out(&run(&mut with_env(), &["carreta", "orders", "-o", "json"]));
    assert_eq!(orders.as_array().unwrap().len(), 1, "{orders}");
}

#[test]
fn bad_fault_specs_are_usage_errors_naming_the_field() {
    let home = Scratch::new();
    let o = run(&mut bin(&home.0), &["sandbox", "--faults", r#"{"path_prefix": "/x", "dealy_ms": 5}"#]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("dealy_ms"), "{}", stderr(&o));
}

#[test]
fn demo_runs_the_readme_scenario() {
    let home = Scratch::new();
    let o = run(&mut bin(&home.0), &["demo"]);
    expect_code(&o, 0);
    let out = stdout(&o);
    for want in ["Search \"oc47\"", "refused before sending", "Placed order", "History:", "Placed order DEMO-1", "Signed in as"] {
        assert!(out.contains(want), "{want:?} missing from:\n{out}");
    }
}

// -- credentials: config file, environment, flags; never printed ------------------------------

fn write_config(home: &Scratch, text: &str, mode: u32) -> PathBuf {
    let path = home.path("config.toml");
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    path
}

#[cfg(unix)]
#[test]
fn a_config_file_others_can_read_is_refused() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let text = format!("[profiles.default.carreta]\napi_key = \"{}\"\nbase_url = \"{}\"\n", sb.carreta_api_key(), sb.carreta_url());
    for mode in [0o644, 0o640, 0o604] {
        let path = write_config(&home, &text, mode);
        let o = run(&mut bin(&home.0), &["--config", path.to_str().unwrap(), "carreta", "search", "oc47"]);
        expect_code(&o, 2);
        assert!(stderr(&o).contains("chmod 600"), "{}", stderr(&o));
        assert!(!stderr(&o).contains(sb.carreta_api_key()), "{}", stderr(&o));
    }
    // The same file, owner-only, works; found in the default place too.
    let path = write_config(&home, &text, 0o600);
    expect_code(&run(&mut bin(&home.0), &["--config", path.to_str().unwrap(), "carreta", "search", "oc47"]), 0);
    let dir = home.path(".config/logibridge");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::rename(&path, dir.join("config.toml")).unwrap();
    expect_code(&run(&mut bin(&home.0), &["carreta", "search", "oc47"]), 0);
}

#[test]
fn a_config_file_that_is_not_toml_is_refused_without_quoting_its_lines() {
    let home = Scratch::new();
    for text in [
        "[profiles.default.carreta]\napi_key = \"TOPSECRET-KEY-123\n",
        "[profiles.default.carreta]\napi_key = TOPSECRET-KEY-123\n",
        "[profiles.default.carreta]\napi_key = \"a\"\napi_key = \"TOPSECRET-KEY-123\"\n",
    ] {
        let path = write_config(&home, text, 0o600);
        for output in ["table", "json"] {
            let o = run(&mut bin(&home.0), &["--config", path.to_str().unwrap(), "--output", output, "carreta", "search", "oc47"]);
            expect_code(&o, 2);
            assert!(stderr(&o).contains("line 2") || stderr(&o).contains("line 3"), "{}", stderr(&o));
            assert!(!stderr(&o).contains("TOPSECRET") && !stdout(&o).contains("TOPSECRET"), "{}", stderr(&o));
        }
    }
}

#[test]
fn profiles_are_chosen_by_flag_and_environment_overrides_them() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let text = format!(
        "default_profile = \"broken\"\n[profiles.broken.carreta]\napi_key = \"not-the-key\"\nbase_url = \"{url}\"\n[profiles.sb.carreta]\napi_key = \"{key}\"\nbase_url = \"{url}\"\n",
        url = sb.carreta_url(),
        key = sb.carreta_api_key()
    );
    let path = write_config(&home, &text, 0o600);
    let cfg = path.to_str().unwrap();
    expect_code(&run(&mut bin(&home.0), &["--config", cfg, "carreta", "search", "oc47"]), 4);
    expect_code(&run(&mut bin(&home.0), &["--config", cfg, "--profile", "sb", "carreta", "search", "oc47"]), 0);
    expect_code(&run(bin(&home.0).env("LOGIBRIDGE_PROFILE", "sb"), &["--config", cfg, "carreta", "search", "oc47"]), 0);
    expect_code(&run(bin(&home.0).env("LOGIBRIDGE_CARRETA_API_KEY", sb.carreta_api_key()), &["--config", cfg, "carreta", "search", "oc47"]), 0);
    expect_code(&run(&mut bin(&home.0), &["--config", cfg, "--carreta-api-key", sb.carreta_api_key(), "carreta", "search", "oc47"]), 0);
    let o = run(&mut bin(&home.0), &["--config", cfg, "--profile", "nosuch", "carreta", "search", "oc47"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("nosuch") && stderr(&o).contains("sb"), "{}", stderr(&o));
    // An option the client does not have is refused by name.
    let path = write_config(&home, &format!("[profiles.default.carreta]\napi_key = \"k\"\napi_kye = \"{}\"\n", sb.carreta_api_key()), 0o600);
    let o = run(&mut bin(&home.0), &["--config", path.to_str().unwrap(), "carreta", "search", "oc47"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("api_kye"), "{}", stderr(&o));
}

#[test]
fn a_profile_asked_for_without_a_config_file_is_refused_naming_where_it_was_looked_for() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let looked = home.path(".config/logibridge/config.toml");
    let o = run(&mut at(&sb, &home.0), &["--profile", "staging", "carreta", "search", "oc47"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("staging") && stderr(&o).contains(looked.to_str().unwrap()), "{}", stderr(&o));
    let o = run(at(&sb, &home.0).env("LOGIBRIDGE_PROFILE", "staging"), &["carreta", "search", "oc47"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("LOGIBRIDGE_PROFILE staging"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn a_config_path_that_is_a_fifo_or_a_directory_is_refused_for_what_it_is() {
    let home = Scratch::new();
    let fifo = home.path("config.fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    // Without the check the command waits forever for a writer: it is stopped and the
    // test fails rather than hanging.
    let mut child = Running(bin(&home.0).args(["--config", fifo.to_str().unwrap(), "carreta", "search", "oc47"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap());
    let started = std::time::Instant::now();
    while child.0.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            panic!("--config FIFO: still waiting for a writer after 30 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let mut err = String::new();
    child.0.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert_eq!(child.0.wait().unwrap().code(), Some(2), "{err}");
    assert!(err.contains("not a regular file") && err.contains(fifo.to_str().unwrap()), "{err}");
    let dir = home.path("configs");
    std::fs::create_dir(&dir).unwrap();
    let o = run(&mut bin(&home.0), &["--config", dir.to_str().unwrap(), "carreta", "search", "oc47"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("is a directory") && !stderr(&o).contains("chmod"), "{}", stderr(&o));
}

#[test]
fn a_broken_token_cache_is_named_whole_with_the_hint_to_delete_it() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let cache = home.path(".cache/logibridge");
    std::fs::create_dir_all(&cache).unwrap();
    let file = cache.join("cargorun-tokens.json");
    std::fs::write(&file, "{ not json").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    for (lang, hint) in [("C", "delete it"), ("ru_RU.UTF-8", "удалите его")] {
        let o = run(at(&sb, &home.0).env("LANG", lang), &["cargorun", "login"]);
        expect_code(&o, 1);
        assert!(stderr(&o).contains(file.to_str().unwrap()) && stderr(&o).contains(hint), "{}", stderr(&o));
    }
    std::fs::remove_file(&file).unwrap();
    expect_code(&run(&mut at(&sb, &home.0), &["cargorun", "login"]), 0);
}

#[test]
fn local_file_problems_exit_1_naming_the_file() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let missing = home.path("no-such-params.json");
    let o = run(&mut at(&sb, &home.0), &["call", "carreta.search.query", "--json", missing.to_str().unwrap()]);
    expect_code(&o, 1);
    assert!(stderr(&o).contains(missing.to_str().unwrap()), "{}", stderr(&o));
    let o = run(&mut at(&sb, &home.0), &["cargorun", "bids", "sync", "--since", "2000-01-01T00:00:00Z", "--store", home.0.to_str().unwrap()]);
    expect_code(&o, 1);
    assert!(stderr(&o).contains(home.0.to_str().unwrap()), "{}", stderr(&o));
    let o = run(&mut bin(&home.0), &["webhook", "tail", home.path("nothing-here").to_str().unwrap()]);
    expect_code(&o, 1);
    assert!(stderr(&o).contains("nothing-here"), "{}", stderr(&o));
}

#[test]
fn secrets_are_never_printed_also_not_verbose() {
    let key = "canary-KEY-7f3a91c2";
    let password = "canary-PASS-55d0e1";
    let sb = Sandbox::start_with(SandboxConfig { carreta_api_key: key.into(), cargorun_password: password.into(), ..SandboxConfig::default() }).unwrap();
    let home = Scratch::new();
    for args in [
        &["-v", "carreta", "search", "oc47"][..],
        &["-v", "call", "carreta.order.get", "-p", "id=999999999"],
        &["-v", "cargorun", "login"],
        &["-v", "-o", "json", "cargorun", "login"],
    ] {
        let o = run(&mut at(&sb, &home.0), args);
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert!(!all.contains(key) && !all.contains(password), "{args:?} printed a secret:\n{all}");
    }
    let o = run(&mut at(&sb, &home.0), &["-v", "carreta", "search", "oc47"]);
    assert!(stderr(&o).contains("carreta.api_key = *** (secret, not shown)"), "{}", stderr(&o));
    // A password in a URL's user-info, and a misspelt credential, are not shown by -v.
    for args in [
        &["-v", "--base-url", "http://user:canary-URL-0c1d@127.0.0.1:1/carreta/v1/", "carreta", "search", "oc47"][..],
        &["-v", "--set", "apikey=canary-MISSPELT-9e2b", "carreta", "search", "oc47"],
        &["-v", "--set", "api-key=canary-MISSPELT-9e2b", "carreta", "search", "oc47"],
    ] {
        let o = run(&mut at(&sb, &home.0), args);
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert!(!all.contains("canary-URL-0c1d") && !all.contains("canary-MISSPELT-9e2b"), "{args:?} printed a secret:\n{all}");
    }
    // A key that the shop refuses is not echoed in the error either.
    let o = run(at(&sb, &home.0).env("LOGIBRIDGE_CARRETA_API_KEY", "canary-WRONG-1234"), &["-v", "carreta", "search", "oc47"]);
    assert!(!format!("{}{}", stdout(&o), stderr(&o)).contains("canary-WRONG-1234"));
}

#[test]
fn errors_are_russian_under_a_russian_locale() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let o = run(at(&sb, &home.0).env("LANG", "ru_RU.UTF-8"), &["call", "carreta.order.get", "-p", "id=abc"]);
    expect_code(&o, 3);
    assert!(stderr(&o).contains("целым числом"), "{}", stderr(&o));
    let o = run(bin(&home.0).env("LANG", "ru_RU.UTF-8"), &["carreta", "search", "oc47"]);
    assert!(stderr(&o).contains("не задан параметр api_key"), "{}", stderr(&o));
    // LC_ALL wins over LANG.
    let o = run(at(&sb, &home.0).env("LANG", "ru_RU.UTF-8").env("LC_ALL", "C"), &["call", "carreta.order.get", "-p", "id=abc"]);
    assert!(stderr(&o).contains("whole number"), "{}", stderr(&o));
}

// -- everyday commands -----------------------------------------------------------------

#[test]
fn carreta_search_order_create_and_orders_by_comment() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let o = run(&mut at(&sb, &home.0), &["carreta", "search", "OC47"]);
    expect_code(&o, 0);
    assert!(stdout(&o).to_uppercase().contains("OC47"), "{}", stdout(&o));
    let offers = json_out(&run(&mut at(&sb, &home.0), &["carreta", "search", "OC47", "-o", "json"]));
    let offer_file = home.path("offer.json");
    std::fs::write(&offer_file, offers[0].to_string()).unwrap();
    let qty = offers[0]["min_qty"].as_i64().unwrap_or(1).to_string();
    let created = json_out(&run(&mut at(&sb, &home.0), &["carreta", "order", "create", "--offer-json", &format!("@{}", offer_file.display()), "--qty", &qty, "--comment", "PO-CLI-1", "-o", "json"]));
    assert_eq!(created["outcome"], "created", "{created}");
    let orders = json_out(&run(&mut at(&sb, &home.0), &["carreta", "orders", "--comment", "PO-CLI-1", "-o", "json"]));
    assert_eq!(orders.as_array().unwrap().len(), 1, "{orders}");
    assert_eq!(orders[0]["id"], created["order"]["id"]);
    let none = json_out(&run(&mut at(&sb, &home.0), &["carreta", "orders", "--comment", "PO-OTHER", "-o", "json"]));
    assert_eq!(none, json!([]));
    let id = created["order"]["id"].to_string();
    let got = json_out(&run(&mut at(&sb, &home.0), &["carreta", "order", "get", &id, "-o", "json"]));
    assert_eq!(got["client_comment"], "PO-CLI-1");
}

#[test]
fn carreta_order_create_with_the_same_comment_twice_places_one_order() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let offers = json_out(&run(&mut at(&sb, &home.0), &["carreta", "search", "OC47", "-o", "json"]));
    let qty = offers[0]["min_qty"].as_i64().unwrap_or(1).to_string();
    let create = ["carreta", "order", "create", "--offer-json", &offers[0].to_string(), "--qty", &qty, "--comment", "PO-TWICE-1", "-o", "json"];
    let first = json_out(&run(&mut at(&sb, &home.0), &create));
    assert_eq!(first["outcome"], "created", "{first}");
    let o = run(&mut at(&sb, &home.0), &create);
    let second = json_out(&o);
    assert_eq!((second["outcome"].as_str(), &second["order"]["id"]), (Some("existing"), &first["order"]["id"]), "{second}");
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    let orders = json_out(&run(&mut at(&sb, &home.0), &["carreta", "orders", "-o", "json"]));
    assert_eq!(orders.as_array().unwrap().len(), 1, "{orders}");
}

#[test]
fn ireca_orders_get_and_goods_list_all() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let taxes = json_out(&run(&mut at(&sb, &home.0), &["call", "ireca.taxes.list", "--all", "-o", "json"]));
    let goods = home.path("goods.json");
    std::fs::write(&goods, json!({"items": [{"goodId": "CLI-TEA", "title": "Чай", "price": "249.90", "taxId": taxes[0]["taxId"]}]}).to_string()).unwrap();
    expect_code(&run(&mut at(&sb, &home.0), &["call", "ireca.goods.create", "--json", goods.to_str().unwrap()]), 0);
    let listed = json_out(&run(&mut at(&sb, &home.0), &["ireca", "goods", "list", "--all", "-o", "json"]));
    assert!(listed.as_array().unwrap().iter().any(|g| g["goodId"] == "CLI-TEA"), "{listed}");
    let order = json!({"items": [{"orderId": "209900", "statusId": 0, "deliveryStatusId": 6, "courierId": "55752", "paymentId": "4113",
        "amountToPay": "499.80", "deliveryTimeFrom": "2026-06-30T12:00:00+03:00", "deliveryTimeTo": "2026-06-30T15:00:00+03:00",
        "addressToEntity": {"city": "Санкт-Петербург", "street": "Чкаловский пр.", "home": "15", "isUseGoogleGeo": false},
        "goods": [{"goodId": "CLI-TEA", "count": 2, "price": "249.90", "total": "499.80", "discountTotal": 0}]}]});
    let mut c = at(&sb, &home.0);
    c.args(["call", "ireca.orders.create", "--json", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    child.stdin.take().unwrap().write_all(order.to_string().as_bytes()).unwrap();
    expect_code(&child.wait_with_output().unwrap(), 0);
    let got = json_out(&run(&mut at(&sb, &home.0), &["ireca", "orders", "get", "209900", "-o", "json"]));
    assert_eq!(got["orderId"].to_string().trim_matches('"'), "209900", "{got}");
    expect_code(&run(&mut at(&sb, &home.0), &["ireca", "orders", "get", "404404"]), 4);
}

#[test]
fn cargorun_login_shows_the_expiry_and_never_the_token() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let out = json_out(&run(&mut at(&sb, &home.0), &["cargorun", "login", "-o", "json"]));
    assert_eq!(out["signed_in"], true);
    assert_eq!(out["user"], sb.cargorun_username());
    let expires = out["token_expires_at"].as_str().unwrap();
    assert!(expires.ends_with('Z') && expires.len() == 20, "{out}");
    // The tokens are kept (mode 600) for the next command, and not shown.
    let file = home.path(".cache/logibridge/cargorun-tokens.json");
    assert_eq!(out["token_file"].as_str(), file.to_str());
    let kept: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let entry = kept.as_object().unwrap().values().next().unwrap();
    let access = entry["access_token"].as_str().unwrap();
    assert!(access.len() > 20);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let text = out.to_string();
    assert!(!text.contains(access) && !text.contains("eyJ"), "a token in {text}");
    // Run again: the kept tokens serve (the sandbox refuses a second sign-in within 60 s).
    let again = json_out(&run(&mut at(&sb, &home.0), &["cargorun", "login", "-o", "json"]));
    assert_eq!(again["token_expires_at"], out["token_expires_at"]);
    let o = run(at(&sb, &home.0).env("LOGIBRIDGE_CARGORUN_PASSWORD", "wrong-password"), &["cargorun", "login"]);
    expect_code(&o, 4);
}

#[test]
fn cargorun_bids_sync_hands_each_row_once_across_runs() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let (status, body) = post(&format!("{}_control/cargorun/seed", sb.base_url()), r#"{"table": "bids", "count": 3}"#);
    assert_eq!(status, 200, "{body}");
    let store = home.path("sync.db");
    let store = store.to_str().unwrap();
    let first = json_out(&run(&mut at(&sb, &home.0), &["cargorun", "bids", "sync", "--since", "2000-01-01T00:00:00Z", "--store", store, "-o", "json"]));
    assert_eq!(first.as_array().unwrap().len(), 3, "{first}");
    let again = json_out(&run(&mut at(&sb, &home.0), &["cargorun", "bids", "sync", "--store", store, "-o", "json"]));
    assert_eq!(again, json!([]), "the checkpoint was stored");
    post(&format!("{}_control/cargorun/seed", sb.base_url()), r#"{"table": "bids", "count": 1}"#);
    let o = run(&mut at(&sb, &home.0), &["cargorun", "bids", "sync", "--store", store, "-o", "jsonl"]);
    expect_code(&o, 0);
    assert_eq!(stdout(&o).lines().count(), 1, "only the new bid: {}", stdout(&o));
    let o = run(&mut at(&sb, &home.0), &["cargorun", "bids", "sync", "--since", "yesterday", "--store", home.path("other.db").to_str().unwrap()]);
    expect_code(&o, 3);
    assert!(stderr(&o).contains("since"), "{}", stderr(&o));
    assert!(!home.path("other.db").exists(), "a refused sync made its store");
    // Rows that could not be written (a full disk) are handed again by the next run.
    post(&format!("{}_control/cargorun/seed", sb.base_url()), r#"{"table": "bids", "count": 2}"#);
    for format in ["json", "jsonl", "table"] {
        let mut cmd = at(&sb, &home.0);
        cmd.stdout(std::fs::File::create("/dev/full").unwrap());
        let o = run(&mut cmd, &["cargorun", "bids", "sync", "--store", store, "-o", format]);
        assert!(!o.status.success(), "{format}: a failed write must fail the command");
        assert!(stderr(&o).contains("checkpoint was not moved"), "{}", stderr(&o));
    }
    let o = run(&mut at(&sb, &home.0), &["cargorun", "bids", "sync", "--store", store, "-o", "jsonl"]);
    expect_code(&o, 0);
    assert_eq!(stdout(&o).lines().count(), 2, "the two bids not written before: {}", stdout(&o));
}

// -- webhook ---------------------------------------------------------------------------

#[test]
fn webhook_serve_journals_callbacks_and_tail_prints_and_acknowledges_them() {
    let home = Scratch::new();
    let dir = home.path("journal");
    let secret = "cli-test-secret-0123456789";
    let mut child = Running(
        bin(&home.0)
            .args(["webhook", "serve", "--journal", dir.to_str().unwrap(), "--path-secret", secret])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let lines = lines_until(&mut child.0, "both ");
    let order_url = lines.iter().find_map(|l| l.strip_prefix("order ")).unwrap().to_owned();
    assert!(order_url.contains(secret), "{lines:?}");
    let (status, body) = post(&order_url, r#"{"items": [{"orderId": 209900, "amountToPay": "679.570"}]}"#);
    assert_eq!(status, 201, "{body}");
    // While the receiver holds the journal, a tail is refused rather than racing it.
    let o = run(&mut bin(&home.0), &["webhook", "tail", dir.to_str().unwrap()]);
    expect_code(&o, 1);
    assert!(stderr(&o).contains("in use by another receiver"), "{}", stderr(&o));
    // Stopped without a word: the entry was synced before its 201.
    drop(child);
    let o = run(&mut bin(&home.0), &["webhook", "tail", dir.to_str().unwrap(), "--no-ack", "-o", "jsonl"]);
    expect_code(&o, 0);
    assert!(stdout(&o).contains(r#""amountToPay":"679.570""#), "{}", stdout(&o));
    let o = run(&mut bin(&home.0), &["webhook", "tail", dir.to_str().unwrap(), "-o", "jsonl"]);
    assert_eq!(stdout(&o).lines().count(), 1, "still pending after --no-ack: {}", stdout(&o));
    let o = run(&mut bin(&home.0), &["webhook", "tail", dir.to_str().unwrap(), "-o", "jsonl"]);
    expect_code(&o, 0);
    assert_eq!(stdout(&o), "", "acknowledged by the tail before");
    let o = run(&mut bin(&home.0), &["webhook", "serve", "--journal", dir.to_str().unwrap(), "--path-secret", "short"]);
    expect_code(&o, 3);
    assert!(stderr(&o).contains("path_secret"), "{}", stderr(&o));
}

#[cfg(target_os = "linux")]
#[test]
fn webhook_tail_marks_a_cut_body_in_its_table() {
    let home = Scratch::new();
    let dir = home.path("journal");
    let mut child = Running(bin(&home.0).args(["webhook", "serve", "--journal", dir.to_str().unwrap()]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap());
    let lines = lines_until(&mut child.0, "both ");
    let order_url = lines.iter().find_map(|l| l.strip_prefix("order ")).unwrap().to_owned();
    let body = json!({"items": [{"orderId": 209900, "comment": "x".repeat(300)}]}).to_string();
    assert_eq!(post(&order_url, &body).0, 201);
    drop(child);
    // On a terminal (util-linux `script` gives the command one; a pipe or a file gets the
    // whole body: webhook_tail_prints_whole_bodies_when_not_on_a_terminal).
    let command = format!("'{}' webhook tail '{}' --no-ack", env!("CARGO_BIN_EXE_logibridge"), dir.display());
    let mut script = Command::new("script");
    script.env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default()).env("HOME", &home.0).env("LANG", "C");
    let o = run(&mut script, &["-qec", &command, "/dev/null"]);
    expect_code(&o, 0);
    let line = stdout(&o).lines().next().unwrap().trim_end().to_owned();
    assert!(line.ends_with('…') && !line.contains(&"x".repeat(150)), "{line}");
}

#[test]
fn webhook_serve_keeps_its_journal_private_and_a_refused_start_leaves_nothing() {
    let home = Scratch::new();
    let refused = home.path("refused");
    let o = run(&mut bin(&home.0), &["webhook", "serve", "--journal", refused.to_str().unwrap(), "--path-secret", "short"]);
    expect_code(&o, 3);
    assert!(!refused.exists(), "a refused start made {}", refused.display());
    let dir = home.path("journal");
    let mut child = Running(bin(&home.0).args(["webhook", "serve", "--journal", dir.to_str().unwrap()]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap());
    lines_until(&mut child.0, "both ");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700, "the journal's directory");
        for file in ["callbacks.jsonl", "callbacks.jsonl.acks"] {
            assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
        }
    }
}

// -- price lists -----------------------------------------------------------------------

/// Windows-1251 bytes of a text of ASCII and the Russian alphabet (А–я).
fn cp1251(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            c if c.is_ascii() => c as u8,
            'А'..='я' => (c as u32 - 'А' as u32 + 0xC0) as u8,
            other => panic!("{other:?} is not in this test's CP1251 table"),
        })
        .collect()
}

const PRICES: &str = "Бренд;Артикул;Наименование;Цена;Количество;Склад\r\nMANN;W 712;Фильтр масляный;1 234,56;<10;Москва\r\nKNECHT;OC 47;Фильтр;x;5;Тверь\r\nBOSCH;F 026;Свеча;152,02;>50;Москва\r\n";

#[test]
fn pricelist_converts_to_jsonl_and_csv_and_reports_bad_rows() {
    let home = Scratch::new();
    let input = home.path("prices.csv");
    std::fs::write(&input, cp1251(PRICES)).unwrap();
    let out = home.path("prices.jsonl");
    let bad = home.path("bad.jsonl");
    let o = run(&mut bin(&home.0), &["pricelist", "convert", input.to_str().unwrap(), "--to", "jsonl", "--out", out.to_str().unwrap(), "--bad-rows", bad.to_str().unwrap()]);
    expect_code(&o, 0);
    let rows: Vec<Value> = std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0]["price"].as_str(), rows[0]["name"].as_str()), (Some("1234.56"), Some("Фильтр масляный")));
    assert!(stderr(&o).contains("1 bad rows") && stderr(&o).contains("line 3, column Цена"), "{}", stderr(&o));
    let reported: Value = serde_json::from_str(std::fs::read_to_string(&bad).unwrap().trim()).unwrap();
    assert_eq!(reported["line"], 3);
    // CSV to stdout; the Russian report.
    let o = run(bin(&home.0).env("LANG", "ru_RU.UTF-8"), &["pricelist", "convert", input.to_str().unwrap(), "--to", "csv"]);
    expect_code(&o, 0);
    assert!(stdout(&o).starts_with("line,code,maker,name,price,qty,min_qty,period_min,period_max,Склад\r\n"), "{}", stdout(&o));
    assert!(stderr(&o).contains("строка 3, колонка «Цена»"), "{}", stderr(&o));
    // --strict stops at the bad row, leaves no output file.
    let strict = home.path("strict.jsonl");
    let o = run(&mut bin(&home.0), &["pricelist", "convert", input.to_str().unwrap(), "--to", "jsonl", "--strict", "--out", strict.to_str().unwrap()]);
    expect_code(&o, 3);
    assert!(!strict.exists());
    expect_code(&run(&mut bin(&home.0), &["pricelist", "convert", input.to_str().unwrap(), "--to", "jsonl", "--encoding", "no-such-encoding"]), 2);
}

#[test]
fn pricelist_refuses_to_overwrite_its_input() {
    let home = Scratch::new();
    let input = home.path("prices.csv");
    std::fs::write(&input, cp1251(PRICES)).unwrap();
    let before = std::fs::read(&input).unwrap();
    let o = run(&mut bin(&home.0), &["pricelist", "convert", input.to_str().unwrap(), "--to", "csv", "--out", input.to_str().unwrap()]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("input"), "{}", stderr(&o));
    // The same file by another name.
    let other = home.path("sub/../prices.csv");
    std::fs::create_dir_all(home.path("sub")).unwrap();
    expect_code(&run(&mut bin(&home.0), &["pricelist", "convert", input.to_str().unwrap(), "--to", "jsonl", "--out", other.to_str().unwrap()]), 2);
    #[cfg(unix)]
    {
        let link = home.path("link.csv");
        std::os::unix::fs::symlink(&input, &link).unwrap();
        expect_code(&run(&mut bin(&home.0), &["pricelist", "convert", input.to_str().unwrap(), "--to", "jsonl", "--out", link.to_str().unwrap()]), 2);
    }
    // The bad-rows report may name neither the input nor the output.
    let out = home.path("prices.jsonl");
    std::fs::write(&out, "kept\n").unwrap();
    for report in [input.to_str().unwrap(), out.to_str().unwrap(), other.to_str().unwrap()] {
        let o = run(&mut bin(&home.0), &["pricelist", "convert", input.to_str().unwrap(), "--to", "jsonl", "--out", out.to_str().unwrap(), "--bad-rows", report]);
        expect_code(&o, 2);
        assert!(stderr(&o).contains("--bad-rows"), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "kept\n");
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

/// The rows a JSON Lines conversion of [`PRICES`] wrote.
fn converted_rows(text: &str) -> usize {
    text.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).filter(|r| r["code"].is_string()).count()
}

#[cfg(unix)]
#[test]
fn pricelist_out_replaces_only_a_regular_file_and_writes_through_a_fifo() {
    use std::os::unix::fs::FileTypeExt;
    let home = Scratch::new();
    let input = home.path("prices.csv");
    std::fs::write(&input, cp1251(PRICES)).unwrap();
    // Through a symbolic link the file it points to is replaced; the link stays a link.
    let target = home.path("real.jsonl");
    std::fs::write(&target, "old\n").unwrap();
    let link = home.path("link.jsonl");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let o = run(&mut bin(&home.0), &["pricelist", "convert", input.to_str().unwrap(), "--to", "jsonl", "--out", link.to_str().unwrap()]);
    expect_code(&o, 0);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link was replaced by a file");
    assert_eq!(converted_rows(&std::fs::read_to_string(&target).unwrap()), 2);
    // A FIFO is written to, and stays a FIFO for whoever reads it.
    let fifo = home.path("rows.fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reading = fifo.clone();
    let reader = std::thread::spawn(move || std::fs::read_to_string(reading).unwrap());
    let o = run(&mut bin(&home.0), &["pricelist", "convert", input.to_str().unwrap(), "--to", "jsonl", "--out", fifo.to_str().unwrap()]);
    expect_code(&o, 0);
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO was replaced by a file");
    assert_eq!(converted_rows(&reader.join().unwrap()), 2);
}

#[cfg(unix)]
#[test]
fn pricelist_out_keeps_the_mode_of_the_file_it_replaces() {
    use std::os::unix::fs::PermissionsExt;
    let home = Scratch::new();
    let input = home.path("prices.csv");
    std::fs::write(&input, cp1251(PRICES)).unwrap();
    let out = home.path("prices.jsonl");
    std::fs::write(&out, "old\n").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o600)).unwrap();
    expect_code(&run(&mut bin(&home.0), &["pricelist", "convert", input.to_str().unwrap(), "--to", "jsonl", "--out", out.to_str().unwrap()]), 0);
    assert_eq!(converted_rows(&std::fs::read_to_string(&out).unwrap()), 2);
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn pricelist_refuses_a_directory_as_input_or_output_before_converting() {
    let home = Scratch::new();
    let input = home.path("prices.csv");
    std::fs::write(&input, cp1251(PRICES)).unwrap();
    let dir = home.path("folder");
    std::fs::create_dir(&dir).unwrap();
    let o = run(&mut bin(&home.0), &["pricelist", "convert", dir.to_str().unwrap(), "--to", "jsonl"]);
    expect_code(&o, 1);
    assert!(stderr(&o).contains(dir.to_str().unwrap()) && stderr(&o).contains("directory"), "{}", stderr(&o));
    let o = run(&mut bin(&home.0), &["pricelist", "convert", input.to_str().unwrap(), "--to", "jsonl", "--out", dir.to_str().unwrap()]);
    expect_code(&o, 1);
    assert!(stderr(&o).contains(dir.to_str().unwrap()) && stderr(&o).contains("directory"), "{}", stderr(&o));
    let left: Vec<String> = std::fs::read_dir(&home.0).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".partial")).collect();
    assert!(left.is_empty(), "{left:?}");
}

/// `convert | head`: the reader stopping early is not an error.
#[test]
fn pricelist_to_a_pipe_closed_early_exits_0_quietly() {
    let home = Scratch::new();
    let input = home.path("prices.csv");
    let mut text = String::from("Артикул;Цена\n");
    for i in 0..200_000 {
        text.push_str(&format!("A{i};{i},5\n"));
    }
    std::fs::write(&input, text).unwrap();
    let mut child = bin(&home.0).args(["pricelist", "convert", input.to_str().unwrap(), "--to", "jsonl"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.contains("A0"), "{first}");
    let o = child.wait_with_output().unwrap();
    expect_code(&o, 0);
    assert_eq!(stderr(&o), "");
}

#[cfg(feature = "parquet")]
#[test]
fn pricelist_converts_to_parquet_readable_back() {
    use arrow_array::{Array, Decimal128Array, StringArray};
    let home = Scratch::new();
    let input = home.path("prices.csv");
    std::fs::write(&input, cp1251(PRICES)).unwrap();
    let out = home.path("prices.parquet");
    let o = run(&mut bin(&home.0), &["pricelist", "convert", input.to_str().unwrap(), "--to", "parquet", "--out", out.to_str().unwrap()]);
    expect_code(&o, 0);
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&out).unwrap()).unwrap().build().unwrap();
    let batches: Vec<_> = reader.map(|b| b.unwrap()).collect();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 2);
    let price = batches[0].column_by_name("price").unwrap().as_any().downcast_ref::<Decimal128Array>().unwrap();
    assert_eq!((price.value(0), price.value(1), price.scale()), (123456, 15202, 2));
    let store = batches[0].column_by_name("Склад").unwrap().as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!(store.value(1), "Москва");
    assert!(stderr(&o).contains("line 3"), "{}", stderr(&o));
    // Parquet is binary: not to stdout.
    expect_code(&run(&mut bin(&home.0), &["pricelist", "convert", input.to_str().unwrap(), "--to", "parquet"]), 2);
}

/// The bar is drawn on a real terminal (`script` gives the command a pty) and never when
/// stderr is a pipe.
#[cfg(unix)]
#[test]
fn the_progress_bar_shows_on_a_terminal_only() {
    let home = Scratch::new();
    let input = home.path("prices.csv");
    let mut text = String::from("Артикул;Цена\n");
    for i in 0..200_000 {
        text.push_str(&format!("A{i};{i},5\n"));
    }
    std::fs::write(&input, text).unwrap();
    let out = home.path("out.jsonl");
    let cmd = format!("{} pricelist convert {} --to jsonl --out {}", env!("CARGO_BIN_EXE_logibridge"), input.display(), out.display());
    let typescript = home.path("typescript");
    let o = Command::new("script").args(["-q", "-e", "-c", &cmd, typescript.to_str().unwrap()]).env("HOME", &home.0).env("LANG", "C").env("TERM", "xterm").stdin(Stdio::null()).output();
    let Ok(o) = o else { panic!("`script` (util-linux) is needed for the terminal test") };
    expect_code(&o, 0);
    let shown = String::from_utf8_lossy(&std::fs::read(&typescript).unwrap()).into_owned();
    assert!(shown.contains("MiB") || shown.contains("KiB"), "no progress bar on the terminal: {shown:?}");
    // Piped: no bar, the report only.
    let o = run(&mut bin(&home.0), &["pricelist", "convert", input.to_str().unwrap(), "--to", "jsonl", "--out", out.to_str().unwrap()]);
    expect_code(&o, 0);
    assert!(!stderr(&o).contains("KiB") && !stderr(&o).contains('\u{1b}'), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("200000 rows written"), "{}", stderr(&o));
}

/// On a real terminal (tmux's), the bar is redrawn in place while the list is read, and the
/// screen ends with the report, no bar left over and no escape sequence shown. The input is
/// a FIFO fed in two halves, so the bar is looked at while the command waits for the rest
/// (no timing involved); a FIFO has no length, so the bar counts bytes.
#[cfg(unix)]
#[test]
fn the_progress_bar_is_redrawn_in_place_on_a_tmux_terminal() {
    let home = Scratch::new();
    let fifo = home.path("prices.csv");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let out = home.path("out.jsonl");
    let socket = format!("lb-cli-test-{}", std::process::id());
    let tmux = |args: &[&str]| -> Output {
        Command::new("tmux").args(["-L", &socket, "-f", "/dev/null"]).args(args).env("HOME", &home.0).output().unwrap_or_else(|e| panic!("tmux is needed for this test (`make test` installs it): {e}"))
    };
    struct KillServer<'a>(&'a dyn Fn(&[&str]) -> Output);
    impl Drop for KillServer<'_> {
        fn drop(&mut self) {
            (self.0)(&["kill-server"]);
        }
    }
    let _server = KillServer(&tmux);
    let cmd = format!(
        "LANG=C {} pricelist convert {} --to jsonl --out {}; echo __exit=$?__; sleep 600",
        env!("CARGO_BIN_EXE_logibridge"),
        fifo.display(),
        out.display()
    );
    let o = tmux(&["new-session", "-d", "-x", "120", "-y", "30", &cmd]);
    assert!(o.status.success(), "tmux new-session: {}", stderr(&o));
    let screen = || stdout(&tmux(&["capture-pane", "-p"]));
    let wait_for = |what: &dyn Fn(&str) -> bool, why: &str| -> String {
        for _ in 0..600 {
            let shown = screen();
            if what(&shown) {
                return shown;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("{why}; the screen: {:?}", screen());
    };

    // Opened for writing (without blocking) once the command has it open for reading, and
    // that very descriptor is kept as the writer: closing a probe and opening again left a
    // moment with no writer, in which the command could read end-of-file and exit, and the
    // second, blocking open then waited for a reader for ever (it hung a CI run).
    let writer = std::cell::RefCell::new(None::<std::fs::File>);
    let open_writer = || {
        use std::os::unix::fs::OpenOptionsExt;
        let mut w = writer.borrow_mut();
        if w.is_none() {
            *w = std::fs::OpenOptions::new().write(true).custom_flags(0o4000 /* O_NONBLOCK */).open(&fifo).ok();
        }
        w.is_some()
    };
    wait_for(&|_: &str| open_writer(), "the command never opened its input");
    let mut writer = writer.into_inner().unwrap();
    // The descriptor is non-blocking: a full pipe is waited out here; a reader that went
    // away is an error (EPIPE), never a hang.
    let write_all = |w: &mut std::fs::File, mut bytes: &[u8]| {
        let started = std::time::Instant::now();
        while !bytes.is_empty() {
            match w.write(bytes) {
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && started.elapsed().as_secs() < 60 => {
                    std::thread::sleep(std::time::Duration::from_millis(2))
                }
                Err(e) => panic!("writing the list into the FIFO: {e}; the screen: {:?}", screen()),
            }
        }
    };
    let mut half = String::from("Артикул;Цена\n");
    for i in 0..100_000 {
        half.push_str(&format!("A{i};{i},5\n"));
    }
    write_all(&mut writer, half.as_bytes());
    let during = wait_for(&|s: &str| s.contains("MiB") || s.contains("KiB"), "no progress shown while the list was read");
    assert_eq!(during.lines().filter(|l| l.contains("iB")).count(), 1, "the bar was not redrawn in place: {during:?}");
    assert!(!during.contains("ETA") && !during.contains("/0 B"), "a total and an ETA for an input without a length: {during:?}");
    write_all(&mut writer, half.split_once('\n').unwrap().1.as_bytes());
    drop(writer);
    let after = wait_for(&|s: &str| s.contains("__exit="), "the conversion did not end");
    assert!(after.contains("__exit=0__"), "{after:?}");
    assert!(after.contains("200000 rows written"), "{after:?}");
    assert!(!after.lines().any(|l| l.contains("iB")), "the bar was left on the screen: {after:?}");
    assert!(!after.contains('\u{1b}') && !after.contains("[2K"), "escape sequences shown: {after:?}");
}

// -- completions, version, help ------------------------------------------------------------

#[test]
fn completions_version_and_help() {
    let home = Scratch::new();
    let o = run(&mut bin(&home.0), &["completions", "bash"]);
    expect_code(&o, 0);
    assert!(stdout(&o).contains("logibridge") && stdout(&o).contains("endpoints") && stdout(&o).contains("pricelist"), "{}", stdout(&o));
    // `call` and `endpoints` complete endpoint ids, CARGO.RUN's generic rows included...
    for id in ["carreta.search.query", "ireca.orders.create", "cargorun.bids.list_for_external"] {
        assert!(stdout(&o).contains(id), "{id} is not offered");
    }
    let generic = logibridge::endpoints::rows_of(logibridge::endpoints::service("cargorun").unwrap()).into_iter().last().unwrap().id;
    assert!(stdout(&o).contains(generic), "the generic row {generic} is not offered");
    // ...but the help does not list them, and an unknown id is still the table's refusal.
    let o = run(&mut bin(&home.0), &["call", "--help"]);
    assert!(!stdout(&o).contains("cargorun.bids.list_for_external") && !stdout(&o).contains("possible values"), "{}", stdout(&o));
    let o = run(&mut bin(&home.0), &["call", "carreta.serch.query"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("carreta.serch.query") && !stderr(&o).contains("possible values"), "{}", stderr(&o));
    let o = run(&mut bin(&home.0), &["--version"]);
    expect_code(&o, 0);
    let v = stdout(&o);
    assert!(v.starts_with(&format!("logibridge {} (git ", env!("CARGO_PKG_VERSION"))), "{v}");
    let o = run(&mut bin(&home.0), &["--help"]);
    expect_code(&o, 0);
    assert!(stdout(&o).contains("Exit codes") && stdout(&o).contains("Коды выхода"), "{}", stdout(&o));
}

/// `> /dev/full`: what could not be written is a failure (exit 1, one line), not a panic
/// (101) or a success.
#[cfg(target_os = "linux")]
#[test]
fn output_that_cannot_be_written_exits_1_with_one_line() {
    let home = Scratch::new();
    for args in [&["completions", "bash"][..], &["--help"], &["--version"], &["pricelist", "--help"], &["endpoints"]] {
        let mut cmd = bin(&home.0);
        cmd.stdout(std::fs::File::create("/dev/full").unwrap());
        let o = cmd.args(args).stdin(Stdio::null()).output().unwrap();
        expect_code(&o, 1);
        assert_eq!(stderr(&o).lines().count(), 1, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).starts_with("logibridge: cannot write to stdout"), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn an_empty_parameter_value_is_refused_naming_it() {
    let home = Scratch::new();
    let o = run(&mut bin(&home.0), &["call", "carreta.search.query", "-p", "q="]);
    expect_code(&o, 3);
    assert!(stderr(&o).contains("\"q\" is empty"), "{}", stderr(&o));
}

#[test]
fn every_unknown_parameter_is_named_before_a_missing_one() {
    let home = Scratch::new();
    let o = run(&mut bin(&home.0), &["call", "carreta.search.query", "-p", "Q=oc47"]);
    expect_code(&o, 3);
    assert!(stderr(&o).contains("\"Q\"") && stderr(&o).contains("it takes: q"), "{}", stderr(&o));
    let o = run(&mut bin(&home.0), &["call", "carreta.search.query", "-p", "q=oc47", "-p", "foo=1", "-p", "bar:=2", "-o", "json"]);
    expect_code(&o, 3);
    let e: Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!((e["field"].as_str(), e["code"].as_str()), (Some("foo, bar"), Some("param.unknown")), "{e}");
}

#[test]
fn the_endpoint_list_marks_a_cut_summary() {
    let home = Scratch::new();
    let ep = logibridge::endpoints::find("carreta.order.create_once").unwrap();
    assert!(ep.summary.chars().count() > 60, "the test needs a long summary");
    let o = run(&mut bin(&home.0), &["endpoints", "--service", "carreta"]);
    expect_code(&o, 0);
    let line = stdout(&o).lines().find(|l| l.starts_with("carreta.order.create_once ")).unwrap().to_owned();
    assert!(line.ends_with('…'), "{line}");
}

// -- review 16: output that fails, oversized inputs, runs at once ----------------------------

/// `2>/dev/full` costs the message only: the exit code stays (6 for a lost order answer, 2
/// for a usage error), never a panic (101).
#[cfg(target_os = "linux")]
#[test]
fn a_stderr_that_cannot_be_written_keeps_the_exit_code() {
    let home = Scratch::new();
    let fault = r#"{"path_prefix": "/carreta/v1/order", "method": "POST", "drop_answer": true, "count": 1}"#;
    let (_child, env) = sandbox_child(&["--faults", fault], &home.0);
    let with_env = || {
        let mut c = bin(&home.0);
        c.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        c
    };
    let offers = json_out(&run(&mut with_env(), &["carreta", "search", "oc47", "-o", "json"]));
    let qty = offers[0]["min_qty"].as_i64().unwrap_or(1).to_string();
    let mut cmd = with_env();
    cmd.stderr(std::fs::File::create("/dev/full").unwrap());
    let o = run(&mut cmd, &["carreta", "order", "create", "--offer-json", &offers[0].to_string(), "--qty", &qty]);
    expect_code(&o, 6);
    let mut cmd = bin(&home.0);
    cmd.env("LANG", "ru_RU.UTF-8").stderr(std::fs::File::create("/dev/full").unwrap());
    expect_code(&run(&mut cmd, &["bogus"]), 2);
    // A closed stderr (`2>&-`) too.
    let o = Command::new("sh").arg("-c").arg(r#"exec "$0" bogus 2>&-"#).arg(env!("CARGO_BIN_EXE_logibridge")).env("LANG", "ru_RU.UTF-8").output().unwrap();
    expect_code(&o, 2);
}

/// `demo | head` ends quietly (exit 0), `demo > /dev/full` is exit 1 with one line.
#[cfg(target_os = "linux")]
#[test]
fn demo_output_that_cannot_be_written_is_no_panic() {
    let home = Scratch::new();
    let mut child = bin(&home.0).arg("demo").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("Sandbox at"), "{first}");
    // The reader is gone (dropped above): the rest goes to a closed pipe.
    let o = child.wait_with_output().unwrap();
    expect_code(&o, 0);
    let mut cmd = bin(&home.0);
    cmd.stdout(std::fs::File::create("/dev/full").unwrap());
    let o = run(&mut cmd, &["demo"]);
    expect_code(&o, 1);
    assert!(stderr(&o).starts_with("logibridge: cannot write to stdout") && stderr(&o).lines().count() == 1, "{}", stderr(&o));
}

/// A JSON argument from a file is read up to 64 MiB: `@/dev/zero` is refused naming the file
/// and the limit (was: read until memory ran out).
#[cfg(unix)]
#[test]
fn a_json_file_argument_is_read_up_to_a_limit() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let commands: [&[&str]; 5] = [
        &["call", "carreta.search.query", "--json", "@/dev/zero"],
        &["call", "carreta.search.query", "--json", "/dev/zero"],
        &["carreta", "order", "create", "--offer-json", "@/dev/zero", "--qty", "1"],
        &["call-path", "cargorun", "POST", "/api/Bids/Cancel", "--body", "@/dev/zero"],
        &["sandbox", "--faults", "@/dev/zero"],
    ];
    for args in commands {
        let o = run(&mut at(&sb, &home.0), args);
        expect_code(&o, 1);
        assert!(stderr(&o).contains("/dev/zero") && stderr(&o).contains("64 MiB"), "{args:?}: {}", stderr(&o));
    }
}

/// Two `order create` with one comment started together place one order: the lookup and
/// the create run under a lock per shop, account and comment. Run a few times, since
/// without the lock the two lookups only usually both come before either create.
#[cfg(unix)]
#[test]
fn two_order_creates_with_one_comment_at_once_place_one_order() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let offers = json_out(&run(&mut at(&sb, &home.0), &["carreta", "search", "OC47", "-o", "json"]));
    let qty = offers[0]["min_qty"].as_i64().unwrap_or(1).to_string();
    let offer = offers[0].to_string();
    for round in 0..4 {
        let comment = format!("PO-RACE-{round}");
        let create = ["carreta", "order", "create", "--offer-json", &offer, "--qty", &qty, "--comment", &comment, "-o", "json"];
        let children: Vec<Child> = (0..2).map(|_| at(&sb, &home.0).args(create).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()).collect();
        let outcomes: Vec<String> = children.into_iter().map(|c| json_out(&c.wait_with_output().unwrap())["outcome"].as_str().unwrap_or("").to_owned()).collect();
        let orders = json_out(&run(&mut at(&sb, &home.0), &["carreta", "orders", "--comment", &comment, "-o", "json"]));
        assert_eq!(orders.as_array().unwrap().len(), 1, "round {round}: {orders}");
        let mut sorted = outcomes.clone();
        sorted.sort();
        assert_eq!(sorted, ["created", "existing"], "round {round}");
    }
}

/// A second `bids sync` on a store in use is refused (exit 1) and prints no row; the first
/// is held inside its first request by a sandbox delay, so the two overlap.
#[cfg(unix)]
#[test]
fn a_second_sync_on_a_store_in_use_is_refused() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let (status, body) = post(&format!("{}_control/cargorun/seed", sb.base_url()), r#"{"table": "bids", "count": 2}"#);
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(&format!("{}_control/faults", sb.base_url()), r#"{"path_prefix": "/cargorun/", "delay_ms": 5000, "count": 1}"#);
    assert!((200..300).contains(&status), "{status} {body}");
    let store = home.path("sync.db");
    let sync = ["cargorun", "bids", "sync", "--since", "2000-01-01T00:00:00Z", "--store", store.to_str().unwrap(), "-o", "jsonl"];
    let mut first = at(&sb, &home.0).args(sync).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // The lock file appears when the first run takes the lock, before its first request.
    let lock = home.path("sync.db.lock");
    while !lock.exists() {
        assert!(first.try_wait().unwrap().is_none(), "the first sync ended without a lock file");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let o = run(&mut at(&sb, &home.0), &sync);
    expect_code(&o, 1);
    assert!(stderr(&o).contains("another sync is using") && stderr(&o).contains("sync.db"), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let o = first.wait_with_output().unwrap();
    expect_code(&o, 0);
    assert_eq!(stdout(&o).lines().count(), 2, "{}", stdout(&o));
}

/// `--comment` naming an order of another offer or quantity is refused (exit 3, the
/// difference named) and places nothing; the same order again is `existing` (exit 0).
#[test]
fn an_order_comment_taken_by_a_different_order_is_refused() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let offers = json_out(&run(&mut at(&sb, &home.0), &["carreta", "search", "OC47", "-o", "json"]));
    let min = offers[0]["min_qty"].as_i64().unwrap_or(1);
    let create = |offer: &Value, qty: i64| run(&mut at(&sb, &home.0), &["carreta", "order", "create", "--offer-json", &offer.to_string(), "--qty", &qty.to_string(), "--comment", "PO-DIFF-1", "-o", "json"]);
    assert_eq!(json_out(&create(&offers[0], min))["outcome"], "created");
    let o = create(&offers[0], min + 1);
    expect_code(&o, 3);
    assert!(stderr(&o).contains("order_qty") && stderr(&o).contains("none was placed"), "{}", stderr(&o));
    let other = offers.as_array().unwrap().iter().find(|o| o["code"] != offers[0]["code"] || o["maker"] != offers[0]["maker"]).expect("a second offer");
    let o = create(other, other["min_qty"].as_i64().unwrap_or(1).max(min));
    expect_code(&o, 3);
    assert_eq!(stdout(&o), "");
    assert_eq!(json_out(&create(&offers[0], min))["outcome"], "existing");
    let orders = json_out(&run(&mut at(&sb, &home.0), &["carreta", "orders", "-o", "json"]));
    assert_eq!(orders.as_array().unwrap().len(), 1, "{orders}");
}

/// `webhook tail` in a table to a file or a pipe prints each body whole: it acknowledges
/// what it printed, and the printed copy is the one left (a terminal gets the cut row:
/// `webhook_tail_marks_a_cut_body_in_its_table`).
#[test]
fn webhook_tail_prints_whole_bodies_when_not_on_a_terminal() {
    let home = Scratch::new();
    let dir = home.path("journal");
    let mut child = Running(bin(&home.0).args(["webhook", "serve", "--journal", dir.to_str().unwrap()]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap());
    let lines = lines_until(&mut child.0, "both ");
    let order_url = lines.iter().find_map(|l| l.strip_prefix("order ")).unwrap().to_owned();
    let body = json!({"items": [{"orderId": 209900, "comment": "x".repeat(300)}]}).to_string();
    assert_eq!(post(&order_url, &body).0, 201);
    drop(child);
    let o = run(&mut bin(&home.0), &["webhook", "tail", dir.to_str().unwrap()]);
    expect_code(&o, 0);
    assert!(stdout(&o).contains(&"x".repeat(300)) && !stdout(&o).contains('…'), "{}", stdout(&o));
}

/// `webhook serve | head -5`: when the reader goes, the receiver keeps taking callbacks
/// (each journaled, answered 201) and only the printing stops; nothing unprinted is
/// acknowledged, so `tail` hands it later.
#[test]
fn webhook_serve_keeps_receiving_when_its_output_closes() {
    let home = Scratch::new();
    let dir = home.path("journal");
    let mut child = Running(bin(&home.0).args(["webhook", "serve", "--journal", dir.to_str().unwrap(), "--ack"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap());
    let lines = lines_until(&mut child.0, "both ");
    let order_url = lines.iter().find_map(|l| l.strip_prefix("order ")).unwrap().to_owned();
    drop(child.0.stdout.take());
    for n in 0..3 {
        let (status, body) = post(&order_url, &json!({"items": [{"orderId": 300 + n}]}).to_string());
        assert_eq!(status, 201, "callback {n}: {body}");
    }
    assert!(child.0.try_wait().unwrap().is_none(), "the receiver stopped");
    drop(child);
    let o = run(&mut bin(&home.0), &["webhook", "tail", dir.to_str().unwrap(), "-o", "jsonl"]);
    expect_code(&o, 0);
    assert_eq!(stdout(&o).lines().count(), 3, "not printed, so not acknowledged: {}", stdout(&o));
}

/// Ctrl-C while a create waits for its answer (the sandbox applied it and holds the
/// answer) exits 6 with the look-it-up message, not silently.
#[cfg(unix)]
#[test]
fn ctrl_c_during_a_sent_create_exits_6_saying_to_look_it_up() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let offers = json_out(&run(&mut at(&sb, &home.0), &["carreta", "search", "OC47", "-o", "json"]));
    let qty = offers[0]["min_qty"].as_i64().unwrap_or(1).to_string();
    let (status, body) = post(&format!("{}_control/faults", sb.base_url()), r#"{"path_prefix": "/carreta/v1/order", "method": "POST", "after_apply": true, "delay_ms": 120000, "count": 1}"#);
    assert!((200..300).contains(&status), "{status} {body}");
    let child = at(&sb, &home.0).args(["carreta", "order", "create", "--offer-json", &offers[0].to_string(), "--qty", &qty]).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // The order exists once the create was handled; its answer is held back.
    loop {
        let orders = json_out(&run(&mut at(&sb, &home.0), &["carreta", "orders", "-o", "json"]));
        if !orders.as_array().unwrap().is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    expect_code(&o, 6);
    assert!(stderr(&o).contains("may have been sent and applied") && stderr(&o).contains("carreta.order.create"), "{}", stderr(&o));
}

/// An empty id given to a shortcut (`ireca orders get ""`, a shell variable that was empty)
/// is refused before sending (exit 3, naming it), as `call -p order_id=` is; the URL here
/// answers nothing, so a send would be exit 5.
#[test]
fn an_empty_id_to_a_shortcut_is_refused_before_sending() {
    let home = Scratch::new();
    for args in [&["ireca", "orders", "get", ""][..], &["ireca", "goods", "get", " "], &["carreta", "order", "get", ""], &["carreta", "search", ""]] {
        let mut c = bin(&home.0);
        c.env("LOGIBRIDGE_IRECA_TOKEN", "t").env("LOGIBRIDGE_IRECA_URL", "http://127.0.0.1:9/").env("LOGIBRIDGE_CARRETA_API_KEY", "k").env("LOGIBRIDGE_CARRETA_URL", "http://127.0.0.1:9/");
        let o = run(&mut c, args);
        expect_code(&o, 3);
        assert!(stderr(&o).contains("is empty"), "{args:?}: {}", stderr(&o));
    }
}

/// `ireca goods list` without --all prints one page; a full page says there may be more
/// and names --all (the service gives no total); with --all, or a page not full, no note.
#[test]
fn a_full_first_page_says_there_may_be_more() {
    let sb = Sandbox::start().unwrap();
    let home = Scratch::new();
    let taxes = json_out(&run(&mut at(&sb, &home.0), &["call", "ireca.taxes.list", "--all", "-o", "json"]));
    let o = run(&mut at(&sb, &home.0), &["ireca", "goods", "list", "-o", "json"]);
    expect_code(&o, 0);
    assert!(!stderr(&o).contains("--all"), "{}", stderr(&o));
    let items: Vec<Value> = (0..500).map(|n| json!({"goodId": format!("CLI-{n}"), "title": format!("Товар {n}"), "price": "1.00", "taxId": taxes[0]["taxId"]})).collect();
    let goods = home.path("goods.json");
    std::fs::write(&goods, json!({"items": items}).to_string()).unwrap();
    expect_code(&run(&mut at(&sb, &home.0), &["call", "ireca.goods.create", "--json", goods.to_str().unwrap()]), 0);
    let o = run(&mut at(&sb, &home.0), &["ireca", "goods", "list", "-o", "json"]);
    let page = json_out(&o);
    assert_eq!(page.as_array().unwrap().len(), 500);
    assert!(stderr(&o).contains("there may be more") && stderr(&o).contains("--all"), "{}", stderr(&o));
    let o = run(&mut at(&sb, &home.0), &["ireca", "goods", "list", "--all", "-o", "json"]);
    assert!(json_out(&o).as_array().unwrap().len() > 500);
    assert_eq!(stderr(&o), "");
}
