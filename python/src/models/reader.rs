//! A row and a schema together ([`ModelReader`]): the call through the fast pass, the
//! probe that decides whether a row may take it, and the generic path behind it.

use std::sync::{Arc, OnceLock};

use pyo3::sync::OnceLockExt;

use logibridge::endpoints::Endpoint;
use pyo3::prelude::*;
use serde_json::{Map, Value};

use super::pass::{parse, Page};
use super::schema::{Kind, Schema, Spec};
use crate::convert;
use crate::errors::to_pyerr;

/// A row and a schema found fit for the fast pass.
#[derive(Clone, Copy)]
pub struct Plan {
    ep: &'static Endpoint,
    list: bool,
    allow_null: bool,
}

/// A sample record in the documented form (every field, one unknown one) for the probe.
fn probe_record(spec: &Spec, nulls: bool) -> Value {
    let mut m = Map::new();
    for f in &spec.fields {
        let v = if nulls && f.nullable {
            Value::Null
        } else {
            match f.kind {
                Kind::Str => Value::from("10"),
                Kind::Int => Value::from(1),
                Kind::Bool => Value::Bool(true),
                Kind::Decimal => Value::from("1.50"),
                Kind::DateTime => Value::from("2014-10-23T16:18:31.315072"),
                Kind::Enum => Value::from(f.probe_code),
            }
        };
        m.insert(f.key.to_string(), v);
    }
    m.insert("logibridge_probe_unknown_field".into(), Value::from(1));
    Value::Object(m)
}

/// Whether the row's model writes a record of the documented form back unchanged (a row
/// with no model hands the JSON over as it is).
fn probe(ep: &'static Endpoint, spec: &Spec, nulls: bool) -> bool {
    let Some(model) = ep.response.model else { return true };
    let sample = probe_record(spec, nulls);
    matches!((model.write)(sample.clone()), Ok(out) if out == sample)
}

/// What one answer became: a parsed page, or the generic path's JSON.
pub enum Outcome {
    Page(Page),
    Json(Value),
}

/// The generic path: the row's decoder (through the client, which scrubs its errors, when
/// the body came from a call).
fn generic(ep: &'static Endpoint, body: &[u8], client: Option<&logibridge::Client>) -> logibridge::Result<Value> {
    match client {
        Some(c) => c.decode_body_of(ep, body),
        None => logibridge::call::decode(ep, body),
    }
}

fn read(plan: Plan, spec: &Spec, body: &[u8], client: Option<&logibridge::Client>) -> logibridge::Result<Outcome> {
    match parse(spec, body, plan.ep.response.shape, plan.allow_null) {
        Some(page) => Ok(Outcome::Page(page)),
        None => generic(plan.ep, body, client).map(Outcome::Json),
    }
}

/// One answer of a call through a plan: its body as the service sent it and what it became.
pub struct Answer {
    outcome: Outcome,
    body: bytes::Bytes,
    client: logibridge::Client,
}

/// One call through a plan: the request, then the fast pass over the body (all without the
/// GIL, on the core's runtime).
pub async fn fetch(client: logibridge::Client, plan: Plan, spec: Arc<Spec>, params: Value) -> logibridge::Result<Answer> {
    let body = client.call_body(plan.ep, params).await?;
    let outcome = read(plan, &spec, &body, Some(&client))?;
    Ok(Answer { outcome, body, client })
}

/// How an operation's answers become its model: a schema, a row, and the Python decoder of
/// the generic path (`fallback`, called with the JSON-shaped answer).
#[pyclass(module = "logibridge._native", name = "ModelReader", frozen)]
pub struct ModelReader {
    endpoint: String,
    schema: Option<Py<Schema>>,
    fallback: Py<PyAny>,
    plan: OnceLock<Option<Plan>>,
}

#[pymethods]
impl ModelReader {
    #[new]
    #[pyo3(signature = (endpoint, schema, fallback))]
    fn new(endpoint: String, schema: Option<Py<Schema>>, fallback: Py<PyAny>) -> Self {
        ModelReader { endpoint, schema, fallback, plan: OnceLock::new() }
    }

    /// The endpoint id.
    #[getter]
    fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Whether answers are read natively (False: every answer takes the generic path,
    /// because the model has a field of a kind the fast pass does not read, or the row's
    /// model does not keep the documented form as it is).
    #[getter]
    fn native(&self, py: Python<'_>) -> bool {
        self.plan(py).is_some()
    }
}

impl ModelReader {
    /// The plan, found on first use (the row may be registered after the reader is made).
    pub fn plan(&self, py: Python<'_>) -> Option<Plan> {
        // `_py_attached`: a thread waiting here for another's first probe lets go of the
        // interpreter meanwhile; the prober releases it too (`detach`), and without this
        // the two would wait on each other.
        *self.plan.get_or_init_py_attached(py, || {
            let schema = self.schema.as_ref()?.get();
            let ep = logibridge::endpoints::find(&self.endpoint)?;
            // Library-side rows, exactly-once creates and empty answers take the generic call.
            if ep.local.is_some() || ep.once.is_some() || ep.response.empty {
                return None;
            }
            let spec = schema.spec.clone();
            let (fits, nulls) = py.detach(|| (probe(ep, &spec, false), probe(ep, &spec, true)));
            fits.then_some(Plan { ep, list: ep.response.shape.list, allow_null: nulls })
        })
    }

    pub fn spec(&self) -> Arc<Spec> {
        self.schema.as_ref().map(|s| s.get().spec.clone()).unwrap_or_else(|| Arc::new(Spec { fields: Vec::new(), keys: Vec::new(), plain: Vec::new() }))
    }

    /// The JSON-shaped answer through the Python decoder.
    pub fn fallback<'py>(&self, py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
        self.fallback.bind(py).call1((convert::to_py(py, value)?,))
    }

    /// A call's answer as the operation's result.
    pub fn finish<'py>(&self, py: Python<'py>, plan: Plan, answer: Answer) -> PyResult<Bound<'py, PyAny>> {
        self.finish_outcome(py, plan, answer.outcome, &answer.body, Some(&answer.client))
    }

    fn finish_outcome<'py>(&self, py: Python<'py>, plan: Plan, outcome: Outcome, body: &[u8], client: Option<&logibridge::Client>) -> PyResult<Bound<'py, PyAny>> {
        match outcome {
            Outcome::Json(value) => self.fallback(py, &value),
            Outcome::Page(page) => {
                let schema = self.schema.as_ref().expect("a plan has a schema").bind(py);
                match Schema::build(schema, page, plan.list)? {
                    Some(built) => Ok(built),
                    None => {
                        let value = py.detach(|| generic(plan.ep, body, client)).map_err(|e| to_pyerr(py, &e))?;
                        self.fallback(py, &value)
                    }
                }
            }
        }
    }
}

/// Whether a call asks for every page at once (`all`), which only the generic call does.
pub fn wants_all(params: &Value) -> bool {
    params.get("all").is_some_and(|v| v != &Value::Bool(false) && !v.is_null())
}

/// Decodes a response body of `endpoint` as a call would: through `reader` when given
/// (its model objects), else the JSON-shaped answer. For tests and the benchmark.
#[pyfunction]
#[pyo3(signature = (endpoint, body, reader=None))]
pub fn decode<'py>(py: Python<'py>, endpoint: &str, body: &[u8], reader: Option<Bound<'py, ModelReader>>) -> PyResult<Bound<'py, PyAny>> {
    let ep = logibridge::endpoints::require(endpoint).map_err(|e| to_pyerr(py, &e))?;
    let Some(reader) = reader else {
        let value = py.detach(|| logibridge::call::decode(ep, body)).map_err(|e| to_pyerr(py, &e))?;
        return convert::to_py(py, &value);
    };
    let r = reader.get();
    match r.plan(py) {
        Some(plan) => {
            let spec = r.spec();
            let outcome = py.detach(|| read(plan, &spec, body, None)).map_err(|e| to_pyerr(py, &e))?;
            r.finish_outcome(py, plan, outcome, body, None)
        }
        None => {
            let value = py.detach(|| logibridge::call::decode(ep, body)).map_err(|e| to_pyerr(py, &e))?;
            r.fallback(py, &value)
        }
    }
}
