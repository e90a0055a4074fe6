//! The durable receiver of iRECA's callbacks: an HTTP listener on a secret path that writes
//! every callback to a [journal](super::callback_journal) on disk before it says "received", and
//! hands the entries to the application until it acknowledges them.
//!
//! ```no_run
//! use logibridge::ireca::receiver::CallbackReceiver;
//! let receiver = CallbackReceiver::builder("callbacks.jsonl").host("0.0.0.0").port(8080)
//!     .public_base_url("https://shop.example/ireca")
//!     .start()?;
//! println!("register {} with orders/callback and licenses/callback", receiver.url());
//! for entry in receiver.entries() {
//!     let entry = entry?;
//!     println!("{} #{}: {}", entry.kind(), entry.seq(), entry.body());
//!     receiver.ack(&entry)?; // after the application has done its part
//! }
//! # Ok::<(), logibridge::Error>(())
//! ```
//!
//! # What the listener answers
//!
//! Only `POST` requests to the secret path are callbacks; the secret is the first segment
//! of the path, compared in constant time, and never written to a log, an error or
//! `Debug`. The kind comes from the path's second segment, or from the body when there is
//! none:
//!
//! | path | kind |
//! |------|------|
//! | `/<secret>` ([`url`](CallbackReceiver::url), registered for both callbacks) | a JSON object with an `items` member is `order`; one with a `sessionId` member is `license_session` |
//! | `/<secret>/order` ([`order_url`](CallbackReceiver::order_url)) | `order`, whatever the body |
//! | `/<secret>/license` ([`license_url`](CallbackReceiver::license_url)) | `license_session`, whatever the body |
//!
//! | answer | when | what the service should do |
//! |--------|------|----------------------------|
//! | 201 `{"seq":N}` | the callback is in the journal and synced to disk | done; a retry of it anyway is journaled again with the same `sha256` |
//! | 400 | the body is not UTF-8 JSON (also an empty body) | nothing: it never will be |
//! | 404 | any other path; nothing is read or written | nothing |
//! | 405 | a method other than `POST` on the secret path | nothing |
//! | 408 | the body took longer than [`body_timeout`](CallbackReceiverBuilder::body_timeout) to arrive | retry |
//! | 413 | the body is larger than [`body_limit`](CallbackReceiverBuilder::body_limit) | nothing: it never will fit |
//! | 422 | on `/<secret>`, JSON that is neither kind (not an object, both members, or neither) | nothing; if the service's format changed, register the kind's own URL |
//! | 422 | JSON that does not read as its kind (`{"items": "x"}`) | nothing: an entry the application cannot read would stop it after every restart |
//! | 500 | the journal could not store it (disk full, write or `fsync` failed) | retry later: the callback is not stored |
//!
//! Error answers carry `{"error": true, "message": …, "message_ru": …}`, the service's own
//! error shape. iRECA's document does not say which answers it retries; the 4xx ones above
//! except 408 are for bodies no retry could fix, 408 and 5xx mean "try again". The project's
//! sandbox retries on 5xx and on failed connections only.
//!
//! # Order and durability
//!
//! Deliveries are written one at a time, so the journal's order is the order in which they
//! were stored (their `seq`), also for concurrent ones. The answer 201 is sent only after
//! the line is `fsync`ed: once the service has its 201, a crash of this process (even
//! `kill -9`) or of the machine cannot lose the callback. Acknowledgements are synced
//! before [`ack`](CallbackReceiver::ack) returns; after a restart on the same journal,
//! [`pending`](CallbackReceiver::pending) and the iteration start again with every entry
//! not acknowledged, oldest first.
//!
//! # Runtime and shutdown
//!
//! The listener runs on the library's shared runtime ([`crate::blocking::runtime`]).
//! Dropping the receiver (or [`shutdown`](CallbackReceiver::shutdown)) stops accepting
//! connections, lets the requests in flight finish (waiting up to
//! [`SHUTDOWN_GRACE`] when called from a thread that may block) and ends the iteration.
//!
//! # Faces
//!
//! The type is shaped for a thin wrapper: Python's
//! `logibridge.ireca.CallbackReceiver(journal_path, host=…, port=…, path_secret=…)` maps
//! its keywords to the builder, `.url` to [`url`](CallbackReceiver::url), `.pending()` to
//! [`pending`](CallbackReceiver::pending), iteration to
//! [`next_blocking`](CallbackReceiver::next_blocking) with a short timeout (so Ctrl-C is
//! seen between waits; [`is_shut_down`](CallbackReceiver::is_shut_down) ends the loop) or [`next`](CallbackReceiver::next) for `async for`, `.ack(entry)`
//! to [`ack`](CallbackReceiver::ack), and `__exit__` to [`shutdown`](CallbackReceiver::shutdown).

use std::fmt;
use std::future::{Future, IntoFuture};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::callback_journal::{compact_json, CallbackKind, Entry, Journal};
use crate::error::{russian, Error, Result};
use crate::transport::Secret;

/// The largest body accepted when [`CallbackReceiverBuilder::body_limit`] is not set:
/// 4 MiB, room for an `items` array of some thousand orders.
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// How long [`CallbackReceiver::shutdown`] waits for requests in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// How long a body may take to arrive once its headers are in, unless
/// [`CallbackReceiverBuilder::body_timeout`] says otherwise: 60 s. A slower one gets 408,
/// so a stalled sender cannot hold a connection (and a shutdown) for ever.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(60);

/// Characters a path secret may use: the URL's unreserved set, so it needs no escaping.
fn secret_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~')
}

/// Settings of a [`CallbackReceiver`]; made by [`CallbackReceiver::builder`].
pub struct CallbackReceiverBuilder {
    journal_path: PathBuf,
    host: String,
    port: u16,
    path_secret: Option<Secret>,
    body_limit: usize,
    body_timeout: Duration,
    public_base_url: Option<String>,
}

impl fmt::Debug for CallbackReceiverBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackReceiverBuilder")
            .field("journal_path", &self.journal_path)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("path_secret", &self.path_secret)
            .field("body_limit", &self.body_limit)
            .field("body_timeout", &self.body_timeout)
            .field("public_base_url", &self.public_base_url)
            .finish()
    }
}

impl CallbackReceiverBuilder {
    /// The address to listen on: an IP address or a host name (default `127.0.0.1`; use
    /// `0.0.0.0` to accept the service from outside).
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = host.into();
        self
    }

    /// The TCP port (default 0: a free port the system picks; [`CallbackReceiver::url`]
    /// tells which).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The secret first segment of the callback path: 16 to 256 characters of
    /// `A–Z a–z 0–9 - _ . ~`. Default: 32 random letters and digits, new at each start —
    /// set it when the URL registered with the service must survive a restart.
    pub fn path_secret(mut self, secret: impl Into<String>) -> Self {
        self.path_secret = Some(Secret::new(secret));
        self
    }

    /// The largest body accepted, in bytes (default [`DEFAULT_BODY_LIMIT`]); a larger one
    /// gets 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How long a body may take to arrive once the request's headers are in (default
    /// [`DEFAULT_BODY_TIMEOUT`]); a slower one gets 408.
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// Where the service reaches this listener, when that is not the address it listens on
    /// (behind NAT or a proxy): `http(s)://host[:port][/prefix]`. The URLs become this
    /// base plus `/<secret>`; the proxy must pass the path on unchanged. Default: the
    /// bound address (a wildcard address shown as loopback).
    pub fn public_base_url(mut self, url: impl Into<String>) -> Self {
        self.public_base_url = Some(url.into());
        self
    }

    /// Opens the journal and starts listening; when this returns, the listener accepts
    /// connections.
    ///
    /// Errors: [`Error::InvalidParameter`] for a setting out of its rule (`path_secret`,
    /// `body_limit`, `public_base_url`, named in the error); [`Error::InvalidArgument`]
    /// for a journal that cannot be opened, is locked by another receiver or is damaged
    /// (see [the journal's rules](super::callback_journal#durability)), and for an address that
    /// cannot be listened on.
    pub fn start(self) -> Result<CallbackReceiver> {
        let secret = match self.path_secret {
            Some(secret) => check_secret(secret)?,
            None => random_secret(),
        };
        if self.body_limit == 0 {
            return Err(param("body_limit", "option.body_limit", "must be at least 1 byte".into(), "должен быть не меньше 1 байта".into()));
        }
        let public_base = self.public_base_url.as_deref().map(check_base_url).transpose()?;
        let journal = Journal::open(&self.journal_path)?;

        let (host, port) = (self.host.as_str(), self.port);
        let cannot_listen = |e: std::io::Error| {
            Error::invalid_argument(format!("cannot listen on {host}:{port}: {e}"), format!("не удалось открыть порт {host}:{port}: {}", russian::io_failure(&e)))
        };
        let listener = std::net::TcpListener::bind((host, port)).map_err(cannot_listen)?;
        listener.set_nonblocking(true).map_err(cannot_listen)?;
        let addr = listener.local_addr().map_err(cannot_listen)?;
        let listener = {
            // tokio's listener must be registered with the reactor of the runtime it runs on.
            let _entered = crate::blocking::runtime().enter();
            tokio::net::TcpListener::from_std(listener).map_err(cannot_listen)?
        };

        let base = public_base.unwrap_or_else(|| format!("http://{}", shown_addr(addr)));
        let (changed, _) = tokio::sync::watch::channel(0u64);
        let shared = Arc::new(Shared {
            journal,
            secret_digest: Sha256::digest(secret.expose().as_bytes()).into(),
            body_limit: self.body_limit,
            body_timeout: self.body_timeout,
            changed,
            closed: AtomicBool::new(false),
        });
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let (done_tx, done) = std::sync::mpsc::sync_channel::<()>(1);
        // The listener holds the shared state weakly: once the receiver is dropped and the
        // requests in flight are done, the journal is closed and its lock released, even if
        // a connection task of the listener lingers.
        let router = axum::Router::new().fallback(deliver).with_state(Arc::downgrade(&shared));
        crate::blocking::runtime().spawn(async move {
            let mut signal = stopped.clone();
            let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
                let _ = signal.wait_for(|stop| *stop).await;
            });
            let mut grace = stopped;
            let grace_over = async move {
                let _ = grace.wait_for(|stop| *stop).await;
                tokio::time::sleep(SHUTDOWN_GRACE).await;
            };
            tokio::select! {
                served = serve.into_future() => {
                    if let Err(e) = served {
                        tracing::error!(error = %e, "the iRECA callback listener stopped");
                    }
                }
                () = grace_over => tracing::warn!("iRECA callback requests still in flight after the grace period were left"),
            }
            let _ = done_tx.send(());
        });
        tracing::info!(%addr, journal = %self.journal_path.display(), "iRECA callback receiver listening");
        Ok(CallbackReceiver { shared, addr, base, secret, cursor: Arc::new(Mutex::new(0)), stop, done: Mutex::new(Some(done)), in_flight: Mutex::new(Vec::new()) })
    }
}

fn param(field: &str, code: &'static str, en: String, ru: String) -> Error {
    Error::invalid_param("ireca.callback_receiver", field, code, en, ru)
}

fn check_secret(secret: Secret) -> Result<Secret> {
    let text = secret.expose();
    let count = text.chars().count();
    // The secret itself is never quoted: only its length and the rule.
    if !(16..=256).contains(&count) {
        return Err(param("path_secret", "option.path_secret", format!("must be 16 to 256 characters long, got {count}"), format!("должен быть длиной от 16 до 256 символов; передано {count}")));
    }
    if !text.chars().all(secret_char) {
        return Err(param("path_secret", "option.path_secret", "may hold only the letters A-Z a-z, digits and - _ . ~".into(), "может состоять только из букв A-Z a-z, цифр и знаков - _ . ~".into()));
    }
    Ok(secret)
}

fn random_secret() -> Secret {
    use rand::Rng;
    Secret::new(rand::rng().sample_iter(rand::distr::Alphanumeric).take(32).map(char::from).collect::<String>())
}

fn check_base_url(text: &str) -> Result<String> {
    let bad = |en: String, ru: String| param("public_base_url", "option.public_base_url", en, ru);
    let url = url::Url::parse(text).map_err(|e| bad(format!("{text:?} is not a URL: {e}"), format!("{text:?} не является URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.query().is_some() || url.fragment().is_some() {
        return Err(bad(format!("{text:?} must be an http(s) URL without query or fragment"), format!("{text:?} должен быть адресом http(s) без параметров и фрагмента")));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// The bound address as a URL host: a wildcard shown as loopback, where it can be reached.
fn shown_addr(mut addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => addr.set_ip(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        IpAddr::V6(ip) if ip.is_unspecified() => addr.set_ip(IpAddr::V6(Ipv6Addr::LOCALHOST)),
        _ => {}
    }
    addr
}

/// What the listener's handler and the receiver share.
struct Shared {
    journal: Journal,
    /// SHA-256 of the secret: the path's first segment is hashed and compared with it in
    /// constant time, so neither its content nor its length shows in the timing.
    secret_digest: [u8; 32],
    body_limit: usize,
    body_timeout: Duration,
    /// Bumped after every stored entry and at shutdown; waiters in `next` watch it.
    changed: tokio::sync::watch::Sender<u64>,
    closed: AtomicBool,
}

/// Which callback a path asks for.
enum Route {
    /// `/<secret>`: the kind is read from the body.
    FromBody,
    /// `/<secret>/order` or `/<secret>/license`.
    Fixed(CallbackKind),
}

impl Shared {
    fn route(&self, path: &str) -> Option<Route> {
        let path = path.strip_prefix('/')?;
        let (first, rest) = path.split_once('/').unwrap_or((path, ""));
        let digest: [u8; 32] = Sha256::digest(first.as_bytes()).into();
        if !bool::from(digest[..].ct_eq(&self.secret_digest[..])) {
            return None;
        }
        match rest {
            "" => Some(Route::FromBody),
            "order" => Some(Route::Fixed(CallbackKind::Order)),
            "license" => Some(Route::Fixed(CallbackKind::LicenseSession)),
            _ => None,
        }
    }
}

fn refusal(status: StatusCode, en: &str, ru: &str) -> Response {
    (status, axum::Json(serde_json::json!({"error": true, "message": en, "message_ru": ru}))).into_response()
}

fn too_large(limit: usize) -> Response {
    refusal(StatusCode::PAYLOAD_TOO_LARGE, &format!("the body is larger than {limit} bytes"), &format!("тело запроса больше {limit} байт"))
}

/// The one handler: every request of the listener comes here, so that the secret path is
/// matched by [`Shared::route`] in constant time, never by the router.
async fn deliver(State(shared): State<Weak<Shared>>, request: Request) -> Response {
    let Some(shared) = shared.upgrade() else {
        return refusal(StatusCode::SERVICE_UNAVAILABLE, "the receiver is shut down", "приёмник остановлен");
    };
    let Some(route) = shared.route(request.uri().path()) else {
        // Not even the path is logged: it may be the secret with a typo.
        tracing::debug!("a request to an unknown path was refused");
        return refusal(StatusCode::NOT_FOUND, "not found", "не найдено");
    };
    if request.method() != Method::POST {
        let mut refused = refusal(StatusCode::METHOD_NOT_ALLOWED, "callbacks are delivered with POST", "обратные вызовы принимаются методом POST");
        refused.headers_mut().insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return refused;
    }
    let limit = shared.body_limit;
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        tracing::warn!(bytes = declared, limit, "an iRECA callback over the body limit was refused");
        return too_large(limit);
    }
    let Ok(raw) = tokio::time::timeout(shared.body_timeout, read_body(request.into_body(), limit)).await else {
        tracing::warn!(seconds = shared.body_timeout.as_secs_f64(), "an iRECA callback's body did not arrive in time");
        return refusal(StatusCode::REQUEST_TIMEOUT, "the body did not arrive in time", "тело запроса не пришло вовремя");
    };
    let raw = match raw {
        Ok(raw) => raw,
        Err(BodyFailure::TooLarge) => {
            tracing::warn!(limit, "an iRECA callback over the body limit was refused");
            return too_large(limit);
        }
        Err(BodyFailure::Broken(e)) => {
            tracing::warn!(error = %e, "an iRECA callback's body broke off");
            return refusal(StatusCode::BAD_REQUEST, "the body could not be read", "тело запроса не удалось прочитать");
        }
    };
    let body = match compact_json(&raw) {
        Ok(body) => body,
        Err(e) => {
            tracing::warn!(reason = %e.message, "an iRECA callback that is not JSON was refused");
            return refusal(StatusCode::BAD_REQUEST, &e.message, &e.message_ru);
        }
    };
    let kind = match route {
        Route::Fixed(kind) => kind,
        Route::FromBody => match kind_of(&body) {
            Some(kind) => kind,
            None => {
                tracing::warn!("an iRECA callback of neither kind was refused");
                return refusal(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "the body is neither an order callback (an object with \"items\") nor a session callback (an object with \"sessionId\"); deliver it to the kind's own path",
                    "тело не похоже ни на уведомление о заказах (объект с «items»), ни на уведомление о сессии (объект с «sessionId»); присылайте его на адрес нужного вида",
                );
            }
        },
    };
    // Stored only when it reads as its kind: an entry the application cannot read would
    // come back first after every restart and stop it there.
    let readable = match kind {
        CallbackKind::Order => super::parse_order_callback(body.as_bytes()).map(drop),
        CallbackKind::LicenseSession => super::parse_license_callback(body.as_bytes()).map(drop),
    };
    if let Err(e) = readable {
        tracing::warn!(kind = %kind, error = %e, "an iRECA callback that does not read as its kind was refused");
        return refusal(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string(), &e.message_ru());
    }
    let writer = Arc::clone(&shared);
    let stored = match tokio::task::spawn_blocking(move || writer.journal.append(kind, body)).await {
        Ok(stored) => stored.map_err(|e| e.to_string()),
        Err(panicked) => Err(panicked.to_string()),
    };
    match stored {
        Ok(entry) => {
            tracing::debug!(seq = entry.seq(), kind = %entry.kind(), sha256 = entry.sha256(), "iRECA callback stored");
            shared.changed.send_modify(|n| *n += 1);
            (StatusCode::CREATED, axum::Json(serde_json::json!({"seq": entry.seq()}))).into_response()
        }
        Err(why) => {
            tracing::error!(journal = %shared.journal.path().display(), error = %why, "an iRECA callback could not be stored; the service is told to retry");
            refusal(StatusCode::INTERNAL_SERVER_ERROR, "the callback could not be stored; deliver it again later", "уведомление не удалось сохранить; повторите доставку позже")
        }
    }
}

enum BodyFailure {
    TooLarge,
    Broken(axum::Error),
}

/// Reads the whole body, stopping as soon as it passes `limit` bytes.
async fn read_body(body: axum::body::Body, limit: usize) -> Result<Vec<u8>, BodyFailure> {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut raw = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(BodyFailure::Broken)?;
        if raw.len() + chunk.len() > limit {
            return Err(BodyFailure::TooLarge);
        }
        raw.extend_from_slice(&chunk);
    }
    Ok(raw)
}

/// The kind a body delivered to `/<secret>` shows: see the module's path table.
fn kind_of(body: &str) -> Option<CallbackKind> {
    #[derive(serde::Deserialize)]
    struct Probe {
        items: Option<serde::de::IgnoredAny>,
        #[serde(rename = "sessionId")]
        session_id: Option<serde::de::IgnoredAny>,
    }
    match serde_json::from_str::<Probe>(body).ok()? {
        Probe { items: Some(_), session_id: None } => Some(CallbackKind::Order),
        Probe { items: None, session_id: Some(_) } => Some(CallbackKind::LicenseSession),
        _ => None,
    }
}

/// A running callback receiver: the listener, the journal, and the application's place in
/// it. Made by [`CallbackReceiver::builder`]; stops when dropped. See the
/// [module docs](self) for what the listener answers and what is guaranteed.
pub struct CallbackReceiver {
    shared: Arc<Shared>,
    addr: SocketAddr,
    /// The URL up to the secret, without a trailing `/`.
    base: String,
    secret: Secret,
    /// The `seq` of the entry [`next`](Self::next) handed out last.
    cursor: Arc<Mutex<u64>>,
    stop: tokio::sync::watch::Sender<bool>,
    done: Mutex<Option<std::sync::mpsc::Receiver<()>>>,
    /// The [`next`](Self::next) a [`next_blocking`](Self::next_blocking) stopped waiting
    /// for when its time ran out.
    in_flight: Mutex<Vec<crate::blocking::Pending<Option<Entry>>>>,
}

impl fmt::Debug for CallbackReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackReceiver")
            .field("url", &format_args!("{}/***", self.base))
            .field("addr", &self.addr)
            .field("journal", &self.journal_path())
            .finish()
    }
}

impl CallbackReceiver {
    /// Settings for a receiver writing to the journal at `journal_path` (a file, created
    /// when missing; its acknowledgements go to the same path plus `.acks`).
    pub fn builder(journal_path: impl Into<PathBuf>) -> CallbackReceiverBuilder {
        CallbackReceiverBuilder {
            journal_path: journal_path.into(),
            host: "127.0.0.1".to_owned(),
            port: 0,
            path_secret: None,
            body_limit: DEFAULT_BODY_LIMIT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            public_base_url: None,
        }
    }

    /// The URL to register with the service for both callbacks (`orders/callback` and
    /// `licenses/callback`): `http://host:port/<secret>`, the secret included — keep it
    /// out of logs. The kind is told from the body.
    pub fn url(&self) -> String {
        format!("{}/{}", self.base, self.secret.expose())
    }

    /// The URL for order callbacks only: [`url`](Self::url) + `/order`.
    pub fn order_url(&self) -> String {
        format!("{}/order", self.url())
    }

    /// The URL for session-closed callbacks only: [`url`](Self::url) + `/license`.
    pub fn license_url(&self) -> String {
        format!("{}/license", self.url())
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The journal file.
    pub fn journal_path(&self) -> &Path {
        self.shared.journal.path()
    }

    /// Every entry not acknowledged yet, oldest first: after a restart, what the
    /// application still has to process.
    pub fn pending(&self) -> Vec<Entry> {
        self.shared.journal.pending()
    }

    /// Marks an entry processed; it is no longer [`pending`](Self::pending), now or after
    /// a restart. Written and synced to the acknowledgements file before this returns
    /// (this blocks for the `fsync`); acknowledging again does nothing.
    ///
    /// Errors ([`Error::InvalidArgument`]): the entry is not of this journal (its `seq` is
    /// beyond the end, or that `seq` holds another body); the acknowledgements file cannot
    /// be written.
    pub fn ack(&self, entry: &Entry) -> Result<()> {
        self.shared.journal.ack(entry)
    }

    /// The next unacknowledged entry after those this receiver has handed out, waiting for
    /// one to arrive; first the entries pending from before, oldest first, then new ones as
    /// they are stored. `None` once the receiver is shut down and nothing is left.
    ///
    /// Each entry is handed out once per receiver (an entry not acknowledged comes again
    /// only after a restart, or from [`pending`](Self::pending)). Cancel-safe: dropping the
    /// future loses nothing.
    pub fn next(&self) -> impl Future<Output = Option<Entry>> + Send + 'static {
        let (shared, cursor) = (Arc::clone(&self.shared), Arc::clone(&self.cursor));
        async move {
            let mut changed = shared.changed.subscribe();
            loop {
                changed.borrow_and_update();
                {
                    let mut cursor = cursor.lock().unwrap_or_else(|p| p.into_inner());
                    if let Some(entry) = shared.journal.pending_after(*cursor) {
                        *cursor = entry.seq();
                        return Some(entry);
                    }
                }
                if shared.closed.load(Ordering::Acquire) || changed.changed().await.is_err() {
                    return None;
                }
            }
        }
    }

    /// [`next`](Self::next) for a thread that may block, waiting at most `timeout` (for
    /// ever when `None`): `Ok(None)` when the time is up or the receiver is shut down
    /// ([`is_shut_down`](Self::is_shut_down) tells which).
    ///
    /// Errors: [`Error::InvalidArgument`] when called on a thread that drives an async
    /// runtime (use `next().await` there).
    ///
    /// A wait whose time runs out leaves its [`next`](Self::next) running and the following
    /// call picks up its entry, so no entry is skipped between slices, and the limit is
    /// kept by this thread's clock rather than by a timer on the runtime.
    pub fn next_blocking(&self, timeout: Option<Duration>) -> Result<Option<Entry>> {
        // The lock is not held while waiting: another thread's wait (an endless `entries`)
        // must not keep this one from starting.
        let parked = self.in_flight.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let pending = match parked {
            Some(pending) => pending,
            None => crate::blocking::start(self.next())?,
        };
        let Some(limit) = timeout else { return pending.wait() };
        match pending.wait_timeout(limit) {
            Some(result) => result,
            None => {
                self.in_flight.lock().unwrap_or_else(|p| p.into_inner()).push(pending);
                Ok(None)
            }
        }
    }

    /// A blocking iterator over [`next_blocking`](Self::next_blocking) without a time
    /// limit: it ends when the receiver is shut down, and yields one error (then ends) when
    /// called on a thread that drives an async runtime.
    pub fn entries(&self) -> impl Iterator<Item = Result<Entry>> + '_ {
        let mut failed = false;
        std::iter::from_fn(move || {
            if failed {
                return None;
            }
            match self.next_blocking(None) {
                Ok(next) => next.map(Ok),
                Err(e) => {
                    failed = true;
                    Some(Err(e))
                }
            }
        })
    }

    /// Whether [`shutdown`](Self::shutdown) was called: tells a `next_blocking` that came
    /// back empty because its time was up from one that came back because the receiver
    /// stopped.
    pub fn is_shut_down(&self) -> bool {
        self.shared.closed.load(Ordering::Acquire)
    }

    /// Stops the listener: no new connections; requests in flight finish, waited for up to
    /// [`SHUTDOWN_GRACE`] when this thread may block (on an async runtime's thread it does
    /// not wait). Waiting [`next`](Self::next) calls end with what is left. Calling it
    /// again does nothing; dropping the receiver calls it.
    pub fn shutdown(&self) {
        self.shared.closed.store(true, Ordering::Release);
        self.shared.changed.send_modify(|n| *n += 1);
        self.stop.send_replace(true);
        let done = self.done.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(done) = done {
            if crate::blocking::may_block() {
                let _ = done.recv_timeout(SHUTDOWN_GRACE + Duration::from_secs(1));
            }
        }
    }
}

impl Drop for CallbackReceiver {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started(dir: &Path) -> CallbackReceiver {
        CallbackReceiver::builder(dir.join("j.jsonl")).path_secret("s3cret-path-0123456789").start().unwrap()
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lb-receiver-unit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn the_path_names_the_kind_and_only_the_secret_opens_it() {
        let dir = temp_dir("route");
        let receiver = started(&dir);
        let route = |p: &str| receiver.shared.route(p).map(|r| match r {
            Route::FromBody => "body",
            Route::Fixed(CallbackKind::Order) => "order",
            Route::Fixed(CallbackKind::LicenseSession) => "license",
        });
        assert_eq!(route("/s3cret-path-0123456789"), Some("body"));
        assert_eq!(route("/s3cret-path-0123456789/order"), Some("order"));
        assert_eq!(route("/s3cret-path-0123456789/license"), Some("license"));
        for wrong in ["/", "", "/s3cret-path-012345678", "/s3cret-path-01234567890", "/S3cret-path-0123456789", "/s3cret-path-0123456789/other", "/x/s3cret-path-0123456789", "/s3cret-path-0123456789/order/"] {
            assert_eq!(route(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn the_kind_is_read_from_the_body_only_when_it_is_unmistakable() {
        assert_eq!(kind_of(r#"{"items":[]}"#), Some(CallbackKind::Order));
        assert_eq!(kind_of(r#"{"sessionId":1,"courierId":27}"#), Some(CallbackKind::LicenseSession));
        for neither in [r#"{"items":[],"sessionId":1}"#, "{}", "[]", r#""items""#, "1"] {
            assert_eq!(kind_of(neither), None, "{neither}");
        }
    }

    #[test]
    fn settings_out_of_their_rule_name_the_field_and_never_the_secret() {
        let dir = temp_dir("settings");
        let journal = dir.join("j.jsonl");
        let e = CallbackReceiver::builder(&journal).path_secret("short-Secret").start().unwrap_err();
        assert_eq!(e.field(), Some("path_secret"));
        assert!(!format!("{e} {e:?} {}", e.message_ru()).contains("short-Secret"), "{e:?}");
        let e = CallbackReceiver::builder(&journal).path_secret("with/slash/and-long-enough").start().unwrap_err();
        assert_eq!(e.field(), Some("path_secret"));
        assert!(!format!("{e} {e:?}").contains("with/slash"), "{e:?}");
        let e = CallbackReceiver::builder(&journal).body_limit(0).start().unwrap_err();
        assert_eq!(e.field(), Some("body_limit"));
        let e = CallbackReceiver::builder(&journal).public_base_url("ftp://x").start().unwrap_err();
        assert_eq!(e.field(), Some("public_base_url"));
        assert!(!journal.exists(), "a refused setting is found before the journal is touched");
    }

    #[test]
    fn debug_and_the_default_secret_keep_the_secret_hidden() {
        let dir = temp_dir("debug");
        let receiver = CallbackReceiver::builder(dir.join("j.jsonl")).start().unwrap();
        let url = receiver.url();
        let secret = url.rsplit('/').next().unwrap().to_owned();
        assert!(secret.len() == 32 && secret.chars().all(|c| c.is_ascii_alphanumeric()), "{url}");
        let shown = format!("{receiver:?}");
        assert!(!shown.contains(&secret) && shown.contains("/***"), "{shown}");
        let builder = CallbackReceiver::builder("j").path_secret("visible-secret-123456");
        assert!(!format!("{builder:?}").contains("visible-secret"));
        let other = CallbackReceiver::builder(dir.join("k.jsonl")).start().unwrap();
        assert_ne!(other.url().rsplit('/').next().unwrap(), secret, "a new random secret per start");
    }

    #[test]
    fn a_public_base_url_replaces_the_bound_address() {
        let dir = temp_dir("public");
        let receiver = CallbackReceiver::builder(dir.join("j.jsonl")).path_secret("s3cret-path-0123456789").public_base_url("https://shop.example/hooks/").start().unwrap();
        assert_eq!(receiver.url(), "https://shop.example/hooks/s3cret-path-0123456789");
        assert_eq!(receiver.license_url(), "https://shop.example/hooks/s3cret-path-0123456789/license");
    }
}
