//! `_native.Client`: one handle for any service, called by endpoint id.
//!
//! Every Python method of every service goes through [`Client::call`] (sync, the GIL
//! released while the request runs and its answer is parsed) or [`Client::call_async`] (an
//! asyncio awaitable driven by the core's shared tokio runtime through pyo3-async-runtimes).
//! The only per-service code is how a client is built from its options, because each
//! service authenticates differently.

use std::sync::mpsc;
use std::sync::RwLock;
use std::time::Duration;

use logibridge::{AnyClient, Error};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::Value;

use crate::convert;
use crate::errors::{invalid_argument, to_pyerr};

/// The options every service's client accepts.
struct Options {
    base_url: Option<String>,
    account: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_retries: Option<u32>,
}

fn seconds(py: Python<'_>, name: &str, value: Option<f64>) -> PyResult<Option<Duration>> {
    match value {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(Some(Duration::from_secs_f64(s))),
        Some(s) => Err(invalid_argument(py, format!("{name} must be a number of seconds in (0, 86400], got {s}"))),
    }
}

/// Builds the core client of a service: the one place a new service adds an arm.
fn build(service: &str, api_key: &str, o: &Options) -> Result<AnyClient, Error> {
    match service {
        "carreta" => {
            let mut b = logibridge::carreta::Client::builder(api_key);
            if let Some(u) = &o.base_url {
                b = b.base_url(u.clone());
            }
            if let Some(a) = &o.account {
                b = b.account(a.clone());
            }
            if let Some(t) = o.timeout {
                b = b.timeout(t);
            }
            if let Some(t) = o.connect_timeout {
                b = b.connect_timeout(t);
            }
            if let Some(n) = o.max_retries {
                b = b.max_retries(n);
            }
            Ok(AnyClient::from(b.build()?))
        }
        other => Err(Error::InvalidArgument(format!("unknown service {other:?}; this build speaks: carreta"))),
    }
}

/// The default base URL of a service.
pub fn default_base_url(service: &str) -> Option<&'static str> {
    match service {
        "carreta" => Some(logibridge::carreta::DEFAULT_BASE_URL),
        _ => None,
    }
}

/// A copy of a core client with another account and/or retry count (sharing its pool).
fn derive(client: &AnyClient, account: Option<Option<String>>, max_retries: Option<u32>) -> Result<AnyClient, Error> {
    match client {
        AnyClient::Carreta(c) => {
            let mut c = c.clone();
            if let Some(a) = account {
                c = c.with_account(a);
            }
            if let Some(n) = max_retries {
                c = c.with_max_retries(n);
            }
            Ok(AnyClient::from(c))
        }
        #[allow(unreachable_patterns)]
        _ => Err(Error::Internal("with_options is not available for this service".into())),
    }
}

/// A client of one service. Safe to share between threads: calls clone the core client
/// (cheap; clones share the connection pool) and never hold a lock while they run.
#[pyclass(module = "logibridge._native", name = "Client", frozen)]
pub struct Client {
    service: String,
    base_url: String,
    account: Option<String>,
    inner: RwLock<Option<AnyClient>>,
}

/// The process that loaded the module: the core's runtime threads live there only.
static LOADED_IN: std::sync::OnceLock<u32> = std::sync::OnceLock::new();

/// Remembers the loading process (called from the module's init).
pub fn remember_process() {
    let _ = LOADED_IN.set(std::process::id());
}

impl Client {
    fn client(&self, py: Python<'_>) -> PyResult<AnyClient> {
        if LOADED_IN.get().is_some_and(|pid| *pid != std::process::id()) {
            // After fork() the child has no runtime threads: a call would wait forever.
            return Err(invalid_argument(
                py,
                "logibridge clients cannot be used in a process forked after the module was imported; create them in the child with the 'spawn' or 'forkserver' start method",
            ));
        }
        let guard = self.inner.read().unwrap_or_else(|e| e.into_inner());
        guard.clone().ok_or_else(|| invalid_argument(py, format!("this {} client is closed", self.service)))
    }

    fn params(params: Option<&Bound<'_, PyAny>>) -> PyResult<Value> {
        match params {
            None => Ok(Value::Null),
            Some(p) if p.is_none() => Ok(Value::Null),
            Some(p) => convert::to_json(p),
        }
    }
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (service, api_key, *, base_url=None, account=None, timeout=None, connect_timeout=None, max_retries=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        service: &str,
        api_key: &str,
        base_url: Option<String>,
        account: Option<String>,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        max_retries: Option<i64>,
    ) -> PyResult<Self> {
        let max_retries = match max_retries {
            None => None,
            Some(n) if (0..=100).contains(&n) => Some(n as u32),
            Some(n) => return Err(invalid_argument(py, format!("max_retries must be within 0..=100, got {n}"))),
        };
        let options = Options {
            base_url,
            account,
            timeout: seconds(py, "timeout", timeout)?,
            connect_timeout: seconds(py, "connect_timeout", connect_timeout)?,
            max_retries,
        };
        let inner = build(service, api_key, &options).map_err(|e| to_pyerr(py, &e))?;
        let base_url = match &options.base_url {
            // Shown in repr() and logs: a password or key in the URL itself is masked.
            Some(u) => logibridge::transport::parse_base_url(u).map(|u| logibridge::redact_url(&u)).unwrap_or_default(),
            None => default_base_url(service).unwrap_or_default().to_owned(),
        };
        Ok(Client { service: service.to_owned(), base_url, account: options.account, inner: RwLock::new(Some(inner)) })
    }

    /// The service prefix (`carreta`, …).
    #[getter]
    fn service(&self) -> &str {
        &self.service
    }

    /// The base URL in force (never holds the key: keys travel separately).
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The account the client acts for, if one was chosen.
    #[getter]
    fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// Whether [`Client::close`] was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner.read().unwrap_or_else(|e| e.into_inner()).is_none()
    }

    /// Calls an endpoint by id and waits for the answer. The GIL is released while the
    /// request runs; Ctrl-C interrupts the wait.
    #[pyo3(signature = (endpoint, params=None))]
    fn call<'py>(&self, py: Python<'py>, endpoint: String, params: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client(py)?;
        let params = Self::params(params)?;
        let (tx, mut rx) = mpsc::sync_channel(1);
        let task = logibridge::blocking::runtime().spawn(async move {
            let result = client.call(&endpoint, params).await;
            let _ = tx.send(result);
        });
        loop {
            // The receiver moves in and out of the detached closure (it is Send, not Sync).
            let (received, back) = py.detach(move || (rx.recv_timeout(Duration::from_millis(100)), rx));
            rx = back;
            match received {
                Ok(Ok(value)) => return convert::to_py(py, &value),
                Ok(Err(e)) => return Err(to_pyerr(py, &e)),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Err(interrupted) = py.check_signals() {
                        task.abort();
                        return Err(interrupted);
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(to_pyerr(py, &Error::Internal("the request task ended without an answer".into())));
                }
            }
        }
    }

    /// Calls an endpoint by id; returns an awaitable for the running asyncio loop.
    #[pyo3(signature = (endpoint, params=None))]
    fn call_async<'py>(&self, py: Python<'py>, endpoint: String, params: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client(py)?;
        let params = Self::params(params)?;
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let result = client.call(&endpoint, params).await;
            Python::attach(|py| match result {
                Ok(value) => convert::to_py(py, &value).map(Bound::unbind),
                Err(e) => Err(to_pyerr(py, &e)),
            })
        })
    }

    /// A client sharing this one's connections, with another account and/or retry count.
    #[pyo3(signature = (*, set_account=false, account=None, max_retries=None))]
    fn with_options(&self, py: Python<'_>, set_account: bool, account: Option<String>, max_retries: Option<i64>) -> PyResult<Client> {
        let max_retries = match max_retries {
            None => None,
            Some(n) if (0..=100).contains(&n) => Some(n as u32),
            Some(n) => return Err(invalid_argument(py, format!("max_retries must be within 0..=100, got {n}"))),
        };
        let inner = derive(&self.client(py)?, set_account.then(|| account.clone()), max_retries).map_err(|e| to_pyerr(py, &e))?;
        Ok(Client {
            service: self.service.clone(),
            base_url: self.base_url.clone(),
            account: if set_account { account } else { self.account.clone() },
            inner: RwLock::new(Some(inner)),
        })
    }

    /// Drops this handle's connections. Calls in flight finish; later calls raise.
    fn close(&self) {
        self.inner.write().unwrap_or_else(|e| e.into_inner()).take();
    }

    fn __repr__(&self) -> String {
        format!(
            "<logibridge._native.Client service={:?} base_url={:?} account={:?}{}>",
            self.service,
            self.base_url,
            self.account,
            if self.closed() { " closed" } else { "" }
        )
    }
}

/// The endpoint table as a list of dicts (`id`, `service`, `method`, `path`, `idempotent`).
#[pyfunction]
pub fn endpoints(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    logibridge::endpoints::ENDPOINTS
        .iter()
        .map(|e| {
            let d = PyDict::new(py);
            d.set_item("id", e.id)?;
            d.set_item("service", e.service.prefix())?;
            d.set_item("method", e.method.to_string())?;
            d.set_item("path", e.path)?;
            d.set_item("idempotent", e.idempotent)?;
            Ok(d)
        })
        .collect()
}
