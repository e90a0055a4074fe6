//! Typed answers built natively: a page of `Order`s straight from the response body to
//! Python model objects, with no JSON tree, no dicts and no pure-Python `from_dict` between.
//!
//! The Python model classes stay the one definition of fields, wire keys and types: when
//! one is first decoded, `logibridge._models` hands its fields to [`Schema`] (name, wire
//! key, kind, nullable), and a resource's operation pairs the schema with its row in a
//! [`ModelReader`]. A call through a reader then goes:
//!
//! ```text
//! request → the core's transport (Client::call_body: checked, sent, errors scrubbed as for
//! every call) → one pass over the body, the row's envelope (`objects`) included, GIL
//! released: every record's text in one arena, one cell per field, unknown fields kept as
//! JSON → with the GIL: one object per record, holding the page and its number
//! ```
//!
//! The pass is [`Scan`], a hand-written reader of the shape services write (plain strings,
//! small integers, literals; a key found where the previous record had it is matched in
//! place); at anything else it gives up and the serde pass ([`Pass`], the same rules through
//! `serde_json`) reads the body; where that one gives up, the generic path does.
//!
//! A record becomes Python objects only when it is read: the models' `__getattr__`
//! ([`lazy_attr`]), reached on the first read of a field, converts the record's cells
//! (`Decimal` from the exact text, an aware `datetime` in the model's `__naive_tz__`, the
//! enum member, `extra` as a dict) and stores them in the instance's `__dict__`, where
//! later reads find them as on any instance.
//!
//! **Exactness.** The result must be what the generic path gives: the core's row decoder
//! (its lenient read and documented write) on the same body, then `Model.from_dict`. The
//! fast pass therefore accepts only values both steps leave as they are — a string for
//! `str`, a non-negative integer below 2³¹ for `int` and int enums, `true`/`false`, a decimal
//! in plain notation (≤ 28 digits) for `Decimal`, `YYYY-MM-DDTHH:MM:SS.ffffff` for
//! `datetime`, `null` for an `Optional` field, every declared field present once — and a
//! row whose core model does not write such a record back unchanged (checked once per
//! reader with a probe record through the model's own `write`) never takes it. Anything
//! else (a number sent as text, a missing field, a float, a duplicate key, an undocumented
//! enum value the class refuses, malformed JSON) sends the body down the generic path,
//! which gives the exact values or the exact error as before.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use logibridge::endpoints::{Endpoint, Shape};
use pyo3::exceptions::{PyAttributeError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple, PyType};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::convert;
use crate::errors::to_pyerr;

/// What a field holds, as far as the fast pass is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Str,
    Int,
    Bool,
    Decimal,
    DateTime,
    /// An enum whose values are ints (`OrderStatus`).
    Enum,
}

impl Kind {
    fn parse(name: &str) -> PyResult<Kind> {
        Ok(match name {
            "str" => Kind::Str,
            "int" => Kind::Int,
            "bool" => Kind::Bool,
            "decimal" => Kind::Decimal,
            "datetime" => Kind::DateTime,
            "enum" => Kind::Enum,
            other => return Err(PyValueError::new_err(format!("unknown field kind {other:?}"))),
        })
    }
}

/// One declared field: its wire key and kind (the part the fast pass needs, no Python).
struct Field {
    key: Box<str>,
    kind: Kind,
    nullable: bool,
    /// An int enum's first value, for the probe record.
    probe_code: i64,
}

/// What a key of a record is to the model.
#[derive(Clone, Copy)]
enum Slot {
    /// The declared field at this index.
    Field(usize),
    /// An attribute name that differs from its wire key: `from_dict` neither reads it
    /// (the key is there) nor keeps it in `extra`.
    Skip,
}

/// The GIL-free half of a schema.
pub struct Spec {
    fields: Vec<Field>,
    keys: Vec<(Box<str>, Slot)>,
    /// Per key: whether its JSON form is `"` key `"` (no quote, backslash or control
    /// character to escape), so it can be matched in place.
    plain: Vec<bool>,
}

impl Spec {
    fn lookup(&self, key: &str, guess: usize) -> Option<usize> {
        if let Some((k, _)) = self.keys.get(guess) {
            if same(k, key) {
                return Some(guess);
            }
        }
        self.keys.iter().position(|(k, _)| same(k, key))
    }

    fn full_mask(&self) -> u64 {
        if self.fields.len() == 64 {
            u64::MAX
        } else {
            (1u64 << self.fields.len()) - 1
        }
    }
}

/// An enum field's class and its value → member map (`_value2member_map_`).
struct EnumInfo {
    cls: Py<PyAny>,
    members: Py<PyDict>,
}

/// A model class as the native side reads it: made once per class by
/// `logibridge._models` from the class's fields.
#[pyclass(module = "logibridge._native", name = "Schema", frozen)]
pub struct Schema {
    cls: Py<PyType>,
    spec: Arc<Spec>,
    enums: Vec<Option<EnumInfo>>,
    /// The attribute names, in field order.
    names: Vec<Py<PyString>>,
    naive_tz: Py<PyAny>,
}

#[pymethods]
impl Schema {
    /// `fields`: `(name, key, kind, nullable, enum_class)` per field in the class's order,
    /// `kind` one of `str`, `int`, `bool`, `decimal`, `datetime`, `enum`; `naive_tz`: the
    /// zone of times that arrive without one.
    #[new]
    fn new(py: Python<'_>, model: Bound<'_, PyType>, fields: Vec<(String, String, String, bool, Option<Bound<'_, PyAny>>)>, naive_tz: Bound<'_, PyAny>) -> PyResult<Self> {
        if fields.len() > 64 {
            return Err(PyValueError::new_err("a natively read model has at most 64 fields"));
        }
        let mut spec = Spec { fields: Vec::new(), keys: Vec::new(), plain: Vec::new() };
        let mut enums = Vec::new();
        let mut names = Vec::new();
        for (i, (name, key, kind, nullable, enum_cls)) in fields.iter().enumerate() {
            let kind = Kind::parse(kind)?;
            let info = match (kind, enum_cls) {
                (Kind::Enum, Some(c)) => {
                    let members = c.getattr(intern!(py, "_value2member_map_"))?.cast_into::<PyDict>()?;
                    Some(EnumInfo { cls: c.clone().unbind(), members: members.unbind() })
                }
                (Kind::Enum, None) => return Err(PyTypeError::new_err(format!("{name}: an enum field needs its class"))),
                _ => None,
            };
            let probe_code = match &info {
                Some(e) => e.cls.bind(py).try_iter()?.next().transpose()?.map(|m| m.getattr("value")?.extract::<i64>()).transpose()?.unwrap_or(0),
                None => 0,
            };
            spec.fields.push(Field { key: key.as_str().into(), kind, nullable: *nullable, probe_code });
            spec.keys.push((key.as_str().into(), Slot::Field(i)));
            names.push(PyString::intern(py, name).unbind());
            enums.push(info);
        }
        for (name, key, ..) in &fields {
            if name != key && !spec.keys.iter().any(|(k, _)| **k == **name) {
                spec.keys.push((name.as_str().into(), Slot::Skip));
            }
        }
        spec.plain = spec.keys.iter().map(|(k, _)| !k.bytes().any(|c| c == b'"' || c == b'\\' || c < 0x20)).collect();
        Ok(Schema { cls: model.unbind(), spec: Arc::new(spec), enums, names, naive_tz: naive_tz.unbind() })
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let name = self.cls.bind(py).qualname().map(|n| n.to_string()).unwrap_or_default();
        format!("<logibridge._native.Schema {name}: {} field(s)>", self.spec.fields.len())
    }
}

static OBJECT_NEW: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();

impl Schema {
    /// The model objects of a parsed page (a list, or the one object), or None when an
    /// enum value is one its class refuses (the generic path then raises the exact error).
    fn build<'py>(slf: &Bound<'py, Schema>, page: Page, list: bool) -> PyResult<Option<Bound<'py, PyAny>>> {
        let py = slf.py();
        let this = slf.get();
        let n = this.spec.fields.len();
        // An undocumented enum value: the class makes (and keeps) its member now, or
        // refuses it now, as from_dict would.
        for (i, e) in this.enums.iter().enumerate() {
            let Some(e) = e else { continue };
            let members = e.members.bind(py);
            for r in 0..page.count {
                if let Cell::Int(v) = page.cells[r * n + i] {
                    if members.get_item(v)?.is_none() && e.cls.bind(py).call1((v,)).is_err() {
                        return Ok(None);
                    }
                }
            }
        }
        let object_new = OBJECT_NEW.get_or_try_init(py, || py.get_type::<pyo3::types::PyAny>().getattr("__new__").map(Bound::unbind))?.bind(py);
        // `object.__new__(cls)`, the arguments made once for the page.
        let args = PyTuple::new(py, [this.cls.bind(py)])?;
        let (raw_key, index_key) = (intern!(py, "_lb_raw"), intern!(py, "_lb_i"));
        let count = page.count;
        let done = (0..count).map(|_| AtomicBool::new(false)).collect();
        let raw = Bound::new(py, RawPage { page, schema: slf.clone().unbind(), done })?;
        let make = |index: usize| -> PyResult<Bound<'py, PyAny>> {
            let obj = object_new.call1(&args)?;
            obj.setattr(raw_key, &raw)?;
            obj.setattr(index_key, index)?;
            Ok(obj)
        };
        if list {
            let out = PyList::empty(py);
            for r in 0..count {
                out.append(make(r)?)?;
            }
            Ok(Some(out.into_any()))
        } else if count == 1 {
            make(0).map(Some)
        } else {
            Ok(None)
        }
    }

    fn value<'py>(&self, py: Python<'py>, page: &Page, record: usize, i: usize) -> PyResult<Bound<'py, PyAny>> {
        let f = &self.spec.fields[i];
        let cell = page.cells[record * self.spec.fields.len() + i];
        Ok(match cell {
            Cell::Null => py.None().into_bound(py),
            Cell::Bool(b) => pyo3::types::PyBool::new(py, b).to_owned().into_any(),
            Cell::Int(v) => match &self.enums[i] {
                Some(e) => match e.members.bind(py).get_item(v)? {
                    Some(member) => member,
                    None => e.cls.bind(py).call1((v,))?,
                },
                None => v.into_pyobject(py)?.into_any(),
            },
            Cell::Text(a, b) => {
                let s = &page.text[a as usize..b as usize];
                match f.kind {
                    Kind::Decimal => DECIMAL.import(py, "decimal", "Decimal")?.call1((s,))?,
                    Kind::DateTime => {
                        let d = |r: std::ops::Range<usize>| -> u32 { s.as_bytes()[r].iter().fold(0u32, |acc, c| acc * 10 + u32::from(c - b'0')) };
                        let args = (d(0..4), d(5..7), d(8..10), d(11..13), d(14..16), d(17..19), d(20..26), self.naive_tz.bind(py));
                        DATETIME.import(py, "datetime", "datetime")?.call1(args)?
                    }
                    _ => PyString::new(py, s).into_any(),
                }
            }
        })
    }
}

/// A natively read page: what each model object built by [`Schema::build`] holds (as
/// `_lb_raw`, with its record's number as `_lb_i`) until its fields have been read.
#[pyclass(module = "logibridge._native", name = "RawPage", frozen)]
pub struct RawPage {
    page: Page,
    schema: Py<Schema>,
    /// Per record: whether its fields were handed to its instance.
    done: Box<[AtomicBool]>,
}

impl RawPage {
    /// Puts every field of `record` and its `extra` into the instance's `__dict__`, except
    /// those it holds already (an attribute set before it was read wins).
    fn give_all(&self, dict: &Bound<'_, PyDict>, record: usize) -> PyResult<()> {
        let py = dict.py();
        let schema = self.schema.get();
        // Usually the instance holds only `_lb_raw` and `_lb_i`: nothing to keep.
        let fresh = dict.len() == 2;
        for (i, name) in schema.names.iter().enumerate() {
            if fresh || !dict.contains(name.bind(py))? {
                dict.set_item(name.bind(py), schema.value(py, &self.page, record, i)?)?;
            }
        }
        let extra = intern!(py, "extra");
        if fresh || !dict.contains(extra)? {
            dict.set_item(extra, self.value(py, record, -1)?)?;
        }
        Ok(())
    }
}

#[pymethods]
impl RawPage {
    /// The value of field `index` (in the class's field order) of `record` as the model
    /// holds it; `-1`: `extra`, a new dict.
    fn value<'py>(&self, py: Python<'py>, record: usize, index: isize) -> PyResult<Bound<'py, PyAny>> {
        let schema = self.schema.get();
        if record >= self.page.count {
            return Err(PyValueError::new_err(format!("no record {record}")));
        }
        if index < 0 {
            let d = PyDict::new(py);
            if let Some(extra) = &self.page.extras[record] {
                for (k, v) in extra.iter() {
                    d.set_item(k, convert::to_py(py, v)?)?;
                }
            }
            return Ok(d.into_any());
        }
        let i = index as usize;
        if i >= schema.spec.fields.len() {
            return Err(PyValueError::new_err(format!("no field {index}")));
        }
        schema.value(py, &self.page, record, i)
    }
}

/// The `__getattr__` of models (only reached for a name an instance does not hold): on an
/// instance built natively, the first such read makes every field of its record (and
/// `extra`) and keeps them in the instance's `__dict__`, where all later reads find them
/// without coming here — one call per record, whatever code reads of it. A field deleted
/// afterwards is made again alone. Any other name, or an instance not built natively, raises
/// `AttributeError` as a plain object does.
#[pyfunction]
pub fn lazy_attr<'py>(obj: &Bound<'py, PyAny>, name: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyAny>> {
    let py = obj.py();
    let missing = || {
        let ty = obj.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        PyAttributeError::new_err(format!("'{ty}' object has no attribute '{name}'"))
    };
    let dict = obj.getattr(intern!(py, "__dict__"))?.cast_into::<PyDict>()?;
    let Some(raw) = dict.get_item(intern!(py, "_lb_raw"))? else { return Err(missing()) };
    let raw = raw.cast::<RawPage>().map_err(|_| missing())?.get();
    let record: usize = dict.get_item(intern!(py, "_lb_i"))?.ok_or_else(missing)?.extract()?;
    let schema = raw.schema.get();
    let index: isize = if name.as_ptr() == intern!(py, "extra").as_ptr() || name.to_cow()? == "extra" {
        -1
    } else {
        let by_ptr = schema.names.iter().position(|n| n.as_ptr() == name.as_ptr());
        match by_ptr {
            Some(i) => i as isize,
            None => {
                let text = name.to_cow()?;
                let found = schema.names.iter().position(|n| n.bind(py).to_cow().is_ok_and(|t| t == text));
                found.ok_or_else(missing)? as isize
            }
        }
    };
    let done = raw.done.get(record).ok_or_else(missing)?;
    if !done.swap(true, Ordering::AcqRel) {
        raw.give_all(&dict, record)?;
        if let Some(value) = dict.get_item(name)? {
            return Ok(value);
        }
    }
    let value = raw.value(py, record, index)?;
    dict.set_item(name, &value)?;
    Ok(value)
}

// -- the fast pass (no GIL) -------------------------------------------------------------

/// A record's value of a declared field.
#[derive(Clone, Copy, Debug)]
enum Cell {
    Null,
    /// A byte range of the page's text (str, decimal, datetime).
    Text(u32, u32),
    Int(i64),
    Bool(bool),
}

/// A parsed page: `count` records of `fields` cells each, their text in one arena, the
/// unknown fields of each record as JSON.
pub struct Page {
    text: String,
    cells: Vec<Cell>,
    extras: Vec<Option<Box<Map<String, Value>>>>,
    count: usize,
}

/// The message of the error that ends the fast pass (never shown: the generic path runs).
const NOT_CANONICAL: &str = "logibridge: not in the documented form";

struct Pass<'s> {
    spec: &'s Spec,
    allow_null: bool,
    page: Page,
    /// The key slot seen at each position of the previous record: records of one answer
    /// list their keys in one order, so a key is usually found at the first guess.
    memo: Vec<usize>,
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
fn canonical_decimal(s: &str) -> bool {
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
fn canonical_datetime(s: &str) -> bool {
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
fn parse(spec: &Spec, body: &[u8], shape: Shape, allow_null: bool) -> Option<Page> {
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

/// The index of the first `"`, `\\` or control character (< 0x20) in `b`: eight bytes a
/// step (the usual SWAR test for a byte below a bound), then byte by byte.
fn special(b: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH;
    let mut i = 0;
    while i + 8 <= b.len() {
        let x = u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
        let hit = below(x ^ (ONES * u64::from(b'"')), 1) | below(x ^ (ONES * u64::from(b'\\')), 1) | below(x, 0x20);
        if hit != 0 {
            // The lowest flagged byte is a true hit (borrows only run upwards).
            return Some(i + (hit.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b[i..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).map(|p| i + p)
}

/// Key comparison inlined for short keys (a call to `memcmp` costs more than the bytes).
#[inline]
fn same(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i + 8 <= a.len() {
        if a[i..i + 8] != b[i..i + 8] {
            return false;
        }
        i += 8;
    }
    a[i..].iter().zip(&b[i..]).all(|(x, y)| x == y)
}

/// The pass again, by hand, for bodies in the shape services write (plain strings, small
/// non-negative integers, `true`/`false`/`null`): about twice as fast as going through
/// serde, and it gives up (None) at anything else — an escape in a string, a float, a sign,
/// nesting in a field — which the serde pass then reads. It never accepts what the serde
/// pass would refuse: strings with control characters, leading zeros, bad literals,
/// trailing text and malformed skipped values all make it give up.
struct Scan<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
}

impl<'a> Scan<'a> {
    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// A string with no escape and no control character (the cursor on its quote).
    fn plain_str(&mut self) -> Option<&'a str> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.i + 1;
        let end = start + special(&self.b[start..])?;
        if self.b[end] != b'"' {
            return None; // an escape or a control character
        }
        self.i = end + 1;
        Some(&self.s[start..end])
    }

    /// A non-negative integer below 2³¹ in JSON's form, not followed by a fraction or an
    /// exponent.
    fn small_uint(&mut self) -> Option<i64> {
        let start = self.i;
        let mut v: i64 = 0;
        while let Some(&c) = self.b.get(self.i) {
            if !c.is_ascii_digit() {
                break;
            }
            v = v * 10 + i64::from(c - b'0');
            if v > i64::from(i32::MAX) {
                return None;
            }
            self.i += 1;
        }
        let len = self.i - start;
        if len == 0 || (len > 1 && self.b[start] == b'0') || matches!(self.b.get(self.i), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        Some(v)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i + word.len();
        (self.b.get(self.i..end)? == word).then(|| self.i = end)
    }

    /// One JSON value read by serde_json (checked as it would be), the cursor moved past it.
    fn value<T: serde::de::DeserializeOwned>(&mut self) -> Option<T> {
        self.ws();
        let mut stream = serde_json::Deserializer::from_str(&self.s[self.i..]).into_iter::<T>();
        let v = stream.next()?.ok()?;
        self.i += stream.byte_offset();
        Some(v)
    }

    fn cell(&mut self, kind: Kind, nullable: bool, text: &mut String) -> Option<Cell> {
        match self.peek()? {
            b'"' => {
                let v = self.plain_str()?;
                let ok = match kind {
                    Kind::Str => true,
                    Kind::Decimal => canonical_decimal(v),
                    Kind::DateTime => canonical_datetime(v),
                    _ => false,
                };
                let start = text.len();
                if !ok || start + v.len() > u32::MAX as usize {
                    return None;
                }
                text.push_str(v);
                Some(Cell::Text(start as u32, text.len() as u32))
            }
            b'0'..=b'9' if matches!(kind, Kind::Int | Kind::Enum) => self.small_uint().map(Cell::Int),
            b't' if kind == Kind::Bool => self.literal(b"true").map(|()| Cell::Bool(true)),
            b'f' if kind == Kind::Bool => self.literal(b"false").map(|()| Cell::Bool(false)),
            b'n' if nullable => self.literal(b"null").map(|()| Cell::Null),
            _ => None,
        }
    }

    /// Whether the key at the cursor is `spec.keys[guess]` exactly (`"` key `"`); if so the
    /// cursor moves past it. Keys holding a quote, a backslash or a control character are
    /// never matched this way (their JSON form differs from their text).
    fn expected_key(&mut self, spec: &Spec, guess: usize) -> Option<usize> {
        let (k, _) = spec.keys.get(guess)?;
        let k = k.as_bytes();
        self.ws();
        let at = self.i;
        let end = at + k.len() + 2;
        let b = self.b.get(at..end)?;
        (spec.plain[guess] && b[0] == b'"' && b[end - at - 1] == b'"' && same_bytes(&b[1..end - at - 1], k)).then(|| {
            self.i = end;
            guess
        })
    }

    fn record(&mut self, pass: &mut Pass<'_>) -> Option<()> {
        let spec = pass.spec;
        let n = spec.fields.len();
        self.eat(b'{')?;
        let base = pass.page.cells.len();
        pass.page.cells.resize(base + n, Cell::Null);
        let mut seen = 0u64;
        let mut extra: Option<Box<Map<String, Value>>> = None;
        let mut position = 0;
        if self.peek()? == b'}' {
            self.i += 1;
        } else {
            loop {
                let guess = pass.memo.get(position).copied().unwrap_or(usize::MAX);
                // The key the previous record had here, matched in place (quotes included):
                // no scan for its end, no lookup.
                let (key, found) = match self.expected_key(spec, guess) {
                    Some(slot) => ("", Some(slot)),
                    None => {
                        let key = self.plain_str()?;
                        (key, spec.lookup(key, guess))
                    }
                };
                self.eat(b':')?;
                match found {
                    Some(slot) => {
                        if position < pass.memo.len() {
                            pass.memo[position] = slot;
                        } else {
                            pass.memo.push(slot);
                        }
                        match spec.keys[slot].1 {
                            Slot::Field(i) => {
                                if seen & (1 << i) != 0 {
                                    return None;
                                }
                                seen |= 1 << i;
                                let f = &spec.fields[i];
                                pass.page.cells[base + i] = self.cell(f.kind, f.nullable && pass.allow_null, &mut pass.page.text)?;
                            }
                            Slot::Skip => {
                                self.value::<IgnoredAny>()?;
                            }
                        }
                    }
                    None => {
                        let v: Value = self.value()?;
                        let m = extra.get_or_insert_with(Default::default);
                        if m.contains_key(key) {
                            return None;
                        }
                        m.insert(key.to_owned(), v);
                    }
                }
                position += 1;
                match self.peek()? {
                    b',' => self.i += 1,
                    b'}' => {
                        self.i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        if seen != spec.full_mask() {
            return None;
        }
        pass.page.extras.push(extra);
        pass.page.count += 1;
        Some(())
    }

    fn list(&mut self, pass: &mut Pass<'_>) -> Option<()> {
        self.eat(b'[')?;
        if self.peek()? == b']' {
            self.i += 1;
            return Some(());
        }
        loop {
            self.record(pass)?;
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn result(&mut self, pass: &mut Pass<'_>, list: bool) -> Option<()> {
        if list {
            self.list(pass)
        } else {
            self.record(pass)
        }
    }

    fn body(&mut self, pass: &mut Pass<'_>, shape: Shape) -> Option<()> {
        match shape.envelope {
            None => self.result(pass, shape.list)?,
            Some(field) => {
                self.eat(b'{')?;
                let mut found = false;
                if self.peek()? == b'}' {
                    self.i += 1;
                } else {
                    loop {
                        let key = self.plain_str()?;
                        self.eat(b':')?;
                        if !found && key == field {
                            found = true;
                            self.result(pass, shape.list)?;
                        } else {
                            self.value::<IgnoredAny>()?;
                        }
                        match self.peek()? {
                            b',' => self.i += 1,
                            b'}' => {
                                self.i += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                if !found {
                    return None;
                }
            }
        }
        self.ws();
        (self.i == self.b.len()).then_some(())
    }
}

// -- readers ------------------------------------------------------------------------------

/// A row and a schema found fit for the fast pass.
#[derive(Clone, Copy)]
pub struct Plan {
    ep: &'static Endpoint,
    list: bool,
    allow_null: bool,
}

/// A sample record in the documented form (every field, one unknown one) for the probe.
fn probe_record(spec: &Spec, nulls: bool) -> Value {
    let mut m = Map::new();
    for f in &spec.fields {
        let v = if nulls && f.nullable {
            Value::Null
        } else {
            match f.kind {
                Kind::Str => Value::from("10"),
                Kind::Int => Value::from(1),
                Kind::Bool => Value::Bool(true),
                Kind::Decimal => Value::from("1.50"),
                Kind::DateTime => Value::from("2014-10-23T16:18:31.315072"),
                Kind::Enum => Value::from(f.probe_code),
            }
        };
        m.insert(f.key.to_string(), v);
    }
    m.insert("logibridge_probe_unknown_field".into(), Value::from(1));
    Value::Object(m)
}

/// Whether the row's model writes a record of the documented form back unchanged (a row
/// with no model hands the JSON over as it is).
fn probe(ep: &'static Endpoint, spec: &Spec, nulls: bool) -> bool {
    let Some(model) = ep.response.model else { return true };
    let sample = probe_record(spec, nulls);
    matches!((model.write)(sample.clone()), Ok(out) if out == sample)
}

/// What one answer became: a parsed page, or the generic path's JSON.
pub enum Outcome {
    Page(Page),
    Json(Value),
}

/// The generic path: the row's decoder (through the client, which scrubs its errors, when
/// the body came from a call).
fn generic(ep: &'static Endpoint, body: &[u8], client: Option<&logibridge::Client>) -> logibridge::Result<Value> {
    match client {
        Some(c) => c.decode_body_of(ep, body),
        None => logibridge::call::decode(ep, body),
    }
}

fn read(plan: Plan, spec: &Spec, body: &[u8], client: Option<&logibridge::Client>) -> logibridge::Result<Outcome> {
    match parse(spec, body, plan.ep.response.shape, plan.allow_null) {
        Some(page) => Ok(Outcome::Page(page)),
        None => generic(plan.ep, body, client).map(Outcome::Json),
    }
}

/// One answer of a call through a plan: its body as the service sent it and what it became.
pub struct Answer {
    outcome: Outcome,
    body: bytes::Bytes,
    client: logibridge::Client,
}

/// One call through a plan: the request, then the fast pass over the body (all without the
/// GIL, on the core's runtime).
pub async fn fetch(client: logibridge::Client, plan: Plan, spec: Arc<Spec>, params: Value) -> logibridge::Result<Answer> {
    let body = client.call_body(plan.ep, params).await?;
    let outcome = read(plan, &spec, &body, Some(&client))?;
    Ok(Answer { outcome, body, client })
}

/// How an operation's answers become its model: a schema, a row, and the Python decoder of
/// the generic path (`fallback`, called with the JSON-shaped answer).
#[pyclass(module = "logibridge._native", name = "ModelReader", frozen)]
pub struct ModelReader {
    endpoint: String,
    schema: Option<Py<Schema>>,
    fallback: Py<PyAny>,
    plan: OnceLock<Option<Plan>>,
}

#[pymethods]
impl ModelReader {
    #[new]
    #[pyo3(signature = (endpoint, schema, fallback))]
    fn new(endpoint: String, schema: Option<Py<Schema>>, fallback: Py<PyAny>) -> Self {
        ModelReader { endpoint, schema, fallback, plan: OnceLock::new() }
    }

    /// The endpoint id.
    #[getter]
    fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Whether answers are read natively (False: every answer takes the generic path,
    /// because the model has a field of a kind the fast pass does not read, or the row's
    /// model does not keep the documented form as it is).
    #[getter]
    fn native(&self, py: Python<'_>) -> bool {
        self.plan(py).is_some()
    }
}

impl ModelReader {
    /// The plan, found on first use (the row may be registered after the reader is made).
    pub fn plan(&self, py: Python<'_>) -> Option<Plan> {
        *self.plan.get_or_init(|| {
            let schema = self.schema.as_ref()?.get();
            let ep = logibridge::endpoints::find(&self.endpoint)?;
            // Library-side rows, exactly-once creates and empty answers take the generic call.
            if ep.local.is_some() || ep.once.is_some() || ep.response.empty {
                return None;
            }
            let spec = schema.spec.clone();
            let (fits, nulls) = py.detach(|| (probe(ep, &spec, false), probe(ep, &spec, true)));
            fits.then_some(Plan { ep, list: ep.response.shape.list, allow_null: nulls })
        })
    }

    pub fn spec(&self) -> Arc<Spec> {
        self.schema.as_ref().map(|s| s.get().spec.clone()).unwrap_or_else(|| Arc::new(Spec { fields: Vec::new(), keys: Vec::new(), plain: Vec::new() }))
    }

    /// The JSON-shaped answer through the Python decoder.
    pub fn fallback<'py>(&self, py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
        self.fallback.bind(py).call1((convert::to_py(py, value)?,))
    }

    /// A call's answer as the operation's result.
    pub fn finish<'py>(&self, py: Python<'py>, plan: Plan, answer: Answer) -> PyResult<Bound<'py, PyAny>> {
        self.finish_outcome(py, plan, answer.outcome, &answer.body, Some(&answer.client))
    }

    fn finish_outcome<'py>(&self, py: Python<'py>, plan: Plan, outcome: Outcome, body: &[u8], client: Option<&logibridge::Client>) -> PyResult<Bound<'py, PyAny>> {
        match outcome {
            Outcome::Json(value) => self.fallback(py, &value),
            Outcome::Page(page) => {
                let schema = self.schema.as_ref().expect("a plan has a schema").bind(py);
                match Schema::build(schema, page, plan.list)? {
                    Some(built) => Ok(built),
                    None => {
                        let value = py.detach(|| generic(plan.ep, body, client)).map_err(|e| to_pyerr(py, &e))?;
                        self.fallback(py, &value)
                    }
                }
            }
        }
    }
}

/// Whether a call asks for every page at once (`all`), which only the generic call does.
pub fn wants_all(params: &Value) -> bool {
    params.get("all").is_some_and(|v| v != &Value::Bool(false) && !v.is_null())
}

/// Decodes a response body of `endpoint` as a call would: through `reader` when given
/// (its model objects), else the JSON-shaped answer. For tests and the benchmark.
#[pyfunction]
#[pyo3(signature = (endpoint, body, reader=None))]
pub fn decode<'py>(py: Python<'py>, endpoint: &str, body: &[u8], reader: Option<Bound<'py, ModelReader>>) -> PyResult<Bound<'py, PyAny>> {
    let ep = logibridge::endpoints::require(endpoint).map_err(|e| to_pyerr(py, &e))?;
    let Some(reader) = reader else {
        let value = py.detach(|| logibridge::call::decode(ep, body)).map_err(|e| to_pyerr(py, &e))?;
        return convert::to_py(py, &value);
    };
    let r = reader.get();
    match r.plan(py) {
        Some(plan) => {
            let spec = r.spec();
            let outcome = py.detach(|| read(plan, &spec, body, None)).map_err(|e| to_pyerr(py, &e))?;
            r.finish_outcome(py, plan, outcome, body, None)
        }
        None => {
            let value = py.detach(|| logibridge::call::decode(ep, body)).map_err(|e| to_pyerr(py, &e))?;
            r.fallback(py, &value)
        }
    }
}
