//! The core's `tracing` events → Python's `logging.getLogger("logibridge")`.
//!
//! The transport opens one `logibridge.request` span per HTTP attempt (endpoint, method,
//! redacted URL, attempt, then status and duration) and emits `done` (debug) on success
//! and `retrying` (info) before a retry. This layer turns those into one log record each,
//! plus one record for an attempt that ended in an error without either event. Records
//! carry the fields as attributes (`record.endpoint`, `record.status`, …). The URL was
//! redacted by the core before it reached the span; no other field can hold a secret.
//! The core's other events, outside a request's span (a token file that could not be
//! written, a sign-in's 429 wait, a renewal that failed, the iRECA receiver's refusals),
//! are one record each too: the event's message, then its fields, which are also the
//! record's attributes (the core's errors and fields never hold a secret either).
//!
//! Handlers never run on the thread that serves a request (a handler waiting for a lock
//! the caller holds would deadlock the call; a slow one would stretch every call's
//! timeout): the layer puts records on a bounded queue, without the GIL, and a Python
//! thread (`logibridge._logging`) takes them with [`logging_next`] and calls the
//! handlers. When the queue is full a record is dropped and counted
//! ([`logging_dropped`]); once the queue has drained, one `WARNING` record says how many
//! were lost. The queue holds `LOGIBRIDGE_LOG_QUEUE` records (default 10,000), one queue
//! per process (a forked child starts with an empty one).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError};
use std::sync::Mutex;
use std::time::Duration;

use logibridge::blocking::PerProcess;
use logibridge::Error;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use serde_json::Value;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use crate::convert;
use crate::errors::to_pyerr;
use crate::lifecycle;

static NEXT_REQUEST_ID: AtomicU64 = AtomicU64::new(1);

/// Python's `logging.DEBUG`.
pub const DEBUG: i32 = 10;
/// Python's `logging.WARNING`.
const WARNING: i32 = 30;

/// Records the queue holds unless `LOGIBRIDGE_LOG_QUEUE` says otherwise.
const DEFAULT_CAPACITY: usize = 10_000;
/// Records handed to the Python thread at a time.
const BATCH: usize = 256;

/// One record for the `logibridge` logger: level (Python's numbers), message, and the
/// attributes the record carries.
struct LogRecord {
    level: i32,
    message: String,
    extra: Vec<(&'static str, Value)>,
}

enum Message {
    Record(LogRecord),
    /// Wakes the Python thread to see that the interpreter exits.
    Wake,
}

/// This process's queue and its counts.
struct Queue {
    sender: SyncSender<Message>,
    /// Locked only by the one Python thread that drains the queue.
    receiver: Mutex<Receiver<Message>>,
    /// Records put on the queue.
    accepted: AtomicU64,
    /// Records dropped because the queue was full, in all.
    dropped: AtomicU64,
    /// Dropped records no warning has reported yet.
    unreported: AtomicU64,
}

static QUEUE: PerProcess<Queue> = PerProcess::new();

/// The queue's size from `LOGIBRIDGE_LOG_QUEUE`: a whole number of records, at least 1.
fn capacity() -> logibridge::Result<usize> {
    let Ok(text) = std::env::var("LOGIBRIDGE_LOG_QUEUE") else { return Ok(DEFAULT_CAPACITY) };
    match text.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(Error::invalid_argument(
            format!("LOGIBRIDGE_LOG_QUEUE must be a whole number of log records, at least 1; it is {text:?}"),
            format!("LOGIBRIDGE_LOG_QUEUE должна быть целым числом записей журнала, не меньше 1; задано {text:?}"),
        )),
    }
}

fn queue() -> &'static Queue {
    QUEUE.get_or_init(|| {
        // Checked at import (see `install`); a child inherits the same environment.
        let (sender, receiver) = sync_channel(capacity().unwrap_or(DEFAULT_CAPACITY));
        Queue { sender, receiver: Mutex::new(receiver), accepted: AtomicU64::new(0), dropped: AtomicU64::new(0), unreported: AtomicU64::new(0) }
    })
}

/// The lowest level (Python's numbers) the `logibridge` logger handles now: what
/// `logger.isEnabledFor(level)` answers, kept current by `logibridge._logging` whenever
/// Python's logging drops its own cache of those answers (`setLevel`, `logging.disable`,
/// configuration). 0 (everything) until the package sets it.
///
/// Records below it are not made at all: with the logger at its default `WARNING`, a call
/// builds no span fields, queues nothing and wakes no Python thread, where it used to
/// queue a `DEBUG` record that the logging thread took the GIL to convert and discard,
/// once per call, competing with the caller for the GIL.
static THRESHOLD: AtomicI32 = AtomicI32::new(0);

/// Whether a record at `level` (Python's numbers) would be handled.
fn wanted(level: i32) -> bool {
    level >= THRESHOLD.load(Ordering::Relaxed)
}

/// Sets the lowest level the `logibridge` logger handles (see [`THRESHOLD`]); called by
/// `logibridge._logging` with `max(logger.getEffectiveLevel(), logging.root.manager.disable + 1)`.
#[pyfunction]
pub fn logging_set_threshold(level: i32) {
    THRESHOLD.store(level, Ordering::Relaxed);
}

/// Puts a record on the queue, or counts it as dropped when the queue is full. Never
/// blocks and never takes the GIL: it runs on the threads that serve requests. A record
/// below [`THRESHOLD`] is not queued (nor counted).
fn enqueue(record: LogRecord) {
    if !wanted(record.level) {
        return;
    }
    let q = queue();
    match q.sender.try_send(Message::Record(record)) {
        Ok(()) => {
            q.accepted.fetch_add(1, Ordering::Release);
        }
        Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
            q.dropped.fetch_add(1, Ordering::Relaxed);
            q.unreported.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A record of the library's own (no request fields), e.g. an answer dropped because its
/// event loop was closed.
pub fn note(level: i32, message: String) {
    enqueue(LogRecord { level, message, extra: Vec::new() });
}

/// Wakes the draining thread (used at exit, after [`lifecycle::shutdown`]).
pub fn wake() {
    // A full queue wakes it anyway.
    let _ = queue().sender.try_send(Message::Wake);
}

/// The next records for the Python thread that calls the handlers: `(taken, records)`,
/// `taken` being how many came off the queue and each record `(level, message, extra)`.
/// Waits up to `timeout` seconds (GIL released) for the first; returns `(0, [])` if none
/// came. After the queue drains, a `WARNING` record (`extra["dropped"]`) reports records
/// dropped since the last such warning. Once the interpreter exits it returns what is
/// left without waiting, then None.
#[pyfunction]
pub fn logging_next(py: Python<'_>, timeout: f64) -> PyResult<Option<Bound<'_, PyTuple>>> {
    let q = queue();
    let closing = lifecycle::is_shut_down();
    // Taking records needs no GIL; waiting for the first must not hold it.
    let (batch, drained) = py.detach(|| {
        let receiver = q.receiver.lock().unwrap_or_else(|e| e.into_inner());
        let mut batch = Vec::new();
        let mut drained = false;
        if !closing {
            let wait = Duration::try_from_secs_f64(timeout.max(0.0)).unwrap_or(Duration::from_secs(1));
            match receiver.recv_timeout(wait) {
                Ok(Message::Record(r)) => batch.push(r),
                Ok(Message::Wake) => {}
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => drained = true,
            }
        }
        while !drained && batch.len() < BATCH {
            match receiver.try_recv() {
                Ok(Message::Record(r)) => batch.push(r),
                Ok(Message::Wake) => {}
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => drained = true,
            }
        }
        (batch, drained)
    });
    let mut batch = batch;
    if closing && batch.is_empty() && q.unreported.load(Ordering::Relaxed) == 0 {
        return Ok(None);
    }
    let taken = batch.len();
    if drained {
        let lost = q.unreported.swap(0, Ordering::Relaxed);
        if lost > 0 {
            batch.push(LogRecord {
                level: WARNING,
                message: format!("{lost} log records were dropped: the logging handlers were slower than the requests (the queue holds {} records; see LOGIBRIDGE_LOG_QUEUE)", receiver_capacity()),
                extra: vec![("dropped", Value::from(lost))],
            });
        }
    }
    let records = PyList::empty(py);
    for r in batch {
        let extra = PyDict::new(py);
        for (k, v) in &r.extra {
            extra.set_item(*k, convert::to_py(py, v)?)?;
        }
        records.append((r.level, r.message, extra))?;
    }
    Ok(Some(PyTuple::new(py, [taken.into_pyobject(py)?.into_any(), records.into_any()])?))
}

fn receiver_capacity() -> usize {
    capacity().unwrap_or(DEFAULT_CAPACITY)
}

/// Records put on this process's queue so far (what `flush_logs` waits to see handled).
#[pyfunction]
pub fn logging_accepted() -> u64 {
    queue().accepted.load(Ordering::Acquire)
}

/// Records this process dropped because the logging handlers fell behind.
#[pyfunction]
pub fn logging_dropped() -> u64 {
    queue().dropped.load(Ordering::Relaxed)
}

const SPAN_NAME: &str = "logibridge.request";

#[derive(Default, Clone)]
struct RequestFields {
    request_id: u64,
    endpoint: String,
    method: String,
    url: String,
    attempt: u64,
    status: Option<u64>,
    duration_ms: Option<u64>,
    /// A `done` or `retrying` event already described this attempt.
    reported: bool,
}

impl Visit for RequestFields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "attempt" => self.attempt = value,
            "status" => self.status = Some(value),
            "duration_ms" => self.duration_ms = Some(value),
            _ => {}
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        if value >= 0 {
            self.record_u64(field, value as u64);
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "endpoint" => self.endpoint = value.to_owned(),
            "method" => self.method = value.to_owned(),
            "url" => self.url = value.to_owned(),
            _ => {}
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        // `%value` fields (method, url) arrive here as Display wrapped in Debug.
        let text = format!("{value:?}");
        match field.name() {
            "endpoint" => self.endpoint = text,
            "method" => self.method = text,
            "url" => self.url = text,
            "status" | "attempt" | "duration_ms" => {
                if let Ok(n) = text.parse::<u64>() {
                    self.record_u64(field, n);
                }
            }
            _ => {}
        }
    }
}

/// An event's message and other fields.
#[derive(Default)]
struct EventFields {
    message: String,
    others: Vec<(&'static str, String)>,
}

impl Visit for EventFields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            self.others.push((field.name(), format!("{value:?}")));
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_owned();
        } else {
            self.others.push((field.name(), value.to_owned()));
        }
    }
}

fn python_level(level: &Level) -> i32 {
    match *level {
        Level::TRACE => 5,
        Level::DEBUG => 10,
        Level::INFO => 20,
        Level::WARN => 30,
        Level::ERROR => 40,
    }
}

/// The attributes `logging.LogRecord` has of its own: `logger.log(extra=…)` refuses to
/// overwrite them, so an event field of such a name stays in the message only.
const RECORD_ATTRIBUTES: &[&str] = &[
    "args", "asctime", "created", "exc_info", "exc_text", "filename", "funcName", "levelname", "levelno", "lineno",
    "message", "module", "msecs", "msg", "name", "pathname", "process", "processName", "relativeCreated",
    "stack_info", "taskName", "thread", "threadName",
];

/// Queues one record for an event outside a request's span: its message, then its fields.
fn emit_event(level: i32, event: EventFields) {
    let mut msg = event.message;
    for (k, v) in &event.others {
        let _ = write!(msg, " {k}={v}");
    }
    let extra = event.others.into_iter().filter(|(k, _)| !RECORD_ATTRIBUTES.contains(k)).map(|(k, v)| (k, Value::from(v))).collect();
    enqueue(LogRecord { level, message: msg, extra });
}

/// Queues one record for the `logibridge` logger.
fn emit(level: i32, f: &RequestFields, note: &str, extra: &[(&'static str, String)]) {
    let mut msg = format!("{} {} {}", f.endpoint, f.method, f.url);
    match f.status {
        Some(s) => write!(msg, " -> {s}").ok(),
        None => write!(msg, " -> no response").ok(),
    };
    if let Some(ms) = f.duration_ms {
        let _ = write!(msg, " in {ms} ms");
    }
    let _ = write!(msg, " (attempt {}, request {})", f.attempt + 1, f.request_id);
    if !note.is_empty() {
        let _ = write!(msg, ": {note}");
    }
    for (k, v) in extra {
        let _ = write!(msg, " {k}={v}");
    }
    let mut fields = vec![
        ("request_id", Value::from(f.request_id)),
        ("endpoint", Value::from(f.endpoint.clone())),
        ("http_method", Value::from(f.method.clone())),
        ("url", Value::from(f.url.clone())),
        ("status", f.status.map_or(Value::Null, Value::from)),
        ("duration_ms", f.duration_ms.map_or(Value::Null, Value::from)),
        ("attempt", Value::from(f.attempt + 1)),
    ];
    for (k, v) in extra {
        fields.push((k, Value::from(v.clone())));
    }
    enqueue(LogRecord { level, message: msg, extra: fields });
}

struct PythonLogLayer;

fn ours(meta: &Metadata<'_>) -> bool {
    meta.target().starts_with("logibridge")
}

impl<S> Layer<S> for PythonLogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    /// While `INFO` is handled the request span is open and every event of ours is seen
    /// (the `done` event marks the attempt reported even when its `DEBUG` record is then
    /// not queued, so it is not mistaken for a failed attempt); above `INFO` only what the
    /// threshold lets through exists.
    fn enabled(&self, meta: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        ours(meta) && (wanted(python_level(meta.level())) || wanted(python_level(&Level::INFO)))
    }

    /// Asked per use (not cached per callsite) for ours: the threshold moves with Python's
    /// logging configuration.
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> tracing::subscriber::Interest {
        if ours(meta) {
            tracing::subscriber::Interest::sometimes()
        } else {
            tracing::subscriber::Interest::never()
        }
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != SPAN_NAME {
            return;
        }
        let mut fields = RequestFields { request_id: NEXT_REQUEST_ID.fetch_add(1, Ordering::Relaxed), ..Default::default() };
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(fields) = span.extensions_mut().get_mut::<RequestFields>() {
                values.record(fields);
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut ev = EventFields::default();
        event.record(&mut ev);
        let level = python_level(event.metadata().level());
        let snapshot = ctx.event_span(event).and_then(|span| {
            let mut ext = span.extensions_mut();
            let fields = ext.get_mut::<RequestFields>()?;
            fields.reported = true;
            Some(fields.clone())
        });
        match snapshot {
            Some(request) => emit(level, &request, &ev.message, &ev.others),
            None => emit_event(level, ev),
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let snapshot = match span.extensions().get::<RequestFields>() {
            Some(f) if !f.reported => f.clone(),
            _ => return,
        };
        emit(python_level(&Level::INFO), &snapshot, "failed", &[]);
    }
}

/// Checks `LOGIBRIDGE_LOG_QUEUE`, makes this process's queue and installs the layer as
/// the process's global `tracing` subscriber, unless the host already has one (then the
/// host's subscriber sees the core's events instead).
pub fn install(py: Python<'_>) -> PyResult<()> {
    capacity().map_err(|e| to_pyerr(py, &e))?;
    queue();
    let subscriber = tracing_subscriber::registry().with(PythonLogLayer);
    let _ = tracing::subscriber::set_global_default(subscriber);
    Ok(())
}
