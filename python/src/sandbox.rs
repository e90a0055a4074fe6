//! `_native.Sandbox`: the embedded emulators (crate `logibridge-sandbox`) in this process.

use std::sync::Mutex;

use logibridge_sandbox::{Sandbox as Inner, SandboxConfig};
use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;

/// A running sandbox: its own thread and runtime, on a free port of 127.0.0.1.
#[pyclass(module = "logibridge._native", name = "Sandbox", frozen)]
pub struct Sandbox {
    inner: Mutex<Option<Inner>>,
    base_url: String,
    carreta_url: String,
    carreta_api_key: String,
    ireca_url: String,
    ireca_token: String,
    cargorun_url: String,
    cargorun_username: String,
    cargorun_password: String,
}

#[pymethods]
impl Sandbox {
    #[new]
    #[pyo3(signature = (*, seed=None, carreta_api_key=None, ireca_token=None))]
    fn new(
        py: Python<'_>,
        seed: Option<u64>,
        carreta_api_key: Option<String>,
        ireca_token: Option<String>,
    ) -> PyResult<Self> {
        let mut config = SandboxConfig::default();
        if let Some(s) = seed {
            config.seed = s;
        }
        if let Some(k) = carreta_api_key {
            config.carreta_api_key = k;
        }
        if let Some(t) = ireca_token {
            config.ireca_token = t;
        }
        let inner = py
            .detach(move || Inner::start_with(config))
            .map_err(|e| PyOSError::new_err(format!("the sandbox could not start: {e}")))?;
        Ok(Sandbox {
            base_url: inner.base_url(),
            carreta_url: inner.carreta_url(),
            carreta_api_key: inner.carreta_api_key().to_owned(),
            ireca_url: inner.ireca_url(),
            ireca_token: inner.ireca_token().to_owned(),
            cargorun_url: inner.cargorun_url(),
            cargorun_username: inner.cargorun_username().to_owned(),
            cargorun_password: inner.cargorun_password().to_owned(),
            inner: Mutex::new(Some(inner)),
        })
    }

    /// `http://127.0.0.1:PORT/`.
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `http://127.0.0.1:PORT/carreta/v1/`.
    #[getter]
    fn carreta_url(&self) -> &str {
        &self.carreta_url
    }

    /// The `api_key` the Carreta emulator accepts.
    #[getter]
    fn carreta_api_key(&self) -> &str {
        &self.carreta_api_key
    }

    /// `http://127.0.0.1:PORT/ireca/api/v1/`.
    #[getter]
    fn ireca_url(&self) -> &str {
        &self.ireca_url
    }

    /// The Bearer token the iRECA emulator accepts.
    #[getter]
    fn ireca_token(&self) -> &str {
        &self.ireca_token
    }

    /// `http://127.0.0.1:PORT/cargorun/` (the customer's base URL of the CARGO.RUN emulator).
    #[getter]
    fn cargorun_url(&self) -> &str {
        &self.cargorun_url
    }

    /// The user name the CARGO.RUN emulator accepts.
    #[getter]
    fn cargorun_username(&self) -> &str {
        &self.cargorun_username
    }

    /// The password the CARGO.RUN emulator accepts.
    #[getter]
    fn cargorun_password(&self) -> &str {
        &self.cargorun_password
    }

    /// Whether the server is still running.
    #[getter]
    fn running(&self) -> bool {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    /// Stops the server (gracefully, waiting for its thread). Stopping twice is harmless.
    fn stop(&self, py: Python<'_>) {
        let taken = self.inner.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(s) = taken {
            py.detach(move || s.stop());
        }
    }

    fn __repr__(&self) -> String {
        format!("<logibridge._native.Sandbox {}{}>", self.base_url, if self.running() { "" } else { " stopped" })
    }
}

/// Every part code in the sandbox's Carreta catalogue.
#[pyfunction]
pub fn sandbox_carreta_codes(py: Python<'_>) -> Vec<String> {
    py.detach(logibridge_sandbox::carreta_catalogue_codes)
}
