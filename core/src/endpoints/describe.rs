//! The table as JSON (what `endpoints()` gives every face) and services declared from JSON.
//!
//! The same shape goes both ways: what [`describe_service`] writes, [`register`] reads
//! (model types excepted: a registered service's models are free JSON).

use serde::Deserialize;
use serde_json::{json, Value};

use super::registry;
use super::types::*;
use crate::error::{Error, Result};

/// One parameter as JSON.
fn describe_param(p: &Param) -> Value {
    json!({
        "name": p.name,
        "wire": p.wire,
        "in": p.location.as_str(),
        "type": p.ty.to_string(),
        "required": p.required,
        "repeated": p.repeated,
        "default": p.default.and_then(|d| serde_json::from_str::<Value>(d).ok()),
        "fixed": p.fixed,
        "min": p.min,
        "max": p.max,
        "name_ru": p.name_ru,
        "doc": p.doc,
    })
}

fn describe_paging(p: Paging) -> Value {
    match p {
        Paging::None => json!({"kind": "none"}),
        Paging::PageNumber { param, first, size } => json!({"kind": "page_number", "param": param, "first": first, "size": size}),
        Paging::PageCount { page, count, first, size, max } => json!({"kind": "page_count", "param": page, "count_param": count, "first": first, "size": size, "max": max}),
        Paging::OData { size } => json!({"kind": "odata", "size": size}),
    }
}

/// One row as JSON: `id`, `service`, `kind` (`typed`, or `generic` for a row made from
/// the service's Swagger, which faces do not make a method of), `summary`, `method`,
/// `path`, `params` (with the service's common parameters appended), `body`, `check`,
/// `response`, `paging`, `idempotent`, `auth`, `local`, `names`; a generic row also has
/// `tag` and `content` (`json` or `multipart`).
///
/// ```
/// let d = logibridge::endpoints::describe_endpoint(logibridge::endpoints::carreta::ORDER_LIST);
/// assert_eq!(d["paging"]["size"], 100);
/// assert_eq!(d["params"][1]["repeated"], true);
/// assert_eq!(d["names"]["onec_ru"], "Заказы");
/// ```
pub fn describe_endpoint(ep: &Endpoint) -> Value {
    let common: &[Param] = registry::service(ep.service).map(|s| s.common_params).unwrap_or(&[]);
    let mut d = json!({
        "id": ep.id,
        "service": ep.service,
        "kind": if ep.is_generic() { "generic" } else { "typed" },
        "summary": ep.summary,
        "method": ep.method.as_str(),
        "path": ep.path,
        "params": ep.params.iter().chain(if ep.method == Method::Local { &[][..] } else { common }).map(describe_param).collect::<Vec<_>>(),
        "body": ep.body.as_str(),
        "check": ep.check.is_some(),
        "response": {
            "model": ep.response.model.map(|m| m.name),
            "envelope": ep.response.shape.envelope,
            "list": ep.response.shape.list,
            "count_header": ep.response.count_header,
            "success": ep.response.success,
            "empty": ep.response.empty,
            "body_optional": ep.response.body_optional,
        },
        "paging": describe_paging(ep.paging),
        "idempotent": ep.idempotent,
        "auth": ep.auth,
        // An exactly-once row is library-side work too (the lookup after a lost answer).
        "local": ep.local.is_some() || ep.once.is_some(),
        "names": {"python": ep.names.python, "onec_en": ep.names.onec_en, "onec_ru": ep.names.onec_ru},
    });
    if let (Some(op), Some(obj)) = (ep.swagger, d.as_object_mut()) {
        obj.insert("tag".into(), Value::from(op.tag.as_str()));
        obj.insert("content".into(), Value::from(if op.is_multipart() { "multipart" } else if op.body.is_some() { "json" } else { "none" }));
    }
    d
}

/// A service as JSON: its settings, its typed rows (`endpoints`: the ones faces make a
/// method of) and its generic rows (`generic_endpoints`, `"kind": "generic"`: CARGO.RUN's
/// other Swagger operations, called by id; empty for the other services).
pub fn describe_service(s: &ServiceSpec) -> Value {
    let auth = match s.auth {
        AuthSpec::None => json!({"kind": "none"}),
        AuthSpec::QueryParam { param, credential } => json!({"kind": "query_param", "param": param, "credential": credential}),
        AuthSpec::Bearer { credential } => json!({"kind": "bearer", "credential": credential}),
        AuthSpec::Jwt { username, password, generate, refresh } => json!({"kind": "jwt", "username": username, "password": password, "generate": generate, "refresh": refresh}),
    };
    json!({
        "prefix": s.prefix,
        "name": s.name,
        "default_base_url": s.default_base_url,
        "auth": auth,
        "credentials": s.credentials.iter().map(|c| json!({"name": c.name, "onec_en": c.onec_en, "onec_ru": c.onec_ru, "secret": c.secret, "required": c.required})).collect::<Vec<_>>(),
        "common_params": s.common_params.iter().map(describe_param).collect::<Vec<_>>(),
        "error_message_keys": s.errors.message_keys,
        "error_flag_in_success": s.errors.flag_in_success,
        "date_format": s.dates.name(),
        "endpoints": s.endpoints.iter().map(|e| describe_endpoint(e)).collect::<Vec<_>>(),
        "generic_endpoints": registry::generic(s).iter().map(|e| describe_endpoint(e)).collect::<Vec<_>>(),
    })
}

/// Every known service as a JSON list (what `logibridge.endpoints()`, `lb_endpoints` and
/// the 1C `Endpoints` method return).
pub fn describe_all() -> Value {
    Value::Array(registry::services().into_iter().map(describe_service).collect())
}

// -- registering a service from its description --------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceDesc {
    prefix: String,
    name: String,
    #[serde(default)]
    default_base_url: String,
    #[serde(default)]
    auth: Option<AuthDesc>,
    #[serde(default)]
    credentials: Vec<CredentialDesc>,
    #[serde(default)]
    common_params: Vec<ParamDesc>,
    #[serde(default)]
    error_message_keys: Vec<String>,
    #[serde(default)]
    error_flag_in_success: Option<String>,
    #[serde(default)]
    date_format: Option<String>,
    endpoints: Vec<EndpointDesc>,
    // Written by describe_service; a registered service has no Swagger table, so its rows
    // are all `endpoints` and this is read back and dropped.
    #[serde(default)]
    generic_endpoints: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthDesc {
    kind: String,
    #[serde(default)]
    param: Option<String>,
    #[serde(default)]
    credential: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    generate: Option<String>,
    #[serde(default)]
    refresh: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialDesc {
    name: String,
    #[serde(default)]
    onec_en: Option<String>,
    #[serde(default)]
    onec_ru: Option<String>,
    #[serde(default = "yes")]
    secret: bool,
    #[serde(default = "yes")]
    required: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct ParamDesc {
    name: String,
    #[serde(default)]
    wire: Option<String>,
    #[serde(rename = "in")]
    location: String,
    #[serde(rename = "type", default = "string_type")]
    ty: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    repeated: bool,
    #[serde(default)]
    default: Option<Value>,
    #[serde(default)]
    fixed: Option<String>,
    #[serde(default)]
    min: Option<i64>,
    #[serde(default)]
    max: Option<i64>,
    #[serde(default)]
    name_ru: Option<String>,
    #[serde(default)]
    doc: String,
}

fn string_type() -> String {
    "string".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointDesc {
    id: String,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    summary: String,
    method: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    params: Vec<ParamDesc>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    response: Option<ResponseDesc>,
    #[serde(default)]
    paging: Option<Value>,
    #[serde(default)]
    idempotent: Option<bool>,
    #[serde(default = "yes")]
    auth: bool,
    #[serde(default)]
    names: Option<NamesDesc>,
    // Written by describe_endpoint; accepted and ignored so a description reads back.
    #[serde(default)]
    check: Option<bool>,
    #[serde(default)]
    local: Option<bool>,
    // `typed` / `generic`, and a generic row's Swagger tag and content: a registered row is
    // plain (it has no Swagger schema), so these are read back and dropped.
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseDesc {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    envelope: Option<String>,
    #[serde(default)]
    list: bool,
    #[serde(default)]
    count_header: Option<String>,
    #[serde(default)]
    success: Vec<u16>,
    #[serde(default)]
    empty: bool,
    #[serde(default)]
    body_optional: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NamesDesc {
    #[serde(default)]
    python: Option<String>,
    #[serde(default)]
    onec_en: Option<String>,
    #[serde(default)]
    onec_ru: Option<String>,
}

// A registered description lives as long as the process, so its parts are leaked; while a
// registration is under way every leak is recorded, and a registration that fails frees
// what it leaked (a bad description costs nothing).
thread_local! {
    static LEAKED: std::cell::RefCell<Vec<Box<dyn FnOnce()>>> = std::cell::RefCell::new(Vec::new());
}

fn leak_box<T: ?Sized + 'static>(b: Box<T>) -> &'static T {
    let p: *mut T = Box::into_raw(b);
    // SAFETY: `p` came from `Box::into_raw` and is freed at most once, by this closure,
    // only when the registration that made it fails (before anything could keep it).
    LEAKED.with(|l| l.borrow_mut().push(Box::new(move || unsafe { drop(Box::from_raw(p)) })));
    // SAFETY: valid until the closure above runs, which happens only on failure, when no
    // reference made here has escaped the registration.
    unsafe { &*p }
}

fn leak(s: String) -> &'static str {
    leak_box(s.into_boxed_str())
}

fn leak_slice<T: 'static>(v: Vec<T>) -> &'static [T] {
    leak_box(v.into_boxed_slice())
}

fn bad(en: String, ru: String) -> Error {
    Error::invalid_argument(format!("service description: {en}"), format!("ошибка в описании сервиса: {ru}"))
}

fn parse_type(text: &str) -> Result<Type> {
    let t = text.trim();
    Ok(match t {
        "string" => Type::String,
        "integer" => Type::Integer,
        "decimal" => Type::Decimal,
        "bool" => Type::Bool,
        "date-time" => Type::DateTime,
        "date" => Type::Date,
        "json" => Type::Json,
        _ if t.starts_with("flag:") => Type::Flag(leak(t["flag:".len()..].to_owned())),
        _ if t.starts_with("enum:") => Type::Enum(leak_slice(t["enum:".len()..].split('|').map(|n| leak(n.to_owned())).collect())),
        // A registered service has no Rust models: its model values are free JSON.
        _ if t.starts_with("model:") => Type::Json,
        _ if t.starts_with("array<") && t.ends_with('>') => Type::Array(leak_box(Box::new(parse_type(&t["array<".len()..t.len() - 1])?))),
        other => return Err(bad(
                format!("unknown parameter type {other:?} (string, integer, decimal, bool, flag:V, date-time, date, enum:A|B, json, array<T>)"),
                format!("неизвестный тип параметра {other:?} (string, integer, decimal, bool, flag:V, date-time, date, enum:A|B, json, array<T>)"),
            )),
    })
}

fn param(d: ParamDesc) -> Result<Param> {
    let location = Location::parse(&d.location).ok_or_else(|| bad(
            format!("parameter {:?}: unknown location {:?} (path, query, body_field, body, library)", d.name, d.location),
            format!("параметр {:?}: неизвестное место {:?} (path, query, body_field, body, library)", d.name, d.location),
        ))?;
    let name = leak(d.name);
    Ok(Param {
        name,
        wire: d.wire.map(leak).unwrap_or(name),
        location,
        ty: parse_type(&d.ty)?,
        required: d.required,
        repeated: d.repeated,
        default: d.default.map(|v| leak(v.to_string())),
        fixed: d.fixed.map(leak),
        min: d.min,
        max: d.max,
        name_ru: d.name_ru.map(leak).unwrap_or(name),
        doc: leak(d.doc),
    })
}

fn paging(v: Option<Value>) -> Result<Paging> {
    let Some(v) = v else { return Ok(Paging::None) };
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or("none");
    let u = |k: &str, d: u32| v.get(k).and_then(Value::as_u64).map_or(d, |n| n.min(u32::MAX as u64) as u32);
    let s = |k: &str, d: &str| leak(v.get(k).and_then(Value::as_str).unwrap_or(d).to_owned());
    Ok(match kind {
        "none" => Paging::None,
        "page_number" => Paging::PageNumber { param: s("param", "page"), first: u("first", 1), size: u("size", 0) },
        "page_count" => Paging::PageCount { page: s("param", "page"), count: s("count_param", "count"), first: u("first", 1), size: u("size", 100), max: u("max", 500) },
        "odata" => Paging::OData { size: u("size", 50) },
        other => return Err(bad(format!("unknown paging kind {other:?} (none, page_number, page_count, odata)"), format!("неизвестный вид постраничного чтения {other:?} (none, page_number, page_count, odata)"))),
    })
}

fn endpoint(prefix: &'static str, d: EndpointDesc) -> Result<Endpoint> {
    let _ = (d.check, d.local, d.kind, d.tag, d.content);
    if !d.id.starts_with(&format!("{prefix}.")) || d.id.split('.').count() < 3 {
        return Err(bad(format!("endpoint id {:?} must be {prefix}.<resource>.<action>", d.id), format!("идентификатор вызова {:?} должен иметь вид {prefix}.<ресурс>.<действие>", d.id)));
    }
    if let Some(s) = &d.service {
        if s != prefix {
            return Err(bad(format!("endpoint {:?} names the service {s:?}, not {prefix:?}", d.id), format!("вызов {:?} называет сервис {s:?}, а не {prefix:?}", d.id)));
        }
    }
    let method = Method::parse(&d.method).ok_or_else(|| bad(format!("endpoint {:?}: unknown method {:?}", d.id, d.method), format!("вызов {:?}: неизвестный метод {:?}", d.id, d.method)))?;
    if method == Method::Local {
        return Err(bad(
            format!("endpoint {:?}: a registered service cannot have library-side calls", d.id),
            format!("вызов {:?}: у зарегистрированного сервиса не может быть вызовов на стороне библиотеки", d.id),
        ));
    }
    let id = leak(d.id);
    let params = d.params.into_iter().map(param).collect::<Result<Vec<_>>>()?;
    let body = match d.body.as_deref() {
        None => {
            if params.iter().any(|p| p.location == Location::Body) {
                BodyKind::Whole
            } else if params.iter().any(|p| p.location == Location::BodyField) {
                BodyKind::Object
            } else {
                BodyKind::None
            }
        }
        Some("none") => BodyKind::None,
        Some("object") => BodyKind::Object,
        Some("array") => BodyKind::Array,
        Some("whole") => BodyKind::Whole,
        Some(other) => return Err(bad(format!("endpoint {id:?}: unknown body kind {other:?} (none, object, array, whole)"), format!("вызов {id:?}: неизвестный вид тела {other:?} (none, object, array, whole)"))),
    };
    let response = match d.response {
        None => Response::JSON,
        Some(r) => {
            let _ = r.model;
            Response { model: None, shape: Shape { envelope: r.envelope.map(leak), list: r.list }, count_header: r.count_header.map(leak), success: leak_slice(r.success), empty: r.empty, body_optional: r.body_optional }
        }
    };
    let names = d.names.unwrap_or(NamesDesc { python: None, onec_en: None, onec_ru: None });
    let resource_action = id.split_once('.').map_or(id, |(_, rest)| rest);
    Ok(Endpoint {
        summary: leak(d.summary),
        params: leak_slice(params),
        body,
        response,
        paging: paging(d.paging)?,
        idempotent: d.idempotent.unwrap_or(!matches!(method, Method::Post)),
        auth: d.auth,
        names: FaceNames {
            python: names.python.map(leak).unwrap_or(resource_action),
            onec_en: names.onec_en.map(leak).unwrap_or(""),
            onec_ru: names.onec_ru.map(leak).unwrap_or(""),
        },
        ..Endpoint::new(id, prefix, method, leak(d.path))
    })
}

/// Declares a service from its JSON description (the shape [`describe_service`] writes),
/// so every face can call it by id with no code of its own — a customer's own gateway, or
/// a test's. Returns the new service; fails with [`Error::InvalidArgument`] naming the
/// faulty part, or when the prefix or an id is already taken.
///
/// The description lives as long as the process: register a service once, not per call.
///
/// ```
/// let spec = logibridge::endpoints::register(r#"{
///     "prefix": "doctest", "name": "DocTest", "default_base_url": "http://127.0.0.1:9/",
///     "auth": {"kind": "bearer", "credential": "token"},
///     "credentials": [{"name": "token", "onec_en": "Token", "onec_ru": "Токен"}],
///     "endpoints": [{"id": "doctest.things.get", "method": "GET", "path": "things/{id}",
///                    "params": [{"name": "id", "in": "path", "type": "integer", "required": true}]}]
/// }"#).unwrap();
/// assert_eq!(spec.endpoints[0].path_params().collect::<Vec<_>>(), ["id"]);
/// assert!(logibridge::endpoints::find("doctest.things.get").is_some());
/// ```
pub fn register(description: &str) -> Result<&'static ServiceSpec> {
    LEAKED.with(|l| l.borrow_mut().clear());
    let result = register_leaking(description);
    let leaked = LEAKED.with(|l| std::mem::take(&mut *l.borrow_mut()));
    if result.is_err() {
        for free in leaked.into_iter().rev() {
            free();
        }
    }
    result
}

fn register_leaking(description: &str) -> Result<&'static ServiceSpec> {
    if description.len() > super::validate::MAX_DESCRIPTION_BYTES {
        return Err(bad(
            format!("{} bytes; at most {} are read", description.len(), super::validate::MAX_DESCRIPTION_BYTES),
            format!("{} байт; читается не больше {}", description.len(), super::validate::MAX_DESCRIPTION_BYTES),
        ));
    }
    let mut d: ServiceDesc = serde_json::from_str(description).map_err(|e| bad(e.to_string(), crate::error::russian::serde_message(&e.to_string())))?;
    // Generic rows are the built-in Swagger table's; a description read back drops them.
    let _ = d.generic_endpoints.take();
    if d.prefix.is_empty() || !d.prefix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        return Err(bad(format!("prefix {:?} must be lower-case ASCII letters, digits or _", d.prefix), format!("префикс {:?} должен состоять из строчных латинских букв, цифр и _", d.prefix)));
    }
    // A taken prefix or id is refused before anything is leaked (registering twice must
    // not leak a whole description); `registry::insert` checks again under its lock.
    if registry::service(&d.prefix).is_some() {
        return Err(super::already_known_service(&d.prefix));
    }
    if let Some(e) = d.endpoints.iter().find(|e| registry::find(&e.id).is_some()) {
        return Err(super::already_known_endpoint(&e.id));
    }
    let dates = match d.date_format.as_deref() {
        None => DateFormat::Rfc3339Utc,
        Some(name) => DateFormat::parse(name).ok_or_else(|| bad(
                format!("unknown date_format {name:?} (rfc3339_utc, space_utc, local:<seconds east of UTC>)"),
                format!("неизвестный date_format {name:?} (rfc3339_utc, space_utc, local:<смещение от UTC в секундах>)"),
            ))?,
    };
    let prefix = leak(d.prefix);
    let credentials: Vec<Credential> = d
        .credentials
        .into_iter()
        .map(|c| {
            let name = leak(c.name);
            Credential { name, onec_en: c.onec_en.map(leak).unwrap_or(name), onec_ru: c.onec_ru.map(leak).unwrap_or(name), secret: c.secret, required: c.required }
        })
        .collect();
    let auth = match d.auth {
        None => AuthSpec::None,
        Some(a) => {
            let credential = a.credential.map(leak);
            let need = |c: Option<&'static str>| -> Result<&'static str> {
                let c = c.ok_or_else(|| bad(format!("auth {:?} needs a credential", a.kind), format!("для auth {:?} нужен ключ доступа (credential)", a.kind)))?;
                if credentials.iter().any(|k| k.name == c) {
                    Ok(c)
                } else {
                    Err(bad(format!("auth names the credential {c:?}, which is not in credentials"), format!("auth называет ключ доступа {c:?}, которого нет в credentials")))
                }
            };
            match a.kind.as_str() {
                "none" => AuthSpec::None,
                "bearer" => AuthSpec::Bearer { credential: need(credential)? },
                "query_param" => AuthSpec::QueryParam { param: leak(a.param.ok_or_else(|| bad("auth query_param needs a param".into(), "для auth query_param нужен param".into()))?), credential: need(credential)? },
                "jwt" => {
                    let row = |r: Option<String>, what: &str| r.map(leak).ok_or_else(|| bad(format!("auth jwt needs {what} (the id of its row)"), format!("для auth jwt нужен {what} (идентификатор вызова)")));
                    AuthSpec::Jwt { username: need(a.username.clone().map(leak))?, password: need(a.password.clone().map(leak))?, generate: row(a.generate.clone(), "generate")?, refresh: row(a.refresh.clone(), "refresh")? }
                }
                other => return Err(bad(format!("unknown auth kind {other:?} (none, query_param, bearer, jwt)"), format!("неизвестный вид auth {other:?} (none, query_param, bearer, jwt)"))),
            }
        }
    };
    // `describe_service` lists the common parameters inside every row too (a row read alone
    // shows all it takes): a row's copy of a common parameter is that parameter, not a second one.
    for e in &mut d.endpoints {
        e.params.retain(|p| !d.common_params.contains(p));
    }
    let endpoints = d.endpoints.into_iter().map(|e| endpoint(prefix, e).map(|e| leak_box(Box::new(e)))).collect::<Result<Vec<&'static Endpoint>>>()?;
    let spec = ServiceSpec {
        prefix,
        name: leak(d.name),
        default_base_url: leak(d.default_base_url),
        auth,
        credentials: leak_slice(credentials),
        common_params: leak_slice(d.common_params.into_iter().map(param).collect::<Result<Vec<_>>>()?),
        errors: ErrorFormat { message_keys: leak_slice(d.error_message_keys.into_iter().map(leak).collect()), flag_in_success: d.error_flag_in_success.map(leak) },
        dates,
        endpoints: leak_slice(endpoints),
    };
    super::validate::check_service(&spec).map_err(|p| bad(p.en, p.ru))?;
    registry::insert(leak_box(Box::new(spec)))
}
