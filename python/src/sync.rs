//! `_native.Syncer`, `_native.SyncIdMap` and the conflict rule: the core's exactly-once
//! incremental sync of CARGO.RUN lists ([`logibridge::cargorun::sync`]) driven from Python.
//!
//! Everything that decides (the keyset walk, when a checkpoint is written, the store, the
//! rule of examples-1c.md §3–§4) is the core's; this module only carries values across:
//! batches as the core's JSON ([`SyncBatch::to_json`]), checkpoints and id-map entries as
//! dicts, states and policies by their snake-case names (the Python package holds the
//! enums, `logibridge/_cargorun_sync.py`).
//!
//! Times cross as ISO 8601 text: `updatedAt` as the service wrote it (up to 7 fractional
//! digits, never rounded: the checkpoint depends on it), the id map's local and last-sync
//! times at microseconds with `+00:00` (what `datetime.fromisoformat` reads on every Python
//! the package supports).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use logibridge::cargorun::sync::{self as core_sync, Checkpoint, ConflictMark, IdMapEntry, SyncEntity, SyncOptions, SyncStore};
use logibridge::Error;
use pyo3::prelude::*;
use serde_json::{json, Value};

use crate::aio;
use crate::client::{wait_interruptibly, Client};
use crate::convert;
use crate::errors::to_pyerr;

/// Where the face's own refusals are written (`Error::endpoint`), as the core's sync does.
const SYNC_ID: &str = "cargorun.sync";

type Shared = Arc<Mutex<Option<core_sync::Syncer>>>;

/// The syncer taken out of its slot while one call uses it; put back when the call ends,
/// also when its future is dropped (a cancelled `await`, Ctrl-C): the core changes nothing
/// before a step succeeds, so the syncer is whole at any await point.
struct Taken {
    slot: Shared,
    syncer: Option<core_sync::Syncer>,
}

impl Taken {
    fn from(slot: &Shared) -> logibridge::Result<Taken> {
        let syncer = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        match syncer {
            Some(s) => Ok(Taken { slot: slot.clone(), syncer: Some(s) }),
            None => Err(Error::invalid_argument(
                "this sync is already fetching a batch or waiting: use it from one place at a time",
                "эта синхронизация уже получает пакет или ждёт: обращайтесь к ней из одного места",
            )),
        }
    }

    fn get(&mut self) -> &mut core_sync::Syncer {
        // Some from `Taken::from` until `drop`, the only place that empties it.
        match self.syncer.as_mut() {
            Some(s) => s,
            None => unreachable!("a Taken holds its syncer until dropped"),
        }
    }
}

impl Drop for Taken {
    fn drop(&mut self) {
        if let Some(s) = self.syncer.take() {
            *self.slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(s);
        }
    }
}

async fn next(slot: Shared) -> logibridge::Result<Option<Value>> {
    let mut taken = Taken::from(&slot)?;
    Ok(taken.get().next_batch().await?.map(|b| b.to_json()))
}

async fn wait(slot: Shared) -> logibridge::Result<()> {
    let mut taken = Taken::from(&slot)?;
    taken.get().wait_for_poll().await;
    Ok(())
}

fn none_or(py: Python<'_>, value: Option<Value>) -> PyResult<Py<PyAny>> {
    match value {
        Some(v) => Ok(convert::to_py(py, &v)?.unbind()),
        None => Ok(py.None()),
    }
}

fn checkpoint_json(c: Option<&Checkpoint>) -> Option<Value> {
    c.map(|c| json!({"updatedAt": c.updated_at, "id": c.id, "seenIds": c.seen_ids}))
}

/// One list walked into the caller's hands (`logibridge::cargorun::sync::Syncer`).
#[pyclass(module = "logibridge._native", name = "Syncer", frozen)]
pub struct Syncer {
    slot: Shared,
    store: SyncStore,
    scope: core_sync::SyncScope,
    entity: SyncEntity,
    stream: String,
    acknowledge: bool,
    poll_interval: f64,
}

#[pymethods]
impl Syncer {
    /// A syncer of `entity` (`bids`, `distribution_bids`, `drivers`, …) through `client` (a
    /// `cargorun` client), its checkpoints and id map in the SQLite file `store` (created
    /// when missing), kept under the client's base URL and `account`. `since` (ISO 8601)
    /// starts a stream that has no checkpoint yet; `filter` (OData text) is ANDed to the
    /// keyset; `stream` names the checkpoint; `poll_interval` in seconds.
    #[new]
    #[pyo3(signature = (client, store, entity, account, *, acknowledge=false, since=None, filter=None, stream=None, poll_interval=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        client: &Client,
        store: String,
        entity: &str,
        account: String,
        acknowledge: bool,
        since: Option<String>,
        filter: Option<String>,
        stream: Option<String>,
        poll_interval: Option<f64>,
    ) -> PyResult<Self> {
        let core_client = client.client(py)?;
        let entity: SyncEntity = entity.parse().map_err(|e| to_pyerr(py, &e))?;
        let mut options = SyncOptions::new(account).acknowledge(acknowledge);
        if let Some(s) = since {
            options = options.since(s);
        }
        if let Some(f) = filter {
            options = options.filter(f);
        }
        if let Some(s) = stream {
            options = options.stream(s);
        }
        if let Some(seconds) = poll_interval {
            let interval = Duration::try_from_secs_f64(seconds).map_err(|_| {
                to_pyerr(
                    py,
                    &Error::invalid_param(
                        SYNC_ID,
                        "poll_interval",
                        "sync.poll_interval",
                        format!("{seconds} is not a number of seconds ≥ 0"),
                        format!("{seconds} — не число секунд ≥ 0"),
                    ),
                )
            })?;
            options = options.poll_interval(interval);
        }
        // The store (a handle on one connection) and scope are kept beside the slot too:
        // the stored checkpoint can be read while a batch is being fetched.
        let (syncer, store) = py
            .detach(|| {
                let store = SyncStore::open(&store)?;
                Ok::<_, Error>((core_sync::Syncer::new(core_client, store.clone(), entity, options)?, store))
            })
            .map_err(|e| to_pyerr(py, &e))?;
        Ok(Syncer {
            scope: syncer.scope().clone(),
            stream: syncer.stream().to_owned(),
            poll_interval: syncer.poll_interval().as_secs_f64(),
            acknowledge,
            entity,
            store,
            slot: Arc::new(Mutex::new(Some(syncer))),
        })
    }

    /// The entity's name.
    #[getter]
    fn entity(&self) -> &'static str {
        self.entity.name()
    }

    /// The list call walked (`cargorun.bids.list_for_external`, …).
    #[getter]
    fn endpoint(&self) -> &'static str {
        self.entity.endpoint().id
    }

    /// The name the checkpoint is stored under.
    #[getter]
    fn stream(&self) -> &str {
        &self.stream
    }

    /// Whether the checkpoint moves only on `acknowledge`.
    #[getter]
    fn acknowledges(&self) -> bool {
        self.acknowledge
    }

    /// Seconds between passes in force.
    #[getter]
    fn poll_interval(&self) -> f64 {
        self.poll_interval
    }

    /// The next batch as the core writes it (`{"entity", "seq", "items", "checkpoint",
    /// "caughtUp"}`), or None when nothing new is there now. Blocks with the GIL released.
    fn next_batch(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let batch = wait_interruptibly(py, next(self.slot.clone()))?;
        none_or(py, batch)
    }

    /// [`Syncer::next_batch`] as an awaitable for the running asyncio loop.
    fn next_batch_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        aio::spawn(py, format!("{} sync: next batch", self.entity), next(self.slot.clone()), none_or)
    }

    /// Writes the checkpoint of batch `seq` (and of every batch before it).
    fn acknowledge(&self, py: Python<'_>, seq: u64) -> PyResult<()> {
        let mut taken = Taken::from(&self.slot).map_err(|e| to_pyerr(py, &e))?;
        taken.get().acknowledge_seq(seq).map_err(|e| to_pyerr(py, &e))
    }

    /// The checkpoint written in the store (`{"updatedAt", "id", "seenIds"}`), or None.
    fn checkpoint(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let stored = self.store.checkpoint(&self.scope, &self.stream).map_err(|e| to_pyerr(py, &e))?;
        none_or(py, checkpoint_json(stored.as_ref()))
    }

    /// Where this syncer's next page starts (after the last handed batch), or None.
    fn position(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let mut taken = Taken::from(&self.slot).map_err(|e| to_pyerr(py, &e))?;
        let position = checkpoint_json(taken.get().position());
        none_or(py, position)
    }

    /// Sleeps until the next pass is due (the poll interval after the last pass caught up).
    fn wait_for_poll(&self, py: Python<'_>) -> PyResult<()> {
        wait_interruptibly(py, wait(self.slot.clone()))
    }

    /// [`Syncer::wait_for_poll`] as an awaitable.
    fn wait_for_poll_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        aio::spawn(py, format!("{} sync: wait for poll", self.entity), wait(self.slot.clone()), |py, ()| Ok(py.None()))
    }

    /// The id map of this scope and entity.
    fn id_map(&self) -> SyncIdMap {
        SyncIdMap { map: self.store.id_map(&self.scope, self.entity) }
    }

    fn __repr__(&self) -> String {
        format!("<logibridge._native.Syncer {} stream={:?}>", self.entity, self.stream)
    }
}

/// A time of the caller (ISO 8601 with an offset: the package sends aware datetimes only).
fn caller_time(py: Python<'_>, field: &str, text: Option<&str>) -> PyResult<Option<DateTime<Utc>>> {
    text.map(|t| {
        logibridge::cargorun::wire::parse_datetime(t, false).map_err(|_| {
            let shown = logibridge::shown_input(t);
            to_pyerr(py, &Error::invalid_param(SYNC_ID, field, "sync.time", format!("{shown:?} is not a date-time"), format!("«{shown}» — не дата и время")))
        })
    })
    .transpose()
}

/// A time for Python: microseconds (what `datetime` holds), `+00:00`.
fn python_time(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()))
}

fn entry_json(e: &IdMapEntry) -> Value {
    json!({
        "external_id": e.external_id,
        "cargorun_id": e.cargorun_id,
        "cargorun_updated_at": e.cargorun_updated_at,
        "local_updated_at": python_time(e.local_updated_at),
        "last_sync_at": python_time(e.last_sync_at),
        "conflict": if e.conflict == ConflictMark::Pending { "pending" } else { "none" },
    })
}

fn mark(py: Python<'_>, name: &str) -> PyResult<ConflictMark> {
    match name {
        "none" => Ok(ConflictMark::None),
        "pending" => Ok(ConflictMark::Pending),
        other => Err(to_pyerr(py, &Error::invalid_param(SYNC_ID, "conflict", "sync.conflict", format!("{other:?} is not none or pending"), format!("«{other}» — не none и не pending")))),
    }
}

/// The id map of examples-1c.md §1 for one scope and entity (`logibridge::cargorun::sync::IdMap`).
/// Entries cross as dicts of snake-case names.
#[pyclass(module = "logibridge._native", name = "SyncIdMap", frozen)]
pub struct SyncIdMap {
    map: core_sync::IdMap,
}

#[pymethods]
impl SyncIdMap {
    /// Writes an entry (insert or replace by external id).
    #[pyo3(signature = (external_id, cargorun_id=None, cargorun_updated_at=None, local_updated_at=None, last_sync_at=None, conflict="none"))]
    fn put(
        &self,
        py: Python<'_>,
        external_id: String,
        cargorun_id: Option<i64>,
        cargorun_updated_at: Option<String>,
        local_updated_at: Option<&str>,
        last_sync_at: Option<&str>,
        conflict: &str,
    ) -> PyResult<()> {
        if let Some(t) = cargorun_updated_at.as_deref() {
            caller_time(py, "cargorun_updated_at", Some(t))?;
        }
        let entry = IdMapEntry {
            external_id,
            cargorun_id,
            cargorun_updated_at,
            local_updated_at: caller_time(py, "local_updated_at", local_updated_at)?,
            last_sync_at: caller_time(py, "last_sync_at", last_sync_at)?,
            conflict: mark(py, conflict)?,
        };
        self.map.put(&entry).map_err(|e| to_pyerr(py, &e))
    }

    /// The entry of an external id, or None.
    fn by_external_id(&self, py: Python<'_>, external_id: &str) -> PyResult<Py<PyAny>> {
        let e = self.map.by_external_id(external_id).map_err(|e| to_pyerr(py, &e))?;
        none_or(py, e.as_ref().map(entry_json))
    }

    /// The entry linked to a CARGO.RUN id, or None.
    fn by_cargorun_id(&self, py: Python<'_>, cargorun_id: i64) -> PyResult<Py<PyAny>> {
        let e = self.map.by_cargorun_id(cargorun_id).map_err(|e| to_pyerr(py, &e))?;
        none_or(py, e.as_ref().map(entry_json))
    }

    /// Every entry by external id (only pending conflicts with `pending_only`).
    #[pyo3(signature = (pending_only=false))]
    fn entries<'py>(&self, py: Python<'py>, pending_only: bool) -> PyResult<Bound<'py, PyAny>> {
        let all = self.map.entries(pending_only).map_err(|e| to_pyerr(py, &e))?;
        convert::to_py(py, &Value::Array(all.iter().map(entry_json).collect()))
    }

    /// Removes an entry; whether there was one.
    fn remove(&self, py: Python<'_>, external_id: &str) -> PyResult<bool> {
        self.map.remove(external_id).map_err(|e| to_pyerr(py, &e))
    }

    /// Records a sync of one object (`IdMap::mark_synced`) and returns the entry written.
    fn mark_synced(&self, py: Python<'_>, external_id: &str, cargorun_id: i64, cargorun_updated_at: &str, local_updated_at: &str) -> PyResult<Py<PyAny>> {
        let e = match caller_time(py, "local_updated_at", Some(local_updated_at))? {
            Some(local) => self.map.mark_synced(external_id, cargorun_id, cargorun_updated_at, local).map_err(|e| to_pyerr(py, &e))?,
            None => return Ok(py.None()),
        };
        none_or(py, Some(entry_json(&e)))
    }

    /// Sets (`pending`) or clears (`none`) the conflict mark; whether there was an entry.
    fn set_conflict(&self, py: Python<'_>, external_id: &str, conflict: &str) -> PyResult<bool> {
        let m = mark(py, conflict)?;
        self.map.set_conflict(external_id, m).map_err(|e| to_pyerr(py, &e))
    }

    /// The state of an entry (`IdMapEntry::state`) given CARGO.RUN's current `updatedAt`
    /// (None: CARGO.RUN does not have it); None when there is no such entry.
    #[pyo3(signature = (external_id, cargorun_updated_at=None))]
    fn state(&self, py: Python<'_>, external_id: &str, cargorun_updated_at: Option<&str>) -> PyResult<Option<&'static str>> {
        let Some(entry) = self.map.by_external_id(external_id).map_err(|e| to_pyerr(py, &e))? else { return Ok(None) };
        let state = entry.state(cargorun_updated_at).map_err(|e| to_pyerr(py, &e))?;
        Ok(Some(state_name(state)))
    }

    fn __repr__(&self) -> String {
        "<logibridge._native.SyncIdMap>".to_owned()
    }
}

fn state_name(s: core_sync::SyncState) -> &'static str {
    match s {
        core_sync::SyncState::Unchanged => "unchanged",
        core_sync::SyncState::PushLocal => "push_local",
        core_sync::SyncState::PullRemote => "pull_remote",
        core_sync::SyncState::Conflict => "conflict",
    }
}

/// A snake-case name of one of the core's rule enums, through its serde form.
fn by_name<T: serde::de::DeserializeOwned>(py: Python<'_>, field: &str, name: &str, names: &str) -> PyResult<T> {
    serde_json::from_value(Value::String(name.to_owned())).map_err(|_| {
        let shown = logibridge::shown_input(name);
        to_pyerr(py, &Error::invalid_param(SYNC_ID, field, "sync.name", format!("{shown:?} is not one of {names}"), format!("«{shown}» — не одно из: {names}")))
    })
}

/// The conflict rule's state (examples-1c.md §3) of three times (ISO 8601 text, None for
/// a side that has no time): `unchanged`, `push_local`, `pull_remote` or `conflict`.
#[pyfunction]
#[pyo3(signature = (cargorun_updated_at, local_updated_at, last_sync_at))]
pub fn sync_classify(py: Python<'_>, cargorun_updated_at: Option<&str>, local_updated_at: Option<&str>, last_sync_at: Option<&str>) -> PyResult<&'static str> {
    let remote = caller_time(py, "cargorun_updated_at", cargorun_updated_at)?;
    let local = caller_time(py, "local_updated_at", local_updated_at)?;
    let last = caller_time(py, "last_sync_at", last_sync_at)?;
    Ok(state_name(core_sync::classify(remote, local, last)))
}

/// The action (examples-1c.md §4) for a state under a policy, by their snake-case names:
/// `nothing`, `push_local`, `pull_remote` or `manual`.
#[pyfunction]
pub fn sync_resolve(py: Python<'_>, state: &str, policy: &str) -> PyResult<&'static str> {
    let state: core_sync::SyncState = by_name(py, "state", state, "unchanged, push_local, pull_remote, conflict")?;
    let policy: core_sync::ConflictPolicy = by_name(py, "policy", policy, "cargorun_wins, local_wins, manual")?;
    Ok(match core_sync::resolve(state, policy) {
        core_sync::Action::Nothing => "nothing",
        core_sync::Action::PushLocal => "push_local",
        core_sync::Action::PullRemote => "pull_remote",
        core_sync::Action::Manual => "manual",
    })
}

/// The synced lists: `[{"name", "endpoint", "directory", "poll_interval"}]` in the core's
/// order (`SyncEntity::ALL`).
#[pyfunction]
pub fn sync_entities(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let all: Vec<Value> = SyncEntity::ALL
        .iter()
        .map(|e| json!({"name": e.name(), "endpoint": e.endpoint().id, "directory": e.is_directory(), "poll_interval": e.default_poll_interval().as_secs_f64()}))
        .collect();
    convert::to_py(py, &Value::Array(all))
}

/// Refuses a name that is not a synced directory (`bids` and `distribution_bids` are
/// synced by their own calls): the core's `entity` error for an unknown name, the same
/// field and code for a list that is no directory.
#[pyfunction]
pub fn sync_check_directory(py: Python<'_>, name: &str) -> PyResult<()> {
    let entity: SyncEntity = name.parse().map_err(|e| to_pyerr(py, &e))?;
    if entity.is_directory() {
        return Ok(());
    }
    let dirs: Vec<&str> = SyncEntity::ALL.iter().filter(|e| e.is_directory()).map(|e| e.name()).collect();
    Err(to_pyerr(
        py,
        &Error::invalid_param(
            SYNC_ID,
            "entity",
            "sync.entity",
            format!("{name:?} is not a directory (sync it with sync.{name}()); directories: {}", dirs.join(", ")),
            format!("«{name}» — не справочник (синхронизируйте через sync.{name}()); справочники: {}", dirs.join(", ")),
        ),
    ))
}

/// The `$filter` text of an expression's JSON description (`logibridge.odata.Expr.to_json()`),
/// rendered by the core's builder: what `filter=` of a sync sends ANDed to its keyset.
#[pyfunction]
pub fn sync_render_filter(py: Python<'_>, description: &Bound<'_, PyAny>) -> PyResult<String> {
    let value = convert::to_json(description)?;
    logibridge::cargorun::odata::Expr::from_json(&value, "filter").and_then(|e| e.render()).map_err(|e| to_pyerr(py, &e))
}
