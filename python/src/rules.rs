//! The services' documented rules and value types, callable without a client: thin calls
//! into the core's pure functions, errors raised as `logibridge.ValidationError`.

use logibridge::carreta::{self, OrderStatus, Qty, QtyKind};
use logibridge::Error;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt};

use crate::errors::to_pyerr;

/// A Python int as i64 for a rule check. Values past i64 are clamped: the rules only
/// compare against small bounds, so a clamped value breaks exactly the rule the real one
/// breaks (too large, or below 1), and nonsense never becomes an OverflowError.
fn clamped_int(name: &str, value: &Bound<'_, PyAny>) -> PyResult<i64> {
    if value.cast::<PyBool>().is_ok() || value.cast::<PyInt>().is_err() {
        let t = value.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        return Err(PyTypeError::new_err(format!("{name} must be an int, got {t}")));
    }
    if let Ok(v) = value.extract::<i64>() {
        return Ok(v);
    }
    let negative = value.lt(0)?;
    Ok(if negative { i64::MIN } else { i64::MAX })
}

fn raise(py: Python<'_>, result: Result<(), logibridge::ValidationError>) -> PyResult<()> {
    result.map_err(|v| to_pyerr(py, &Error::Validation(v)))
}

/// `carreta.check_order_qty`: the order size against the offer's stock text and minimum.
#[pyfunction]
pub fn carreta_check_order_qty(py: Python<'_>, qty: &str, min_qty: &Bound<'_, PyAny>, order_qty: &Bound<'_, PyAny>) -> PyResult<()> {
    let min_qty = clamped_int("min_qty", min_qty)?;
    let order_qty = clamped_int("order_qty", order_qty)?;
    raise(py, carreta::check_order_qty(&Qty::parse(qty), min_qty, order_qty))
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
