//! `_native.Pages`: the core's walk of one paged call ([`logibridge::Pager`]) driven from
//! Python one page at a time, with the total the service announced (CARGO.RUN's
//! `X-MetaCount`). The pager is the core's, so the paging rule (OData `$top`/`$skip` of 50,
//! a short page is the last) is written once.

use std::sync::{Arc, Mutex};

use logibridge::{Error, Pager};
use pyo3::prelude::*;
use serde_json::Value;

use crate::aio;
use crate::client::wait_interruptibly;
use crate::convert;

type Shared = Arc<Mutex<Option<Pager<Value>>>>;

/// The pages of one call, fetched as they are asked for; items are JSON in the documented
/// form (what the generic entry returns).
#[pyclass(module = "logibridge._native", name = "Pages", frozen)]
pub struct Pages {
    pager: Shared,
}

impl Pages {
    pub(crate) fn new(pager: Pager<Value>) -> Pages {
        Pages { pager: Arc::new(Mutex::new(Some(pager))) }
    }
}

/// One page and the total after it (`None`: no page left). The pager is taken out while its
/// page is fetched: a second walker of the same pager meanwhile is refused, not interleaved.
async fn next(pager: Shared) -> logibridge::Result<(Option<Vec<Value>>, Option<u64>)> {
    let taken = pager.lock().unwrap_or_else(|e| e.into_inner()).take();
    let Some(mut walk) = taken else {
        return Err(Error::invalid_argument("this pager is already fetching a page: walk it from one place at a time", "этот пейджер уже получает страницу: обходите его из одного места"));
    };
    let page = walk.next_page().await;
    let total = walk.total();
    *pager.lock().unwrap_or_else(|e| e.into_inner()) = Some(walk);
    page.map(|items| (items, total))
}

fn answer(py: Python<'_>, (items, total): (Option<Vec<Value>>, Option<u64>)) -> PyResult<Py<PyAny>> {
    let items = match items {
        Some(items) => convert::to_py(py, &Value::Array(items))?.unbind(),
        None => py.None(),
    };
    Ok((items, total).into_pyobject(py)?.into_any().unbind())
}

#[pymethods]
impl Pages {
    /// `(items, total)`: the next page's items (None after the last page) and the total
    /// count the service announced so far (None when it announced none). Blocks with the GIL
    /// released.
    fn next_page(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let outcome = wait_interruptibly(py, next(self.pager.clone()))?;
        answer(py, outcome)
    }

    /// [`Pages::next_page`] for the running asyncio loop: an awaitable of `(items, total)`.
    fn next_page_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        aio::spawn(py, "next page".to_owned(), next(self.pager.clone()), answer)
    }

    fn __repr__(&self) -> String {
        "<logibridge._native.Pages>".to_owned()
    }
}
