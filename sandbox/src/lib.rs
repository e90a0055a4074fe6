//! Offline emulator of the services logibridge talks to.
//!
//! Today it serves the Carreta auto-parts shop API under `/carreta/v1/` (plus the published
//! price list at `/carreta/pricelist.csv`) and the iRECA Courier API under `/ireca/api/v1/`
//! ([`ireca`]) and CARGO.RUN Logistics 2.0 under `/cargorun/` ([`cargorun`]). The rules it enforces come from the services' documents, not from the
//! client crate: it is the server half of the contract, so a client bug cannot hide behind a
//! matching sandbox bug.
//!
//! A control API under `/_control/` lets tests and demos play the other side (advance an
//! order's status), inject faults and read the request log.
//!
//! Every error is answered in the service's documented shape (Carreta `{"error": "..."}`,
//! iRECA `{"error": true, "message": "..."}`) as JSON, whatever produced it (a handler, the router, a body over [`MAX_BODY_BYTES`]); only an
//! injected fault answers with the body the test gave it.
//!
//! ```no_run
//! let sandbox = logibridge_sandbox::Sandbox::start().unwrap();
//! println!("{} key={}", sandbox.carreta_url(), sandbox.carreta_api_key());
//! sandbox.stop();
//! ```

pub mod cargorun;
pub mod carreta;
pub mod control;
mod error;
pub mod ireca;
pub mod pricelist;

pub(crate) use error::ApiError;
pub use error::MAX_BODY_BYTES;

use std::future::IntoFuture;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::Router;

/// Settings of one sandbox instance.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The `api_key` the Carreta emulator accepts. Default `"sandbox-carreta-key"`.
    pub carreta_api_key: String,
    /// Seed of the generated catalogue and of the offer-signature secret. Default 1.
    pub seed: u64,
    /// The Bearer token the iRECA emulator accepts. Default [`DEFAULT_IRECA_TOKEN`].
    pub ireca_token: String,
    /// The user name the CARGO.RUN emulator accepts. Default [`DEFAULT_CARGORUN_USERNAME`].
    pub cargorun_username: String,
    /// The password the CARGO.RUN emulator accepts. Default [`DEFAULT_CARGORUN_PASSWORD`].
    pub cargorun_password: String,
    /// Threads serving requests. 1 (the default): one thread, enough for tests and cheapest
    /// when many sandboxes run at once; N ≥ 2: a pool of N workers, so a benchmark driving
    /// many connections measures the client, not a sandbox held to one core; 0: one worker
    /// per core ([`std::thread::available_parallelism`]).
    pub threads: usize,
}

impl SandboxConfig {
    /// Refuses a configuration the emulator cannot honour: an empty or blank
    /// `carreta_api_key` (a client sending `api_key=` with nothing would pass as
    /// authorised, unlike the service). The message names the field.
    pub fn check(&self) -> Result<(), String> {
        if self.carreta_api_key.trim().is_empty() {
            return Err("carreta_api_key must not be empty or blank.".into());
        }
        // A blank token would make `Authorization: Bearer ` look authorised.
        if self.ireca_token.trim().is_empty() {
            return Err("ireca_token must not be empty or blank.".into());
        }
        if self.cargorun_username.trim().is_empty() || self.cargorun_password.is_empty() {
            return Err("cargorun_username and cargorun_password must not be empty.".into());
        }
        Ok(())
    }
}

/// Default Carreta API key.
pub const DEFAULT_CARRETA_API_KEY: &str = "sandbox-carreta-key";

/// Default iRECA token.
pub const DEFAULT_IRECA_TOKEN: &str = ireca::DEFAULT_TOKEN;

/// Default CARGO.RUN user name.
pub const DEFAULT_CARGORUN_USERNAME: &str = cargorun::DEFAULT_USERNAME;

/// Default CARGO.RUN password.
pub const DEFAULT_CARGORUN_PASSWORD: &str = cargorun::DEFAULT_PASSWORD;

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            carreta_api_key: DEFAULT_CARRETA_API_KEY.to_string(),
            seed: 1,
            ireca_token: DEFAULT_IRECA_TOKEN.to_string(),
            cargorun_username: DEFAULT_CARGORUN_USERNAME.to_string(),
            cargorun_password: DEFAULT_CARGORUN_PASSWORD.to_string(),
            threads: 1,
        }
    }
}

/// Number of offers in the Carreta catalogue (the same for every seed).
pub fn carreta_catalogue_len() -> usize {
    carreta::catalogue::catalogue_len()
}

/// Every part code in the Carreta catalogue; searching any of them returns its offers and
/// its analogues.
pub fn carreta_catalogue_codes() -> Vec<String> {
    carreta::catalogue::Catalogue::generate(1).codes()
}

/// Shared state of all services and the control API.
pub struct AppState {
    pub(crate) carreta: carreta::CarretaState,
    pub(crate) ireca: ireca::IrecaState,
    pub(crate) cargorun: cargorun::CargorunState,
    pub(crate) control: control::ControlState,
}

/// The whole sandbox as an axum router, for embedding in another server. Most callers want
/// [`Sandbox`] instead.
pub fn app(config: SandboxConfig) -> Router {
    let state = Arc::new(AppState {
        carreta: carreta::CarretaState::new(&config),
        ireca: ireca::IrecaState::new(&config.ireca_token),
        cargorun: cargorun::CargorunState::new(
            &config.cargorun_username,
            &config.cargorun_password,
        ),
        control: control::ControlState::default(),
    });
    Router::new()
        .merge(carreta::routes())
        .merge(ireca::routes())
        .merge(control::routes())
        .merge(ireca::courier::routes())
        .merge(cargorun::control::routes())
        .fallback(not_found)
        // After the routes: it is set on the routes present when it is called.
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(error::documented_errors))
        // After the JSON error net: CARGO.RUN answers its errors in plain text.
        .merge(cargorun::routes())
        // Outermost, so injected faults keep the bodies the test asked for.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            control::intercept,
        ))
        .with_state(state)
}

/// The router's 404, in the shape of the service the path belongs to.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if ireca::owns(uri.path()) {
        ireca::page_not_found().into_response()
    } else {
        error::not_found().await.into_response()
    }
}

/// Decoded query parameters in their original order; repeated keys are kept, which
/// `client_comment` filtering needs and axum's `Query` cannot give.
#[derive(Debug, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        Params(
            url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    pub(crate) fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// The numeric `{id}` of a route, or `None` when it is not one (letters, a number too large,
/// bytes that are not UTF-8): the shop answers every such id "Not found." (404), after the
/// key is checked, so the handler decides, not a 400 from the extractor.
pub(crate) struct IdParam(pub(crate) Option<u64>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for IdParam {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let id = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|axum::extract::Path(raw)| raw.parse().ok());
        Ok(IdParam(id))
    }
}

impl IdParam {
    /// The id, or the 404 the shop gives for an id that names nothing.
    pub(crate) fn or_not_found(self) -> Result<u64, ApiError> {
        self.0
            .ok_or_else(|| ApiError::new(axum::http::StatusCode::NOT_FOUND, "Not found."))
    }
}

/// A running sandbox on its own thread and tokio runtime.
///
/// Owning its runtime means it works the same from plain sync code, from inside another
/// tokio runtime (no nested `block_on`), and behind the C and Python test harnesses.
/// Dropping it stops the server, like [`Sandbox::stop`].
pub struct Sandbox {
    addr: SocketAddr,
    carreta_api_key: String,
    ireca_token: String,
    cargorun_username: String,
    cargorun_password: String,
    stop_tx: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// How long in-flight requests (e.g. a long price-list download) may run after stop.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

impl Sandbox {
    /// Starts on a free port of 127.0.0.1 with the default configuration.
    pub fn start() -> std::io::Result<Sandbox> {
        Self::start_with(SandboxConfig::default())
    }

    /// Starts on a free port of 127.0.0.1.
    pub fn start_with(config: SandboxConfig) -> std::io::Result<Sandbox> {
        Self::start_on(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0), config)
    }

    /// Starts on the given address (port 0 picks a free one). Binding happens before this
    /// returns, so the sandbox accepts connections as soon as you have its URL.
    ///
    /// Errors: `InvalidInput` for a configuration [`SandboxConfig::check`] refuses, else the
    /// error of binding the address (e.g. `AddrInUse`) or of starting the runtime.
    pub fn start_on(addr: SocketAddr, config: SandboxConfig) -> std::io::Result<Sandbox> {
        config
            .check()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let std_listener = std::net::TcpListener::bind(addr)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let carreta_api_key = config.carreta_api_key.clone();
        let ireca_token = config.ireca_token.clone();
        let cargorun_username = config.cargorun_username.clone();
        let cargorun_password = config.cargorun_password.clone();
        let threads = config.threads;
        let router = app(config);
        let runtime = match threads {
            1 => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?,
            n => {
                let workers = if n == 0 {
                    std::thread::available_parallelism().map_or(1, |n| n.get())
                } else {
                    n
                };
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(workers)
                    .thread_name(format!("logibridge-sandbox-{}", addr.port()))
                    .enable_all()
                    .build()?
            }
        };
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        // Convert inside the runtime: tokio's listener must be registered with its reactor.
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(std_listener)?
        };
        let thread = std::thread::Builder::new()
            .name(format!("logibridge-sandbox-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    let (graceful_tx, graceful_rx) = tokio::sync::oneshot::channel::<()>();
                    let server = tokio::spawn(
                        axum::serve(listener, router)
                            .with_graceful_shutdown(async move {
                                let _ = graceful_rx.await;
                            })
                            .into_future(),
                    );
                    // Also returns if the handle is gone without a word (cannot normally happen).
                    let _ = stop_rx.await;
                    let _ = graceful_tx.send(());
                    let _ = tokio::time::timeout(SHUTDOWN_GRACE, server).await;
                });
                // Whatever outlived the grace period is cancelled here; price-list generators
                // stop on their next write once their channel is gone.
                runtime.shutdown_timeout(Duration::from_secs(1));
            })?;
        Ok(Sandbox {
            addr,
            carreta_api_key,
            ireca_token,
            cargorun_username,
            cargorun_password,
            stop_tx: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT/`. A wildcard bind address is shown as loopback so the URL is usable.
    pub fn base_url(&self) -> String {
        let mut addr = self.addr;
        match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => addr.set_ip(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            IpAddr::V6(ip) if ip.is_unspecified() => addr.set_ip(IpAddr::V6(Ipv6Addr::LOCALHOST)),
            _ => {}
        }
        format!("http://{addr}/")
    }

    /// Base URL of the Carreta API: `http://HOST:PORT/carreta/v1/`.
    pub fn carreta_url(&self) -> String {
        format!("{}carreta/v1/", self.base_url())
    }

    /// The `api_key` the Carreta emulator accepts.
    pub fn carreta_api_key(&self) -> &str {
        &self.carreta_api_key
    }

    /// Base URL of the iRECA Courier API: `http://HOST:PORT/ireca/api/v1/`.
    pub fn ireca_url(&self) -> String {
        format!("{}ireca/api/v1/", self.base_url())
    }

    /// The Bearer token the iRECA emulator accepts.
    pub fn ireca_token(&self) -> &str {
        &self.ireca_token
    }

    /// Base URL of the CARGO.RUN API: `http://HOST:PORT/cargorun/` (paths below it are the
    /// pages' `api/...`).
    pub fn cargorun_url(&self) -> String {
        format!("{}cargorun/", self.base_url())
    }

    /// The user name the CARGO.RUN emulator accepts.
    pub fn cargorun_username(&self) -> &str {
        &self.cargorun_username
    }

    /// The password the CARGO.RUN emulator accepts.
    pub fn cargorun_password(&self) -> &str {
        &self.cargorun_password
    }

    /// The lines announcing a running sandbox, each ending in a line feed:
    ///
    /// ```text
    /// carreta http://127.0.0.1:PORT/carreta/v1/ api_key=KEY
    /// ireca http://127.0.0.1:PORT/ireca/api/v1/ token=TOKEN
    /// cargorun http://127.0.0.1:PORT/cargorun/ username=USER password=PASSWORD
    /// control http://127.0.0.1:PORT/_control/
    /// ```
    ///
    /// `logibridge-sandbox` and `logibridge sandbox` print them first, and scripts read
    /// them (tests/c/run.sh and tests/onec/run.sh take the carreta line's URL and key), so
    /// the text is kept as it is. The credentials are the sandbox's own, printed to be used.
    pub fn banner(&self) -> String {
        format!(
            "carreta {} api_key={}\nireca {} token={}\ncargorun {} username={} password={}\ncontrol {}_control/\n",
            self.carreta_url(),
            self.carreta_api_key(),
            self.ireca_url(),
            self.ireca_token(),
            self.cargorun_url(),
            self.cargorun_username(),
            self.cargorun_password(),
            self.base_url()
        )
    }

    /// Stops gracefully and waits for the server thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(tx) = self.stop_tx.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("addr", &self.addr).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines scripts parse: a service's name, its URL, its credentials as NAME=VALUE.
    #[test]
    fn the_banner_names_each_service_with_its_url_and_credentials() {
        let sb = Sandbox::start().unwrap();
        let banner = sb.banner();
        let lines: Vec<&str> = banner.lines().collect();
        assert_eq!(lines.len(), 4, "{banner}");
        assert!(banner.ends_with('\n'));
        assert_eq!(lines[0], format!("carreta {} api_key={}", sb.carreta_url(), sb.carreta_api_key()));
        assert_eq!(lines[1], format!("ireca {} token={}", sb.ireca_url(), sb.ireca_token()));
        assert_eq!(lines[2], format!("cargorun {} username={} password={}", sb.cargorun_url(), sb.cargorun_username(), sb.cargorun_password()));
        assert_eq!(lines[3], format!("control {}_control/", sb.base_url()));
        sb.stop();
    }
}
