//! The PHP-flavoured JSON of iRECA Courier, read leniently and written in the documented
//! form.
//!
//! The document (`ireca-courier-api.apib`) is inconsistent with itself: in its 74 JSON
//! bodies ids come as numbers and strings, money as `539.78` and `"679.57"`, flags as
//! `0/1`, `"1"` and `true/false`, and an absent id or object as `null`, `""` or `{}` (PHP's
//! empty array). Every model field says how it is read and written through one of the
//! adapters below (`#[serde(with = "wire::…")]`, always over an `Option`):
//!
//! | adapter | reads | writes (the document's request examples) |
//! |---|---|---|
//! | [`id`] | number or string, `null`/`""`/`{}` → `None` | as it came ([`Id`] keeps its spelling) |
//! | [`text`] | string, a number's or boolean's text, `null`/`{}` → `None` | string |
//! | [`number`] | decimal as number or string, exactly | JSON number (`"amountToPay": 539.78`) |
//! | [`decimal_text`] | decimal as number or string, exactly | string with its scale (`"weight": "370"`, `"latitude": "59.92088839350768"`) |
//! | [`count`] | whole number as number or string | JSON number |
//! | [`flag01`] | `true/false/0/1/"0"/"1"` | `0` / `1` (`"isAgreed": 0`, `"isActive": 1`) |
//! | [`flag`] | the same | `true` / `false` (`"isRefund": true`, `"isUseGoogleGeo": false`) |
//! | [`flag_text`] | the same | `"0"` / `"1"` (`"isAllowed": "1"`) |
//! | [`time`] | `YYYY-MM-DD HH:MM:SS` (GMT+0), RFC 3339 with an offset | `YYYY-MM-DD HH:MM:SS` in UTC |
//! | [`date`] | `YYYY-MM-DD` | `YYYY-MM-DD` |
//! | [`object`] / [`list`] | the model, `null`/`""`/`{}` → `None` | the model |
//! | [`plain`] | the type's own form, `null` → `None` | the type's own form |
//! | [`secret`] | text into a [`Secret`] | the text |
//!
//! `None` is not written at all: PHP's `isset()` makes no difference between an absent key
//! and `null`, so a get → modify → update round trip sends what it received minus the
//! empty spellings.
//!
//! Money never goes through a float on the way in when a body is read with
//! [`from_slice`]: a JSON number that a float would not hold exactly (more than 15
//! significant digits) is read from its text. On the way out a decimal is written as a
//! JSON number only when that number reads back as the same decimal; otherwise it is
//! written as a string, which the service accepts for every amount (its own answers use
//! both).
//!
//! # Date-times
//!
//! The wire carries `YYYY-MM-DD HH:MM:SS` in GMT+0 (document, «Дата и время»). Models hold
//! [`chrono::DateTime<Utc>`]: a date-time with any offset converts into it
//! (`DateTime::<FixedOffset>::with_timezone(&Utc)` or `.into()`), and a naive date-time
//! cannot be stored at all, so a local wall-clock time is never guessed to be UTC. Faces
//! that receive text use [`parse_datetime`], which refuses a date-time without an offset.

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::de::{self, DeserializeOwned, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::serde_ext;
use crate::transport::Secret;
use crate::{Error, Result};

/// Fields a record does not declare, kept in arrival order and written back on output.
pub type Extra = serde_json::Map<String, Value>;

/// The wire format of date-times: `2021-04-28 11:34:00`, GMT+0.
pub const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Reads a body into a model the way every iRECA body is read: numbers a float would not
/// hold exactly are taken from their text first (see the module documentation), and a
/// mismatch is an [`Error::Decode`] naming `what` (an endpoint or callback id) and the JSON
/// path.
///
/// ```
/// use logibridge::ireca::{wire, Order};
/// let o: Order = wire::from_slice("ireca.orders.get", br#"{"orderId": 1, "amountToPay": 12345678901234567.89}"#).unwrap();
/// assert_eq!(o.amount_to_pay.unwrap().to_string(), "12345678901234567.89");
/// ```
pub fn from_slice<T: DeserializeOwned>(what: &str, body: &[u8]) -> Result<T> {
    let exact = serde_ext::quote_inexact_numbers(body);
    crate::transport::decode_json(what, &exact)
}

/// An id as the service writes it: a number (`209900`) or a string (`"209900"`), kept as
/// written so it goes back the same way, and compared by value: `Id::from(209900)` equals
/// `Id::from("209900")`, and both hash alike.
///
/// ```
/// use logibridge::ireca::Id;
/// let a: Id = serde_json::from_str("209900").unwrap();
/// let b: Id = serde_json::from_str("\"209900\"").unwrap();
/// assert_eq!(a, b);
/// assert_eq!(serde_json::to_string(&b).unwrap(), "\"209900\"");
/// assert_eq!(a.to_string(), "209900");
/// ```
#[derive(Clone, Debug)]
pub enum Id {
    /// Written as a JSON number.
    Number(serde_json::Number),
    /// Written as a JSON string (ids need not be numeric: `"registratorShiftOpen"`).
    Text(String),
}

/// What two ids are compared and hashed by.
#[derive(PartialEq, Eq, Hash)]
enum IdKey<'a> {
    Whole(i128),
    Text(Cow<'a, str>),
}

impl Id {
    fn key(&self) -> IdKey<'_> {
        match self {
            Id::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => IdKey::Whole(i.into()),
                (_, Some(u)) => IdKey::Whole(u.into()),
                _ => match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && f.abs() < 1e18 => IdKey::Whole(f as i128),
                    _ => IdKey::Text(Cow::Owned(n.to_string())),
                },
            },
            Id::Text(s) => {
                let t = s.trim();
                match t.parse::<i128>() {
                    Ok(i) => IdKey::Whole(i),
                    Err(_) => IdKey::Text(Cow::Borrowed(t)),
                }
            }
        }
    }

    /// The id as a whole number, when it is one (`"209900"` → `Some(209900)`).
    pub fn as_u64(&self) -> Option<u64> {
        match self.key() {
            IdKey::Whole(i) => u64::try_from(i).ok(),
            IdKey::Text(_) => None,
        }
    }

    /// Whether the id is the empty string the service writes for "none" (`"courierId": ""`).
    pub fn is_empty(&self) -> bool {
        matches!(self, Id::Text(s) if s.trim().is_empty())
    }
}

impl PartialEq for Id {
    fn eq(&self, other: &Id) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Id {}

impl Hash for Id {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Id::Number(n) => write!(f, "{n}"),
            Id::Text(s) => f.write_str(s),
        }
    }
}

impl From<u64> for Id {
    fn from(v: u64) -> Id {
        Id::Number(v.into())
    }
}

impl From<i64> for Id {
    fn from(v: i64) -> Id {
        Id::Number(v.into())
    }
}

impl From<u32> for Id {
    fn from(v: u32) -> Id {
        Id::Number(v.into())
    }
}

impl From<i32> for Id {
    fn from(v: i32) -> Id {
        Id::Number(v.into())
    }
}

impl From<&str> for Id {
    fn from(v: &str) -> Id {
        Id::Text(v.to_owned())
    }
}

impl From<String> for Id {
    fn from(v: String) -> Id {
        Id::Text(v)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Id::Number(n) => n.serialize(s),
            Id::Text(t) => s.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Id, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id (a number or a string)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Id, E> {
                Ok(Id::from(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Id, E> {
                Ok(Id::from(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Id, E> {
                serde_json::Number::from_f64(v).map(Id::Number).ok_or_else(|| E::invalid_value(Unexpected::Float(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Id, E> {
                Ok(Id::from(v))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Id, E> {
                Ok(Id::Text(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// PHP's spellings of "nothing" where an id or an object is expected: `null`, `""`, `{}`
/// (and `[]`, an empty PHP array, where an object is expected).
fn is_php_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

fn value_error<E: de::Error>(v: &Value, expected: &str) -> E {
    let shown: String = v.to_string().chars().take(60).collect();
    E::custom(format!("invalid value: {shown}, expected {expected}"))
}

/// Reads a decimal exactly from a JSON number or string. A number arrives as a float from
/// serde (or as an integer); [`from_slice`] has already turned every number a float would
/// not hold exactly into a string, so the float's shortest text is the number as written.
fn decimal_of<E: de::Error>(v: &Value) -> std::result::Result<Decimal, E> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => return Err(value_error(other, "a decimal (a number or its text)")),
    };
    serde_ext::decimal::parse(&text).ok_or_else(|| value_error(v, "a decimal (a number or its text)"))
}

/// Buffers one field's value: the few bytes of one field, never a whole body.
fn read_value<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Value, D::Error> {
    Value::deserialize(d)
}

/// [`Id`] fields: number or string as written; `null`, `""`, `{}` read as `None`.
pub mod id {
    use super::*;

    /// Reads an id; PHP's empty spellings are `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Id>, D::Error> {
        let v = read_value(d)?;
        if is_php_empty(&v) {
            return Ok(None);
        }
        match v {
            Value::Number(n) => Ok(Some(Id::Number(n))),
            Value::String(s) => Ok(Some(Id::Text(s))),
            other => Err(value_error(&other, "an id (a number or a string)")),
        }
    }

    /// Writes the id as it came.
    pub fn serialize<S: Serializer>(v: &Option<Id>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(id) => id.serialize(s),
            None => s.serialize_none(),
        }
    }
}

/// Ids the document marks «required, nullable» (`parentId` of goods and specificities:
/// `null` is a top-level item): `None` is absent (not written), `Some(None)` is an explicit
/// `null` (PHP's `""` and `{}` read as that too), `Some(Some(id))` an id.
///
/// ```
/// use logibridge::ireca::Good;
/// let top: Good = serde_json::from_str(r#"{"goodId": 1, "parentId": null}"#).unwrap();
/// assert_eq!(top.parent_id, Some(None));
/// assert_eq!(serde_json::to_string(&top).unwrap(), r#"{"goodId":1,"parentId":null}"#);
/// assert_eq!(serde_json::to_string(&Good::default()).unwrap(), "{}");
/// ```
pub mod nullable_id {
    use super::*;

    /// Reads a present value: an id, or `null` (any PHP empty spelling).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Option<Id>>, D::Error> {
        id::deserialize(d).map(Some)
    }

    /// Writes the id, or `null` for `Some(None)`.
    pub fn serialize<S: Serializer>(v: &Option<Option<Id>>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(inner) => id::serialize(inner, s),
            None => s.serialize_none(),
        }
    }
}

/// A new catalogue item whose `parentId` the document marks «required, nullable» (goods,
/// specificities: `null` is a top-level item): written with `"parentId": null` when it has
/// none, so creating a top-level item needs no explicit null; a given `parentId` is kept.
/// For create and replace, which send whole objects (the document's replace examples carry
/// `"parentId": null`); never for an update, which must not send a `null` it was not given
/// (that would move the item to the top).
///
/// ```
/// use logibridge::ireca::{wire::TopLevelByDefault, Good};
/// let mut good = Good::default();
/// good.good_id = Some(1.into());
/// assert_eq!(serde_json::to_string(&TopLevelByDefault(good.clone())).unwrap(), r#"{"goodId":1,"parentId":null}"#);
/// good.parent_id = Some(Some(7.into()));
/// assert_eq!(serde_json::to_string(&TopLevelByDefault(good)).unwrap(), r#"{"goodId":1,"parentId":7}"#);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct TopLevelByDefault<T>(pub T);

impl<T: Serialize> Serialize for TopLevelByDefault<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut value = serde_json::to_value(&self.0).map_err(serde::ser::Error::custom)?;
        if let Value::Object(fields) = &mut value {
            fields.entry("parentId").or_insert(Value::Null);
        }
        value.serialize(s)
    }
}

/// Text fields: a string, or a number's or boolean's text (`"home": 25` reads `"25"`);
/// `null` and `{}` are `None`, `""` stays an empty string. Written as a string.
pub mod text {
    use super::*;

    /// Reads text leniently.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
        match read_value(d)? {
            Value::Null => Ok(None),
            Value::Object(m) if m.is_empty() => Ok(None),
            Value::String(s) => Ok(Some(s)),
            Value::Number(n) => Ok(Some(n.to_string())),
            Value::Bool(b) => Ok(Some(if b { "1" } else { "0" }.to_owned())),
            other => Err(value_error(&other, "a string")),
        }
    }

    /// Writes a string.
    pub fn serialize<S: Serializer>(v: &Option<String>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(t) => s.serialize_str(t),
            None => s.serialize_none(),
        }
    }
}

/// Decimals written as JSON numbers (money, quantities, coordinates of locations):
/// `"679.570"`, `679.57` and `"679,57"` read as the same amount, exactly; `null`, `""`,
/// `{}` are `None`.
pub mod number {
    use super::*;

    /// Reads a decimal exactly.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Decimal>, D::Error> {
        let v = read_value(d)?;
        if is_php_empty(&v) {
            return Ok(None);
        }
        decimal_of(&v).map(Some)
    }

    /// Writes a JSON number when it reads back as the same decimal (always so up to 15
    /// significant digits), the decimal's text otherwise.
    ///
    /// ```
    /// use logibridge::ireca::Order;
    /// let mut o = Order::default();
    /// o.amount_to_pay = Some("679.570".parse().unwrap());
    /// assert_eq!(serde_json::to_string(&o).unwrap(), r#"{"amountToPay":679.57}"#);
    /// o.amount_to_pay = Some("1234567890123456.78".parse().unwrap());
    /// assert_eq!(serde_json::to_string(&o).unwrap(), r#"{"amountToPay":"1234567890123456.78"}"#);
    /// ```
    pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(d) => write_number(d, s),
            None => s.serialize_none(),
        }
    }
}

fn write_number<S: Serializer>(d: &Decimal, s: S) -> std::result::Result<S::Ok, S::Error> {
    let d = d.normalize();
    if d.scale() == 0 {
        if let Ok(i) = i64::try_from(d) {
            return s.serialize_i64(i);
        }
    }
    let text = d.to_string();
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() && serde_ext::decimal::parse(&f.to_string()) == Some(d) => s.serialize_f64(f),
        _ => s.serialize_str(&text),
    }
}

/// Decimals written as strings with their own scale (`"weight": "370"`, coordinates
/// `"59.92088839350768"`, `"0.00000000000000"`): read like [`number`].
pub mod decimal_text {
    use super::*;

    /// Reads a decimal exactly.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Decimal>, D::Error> {
        number::deserialize(d)
    }

    /// Writes the decimal's text, scale kept.
    pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.collect_str(d),
            None => s.serialize_none(),
        }
    }
}

/// Whole numbers (positions, licence counts) as numbers or strings; written as numbers.
pub mod count {
    use super::*;

    /// Reads a whole number; PHP's empty spellings are `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<u32>, D::Error> {
        serde_ext::opt_u32(d)
    }

    /// Writes a JSON number.
    pub fn serialize<S: Serializer>(v: &Option<u32>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(n) => s.serialize_u32(*n),
            None => s.serialize_none(),
        }
    }
}

fn read_flag<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<bool>, D::Error> {
    let v = read_value(d)?;
    match &v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::Number(n) if n.as_f64() == Some(0.0) => Ok(Some(false)),
        Value::Number(n) if n.as_f64() == Some(1.0) => Ok(Some(true)),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => serde_ext::bool_text(s).map(Some).ok_or_else(|| value_error(&v, "a flag (true, false, 0, 1, \"0\", \"1\")")),
        _ => Err(value_error(&v, "a flag (true, false, 0, 1, \"0\", \"1\")")),
    }
}

/// Flags written `0` / `1` (`isAgreed`, `isActive`, `isProduction`); read from any of
/// `true/false/0/1/"0"/"1"`.
pub mod flag01 {
    use super::*;

    /// Reads a flag.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<bool>, D::Error> {
        read_flag(d)
    }

    /// Writes `0` or `1`.
    pub fn serialize<S: Serializer>(v: &Option<bool>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_u8(u8::from(*b)),
            None => s.serialize_none(),
        }
    }
}

/// Flags written `true` / `false` (`isRefund`, `isUseGoogleGeo`); read like [`flag01`].
pub mod flag {
    use super::*;

    /// Reads a flag.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<bool>, D::Error> {
        read_flag(d)
    }

    /// Writes `true` or `false`.
    pub fn serialize<S: Serializer>(v: &Option<bool>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_bool(*b),
            None => s.serialize_none(),
        }
    }
}

/// Flags written `"0"` / `"1"` (`isAllowed` of permissions); read like [`flag01`].
pub mod flag_text {
    use super::*;

    /// Reads a flag.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<bool>, D::Error> {
        read_flag(d)
    }

    /// Writes `"0"` or `"1"`.
    pub fn serialize<S: Serializer>(v: &Option<bool>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_str(if *b { "1" } else { "0" }),
            None => s.serialize_none(),
        }
    }
}

/// Reads a wire date-time: `YYYY-MM-DD HH:MM:SS` (or with a `T`, with fractions of a
/// second) is GMT+0 by the document's rule; a text with an offset (`…+03:00`, `…Z`) is
/// converted to UTC. An empty text and MySQL's zero date `0000-00-00 00:00:00` are no
/// date (`Ok(None)`).
///
/// ```
/// use logibridge::ireca::wire::parse_wire_datetime;
/// assert_eq!(parse_wire_datetime("2021-04-28 11:34:00").unwrap().unwrap().to_rfc3339(), "2021-04-28T11:34:00+00:00");
/// assert_eq!(parse_wire_datetime("0000-00-00 00:00:00").unwrap(), None);
/// assert!(parse_wire_datetime("28.04.2021").unwrap_err().message_ru().contains("не дата"));
/// ```
///
/// # Errors
/// [`Error::InvalidArgument`] when the text is none of these forms.
pub fn parse_wire_datetime(text: &str) -> Result<Option<DateTime<Utc>>> {
    let t = text.trim();
    if t.is_empty() || t.starts_with("0000-00-00") {
        return Ok(None);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(Some(dt.with_timezone(&Utc)));
    }
    for fmt in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, fmt) {
            return Ok(Some(n.and_utc()));
        }
    }
    let t = crate::shown_input(t);
    Err(Error::invalid_argument(
        format!("\"{t}\" is not a date-time YYYY-MM-DD HH:MM:SS"),
        format!("«{t}» — не дата и время в виде ГГГГ-ММ-ДД ЧЧ:ММ:СС"),
    ))
}

/// A date-time given by a caller as text (the faces): it must carry its offset
/// (RFC 3339, `2021-04-28T14:34:00+03:00` or `…Z`), and is converted to UTC. A date-time
/// without an offset is refused, not guessed: the service reads GMT+0 and a local
/// wall-clock time sent as it is would be hours off.
///
/// ```
/// let t = logibridge::ireca::wire::parse_datetime("deliveryTimeFrom", "2021-04-28T14:34:00+03:00").unwrap();
/// assert_eq!(t.format("%Y-%m-%d %H:%M:%S").to_string(), "2021-04-28 11:34:00");
/// let e = logibridge::ireca::wire::parse_datetime("deliveryTimeFrom", "2021-04-28 14:34:00").unwrap_err();
/// assert!(e.to_string().contains("has no UTC offset"));
/// ```
///
/// # Errors
/// [`Error::InvalidArgument`] naming `field` when the text has no offset or is not a
/// date-time.
pub fn parse_datetime(field: &str, text: &str) -> Result<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        let utc = dt.with_timezone(&Utc);
        // The wire form has four digits of year: 9999-12-31T23:59:59-05:00 is in year 10000.
        if !(1..=9999).contains(&chrono::Datelike::year(&utc)) {
            let t = crate::shown_input(t);
            return Err(Error::invalid_argument(
                format!("{field}: \"{t}\" is outside the years 0001 to 9999 in UTC"),
                format!("{field}: «{t}» вне 0001–9999 годов по UTC"),
            ));
        }
        return Ok(utc);
    }
    let naive = ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"].iter().any(|f| NaiveDateTime::parse_from_str(t, f).is_ok());
    let t = crate::shown_input(t);
    if naive {
        Err(Error::invalid_argument(
            format!("{field}: the date-time \"{t}\" has no UTC offset; give it with its offset (2021-04-28T14:34:00+03:00) or in UTC (…Z): iRECA reads GMT+0"),
            format!("{field}: у даты и времени «{t}» не указано смещение от UTC; укажите его (2021-04-28T14:34:00+03:00) или время в UTC (…Z): iRECA читает время по GMT+0"),
        ))
    } else {
        Err(Error::invalid_argument(
            format!("{field}: \"{t}\" is not a date-time (expected RFC 3339 with an offset, 2021-04-28T14:34:00+03:00)"),
            format!("{field}: «{t}» — не дата и время (ожидается RFC 3339 со смещением, 2021-04-28T14:34:00+03:00)"),
        ))
    }
}

/// Date-times: `YYYY-MM-DD HH:MM:SS` in GMT+0 on the wire, [`DateTime<Utc>`] in the model
/// (see the module documentation). Fractions of a second are not written: the wire has
/// none.
pub mod time {
    use super::*;

    /// Reads a wire date-time; `null`, `""`, `{}` and the zero date are `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<DateTime<Utc>>, D::Error> {
        let v = read_value(d)?;
        if is_php_empty(&v) {
            return Ok(None);
        }
        match &v {
            Value::String(s) if in_caller_form() => match DateTime::parse_from_rfc3339(s.trim()).map(|t| t.with_timezone(&Utc)) {
                Ok(t) if (1..=9999).contains(&chrono::Datelike::year(&t)) => Ok(Some(t)),
                Ok(_) => Err(de::Error::custom(format!("the date-time \"{}\" is outside the years 0001 to 9999 in UTC", crate::shown_input(s)))),
                Err(_) => Err(de::Error::custom(format!(
                    "the date-time \"{}\" has no UTC offset or is no date-time: give it with its offset (2021-04-28T14:34:00+03:00) or in UTC (…Z); iRECA reads GMT+0 and a time without an offset is not guessed",
                    crate::shown_input(s)
                ))),
            },
            Value::String(s) => parse_wire_datetime(s).map_err(|_| value_error(&v, "a date-time YYYY-MM-DD HH:MM:SS")),
            _ => Err(value_error(&v, "a date-time YYYY-MM-DD HH:MM:SS")),
        }
    }

    /// Writes `YYYY-MM-DD HH:MM:SS` in UTC.
    ///
    /// ```
    /// use chrono::{DateTime, Utc};
    /// let local = DateTime::parse_from_rfc3339("2021-04-28T14:34:00+03:00").unwrap();
    /// let o = logibridge::ireca::Order { delivery_time_from: Some(local.into()), ..Default::default() };
    /// assert_eq!(serde_json::to_string(&o).unwrap(), r#"{"deliveryTimeFrom":"2021-04-28 11:34:00"}"#);
    /// ```
    pub fn serialize<S: Serializer>(v: &Option<DateTime<Utc>>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(t) if in_caller_form() => s.collect_str(&t.format("%Y-%m-%dT%H:%M:%SZ")),
            Some(t) => s.collect_str(&t.format(DATETIME_FORMAT)),
            None => s.serialize_none(),
        }
    }
}

pub use crate::serde_ext::in_callers_form;

fn in_caller_form() -> bool {
    crate::serde_ext::is_callers_form()
}

/// Calendar dates (a client's `birthday`): `YYYY-MM-DD`, no time zone.
pub mod date {
    use super::*;

    /// Reads `YYYY-MM-DD` (a date-time's date part is accepted); PHP's empty spellings and
    /// `0000-00-00` are `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<NaiveDate>, D::Error> {
        let v = read_value(d)?;
        if is_php_empty(&v) {
            return Ok(None);
        }
        match &v {
            Value::String(s) if s.trim().starts_with("0000-00-00") => Ok(None),
            Value::String(s) => {
                let t = s.trim();
                NaiveDate::parse_from_str(t.get(..10).unwrap_or(t), "%Y-%m-%d").map(Some).map_err(|_| value_error(&v, "a date YYYY-MM-DD"))
            }
            _ => Err(value_error(&v, "a date YYYY-MM-DD")),
        }
    }

    /// Writes `YYYY-MM-DD`.
    pub fn serialize<S: Serializer>(v: &Option<NaiveDate>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(t) => s.collect_str(&t.format("%Y-%m-%d")),
            None => s.serialize_none(),
        }
    }
}

/// Nested records (`client`, `addressToEntity`, `returnedOrder`): `null`, `""`, `{}` and
/// `[]` (PHP's empty array) are `None`.
pub mod object {
    use super::*;

    /// Reads a nested record.
    pub fn deserialize<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> std::result::Result<Option<T>, D::Error> {
        let v = read_value(d)?;
        if is_php_empty(&v) || matches!(&v, Value::Array(a) if a.is_empty()) {
            return Ok(None);
        }
        serde_json::from_value(v).map(Some).map_err(de::Error::custom)
    }

    /// Writes the record.
    pub fn serialize<S: Serializer, T: Serialize>(v: &Option<T>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(t) => t.serialize(s),
            None => s.serialize_none(),
        }
    }
}

/// Lists (`goods`, `payments`): `[]` is an empty list, `null`, `""` and `{}` are `None`.
pub mod list {
    use super::*;

    /// Reads a list.
    pub fn deserialize<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> std::result::Result<Option<Vec<T>>, D::Error> {
        let v = read_value(d)?;
        if is_php_empty(&v) {
            return Ok(None);
        }
        match v {
            Value::Array(_) => serde_json::from_value(v).map(Some).map_err(de::Error::custom),
            other => Err(value_error(&other, "a list")),
        }
    }

    /// Writes the list.
    pub fn serialize<S: Serializer, T: Serialize>(v: &Option<Vec<T>>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(t) => t.serialize(s),
            None => s.serialize_none(),
        }
    }
}

/// Values with their own serde form (open enums): `null` is `None`.
pub mod plain {
    use super::*;

    /// Reads the value.
    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> std::result::Result<Option<T>, D::Error> {
        Option::<T>::deserialize(d)
    }

    /// Writes the value.
    pub fn serialize<S: Serializer, T: Serialize>(v: &Option<T>, s: S) -> std::result::Result<S::Ok, S::Error> {
        v.serialize(s)
    }
}

/// Passwords the service stores and returns (`sourcePassword`, Atol Online's
/// `password`): held in a [`Secret`], so `Debug` prints `***`.
pub mod secret {
    use super::*;

    /// Reads the text into a secret; a value that is no text is refused without quoting it.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Secret>, D::Error> {
        match read_value(d)? {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(Secret::new(s))),
            Value::Number(n) => Ok(Some(Secret::new(n.to_string()))),
            Value::Object(m) if m.is_empty() => Ok(None),
            _ => Err(de::Error::custom("invalid value: (a secret, not shown), expected a text")),
        }
    }

    /// Writes the text.
    pub fn serialize<S: Serializer>(v: &Option<Secret>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(t) => s.serialize_str(t.expose()),
            None => s.serialize_none(),
        }
    }
}

/// An enum the service may extend: the documented values as variants, anything else kept
/// in `Unknown(raw)` and written back unchanged.
macro_rules! open_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $variant:ident = $wire:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $variant,)*
            /// A value the document does not list, kept as received.
            Unknown(String),
        }

        impl $name {
            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Unknown(raw) => raw,
                }
            }
        }

        impl From<&str> for $name {
            fn from(raw: &str) -> $name {
                match raw {
                    $($wire => $name::$variant,)*
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<$name, D::Error> {
                let raw = $crate::serde_ext::string_or_number(d)?;
                Ok($name::from(raw.as_str()))
            }
        }
    };
}
pub(crate) use open_enum;

/// A record of the document: every field optional (the service omits and adds fields by
/// endpoint), read and written through the [`wire`](self) adapter named beside it,
/// `camelCase` on the wire, unknown fields kept in `extra`.
macro_rules! model {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* $field:ident $(as $wire:literal)? : $ty:ty = $with:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            $(
                $(#[$fm])*
                $(#[serde(rename = $wire)])?
                #[serde(default, skip_serializing_if = "Option::is_none", with = $with)]
                pub $field: Option<$ty>,
            )*
            /// Fields the document does not list (or a newer service adds), kept in arrival
            /// order and written back, so get → modify → update loses nothing.
            #[serde(flatten)]
            pub extra: $crate::ireca::wire::Extra,
        }
    };
}
pub(crate) use model;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    #[test]
    fn a_huge_date_time_text_is_quoted_in_part() {
        let huge = "9".repeat(10_000_000);
        let e = parse_datetime("deliveryTimeFrom", &huge).unwrap_err();
        assert!(e.to_string().len() < 500, "{} bytes", e.to_string().len());
        assert!(e.message_ru().len() < 800);
        assert!(e.to_string().contains("… (10000000 characters)"));
    }

    model! {
        /// A test record.
        pub struct Probe {
            /// id
            id: Id = "id",
            /// money
            money: Decimal = "number",
            /// text decimal
            weight: Decimal = "decimal_text",
            /// flag
            f01: bool = "flag01",
            /// flag
            fb: bool = "flag",
            /// flag
            ft: bool = "flag_text",
            /// time
            at: DateTime<Utc> = "time",
            /// text
            name: String = "text",
            /// nested
            nested: Box<Probe> = "object",
        }
    }

    fn probe(json: &str) -> Probe {
        from_slice("test", json.as_bytes()).unwrap()
    }

    #[test]
    fn php_empty_spellings_are_none_for_ids_and_objects() {
        for empty in ["null", "\"\"", "{}"] {
            let p = probe(&format!(r#"{{"id": {empty}, "nested": {empty}, "money": {empty}, "at": {empty}}}"#));
            assert_eq!((p.id, p.nested, p.money, p.at), (None, None, None, None), "{empty}");
        }
        // An empty string is text, not nothing, where the field is text.
        assert_eq!(probe(r#"{"name": ""}"#).name.as_deref(), Some(""));
    }

    #[test]
    fn ids_keep_their_spelling_and_compare_by_value() {
        let n = probe(r#"{"id": 55752}"#).id.unwrap();
        let s = probe(r#"{"id": "55752"}"#).id.unwrap();
        assert_eq!(n, s);
        assert_eq!(HashSet::from([n.clone()]).len(), HashSet::from([n.clone(), s.clone()]).len());
        assert_eq!(serde_json::to_string(&n).unwrap(), "55752");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"55752\"");
        assert_ne!(Id::from("registratorShiftOpen"), Id::from("cashIn"));
        assert_ne!(Id::from(1u64), Id::from(2u64));
    }

    #[test]
    fn flags_read_every_php_spelling_and_write_their_documented_form() {
        for (json, want) in [("true", true), ("false", false), ("0", false), ("1", true), ("\"0\"", false), ("\"1\"", true)] {
            let p = probe(&format!(r#"{{"f01": {json}, "fb": {json}, "ft": {json}}}"#));
            assert_eq!((p.f01, p.fb, p.ft), (Some(want), Some(want), Some(want)), "{json}");
            let out = serde_json::to_value(&p).unwrap();
            assert_eq!(out["f01"], serde_json::json!(u8::from(want)));
            assert_eq!(out["fb"], serde_json::json!(want));
            assert_eq!(out["ft"], serde_json::json!(if want { "1" } else { "0" }));
        }
        let e = from_slice::<Probe>("test", br#"{"f01": 2}"#).unwrap_err().to_string();
        assert!(e.contains("f01") && e.contains("a flag"), "{e}");
    }

    #[test]
    fn date_times_are_gmt_on_the_wire_and_offsets_convert() {
        let p = probe(r#"{"at": "2021-04-28 11:34:00"}"#);
        assert_eq!(p.at.unwrap().to_rfc3339(), "2021-04-28T11:34:00+00:00");
        let p = probe(r#"{"at": "2021-04-28T14:34:00+03:00"}"#);
        assert_eq!(serde_json::to_value(&p).unwrap()["at"], "2021-04-28 11:34:00");
        assert_eq!(probe(r#"{"at": "0000-00-00 00:00:00"}"#).at, None);
        assert!(from_slice::<Probe>("test", br#"{"at": "28.04.2021"}"#).is_err());
    }

    #[test]
    fn naive_caller_date_times_are_refused_in_both_languages() {
        let e = parse_datetime("deliveryTimeTo", "2021-04-28 12:34:00").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidArgument);
        assert!(e.to_string().contains("deliveryTimeTo") && e.message_ru().contains("не указано смещение"), "{e}");
        assert!(parse_datetime("x", "tomorrow").unwrap_err().message_ru().contains("не дата"));
        assert_eq!(parse_datetime("x", "2021-04-28T12:34:00Z").unwrap().to_rfc3339(), "2021-04-28T12:34:00+00:00");
    }

    #[test]
    fn money_written_as_number_keeps_every_digit_or_falls_back_to_text() {
        let p = probe(r#"{"money": "679.570", "weight": 370}"#);
        let out = serde_json::to_string(&p).unwrap();
        assert_eq!(out, r#"{"money":679.57,"weight":"370"}"#);
        let p = probe(r#"{"money": 1000.00}"#);
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"money":1000}"#);
    }

    open_enum! {
        /// Test enum.
        pub enum Colour {
            /// red
            Red = "red",
        }
    }

    #[test]
    fn open_enums_keep_unknown_values() {
        let c: Colour = serde_json::from_str("\"mauve\"").unwrap();
        assert_eq!(c, Colour::Unknown("mauve".into()));
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"mauve\"");
        assert_eq!(serde_json::from_str::<Colour>("\"red\"").unwrap(), Colour::Red);
    }

    /// A decimal and the JSON spellings the service may give it.
    fn spellings() -> impl Strategy<Value = (Decimal, Vec<String>)> {
        // Every mantissa a decimal holds (96 bits, 28 digits), at every scale up to 28.
        (-(1i128 << 96) + 1..(1i128 << 96), 0u32..=28).prop_map(|(m, scale)| {
            let d = Decimal::from_i128_with_scale(m, scale);
            let text = d.to_string();
            let mut forms = vec![text.clone(), format!("\"{text}\""), format!("\"{}\"", text.replace('.', ","))];
            // Trailing zeros are the same amount: "679.570" and 679.57.
            if scale < 28 && m.unsigned_abs() * 10 < 1u128 << 96 {
                forms.push(format!("\"{text}{}\"", if scale > 0 { "0" } else { ".0" }));
            }
            (d, forms)
        })
    }

    proptest! {
        #[test]
        fn any_spelling_of_an_amount_reads_the_same_decimal_exactly((d, forms) in spellings()) {
            for f in &forms {
                let p = probe(&format!(r#"{{"money": {f}, "weight": {f}}}"#));
                prop_assert_eq!(p.money, Some(d), "{}", f);
                prop_assert_eq!(p.weight, Some(d), "{}", f);
                // Written and read again: still the same amount, digit for digit.
                let again = probe(&serde_json::to_string(&p).unwrap());
                prop_assert_eq!(again.money, Some(d));
                prop_assert_eq!(again.weight.map(|w| w.to_string()), p.weight.map(|w| w.to_string()));
            }
        }

        #[test]
        fn any_spelling_of_an_id_is_the_same_id(n in any::<u64>()) {
            let a = probe(&format!(r#"{{"id": {n}}}"#)).id.unwrap();
            let b = probe(&format!(r#"{{"id": "{n}"}}"#)).id.unwrap();
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(a.as_u64(), Some(n));
            prop_assert_eq!(b.to_string(), n.to_string());
        }

        #[test]
        fn any_spelling_of_a_flag_is_the_same_flag(b in any::<bool>(), form in 0usize..4) {
            let json = match form { 0 => b.to_string(), 1 => u8::from(b).to_string(), 2 => format!("\"{}\"", u8::from(b)), _ => format!("\"{b}\"") };
            let p = probe(&format!(r#"{{"f01": {json}}}"#));
            prop_assert_eq!(p.f01, Some(b));
        }

        #[test]
        fn any_wire_date_time_round_trips(secs in 0i64..4_102_444_800) {
            let t = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
            let wire = t.format(DATETIME_FORMAT).to_string();
            let p = probe(&format!(r#"{{"at": "{wire}"}}"#));
            prop_assert_eq!(p.at, Some(t));
            let out = serde_json::to_value(&p).unwrap();
            prop_assert_eq!(out["at"].as_str(), Some(wire.as_str()));
        }
    }
}
