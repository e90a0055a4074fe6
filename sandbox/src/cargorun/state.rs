//! The emulator's in-memory state: the clock, the tokens, the per-id call counter and the
//! data, all behind one lock so that a change and its `updatedAt` are one step.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};

use super::auth::Auth;
use super::other;

/// The sandbox clock: the real clock plus an offset that the control API moves.
#[derive(Debug, Default, Clone, Copy)]
pub struct Clock {
    /// Seconds added to the real clock.
    pub offset_seconds: i64,
}

impl Clock {
    /// Now on the sandbox clock, to the second.
    pub fn now(&self) -> DateTime<Utc> {
        let now = Utc::now() + Duration::seconds(self.offset_seconds);
        DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now)
    }

    /// Now as the pages write date-times: `YYYY-MM-DDTHH:MM:SSZ` (formats.md).
    pub fn stamp(&self) -> String {
        format_time(self.now())
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The objects of one directory by id.
pub type Table = BTreeMap<u64, Map<String, Value>>;

/// Everything the emulator holds.
pub struct Inner {
    /// The sandbox clock.
    pub clock: Clock,
    /// Credentials, tokens and their settings.
    pub auth: Auth,
    /// Requests per endpoint id.
    pub calls: BTreeMap<String, u64>,
    /// Directories, bids and the rest, by table name (`drivers`, `bids`, …).
    pub tables: BTreeMap<&'static str, Table>,
    /// The next id handed out (one sequence for every table, so an id of the wrong kind
    /// never names something by accident).
    pub next_id: u64,
}

impl Inner {
    fn new(username: &str, password: &str) -> Self {
        let mut inner = Inner {
            clock: Clock::default(),
            auth: Auth::new(username, password),
            calls: BTreeMap::new(),
            tables: BTreeMap::new(),
            next_id: 1000,
        };
        other::seed(&mut inner);
        inner
    }

    /// A fresh id.
    pub fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The table, created empty on first use.
    pub fn table(&mut self, name: &'static str) -> &mut Table {
        self.tables.entry(name).or_default()
    }

    /// An object of a table.
    pub fn get(&self, table: &str, id: u64) -> Option<&Map<String, Value>> {
        self.tables.get(table).and_then(|t| t.get(&id))
    }

    /// Whether the table holds `id` and it is not deleted.
    pub fn live(&self, table: &str, id: u64) -> bool {
        self.get(table, id).is_some_and(|o| !is_deleted(o))
    }
}

/// Whether an object carries `isDeleted: true`.
pub fn is_deleted(o: &Map<String, Value>) -> bool {
    o.get("isDeleted").and_then(Value::as_bool) == Some(true)
}

/// State of the CARGO.RUN emulator.
pub struct CargorunState {
    username: String,
    password: String,
    inner: Mutex<Inner>,
}

impl CargorunState {
    /// A state accepting these credentials, seeded with the catalogs, trackers, titles and
    /// the signed-in user.
    pub fn new(username: &str, password: &str) -> Self {
        CargorunState {
            username: username.to_string(),
            password: password.to_string(),
            inner: Mutex::new(Inner::new(username, password)),
        }
    }

    /// The state, locked.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        // An emulator keeps serving after a panicked handler.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Everything back to the start.
    pub fn reset(&self) {
        *self.lock() = Inner::new(&self.username, &self.password);
    }
}
