//! CARGO.RUN's whole Swagger: every operation reachable by its generic id, its body and
//! query checked against the operation's schema before anything is sent.
//!
//! The operation table (`table.json`, written by `tools/cargorun_swagger_gen.py` from
//! `../shared/spec/cargorun/swagger.json`: 959 operations and the 1220 schemas they reach,
//! without the .NET reflection types) is compiled in and read once, on first use.
//!
//! - Ids follow ENDPOINTS.md § CARGO.RUN ([`generic_id`]): `/api/Trackers/Get/{id}` is
//!   `cargorun.swagger.trackers.get.by_id`. The operations a typed row already calls
//!   (the 74 of [`crate::endpoints::cargorun`]) get no second, generic row: "every other
//!   Swagger operation" is reachable without a typed wrapper; their generic id is refused
//!   with the typed id to call instead. They stay reachable by method and path
//!   ([`crate::Client::call_path`]), checked against the same table.
//! - A generic row takes its path and query parameters by their Swagger names, typed
//!   (integers, booleans, enums by name, date-times with an offset), and the body as the
//!   parameter `body`, checked by [`validate`]: types, formats, enum names, nullability,
//!   array shapes, `minLength`; the Swagger's `required` lists are not enforced (the pages'
//!   are, for the typed calls). Properties the schema does not know are sent with a
//!   warning, or refused when the client was built with `strict_schema`.
//! - multipart operations take their file fields as [`file_value`]
//!   (`{"filename": "a.pdf", "content_base64": "…", "content_type": "application/pdf"}`);
//!   the one HEAD operation (`/api/Home/Ping`) is refused before sending.
//!
//! ```
//! use logibridge::cargorun::swagger;
//! let op = swagger::table().operation("cargorun.swagger.trackers.get.by_id").unwrap();
//! assert_eq!((op.method.as_str(), op.path.as_str()), ("GET", "/api/Trackers/Get/{id}"));
//! assert!(logibridge::endpoints::find("cargorun.swagger.trackers.get.by_id").unwrap().is_generic());
//! ```

mod multipart;
mod rows;
mod validate;

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

pub use multipart::{file_value, FilePart};
pub(crate) use multipart::encode as encode_multipart;
pub use rows::{generic_rows, row, row_for_operation};
pub use validate::{validate, Checked, Violation};

/// The generated table, compiled in (about 830 kB of JSON).
const TABLE_JSON: &str = include_str!("table.json");

/// The service prefix whose rows this table adds.
pub const SERVICE: &str = "cargorun";

/// The prefix of every generic id.
pub const ID_PREFIX: &str = "cargorun.swagger.";

/// One parameter of an operation, as the Swagger declares it.
#[derive(Debug, Deserialize)]
pub struct OperationParam {
    /// The name on the wire (`bidId`, `$filter`).
    pub name: String,
    /// `path` or `query`.
    #[serde(rename = "in")]
    pub location: String,
    /// Its schema (the table's pruned form).
    pub schema: Value,
}

/// What an operation's request body is.
#[derive(Debug, Deserialize)]
pub struct OperationBody {
    /// `json`, `multipart`, or `unsupported:<content types>`.
    pub kind: String,
    /// The body's schema.
    pub schema: Value,
}

/// One Swagger operation.
#[derive(Deserialize)]
pub struct Operation {
    /// Its generic id (`cargorun.swagger.trackers.get.by_id`).
    pub id: String,
    /// `GET`, `POST` or `HEAD`.
    pub method: String,
    /// The Swagger path (`/api/Trackers/Get/{id}`).
    pub path: String,
    /// The Swagger tag (`Trackers`).
    pub tag: String,
    /// The Swagger summary (Russian, as the service writes it; may be empty).
    pub summary: String,
    /// Path and query parameters.
    #[serde(default)]
    pub params: Vec<OperationParam>,
    /// The request body, if any.
    #[serde(default)]
    pub body: Option<OperationBody>,
    /// The schema of a 200 answer, if the Swagger gives one.
    #[serde(default)]
    pub response: Option<Value>,
}

impl std::fmt::Debug for Operation {
    /// The id, method and path: a row's `Debug` shows which operation it sends, not its
    /// schemas.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Operation({} {} {})", self.id, self.method, self.path)
    }
}

impl Operation {
    /// Whether the body is sent as `multipart/form-data` (files).
    pub fn is_multipart(&self) -> bool {
        self.body.as_ref().is_some_and(|b| b.kind == "multipart")
    }

    /// Why the library cannot send this operation, if it cannot (the HEAD operation; a body
    /// of a content type other than JSON or multipart): English and Russian.
    pub fn unsupported(&self) -> Option<(String, String)> {
        if self.method != "GET" && self.method != "POST" {
            return Some((
                format!("{} {} ({}) is not supported: the library sends GET and POST operations only", self.method, self.path, self.id),
                format!("{} {} ({}) не поддерживается: библиотека отправляет только операции GET и POST", self.method, self.path, self.id),
            ));
        }
        match &self.body {
            Some(b) if b.kind != "json" && b.kind != "multipart" => Some((
                format!("{} {} ({}): a body of {} is not supported (JSON and multipart/form-data are)", self.method, self.path, self.id, b.kind.trim_start_matches("unsupported:")),
                format!("{} {} ({}): тело вида {} не поддерживается (поддерживаются JSON и multipart/form-data)", self.method, self.path, self.id, b.kind.trim_start_matches("unsupported:")),
            )),
            _ => None,
        }
    }

    /// Whether `path` (relative or starting with `/`, any case, no query) is this
    /// operation's path, and if so the values of its `{…}` placeholders by name.
    ///
    /// ```
    /// let op = logibridge::cargorun::swagger::table().operation("cargorun.swagger.trackers.get.by_id").unwrap();
    /// assert_eq!(op.match_path("api/trackers/get/17"), Some(vec![("id", "17".to_owned())]));
    /// assert_eq!(op.match_path("/api/Trackers/Get"), None);
    /// ```
    pub fn match_path(&self, path: &str) -> Option<Vec<(&str, String)>> {
        let given: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mine: Vec<&str> = self.path.trim_start_matches('/').split('/').collect();
        if given.len() != mine.len() {
            return None;
        }
        let mut values = Vec::new();
        for (g, m) in given.iter().zip(&mine) {
            match (m.find('{'), m.find('}')) {
                (Some(open), Some(close)) if close > open => {
                    // `Get({id})`: the literal around the placeholder must match too.
                    let (before, after) = (&m[..open], &m[close + 1..]);
                    let ok = g.len() > before.len() + after.len() && g[..before.len()].eq_ignore_ascii_case(before) && g[g.len() - after.len()..].eq_ignore_ascii_case(after);
                    if !ok {
                        return None;
                    }
                    let value = percent_encoding::percent_decode_str(&g[before.len()..g.len() - after.len()]).decode_utf8_lossy().into_owned();
                    values.push((&m[open + 1..close], value));
                }
                _ if g.eq_ignore_ascii_case(m) => {}
                _ => return None,
            }
        }
        Some(values)
    }
}

/// The operation table and its schemas.
#[derive(Debug, Deserialize)]
pub struct Table {
    operations: Vec<Operation>,
    schemas: HashMap<String, Value>,
    #[serde(skip)]
    by_id: HashMap<String, usize>,
}

impl Table {
    /// Every operation, in the Swagger's order (959).
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// An operation by generic id.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.by_id.get(id).map(|&i| &self.operations[i])
    }

    /// A schema by name (`BidViewModel`).
    pub fn schema(&self, name: &str) -> Option<&Value> {
        self.schemas.get(name)
    }

    /// How many schemas the table carries.
    pub fn schema_count(&self) -> usize {
        self.schemas.len()
    }

    /// The operation a method and a path (any case; `{…}` placeholders match one segment)
    /// call, with the placeholders' values.
    pub fn find_path(&self, method: &str, path: &str) -> Option<(&Operation, Vec<(&str, String)>)> {
        // A literal segment beats a placeholder: `/api/Bids/Get/{id}` must not take
        // `/api/Bids/Get/Statuses`-like fixed paths of the same length.
        let mut best: Option<(&Operation, Vec<(&str, String)>)> = None;
        for op in self.operations.iter().filter(|op| op.method.eq_ignore_ascii_case(method)) {
            if let Some(values) = op.match_path(path) {
                if best.as_ref().is_none_or(|(_, v)| values.len() < v.len()) {
                    best = Some((op, values));
                }
            }
        }
        best
    }
}

/// The table, read on first use.
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t: Table = serde_json::from_str(TABLE_JSON).expect("the generated Swagger table is valid JSON (checked by core/tests/cargorun_swagger.rs)");
        t.by_id = t.operations.iter().enumerate().map(|(i, op)| (op.id.clone(), i)).collect();
        t
    })
}

/// ENDPOINTS.md's generic id of a Swagger path: the path without `/api/`, segments
/// lower-cased and joined by `.`, a placeholder `{name}` as its own segment `by_<name>`
/// (`Get({id})` is `get` then `by_id`), and the method appended only when the path has
/// both (`both_methods`). `None` for a path outside `/api/` (`/Account/*` duplicates
/// `/api/Account/*`).
///
/// ```
/// use logibridge::cargorun::swagger::generic_id;
/// assert_eq!(generic_id("/api/Trackers/Get/{id}", "GET", false).as_deref(), Some("cargorun.swagger.trackers.get.by_id"));
/// assert_eq!(generic_id("/api/Tasks/Queue", "POST", true).as_deref(), Some("cargorun.swagger.tasks.queue.post"));
/// assert_eq!(generic_id("/api/Drivers/Get({id})", "GET", false).as_deref(), Some("cargorun.swagger.drivers.get.by_id"));
/// assert_eq!(generic_id("/Account/LogOff", "POST", false), None);
/// ```
pub fn generic_id(path: &str, method: &str, both_methods: bool) -> Option<String> {
    let rest = path.get(..5).filter(|p| p.eq_ignore_ascii_case("/api/")).map(|_| &path[5..])?;
    let mut segments: Vec<String> = Vec::new();
    for seg in rest.split('/') {
        let mut word = String::new();
        let mut chars = seg.chars();
        while let Some(c) = chars.next() {
            match c {
                '{' => {
                    if !word.is_empty() {
                        segments.push(std::mem::take(&mut word).to_lowercase());
                    }
                    let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    segments.push(format!("by_{}", name.to_lowercase()));
                }
                '(' | ')' => {
                    if !word.is_empty() {
                        segments.push(std::mem::take(&mut word).to_lowercase());
                    }
                }
                c => word.push(c),
            }
        }
        if !word.is_empty() {
            segments.push(word.to_lowercase());
        }
    }
    if both_methods {
        segments.push(method.to_lowercase());
    }
    Some(format!("{ID_PREFIX}{}", segments.join(".")))
}

/// Whether a service has this Swagger table (CARGO.RUN, built in).
pub fn serves(spec: &crate::endpoints::ServiceSpec) -> bool {
    std::ptr::eq(spec, &crate::endpoints::cargorun::SERVICE)
}

/// Checks a generic row's body (the checked parameter `body`) against its operation's
/// schema: a [`Violation`] becomes [`crate::Error::InvalidParameter`] whose field is the
/// JSON path (`body.points[2].type`) and whose code is the rule (`schema.enum`); properties
/// the schema does not list are logged (`tracing::warn!`, which the faces forward) and
/// sent, or refused when `strict`.
pub(crate) fn check_body(ep: &crate::endpoints::Endpoint, op: &Operation, args: &crate::call::Args, strict: bool) -> crate::Result<()> {
    if let Some((en, ru)) = op.unsupported() {
        return Err(crate::Error::invalid_argument(en, ru));
    }
    let (Some(body), Some(declared)) = (args.get("body"), &op.body) else { return Ok(()) };
    let checked = validate::validate_body(&declared.schema, body, "body", strict, op.is_multipart()).map_err(|v| crate::Error::invalid_param(ep.id, &v.path, v.rule, v.en, v.ru))?;
    for path in checked.unknown {
        tracing::warn!(endpoint = ep.id, property = %path, "the property is not in the Swagger schema of {} {}: sent as given (strict_schema refuses it)", op.method, op.path);
    }
    Ok(())
}
