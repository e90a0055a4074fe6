//! The Russian taxpayer number (ИНН) and its check digits, shared by every service that
//! sends one: iRECA's clients and suppliers, CARGO.RUN's counterparties and legal persons.
//!
//! An INN is 10 digits (a company) or 12 (a person or sole trader). The last digit of a
//! 10-digit INN, and the last two of a 12-digit one, are check digits: Σ(weightᵢ × digitᵢ)
//! mod 11 mod 10 over the digits before them, with the weights of the Federal Tax Service's
//! order ММВ-7-6/435@ (10 digits: 2 4 10 3 5 9 4 6 8; 12 digits: 7 2 4 10 3 5 9 4 6 8 for
//! the 11th, 3 7 2 4 10 3 5 9 4 6 8 for the 12th).
//!
//! ```
//! use logibridge::inn;
//! assert!(inn::inn_is_valid("7707083893"));   // 10 digits
//! assert!(inn::inn_is_valid("500100732259")); // 12 digits
//! let e = inn::check_inn("client.inn", "7707083894").unwrap_err();
//! assert_eq!((e.field.as_str(), e.code), ("client.inn", "inn.checksum"));
//! ```

use serde_json::Value;

use crate::error::ValidationError;

const W10: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const W11: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const W12: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

/// The check digit over `digits` with `weights` (the shorter of the two decides how many
/// digits count): Σ(weight × digit) mod 11 mod 10.
fn check_digit(weights: &[u32], digits: &[u32]) -> u32 {
    weights.iter().zip(digits).map(|(w, d)| w * d).sum::<u32>() % 11 % 10
}

/// Whether `inn` is a valid INN: 10 digits (a company) or 12 (a person or sole trader)
/// whose check digits match (Federal Tax Service order ММВ-7-6/435@, the check-digit rule).
/// Only ASCII digits count: spaces, signs or other scripts' digits make it invalid.
pub fn inn_is_valid(inn: &str) -> bool {
    let digits: Vec<u32> = inn.chars().map_while(|c| c.to_digit(10)).collect();
    if digits.len() != inn.chars().count() {
        return false;
    }
    match digits.len() {
        10 => check_digit(&W10, &digits) == digits[9],
        12 => check_digit(&W11, &digits) == digits[10] && check_digit(&W12, &digits) == digits[11],
        _ => false,
    }
}

/// Checks one INN: empty is allowed (the services' own answers carry `""`; whether an INN
/// is required is the caller's rule); anything else must be 10 or 12 digits with matching
/// check digits. `field` is the JSON path shown. Codes: `inn.format` (not 10 or 12
/// digits), `inn.checksum` (the check digits do not match).
pub fn check_inn(field: &str, inn: &str) -> Result<(), ValidationError> {
    if inn.trim().is_empty() || inn_is_valid(inn) {
        return Ok(());
    }
    if inn_is_valid(inn.trim()) {
        // The value is sent as given: checking a trimmed copy would pass what the service
        // then refuses or stores with the spaces.
        let shown = crate::shown_input(inn);
        return Err(ValidationError::new(
            field,
            "inn.format",
            format!("\"{shown}\" has spaces around the INN: send the 10 or 12 digits alone"),
            format!("«{shown}»: вокруг ИНН есть пробелы; передавайте только 10 или 12 цифр"),
        ));
    }
    let inn = inn.trim();
    let shown = crate::shown_input(inn);
    let all_digits = inn.chars().all(|c| c.is_ascii_digit());
    if !all_digits || !matches!(inn.len(), 10 | 12) {
        return Err(ValidationError::new(
            field,
            "inn.format",
            format!("\"{shown}\" is not an INN: 10 digits (a company) or 12 (a person or sole trader)"),
            format!("«{shown}» не является ИНН: 10 цифр (организация) или 12 (физическое лицо, ИП)"),
        ));
    }
    Err(ValidationError::new(
        field,
        "inn.checksum",
        format!("\"{shown}\" is not a valid INN: its check digit does not match"),
        format!("«{shown}» не является корректным ИНН: не сходится контрольное число"),
    ))
}

/// Checks every `inn` anywhere in `value` (objects inside lists included), as a string or
/// a number. `path` is the JSON path of `value` itself (`""` for the root).
pub fn check_inns(path: &str, value: &Value) -> Result<(), ValidationError> {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let here = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                match (key.as_str(), v) {
                    ("inn", Value::String(s)) => check_inn(&here, s)?,
                    ("inn", Value::Number(n)) => check_inn(&here, &n.to_string())?,
                    _ => check_inns(&here, v)?,
                }
            }
            Ok(())
        }
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, v)| check_inns(&format!("{path}[{i}]"), v)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn known_inns_of_both_lengths() {
        // Sberbank, the St Petersburg tax office's example, a person's INN from the FTS samples.
        for good in ["7707083893", "7830002293", "500100732259"] {
            assert!(inn_is_valid(good), "{good}");
        }
        for bad in ["7707083894", "500100732250", "500100732269", "12345", "77070838931", "", "770708389a", "７７０７０８３８９３", " 7707083893"] {
            assert!(!inn_is_valid(bad), "{bad}");
        }
        assert_eq!(check_inn("inn", "12345").unwrap_err().code, "inn.format");
        assert_eq!(check_inn("inn", "7707083894").unwrap_err().code, "inn.checksum");
        assert!(check_inn("inn", " ").is_ok());
        let padded = check_inn("inn", " 7707083893").unwrap_err();
        assert_eq!(padded.code, "inn.format", "checked as sent, not as a trimmed copy");
        assert!(padded.message.contains("spaces"), "{}", padded.message);
    }

    #[test]
    fn inns_are_found_at_any_depth_as_strings_or_numbers() {
        let body = json!([{"client": {"inn": "7707083893"}}, {"client": {"inn": "7707083894"}}]);
        assert_eq!(check_inns("items", &body).unwrap_err().field, "items[1].client.inn");
        assert_eq!(check_inns("", &json!({"inn": 7707083894u64})).unwrap_err().field, "inn");
        assert!(check_inns("", &json!({"inn": 7707083893u64, "kpp": "773601001"})).is_ok());
    }

    fn digits(n: usize) -> impl Strategy<Value = Vec<u32>> {
        proptest::collection::vec(0u32..10, n)
    }

    fn text(d: &[u32]) -> String {
        d.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect()
    }

    proptest! {
        /// Any 9 digits followed by their check digit form a valid 10-digit INN, and every
        /// other last digit does not.
        #[test]
        fn ten_digit_check_digit(body in digits(9), other in 0u32..10) {
            let mut d = body.clone();
            d.push(check_digit(&W10, &body));
            prop_assert!(inn_is_valid(&text(&d)));
            if other != d[9] {
                d[9] = other;
                prop_assert!(!inn_is_valid(&text(&d)));
                prop_assert_eq!(check_inn("inn", &text(&d)).unwrap_err().code, "inn.checksum");
            }
        }

        /// Any 10 digits followed by both check digits form a valid 12-digit INN; changing
        /// either check digit makes it invalid.
        #[test]
        fn twelve_digit_check_digits(body in digits(10), which in 10usize..12, other in 0u32..10) {
            let mut d = body.clone();
            d.push(check_digit(&W11, &d));
            d.push(check_digit(&W12, &d));
            prop_assert!(inn_is_valid(&text(&d)));
            if other != d[which] {
                d[which] = other;
                prop_assert!(!inn_is_valid(&text(&d)));
            }
        }

        /// Lengths other than 10 and 12 are never INNs.
        #[test]
        fn other_lengths_are_refused(d in proptest::collection::vec(0u32..10, 0..20)) {
            prop_assume!(d.len() != 10 && d.len() != 12);
            prop_assert!(!inn_is_valid(&text(&d)));
        }
    }
}
