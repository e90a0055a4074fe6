//! The emulator's in-memory state: every resource as `serde_json::Value` objects shaped as
//! the document shows them, the journals, receipts, licenses and registered callbacks.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use axum::http::{header, HeaderMap};
use serde_json::{Map, Value};

use super::callbacks::{Callback, Deliveries};
use super::crud::RESOURCES;
use super::{access, fiscal, IrecaError};
use crate::Params;

/// Largest `count` of a page, from the document ("максимум - 500").
pub const MAX_PAGE_COUNT: usize = 500;
/// `count` when none is given ("по умолчанию - 20").
pub const DEFAULT_PAGE_COUNT: usize = 20;

/// State of the iRECA emulator.
pub struct IrecaState {
    token: String,
    data: Mutex<Data>,
    pub(crate) deliveries: Deliveries,
}

/// Everything the emulator holds; one lock, so a change and its journal entries are one
/// step.
#[derive(Default)]
pub struct Data {
    /// The ten CRUD resources by name, each keyed by the canonical id text.
    pub tables: BTreeMap<&'static str, Map<String, Value>>,
    /// Orders by canonical `orderId`.
    pub orders: Map<String, Value>,
    /// Delivery-status journal per order.
    pub status_journal: BTreeMap<String, Vec<Value>>,
    /// Change journal: (entity id, entry), oldest first.
    pub change_journal: Vec<(String, Value)>,
    /// Geo points: (courier id, point), oldest first.
    pub locations: Vec<(String, Value)>,
    /// Payment receipts per order.
    pub receipts: Map<String, Value>,
    /// Refund receipts per order.
    pub return_receipts: Map<String, Value>,
    /// Correction receipts.
    pub correction_receipts: Vec<Value>,
    /// Bank terminal error log.
    pub terminal_logs: Vec<Value>,
    /// Fiscal registrator error log.
    pub registrator_logs: Vec<Value>,
    /// Access settings (role × action).
    pub permissions: Vec<Value>,
    /// Open courier sessions (licenses in use).
    pub licenses: Vec<Value>,
    /// Next session id handed to a session.
    pub next_session_id: u64,
    /// Number of fiscal documents printed so far (numbers receipts).
    pub fiscal_documents: u64,
    /// The last Atol Online settings sent.
    pub atol: Option<Value>,
    /// Where order changes are posted.
    pub order_callback: Option<Callback>,
    /// Where closed sessions are posted.
    pub license_callback: Option<Callback>,
}

impl IrecaState {
    /// A state seeded with the document's examples, accepting `token`.
    pub fn new(token: &str) -> Self {
        let mut data = Data::default();
        for r in RESOURCES {
            let mut table = Map::new();
            let seed: Value = serde_json::from_str(r.seed).unwrap_or(Value::Null);
            for item in seed.as_array().into_iter().flatten() {
                if let Some(obj) = item.as_object() {
                    if let Some(k) = obj.get(r.key).and_then(super::spelling::key_of) {
                        let mut obj = obj.clone();
                        obj.entry("isActive").or_insert(Value::from(1));
                        table.insert(k, Value::Object(obj));
                    }
                }
            }
            data.tables.insert(r.name, table);
        }
        fiscal::seed(&mut data);
        access::seed(&mut data);
        IrecaState {
            token: token.to_string(),
            data: Mutex::new(data),
            deliveries: Deliveries::default(),
        }
    }

    /// The data, locked.
    pub fn data(&self) -> MutexGuard<'_, Data> {
        // An emulator keeps serving after a panicked handler; its state stays usable.
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the request carries `Authorization: Bearer <token>` (the scheme in any case;
    /// a blank token never matches).
    pub fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let mut parts = value.trim().splitn(2, ' ');
        let scheme = parts.next().unwrap_or("");
        let token = parts.next().unwrap_or("").trim();
        scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token == self.token
    }
}

/// `YYYY-MM-DD HH:MM:SS` in GMT+0, the document's date form.
pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A page request: `page` from 0, `count` 1..=500 (default 20).
#[derive(Debug, Clone, Copy)]
pub struct Page {
    /// Page number, from 0.
    pub page: usize,
    /// Items per page.
    pub count: usize,
}

impl Page {
    /// Reads `page` and `count`; a count over [`MAX_PAGE_COUNT`], under 1 or not a number,
    /// or a page that is not a non-negative number, is a 400 naming the parameter.
    pub fn from_params(params: &Params) -> Result<Page, IrecaError> {
        let number = |name: &str, default: usize| -> Result<usize, IrecaError> {
            match params.get(name).map(str::trim) {
                None | Some("") => Ok(default),
                Some(v) => v.parse::<usize>().map_err(|_| {
                    IrecaError::bad_request(format!(
                        "Параметр {name} должен быть неотрицательным целым числом."
                    ))
                }),
            }
        };
        let page = number("page", 0)?;
        let count = number("count", DEFAULT_PAGE_COUNT)?;
        if !(1..=MAX_PAGE_COUNT).contains(&count) {
            return Err(IrecaError::bad_request(format!(
                "Параметр count должен быть от 1 до {MAX_PAGE_COUNT}."
            )));
        }
        Ok(Page { page, count })
    }

    /// This page of `items`.
    pub fn slice<T>(self, items: impl Iterator<Item = T>) -> Vec<T> {
        items
            .skip(self.page.saturating_mul(self.count))
            .take(self.count)
            .collect()
    }
}
