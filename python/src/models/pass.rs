//! The fast pass through serde (no GIL): a body in the documented form becomes a [`Page`]
//! of cells, anything else ends the pass (the generic path then reads the body).

use logibridge::endpoints::Shape;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::scan::Scan;
use super::schema::{Kind, Slot, Spec};

/// A record's value of a declared field.
#[derive(Clone, Copy, Debug)]
pub(super) enum Cell {
    Null,
    /// A byte range of the page's text (str, decimal, datetime).
    Text(u32, u32),
    Int(i64),
    Bool(bool),
}

/// A parsed page: `count` records of `fields` cells each, their text in one arena, the
/// unknown fields of each record as JSON.
pub struct Page {
    pub(super) text: String,
    pub(super) cells: Vec<Cell>,
    pub(super) extras: Vec<Option<Box<Map<String, Value>>>>,
    pub(super) count: usize,
}

/// The message of the error that ends the fast pass (never shown: the generic path runs).
const NOT_CANONICAL: &str = "logibridge: not in the documented form";

pub(super) struct Pass<'s> {
    pub(super) spec: &'s Spec,
    pub(super) allow_null: bool,
    pub(super) page: Page,
    /// The key slot seen at each position of the previous record: records of one answer
    /// list their keys in one order, so a key is usually found at the first guess.
    pub(super) memo: Vec<usize>,
}

impl Pass<'_> {
    fn record<'de, A: MapAccess<'de>>(&mut self, mut map: A) -> Result<(), A::Error> {
        let spec = self.spec;
        let n = spec.fields.len();
        let base = self.page.cells.len();
        self.page.cells.resize(base + n, Cell::Null);
        let mut seen = 0u64;
        let mut extra: Option<Box<Map<String, Value>>> = None;
        let mut position = 0;
        loop {
            let guess = self.memo.get(position).copied().unwrap_or(usize::MAX);
            let Some(key) = map.next_key_seed(KeySeed { spec, guess })? else { break };
            match key {
                Key::Known(slot) => {
                    if position < self.memo.len() {
                        self.memo[position] = slot;
                    } else {
                        self.memo.push(slot);
                    }
                    match spec.keys[slot].1 {
                        Slot::Field(i) => {
                            if seen & (1 << i) != 0 {
                                return Err(de::Error::custom(NOT_CANONICAL));
                            }
                            seen |= 1 << i;
                            let f = &spec.fields[i];
                            let cell = map.next_value_seed(CellSeed { kind: f.kind, nullable: f.nullable && self.allow_null, text: &mut self.page.text })?;
                            self.page.cells[base + i] = cell;
                        }
                        Slot::Skip => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Key::Unknown(k) => {
                    let v: Value = map.next_value()?;
                    let m = extra.get_or_insert_with(Default::default);
                    if m.contains_key(&k) {
                        return Err(de::Error::custom(NOT_CANONICAL));
                    }
                    m.insert(k, v);
                }
            }
            position += 1;
        }
        if seen != spec.full_mask() {
            return Err(de::Error::custom(NOT_CANONICAL));
        }
        self.page.extras.push(extra);
        self.page.count += 1;
        Ok(())
    }
}

enum Key {
    Known(usize),
    Unknown(String),
}

struct KeySeed<'s> {
    spec: &'s Spec,
    guess: usize,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Key;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(match self.spec.lookup(v, self.guess) {
            Some(slot) => Key::Known(slot),
            None => Key::Unknown(v.to_owned()),
        })
    }
}

struct RecordSeed<'a, 's>(&'a mut Pass<'s>);

impl<'de> DeserializeSeed<'de> for RecordSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a record")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.0.record(map)
    }
}

struct ListSeed<'a, 's>(&'a mut Pass<'s>);

impl<'de> Visitor<'de> for ListSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(RecordSeed(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

struct CellSeed<'t> {
    kind: Kind,
    nullable: bool,
    text: &'t mut String,
}

impl<'de> DeserializeSeed<'de> for CellSeed<'_> {
    type Value = Cell;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cell, D::Error> {
        d.deserialize_any(self)
    }
}

fn not_canonical<E: de::Error>() -> E {
    E::custom(NOT_CANONICAL)
}

/// Plain decimal notation that the core's `Decimal` reads and writes back as it is and
/// `decimal.Decimal` reads exactly: `-?(0|[1-9][0-9]*)(\.[0-9]+)?`, at most 28 digits, not
/// a negative zero.
pub(super) fn canonical_decimal(s: &str) -> bool {
    let b = s.as_bytes();
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    let (int, frac) = match digits.iter().position(|&c| c == b'.') {
        Some(dot) => (&digits[..dot], Some(&digits[dot + 1..])),
        None => (digits, None),
    };
    let all_digits = |p: &[u8]| !p.is_empty() && p.iter().all(u8::is_ascii_digit);
    if !all_digits(int) || (int.len() > 1 && int[0] == b'0') {
        return false;
    }
    if let Some(f) = frac {
        if !all_digits(f) {
            return false;
        }
    }
    let count = int.len() + frac.map_or(0, <[u8]>::len);
    let zero = int.iter().chain(frac.unwrap_or(&[]).iter()).all(|&c| c == b'0');
    count <= 28 && !(neg && zero)
}

/// `YYYY-MM-DDTHH:MM:SS.ffffff`, a real date and time (year ≥ 1, no leap second): the
/// shop's form, which the core's time stamp reads and writes back as it is.
pub(super) fn canonical_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 26 {
        return false;
    }
    let shape = b"dddd-dd-ddTdd:dd:dd.dddddd";
    if !b.iter().zip(shape).all(|(&c, &want)| if want == b'd' { c.is_ascii_digit() } else { c == want }) {
        return false;
    }
    let n = |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |acc, c| acc * 10 + u32::from(c - b'0'));
    let (year, month, day, hour, minute, second) = (n(0..4), n(5..7), n(8..10), n(11..13), n(14..16), n(17..19));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1 && (1..=days).contains(&day) && hour < 24 && minute < 60 && second < 60
}

impl<'de> Visitor<'de> for CellSeed<'_> {
    type Value = Cell;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a value in the documented form")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cell, E> {
        let ok = match self.kind {
            Kind::Str => true,
            Kind::Decimal => canonical_decimal(v),
            Kind::DateTime => canonical_datetime(v),
            _ => false,
        };
        let start = self.text.len();
        if !ok || start + v.len() > u32::MAX as usize {
            return Err(not_canonical());
        }
        self.text.push_str(v);
        Ok(Cell::Text(start as u32, self.text.len() as u32))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cell, E> {
        match self.kind {
            Kind::Int | Kind::Enum if v <= i32::MAX as u64 => Ok(Cell::Int(v as i64)),
            _ => Err(not_canonical()),
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cell, E> {
        match self.kind {
            Kind::Int | Kind::Enum if (0..=i64::from(i32::MAX)).contains(&v) => Ok(Cell::Int(v)),
            _ => Err(not_canonical()),
        }
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Cell, E> {
        match self.kind {
            Kind::Bool => Ok(Cell::Bool(v)),
            _ => Err(not_canonical()),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Cell, E> {
        if self.nullable {
            Ok(Cell::Null)
        } else {
            Err(not_canonical())
        }
    }
}

/// Reads `{"<field>": <result>, ...}`: the result through the pass, every other field
/// skipped (the first `<field>` counts, as for the core's envelope).
struct EnvelopeSeed<'a, 's> {
    pass: &'a mut Pass<'s>,
    field: &'static str,
    list: bool,
}

impl<'de> Visitor<'de> for EnvelopeSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "an object with the field {:?}", self.field)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut found = false;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if !found && key == self.field {
                found = true;
                if self.list {
                    map.next_value_seed(ListDe(&mut *self.pass))?;
                } else {
                    map.next_value_seed(RecordSeed(&mut *self.pass))?;
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if found {
            Ok(())
        } else {
            Err(not_canonical())
        }
    }
}

struct ListDe<'a, 's>(&'a mut Pass<'s>);

impl<'de> DeserializeSeed<'de> for ListDe<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(ListSeed(self.0))
    }
}

/// The one pass over an answer's body (the row's envelope and shape): a page, or None when
/// anything is not in the documented form.
pub(super) fn parse(spec: &Spec, body: &[u8], shape: Shape, allow_null: bool) -> Option<Page> {
    // The body checked as UTF-8 once (SIMD), then read as text: no check per string.
    let text = simdutf8::basic::from_utf8(body).ok()?;
    let new_pass = || Pass { spec, allow_null, page: Page { text: String::with_capacity(body.len() / 2), cells: Vec::new(), extras: Vec::new(), count: 0 }, memo: Vec::new() };
    let mut pass = new_pass();
    if (Scan { b: body, s: text, i: 0 }).body(&mut pass, shape).is_some() {
        return Some(pass.page);
    }
    let mut pass = new_pass();
    let mut de = serde_json::Deserializer::from_str(text);
    let done = match shape.envelope {
        Some(field) => de.deserialize_map(EnvelopeSeed { pass: &mut pass, field, list: shape.list }),
        None if shape.list => ListDe(&mut pass).deserialize(&mut de),
        None => RecordSeed(&mut pass).deserialize(&mut de),
    };
    done.ok()?;
    de.end().ok()?;
    Some(pass.page)
}
