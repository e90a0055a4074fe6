//! CARGO.RUN incremental sync, exactly once, with a local store: `lb_sync_new`,
//! `lb_sync_next_batch`, `lb_sync_acknowledge`, `lb_sync_checkpoint`, `lb_sync_free`, and
//! the conflict rule `lb_sync_classify`.
//!
//! A thin face over `logibridge::cargorun::sync` (the module doc there says why the walk
//! is by keyset and when the checkpoint moves): batches go out as the core's
//! `SyncBatch::to_json`, so C and 1C read the same document.

use std::ffi::c_char;
use std::sync::Arc;
use std::time::Duration;

use lbcore::cargorun::sync::{self as core_sync, Action, ConflictPolicy, SyncEntity, SyncOptions, SyncState, SyncStore, Syncer};
use lbcore::Error;
use serde_json::{Map, Value};
use tokio::sync::Mutex;

use crate::client::lb_client_t;
use crate::error::lb_error_t;
use crate::{arg_out, arg_ref, arg_str, c_string, guard, is_null, lb_status, not_an_object, not_json, opt_str, reset_out};

/// Where the face's own refusals are written (`lb_error_endpoint`).
const SYNC_ID: &str = "cargorun.sync";

/// One sync stream of one CARGO.RUN list into the caller's system. Opaque; made by
/// `lb_sync_new`, freed by `lb_sync_free`.
///
/// Calls with one sync are serialized (a second thread waits for the first); it must not
/// be freed while another thread is inside a call with it. Like a client, it belongs to
/// the process that made it: after `fork()` make a new one in the child.
pub struct lb_sync_t {
    /// Shared with the future that runs a call on the library's runtime.
    inner: Arc<Mutex<Syncer>>,
    /// [`lbcore::blocking::fork_generation`] of the process that made it.
    made_in: u64,
}

impl lb_sync_t {
    fn get(&self) -> Result<Arc<Mutex<Syncer>>, Error> {
        if self.made_in == lbcore::blocking::fork_generation() {
            return Ok(self.inner.clone());
        }
        Err(Error::invalid_argument(
            "this sync was made before fork() in the parent process: make a new one in this process (lb_sync_new on the same store resumes from its checkpoint)",
            "этот объект синхронизации создан до fork() в родительском процессе: создайте новый в этом процессе (lb_sync_new с тем же хранилищем продолжит с контрольной точки)",
        ))
    }
}

impl Drop for lb_sync_t {
    fn drop(&mut self) {
        if self.made_in != lbcore::blocking::fork_generation() {
            // The parent's connections and store handle: see lb_client_t's Drop.
            std::mem::forget(self.inner.clone());
        }
    }
}

/// A refused option of `options_json`, naming it.
fn bad_option(name: &str, rule_en: &str, rule_ru: &str) -> Error {
    let name: String = name.chars().take(60).collect();
    Error::invalid_param(SYNC_ID, &name, "option.type", format!("options_json.{name} {rule_en}"), format!("options_json.{name} {rule_ru}"))
}

/// `options_json` as `SyncOptions` (the names in `lb_sync_new`'s doc).
fn sync_options(json: Option<&str>) -> Result<SyncOptions, Error> {
    let map: Map<String, Value> = match json.filter(|j| !j.trim().is_empty()) {
        None => Map::new(),
        Some(j) => match serde_json::from_str::<Value>(j) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(not_an_object("options_json")),
            Err(e) => return Err(not_json("options_json", &e)),
        },
    };
    let text = |name: &str| -> Result<Option<String>, Error> {
        match map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad_option(name, "must be a string", "должен быть строкой")),
        }
    };
    for name in map.keys() {
        if !["account", "acknowledge", "poll_interval", "since", "filter", "stream"].contains(&name.as_str()) {
            let shown: String = name.chars().take(60).collect();
            return Err(Error::invalid_param(
                SYNC_ID,
                &shown,
                "option.unknown",
                "is not a sync option (account, acknowledge, poll_interval, since, filter, stream)",
                "не является параметром синхронизации (account, acknowledge, poll_interval, since, filter, stream)",
            ));
        }
    }
    let Some(account) = text("account")? else {
        return Err(Error::invalid_param(
            SYNC_ID,
            "account",
            "option.required",
            "options_json.account is required: the user name the client signs in as (checkpoints are kept per account)",
            "options_json.account обязателен: имя пользователя клиента (контрольные точки хранятся по учётной записи)",
        ));
    };
    let mut options = SyncOptions::new(account);
    match map.get("acknowledge") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(on)) => options = options.acknowledge(*on),
        Some(_) => return Err(bad_option("acknowledge", "must be true or false", "должен быть true или false")),
    }
    match map.get("poll_interval") {
        None | Some(Value::Null) => {}
        Some(v) => {
            let secs = v.as_f64().filter(|s| s.is_finite() && *s > 0.0 && *s <= 86_400.0).ok_or_else(|| {
                bad_option("poll_interval", "must be a number of seconds above 0, at most 86400", "должен быть числом секунд больше 0 и не больше 86400")
            })?;
            options = options.poll_interval(Duration::from_secs_f64(secs));
        }
    }
    if let Some(since) = text("since")? {
        options = options.since(since);
    }
    if let Some(filter) = text("filter")? {
        options = options.filter(filter);
    }
    if let Some(stream) = text("stream")? {
        options = options.stream(stream);
    }
    Ok(options)
}

/// Starts (or resumes) a sync of one CARGO.RUN list through `client` (a `"cargorun"`
/// client), keeping its checkpoint in the SQLite file `store_path` (made when missing;
/// WAL, a schema version, one checkpoint per base URL, account and stream). On success
/// `*sync_out` receives the sync (free it with `lb_sync_free`). No request is sent.
///
/// - `entity`: `"bids"`, `"distribution_bids"`, `"drivers"`, `"cars"`, `"trailers"`,
///   `"counterparties"`, `"legal_persons"` or `"trackers"`.
/// - `options_json`: a JSON object:
///   - `"account"` (required): the user name the client signs in as;
///   - `"acknowledge"`: `true` for acknowledgement mode: the checkpoint moves only on
///     `lb_sync_acknowledge` (default `false`: a batch's checkpoint is written when the
///     next batch is asked for);
///   - `"poll_interval"`: seconds between passes (default 60 for bids, 120 for
///     directories; less than 60 is allowed and logged as a warning: the pages' limit);
///   - `"since"`: where a stream without a stored checkpoint starts (ISO 8601 date-time);
///   - `"filter"`: an OData condition ANDed to the walk (`"status eq 'Done'"`);
///   - `"stream"`: the name the checkpoint is stored under (default the entity, or
///     `entity?filter`).
///
/// Fails with `LB_INVALID_ARGUMENT` on a NULL argument, an unknown entity or option, a
/// missing `account`, an unreadable `since`, a client of another service, or a store that
/// cannot be opened (`lb_error_field` names the option).
#[no_mangle]
pub unsafe extern "C" fn lb_sync_new(
    client: *const lb_client_t,
    store_path: *const c_char,
    entity: *const c_char,
    options_json: *const c_char,
    sync_out: *mut *mut lb_sync_t,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    reset_out(sync_out);
    guard(error_out, || {
        let client = arg_ref(client, "client")?.get()?.clone();
        let store_path = arg_str(store_path, "store_path")?;
        let entity: SyncEntity = arg_str(entity, "entity")?.parse()?;
        let options = sync_options(opt_str(options_json, "options_json")?)?;
        let out = arg_out(sync_out, "sync_out")?;
        let store = SyncStore::open(store_path)?;
        let syncer = Syncer::new(client, store, entity, options)?;
        *out = Box::into_raw(Box::new(lb_sync_t { inner: Arc::new(Mutex::new(syncer)), made_in: lbcore::blocking::fork_generation() }));
        Ok(())
    })
}

/// Fetches the next rows changed since the sync's position and waits for them.
///
/// - On `LB_OK` with `*batch_json_out` not NULL: a batch (free it with `lb_string_free`),
///   ```text
///   {"entity": "bids", "seq": 1, "items": [{...row as the service sent it...}, ...],
///    "checkpoint": {"updatedAt": "2026-01-23T21:00:00.1234567Z", "id": 17, "seenIds": [17]},
///    "caughtUp": false}
///   ```
///   rows in `(updatedAt, id)` order, each change handed once; `caughtUp` is true when the
///   last page was not full (nothing more is waiting now).
/// - On `LB_OK` with `*batch_json_out` NULL: nothing new is waiting now. Call again after
///   the poll interval.
/// - Outside acknowledgement mode, the checkpoint of the batch handed before is written
///   first (you came back for more, so you processed it).
///
/// On failure (`LB_HTTP`, `LB_AUTH`, `LB_DECODE`, ...) nothing moved: calling again
/// retries the same page.
#[no_mangle]
pub unsafe extern "C" fn lb_sync_next_batch(
    sync: *mut lb_sync_t,
    batch_json_out: *mut *mut c_char,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    reset_out(batch_json_out);
    guard(error_out, || {
        let sync = arg_ref(sync, "sync")?.get()?;
        let out = arg_out(batch_json_out, "batch_json_out")?;
        let batch = lbcore::blocking::wait(async move { sync.lock().await.next_batch().await.map(|b| b.map(|b| b.to_json().to_string())) })??;
        if let Some(text) = batch {
            *out = c_string(text).into_raw();
        }
        Ok(())
    })
}

/// Acknowledges the batch numbered `seq` (its `"seq"`) and every batch before it: writes
/// its checkpoint to the store, so a new sync on the store resumes after it. Acknowledging
/// a batch already covered changes nothing.
///
/// Fails with `LB_INVALID_ARGUMENT` (field `batch`) for a `seq` this sync did not hand
/// out (0, or a number not reached yet), or when the store cannot be written.
#[no_mangle]
pub unsafe extern "C" fn lb_sync_acknowledge(sync: *mut lb_sync_t, seq: u64, error_out: *mut *mut lb_error_t) -> lb_status {
    guard(error_out, || {
        let sync = arg_ref(sync, "sync")?.get()?;
        lbcore::blocking::wait(async move { sync.lock().await.acknowledge_seq(seq) })??;
        Ok(())
    })
}

/// The checkpoint written in the store, where a new sync would resume, as JSON
/// (`{"updatedAt": "...", "id": N, "seenIds": [...]}`), or `null` before the first one.
/// Free `*checkpoint_json_out` with `lb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn lb_sync_checkpoint(
    sync: *mut lb_sync_t,
    checkpoint_json_out: *mut *mut c_char,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    reset_out(checkpoint_json_out);
    guard(error_out, || {
        let sync = arg_ref(sync, "sync")?.get()?;
        let out = arg_out(checkpoint_json_out, "checkpoint_json_out")?;
        let checkpoint = lbcore::blocking::wait(async move { sync.lock().await.checkpoint() })??;
        let text = serde_json::to_string(&checkpoint).map_err(|e| Error::Internal(format!("cannot encode the checkpoint: {e}")))?;
        *out = c_string(text).into_raw();
        Ok(())
    })
}

/// Frees a sync. Batches handed and not acknowledged (or, outside acknowledgement mode,
/// the last batch handed) are not written: a new sync on the store hands them again.
/// NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn lb_sync_free(sync: *mut lb_sync_t) {
    if !sync.is_null() {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(Box::from_raw(sync))));
    }
}

/// What the three times say about one object (`examples-1c.md` §3). The numbers are
/// stable.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum lb_sync_state {
    /// §3.1: changed on neither side since the last sync.
    LB_SYNC_UNCHANGED = 0,
    /// §3.2: changed only locally: send it to CARGO.RUN.
    LB_SYNC_PUSH_LOCAL = 1,
    /// §3.3: changed only in CARGO.RUN: update the local copy.
    LB_SYNC_PULL_REMOTE = 2,
    /// §3.4: changed on both sides.
    LB_SYNC_CONFLICT = 3,
}

/// How `lb_sync_classify` resolves a conflict (`examples-1c.md` §4), passed as a
/// `uint32_t`; the numbers are stable.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum lb_conflict_policy {
    /// §4.1, priority CARGO.RUN: the local data is updated from CARGO.RUN.
    LB_POLICY_CARGORUN_WINS = 0,
    /// §4.1, priority of the local system: CARGO.RUN is updated from it.
    LB_POLICY_LOCAL_WINS = 1,
    /// §4.2: the conflict is reported for a user to resolve.
    LB_POLICY_MANUAL = 2,
}

/// What to do with one object. The numbers are stable.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum lb_sync_action {
    /// Nothing.
    LB_ACTION_NOTHING = 0,
    /// Send the local data to CARGO.RUN.
    LB_ACTION_PUSH_LOCAL = 1,
    /// Take CARGO.RUN's data into the local system.
    LB_ACTION_PULL_REMOTE = 2,
    /// Show both versions to a user.
    LB_ACTION_MANUAL = 3,
}

/// The conflict rule of `examples-1c.md` §3–§4 for one object, from three ISO 8601 times
/// (up to 7 fractional digits; without an offset a time is UTC): CARGO.RUN's `updatedAt`,
/// the local update time, and the last sync time. NULL means the time is absent (the object
/// is not on that side yet; never synced).
///
/// A side changed when its time is after the last sync; a time equal to it is unchanged;
/// with no last sync, a side that has the object changed. `*state_out` receives the state;
/// `*action_out` (optional, may be NULL) what to do under `policy` (an
/// `lb_conflict_policy`: only a conflict depends on it).
///
/// Fails with `LB_INVALID_ARGUMENT` on an unreadable time (`lb_error_field` names it), a
/// policy number this version does not know, or a NULL `state_out`.
#[no_mangle]
pub unsafe extern "C" fn lb_sync_classify(
    cargorun_updated_at: *const c_char,
    local_updated_at: *const c_char,
    last_sync_at: *const c_char,
    policy: u32,
    state_out: *mut lb_sync_state,
    action_out: *mut lb_sync_action,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    guard(error_out, || {
        // A time argument: NULL means absent.
        let time_arg = |p: *const c_char, name: &str| -> Result<Option<_>, Error> {
            let Some(text) = opt_str(p, name)? else { return Ok(None) };
            lbcore::cargorun::wire::parse_datetime(text, false).map(Some).map_err(|_| {
                let shown = lbcore::shown_input(text);
                Error::invalid_param(
                    SYNC_ID,
                    name,
                    "param.datetime",
                    format!("{shown:?} is not a date-time (2026-01-23T21:00:00Z, up to 7 fractional digits; without an offset it is UTC)"),
                    format!("«{shown}» — не дата и время (2026-01-23T21:00:00Z, до 7 знаков долей секунды; без смещения — UTC)"),
                )
            })
        };
        let remote = time_arg(cargorun_updated_at, "cargorun_updated_at")?;
        let local = time_arg(local_updated_at, "local_updated_at")?;
        let last = time_arg(last_sync_at, "last_sync_at")?;
        let policy = match policy {
            0 => ConflictPolicy::CargorunWins,
            1 => ConflictPolicy::LocalWins,
            2 => ConflictPolicy::Manual,
            n => {
                return Err(Error::invalid_param(
                    SYNC_ID,
                    "policy",
                    "param.enum",
                    format!("{n} is not an lb_conflict_policy (0 CARGO.RUN wins, 1 local wins, 2 manual)"),
                    format!("{n} — не lb_conflict_policy (0 — CARGO.RUN, 1 — локальная система, 2 — вручную)"),
                ))
            }
        };
        let state_out = state_out.as_mut().ok_or_else(|| is_null("state_out"))?;
        let state = core_sync::classify(remote, local, last);
        *state_out = match state {
            SyncState::Unchanged => lb_sync_state::LB_SYNC_UNCHANGED,
            SyncState::PushLocal => lb_sync_state::LB_SYNC_PUSH_LOCAL,
            SyncState::PullRemote => lb_sync_state::LB_SYNC_PULL_REMOTE,
            SyncState::Conflict => lb_sync_state::LB_SYNC_CONFLICT,
        };
        if let Some(action_out) = action_out.as_mut() {
            *action_out = match core_sync::resolve(state, policy) {
                Action::Nothing => lb_sync_action::LB_ACTION_NOTHING,
                Action::PushLocal => lb_sync_action::LB_ACTION_PUSH_LOCAL,
                Action::PullRemote => lb_sync_action::LB_ACTION_PULL_REMOTE,
                Action::Manual => lb_sync_action::LB_ACTION_MANUAL,
            };
        }
        Ok(())
    })
}

