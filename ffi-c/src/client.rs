//! Clients and the generic calls: `lb_client_new` (every service), `lb_carreta_new` (its
//! compatibility wrapper), `lb_call`, `lb_call_async`.
//!
//! Nothing here is per service or per endpoint: a client is the core's generic
//! `logibridge::Client`, configured by option names, and every call goes by endpoint id.

use std::ffi::{c_char, c_void};
use std::panic::AssertUnwindSafe;
use std::ptr;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use futures_util::FutureExt;
use lbcore::blocking::panic_message;
use lbcore::{Client, Error};
use serde_json::{Map, Value};
use tokio::sync::Notify;

use crate::error::lb_error_t;
use crate::{arg_out, arg_ref, arg_str, c_string, guard, is_null, lb_status, not_an_object, not_json, opt_str, reset_out};

/// A client of one service. Opaque; made by `lb_client_new` (or `lb_carreta_new`), freed
/// by `lb_client_free`.
///
/// Thread safety: one client may be used by any number of threads at once (`lb_call` and
/// `lb_call_async` only read it); the threads share its connection pool. It must not be
/// freed while another thread is inside a call with it. Asynchronous calls already
/// started keep what they need, so freeing the client does not disturb them.
///
/// A client belongs to the process that made it: after `fork()` its connections and the
/// threads that serve them are the parent's, so in the child every call with it fails with
/// `LB_INVALID_ARGUMENT` (make a new client there: it works), and freeing it in the child
/// releases the memory without closing the parent's connections.
pub struct lb_client_t {
    inner: Client,
    /// [`lbcore::blocking::fork_generation`] of the process that made it.
    made_in: u64,
}

impl lb_client_t {
    /// The client, if this process made it.
    pub(crate) fn get(&self) -> Result<&Client, Error> {
        if self.made_in == lbcore::blocking::fork_generation() {
            return Ok(&self.inner);
        }
        Err(Error::invalid_argument(
            "this client was made before fork() in the parent process; its connections are the parent's: make a new client in this process",
            "этот клиент создан до fork() в родительском процессе, его соединения принадлежат родителю: создайте новый клиент в этом процессе",
        ))
    }
}

impl Drop for lb_client_t {
    fn drop(&mut self) {
        if self.made_in != lbcore::blocking::fork_generation() {
            // The parent's connections: closing them here would deregister the parent's
            // sockets from the epoll set both processes share.
            // A forgotten clone keeps the shared pool alive: it is never dropped here.
            std::mem::forget(self.inner.clone());
        }
    }
}

/// The one constructor path: a service by prefix, options by name, the core's checks.
fn new_client(service: &str, options: &Map<String, Value>) -> Result<*mut lb_client_t, Error> {
    let inner = Client::for_service(service)?.options(options).build()?;
    Ok(Box::into_raw(Box::new(lb_client_t { inner, made_in: lbcore::blocking::fork_generation() })))
}

/// `options_json` as a JSON object; NULL, `""` or blanks mean `{}`.
fn parse_options(json: Option<&str>) -> Result<Map<String, Value>, Error> {
    let Some(json) = json.filter(|j| !j.trim().is_empty()) else {
        return Ok(Map::new());
    };
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(not_an_object("options_json")),
        Err(e) => Err(not_json("options_json", &e)),
    }
}

/// Makes a client of any service the library knows: a built-in one (`"carreta"`) or one
/// declared with `lb_service_register`. On success `*client_out` receives a new client
/// (free it with `lb_client_free`); on failure it is NULL. No request is sent.
///
/// - `service`: the service's prefix, the first part of its endpoint ids (`"carreta"`).
///   An unknown one is `LB_INVALID_ARGUMENT`, naming the services this build knows.
/// - `options_json`: NULL, `""` or a UTF-8 JSON object of options by name, the same names
///   in every face (`null` leaves an option at its default):
///   - `"base_url"`: the service URL (the sandbox's, a customer host); default: the
///     service's production URL;
///   - each credential of the service by its name (`"api_key"` for Carreta, `"token"`,
///     ...; see `"credentials"` in `lb_endpoints`), a string;
///   - `"timeout"` / `"connect_timeout"` in seconds, or `"timeout_ms"` /
///     `"connect_timeout_ms"` in milliseconds (defaults 30 s and 10 s; from 1 ms to one day);
///   - `"deadline"` in seconds or `"deadline_ms"`: the most one call may take, retries and
///     their waits included (default 3 × the timeout; the same limits);
///   - `"max_retries"`: retries of idempotent calls, 0..=100 (default 2);
///   - each common parameter of the service (Carreta's `"account"`), as the default of
///     every call.
///
/// Fails with `LB_INVALID_ARGUMENT` on malformed JSON, an unknown option, a value of the
/// wrong type or out of its limits, a missing or empty required credential, or a malformed
/// `base_url`; `lb_error_field` then names the option (`"timeout"`, `"api_key"`). No error
/// text ever holds a credential's value.
///
/// ```c
/// lb_client_t *client = NULL;
/// lb_error_t *error = NULL;
/// lb_status st = lb_client_new("carreta",
///     "{\"api_key\": \"KEY\", \"base_url\": \"http://127.0.0.1:8080/carreta/v1/\", \"timeout\": 5}",
///     &client, &error);
/// ```
#[no_mangle]
pub unsafe extern "C" fn lb_client_new(
    service: *const c_char,
    options_json: *const c_char,
    client_out: *mut *mut lb_client_t,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    reset_out(client_out);
    guard(error_out, || {
        let service = arg_str(service, "service")?;
        let options = parse_options(opt_str(options_json, "options_json")?)?;
        let out = arg_out(client_out, "client_out")?;
        *out = new_client(service, &options)?;
        Ok(())
    })
}

/// Settings of a Carreta client for `lb_carreta_new`. Fill it with
/// `lb_carreta_options_init` first, then set what you need: every field you do not set
/// keeps its default. The layout is part of the ABI of this major version (a new field
/// means a new major version and a rebuild). New code may prefer `lb_client_new`, which
/// takes the same settings by name.
///
/// The library copies what it needs during `lb_carreta_new`: the strings may be freed
/// right after it returns.
#[repr(C)]
pub struct lb_carreta_options_t {
    /// The `api_key` from the shop's profile page. Required, UTF-8.
    pub api_key: *const c_char,
    /// The service URL (the sandbox's, or another host); NULL means the production
    /// `https://api.carreta.ru/v1/`.
    pub base_url: *const c_char,
    /// The account to act for when the key serves several; NULL means the manager's
    /// default. A call may override it with the `account` parameter.
    pub account: *const c_char,
    /// Time for a whole request, in milliseconds; 0 means the default (30000). At most one
    /// day (86400000).
    pub timeout_ms: u32,
    /// Time to connect, in milliseconds; 0 means the default (10000). At most one day.
    pub connect_timeout_ms: u32,
    /// How often an idempotent call is retried after a timeout, a connection error, 429
    /// or 5xx (default 2; 0 turns retries off; at most 100). Orders are never retried.
    pub max_retries: u32,
    /// The most one call may take, retries and their waits included, in milliseconds; 0
    /// means the default (3 × `timeout_ms`). At most one day. Each attempt gets at most what
    /// is left; once it has passed the call fails with `LB_TIMEOUT`, and a retry whose wait
    /// would pass it is not made (a 429 is returned at once with its `retry_after`).
    pub deadline_ms: u32,
}

/// Fills `options` with the defaults: every string NULL, `timeout_ms` 30000,
/// `connect_timeout_ms` 10000, `max_retries` 2, `deadline_ms` 0 (3 × the timeout). NULL is
/// ignored.
#[no_mangle]
pub unsafe extern "C" fn lb_carreta_options_init(options: *mut lb_carreta_options_t) {
    if let Some(o) = options.as_mut() {
        *o = lb_carreta_options_t {
            api_key: ptr::null(),
            base_url: ptr::null(),
            account: ptr::null(),
            timeout_ms: 30_000,
            connect_timeout_ms: 10_000,
            max_retries: 2,
            deadline_ms: 0,
        };
    }
}

/// Makes a Carreta client from an options struct: the same as
/// `lb_client_new("carreta", ...)` with the struct's fields as options (`api_key`,
/// `base_url`, `account`, `timeout_ms`, `connect_timeout_ms` and `deadline_ms` when not 0,
/// `max_retries`).
/// On success `*client_out` receives a new client (free it with `lb_client_free`); on
/// failure it is NULL. Fails with `LB_INVALID_ARGUMENT` on a NULL or empty `api_key`, a
/// malformed `base_url`, or a timeout or `max_retries` beyond its limit (`lb_error_field`
/// names the option). No request is sent.
#[no_mangle]
pub unsafe extern "C" fn lb_carreta_new(
    options: *const lb_carreta_options_t,
    client_out: *mut *mut lb_client_t,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    reset_out(client_out);
    guard(error_out, || {
        let o = arg_ref(options, "options")?;
        let out = arg_out(client_out, "client_out")?;
        let mut map = Map::new();
        for (name, p) in [
            ("api_key", o.api_key),
            ("base_url", o.base_url),
            ("account", o.account),
        ] {
            if let Some(s) = opt_str(p, &format!("options->{name}"))? {
                map.insert(name.to_owned(), Value::from(s));
            }
        }
        for (name, ms) in [
            ("timeout_ms", o.timeout_ms),
            ("connect_timeout_ms", o.connect_timeout_ms),
            ("deadline_ms", o.deadline_ms),
        ] {
            if ms > 0 {
                map.insert(name.to_owned(), Value::from(ms));
            }
        }
        map.insert("max_retries".to_owned(), Value::from(o.max_retries));
        *out = new_client("carreta", &map)?;
        Ok(())
    })
}

/// Frees a client. NULL is ignored. Asynchronous calls in flight finish normally.
#[no_mangle]
pub unsafe extern "C" fn lb_client_free(client: *mut lb_client_t) {
    if !client.is_null() {
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(client))));
    }
}

/// Calls any endpoint of the client's service by its id (e.g. `"carreta.search.query"`;
/// `lb_endpoints` and `docs/endpoints.md` list them with their parameters) and waits for
/// the answer.
///
/// - `endpoint_id`: must exist in the endpoint table and belong to the client's service,
///   else `LB_INVALID_ARGUMENT`.
/// - `params_json`: a UTF-8 JSON object with the call's parameters (e.g.
///   `{"q": "oc47"}`), or NULL / `""` for none. An unknown, misspelt, missing or mistyped
///   parameter is `LB_INVALID_ARGUMENT`, with `lb_error_field` naming it and
///   `lb_error_code` the rule (`param.unknown`, `param.required`, `param.type`,
///   `param.min`, ...).
/// - `*response_json_out`: on success, the result as UTF-8 JSON in the documented shape
///   (free it with `lb_string_free`); NULL on failure.
///
/// The documented rules are checked before anything is sent (`LB_VALIDATION`). Safe to
/// call from many threads at once with the same client, and from inside an
/// `lb_call_async` callback. Blocks the calling thread until the answer (or the timeout).
#[no_mangle]
pub unsafe extern "C" fn lb_call(
    client: *const lb_client_t,
    endpoint_id: *const c_char,
    params_json: *const c_char,
    response_json_out: *mut *mut c_char,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    reset_out(response_json_out);
    guard(error_out, || {
        let client = arg_ref(client, "client")?;
        let id = arg_str(endpoint_id, "endpoint_id")?;
        let params = opt_str(params_json, "params_json")?.unwrap_or("");
        let out = arg_out(response_json_out, "response_json_out")?;
        // The core's one "run on the shared runtime and wait": it also works on the
        // runtime's blocking pool, where lb_call_async callbacks run.
        let text = client.get()?.call_json_blocking(id, params)?;
        *out = c_string(text).into_raw();
        Ok(())
    })
}

/// Calls the client's service by HTTP method and path, for an operation that has no
/// endpoint id (CARGO.RUN's newest pages' ETRN calls under `/api/waybill/Bids/`) or when the path is what
/// you have; waits for the answer like `lb_call`.
///
/// - `method`: `"GET"`, `"POST"`, `"PUT"` or `"DELETE"`, any case. HEAD and others are
///   `LB_INVALID_ARGUMENT` (field `method`): nothing is sent.
/// - `path`: relative to the client's `base_url` (`"/api/Trackers/Get/17"`; a leading `/`
///   and the case do not matter for a path the Swagger knows). One with a query string,
///   `..`, a scheme or a host is `LB_INVALID_ARGUMENT` (field `path`).
/// - `params_json`: NULL, `""` or `{"query": {...}, "body": ...}`: the query parameters
///   (scalars or arrays of scalars, an array sent as the name repeated) and the JSON body.
///   Another key is `LB_INVALID_ARGUMENT` (`param.unknown`).
/// - `*response_json_out`: on success the answer as UTF-8 JSON (`null` for an empty
///   body); free it with `lb_string_free`.
///
/// A CARGO.RUN path of its Swagger is sent as that operation's generic row
/// (`cargorun.swagger.*`): its path parameters, query and body are checked against the
/// Swagger schema first (`LB_INVALID_ARGUMENT`, `lb_error_field` the JSON path, e.g.
/// `body.id`, `lb_error_code` `schema.type`), and a path the Swagger has under another
/// method only is refused. A path the Swagger does not know is sent as given, with the
/// client's authentication; an error status comes back as `LB_HTTP` etc. with the endpoint
/// `cargorun.path.<method>`.
///
/// ```c
/// char *answer = NULL;
/// lb_error_t *error = NULL;
/// lb_status st = lb_call_path(client, "POST", "/api/waybill/Bids/Sign",
///     "{\"query\": {\"bidId\": 17}, \"body\": {\"bidId\": 17}}", &answer, &error);
/// ```
#[no_mangle]
pub unsafe extern "C" fn lb_call_path(
    client: *const lb_client_t,
    method: *const c_char,
    path: *const c_char,
    params_json: *const c_char,
    response_json_out: *mut *mut c_char,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    reset_out(response_json_out);
    guard(error_out, || {
        let client = arg_ref(client, "client")?.get()?.clone();
        let method = arg_str(method, "method")?.to_owned();
        let path = arg_str(path, "path")?.to_owned();
        let params = opt_str(params_json, "params_json")?.unwrap_or("").to_owned();
        let out = arg_out(response_json_out, "response_json_out")?;
        let text = lbcore::blocking::wait(async move { client.call_path_json(&method, &path, &params).await })??;
        *out = c_string(text).into_raw();
        Ok(())
    })
}

/// Receives the outcome of an `lb_call_async`, exactly once, on a library thread.
///
/// - `user_data`: the pointer given to `lb_call_async`, untouched.
/// - `status`: `LB_OK`, an error status, or `LB_CANCELLED`.
/// - `response_json`: on `LB_OK` the result as UTF-8 JSON, else NULL. Owned by the
///   library and valid only until the callback returns: copy it to keep it.
/// - `error`: on failure the details, else NULL. Owned by the library and valid only
///   until the callback returns (do not pass it to `lb_error_free`).
///
/// The callback may block and may call `lb_call` (it runs on a thread of the library's
/// blocking pool, not on one that drives network I/O), but a slow callback holds a
/// thread: hand long work to your own threads.
pub type lb_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        status: lb_status,
        response_json: *const c_char,
        error: *const lb_error_t,
    ),
>;

/// A started asynchronous call, for `lb_call_cancel`. Opaque; free it with
/// `lb_call_handle_free` (any time: before or after the callback, from any thread).
pub struct lb_call_handle_t {
    state: Arc<CallState>,
}

const PENDING: u8 = 0;
const DONE: u8 = 1;
const CANCELLED: u8 = 2;

struct CallState {
    phase: AtomicU8,
    cancel: Notify,
}

/// What the task hands to the callback thread. The pointers are the caller's business:
/// `user_data` is passed back untouched, as the API promises.
struct Delivery {
    callback: unsafe extern "C" fn(*mut c_void, lb_status, *const c_char, *const lb_error_t),
    user_data: *mut c_void,
}
// SAFETY: the library never dereferences `user_data`; making it usable on the callback
// thread is what the caller asked for by passing it to lb_call_async.
unsafe impl Send for Delivery {}

impl Delivery {
    fn deliver(self, outcome: Result<String, lb_error_t>) {
        match outcome {
            Ok(text) => {
                let text = c_string(text);
                // SAFETY: a callback the caller supplied, called with valid pointers.
                unsafe {
                    (self.callback)(self.user_data, lb_status::LB_OK, text.as_ptr(), ptr::null())
                }
            }
            Err(e) => unsafe { (self.callback)(self.user_data, e.status, ptr::null(), &e) },
        }
    }
}

/// Starts a call like `lb_call` without waiting: returns at once, and `callback` is
/// invoked exactly once with the outcome on a library thread (see `lb_callback`).
///
/// - Returns `LB_OK` when the call was started. Any other status means it was not (a NULL
///   or non-UTF-8 argument, an unknown endpoint id or one of another service) and the
///   callback will never be invoked.
///   Parameter errors found later (bad JSON, unknown names, validation) arrive through the
///   callback.
/// - `params_json` is copied: it may be freed as soon as this returns.
/// - `handle_out`: optional. If given, `*handle_out` receives a handle for
///   `lb_call_cancel`, to be freed with `lb_call_handle_free`.
#[no_mangle]
pub unsafe extern "C" fn lb_call_async(
    client: *const lb_client_t,
    endpoint_id: *const c_char,
    params_json: *const c_char,
    callback: lb_callback,
    user_data: *mut c_void,
    handle_out: *mut *mut lb_call_handle_t,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    reset_out(handle_out);
    guard(error_out, || {
        let client = arg_ref(client, "client")?.get()?.clone();
        let id = arg_str(endpoint_id, "endpoint_id")?;
        client.endpoint(id)?;
        let id = id.to_owned();
        let params = opt_str(params_json, "params_json")?
            .unwrap_or("")
            .to_owned();
        let callback = callback.ok_or_else(|| is_null("callback"))?;
        let delivery = Delivery {
            callback,
            user_data,
        };
        let state = Arc::new(CallState {
            phase: AtomicU8::new(PENDING),
            cancel: Notify::new(),
        });
        if !handle_out.is_null() {
            *handle_out = Box::into_raw(Box::new(lb_call_handle_t {
                state: state.clone(),
            }));
        }
        lbcore::blocking::runtime().spawn(async move {
            let call = AssertUnwindSafe(client.call_json(&id, &params)).catch_unwind();
            let finished = tokio::select! {
                biased;
                _ = state.cancel.notified() => None,
                r = call => Some(r),
            };
            let outcome = match finished {
                Some(r)
                    if state
                        .phase
                        .compare_exchange(PENDING, DONE, Ordering::AcqRel, Ordering::Acquire)
                        .is_ok() =>
                {
                    match r {
                        Ok(Ok(text)) => Ok(text),
                        Ok(Err(e)) => Err(lb_error_t::from_core(&e)),
                        Err(p) => Err(lb_error_t::from_core(&Error::Internal(format!(
                            "panic inside the call: {}",
                            panic_message(p.as_ref())
                        )))),
                    }
                }
                _ => Err(lb_error_t::cancelled(&id)),
            };
            // The callback runs on the blocking pool: it may block without stalling I/O.
            lbcore::blocking::spawn_blocking(move || delivery.deliver(outcome));
        });
        Ok(())
    })
}

/// Asks an asynchronous call to stop. If it has not finished yet, the request is
/// abandoned (the connection is dropped) and its callback receives `LB_CANCELLED`;
/// if it already finished, this does nothing and the callback gets the real outcome.
/// Cancelling twice is harmless. Note that a cancelled `carreta.order.create` may still
/// have reached the shop: look the order up by its `client_comment`.
///
/// Returns `LB_OK`, or `LB_INVALID_ARGUMENT` for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn lb_call_cancel(handle: *const lb_call_handle_t) -> lb_status {
    guard(ptr::null_mut(), || {
        let h = arg_ref(handle, "handle")?;
        if h.state
            .phase
            .compare_exchange(PENDING, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            // notify_one keeps a permit if the task is not waiting yet, so no wake-up is lost.
            h.state.cancel.notify_one();
        }
        Ok(())
    })
}

/// Frees a call handle. Does not cancel the call: its callback is still invoked. NULL is
/// ignored.
#[no_mangle]
pub unsafe extern "C" fn lb_call_handle_free(handle: *mut lb_call_handle_t) {
    if !handle.is_null() {
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(handle))));
    }
}
