//! The generic component class: one implementation of the Native API object for every
//! service, driven by a [`ClassSpec`] (class name, how to build the client, the typed
//! methods). Properties and the generic methods (`Вызвать/Call`, `ВызватьАсинх/CallAsync`)
//! are the same for every class.
//!
//! Errors are mapped once, in [`Component::fail`]: the error's JSON goes to
//! `ПоследняяОшибка/LastError`, its Russian text to the platform's `AddError`, and the
//! entry point returns `false`, so BSL raises an exception. Every entry point runs inside
//! `catch_unwind`: a panic becomes an internal error, never an abort of the platform.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use addin1c::{CStr1C, Connection, RawAddin, Variant};
use logibridge::{AnyClient, Error};
use serde_json::Value;

use crate::args::{self, Arg};
use crate::platform::{self, Link, ADDIN_E_VERY_IMPORTANT, EVENT_BUFFER_DEPTH};

/// A name in both languages: index 0 (English) and 1 (Russian) of the platform's alias.
pub struct Names {
    pub en: &'static str,
    pub ru: &'static str,
    pub en_w: &'static CStr1C,
    pub ru_w: &'static CStr1C,
}

impl Names {
    fn matches(&self, lowered: &str) -> bool {
        self.en.to_lowercase() == lowered || self.ru.to_lowercase() == lowered
    }
    fn alias(&self, alias: usize) -> &'static CStr1C {
        if alias == 0 {
            self.en_w
        } else {
            self.ru_w
        }
    }
}

/// `names!("Call", "Вызвать")`: a [`Names`] with NUL-terminated UTF-16 copies built at
/// compile time.
#[macro_export]
macro_rules! names {
    ($en:literal, $ru:literal) => {
        $crate::component::Names {
            en: $en,
            ru: $ru,
            en_w: addin1c::name!($en),
            ru_w: addin1c::name!($ru),
        }
    };
}

/// A default value of an optional parameter (`GetParamDefValue`).
#[derive(Clone, Copy, Debug)]
pub enum DefaultValue {
    Str(&'static str),
    Int(i32),
    Bool(bool),
}

/// One parameter of a method.
#[derive(Debug)]
pub struct ParamSpec {
    /// The name used in error messages (Russian, as in the documentation).
    pub name: &'static str,
    /// `None`: required.
    pub default: Option<DefaultValue>,
}

/// A value a local method returns.
#[derive(Clone, Debug, PartialEq)]
pub enum Ret {
    Bool(bool),
    Str(String),
    Int(i32),
}

/// The outcome of a local method: a value, or a rule that says no (the method returns
/// `false`/its value without an exception, and `LastError` holds the reason).
#[derive(Debug)]
pub enum Local {
    Value(Ret),
    Rejected(Error),
}

/// What a method does.
pub enum Action {
    /// `Вызвать(ИдентификаторМетода, ПараметрыJSON) → Строка JSON`.
    Call,
    /// `ВызватьАсинх(ИдентификаторМетода, ПараметрыJSON) → Число`: the request number; the
    /// result comes through `ОбработкаВнешнегоСобытия`.
    CallAsync,
    /// A typed method: builds the parameters of one endpoint id from the arguments and goes
    /// through the same generic call as `Вызвать`.
    Endpoint {
        id: &'static str,
        params: fn(&[Arg]) -> Result<Value, Error>,
    },
    /// Done by the library without a call (validators).
    Local(fn(&[Arg]) -> Result<Local, Error>),
}

/// One method: names, parameters, action. Every method returns a value.
pub struct MethodSpec {
    pub names: Names,
    pub params: &'static [ParamSpec],
    pub action: Action,
}

/// The connection settings the properties hold.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub base_url: Option<String>,
    pub api_key: Option<String>,
    pub timeout_secs: Option<f64>,
    pub account: Option<String>,
}

/// A class of the component.
pub struct ClassSpec {
    /// The class id (`GetClassNames`, `RegisterExtensionAs`): `Новый("AddIn.LogiBridge.<name>")`.
    pub name: &'static str,
    pub name_w: &'static CStr1C,
    /// The service URL used when `АдресСервиса` is not set.
    pub default_base_url: &'static str,
    /// The default request time-out in seconds (what `Таймаут` reads before it is set).
    pub default_timeout_secs: f64,
    /// Builds the core client from the settings.
    pub build: fn(&Settings) -> Result<AnyClient, Error>,
    pub methods: &'static [MethodSpec],
}

/// The properties every class has, in `GetPropName` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prop {
    BaseUrl,
    ApiKey,
    Timeout,
    Account,
    LastError,
    Version,
}

/// Property table: names, kind, readable, writable.
pub static PROPS: &[(Names, Prop, bool, bool)] = &[
    (names!("BaseUrl", "АдресСервиса"), Prop::BaseUrl, true, true),
    // Write-only: a key set in BSL is never readable back (IsPropReadable is false, and a
    // read fails with an error), so it cannot leak into logs or forms.
    (names!("ApiKey", "КлючAPI"), Prop::ApiKey, false, true),
    (names!("Timeout", "Таймаут"), Prop::Timeout, true, true),
    (names!("Account", "Аккаунт"), Prop::Account, true, true),
    (
        names!("LastError", "ПоследняяОшибка"),
        Prop::LastError,
        true,
        false,
    ),
    (names!("Version", "Версия"), Prop::Version, true, false),
];

/// One component object (what `GetClassObject` creates).
pub struct Component {
    spec: &'static ClassSpec,
    link: Arc<Link>,
    settings: Settings,
    client: Option<AnyClient>,
    last_error: String,
    next_request: u64,
}

impl Component {
    pub fn new(spec: &'static ClassSpec) -> Component {
        Component {
            spec,
            link: Link::new(),
            settings: Settings::default(),
            client: None,
            last_error: String::new(),
            next_request: 1,
        }
    }

    fn source(&self) -> String {
        format!("{}.{}", crate::BUNDLE_NAME, self.spec.name)
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
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".into());
                // Reporting must not panic again; if it does, give up quietly.
                let _ = catch_unwind(AssertUnwindSafe(|| {
                    self.fail(Error::Internal(format!("сбой внутри компоненты: {what}")))
                }));
                on_panic
            }
        }
    }

    fn client(&mut self) -> Result<AnyClient, Error> {
        if let Some(c) = &self.client {
            return Ok(c.clone());
        }
        let c = (self.spec.build)(&self.settings)?;
        self.client = Some(c.clone());
        Ok(c)
    }

    fn settings_changed(&mut self) {
        self.client = None;
    }

    fn get_prop(&mut self, prop: Prop, val: &mut Variant) -> Result<(), Error> {
        let text = match prop {
            Prop::BaseUrl => self
                .settings
                .base_url
                .clone()
                .unwrap_or_else(|| self.spec.default_base_url.to_owned()),
            Prop::ApiKey => {
                return Err(Error::InvalidArgument(
                    "свойство КлючAPI (ApiKey) доступно только для записи".into(),
                ))
            }
            Prop::Timeout => {
                val.set_f64(
                    self.settings
                        .timeout_secs
                        .unwrap_or(self.spec.default_timeout_secs),
                );
                return Ok(());
            }
            Prop::Account => self.settings.account.clone().unwrap_or_default(),
            Prop::LastError => self.last_error.clone(),
            Prop::Version => logibridge::VERSION.to_owned(),
        };
        set_string(val, &text)
    }

    fn set_prop(&mut self, prop: Prop, arg: Arg) -> Result<(), Error> {
        let a = [arg];
        match prop {
            Prop::BaseUrl => {
                let s = args::string(&a, 0, "АдресСервиса")?;
                self.settings.base_url = if s.trim().is_empty() {
                    None
                } else {
                    Some(s.trim().to_owned())
                };
            }
            Prop::ApiKey => {
                let s = args::string(&a, 0, "КлючAPI")?;
                self.settings.api_key = if s.is_empty() { None } else { Some(s) };
            }
            Prop::Timeout => {
                let t = args::number(&a, 0, "Таймаут")?;
                if !(t > 0.0 && t <= 86_400.0) {
                    return Err(Error::InvalidArgument(format!(
                        "Таймаут задаётся в секундах, больше 0 и не больше 86400; передано {t}"
                    )));
                }
                self.settings.timeout_secs = Some(t);
            }
            Prop::Account => {
                let s = args::string(&a, 0, "Аккаунт")?;
                self.settings.account = if s.trim().is_empty() {
                    None
                } else {
                    Some(s.trim().to_owned())
                };
            }
            Prop::LastError | Prop::Version => {
                return Err(Error::InvalidArgument(
                    "свойство доступно только для чтения".into(),
                ));
            }
        }
        self.settings_changed();
        Ok(())
    }

    /// Runs method `num`; `Ok(None)` is a call with no value to return.
    fn run(&mut self, num: usize, params: &[Arg]) -> Result<Ret, Error> {
        let spec = self.spec;
        let method = spec
            .methods
            .get(num)
            .ok_or_else(|| Error::InvalidArgument(format!("нет метода с номером {num}")))?;
        match &method.action {
            Action::Call => {
                let id = args::required_string(params, 0, "ИдентификаторМетода")?;
                let json = args::string(params, 1, "ПараметрыJSON")?;
                let client = self.client()?;
                Ok(Ret::Str(client.call_json_blocking(&id, &json)?))
            }
            Action::CallAsync => {
                let id = args::required_string(params, 0, "ИдентификаторМетода")?;
                let json = args::string(params, 1, "ПараметрыJSON")?;
                let client = self.client()?;
                self.link.ensure_event_buffer_depth(EVENT_BUFFER_DEPTH);
                let n = self.next_request;
                self.next_request += 1;
                spawn_async_call(self.link.clone(), client, n, id, json);
                Ok(Ret::Int(i32::try_from(n).unwrap_or(i32::MAX)))
            }
            Action::Endpoint { id, params: build } => {
                let p = build(params)?;
                let client = self.client()?;
                Ok(Ret::Str(client.call_json_blocking(id, &p.to_string())?))
            }
            Action::Local(f) => match f(params)? {
                Local::Value(r) => Ok(r),
                Local::Rejected(e) => {
                    self.last_error = e.to_json().to_string();
                    Ok(Ret::Bool(false))
                }
            },
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

fn set_string(val: &mut Variant, text: &str) -> Result<(), Error> {
    val.set_str1c(text)
        .map_err(|e| Error::Internal(format!("платформа не выделила память для строки: {e}")))
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
    client: AnyClient,
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
            .unwrap_or_else(|_| {
                Err(Error::Internal(
                    "сбой внутри компоненты при асинхронном вызове".into(),
                ))
            });
        let data = async_event_data(request, &id, &outcome);
        let _ = catch_unwind(AssertUnwindSafe(|| {
            link.external_event(crate::EVENT_SOURCE, &request.to_string(), &data)
        }));
    });
}

fn set_default(val: &mut Variant, d: DefaultValue) -> Result<(), Error> {
    match d {
        DefaultValue::Str(s) => set_string(val, s),
        DefaultValue::Int(i) => {
            val.set_i32(i);
            Ok(())
        }
        DefaultValue::Bool(b) => {
            val.set_bool(b);
            Ok(())
        }
    }
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
        self.spec.name_w
    }

    fn get_n_props(&mut self) -> usize {
        PROPS.len()
    }

    fn find_prop(&mut self, name: &CStr1C) -> Option<usize> {
        self.guard(None, |_| {
            let lowered = platform::name_to_string(name).to_lowercase();
            PROPS.iter().position(|(n, ..)| n.matches(&lowered))
        })
    }

    fn get_prop_name(&mut self, num: usize, alias: usize) -> Option<&'static CStr1C> {
        PROPS.get(num).map(|(n, ..)| n.alias(alias))
    }

    fn get_prop_val(&mut self, num: usize, val: &mut Variant) -> bool {
        self.guard(false, |this| {
            let Some(&(_, prop, _, _)) = PROPS.get(num) else {
                return false;
            };
            match this.get_prop(prop, val) {
                Ok(()) => true,
                Err(e) => this.fail(e),
            }
        })
    }

    fn set_prop_val(&mut self, num: usize, val: &Variant) -> bool {
        self.guard(false, |this| {
            let Some(&(_, prop, _, _)) = PROPS.get(num) else {
                return false;
            };
            match this.set_prop(prop, Arg::from_variant(val)) {
                Ok(()) => true,
                Err(e) => this.fail(e),
            }
        })
    }

    fn is_prop_readable(&mut self, num: usize) -> bool {
        PROPS.get(num).is_some_and(|p| p.2)
    }

    fn is_prop_writable(&mut self, num: usize) -> bool {
        PROPS.get(num).is_some_and(|p| p.3)
    }

    fn get_n_methods(&mut self) -> usize {
        self.spec.methods.len()
    }

    fn find_method(&mut self, name: &CStr1C) -> Option<usize> {
        self.guard(None, |this| {
            let lowered = platform::name_to_string(name).to_lowercase();
            this.spec
                .methods
                .iter()
                .position(|m| m.names.matches(&lowered))
        })
    }

    fn get_method_name(&mut self, num: usize, alias: usize) -> Option<&'static CStr1C> {
        self.spec.methods.get(num).map(|m| m.names.alias(alias))
    }

    fn get_n_params(&mut self, num: usize) -> usize {
        self.spec.methods.get(num).map_or(0, |m| m.params.len())
    }

    fn get_param_def_value(
        &mut self,
        method_num: usize,
        param_num: usize,
        mut value: Variant,
    ) -> bool {
        self.guard(false, |this| {
            let Some(d) = this
                .spec
                .methods
                .get(method_num)
                .and_then(|m| m.params.get(param_num))
                .and_then(|p| p.default)
            else {
                return false;
            };
            set_default(&mut value, d).is_ok()
        })
    }

    fn has_ret_val(&mut self, method_num: usize) -> bool {
        method_num < self.spec.methods.len()
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

/// Builds a timeout from the settings.
pub fn timeout(settings: &Settings) -> Option<Duration> {
    settings.timeout_secs.map(Duration::from_secs_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_names_are_unique_in_both_languages() {
        let mut seen = std::collections::HashSet::new();
        for (n, ..) in PROPS {
            assert!(seen.insert(n.en.to_lowercase()), "{}", n.en);
            assert!(seen.insert(n.ru.to_lowercase()), "{}", n.ru);
        }
    }

    #[test]
    fn a_panic_becomes_an_internal_error_not_an_abort() {
        let mut c = Component::new(&crate::carreta::CARRETA);
        let r = c.guard(false, |_| -> bool { panic!("boom") });
        assert!(!r);
        let e: Value = serde_json::from_str(&c.last_error).unwrap();
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
        let err = async_event_data(8, "x.y.z", &Err(Error::InvalidArgument("нет".into())));
        let v: Value = serde_json::from_str(&err).unwrap();
        assert_eq!(v["ok"], false);
        assert_eq!(v["error"]["code"], "invalid_argument");
    }
}
