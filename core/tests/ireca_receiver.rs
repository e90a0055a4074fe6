//! The durable iRECA callback receiver (issue 11, Callbacks): what it answers, what it
//! writes, and that a 201 survives `kill -9`.
//!
//! The journal is read here the way a user's own tool would read it: as JSON Lines from
//! the file, not through the library.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use logibridge::ireca::callback_journal::CallbackKind;
use logibridge::ireca::receiver::CallbackReceiver;
use serde_json::{json, Value};
use sha2::Digest;

const SECRET: &str = "test-Secret_path.0123456789~";
/// Only bounds a failure (a hang); nothing here measures time.
const PATIENCE: Duration = Duration::from_secs(60);

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lb-ireca-receiver-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn start(journal: &Path) -> CallbackReceiver {
    CallbackReceiver::builder(journal).path_secret(SECRET).start().unwrap()
}

/// The journal's lines as a plain JSON reader sees them.
fn journal_lines(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "every line ends with \\n");
    text.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

fn order_body(n: usize) -> String {
    json!({"items": [{"orderId": 209900 + n, "amountToPay": "679.570", "codeAlias": format!("G-{n}")}]}).to_string()
}

/// A small HTTP client on a runtime of its own (the receiver runs on the library's).
struct Http {
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Http {
    fn new() -> Http {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let client = reqwest::Client::builder().timeout(PATIENCE).build().unwrap();
        Http { rt, client }
    }

    fn send(&self, method: reqwest::Method, url: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
        let request = self.client.request(method, url).header("content-type", "application/json").body(body);
        self.rt.block_on(async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
        })
    }

    fn post(&self, url: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
        self.send(reqwest::Method::POST, url, body)
    }

    /// Posts every body at once; the answers in the order of `bodies` (`None`: no answer).
    fn post_all(&self, url: &str, bodies: &[String]) -> Vec<Option<(u16, Value)>> {
        let requests = bodies.iter().map(|body| {
            let request = self.client.post(url).body(body.clone());
            async move {
                let response = request.send().await.ok()?;
                let status = response.status().as_u16();
                Some((status, response.json::<Value>().await.ok()?))
            }
        });
        self.rt.block_on(futures_util::future::join_all(requests))
    }
}

#[test]
fn concurrent_deliveries_are_each_journaled_once_in_seq_order() {
    let dir = temp_dir("concurrent");
    let journal = dir.join("callbacks.jsonl");
    let receiver = start(&journal);
    let bodies: Vec<String> = (0..40).map(order_body).collect();
    let answers = Http::new().post_all(&receiver.url(), &bodies);

    let mut seq_of_body = BTreeMap::new();
    for (body, answer) in bodies.iter().zip(&answers) {
        let (status, answer) = answer.clone().expect("an answer");
        assert_eq!(status, 201, "{answer}");
        seq_of_body.insert(body.clone(), answer["seq"].as_u64().unwrap());
    }
    let seqs: BTreeSet<u64> = seq_of_body.values().copied().collect();
    assert_eq!(seqs, (1..=40).collect(), "each delivery got its own seq");

    let lines = journal_lines(&journal);
    assert_eq!(lines.len(), 40, "each delivery is one line");
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["seq"], i as u64 + 1, "the file is in seq order");
        assert_eq!(line["kind"], "order");
        let body = line["body"].to_string();
        assert_eq!(seq_of_body.get(&body), Some(&(i as u64 + 1)), "the line holds the body its 201 named: {body}");
    }
    let pending: Vec<u64> = receiver.pending().iter().map(|e| e.seq()).collect();
    assert_eq!(pending, (1..=40).collect::<Vec<_>>(), "pending, oldest first");
    let handed: Vec<u64> = (0..40).map(|_| receiver.next_blocking(Some(PATIENCE)).unwrap().unwrap().seq()).collect();
    assert_eq!(handed, (1..=40).collect::<Vec<_>>(), "the iteration hands them out in order");
}

#[test]
fn a_201_comes_only_after_the_line_is_in_the_journal() {
    let dir = temp_dir("ordering");
    let journal = dir.join("callbacks.jsonl");
    let receiver = start(&journal);
    let http = Http::new();
    for n in 0..20 {
        let body = order_body(n);
        let (status, answer) = http.post(&receiver.url(), body.clone());
        assert_eq!(status, 201);
        // Read at once, before anything else can happen: the line must already be whole.
        let lines = journal_lines(&journal);
        let seq = answer["seq"].as_u64().unwrap();
        let line = lines.iter().find(|l| l["seq"] == seq).unwrap_or_else(|| panic!("seq {seq} is not in the journal when its 201 arrived"));
        assert_eq!(line["body"].to_string(), body);
    }
}

#[test]
fn a_restart_resumes_after_the_acknowledged_entries() {
    let dir = temp_dir("restart");
    let journal = dir.join("callbacks.jsonl");
    let http = Http::new();
    {
        let receiver = start(&journal);
        for n in 1..=5 {
            assert_eq!(http.post(&receiver.url(), order_body(n)).0, 201);
        }
        let entries: Vec<_> = (0..5).map(|_| receiver.next_blocking(Some(PATIENCE)).unwrap().unwrap()).collect();
        for i in [3, 0, 1] {
            receiver.ack(&entries[i]).unwrap(); // 4, 1, 2: out of order
        }
        receiver.ack(&entries[0]).unwrap(); // again: nothing more is written
        let pending: Vec<u64> = receiver.pending().iter().map(|e| e.seq()).collect();
        assert_eq!(pending, [3, 5]);
    }
    let journal_before = std::fs::read(&journal).unwrap();
    let acks: Vec<Value> = std::fs::read_to_string(dir.join("callbacks.jsonl.acks")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let acked: Vec<&Value> = acks.iter().map(|a| &a["seq"]).collect();
    assert_eq!(acked, [4, 1, 2], "one acknowledgement line per entry, in the order given");
    assert!(acks.iter().all(|a| a["acked_at"].as_str().is_some_and(|t| t.ends_with('Z'))));

    let receiver = start(&journal);
    let pending: Vec<u64> = receiver.pending().iter().map(|e| e.seq()).collect();
    assert_eq!(pending, [3, 5], "the restart resumes with what was not acknowledged");
    assert_eq!(receiver.pending()[0].body(), order_body(3));
    assert_eq!(std::fs::read(&journal).unwrap(), journal_before, "a restart rewrites nothing");
    let next = receiver.next_blocking(Some(PATIENCE)).unwrap().unwrap();
    assert_eq!(next.seq(), 3);
    receiver.ack(&next).unwrap();
    assert_eq!(receiver.next_blocking(Some(PATIENCE)).unwrap().unwrap().seq(), 5);
    assert_eq!(http.post(&receiver.url(), order_body(6)).0, 201);
    let new = receiver.next_blocking(Some(PATIENCE)).unwrap().unwrap();
    assert_eq!((new.seq(), new.body()), (6, order_body(6).as_str()), "numbering goes on after the restart");
    assert!(receiver.ack(&new).is_ok());
    drop(receiver);
    let receiver = start(&journal);
    assert_eq!(receiver.pending().iter().map(|e| e.seq()).collect::<Vec<_>>(), [5]);

    // An entry of another journal is not acknowledged by mistake: the same seq with another
    // body, or a seq beyond the end.
    let other = CallbackReceiver::builder(dir.join("other.jsonl")).path_secret(SECRET).start().unwrap();
    for n in 100..105 {
        assert_eq!(http.post(&other.url(), order_body(n)).0, 201);
    }
    let stranger = other.pending().pop().unwrap();
    assert_eq!(stranger.seq(), 5);
    let e = receiver.ack(&stranger).unwrap_err();
    assert!(e.to_string().contains("another journal"), "{e}");
    assert!(e.message_ru().contains("другого ли она журнала"), "{}", e.message_ru());
    let e = other.ack(&new).unwrap_err();
    assert!(e.to_string().contains("has no entry 6"), "{e}");
    assert_eq!((receiver.pending().len(), other.pending().len()), (1, 5), "nothing was acknowledged");
}

#[test]
fn shutdown_ends_a_waiting_iteration_and_closes_the_listener() {
    let dir = temp_dir("shutdown");
    let journal = dir.join("callbacks.jsonl");
    let receiver = std::sync::Arc::new(start(&journal));
    let http = Http::new();
    let (tx, seen) = mpsc::channel();
    let iterating = std::sync::Arc::clone(&receiver);
    std::thread::spawn(move || {
        for entry in iterating.entries() {
            tx.send(Some(entry.unwrap().seq())).unwrap();
        }
        tx.send(None).unwrap(); // the iteration ended
    });
    for n in 1..=2 {
        assert_eq!(http.post(&receiver.url(), order_body(n)).0, 201);
        assert_eq!(seen.recv_timeout(PATIENCE).unwrap(), Some(n as u64), "the waiting iteration hands out each new entry");
    }
    assert!(!receiver.is_shut_down());
    assert_eq!(receiver.next_blocking(Some(Duration::from_millis(1))).unwrap(), None, "nothing new: the time is up");
    receiver.shutdown();
    assert!(receiver.is_shut_down());
    assert_eq!(seen.recv_timeout(PATIENCE).unwrap(), None, "shutdown ends the iteration");
    assert_eq!(receiver.next_blocking(None).unwrap(), None, "and every later wait");
    assert!(std::net::TcpStream::connect(receiver.local_addr()).is_err(), "the listener is closed");
    assert_eq!(receiver.pending().len(), 2, "shutting down acknowledges nothing");
    receiver.shutdown(); // again: nothing happens
}

#[test]
fn a_duplicate_delivery_is_recognisable_by_its_hash() {
    let dir = temp_dir("duplicate");
    let journal = dir.join("callbacks.jsonl");
    let receiver = start(&journal);
    let http = Http::new();
    let session = r#"{"sessionId": 1, "courierId": 27, "deviceId": "3ebf391b3c596bc8", "sessionFinishAt": "2017-05-15 20:21:13"}"#;
    let same_spaced = "{\n  \"sessionId\":1,\"courierId\":27,\"deviceId\":\"3ebf391b3c596bc8\",\"sessionFinishAt\":\"2017-05-15 20:21:13\"\n}";
    for body in [session, session, same_spaced, r#"{"sessionId": 2}"#] {
        assert_eq!(http.post(&receiver.license_url(), body).0, 201);
    }
    let entries = receiver.pending();
    let hashes: Vec<&str> = entries.iter().map(|e| e.sha256()).collect();
    assert_eq!(hashes[0], hashes[1], "a retry of the same body has the same hash");
    assert_eq!(hashes[0], hashes[2], "whitespace between tokens does not count");
    assert_ne!(hashes[0], hashes[3]);
    assert_ne!(entries[0].seq(), entries[1].seq(), "and is journaled again, under its own seq");
    for (entry, line) in entries.iter().zip(journal_lines(&journal)) {
        assert_eq!(entry.kind(), CallbackKind::LicenseSession);
        let text = std::fs::read_to_string(&journal).unwrap();
        let raw = text.lines().nth(entry.seq() as usize - 1).unwrap();
        let body = &raw[raw.find(",\"body\":").unwrap() + 8..raw.len() - 1];
        assert_eq!(body, entry.body(), "the body text is cut from the line as documented");
        let hash: String = sha2::Sha256::digest(body.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(line["sha256"], hash, "sha256 is the hash of the body text in the line");
    }
}

#[test]
fn the_kind_comes_from_the_path_or_else_from_the_body() {
    let dir = temp_dir("kind");
    let journal = dir.join("callbacks.jsonl");
    let receiver = start(&journal);
    let http = Http::new();
    assert_eq!(http.post(&receiver.url(), order_body(1)).0, 201);
    assert_eq!(http.post(&receiver.url(), r#"{"sessionId":1,"courierId":27}"#).0, 201);
    assert_eq!(http.post(&receiver.order_url(), r#"{"items":[],"sessionId":9}"#).0, 201, "the kind's own path decides the kind");
    assert_eq!(http.post(&receiver.order_url(), r#"{"sessionId":9}"#).0, 422, "but the body must read as that kind");
    let (status, answer) = http.post(&receiver.url(), r#"{"something":"else"}"#);
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["error"], true);
    assert!(answer["message_ru"].as_str().unwrap().contains("sessionId"));
    let kinds: Vec<Value> = journal_lines(&journal).iter().map(|l| l["kind"].clone()).collect();
    assert_eq!(kinds, ["order", "license_session", "order"]);
}

#[test]
fn a_wrong_path_is_404_and_leaves_the_journal_untouched() {
    let dir = temp_dir("wrong-path");
    let journal = dir.join("callbacks.jsonl");
    let receiver = start(&journal);
    let http = Http::new();
    let url = receiver.url();
    let base = url.strip_suffix(SECRET).unwrap();
    let near: String = SECRET.chars().rev().collect();
    for wrong in [base.to_owned(), format!("{base}{}", &SECRET[..SECRET.len() - 1]), format!("{url}x"), format!("{base}{near}"), format!("{url}/other"), format!("{base}x/{SECRET}"), format!("{base}{}", SECRET.to_uppercase())] {
        let (status, answer) = http.post(&wrong, order_body(1));
        assert_eq!(status, 404, "{wrong}: {answer}");
        assert!(!answer.to_string().contains(SECRET), "the answer does not echo the path");
    }
    let (status, _) = http.send(reqwest::Method::GET, &url, "");
    assert_eq!(status, 405, "the secret path takes POST only");
    assert_eq!(std::fs::metadata(&journal).unwrap().len(), 0, "nothing was written");
    assert!(receiver.pending().is_empty());
}

#[test]
fn a_body_over_the_limit_is_413() {
    let dir = temp_dir("limit");
    let journal = dir.join("callbacks.jsonl");
    let receiver = CallbackReceiver::builder(&journal).path_secret(SECRET).body_limit(64).start().unwrap();
    let http = Http::new();
    let fits = format!(r#"{{"items":[{{"orderId":"{}"}}]}}"#, "x".repeat(64 - 26));
    assert_eq!(fits.len(), 64);
    let over = format!(r#"{{"items":[{{"orderId":"{}"}}]}}"#, "x".repeat(64 - 25));
    let (status, answer) = http.post(&receiver.url(), over.clone());
    assert_eq!(status, 413, "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("64 bytes"));
    // Without Content-Length (chunked): the limit holds while reading.
    let chunks = futures_util::stream::iter(over.into_bytes().chunks(10).map(|c| Ok::<_, std::io::Error>(c.to_vec())).collect::<Vec<_>>());
    assert_eq!(http.post(&receiver.url(), reqwest::Body::wrap_stream(chunks)).0, 413);
    assert_eq!(std::fs::metadata(&journal).unwrap().len(), 0);
    assert_eq!(http.post(&receiver.url(), fits.clone()).0, 201, "exactly the limit is accepted");
    assert_eq!(receiver.pending()[0].body(), fits);
}

#[test]
fn a_body_that_stalls_is_408_and_stores_nothing() {
    use std::io::{Read, Write};
    let dir = temp_dir("stall");
    let journal = dir.join("callbacks.jsonl");
    let receiver = CallbackReceiver::builder(&journal).path_secret(SECRET).body_timeout(Duration::from_millis(200)).start().unwrap();
    let mut stream = std::net::TcpStream::connect(receiver.local_addr()).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let head = format!("POST /{SECRET} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{{\"items\":[");
    stream.write_all(head.as_bytes()).unwrap(); // and then nothing more
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(std::fs::metadata(&journal).unwrap().len(), 0);
}

#[test]
fn a_body_that_is_not_json_is_400() {
    let dir = temp_dir("not-json");
    let journal = dir.join("callbacks.jsonl");
    let receiver = start(&journal);
    let http = Http::new();
    for bad in [&b""[..], b"{\"items\":[", b"items=1", b"{\"items\":[]} trailing", b"\xff\xfe{\"items\":[]}"] {
        let (status, answer) = http.post(&receiver.order_url(), bad.to_vec());
        assert_eq!(status, 400, "{bad:?}: {answer}");
        assert!(answer["message"].as_str().unwrap().starts_with("the body is not"), "{answer}");
        assert!(answer["message_ru"].as_str().unwrap().starts_with("тело запроса"), "{answer}");
    }
    assert_eq!(std::fs::metadata(&journal).unwrap().len(), 0);
}

#[test]
fn a_body_that_does_not_read_as_its_kind_is_refused_not_stored() {
    let dir = temp_dir("unreadable");
    let journal = dir.join("callbacks.jsonl");
    let receiver = start(&journal);
    let http = Http::new();
    let deep = format!("{{\"items\":[],\"x\":{}{}}}", "[".repeat(5000), "]".repeat(5000));
    let bad: [(String, String, u16); 5] = [
        (receiver.order_url(), r#"{"items":"x"}"#.into(), 422),
        (receiver.order_url(), r#"{"items":{}}"#.into(), 422),
        (receiver.license_url(), r#"{"sessionId":[1]}"#.into(), 422),
        (receiver.order_url(), r#"{"items":[{"orderId":"\ud800"}]}"#.into(), 400),
        (receiver.order_url(), deep, 400),
    ];
    for (url, body, want) in bad {
        let (status, answer) = http.post(&url, body.clone());
        assert_eq!(status, want, "{}: {answer}", &body[..body.len().min(60)]);
        assert!(!answer["message_ru"].as_str().unwrap_or_default().is_empty(), "{answer}");
    }
    assert_eq!(std::fs::metadata(&journal).unwrap().len(), 0, "nothing stored");
    let (status, _) = http.post(&receiver.order_url(), r#"{"items":[{"orderId":1}]}"#.to_owned());
    assert_eq!(status, 201);
}

#[test]
fn a_journal_that_cannot_be_opened_or_is_in_use_is_refused_at_start() {
    let dir = temp_dir("cannot-open");
    let e = CallbackReceiver::builder(dir.join("missing-dir").join("callbacks.jsonl")).start().unwrap_err();
    assert_eq!(e.kind(), logibridge::ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("callbacks.jsonl"), "{e}");
    let journal = dir.join("callbacks.jsonl");
    let first = start(&journal);
    let e = start_err(&journal);
    assert!(e.to_string().contains("in use by another receiver"), "{e}");
    assert!(e.message_ru().contains("занят другим приёмником"), "{}", e.message_ru());
    drop(first);
    start(&journal);
}

fn start_err(journal: &Path) -> logibridge::Error {
    CallbackReceiver::builder(journal).path_secret(SECRET).start().unwrap_err()
}

#[test]
fn a_damaged_journal_stops_the_start_and_a_torn_tail_is_cut() {
    let dir = temp_dir("damaged");
    let journal = dir.join("callbacks.jsonl");
    {
        let receiver = start(&journal);
        for n in 1..=2 {
            assert_eq!(Http::new().post(&receiver.url(), order_body(n)).0, 201);
        }
    }
    let whole = std::fs::read_to_string(&journal).unwrap();
    // A crash in the middle of writing a third line (never answered 201).
    std::fs::write(&journal, format!("{whole}{{\"seq\":3,\"received_at\":\"2026-")).unwrap();
    let receiver = start(&journal);
    assert_eq!(receiver.pending().len(), 2);
    assert_eq!(std::fs::read_to_string(&journal).unwrap(), whole, "the torn line is cut off");
    assert_eq!(Http::new().post(&receiver.url(), order_body(3)).0, 201);
    drop(receiver);
    assert_eq!(journal_lines(&journal).len(), 3, "and the next entry starts on a clean line");

    let altered = std::fs::read_to_string(&journal).unwrap().replacen("679.570", "679.571", 1);
    std::fs::write(&journal, altered).unwrap();
    let e = start_err(&journal);
    assert!(e.to_string().contains("damaged at line 1") && e.to_string().contains("sha256"), "{e}");
    assert!(e.message_ru().contains("повреждён в строке 1"), "{}", e.message_ru());
}

// ---------------------------------------------------------------------------------------
// Out of process: the receiver runs in a child (this test binary started again), so it can
// be killed with SIGKILL, or run with a file-size limit that makes its writes fail.

const CHILD_JOURNAL: &str = "LB_IRECA_RECEIVER_CHILD_JOURNAL";
const CHILD_FSIZE: &str = "LB_IRECA_RECEIVER_CHILD_FSIZE";

/// Not a test: the receiving process of the tests below, started by them with the journal
/// in its environment. It prints `@@URL <url>`, then `@@ACKED <seq>` after each acknowledgement
/// is synced (it acknowledges entries whose body has `"ack": true`), and runs until killed.
#[test]
#[ignore = "the child process of the out-of-process tests; started by them"]
fn receiver_child() {
    let Some(journal) = std::env::var_os(CHILD_JOURNAL) else { return };
    #[cfg(unix)]
    if let Some(limit) = std::env::var(CHILD_FSIZE).ok().and_then(|v| v.parse::<u64>().ok()) {
        // SAFETY: plain libc calls on this process's own signal disposition and limits.
        unsafe {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN); // a write past the limit fails with EFBIG instead
            let rl = libc::rlimit { rlim_cur: limit as libc::rlim_t, rlim_max: limit as libc::rlim_t };
            assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &rl), 0);
        }
    }
    let receiver = CallbackReceiver::builder(PathBuf::from(journal)).path_secret(SECRET).start().unwrap();
    println!("@@URL {}", receiver.url());
    for entry in receiver.entries() {
        let entry = entry.unwrap();
        let body: Value = serde_json::from_str(entry.body()).unwrap();
        if body["ack"] == true {
            receiver.ack(&entry).unwrap();
            println!("@@ACKED {}", entry.seq());
        }
    }
}

/// A child receiver, killed when dropped (also when a test fails).
struct ChildReceiver {
    child: Child,
    lines: mpsc::Receiver<String>,
    url: String,
}

impl ChildReceiver {
    fn start(journal: &Path, fsize: Option<u64>) -> ChildReceiver {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command.args(["receiver_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"]).env(CHILD_JOURNAL, journal).stdout(Stdio::piped());
        if let Some(limit) = fsize {
            command.env(CHILD_FSIZE, limit.to_string());
        }
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut started = ChildReceiver { child, lines, url: String::new() };
        started.url = started.wait_for("@@URL ").expect("the child prints its URL");
        started
    }

    /// What follows `marker` in the next line holding it (the test harness may have
    /// written `test receiver_child ... ` before it); `None` when the child's output ended.
    fn wait_for(&self, marker: &str) -> Option<String> {
        loop {
            let line = self.lines.recv_timeout(PATIENCE).ok()?;
            if let Some((_, rest)) = line.split_once(marker) {
                return Some(rest.to_owned());
            }
        }
    }

    fn kill_9(mut self) {
        self.child.kill().unwrap(); // SIGKILL on Unix
        self.child.wait().unwrap();
    }
}

impl Drop for ChildReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(unix)]
#[test]
fn kill_9_right_after_201s_loses_no_callback_and_duplicates_none() {
    let dir = temp_dir("kill9");
    let journal = dir.join("callbacks.jsonl");
    let http = Http::new();
    let body = |round: usize, n: usize, ack: bool| json!({"items": [{"orderId": round * 1000 + n, "amountToPay": "679.570"}], "ack": ack}).to_string();
    let mut answered: BTreeMap<String, u64> = BTreeMap::new();
    let mut acked: BTreeSet<u64> = BTreeSet::new();

    // Round 1: 30 callbacks at once, every third acknowledged by the child; SIGKILL as soon
    // as its last acknowledgement is reported.
    let child = ChildReceiver::start(&journal, None);
    let bodies: Vec<String> = (0..30).map(|n| body(1, n, n % 3 == 0)).collect();
    for (b, answer) in bodies.iter().zip(http.post_all(&child.url, &bodies)) {
        let (status, answer) = answer.expect("the child is alive in round 1");
        assert_eq!(status, 201);
        answered.insert(b.clone(), answer["seq"].as_u64().unwrap());
    }
    for _ in 0..10 {
        acked.insert(child.wait_for("@@ACKED ").unwrap().parse().unwrap());
    }
    child.kill_9();

    // Round 2: restarted on the same journal; it resumes with the pending ones (acking
    // nothing of round 1 again), and is killed while 30 more are still being delivered.
    let child = ChildReceiver::start(&journal, None);
    let bodies: Vec<String> = (0..30).map(|n| body(2, n, false)).collect();
    let url = child.url.clone();
    let client = http.client.clone();
    let (tx, answers) = mpsc::channel();
    for b in &bodies {
        let (tx, request, b) = (tx.clone(), client.post(&url).body(b.clone()), b.clone());
        http.rt.spawn(async move {
            let answer = async { request.send().await.ok()?.json::<Value>().await.ok() }.await;
            let _ = tx.send((b, answer));
        });
    }
    drop(tx);
    let mut first_ten = 0;
    while first_ten < 10 {
        let (b, answer) = answers.recv_timeout(PATIENCE).expect("answers come");
        if let Some(seq) = answer.and_then(|a| a["seq"].as_u64()) {
            answered.insert(b, seq);
            first_ten += 1;
        }
    }
    child.kill_9();
    // Answers already on their way count as 201s too; the rest fail to connect.
    for (b, answer) in answers.iter() {
        if let Some(seq) = answer.and_then(|a| a["seq"].as_u64()) {
            answered.insert(b, seq);
        }
    }

    // The journal after two kills, read in process like a third restart.
    let receiver = start(&journal);
    let lines = journal_lines(&journal);
    let mut seen = BTreeSet::new();
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["seq"], i as u64 + 1);
        assert!(seen.insert(line["body"].to_string()), "a body journaled twice: {}", line["body"]);
    }
    for (b, seq) in &answered {
        assert_eq!(lines.get(*seq as usize - 1).map(|l| l["body"].to_string()).as_deref(), Some(b.as_str()), "a 201'd callback (seq {seq}) is lost");
    }
    let pending: BTreeSet<u64> = receiver.pending().iter().map(|e| e.seq()).collect();
    let expected: BTreeSet<u64> = (1..=lines.len() as u64).filter(|s| !acked.contains(s)).collect();
    assert_eq!(pending, expected, "pending: everything not acknowledged before the kill");
    assert!(answered.len() >= 40, "round 1's 30 and at least 10 of round 2");
}

#[cfg(unix)]
#[test]
fn a_journal_that_cannot_be_written_answers_500_and_the_next_callback_still_stores() {
    let dir = temp_dir("unwritable");
    let journal = dir.join("callbacks.jsonl");
    // Files of the child may not grow past 1000 bytes: a small entry fits, a large one not.
    let child = ChildReceiver::start(&journal, Some(1000));
    let http = Http::new();
    let small = |n: usize| json!({"items": [{"orderId": n}]}).to_string();
    assert_eq!(http.post(&child.url, small(1)).0, 201);
    let large = json!({"items": [{"orderId": 2, "comment": "x".repeat(900)}]}).to_string();
    let (status, answer) = http.post(&child.url, large);
    assert_eq!(status, 500, "{answer}");
    assert_eq!(answer["error"], true);
    assert!(answer["message"].as_str().unwrap().contains("could not be stored"), "{answer}");
    assert!(!answer.to_string().contains("callbacks.jsonl"), "the answer does not show the server's files");
    let (status, answer) = http.post(&child.url, small(3));
    assert_eq!((status, &answer["seq"]), (201, &json!(2)), "the failed write was undone; numbering goes on");
    child.kill_9();
    let lines = journal_lines(&journal);
    assert_eq!(lines.iter().map(|l| l["body"].to_string()).collect::<Vec<_>>(), [small(1), small(3)]);
    assert_eq!(start(&journal).pending().len(), 2);
}

#[test]
fn a_wait_whose_time_ran_out_leaves_its_entry_to_the_next_wait() {
    let dir = temp_dir("slices");
    let receiver = start(&dir.join("callbacks.jsonl"));
    let http = Http::new();
    for _ in 0..3 {
        assert_eq!(receiver.next_blocking(Some(Duration::from_millis(1))).unwrap(), None, "nothing yet");
    }
    for n in 1..=2 {
        assert_eq!(http.post(&receiver.url(), order_body(n)).0, 201);
    }
    let handed: Vec<u64> = (0..2).map(|_| receiver.next_blocking(Some(PATIENCE)).unwrap().expect("posted").seq()).collect();
    assert_eq!(handed, [1, 2], "each entry once, in order, although earlier waits gave up");
    assert_eq!(receiver.next_blocking(Some(Duration::from_millis(1))).unwrap(), None, "nothing handed twice");
}
