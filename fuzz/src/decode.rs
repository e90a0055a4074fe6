//! `decode`: Carreta's answers through the client's own decoder and scrubber.
//!
//! Input: a byte choosing the endpoint (any row of the Carreta table), a byte choosing the
//! client's key and how it is echoed, then the body. Every `$K` in the body is replaced by
//! the key in the chosen form (as is, percent-encoded in upper or lower case, read back by
//! a form decoder, JSON-escaped the PHP way), planting the secret where the fuzzer wants
//! it. The body goes through `Client::decode_body_of`, the decoder `Client::call` applies
//! to a successful answer, on a client configured with that key. Invariants:
//! - a decoded value is in its normal form: wrapped in the row's envelope again and
//!   decoded, it gives the same value;
//! - a failure is a decode error with an endpoint, whose text, Russian text, JSON form and
//!   `Debug` hold the key in none of the planted forms.

use std::sync::OnceLock;

use logibridge::endpoints::{self, Endpoint};
use logibridge::{Client, ErrorKind};
use serde_json::json;

use crate::input::Input;

/// Keys a client may hold: the canary of issue 10 (every URL-special character) and a
/// Cyrillic one (multi-byte in every encoding).
const KEYS: [&str; 2] = ["CANARY+abc/123=", "ключ Секрет/42"];

/// The forms a server may echo a key in: as is; as the query string carries it
/// (`application/x-www-form-urlencoded`: `+` for a space), with upper- and lower-case hex;
/// percent-encoded as in a path (`%20` for a space); read back by a naive form decoder
/// (`+` becomes a space); JSON-escaped the PHP way (`\/`).
fn forms(key: &str) -> [String; 6] {
    let query = |hex_upper: bool, space: &str| -> String {
        key.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => (b as char).to_string(),
                b' ' => space.to_owned(),
                _ if hex_upper => format!("%{b:02X}"),
                _ => format!("%{b:02x}"),
            })
            .collect()
    };
    let json = serde_json::to_string(key).expect("a string encodes");
    [key.to_owned(), query(true, "+"), query(false, "+"), query(true, "%20"), key.replace('+', " "), json.trim_matches('"').replace('/', "\\/")]
}

fn clients() -> &'static [Client; 2] {
    static CLIENTS: OnceLock<[Client; 2]> = OnceLock::new();
    CLIENTS.get_or_init(|| {
        KEYS.map(|key| {
            // A port nothing listens on: the client never sends anything here anyway.
            logibridge::carreta::Client::builder(key).base_url("http://127.0.0.1:9/").max_retries(0).build().expect("a valid client").as_client().clone()
        })
    })
}

/// The rows of the Carreta table whose answers the client decodes (library-side rows
/// have no answer), in table order.
pub fn rows() -> &'static [&'static Endpoint] {
    static ROWS: OnceLock<Vec<&'static Endpoint>> = OnceLock::new();
    ROWS.get_or_init(|| endpoints::service("carreta").expect("Carreta is built in").endpoints.iter().copied().filter(|ep| ep.local.is_none()).collect())
}

/// The fuzz target.
pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let rows = rows();
    let ep = rows[input.byte() as usize % rows.len()];
    let choice = input.byte();
    let key_index = (choice & 1) as usize;
    let key = KEYS[key_index];
    let forms = forms(key);
    let planted = &forms[(choice >> 1) as usize % forms.len()];
    let body = plant(input.rest(), planted.as_bytes());

    let client = &clients()[key_index];
    match client.decode_body_of(ep, &body) {
        Ok(value) => {
            let again = match ep.response.shape.envelope {
                Some(field) => json!({ field: value.clone() }),
                None => value.clone(),
            };
            let bytes = serde_json::to_vec(&again).expect("a value encodes");
            match client.decode_body_of(ep, &bytes) {
                Ok(back) => assert_eq!(back, value, "{}: the decoded value does not decode to itself", ep.id),
                Err(e) => panic!("{}: the decoded value {value} does not decode again: {e}", ep.id),
            }
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Decode, "{}: {e}", ep.id);
            assert_eq!(e.endpoint(), Some(ep.id));
            let texts: [(&str, String); 4] = [("message", e.to_string()), ("message_ru", e.message_ru()), ("JSON", e.to_json().to_string()), ("Debug", format!("{e:?}"))];
            for (what, text) in &texts {
                for form in &forms {
                    assert!(!text.contains(form.as_str()), "{}: the error's {what} holds the key as {form:?}: {text}", ep.id);
                }
            }
        }
    }
}

/// `body` with every `$K` replaced by `key`.
fn plant(body: &[u8], key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i..].starts_with(b"$K") {
            out.extend_from_slice(key);
            i += 2;
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    out
}
