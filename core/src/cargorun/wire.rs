//! The .NET JSON of CARGO.RUN, read leniently and written in the documented form.
//!
//! The generated models ([`super::generated`]) name one of these adapters beside every
//! field that needs one (`#[serde(with = "wire::…")]`, always over an `Option`):
//!
//! | adapter | reads | writes |
//! |---|---|---|
//! | [`int`] / [`ints`] | a whole number or its digits (`"12"`) | a JSON number |
//! | [`decimal`] / [`decimals`] / [`decimal_rows`] | a number or its text (`"234000"`, scenario-external-to-cr), exactly | a JSON number (see below) |
//! | [`datetime`] | ISO 8601 with or without a zone (naive = UTC), `T` or a space, up to 7 fractional digits (.NET), without seconds (`2026-07-13T13:55`) | `YYYY-MM-DDTHH:MM:SSZ` |
//! | [`date`] | `YYYY-MM-DD` (a date-time's date part too) | `YYYY-MM-DD` |
//! | [`phone`] | anything the service sends | as held; callers' phones normalised to `+7XXXXXXXXXX` |
//! | [`geo_point`] / [`lon_lat`] | GeoJSON `{type, coordinates: [lon, lat]}` and `{latitude, longitude}` | GeoJSON, `[lon, lat]` |
//! | [`secret`] | text into a [`Secret`](crate::transport::Secret) | the text |
//! | [`nullable_int`] | absent / `null` / a number (`Option<Option<_>>`) | `null` for `Some(None)` |
//!
//! Enums are open ([`open_enum!`](crate::cargorun::wire::open_enum)): the names are written;
//! names in any case and the documented integer codes are read; anything else is kept in
//! `Unknown(raw)` and written back as it came. `[Flags]` enums are sets ([`Flags`]), read
//! from `"A, B"`, an array of names or a number, written `"A, B"`.
//!
//! Money never goes through a float on the way in when a body is read the rows' way
//! ([`crate::endpoints::Model::exact`] quotes the numbers a float would not hold exactly
//! first). On the way out a decimal is written as a JSON number when that number reads back
//! as the same decimal (always so up to 15 significant digits), as its text otherwise.
//!
//! In the callers' form ([`crate::serde_ext::in_callers_form`]: what the faces give) a
//! date-time must carry its offset and a phone must be a Russian number; the service's
//! bodies are read as they come.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::de::{self, DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::serde_ext::{self, is_callers_form};
use crate::{Error, Result};

pub use crate::ireca::wire::secret;

/// Fields a model does not declare, kept in arrival order and written back.
pub type Extra = serde_json::Map<String, Value>;

/// The written form of date-times (formats.md §2): UTC, `Z`, no fraction.
pub const DATETIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

fn value_error<E: de::Error>(v: &Value, expected: &str) -> E {
    let shown: String = v.to_string().chars().take(60).collect();
    E::custom(serde_ext::bilingual(format_args!("invalid value: {shown}, expected {expected}"), format_args!("неверное значение: {shown}, ожидалось: {}", expected_ru(expected))))
}

/// The Russian of what an adapter expected.
fn expected_ru(expected: &str) -> &'static str {
    match expected {
        "a flag's name" => "имя флага",
        "a flags value" => "значение флагов",
        "flags (\"A, B\", a list of names or a number)" => "флаги («A, B», список имён или число)",
        "a whole number (or its digits)" => "целое число (или его цифры)",
        "a whole number in range" => "целое число в допустимом диапазоне",
        "a list of whole numbers" => "список целых чисел",
        "a decimal (a number or its text)" => "десятичное число (число или его запись строкой) в пределах 28 значащих цифр",
        "a list of decimals" => "список десятичных чисел",
        "a list of lists of decimals" => "список списков десятичных чисел",
        "a date-time (ISO 8601, 2026-07-13T13:55:00Z)" => "дата и время (ISO 8601, 2026-07-13T13:55:00Z)",
        "a date YYYY-MM-DD" => "дата ГГГГ-ММ-ДД",
        "a phone number" => "номер телефона",
        "coordinates [lon, lat] or {latitude, longitude}" => "координаты [долгота, широта] или {latitude, longitude}",
        _ => "значение другого вида (см. английский текст)",
    }
}

// ------------------------------------------------------------------------------- enums

/// What [`Flags`] needs of an open enum (implemented by [`open_enum!`](crate::cargorun::wire::open_enum)).
pub trait OpenEnum: Sized {
    /// The value of a name, any case; an unknown name is `Unknown(name)`.
    fn from_name(raw: &str) -> Self;
    /// The value of a documented integer code, if the pages document one.
    fn from_code(code: i64) -> Option<Self>;
    /// The code of a value, if documented.
    fn code(&self) -> Option<i64>;
    /// The name written.
    fn as_str(&self) -> &str;
    /// The names the Swagger and the pages list.
    const NAMES: &'static [&'static str];
    /// Whether the value is none of them.
    fn is_unknown(&self) -> bool;
}

/// A caller's value must be one of the listed names: an open enum keeps what the service
/// answers, but what is sent must be a value the service documents (formats.md §9).
fn known<T: OpenEnum, E: de::Error>(value: T) -> std::result::Result<T, E> {
    if serde_ext::is_callers_form() && value.is_unknown() {
        let (shown, names) = (crate::shown_input(value.as_str()), T::NAMES.join(", "));
        return Err(E::custom(serde_ext::bilingual(
            format_args!("\"{shown}\" is not one of the names the service lists ({names}): a value sent must be one of them (formats.md)"),
            format_args!("«{shown}» нет среди значений, которые перечисляет сервис ({names}): отправлять можно только их (formats.md)"),
        )));
    }
    Ok(value)
}

/// Reads an open enum from a name, a documented code (a number or its digits) or keeps
/// anything else as `Unknown(raw)` (a number's text).
pub fn read_enum<'de, D: Deserializer<'de>, T: OpenEnum>(d: D) -> std::result::Result<T, D::Error> {
    let raw = serde_ext::string_or_number(d)?;
    known(enum_of(&raw))
}

fn enum_of<T: OpenEnum>(raw: &str) -> T {
    let t = raw.trim();
    match t.parse::<i64>() {
        Ok(code) => T::from_code(code).unwrap_or_else(|| T::from_name(t)),
        Err(_) => T::from_name(t),
    }
}

/// An enum the service may extend: the listed names as variants (with their documented
/// codes, when the pages give them), anything else in `Unknown(raw)`.
///
/// ```
/// use logibridge::cargorun::BidPointType;
/// let p: BidPointType = serde_json::from_str("1").unwrap(); // the pages' code
/// assert_eq!(p, BidPointType::LoadPoint);
/// assert_eq!(serde_json::from_str::<BidPointType>("\"loadpoint\"").unwrap(), BidPointType::LoadPoint);
/// assert_eq!(serde_json::to_string(&p).unwrap(), "\"LoadPoint\"");
/// let new: BidPointType = serde_json::from_str("\"Teleport\"").unwrap();
/// assert_eq!(new, BidPointType::Unknown("Teleport".into()));
/// ```
#[macro_export]
#[doc(hidden)]
macro_rules! cargorun_open_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $variant:ident => $wire:literal $(| $alias:literal)* $(= $code:literal)?,)* }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $variant,)*
            /// A value the Swagger and the pages do not list, kept as received.
            Unknown(String),
        }

        impl $crate::cargorun::wire::OpenEnum for $name {
            fn from_name(raw: &str) -> $name {
                $(if raw.eq_ignore_ascii_case($wire) $(|| raw.eq_ignore_ascii_case($alias))* { return $name::$variant; })*
                $name::Unknown(raw.to_owned())
            }
            #[allow(unused_variables)]
            fn from_code(code: i64) -> Option<$name> {
                $($(if code == $code { return Some($name::$variant); })?)*
                None
            }
            fn code(&self) -> Option<i64> {
                match self {
                    $($($name::$variant => Some($code),)?)*
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }
            fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Unknown(raw) => raw,
                }
            }
            const NAMES: &'static [&'static str] = &[$($wire),*];
            fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::cargorun::wire::OpenEnum::as_str(self))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str($crate::cargorun::wire::OpenEnum::as_str(self))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<$name, D::Error> {
                $crate::cargorun::wire::read_enum(d)
            }
        }
    };
}
#[doc(inline)]
pub use crate::cargorun_open_enum as open_enum;

/// A set of a `[Flags]` enum's values. Read from `"A, B"` (.NET's spelling), an array of
/// names, or a number (its documented codes; a number that is no code is split into bits);
/// written `"A, B"`, or `0` when empty.
///
/// ```
/// use logibridge::cargorun::{wire::Flags, WaybillProviderType as P};
/// let f: Flags<P> = serde_json::from_str("\"Astral, kontur\"").unwrap();
/// assert_eq!(f.0, vec![P::Astral, P::Kontur]);
/// assert_eq!(serde_json::to_string(&f).unwrap(), "\"Astral, Kontur\"");
/// assert_eq!(serde_json::from_str::<Flags<P>>("3").unwrap(), f);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flags<T>(pub Vec<T>);

impl<T> Default for Flags<T> {
    fn default() -> Self {
        Flags(Vec::new())
    }
}

impl<T: OpenEnum> Serialize for Flags<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        if self.0.is_empty() {
            return s.serialize_u8(0);
        }
        let names: Vec<&str> = self.0.iter().map(|v| v.as_str()).collect();
        s.serialize_str(&names.join(", "))
    }
}

impl<'de, T: OpenEnum> Deserialize<'de> for Flags<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(|p| known(enum_of(p))).collect::<std::result::Result<Vec<T>, D::Error>>().map(Flags),
            Value::Array(items) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => known(enum_of(s)),
                    Value::Number(n) => known(enum_of(&n.to_string())),
                    other => Err(value_error(other, "a flag's name")),
                })
                .collect::<std::result::Result<Vec<T>, D::Error>>()
                .map(Flags),
            Value::Number(n) => {
                let Some(code) = n.as_i64() else { return Err(value_error(&Value::Number(n), "a flags value")) };
                if let Some(one) = T::from_code(code) {
                    // A documented code of its own (0 = the empty set's name, when documented).
                    return Ok(Flags(vec![one]));
                }
                let mut out = Vec::new();
                for bit in 0..63 {
                    let b = 1i64 << bit;
                    if code & b != 0 {
                        out.push(T::from_code(b).unwrap_or_else(|| T::from_name(&b.to_string())));
                    }
                }
                Ok(Flags(out))
            }
            other => Err(value_error(&other, "flags (\"A, B\", a list of names or a number)")),
        }
    }
}

// ------------------------------------------------------------------------------- numbers

fn int_of<E: de::Error>(v: &Value) -> std::result::Result<i64, E> {
    let parsed = match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| value_error(v, "a whole number (or its digits)"))
}

/// Whole numbers (ids, counts): a JSON integer or its digits (`"12"`); written as a
/// number. A fraction or a value out of the type's range is refused, quoting it.
pub mod int {
    use super::*;

    /// Reads a whole number; `null` is `None`.
    pub fn deserialize<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> std::result::Result<Option<T>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            v => {
                let n = int_of::<D::Error>(&v)?;
                T::try_from(n).map(Some).map_err(|_| value_error(&v, "a whole number in range"))
            }
        }
    }

    /// Writes a JSON number.
    pub fn serialize<S: Serializer, T: Copy + Into<i64>>(v: &Option<T>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(n) => s.serialize_i64((*n).into()),
            None => s.serialize_none(),
        }
    }
}

/// Lists of whole numbers (`accessPermitIds`): each read like [`int`].
pub mod ints {
    use super::*;

    /// Reads a list of whole numbers.
    pub fn deserialize<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> std::result::Result<Option<Vec<T>>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            Value::Array(items) => items.iter().map(|v| int_of::<D::Error>(v).and_then(|n| T::try_from(n).map_err(|_| value_error(v, "a whole number in range")))).collect::<std::result::Result<Vec<T>, _>>().map(Some),
            other => Err(value_error(&other, "a list of whole numbers")),
        }
    }

    /// Writes JSON numbers.
    pub fn serialize<S: Serializer, T: Copy + Into<i64>>(v: &Option<Vec<T>>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(items) => s.collect_seq(items.iter().map(|n| (*n).into())),
            None => s.serialize_none(),
        }
    }
}

fn decimal_of<E: de::Error>(v: &Value) -> std::result::Result<Decimal, E> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => return Err(value_error(other, "a decimal (a number or its text)")),
    };
    serde_ext::decimal::parse(&text).ok_or_else(|| value_error(v, "a decimal (a number or its text)"))
}

/// A decimal written as a JSON number when the number reads back as the same decimal.
struct Num<'a>(&'a Decimal);

impl Serialize for Num<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        crate::ireca::wire::number::serialize(&Some(*self.0), s)
    }
}

/// Money and measures (`number`/`double` in the Swagger): a JSON number or its text
/// (`"234000"`), exactly; written as a JSON number.
///
/// ```
/// use logibridge::cargorun::BidPaymentModel;
/// let p: BidPaymentModel = serde_json::from_str(r#"{"remainingPayment": "234000.50"}"#).unwrap();
/// assert_eq!(p.remaining_payment.unwrap().to_string(), "234000.50");
/// assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"remainingPayment":234000.5}"#);
/// ```
pub mod decimal {
    use super::*;

    /// Reads a decimal exactly; `null` and `""` are `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Decimal>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            Value::String(s) if s.trim().is_empty() => Ok(None),
            v => decimal_of(&v).map(Some),
        }
    }

    /// Writes a JSON number (its text when no float holds it exactly).
    pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(d) => Num(d).serialize(s),
            None => s.serialize_none(),
        }
    }
}

/// Lists of decimals.
pub mod decimals {
    use super::*;

    /// Reads a list of decimals exactly.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Vec<Decimal>>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            Value::Array(items) => items.iter().map(decimal_of::<D::Error>).collect::<std::result::Result<Vec<_>, _>>().map(Some),
            other => Err(value_error(&other, "a list of decimals")),
        }
    }

    /// Writes JSON numbers.
    pub fn serialize<S: Serializer>(v: &Option<Vec<Decimal>>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(items) => s.collect_seq(items.iter().map(Num)),
            None => s.serialize_none(),
        }
    }
}

/// Lists of lists of decimals (a line's coordinates).
pub mod decimal_rows {
    use super::*;

    /// Reads rows of decimals exactly.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Vec<Vec<Decimal>>>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            Value::Array(rows) => rows
                .iter()
                .map(|r| match r {
                    Value::Array(items) => items.iter().map(decimal_of::<D::Error>).collect::<std::result::Result<Vec<_>, _>>(),
                    other => Err(value_error(other, "a list of decimals")),
                })
                .collect::<std::result::Result<Vec<_>, _>>()
                .map(Some),
            other => Err(value_error(&other, "a list of lists of decimals")),
        }
    }

    /// Writes JSON numbers.
    pub fn serialize<S: Serializer>(v: &Option<Vec<Vec<Decimal>>>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(rows) => s.collect_seq(rows.iter().map(|r| r.iter().map(Num).collect::<Vec<_>>())),
            None => s.serialize_none(),
        }
    }
}

/// A whole number where `null` is meaningful to send (`TrackerAttachModel.entityId: null`
/// detaches, trackers.md): `None` is absent, `Some(None)` an explicit `null`.
///
/// ```
/// use logibridge::cargorun::TrackerAttachModel;
/// let detach: TrackerAttachModel = serde_json::from_str(r#"{"id": 5, "entityId": null}"#).unwrap();
/// assert_eq!(detach.entity_id, Some(None));
/// assert_eq!(serde_json::to_string(&detach).unwrap(), r#"{"id":5,"entityId":null}"#);
/// ```
pub mod nullable_int {
    use super::*;

    /// Reads a present value: `null` or a whole number.
    pub fn deserialize<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> std::result::Result<Option<Option<T>>, D::Error> {
        int::deserialize(d).map(Some)
    }

    /// Writes the number, or `null` for `Some(None)`.
    pub fn serialize<S: Serializer, T: Copy + Into<i64>>(v: &Option<Option<T>>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(inner) => int::serialize(inner, s),
            None => s.serialize_none(),
        }
    }
}

// ------------------------------------------------------------------------------- dates

/// Reads a date-time as the service and the pages spell it: RFC 3339 with an offset, or
/// without one (UTC), with `T` or a space, any fraction up to 7 digits (.NET ticks), and
/// without seconds (`2026-07-13T13:55`). `Err(true)` when it has no offset and
/// `require_offset` is set; `Err(false)` when it is no date-time.
///
/// ```
/// use logibridge::cargorun::wire::parse_datetime;
/// let t = parse_datetime("2026-07-13T13:55:00.1234567", false).unwrap();
/// assert_eq!(t.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string(), "2026-07-13T13:55:00.123456700Z");
/// assert_eq!(parse_datetime("2026-07-13T16:55+03:00", false).unwrap(), parse_datetime("2026-07-13 13:55", false).unwrap());
/// assert_eq!(parse_datetime("2026-07-13 13:55", true), Err(true));
/// ```
pub fn parse_datetime(text: &str, require_offset: bool) -> std::result::Result<DateTime<Utc>, bool> {
    let t = text.trim();
    let t = t.strip_suffix('Z').or_else(|| t.strip_suffix('z')).map(|b| format!("{b}+00:00")).unwrap_or_else(|| t.to_owned());
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M%:z", "%Y-%m-%d %H:%M%:z", "%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%.f%#z"] {
        if let Ok(dt) = DateTime::<FixedOffset>::parse_from_str(&t, fmt) {
            return Ok(dt.with_timezone(&Utc));
        }
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(&t, fmt) {
            return if require_offset { Err(true) } else { Ok(n.and_utc()) };
        }
    }
    Err(false)
}

/// Date-times (`format: date-time`): see [`parse_datetime`]; written
/// `YYYY-MM-DDTHH:MM:SSZ` (UTC, no fraction: formats.md §2). In the callers' form a
/// date-time without an offset is refused (a caller's local time is not guessed to be UTC).
///
/// ```
/// use logibridge::cargorun::{wire, TrackerViewModel};
/// let t: TrackerViewModel = serde_json::from_str(r#"{"createdAt": "2026-07-13T13:55:00.1234567"}"#).unwrap();
/// assert_eq!(serde_json::to_string(&t).unwrap(), r#"{"createdAt":"2026-07-13T13:55:00Z"}"#);
/// let naive = wire::in_callers_form(|| serde_json::from_str::<TrackerViewModel>(r#"{"createdAt": "2026-07-13T13:55"}"#));
/// assert!(naive.unwrap_err().to_string().contains("no UTC offset"));
/// ```
pub mod datetime {
    use super::*;

    /// Reads a date-time; `null` and `""` are `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<DateTime<Utc>>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            Value::String(s) if s.trim().is_empty() => Ok(None),
            Value::String(s) => match parse_datetime(&s, is_callers_form()) {
                // The written form has four digits of year (9999-12-31T23:59:59-05:00 is in 10000).
                Ok(t) if !(1..=9999).contains(&chrono::Datelike::year(&t)) => Err(de::Error::custom(serde_ext::bilingual(format_args!("the date-time \"{}\" is outside the years 0001 to 9999 in UTC", crate::shown_input(&s)), format_args!("дата и время «{}» вне 0001–9999 годов (UTC)", crate::shown_input(&s))))),
                Ok(t) => Ok(Some(t)),
                Err(true) => Err(de::Error::custom(serde_ext::bilingual(
                    format_args!("the date-time \"{}\" has no UTC offset: give it with its offset (2026-07-13T16:55:00+03:00) or in UTC (…Z); CARGO.RUN reads UTC and a time without an offset is not guessed", crate::shown_input(&s)),
                    format_args!("у даты и времени «{}» не указано смещение от UTC: укажите его (2026-07-13T16:55:00+03:00) или время в UTC (…Z); CARGO.RUN читает UTC, а время без смещения не угадывается", crate::shown_input(&s)),
                ))),
                Err(false) => Err(value_error(&Value::String(s), "a date-time (ISO 8601, 2026-07-13T13:55:00Z)")),
            },
            other => Err(value_error(&other, "a date-time (ISO 8601, 2026-07-13T13:55:00Z)")),
        }
    }

    /// Writes `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn serialize<S: Serializer>(v: &Option<DateTime<Utc>>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(t) => s.collect_str(&t.format(DATETIME_FORMAT)),
            None => s.serialize_none(),
        }
    }
}

/// Calendar dates (`format: date`; payment dates, a contract's `date`: CHANGES.md §2):
/// `YYYY-MM-DD`; a date-time's date part is accepted on reading.
pub mod date {
    use super::*;

    /// Reads a date; `null` and `""` are `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<NaiveDate>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            Value::String(s) if s.trim().is_empty() => Ok(None),
            Value::String(s) => {
                let t = s.trim();
                NaiveDate::parse_from_str(t.get(..10).unwrap_or(t), "%Y-%m-%d").map(Some).map_err(|_| value_error(&Value::String(s.clone()), "a date YYYY-MM-DD"))
            }
            other => Err(value_error(&other, "a date YYYY-MM-DD")),
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

pub use crate::serde_ext::in_callers_form;

// ------------------------------------------------------------------------------- phones

/// Normalises a Russian phone number to `+7XXXXXXXXXX` (formats.md §3) from the common
/// spellings: `8 (999) 123-45-67`, `+7 999 123 45 67`, `79999999999`, `9991234567`.
///
/// ```
/// use logibridge::cargorun::wire::normalize_phone;
/// assert_eq!(normalize_phone("phoneNumber", "8 (999) 123-45-67").unwrap(), "+79991234567");
/// assert_eq!(normalize_phone("phoneNumber", "+7 964 781-40-98").unwrap(), "+79647814098");
/// assert!(normalize_phone("phoneNumber", "+1 212 555 0100").unwrap_err().to_string().contains("+7XXXXXXXXXX"));
/// ```
///
/// # Errors
/// [`Error::InvalidArgument`] naming `field` and the rule when the text is no Russian
/// number in one of these spellings.
pub fn normalize_phone(field: &str, text: &str) -> Result<String> {
    phone_digits(text).ok_or_else(|| {
        let (en, ru) = phone_refusal(text);
        Error::invalid_argument(format!("{field}: {en}"), format!("{field}: {ru}"))
    })
}

/// Why a text is no phone the service takes, in English and Russian.
fn phone_refusal(text: &str) -> (String, String) {
    let t = crate::shown_input(text);
    (
        format!("\"{t}\" is not a Russian phone number; CARGO.RUN takes +7XXXXXXXXXX (formats.md §3; 8 (999) 123-45-67, +7 999 123 45 67, 79991234567 and 9991234567 are converted)"),
        format!("«{t}» — не российский номер телефона; CARGO.RUN принимает +7XXXXXXXXXX (formats.md §3; 8 (999) 123-45-67, +7 999 123 45 67, 79991234567 и 9991234567 преобразуются)"),
    )
}

fn phone_digits(text: &str) -> Option<String> {
    let t = text.trim();
    if !t.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '+' | '.' | '\u{a0}')) {
        return None;
    }
    let plus = t.starts_with('+');
    if t[usize::from(plus)..].contains('+') {
        return None;
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let national = match (plus, digits.len(), digits.as_bytes().first()) {
        (true, 11, Some(b'7')) => &digits[1..],
        (false, 11, Some(b'7' | b'8')) => &digits[1..],
        (false, 10, Some(b'9')) => &digits[..],
        _ => return None,
    };
    Some(format!("+7{national}"))
}

/// Phone numbers: whatever the service sends is read as it is; in the callers' form a
/// number is normalised to `+7XXXXXXXXXX` ([`normalize_phone`]) and anything else refused.
/// An empty text stays empty (it clears the field).
pub mod phone {
    use super::*;

    /// Reads a phone number.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
        let text = match Value::deserialize(d)? {
            Value::Null => return Ok(None),
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            other => return Err(value_error(&other, "a phone number")),
        };
        if !is_callers_form() || text.trim().is_empty() {
            return Ok(Some(text));
        }
        phone_digits(&text).map(Some).ok_or_else(|| {
            let (en, ru) = phone_refusal(&text);
            de::Error::custom(serde_ext::bilingual(en, ru))
        })
    }

    /// Writes the number as held.
    pub fn serialize<S: Serializer>(v: &Option<String>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(t) => s.serialize_str(t),
            None => s.serialize_none(),
        }
    }
}

// ------------------------------------------------------------------------------- points

fn named_lat_lon(m: &serde_json::Map<String, Value>) -> Option<(Value, Value)> {
    let lat = m.get("latitude").or_else(|| m.get("lat"))?;
    let lon = m.get("longitude").or_else(|| m.get("lon")).or_else(|| m.get("lng"))?;
    Some((lon.clone(), lat.clone()))
}

/// A point's `coordinates`: GeoJSON's `[lon, lat]` or formats.md's
/// `{latitude, longitude}`; written `[lon, lat]` (CHANGES.md §4: read both, write the
/// documented one). Ranges are checked by [`super::rules`].
pub mod lon_lat {
    use super::*;

    /// Reads `[lon, lat]` or `{latitude, longitude}`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Vec<Decimal>>, D::Error> {
        match Value::deserialize(d)? {
            Value::Object(m) => match named_lat_lon(&m) {
                Some((lon, lat)) => Ok(Some(vec![decimal_of(&lon)?, decimal_of(&lat)?])),
                None => Err(value_error(&Value::Object(m), "coordinates [lon, lat] or {latitude, longitude}")),
            },
            v => decimals::deserialize(v).map_err(de::Error::custom),
        }
    }

    /// Writes `[lon, lat]`.
    pub fn serialize<S: Serializer>(v: &Option<Vec<Decimal>>, s: S) -> std::result::Result<S::Ok, S::Error> {
        decimals::serialize(v, s)
    }
}

/// A field holding a point (`geozone.location`): GeoJSON `{"type": "Point",
/// "coordinates": [lon, lat]}`, or formats.md's `{latitude, longitude}`, which is read as
/// that GeoJSON point; written as GeoJSON.
///
/// ```
/// use logibridge::cargorun::MapObjectEditModel;
/// let g: MapObjectEditModel = serde_json::from_str(r#"{"location": {"latitude": 55.7558, "longitude": 37.6176}}"#).unwrap();
/// assert_eq!(serde_json::to_string(&g).unwrap(), r#"{"location":{"coordinates":[37.6176,55.7558],"type":"Point"}}"#);
/// ```
pub mod geo_point {
    use super::*;

    /// Reads a point in either form; `null` is `None`.
    pub fn deserialize<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> std::result::Result<Option<T>, D::Error> {
        let v = match Value::deserialize(d)? {
            Value::Null => return Ok(None),
            Value::Object(mut m) if !m.contains_key("coordinates") => match named_lat_lon(&m) {
                Some((lon, lat)) => {
                    for k in ["latitude", "longitude", "lat", "lon", "lng"] {
                        m.remove(k);
                    }
                    m.insert("coordinates".into(), Value::Array(vec![lon, lat]));
                    m.entry("type").or_insert_with(|| Value::String("Point".into()));
                    Value::Object(m)
                }
                None => Value::Object(m),
            },
            v => v,
        };
        serde_json::from_value(v).map(Some).map_err(de::Error::custom)
    }

    /// Writes the point.
    pub fn serialize<S: Serializer, T: Serialize>(v: &Option<T>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match v {
            Some(t) => t.serialize(s),
            None => s.serialize_none(),
        }
    }
}

impl<T: OpenEnum> fmt::Display for Flags<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|v| v.as_str()).collect();
        f.write_str(&names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cargorun::{
        BidPaymentModel, BidPointType, MapObjectEditModel, TitleStatusApplyExternalModel, TrackerAttachModel, TrackerViewModel, WaybillProviderType, WaybillTitleStatus,
    };
    use proptest::prelude::*;

    fn read<T: DeserializeOwned>(json: &str) -> T {
        serde_json::from_slice(&serde_ext::quote_inexact_numbers(json.as_bytes())).unwrap()
    }

    #[test]
    fn an_unknown_name_is_kept_from_the_service_and_refused_from_a_caller() {
        assert_eq!(read::<BidPointType>("\"Teleport\""), BidPointType::Unknown("Teleport".into()));
        let err = serde_ext::in_callers_form(|| serde_json::from_str::<BidPointType>("\"WeirdPoint\"")).unwrap_err().to_string();
        assert!(err.contains("WeirdPoint") && err.contains("LoadPoint"), "{err}");
        assert_eq!(serde_ext::in_callers_form(|| serde_json::from_str::<BidPointType>("\"unloadpoint\"")).unwrap(), BidPointType::UnloadPoint);
        let flags = serde_ext::in_callers_form(|| serde_json::from_str::<Flags<WaybillProviderType>>("\"Astral, Nobody\""));
        assert!(flags.unwrap_err().to_string().contains("Nobody"));
    }

    #[test]
    fn date_times_read_every_dotnet_form_and_write_utc_z() {
        for (text, want) in [
            ("2026-07-13T13:55:00.1234567", "2026-07-13T13:55:00Z"),
            ("2026-07-13 13:55:00", "2026-07-13T13:55:00Z"),
            ("2026-07-13T13:55", "2026-07-13T13:55:00Z"),
            ("2021-01-07 04:33", "2021-01-07T04:33:00Z"),
            ("2026-07-13T16:55:00.5+03:00", "2026-07-13T13:55:00Z"),
            ("2026-07-13T13:55:00Z", "2026-07-13T13:55:00Z"),
        ] {
            let t: TrackerViewModel = read(&format!(r#"{{"createdAt": "{text}"}}"#));
            assert_eq!(serde_json::to_value(&t).unwrap()["createdAt"], want, "{text}");
        }
        assert!(serde_json::from_str::<TrackerViewModel>(r#"{"createdAt": "13.07.2026"}"#).is_err());
        let beyond = serde_json::from_str::<TrackerViewModel>(r#"{"createdAt": "9999-12-31T23:59:59-05:00"}"#).unwrap_err();
        assert!(beyond.to_string().contains("outside the years"), "{beyond}");
    }

    #[test]
    fn callers_date_times_need_an_offset() {
        let naive = in_callers_form(|| serde_json::from_str::<TrackerViewModel>(r#"{"createdAt": "2026-07-13T13:55:00"}"#));
        assert!(naive.unwrap_err().to_string().contains("no UTC offset"));
        let zoned = in_callers_form(|| serde_json::from_str::<TrackerViewModel>(r#"{"createdAt": "2026-07-13T16:55:00+03:00"}"#)).unwrap();
        assert_eq!(serde_json::to_value(&zoned).unwrap()["createdAt"], "2026-07-13T13:55:00Z");
    }

    #[test]
    fn dates_are_date_only() {
        let p: BidPaymentModel = read(r#"{"factPaymentDate": "2026-06-30", "planPaymentDate": "2026-07-05T00:00:00"}"#);
        let out = serde_json::to_value(&p).unwrap();
        assert_eq!((out["factPaymentDate"].as_str(), out["planPaymentDate"].as_str()), (Some("2026-06-30"), Some("2026-07-05")));
        assert!(serde_json::from_str::<BidPaymentModel>(r#"{"factPaymentDate": "30.06.2026"}"#).is_err());
    }

    #[test]
    fn enums_read_names_any_case_and_documented_codes_only() {
        assert_eq!(read::<BidPointType>("\"UNLOADPOINT\""), BidPointType::UnloadPoint);
        assert_eq!(read::<BidPointType>("2"), BidPointType::UnloadPoint);
        assert_eq!(read::<BidPointType>("\"3\""), BidPointType::CustomPoint);
        // ServicePoint has no documented code: 4 is not guessed.
        assert_eq!(read::<BidPointType>("4"), BidPointType::Unknown("4".into()));
        assert_eq!(serde_json::to_string(&BidPointType::Unknown("4".into())).unwrap(), "\"4\"");
        let t: TitleStatusApplyExternalModel = read(r#"{"id": 1, "status": 6}"#);
        assert_eq!(t.status, Some(WaybillTitleStatus::Failed));
        assert_eq!(serde_json::to_value(&t).unwrap()["status"], "Failed");
    }

    #[test]
    fn flags_read_dotnet_spellings_and_write_a_b() {
        let f: Flags<WaybillProviderType> = read("\"Astral, Kontur\"");
        assert_eq!(f.0, vec![WaybillProviderType::Astral, WaybillProviderType::Kontur]);
        assert_eq!(read::<Flags<WaybillProviderType>>("[\"astral\", \"Kontur\"]"), f);
        assert_eq!(read::<Flags<WaybillProviderType>>("3"), f);
        assert_eq!(read::<Flags<WaybillProviderType>>("0").0, vec![WaybillProviderType::ProviderEmulator]);
        assert_eq!(serde_json::to_string(&f).unwrap(), "\"Astral, Kontur\"");
        let odd: Flags<WaybillProviderType> = read("\"Astral, Vendor\"");
        assert_eq!(odd.0[1], WaybillProviderType::Unknown("Vendor".into()));
        assert_eq!(serde_json::to_string(&Flags::<WaybillProviderType>::default()).unwrap(), "0");
    }

    #[test]
    fn decimals_are_exact_from_numbers_and_text() {
        let p: BidPaymentModel = read(r#"{"remainingPayment": 12345678901234567.89}"#);
        assert_eq!(p.remaining_payment.unwrap().to_string(), "12345678901234567.89");
        let p: BidPaymentModel = read(r#"{"remainingPayment": "234000"}"#);
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"remainingPayment":234000}"#);
        assert!(serde_json::from_str::<BidPaymentModel>(r#"{"remainingPayment": "a lot"}"#).is_err());
    }

    #[test]
    fn ints_read_digit_strings_and_refuse_fractions() {
        let t: TrackerAttachModel = read(r#"{"id": "42", "entityId": 7}"#);
        assert_eq!((t.id, t.entity_id), (Some(42), Some(Some(7))));
        assert!(serde_json::from_str::<TrackerAttachModel>(r#"{"id": 4.5}"#).is_err());
        assert!(serde_json::from_str::<TrackerAttachModel>(r#"{"id": "x"}"#).is_err());
    }

    #[test]
    fn the_double_option_tells_null_from_absent() {
        let absent: TrackerAttachModel = read(r#"{"id": 1}"#);
        assert_eq!(absent.entity_id, None);
        assert_eq!(serde_json::to_string(&absent).unwrap(), r#"{"id":1}"#);
        let detach: TrackerAttachModel = read(r#"{"id": 1, "entityId": null}"#);
        assert_eq!(serde_json::to_string(&detach).unwrap(), r#"{"id":1,"entityId":null}"#);
    }

    #[test]
    fn points_read_both_forms_and_write_lon_lat() {
        let named: MapObjectEditModel = read(r#"{"location": {"latitude": 55.7558, "longitude": 37.6176}}"#);
        let geo: MapObjectEditModel = read(r#"{"location": {"type": "Point", "coordinates": [37.6176, 55.7558]}}"#);
        assert_eq!(named, geo);
        assert_eq!(serde_json::to_value(&named).unwrap()["location"]["coordinates"], serde_json::json!([37.6176, 55.7558]));
        let inner: MapObjectEditModel = read(r#"{"location": {"coordinates": {"latitude": 55.7558, "longitude": 37.6176}}}"#);
        assert_eq!(inner.location.unwrap().coordinates, geo.location.unwrap().coordinates);
    }

    #[test]
    fn phones_are_kept_from_the_service_and_normalised_from_callers() {
        let wire: crate::cargorun::DriverEditModel = read(r#"{"phoneNumber": "8 914 781 07 01"}"#);
        assert_eq!(wire.phone_number.as_deref(), Some("8 914 781 07 01"));
        let caller: crate::cargorun::DriverEditModel = in_callers_form(|| serde_json::from_str(r#"{"phoneNumber": "8 914 781 07 01"}"#)).unwrap();
        assert_eq!(caller.phone_number.as_deref(), Some("+79147810701"));
        let bad = in_callers_form(|| serde_json::from_str::<crate::cargorun::DriverEditModel>(r#"{"phoneNumber": "12345"}"#)).unwrap_err();
        assert!(bad.to_string().contains("+7XXXXXXXXXX"), "{bad}");
        for (text, want) in [("8 (999) 123-45-67", "+79991234567"), ("+7 999 123 45 67", "+79991234567"), ("79999999999", "+79999999999"), ("9991234567", "+79991234567")] {
            assert_eq!(normalize_phone("p", text).unwrap(), want, "{text}");
        }
        for bad in ["+8 999 123 45 67", "999123456", "8 999 123 45 67 8", "+7 999 123 45 6x", "7+9991234567", "89991234567ext"] {
            let e = normalize_phone("phoneNumber", bad).unwrap_err();
            assert!(e.to_string().contains("phoneNumber") && e.message_ru().contains("formats.md"), "{bad}: {e}");
        }
    }

    #[test]
    fn secrets_do_not_print() {
        let t: crate::cargorun::GenerateTokenModel = read(r#"{"userName": "u", "password": "hunter2-long-password"}"#);
        assert!(!format!("{t:?}").contains("hunter2"));
        assert_eq!(serde_json::to_value(&t).unwrap()["password"], "hunter2-long-password");
    }

    proptest! {
        #[test]
        fn any_russian_mobile_in_any_common_spelling_normalises(n in 9_000_000_000u64..10_000_000_000, form in 0usize..4) {
            let d = n.to_string();
            let text = match form {
                0 => format!("8 ({}) {}-{}-{}", &d[..3], &d[3..6], &d[6..8], &d[8..]),
                1 => format!("+7 {} {} {} {}", &d[..3], &d[3..6], &d[6..8], &d[8..]),
                2 => format!("7{d}"),
                _ => d.clone(),
            };
            prop_assert_eq!(normalize_phone("p", &text).unwrap(), format!("+7{d}"));
        }

        #[test]
        fn any_accepted_phone_is_plus_seven_and_ten_digits(text in "[0-9 ()+-]{0,20}") {
            if let Ok(p) = normalize_phone("p", &text) {
                prop_assert!(p.len() == 12 && p.starts_with("+7") && p[1..].bytes().all(|b| b.is_ascii_digit()), "{}", p);
            }
        }

        #[test]
        fn any_date_time_round_trips_through_the_written_form(secs in 0i64..4_102_444_800, frac in 0u32..10_000_000) {
            let t = DateTime::<Utc>::from_timestamp(secs, frac * 100).unwrap();
            // .NET writes ticks: seven fractional digits, no zone.
            let net = format!("{}.{frac:07}", t.format("%Y-%m-%dT%H:%M:%S"));
            let read_back = parse_datetime(&net, false).unwrap();
            prop_assert_eq!(read_back, t);
            let written = read_back.format(DATETIME_FORMAT).to_string();
            prop_assert_eq!(parse_datetime(&written, true).unwrap().timestamp(), secs);
        }
    }
}
