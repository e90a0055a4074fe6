//! `logibridge.pricelist.PriceRow`: one offer of a price list, the core's `Row` held as is.
//!
//! A field becomes a Python object only when it is read, once: a row costs one allocation
//! on the Python side however many columns it has, a loop that reads two fields pays for
//! two, and reading a field again returns the object made the first time (the price a
//! `decimal.Decimal` built from the exact decimal's text, the texts `str`s, the extra
//! columns a dict of which each read hands out a copy, so the row stays immutable). The class follows the package's model conventions
//! (keyword constructor, `from_dict` / `to_dict` / `to_json` / `copy`, `extra`, equality,
//! pickling); `from_dict` decodes with the generic model machinery
//! (`logibridge.pricelist._decode_row`), so its errors are the models' `DecodeError`s.

use std::mem::ManuallyDrop;
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use logibridge::carreta::Qty;
use logibridge::pricelist::{Extra, Row};
use pyo3::basic::CompareOp;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyInt, PyString, PyType};
use pyo3::{intern, IntoPyObjectExt};
use rust_decimal::Decimal;

use crate::rules;

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DECIMAL.import(py, "decimal", "Decimal")
}

/// The fields, by attribute name, in the model's order (`extra_columns` is `"extra"` in
/// `to_dict`, as in the core's JSON).
const FIELDS: [&str; 10] = ["line", "code", "maker", "name", "price", "qty", "min_qty", "period_min", "period_max", "extra_columns"];

/// One offer of a price list.
///
/// Attributes: ``line``, ``code``, ``maker``, ``name``, ``price`` (exact ``Decimal``),
/// ``qty`` (the stock as written), ``min_qty``, ``period_min``, ``period_max``,
/// ``extra_columns`` (the columns the reader does not know, by header; ``extra:`` + header
/// for a repeated one). Immutable.
#[pyclass(module = "logibridge.pricelist", name = "PriceRow", frozen)]
pub struct PriceRow {
    /// Taken out only by `Drop`.
    row: ManuallyDrop<Row>,
    /// Where the row goes when the object dies (rows of a reader): its strings are reused
    /// for a later row instead of being freed here and allocated again by the parser.
    home: Option<Arc<RowPool>>,
    /// The price as a `decimal.Decimal`, once read (or as given to the constructor).
    price: ObjectCell,
    /// The texts as `str`, once read.
    code: ObjectCell,
    maker: ObjectCell,
    name: ObjectCell,
    qty: ObjectCell,
    /// The extra columns as a dict, once read; never handed out itself (a copy is).
    extra_columns: ObjectCell,
    /// The model's `extra`: fields of a `from_dict` record that the class does not declare.
    extra: OnceLock<Py<PyDict>>,
}

/// A field's Python object, made on its first read and kept: one pointer (a row has six of
/// them; `OnceLock<Py<_>>` would take twice the room in every row of a `to_list()`).
/// Written only while holding the GIL; a compare-and-swap keeps the first object if the
/// making of another released the GIL and let a second reader in.
struct ObjectCell(AtomicPtr<pyo3::ffi::PyObject>);

impl ObjectCell {
    const fn new() -> ObjectCell {
        ObjectCell(AtomicPtr::new(ptr::null_mut()))
    }

    fn get<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        let p = self.0.load(Ordering::Acquire);
        // SAFETY: a non-null pointer is a strong reference this cell owns until it is dropped.
        (!p.is_null()).then(|| unsafe { Bound::from_borrowed_ptr(py, p) })
    }

    fn get_or_try_init<'py>(&self, py: Python<'py>, make: impl FnOnce() -> PyResult<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        if let Some(obj) = self.get(py) {
            return Ok(obj);
        }
        let obj = make()?;
        Ok(self.set(obj))
    }

    /// Keeps `obj` unless the cell is set already; returns the object kept.
    fn set<'py>(&self, obj: Bound<'py, PyAny>) -> Bound<'py, PyAny> {
        let py = obj.py();
        let raw = obj.clone().into_ptr();
        match self.0.compare_exchange(ptr::null_mut(), raw, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => obj,
            Err(first) => {
                // SAFETY: `raw` is the strong reference made above, not stored.
                unsafe { pyo3::ffi::Py_DecRef(raw) };
                // SAFETY: as in `get`.
                unsafe { Bound::from_borrowed_ptr(py, first) }
            }
        }
    }
}

impl Drop for ObjectCell {
    fn drop(&mut self) {
        let p = *self.0.get_mut();
        if !p.is_null() {
            // SAFETY: the cell's own strong reference. A row is dropped by Python (its
            // dealloc, GIL held) or before it was handed out (no object made yet).
            unsafe { pyo3::ffi::Py_DecRef(p) };
        }
    }
}

/// Spent rows of a reader, to be read into again (see `Reader::read_into`): the rows handed
/// to Python come back here when their objects die. Freeing a row's strings on the Python
/// thread after a background parser allocated them is costly with glibc's per-thread arenas;
/// handing them back keeps the allocations where they are made.
#[derive(Default)]
pub struct RowPool {
    rows: Mutex<Vec<Row>>,
    /// The `str`s of a reader's short repeated texts (see [`RowPool::text`]).
    texts: Mutex<HashMap<Box<str>, Py<PyString>>>,
}

impl RowPool {
    /// More than this is freed: rows kept in memory (`to_list`) come back all at once.
    const MAX: usize = 8192;

    pub fn take(&self) -> Vec<Row> {
        std::mem::take(&mut *self.rows.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn give_back(&self, rows: Vec<Row>) {
        let mut pool = self.rows.lock().unwrap_or_else(|e| e.into_inner());
        if pool.is_empty() {
            *pool = rows;
        } else {
            let room = Self::MAX.saturating_sub(pool.len());
            pool.extend(rows.into_iter().take(room));
        }
    }

    /// Texts of at most this many bytes are shared between the rows of a reader...
    const TEXT_MAX_BYTES: usize = 48;
    /// ...until this many different ones were seen (a list's brands, stock forms,
    /// warehouses and extra headers are few; beyond that a text is taken as unique).
    const TEXTS_MAX: usize = 4096;

    /// The `str` for a short text of a row, shared by every row of the reader that has it:
    /// a brand or a warehouse repeats on most rows, and a lookup costs less than decoding
    /// the text into a new `str` each time (Cyrillic text is re-encoded by Python).
    fn text<'py>(&self, py: Python<'py>, text: &str) -> Bound<'py, PyString> {
        if text.len() > Self::TEXT_MAX_BYTES {
            return PyString::new(py, text);
        }
        let mut texts = self.texts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = texts.get(text) {
            return s.bind(py).clone();
        }
        let s = PyString::new(py, text);
        if texts.len() < Self::TEXTS_MAX {
            texts.insert(text.into(), s.clone().unbind());
        }
        s
    }

    fn put(&self, row: Row) {
        let mut pool = self.rows.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < Self::MAX {
            pool.push(row);
        }
    }
}

impl Drop for PriceRow {
    fn drop(&mut self) {
        // SAFETY: `row` is not used again; this is the only place it is taken.
        let row = unsafe { ManuallyDrop::take(&mut self.row) };
        if let Some(home) = &self.home {
            home.put(row);
        }
    }
}

impl PriceRow {
    pub fn from_row(row: Row, home: Option<Arc<RowPool>>) -> PriceRow {
        PriceRow {
            row: ManuallyDrop::new(row),
            home,
            price: ObjectCell::new(),
            code: ObjectCell::new(),
            maker: ObjectCell::new(),
            name: ObjectCell::new(),
            qty: ObjectCell::new(),
            extra_columns: ObjectCell::new(),
            extra: OnceLock::new(),
        }
    }

    fn price_object<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.price.get_or_try_init(py, || {
            let mut buf = [0u8; 48];
            decimal_type(py)?.call1((decimal_text(&self.row.price, &mut buf),))
        })
    }

    /// The cell's `str`, made on the first read (`shared`: through the reader's cache of
    /// repeated texts, [`RowPool::text`]).
    fn text<'py>(&self, py: Python<'py>, cell: &ObjectCell, text: &str, shared: bool) -> Bound<'py, PyString> {
        let obj = match cell.get(py) {
            Some(obj) => obj,
            None => {
                let made = match (&self.home, shared) {
                    (Some(home), true) => home.text(py, text),
                    _ => PyString::new(py, text),
                };
                cell.set(made.into_any())
            }
        };
        // SAFETY: the text cells hold nothing but the strs made here.
        unsafe { obj.cast_into_unchecked() }
    }

    /// The extra columns as a new dict (a copy of the one made on the first read).
    fn extra_columns_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let kept = self.extra_columns.get_or_try_init(py, || {
            let d = PyDict::new(py);
            for (k, v) in self.row.extra.iter() {
                match &self.home {
                    Some(home) => d.set_item(home.text(py, k), home.text(py, v))?,
                    None => d.set_item(k, v)?,
                }
            }
            Ok(d.into_any())
        })?;
        kept.cast_into::<PyDict>()?.copy()
    }

    fn model_extra<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyDict>> {
        self.extra.get().map(|d| d.bind(py).clone()).filter(|d| !d.is_empty())
    }

    /// The fields by attribute name (what the constructor takes).
    fn fields<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(slf.py());
        for name in FIELDS {
            d.set_item(name, slf.getattr(name)?)?;
        }
        Ok(d)
    }
}

/// The decimal's text, as its `Display` writes it (`-1234.50`), without its general
/// formatting machinery: the digits of the mantissa with the point `scale` digits from the
/// right. 96 bits are 29 digits at most, so 48 bytes hold any.
fn decimal_text<'b>(d: &Decimal, buf: &'b mut [u8; 48]) -> &'b str {
    let scale = d.scale() as usize;
    let mut pos = buf.len();
    let mut digits = 0usize;
    let mut put = |digit: u8, pos: &mut usize, digits: &mut usize| {
        *pos -= 1;
        buf[*pos] = b'0' + digit;
        *digits += 1;
        if *digits == scale {
            *pos -= 1;
            buf[*pos] = b'.';
        }
    };
    let m = d.mantissa().unsigned_abs();
    if let Ok(mut u) = u64::try_from(m) {
        loop {
            put((u % 10) as u8, &mut pos, &mut digits);
            u /= 10;
            if u == 0 && digits > scale {
                break;
            }
        }
    } else {
        let mut u = m;
        loop {
            put((u % 10) as u8, &mut pos, &mut digits);
            u /= 10;
            if u == 0 && digits > scale {
                break;
            }
        }
    }
    if d.is_sign_negative() {
        pos -= 1;
        buf[pos] = b'-';
    }
    std::str::from_utf8(&buf[pos..]).unwrap_or("0")
}

/// A price as the core's exact decimal, and the `Decimal` object to show for it.
fn price_from_python<'py>(py: Python<'py>, value: &Bound<'py, PyAny>) -> PyResult<(Decimal, Bound<'py, PyAny>)> {
    let decimal = decimal_type(py)?;
    let obj = if value.is_instance(decimal)? {
        value.clone()
    } else if value.cast::<PyString>().is_ok() || (value.cast::<PyInt>().is_ok() && value.cast::<PyBool>().is_err()) {
        decimal.call1((value,))?
    } else {
        let t = value.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        return Err(PyTypeError::new_err(format!("price must be a Decimal, got {t}")));
    };
    let text = obj.str()?;
    let text = text.to_cow()?;
    let exact = Decimal::from_str_exact(&text).or_else(|_| Decimal::from_scientific(&text));
    let exact = exact.map_err(|_| PyValueError::new_err(format!("price {text} is not a finite decimal of at most 28 digits")))?;
    Ok((exact, obj))
}

/// `logibridge._models.convert_argument` for `PriceRow`'s arguments.
struct Argument<'py> {
    convert: Bound<'py, PyAny>,
    types: Bound<'py, PyModule>,
}

impl<'py> Argument<'py> {
    fn new(py: Python<'py>) -> PyResult<Self> {
        Ok(Argument { convert: py.import(intern!(py, "logibridge._models"))?.getattr(intern!(py, "convert_argument"))?, types: py.import(intern!(py, "builtins"))? })
    }

    fn run(&self, name: &str, tp: Bound<'py, PyAny>, value: &Bound<'py, PyAny>, max: Option<u64>) -> PyResult<Bound<'py, PyAny>> {
        let bounds = max.map(|m| (0u64, m));
        self.convert.call1(("PriceRow", name, tp, value, bounds))
    }

    /// A whole number from 0 to `max` (`None` stays `None`).
    fn int(&self, name: &str, value: &Bound<'py, PyAny>, max: u64) -> PyResult<Option<u64>> {
        let out = self.run(name, self.types.getattr("int")?, value, Some(max))?;
        if out.is_none() {
            return Ok(None);
        }
        out.extract().map(Some)
    }

    fn text(&self, name: &str, value: &Bound<'py, PyAny>) -> PyResult<String> {
        self.run(name, self.types.getattr("str")?, value, None)?.extract()
    }

    fn decimal(&self, name: &str, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.run(name, decimal_type(self.convert.py())?.clone().into_any(), value, None)
    }
}

#[pymethods]
impl PriceRow {
    #[new]
    // The defaults are applied in the body (an argument is converted only when given), so
    // the signature Python shows names them itself.
    #[pyo3(
        signature = (*, line, code, maker=None, name=None, price, qty=None, min_qty=None, period_min=None, period_max=None, extra_columns=None),
        text_signature = "(*, line, code, maker='', name='', price, qty='', min_qty=1, period_min=None, period_max=None, extra_columns=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        line: &Bound<'_, PyAny>,
        code: &Bound<'_, PyAny>,
        maker: Option<&Bound<'_, PyAny>>,
        name: Option<&Bound<'_, PyAny>>,
        price: &Bound<'_, PyAny>,
        qty: Option<&Bound<'_, PyAny>>,
        min_qty: Option<&Bound<'_, PyAny>>,
        period_min: Option<&Bound<'_, PyAny>>,
        period_max: Option<&Bound<'_, PyAny>>,
        extra_columns: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PriceRow> {
        // Each argument through the converter the Python models use (issue 10, item 27): the
        // same conversions and the same InvalidArgumentError, whatever the class is made of.
        let arg = Argument::new(py)?;
        let line: u64 = arg.int("line", line, u64::MAX.into())?.expect("line is required");
        let code: String = arg.text("code", code)?;
        let maker: String = maker.map(|v| arg.text("maker", v)).transpose()?.unwrap_or_default();
        let name: String = name.map(|v| arg.text("name", v)).transpose()?.unwrap_or_default();
        let qty: String = qty.map(|v| arg.text("qty", v)).transpose()?.unwrap_or_default();
        let min_qty = match min_qty {
            Some(v) => arg.int("min_qty", v, u32::MAX.into())?.unwrap_or(1),
            None => 1,
        };
        let period_min = match period_min {
            Some(v) => arg.int("period_min", v, u32::MAX.into())?,
            None => None,
        };
        let period_max = match period_max {
            Some(v) => arg.int("period_max", v, u32::MAX.into())?,
            None => None,
        };
        let price = arg.decimal("price", price)?;
        let (exact, shown) = price_from_python(py, &price)?;
        let mut pairs = Vec::new();
        if let Some(cols) = extra_columns {
            for item in cols.call_method0(intern!(py, "items"))?.try_iter()? {
                pairs.push(item?.extract::<(String, String)>()?);
            }
        }
        let row = Row {
            line,
            code,
            maker,
            name,
            price: exact,
            qty: Qty::parse(&qty),
            min_qty: min_qty as u32,
            period_min: period_min.map(|p| p as u32),
            period_max: period_max.map(|p| p as u32),
            extra: Extra::from_pairs(pairs),
        };
        let this = PriceRow::from_row(row, None);
        this.price.set(shown);
        Ok(this)
    }

    /// Line of the file the row starts on (the header is line 1).
    #[getter]
    fn line(&self) -> u64 {
        self.row.line
    }

    /// Part number. Never empty.
    #[getter]
    fn code<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        self.text(py, &self.code, &self.row.code, false)
    }

    /// Brand ("" when the list has no brand column).
    #[getter]
    fn maker<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        self.text(py, &self.maker, &self.row.maker, true)
    }

    /// Description ("" when the list has no name column).
    #[getter]
    fn name<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        self.text(py, &self.name, &self.row.name, false)
    }

    /// Exact, with the scale written in the file (``1 234,50`` is ``Decimal("1234.50")``).
    #[getter]
    fn price<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.price_object(py)
    }

    /// Stock as the supplier wrote it (``"10"``, ``"<10"``, ``">50"``, ``"Есть"``).
    #[getter]
    fn qty<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        self.text(py, &self.qty, self.row.qty.raw(), true)
    }

    /// Pack size: orders are multiples of it.
    #[getter]
    fn min_qty(&self) -> u32 {
        self.row.min_qty
    }

    /// Shortest delivery time, days.
    #[getter]
    fn period_min(&self) -> Option<u32> {
        self.row.period_min
    }

    /// Longest delivery time, days.
    #[getter]
    fn period_max(&self) -> Option<u32> {
        self.row.period_max
    }

    /// The columns the reader does not know, by header, in file order (a new dict each
    /// time, copied from the one made on the first read).
    #[getter]
    fn extra_columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.extra_columns_dict(py)
    }

    /// Fields of a ``from_dict`` record that the class does not declare (kept by ``to_dict``).
    #[getter]
    fn extra<'py>(&self, py: Python<'py>) -> Bound<'py, PyDict> {
        self.extra.get_or_init(|| PyDict::new(py).unbind()).bind(py).clone()
    }

    /// The largest order the stock allows (None for an undocumented ``qty`` form).
    #[getter]
    fn max_order(&self) -> Option<u64> {
        self.row.qty.max_order()
    }

    /// Checks an order of ``order_qty`` pieces with the Carreta order rules; raises
    /// :class:`~logibridge.ValidationError`.
    fn check_order(&self, py: Python<'_>, order_qty: &Bound<'_, PyAny>) -> PyResult<()> {
        let min_qty = self.row.min_qty.into_pyobject(py)?.into_any();
        rules::carreta_check_order_qty(py, self.row.qty.raw(), &min_qty, order_qty)
    }

    /// Builds the row from its wire form (or from ``to_dict()`` output); fields the class
    /// does not declare go to ``extra``. A value of the wrong shape raises
    /// :class:`~logibridge.DecodeError` naming its path.
    #[classmethod]
    fn from_dict<'py>(cls: &Bound<'py, PyType>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = cls.py();
        let model = py.import(intern!(py, "logibridge.pricelist"))?.getattr(intern!(py, "_decode_row"))?.call1((data,))?;
        let kwargs = PyDict::new(py);
        for name in FIELDS {
            kwargs.set_item(name, model.getattr(name)?)?;
        }
        let obj = cls.call((), Some(&kwargs))?;
        let extra = model.getattr(intern!(py, "extra"))?.cast_into::<PyDict>()?;
        if !extra.is_empty() {
            let _ = obj.cast::<PriceRow>()?.get().extra.set(extra.unbind());
        }
        Ok(obj)
    }

    /// The row as a dict under its wire names (``extra_columns`` is ``"extra"``), the
    /// record's ``extra`` included. ``mode="json"`` gives the price as a string.
    #[pyo3(signature = (mode="python"))]
    fn to_dict<'py>(&self, py: Python<'py>, mode: &str) -> PyResult<Bound<'py, PyDict>> {
        let json = mode == "json";
        let d = PyDict::new(py);
        d.set_item(intern!(py, "line"), self.row.line)?;
        d.set_item(intern!(py, "code"), &self.row.code)?;
        d.set_item(intern!(py, "maker"), &self.row.maker)?;
        d.set_item(intern!(py, "name"), &self.row.name)?;
        let price = self.price_object(py)?;
        if json {
            d.set_item(intern!(py, "price"), price.str()?)?;
        } else {
            d.set_item(intern!(py, "price"), price)?;
        }
        d.set_item(intern!(py, "qty"), self.row.qty.raw())?;
        d.set_item(intern!(py, "min_qty"), self.row.min_qty)?;
        d.set_item(intern!(py, "period_min"), self.row.period_min)?;
        d.set_item(intern!(py, "period_max"), self.row.period_max)?;
        d.set_item(intern!(py, "extra"), self.extra_columns_dict(py)?)?;
        if let Some(extra) = self.model_extra(py) {
            let encode = py.import(intern!(py, "logibridge._models"))?.getattr(intern!(py, "_encode"))?;
            for (k, v) in extra.iter() {
                if !d.contains(&k)? {
                    d.set_item(&k, encode.call1((py.None(), v, mode))?)?;
                }
            }
        }
        Ok(d)
    }

    /// ``to_dict(mode="json")`` as JSON text.
    #[pyo3(signature = (*, indent=None))]
    fn to_json(&self, py: Python<'_>, indent: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("ensure_ascii", false)?;
        kwargs.set_item("indent", indent)?;
        py.import(intern!(py, "json"))?.call_method("dumps", (self.to_dict(py, "json")?,), Some(&kwargs)).map(Bound::unbind)
    }

    /// A copy with some fields replaced (unknown names are an error).
    #[pyo3(signature = (**changes))]
    fn copy<'py>(slf: &Bound<'py, Self>, changes: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let values = PriceRow::fields(slf)?;
        if let Some(changes) = changes {
            let mut unknown: Vec<String> = Vec::new();
            for k in changes.keys() {
                let k: String = k.extract()?;
                if !FIELDS.contains(&k.as_str()) {
                    unknown.push(k);
                }
            }
            if !unknown.is_empty() {
                unknown.sort();
                return Err(PyTypeError::new_err(format!("PriceRow has no field(s) {}", unknown.join(", "))));
            }
            values.update(changes.as_mapping())?;
        }
        let new = slf.get_type().call((), Some(&values))?;
        if let Some(extra) = slf.get().model_extra(py) {
            let _ = new.cast::<PriceRow>()?.get().extra.set(extra.copy()?.unbind());
        }
        Ok(new)
    }

    fn __richcmp__(&self, py: Python<'_>, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let Ok(other) = other.cast::<PriceRow>() else { return Ok(py.NotImplemented()) };
        let equal = match op {
            CompareOp::Eq | CompareOp::Ne => {
                let o = other.get();
                *self.row == *o.row
                    && match (self.model_extra(py), o.model_extra(py)) {
                        (None, None) => true,
                        (Some(a), Some(b)) => a.eq(b)?,
                        _ => false,
                    }
            }
            _ => return Ok(py.NotImplemented()),
        };
        (if matches!(op, CompareOp::Eq) { equal } else { !equal }).into_py_any(py)
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let mut parts = Vec::with_capacity(FIELDS.len() + 1);
        for name in FIELDS {
            parts.push(format!("{name}={}", slf.getattr(name)?.repr()?));
        }
        if let Some(extra) = slf.get().model_extra(slf.py()) {
            parts.push(format!("extra={}", extra.repr()?));
        }
        Ok(format!("PriceRow({})", parts.join(", ")))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyDict>,))> {
        let from_dict = slf.get_type().getattr(intern!(slf.py(), "from_dict"))?;
        Ok((from_dict, (slf.get().to_dict(slf.py(), "python")?,)))
    }
}
