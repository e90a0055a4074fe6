//! `_native.Client`: one handle for any service, built from its options by name and called
//! by endpoint id.
//!
//! Nothing here knows a service: the core's [`logibridge::Client`] is built from the
//! service's spec (`Client::for_service`) with every option passed through
//! [`logibridge::ClientBuilder::option`] under its one name (`api_key`, `token`,
//! `base_url`, `timeout`, `max_retries`, `account`, …), so the core checks every limit and
//! a service registered at run time works like a built-in one. Calls go through
//! [`Client::call`] (sync, the GIL released while the request runs and its answer is
//! parsed) or [`Client::call_async`] (an asyncio awaitable driven by the core's shared tokio
//! runtime, see [`crate::aio`]).
//!
//! A client belongs to the process that made it: after `fork()` its connections and the
//! runtime that serves them are the parent's, so in the child every call raises
//! `ForkedClientError` (a client made in the child works: the core makes the child a
//! runtime of its own), and the child never frees the parent's connections either.

use std::sync::RwLock;
use std::time::Duration;

use logibridge::Error;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyString};
use serde_json::{Map, Value};

use crate::aio;
use crate::convert;
use crate::errors::{invalid_argument, to_pyerr};
use crate::models::{self, ModelReader};

/// A client of one service. Safe to share between threads: calls clone the core client
/// (cheap; clones share the connection pool) and never hold a lock while they run.
#[pyclass(module = "logibridge._native", name = "Client", frozen)]
pub struct Client {
    service: &'static str,
    base_url: String,
    inner: RwLock<Option<logibridge::Client>>,
    /// The process that made it: its pid (for messages) and fork generation (to compare).
    made_in: (u32, u64),
}

/// This process, as [`Client::made_in`] records it.
fn this_process() -> (u32, u64) {
    (std::process::id(), logibridge::blocking::fork_generation())
}

impl Drop for Client {
    fn drop(&mut self) {
        if self.made_in.1 != logibridge::blocking::fork_generation() {
            // The parent's connections: closing them here would deregister the parent's
            // sockets from the epoll set both processes share.
            std::mem::forget(self.inner.get_mut().unwrap_or_else(|e| e.into_inner()).take());
        }
    }
}

/// How often a waiting sync call looks for Ctrl-C.
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// Options as the core takes them: a dict of names to JSON values. A float JSON cannot hold
/// (NaN, infinity) goes as its text, so the core's own limit check reports it against the
/// option's name; any other value that has no JSON form is an invalid argument naming it.
fn options(options: Option<&Bound<'_, PyDict>>) -> PyResult<Map<String, Value>> {
    let mut map = Map::new();
    let Some(options) = options else { return Ok(map) };
    for (name, value) in options.iter() {
        let name: String = name.cast::<PyString>().map_err(|_| invalid_argument(name.py(), "option names must be strings", "названия настроек должны быть строками"))?.to_cow()?.into_owned();
        let json = match value.cast::<PyFloat>() {
            Ok(f) if !f.value().is_finite() => Value::String(f.value().to_string()),
            _ => convert::to_json(&value).map_err(|e| {
                let why = e.value(value.py()).to_string();
                to_pyerr(value.py(), &Error::invalid_param("client", &name, "option.type", why.clone(), why))
            })?,
        };
        map.insert(name, json);
    }
    Ok(map)
}

/// The base URL a client shows in `repr()` and logs: a password or key in the URL itself
/// is masked.
fn shown_base_url(client: &logibridge::Client) -> String {
    logibridge::redact_url(&client.config().base_url)
}

/// Runs a call on the shared runtime and waits on this thread with the GIL released,
/// looking for Ctrl-C between waits (which aborts the call). A panic inside becomes an
/// internal error with the panic's text.
pub(crate) fn wait_interruptibly<T, F>(py: Python<'_>, call: F) -> PyResult<T>
where
    T: Send + 'static,
    F: std::future::Future<Output = logibridge::Result<T>> + Send + 'static,
{
    let mut task = logibridge::blocking::runtime().spawn(call);
    loop {
        // The handle moves in and out of the detached closure (it is Send, not Sync).
        let (waited, back) = py.detach(move || {
            // The timer is made inside the future: it needs the runtime's context.
            let waited = logibridge::blocking::block_on(async { tokio::time::timeout(SIGNAL_CHECK, &mut task).await });
            (waited, task)
        });
        task = back;
        match waited {
            Err(e) => {
                task.abort();
                return Err(to_pyerr(py, &e));
            }
            Ok(Ok(Ok(result))) => return result.map_err(|e| to_pyerr(py, &e)),
            Ok(Ok(Err(join))) => {
                let message = if join.is_panic() { logibridge::blocking::panic_message(join.into_panic().as_ref()) } else { "the call was cancelled".to_owned() };
                return Err(to_pyerr(py, &Error::Internal(message)));
            }
            Ok(Err(_still_running)) => {
                if let Err(interrupted) = py.check_signals() {
                    task.abort();
                    return Err(interrupted);
                }
            }
        }
    }
}

impl Client {
    pub(crate) fn client(&self, py: Python<'_>) -> PyResult<logibridge::Client> {
        if self.made_in.1 != logibridge::blocking::fork_generation() {
            return Err(self.forked(py));
        }
        let guard = self.inner.read().unwrap_or_else(|e| e.into_inner());
        guard.clone().ok_or_else(|| invalid_argument(py, format!("this {} client is closed", self.service), format!("этот клиент {} закрыт", self.service)))
    }

    fn params(params: Option<&Bound<'_, PyAny>>) -> PyResult<Value> {
        match params {
            None => Ok(Value::Null),
            Some(p) => convert::to_json(p),
        }
    }

    fn wrap(&self, inner: logibridge::Client) -> Client {
        Client { service: self.service, base_url: self.base_url.clone(), inner: RwLock::new(Some(inner)), made_in: self.made_in }
    }

    /// `ForkedClientError` for a call in a process forked from the one that made the
    /// client: its connections and the runtime serving them are the parent's (without
    /// this, a call would wait forever for threads the child does not have).
    fn forked(&self, py: Python<'_>) -> PyErr {
        let (parent, now) = (self.made_in.0, std::process::id());
        let service = self.service;
        let en = format!(
            "this {service} client was made in process {parent} and cannot be used in process {now}, made from it by fork(): its connections belong to the parent; make the client in the child after the fork (in the worker, for gunicorn --preload, celery prefork or multiprocessing)"
        );
        let ru = format!(
            "этот клиент {service} создан в процессе {parent} и не может работать в процессе {now}, порождённом от него через fork(): его соединения принадлежат родителю; создайте клиент в дочернем процессе после fork (в рабочем процессе — для gunicorn --preload, celery prefork или multiprocessing)"
        );
        let build = || -> PyResult<PyErr> {
            let kwargs = PyDict::new(py);
            kwargs.set_item("code", "forked_client")?;
            kwargs.set_item("message_ru", &ru)?;
            let class = py.import("logibridge._exceptions")?.getattr("ForkedClientError")?;
            Ok(PyErr::from_value(class.call((&en,), Some(&kwargs))?))
        };
        build().unwrap_or_else(|missing| to_pyerr(py, &Error::invalid_argument(format!("{en} ({missing})"), ru.clone())))
    }
}

#[pymethods]
impl Client {
    /// A client of `service` (`carreta`, or a registered prefix) with `options` by name:
    /// the service's credentials, `base_url`, `timeout` and `connect_timeout` (seconds),
    /// `max_retries`, the service's common parameters (`account`). `None` leaves an option
    /// at its default. Every check (a missing credential, a limit, an unknown name) is the
    /// core's.
    #[new]
    #[pyo3(signature = (service, options=None))]
    fn new(py: Python<'_>, service: &str, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let options = self::options(options)?;
        let inner = py
            .detach(|| logibridge::Client::for_service(service).and_then(|b| b.options(&options).build()))
            .map_err(|e| to_pyerr(py, &e))?;
        Ok(Client { service: inner.service().prefix, base_url: shown_base_url(&inner), inner: RwLock::new(Some(inner)), made_in: this_process() })
    }

    /// The service prefix (`carreta`, …).
    #[getter]
    fn service(&self) -> &'static str {
        self.service
    }

    /// The base URL in force (never holds the key: keys travel separately).
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The client's default of a common parameter (`account`), or None.
    fn param<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let guard = self.inner.read().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref().and_then(|c| c.param(name)) {
            Some(v) => convert::to_py(py, v),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// Whether [`Client::close`] was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner.read().unwrap_or_else(|e| e.into_inner()).is_none()
    }

    /// Calls an endpoint by id and waits for the answer: JSON-shaped, or the model objects
    /// of `reader` (built natively when the answer is in the documented form). The GIL is
    /// released while the request runs and its answer is parsed; Ctrl-C interrupts the wait.
    #[pyo3(signature = (endpoint, params=None, reader=None))]
    fn call<'py>(&self, py: Python<'py>, endpoint: String, params: Option<&Bound<'py, PyAny>>, reader: Option<Bound<'py, ModelReader>>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client(py)?;
        let params = Self::params(params)?;
        let Some(reader) = reader else {
            let value = wait_interruptibly(py, async move { client.call(&endpoint, params).await })?;
            return convert::to_py(py, &value);
        };
        let r = reader.get();
        match r.plan(py).filter(|_| !models::wants_all(&params)) {
            Some(plan) => {
                let spec = r.spec();
                let outcome = wait_interruptibly(py, models::fetch(client, plan, spec, params))?;
                r.finish(py, plan, outcome)
            }
            None => {
                let value = wait_interruptibly(py, async move { client.call(&endpoint, params).await })?;
                r.fallback(py, &value)
            }
        }
    }

    /// Calls an endpoint by id; returns an awaitable for the running asyncio loop (its
    /// result as for [`Client::call`]).
    #[pyo3(signature = (endpoint, params=None, reader=None))]
    fn call_async<'py>(&self, py: Python<'py>, endpoint: String, params: Option<&Bound<'py, PyAny>>, reader: Option<Bound<'py, ModelReader>>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client(py)?;
        let params = Self::params(params)?;
        let plan = reader.as_ref().and_then(|r| r.get().plan(py)).filter(|_| !models::wants_all(&params));
        let reader = reader.map(Bound::unbind);
        match (reader, plan) {
            (Some(reader), Some(plan)) => {
                let spec = reader.get().spec();
                aio::spawn(py, endpoint, models::fetch(client, plan, spec, params), move |py, answer| {
                    reader.get().finish(py, plan, answer).map(Bound::unbind)
                })
            }
            (reader, _) => {
                let id = endpoint.clone();
                aio::spawn(py, endpoint, async move { client.call(&id, params).await }, move |py, value| match &reader {
                    Some(r) => r.get().fallback(py, &value).map(Bound::unbind),
                    None => convert::to_py(py, &value).map(Bound::unbind),
                })
            }
        }
    }

    /// Calls by HTTP method and path (`logibridge::Client::call_path`: a path the table has
    /// no row for is sent as given; a path of the service's Swagger is checked like its
    /// row) and waits; `params` is `{"query": {...}, "body": ...}`.
    #[pyo3(signature = (method, path, params=None))]
    fn call_path<'py>(&self, py: Python<'py>, method: String, path: String, params: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client(py)?;
        let params = Self::params(params)?;
        let value = wait_interruptibly(py, async move { client.call_path(&method, &path, params).await })?;
        convert::to_py(py, &value)
    }

    /// [`Client::call_path`] as an awaitable for the running asyncio loop.
    #[pyo3(signature = (method, path, params=None))]
    fn call_path_async<'py>(&self, py: Python<'py>, method: String, path: String, params: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client(py)?;
        let params = Self::params(params)?;
        let what: String = format!("{method} {path}").chars().take(200).collect();
        aio::spawn(py, what, async move { client.call_path(&method, &path, params).await }, move |py, value| convert::to_py(py, &value).map(Bound::unbind))
    }

    /// The pages of a paged call (`logibridge::Client::json_pages`), walked by the core's
    /// pager: `Pages.next_page()` gives each page's JSON items and the announced total.
    #[pyo3(signature = (endpoint, params=None))]
    fn pages(&self, py: Python<'_>, endpoint: &str, params: Option<&Bound<'_, PyAny>>) -> PyResult<crate::pages::Pages> {
        let client = self.client(py)?;
        let params = Self::params(params)?;
        let ep = client.endpoint(endpoint).map_err(|e| to_pyerr(py, &e))?;
        Ok(crate::pages::Pages::new(client.json_pages(ep, params)))
    }

    /// A client sharing this one's connections with options changed by name:
    /// `max_retries`, or a common parameter (`account`; None removes its default). The
    /// core says which options may change and checks their limits.
    #[pyo3(signature = (options=None))]
    fn with_options(&self, py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Client> {
        let mut inner = self.client(py)?;
        for (name, value) in self::options(options)? {
            inner = inner.with_option(&name, value).map_err(|e| to_pyerr(py, &e))?;
        }
        Ok(self.wrap(inner))
    }

    /// Drops this handle's connections. Calls in flight finish; later calls raise. In a
    /// forked child the parent's connections are left alone (see [`Drop`]).
    fn close(&self) {
        let inner = self.inner.write().unwrap_or_else(|e| e.into_inner()).take();
        if self.made_in.1 != logibridge::blocking::fork_generation() {
            std::mem::forget(inner);
        }
    }

    fn __repr__(&self) -> String {
        format!("<logibridge._native.Client service={:?} base_url={:?}{}>", self.service, self.base_url, if self.closed() { " closed" } else { "" })
    }
}

/// The endpoint table (`logibridge::endpoints::describe_all`): a list of service
/// descriptions, each with its `endpoints` and every parameter of each. With `service`,
/// only that service's description (an empty list for an unknown prefix): the Python
/// clients load their own service's rows, not the whole table (CARGO.RUN's ~890 generic
/// rows cost a Carreta script ~0.1 s at import).
#[pyfunction]
#[pyo3(signature = (service = None))]
pub fn endpoints<'py>(py: Python<'py>, service: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
    let table = match service {
        None => logibridge::endpoints::describe_all(),
        Some(prefix) => Value::Array(logibridge::endpoints::service(prefix).map(logibridge::endpoints::describe_service).into_iter().collect()),
    };
    convert::to_py(py, &table)
}

/// Declares a service from its JSON description (`logibridge::endpoints::register`) and
/// returns its description as the table now holds it.
#[pyfunction]
pub fn register_service<'py>(py: Python<'py>, description: &str) -> PyResult<Bound<'py, PyAny>> {
    let spec = logibridge::endpoints::register(description).map_err(|e| to_pyerr(py, &e))?;
    convert::to_py(py, &logibridge::endpoints::describe_service(spec))
}
