//! A natively read page held by the model objects made from it ([`RawPage`]), and the
//! models' `__getattr__` ([`lazy_attr`]) that makes a record's fields on its first read.

use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::exceptions::{PyAttributeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use super::pass::Page;
use super::schema::Schema;
use crate::convert;

/// A natively read page: what each model object built by [`Schema::build`] holds (as
/// `_lb_raw`, with its record's number as `_lb_i`) until its fields have been read.
#[pyclass(module = "logibridge._native", name = "RawPage", frozen)]
pub struct RawPage {
    pub(super) page: Page,
    pub(super) schema: Py<Schema>,
    /// Per record: whether its fields were handed to its instance.
    pub(super) done: Box<[AtomicBool]>,
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
