//! The core's `tracing` events → Python's `logging.getLogger("logibridge")`.
//!
//! The transport opens one `logibridge.request` span per HTTP attempt (endpoint, method,
//! redacted URL, attempt, then status and duration) and emits `done` (debug) on success
//! and `retrying` (info) before a retry. This layer turns those into one log record each,
//! plus one record for an attempt that ended in an error without either event. Records
//! carry the fields as attributes (`record.endpoint`, `record.status`, …). The URL was
//! redacted by the core before it reached the span; no other field can hold a secret.
//!
//! The GIL is taken only when the Python logger is enabled for the record's level; while
//! the interpreter shuts down, records are dropped.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static NEXT_REQUEST_ID: AtomicU64 = AtomicU64::new(1);

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
    others: Vec<(String, String)>,
}

impl Visit for EventFields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            self.others.push((field.name().to_owned(), format!("{value:?}")));
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_owned();
        } else {
            self.others.push((field.name().to_owned(), value.to_owned()));
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

/// Sends one record to the `logibridge` logger, if it is enabled for `level`.
fn emit(level: i32, f: &RequestFields, note: &str, extra: &[(String, String)]) {
    let _ = Python::try_attach(|py| -> PyResult<()> {
        let logger = LOGGER.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py.import("logging")?.call_method1("getLogger", ("logibridge",))?.unbind())
        })?;
        let logger = logger.bind(py);
        if !logger.call_method1("isEnabledFor", (level,))?.is_truthy()? {
            return Ok(());
        }
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
        let record_extra = PyDict::new(py);
        record_extra.set_item("request_id", f.request_id)?;
        record_extra.set_item("endpoint", &f.endpoint)?;
        record_extra.set_item("http_method", &f.method)?;
        record_extra.set_item("url", &f.url)?;
        record_extra.set_item("status", f.status)?;
        record_extra.set_item("duration_ms", f.duration_ms)?;
        record_extra.set_item("attempt", f.attempt + 1)?;
        for (k, v) in extra {
            record_extra.set_item(k, v)?;
        }
        let kwargs = PyDict::new(py);
        kwargs.set_item("extra", record_extra)?;
        // `%s` keeps a message with a literal `%` from being formatted.
        logger.call_method("log", (level, "%s", msg), Some(&kwargs))?;
        Ok(())
    });
}

struct PythonLogLayer;

fn ours(meta: &Metadata<'_>) -> bool {
    meta.target().starts_with("logibridge")
}

impl<S> Layer<S> for PythonLogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn enabled(&self, meta: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        ours(meta)
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
        let Some(span) = ctx.event_span(event) else { return };
        let snapshot = {
            let mut ext = span.extensions_mut();
            let Some(fields) = ext.get_mut::<RequestFields>() else { return };
            fields.reported = true;
            fields.clone()
        };
        let mut ev = EventFields::default();
        event.record(&mut ev);
        emit(python_level(event.metadata().level()), &snapshot, &ev.message, &ev.others);
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

/// Installs the layer as the process's global `tracing` subscriber, unless the host
/// already has one (then the host's subscriber sees the core's events instead).
pub fn install() {
    let subscriber = tracing_subscriber::registry().with(PythonLogLayer);
    let _ = tracing::subscriber::set_global_default(subscriber);
}
