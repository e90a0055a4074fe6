//! The one error type every call returns, and the redaction that keeps secrets out of it.
//!
//! Each face maps [`Error`] exactly once: Python exception classes, the C `lb_status` plus
//! `lb_error_t`, the 1C `LastError` JSON. None of the variants ever holds a secret: URLs
//! are redacted before they are stored (see [`redact_url`]).

use std::fmt;
use std::time::Duration;

pub(crate) mod russian;
pub(crate) mod shown;
mod scrub;

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a call.
///
/// ```
/// use logibridge::{Error, ValidationError};
/// let err = Error::from(ValidationError::new("order_qty", "order_qty.min", "must be at least 1", "должно быть не меньше 1"));
/// assert_eq!(err.kind(), logibridge::ErrorKind::Validation);
/// assert!(err.to_string().contains("order_qty"));
/// ```
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A documented rule was broken; nothing was sent.
    #[error("{0}")]
    Validation(ValidationError),

    /// The connection could not be made or broke. `message` is the whole cause chain as
    /// text (scrubbed of secrets); [`std::error::Error::source`] gives the cause itself.
    #[error("transport error on {endpoint}: {message}{}", outcome_hint(.outcome_unknown))]
    Transport {
        /// The endpoint id.
        endpoint: String,
        /// What happened, with its causes.
        message: String,
        /// What happened, in Russian (the causes the operating system or the TLS library
        /// gave stay as they were written, in parentheses).
        message_ru: String,
        /// The underlying error (without the URL, which may hold a key).
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
        /// The request of a call that is not idempotent may have reached the service and
        /// been applied: see [`Error::outcome_unknown`]. `false`: it was not sent (the
        /// connection could not be made) or repeating it is harmless.
        outcome_unknown: bool,
    },

    /// The connect or request timeout ran out.
    #[error("timeout on {endpoint} after {elapsed:?}{}", outcome_hint(.outcome_unknown))]
    Timeout {
        /// The endpoint id.
        endpoint: String,
        /// How long the call waited.
        elapsed: Duration,
        /// The request of a call that is not idempotent may have been applied (the timeout
        /// ran out after the connection was made): see [`Error::outcome_unknown`].
        outcome_unknown: bool,
    },

    /// The service answered with a non-success status. `message` is the service's own
    /// message, parsed from its error format.
    #[error("HTTP {status} on {endpoint}: {message}{}", outcome_hint(.outcome_unknown))]
    Http {
        /// The endpoint id.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// The service's own message (scrubbed of secrets).
        message: String,
        /// The body, at most 2,000 characters (scrubbed of secrets).
        body: String,
        /// The wait the service asked for (`Retry-After`).
        retry_after: Option<Duration>,
        /// A call that is not idempotent was answered by a server or gateway error (500,
        /// 502, 503, 504) or a redirect: a proxy may have cut the answer of a request the
        /// service applied, or the service failed after applying it. See
        /// [`Error::outcome_unknown`]. `false` for every other status, and for every status
        /// of an idempotent call.
        outcome_unknown: bool,
    },

    /// The credentials were rejected or could not be obtained (HTTP 401 included).
    #[error("authentication failed on {endpoint}: {message}")]
    Auth {
        /// The endpoint id.
        endpoint: String,
        /// The HTTP status, when the service answered (401).
        status: Option<u16>,
        /// The service's own message (scrubbed of secrets).
        message: String,
        /// The body of the service's answer, at most 2,000 characters (scrubbed of
        /// secrets); empty when there was no answer.
        body: String,
    },

    /// The response could not be read into the expected shape.
    #[error("{}", decode_text(.endpoint, .path, .message, .excerpt))]
    Decode {
        /// The endpoint id.
        endpoint: String,
        /// The JSON path of the first mismatch (`objects[3].price`).
        path: String,
        /// What did not fit.
        message: String,
        /// What did not fit, in Russian.
        message_ru: String,
        /// The body around the mismatch.
        excerpt: String,
    },

    /// An argument given to the library itself is wrong (unknown endpoint id, bad JSON, a
    /// file that cannot be opened). Build it with [`Error::invalid_argument`].
    #[error("invalid argument: {message}")]
    InvalidArgument {
        /// English explanation.
        message: String,
        /// Russian explanation.
        message_ru: String,
    },

    /// A parameter of a call is wrong: unknown, missing, of the wrong type or out of range.
    /// Nothing was sent. [`Error::field`] names the parameter, [`Error::code`] the rule
    /// (`param.required`, `param.unknown`, `param.type`, `param.integer`, `param.min`,
    /// `param.max`, `param.enum`, `param.model`, `param.fixed`).
    #[error("invalid argument: {}", parameter_text(.endpoint, .field, .message, .code))]
    InvalidParameter {
        /// The endpoint id.
        endpoint: String,
        /// The parameter's name.
        field: String,
        /// The rule's stable code.
        code: &'static str,
        /// English explanation.
        message: String,
        /// Russian explanation.
        message_ru: String,
    },

    /// A bug or an impossible state; reported instead of crashing.
    #[error("internal error: {0}")]
    Internal(String),
}

/// `cannot decode the response of carreta.order.get at objects[3].price: …`. A price list
/// the library reads (a local file, or a download once it arrived) is no response of a
/// service: `cannot read the price list, line 3, column Цена: …`.
fn decode_text(endpoint: &str, path: &str, message: &str, excerpt: &str) -> String {
    if endpoint == crate::pricelist::PARSE_ENDPOINT {
        format!("cannot read the price list, {path}: {message} (near: {excerpt})")
    } else if is_incoming(endpoint) {
        format!("cannot read the request body of {endpoint} at {path}: {message} (near: {excerpt})")
    } else {
        format!("cannot decode the response of {endpoint} at {path}: {message} (near: {excerpt})")
    }
}

/// Whether an endpoint reads what a service sent to us (a callback's request body), not an
/// answer to our request.
fn is_incoming(endpoint: &str) -> bool {
    endpoint.starts_with("ireca.callback.")
}

/// The sentence the English text adds when the outcome is unknown (as `message_ru` does).
fn outcome_hint(unknown: &bool) -> &'static str {
    if *unknown {
        ". The request may have been applied and its answer was lost: look it up (e.g. an order by its client_comment) before sending it again"
    } else {
        ""
    }
}

/// `carreta.order.get: parameter "id" must be … [param.min]`; a client option reads
/// `option "timeout" must be … [option.timeout]`.
fn parameter_text(endpoint: &str, field: &str, message: &str, code: &str) -> String {
    if endpoint == "client" {
        format!("option {field:?} {message} [{code}]")
    } else {
        format!("{endpoint}: parameter {field:?} {message} [{code}]")
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug is Display with the variant name: the fields hold no secrets by construction.
        write!(f, "Error::{:?}({})", self.kind(), self)
    }
}

/// A coarse classification of [`Error`], stable across versions; faces map it to their
/// own status codes and exception classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A documented rule was broken; nothing was sent.
    Validation,
    /// The connection could not be made or broke.
    Transport,
    /// A timeout ran out.
    Timeout,
    /// Another non-success HTTP status.
    Http,
    /// Credentials rejected (401) or not obtained.
    Auth,
    /// HTTP 403.
    PermissionDenied,
    /// HTTP 404.
    NotFound,
    /// HTTP 409.
    Conflict,
    /// HTTP 429.
    RateLimited,
    /// HTTP 5xx.
    Server,
    /// The response did not fit the model.
    Decode,
    /// A wrong argument or parameter given to the library.
    InvalidArgument,
    /// A bug or an impossible state.
    Internal,
}

impl ErrorKind {
    /// The kind in snake case (`rate_limited`): stable, used as the error code of
    /// non-validation errors and by the faces to pick an exception class or status.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::Transport => "transport",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Http => "http",
            ErrorKind::Auth => "auth",
            ErrorKind::PermissionDenied => "permission_denied",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Server => "server",
            ErrorKind::Decode => "decode",
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::Internal => "internal",
        }
    }
}

impl Error {
    /// The classification of this error (HTTP errors are split by status).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Validation(_) => ErrorKind::Validation,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Http { status, .. } => match status {
                401 => ErrorKind::Auth,
                403 => ErrorKind::PermissionDenied,
                404 => ErrorKind::NotFound,
                409 => ErrorKind::Conflict,
                429 => ErrorKind::RateLimited,
                500..=599 => ErrorKind::Server,
                _ => ErrorKind::Http,
            },
            Error::Auth { .. } => ErrorKind::Auth,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::InvalidArgument { .. } | Error::InvalidParameter { .. } => ErrorKind::InvalidArgument,
            Error::Internal(_) => ErrorKind::Internal,
        }
    }

    /// A wrong argument given to the library (see [`Error::InvalidArgument`]), in English
    /// and Russian.
    ///
    /// ```
    /// use logibridge::Error;
    /// let e = Error::invalid_argument("unknown endpoint id \"x\"", "неизвестный идентификатор вызова «x»");
    /// assert_eq!(e.to_string(), "invalid argument: unknown endpoint id \"x\"");
    /// assert_eq!(e.message_ru(), "Неверный аргумент: неизвестный идентификатор вызова «x»");
    /// ```
    pub fn invalid_argument(message: impl Into<String>, message_ru: impl Into<String>) -> Error {
        Error::InvalidArgument { message: message.into(), message_ru: message_ru.into() }
    }

    /// An argument that should hold JSON and does not parse: `what` names it
    /// (`options_json`, `carreta.order.get: parameters`).
    ///
    /// ```
    /// let e = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
    /// let e = logibridge::Error::invalid_json("options_json", &e);
    /// assert_eq!(e.message_ru(), "Неверный аргумент: options_json — не JSON: JSON оборвался посреди объекта в строке 1, позиция 1");
    /// ```
    pub fn invalid_json(what: &str, e: &serde_json::Error) -> Error {
        let en = e.to_string();
        Error::invalid_argument(format!("{what} is not valid JSON: {en}"), format!("{what} — не JSON: {}", russian::serde_message(&en)))
    }

    /// A file the caller named that cannot be opened, created or written: an
    /// [`Error::InvalidArgument`], the one classification of "cannot open" in every face.
    /// `action` is the verb in English and Russian (`("open", "открыть")`).
    ///
    /// ```
    /// let e = std::fs::File::open("/nonexistent/prices.csv").unwrap_err();
    /// let e = logibridge::Error::file(("open", "открыть"), "/nonexistent/prices.csv", &e);
    /// assert_eq!(e.kind(), logibridge::ErrorKind::InvalidArgument);
    /// assert!(e.message_ru().starts_with("Неверный аргумент: не удалось открыть файл «/nonexistent/prices.csv»: файл не найден ("));
    /// ```
    pub fn file(action: (&str, &str), path: impl fmt::Display, e: &std::io::Error) -> Error {
        let (en, ru) = action;
        Error::invalid_argument(format!("cannot {en} the file «{path}»: {e}"), format!("не удалось {ru} файл «{path}»: {}", russian::io_failure(e)))
    }

    /// A response that does not fit the expected shape. `message` is serde's explanation;
    /// its Russian text is derived from it.
    pub fn decode(endpoint: impl Into<String>, path: impl Into<String>, message: impl Into<String>, excerpt: impl Into<String>) -> Error {
        let message: String = message.into();
        let message_ru = russian::serde_message(&message);
        let message = crate::serde_ext::english(&message).to_owned();
        Error::Decode { endpoint: endpoint.into(), path: path.into(), message, message_ru, excerpt: excerpt.into() }
    }

    /// A wrong parameter of a call (see [`Error::InvalidParameter`]).
    pub fn invalid_param(endpoint: &str, field: &str, code: &'static str, message: impl Into<String>, message_ru: impl Into<String>) -> Error {
        Error::InvalidParameter { endpoint: endpoint.to_owned(), field: field.to_owned(), code, message: message.into(), message_ru: message_ru.into() }
    }

    /// The HTTP status, when the service answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Http { status, .. } => Some(*status),
            Error::Auth { status, .. } => *status,
            _ => None,
        }
    }

    /// The body of the service's answer (at most 2,000 characters, scrubbed of secrets),
    /// for an HTTP error or a rejected credential (401).
    pub fn body(&self) -> Option<&str> {
        match self {
            Error::Http { body, .. } | Error::Auth { body, .. } => Some(body),
            _ => None,
        }
    }

    /// `true` when a call that changes something on the service (not idempotent: an order
    /// creation) failed **after its request may have reached the service**: the answer
    /// timed out or the connection broke after it was made, or the answer was a server or
    /// gateway error (HTTP 500, 502, 503, 504: a proxy in front of the service may have cut
    /// an answer the service made, or the service failed after applying the change) or a
    /// redirect (never followed for such a call). The change may or may not have
    /// been applied, and sending the call again may apply it twice; look it up first (for
    /// Carreta orders: by `client_comment`, which
    /// [`crate::carreta::Client::create_order_once`] does).
    ///
    /// `false` for every other error: the service answered with another status (it says
    /// what happened: 4xx, the call was refused), the request was never sent (refused before sending, the connection could
    /// not be made: safe to repeat), or the call is idempotent (repeating it is harmless).
    ///
    /// The rule (reqwest cannot report whether the last byte of the request was written):
    /// a connect error or connect timeout (`reqwest::Error::is_connect`) means not sent;
    /// any other timeout, and any send or body error once the connection was made, on a
    /// call that is not idempotent, means outcome unknown.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            Error::Transport { outcome_unknown: true, .. } | Error::Timeout { outcome_unknown: true, .. } | Error::Http { outcome_unknown: true, .. }
        )
    }

    /// The same error with [`Error::outcome_unknown`] set to `unknown` (transport errors,
    /// timeouts and HTTP errors; other errors are returned unchanged).
    pub fn with_outcome_unknown(self, unknown: bool) -> Error {
        match self {
            Error::Transport { endpoint, message, message_ru, source, .. } => Error::Transport { endpoint, message, message_ru, source, outcome_unknown: unknown },
            Error::Timeout { endpoint, elapsed, .. } => Error::Timeout { endpoint, elapsed, outcome_unknown: unknown },
            Error::Http { endpoint, status, message, body, retry_after, .. } => Error::Http { endpoint, status, message, body, retry_after, outcome_unknown: unknown },
            other => other,
        }
    }

    /// The endpoint id the error happened on, when there was one.
    pub fn endpoint(&self) -> Option<&str> {
        match self {
            Error::Transport { endpoint, .. }
            | Error::Timeout { endpoint, .. }
            | Error::Http { endpoint, .. }
            | Error::Auth { endpoint, .. }
            | Error::Decode { endpoint, .. }
            | Error::InvalidParameter { endpoint, .. } => Some(endpoint),
            _ => None,
        }
    }

    /// The field a validation error names.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Validation(v) => Some(&v.field),
            Error::InvalidParameter { field, .. } => Some(field),
            _ => None,
        }
    }

    /// A stable machine-readable code: the validation rule, or the kind in snake case.
    pub fn code(&self) -> &str {
        match self {
            Error::Validation(v) => v.code,
            Error::InvalidParameter { code, .. } => code,
            other => other.kind().name(),
        }
    }

    /// A transport error without an underlying cause.
    pub fn transport(endpoint: impl Into<String>, message: impl Into<String>, message_ru: impl Into<String>) -> Error {
        Error::Transport { endpoint: endpoint.into(), message: message.into(), message_ru: message_ru.into(), source: None, outcome_unknown: false }
    }

    /// The message for a Russian-speaking user (the 1C face shows this one).
    pub fn message_ru(&self) -> String {
        let text = self.message_ru_only();
        if self.outcome_unknown() {
            format!("{text}. {OUTCOME_UNKNOWN_RU}")
        } else {
            text
        }
    }

    fn message_ru_only(&self) -> String {
        match self {
            Error::Validation(v) => format!("{}: {}", v.field, v.message_ru),
            Error::Transport { endpoint, message_ru, .. } => format!("Ошибка соединения ({endpoint}): {message_ru}"),
            Error::Timeout { endpoint, elapsed, .. } => format!("Истекло время ожидания ({endpoint}, {:.1} с)", elapsed.as_secs_f64()),
            Error::Http { endpoint, status, message, .. } => format!("Сервис ответил HTTP {status} ({endpoint}): {message}"),
            Error::Auth { endpoint, message, .. } => format!("Ошибка авторизации ({endpoint}): {message}"),
            // The price list's message names the place itself (`строка 3, колонка «Цена»: …`).
            Error::Decode { endpoint, message_ru, .. } if endpoint == crate::pricelist::PARSE_ENDPOINT => format!("Не удалось прочитать прайс-лист: {message_ru}"),
            Error::Decode { endpoint, path, message_ru, .. } if is_incoming(endpoint) => format!("Не удалось разобрать тело запроса ({endpoint}, {path}): {message_ru}"),
            Error::Decode { endpoint, path, message_ru, .. } if path.is_empty() => format!("Не удалось разобрать ответ ({endpoint}): {message_ru}"),
            Error::Decode { endpoint, path, message_ru, .. } => format!("Не удалось разобрать ответ ({endpoint}, {path}): {message_ru}"),
            Error::InvalidArgument { message_ru, .. } => format!("Неверный аргумент: {message_ru}"),
            Error::InvalidParameter { endpoint, field, message_ru, .. } if endpoint == "client" => format!("Неверная настройка «{field}»: {message_ru}"),
            Error::InvalidParameter { endpoint, field, message_ru, .. } => format!("Неверный параметр «{field}» ({endpoint}): {message_ru}"),
            // A bug of the library: the detail is for its developers and stays in English.
            Error::Internal(m) => format!("Внутренняя ошибка библиотеки (сообщите о ней разработчикам logibridge): {m}"),
        }
    }

    /// The error as a JSON object (`code`, `kind`, `field`, `status`, `endpoint`,
    /// `message`, `message_ru`, `outcome_unknown`, and `body` for an answer the service
    /// gave): the shape the C and 1C faces hand to their callers.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "code": self.code(),
            "kind": self.kind().name(),
            "field": self.field(),
            "status": self.status(),
            "endpoint": self.endpoint(),
            "message": self.to_string(),
            "message_ru": self.message_ru(),
            "outcome_unknown": self.outcome_unknown(),
        });
        if let Some(body) = self.body() {
            v["body"] = serde_json::Value::from(body);
        }
        v
    }
}

/// The sentence `message_ru` adds when [`Error::outcome_unknown`] is true.
pub const OUTCOME_UNKNOWN_RU: &str = "Запрос мог быть выполнен сервисом, но ответ не получен: прежде чем повторять, проверьте по комментарию заказа (client_comment), создан ли он";

impl From<ValidationError> for Error {
    fn from(v: ValidationError) -> Error {
        Error::Validation(v)
    }
}

/// A broken documented rule: which field, which rule (a stable code), and why, in English
/// and Russian.
///
/// ```
/// use logibridge::ValidationError;
/// let v = ValidationError::new("client_comment", "client_comment.too_long", "at most 50 characters", "не более 50 символов");
/// assert_eq!(v.to_string(), "client_comment: at most 50 characters [client_comment.too_long]");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// The request field that broke the rule.
    pub field: String,
    /// Stable rule code, e.g. `order_qty.multiple_of_min_qty`.
    pub code: &'static str,
    /// English explanation.
    pub message: String,
    /// Russian explanation.
    pub message_ru: String,
}

impl ValidationError {
    /// Builds a validation error.
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>, message_ru: impl Into<String>) -> Self {
        ValidationError { field: field.into(), code, message: message.into(), message_ru: message_ru.into() }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} [{}]", self.field, self.message, self.code)
    }
}

impl std::error::Error for ValidationError {}

/// Names of query parameters whose values are secrets.
pub(crate) const SECRET_PARAMS: &[&str] = &["api_key", "apikey", "token", "access_token", "refresh_token", "password"];

/// Returns the URL with every secret query value replaced by `***`.
///
/// ```
/// let url = url::Url::parse("https://x.test/v1/search/?q=oc47&api_key=SECRET").unwrap();
/// assert_eq!(logibridge::redact_url(&url), "https://x.test/v1/search/?q=oc47&api_key=***");
/// ```
pub fn redact_url(url: &url::Url) -> String {
    let mut out = url.clone();
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let secret = SECRET_PARAMS.iter().any(|s| k.eq_ignore_ascii_case(s));
                (k.into_owned(), if secret { "***".to_owned() } else { v.into_owned() })
            })
            .collect();
        out.query_pairs_mut().clear().extend_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        // extend_pairs percent-encodes `***`; keep it readable.
        let q = out.query().unwrap_or("").replace("%2A%2A%2A", "***");
        out.set_query(Some(&q));
    }
    if out.password().is_some() {
        let _ = out.set_password(Some("***"));
    }
    out.to_string()
}

/// Removes every occurrence of the given secrets, in every encoding a URL, a form, a JSON or
/// HTML echo can give them, mixtures included (see the `scrub` module), from a text that
/// came from outside (a server echoing the request line, a body that failed to decode).
///
/// ```
/// # use logibridge::Error;
/// let e = Error::invalid_argument("GET /?api_key=CANARY%2Babc%2F123%3D and CANARY%2babc/123%3d and CANARY+abc/123=", "");
/// let text = e.scrubbed(&["CANARY+abc/123="]).to_string();
/// assert!(!text.contains("CANARY"), "{text}");
/// ```
pub(crate) fn scrub<S: AsRef<str>>(text: &str, secrets: &[S]) -> String {
    scrub::scrub(text, secrets)
}

impl Error {
    /// The same error with every secret removed from every text it holds, in every
    /// encoding (the one scrubber every error path goes through).
    pub fn scrubbed<S: AsRef<str>>(self, secrets: &[S]) -> Error {
        if secrets.iter().all(|s| s.as_ref().len() < 4) {
            return self;
        }
        let c = |t: String| scrub(&t, secrets);
        match self {
            Error::Validation(mut v) => {
                v.message = c(v.message);
                v.message_ru = c(v.message_ru);
                v.field = c(v.field);
                Error::Validation(v)
            }
            Error::Transport { endpoint, message, message_ru, source, outcome_unknown } => Error::Transport { endpoint, message: c(message), message_ru: c(message_ru), source, outcome_unknown },
            Error::Timeout { endpoint, elapsed, outcome_unknown } => Error::Timeout { endpoint, elapsed, outcome_unknown },
            Error::Http { endpoint, status, message, body, retry_after, outcome_unknown } => {
                Error::Http { endpoint, status, message: c(message), body: c(body), retry_after, outcome_unknown }
            }
            Error::Auth { endpoint, status, message, body } => Error::Auth { endpoint, status, message: c(message), body: c(body) },
            Error::Decode { endpoint, path, message, message_ru, excerpt } => Error::Decode { endpoint, path: c(path), message: c(message), message_ru: c(message_ru), excerpt: c(excerpt) },
            Error::InvalidArgument { message, message_ru } => Error::InvalidArgument { message: c(message), message_ru: c(message_ru) },
            Error::InvalidParameter { endpoint, field, code, message, message_ru } => Error::InvalidParameter { endpoint, field: c(field), code, message: c(message), message_ru: c(message_ru) },
            Error::Internal(m) => Error::Internal(c(m)),
        }
    }
}

/// A URL as a user typed it, safe to show in a message: no query, no fragment, no
/// user-info (they may hold a key or a password), at most 200 characters.
///
/// ```
/// assert_eq!(logibridge::error_safe_url("http://[::1/v1/?api_key=SECRET"), "http://[::1/v1/?…");
/// assert_eq!(logibridge::error_safe_url("https://user:pw@host/x#k"), "https://***@host/x#…");
/// assert_eq!(logibridge::error_safe_url("ftp://u:a+b/c=@host/"), "ftp://***@host/");
/// ```
pub fn error_safe_url(text: &str) -> String {
    let mut t = text.trim().to_owned();
    for mark in ['?', '#'] {
        if let Some(i) = t.find(mark) {
            t.truncate(i + 1);
            t.push('…');
        }
    }
    // User-info ends at the last `@`: a password may hold `/` (`ftp://u:a/b@host/`), so
    // the first `/` cannot be taken as the end of the authority.
    let body_start = t.find("://").map_or(0, |i| i + 3);
    if let Some(at) = t[body_start..].rfind('@') {
        t.replace_range(body_start..body_start + at, "***");
    }
    if t.chars().count() > 200 {
        t = t.chars().take(200).collect::<String>() + "…";
    }
    t
}
