//! `describe`: declaring a service from its JSON description.
//!
//! Input: the description (lossy UTF-8). Invariants:
//! - a refusal is an invalid-argument error with an English and a Russian text;
//! - an accepted service is in the table: its prefix and each of its ids are found;
//! - its description, `describe_service` (common parameters repeated in every row
//!   included), is itself a description `register` accepts under another prefix, and
//!   describes back to the same document (the prefix aside): what `lb_endpoints` shows can
//!   be declared again.

use std::sync::atomic::{AtomicU64, Ordering};

use logibridge::endpoints::{self, describe_service};
use logibridge::ErrorKind;
use serde_json::Value;

/// The fuzz target.
pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match endpoints::register(&text) {
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
            assert!(!e.to_string().is_empty() && !e.message_ru().is_empty());
        }
        Ok(spec) => {
            assert!(endpoints::service(spec.prefix).is_some_and(|s| std::ptr::eq(s, spec)));
            for ep in spec.endpoints {
                let found = endpoints::find(ep.id).unwrap_or_else(|| panic!("{} is not found after registering", ep.id));
                assert_eq!(found.service, spec.prefix);
            }
            let described = describe_service(spec);
            let renamed = rename(&described, spec.prefix, &fresh_prefix());
            let again = endpoints::register(&renamed.to_string()).unwrap_or_else(|e| panic!("the description of an accepted service is refused: {e}\n{renamed}"));
            let back = rename(&describe_service(again), again.prefix, spec.prefix);
            assert_eq!(back, described, "describe → register → describe changes the service");
        }
    }
}

/// A prefix for the round trip that no service has taken yet.
fn fresh_prefix() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    loop {
        let prefix = format!("zz_fuzz_roundtrip_{}", NEXT.fetch_add(1, Ordering::Relaxed));
        if endpoints::service(&prefix).is_none() {
            return prefix;
        }
    }
}

/// The description with the service's prefix `from` replaced by `to` where it names the
/// service: `prefix`, each row's `service`, and the head of each row's `id`.
fn rename(description: &Value, from: &str, to: &str) -> Value {
    let mut d = description.clone();
    d["prefix"] = Value::from(to);
    if let Some(rows) = d["endpoints"].as_array_mut() {
        for row in rows {
            row["service"] = Value::from(to);
            if let Some(rest) = row["id"].as_str().and_then(|id| id.strip_prefix(from)).map(str::to_owned) {
                row["id"] = Value::from(format!("{to}{rest}"));
            }
        }
    }
    d
}
