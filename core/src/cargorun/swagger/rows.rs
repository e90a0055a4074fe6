//! The generic rows: one endpoint-table row per Swagger operation the typed rows do not
//! call, built once from the table and kept for the life of the process.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde_json::Value;

use super::{table, Operation, ID_PREFIX, SERVICE};
use crate::endpoints::{BodyKind, Endpoint, FaceNames, Location, Method, Param, Response, Type};
use crate::error::{Error, Result};

struct Rows {
    /// By operation index: the row, `None` for an operation the library cannot send.
    by_op: Vec<Option<&'static Endpoint>>,
    /// By operation index: the typed row that calls the same operation.
    typed: Vec<Option<&'static Endpoint>>,
    /// The generic rows, in the Swagger's order.
    generic: Vec<&'static Endpoint>,
}

fn leak<T>(v: T) -> &'static T {
    Box::leak(Box::new(v))
}

fn leak_str(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// A path with its placeholders blanked, lower-cased, without the leading `/`: how a typed
/// row's path and a Swagger path are compared (the service ignores case).
fn path_key(path: &str) -> String {
    let mut out = String::new();
    let mut in_brace = false;
    for c in path.trim_start_matches('/').chars() {
        match c {
            '{' => {
                in_brace = true;
                out.push('{');
            }
            '}' => {
                in_brace = false;
                out.push('}');
            }
            _ if in_brace => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The type of a path or query parameter from its schema: (type, repeated, int32 range).
fn param_type(schema: &'static Value) -> (Type, bool, Option<(i64, i64)>) {
    let schema = resolve(schema);
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        let (inner, _, range) = param_type(schema.get("items").unwrap_or(&Value::Null));
        return (inner, true, range);
    }
    if let Some(names) = schema.get("enum").and_then(Value::as_array) {
        let names: Vec<&'static str> = names.iter().filter_map(Value::as_str).collect();
        return (Type::Enum(Box::leak(names.into_boxed_slice())), false, None);
    }
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    match (schema.get("type").and_then(Value::as_str).unwrap_or(""), format) {
        ("integer", "int32") => (Type::Integer, false, Some((i32::MIN as i64, i32::MAX as i64))),
        ("integer", _) => (Type::Integer, false, None),
        ("number", _) => (Type::Decimal, false, None),
        ("boolean", _) => (Type::Bool, false, None),
        ("string", "date-time") => (Type::DateTime, false, None),
        ("string", "date") => (Type::Date, false, None),
        ("string", _) => (Type::String, false, None),
        _ => (Type::Json, false, None),
    }
}

/// A schema with its `$ref` followed (the table's refs are bare names).
fn resolve(schema: &'static Value) -> &'static Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(name) => table().schema(name).unwrap_or(schema),
        None => schema,
    }
}

fn schema_text(schema: &Value) -> String {
    match (schema.get("$ref").and_then(Value::as_str), schema.get("type").and_then(Value::as_str), schema.get("format").and_then(Value::as_str)) {
        (Some(name), _, _) => name.to_owned(),
        (_, Some("array"), _) => format!("array of {}", schema_text(schema.get("items").unwrap_or(&Value::Null))),
        (_, Some(t), Some(f)) => format!("{t} ({f})"),
        (_, Some(t), None) => t.to_owned(),
        _ => "any".to_owned(),
    }
}

fn build_row(op: &'static Operation) -> Option<&'static Endpoint> {
    if op.unsupported().is_some() {
        return None;
    }
    let method = if op.method == "GET" { Method::Get } else { Method::Post };
    let mut params: Vec<Param> = Vec::new();
    for p in &op.params {
        let (ty, repeated, range) = param_type(&p.schema);
        let location = if p.location == "path" { Location::Path } else { Location::Query };
        let mut param = Param::new(&p.name, location, ty);
        if location == Location::Path {
            // The path spells a few placeholders in another case than the parameter
            // (`{carId}` and `CarId`): the path's spelling is the one filled in.
            let path: &'static str = &op.path;
            if let Some(wire) = path.split('{').skip(1).filter_map(|s| s.split('}').next()).find(|w| w.eq_ignore_ascii_case(&p.name)) {
                param = param.wire(wire);
            }
        }
        let mut param = param.doc(&p.name, leak_str(format!("{} parameter; Swagger schema: {}", p.location, schema_text(&p.schema))));
        // A path parameter builds the path; the Swagger's other `required` marks are not
        // enforced (ENDPOINTS.md: they are not reliable).
        if location == Location::Path {
            param = param.required();
        }
        if repeated {
            param = param.repeated();
        }
        if let Some((min, max)) = range {
            param = param.range(Some(min), Some(max));
        }
        params.push(param);
    }
    let body = match &op.body {
        Some(b) => {
            let doc = if op.is_multipart() {
                format!("multipart/form-data fields as a JSON object ({}); a file is {{\"filename\", \"content_base64\", \"content_type\"}}", schema_text(&b.schema))
            } else {
                format!("JSON body; Swagger schema: {}", schema_text(&b.schema))
            };
            params.push(Param::new("body", Location::Body, Type::Json).doc("Тело", leak_str(doc)));
            BodyKind::Whole
        }
        None => BodyKind::None,
    };
    Some(leak(Endpoint {
        summary: &op.summary,
        params: Box::leak(params.into_boxed_slice()),
        body,
        response: Response::JSON_OR_EMPTY,
        names: FaceNames { python: "", onec_en: "", onec_ru: "" },
        swagger: Some(op),
        ..Endpoint::new(&op.id, SERVICE, method, op.path.trim_start_matches('/'))
    }))
}

fn rows() -> &'static Rows {
    static ROWS: OnceLock<Rows> = OnceLock::new();
    ROWS.get_or_init(|| {
        let t = table();
        let typed_rows = crate::endpoints::cargorun::SERVICE.endpoints;
        let typed_keys: HashSet<(Method, String)> = typed_rows.iter().map(|e| (e.method, path_key(e.path))).collect();
        let mut by_op = Vec::with_capacity(t.operations().len());
        let mut typed = Vec::with_capacity(t.operations().len());
        let mut generic = Vec::new();
        for op in t.operations() {
            let row = build_row(op);
            let twin = row.filter(|r| typed_keys.contains(&(r.method, path_key(r.path)))).and_then(|r| typed_rows.iter().copied().find(|e| e.method == r.method && path_key(e.path) == path_key(r.path)));
            if let (Some(r), None) = (row, twin) {
                generic.push(r);
            }
            by_op.push(row);
            typed.push(twin);
        }
        Rows { by_op, typed, generic }
    })
}

/// The generic rows of CARGO.RUN: every Swagger operation the library can send that no
/// typed row calls, in the Swagger's order.
pub fn generic_rows() -> &'static [&'static Endpoint] {
    &rows().generic
}

fn index_of(op: &Operation) -> Option<usize> {
    let ops = table().operations();
    ops.iter().position(|o| std::ptr::eq(o, op))
}

/// The row that sends an operation (a generic row, or the unlisted row of an operation a
/// typed row calls, which checks against the Swagger like the generic ones), and the typed
/// row calling the same operation, if there is one. `None` for the HEAD operation.
pub fn row_for_operation(op: &Operation) -> (Option<&'static Endpoint>, Option<&'static Endpoint>) {
    match index_of(op) {
        Some(i) => (rows().by_op[i], rows().typed[i]),
        None => (None, None),
    }
}

/// The generic row of an id: `Ok(None)` when the id is not a generic id of the table;
/// [`Error::InvalidArgument`] when it is one the library does not send (the HEAD
/// operation) or one a typed row calls (naming that row).
///
/// ```
/// use logibridge::cargorun::swagger::row;
/// assert!(row("cargorun.swagger.trackers.get.by_id").unwrap().is_some());
/// assert!(row("cargorun.swagger.home.ping").unwrap_err().to_string().contains("HEAD"));
/// assert!(row("cargorun.swagger.bids.get.by_bidid").unwrap_err().to_string().contains("cargorun.bids.get"));
/// assert!(row("cargorun.bids.get").unwrap().is_none());
/// ```
pub fn row(id: &str) -> Result<Option<&'static Endpoint>> {
    if !id.starts_with(ID_PREFIX) {
        return Ok(None);
    }
    let Some(op) = table().operation(id) else { return Ok(None) };
    if let Some((en, ru)) = op.unsupported() {
        return Err(Error::invalid_argument(en, ru));
    }
    match row_for_operation(op) {
        (_, Some(typed)) => Err(Error::invalid_argument(
            format!("{id} is the operation of the typed call {}: call that (the pages' rules apply to it), or send it by method and path", typed.id),
            format!("{id} — операция типизированного вызова {}: вызывайте его (к нему применяются правила страниц документации) или отправьте по методу и пути", typed.id),
        )),
        (row, None) => Ok(row),
    }
}
