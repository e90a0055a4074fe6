//! The sync store: one SQLite file holding the checkpoints and the id map.
//!
//! - WAL journal and `synchronous=FULL`: a checkpoint write is one transaction, durable
//!   when the call returns; a process killed mid-write leaves the previous checkpoint
//!   (SQLite's atomic commit), never a half-written one.
//! - Schema version in `PRAGMA user_version` ([`SCHEMA_VERSION`]): a file written by a
//!   newer library is refused, never read with the wrong meaning.
//! - Everything is keyed by [`SyncScope`] (the service's base URL and the account), so two
//!   accounts or two installations never share a checkpoint or an id.
//!
//! Tables (version 1):
//!
//! ```sql
//! checkpoints(base_url, account, stream, updated_at TEXT, last_id INTEGER,
//!             seen_ids TEXT /* JSON array */, written_at TEXT, PRIMARY KEY(base_url, account, stream))
//! id_map(base_url, account, entity, external_id TEXT, cargorun_id INTEGER,
//!        cargorun_updated_at TEXT /* wire text */, local_updated_at TEXT, last_sync_at TEXT,
//!        conflict TEXT /* 'none' | 'pending' */, PRIMARY KEY(base_url, account, entity, external_id))
//! ```
//!
//! Calls are short local writes done inline (the async syncer does not hand them to a
//! thread pool); a second process using the same file waits up to 5 s for its lock.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};

use super::{Checkpoint, SyncEntity, SyncState, SYNC_ID};
use crate::{Error, Result};

/// The store layout this library writes and reads.
pub const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS checkpoints (
    base_url TEXT NOT NULL,
    account TEXT NOT NULL,
    stream TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_id INTEGER NOT NULL,
    seen_ids TEXT NOT NULL,
    written_at TEXT NOT NULL,
    PRIMARY KEY (base_url, account, stream)
);
CREATE TABLE IF NOT EXISTS id_map (
    base_url TEXT NOT NULL,
    account TEXT NOT NULL,
    entity TEXT NOT NULL,
    external_id TEXT NOT NULL,
    cargorun_id INTEGER,
    cargorun_updated_at TEXT,
    local_updated_at TEXT,
    last_sync_at TEXT,
    conflict TEXT NOT NULL DEFAULT 'none',
    PRIMARY KEY (base_url, account, entity, external_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS id_map_by_cargorun_id
    ON id_map (base_url, account, entity, cargorun_id) WHERE cargorun_id IS NOT NULL;
";

/// Whose data a checkpoint or an id belongs to: the service's base URL and the account.
///
/// ```
/// use logibridge::cargorun::sync::SyncScope;
/// let s = SyncScope::new("https://api.app.cargorun.ru/", " Integration@Example.ru ").unwrap();
/// assert_eq!(s.account(), "integration@example.ru");
/// assert!(SyncScope::new("https://api.app.cargorun.ru/", " ").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SyncScope {
    base_url: String,
    account: String,
}

impl SyncScope {
    /// A scope; the account is trimmed and lower-cased (CARGO.RUN user names are e-mail
    /// addresses). An empty account is an [`Error::InvalidParameter`] on `account` (code
    /// `sync.account`).
    pub fn new(base_url: &str, account: &str) -> Result<SyncScope> {
        let account = account.trim().to_lowercase();
        if account.is_empty() {
            return Err(Error::invalid_param(
                SYNC_ID,
                "account",
                "sync.account",
                "the account (the user name the client signs in as) is required: checkpoints are kept per account",
                "нужна учётная запись (имя пользователя клиента): контрольные точки хранятся по учётным записям",
            ));
        }
        Ok(SyncScope { base_url: base_url.trim().to_owned(), account })
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The account, lower case.
    pub fn account(&self) -> &str {
        &self.account
    }
}

/// A store error: the store is the caller's file, so an [`Error::InvalidArgument`] naming it.
fn sqlite_error(what: (&str, &str), e: &rusqlite::Error) -> Error {
    Error::invalid_argument(format!("sync store: cannot {}: {e}", what.0), format!("хранилище синхронизации: не удалось {}: {e}", what.1))
}

/// The checkpoints and the id map, in one SQLite file. Cheap to clone (one connection
/// shared under a lock); `Send + Sync`.
#[derive(Clone)]
pub struct SyncStore {
    conn: Arc<Mutex<Connection>>,
    path: String,
}

impl std::fmt::Debug for SyncStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncStore").field("path", &self.path).finish()
    }
}

impl SyncStore {
    /// Opens (creating it and its tables when missing) the store at `path`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`]: the file cannot be opened or is no SQLite database;
    /// [`Error::InvalidParameter`] on `store` (code `store.schema`) when a newer library
    /// wrote it (its schema version is above [`SCHEMA_VERSION`]).
    pub fn open(path: impl AsRef<Path>) -> Result<SyncStore> {
        let shown = path.as_ref().display().to_string();
        // SQLite reads "" as a private temporary database and ":memory:" (and `file:` URIs)
        // as memory: a sync there never resumes, which is what a store is for.
        if shown.trim().is_empty() || shown == ":memory:" || shown.starts_with("file:") {
            return Err(Error::invalid_argument(
                format!("the sync store must be a file path, not «{shown}» (SQLite would keep it in memory and the sync would never resume; use SyncStore::open_in_memory for that)"),
                format!("хранилище синхронизации должно быть путём к файлу, а не «{shown}» (SQLite держал бы его в памяти, и синхронизация не продолжилась бы после перезапуска)"),
            ));
        }
        let conn = Connection::open(path.as_ref()).map_err(|e| {
            Error::invalid_argument(format!("cannot open the sync store «{shown}»: {e}"), format!("не удалось открыть хранилище синхронизации «{shown}»: {e}"))
        })?;
        SyncStore::setup(conn, shown)
    }

    /// A store in memory (tests, one-off runs): gone when the last clone is dropped.
    pub fn open_in_memory() -> Result<SyncStore> {
        let conn = Connection::open_in_memory().map_err(|e| sqlite_error(("open a store in memory", "открыть хранилище в памяти"), &e))?;
        SyncStore::setup(conn, ":memory:".into())
    }

    fn setup(mut conn: Connection, path: String) -> Result<SyncStore> {
        let fail = |e: rusqlite::Error| {
            Error::invalid_argument(format!("the sync store «{path}» cannot be used: {e}"), format!("хранилище синхронизации «{path}» нельзя использовать: {e}"))
        };
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(fail)?;
        // `journal_mode` answers a row; an in-memory database stays `memory`.
        let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)).map_err(fail)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(fail)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(fail)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(fail)?;
        if version > SCHEMA_VERSION {
            return Err(Error::invalid_param(
                SYNC_ID,
                "store",
                "store.schema",
                format!("the sync store «{path}» has schema version {version}, newer than this library's {SCHEMA_VERSION}: update the library (the file is left as it is)"),
                format!("у хранилища синхронизации «{path}» версия схемы {version}, новее версии этой библиотеки ({SCHEMA_VERSION}): обновите библиотеку (файл не изменён)"),
            ));
        }
        tx.execute_batch(SCHEMA).map_err(fail)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(SyncStore { conn: Arc::new(Mutex::new(conn)), path })
    }

    /// Where the store lives (`:memory:` for one in memory).
    pub fn path(&self) -> &str {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock left no half transaction: SQLite rolled it back.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The checkpoint of a stream, `None` before the first.
    pub fn checkpoint(&self, scope: &SyncScope, stream: &str) -> Result<Option<Checkpoint>> {
        let conn = self.lock();
        let row = conn
            .query_row(
                "SELECT updated_at, last_id, seen_ids FROM checkpoints WHERE base_url = ?1 AND account = ?2 AND stream = ?3",
                params![scope.base_url, scope.account, stream],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)),
            )
            .optional()
            .map_err(|e| sqlite_error(("read a checkpoint", "прочитать контрольную точку"), &e))?;
        row.map(|(updated_at, id, seen)| {
            let seen_ids: Vec<i64> = serde_json::from_str(&seen).map_err(|e| {
                Error::invalid_argument(format!("sync store: the checkpoint of {stream:?} is damaged: {e}"), format!("хранилище синхронизации: контрольная точка «{stream}» повреждена: {e}"))
            })?;
            Ok(Checkpoint { updated_at, id, seen_ids })
        })
        .transpose()
    }

    /// Writes the checkpoint of a stream (one transaction), unless the stored one is
    /// already further on: two syncers of one stream (two processes, two 1C background
    /// jobs) acknowledging in turn must not move it back, or a restart would hand rows
    /// again. The read and the write are one `IMMEDIATE` transaction, so SQLite's write
    /// lock orders them across processes.
    pub fn set_checkpoint(&self, scope: &SyncScope, stream: &str, checkpoint: &Checkpoint) -> Result<()> {
        let seen = serde_json::to_string(&checkpoint.seen_ids).map_err(|e| Error::Internal(e.to_string()))?;
        let write = |e: rusqlite::Error| sqlite_error(("write a checkpoint", "записать контрольную точку"), &e);
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(write)?;
        let stored: Option<(String, i64)> = tx
            .query_row(
                "SELECT updated_at, last_id FROM checkpoints WHERE base_url = ?1 AND account = ?2 AND stream = ?3",
                params![scope.base_url, scope.account, stream],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(write)?;
        let position = |updated_at: &str, id: i64| super::instant(updated_at).map(|t| (t, id));
        let further_on = match (stored.as_ref().and_then(|(t, id)| position(t, *id)), position(&checkpoint.updated_at, checkpoint.id)) {
            (Some(old), Some(new)) => old > new,
            _ => false,
        };
        if !further_on {
            tx.execute(
                "INSERT INTO checkpoints (base_url, account, stream, updated_at, last_id, seen_ids, written_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (base_url, account, stream) DO UPDATE SET
                    updated_at = excluded.updated_at, last_id = excluded.last_id,
                    seen_ids = excluded.seen_ids, written_at = excluded.written_at",
                params![scope.base_url, scope.account, stream, checkpoint.updated_at, checkpoint.id, seen, time_text(Utc::now())],
            )
            .map_err(write)?;
        }
        tx.commit().map_err(write)
    }

    /// Forgets a stream's checkpoint (the next sync starts cold).
    pub fn reset_checkpoint(&self, scope: &SyncScope, stream: &str) -> Result<()> {
        self.lock()
            .execute("DELETE FROM checkpoints WHERE base_url = ?1 AND account = ?2 AND stream = ?3", params![scope.base_url, scope.account, stream])
            .map_err(|e| sqlite_error(("delete a checkpoint", "удалить контрольную точку"), &e))?;
        Ok(())
    }

    /// The id map of one scope and entity.
    pub fn id_map(&self, scope: &SyncScope, entity: SyncEntity) -> IdMap {
        IdMap { store: self.clone(), scope: scope.clone(), entity }
    }
}

/// Whether an object awaits a user's choice (examples-1c.md §4.2: "Зафиксировать факт
/// конфликтного обновления").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictMark {
    /// No conflict recorded.
    #[default]
    None,
    /// A conflict was found under the manual policy and is not resolved yet.
    Pending,
}

impl ConflictMark {
    fn as_str(self) -> &'static str {
        match self {
            ConflictMark::None => "none",
            ConflictMark::Pending => "pending",
        }
    }
}

/// One row of the integration table of examples-1c.md §1: an object of the external system
/// and its CARGO.RUN twin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdMapEntry {
    /// The external system's id (1С: a reference's UUID, a code).
    pub external_id: String,
    /// CARGO.RUN's `id` (`None` until the object is created there).
    pub cargorun_id: Option<i64>,
    /// CARGO.RUN's `updatedAt` last seen, as the service wrote it.
    pub cargorun_updated_at: Option<String>,
    /// The external system's update time of the object.
    pub local_updated_at: Option<DateTime<Utc>>,
    /// The last sync of the object.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// Whether a conflict awaits a user.
    #[serde(default)]
    pub conflict: ConflictMark,
}

impl IdMapEntry {
    /// An entry for an external object not yet linked.
    pub fn new(external_id: impl Into<String>) -> IdMapEntry {
        IdMapEntry { external_id: external_id.into(), cargorun_id: None, cargorun_updated_at: None, local_updated_at: None, last_sync_at: None, conflict: ConflictMark::None }
    }

    /// The object's state ([`super::classify`]) given CARGO.RUN's current `updatedAt` (wire
    /// text; `None` when CARGO.RUN does not have it) and the entry's local and last-sync
    /// times. An unreadable `updatedAt` is an [`Error::InvalidParameter`] on
    /// `cargorun_updated_at`.
    pub fn state(&self, cargorun_updated_at: Option<&str>) -> Result<SyncState> {
        let remote = cargorun_updated_at.map(read_time("cargorun_updated_at")).transpose()?;
        Ok(super::classify(remote, self.local_updated_at, self.last_sync_at))
    }
}

fn read_time(field: &'static str) -> impl Fn(&str) -> Result<DateTime<Utc>> {
    move |text| {
        super::instant(text).ok_or_else(|| {
            let shown = crate::shown_input(text);
            Error::invalid_param(SYNC_ID, field, "sync.time", format!("{shown:?} is not a date-time"), format!("«{shown}» — не дата и время"))
        })
    }
}

/// Times the store writes: UTC, every fractional digit that is there.
fn time_text(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string()
}

/// The id map of one scope and entity (examples-1c.md §1): external id ↔ CARGO.RUN id, both
/// update times, the last sync, the conflict mark. From [`SyncStore::id_map`] or
/// [`super::Syncer::id_map`].
///
/// ```
/// use logibridge::cargorun::sync::{IdMapEntry, SyncEntity, SyncScope, SyncStore};
/// let store = SyncStore::open_in_memory().unwrap();
/// let map = store.id_map(&SyncScope::new("https://x/", "me").unwrap(), SyncEntity::Bids);
/// let mut e = IdMapEntry::new("1c-0001");
/// e.cargorun_id = Some(1042);
/// map.put(&e).unwrap();
/// assert_eq!(map.by_cargorun_id(1042).unwrap().unwrap().external_id, "1c-0001");
/// ```
#[derive(Debug, Clone)]
pub struct IdMap {
    store: SyncStore,
    scope: SyncScope,
    entity: SyncEntity,
}

const ENTRY_COLUMNS: &str = "external_id, cargorun_id, cargorun_updated_at, local_updated_at, last_sync_at, conflict";

fn entry_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<IdMapEntry> {
    let time = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> { Ok(r.get::<_, Option<String>>(i)?.and_then(|t| super::instant(&t))) };
    Ok(IdMapEntry {
        external_id: r.get(0)?,
        cargorun_id: r.get(1)?,
        cargorun_updated_at: r.get(2)?,
        local_updated_at: time(3)?,
        last_sync_at: time(4)?,
        conflict: if r.get::<_, String>(5)? == "pending" { ConflictMark::Pending } else { ConflictMark::None },
    })
}

impl IdMap {
    /// Writes an entry (insert or replace by external id).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] on `cargorun_id` (code `idmap.cargorun_id`) when that
    /// CARGO.RUN id is already linked to another external id; store errors as
    /// [`Error::InvalidArgument`].
    pub fn put(&self, entry: &IdMapEntry) -> Result<()> {
        if let Some(id) = entry.cargorun_id {
            if let Some(other) = self.by_cargorun_id(id)?.filter(|o| o.external_id != entry.external_id) {
                return Err(Error::invalid_param(
                    SYNC_ID,
                    "cargorun_id",
                    "idmap.cargorun_id",
                    format!("CARGO.RUN id {id} is already linked to the external id {:?}", other.external_id),
                    format!("id CARGO.RUN {id} уже связан с внешним id «{}»", other.external_id),
                ));
            }
        }
        let conn = self.store.lock();
        conn.execute(
            "INSERT OR REPLACE INTO id_map (base_url, account, entity, external_id, cargorun_id, cargorun_updated_at, local_updated_at, last_sync_at, conflict)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                self.scope.base_url,
                self.scope.account,
                self.entity.name(),
                entry.external_id,
                entry.cargorun_id,
                entry.cargorun_updated_at,
                entry.local_updated_at.map(time_text),
                entry.last_sync_at.map(time_text),
                entry.conflict.as_str(),
            ],
        )
        .map_err(|e| sqlite_error(("write the id map", "записать таблицу соответствия"), &e))?;
        Ok(())
    }

    fn one(&self, column: &str, value: &dyn rusqlite::ToSql) -> Result<Option<IdMapEntry>> {
        let conn = self.store.lock();
        conn.query_row(
            &format!("SELECT {ENTRY_COLUMNS} FROM id_map WHERE base_url = ?1 AND account = ?2 AND entity = ?3 AND {column} = ?4"),
            params![self.scope.base_url, self.scope.account, self.entity.name(), value],
            entry_of,
        )
        .optional()
        .map_err(|e| sqlite_error(("read the id map", "прочитать таблицу соответствия"), &e))
    }

    /// The entry of an external id.
    pub fn by_external_id(&self, external_id: &str) -> Result<Option<IdMapEntry>> {
        self.one("external_id", &external_id)
    }

    /// The entry linked to a CARGO.RUN id.
    pub fn by_cargorun_id(&self, cargorun_id: i64) -> Result<Option<IdMapEntry>> {
        self.one("cargorun_id", &cargorun_id)
    }

    /// Every entry, by external id; only the pending conflicts with `pending_only`.
    pub fn entries(&self, pending_only: bool) -> Result<Vec<IdMapEntry>> {
        let conn = self.store.lock();
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM id_map WHERE base_url = ?1 AND account = ?2 AND entity = ?3 {} ORDER BY external_id",
            if pending_only { "AND conflict = 'pending'" } else { "" }
        );
        let read = || -> rusqlite::Result<Vec<IdMapEntry>> {
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map(params![self.scope.base_url, self.scope.account, self.entity.name()], entry_of)?;
            rows.collect()
        };
        read().map_err(|e| sqlite_error(("read the id map", "прочитать таблицу соответствия"), &e))
    }

    /// Removes an entry; whether there was one.
    pub fn remove(&self, external_id: &str) -> Result<bool> {
        let n = self
            .store
            .lock()
            .execute(
                "DELETE FROM id_map WHERE base_url = ?1 AND account = ?2 AND entity = ?3 AND external_id = ?4",
                params![self.scope.base_url, self.scope.account, self.entity.name(), external_id],
            )
            .map_err(|e| sqlite_error(("write the id map", "записать таблицу соответствия"), &e))?;
        Ok(n > 0)
    }

    /// Records a sync of one object: both sides now hold the same data, CARGO.RUN's
    /// `updatedAt` is `cargorun_updated_at` (wire text), the local one `local_updated_at`.
    /// The last sync becomes the later of the two (so neither side counts as changed until
    /// it changes again: module doc of [`super::classify`]), and the conflict mark is
    /// cleared.
    pub fn mark_synced(&self, external_id: &str, cargorun_id: i64, cargorun_updated_at: &str, local_updated_at: DateTime<Utc>) -> Result<IdMapEntry> {
        let remote = read_time("cargorun_updated_at")(cargorun_updated_at)?;
        let entry = IdMapEntry {
            external_id: external_id.to_owned(),
            cargorun_id: Some(cargorun_id),
            cargorun_updated_at: Some(cargorun_updated_at.to_owned()),
            local_updated_at: Some(local_updated_at),
            last_sync_at: Some(remote.max(local_updated_at)),
            conflict: ConflictMark::None,
        };
        self.put(&entry)?;
        Ok(entry)
    }

    /// Sets or clears the conflict mark of an entry; whether there was one.
    pub fn set_conflict(&self, external_id: &str, mark: ConflictMark) -> Result<bool> {
        let n = self
            .store
            .lock()
            .execute(
                "UPDATE id_map SET conflict = ?5 WHERE base_url = ?1 AND account = ?2 AND entity = ?3 AND external_id = ?4",
                params![self.scope.base_url, self.scope.account, self.entity.name(), external_id, mark.as_str()],
            )
            .map_err(|e| sqlite_error(("write the id map", "записать таблицу соответствия"), &e))?;
        Ok(n > 0)
    }
}
