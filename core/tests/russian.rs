//! Every message the library writes reads in Russian in `message_ru` (issue 10, item 24):
//! the 1C face shows that text alone, so an English sentence there is one its user cannot
//! read. Each case below provokes one kind of error through the public API and checks that
//! `message_ru` is Russian prose: Cyrillic, and no run of English words outside the values
//! it quotes (names in quotes, the operating system's own text in parentheses).

mod common;

use std::time::Duration;

use common::{serve, Reply};
use logibridge::pricelist::{Options, Reader};
use logibridge::{Client, Error};
use serde_json::json;

/// The text with quoted values, parenthesised details and identifiers removed: what is
/// left is the library's own prose.
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut closing: Vec<char> = Vec::new();
    for c in text.chars() {
        match (c, closing.last()) {
            (c, Some(&end)) if c == end => {
                closing.pop();
            }
            ('«', _) => closing.push('»'),
            ('(', _) => closing.push(')'),
            ('"', None) => closing.push('"'),
            ('`', None) => closing.push('`'),
            (c, None) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Three English words in a row (of two letters or more), outside quotes and parentheses.
fn english_run(text: &str) -> Option<String> {
    let prose = prose(text);
    // `carreta.order.get` is an identifier, not three words: dots split sentences only.
    let words: Vec<&str> = prose.split(|c: char| c.is_whitespace() || ",;:".contains(c)).map(|w| w.trim_end_matches('.')).filter(|w| !w.is_empty()).collect();
    words
        .windows(3)
        .find(|w| w.iter().all(|word| word.len() >= 2 && word.chars().all(|c| c.is_ascii_alphabetic())))
        .map(|w| w.join(" "))
}

fn assert_russian(what: &str, e: &Error) {
    let ru = e.message_ru();
    assert!(ru.chars().any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c))), "{what}: no Russian in {ru:?}");
    assert_eq!(english_run(&ru), None, "{what}: English left in message_ru {ru:?} (message: {e})");
    // The JSON every face hands out carries the same text.
    assert_eq!(e.to_json()["message_ru"], ru, "{what}");
}

fn carreta(base_url: &str) -> Client {
    Client::for_service("carreta").unwrap().credential("api_key", "key-1234").base_url(base_url).max_retries(0).timeout(Duration::from_secs(5)).build().unwrap()
}

#[test]
fn the_checker_finds_english_prose() {
    assert_eq!(english_run("Неверный аргумент: unknown endpoint id \"x\""), Some("unknown endpoint id".into()));
    assert_eq!(english_run("Ошибка соединения (x): сервер отклонил соединение (tcp connect error: Connection refused)"), None);
    assert_eq!(english_run("не удалось открыть файл «/no such file here»"), None);
}

#[test]
fn library_errors_read_in_russian() {
    let mut cases: Vec<(&str, Error)> = Vec::new();
    let mut push = |what, r: Result<_, Error>| cases.push((what, r.map(|_| ()).expect_err(what)));

    push("unknown service", Client::for_service("nope").map(|_| ()));
    push("base_url scheme", Client::for_service("carreta").unwrap().credential("api_key", "k").base_url("ftp://x/").build().map(|_| ()));
    push("timeout range", Client::for_service("carreta").unwrap().credential("api_key", "k").timeout(Duration::ZERO).build().map(|_| ()));
    let client = carreta("http://127.0.0.1:9/v1/");
    push("unknown endpoint", client.call_json_blocking("carreta.nope.get", "{}").map(|_| ()));
    logibridge::endpoints::register(r#"{"prefix": "rutest", "name": "T", "default_base_url": "http://127.0.0.1:9/", "endpoints": [{"id": "rutest.thing.get", "method": "GET", "path": "thing/"}]}"#).unwrap();
    push("endpoint of another service", client.endpoint("rutest.thing.get").map(|_| ()));
    push("params not JSON", client.call_json_blocking("carreta.order.get", "{\"id\": ").map(|_| ()));
    push("params not an object", client.call_json_blocking("carreta.order.get", "[1]").map(|_| ()));
    push("missing parameter", client.call_json_blocking("carreta.order.get", "{}").map(|_| ()));
    push("parameter type", client.call_json_blocking("carreta.order.get", "{\"id\": \"abc\"}").map(|_| ()));
    push("URL too long", client.call_json_blocking("carreta.search.query", &json!({"q": "x".repeat(70_000)}).to_string()).map(|_| ()));
    push("service description not JSON", logibridge::endpoints::register("{").map(|_| ()));
    push("service description type", logibridge::endpoints::register(r#"{"prefix": "rutest2", "name": "T", "endpoints": [{"id": "rutest2.a.get", "method": "GET", "path": "a/", "params": [{"name": "x", "type": "weird", "in": "query"}]}]}"#).map(|_| ()));
    push("price-list file", logibridge::pricelist::open("/nonexistent/logibridge/prices.csv").map(|_| ()));
    push("price-list directory", logibridge::pricelist::open("/").and_then(|mut r| r.try_for_each(|row| row.map(|_| ()))));
    push("price-list delimiter", Reader::from_reader(&b""[..], Options::new().delimiter(b'"')).map(|_| ()));
    push("connection refused", client.call_json_blocking("carreta.profile.get", "{}").map(|_| ()));

    for (what, e) in &cases {
        eprintln!("{what}: {}", e.message_ru());
        assert_russian(what, e);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn decode_errors_read_in_russian() {
    let (url, _log) = serve(|seen| match seen.target.as_str() {
        p if p.contains("profile") => Reply::json(200, json!({"balance": "x1", "currency": "RUB"})),
        _ => Reply::json(200, json!({})).body_raw("{\"objects\": [1, 2".into()),
    })
    .await;
    let client = carreta(&url);
    for (what, id, params) in [("wrong value", "carreta.profile.get", "{}"), ("cut answer", "carreta.order.list", "{\"page\": 1}")] {
        let e = client.call_json(id, params).await.expect_err(what);
        assert_eq!(e.kind(), logibridge::ErrorKind::Decode, "{what}: {e}");
        eprintln!("{what}: {}", e.message_ru());
        assert_russian(what, &e);
    }
}
