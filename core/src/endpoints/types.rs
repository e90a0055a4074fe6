//! The shape of a row of the endpoint table and of a service description.

use std::fmt;

use serde_json::Value;

use crate::error::Result;

/// How a call travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// HTTP GET.
    Get,
    /// HTTP POST.
    Post,
    /// HTTP PUT.
    Put,
    /// HTTP DELETE.
    Delete,
    /// Not an HTTP call: done by the library itself (reading a price list, a validator).
    Local,
}

impl Method {
    /// The method's name as written in HTTP (`LOCAL` for a library-side call).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Local => "LOCAL",
        }
    }

    /// Parses `GET`, `post`, … (`LOCAL` included).
    pub fn parse(text: &str) -> Option<Method> {
        Some(match text.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            "LOCAL" => Method::Local,
            _ => return None,
        })
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Location {
    /// Into the path's `{wire}` placeholder (percent-encoded).
    Path,
    /// Into the query string (repeated parameters repeat the name).
    Query,
    /// A field of the JSON body object.
    BodyField,
    /// The whole JSON body.
    Body,
    /// Not sent: read by the library (`all` of a paged call, the arguments of a local call).
    Library,
}

impl Location {
    /// `path`, `query`, `body_field`, `body`, `library`.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::BodyField => "body_field",
            Location::Body => "body",
            Location::Library => "library",
        }
    }

    /// The inverse of [`Location::as_str`].
    pub fn parse(text: &str) -> Option<Location> {
        Some(match text {
            "path" => Location::Path,
            "query" => Location::Query,
            "body_field" => Location::BodyField,
            "body" => Location::Body,
            "library" => Location::Library,
            _ => return None,
        })
    }
}

/// A model of the service: how a value of it is read leniently from a response and how a
/// value given by the caller is checked and written in the documented form.
///
/// Made for a Rust type with [`Model::of`]; both directions go through that type's serde
/// implementation, so the rules live in one place (the model's own module).
#[derive(Clone, Copy)]
pub struct Model {
    /// The model's name as the service's document calls it (`Offer`, `Order`).
    pub name: &'static str,
    /// Reads a response body of this model (in the row's [`Shape`]) and returns it in the
    /// documented JSON form.
    pub read: fn(body: &[u8], shape: Shape, endpoint: &str) -> Result<Value>,
    /// Checks a value given by the caller and returns the form to send; the error names the
    /// JSON path inside the value.
    pub write: fn(value: Value) -> std::result::Result<Value, (String, String)>,
    /// Whether the service writes decimals as JSON numbers with more digits than a float
    /// holds (iRECA's money): such numbers are then read from their text, in the JSON and
    /// the typed decode alike, so no amount is rounded on the way in.
    pub exact_numbers: bool,
}

impl Model {
    /// The model of a Rust type: lenient read through its `Deserialize`, documented write
    /// through its `Serialize`.
    pub const fn of<T: serde::de::DeserializeOwned + serde::Serialize>(name: &'static str) -> Model {
        Model { name, read: crate::call::read_model::<T>, write: crate::call::write_model::<T>, exact_numbers: false }
    }

    /// Like [`Model::of`], with [`Model::exact_numbers`], for iRECA's models: money as JSON
    /// numbers beyond a float's digits is read exactly, and date-times reach the callers in
    /// RFC 3339 (UTC) and are taken from them only with an offset
    /// ([`crate::ireca::wire::in_callers_form`]).
    pub const fn exact<T: serde::de::DeserializeOwned + serde::Serialize>(name: &'static str) -> Model {
        Model { name, read: crate::call::read_model_exact::<T>, write: crate::call::write_model_exact::<T>, exact_numbers: true }
    }
}

impl fmt::Debug for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Model({})", self.name)
    }
}

impl PartialEq for Model {
    fn eq(&self, other: &Model) -> bool {
        self.name == other.name
    }
}

/// The type of a parameter. Values are checked (and converted to the wire form) before
/// anything is sent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Type {
    /// Text; a number is accepted and sent as its text.
    String,
    /// A whole number (a JSON integer, or a string of digits); anything fractional or out
    /// of the 64-bit range is refused, quoting the value.
    Integer,
    /// A decimal amount (a JSON number or a string like `"679.57"`), never rounded.
    Decimal,
    /// `true` or `false`.
    Bool,
    /// `true` sends the given text (Carreta's `test=on`); `false` sends nothing.
    Flag(&'static str),
    /// A date and time; written in the service's date-time form.
    DateTime,
    /// A date without time (`2026-06-30`).
    Date,
    /// One of the listed names.
    Enum(&'static [&'static str]),
    /// A value of a service model, checked and written through it.
    Model(&'static Model),
    /// Any JSON value, sent as given.
    Json,
    /// A list of values of the inner type.
    Array(&'static Type),
}

impl fmt::Display for Type {
    /// The notation used in descriptions: `string`, `integer`, `decimal`, `bool`,
    /// `flag:on`, `date-time`, `date`, `enum:A|B`, `model:Offer`, `json`, `array<…>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::String => f.write_str("string"),
            Type::Integer => f.write_str("integer"),
            Type::Decimal => f.write_str("decimal"),
            Type::Bool => f.write_str("bool"),
            Type::Flag(v) => write!(f, "flag:{v}"),
            Type::DateTime => f.write_str("date-time"),
            Type::Date => f.write_str("date"),
            Type::Enum(names) => write!(f, "enum:{}", names.join("|")),
            Type::Model(m) => write!(f, "model:{}", m.name),
            Type::Json => f.write_str("json"),
            Type::Array(inner) => write!(f, "array<{inner}>"),
        }
    }
}

/// One parameter of a call.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Param {
    /// The name the faces show and the generic entry takes (`client_comment`, `id`).
    pub name: &'static str,
    /// The name on the wire (`orderId`); usually the same.
    pub wire: &'static str,
    /// Where it goes.
    pub location: Location,
    /// Its type.
    pub ty: Type,
    /// Whether a call without it is refused before sending.
    pub required: bool,
    /// Whether it may be given several times (a list); each value is sent under the same
    /// name (`client_comment=A&client_comment=B`).
    pub repeated: bool,
    /// The value used when it is not given, as JSON text (`"1"`, `"false"`).
    pub default: Option<&'static str>,
    /// A value that is always sent and cannot be set by the caller (`isRefund=1`).
    pub fixed: Option<&'static str>,
    /// The smallest allowed value of an integer parameter.
    pub min: Option<i64>,
    /// The largest allowed value of an integer parameter.
    pub max: Option<i64>,
    /// The name a 1C developer sees (Russian), for positional arguments and messages.
    pub name_ru: &'static str,
    /// What it is, with units and the source of the rule.
    pub doc: &'static str,
}

impl Param {
    /// A parameter with the defaults: wire name = name, optional, not repeated.
    pub const fn new(name: &'static str, location: Location, ty: Type) -> Param {
        Param { name, wire: name, location, ty, required: false, repeated: false, default: None, fixed: None, min: None, max: None, name_ru: name, doc: "" }
    }
    /// Required.
    pub const fn required(mut self) -> Param {
        self.required = true;
        self
    }
    /// May repeat.
    pub const fn repeated(mut self) -> Param {
        self.repeated = true;
        self
    }
    /// Another name on the wire.
    pub const fn wire(mut self, wire: &'static str) -> Param {
        self.wire = wire;
        self
    }
    /// The default, as JSON text.
    pub const fn default(mut self, json: &'static str) -> Param {
        self.default = Some(json);
        self
    }
    /// A fixed value, always sent.
    pub const fn fixed(mut self, value: &'static str) -> Param {
        self.fixed = Some(value);
        self
    }
    /// Bounds of an integer parameter.
    pub const fn range(mut self, min: Option<i64>, max: Option<i64>) -> Param {
        self.min = min;
        self.max = max;
        self
    }
    /// The Russian name and the description.
    pub const fn doc(mut self, name_ru: &'static str, doc: &'static str) -> Param {
        self.name_ru = name_ru;
        self.doc = doc;
        self
    }
}

/// What the request body is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// No body.
    None,
    /// A JSON object made of the [`Location::BodyField`] parameters.
    Object,
    /// A JSON array: the one [`Location::Body`] parameter, which must be a list.
    Array,
    /// The one [`Location::Body`] parameter, as given (a model or any JSON).
    Whole,
}

impl BodyKind {
    /// `none`, `object`, `array`, `whole`.
    pub fn as_str(self) -> &'static str {
        match self {
            BodyKind::None => "none",
            BodyKind::Object => "object",
            BodyKind::Array => "array",
            BodyKind::Whole => "whole",
        }
    }
}

/// Where the result sits in a response body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// The object field holding the result (`objects` in `{"objects": [...]}`); `None`: the
    /// body is the result.
    pub envelope: Option<&'static str>,
    /// Whether the result is a list.
    pub list: bool,
}

/// What a successful answer holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Response {
    /// The model each result (or each item of a list) decodes into; `None`: any JSON.
    pub model: Option<&'static Model>,
    /// Where the result sits.
    pub shape: Shape,
    /// A response header carrying the total count of a list (`X-MetaCount`).
    pub count_header: Option<&'static str>,
    /// The statuses that mean success (`&[200]`, `&[201]`, `&[204]`); an empty list means
    /// any 2xx.
    pub success: &'static [u16],
    /// Whether the success answer has no body (204): the result is `null`.
    pub empty: bool,
    /// Whether an empty success body is a valid answer (the result `null`) while a body,
    /// when there is one, is read as usual: CARGO.RUN's writes answer the new id, an
    /// object or nothing at all.
    pub body_optional: bool,
}

impl Response {
    /// Any JSON body, any 2xx status.
    pub const JSON: Response = Response { model: None, shape: Shape { envelope: None, list: false }, count_header: None, success: &[], empty: false, body_optional: false };

    /// One value of a model.
    pub const fn one(model: &'static Model) -> Response {
        Response { model: Some(model), ..Response::JSON }
    }
    /// A list of values of a model, inside `envelope` when given.
    pub const fn list(model: &'static Model, envelope: Option<&'static str>) -> Response {
        Response { model: Some(model), shape: Shape { envelope, list: true }, ..Response::JSON }
    }
    /// An empty answer (204).
    pub const NO_CONTENT: Response = Response { model: None, shape: Shape { envelope: None, list: false }, count_header: None, success: &[204], empty: true, body_optional: false };
    /// Any JSON body, or none (the result is then `null`); any 2xx status.
    pub const JSON_OR_EMPTY: Response = Response { body_optional: true, ..Response::JSON };
}

/// How a list call pages. The pager ([`crate::Pager`]) is generic over it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paging {
    /// One answer holds everything.
    None,
    /// A page number (`page`, the first is `first`); a page shorter than `size` is the last
    /// (Carreta: `page`, from 1, 100 orders).
    PageNumber {
        /// The page parameter's name.
        param: &'static str,
        /// The number of the first page.
        first: u32,
        /// The documented page size.
        size: u32,
    },
    /// A page number and a page size chosen by the caller up to `max` (iRECA: `page`,
    /// `count` ≤ 500).
    PageCount {
        /// The page parameter's name.
        page: &'static str,
        /// The page-size parameter's name.
        count: &'static str,
        /// The number of the first page.
        first: u32,
        /// The page size used when the caller gives none.
        size: u32,
        /// The largest page size the service accepts.
        max: u32,
    },
    /// OData `$top`/`$skip` (CARGO.RUN, 50 at a time).
    OData {
        /// The page size.
        size: u32,
    },
}

impl Paging {
    /// `none`, `page_number`, `page_count`, `odata`.
    pub fn kind(self) -> &'static str {
        match self {
            Paging::None => "none",
            Paging::PageNumber { .. } => "page_number",
            Paging::PageCount { .. } => "page_count",
            Paging::OData { .. } => "odata",
        }
    }
}

/// A check run on the call's parameters before anything is sent (the documented rules:
/// Carreta's order rules today). It sees the parameters already converted to their wire
/// form, by name.
pub type Check = fn(params: &serde_json::Map<String, Value>) -> Result<()>;

/// A library-side call: takes the checked parameters, returns the JSON result. Runs on a
/// blocking thread, so it may read files.
pub type LocalFn = fn(params: serde_json::Map<String, Value>) -> Result<Value>;

/// How a row creates something exactly once (see [`Endpoint::once`]): the call is sent
/// as `create`; when it fails with [`crate::Error::outcome_unknown`], the object is looked
/// up with `lookup` before anything is sent again. Found: the result says `recovered`;
/// not found: the create is sent again (at most [`Once::MAX_SENDS`] sends in all).
#[derive(Clone, Copy)]
pub struct Once {
    /// The row that creates (its request is sent with the same checked parameters).
    pub create: &'static Endpoint,
    /// The row that finds what a create made (idempotent: retried as usual).
    pub lookup: &'static Endpoint,
    /// The result's field that holds the object (`order`).
    pub field: &'static str,
    /// The lookup's parameters from the create's checked parameters; an error when the
    /// call carries nothing to find it by (then it cannot be made exactly once, and
    /// nothing is sent).
    pub lookup_params: fn(params: &serde_json::Map<String, Value>) -> Result<Value>,
    /// The created object among the lookup's result (in its documented JSON form).
    pub pick: fn(params: &serde_json::Map<String, Value>, found: Value) -> Option<Value>,
}

impl Once {
    /// Sends of the create at most, when every lookup finds nothing.
    pub const MAX_SENDS: u32 = 3;
}

impl fmt::Debug for Once {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Once({} / {})", self.create.id, self.lookup.id)
    }
}

/// The names the faces show for a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaceNames {
    /// The Python resource and method, `order.create` (`client.order.create(...)`).
    pub python: &'static str,
    /// The 1C method's English name (`CreateOrder`).
    pub onec_en: &'static str,
    /// The 1C method's Russian name (`СоздатьЗаказ`).
    pub onec_ru: &'static str,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Endpoint {
    /// Stable id, `carreta.order.create`.
    pub id: &'static str,
    /// The prefix of the service it belongs to (`carreta`).
    pub service: &'static str,
    /// One line: what the call does.
    pub summary: &'static str,
    /// How it travels.
    pub method: Method,
    /// Path relative to the service's base URL; `{wire}` marks a path parameter.
    pub path: &'static str,
    /// Its parameters (the service's common parameters, such as Carreta's `account`, are
    /// added to every call: see [`ServiceSpec::common_params`]).
    pub params: &'static [Param],
    /// What the request body is.
    pub body: BodyKind,
    /// The pre-send check of documented rules.
    pub check: Option<Check>,
    /// What a successful answer holds.
    pub response: Response,
    /// How it pages.
    pub paging: Paging,
    /// Whether repeating the call is harmless, so the transport may retry it. Stated per
    /// row, never derived from the method (a POST can be a read).
    pub idempotent: bool,
    /// Whether it needs the service's credentials (token calls need none).
    pub auth: bool,
    /// For [`Method::Local`] rows: the work itself.
    pub local: Option<LocalFn>,
    /// An exactly-once create: the result is `{"outcome": "created" | "recovered",
    /// <object>}` (see [`Once`]).
    pub once: Option<&'static Once>,
    /// The faces' names for it.
    pub names: FaceNames,
    /// For a generic row (CARGO.RUN's `cargorun.swagger.*`): the Swagger operation it
    /// sends, whose schemas check the body before sending. `None` for a typed row. Faces
    /// that make a method per row skip the generic ones ([`Endpoint::is_generic`]).
    pub swagger: Option<&'static crate::cargorun::swagger::Operation>,
}

impl PartialEq for Endpoint {
    fn eq(&self, other: &Endpoint) -> bool {
        self.id == other.id
    }
}

impl Endpoint {
    /// A row with the defaults: no parameters, no body, any JSON answer, no paging,
    /// idempotent unless the method is POST, needs credentials.
    pub const fn new(id: &'static str, service: &'static str, method: Method, path: &'static str) -> Endpoint {
        Endpoint {
            id,
            service,
            summary: "",
            method,
            path,
            params: &[],
            body: BodyKind::None,
            check: None,
            response: Response::JSON,
            paging: Paging::None,
            idempotent: !matches!(method, Method::Post),
            auth: true,
            local: None,
            once: None,
            names: FaceNames { python: "", onec_en: "", onec_ru: "" },
            swagger: None,
        }
    }

    /// Whether the row is generic: made from the service's Swagger, reached by id with the
    /// Swagger's names and checked against its schemas, with no method of its own in the
    /// faces. `describe_endpoint` says `"kind": "generic"` (else `"typed"`).
    pub fn is_generic(&self) -> bool {
        self.swagger.is_some()
    }

    /// A parameter by name.
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// The names of the path's `{…}` placeholders, in order.
    ///
    /// ```
    /// let ep = logibridge::endpoints::carreta::ORDER_HISTORY;
    /// assert_eq!(ep.path_params().collect::<Vec<_>>(), ["id"]);
    /// ```
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        self.path.split('{').skip(1).filter_map(|s| s.split('}').next())
    }

    /// The resource part of the id (`order` of `carreta.order.create`).
    pub fn resource(&self) -> &'static str {
        self.id.split('.').nth(1).unwrap_or("")
    }

    /// The action part of the id (`create` of `carreta.order.create`).
    pub fn action(&self) -> &'static str {
        self.id.rsplit('.').next().unwrap_or("")
    }
}

/// How a service authenticates, built from its named credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthSpec {
    /// No credentials.
    None,
    /// A query parameter on every call (Carreta's `api_key`).
    QueryParam {
        /// The query parameter's name.
        param: &'static str,
        /// The credential that holds the value.
        credential: &'static str,
    },
    /// `Authorization: Bearer <credential>` (iRECA's static token).
    Bearer {
        /// The credential that holds the token.
        credential: &'static str,
    },
    /// A JWT access token got by signing in with a user name and a password, renewed with
    /// a refresh token before it expires and once after a 401 (CARGO.RUN's
    /// `Account/GenerateToken` and `Account/RefreshToken`); sent as `Authorization: Bearer`.
    Jwt {
        /// The credential holding the user name.
        username: &'static str,
        /// The credential holding the password.
        password: &'static str,
        /// The id of the row that signs in (`cargorun.auth.generate_token`).
        generate: &'static str,
        /// The id of the row that renews (`cargorun.auth.refresh_token`).
        refresh: &'static str,
    },
}

impl AuthSpec {
    /// `none`, `query_param`, `bearer`, `jwt`.
    pub fn kind(self) -> &'static str {
        match self {
            AuthSpec::None => "none",
            AuthSpec::QueryParam { .. } => "query_param",
            AuthSpec::Bearer { .. } => "bearer",
            AuthSpec::Jwt { .. } => "jwt",
        }
    }
}

/// A credential a client of the service needs (`api_key`, `token`, `login`, `password`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Credential {
    /// The name the builders and the faces take (`api_key`).
    pub name: &'static str,
    /// The 1C property's English name (`ApiKey`).
    pub onec_en: &'static str,
    /// The 1C property's Russian name (`КлючAPI`).
    pub onec_ru: &'static str,
    /// Whether the value is a secret (never shown, never readable back).
    pub secret: bool,
    /// Whether a client cannot be built without it.
    pub required: bool,
}

/// How the service writes its error bodies: the JSON keys that hold its own message, in
/// order of preference; a body that is not JSON is taken as plain text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorFormat {
    /// The keys to try (`["error", "detail", "message"]`).
    pub message_keys: &'static [&'static str],
    /// A member that, `true` (or `1`, `"1"`) in a JSON object answered with a success
    /// status, makes the answer an error all the same (iRECA's `{"error": true, "message":
    /// …}`, whose document never ties it to a status): a create answered that way did not
    /// create anything, and must not look as if it had.
    pub flag_in_success: Option<&'static str>,
}

impl ErrorFormat {
    /// Message keys only; a success status is a success.
    pub const fn keys(message_keys: &'static [&'static str]) -> ErrorFormat {
        ErrorFormat { message_keys, flag_in_success: None }
    }

    /// Whether a body answered with a success status says it is an error (see
    /// [`ErrorFormat::flag_in_success`]).
    ///
    /// ```
    /// use logibridge::endpoints::ErrorFormat;
    /// let ireca = ErrorFormat { message_keys: &["message"], flag_in_success: Some("error") };
    /// assert!(ireca.is_error_in_success(r#"{"error": true, "message": "Модель не существует"}"#.as_bytes()));
    /// assert!(ireca.is_error_in_success(br#"{"error": "1"}"#));
    /// assert!(!ireca.is_error_in_success(br#"{"error": false, "goodId": 1}"#));
    /// assert!(!ireca.is_error_in_success(br#"[{"error": true}]"#));
    /// ```
    pub fn is_error_in_success(&self, body: &[u8]) -> bool {
        let Some(flag) = self.flag_in_success else { return false };
        // Cheap first: most answers never mention the member.
        if !body.windows(flag.len() + 2).any(|w| w[0] == b'"' && &w[1..=flag.len()] == flag.as_bytes() && w[flag.len() + 1] == b'"') {
            return false;
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(o)) => match o.get(flag) {
                Some(Value::Bool(b)) => *b,
                Some(Value::Number(n)) => n.as_i64() == Some(1),
                Some(Value::String(s)) => crate::serde_ext::bool_text(s) == Some(true),
                _ => false,
            },
            _ => false,
        }
    }
}

/// How a service writes date-times on the wire. Callers give date-times with a zone
/// (RFC 3339); the executor converts them to the service's form before sending, and a
/// date-time without a zone is refused rather than guessed.
///
/// ```
/// use logibridge::endpoints::DateFormat;
/// let t = chrono::DateTime::parse_from_rfc3339("2026-06-30T15:04:05+03:00").unwrap();
/// assert_eq!(DateFormat::Rfc3339Utc.format(t), "2026-06-30T12:04:05Z");
/// assert_eq!(DateFormat::SpaceUtc.format(t), "2026-06-30 12:04:05");
/// assert_eq!(DateFormat::Local { offset_seconds: 3 * 3600 }.format(t), "2026-06-30T15:04:05");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateFormat {
    /// `YYYY-MM-DDTHH:MM:SSZ` in UTC, no fraction (CARGO.RUN).
    Rfc3339Utc,
    /// `YYYY-MM-DD HH:MM:SS` in UTC, GMT+0 (iRECA).
    SpaceUtc,
    /// `YYYY-MM-DDTHH:MM:SS` in the service's own time, a fixed offset east of UTC
    /// (Carreta: Moscow, UTC+03:00).
    Local {
        /// Seconds east of UTC.
        offset_seconds: i32,
    },
}

impl DateFormat {
    /// The wire text of a date-time.
    pub fn format(self, t: chrono::DateTime<chrono::FixedOffset>) -> String {
        match self {
            DateFormat::Rfc3339Utc => t.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            DateFormat::SpaceUtc => t.with_timezone(&chrono::Utc).format("%Y-%m-%d %H:%M:%S").to_string(),
            DateFormat::Local { offset_seconds } => {
                let zone = chrono::FixedOffset::east_opt(offset_seconds).unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("UTC is a valid offset"));
                t.with_timezone(&zone).format("%Y-%m-%dT%H:%M:%S").to_string()
            }
        }
    }

    /// `rfc3339_utc`, `space_utc`, `local:<seconds>`.
    pub fn name(self) -> String {
        match self {
            DateFormat::Rfc3339Utc => "rfc3339_utc".into(),
            DateFormat::SpaceUtc => "space_utc".into(),
            DateFormat::Local { offset_seconds } => format!("local:{offset_seconds}"),
        }
    }

    /// The inverse of [`DateFormat::name`].
    pub fn parse(text: &str) -> Option<DateFormat> {
        match text {
            "rfc3339_utc" => Some(DateFormat::Rfc3339Utc),
            "space_utc" => Some(DateFormat::SpaceUtc),
            _ => text.strip_prefix("local:").and_then(|n| n.parse().ok()).filter(|n: &i32| n.abs() < 86_400).map(|offset_seconds| DateFormat::Local { offset_seconds }),
        }
    }
}

/// A service: what every client of it shares.
pub struct ServiceSpec {
    /// The id prefix (`carreta`).
    pub prefix: &'static str,
    /// The display name and the name of the 1C class (`Carreta`).
    pub name: &'static str,
    /// The production base URL.
    pub default_base_url: &'static str,
    /// How it authenticates.
    pub auth: AuthSpec,
    /// The credentials a client takes.
    pub credentials: &'static [Credential],
    /// Parameters every call accepts (Carreta's `account`); a client may give them a
    /// default ([`crate::ClientBuilder::param`]).
    pub common_params: &'static [Param],
    /// Its error bodies.
    pub errors: ErrorFormat,
    /// How it writes date-times.
    pub dates: DateFormat,
    /// Its rows.
    pub endpoints: &'static [&'static Endpoint],
}

impl fmt::Debug for ServiceSpec {
    /// The service in one line (prefix, name, base URL, how many rows): a client's `Debug`
    /// shows which service it speaks, not its whole table.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceSpec").field("prefix", &self.prefix).field("name", &self.name).field("default_base_url", &self.default_base_url).field("endpoints", &self.endpoints.len()).finish_non_exhaustive()
    }
}

impl ServiceSpec {
    /// A credential by name.
    pub fn credential(&self, name: &str) -> Option<&'static Credential> {
        self.credentials.iter().find(|c| c.name == name)
    }

    /// A common parameter by name.
    pub fn common_param(&self, name: &str) -> Option<&'static Param> {
        self.common_params.iter().find(|p| p.name == name)
    }
}
