//! Incremental sync of CARGO.RUN lists into an external system, exactly once, with a local
//! store (issue 13; `cargorun/integration/sync.md` §1, §5–§6, `scenario-cr-to-external.md`
//! §3 and §7, `examples-1c.md` §1–§4).
//!
//! A [`Syncer`] walks one list ([`SyncEntity`]: bids, distribution bids, and the
//! directories whose rows carry `updatedAt`) 50 rows a page, ordered `$orderby=updatedAt,id`,
//! through the generic [`Client`] (the one every face calls), and hands the changed rows to
//! the caller in [`SyncBatch`]es, each with the [`Checkpoint`] it leads to. The checkpoints
//! live in a [`SyncStore`] (one SQLite file), per base URL, account and stream, beside the
//! id map of `examples-1c.md` §1 ([`IdMap`]) and the conflict rule of its §3–§4
//! ([`classify`], [`resolve`]).
//!
//! # Why keyset paging, and which keyset
//!
//! The pages page with `$skip` (`scenario-cr-to-external.md` §3). While a sync pages, rows
//! change and move to the end of the `updatedAt` order, so an offset skips rows that moved
//! behind it and repeats others. The syncer pages by keyset instead: the last handed
//! `(updatedAt, id)`. Two facts make a plain strict keyset
//! (`updatedAt gt X or (updatedAt eq X and id gt Y)`) lose rows:
//!
//! - a row updated in the same tick `X` as the checkpoint, with an id below `Y`, after the
//!   page that held `X` was read, sorts before the keyset and is never seen;
//! - more than 50 rows can share one tick, so `updatedAt ge X` alone may return the same
//!   50 rows for ever.
//!
//! So the syncer keeps, with `(X, Y)`, the ids it handed at tick `X`
//! ([`Checkpoint::seen_ids`]) and asks:
//!
//! - while fewer than 50 ids were handed at `X`: `updatedAt ge X`, dropping the rows whose
//!   `(id, updatedAt)` was handed (the issue's rule). A full page then always holds a new
//!   row, and any page that reaches past `X` held every row of `X`;
//! - from 50 on: the strict keyset, and whenever its page reaches past `X`, a second walk of
//!   `updatedAt eq X and id le Y` (by `id`, 50 a page) for the rows that came into tick `X`
//!   behind the keyset, handed before the page's own rows.
//!
//! Both rely on one property of the service: a row's `updatedAt` is the server clock at the
//! change, and that clock does not go back. Once a page shows a row of a later tick, no row
//! can come into tick `X` any more, so the re-read of `X` done after that page is final.
//! (A service whose transactions commit out of `updatedAt` order would need an overlap
//! window; the pages say nothing of it.)
//!
//! `updatedAt` carries up to 7 fractional digits (.NET ticks). Rows are ordered by the
//! instant read at full precision ([`crate::cargorun::wire::parse_datetime`], nanoseconds),
//! never truncated, and the filter sends the checkpoint's time with every fractional digit
//! the service wrote (through the OData builder, [`crate::cargorun::odata`]; `Z` added when
//! it had no offset: the service's naive times are UTC).
//!
//! # When the checkpoint moves
//!
//! Only past rows handed to the caller, and only after the caller came back:
//!
//! - default: the checkpoint of a batch is written when the caller asks for the next one
//!   (or calls [`Syncer::acknowledge`]); a crash while the caller works on a batch
//!   re-delivers that batch on restart, never loses it;
//! - acknowledgement mode ([`SyncOptions::acknowledge`]): only [`Syncer::acknowledge`]
//!   writes it; the syncer keeps paging in memory meanwhile, and a syncer dropped with
//!   batches unacknowledged resumes, next time, after the last acknowledged one.
//!
//! Rows are handed in the service's wire form (`serde_json::Value` read from the raw body:
//! the documented form the generic call returns writes date-times to the second, which
//! would break the keyset), so each face can read them its own way.
//!
//! # Polling
//!
//! The pages: bids every 1–5 minutes (`scenario-cr-to-external.md` §7; sync.md §8: every
//! minute), directories at most once a minute (sync.md §2.1; §8: 1–2 minutes). The
//! defaults are [`SyncEntity::default_poll_interval`]; asking for less than
//! [`MIN_POLL_INTERVAL`] is allowed (a test, a one-off catch-up) but logged with
//! `tracing::warn!`, and so is starting a new pass sooner than the interval after the last
//! one caught up.

mod conflict;
mod store;

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::endpoints::{cargorun as rows, Endpoint};
use crate::{Client, Error, Result};

pub use conflict::{classify, resolve, Action, ConflictPolicy, SyncState};
pub use store::{ConflictMark, IdMap, IdMapEntry, SyncScope, SyncStore, SCHEMA_VERSION};

/// Rows per page: the pages' 50 (`scenario-cr-to-external.md` §7: "порциями по 50 записей").
pub const PAGE_SIZE: usize = 50;

/// The shortest poll interval the pages allow for any list (sync.md §2.1: directories "не
/// больше чем раз в 1 минуту"; bids every 1–5 minutes).
pub const MIN_POLL_INTERVAL: Duration = Duration::from_secs(60);

/// Where the id of the sync's own errors is written (`Error::endpoint`).
const SYNC_ID: &str = "cargorun.sync";

/// A list the syncer walks: bids and distribution bids (`*.list_for_external`, the pages'
/// sync calls), and the directories of sync.md §2.1 plus trackers.
///
/// sync.md §1 says every object carries `updatedAt`; the Swagger's directory list models do
/// not list it. A row without a readable `updatedAt` or `id` stops the sync with a
/// [`Error::Decode`] naming the row, rather than being skipped.
///
/// ```
/// use logibridge::cargorun::sync::SyncEntity;
/// assert_eq!("distribution_bids".parse::<SyncEntity>().unwrap(), SyncEntity::DistributionBids);
/// assert_eq!(SyncEntity::Bids.endpoint().id, "cargorun.bids.list_for_external");
/// assert!("orders".parse::<SyncEntity>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncEntity {
    /// `cargorun.bids.list_for_external` (deleted bids included: the rows carry `isDeleted`).
    Bids,
    /// `cargorun.distribution_bids.list_for_external`.
    DistributionBids,
    /// `cargorun.drivers.list` with `withDeleted`.
    Drivers,
    /// `cargorun.cars.list` (the call has no `withDeleted`).
    Cars,
    /// `cargorun.trailers.list` with `withDeleted`.
    Trailers,
    /// `cargorun.counterparties.list` with `withDeleted`.
    Counterparties,
    /// `cargorun.legal_persons.list` with `withDeleted`.
    LegalPersons,
    /// `cargorun.trackers.list` with `withDeleted`.
    Trackers,
}

impl SyncEntity {
    /// Every entity, in this order.
    pub const ALL: [SyncEntity; 8] = [
        SyncEntity::Bids,
        SyncEntity::DistributionBids,
        SyncEntity::Drivers,
        SyncEntity::Cars,
        SyncEntity::Trailers,
        SyncEntity::Counterparties,
        SyncEntity::LegalPersons,
        SyncEntity::Trackers,
    ];

    /// The name faces and the store use (`bids`, `distribution_bids`, `drivers`, …).
    pub fn name(self) -> &'static str {
        match self {
            SyncEntity::Bids => "bids",
            SyncEntity::DistributionBids => "distribution_bids",
            SyncEntity::Drivers => "drivers",
            SyncEntity::Cars => "cars",
            SyncEntity::Trailers => "trailers",
            SyncEntity::Counterparties => "counterparties",
            SyncEntity::LegalPersons => "legal_persons",
            SyncEntity::Trackers => "trackers",
        }
    }

    /// The list call walked.
    pub fn endpoint(self) -> &'static Endpoint {
        match self {
            SyncEntity::Bids => rows::BIDS_LIST_FOR_EXTERNAL,
            SyncEntity::DistributionBids => rows::DISTRIBUTION_BIDS_LIST_FOR_EXTERNAL,
            SyncEntity::Drivers => rows::DRIVERS_LIST,
            SyncEntity::Cars => rows::CARS_LIST,
            SyncEntity::Trailers => rows::TRAILERS_LIST,
            SyncEntity::Counterparties => rows::COUNTERPARTIES_LIST,
            SyncEntity::LegalPersons => rows::LEGAL_PERSONS_LIST,
            SyncEntity::Trackers => rows::TRACKERS_LIST,
        }
    }

    /// Whether this is a directory (polled at most once a minute) rather than bids.
    pub fn is_directory(self) -> bool {
        !matches!(self, SyncEntity::Bids | SyncEntity::DistributionBids)
    }

    /// The default poll interval: 60 s for bids (sync.md §8: every minute, within
    /// `scenario-cr-to-external.md` §7's 1–5 minutes), 120 s for directories (sync.md §8:
    /// 1–2 minutes).
    ///
    /// ```
    /// use logibridge::cargorun::sync::SyncEntity;
    /// assert_eq!(SyncEntity::Bids.default_poll_interval().as_secs(), 60);
    /// assert_eq!(SyncEntity::Drivers.default_poll_interval().as_secs(), 120);
    /// ```
    pub fn default_poll_interval(self) -> Duration {
        if self.is_directory() {
            Duration::from_secs(120)
        } else {
            Duration::from_secs(60)
        }
    }

    /// Parameters sent on every page besides the OData ones: `with_deleted: true` where the
    /// call takes it, so that a deletion reaches the external system as a changed row.
    fn extra_params(self) -> Map<String, Value> {
        let mut m = Map::new();
        if matches!(
            self,
            SyncEntity::Drivers
                | SyncEntity::Trailers
                | SyncEntity::Counterparties
                | SyncEntity::LegalPersons
                | SyncEntity::Trackers
        ) {
            m.insert("with_deleted".into(), Value::Bool(true));
        }
        m
    }
}

impl fmt::Display for SyncEntity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SyncEntity {
    type Err = Error;

    /// Reads a [`SyncEntity::name`]; anything else is an [`Error::InvalidParameter`] on
    /// `entity` (code `sync.entity`) listing the names.
    fn from_str(s: &str) -> Result<SyncEntity> {
        SyncEntity::ALL.into_iter().find(|e| e.name() == s.trim()).ok_or_else(|| {
            let names: Vec<&str> = SyncEntity::ALL.iter().map(|e| e.name()).collect();
            let shown = crate::shown_input(s);
            Error::invalid_param(
                SYNC_ID,
                "entity",
                "sync.entity",
                format!("{shown:?} is not a synced list; one of: {}", names.join(", ")),
                format!("«{shown}» — не синхронизируемый список; допустимы: {}", names.join(", ")),
            )
        })
    }
}

/// How far a sync got: the last handed row's `updatedAt` (the service's text, exactly) and
/// `id`, and the ids handed whose `updatedAt` is that same instant.
///
/// Serialized (in the store and to faces) as `{"updatedAt": "…", "id": N, "seenIds": [..]}`.
///
/// ```
/// use logibridge::cargorun::sync::Checkpoint;
/// let c = Checkpoint::since("2026-01-23T21:00:00.1234567Z").unwrap();
/// assert_eq!(c.updated_at, "2026-01-23T21:00:00.1234567Z");
/// assert!(Checkpoint::since("yesterday").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    /// `updatedAt` of the last handed row, as the service wrote it (up to 7 fractional
    /// digits, never truncated).
    pub updated_at: String,
    /// `id` of the last handed row at that instant (the keyset's second key); 0 for a
    /// start point made by [`Checkpoint::since`].
    pub id: i64,
    /// Every id handed whose `updatedAt` is the instant of `updated_at`, ascending.
    #[serde(default)]
    pub seen_ids: Vec<i64>,
}

impl Checkpoint {
    /// A start point: rows updated at or after `updated_at` (ISO 8601; without an offset it
    /// is UTC, as the service's times are). An unreadable time is an
    /// [`Error::InvalidParameter`] on `since` (code `sync.since`).
    pub fn since(updated_at: &str) -> Result<Checkpoint> {
        // Read as the rows' times are, and renderable as the keyset's literal (which is
        // stricter: at most 7 fractional digits, no space before the zone), so a bad value
        // is refused here under `since` rather than later as an OData error.
        instant(updated_at).filter(|_| literal(updated_at).is_ok()).ok_or_else(|| {
            let shown = crate::shown_input(updated_at);
            Error::invalid_param(
                SYNC_ID,
                "since",
                "sync.since",
                format!("{shown:?} is not a date-time (2026-01-23T21:00:00Z, up to 7 fractional digits)"),
                format!("«{shown}» — не дата и время (2026-01-23T21:00:00Z, до 7 знаков долей секунды)"),
            )
        })?;
        Ok(Checkpoint { updated_at: updated_at.trim().to_owned(), id: 0, seen_ids: Vec::new() })
    }

    /// The instant of `updated_at`, at full precision.
    fn instant(&self) -> Result<DateTime<Utc>> {
        instant(&self.updated_at).ok_or_else(|| {
            Error::invalid_argument(
                format!("the checkpoint's updatedAt {:?} is not a date-time", crate::shown_input(&self.updated_at)),
                format!("updatedAt контрольной точки «{}» — не дата и время", crate::shown_input(&self.updated_at)),
            )
        })
    }
}

/// The instant of a wire date-time, nanosecond-exact (a naive one is UTC).
fn instant(text: &str) -> Option<DateTime<Utc>> {
    crate::cargorun::wire::parse_datetime(text, false).ok()
}

/// What the syncer is asked to do.
///
/// ```
/// use logibridge::cargorun::sync::SyncOptions;
/// use std::time::Duration;
/// let o = SyncOptions::new("integration@example.ru").acknowledge(true).poll_interval(Duration::from_secs(300));
/// assert!(o.acknowledges());
/// ```
#[derive(Debug, Clone)]
pub struct SyncOptions {
    account: String,
    acknowledge: bool,
    poll_interval: Option<Duration>,
    since: Option<String>,
    filter: Option<String>,
    stream: Option<String>,
}

impl SyncOptions {
    /// Options for the account the client signs in as (its user name): checkpoints and the
    /// id map are kept per base URL and account, so two accounts never share one. An
    /// empty account is refused by [`Syncer::new`].
    pub fn new(account: impl Into<String>) -> SyncOptions {
        SyncOptions { account: account.into(), acknowledge: false, poll_interval: None, since: None, filter: None, stream: None }
    }

    /// Acknowledgement mode: the checkpoint moves only on [`Syncer::acknowledge`].
    pub fn acknowledge(mut self, on: bool) -> SyncOptions {
        self.acknowledge = on;
        self
    }

    /// Whether acknowledgement mode is on.
    pub fn acknowledges(&self) -> bool {
        self.acknowledge
    }

    /// The time between passes (default [`SyncEntity::default_poll_interval`]); less than
    /// [`MIN_POLL_INTERVAL`] is logged as a warning.
    pub fn poll_interval(mut self, interval: Duration) -> SyncOptions {
        self.poll_interval = Some(interval);
        self
    }

    /// Where a stream without a stored checkpoint starts: rows updated at or after this
    /// time (ISO 8601). Without it, a cold start hands every row.
    pub fn since(mut self, updated_at: impl Into<String>) -> SyncOptions {
        self.since = Some(updated_at.into());
        self
    }

    /// An OData condition ANDed to the keyset (`status eq 'Done'`, examples-1c.md §2.2). A
    /// row that comes to match it later has a new `updatedAt`, so it is still seen. Sets the
    /// stream name to `<entity>?<filter>` unless [`SyncOptions::stream`] names it.
    pub fn filter(mut self, condition: impl Into<String>) -> SyncOptions {
        self.filter = Some(condition.into());
        self
    }

    /// The name the checkpoint is stored under (default: the entity's name, or
    /// `<entity>?<filter>` with a filter), so that one store can keep several streams of
    /// one list.
    pub fn stream(mut self, name: impl Into<String>) -> SyncOptions {
        self.stream = Some(name.into());
        self
    }
}

/// Rows handed to the caller, in `(updatedAt, id)` order, and the checkpoint that
/// acknowledging them writes.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncBatch {
    /// The list they come from.
    pub entity: SyncEntity,
    /// The rows, as the service sent them (JSON objects, camelCase, `updatedAt` text as
    /// sent).
    pub items: Vec<Value>,
    /// Where the stream stands once these rows are processed.
    pub checkpoint: Checkpoint,
    /// The last page was not full: nothing more is waiting now; the next pass is due after
    /// the poll interval.
    pub caught_up: bool,
    /// This syncer's number of the batch (1, 2, …), for [`Syncer::acknowledge_seq`].
    pub seq: u64,
}

impl SyncBatch {
    /// The batch as one JSON object for the C and 1C faces:
    /// `{"entity": "bids", "seq": N, "items": [...], "checkpoint": {...}, "caughtUp": bool}`.
    pub fn to_json(&self) -> Value {
        json!({
            "entity": self.entity.name(),
            "seq": self.seq,
            "items": self.items,
            "checkpoint": self.checkpoint,
            "caughtUp": self.caught_up,
        })
    }
}

/// Walks one list into the caller's hands, exactly once per `(id, updatedAt)` (module doc).
///
/// ```no_run
/// # async fn f(client: logibridge::Client) -> logibridge::Result<()> {
/// use logibridge::cargorun::sync::{SyncEntity, SyncOptions, SyncStore, Syncer};
/// let store = SyncStore::open("sync.db")?;
/// let mut syncer = Syncer::new(client, store, SyncEntity::Bids, SyncOptions::new("integration@example.ru"))?;
/// while let Some(batch) = syncer.next_batch().await? {
///     for bid in &batch.items { println!("{} {}", bid["id"], bid["updatedAt"]); }
/// }
/// # Ok(()) }
/// ```
pub struct Syncer {
    client: Client,
    store: SyncStore,
    entity: SyncEntity,
    scope: SyncScope,
    stream: String,
    filter: Option<String>,
    acknowledge: bool,
    poll_interval: Duration,
    /// Where the next page starts: the checkpoint of the last handed batch.
    position: Option<Checkpoint>,
    /// Handed batches whose checkpoint is not written yet, oldest first.
    outstanding: VecDeque<(u64, Checkpoint)>,
    next_seq: u64,
    /// When the last pass caught up (for the poll-interval warning).
    caught_up_at: Option<tokio::time::Instant>,
}

impl fmt::Debug for Syncer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Syncer")
            .field("entity", &self.entity)
            .field("scope", &self.scope)
            .field("stream", &self.stream)
            .field("position", &self.position)
            .finish_non_exhaustive()
    }
}

impl Syncer {
    /// A syncer of `entity` through `client` (a `cargorun` client), resuming from the
    /// checkpoint `store` holds for the client's base URL, the account and the stream.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (endpoint `cargorun.sync`): `account` empty
    /// (`sync.account`), `since` unreadable (`sync.since`); [`Error::InvalidArgument`]
    /// when the client speaks another service or the store cannot be read.
    pub fn new(client: Client, store: SyncStore, entity: SyncEntity, options: SyncOptions) -> Result<Syncer> {
        if client.service().prefix != "cargorun" {
            return Err(crate::client::wrong_service(entity.endpoint().id, "cargorun", client.service().prefix));
        }
        let scope = SyncScope::new(client.config().base_url.as_str(), &options.account)?;
        let stream = match (&options.stream, &options.filter) {
            (Some(s), _) => s.clone(),
            (None, Some(f)) => format!("{}?{}", entity.name(), f.trim()),
            (None, None) => entity.name().to_owned(),
        };
        let poll_interval = options.poll_interval.unwrap_or_else(|| entity.default_poll_interval());
        if poll_interval < MIN_POLL_INTERVAL {
            tracing::warn!(
                entity = entity.name(),
                interval_s = poll_interval.as_secs_f64(),
                "CARGO.RUN sync: a poll interval under 60 s is faster than the pages allow (sync.md §2.1, scenario-cr-to-external.md §7); the service may block the user"
            );
        }
        let since = options.since.as_deref().map(Checkpoint::since).transpose()?;
        let position = store.checkpoint(&scope, &stream)?.or(since);
        Ok(Syncer {
            client,
            store,
            entity,
            scope,
            stream,
            filter: options.filter.map(|f| f.trim().to_owned()).filter(|f| !f.is_empty()),
            acknowledge: options.acknowledge,
            poll_interval,
            position,
            outstanding: VecDeque::new(),
            next_seq: 1,
            caught_up_at: None,
        })
    }

    /// The list walked.
    pub fn entity(&self) -> SyncEntity {
        self.entity
    }

    /// The base URL and account the checkpoint belongs to.
    pub fn scope(&self) -> &SyncScope {
        &self.scope
    }

    /// The name the checkpoint is stored under.
    pub fn stream(&self) -> &str {
        &self.stream
    }

    /// The time between passes in force.
    pub fn poll_interval(&self) -> Duration {
        self.poll_interval
    }

    /// The checkpoint written in the store (`None` before the first one): where a new
    /// syncer would resume.
    pub fn checkpoint(&self) -> Result<Option<Checkpoint>> {
        self.store.checkpoint(&self.scope, &self.stream)
    }

    /// Where this syncer's next page starts (after the last handed batch, acknowledged or
    /// not).
    pub fn position(&self) -> Option<&Checkpoint> {
        self.position.as_ref()
    }

    /// The id map of this scope and entity (examples-1c.md §1).
    pub fn id_map(&self) -> IdMap {
        self.store.id_map(&self.scope, self.entity)
    }

    /// Sleeps until the next pass is due (the poll interval after the last pass caught up);
    /// returns at once when none caught up yet.
    pub async fn wait_for_poll(&self) {
        if let Some(at) = self.caught_up_at {
            tokio::time::sleep_until(at + self.poll_interval).await;
        }
    }

    /// The next rows changed since the position, or `None` when nothing new is there now.
    ///
    /// Outside acknowledgement mode, the checkpoint of the batch handed before is written
    /// first (the caller came back for more). One call sends one page request, plus the
    /// re-read of a tick the page left behind when 50 or more rows shared it (module doc).
    ///
    /// # Errors
    /// The call's errors ([`Error::Http`], [`Error::Auth`], …); [`Error::Decode`] when the
    /// body is no list of objects with `id` and `updatedAt`, or is not in `updatedAt, id`
    /// order; store errors as [`Error::InvalidArgument`]. After an error nothing moved:
    /// calling again retries the same page.
    pub async fn next_batch(&mut self) -> Result<Option<SyncBatch>> {
        if !self.acknowledge {
            if let Some(&(seq, _)) = self.outstanding.back() {
                self.acknowledge_seq(seq)?;
            }
        }
        if let Some(at) = self.caught_up_at.take() {
            if at.elapsed() < self.poll_interval {
                tracing::warn!(
                    entity = self.entity.name(),
                    interval_s = self.poll_interval.as_secs_f64(),
                    "CARGO.RUN sync: a new pass started sooner than the poll interval after the last one caught up"
                );
            }
        }
        let step = self.step().await?;
        if step.caught_up {
            self.caught_up_at = Some(tokio::time::Instant::now());
        }
        if step.items.is_empty() {
            return Ok(None);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.position = Some(step.checkpoint.clone());
        self.outstanding.push_back((seq, step.checkpoint.clone()));
        Ok(Some(SyncBatch { entity: self.entity, items: step.items, checkpoint: step.checkpoint, caught_up: step.caught_up, seq }))
    }

    /// Writes the batch's checkpoint (and so those of every batch handed before it): the
    /// caller has processed its rows. Acknowledging a batch older than one already
    /// acknowledged changes nothing.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] on `batch` (code `sync.acknowledge`) for a batch this
    /// syncer did not hand out; store errors as [`Error::InvalidArgument`].
    pub fn acknowledge(&mut self, batch: &SyncBatch) -> Result<()> {
        if batch.entity != self.entity {
            return Err(unknown_batch(batch.seq));
        }
        self.acknowledge_seq(batch.seq)
    }

    /// [`Syncer::acknowledge`] by the batch's [`SyncBatch::seq`] (what the C and 1C faces
    /// hand back).
    pub fn acknowledge_seq(&mut self, seq: u64) -> Result<()> {
        if seq == 0 || seq >= self.next_seq {
            return Err(unknown_batch(seq));
        }
        let Some(idx) = self.outstanding.iter().position(|(s, _)| *s == seq) else {
            // Already written (it, or a later batch).
            return Ok(());
        };
        let checkpoint = self.outstanding[idx].1.clone();
        self.store.set_checkpoint(&self.scope, &self.stream, &checkpoint)?;
        self.outstanding.drain(..=idx);
        Ok(())
    }

    /// One pass step: the rows to hand and the checkpoint after them.
    async fn step(&mut self) -> Result<Step> {
        let Some(pos) = self.position.clone() else {
            let page = self.page(None).await?;
            let full = page.len() >= PAGE_SIZE;
            return Ok(Step::after(None, page, !full));
        };
        let x = pos.instant()?;
        if pos.seen_ids.len() < PAGE_SIZE {
            // `updatedAt ge X`, dropping what was handed at X.
            let page = self.page(Some(Cond::AtOrAfter(&pos.updated_at))).await?;
            let full = page.len() >= PAGE_SIZE;
            let fresh: Vec<Row> = page.into_iter().filter(|r| !(r.at == x && pos.seen_ids.binary_search(&r.id).is_ok())).collect();
            return Ok(Step::after(Some((&pos, x)), fresh, !full));
        }
        let page = self.page(Some(Cond::After(&pos.updated_at, pos.id))).await?;
        let full = page.len() >= PAGE_SIZE;
        let mut rows = Vec::new();
        if page.iter().any(|r| r.at > x) {
            // The page left tick X, so X is closed: re-read it for rows that came in
            // behind the keyset.
            let mut after_id: Option<i64> = None;
            loop {
                let sweep = self.sweep(&pos.updated_at, pos.id, after_id).await?;
                let n = sweep.len();
                after_id = sweep.last().map(|r| r.id).or(after_id);
                rows.extend(sweep.into_iter().filter(|r| r.at == x && pos.seen_ids.binary_search(&r.id).is_err()));
                if n < PAGE_SIZE {
                    break;
                }
            }
        }
        rows.extend(page);
        Ok(Step::after(Some((&pos, x)), rows, !full))
    }

    /// One page of the main walk.
    async fn page(&self, cond: Option<Cond<'_>>) -> Result<Vec<Row>> {
        let mut params = self.entity.extra_params();
        if let Some(filter) = filter_text(cond.as_ref(), self.filter.as_deref())? {
            params.insert("filter".into(), Value::String(filter));
        }
        params.insert("orderby".into(), Value::String("updatedAt,id".into()));
        params.insert("top".into(), json!(PAGE_SIZE));
        let rows = self.fetch(params).await?;
        check_order(self.entity, &rows, |r| (r.at, r.id))?;
        Ok(rows)
    }

    /// One page of the re-read of tick `X`: ids up to `y`, after `after_id`, by id.
    async fn sweep(&self, x: &str, y: i64, after_id: Option<i64>) -> Result<Vec<Row>> {
        let mut params = self.entity.extra_params();
        let cond = Cond::TickUpTo(x, y, after_id);
        if let Some(filter) = filter_text(Some(&cond), self.filter.as_deref())? {
            params.insert("filter".into(), Value::String(filter));
        }
        params.insert("orderby".into(), Value::String("id".into()));
        params.insert("top".into(), json!(PAGE_SIZE));
        let rows = self.fetch(params).await?;
        check_order(self.entity, &rows, |r| r.id)?;
        Ok(rows)
    }

    async fn fetch(&self, params: Map<String, Value>) -> Result<Vec<Row>> {
        let ep = self.entity.endpoint();
        let body = self.client.call_body(ep, Value::Object(params)).await?;
        read_rows(ep.id, &body)
    }
}

fn unknown_batch(seq: u64) -> Error {
    Error::invalid_param(
        SYNC_ID,
        "batch",
        "sync.acknowledge",
        format!("batch {seq} was not handed out by this syncer"),
        format!("пакет {seq} не выдавался этим синхронизатором"),
    )
}

/// What one step hands and where it leaves the stream.
struct Step {
    items: Vec<Value>,
    checkpoint: Checkpoint,
    caught_up: bool,
}

impl Step {
    /// The checkpoint after handing `rows` (in order) from `pos`: the last row's
    /// `(updatedAt, id)`, and the ids handed at its instant (with those handed before when
    /// it is still `pos`'s instant).
    fn after(pos: Option<(&Checkpoint, DateTime<Utc>)>, rows: Vec<Row>, caught_up: bool) -> Step {
        let Some(last) = rows.last() else {
            let checkpoint = pos.map(|(p, _)| p.clone()).unwrap_or_else(|| Checkpoint { updated_at: String::new(), id: 0, seen_ids: Vec::new() });
            return Step { items: Vec::new(), checkpoint, caught_up };
        };
        let (last_at, last_text) = (last.at, last.updated_at.clone());
        let mut seen: Vec<i64> = match pos {
            Some((p, x)) if x == last_at => p.seen_ids.clone(),
            _ => Vec::new(),
        };
        seen.extend(rows.iter().filter(|r| r.at == last_at).map(|r| r.id));
        seen.sort_unstable();
        seen.dedup();
        // The keyset's id: the largest id read at this instant in a read that listed every
        // smaller one (the main walk's order), never a straggler's smaller id.
        let id = rows.iter().filter(|r| r.at == last_at).map(|r| r.id).max().unwrap_or(0);
        let id = match pos {
            Some((p, x)) if x == last_at => id.max(p.id),
            _ => id,
        };
        Step { items: rows.into_iter().map(|r| r.value).collect(), checkpoint: Checkpoint { updated_at: last_text, id, seen_ids: seen }, caught_up }
    }
}

/// A row with its keyset read.
#[derive(Debug)]
struct Row {
    at: DateTime<Utc>,
    updated_at: String,
    id: i64,
    value: Value,
}

/// The keyset conditions the syncer sends.
enum Cond<'a> {
    /// `updatedAt ge X`.
    AtOrAfter(&'a str),
    /// `updatedAt gt X or (updatedAt eq X and id gt Y)`.
    After(&'a str, i64),
    /// `updatedAt eq X and id le Y [and id gt Z]`.
    TickUpTo(&'a str, i64, Option<i64>),
}

/// The `$filter` text: the keyset condition (rendered by the OData builder,
/// [`crate::cargorun::odata`]) ANDed with the caller's own condition, bracketed.
fn filter_text(cond: Option<&Cond<'_>>, extra: Option<&str>) -> Result<Option<String>> {
    use crate::cargorun::odata::Field;
    let (updated, id) = (Field::new("updatedAt"), Field::new("id"));
    let keyset = match cond {
        None => None,
        Some(c) => Some(
            match *c {
                Cond::AtOrAfter(x) => updated.ge(literal(x)?),
                Cond::After(x, y) => updated.gt(literal(x)?) | (updated.eq(literal(x)?) & id.gt(y)),
                Cond::TickUpTo(x, y, None) => updated.eq(literal(x)?) & id.le(y),
                Cond::TickUpTo(x, y, Some(z)) => updated.eq(literal(x)?) & id.le(y) & id.gt(z),
            }
            .render()?,
        ),
    };
    Ok(match (keyset, extra) {
        (Some(k), Some(e)) => Some(format!("({k}) and ({e})")),
        (Some(k), None) => Some(k),
        (None, Some(e)) => Some(e.to_owned()),
        (None, None) => None,
    })
}

/// The date-time literal of a wire time: every fractional digit the service wrote (the
/// builder keeps the digits given), `Z` added when it had no offset (the service's naive
/// times are UTC; an OData date-time literal needs a zone).
fn literal(wire: &str) -> Result<crate::cargorun::odata::Literal> {
    let t = wire.trim();
    let has_zone = t.ends_with(['Z', 'z']) || t.get(19..).is_some_and(|tail| tail.contains(['+', '-']));
    crate::cargorun::odata::Literal::datetime(&if has_zone { t.to_owned() } else { format!("{t}Z") })
}

/// The rows of a list body (a JSON array, or `{collection: [...]}`), each with its
/// `updatedAt` and `id` read.
fn read_rows(endpoint: &str, body: &[u8]) -> Result<Vec<Row>> {
    let value: Value = serde_json::from_slice(body).map_err(|e| Error::decode(endpoint, "", e.to_string(), excerpt(body)))?;
    let list = match value {
        Value::Array(a) => a,
        Value::Object(mut o) => match o.remove("collection") {
            Some(Value::Array(a)) => a,
            _ => return Err(Error::decode(endpoint, "", "expected a list of rows (a JSON array or {collection: [...]})", excerpt(body))),
        },
        _ => return Err(Error::decode(endpoint, "", "expected a list of rows (a JSON array)", excerpt(body))),
    };
    list.into_iter()
        .enumerate()
        .map(|(i, value)| {
            let text = value.get("updatedAt").and_then(Value::as_str).map(str::to_owned);
            let at = text.as_deref().and_then(instant);
            let id = match value.get("id") {
                Some(Value::Number(n)) => n.as_i64(),
                Some(Value::String(s)) => s.trim().parse().ok(),
                _ => None,
            };
            match (text, at, id) {
                (Some(updated_at), Some(at), Some(id)) => Ok(Row { at, updated_at, id, value }),
                (_, _, None) => Err(Error::decode(endpoint, format!("[{i}].id"), "a synced row needs a whole-number id", value.to_string())),
                _ => Err(Error::decode(endpoint, format!("[{i}].updatedAt"), "a synced row needs updatedAt as a date-time (sync.md §1)", value.to_string())),
            }
        })
        .collect()
}

fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned()
}

/// Refuses a page not in the asked order: paging by keyset over a service that ignored
/// `$orderby` would skip rows silently.
fn check_order<K: PartialOrd>(entity: SyncEntity, rows: &[Row], key: impl Fn(&Row) -> K) -> Result<()> {
    match rows.windows(2).position(|w| key(&w[0]) > key(&w[1])) {
        None => Ok(()),
        Some(i) => Err(Error::decode(
            entity.endpoint().id,
            format!("[{}]", i + 1),
            "the rows are not in the $orderby order the sync asked for (updatedAt, then id): keyset paging cannot go on",
            rows[i + 1].value.to_string(),
        )),
    }
}

#[cfg(test)]
mod tests;
