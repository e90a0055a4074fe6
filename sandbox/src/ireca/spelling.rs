//! The service's PHP-flavoured spelling of answers, and reading the same forms in requests.
//!
//! The document spells one field several ways (ids as `"3271"` and `3271`, money as
//! `"679.57"` and `539.78`, flags as `0/1`, an empty id as `null` or `{}`). The emulator keeps
//! what it was sent and spells answers by a fixed rule, so every run shows a client both
//! forms of the same field:
//!
//! - an object has a parity: a top-level object the parity of its key's bytes
//!   ([`odd_key`]); an element of an array inside it its parent's parity flipped on odd
//!   positions;
//! - ids (fields named `…Id`, except the status and type codes) are strings in even objects
//!   and numbers in odd ones (when numeric); an empty id is `null` in even objects and `{}`
//!   in odd ones;
//! - money is a string with at least two decimals (`"679.57"`, `"0.00"`) in even objects and
//!   a number in odd ones; the amount is never rounded;
//! - status and type codes (`statusId`, `deliveryStatusId`, `closeTypeId`, ...) are numbers;
//! - flags (`isActive`, `isRefund`, ...) are `0`/`1`;
//! - everything else is answered as it was sent.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{Map, Number, Value};

/// Codes that the service always writes as numbers although they end in `Id`.
const CODES: &[&str] = &[
    "statusId",
    "deliveryStatusId",
    "receiptStatusId",
    "frReceiptStatusId",
    "closeTypeId",
];

/// Money fields (amounts in roubles).
const MONEY: &[&str] = &[
    "amountToPay",
    "prePaymentSum",
    "cash",
    "price",
    "total",
    "discountTotal",
    "sum",
    "amount",
];

/// Ids that are not numbers in the document (device ids are hex, permission ids words).
const TEXT_IDS: &[&str] = &["deviceId", "actionId", "permissionId"];

fn is_id(name: &str) -> bool {
    name.ends_with("Id") && !CODES.contains(&name) && !TEXT_IDS.contains(&name)
}

fn is_flag(name: &str) -> bool {
    name.strip_prefix("is")
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c.is_ascii_uppercase())
}

/// Parity of a top-level object, from its key.
pub fn odd_key(key: &str) -> bool {
    key.bytes().map(u32::from).sum::<u32>() % 2 == 1
}

/// The canonical text of an id as sent: `7`, `7.0` and `"7"` are all `"7"`; `null`, `{}`,
/// `""` and other shapes are none.
pub fn key_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => n
            .as_i64()
            .map(|i| i.to_string())
            .or_else(|| n.as_u64().map(|u| u.to_string()))
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                    .map(|f| format!("{f:.0}"))
            }),
        _ => None,
    }
}

/// An integer sent as a number or a numeric string.
pub fn as_i64(value: &Value) -> Option<i64> {
    key_of(value).and_then(|k| k.parse().ok())
}

/// An amount sent as a number or a string, exactly.
pub fn decimal(value: &Value) -> Option<Decimal> {
    match value {
        Value::Number(n) => Decimal::from_str(&n.to_string())
            .or_else(|_| Decimal::from_scientific(&n.to_string()))
            .ok(),
        Value::String(s) => Decimal::from_str(s.trim()).ok(),
        _ => None,
    }
}

/// A flag sent as `true/false`, `0/1` or `"0"/"1"`.
pub fn flag(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.trim() {
            "0" => Some(false),
            "1" => Some(true),
            _ => None,
        },
        _ => None,
    }
}

/// A flag as the service writes it.
pub fn flag_value(on: bool) -> Value {
    Value::from(u8::from(on))
}

/// Money as text with at least two decimals, unrounded.
pub fn money_text(amount: Decimal) -> String {
    let mut a = amount.normalize();
    if a.scale() < 2 {
        a.rescale(2);
    }
    a.to_string()
}

fn spell_id(value: &Value, odd: bool) -> Value {
    match key_of(value) {
        Some(k) if odd => k
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or(Value::String(k)),
        Some(k) => Value::String(k),
        None if matches!(value, Value::Null)
            || value.as_str().is_some_and(|s| s.trim().is_empty())
            || value.as_object().is_some_and(Map::is_empty) =>
        {
            if odd {
                Value::Object(Map::new())
            } else {
                Value::Null
            }
        }
        None => value.clone(),
    }
}

fn spell_money(value: &Value, odd: bool) -> Value {
    match decimal(value) {
        Some(d) if odd => {
            let text = d.normalize().to_string();
            serde_json::from_str::<Number>(&text)
                .map(Value::Number)
                .unwrap_or_else(|_| Value::String(money_text(d)))
        }
        Some(d) => Value::String(money_text(d)),
        None => value.clone(),
    }
}

fn spell_code(value: &Value) -> Value {
    as_i64(value)
        .map(Value::from)
        .unwrap_or_else(|| value.clone())
}

/// `value` spelt by the rule of the module, `odd` being the parity of the object it is.
pub fn spell(value: &Value, odd: bool) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (name, v) in map {
                let spelt = if is_id(name) {
                    spell_id(v, odd)
                } else if CODES.contains(&name.as_str()) {
                    spell_code(v)
                } else if MONEY.contains(&name.as_str()) {
                    spell_money(v, odd)
                } else if is_flag(name) {
                    flag(v).map(flag_value).unwrap_or_else(|| v.clone())
                } else {
                    spell(v, odd)
                };
                out.insert(name.clone(), spelt);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| spell(item, odd ^ (i % 2 == 1)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_parities_of_the_documents_order_fields() {
        let order = json!({
            "orderId": 209900, "clientId": "3271", "statusId": "0", "amountToPay": "679.570",
            "prePaymentSum": 0, "isAgreed": false, "supplierId": null, "frUsedPaymentId": {},
            "goods": [{"goodId": "355864", "price": 539.78}, {"goodId": 355862, "price": "139.79"}]
        });
        let even = spell(&order, false);
        assert_eq!(even["orderId"], "209900");
        assert_eq!(even["statusId"], 0);
        assert_eq!(even["amountToPay"], "679.57");
        assert_eq!(even["prePaymentSum"], "0.00");
        assert_eq!(even["isAgreed"], 0);
        assert_eq!(even["supplierId"], Value::Null);
        assert_eq!(even["frUsedPaymentId"], Value::Null);
        assert_eq!(even["goods"][0]["goodId"], "355864");
        assert_eq!(even["goods"][1]["goodId"], 355862);
        assert_eq!(even["goods"][1]["price"], json!(139.79));
        let odd = spell(&order, true);
        assert_eq!(odd["orderId"], 209900);
        assert_eq!(odd["clientId"], 3271);
        assert_eq!(odd["amountToPay"], json!(679.57));
        assert_eq!(odd["supplierId"], json!({}));
        assert_eq!(odd["goods"][1]["goodId"], "355862");
        assert_eq!(odd["goods"][1]["price"], "139.79");
    }

    #[test]
    fn text_ids_and_other_fields_stay_as_sent() {
        let v = json!({"deviceId": "3ebf391b3c596bc8", "weight": "95", "title": "Кофе"});
        assert_eq!(spell(&v, true), v);
        assert_eq!(spell(&v, false), v);
    }

    #[test]
    fn amounts_are_exact() {
        assert_eq!(decimal(&json!("679.570")), decimal(&json!(679.57)));
        assert_eq!(money_text(Decimal::from_str("5").unwrap()), "5.00");
        assert_eq!(money_text(Decimal::from_str("0.125").unwrap()), "0.125");
    }
}
