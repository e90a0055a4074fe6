//! Every other operation of CARGO.RUN's Swagger, answered from its response schema.
//!
//! The operation table is the core's generated file (`core/src/cargorun/swagger/table.json`,
//! written by `tools/cargorun_swagger_gen.py`), included as text rather than through a
//! dependency on the core crate: the sandbox stays buildable alone and the file is read
//! once, on the first call that no typed row serves.
//!
//! - A request whose method and path (any case; `{…}` takes one segment) match an
//!   operation is counted under its generic id in `/_control/cargorun/calls`, needs the
//!   Bearer token as every call, and gets 200 with [`answer`]: a body made from the
//!   operation's response schema, the same for the same operation every time (the first
//!   enum name, `1` for integers, `"string"` for text, every property, one item per list,
//!   references deeper than [`MAX_DEPTH`] as `null`), or an empty body when the Swagger
//!   gives none.
//! - What ASP.NET would refuse before its handler is refused here too: an integer or
//!   boolean path or query parameter that is not one (400, the text naming it), a JSON body
//!   that is not JSON (400), a multipart operation sent without a multipart body (415).

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::http::{header, HeaderMap, Method, StatusCode};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{CargorunError, Query};

const TABLE_JSON: &str = include_str!("../../../core/src/cargorun/swagger/table.json");

/// How deep an answer's references are followed before they are `null`.
pub const MAX_DEPTH: usize = 4;

#[derive(Deserialize)]
struct Param {
    name: String,
    #[serde(rename = "in")]
    location: String,
    schema: Value,
}

#[derive(Deserialize)]
struct Body {
    kind: String,
}

/// One operation of the table.
#[derive(Deserialize)]
pub struct Operation {
    /// The generic id.
    pub id: String,
    /// `GET`, `POST` or `HEAD`.
    pub method: String,
    /// The Swagger path.
    pub path: String,
    #[serde(default)]
    params: Vec<Param>,
    #[serde(default)]
    body: Option<Body>,
    #[serde(default)]
    response: Option<Value>,
}

#[derive(Deserialize)]
struct Table {
    operations: Vec<Operation>,
    schemas: HashMap<String, Value>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| serde_json::from_str(TABLE_JSON).expect("the generated Swagger table is valid JSON"))
}

/// Every operation of the table.
pub fn operations() -> &'static [Operation] {
    &table().operations
}

/// The placeholder values of `path` (lower case, no leading `/`) if it is `pattern`'s.
fn matches(pattern: &str, path: &str) -> Option<Vec<(String, String)>> {
    let given: Vec<&str> = path.split('/').collect();
    let mine: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
    if given.len() != mine.len() {
        return None;
    }
    let mut values = Vec::new();
    for (g, m) in given.iter().zip(&mine) {
        match (m.find('{'), m.find('}')) {
            (Some(open), Some(close)) if close > open => {
                let (before, after) = (&m[..open], &m[close + 1..]);
                if g.len() <= before.len() + after.len() || !g[..before.len()].eq_ignore_ascii_case(before) || !g[g.len() - after.len()..].eq_ignore_ascii_case(after) {
                    return None;
                }
                values.push((m[open + 1..close].to_owned(), g[before.len()..g.len() - after.len()].to_owned()));
            }
            _ if g.eq_ignore_ascii_case(m) => {}
            _ => return None,
        }
    }
    Some(values)
}

/// The operation a method and a path call (a literal segment beats a placeholder).
pub fn find(method: &Method, path: &str) -> Option<(&'static Operation, Vec<(String, String)>)> {
    let mut best: Option<(&'static Operation, Vec<(String, String)>)> = None;
    for op in operations().iter().filter(|op| op.method.eq_ignore_ascii_case(method.as_str())) {
        if let Some(values) = matches(&op.path, path) {
            if best.as_ref().is_none_or(|(_, v)| values.len() < v.len()) {
                best = Some((op, values));
            }
        }
    }
    best
}

fn resolve(schema: &Value) -> &Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(name) => table().schemas.get(name).unwrap_or(schema),
        None => schema,
    }
}

/// A value of `schema`, the same every time.
pub fn sample(schema: &Value, depth: usize) -> Value {
    if schema.get("$ref").is_some() && depth >= MAX_DEPTH {
        return Value::Null;
    }
    let schema = resolve(schema);
    if let Some(first) = schema.get("enum").and_then(Value::as_array).and_then(|e| e.first()) {
        return first.clone();
    }
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => json!(1),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some("string") => match format {
            "date-time" => json!("2026-01-23T21:00:00Z"),
            "date" => json!("2026-01-23"),
            "uuid" => json!("00000000-0000-0000-0000-000000000001"),
            _ => {
                let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
                json!("string".repeat(min / 6 + 1))
            }
        },
        Some("array") if depth < MAX_DEPTH => Value::Array(vec![sample(schema.get("items").unwrap_or(&Value::Null), depth + 1)]),
        Some("array") => json!([]),
        Some("object") | None if schema.get("properties").is_some() => {
            let props = schema.get("properties").and_then(Value::as_object);
            let out: Map<String, Value> = props.into_iter().flatten().map(|(k, s)| (k.clone(), sample(s, depth + 1))).collect();
            Value::Object(out)
        }
        Some("object") => json!({}),
        _ => Value::Null,
    }
}

/// The answer of an operation: its response schema's [`sample`], or `None` (an empty body)
/// when the Swagger gives no response schema.
pub fn answer(op: &Operation) -> Option<Value> {
    op.response.as_ref().map(|s| sample(s, 0))
}

/// Refuses what ASP.NET's binding would: integer and boolean parameters that are not, a
/// JSON body that is not JSON, a multipart operation without a multipart body.
pub(crate) fn check_request(op: &Operation, path_values: &[(String, String)], query: &Query, headers: &HeaderMap, body: &[u8]) -> Result<(), CargorunError> {
    for p in &op.params {
        let given: Vec<String> = if p.location == "path" {
            path_values.iter().filter(|(n, _)| n.eq_ignore_ascii_case(&p.name)).map(|(_, v)| v.clone()).collect()
        } else {
            query.all(&p.name).into_iter().map(str::to_owned).collect()
        };
        let schema = resolve(&p.schema);
        let schema = if schema.get("type").and_then(Value::as_str) == Some("array") { resolve(schema.get("items").unwrap_or(&Value::Null)) } else { schema };
        for v in given {
            let ok = match schema.get("type").and_then(Value::as_str) {
                Some("integer") => v.parse::<i64>().is_ok(),
                Some("boolean") => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
                _ => true,
            };
            if !ok {
                return Err(CargorunError::bad_request(format!("The value '{v}' is not valid for {}.", p.name)));
            }
        }
    }
    match op.body.as_ref().map(|b| b.kind.as_str()) {
        Some("json") if !body.is_empty() && serde_json::from_slice::<Value>(body).is_err() => Err(CargorunError::bad_request("The request body is not valid JSON.")),
        Some("multipart") => {
            let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
            if ct.to_ascii_lowercase().starts_with("multipart/form-data") {
                Ok(())
            } else {
                Err(CargorunError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, format!("{} takes multipart/form-data, not '{ct}'.", op.path)))
            }
        }
        _ => Ok(()),
    }
}

/// Serves one generic operation: counted under its id, the token checked, the request
/// checked as the service's binding would, then its [`answer`].
pub(crate) fn serve(app: &crate::AppState, op: &'static Operation, path_values: &[(String, String)], headers: &HeaderMap, raw_query: Option<&str>, body: &[u8]) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut inner = app.cargorun.lock();
    *inner.calls.entry(op.id.clone()).or_default() += 1;
    if !inner.auth.authorized(headers, inner.clock.now()) {
        return CargorunError::unauthorized().into_response();
    }
    drop(inner);
    if let Err(e) = check_request(op, path_values, &Query::parse(raw_query), headers, body) {
        return e.into_response();
    }
    match answer(op) {
        Some(v) => axum::Json(v).into_response(),
        None => StatusCode::OK.into_response(),
    }
}
