//! One client for every service, configured by the service's [`ServiceSpec`] and called by
//! endpoint id.

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::call::{self, Args};
use crate::endpoints::{self, AuthSpec, Endpoint, Paging, ServiceSpec};
use crate::error::{Error, Result};
use crate::pager::Pager;
use crate::transport::{AuthStrategy, BearerToken, Config, JwtAuth, NoAuth, QueryKey, Request, Response, Secret, Transport};

/// The longest request timeout a client accepts (one day).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(86_400);
/// The most retries a client accepts.
pub const MAX_RETRIES: u32 = 100;

/// Builds a [`Client`] for one service.
///
/// Every option has one name in every face: `base_url`, `timeout` (seconds),
/// `connect_timeout` (seconds), `deadline` (seconds, a whole call with its retries),
/// `max_retries`, each credential of the service by its name
/// (`api_key`, `token`), and each common parameter (`account`) as the default of every call.
/// One set of limits applies everywhere: timeouts from 1 ms to 86400 seconds, `max_retries` in
/// 0..=100.
///
/// ```
/// use logibridge::{endpoints::carreta, Client};
/// let client = Client::builder(&carreta::SERVICE)
///     .credential("api_key", "s3cr3t-canary")
///     .base_url("http://127.0.0.1:8080/carreta/v1/")
///     .param("account", "1002")
///     .build()
///     .unwrap();
/// assert_eq!(client.service().prefix, "carreta");
/// assert!(!format!("{client:?}").contains("s3cr3t-canary"));
/// let err = Client::builder(&carreta::SERVICE).build().unwrap_err();
/// assert!(err.to_string().contains("api_key"));
/// ```
#[derive(Debug)]
pub struct ClientBuilder {
    spec: &'static ServiceSpec,
    credentials: Vec<(&'static str, Secret)>,
    base_url: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_retries: Option<u32>,
    deadline: Option<Duration>,
    params: Map<String, Value>,
    auth: Option<Arc<dyn AuthStrategy>>,
    token_file: Option<std::path::PathBuf>,
    strict_schema: bool,
    errors: Vec<Error>,
}

fn seconds(name: &str, value: &Value) -> Result<Duration> {
    let s = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(t) => t.trim().parse::<f64>().ok(),
        _ => None,
    };
    match s {
        Some(s) if s.is_finite() && s >= 0.001 && s <= MAX_TIMEOUT.as_secs_f64() => Ok(Duration::from_secs_f64(s)),
        _ => Err(Error::invalid_param("client", name, "option.timeout", format!("must be a number of seconds from 0.001 to 86400, got {value}"), format!("задаётся в секундах, от 0.001 до 86400; передано {value}"))),
    }
}

impl ClientBuilder {
    fn new(spec: &'static ServiceSpec) -> ClientBuilder {
        ClientBuilder { spec, credentials: vec![], base_url: None, timeout: None, connect_timeout: None, max_retries: None, deadline: None, params: Map::new(), auth: None, token_file: None, strict_schema: false, errors: vec![] }
    }

    /// A credential of the service by name (`api_key`). Unknown names fail at `build`.
    pub fn credential(mut self, name: &str, value: impl Into<String>) -> Self {
        self.set_credential(name, value.into());
        self
    }

    fn set_credential(&mut self, name: &str, value: String) {
        match self.spec.credential(name) {
            Some(c) => {
                self.credentials.retain(|(n, _)| *n != c.name);
                self.credentials.push((c.name, Secret::new(value)));
            }
            None => self.errors.push(self.unknown_option(name)),
        }
    }

    /// The service URL (the sandbox's, or a customer host); defaults to the service's
    /// production URL.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Time for a whole request (default 30 s). From 1 ms to 24 h, as in every face:
    /// outside that, `build` fails with [`Error::InvalidParameter`] `option.timeout`.
    pub fn timeout(self, timeout: Duration) -> Self {
        // Through the option, so that the limits and their error are the ones of every face.
        self.option("timeout", Value::from(timeout.as_secs_f64()))
    }

    /// Time to connect (default 10 s); the limits of [`ClientBuilder::timeout`].
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.option("connect_timeout", Value::from(timeout.as_secs_f64()))
    }

    /// Retries of idempotent calls (default 2, at most 100: more fails at `build` with
    /// `option.max_retries`). Calls that are not idempotent are never retried.
    pub fn max_retries(self, n: u32) -> Self {
        self.option("max_retries", Value::from(n))
    }

    /// The most one call may take, retries and their waits included (default 3 × the
    /// timeout; the limits of [`ClientBuilder::timeout`]): each attempt gets at most what is
    /// left of it, a retry whose wait would pass it is not made (the last error is returned
    /// at once, a 429 with its `retry_after`), and once it has passed the call fails with
    /// [`Error::Timeout`]. A streamed download is bounded up to its headers only (see
    /// [`crate::transport::Transport::open`]).
    pub fn deadline(self, deadline: Duration) -> Self {
        self.option("deadline", Value::from(deadline.as_secs_f64()))
    }

    /// The default of a common parameter for every call (Carreta's `account`).
    pub fn param(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.set_param(name, value.into());
        self
    }

    fn set_param(&mut self, name: &str, value: Value) {
        match self.spec.common_param(name) {
            Some(p) => {
                if value.is_null() {
                    self.params.remove(p.name);
                } else {
                    self.params.insert(p.name.to_owned(), value);
                }
            }
            None => self.errors.push(self.unknown_option(name)),
        }
    }

    /// A file that keeps the service's tokens across restarts (services that sign in with a
    /// JWT: CARGO.RUN), so a new process does not sign in again (the service answers 429 to
    /// frequent sign-ins). It holds access and refresh tokens with their expiry per base URL
    /// and user, never the password; it is written atomically with mode 600, and `build`
    /// refuses one that group or others may read or write ([`Error::InvalidParameter`]
    /// `option.token_file`, naming the path). The option `token_file` (a path string) in
    /// every face; for another service it is an unknown option.
    pub fn token_file(self, path: impl Into<std::path::PathBuf>) -> Self {
        let path: std::path::PathBuf = path.into();
        self.option("token_file", Value::from(path.to_string_lossy().into_owned()))
    }

    /// Refuse, before sending, a body property the Swagger schema does not list
    /// ([`Error::InvalidParameter`] `schema.unknown` naming its JSON path) instead of sending
    /// it with a warning (the default): CARGO.RUN's generic rows and
    /// [`Client::call_path`]. The option `strict_schema` (`true`/`false`) in every face;
    /// for a service without a Swagger table it is an unknown option.
    pub fn strict_schema(self, strict: bool) -> Self {
        self.option("strict_schema", Value::Bool(strict))
    }

    /// Replaces the authentication the service spec describes with your own strategy.
    pub fn auth(mut self, auth: Arc<dyn AuthStrategy>) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Sets an option by its name, as the faces pass them (`base_url`; `timeout`,
    /// `connect_timeout` and `deadline` in seconds, or `timeout_ms`, `connect_timeout_ms`
    /// and `deadline_ms` in milliseconds, with the limits of [`ClientBuilder::timeout`];
    /// `max_retries`; a credential; a common parameter). `null` leaves the option at its
    /// default. A wrong value fails at `build` with [`Error::InvalidParameter`] naming the
    /// option (`option.timeout`, `option.max_retries`, `option.unknown`, ...).
    ///
    /// ```
    /// use logibridge::{endpoints::carreta, Client};
    /// use serde_json::json;
    /// let b = Client::builder(&carreta::SERVICE).option("api_key", json!("k")).option("timeout", json!(1e-12));
    /// let err = b.build().unwrap_err();
    /// assert_eq!((err.field(), err.code()), (Some("timeout"), "option.timeout"));
    /// ```
    pub fn option(mut self, name: &str, value: Value) -> Self {
        if value.is_null() {
            return self;
        }
        let result: Result<()> = (|| {
            let this = &mut self;
            match name {
                "base_url" => match &value {
                    Value::String(s) => this.base_url = Some(s.clone()),
                    _ => return Err(Error::invalid_param("client", name, "option.type", "must be a string", "должен быть строкой")),
                },
                "timeout" => this.timeout = Some(seconds(name, &value)?),
                "deadline" => this.deadline = Some(seconds(name, &value)?),
                "connect_timeout" => this.connect_timeout = Some(seconds(name, &value)?),
                "timeout_ms" | "connect_timeout_ms" | "deadline_ms" => {
                    let ms = value.as_f64().map(|m| Value::from(m / 1000.0)).unwrap_or(value.clone());
                    // The same limits, said in the unit the caller used.
                    let d = seconds(name, &ms).map_err(|_| {
                        Error::invalid_param(
                            "client",
                            name,
                            "option.timeout",
                            format!("must be a number of milliseconds from 1 to 86400000, got {value}"),
                            format!("задаётся в миллисекундах, от 1 до 86400000; передано {value}"),
                        )
                    })?;
                    match name {
                        "timeout_ms" => this.timeout = Some(d),
                        "deadline_ms" => this.deadline = Some(d),
                        _ => this.connect_timeout = Some(d),
                    }
                }
                "token_file" if matches!(this.spec.auth, AuthSpec::Jwt { .. }) => match &value {
                    Value::String(s) if !s.trim().is_empty() => this.token_file = Some(s.into()),
                    _ => return Err(Error::invalid_param("client", name, "option.type", "must be a path (a non-empty string)", "должен быть путём к файлу (непустой строкой)")),
                },
                "strict_schema" if crate::cargorun::swagger::serves(this.spec) => match value {
                    Value::Bool(b) => this.strict_schema = b,
                    _ => return Err(Error::invalid_param("client", name, "option.type", "must be true or false", "должен быть true или false")),
                },
                "max_retries" => match value.as_u64() {
                    Some(n) if n <= MAX_RETRIES as u64 => this.max_retries = Some(n as u32),
                    _ => return Err(Error::invalid_param("client", name, "option.max_retries", format!("must be a whole number in 0..=100, got {value}"), format!("должно быть целым числом от 0 до 100; передано {value}"))),
                },
                _ => {
                    if this.spec.credential(name).is_some() {
                        match &value {
                            Value::String(s) => this.set_credential(name, s.clone()),
                            _ => return Err(Error::invalid_param("client", name, "option.type", "must be a string", "должен быть строкой")),
                        }
                    } else if this.spec.common_param(name).is_some() {
                        this.set_param(name, value.clone());
                    } else {
                        return Err(this.unknown_option(name));
                    }
                }
            }
            Ok(())
        })();
        if let Err(e) = result {
            self.errors.push(e);
        }
        self
    }

    /// Every option of a JSON object (see [`ClientBuilder::option`]).
    pub fn options(mut self, options: &Map<String, Value>) -> Self {
        for (k, v) in options {
            self = self.option(k, v.clone());
        }
        self
    }

    fn unknown_option(&self, name: &str) -> Error {
        let mut known: Vec<&str> = vec!["base_url", "timeout", "connect_timeout", "deadline", "max_retries"];
        if matches!(self.spec.auth, AuthSpec::Jwt { .. }) {
            known.push("token_file");
        }
        if crate::cargorun::swagger::serves(self.spec) {
            known.push("strict_schema");
        }
        known.extend(self.spec.credentials.iter().map(|c| c.name));
        known.extend(self.spec.common_params.iter().map(|p| p.name));
        let shown: String = name.chars().take(60).collect();
        Error::invalid_param("client", &shown, "option.unknown", format!("is not an option of a {} client (it takes: {})", self.spec.name, known.join(", ")), format!("не является настройкой клиента {} (допустимы: {})", self.spec.name, known.join(", ")))
    }

    fn secret(&self, name: &str) -> Result<Secret> {
        self.credentials.iter().find(|(n, _)| *n == name).map(|(_, s)| s.clone()).filter(|s| !s.expose().trim().is_empty()).ok_or_else(|| {
            Error::invalid_param("client", name, "option.required", "is required and must not be empty", "обязательна и не может быть пустой")
        })
    }

    /// Builds the client. Fails on a missing or empty required credential, a malformed
    /// URL, an option out of its limits or an unknown option name. No request is sent.
    pub fn build(self) -> Result<Client> {
        // The credentials given so far are secrets for every error of the build too: a
        // base URL that fails to parse may hold one (`http://h/?api_key=…`).
        let secrets: Vec<String> = self.credentials.iter().map(|(_, s)| s.expose().to_owned()).collect();
        self.build_unscrubbed().map_err(|e| e.scrubbed(&secrets))
    }

    fn build_unscrubbed(self) -> Result<Client> {
        let mut this = self;
        if !this.errors.is_empty() {
            return Err(this.errors.swap_remove(0));
        }
        let self_ = this;
        for c in self_.spec.credentials.iter().filter(|c| c.required) {
            if self_.auth.is_none() {
                self_.secret(c.name)?;
            }
        }
        let base_url = self_.base_url.as_deref().unwrap_or(self_.spec.default_base_url);
        let mut config = Config::new(base_url)?;
        config.errors = self_.spec.errors;
        if let Some(t) = self_.timeout {
            config.timeout = t.min(MAX_TIMEOUT);
        }
        if let Some(t) = self_.connect_timeout {
            config.connect_timeout = t.min(MAX_TIMEOUT);
        }
        if let Some(n) = self_.max_retries {
            config.retry.max_retries = n.min(MAX_RETRIES);
        }
        config.deadline = self_.deadline.map(|d| d.min(MAX_TIMEOUT));
        // One pool: the JWT strategy sends its token calls through this transport, without
        // credentials.
        let bare = Transport::new(config, Arc::new(NoAuth))?;
        let auth: Arc<dyn AuthStrategy> = match (self_.auth.clone(), self_.spec.auth) {
            (Some(a), _) => a,
            (None, AuthSpec::None) => Arc::new(NoAuth),
            (None, AuthSpec::QueryParam { param, credential }) => Arc::new(QueryKey::new(param, self_.secret(credential)?)),
            (None, AuthSpec::Bearer { credential }) => Arc::new(BearerToken::new(self_.secret(credential)?)),
            (None, AuthSpec::Jwt { username, password, generate, refresh }) => {
                let user = self_.credentials.iter().find(|(n, _)| *n == username).map(|(_, s)| s.expose().trim().to_owned()).unwrap_or_default();
                Arc::new(JwtAuth::new(bare.clone(), endpoints::require(generate)?, endpoints::require(refresh)?, user, self_.secret(password)?, self_.token_file.clone())?)
            }
        };
        let transport = bare.with_auth(auth);
        Ok(Client { spec: self_.spec, transport, params: Arc::new(self_.params), strict_schema: self_.strict_schema })
    }
}

/// A client of one service, called by endpoint id with JSON parameters, or through the
/// service's typed client (`carreta::Client`) built on it. Cheap to clone; clones share
/// the connection pool. Safe to use from many tasks and threads at once.
///
/// ```no_run
/// # async fn run() -> logibridge::Result<()> {
/// use logibridge::Client;
/// let client = Client::for_service("carreta")?.credential("api_key", "key").build()?;
/// let offers = client.call("carreta.search.query", serde_json::json!({"q": "oc47"})).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    spec: &'static ServiceSpec,
    transport: Transport,
    params: Arc<Map<String, Value>>,
    strict_schema: bool,
}

impl Client {
    /// Starts a builder for a service.
    pub fn builder(spec: &'static ServiceSpec) -> ClientBuilder {
        ClientBuilder::new(spec)
    }

    /// Starts a builder for a service by prefix (`carreta`, or a registered one).
    pub fn for_service(prefix: &str) -> Result<ClientBuilder> {
        let spec = endpoints::service(prefix).ok_or_else(|| {
            let known: Vec<&str> = endpoints::services().iter().map(|s| s.prefix).collect();
            let shown: String = prefix.chars().take(60).collect();
            Error::invalid_argument(
                format!("unknown service {shown:?}; this build speaks: {}", known.join(", ")),
                format!("неизвестный сервис {shown:?}; эта сборка знает: {}", known.iter().map(|p| format!("«{p}»")).collect::<Vec<_>>().join(", ")),
            )
        })?;
        Ok(ClientBuilder::new(spec))
    }

    /// The service this client speaks.
    pub fn service(&self) -> &'static ServiceSpec {
        self.spec
    }

    /// The settings in force.
    pub fn config(&self) -> &Config {
        self.transport.config()
    }

    /// The client's default of a common parameter (`account`), if set.
    pub fn param(&self, name: &str) -> Option<&Value> {
        self.params.get(name)
    }

    /// A copy (sharing the connection pool) with another default for a common parameter;
    /// `None` removes the default.
    pub fn with_param(&self, name: &str, value: Option<Value>) -> Result<Client> {
        let p = self.spec.common_param(name).ok_or_else(|| Error::invalid_argument(format!("{name:?} is not a common parameter of {}", self.spec.name), format!("{name:?} не является общим параметром сервиса {}", self.spec.name)))?;
        let mut params = (*self.params).clone();
        match value {
            Some(v) if !v.is_null() => params.insert(p.name.to_owned(), v),
            _ => params.remove(p.name),
        };
        Ok(Client { spec: self.spec, transport: self.transport.clone(), params: Arc::new(params), strict_schema: self.strict_schema })
    }

    /// A copy (sharing the connection pool) with another retry count for idempotent calls.
    pub fn with_max_retries(&self, max_retries: u32) -> Client {
        Client { spec: self.spec, transport: self.transport.with_max_retries(max_retries.min(MAX_RETRIES)), params: self.params.clone(), strict_schema: self.strict_schema }
    }

    /// A copy (sharing the connection pool) with one option changed, by the name the
    /// builder takes ([`ClientBuilder::option`]): `max_retries`, checked against the same
    /// limits, or a common parameter (`null` removes its default). Every other option is
    /// fixed once the client is built (`option.fixed`).
    ///
    /// ```
    /// use logibridge::{endpoints::carreta, Client};
    /// use serde_json::json;
    /// let c = Client::builder(&carreta::SERVICE).credential("api_key", "k").build().unwrap();
    /// assert_eq!(c.with_option("account", json!("1002")).unwrap().param("account"), Some(&json!("1002")));
    /// assert_eq!(c.with_option("max_retries", json!(1000)).unwrap_err().code(), "option.max_retries");
    /// assert_eq!(c.with_option("timeout", json!(5)).unwrap_err().code(), "option.fixed");
    /// assert_eq!(c.with_option("acount", json!("1")).unwrap_err().code(), "option.unknown");
    /// ```
    pub fn with_option(&self, name: &str, value: Value) -> Result<Client> {
        if self.spec.common_param(name).is_some() {
            return self.with_param(name, Some(value));
        }
        let mut probe = ClientBuilder::new(self.spec).option(name, value);
        if let Some(e) = probe.errors.pop() {
            return Err(e);
        }
        match (name, probe.max_retries) {
            ("max_retries", Some(n)) => Ok(self.with_max_retries(n)),
            ("max_retries", None) => Ok(self.clone()),
            _ => Err(Error::invalid_param("client", name, "option.fixed", "cannot be changed on a built client; build a new one", "нельзя изменить у созданного клиента; создайте новый")),
        }
    }

    /// The row of one of this client's calls.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `id` is unknown or belongs to another service.
    ///
    /// ```
    /// let client = logibridge::Client::for_service("carreta").unwrap().credential("api_key", "k").build().unwrap();
    /// assert_eq!(client.endpoint("carreta.order.get").unwrap().path, "order/{id}/");
    /// assert!(client.endpoint("ireca.order.get").is_err());
    /// ```
    pub fn endpoint(&self, id: &str) -> Result<&'static Endpoint> {
        let ep = endpoints::require(id).map_err(|e| {
            // The error quotes the caller's id: a password or token typed there by mistake
            // must not come back. (Not the fragment scrubber: a password that shares a word
            // with the service's prefix would mask every id of the list it offers.)
            let secrets = self.transport.secrets();
            if secrets.iter().any(|s| s.chars().count() >= 4 && id.contains(s.as_str())) {
                Error::invalid_argument(
                    "unknown endpoint id (not quoted: it contains this client's password or a token)",
                    "неизвестный идентификатор вызова (не приводится: в нём пароль или токен этого клиента)",
                )
            } else {
                e
            }
        })?;
        if ep.service != self.spec.prefix {
            return Err(wrong_service(ep.id, ep.service, self.spec.prefix));
        }
        Ok(ep)
    }

    /// Checks the parameters of a call against its row (see [`crate::call::check`]); a
    /// generic row's body also against its Swagger schema
    /// ([`crate::cargorun::swagger::validate`]), warning about properties the schema does
    /// not list or, with [`ClientBuilder::strict_schema`], refusing them.
    pub fn check(&self, ep: &'static Endpoint, params: Value) -> Result<Args> {
        let args = call::check(ep, self.spec, &self.params, params)?;
        if let Some(op) = ep.swagger {
            crate::cargorun::swagger::check_body(ep, op, &args, self.strict_schema)?;
        }
        Ok(args)
    }

    /// Calls an endpoint by id: the parameters are checked against the row, the documented
    /// rules are applied, then the request is sent and the answer decoded into the row's
    /// model, returned as JSON in its documented form. A paged call with `"all": true`
    /// returns every item of every page as one list.
    pub async fn call(&self, id: &str, params: Value) -> Result<Value> {
        let ep = self.endpoint(id)?;
        self.call_endpoint(ep, params).await
    }

    /// [`Client::call`] with the row itself.
    pub async fn call_endpoint(&self, ep: &'static Endpoint, params: Value) -> Result<Value> {
        self.call_unscrubbed(ep, params).await.map_err(|e| self.scrub(e))
    }

    /// Every error leaves through here: no text it holds carries a secret, in any encoding.
    fn scrub(&self, e: Error) -> Error {
        e.scrubbed(&self.transport.secrets())
    }

    async fn call_unscrubbed(&self, ep: &'static Endpoint, params: Value) -> Result<Value> {
        if ep.service != self.spec.prefix {
            return Err(wrong_service(ep.id, ep.service, self.spec.prefix));
        }
        let args = self.check(ep, params)?;
        if let Some(once) = ep.once {
            return self.call_once(once, args).await;
        }
        if let Some(local) = ep.local {
            // On the shared runtime's blocking pool, whichever runtime the caller is on: a
            // library-side call may block (read a file, stream a download).
            return crate::blocking::spawn_blocking(move || local(args.values)).await.map_err(|e| Error::Internal(format!("{}: the library-side call failed: {e}", ep.id)))?;
        }
        if ep.paging != Paging::None && args.get("all") == Some(&Value::Bool(true)) {
            let mut pager = Pager::<Value>::json(self.clone(), ep, args);
            let mut all = Vec::new();
            while let Some(page) = pager.next_page().await? {
                all.extend(page);
            }
            return Ok(Value::Array(all));
        }
        let response = self.send_checked(ep, &args).await?;
        call::decode(ep, &response.body)
    }

    /// An exactly-once create (see [`endpoints::Once`]): the create is sent; when it fails
    /// with [`Error::outcome_unknown`], the object is looked up before anything is sent
    /// again. Found: `recovered`. Not found: the create was not applied, and is sent again
    /// (at most [`endpoints::Once::MAX_SENDS`] sends). A lookup that fails returns the
    /// create's error, whose `outcome_unknown` stays true.
    ///
    /// The lookup runs right after the failure: it finds what the service applied before
    /// or while it answered (the usual case: a lost or late answer). A service that queues
    /// a request and applies it only after its client gave up can still create it later.
    async fn call_once(&self, once: &'static endpoints::Once, args: Args) -> Result<Value> {
        let mut lookup = (once.lookup_params)(&args.values)?;
        for p in self.spec.common_params {
            if let (Some(v), Some(obj)) = (args.get(p.name), lookup.as_object_mut()) {
                obj.entry(p.name).or_insert_with(|| v.clone());
            }
        }
        let result = |outcome: &str, object: Value| {
            let mut out = Map::new();
            out.insert("outcome".into(), Value::from(outcome));
            out.insert(once.field.into(), object);
            Value::Object(out)
        };
        let mut sends = 0;
        loop {
            sends += 1;
            let sent = match self.send_checked(once.create, &args).await {
                Ok(response) => return Ok(result("created", call::decode(once.create, &response.body)?)),
                Err(e) if e.outcome_unknown() => e,
                Err(e) => return Err(e),
            };
            tracing::info!(endpoint = once.create.id, error = %sent, "outcome unknown: looking the object up before sending again");
            let found = async {
                let lookup_args = self.check(once.lookup, lookup.clone())?;
                let response = self.send_checked(once.lookup, &lookup_args).await?;
                call::decode(once.lookup, &response.body)
            };
            let found = match found.await {
                Ok(found) => found,
                Err(lookup_err) => {
                    tracing::warn!(endpoint = once.lookup.id, error = %lookup_err, "the lookup failed: the outcome stays unknown");
                    return Err(sent);
                }
            };
            if let Some(object) = (once.pick)(&args.values, found) {
                return Ok(result("recovered", object));
            }
            if sends >= endpoints::Once::MAX_SENDS {
                return Err(sent);
            }
        }
    }

    /// Calls an operation by HTTP method and path: the escape hatch for what the table has no
    /// row for (CARGO.RUN's newest ETRN-provider calls under `/api/waybill/Bids/*`, absent
    /// from its Swagger), with the service's credentials (the same JWT sign-in and renewal),
    /// error mapping and secret scrubbing as every row.
    ///
    /// - `method`: `GET`, `POST`, `PUT` or `DELETE` (any case); `HEAD` and others are refused.
    /// - `path`: relative to the base URL, a leading `/` allowed (`/api/Trackers/Attach`); no
    ///   query string, no scheme or host.
    /// - `params`: `{"query": {name: value, …}, "body": <JSON>}`, both optional.
    ///
    /// A path of the service's Swagger (CARGO.RUN's table; matched case-insensitively, `{…}`
    /// placeholders taking one segment) is sent as its row: the query names and types and
    /// the body are checked against the operation's schemas before anything is sent (the
    /// same path with another method is refused). Any other path is sent unchecked: query
    /// values as text (a list repeats the name), the body as JSON. The answer is its JSON
    /// (`null` when empty). POST is never retried.
    ///
    /// ```no_run
    /// # async fn run(client: logibridge::Client) -> logibridge::Result<()> {
    /// use serde_json::json;
    /// // Not in the Swagger: sent as given.
    /// let signed = client.call_path("POST", "/api/waybill/Bids/Sign", json!({"body": {"bidId": 17}})).await?;
    /// // In the Swagger (GET /api/Trackers/Get/{id}): checked like its row.
    /// let tracker = client.call_path("GET", "api/trackers/get/5", json!({})).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a bad method (`method`), path (`path`), parameter
    /// shape or a value the schema refuses (its JSON path, `body.points[2].type`), before
    /// anything is sent; then the errors of any call.
    pub async fn call_path(&self, method: &str, path: &str, params: Value) -> Result<Value> {
        self.call_path_unscrubbed(method, path, params).await.map_err(|e| self.scrub(e))
    }

    async fn call_path_unscrubbed(&self, method: &str, path: &str, params: Value) -> Result<Value> {
        let m = endpoints::Method::parse(method.trim()).filter(|m| *m != endpoints::Method::Local).ok_or_else(|| {
            let shown = crate::shown_input(method);
            Error::invalid_param("call_path", "method", "param.method", format!("{shown:?} is not supported: GET, POST, PUT or DELETE (HEAD and others are not sent)"), format!("{shown:?} не поддерживается: GET, POST, PUT или DELETE (HEAD и другие не отправляются)"))
        })?;
        let path = call::checked_path(path)?;
        let mut given = match params {
            Value::Null => Map::new(),
            Value::Object(map) => map,
            other => return Err(Error::invalid_param("call_path", "params", "param.type", format!("must be an object {{\"query\": {{…}}, \"body\": …}}, got {}", crate::shown_input(&other.to_string())), format!("должны быть объектом {{\"query\": {{…}}, \"body\": …}}, передано {}", crate::shown_input(&other.to_string())))),
        };
        let query = match given.remove("query") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(q)) => q,
            Some(other) => return Err(Error::invalid_param("call_path", "query", "param.type", format!("must be an object of query parameters, got {}", crate::shown_input(&other.to_string())), format!("должен быть объектом с параметрами запроса, передано {}", crate::shown_input(&other.to_string())))),
        };
        let body = given.remove("body").filter(|b| !b.is_null());
        if let Some(name) = given.keys().next() {
            let name: String = name.chars().take(60).collect();
            return Err(Error::invalid_param("call_path", &name, "param.unknown", "is not a key of call_path's params (it takes: query, body)", "не является ключом параметров call_path (допустимы: query, body)"));
        }
        if crate::cargorun::swagger::serves(self.spec) {
            let table = crate::cargorun::swagger::table();
            if let Some((op, values)) = table.find_path(m.as_str(), path) {
                let (row, _typed) = crate::cargorun::swagger::row_for_operation(op);
                let row = match row {
                    Some(row) => row,
                    None => {
                        let (en, ru) = op.unsupported().unwrap_or_default();
                        return Err(Error::invalid_argument(en, ru));
                    }
                };
                let mut p = query;
                for (wire, value) in values {
                    let name = row.params.iter().find(|p| p.wire == wire).map_or(wire, |p| p.name);
                    if p.insert(name.to_owned(), Value::String(value)).is_some() {
                        return Err(Error::invalid_param(row.id, name, "param.path", "is given in the path; it cannot be a query parameter too", "задан в пути и не может быть ещё и параметром запроса"));
                    }
                }
                if let Some(b) = body {
                    p.insert("body".into(), b);
                }
                return self.call_unscrubbed(row, Value::Object(p)).await;
            }
            let others: Vec<&str> = ["GET", "POST", "HEAD"].into_iter().filter(|other| table.find_path(other, path).is_some()).collect();
            if !others.is_empty() {
                let list = others.join(", ");
                return Err(Error::invalid_param("call_path", "method", "param.method", format!("the Swagger has this path as {list} only, not {}", m.as_str()), format!("в Swagger этот путь есть только как {list}, не {}", m.as_str())));
            }
        }
        let ep = call::path_row(self.spec.prefix, m);
        let base = &self.transport.config().base_url;
        let mut url = base.join(path).map_err(|e| Error::invalid_argument(format!("{}: bad path: {e}", ep.id), format!("{}: неверный путь: {e}", ep.id)))?;
        if url.origin() != base.origin() || !url.path().starts_with(base.path()) {
            return Err(Error::invalid_argument(format!("{}: the path leaves the base URL; not sent", ep.id), format!("{}: путь выходит за пределы адреса сервиса; запрос не отправлен", ep.id)));
        }
        let pairs = call::path_query(&query)?;
        if !pairs.is_empty() {
            url.query_pairs_mut().extend_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        let mut req = Request::new(ep);
        req.absolute_url = Some(url);
        req.body = body;
        let response = self.transport.execute(req).await?;
        call::decode(ep, &response.body)
    }

    /// [`Client::call_path`] with JSON text in and out, for faces that speak strings (an
    /// empty text means no parameters).
    pub async fn call_path_json(&self, method: &str, path: &str, params_json: &str) -> Result<String> {
        let params: Value = if params_json.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(params_json).map_err(|e| Error::invalid_argument(format!("call_path: parameters are not valid JSON: {e}"), format!("call_path: параметры — не JSON: {}", crate::error::russian::serde_message(&e.to_string()))))?
        };
        let out = self.call_path(method, path, params).await?;
        serde_json::to_string(&out).map_err(|e| Error::Internal(format!("cannot encode the result: {e}")))
    }

    /// [`Client::call`] with JSON text in and out, for faces that speak strings (an empty
    /// text means no parameters).
    pub async fn call_json(&self, id: &str, params_json: &str) -> Result<String> {
        let params: Value = if params_json.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(params_json).map_err(|e| {
                let id: String = id.chars().take(100).collect();
                Error::invalid_argument(format!("{id}: parameters are not valid JSON: {e}"), format!("{id}: параметры — не JSON: {}", crate::error::russian::serde_message(&e.to_string())))
            })?
        };
        let out = self.call(id, params).await?;
        serde_json::to_string(&out).map_err(|e| Error::Internal(format!("cannot encode the result: {e}")))
    }

    /// Blocking [`Client::call_json`] on the shared runtime; works from any thread that is
    /// not driving an async runtime (see [`crate::blocking::wait`]).
    pub fn call_json_blocking(&self, id: &str, params_json: &str) -> Result<String> {
        let (client, id, params) = (self.clone(), id.to_owned(), params_json.to_owned());
        crate::blocking::wait(async move { client.call_json(&id, &params).await })?
    }

    /// Calls an endpoint and decodes the answer straight into a Rust type (what the typed
    /// clients use): no JSON tree in between.
    pub async fn fetch<T: DeserializeOwned>(&self, ep: &'static Endpoint, params: Value) -> Result<T> {
        let result = async {
            let args = self.check(ep, params)?;
            let response = self.send_checked(ep, &args).await?;
            call::decode_typed(ep, &response.body)
        };
        result.await.map_err(|e| self.scrub(e))
    }

    /// Calls an endpoint through [`Client::call_endpoint`] (local and exactly-once rows
    /// included) and reads its JSON result into a Rust type.
    pub async fn fetch_local<T: DeserializeOwned>(&self, ep: &'static Endpoint, params: Value) -> Result<T> {
        let value = self.call_endpoint(ep, params).await?;
        serde_json::from_value(value).map_err(|e| Error::decode(ep.id, "", e.to_string(), ""))
    }

    /// The pages of a paged call, fetched lazily, decoded into `T` (a list item). Wrong
    /// parameters surface as the first page's error.
    pub fn pages<T: DeserializeOwned>(&self, ep: &'static Endpoint, params: Value) -> Pager<T> {
        match self.check(ep, params) {
            Ok(args) => Pager::typed(self.clone(), ep, args),
            Err(e) => Pager::failed(self.clone(), ep, e),
        }
    }

    /// The pages of a paged call as the generic entry gives them: each item JSON in its
    /// documented form (the row's model read and written, as [`Client::call`] does), with
    /// [`Pager::total`] from the row's count header. Wrong parameters surface as the first
    /// page's error.
    pub fn json_pages(&self, ep: &'static Endpoint, params: Value) -> Pager<Value> {
        match self.check(ep, params) {
            Ok(args) => Pager::json(self.clone(), ep, args),
            Err(e) => Pager::failed(self.clone(), ep, e),
        }
    }

    /// Sends a built request through the client's transport.
    pub(crate) async fn transport_execute(&self, req: Request) -> Result<Response> {
        self.transport.execute(req).await.map_err(|e| self.scrub(e))
    }

    /// Scrubs an error of this client's secrets (for pagers, whose decoding happens outside).
    pub(crate) fn scrub_error(&self, e: Error) -> Error {
        self.scrub(e)
    }

    /// Sends a checked call and returns the raw answer.
    pub(crate) async fn send_checked(&self, ep: &'static Endpoint, args: &Args) -> Result<Response> {
        let mut req: Request = call::request(ep, self.spec, args)?;
        if ep.swagger.is_some_and(|op| op.is_multipart()) {
            if let Some(body) = req.body.take() {
                let (content_type, bytes) = crate::cargorun::swagger::encode_multipart(&body)?;
                req.raw_body = Some((content_type, bytes.into()));
            }
        }
        if let Some(answer) = self.transport.own_call(&req).await {
            return answer;
        }
        self.transport.execute(req).await
    }
}

/// The answer's body, for a face that reads it its own way (the Python face builds its model
/// objects straight from it). What the face gets is bound to what [`crate::Client::call`]
/// gives: [`crate::Client::decode_body_of`] on the same body is that result, and a face's own
/// reader must agree with it.
impl Client {
    /// Calls a row (not a library-side one) and returns the body of its successful answer as
    /// the service sent it: the parameters checked against the row, the request sent
    /// through the one transport, errors scrubbed of the client's secrets, as for every call.
    pub async fn call_body(&self, ep: &'static Endpoint, params: Value) -> Result<bytes::Bytes> {
        let result = async {
            if ep.service != self.service().prefix {
                return Err(wrong_service(ep.id, ep.service, self.service().prefix));
            }
            let args = self.check(ep, params)?;
            Ok(self.send_checked(ep, &args).await?.body)
        };
        result.await.map_err(|e| self.scrub(e))
    }

    /// The row's decoder on a body from [`crate::Client::call_body`]: what
    /// [`crate::Client::call`] returns for that answer (errors scrubbed alike).
    pub fn decode_body_of(&self, ep: &'static Endpoint, body: &[u8]) -> Result<Value> {
        call::decode(ep, body).map_err(|e| self.scrub(e))
    }
}

/// `id` is a call of another service than the client's.
pub(crate) fn wrong_service(id: &str, service: &str, client_prefix: &str) -> Error {
    Error::invalid_argument(
        format!("{id} belongs to {service}, but this client speaks {client_prefix}"),
        format!("{id} относится к сервису {service}, а этот клиент работает с {client_prefix}"),
    )
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<Client>();
}
