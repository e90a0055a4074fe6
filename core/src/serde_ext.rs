//! Tolerant readers for the services' JSON quirks, in one place.
//!
//! The vendors' documents contradict themselves (a price as a string in one example and a
//! number in the next, ids as numbers or strings). Readers here accept every form seen;
//! writers always produce the documented one.

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::Serializer;

/// Reads a JSON string or number as its text. Floats keep their shortest round-trip form,
/// so `679.57` reads as `"679.57"`.
pub fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or a number")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
    d.deserialize_any(V)
}

/// Money and other decimals: `"152.02"`, `152.02`, `"152,02"`, `152`.
pub mod decimal {
    use super::*;

    /// Reads a decimal from a string or a number, exactly.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let text = string_or_number(d)?;
        parse(&text).ok_or_else(|| de::Error::custom(format!("not a decimal: {text:?}")))
    }

    /// Writes the documented form: a string with the value's own scale (`"152.02"`).
    pub fn serialize<S: Serializer>(v: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    /// Parses `"152.02"`, `"152,02"` and exponent forms (`"1e3"`), exactly or not at all:
    /// digit separators (`1_000`) and more fractional digits than a decimal holds (28) are
    /// refused, never read as another amount.
    ///
    /// ```
    /// use logibridge::serde_ext::decimal::parse;
    /// assert_eq!(parse("679,570").unwrap().to_string(), "679.570");
    /// assert_eq!(parse("1_000"), None);
    /// assert_eq!(parse("1.00000000000000000000000000001"), None);
    /// assert_eq!(parse("1.10000000000000000000000000000").unwrap().normalize().to_string(), "1.1");
    /// ```
    pub fn parse(text: &str) -> Option<Decimal> {
        let t = text.trim();
        if t.is_empty() || !t.bytes().all(|b| matches!(b, b'0'..=b'9' | b'.' | b',' | b'-' | b'+' | b'e' | b'E')) {
            return None;
        }
        let t = t.replace(',', ".");
        if !t.contains(['e', 'E']) {
            let fraction = t.split_once('.').map_or("", |(_, f)| f).trim_end_matches('0');
            if fraction.len() > 28 {
                return None;
            }
        }
        t.parse::<Decimal>().ok().or_else(|| Decimal::from_scientific(&t).ok())
    }
}

/// Integers that may arrive as `7`, `"7"` or `7.0`; `null` and `""` are errors here (use
/// [`opt_u32`] where absence is allowed).
pub fn u32_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let text = string_or_number(d)?;
    parse_u32(&text).ok_or_else(|| de::Error::custom(format!("not a non-negative integer: {text:?}")))
}

/// Like [`u32_lenient`] but `null`, `""` and `{}` (PHP's empty object) read as `None`.
pub fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let v: serde_json::Value = serde::Deserialize::deserialize(d)?;
    match &v {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) if s.trim().is_empty() => Ok(None),
        serde_json::Value::Object(m) if m.is_empty() => Ok(None),
        serde_json::Value::String(s) => parse_u32(s).map(Some).ok_or_else(|| de::Error::custom(format!("not an integer: {s:?}"))),
        serde_json::Value::Number(n) => parse_u32(&n.to_string()).map(Some).ok_or_else(|| de::Error::custom(format!("not an integer: {n}"))),
        other => Err(de::Error::custom(format!("not an integer: {other}"))),
    }
}

/// Ids that may arrive as numbers or strings. A value out of range, fractional, or a float
/// too large to be exact is an error quoting what came, never clamped or rounded.
pub fn u64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an id (a whole number from 0 to 18446744073709551615, or its text)")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::custom(format!("not an id: {v}")))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            if exact_whole(v) && v >= 0.0 {
                Ok(v as u64)
            } else {
                Err(E::custom(format!("not an id: {v:e} (out of range, fractional, or too large to be exact)")))
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            let t = v.trim();
            t.parse::<u64>()
                .ok()
                .or_else(|| t.parse::<f64>().ok().filter(|f| exact_whole(*f) && *f >= 0.0).map(|f| f as u64))
                .ok_or_else(|| E::custom(format!("not an id: {:?}", t.chars().take(60).collect::<String>())))
        }
    }
    d.deserialize_any(V)
}

/// A float that is a whole number and exactly what was written: below 2^53, where every
/// whole number has its own float (`9007199254740993.0` would read as …992, and `1e20` or
/// `2**70` would be clamped): anything else is refused, not rounded.
fn exact_whole(f: f64) -> bool {
    f.is_finite() && f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0
}

fn parse_u32(text: &str) -> Option<u32> {
    let t = text.trim();
    t.parse::<u32>().ok().or_else(|| t.parse::<f64>().ok().filter(|f| exact_whole(*f) && *f >= 0.0 && *f <= u32::MAX as f64).map(|f| f as u32))
}

/// Booleans as `true`, `1`, `"1"`, `"true"`, `0`, `"0"`, `""`, `null` (false).
pub fn bool_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let v: serde_json::Value = serde::Deserialize::deserialize(d)?;
    match &v {
        serde_json::Value::Bool(b) => Ok(*b),
        serde_json::Value::Null => Ok(false),
        serde_json::Value::Number(n) => Ok(n.as_f64().map(|f| f != 0.0).unwrap_or(false)),
        serde_json::Value::String(s) if s.trim().is_empty() => Ok(false),
        serde_json::Value::String(s) => bool_text(s).ok_or_else(|| de::Error::custom(format!("not a boolean: {s:?}"))),
        other => Err(de::Error::custom(format!("not a boolean: {other}"))),
    }
}

/// A boolean's text as PHP services write it: `1`, `true`, `yes`, `on` and `0`, `false`,
/// `no`, `off`, any case, spaces around ignored; anything else (the empty string included)
/// is `None`.
pub fn bool_text(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Puts quotes around every JSON number of `body` that would not survive serde_json's
/// float reading exactly (more than 15 significant digits, or an integer beyond 64 bits),
/// so a decimal reader gets its text: `12345678901234567.89` becomes
/// `"12345678901234567.89"`. Numbers a float holds exactly, strings and everything else are
/// left alone; a body with nothing to change is returned as it is, without copying.
///
/// Why not serde_json's `arbitrary_precision`: that feature changes how every number of
/// every crate in the workspace is handed to visitors, and `#[serde(flatten)]` (used to
/// keep unknown fields) buffers numbers as floats anyway.
///
/// ```
/// let fixed = logibridge::serde_ext::quote_inexact_numbers(br#"{"a": 679.57, "b": 0.30000000000000004441, "c": "1.5"}"#);
/// assert_eq!(&*fixed, br#"{"a": 679.57, "b": "0.30000000000000004441", "c": "1.5"}"#);
/// ```
pub fn quote_inexact_numbers(body: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let (mut copied, mut i) = (0, 0);
    while i < body.len() {
        match body[i] {
            b'"' => {
                i += 1;
                while i < body.len() {
                    match body[i] {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < body.len() && matches!(body[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                    i += 1;
                }
                let token = &body[start..i];
                if !float_reads_exactly(token) {
                    let o = out.get_or_insert_with(|| Vec::with_capacity(body.len() + 16));
                    o.extend_from_slice(&body[copied..start]);
                    o.push(b'"');
                    o.extend_from_slice(token);
                    o.push(b'"');
                    copied = i;
                }
            }
            _ => i += 1,
        }
    }
    match out {
        None => std::borrow::Cow::Borrowed(body),
        Some(mut o) => {
            o.extend_from_slice(&body[copied..]);
            std::borrow::Cow::Owned(o)
        }
    }
}

/// Whether serde_json reads this number token as a value whose shortest text is the
/// token's own value (integers within 64 bits always are).
fn float_reads_exactly(token: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(token) else { return true };
    if !text.contains(['.', 'e', 'E']) {
        return text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok();
    }
    // What serde_json itself makes of the token (its fast float reading, not std's).
    let Ok(f) = serde_json::from_str::<f64>(text) else { return true };
    match (decimal::parse(text), decimal::parse(&f.to_string())) {
        (Some(written), Some(read)) => written == read,
        _ => false,
    }
}

/// Strings that may be `null` (read as empty).
pub fn string_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v: Option<serde_json::Value> = serde::Deserialize::deserialize(d)?;
    Ok(match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s,
        Some(serde_json::Value::Object(m)) if m.is_empty() => String::new(),
        Some(other) => other.to_string(),
    })
}

/// What separates the English and the Russian text of a message that has to travel as one
/// string (a serde error raised by a model's adapter): `en ‖ ru`. The library splits it
/// back into `message` and `message_ru`; read raw, it is still a bilingual sentence.
pub const BILINGUAL: &str = " ‖ ";

/// One string carrying both texts (see [`BILINGUAL`]).
pub(crate) fn bilingual(en: impl std::fmt::Display, ru: impl std::fmt::Display) -> String {
    format!("{en}{BILINGUAL}{ru}")
}

/// The English part of a message that may carry both texts (see [`BILINGUAL`]).
pub(crate) fn english(text: &str) -> &str {
    text.split_once(BILINGUAL).map_or(text, |(en, _)| en)
}

thread_local! {
    static CALLER_FORM: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the models are being read or written in the callers' form (see
/// [`in_callers_form`]); the models' date-time adapters ask this.
pub fn is_callers_form() -> bool {
    CALLER_FORM.with(|c| c.get())
}

/// Runs `f` with the models' date-times in the callers' form instead of the wire's: written
/// as RFC 3339 in UTC (`2021-04-28T11:34:00Z`), and read only with an offset (`+03:00`,
/// `Z`), a time without one being refused rather than guessed. The faces see and give this
/// form (the JSON of [`crate::Client::call`], the rows' parameters); the service's bodies
/// are read and written in the wire form (iRECA: `2021-04-28 11:34:00`, GMT+0; CARGO.RUN:
/// `…Z`, read with or without a zone), outside it.
///
/// ```
/// use logibridge::ireca::{wire, Order};
/// let o: Order = serde_json::from_str(r#"{"deliveryTimeFrom": "2021-04-28 11:34:00"}"#).unwrap(); // the wire's
/// assert_eq!(wire::in_callers_form(|| serde_json::to_string(&o)).unwrap(), r#"{"deliveryTimeFrom":"2021-04-28T11:34:00Z"}"#);
/// let naive = wire::in_callers_form(|| serde_json::from_str::<Order>(r#"{"deliveryTimeFrom": "2021-04-28 11:34:00"}"#));
/// assert!(naive.unwrap_err().to_string().contains("no UTC offset"));
/// ```
pub fn in_callers_form<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            CALLER_FORM.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(CALLER_FORM.with(|c| c.replace(true)));
    f()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Money {
        #[serde(with = "decimal")]
        v: Decimal,
    }

    #[test]
    fn money_reads_every_form_exactly() {
        for (json, want) in [(r#"{"v":"679.57"}"#, "679.57"), (r#"{"v":679.57}"#, "679.57"), (r#"{"v":"152,02"}"#, "152.02"), (r#"{"v":7}"#, "7"), (r#"{"v":"0.10"}"#, "0.10")] {
            let m: Money = serde_json::from_str(json).unwrap();
            assert_eq!(m.v.to_string(), want, "{json}");
        }
        assert!(serde_json::from_str::<Money>(r#"{"v":"abc"}"#).is_err());
    }

    #[derive(Deserialize)]
    struct Flags {
        #[serde(deserialize_with = "bool_lenient")]
        b: bool,
    }

    #[test]
    fn php_booleans() {
        for (json, want) in [("true", true), ("1", true), (r#""1""#, true), ("0", false), (r#""0""#, false), ("null", false), (r#""""#, false)] {
            let f: Flags = serde_json::from_str(&format!(r#"{{"b":{json}}}"#)).unwrap();
            assert_eq!(f.b, want, "{json}");
        }
    }
}

#[cfg(test)]
mod range_tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Id {
        #[serde(deserialize_with = "super::u64_lenient")]
        id: u64,
    }

    #[test]
    fn out_of_range_or_inexact_ids_are_errors_not_clamped() {
        let ok = |t: &str| serde_json::from_str::<Id>(t).map(|i| i.id);
        assert_eq!(ok(r#"{"id": 18446744073709551615}"#).unwrap(), u64::MAX);
        assert_eq!(ok(r#"{"id": "209900"}"#).unwrap(), 209900);
        assert_eq!(ok(r#"{"id": 209900.0}"#).unwrap(), 209900);
        for bad in [r#"{"id": 1180591620717411303424}"#, r#"{"id": 1e20}"#, r#"{"id": 9007199254740993.0}"#, r#"{"id": -1}"#, r#"{"id": 1.5}"#] {
            let e = ok(bad).unwrap_err().to_string();
            assert!(e.contains("not an id"), "{bad}: {e}");
        }
    }
}
