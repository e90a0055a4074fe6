//! `qty`: Carreta's stock text and order-size rules.
//!
//! Input: `min_qty` and `order_qty` as [`Input::int`]s, then the `qty` text (lossy UTF-8,
//! as a face would pass it). Invariants:
//! - the text is kept byte for byte (`raw`, `Display`, JSON round trip);
//! - `check_order_qty` gives the verdict and the rule code of a plain reference written
//!   from the document: allowed iff `min_qty ≥ 1`, `order_qty ≥ 1`, `order_qty ≤` the
//!   stock bound, and `order_qty` a multiple of `min_qty`;
//! - a refusal names a field and has an English and a Russian text.

use logibridge::carreta::{check_order_qty, codes, Qty, QtyKind, UNBOUNDED_ORDER_MAX};

use crate::input::Input;

/// The fuzz target.
pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let min_qty = input.int();
    let order_qty = input.int();
    let raw = String::from_utf8_lossy(input.rest()).into_owned();

    let qty = Qty::parse(&raw);
    assert_eq!(qty.raw(), raw);
    assert_eq!(qty.to_string(), raw);
    let json = serde_json::to_string(&qty).expect("a string encodes");
    let back: Qty = serde_json::from_str(&json).expect("the encoded qty decodes");
    assert_eq!(back, qty, "JSON round trip of {raw:?}");

    let expected_kind = reference_kind(&raw);
    assert_eq!(qty.kind(), expected_kind, "kind of {raw:?}");
    let bound = reference_bound(expected_kind);
    assert_eq!(qty.max_order(), bound, "max_order of {raw:?}");

    let got = check_order_qty(&qty, min_qty, order_qty);
    let want = reference_check(expected_kind, min_qty, order_qty);
    match (&got, want) {
        (Ok(()), None) => {}
        (Err(e), Some(code)) => {
            assert_eq!(e.code, code, "rule for qty {raw:?}, min_qty {min_qty}, order_qty {order_qty}: {e}");
            assert!(["qty", "min_qty", "order_qty"].contains(&e.field.as_str()), "field {:?}", e.field);
            assert!(!e.message.is_empty() && !e.message_ru.is_empty());
            assert_ne!(e.message, e.message_ru, "the Russian text is a translation");
        }
        _ => panic!("qty {raw:?}, min_qty {min_qty}, order_qty {order_qty}: got {got:?}, the document says {want:?}"),
    }
}

/// The `qty` forms of the document, read independently of the library: a whole number,
/// `<N`, `>N`, or any text holding the word "есть" in any letter case; white space around
/// the text and after the sign does not matter; a number must fit in 64 bits.
fn reference_kind(raw: &str) -> QtyKind {
    let text = raw.trim();
    if text.to_lowercase().contains("есть") {
        return QtyKind::InStock;
    }
    let whole = |s: &str| -> Option<u64> {
        let s = s.trim();
        let digits_only = !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        if !digits_only {
            return None;
        }
        // Leading zeros do not change the value; more than 20 significant digits never fit.
        let significant = s.trim_start_matches('0');
        if significant.len() > 20 {
            return None;
        }
        let value: u128 = if significant.is_empty() { 0 } else { significant.parse().ok()? };
        u64::try_from(value).ok()
    };
    match text.chars().next() {
        Some('<') => whole(&text[1..]).map_or(QtyKind::Unknown, QtyKind::LessThan),
        Some('>') => whole(&text[1..]).map_or(QtyKind::Unknown, QtyKind::MoreThan),
        _ => whole(text).map_or(QtyKind::Unknown, QtyKind::Exactly),
    }
}

/// The largest order the stock allows, `None` for an unknown form.
fn reference_bound(kind: QtyKind) -> Option<u64> {
    match kind {
        QtyKind::Exactly(n) => Some(n),
        QtyKind::LessThan(0) => Some(0),
        QtyKind::LessThan(n) => Some(n - 1),
        QtyKind::MoreThan(_) | QtyKind::InStock => Some(UNBOUNDED_ORDER_MAX as u64),
        QtyKind::Unknown => None,
    }
}

/// The rule the document says is broken first, or `None` when the order is allowed.
fn reference_check(kind: QtyKind, min_qty: i64, order_qty: i64) -> Option<&'static str> {
    if min_qty < 1 {
        return Some(codes::MIN_QTY_INVALID);
    }
    if order_qty < 1 {
        return Some(codes::ORDER_QTY_MIN);
    }
    let order = order_qty as u128;
    let Some(bound) = reference_bound(kind) else { return Some(codes::QTY_UNKNOWN_FORM) };
    if order > bound as u128 {
        return Some(match kind {
            QtyKind::Exactly(_) => codes::ORDER_QTY_EXCEEDS_QTY,
            QtyKind::LessThan(_) => codes::ORDER_QTY_NOT_LESS_THAN,
            _ => codes::ORDER_QTY_EXCEEDS_MAX,
        });
    }
    if order % min_qty as u128 != 0 {
        return Some(codes::ORDER_QTY_NOT_MULTIPLE);
    }
    None
}
