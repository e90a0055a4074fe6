//! Hostile servers: redirects, echoed keys in every encoding, limits on what is sent and
//! how long a call may take, compressed answers. Each test states the behaviour the
//! hardening issue asks for, against a tiny in-test server that records what it saw.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{serve, Reply};
use logibridge::carreta::{Client, NewOrder, Offer};
use logibridge::ErrorKind;
use serde_json::json;

const KEY: &str = "CANARY+abc/123=";

fn shop(url: &str) -> Client {
    Client::builder(KEY).base_url(url).max_retries(0).timeout(Duration::from_secs(5)).build().unwrap()
}

fn offer() -> Offer {
    serde_json::from_value(json!({"_": "sig", "code": "OC47", "maker": "M", "name": "n", "min_qty": 1, "period_min": 1, "period_max": 2, "price": "1.00", "qty": "10"})).unwrap()
}

/// Every text an error shows, in every form a face shows it.
fn texts(e: &logibridge::Error) -> Vec<String> {
    let mut t = vec![e.to_string(), format!("{e:?}"), e.to_json().to_string(), e.message_ru()];
    if let logibridge::Error::Http { body, .. } = e {
        t.push(body.clone());
    }
    t
}

fn assert_no_key(e: &logibridge::Error) {
    for text in texts(e) {
        assert!(!text.contains("CANARY") && !text.contains("Q0FOQVJZK2FiYy8xMjM9") && !text.contains("43414e4152592b"), "the key leaked: {text}");
        assert!(!text.to_lowercase().contains("canary%2b"), "the key leaked encoded: {text}");
    }
}

#[tokio::test]
async fn redirects_stay_within_the_origin_and_never_carry_a_referer() {
    let (other, other_log) = serve(|_| Reply::json(200, json!({"balance": "1"}))).await;
    let target = format!("{other}steal?api_key=x&token=y");
    let (url, log) = serve(move |s| {
        if s.target.starts_with("/profile/") {
            Reply::json(302, json!({})).header("location", &target)
        } else if s.target.starts_with("/search/") {
            Reply::json(302, json!({})).header("location", "/moved/search/")
        } else {
            Reply::json(200, json!({"objects": []}))
        }
    })
    .await;
    let e = shop(&url).profile().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert!(e.to_string().contains("another origin") && e.to_string().contains(&format!("{other}steal")), "{e}");
    assert!(!e.to_string().contains("token=y"), "the target is named without its query: {e}");
    assert!(other_log.lock().unwrap().is_empty(), "nothing reached the other host");
    assert_no_key(&e);
    // Within the origin a read follows, and no Referer goes along.
    assert!(shop(&url).search("oc47").await.unwrap().is_empty());
    let seen = log.lock().unwrap().clone();
    let moved = seen.iter().find(|s| s.target.starts_with("/moved/")).expect("the same-origin redirect was followed");
    assert!(moved.header("referer").is_none() && seen.iter().all(|s| s.header("referer").is_none()));
}

#[tokio::test]
async fn an_order_is_never_sent_twice_by_a_redirect() {
    for status in [301u16, 302, 303, 307, 308] {
        let (url, log) = serve(move |_| Reply::json(status, json!({})).header("location", "/order/again/?x=1")).await;
        let e = shop(&url).create_order(&NewOrder::from_offer(&offer(), 1)).await.unwrap_err();
        assert_eq!(e.status(), Some(status), "{e}");
        assert!(e.to_string().contains("redirected") && e.to_string().contains("/order/again/") && !e.to_string().contains("x=1"), "{e}");
        let seen = log.lock().unwrap().clone();
        assert_eq!(seen.len(), 1, "{status}: the order was sent once: {seen:?}");
        assert_eq!(seen[0].method, "POST");
    }
}

#[tokio::test]
async fn a_key_echoed_in_any_encoding_never_reaches_a_message() {
    // The server echoes the request line (the key percent-encoded) in an error, in upper-
    // and lower-case hex, form-encoded and JSON-escaped.
    let (url, _) = serve(|s| {
        let t = s.target.clone();
        let lower = t.replace("%2B", "%2b").replace("%2F", "%2f").replace("%3D", "%3d");
        // Written by hand as PHP would: `/` escaped as `\/`.
        Reply::json(500, json!(null)).body_raw(format!(r#"{{"error": "bad request {t} / {lower} / CANARY abc/123= / CANARY+abc\/123= / Q0FOQVJZK2FiYy8xMjM9 / 43414e4152592b6162632f3132333d"}}"#))
    })
    .await;
    let e = shop(&url).profile().await.unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert_no_key(&e);
    // A 200 whose value fails to decode and holds the key: the decode error is scrubbed too.
    let (url, _) = serve(|_| Reply::json(200, json!({"balance": format!("x{KEY}"), "name": "CANARY%2Babc%2F123%3D"}))).await;
    let e = shop(&url).profile().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    assert_no_key(&e);
    let e = logibridge::Client::from(shop(&url)).call("carreta.profile.get", json!({})).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    assert_no_key(&e);
}

#[test]
fn a_malformed_base_url_is_never_echoed_with_its_query() {
    for bad in ["http://[::1/v1/?api_key=CANARY+abc/123=", "ftp://user:CANARY@x/?api_key=CANARY", "not a url ?api_key=CANARY"] {
        let e = Client::builder(KEY).base_url(bad).build().unwrap_err();
        assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidArgument, Some("base_url")), "{e}");
        assert_no_key(&e);
    }
}

#[tokio::test]
async fn a_request_that_can_never_work_is_refused_before_sending() {
    let (url, log) = serve(|_| Reply::json(200, json!({"objects": []}))).await;
    let e = shop(&url).search(&"Щ".repeat(35_000)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert!(e.to_string().len() < 400, "the message does not echo the input: {} bytes", e.to_string().len());
    assert!(log.lock().unwrap().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_retry_after_beyond_the_deadline_fails_at_once_with_the_wait() {
    let (url, log) = serve(|_| Reply::json(429, json!({"error": "slow down"})).header("retry-after", "3600")).await;
    let client = Client::builder(KEY).base_url(&url).timeout(Duration::from_secs(2)).build().unwrap();
    let started = Instant::now();
    let e = client.profile().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(matches!(e, logibridge::Error::Http { retry_after: Some(d), .. } if d >= Duration::from_secs(120)), "{e:?}");
    assert_eq!(log.lock().unwrap().len(), 1, "no retry was attempted");
    // A bound, not a speed claim: without the deadline this call would wait 4 minutes.
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[tokio::test]
async fn compressed_answers_are_read() {
    use std::io::Write;
    let body = json!({"balance": "7.14", "name": "gz"}).to_string();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(body.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let (url, log) = serve(move |_| Reply { status: 200, headers: vec![("content-type".into(), "application/json".into()), ("content-encoding".into(), "gzip".into())], body: gz.clone() }).await;
    let p = shop(&url).profile().await.unwrap();
    assert_eq!(p.name, "gz");
    let seen = log.lock().unwrap().clone();
    assert!(seen[0].header("accept-encoding").is_some_and(|v| v.contains("gzip")), "{:?}", seen[0].headers);
}

#[tokio::test]
async fn a_decode_error_excerpt_stays_small_whatever_the_body() {
    let huge = format!("{{\"balance\": \"1\", \"name\": \"{}\", \"phone\": [", "Ж".repeat(5_000_000));
    let (url, _) = serve(move |_| Reply::json(200, json!(null)).body_raw(huge.clone())).await;
    let e = shop(&url).profile().await.unwrap_err();
    let logibridge::Error::Decode { excerpt, .. } = &e else { panic!("{e:?}") };
    assert!(excerpt.chars().count() <= 80, "{} characters", excerpt.chars().count());
    assert!(e.to_string().len() < 2_000);
}

/// What the slow server does with request `n` (0-based): answer `status` with a profile body,
/// sending the headers after `head_after` and the body after a further `body_after`.
#[derive(Clone, Copy)]
struct Pace {
    status: u16,
    head_after: Duration,
    body_after: Duration,
}

const PROFILE: &str = r#"{"balance": "1", "name": "slow"}"#;

/// A raw server that answers each request by `plan(n)` with real waits (the in-test
/// `serve` handler cannot wait without stalling the runtime); returns its URL and how many
/// requests it saw.
async fn slow(plan: impl Fn(usize) -> Pace + Send + Sync + 'static) -> (String, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicUsize::new(0));
    let (count, plan) = (seen.clone(), Arc::new(plan));
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let (count, plan) = (count.clone(), plan.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let pace = plan(count.fetch_add(1, Ordering::SeqCst));
                tokio::time::sleep(pace.head_after).await;
                let head = format!("HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", pace.status, PROFILE.len());
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let _ = sock.flush().await;
                tokio::time::sleep(pace.body_after).await;
                let _ = sock.write_all(PROFILE.as_bytes()).await;
            });
        }
    });
    (url, seen)
}

fn pace(status: u16, head_after_ms: u64) -> Pace {
    Pace { status, head_after: Duration::from_millis(head_after_ms), body_after: Duration::ZERO }
}

#[tokio::test]
async fn the_deadline_bounds_the_last_attempt_too() {
    // A 503 at once, then answers that come after 8 s: the retry gets only what is left of
    // the 2 s deadline (not the 30 s timeout), and no third attempt starts after it.
    let (url, seen) = slow(|n| if n == 0 { pace(503, 0) } else { pace(200, 8_000) }).await;
    let client = Client::builder(KEY).base_url(&url).timeout(Duration::from_secs(30)).deadline(Duration::from_secs(2)).max_retries(2).build().unwrap();
    let e = client.profile().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(!e.outcome_unknown(), "a read is harmless to repeat: {e:?}");
    assert_eq!(seen.load(Ordering::SeqCst), 2, "the 503, then one retry cut short by the deadline");
    // The error reports the call's time, retries included: at least the first backoff.
    assert!(matches!(e, logibridge::Error::Timeout { elapsed, .. } if elapsed >= Duration::from_millis(375)), "{e:?}");
}

#[tokio::test]
async fn a_deadline_shorter_than_the_timeout_ends_a_read_and_an_order() {
    let (url, seen) = slow(|_| pace(200, 8_000)).await;
    let client = Client::builder(KEY).base_url(&url).timeout(Duration::from_secs(30)).deadline(Duration::from_secs(1)).max_retries(2).build().unwrap();
    let e = client.profile().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(!e.outcome_unknown(), "{e:?}");
    assert_eq!(seen.load(Ordering::SeqCst), 1, "no retry once the deadline has passed");
    // An order cut by the deadline was sent: its outcome is unknown.
    let e = client.create_order(&NewOrder::from_offer(&offer(), 1)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(e.outcome_unknown(), "the order may exist: {e:?}");
    assert_eq!(seen.load(Ordering::SeqCst), 2, "the order was sent once");
}

#[tokio::test]
async fn a_streamed_download_is_bounded_up_to_its_headers_not_in_its_body() {
    use logibridge::transport::{Config, NoAuth, Request, Transport};
    let transport = |url: &str| {
        let mut config = Config::new(url).unwrap();
        config.timeout = Duration::from_secs(30);
        config.deadline = Some(Duration::from_secs(1));
        config.retry.max_retries = 0;
        Transport::new(config, Arc::new(NoAuth)).unwrap()
    };
    let request = |url: &str| {
        let mut r = Request::new(logibridge::endpoints::carreta::PRICELIST_DOWNLOAD);
        r.absolute_url = Some(url.parse().unwrap());
        r
    };
    // Headers that never come in time: a timeout at the deadline.
    let (url, _) = slow(|_| pace(200, 8_000)).await;
    let e = transport(&url).open(request(&url)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    // Headers at once, the body after the deadline: the download goes on.
    let (url, _) = slow(|_| Pace { status: 200, head_after: Duration::ZERO, body_after: Duration::from_millis(1_500) }).await;
    let response = transport(&url).open(request(&url)).await.unwrap();
    assert_eq!(response.text().await.unwrap(), PROFILE);
}

#[tokio::test]
async fn a_refused_redirect_is_not_retried() {
    let (other, other_log) = serve(|_| Reply::json(200, json!({"balance": "1"}))).await;
    let target = format!("{other}elsewhere/");
    let (url, log) = serve(move |_| Reply::json(302, json!({})).header("location", &target)).await;
    let client = Client::builder(KEY).base_url(&url).max_retries(2).timeout(Duration::from_secs(5)).build().unwrap();
    let e = client.profile().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert!(e.to_string().contains("another origin"), "{e}");
    assert_eq!(log.lock().unwrap().len(), 1, "the refusal is deterministic: one request");
    assert!(other_log.lock().unwrap().is_empty());
}
