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

/// `YYYY-MM-DDTHH:MM:SS.fffffffZ`: .NET's 7 fractional digits (ticks of 100 ns).
pub fn format_ticks(t: DateTime<Utc>) -> String {
    format!("{}.{:07}Z", t.format("%Y-%m-%dT%H:%M:%S"), t.timestamp_subsec_nanos() / 100)
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
    /// The latest 7-digit `updatedAt` handed by [`Inner::tick_stamp`]: later writes never
    /// sort before it.
    pub last_tick: Option<DateTime<Utc>>,
    /// The latest whole-second `updatedAt` handed by [`Inner::update_stamp`].
    pub last_plain: Option<DateTime<Utc>>,
    /// Rows mutated before every list call of their table (`/_control/cargorun/mutate_on_list`).
    pub mutate_on_list: Option<super::control::MutateSpec>,
    /// Mutations made so far (each one's `comment` names its number).
    pub mutations: u64,
}

impl Inner {
    fn new(username: &str, password: &str) -> Self {
        let mut inner = Inner {
            clock: Clock::default(),
            auth: Auth::new(username, password),
            calls: BTreeMap::new(),
            tables: BTreeMap::new(),
            next_id: 1000,
            last_tick: None,
            last_plain: None,
            mutate_on_list: None,
            mutations: 0,
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

    /// `updatedAt` for an ordinary change: the sandbox clock's second, as before; or, once
    /// [`Inner::tick_stamp`] handed a time at or after that second, one tick (100 ns) after
    /// it, so a change never sorts before an earlier one (the service's clock does not go
    /// back: the sync's keyset relies on it).
    pub fn update_stamp(&mut self) -> String {
        let now = self.clock.now();
        match self.last_tick {
            Some(t) if t >= now => {
                let t = t + Duration::nanoseconds(100);
                self.last_tick = Some(t);
                format_ticks(t)
            }
            _ => {
                self.last_plain = Some(now);
                format_time(now)
            }
        }
    }

    /// `updatedAt` with 7 fractional digits, as .NET writes it: the same tick as the last
    /// one when `same_tick` (and no ordinary change came after it, so stamps never go
    /// back), else `gap_ticks` (at least 1) ticks of 100 ns after it, and never before the
    /// clock's second.
    pub fn tick_stamp(&mut self, same_tick: bool, gap_ticks: u32) -> String {
        let now = self.clock.now();
        let t = match self.last_tick {
            Some(t) if same_tick && self.last_plain.is_none_or(|p| t >= p) => t,
            Some(t) => (t + Duration::nanoseconds(100 * i64::from(gap_ticks.max(1)))).max(now),
            None => now,
        };
        self.last_tick = Some(t);
        format_ticks(t)
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
