//! The services' documented rules and value types, callable without a client: thin calls
//! into the core's pure functions, errors raised as `logibridge.ValidationError`.

use logibridge::carreta::{self, OrderStatus, Qty, QtyKind};
use logibridge::Error;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt};

use crate::errors::{self, to_pyerr};

/// A Python int as the core's rules take it: `i64` when it fits, otherwise its decimal
/// text, so the core refuses it quoting the real value (never a clamped one). Ints past
/// Python's digit limit for `str()` are given in hexadecimal (`0x…`), still refused and
/// quoted. `bool` and every non-int is a TypeError naming the argument.
enum RuleInt {
    Fits(i64),
    Text(String),
}

impl RuleInt {
    fn text(&self) -> String {
        match self {
            RuleInt::Fits(n) => n.to_string(),
            RuleInt::Text(t) => t.clone(),
        }
    }
}

fn rule_int(name: &str, value: &Bound<'_, PyAny>) -> PyResult<RuleInt> {
    if value.cast::<PyBool>().is_ok() || value.cast::<PyInt>().is_err() {
        let t = value.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        return Err(PyTypeError::new_err(format!("{name} must be an int, got {t}")));
    }
    if let Ok(v) = value.extract::<i64>() {
        return Ok(RuleInt::Fits(v));
    }
    let text = match value.str() {
        Ok(s) => s.to_cow()?.into_owned(),
        // ValueError: more digits than sys.get_int_max_str_digits() allows.
        Err(_) => value.py().import("builtins")?.getattr("hex")?.call1((value,))?.str()?.to_cow()?.into_owned(),
    };
    Ok(RuleInt::Text(text))
}

fn raise(py: Python<'_>, result: Result<(), logibridge::ValidationError>) -> PyResult<()> {
    result.map_err(|v| to_pyerr(py, &Error::Validation(v)))
}

/// `carreta.check_order_qty`: the order size against the offer's stock text and minimum.
#[pyfunction]
pub fn carreta_check_order_qty(py: Python<'_>, qty: &str, min_qty: &Bound<'_, PyAny>, order_qty: &Bound<'_, PyAny>) -> PyResult<()> {
    let min_qty = rule_int("min_qty", min_qty)?;
    let order_qty = rule_int("order_qty", order_qty)?;
    match (&min_qty, &order_qty) {
        // The texts of a refusal are written only if read (errors::order_qty_refusal).
        (RuleInt::Fits(min), RuleInt::Fits(order)) => match carreta::order_qty_violation(qty, *min, *order) {
            None => Ok(()),
            Some(v) => Err(errors::order_qty_refusal(py, v)),
        },
        _ => raise(py, carreta::check_order_qty_text(&Qty::parse(qty), &min_qty.text(), &order_qty.text())),
    }
}

/// `carreta.check_client_comment`: at most 50 characters.
#[pyfunction]
pub fn carreta_check_client_comment(py: Python<'_>, comment: &str) -> PyResult<()> {
    raise(py, carreta::check_client_comment(comment))
}

/// What a Carreta `qty` text means: `(kind, n, max_order)` with kind one of `exactly`,
/// `less_than`, `more_than`, `in_stock`, `unknown`.
#[pyfunction]
pub fn carreta_qty_info(qty: &str) -> (&'static str, Option<u64>, Option<u64>) {
    let q = Qty::parse(qty);
    let (kind, n) = match q.kind() {
        QtyKind::Exactly(n) => ("exactly", Some(n)),
        QtyKind::LessThan(n) => ("less_than", Some(n)),
        QtyKind::MoreThan(n) => ("more_than", Some(n)),
        QtyKind::InStock => ("in_stock", None),
        QtyKind::Unknown => ("unknown", None),
    };
    (kind, n, q.max_order())
}

/// Carreta's order statuses as the core knows them: `(code, name, name_ru, name_en)`, in
/// the document's order; `name` is the core's variant name.
#[pyfunction]
pub fn carreta_order_statuses() -> Vec<(i64, String, &'static str, &'static str)> {
    OrderStatus::ALL.iter().map(|s| (s.code(), format!("{s:?}"), s.name_ru(), s.name_en())).collect()
}

/// The UTC offset, in seconds, of the times Carreta writes without a zone (shop time).
#[pyfunction]
pub fn carreta_utc_offset() -> i32 {
    carreta::moscow().local_minus_utc()
}
