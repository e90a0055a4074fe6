//! The classes the component exports, generated from the endpoint table.
//!
//! One class per service ([`service_class`]): its name is [`ServiceSpec::name`], its
//! properties come from the service spec (the URL, each credential, each common
//! parameter, the timeout, the last error, the version), and every row of the table
//! becomes a method named by the row's `names.onec_en` / `names.onec_ru`, taking the row's
//! parameters in order and then the service's common parameters. A service may keep a few
//! methods that need code ([`ServiceHooks`]): an override replaces the generated method of
//! one row (matched by the row, never by an id string), an extra adds a method with no
//! row. Plus the generic class [`CLIENT_CLASS`] for any service, including those declared
//! at run time.
//!
//! Classes are built once per process and live as long as it (the platform holds their
//! names as `&'static` UTF-16), as do the service specs they are built from.

use std::sync::{Mutex, OnceLock};

use addin1c::CStr1C;
use logibridge::cargorun::sync::SyncEntity;
use logibridge::endpoints::{self, Credential, Endpoint, Method, Param, ServiceSpec};
use logibridge::Error;
use serde_json::{Map, Value};

use crate::args::Arg;

/// The id of the generic class: `Новый("AddIn.LogiBridge.Client")`.
pub const CLIENT_CLASS: &str = "Client";

/// Service-specific methods that need code. See [`crate::carreta::HOOKS`].
pub static HOOKS: &[&ServiceHooks] = &[&crate::carreta::HOOKS];

fn leak_w(text: &str) -> &'static CStr1C {
    let mut w: Vec<u16> = text.encode_utf16().collect();
    w.push(0);
    let w: &'static [u16] = Box::leak(w.into_boxed_slice());
    // SAFETY: non-empty and NUL-terminated, as just built.
    unsafe { CStr1C::from_bytes_unchecked(w) }
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// A name in both languages: index 0 (English) and 1 (Russian) of the platform's alias.
pub struct Names {
    pub en: &'static str,
    pub ru: &'static str,
    en_lower: String,
    ru_lower: String,
    en_w: &'static CStr1C,
    ru_w: &'static CStr1C,
}

impl Names {
    /// Both names, with their NUL-terminated UTF-16 copies.
    pub fn new(en: &str, ru: &str) -> Names {
        let ru = if ru.is_empty() { en } else { ru };
        Names {
            en: leak(en.to_owned()),
            ru: leak(ru.to_owned()),
            en_lower: en.to_lowercase(),
            ru_lower: ru.to_lowercase(),
            en_w: leak_w(en),
            ru_w: leak_w(ru),
        }
    }

    /// Whether a lower-cased name is one of these (names are case-insensitive in BSL).
    pub fn matches(&self, lowered: &str) -> bool {
        self.en_lower == lowered || self.ru_lower == lowered
    }

    fn clashes(&self, other: &Names) -> bool {
        other.matches(&self.en_lower) || other.matches(&self.ru_lower)
    }

    /// The name for the platform's alias index.
    pub fn alias(&self, alias: usize) -> &'static CStr1C {
        if alias == 0 {
            self.en_w
        } else {
            self.ru_w
        }
    }
}

/// `account` → `Account`, `order.list` → `OrderList`.
pub fn pascal(name: &str) -> String {
    name.split(['_', '.', '-'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// What `GetParamDefValue` gives for a parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Default1C {
    /// No default: the parameter must be given.
    Required,
    /// Optional with no value: `Неопределено`, which means "not given".
    Absent,
    Str(&'static str),
    Int(i32),
    Num(f64),
    Bool(bool),
}

impl Default1C {
    /// The default of a row's parameter, from its JSON text.
    fn of(p: &Param) -> Default1C {
        let Some(text) = p.default else {
            return if p.required {
                Default1C::Required
            } else {
                Default1C::Absent
            };
        };
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Bool(b)) => Default1C::Bool(b),
            Ok(Value::Number(n)) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
                Some(i) => Default1C::Int(i),
                None => n.as_f64().map_or(Default1C::Str(text), Default1C::Num),
            },
            Ok(Value::String(s)) => Default1C::Str(leak(s)),
            Ok(Value::Null) => Default1C::Absent,
            _ => Default1C::Str(text),
        }
    }
}

/// One positional parameter of a method.
#[derive(Debug)]
pub struct ArgSpec {
    /// The name the 1C developer sees (messages, documentation).
    pub name_ru: &'static str,
    pub default: Default1C,
    /// The row's parameter it fills; `None`: read by the method's own code.
    pub param: Option<&'static Param>,
    /// The name of the row's parameter it ends up in, for messages (also for an
    /// argument of an override).
    pub field: Option<&'static str>,
}

impl ArgSpec {
    fn of(p: &'static Param) -> ArgSpec {
        ArgSpec {
            name_ru: p.name_ru,
            default: Default1C::of(p),
            param: Some(p),
            field: Some(p.name),
        }
    }

    fn own(name_ru: &'static str, default: Default1C) -> ArgSpec {
        ArgSpec {
            name_ru,
            default,
            param: None,
            field: None,
        }
    }
}

/// A value a method returns.
#[derive(Clone, Debug, PartialEq)]
pub enum Ret {
    Bool(bool),
    Str(String),
    Int(i32),
}

/// Builds a row's parameters from a hook's own arguments.
pub type BuildFn = fn(&'static Endpoint, &[Arg]) -> Result<Map<String, Value>, Error>;
/// A method with no row.
pub type ExtraFn = fn(&[Arg]) -> Result<Ret, Error>;

/// What a method does.
pub enum Action {
    /// `Вызвать(ИдентификаторМетода, ПараметрыJSON = "") → Строка JSON`.
    Call,
    /// `ВызватьАсинх(ИдентификаторМетода, ПараметрыJSON = "") → Число`: the request number;
    /// the result comes through `ОбработкаВнешнегоСобытия`.
    CallAsync,
    /// `Методы() → Строка JSON`: the service's description (the generic class: every
    /// service's).
    Endpoints,
    /// `УстановитьПараметр(Имя, Значение)`: any option of the core client by its name.
    SetOption,
    /// `ЗарегистрироватьСервис(ОписаниеJSON) → Строка`: declares a service (generic class).
    RegisterService,
    /// A generated method: the arguments are the row's parameters, then the common ones.
    Row(&'static Endpoint),
    /// An override: its own arguments go through `build`; the arguments that fill
    /// parameters of the row (the common ones) follow.
    Hook(&'static Endpoint, BuildFn),
    /// An override of a library-side check: `Булево`; a broken rule is `Ложь` with the
    /// reason in `ПоследняяОшибка`, not an exception.
    Verdict(&'static Endpoint),
    /// A method with no row.
    Extra(ExtraFn),
    /// `ВызватьПуть(Метод, Путь, ПараметрыJSON = "") → Строка JSON`: a call by HTTP
    /// method and path (`logibridge::Client::call_path`), for a path no row names.
    CallPath,
    /// `ОперацииSwagger(Отбор = "") → Строка JSON`: the service's generic rows (reached by
    /// id through `Вызвать`, no method each), those whose id, path or summary holds `Отбор`.
    GenericOperations,
    /// `Синхронизировать(Сущность, ПутьКХранилищу, Начало = "") → Строка JSON` and, with
    /// the entity fixed, `СинхронизироватьЗаявки(ПутьКХранилищу, Начало = "")`: the next
    /// batch of changed rows (`SyncBatch::to_json`), or "" when nothing new is there.
    Sync(Option<SyncEntity>),
    /// `ПодтвердитьПакет(НомерПакета, Сущность = "bids") → Булево`: writes the batch's
    /// checkpoint.
    Acknowledge,
    /// `КонтрольнаяТочка(Сущность = "bids", ПутьКХранилищу = "") → Строка JSON`: the
    /// checkpoint written in the store, "" before the first.
    Checkpoint,
    /// `КлассифицироватьИзменение(ВремяCargoRun, ВремяЛокальное, ВремяСинхронизации) →
    /// Строка`: the conflict rule of examples-1c.md §3.
    ClassifyChange,
}

/// One method: names, positional parameters, action. Every method returns a value.
pub struct MethodSpec {
    pub names: Names,
    pub args: Vec<ArgSpec>,
    pub action: Action,
}

/// What a property holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PropKind {
    /// The service prefix of the generic class.
    Service,
    BaseUrl,
    Credential(&'static Credential),
    Common(&'static Param),
    Timeout,
    LastError,
    Version,
}

/// One property.
pub struct PropSpec {
    pub names: Names,
    pub kind: PropKind,
    pub readable: bool,
    pub writable: bool,
}

/// A class of the component.
pub struct Class {
    /// The class id (`GetClassNames`, `RegisterExtensionAs`): `Новый("AddIn.LogiBridge.<name>")`.
    pub name: &'static str,
    pub name_w: &'static CStr1C,
    /// The service of a service class; `None` for the generic class.
    pub service: Option<&'static ServiceSpec>,
    pub props: Vec<PropSpec>,
    pub methods: Vec<MethodSpec>,
}

impl Class {
    /// A method by number.
    pub fn method(&self, num: usize) -> Option<&MethodSpec> {
        self.methods.get(num)
    }

    /// A method by name (either language, any case).
    pub fn find_method(&self, name: &str) -> Option<usize> {
        let lowered = name.to_lowercase();
        self.methods.iter().position(|m| m.names.matches(&lowered))
    }

    /// A property by name (either language, any case).
    pub fn find_prop(&self, name: &str) -> Option<usize> {
        let lowered = name.to_lowercase();
        self.props.iter().position(|p| p.names.matches(&lowered))
    }

    fn add_method(&mut self, m: MethodSpec) {
        // A name taken already (a registered row named like a built-in method) stays
        // reachable through Вызвать.
        if !self.methods.iter().any(|o| m.names.clashes(&o.names)) {
            self.methods.push(m);
        }
    }

    fn add_prop(&mut self, p: PropSpec) {
        if !self.props.iter().any(|o| p.names.clashes(&o.names)) {
            self.props.push(p);
        }
    }
}

// -- hooks -----------------------------------------------------------------------------

/// The default of a hook's own argument.
#[derive(Clone, Copy, Debug)]
pub enum HookDefault {
    Required,
    Str(&'static str),
    Int(i32),
    Bool(bool),
}

/// A hook's own argument.
#[derive(Clone, Copy, Debug)]
pub struct HookArg {
    pub name_ru: &'static str,
    pub default: HookDefault,
    /// The row's parameter it fills, if one (so the core's messages about it get the 1C
    /// name).
    pub fills: Option<&'static str>,
}

impl HookArg {
    pub const fn required(name_ru: &'static str) -> HookArg {
        HookArg {
            name_ru,
            default: HookDefault::Required,
            fills: None,
        }
    }
    pub const fn optional(name_ru: &'static str, default: HookDefault) -> HookArg {
        HookArg {
            name_ru,
            default,
            fills: None,
        }
    }
    /// Names the row's parameter this argument fills.
    pub const fn fills(mut self, param: &'static str) -> HookArg {
        self.fills = Some(param);
        self
    }
    fn spec(&self) -> ArgSpec {
        ArgSpec {
            name_ru: self.name_ru,
            default: match self.default {
                HookDefault::Required => Default1C::Required,
                HookDefault::Str(s) => Default1C::Str(s),
                HookDefault::Int(i) => Default1C::Int(i),
                HookDefault::Bool(b) => Default1C::Bool(b),
            },
            param: None,
            field: self.fills,
        }
    }
}

/// How an override replaces a row's generated method (names stay the row's).
pub enum OverrideKind {
    /// Own arguments, turned into the row's parameters by `build`; the service's common
    /// parameters follow them.
    Build {
        args: &'static [HookArg],
        build: BuildFn,
    },
    /// The row's own arguments; the result is `Булево` (see [`Action::Verdict`]).
    Verdict,
}

/// Replaces the generated method of one row.
pub struct Override {
    pub row: &'static Endpoint,
    pub kind: OverrideKind,
}

/// A method with no row.
pub struct Extra {
    pub en: &'static str,
    pub ru: &'static str,
    pub args: &'static [HookArg],
    pub run: ExtraFn,
}

/// The methods of one service that need code.
pub struct ServiceHooks {
    pub service: &'static ServiceSpec,
    pub overrides: &'static [Override],
    pub extras: &'static [Extra],
}

fn hooks_of(spec: &ServiceSpec) -> Option<&'static ServiceHooks> {
    HOOKS
        .iter()
        .copied()
        .find(|h| std::ptr::eq(h.service, spec))
}

// -- generation ------------------------------------------------------------------------

fn names_of_row(ep: &Endpoint) -> Names {
    let en = if ep.names.onec_en.is_empty() {
        // A registered row without 1C names: `things.get` → `ThingsGet`.
        pascal(ep.id.split_once('.').map_or(ep.id, |(_, rest)| rest))
    } else {
        ep.names.onec_en.to_owned()
    };
    Names::new(&en, ep.names.onec_ru)
}

/// The common parameters a row takes (library-side rows take none).
fn common_of(spec: &'static ServiceSpec, ep: &Endpoint) -> &'static [Param] {
    if ep.method == Method::Local {
        &[]
    } else {
        spec.common_params
    }
}

fn generic_methods(class: &mut Class) {
    let call_args = || {
        vec![
            ArgSpec::own("ИдентификаторМетода", Default1C::Required),
            ArgSpec::own("ПараметрыJSON", Default1C::Str("")),
        ]
    };
    class.add_method(MethodSpec {
        names: Names::new("Call", "Вызвать"),
        args: call_args(),
        action: Action::Call,
    });
    class.add_method(MethodSpec {
        names: Names::new("CallAsync", "ВызватьАсинх"),
        args: call_args(),
        action: Action::CallAsync,
    });
    class.add_method(MethodSpec {
        names: Names::new("Endpoints", "Методы"),
        args: vec![],
        action: Action::Endpoints,
    });
    class.add_method(MethodSpec {
        names: Names::new("SetOption", "УстановитьПараметр"),
        args: vec![
            ArgSpec::own("Имя", Default1C::Required),
            ArgSpec::own("Значение", Default1C::Absent),
        ],
        action: Action::SetOption,
    });
}

fn tail_props(class: &mut Class) {
    class.add_prop(PropSpec {
        names: Names::new("LastError", "ПоследняяОшибка"),
        kind: PropKind::LastError,
        readable: true,
        writable: false,
    });
    class.add_prop(PropSpec {
        names: Names::new("Version", "Версия"),
        kind: PropKind::Version,
        readable: true,
        writable: false,
    });
}

fn build_service_class(spec: &'static ServiceSpec) -> Class {
    let mut class = Class {
        name: spec.name,
        name_w: leak_w(spec.name),
        service: Some(spec),
        props: vec![],
        methods: vec![],
    };

    class.add_prop(PropSpec {
        names: Names::new("BaseUrl", "АдресСервиса"),
        kind: PropKind::BaseUrl,
        readable: true,
        writable: true,
    });
    for c in spec.credentials {
        // A secret is write-only: never readable back, so it cannot leak into forms or logs.
        class.add_prop(PropSpec {
            names: Names::new(c.onec_en, c.onec_ru),
            kind: PropKind::Credential(c),
            readable: !c.secret,
            writable: true,
        });
    }
    class.add_prop(PropSpec {
        names: Names::new("Timeout", "Таймаут"),
        kind: PropKind::Timeout,
        readable: true,
        writable: true,
    });
    for p in spec.common_params {
        class.add_prop(PropSpec {
            names: Names::new(&pascal(p.name), p.name_ru),
            kind: PropKind::Common(p),
            readable: true,
            writable: true,
        });
    }
    tail_props(&mut class);

    generic_methods(&mut class);
    let hooks = hooks_of(spec);
    for &ep in spec.endpoints {
        let common = common_of(spec, ep).iter().map(ArgSpec::of);
        let own = || {
            ep.params
                .iter()
                .filter(|p| p.fixed.is_none())
                .map(ArgSpec::of)
        };
        let over = hooks.and_then(|h| h.overrides.iter().find(|o| *o.row == *ep));
        let (args, action) = match over.map(|o| &o.kind) {
            None => (own().chain(common).collect(), Action::Row(ep)),
            Some(OverrideKind::Build { args, build }) => (
                args.iter().map(HookArg::spec).chain(common).collect(),
                Action::Hook(ep, *build),
            ),
            Some(OverrideKind::Verdict) => (own().collect(), Action::Verdict(ep)),
        };
        class.add_method(MethodSpec {
            names: names_of_row(ep),
            args,
            action,
        });
    }
    if !endpoints::generic(spec).is_empty() {
        swagger_methods(&mut class);
    }
    if std::ptr::eq(spec, &endpoints::cargorun::SERVICE) {
        sync_methods(&mut class);
    }
    for x in hooks.map_or(&[][..], |h| h.extras) {
        class.add_method(MethodSpec {
            names: Names::new(x.en, x.ru),
            args: x.args.iter().map(HookArg::spec).collect(),
            action: Action::Extra(x.run),
        });
    }
    class
}

/// The methods of a service that has generic rows (CARGO.RUN's Swagger operations): they
/// are not one method each (959 of them), but listed and called by id or by path.
fn swagger_methods(class: &mut Class) {
    class.add_method(MethodSpec {
        names: Names::new("SwaggerOperations", "ОперацииSwagger"),
        args: vec![ArgSpec::own("Отбор", Default1C::Str(""))],
        action: Action::GenericOperations,
    });
    class.add_method(MethodSpec {
        names: Names::new("CallPath", "ВызватьПуть"),
        args: vec![
            ArgSpec::own("Метод", Default1C::Required),
            ArgSpec::own("Путь", Default1C::Required),
            ArgSpec::own("ПараметрыJSON", Default1C::Str("")),
        ],
        action: Action::CallPath,
    });
}

/// The incremental sync of CARGO.RUN lists (`logibridge::cargorun::sync`).
fn sync_methods(class: &mut Class) {
    class.add_method(MethodSpec {
        names: Names::new("SyncBids", "СинхронизироватьЗаявки"),
        args: vec![
            ArgSpec::own("ПутьКХранилищу", Default1C::Required),
            ArgSpec::own("Начало", Default1C::Str("")),
        ],
        action: Action::Sync(Some(SyncEntity::Bids)),
    });
    class.add_method(MethodSpec {
        names: Names::new("Sync", "Синхронизировать"),
        args: vec![
            ArgSpec::own("Сущность", Default1C::Required),
            ArgSpec::own("ПутьКХранилищу", Default1C::Required),
            ArgSpec::own("Начало", Default1C::Str("")),
        ],
        action: Action::Sync(None),
    });
    class.add_method(MethodSpec {
        names: Names::new("Acknowledge", "ПодтвердитьПакет"),
        args: vec![
            ArgSpec::own("НомерПакета", Default1C::Required),
            ArgSpec::own("Сущность", Default1C::Str("bids")),
        ],
        action: Action::Acknowledge,
    });
    class.add_method(MethodSpec {
        names: Names::new("SyncCheckpoint", "КонтрольнаяТочка"),
        args: vec![
            ArgSpec::own("Сущность", Default1C::Str("bids")),
            ArgSpec::own("ПутьКХранилищу", Default1C::Str("")),
        ],
        action: Action::Checkpoint,
    });
    class.add_method(MethodSpec {
        names: Names::new("ClassifyChange", "КлассифицироватьИзменение"),
        args: vec![
            ArgSpec::own("ВремяCargoRun", Default1C::Absent),
            ArgSpec::own("ВремяЛокальное", Default1C::Absent),
            ArgSpec::own("ВремяСинхронизации", Default1C::Absent),
        ],
        action: Action::ClassifyChange,
    });
}

fn build_client_class() -> Class {
    let mut class = Class {
        name: CLIENT_CLASS,
        name_w: leak_w(CLIENT_CLASS),
        service: None,
        props: vec![],
        methods: vec![],
    };
    class.add_prop(PropSpec {
        names: Names::new("Service", "Сервис"),
        kind: PropKind::Service,
        readable: true,
        writable: true,
    });
    class.add_prop(PropSpec {
        names: Names::new("BaseUrl", "АдресСервиса"),
        kind: PropKind::BaseUrl,
        readable: true,
        writable: true,
    });
    class.add_prop(PropSpec {
        names: Names::new("Timeout", "Таймаут"),
        kind: PropKind::Timeout,
        readable: true,
        writable: true,
    });
    tail_props(&mut class);
    generic_methods(&mut class);
    class.add_method(MethodSpec {
        names: Names::new("RegisterService", "ЗарегистрироватьСервис"),
        args: vec![ArgSpec::own("ОписаниеJSON", Default1C::Required)],
        action: Action::RegisterService,
    });
    class
}

/// The class of a service, built on first use.
pub fn service_class(spec: &'static ServiceSpec) -> &'static Class {
    static BUILT: OnceLock<Mutex<Vec<&'static Class>>> = OnceLock::new();
    let mut built = BUILT
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(c) = built
        .iter()
        .find(|c| c.service.is_some_and(|s| std::ptr::eq(s, spec)))
    {
        return c;
    }
    let class: &'static Class = Box::leak(Box::new(build_service_class(spec)));
    built.push(class);
    class
}

/// The generic class.
pub fn client_class() -> &'static Class {
    static CLIENT: OnceLock<Class> = OnceLock::new();
    CLIENT.get_or_init(build_client_class)
}

/// A class by its id, as the platform passes it to `GetClassObject`: the generic class or
/// the class of a known service (built-in, or registered since).
pub fn find(name: &str) -> Option<&'static Class> {
    if name == CLIENT_CLASS {
        return Some(client_class());
    }
    endpoints::services()
        .into_iter()
        .find(|s| s.name == name)
        .map(service_class)
}

/// The class ids at load time: one per service, then the generic class.
pub fn class_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = endpoints::services()
        .iter()
        .map(|s| s.name)
        .filter(|n| *n != CLIENT_CLASS)
        .collect();
    names.push(CLIENT_CLASS);
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use logibridge::endpoints::carreta;

    fn carreta_class() -> &'static Class {
        service_class(&carreta::SERVICE)
    }

    fn method(name: &str) -> &'static MethodSpec {
        let c = carreta_class();
        c.method(
            c.find_method(name)
                .unwrap_or_else(|| panic!("no method {name}")),
        )
        .unwrap()
    }

    fn arg_names(m: &MethodSpec) -> Vec<&str> {
        m.args.iter().map(|a| a.name_ru).collect()
    }

    #[test]
    fn every_row_is_a_method_by_both_names() {
        let c = carreta_class();
        for ep in carreta::SERVICE.endpoints {
            let by_en = c.find_method(ep.names.onec_en);
            assert!(by_en.is_some(), "{}", ep.id);
            assert_eq!(by_en, c.find_method(ep.names.onec_ru), "{}", ep.id);
            assert_eq!(
                by_en,
                c.find_method(&ep.names.onec_en.to_uppercase()),
                "{}",
                ep.id
            );
        }
        assert!(std::ptr::eq(c, find("Carreta").unwrap()));
        assert!(find("Nope").is_none());
        let names = class_names();
        assert_eq!(
            (names[0], names.last().copied()),
            ("Carreta", Some("Client"))
        );
    }

    #[test]
    fn generated_methods_take_the_row_then_the_common_parameters() {
        assert_eq!(
            arg_names(method("ПолучитьЗаказ")),
            ["Идентификатор", "Аккаунт"]
        );
        assert_eq!(arg_names(method("Search")), ["Строка", "Аккаунт"]);
        assert_eq!(arg_names(method("Профиль")), ["Аккаунт"]);
        // Library-side rows take no common parameters.
        assert_eq!(arg_names(method("ПроверитьКомментарий")), ["Комментарий"]);
        let parse = method("РазобратьПрайс");
        assert_eq!(
            arg_names(parse),
            ["ПутьКФайлу", "Смещение", "Количество", "Кодировка"]
        );
        assert_eq!(
            parse.args.iter().map(|a| a.default).collect::<Vec<_>>(),
            [
                Default1C::Required,
                Default1C::Int(0),
                Default1C::Int(1000),
                Default1C::Absent
            ]
        );
        assert!(matches!(method("GetOrder").action, Action::Row(_)));
    }

    #[test]
    fn overrides_keep_the_documented_api() {
        assert_eq!(
            arg_names(method("СоздатьЗаказ")),
            [
                "ПредложениеJSON",
                "Количество",
                "Комментарий",
                "Тестовый",
                "Аккаунт"
            ]
        );
        assert_eq!(
            arg_names(method("Заказы")),
            ["Страница", "Комментарий", "Все", "Аккаунт"]
        );
        assert_eq!(
            arg_names(method("ПроверитьКоличество")),
            ["Наличие", "МинимальноеКоличество", "Количество"]
        );
        assert!(matches!(method("CheckOrderQty").action, Action::Verdict(_)));
        assert_eq!(
            arg_names(method("ПрайсВJSONL")),
            ["ПутьКФайлу", "ПутьРезультата", "ПропускатьОшибочные"]
        );
    }

    #[test]
    fn names_are_unique_and_properties_come_from_the_spec() {
        let c = carreta_class();
        let mut seen = std::collections::HashSet::new();
        for m in &c.methods {
            assert!(seen.insert(m.names.en.to_lowercase()), "{}", m.names.en);
            assert!(
                seen.insert(m.names.ru.to_lowercase()) || m.names.ru == m.names.en,
                "{}",
                m.names.ru
            );
        }
        let props: Vec<(&str, &str, bool, bool)> = c
            .props
            .iter()
            .map(|p| (p.names.ru, p.names.en, p.readable, p.writable))
            .collect();
        assert_eq!(
            props,
            [
                ("АдресСервиса", "BaseUrl", true, true),
                ("КлючAPI", "ApiKey", false, true),
                ("Таймаут", "Timeout", true, true),
                ("Аккаунт", "Account", true, true),
                ("ПоследняяОшибка", "LastError", true, false),
                ("Версия", "Version", true, false),
            ]
        );
        let client: Vec<&str> = client_class().props.iter().map(|p| p.names.ru).collect();
        assert_eq!(
            client,
            [
                "Сервис",
                "АдресСервиса",
                "Таймаут",
                "ПоследняяОшибка",
                "Версия"
            ]
        );
        assert!(client_class()
            .find_method("ЗарегистрироватьСервис")
            .is_some());
        assert!(client_class().find_method("Поиск").is_none());
    }

    #[test]
    fn a_service_with_two_credentials_has_both_properties_and_only_the_secret_is_hidden() {
        use logibridge::endpoints::cargorun;
        let c = service_class(&cargorun::SERVICE);
        let props: Vec<(&str, &str, bool, bool)> = c
            .props
            .iter()
            .map(|p| (p.names.ru, p.names.en, p.readable, p.writable))
            .collect();
        assert_eq!(
            props,
            [
                ("АдресСервиса", "BaseUrl", true, true),
                ("Логин", "Login", true, true),
                ("Пароль", "Password", false, true),
                ("Таймаут", "Timeout", true, true),
                ("ПоследняяОшибка", "LastError", true, false),
                ("Версия", "Version", true, false),
            ]
        );
        // Every row is its own method: none is shadowed by Вызвать, Методы and the like.
        for ep in cargorun::SERVICE.endpoints {
            let m = c.find_method(ep.names.onec_ru).unwrap_or_else(|| panic!("{}", ep.id));
            assert_eq!(Some(m), c.find_method(ep.names.onec_en), "{}", ep.id);
            assert!(matches!(c.methods[m].action, Action::Row(r) if std::ptr::eq(r, *ep)), "{}", ep.id);
        }
        assert!(std::ptr::eq(c, find("CargoRun").unwrap()));
    }

    #[test]
    fn the_generic_rows_are_listed_not_methods_and_only_cargorun_syncs() {
        use logibridge::endpoints::cargorun;
        let c = service_class(&cargorun::SERVICE);
        let generic = endpoints::generic(&cargorun::SERVICE);
        assert!(generic.len() > 800);
        assert_eq!(c.methods.len(), cargorun::SERVICE.endpoints.len() + 4 + 2 + 5);
        for ep in generic {
            assert!(!c.methods.iter().any(|m| matches!(m.action, Action::Row(r) if r == *ep)), "{}", ep.id);
        }
        for (ru, en) in [
            ("ОперацииSwagger", "SwaggerOperations"),
            ("ВызватьПуть", "CallPath"),
            ("СинхронизироватьЗаявки", "SyncBids"),
            ("Синхронизировать", "Sync"),
            ("ПодтвердитьПакет", "Acknowledge"),
            ("КонтрольнаяТочка", "SyncCheckpoint"),
            ("КлассифицироватьИзменение", "ClassifyChange"),
        ] {
            let m = c.find_method(ru).unwrap_or_else(|| panic!("{ru}"));
            assert_eq!(Some(m), c.find_method(en), "{en}");
            assert!(carreta_class().find_method(ru).is_none(), "Carreta has no {ru}");
        }
        let sync = &c.methods[c.find_method("SyncBids").unwrap()];
        assert_eq!(arg_names(sync), ["ПутьКХранилищу", "Начало"]);
        assert_eq!(sync.args[0].default, Default1C::Required);
    }

    #[test]
    fn pascal_case() {
        assert_eq!(pascal("account"), "Account");
        assert_eq!(pascal("order.list"), "OrderList");
        assert_eq!(pascal("min_qty"), "MinQty");
    }
}
