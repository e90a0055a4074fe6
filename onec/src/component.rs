//! The component object: one implementation of the Native API object for every class,
//! driven by its generated [`Class`]. It holds the options of the core client (by the
//! core's names: `base_url`, `timeout`, each credential, each common parameter, …), builds
//! the client from them with `Client::for_service(prefix)?.options(...)`, and runs methods.
//!
//! Errors are mapped once, in [`Component::fail`]: the error's JSON goes to
//! `ПоследняяОшибка/LastError`, its Russian text to the platform's `AddError`, and the
//! entry point returns `false`, so BSL raises an exception. Every entry point runs inside
//! `catch_unwind`: a panic becomes an internal error, never an abort of the platform.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, OnceLock};

use addin1c::{CStr1C, Connection, RawAddin, Variant};
use logibridge::blocking::panic_message;
use logibridge::cargorun::sync::{self as cr_sync, SyncEntity, SyncOptions, SyncScope, SyncStore, Syncer};
use logibridge::endpoints::{self, AuthSpec, Endpoint, ServiceSpec};
use logibridge::transport::{NoAuth, DEFAULT_TIMEOUT};
use logibridge::{Client, Error, ErrorKind};
use serde_json::{Map, Value};

use crate::args::{self, Arg, Target};
use crate::class::{Action, Class, Default1C, MethodSpec, PropKind, Ret};
use crate::platform::{self, Link, ADDIN_E_VERY_IMPORTANT, EVENT_BUFFER_DEPTH};

/// One component object (what `GetClassObject` creates).
pub struct Component {
    class: &'static Class,
    link: Arc<Link>,
    /// The service: fixed for a service class, the `Сервис` property of the generic one.
    service: Option<&'static ServiceSpec>,
    /// The client's options by the core's names; checked by the core when set.
    options: Map<String, Value>,
    /// The client built from the options (cleared when one changes).
    client: Option<Client>,
    /// The same options without credentials, for rows that need none (library-side
    /// checks work before a key is set). Also what every option is checked with.
    open_client: Option<Client>,
    last_error: String,
    next_request: u64,
    /// The open syncs by list: each keeps, between calls, the batches it handed and not
    /// yet acknowledged (the store holds only what was acknowledged).
    syncs: HashMap<SyncEntity, OpenSync>,
}

/// A syncer and the store file it was opened on.
struct OpenSync {
    store_path: String,
    syncer: Syncer,
}

fn no_service() -> Error {
    Error::invalid_param(
        "client",
        "service",
        "option.required",
        "no service is chosen: set Service (Сервис) to a service prefix such as \"carreta\"",
        "не задан Сервис (Service): укажите префикс сервиса, например \"carreta\"",
    )
}

/// Adds the 1C name (`«Страница» метода Заказы`, `свойства «Таймаут»`) to the core's
/// message about a parameter or an option, when it names one by its core name.
/// `name_ru` gets the field and the message and says what to add, if anything.
fn with_name_ru(err: Error, name_ru: impl Fn(&str, &str) -> Option<String>) -> Error {
    match err {
        Error::InvalidParameter {
            endpoint,
            field,
            code,
            message,
            message_ru,
        } => {
            let message_ru = match name_ru(&field, &message_ru) {
                Some(ru) => format!("{message_ru} ({ru})"),
                None => message_ru,
            };
            Error::invalid_param(&endpoint, &field, code, message, message_ru)
        }
        other => other,
    }
}

/// [`with_name_ru`] for the parameters of a method.
fn method_names(method: &MethodSpec) -> impl Fn(&str, &str) -> Option<String> + '_ {
    move |field, message| {
        method
            .args
            .iter()
            .find(|a| a.field == Some(field))
            .filter(|a| a.name_ru != field && !message.contains(&format!("«{}»", a.name_ru)))
            .map(|a| format!("параметр «{}» метода {}", a.name_ru, method.names.ru))
    }
}

/// Declares a service from its JSON description. The same text twice (a form opened
/// again) gives the service declared the first time; another description under a taken
/// prefix is the core's error.
fn register_service(text: &str) -> Result<&'static ServiceSpec, Error> {
    static SEEN: OnceLock<Mutex<HashMap<String, &'static ServiceSpec>>> = OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(spec) = seen.get(text) {
        return Ok(spec);
    }
    let spec = endpoints::register(text)?;
    seen.insert(text.to_owned(), spec);
    Ok(spec)
}

impl Component {
    pub fn new(class: &'static Class) -> Component {
        Component {
            class,
            link: Link::new(),
            service: class.service,
            options: Map::new(),
            client: None,
            open_client: None,
            last_error: String::new(),
            next_request: 1,
            syncs: HashMap::new(),
        }
    }

    fn source(&self) -> String {
        format!("{}.{}", crate::BUNDLE_NAME, self.class.name)
    }

    /// The one mapping of an error: `LastError` JSON, `AddError` in Russian, `false`.
    fn fail(&mut self, err: Error) -> bool {
        self.last_error = err.to_json().to_string();
        let source = self.source();
        self.link
            .add_error(ADDIN_E_VERY_IMPORTANT, &source, &err.message_ru());
        false
    }

    /// Runs an entry point, turning a panic into an internal error.
    fn guard<R>(&mut self, on_panic: R, f: impl FnOnce(&mut Self) -> R) -> R {
        match catch_unwind(AssertUnwindSafe(|| f(self))) {
            Ok(r) => r,
            Err(panic) => {
                let what = panic_message(panic.as_ref());
                // Reporting must not panic again; if it does, give up quietly.
                let _ = catch_unwind(AssertUnwindSafe(|| {
                    self.fail(Error::Internal(format!("the component failed inside: {what}")))
                }));
                on_panic
            }
        }
    }

    fn spec(&self) -> Result<&'static ServiceSpec, Error> {
        self.service.ok_or_else(no_service)
    }

    /// Builds a client from `options` without credentials: the core checks every option
    /// (names, types, limits, the URL) here, and nothing else does.
    fn build_open(&self, options: &Map<String, Value>) -> Result<Client, Error> {
        Client::for_service(self.spec()?.prefix)?
            .options(options)
            .auth(Arc::new(NoAuth))
            .build()
    }

    /// The client for a row: with the service's credentials, or without them for rows that
    /// need none.
    fn client(&mut self, auth: bool) -> Result<Client, Error> {
        let cached = if auth {
            &self.client
        } else {
            &self.open_client
        };
        if let Some(c) = cached {
            return Ok(c.clone());
        }
        let c = if auth {
            let spec = self.spec()?;
            // A missing credential is named by its property here (`КлючAPI`), by its
            // option name in the core's text.
            Client::for_service(spec.prefix)?
                .options(&self.options)
                .build()
                .map_err(|e| {
                    with_name_ru(e, |field, _| {
                        spec.credential(field)
                            .map(|c| format!("свойство «{}»", c.onec_ru))
                    })
                })?
        } else {
            self.build_open(&self.options)?
        };
        let slot = if auth {
            &mut self.client
        } else {
            &mut self.open_client
        };
        *slot = Some(c.clone());
        Ok(c)
    }

    fn client_for_id(&mut self, id: &str) -> Result<Client, Error> {
        let auth = endpoints::find(id).is_none_or(needs_credentials);
        self.client(auth)
    }

    /// Sets (or, with `null`, removes) one option; refused unless the core accepts it.
    /// Sets one option of the client (the property setters and `УстановитьПараметр` alike).
    /// An empty `base_url` (`Неопределено` or "") is refused, never "the production
    /// address": an unfilled setting must not send real orders to the service.
    fn set_option(&mut self, name: &str, value: Value) -> Result<(), Error> {
        if name == "base_url" && value.as_str().map_or(value.is_null(), |s| s.trim().is_empty()) {
            let default = self.spec().map(|s| s.default_base_url).unwrap_or_default();
            return Err(Error::invalid_param(
                "client",
                "base_url",
                "option.base_url",
                format!("the service address is empty (Undefined or \"\"); to use the service's own address, assign it explicitly: {default:?}"),
                format!("адрес сервиса не задан (Неопределено или пустая строка); чтобы работать с рабочим адресом, присвойте его явно: \"{default}\""),
            ));
        }
        let mut options = self.options.clone();
        if value.is_null() {
            options.remove(name);
        } else {
            options.insert(name.to_owned(), value);
        }
        let open = self.build_open(&options)?;
        self.options = options;
        self.open_client = Some(open);
        self.client = None;
        // An open sync holds the old client: reopened on the next call (from the store;
        // a batch not acknowledged comes again).
        self.syncs.clear();
        Ok(())
    }

    /// Chooses the service of the generic class; options of the previous service
    /// (credentials, common parameters, the URL) are dropped, the others kept.
    fn set_service(&mut self, spec: Option<&'static ServiceSpec>) -> Result<(), Error> {
        if let Some(old) = self.service {
            self.options.retain(|k, _| {
                k != "base_url" && old.credential(k).is_none() && old.common_param(k).is_none()
            });
        }
        self.service = spec;
        self.client = None;
        self.open_client = None;
        self.syncs.clear();
        if spec.is_some() && !self.options.is_empty() {
            let open = self.build_open(&self.options)?;
            self.open_client = Some(open);
        }
        Ok(())
    }

    fn get_prop(&mut self, kind: PropKind, val: &mut Variant) -> Result<(), Error> {
        let text = match kind {
            PropKind::Service => self
                .service
                .map(|s| s.prefix)
                .unwrap_or_default()
                .to_owned(),
            PropKind::BaseUrl => match self.options.get("base_url") {
                Some(Value::String(s)) => s.clone(),
                _ => self
                    .service
                    .map(|s| s.default_base_url)
                    .unwrap_or_default()
                    .to_owned(),
            },
            PropKind::Credential(c) if c.secret => {
                return Err(Error::invalid_argument(
                    format!("property {} ({}) is write-only", c.onec_en, c.onec_ru),
                    format!("свойство {} ({}) доступно только для записи", c.onec_ru, c.onec_en),
                ))
            }
            PropKind::Credential(c) => match self.options.get(c.name) {
                Some(Value::String(s)) => s.clone(),
                _ => String::new(),
            },
            PropKind::Common(p) => match self.options.get(p.name) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Bool(b)) => {
                    val.set_bool(*b);
                    return Ok(());
                }
                Some(other) => other.to_string(),
            },
            PropKind::Timeout => {
                let t = match &self.open_client {
                    Some(c) => c.config().timeout,
                    None => DEFAULT_TIMEOUT,
                };
                val.set_f64(t.as_secs_f64());
                return Ok(());
            }
            PropKind::LastError => self.last_error.clone(),
            PropKind::Version => logibridge::VERSION.to_owned(),
        };
        set_string(val, &text)
    }

    fn set_prop(&mut self, kind: PropKind, ru: &str, arg: Arg) -> Result<(), Error> {
        let a = [arg];
        match kind {
            PropKind::Service => {
                let prefix = args::string(&a, 0, ru)?;
                let spec = match prefix.trim() {
                    "" => None,
                    p => match endpoints::service(p) {
                        Some(spec) => Some(spec),
                        // The core's message lists the services this build speaks.
                        None => {
                            return Err(Client::for_service(p).err().unwrap_or_else(no_service))
                        }
                    },
                };
                self.set_service(spec)
            }
            PropKind::BaseUrl => {
                // Checked by the core on assignment (see `set_option`).
                let s = match &a[0] {
                    Arg::Empty => String::new(),
                    _ => args::string(&a, 0, ru)?,
                };
                self.set_option("base_url", Value::String(s.trim().to_owned()))
            }
            PropKind::Credential(c) => {
                let s = args::string(&a, 0, ru)?;
                let v = if s.is_empty() {
                    Value::Null
                } else {
                    Value::String(s)
                };
                self.set_option(c.name, v)
            }
            PropKind::Common(p) => {
                let to = Target {
                    endpoint: "client",
                    param: p,
                    name_ru: ru,
                };
                let v = args::param_value(&a[0], to)?.unwrap_or(Value::Null);
                let v = match v {
                    Value::String(s) if s.trim().is_empty() => Value::Null,
                    Value::String(s) => Value::String(s.trim().to_owned()),
                    other => other,
                };
                self.set_option(p.name, v)
            }
            PropKind::Timeout => {
                // Seconds; "2,5" as written in Russian is read as 2.5. The limits are the
                // core's.
                let v = match &a[0] {
                    Arg::Str(s) => match s.trim().replace(',', ".").parse::<f64>() {
                        Ok(f) => serde_json::Number::from_f64(f)
                            .map_or(Value::String(s.clone()), Value::Number),
                        Err(_) => Value::String(s.clone()),
                    },
                    other => args::plain(other, ru)?,
                };
                self.set_option("timeout", v)
            }
            PropKind::LastError | PropKind::Version => Err(Error::invalid_argument(
                format!("property {ru} is read-only"),
                format!("свойство {ru} доступно только для чтения"),
            )),
        }
    }

    /// The parameters of a generated method (or the common ones after an override's own).
    fn row_params(
        ep: &'static Endpoint,
        method: &MethodSpec,
        params: &[Arg],
        mut out: Map<String, Value>,
    ) -> Result<Value, Error> {
        for (i, spec) in method.args.iter().enumerate() {
            let Some(p) = spec.param else { continue };
            let to = Target {
                endpoint: ep.id,
                param: p,
                name_ru: spec.name_ru,
            };
            if let Some(v) = args::param_value(args::get(params, i), to)? {
                out.insert(p.name.to_owned(), v);
            }
        }
        Ok(Value::Object(out))
    }

    fn call_row(&mut self, ep: &'static Endpoint, params: Value) -> Result<Value, Error> {
        let client = self.client(needs_credentials(ep))?;
        logibridge::blocking::wait(async move { client.call_endpoint(ep, params).await })?
    }

    fn json_text(v: &Value) -> Result<String, Error> {
        serde_json::to_string(v)
            .map_err(|e| Error::Internal(format!("cannot encode the result: {e}")))
    }

    /// Runs method `num`.
    fn run(&mut self, num: usize, params: &[Arg]) -> Result<Ret, Error> {
        let class = self.class;
        let method = class
            .method(num)
            .ok_or_else(|| Error::invalid_argument(format!("there is no method number {num}"), format!("нет метода с номером {num}")))?;
        match &method.action {
            Action::Call => {
                let id = args::required_string(params, 0, "ИдентификаторМетода")?;
                let json = args::string(params, 1, "ПараметрыJSON")?;
                let client = self.client_for_id(&id)?;
                Ok(Ret::Str(client.call_json_blocking(&id, &json)?))
            }
            Action::CallAsync => {
                let id = args::required_string(params, 0, "ИдентификаторМетода")?;
                let json = args::string(params, 1, "ПараметрыJSON")?;
                let client = self.client_for_id(&id)?;
                self.link.ensure_event_buffer_depth(EVENT_BUFFER_DEPTH);
                let n = self.next_request;
                self.next_request += 1;
                spawn_async_call(self.link.clone(), client, n, id, json);
                Ok(Ret::Int(i32::try_from(n).unwrap_or(i32::MAX)))
            }
            Action::Endpoints => Ok(Ret::Str(match class.service {
                Some(spec) => endpoints::describe_service(spec).to_string(),
                None => endpoints::describe_all().to_string(),
            })),
            Action::SetOption => {
                let name = args::required_string(params, 0, "Имя")?;
                let value = args::plain(args::get(params, 1), "Значение")?;
                self.spec()?;
                self.set_option(name.trim(), value)?;
                Ok(Ret::Bool(true))
            }
            Action::RegisterService => {
                let text = args::required_string(params, 0, "ОписаниеJSON")?;
                let spec = register_service(&text)?;
                if self.service.is_none() {
                    self.set_service(Some(spec))?;
                }
                Ok(Ret::Str(spec.prefix.to_owned()))
            }
            Action::Row(ep) => {
                let p = Self::row_params(ep, method, params, Map::new())?;
                let out = self
                    .call_row(ep, p)
                    .map_err(|e| with_name_ru(e, method_names(method)))?;
                Ok(Ret::Str(Self::json_text(&out)?))
            }
            Action::Hook(ep, build) => {
                let own = build(ep, params)?;
                let p = Self::row_params(ep, method, params, own)?;
                let out = self
                    .call_row(ep, p)
                    .map_err(|e| with_name_ru(e, method_names(method)))?;
                Ok(Ret::Str(Self::json_text(&out)?))
            }
            Action::Verdict(ep) => {
                let p = Self::row_params(ep, method, params, Map::new())?;
                match self.call_row(ep, p) {
                    Ok(v) => Ok(Ret::Bool(v.as_bool().unwrap_or(true))),
                    Err(e) if e.kind() == ErrorKind::Validation => {
                        self.last_error = e.to_json().to_string();
                        Ok(Ret::Bool(false))
                    }
                    Err(e) => Err(with_name_ru(e, method_names(method))),
                }
            }
            Action::Extra(run) => run(params),
            Action::CallPath => {
                let method = args::required_string(params, 0, "Метод")?;
                let path = args::required_string(params, 1, "Путь")?;
                let json = args::string(params, 2, "ПараметрыJSON")?;
                let client = self.client(true)?;
                let out = logibridge::blocking::wait(async move {
                    client.call_path_json(&method, &path, &json).await
                })??;
                Ok(Ret::Str(out))
            }
            Action::GenericOperations => {
                let filter = args::string(params, 0, "Отбор")?.trim().to_lowercase();
                let rows: Vec<Value> = endpoints::generic(self.spec()?)
                    .iter()
                    .filter(|ep| {
                        filter.is_empty()
                            || [ep.id, ep.path, ep.summary]
                                .iter()
                                .any(|t| t.to_lowercase().contains(&filter))
                    })
                    .map(|ep| endpoints::describe_endpoint(ep))
                    .collect();
                Ok(Ret::Str(Self::json_text(&Value::Array(rows))?))
            }
            Action::Sync(fixed) => {
                let (entity, at) = match fixed {
                    Some(e) => (*e, 0),
                    None => (entity_arg(params, 0)?, 1),
                };
                let store = args::required_string(params, at, "ПутьКХранилищу")?;
                let since = args::string(params, at + 1, "Начало")?;
                self.sync_next(entity, store, since)
            }
            Action::Acknowledge => {
                let seq = args::integer(params, 0, "НомерПакета")?;
                let entity = entity_arg(params, 1)?;
                let open = self.syncs.get_mut(&entity).ok_or_else(|| no_sync(entity))?;
                let seq = u64::try_from(seq).unwrap_or(0);
                open.syncer.acknowledge_seq(seq)?;
                Ok(Ret::Bool(true))
            }
            Action::Checkpoint => {
                let entity = entity_arg(params, 0)?;
                let path = args::string(params, 1, "ПутьКХранилищу")?;
                let checkpoint = match self.syncs.get(&entity) {
                    Some(open) if path.trim().is_empty() || path == open.store_path => {
                        open.syncer.checkpoint()?
                    }
                    _ if path.trim().is_empty() => return Err(no_sync(entity)),
                    _ => {
                        // The stream Syncer::new would resume: the entity's own name.
                        let client = self.client(true)?;
                        let scope = SyncScope::new(client.config().base_url.as_str(), &self.account())?;
                        SyncStore::open(path.trim())?.checkpoint(&scope, entity.name())?
                    }
                };
                match checkpoint {
                    Some(c) => Ok(Ret::Str(Self::json_text(&serde_json::to_value(&c).map_err(|e| {
                        Error::Internal(format!("cannot encode the checkpoint: {e}"))
                    })?)?)),
                    None => Ok(Ret::Str(String::new())),
                }
            }
            Action::ClassifyChange => {
                let t = |i, name| time_arg(params, i, name);
                let state = cr_sync::classify(
                    t(0, "ВремяCargoRun")?,
                    t(1, "ВремяЛокальное")?,
                    t(2, "ВремяСинхронизации")?,
                );
                Ok(Ret::Str(
                    serde_json::to_value(state)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .ok_or_else(|| Error::Internal(format!("cannot name the state {state:?}")))?,
                ))
            }
        }
    }

    /// The account the checkpoints are kept under: the user name the client signs in as.
    fn account(&self) -> String {
        self.options
            .get("username")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    /// The next batch of `entity` in acknowledgement mode: the store's checkpoint moves
    /// only on `ПодтвердитьПакет`, so a batch not acknowledged before the object is gone
    /// (or the process) is handed again by the next object on the same store. `since`
    /// applies to a stream with no checkpoint yet.
    fn sync_next(&mut self, entity: SyncEntity, store_path: String, since: String) -> Result<Ret, Error> {
        let mut open = match self.syncs.remove(&entity) {
            Some(open) if open.store_path == store_path => open,
            _ => {
                let client = self.client(true)?;
                let store = SyncStore::open(store_path.trim())?;
                let mut options = SyncOptions::new(self.account()).acknowledge(true);
                if !since.trim().is_empty() {
                    options = options.since(since.trim());
                }
                let syncer = Syncer::new(client, store, entity, options)
                    .map_err(|e| with_name_ru(e, |field, _| (field == "since").then(|| "параметр «Начало»".to_owned())))?;
                OpenSync { store_path, syncer }
            }
        };
        // The syncer travels to the runtime and back; after an error nothing moved in it
        // (the next call retries the same page).
        let (open, batch) = logibridge::blocking::wait(async move {
            let batch = open.syncer.next_batch().await;
            (open, batch)
        })?;
        self.syncs.insert(entity, open);
        match batch? {
            Some(b) => Ok(Ret::Str(Self::json_text(&b.to_json())?)),
            None => Ok(Ret::Str(String::new())),
        }
    }

    fn call(&mut self, num: usize, params: &mut [Variant], ret: Option<&mut Variant>) -> bool {
        self.last_error.clear();
        let args: Vec<Arg> = params.iter().map(Arg::from_variant).collect();
        match self.run(num, &args) {
            Ok(value) => {
                let Some(ret) = ret else { return true };
                let stored = match value {
                    Ret::Bool(b) => {
                        ret.set_bool(b);
                        Ok(())
                    }
                    Ret::Int(i) => {
                        ret.set_i32(i);
                        Ok(())
                    }
                    Ret::Str(s) => set_string(ret, &s),
                };
                match stored {
                    Ok(()) => true,
                    Err(e) => self.fail(e),
                }
            }
            Err(e) => self.fail(e),
        }
    }
}

impl Drop for Component {
    fn drop(&mut self) {
        // DestroyObject without Done: still never touch the platform again.
        self.link.detach();
    }
}

/// Whether a row goes through the client that holds the credentials. Besides the rows that
/// send them, the sign-in rows of a JWT service do: they are unauthenticated on the wire,
/// but the session answers them itself (its own tokens, masked `***`); through a client
/// without credentials they would reach the service and hand its tokens to the caller.
fn needs_credentials(ep: &Endpoint) -> bool {
    ep.auth
        || endpoints::service(ep.service).is_some_and(|spec| {
            matches!(spec.auth, AuthSpec::Jwt { generate, refresh, .. } if ep.id == generate || ep.id == refresh)
        })
}

/// A list to sync by its name (`bids`, `distribution_bids`, `drivers`, …); `Неопределено`
/// or "" is `bids`.
fn entity_arg(params: &[Arg], i: usize) -> Result<SyncEntity, Error> {
    let name = args::string(params, i, "Сущность")?;
    if name.trim().is_empty() {
        return Ok(SyncEntity::Bids);
    }
    name.parse::<SyncEntity>()
        .map_err(|e| with_name_ru(e, |_, _| Some("параметр «Сущность»".to_owned())))
}

fn no_sync(entity: SyncEntity) -> Error {
    Error::invalid_param(
        "cargorun.sync",
        "entity",
        "sync.not_open",
        format!("no sync of {entity} is open in this object: call Sync/SyncBids first (or give the store path)"),
        format!("в этом объекте не открыта синхронизация «{entity}»: сначала вызовите Синхронизировать/СинхронизироватьЗаявки (или укажите путь к хранилищу)"),
    )
}

/// A time of the conflict rule: ISO 8601 text (`XMLСтрока` of a date; without an offset it
/// is UTC, as CARGO.RUN's times are); `Неопределено` or "" is "no time" (the object is not
/// on that side, or was never synced).
fn time_arg(params: &[Arg], i: usize, name: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, Error> {
    let text = args::string(params, i, name)?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    logibridge::cargorun::wire::parse_datetime(&text, false)
        .map(Some)
        .map_err(|_| {
            let shown = logibridge::shown_input(&text);
            Error::invalid_param(
                "cargorun.sync",
                name,
                "sync.time",
                format!("parameter «{name}» {shown:?} is not a date-time (2026-01-23T21:00:00Z, up to 7 fractional digits; pass a Date through XMLСтрока)"),
                format!("параметр «{name}»: «{shown}» — не дата и время (2026-01-23T21:00:00Z, до 7 знаков долей секунды; Дату передайте через XMLСтрока)"),
            )
        })
}

fn set_string(val: &mut Variant, text: &str) -> Result<(), Error> {
    val.set_str1c(text)
        .map_err(|e| Error::Internal(format!("the platform did not allocate memory for a string: {e}")))
}

/// The event data of an asynchronous call: `{"request", "id", "ok", "result" | "error"}`.
pub fn async_event_data(request: u64, id: &str, outcome: &Result<String, Error>) -> String {
    let id_json = Value::String(id.to_owned()).to_string();
    match outcome {
        // The result is already JSON text from the core: embedded, not re-encoded.
        Ok(result) => {
            format!("{{\"request\":{request},\"id\":{id_json},\"ok\":true,\"result\":{result}}}")
        }
        Err(e) => format!(
            "{{\"request\":{request},\"id\":{id_json},\"ok\":false,\"error\":{}}}",
            e.to_json()
        ),
    }
}

/// Runs one call on the core's shared runtime and posts the result as an external event
/// (source `LogiBridge`, event = the request number, data = [`async_event_data`]). The task
/// holds the link, not the component: after `Done` the event is dropped.
fn spawn_async_call(
    link: Arc<Link>,
    client: Client,
    request: u64,
    id: String,
    params_json: String,
) {
    use futures_util::FutureExt;
    logibridge::blocking::runtime().spawn(async move {
        // A panic inside the call still produces an event, so BSL is never left waiting.
        let outcome = AssertUnwindSafe(client.call_json(&id, &params_json))
            .catch_unwind()
            .await
            .unwrap_or_else(|p| {
                Err(Error::Internal(format!(
                    "the component failed inside an asynchronous call: {}",
                    panic_message(p.as_ref())
                )))
            });
        let data = async_event_data(request, &id, &outcome);
        let _ = catch_unwind(AssertUnwindSafe(|| {
            link.external_event(crate::EVENT_SOURCE, &request.to_string(), &data)
        }));
    });
}

fn set_default(val: &mut Variant, d: Default1C) -> bool {
    match d {
        Default1C::Required => return false,
        Default1C::Absent => val.set_empty(),
        Default1C::Str(s) => return set_string(val, s).is_ok(),
        Default1C::Int(i) => val.set_i32(i),
        Default1C::Num(f) => val.set_f64(f),
        Default1C::Bool(b) => val.set_bool(b),
    }
    true
}

impl RawAddin for Component {
    fn init(&mut self, interface: &'static Connection) -> bool {
        self.guard(false, |this| {
            this.link.attach(interface);
            true
        })
    }

    fn done(&mut self) {
        self.guard((), |this| this.link.detach())
    }

    fn register_extension_as(&mut self) -> &CStr1C {
        self.class.name_w
    }

    fn get_n_props(&mut self) -> usize {
        self.class.props.len()
    }

    fn find_prop(&mut self, name: &CStr1C) -> Option<usize> {
        self.guard(None, |this| {
            this.class.find_prop(&platform::name_to_string(name))
        })
    }

    fn get_prop_name(&mut self, num: usize, alias: usize) -> Option<&'static CStr1C> {
        self.class.props.get(num).map(|p| p.names.alias(alias))
    }

    fn get_prop_val(&mut self, num: usize, val: &mut Variant) -> bool {
        self.guard(false, |this| {
            let Some(p) = this.class.props.get(num) else {
                return false;
            };
            match this.get_prop(p.kind, val) {
                Ok(()) => true,
                Err(e) => this.fail(e),
            }
        })
    }

    fn set_prop_val(&mut self, num: usize, val: &Variant) -> bool {
        self.guard(false, |this| {
            let Some(p) = this.class.props.get(num) else {
                return false;
            };
            this.last_error.clear();
            let ru = p.names.ru;
            match this
                .set_prop(p.kind, ru, Arg::from_variant(val))
                .map_err(|e| with_name_ru(e, |_, _| Some(format!("свойство «{ru}»"))))
            {
                Ok(()) => true,
                Err(e) => this.fail(e),
            }
        })
    }

    fn is_prop_readable(&mut self, num: usize) -> bool {
        self.class.props.get(num).is_some_and(|p| p.readable)
    }

    fn is_prop_writable(&mut self, num: usize) -> bool {
        self.class.props.get(num).is_some_and(|p| p.writable)
    }

    fn get_n_methods(&mut self) -> usize {
        self.class.methods.len()
    }

    fn find_method(&mut self, name: &CStr1C) -> Option<usize> {
        self.guard(None, |this| {
            this.class.find_method(&platform::name_to_string(name))
        })
    }

    fn get_method_name(&mut self, num: usize, alias: usize) -> Option<&'static CStr1C> {
        self.class.method(num).map(|m| m.names.alias(alias))
    }

    fn get_n_params(&mut self, num: usize) -> usize {
        self.class.method(num).map_or(0, |m| m.args.len())
    }

    fn get_param_def_value(
        &mut self,
        method_num: usize,
        param_num: usize,
        mut value: Variant,
    ) -> bool {
        self.guard(false, |this| {
            match this
                .class
                .method(method_num)
                .and_then(|m| m.args.get(param_num))
            {
                Some(a) => set_default(&mut value, a.default),
                None => false,
            }
        })
    }

    fn has_ret_val(&mut self, method_num: usize) -> bool {
        method_num < self.class.methods.len()
    }

    fn call_as_proc(&mut self, method_num: usize, params: &mut [Variant]) -> bool {
        self.guard(false, |this| this.call(method_num, params, None))
    }

    fn call_as_func(
        &mut self,
        method_num: usize,
        params: &mut [Variant],
        val: &mut Variant,
    ) -> bool {
        self.guard(false, |this| this.call(method_num, params, Some(val)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::class::{client_class, service_class};
    use logibridge::endpoints::carreta;
    use serde_json::json;

    fn carreta_object() -> Component {
        Component::new(service_class(&carreta::SERVICE))
    }

    fn run(c: &mut Component, name: &str, args: &[Arg]) -> Result<Ret, Error> {
        let n = c.class.find_method(name).unwrap();
        // As the platform does: omitted parameters take their defaults.
        let mut full = args.to_vec();
        for a in &c.class.methods[n].args[args.len().min(c.class.methods[n].args.len())..] {
            full.push(match a.default {
                Default1C::Str(s) => Arg::Str(s.into()),
                Default1C::Int(i) => Arg::Int(i as i64),
                Default1C::Num(f) => Arg::Num(f),
                Default1C::Bool(b) => Arg::Bool(b),
                Default1C::Absent | Default1C::Required => Arg::Empty,
            });
        }
        c.run(n, &full)
    }

    fn last_error(c: &Component) -> Value {
        serde_json::from_str(&c.last_error).unwrap()
    }

    #[test]
    fn a_panic_becomes_an_internal_error_not_an_abort() {
        let mut c = carreta_object();
        let r = c.guard(false, |_| -> bool { panic!("boom") });
        assert!(!r);
        let e = last_error(&c);
        assert_eq!(e["code"], "internal");
        assert!(e["message_ru"].as_str().unwrap().contains("boom"));
        // The object stays usable.
        assert_eq!(c.guard(0, |_| 7), 7);
    }

    #[test]
    fn async_data_embeds_the_result_and_the_error() {
        let ok = async_event_data(7, "carreta.search.query", &Ok("[1,2]".into()));
        let v: Value = serde_json::from_str(&ok).unwrap();
        assert_eq!(v["request"], 7);
        assert_eq!(v["ok"], true);
        assert_eq!(v["result"][1], 2);
        let err = async_event_data(8, "x.y.z", &Err(Error::invalid_argument("no", "нет")));
        let v: Value = serde_json::from_str(&err).unwrap();
        assert_eq!(v["ok"], false);
        assert_eq!(v["error"]["code"], "invalid_argument");
    }

    #[test]
    fn local_rows_need_no_key() {
        let mut c = carreta_object();
        let ok = run(
            &mut c,
            "ПроверитьКоличество",
            &[Arg::Str("<10".into()), Arg::Int(1), Arg::Int(9)],
        )
        .unwrap();
        assert_eq!(ok, Ret::Bool(true));
        let no = run(
            &mut c,
            "CheckOrderQty",
            &[Arg::Str("<10".into()), Arg::Int(1), Arg::Int(10)],
        )
        .unwrap();
        assert_eq!(no, Ret::Bool(false));
        assert_eq!(last_error(&c)["code"], "order_qty.not_less_than_qty");
        assert_eq!(
            run(&mut c, "ПроверитьКомментарий", &[Arg::Str("PO-1".into())]).unwrap(),
            Ret::Str("true".into())
        );
        let e = run(&mut c, "CheckComment", &[Arg::Str("x".repeat(51))]).unwrap_err();
        assert_eq!(e.code(), "client_comment.too_long");
        // A missing argument is the core's parameter error, with the 1C name added.
        let e = run(&mut c, "ПроверитьКоличество", &[Arg::Str("<10".into())]).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("min_qty"), "param.required"));
        assert!(
            e.message_ru().contains("«МинимальноеКоличество»"),
            "{}",
            e.message_ru()
        );
    }

    #[test]
    fn calls_that_need_the_key_say_so_in_russian() {
        let mut c = carreta_object();
        let e = run(&mut c, "Профиль", &[]).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("api_key"), "option.required"));
        assert!(e.message_ru().contains("КлючAPI"), "{}", e.message_ru());
    }

    #[test]
    fn the_token_rows_of_a_jwt_service_go_through_the_session_never_around_it() {
        use logibridge::endpoints::cargorun;
        assert!(needs_credentials(cargorun::AUTH_GENERATE_TOKEN) && needs_credentials(cargorun::AUTH_REFRESH_TOKEN));
        assert!(!cargorun::AUTH_GENERATE_TOKEN.auth, "sent without a token on the wire");
        assert!(!needs_credentials(carreta::SERVICE.endpoints.iter().find(|e| !e.auth).unwrap()));
        // Without Логин/Пароль the sign-in row is refused naming them, not sent (port 9:
        // nothing listens, so a request sent around the session would fail differently).
        let mut c = Component::new(service_class(&cargorun::SERVICE));
        run(&mut c, "SetOption", &[Arg::Str("base_url".into()), Arg::Str("http://127.0.0.1:9/".into())]).unwrap();
        for (method, args) in [
            ("Вызвать", vec![Arg::Str("cargorun.auth.generate_token".into()), Arg::Str(r#"{"user_name": "u", "password": "p"}"#.into())]),
            ("ПолучитьТокен", vec![Arg::Str("u".into()), Arg::Str("p".into())]),
            ("RefreshToken", vec![Arg::Str("***".into()), Arg::Str("***".into())]),
        ] {
            let e = run(&mut c, method, &args).unwrap_err();
            assert_eq!(e.code(), "option.required", "{method}: {e}");
            assert!(e.message_ru().contains("Логин"), "{method}: {}", e.message_ru());
        }
    }

    #[test]
    fn properties_are_options_checked_by_the_core() {
        let mut c = carreta_object();
        let timeout = c.class.find_prop("Таймаут").unwrap();
        let kind = c.class.props[timeout].kind;
        c.set_prop(kind, "Таймаут", Arg::Int(20)).unwrap();
        assert_eq!(
            c.open_client.as_ref().unwrap().config().timeout.as_secs(),
            20
        );
        c.set_prop(kind, "Таймаут", Arg::Str("2,5".into())).unwrap();
        assert_eq!(c.options["timeout"], json!(2.5));
        let e = c.set_prop(kind, "Таймаут", Arg::Int(-5)).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("timeout"), "option.timeout"));
        assert_eq!(
            c.options["timeout"],
            json!(2.5),
            "a refused value changes nothing"
        );
        let url = c.class.props[c.class.find_prop("BaseUrl").unwrap()].kind;
        assert!(c
            .set_prop(url, "АдресСервиса", Arg::Str("ftp://x/".into()))
            .is_err());
        c.set_prop(
            url,
            "АдресСервиса",
            Arg::Str("http://127.0.0.1:9/carreta/v1/".into()),
        )
        .unwrap();
        let acc = c.class.props[c.class.find_prop("Account").unwrap()].kind;
        c.set_prop(acc, "Аккаунт", Arg::Int(1002)).unwrap();
        assert_eq!(c.options["account"], json!("1002"));
        c.set_prop(acc, "Аккаунт", Arg::Str(" ".into())).unwrap();
        assert!(!c.options.contains_key("account"));
    }

    #[test]
    fn base_url_is_checked_on_assignment_and_never_resets_to_production() {
        let mut c = carreta_object();
        let url = c.class.props[c.class.find_prop("АдресСервиса").unwrap()].kind;
        let sandbox = "http://127.0.0.1:9/carreta/v1/";
        c.set_prop(url, "АдресСервиса", Arg::Str(sandbox.into()))
            .unwrap();
        for bad in [
            Arg::Empty,
            Arg::Str(String::new()),
            Arg::Str("  ".into()),
            Arg::Str("not a url".into()),
            Arg::Str("ftp://x/".into()),
            Arg::Bool(true),
        ] {
            let e = c.set_prop(url, "АдресСервиса", bad.clone()).unwrap_err();
            assert!(
                e.field() == Some("base_url") || e.kind() == ErrorKind::InvalidArgument,
                "{bad:?}: {e:?}"
            );
            assert_eq!(c.options["base_url"], json!(sandbox), "{bad:?} changed the address");
        }
        let e = c.set_prop(url, "АдресСервиса", Arg::Empty).unwrap_err();
        assert_eq!(e.code(), "option.base_url");
        assert!(e.message_ru().contains("https://api.carreta.ru/v1/"), "{}", e.message_ru());
        // The production address is set explicitly, like any other.
        c.set_prop(url, "АдресСервиса", Arg::Str("https://api.carreta.ru/v1/".into()))
            .unwrap();
    }

    #[test]
    fn orders_pages_are_numbered_from_one() {
        let mut c = carreta_object();
        let key = c.class.props[c.class.find_prop("КлючAPI").unwrap()].kind;
        c.set_prop(key, "КлючAPI", Arg::Str("k".into())).unwrap();
        let url = c.class.props[c.class.find_prop("АдресСервиса").unwrap()].kind;
        // Nothing listens there: a refused page is refused before anything is sent.
        c.set_prop(url, "АдресСервиса", Arg::Str("http://127.0.0.1:9/carreta/v1/".into()))
            .unwrap();
        for page in [Arg::Int(0), Arg::Int(-1), Arg::Str("0".into())] {
            let e = run(&mut c, "Заказы", std::slice::from_ref(&page)).unwrap_err();
            assert_eq!((e.field(), e.code()), (Some("page"), "param.min"), "{page:?}");
            let ru = e.message_ru();
            assert!(ru.contains("не меньше 1") && ru.contains("«Страница»"), "{ru}");
        }
        let m = &c.class.methods[c.class.find_method("Orders").unwrap()];
        assert_eq!(m.args[0].default, Default1C::Int(1));
    }

    #[test]
    fn the_generic_class_needs_a_service_and_takes_options_by_name() {
        let mut c = Component::new(client_class());
        let e = run(&mut c, "Вызвать", &[Arg::Str("carreta.profile.get".into())]).unwrap_err();
        assert_eq!(e.field(), Some("service"));
        let e = run(
            &mut c,
            "УстановитьПараметр",
            &[Arg::Str("api_key".into()), Arg::Str("k".into())],
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("service"));
        let service = c.class.props[c.class.find_prop("Сервис").unwrap()].kind;
        assert!(c
            .set_prop(service, "Сервис", Arg::Str("nope".into()))
            .is_err());
        c.set_prop(service, "Сервис", Arg::Str("CARRETA".into()))
            .unwrap();
        assert_eq!(c.service.unwrap().prefix, "carreta");
        run(
            &mut c,
            "SetOption",
            &[Arg::Str("api_key".into()), Arg::Str("k".into())],
        )
        .unwrap();
        run(
            &mut c,
            "SetOption",
            &[Arg::Str("max_retries".into()), Arg::Int(0)],
        )
        .unwrap();
        let e = run(
            &mut c,
            "SetOption",
            &[Arg::Str("max_retries".into()), Arg::Int(1000)],
        )
        .unwrap_err();
        assert_eq!(e.code(), "option.max_retries");
        let e = run(
            &mut c,
            "SetOption",
            &[Arg::Str("colour".into()), Arg::Int(1)],
        )
        .unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("colour"), "option.unknown"));
        // УстановитьПараметр("base_url", Неопределено / "") is refused like the property,
        // and the address stays (issue 10, item 12): never a silent reset to production.
        run(&mut c, "SetOption", &[Arg::Str("base_url".into()), Arg::Str("http://127.0.0.1:9/v1/".into())]).unwrap();
        for empty in [Arg::Empty, Arg::Str("  ".into())] {
            let e = run(&mut c, "SetOption", &[Arg::Str("base_url".into()), empty]).unwrap_err();
            assert_eq!(e.code(), "option.base_url");
            assert_eq!(c.options.get("base_url"), Some(&Value::from("http://127.0.0.1:9/v1/")));
        }
        assert!(c.client(true).is_ok());
        let Ret::Str(all) = run(&mut c, "Методы", &[]).unwrap() else {
            panic!()
        };
        assert!(all.starts_with('[') && all.contains("carreta.order.get"));
        // Another service: the key of the first is dropped, max_retries kept.
        c.set_prop(service, "Сервис", Arg::Str(String::new()))
            .unwrap();
        assert_eq!(c.options.keys().collect::<Vec<_>>(), ["max_retries"]);
    }

    #[test]
    fn the_conflict_rule_and_the_sync_refusals_need_no_service() {
        use logibridge::endpoints::cargorun;
        let mut c = Component::new(service_class(&cargorun::SERVICE));
        let s = |t: &str| Arg::Str(t.into());
        let sync = "2026-01-23T21:00:00.0000005Z";
        for (remote, local, last, want) in [
            ("2026-01-23T21:00:00.0000005Z", "2026-01-23T20:00:00Z", sync, "unchanged"),
            ("2026-01-23T21:00:00.0000006Z", "", sync, "pull_remote"),
            ("", "2026-01-24T00:00:01+03:00", sync, "push_local"),
            ("2026-01-23T21:00:01Z", "2026-01-23T21:00:01Z", sync, "conflict"),
            ("2026-01-23T21:00:01Z", "2026-01-23T21:00:01Z", "", "conflict"),
        ] {
            let got = run(&mut c, "КлассифицироватьИзменение", &[s(remote), s(local), s(last)]).unwrap();
            assert_eq!(got, Ret::Str(want.into()), "{remote} {local} {last}");
        }
        let e = run(&mut c, "ClassifyChange", &[s(sync), s("вчера")]).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("ВремяЛокальное"), "sync.time"));
        let e = run(&mut c, "ПодтвердитьПакет", &[Arg::Int(1)]).unwrap_err();
        assert_eq!(e.code(), "sync.not_open");
        assert!(e.message_ru().contains("Синхронизировать"), "{}", e.message_ru());
        let e = run(&mut c, "Синхронизировать", &[s("orders"), s("/tmp/x.db")]).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("entity"), "sync.entity"));
        assert!(e.message_ru().contains("«Сущность»"), "{}", e.message_ru());
        let e = run(&mut c, "СинхронизироватьЗаявки", &[s(" ")]).unwrap_err();
        assert!(e.message_ru().contains("ПутьКХранилищу"), "{}", e.message_ru());
        let e = run(&mut c, "КонтрольнаяТочка", &[]).unwrap_err();
        assert_eq!(e.code(), "sync.not_open");
        let Ret::Str(ops) = run(&mut c, "ОперацииSwagger", &[s("TRACKERS/GET/")]).unwrap() else { panic!() };
        let ops: Vec<Value> = serde_json::from_str(&ops).unwrap();
        assert!(ops.iter().any(|o| o["id"] == "cargorun.swagger.trackers.get.by_id"));
        assert!(ops.iter().all(|o| o["kind"] == "generic"));
    }

    #[test]
    fn a_service_registered_twice_with_the_same_text_is_the_same_service() {
        let text = r#"{"prefix": "onecunit", "name": "OnecUnit", "default_base_url": "http://127.0.0.1:9/",
            "endpoints": [{"id": "onecunit.thing.get", "method": "GET", "path": "things/{id}",
                           "params": [{"name": "id", "in": "path", "type": "integer", "required": true, "name_ru": "Номер"}]}]}"#;
        let mut c = Component::new(client_class());
        assert_eq!(
            run(&mut c, "RegisterService", &[Arg::Str(text.into())]).unwrap(),
            Ret::Str("onecunit".into())
        );
        assert_eq!(c.service.unwrap().prefix, "onecunit");
        let mut d = Component::new(client_class());
        assert_eq!(
            run(&mut d, "ЗарегистрироватьСервис", &[Arg::Str(text.into())]).unwrap(),
            Ret::Str("onecunit".into())
        );
        let other = text.replace("things/{id}", "items/{id}");
        assert!(run(&mut d, "ЗарегистрироватьСервис", &[Arg::Str(other)]).is_err());
        // Its class is generated like Carreta's: a method per row, named from the id.
        let class = crate::class::find("OnecUnit").unwrap();
        let m = &class.methods[class.find_method("ThingGet").unwrap()];
        assert_eq!(
            m.args.iter().map(|a| a.name_ru).collect::<Vec<_>>(),
            ["Номер"]
        );
    }
}
