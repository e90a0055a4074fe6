//! The one HTTP layer: base URL, auth, timeouts, retries, redaction, tracing.
//!
//! Service clients describe a call as a [`Request`] against a row of the
//! [endpoint table](crate::endpoints); [`Transport::execute`] does the rest.

mod auth;
mod jwt;
mod retry;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use tracing::Instrument;
use url::Url;

pub use auth::{AuthStrategy, BearerToken, NoAuth, QueryKey, Secret};
pub use jwt::{jwt_times, refresh_margin, JwtAuth, DEFAULT_GENERATE_COOLDOWN, DEFAULT_LIFETIME, MAX_REFRESH_MARGIN};
pub use retry::{is_retryable_status, parse_retry_after, RetryPolicy};

use crate::endpoints::{Endpoint, ErrorFormat, Method};
use crate::error::{redact_url, scrub, Error, Result};

/// Default time to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time for a whole request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Responses larger than this are refused rather than buffered.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// Settings shared by every client builder.
#[derive(Clone, Debug)]
pub struct Config {
    /// The service URL every path is relative to (ends with `/`).
    pub base_url: Url,
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Time for a whole request.
    pub timeout: Duration,
    /// Longest wait for the next bytes of an answer (`None`: only `timeout` applies);
    /// streamed downloads set it instead of a short `timeout`.
    pub read_timeout: Option<Duration>,
    /// Retries of idempotent calls.
    pub retry: RetryPolicy,
    /// The most one call may take, retries and their waits included (`None`: 3 × the
    /// request timeout, see [`Config::call_deadline`]). Each attempt gets at most what is
    /// left of it; a retry whose wait would pass it is not made (the last error is returned
    /// at once: a 429 with its `retry_after`); once it has passed the call fails with
    /// [`Error::Timeout`]. A streamed answer ([`Transport::open`]) is bounded up to its
    /// headers; its body is governed by `read_timeout`, since a download may rightly outlast
    /// any deadline.
    pub deadline: Option<Duration>,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// How the service writes its error bodies.
    pub errors: ErrorFormat,
}

impl Config {
    /// Defaults for a base URL: 10 s connect, 30 s request, 2 retries,
    /// `logibridge/<version>`.
    pub fn new(base_url: &str) -> Result<Config> {
        Ok(Config {
            base_url: parse_base_url(base_url)?,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            read_timeout: None,
            deadline: None,
            retry: RetryPolicy::default(),
            user_agent: format!("logibridge/{}", crate::VERSION),
            errors: ErrorFormat::keys(&["message", "error"]),
        })
    }

    /// The deadline in force for one call: the one set, or 3 × `timeout`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut c = logibridge::transport::Config::new("http://127.0.0.1/").unwrap();
    /// c.timeout = Duration::from_secs(2);
    /// assert_eq!(c.call_deadline(), Duration::from_secs(6));
    /// c.deadline = Some(Duration::from_secs(1));
    /// assert_eq!(c.call_deadline(), Duration::from_secs(1));
    /// ```
    pub fn call_deadline(&self) -> Duration {
        self.deadline.unwrap_or(self.timeout.saturating_mul(3))
    }
}

/// Parses a base URL, adding the trailing slash that relative paths need.
pub fn parse_base_url(text: &str) -> Result<Url> {
    let mut t = text.trim().to_owned();
    if !t.ends_with('/') {
        t.push('/');
    }
    let shown = crate::error::error_safe_url(text);
    if t.chars().any(char::is_whitespace) {
        // `Url::parse` would percent-encode a space into the path: a pasted "URL KEY" must
        // not become a path holding the key.
        return Err(Error::invalid_param("client", "base_url", "option.base_url", format!("{shown:?} must not contain spaces"), format!("{shown:?} не должен содержать пробелов")));
    }
    let url = Url::parse(&t).map_err(|e| {
        Error::invalid_param("client", "base_url", "option.base_url", format!("{shown:?} is not a URL: {e}"), format!("{shown:?} не является URL: {}", crate::error::russian::url_failure(e)))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::invalid_param("client", "base_url", "option.base_url", format!("must be http or https, got {:?}", url.scheme()), format!("должен начинаться с http или https, передано {:?}", url.scheme())));
    }
    if url.query().is_some() || url.fragment().is_some() {
        // It would be dropped from every call; credentials go in their own options.
        return Err(Error::invalid_param("client", "base_url", "option.base_url", format!("{shown:?} must not have a query or fragment: give credentials and parameters as options"), format!("{shown:?} не должен содержать параметров запроса (?…) или фрагмента (#…): ключи и параметры задаются отдельно")));
    }
    Ok(url)
}

/// One call to make: an endpoint plus its parameters.
#[derive(Clone, Debug)]
pub struct Request {
    /// The row.
    pub endpoint: &'static Endpoint,
    /// Values for the path's `{…}` parameters.
    pub path_params: Vec<(&'static str, String)>,
    /// Query parameters; a name may repeat.
    pub query: Vec<(String, String)>,
    /// JSON body.
    pub body: Option<serde_json::Value>,
    /// Overrides the client's retry count for this call.
    pub max_retries: Option<u32>,
    /// A whole URL to fetch instead of the row's path under the base URL (a price list's
    /// download link).
    pub absolute_url: Option<Url>,
    /// A body sent as these bytes under this `Content-Type` instead of the JSON `body` (a
    /// multipart upload, `cargorun::swagger`); the same bytes again on a retry.
    pub raw_body: Option<(String, bytes::Bytes)>,
}

impl Request {
    /// A request without parameters.
    pub fn new(endpoint: &'static Endpoint) -> Request {
        Request { endpoint, path_params: vec![], query: vec![], body: None, max_retries: None, absolute_url: None, raw_body: None }
    }
    /// Adds a path parameter.
    pub fn path(mut self, name: &'static str, value: impl ToString) -> Request {
        self.path_params.push((name, value.to_string()));
        self
    }
    /// Adds a query parameter.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Request {
        self.query.push((name.into(), value.into()));
        self
    }
    /// Sets the JSON body.
    pub fn json(mut self, body: serde_json::Value) -> Request {
        self.body = Some(body);
        self
    }
}

/// A successful response.
#[derive(Clone, Debug)]
pub struct Response {
    /// The HTTP status (2xx).
    pub status: u16,
    /// The response headers.
    pub headers: reqwest::header::HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl Response {
    /// Decodes the body, reporting the JSON path and an excerpt when it does not fit.
    pub fn json<T: serde::de::DeserializeOwned>(&self, endpoint: &str) -> Result<T> {
        decode_json(endpoint, &self.body)
    }
}

/// Decodes JSON with the path of the first mismatch (`objects[3].price`).
pub fn decode_json<T: serde::de::DeserializeOwned>(endpoint: &str, body: &[u8]) -> Result<T> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        decode_error(endpoint, body, path, &e.into_inner())
    })?;
    de.end().map_err(|e| decode_error(endpoint, body, String::new(), &e))?;
    Ok(value)
}

/// A decode error at `path`, with an excerpt of the body around the error's position.
pub(crate) fn decode_error(endpoint: &str, body: &[u8], path: String, e: &serde_json::Error) -> Error {
    Error::decode(endpoint, path, e.to_string(), excerpt(body, e.column().saturating_sub(1), e.line()))
}

/// About 40 characters either side of a position (a 1-based line and a byte column, as
/// serde_json reports them). Costs O(excerpt) memory whatever the body's size: only a small
/// byte window is decoded.
fn excerpt(body: &[u8], column: usize, line: usize) -> String {
    let mut line_start = 0;
    for _ in 1..line.max(1) {
        match memchr::memchr(b'\n', &body[line_start..]) {
            Some(i) => line_start += i + 1,
            None => break,
        }
    }
    let line_end = memchr::memchr(b'\n', &body[line_start..]).map_or(body.len(), |i| line_start + i);
    let at = (line_start + column).min(line_end);
    // 4 bytes per character at most: 160 bytes hold 40 characters either way.
    let from = at.saturating_sub(160).max(line_start);
    let to = (at + 160).min(line_end);
    let before = String::from_utf8_lossy(&body[from..at]);
    let after = String::from_utf8_lossy(&body[at..to]);
    let before: String = before.chars().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
    let after: String = after.chars().take(40).collect();
    mask_secret_fields(&(before + &after))
}

/// Key names whose values are secrets in any service's bodies (a courier's
/// `sourcePassword`, Atol's `password`): an excerpt never shows their values.
const SECRET_KEY_ENDINGS: &[&str] = &["password", "token", "secret"];

/// `text` (a piece of a JSON body) with the string value of every key ending in one of
/// [`SECRET_KEY_ENDINGS`] (any case) replaced by `***`, up to its closing quote or the end
/// of the piece.
///
/// ```ignore
/// assert_eq!(mask_secret_fields(r#"{"courierId":1,"sourcePassword":"hunter2","x":1}"#), r#"{"courierId":1,"sourcePassword":"***","x":1}"#);
/// ```
fn mask_secret_fields(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut i) = (0, 0);
    while let Some(found) = lower[i..].find("\"") {
        let quote = i + found;
        i = quote + 1;
        if !SECRET_KEY_ENDINGS.iter().any(|k| lower[..quote].ends_with(k)) {
            continue;
        }
        // `"…password"` then spaces, `:`, spaces, `"`: the value starts after that quote.
        let mut at = quote + 1;
        while b.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        if b.get(at) != Some(&b':') {
            continue;
        }
        at += 1;
        while b.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        if b.get(at) != Some(&b'"') {
            continue;
        }
        let start = at + 1;
        let mut end = start;
        while end < b.len() && b[end] != b'"' {
            end += if b[end] == b'\\' { 2 } else { 1 };
        }
        let end = end.min(b.len());
        out.push_str(&text[copied..start]);
        out.push_str("***");
        copied = end;
        i = end.max(i);
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod excerpt_tests {
    use super::mask_secret_fields;

    #[test]
    fn secret_fields_are_masked_in_excerpts() {
        assert_eq!(mask_secret_fields(r#"{"courierId":1,"sourcePassword":"hunter2","x":1}"#), r#"{"courierId":1,"sourcePassword":"***","x":1}"#);
        assert_eq!(mask_secret_fields(r#"{"password" : "hun\"ter2"}"#), r#"{"password" : "***"}"#);
        assert_eq!(mask_secret_fields(r#"{"Token":"abc"#), r#"{"Token":"***"#);
        assert_eq!(mask_secret_fields(r#"{"title":"password","n":1}"#), r#"{"title":"password","n":1}"#);
        assert_eq!(mask_secret_fields("ключ \"password\": \"секрет\", ещё"), "ключ \"password\": \"***\", ещё");
    }
}

/// What a path parameter's value is escaped against: every byte but the unreserved ones
/// (RFC 3986: letters, digits, `-`, `.`, `_`, `~`).
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The longest request URL sent; a longer one is refused before sending, never retried.
pub const MAX_URL_BYTES: usize = 8192;

/// The HTTP layer shared by a client and its clones.
#[derive(Clone, Debug)]
pub struct Transport {
    /// Follows redirects within the same origin only (idempotent calls).
    http: reqwest::Client,
    /// Follows no redirect (calls that are not idempotent: a redirect is reported, the
    /// request is never sent again).
    http_once: reqwest::Client,
    config: Config,
    auth: Arc<dyn AuthStrategy>,
}

impl Transport {
    /// Builds the HTTP clients: rustls, timeouts, user agent, gzip/deflate answers, no
    /// `Referer`; redirects followed only within the same origin (scheme, host, port) and
    /// never for a call that is not idempotent. Proxies come from the environment
    /// (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`; `NO_PROXY=*` exempts every host, as curl).
    pub fn new(config: Config, auth: Arc<dyn AuthStrategy>) -> Result<Transport> {
        let build = |policy: reqwest::redirect::Policy| {
            let mut builder = reqwest::Client::builder()
                .connect_timeout(config.connect_timeout)
                .timeout(config.timeout)
                .user_agent(config.user_agent.clone())
                .referer(false)
                .redirect(policy);
            if let Some(t) = config.read_timeout {
                builder = builder.read_timeout(t);
            }
            if no_proxy_for_all() {
                builder = builder.no_proxy();
            }
            builder.build().map_err(|e| Error::Internal(format!("cannot build the HTTP client: {}", e.without_url())))
        };
        let http = build(reqwest::redirect::Policy::custom(same_origin_redirects))?;
        let http_once = build(reqwest::redirect::Policy::none())?;
        Ok(Transport { http, http_once, config, auth })
    }

    /// The secrets the auth strategy holds now (for scrubbing).
    pub fn secrets(&self) -> Vec<String> {
        self.auth.secrets()
    }

    /// The settings in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A copy with another auth strategy (shares the connection pool): a JWT strategy sends
    /// its token calls through the client's own transport without credentials.
    pub fn with_auth(&self, auth: Arc<dyn AuthStrategy>) -> Transport {
        Transport { auth, ..self.clone() }
    }

    /// The strategy's own answer to one of its rows asked for by id (see
    /// [`AuthStrategy::own_call`]), `None` for any other row.
    pub async fn own_call(&self, req: &Request) -> Option<Result<Response>> {
        match self.auth.own_call(req) {
            Some(answer) => Some(answer.await),
            None => None,
        }
    }

    /// A copy with another retry count (shares the connection pool).
    pub fn with_max_retries(&self, max_retries: u32) -> Transport {
        let mut t = self.clone();
        t.config.retry.max_retries = max_retries;
        t
    }

    /// The URL of a request, without credentials.
    fn url(&self, req: &Request) -> Result<Url> {
        let mut path = req.endpoint.path.to_owned();
        for name in req.endpoint.path_params() {
            let value = req
                .path_params
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v)
                .ok_or_else(|| Error::invalid_argument(format!("{}: missing path parameter {name:?}", req.endpoint.id), format!("{}: не задан параметр пути {name:?}", req.endpoint.id)))?;
            if value.is_empty() || value == "." || value == ".." {
                let param = req.endpoint.params.iter().find(|p| p.wire == name).map_or(name, |p| p.name);
                return Err(Error::invalid_param(req.endpoint.id, param, "param.path", format!("cannot be {value:?}: it goes into the path"), format!("не может быть {value:?}: он входит в путь запроса")));
            }
            // A path segment: everything but the unreserved characters is escaped, `/` and
            // `?` included, so a value can never change the path's shape.
            let encoded = percent_encoding::utf8_percent_encode(value, PATH_SEGMENT).to_string();
            path = path.replace(&format!("{{{name}}}"), &encoded);
        }
        let mut url = self.config.base_url.join(&path).map_err(|e| Error::invalid_argument(format!("{}: bad path: {e}", req.endpoint.id), format!("{}: неверный путь: {e}", req.endpoint.id)))?;
        if url.origin() != self.config.base_url.origin() || !url.path().starts_with(self.config.base_url.path()) {
            return Err(Error::invalid_argument(
                format!("{}: the path leaves the base URL ({}); not sent", req.endpoint.id, shown_target(&url)),
                format!("{}: путь выходит за пределы адреса сервиса ({}); запрос не отправлен", req.endpoint.id, shown_target(&url)),
            ));
        }
        if !req.query.is_empty() {
            url.query_pairs_mut().extend_pairs(req.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        Ok(url)
    }

    /// Sends a request, retrying idempotent calls on transient failures, and reads the
    /// whole answer (at most [`MAX_RESPONSE_BYTES`]).
    pub async fn execute(&self, req: Request) -> Result<Response> {
        match self.run(req, true).await? {
            Sent::Whole(r) => Ok(r),
            Sent::Streaming(_) => Err(Error::Internal("the transport streamed an answer it was asked to read".into())),
        }
    }

    /// Sends a request like [`Transport::execute`] but returns as soon as a success status
    /// and the headers are in: the body is the caller's to stream (price-list downloads).
    /// Failures before that are retried and mapped exactly as for `execute`, and the
    /// deadline bounds them (connect and headers); the body is not bounded by the deadline
    /// but by `read_timeout` (and `timeout`), as a large download may rightly outlast it.
    pub async fn open(&self, req: Request) -> Result<reqwest::Response> {
        match self.run(req, false).await? {
            Sent::Streaming(r) => Ok(r),
            Sent::Whole(_) => Err(Error::Internal("the transport read an answer it was asked to stream".into())),
        }
    }

    async fn run(&self, req: Request, read_body: bool) -> Result<Sent> {
        let ep = req.endpoint;
        let bare_url = match &req.absolute_url {
            Some(u) => u.clone(),
            None => self.url(&req)?,
        };
        if bare_url.as_str().len() > MAX_URL_BYTES {
            return Err(Error::invalid_argument(
                format!("{}: the request URL would be {} bytes; at most {MAX_URL_BYTES} are sent (a parameter is too long), so nothing was sent", ep.id, bare_url.as_str().len()),
                format!("{}: адрес запроса занял бы {} байт, а отправляется не больше {MAX_URL_BYTES} (слишком длинный параметр); запрос не отправлен", ep.id, bare_url.as_str().len()),
            ));
        }
        let max_retries = if ep.idempotent { req.max_retries.unwrap_or(self.config.retry.max_retries) } else { 0 };
        let method = match ep.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
            Method::Local => return Err(Error::invalid_argument(format!("{} is not an HTTP call", ep.id), format!("{} — не HTTP-вызов", ep.id))),
        };
        let body = match (&req.raw_body, &req.body) {
            (Some((content_type, bytes)), _) => Some((content_type.clone(), bytes.clone())),
            (None, Some(v)) => Some(("application/json".to_owned(), bytes::Bytes::from(serde_json::to_vec(v).map_err(|e| Error::Internal(format!("cannot encode the request body: {e}")))?))),
            (None, None) => None,
        };
        let mut attempt: u32 = 0;
        let mut refreshed = false;
        let call_started = Instant::now();
        let deadline = self.config.call_deadline();
        loop {
            // What is left of the deadline bounds this attempt; nothing is sent once it passed.
            let left = deadline.saturating_sub(call_started.elapsed());
            if left.is_zero() {
                return Err(Error::Timeout { endpoint: ep.id.into(), elapsed: call_started.elapsed(), outcome_unknown: false });
            }
            let limit = self.config.timeout.min(left);
            let mut url = bare_url.clone();
            let mut headers = reqwest::header::HeaderMap::new();
            if ep.auth {
                self.auth.authorize(&mut url, &mut headers).await?;
            }
            let shown_url = redact_url(&url);
            let span = tracing::info_span!("logibridge.request", endpoint = ep.id, method = %ep.method, url = %shown_url, attempt, status = tracing::field::Empty, duration_ms = tracing::field::Empty);
            let started = Instant::now();
            let sent_headers = if ep.auth { headers.clone() } else { reqwest::header::HeaderMap::new() };
            let outcome = self.attempt(ep, method.clone(), url, headers, body.clone(), read_body, limit).instrument(span.clone()).await.map_err(|e| call_elapsed(e, call_started.elapsed()));
            let elapsed = started.elapsed();
            span.record("duration_ms", elapsed.as_millis() as u64);
            let retry_after = match &outcome {
                Ok(_) => {
                    if let Ok(Sent::Whole(r)) = &outcome {
                        span.record("status", r.status);
                    }
                    tracing::debug!(parent: &span, "done");
                    return outcome;
                }
                Err(Error::Http { status, retry_after, .. }) => {
                    span.record("status", *status);
                    if !is_retryable_status(*status) {
                        return outcome;
                    }
                    *retry_after
                }
                Err(Error::Auth { status: Some(401), .. }) => {
                    span.record("status", 401);
                    if !ep.auth || refreshed {
                        return outcome;
                    }
                    // Expired credentials are renewed once; a second 401 stands.
                    refreshed = true;
                    if self.auth.refresh(&sent_headers).await? {
                        continue;
                    }
                    return outcome;
                }
                // A refused redirect is the service's answer, not a transient failure: the
                // same request would be refused again.
                Err(e @ Error::Transport { .. }) if is_refused_redirect(e) => return outcome,
                Err(Error::Transport { .. }) | Err(Error::Timeout { .. }) => None,
                Err(_) => return outcome,
            };
            if attempt >= max_retries {
                return outcome;
            }
            let delay = self.config.retry.delay(attempt, retry_after);
            if call_started.elapsed() + delay >= deadline {
                tracing::info!(parent: &span, retry_in_ms = delay.as_millis() as u64, deadline_ms = deadline.as_millis() as u64, "not retrying: the wait would pass the call's deadline");
                return outcome;
            }
            tracing::info!(parent: &span, retry_in_ms = delay.as_millis() as u64, error = %outcome.as_ref().err().map(|e| e.to_string()).unwrap_or_default(), "retrying");
            drop(outcome);
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// One attempt, bounded by `limit` (the timeout, or less when the deadline is nearer):
    /// the whole exchange when the body is read, up to the headers when it is streamed.
    #[allow(clippy::too_many_arguments)]
    async fn attempt(&self, ep: &'static Endpoint, method: reqwest::Method, url: Url, headers: reqwest::header::HeaderMap, body: Option<(String, bytes::Bytes)>, read_body: bool, limit: Duration) -> Result<Sent> {
        let started = Instant::now();
        let accept = if read_body { "application/json" } else { "*/*" };
        let http = if ep.idempotent { &self.http } else { &self.http_once };
        let mut rb = http.request(method, url).headers(headers).header(reqwest::header::ACCEPT, accept);
        if let Some((content_type, b)) = body {
            rb = rb.header(reqwest::header::CONTENT_TYPE, content_type).body(b);
        }
        let resp = if read_body {
            // reqwest's per-request timeout runs until the body is read.
            rb.timeout(limit).send().await.map_err(|e| self.map_reqwest(ep, e, started, false))?
        } else {
            // A streamed body must not be cut by the limit: only the wait for the headers is.
            match tokio::time::timeout(limit, rb.send()).await {
                Ok(sent) => sent.map_err(|e| self.map_reqwest(ep, e, started, false))?,
                // The connection may have been made and the request written.
                Err(_) => return Err(Error::Timeout { endpoint: ep.id.into(), elapsed: started.elapsed(), outcome_unknown: !ep.idempotent }),
            }
        };
        let status = resp.status().as_u16();
        let resp_url = resp.url().clone();
        if !read_body && (200..300).contains(&status) {
            return Ok(Sent::Streaming(resp));
        }
        let headers = resp.headers().clone();
        if let Some(len) = resp.content_length() {
            if len as usize > MAX_RESPONSE_BYTES {
                return Err(too_large(ep.id, Some(len)));
            }
        }
        let body = read_capped(resp, ep, MAX_RESPONSE_BYTES).await.map_err(|e| match e {
            // The service has answered (a status is in): the request was received.
            ReadError::Http(e) => self.map_reqwest(ep, e, started, true),
            ReadError::TooLarge => too_large(ep.id, None),
        })?;
        if (200..300).contains(&status) && !self.config.errors.is_error_in_success(&body) {
            return Ok(Sent::Whole(Response { status, headers, body }));
        }
        if (300..400).contains(&status) {
            // Only a call that is not idempotent sees a redirect here: it is never re-sent.
            let to = headers.get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).and_then(|l| resp_url.join(l).ok()).map(|u| shown_target(&u)).unwrap_or_else(|| "(no Location)".into());
            return Err(Error::Http {
                endpoint: ep.id.into(),
                status,
                message: format!("the service redirected this call to {to}; a call that is not idempotent is never sent twice, so the redirect was not followed"),
                body: String::new(),
                retry_after: None,
                outcome_unknown: true,
            });
        }
        let text = String::from_utf8_lossy(&body);
        let message = scrub(&service_message(self.config.errors, &text), &self.auth.secrets());
        let body_text = scrub(&text.chars().take(2000).collect::<String>(), &self.auth.secrets());
        if status == 401 {
            return Err(Error::Auth { endpoint: ep.id.into(), status: Some(status), message, body: body_text });
        }
        let retry_after = headers.get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(|v| parse_retry_after(v, SystemTime::now()));
        // A gateway or server error may stand in for the answer of a change the service made.
        let outcome_unknown = !ep.idempotent && matches!(status, 500 | 502 | 503 | 504);
        Err(Error::Http { endpoint: ep.id.into(), status, message, body: body_text, retry_after, outcome_unknown })
    }

    /// Maps a reqwest error and decides [`Error::outcome_unknown`]: a call that is not
    /// idempotent whose request may have reached the service. A connect error (connect
    /// timeout included) means not sent; anything later — a timeout while waiting for or
    /// reading the answer, a connection closed or reset after it was made, a broken body —
    /// means the service may have applied it (`answered`: the status line was already in).
    fn map_reqwest(&self, ep: &'static Endpoint, e: reqwest::Error, started: Instant, answered: bool) -> Error {
        let not_sent = !answered && e.is_connect();
        let unknown = !ep.idempotent && !not_sent;
        map_reqwest_error(ep.id, e, started.elapsed()).with_outcome_unknown(unknown).scrubbed(&self.auth.secrets())
    }
}

/// An answer above [`MAX_RESPONSE_BYTES`] (`len` when the service announced it).
fn too_large(endpoint: &str, len: Option<u64>) -> Error {
    let (en, ru) = match len {
        Some(len) => (format!("response of {len} bytes exceeds the {MAX_RESPONSE_BYTES}-byte cap"), format!("ответ в {len} байт больше предела в {MAX_RESPONSE_BYTES} байт")),
        None => (format!("response exceeds the {MAX_RESPONSE_BYTES}-byte cap"), format!("ответ больше предела в {MAX_RESPONSE_BYTES} байт")),
    };
    Error::Decode { endpoint: endpoint.into(), path: String::new(), message: en, message_ru: ru, excerpt: String::new() }
}

/// The one mapping of a reqwest error: a timeout, or a transport error whose message is
/// the cause chain — never with the URL, which may carry a key.
pub(crate) fn map_reqwest_error(endpoint: &str, e: reqwest::Error, elapsed: Duration) -> Error {
    if e.is_timeout() {
        return Error::Timeout { endpoint: endpoint.into(), elapsed, outcome_unknown: false };
    }
    let e = e.without_url();
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    let message_ru = crate::error::russian::network_failure(&e, &message);
    Error::Transport { endpoint: endpoint.into(), message, message_ru, source: Some(Box::new(e)), outcome_unknown: false }
}

/// A timeout reports how long the whole call took, retries and waits included.
fn call_elapsed(e: Error, elapsed: Duration) -> Error {
    match e {
        Error::Timeout { endpoint, outcome_unknown, .. } => Error::Timeout { endpoint, elapsed, outcome_unknown },
        other => other,
    }
}

/// A redirect the policy refused (another origin, too many): deterministic, never retried.
fn is_refused_redirect(e: &Error) -> bool {
    let Error::Transport { source: Some(source), .. } = e else { return false };
    source.downcast_ref::<reqwest::Error>().is_some_and(reqwest::Error::is_redirect)
}

/// `NO_PROXY=*` (or `no_proxy=*`): no host goes through a proxy.
fn no_proxy_for_all() -> bool {
    ["NO_PROXY", "no_proxy"].iter().any(|k| std::env::var(k).is_ok_and(|v| v.split(',').any(|h| h.trim() == "*")))
}

/// A URL without its query, fragment and user-info: safe to name in a message.
pub fn shown_target(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
}

/// The redirect error: the target is named without its query.
#[derive(Debug)]
struct RedirectRefused(String);

impl std::fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RedirectRefused {}

/// Follows a redirect only to the same origin (scheme, host, port), at most 10 times: a
/// credential in the URL or a header never reaches another host.
fn same_origin_redirects(attempt: reqwest::redirect::Attempt<'_>) -> reqwest::redirect::Action {
    let first = attempt.previous().first().cloned();
    let target = attempt.url().clone();
    match first {
        Some(from) if from.origin() != target.origin() => {
            attempt.error(RedirectRefused(format!("the service redirected to another origin, {}; not followed, so the request and its credentials stay with the service", shown_target(&target))))
        }
        _ if attempt.previous().len() > 10 => attempt.error(RedirectRefused("more than 10 redirects".into())),
        _ => attempt.follow(),
    }
}

/// What one attempt produced: a whole answer, or one whose body is still to be streamed.
enum Sent {
    Whole(Response),
    Streaming(reqwest::Response),
}

enum ReadError {
    Http(reqwest::Error),
    TooLarge,
}

async fn read_capped(mut resp: reqwest::Response, _ep: &Endpoint, cap: usize) -> std::result::Result<Bytes, ReadError> {
    let mut buf = bytes::BytesMut::new();
    while let Some(chunk) = resp.chunk().await.map_err(ReadError::Http)? {
        if buf.len() + chunk.len() > cap {
            return Err(ReadError::TooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// The string member `key` of a body written as PHP's `print_r`/array literal spells it
/// (`{"error" => true, "message" => "Модель не существует"}`, as iRECA's document does in
/// its prose), which is not JSON: `"key"`, `=>` or `:`, then a quoted string.
fn php_arrow_member(body: &str, key: &str) -> Option<String> {
    let quoted = format!("\"{key}\"");
    let at = body.find(&quoted)? + quoted.len();
    let rest = body[at..].trim_start();
    let rest = rest.strip_prefix("=>").or_else(|| rest.strip_prefix(':'))?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let value: String = serde_json::from_str(&format!("\"{}\"", &rest[..rest.find('"')?])).ok()?;
    (!value.is_empty()).then_some(value)
}

/// Extracts the service's own message from an error body: the first of the format's keys
/// that holds a non-empty string (Carreta `{"error": "..."}`, iRECA
/// `{"error": true, "message": "..."}`, CARGO.RUN `{"errorMessage": "..."}`); a body that is
/// not JSON is taken as plain text (trimmed, at most 500 characters).
///
/// ```
/// use logibridge::{endpoints::{carreta, ErrorFormat}, transport::service_message};
/// assert_eq!(service_message(carreta::SERVICE.errors, r#"{"error": "Unauthorized."}"#), "Unauthorized.");
/// let ireca = ErrorFormat::keys(&["message", "error"]);
/// assert_eq!(service_message(ireca, r#"{"error": true, "message": "Нет доступа"}"#), "Нет доступа");
/// assert_eq!(service_message(ireca, "Bid not found"), "Bid not found");
/// assert_eq!(service_message(ireca, r#"{"error" => true, "message" => "Модель не существует"}"#), "Модель не существует");
/// ```
pub fn service_message(format: ErrorFormat, body: &str) -> String {
    let json: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let keys: &[&str] = if format.message_keys.is_empty() { &["message", "error"] } else { format.message_keys };
    let found = json.as_ref().and_then(|v| {
        keys.iter().find_map(|k| match v.get(*k) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        })
    });
    found.or_else(|| keys.iter().find_map(|k| php_arrow_member(body, k))).unwrap_or_else(|| {
        let t = body.trim();
        if t.is_empty() {
            "(empty response)".to_owned()
        } else {
            t.chars().take(500).collect()
        }
    })
}
