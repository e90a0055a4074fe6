//! The executor: one path from a row and JSON parameters to a request and back.
//!
//! JSON parameters → checked against the row (unknown or misspelt names, wrong types,
//! missing required ones, values out of range: an [`Error::InvalidParameter`] naming the
//! parameter) → the row's pre-send check → the request → the one transport → the row's
//! decoder → the result. [`crate::Client::call`] and every typed method go through here;
//! nothing is written per call.

use std::fmt;

use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::endpoints::{BodyKind, DateFormat, Endpoint, Location, Method, Param, ServiceSpec, Shape, Type};
use crate::error::{Error, Result};
use crate::transport::Request;

/// Encodes a value as JSON; a failure is an internal error, never a silent `null`.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::Internal(format!("cannot encode a value as JSON: {e}")))
}

/// The `read` of [`crate::endpoints::Model::of`]: decodes a body of `T` (in the row's
/// shape) and writes it back in its documented form.
pub(crate) fn read_model<T: DeserializeOwned + Serialize>(body: &[u8], shape: Shape, endpoint: &str) -> Result<Value> {
    if shape.list {
        to_json(&decode_body::<Vec<T>>(body, shape, endpoint)?)
    } else {
        to_json(&decode_body::<T>(body, shape, endpoint)?)
    }
}

/// The `read` of [`crate::endpoints::Model::exact`]: numbers a float would not hold
/// exactly are quoted first (their text is kept), then read as [`read_model`] does.
/// The result is in the callers' form (date-times RFC 3339 in UTC: see
/// [`crate::ireca::wire::in_callers_form`]), so what a face gets it can send back.
pub(crate) fn read_model_exact<T: DeserializeOwned + Serialize>(body: &[u8], shape: Shape, endpoint: &str) -> Result<Value> {
    let body = crate::serde_ext::quote_inexact_numbers(body);
    if shape.list {
        let items = decode_body::<Vec<T>>(&body, shape, endpoint)?;
        crate::ireca::wire::in_callers_form(|| to_json(&items))
    } else {
        let item = decode_body::<T>(&body, shape, endpoint)?;
        crate::ireca::wire::in_callers_form(|| to_json(&item))
    }
}

/// The `write` of [`crate::endpoints::Model::exact`]: the caller's value is read in the
/// callers' form (a date-time must carry its offset) and written in the wire's.
pub(crate) fn write_model_exact<T: DeserializeOwned + Serialize>(value: Value) -> std::result::Result<Value, (String, String)> {
    let typed: T = crate::ireca::wire::in_callers_form(|| serde_path_to_error::deserialize(value)).map_err(|e| (e.path().to_string(), e.into_inner().to_string()))?;
    serde_json::to_value(&typed).map_err(|e| (String::new(), e.to_string()))
}

/// The `write` of [`crate::endpoints::Model::of`]: reads a caller's value as `T` and
/// writes it in its documented form; the error gives the JSON path and the reason.
pub(crate) fn write_model<T: DeserializeOwned + Serialize>(value: Value) -> std::result::Result<Value, (String, String)> {
    let typed: T = serde_path_to_error::deserialize(value).map_err(|e| (e.path().to_string(), e.into_inner().to_string()))?;
    serde_json::to_value(&typed).map_err(|e| (String::new(), e.to_string()))
}

/// Decodes a response body into `T`, looking inside the shape's envelope field when it
/// has one. Errors carry the JSON path (`objects[3].price`) and an excerpt.
pub fn decode_body<T: DeserializeOwned>(body: &[u8], shape: Shape, endpoint: &str) -> Result<T> {
    match shape.envelope {
        None => crate::transport::decode_json(endpoint, body),
        Some(field) => {
            let mut de = serde_json::Deserializer::from_slice(body);
            let mut track = serde_path_to_error::Track::new();
            let seeded = Envelope::<T> { field, _t: std::marker::PhantomData };
            let result = seeded.deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track)).and_then(|v| de.end().map(|_| v));
            result.map_err(|e| crate::transport::decode_error(endpoint, body, track.path().to_string(), &e))
        }
    }
}

/// Reads `{"<field>": T, ...}`, ignoring the other fields.
struct Envelope<T> {
    field: &'static str,
    _t: std::marker::PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Envelope<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<T, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Envelope<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with the field {:?}", self.field)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<T, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == self.field && found.is_none() {
                found = Some(map.next_value::<T>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        found.ok_or_else(|| serde::de::Error::missing_field(self.field))
    }
}

/// The parameters of one call, checked and converted to their wire form, by name.
#[derive(Clone, Debug, Default)]
pub struct Args {
    /// Checked values by parameter name (common parameters included).
    pub values: Map<String, Value>,
}

impl Args {
    /// A checked value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }
}

fn param_error(ep: &Endpoint, p_name: &str, code: &'static str, message: String, message_ru: String) -> Error {
    Error::invalid_param(ep.id, p_name, code, message, message_ru)
}

/// A caller's value as an error message may quote it: its JSON text, cut by the one rule
/// for quoting input ([`crate::shown_input`]).
fn shown(v: &Value) -> String {
    crate::shown_input(&v.to_string())
}

/// Whether a parameter's value is a secret an error must not quote: a credential the
/// service marks secret (`password` of CARGO.RUN's sign-in), or a name that says so
/// (`access_token`, `refresh_token`, `api_key`, `client_secret`).
fn holds_secret(ep: &Endpoint, name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let by_name = ["password", "token", "secret", "api_key", "apikey"].iter().any(|w| lower.contains(w));
    let prefix = ep.id.split('.').next().unwrap_or_default();
    by_name || crate::endpoints::service(prefix).is_some_and(|s| s.credentials.iter().any(|c| c.secret && c.name.eq_ignore_ascii_case(name)))
}

/// A JSON value's kind, in English and Russian, for an error that must not quote it.
fn json_kind(v: &Value) -> (&'static str, &'static str) {
    match v {
        Value::Null => ("null", "null"),
        Value::Bool(_) => ("a boolean", "логическое значение"),
        Value::Number(_) => ("a number", "число"),
        Value::String(_) => ("a string", "строка"),
        Value::Array(_) => ("a list", "список"),
        Value::Object(_) => ("an object", "объект"),
    }
}

/// Checks one value against a parameter's type and returns its wire form (date-times in
/// the service's `dates` form).
fn convert(ep: &Endpoint, dates: DateFormat, p: &Param, ty: Type, v: Value) -> Result<Value> {
    convert_at(ep, dates, p, ty, v, "")
}

/// [`convert`] of a value at `index` inside the parameter (`[2]` of a list), so a model's
/// error names the item: `items[2].deliveryTimeFrom`.
fn convert_at(ep: &Endpoint, dates: DateFormat, p: &Param, ty: Type, v: Value, index: &str) -> Result<Value> {
    let wrong = |want_en: &str, want_ru: &str, v: &Value| {
        if holds_secret(ep, p.name) {
            // A password given as a list is still the password: the error names its JSON
            // kind, never its text.
            let (kind_en, kind_ru) = json_kind(v);
            return param_error(ep, p.name, "param.type", format!("must be {want_en}, got {kind_en} (not shown: the parameter holds a secret)"), format!("должен быть {want_ru}, передан {kind_ru} (значение не показано: параметр секретный)"));
        }
        param_error(ep, p.name, "param.type", format!("must be {want_en}, got {}", shown(v)), format!("должен быть {want_ru}, передано {}", shown(v)))
    };
    match ty {
        Type::String => match v {
            Value::String(_) => Ok(v),
            Value::Number(n) => Ok(Value::String(n.to_string())),
            other => Err(wrong("a string", "строкой", &other)),
        },
        Type::Integer => {
            let n: Option<i64> = match &v {
                Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64)),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            };
            let Some(n) = n else {
                return Err(match &v {
                    Value::Number(_) | Value::String(_) => param_error(ep, p.name, "param.integer", format!("must be a whole number within the 64-bit range, got {}", shown(&v)), format!("должен быть целым числом в 64-битном диапазоне, передано {}", shown(&v))),
                    _ => wrong("a whole number", "целым числом", &v),
                });
            };
            if let Some(min) = p.min {
                if n < min {
                    return Err(param_error(ep, p.name, "param.min", format!("must be at least {min}, got {n}"), format!("должен быть не меньше {min}, передано {n}")));
                }
            }
            if let Some(max) = p.max {
                if n > max {
                    return Err(param_error(ep, p.name, "param.max", format!("must be at most {max}, got {n}"), format!("должен быть не больше {max}, передано {n}")));
                }
            }
            Ok(Value::from(n))
        }
        Type::Decimal => {
            let text = match &v {
                Value::Number(n) => n.to_string(),
                Value::String(s) => s.trim().to_owned(),
                other => return Err(wrong("a decimal amount", "десятичным числом", other)),
            };
            text.parse::<rust_decimal::Decimal>()
                .or_else(|_| rust_decimal::Decimal::from_scientific(&text))
                .map_err(|_| wrong("a decimal amount", "десятичным числом", &v))?;
            Ok(v)
        }
        Type::Bool | Type::Flag(_) => match v {
            Value::Bool(_) => Ok(v),
            other => Err(wrong("true or false", "булевым (true или false)", &other)),
        },
        Type::DateTime => match &v {
            Value::String(s) => match chrono::DateTime::parse_from_rfc3339(s.trim()) {
                // Every service writes four digits of year.
                Ok(t) if !(1..=9999).contains(&chrono::Datelike::year(&t.with_timezone(&chrono::Utc))) => Err(wrong("a date-time in the years 0001 to 9999 (UTC)", "датой со временем в 0001–9999 годах (UTC)", &v)),
                Ok(t) => Ok(Value::String(dates.format(t))),
                Err(_) => Err(wrong("a date-time with a zone (RFC 3339, e.g. 2026-06-30T12:00:00Z; a time without a zone is not guessed)", "датой со временем и часовым поясом (RFC 3339, например 2026-06-30T12:00:00Z; время без пояса не угадывается)", &v)),
            },
            other => Err(wrong("a date-time with a zone (RFC 3339, e.g. 2026-06-30T12:00:00Z)", "датой со временем и часовым поясом (RFC 3339)", other)),
        },
        Type::Date => match &v {
            Value::String(s) if chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").is_ok() => Ok(v),
            other => Err(wrong("a date (YYYY-MM-DD)", "датой (ГГГГ-ММ-ДД)", other)),
        },
        Type::Enum(names) => match &v {
            Value::String(s) if names.contains(&s.as_str()) => Ok(v),
            other => Err(param_error(ep, p.name, "param.enum", format!("must be one of {}, got {}", names.join(", "), shown(other)), format!("должен быть одним из: {}; передано {}", names.join(", "), shown(other)))),
        },
        Type::Model(model) => (model.write)(v).map_err(|(path, why)| {
            let path = match (index, path.as_str()) {
                (i, "" | ".") => i.to_owned(),
                ("", _) => path,
                (i, _) => format!("{i}.{path}"),
            };
            let at = if path.is_empty() { String::new() } else { format!(" at {path}") };
            let at_ru = if at.is_empty() { String::new() } else { format!(" (поле {path})") };
            let (why_en, why_ru) = (crate::serde_ext::english(&why), crate::error::russian::serde_message(&why));
            param_error(ep, p.name, "param.model", format!("is not a valid {}{at}: {why_en}", model.name), format!("не является корректным значением {}{at_ru}: {why_ru}", model.name))
        }),
        Type::Json => Ok(v),
        Type::Array(inner) => match v {
            Value::Array(items) => items.into_iter().enumerate().map(|(i, item)| convert_at(ep, dates, p, *inner, item, &format!("{index}[{i}]"))).collect::<Result<Vec<_>>>().map(Value::Array),
            other => Err(wrong("a list", "списком", &other)),
        },
    }
}

/// Checks the caller's parameters against the row (and the service's common parameters,
/// with the client's defaults for them) and converts them to their wire form.
pub fn check(ep: &'static Endpoint, spec: &ServiceSpec, defaults: &Map<String, Value>, params: Value) -> Result<Args> {
    let mut given = match params {
        Value::Null => Map::new(),
        Value::Object(map) => map,
        other => return Err(Error::invalid_argument(format!("{}: parameters must be a JSON object, got {}", ep.id, shown(&other)), format!("{}: параметры должны быть объектом JSON, передано {}", ep.id, shown(&other)))),
    };
    // Every OData row takes `query`, its OData options as one JSON description
    // (crate::cargorun::odata), spread into the row's own filter/orderby/top/skip/count.
    if matches!(ep.paging, crate::endpoints::Paging::OData { .. }) {
        crate::cargorun::odata::spread_query(ep.id, &mut given)?;
    }
    let common: &[Param] = if ep.method == Method::Local { &[] } else { spec.common_params };
    let mut values = Map::new();
    for p in ep.params.iter().chain(common) {
        let value = given.remove(p.name).filter(|v| !v.is_null());
        if let Some(fixed) = p.fixed {
            if value.is_some() {
                return Err(param_error(ep, p.name, "param.fixed", format!("is always {fixed} for this call and cannot be set"), format!("для этого вызова всегда равен {fixed} и не задаётся")));
            }
            values.insert(p.name.to_owned(), Value::String(fixed.to_owned()));
            continue;
        }
        let value = match value {
            Some(v) => Some(v),
            None => match defaults.get(p.name) {
                Some(v) => Some(v.clone()),
                None => p.default.map(|d| serde_json::from_str(d).map_err(|e| Error::Internal(format!("{}: the default of {} is not JSON: {e}", ep.id, p.name)))).transpose()?,
            },
        };
        let Some(value) = value else {
            if p.required {
                return Err(param_error(ep, p.name, "param.required", "is required".into(), "обязателен".into()));
            }
            continue;
        };
        let value = match (p.repeated, value) {
            (true, Value::Array(items)) => Value::Array(items.into_iter().map(|v| convert(ep, spec.dates, p, p.ty, v)).collect::<Result<_>>()?),
            (true, single) => Value::Array(vec![convert(ep, spec.dates, p, p.ty, single)?]),
            (false, v) => convert(ep, spec.dates, p, p.ty, v)?,
        };
        values.insert(p.name.to_owned(), value);
    }
    given.retain(|_, v| !v.is_null());
    // Every paged row takes `all` (walk every page), declared or not.
    if ep.paging != crate::endpoints::Paging::None && ep.param("all").is_none() {
        if let Some(all) = given.remove("all") {
            let p = Param::new("all", Location::Library, Type::Bool);
            values.insert("all".to_owned(), convert(ep, spec.dates, &p, Type::Bool, all)?);
        }
    }
    if let Some(name) = given.keys().next() {
        let mut known: Vec<&str> = ep.params.iter().chain(common).filter(|p| p.fixed.is_none()).map(|p| p.name).collect();
        if ep.paging != crate::endpoints::Paging::None && !known.contains(&"all") {
            known.push("all");
        }
        let name: String = name.chars().take(60).collect();
        let list = if known.is_empty() { "none".to_owned() } else { known.join(", ") };
        return Err(param_error(ep, &name, "param.unknown", format!("is not a parameter of this call (it takes: {list})"), format!("не является параметром этого вызова (допустимы: {list})")));
    }
    if let Some(check) = ep.check {
        check(&values)?;
    }
    Ok(Args { values })
}

fn query_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Builds the request of a checked call.
pub fn request(ep: &'static Endpoint, spec: &ServiceSpec, args: &Args) -> Result<Request> {
    let mut req = Request::new(ep);
    let mut body_object = Map::new();
    let common: &[Param] = spec.common_params;
    for p in ep.params.iter().chain(common) {
        let Some(v) = args.values.get(p.name) else { continue };
        match p.location {
            Location::Path => req.path_params.push((p.wire, query_text(v))),
            Location::Query => {
                let items: Vec<&Value> = match v {
                    Value::Array(items) => items.iter().collect(),
                    single => vec![single],
                };
                for item in items {
                    match (p.ty, item) {
                        (Type::Flag(on), Value::Bool(true)) => req.query.push((p.wire.to_owned(), on.to_owned())),
                        (Type::Flag(_), _) => {}
                        _ => req.query.push((p.wire.to_owned(), query_text(item))),
                    }
                }
            }
            Location::BodyField => {
                body_object.insert(p.wire.to_owned(), v.clone());
            }
            Location::Body => {
                if ep.body == BodyKind::Array && !v.is_array() {
                    return Err(param_error(ep, p.name, "param.type", "must be a list (the body is a JSON array)".into(), "должен быть списком (тело запроса — массив JSON)".into()));
                }
                req.body = Some(v.clone());
            }
            Location::Library => {}
        }
    }
    if ep.body == BodyKind::Object {
        req.body = Some(Value::Object(body_object));
    }
    Ok(req)
}

/// The row a [`crate::Client::call_path`] to a path the service's table does not know
/// travels as: one per service and method, made once (`<prefix>.path.<method>`: what its
/// errors and logs name), with the service's credentials, any JSON (or no) answer, and
/// retries only for the methods that are idempotent (GET, PUT, DELETE).
pub(crate) fn path_row(prefix: &'static str, method: Method) -> &'static Endpoint {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static ROWS: OnceLock<Mutex<HashMap<(&'static str, Method), &'static Endpoint>>> = OnceLock::new();
    let mut rows = ROWS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    rows.entry((prefix, method)).or_insert_with(|| {
        let id: &'static str = Box::leak(format!("{prefix}.path.{}", method.as_str().to_ascii_lowercase()).into_boxed_str());
        Box::leak(Box::new(Endpoint { summary: "A call by method and path (Client::call_path)", response: crate::endpoints::Response::JSON_OR_EMPTY, ..Endpoint::new(id, prefix, method, "") }))
    })
}

/// The path of a [`crate::Client::call_path`], relative to the base URL (a leading `/` is
/// dropped), refused when it could leave the service or carries its own query: empty, a
/// scheme or host (`//`, `://`, a first segment with `:`), `\`, `?`, `#`, control
/// characters, or a `.`/`..` segment.
pub(crate) fn checked_path(path: &str) -> Result<&str> {
    let trimmed = path.trim();
    let relative = trimmed.trim_start_matches('/');
    let bad = relative.is_empty()
        || trimmed.starts_with("//")
        || relative.contains("://")
        // A first segment with `:` is a scheme to a URL parser (`http:host/x`, `mailto:x`).
        || relative.split('/').next().is_some_and(|first| first.contains(':'))
        || relative.contains(['?', '#', '\\'])
        || relative.chars().any(char::is_control)
        || relative.split('/').any(|seg| seg == "." || seg == "..");
    if bad {
        let shown = crate::shown_input(path);
        return Err(Error::invalid_param(
            "call_path",
            "path",
            "param.path",
            format!("{shown:?} must be a path under the service's base URL (like /api/Trackers/Attach): no scheme or host, no ?query or #fragment (give the query as params.query), no . or .. segments"),
            format!("{shown:?} должен быть путём внутри адреса сервиса (например /api/Trackers/Attach): без схемы и хоста, без ?параметров и #фрагмента (параметры запроса — в params.query), без сегментов . и .."),
        ));
    }
    Ok(relative)
}

/// The query pairs of a [`crate::Client::call_path`] to an unknown path, from a JSON
/// object: strings as they are, numbers and booleans as their JSON text, a list repeats
/// the name, `null` is left out; an object value is refused.
pub(crate) fn path_query(query: &Map<String, Value>) -> Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for (name, v) in query {
        let items: Vec<&Value> = match v {
            Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        for item in items {
            match item {
                Value::Null => {}
                Value::Object(_) | Value::Array(_) => {
                    return Err(Error::invalid_param("call_path", &format!("query.{name}"), "param.type", format!("must be a string, number, boolean or a list of them, got {}", shown(item)), format!("должен быть строкой, числом, булевым значением или списком из них, передано {}", shown(item))))
                }
                other => pairs.push((name.clone(), query_text(other))),
            }
        }
    }
    Ok(pairs)
}

/// Decodes a successful answer into the row's result, as JSON in the documented form.
pub fn decode(ep: &'static Endpoint, body: &[u8]) -> Result<Value> {
    let r = &ep.response;
    if r.empty || (r.body_optional && body.iter().all(u8::is_ascii_whitespace)) {
        return Ok(Value::Null);
    }
    match r.model {
        Some(model) => (model.read)(body, r.shape, ep.id),
        None => decode_body::<Value>(body, r.shape, ep.id),
    }
}

/// Decodes a successful answer straight into a Rust type (what the typed methods use).
pub fn decode_typed<T: DeserializeOwned>(ep: &'static Endpoint, body: &[u8]) -> Result<T> {
    if ep.response.empty || (ep.response.body_optional && body.iter().all(u8::is_ascii_whitespace)) {
        // A row whose answer has no body: `()` (or an `Option`) reads from nothing.
        return T::deserialize(Value::Null).map_err(|e| Error::decode(ep.id, "", e.to_string(), ""));
    }
    if ep.response.model.is_some_and(|m| m.exact_numbers) {
        return decode_body::<T>(&crate::serde_ext::quote_inexact_numbers(body), ep.response.shape, ep.id);
    }
    decode_body::<T>(body, ep.response.shape, ep.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::carreta;
    use serde_json::json;

    fn spec() -> &'static ServiceSpec {
        &carreta::SERVICE
    }

    #[test]
    fn parameters_are_checked_by_name_and_type() {
        let e = check(carreta::SEARCH_QUERY, spec(), &Map::new(), json!({"qq": "oc47"})).unwrap_err();
        assert_eq!(e.field(), Some("q"), "{e}");
        assert_eq!(e.code(), "param.required");
        let e = check(carreta::SEARCH_QUERY, spec(), &Map::new(), json!({"q": "oc47", "qq": 1})).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("qq"), "param.unknown"));
        assert!(e.to_string().contains("it takes: q, account"), "{e}");
        let e = check(carreta::ORDER_GET, spec(), &Map::new(), json!({"id": 1.5})).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("id"), "param.integer"));
        let e = check(carreta::ORDER_GET, spec(), &Map::new(), json!({"id": 1e20})).unwrap_err();
        assert!(e.to_string().contains("1e+20"), "{e}");
        let e = check(carreta::ORDER_LIST, spec(), &Map::new(), json!({"page": 0})).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("page"), "param.min"));
        let e = check(carreta::ORDER_LIST, spec(), &Map::new(), json!({"all": "yes"})).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("all"), "param.type"));
    }

    #[test]
    fn a_secret_of_the_wrong_type_is_not_quoted() {
        use crate::endpoints::cargorun;
        let cases = [
            (cargorun::AUTH_GENERATE_TOKEN, json!({"user_name": "u", "password": ["PWSECRET"]}), "password"),
            (cargorun::AUTH_GENERATE_TOKEN, json!({"user_name": "u", "password": {"p": "PWSECRET"}}), "password"),
            (cargorun::AUTH_REFRESH_TOKEN, json!({"access_token": ["PWSECRET"], "refresh_token": "r"}), "access_token"),
            (cargorun::AUTH_REFRESH_TOKEN, json!({"access_token": "a", "refresh_token": true}), "refresh_token"),
        ];
        for (ep, params, field) in cases {
            let e = check(ep, &cargorun::SERVICE, &Map::new(), params).unwrap_err();
            assert_eq!((e.field(), e.code()), (Some(field), "param.type"), "{e}");
            for text in [e.to_string(), e.message_ru(), format!("{e:?}")] {
                assert!(!text.contains("PWSECRET") && !text.contains("got true") && !text.contains("передано true"), "{text}");
                assert!(text.contains("not shown") || text.contains("не показано"), "{text}");
            }
        }
        // Other parameters still quote what they were given.
        let e = check(carreta::ORDER_LIST, spec(), &Map::new(), json!({"all": ["yes"]})).unwrap_err();
        assert!(e.to_string().contains("[\"yes\"]"), "{e}");
    }

    #[test]
    fn repeated_parameters_repeat_and_flags_send_their_value() {
        let args = check(carreta::ORDER_LIST, spec(), &Map::new(), json!({"client_comment": ["A", 7], "page": "2"})).unwrap();
        let req = request(carreta::ORDER_LIST, spec(), &args).unwrap();
        assert_eq!(req.query, [("page".to_owned(), "2".to_owned()), ("client_comment".into(), "A".into()), ("client_comment".into(), "7".into())]);
        let args = check(carreta::ORDER_LIST, spec(), &Map::new(), json!({"client_comment": "A"})).unwrap();
        assert_eq!(args.get("client_comment"), Some(&json!(["A"])));
    }

    #[test]
    fn client_defaults_fill_common_parameters_and_calls_override_them() {
        let defaults: Map<String, Value> = [("account".to_owned(), json!("1002"))].into_iter().collect();
        let args = check(carreta::PROFILE_GET, spec(), &defaults, json!({})).unwrap();
        assert_eq!(request(carreta::PROFILE_GET, spec(), &args).unwrap().query, [("account".to_owned(), "1002".to_owned())]);
        let args = check(carreta::PROFILE_GET, spec(), &defaults, json!({"account": "1001"})).unwrap();
        assert_eq!(request(carreta::PROFILE_GET, spec(), &args).unwrap().query, [("account".to_owned(), "1001".to_owned())]);
    }

    #[test]
    fn date_times_go_out_in_the_services_form_and_naive_ones_are_refused() {
        static SINCE: Endpoint = Endpoint { params: &[Param::new("since", Location::Query, Type::DateTime)], ..Endpoint::new("carreta.x.y", "carreta", Method::Get, "x") };
        let ireca_like = ServiceSpec { prefix: "carreta", name: "x", default_base_url: "http://x/", auth: crate::endpoints::AuthSpec::None, credentials: &[], common_params: &[], errors: carreta::SERVICE.errors, dates: DateFormat::SpaceUtc, endpoints: &[] };
        let args = check(&SINCE, &ireca_like, &Map::new(), json!({"since": "2026-06-30T15:04:05+03:00"})).unwrap();
        assert_eq!(request(&SINCE, &ireca_like, &args).unwrap().query, [("since".to_owned(), "2026-06-30 12:04:05".to_owned())]);
        let e = check(&SINCE, &ireca_like, &Map::new(), json!({"since": "2026-06-30 15:04:05"})).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("since"), "param.type"));
        assert!(e.to_string().contains("not guessed"), "{e}");
    }

    #[test]
    fn the_envelope_is_opened_with_the_path_of_a_bad_item() {
        let body = br#"{"meta": {"x": 1}, "objects": [{"comment": "a", "created": "2014-10-23T16:18:31"}, {"comment": "b", "created": "yesterday"}]}"#;
        let e = decode(carreta::ORDER_HISTORY, body).unwrap_err();
        assert!(e.to_string().contains("objects[1].created"), "{e}");
        let e = decode(carreta::ORDER_HISTORY, br#"{"items": []}"#).unwrap_err();
        assert!(e.to_string().contains("objects"), "{e}");
    }

    #[test]
    fn a_call_path_with_a_scheme_in_any_spelling_is_refused() {
        for path in ["http:127.0.0.1:8080/x", "mailto:x", "https://other.example/api", "//other.example/api", "api/../x"] {
            let e = checked_path(path).unwrap_err();
            assert_eq!((e.field(), e.code()), (Some("path"), "param.path"), "{path}: {e}");
        }
        assert_eq!(checked_path("/api/Trackers/Get/a:b").unwrap(), "api/Trackers/Get/a:b", "a colon further on is a path's");
    }
}
