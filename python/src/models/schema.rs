//! A model class as the native side reads it ([`Schema`]): per field its wire key and
//! kind, and its Python objects made from a parsed page.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple, PyType};

use super::pass::{Cell, Page};
use super::record::RawPage;
use super::scan::same;

/// What a field holds, as far as the fast pass is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
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
pub(super) struct Field {
    pub(super) key: Box<str>,
    pub(super) kind: Kind,
    pub(super) nullable: bool,
    /// An int enum's first value, for the probe record.
    pub(super) probe_code: i64,
}

/// What a key of a record is to the model.
#[derive(Clone, Copy)]
pub(super) enum Slot {
    /// The declared field at this index.
    Field(usize),
    /// An attribute name that differs from its wire key: `from_dict` neither reads it
    /// (the key is there) nor keeps it in `extra`.
    Skip,
}

/// The GIL-free half of a schema.
pub struct Spec {
    pub(super) fields: Vec<Field>,
    pub(super) keys: Vec<(Box<str>, Slot)>,
    /// Per key: whether its JSON form is `"` key `"` (no quote, backslash or control
    /// character to escape), so it can be matched in place.
    pub(super) plain: Vec<bool>,
}

impl Spec {
    pub(super) fn lookup(&self, key: &str, guess: usize) -> Option<usize> {
        if let Some((k, _)) = self.keys.get(guess) {
            if same(k, key) {
                return Some(guess);
            }
        }
        self.keys.iter().position(|(k, _)| same(k, key))
    }

    pub(super) fn full_mask(&self) -> u64 {
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
    pub(super) spec: Arc<Spec>,
    enums: Vec<Option<EnumInfo>>,
    /// The attribute names, in field order.
    pub(super) names: Vec<Py<PyString>>,
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
    pub(super) fn build<'py>(slf: &Bound<'py, Schema>, page: Page, list: bool) -> PyResult<Option<Bound<'py, PyAny>>> {
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

    pub(super) fn value<'py>(&self, py: Python<'py>, page: &Page, record: usize, i: usize) -> PyResult<Bound<'py, PyAny>> {
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

