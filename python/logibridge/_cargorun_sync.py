"""CARGO.RUN incremental sync, exactly once (``client.sync``): the core's
``logibridge::cargorun::sync`` seen from Python.

::

    with logibridge.CargoRun(user, password) as cr:
        changes = cr.sync.bids(store="sync.db")          # resumes from the store's checkpoint
        for bid in changes:                               # BidForExternalSyncModel, one pass
            upsert(bid)
        print(changes.checkpoint)                         # Checkpoint(updated_at=…, id=…)

        acked = cr.sync.bids(store="sync.db", acknowledge=True, stream="to-1c")
        for batch in acked.batches():
            save(batch.items); batch.ack()                # the checkpoint moves only here

    async with logibridge.AsyncCargoRun(user, password) as acr:
        async for bid in acr.sync.bids(store="sync.db"):  # the same object, async for
            ...

**What is handed, and when the checkpoint moves** (the core's rule, written once): rows
changed since the checkpoint, 50 a page, ordered by ``updatedAt`` then ``id``, paged by keyset
so rows that change while the sync pages are neither skipped nor repeated; each
``(id, updatedAt)`` once. Without ``acknowledge`` the checkpoint of a batch is written when
the next batch is asked for (a loop that ends normally writes the last one; one that breaks
or crashes in the middle of a batch gets that whole batch again next time). With
``acknowledge=True`` only :meth:`SyncBatch.ack` (or :meth:`Changes.ack`) writes it.

**A pass** ends when the service has nothing newer: iterate the same :class:`Changes` again
after :meth:`Changes.wait_for_poll` (the pages' limits: bids every minute, directories every
two; less is allowed with a warning on the ``logibridge`` logger).

**Items** are the list's generated models, read with ``from_wire`` (bids:
:class:`BidForExternalSyncModel`, distribution bids: :class:`DistributionBidForExternalSyncModel`,
directories: the model their ``list`` call returns); :attr:`SyncBatch.raw` holds the rows
as the service sent them (``updatedAt`` with its 7 fractional digits: a ``datetime`` keeps 6).

**The id map** of the pages' 1C example (external id ↔ CARGO.RUN id, both update times, the
last sync, a conflict mark) lives in the same store: :attr:`Changes.id_map`. The conflict
rule (examples-1c.md §3–§4) is :func:`classify` and :func:`resolve`.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable, Dict, Generic, Iterator, List, Mapping, Optional, Tuple, TypeVar, Union

from . import _native
from ._base import _Operation
from ._cargorun_models import BidForExternalSyncModel, DistributionBidForExternalSyncModel
from ._exceptions import InvalidArgumentError

if TYPE_CHECKING:
    from ._base import ClientBase

__all__ = [
    "Changes",
    "SyncBatch",
    "Checkpoint",
    "SyncResource",
    "IdMap",
    "IdMapEntry",
    "SyncState",
    "ConflictPolicy",
    "SyncAction",
    "ConflictMark",
    "classify",
    "resolve",
]

M = TypeVar("M")

Since = Union[str, datetime]
"""A start point: ISO 8601 text (up to 7 fractional digits; without an offset it is UTC,
as the service's times are) or an aware ``datetime``."""


class SyncState(enum.Enum):
    """What three times say about one object (examples-1c.md §3)."""

    UNCHANGED = "unchanged"
    """§3.1: changed on neither side since the last sync."""
    PUSH_LOCAL = "push_local"
    """§3.2: changed only locally: send it to CARGO.RUN."""
    PULL_REMOTE = "pull_remote"
    """§3.3: changed only in CARGO.RUN: update the local copy."""
    CONFLICT = "conflict"
    """§3.4: changed on both sides."""


class ConflictPolicy(enum.Enum):
    """How a conflict is resolved (examples-1c.md §4)."""

    CARGORUN_WINS = "cargorun_wins"
    """§4.1: the local data is updated from CARGO.RUN."""
    LOCAL_WINS = "local_wins"
    """§4.1: CARGO.RUN is updated from the local system."""
    MANUAL = "manual"
    """§4.2: recorded and shown to a user."""


class SyncAction(enum.Enum):
    """What to do with one object."""

    NOTHING = "nothing"
    PUSH_LOCAL = "push_local"
    PULL_REMOTE = "pull_remote"
    MANUAL = "manual"


class ConflictMark(enum.Enum):
    """Whether an id-map entry awaits a user's choice (examples-1c.md §4.2)."""

    NONE = "none"
    PENDING = "pending"


def _time_text(value: Optional[Since], field: str) -> Optional[str]:
    """A caller's time as the core reads it; a naive ``datetime`` is refused (which zone it
    means is unknown), naming ``field``."""
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        raise InvalidArgumentError(f"expected an ISO 8601 str or a datetime, got {type(value).__name__}", field=field, code="sync.time",
                                   message_ru=f"{field}: ожидалась строка ISO 8601 или datetime, получено {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidArgumentError("a naive datetime: give its zone (tzinfo), the sync compares UTC instants", field=field, code="sync.naive_datetime",
                                   message_ru=f"{field}: datetime без часового пояса: укажите tzinfo, синхронизация сравнивает моменты UTC")
    return value.isoformat()


def _python_time(text: Optional[str]) -> Optional[datetime]:
    return None if text is None else datetime.fromisoformat(text)


def classify(cargorun_updated_at: Optional[Since], local_updated_at: Optional[datetime], last_sync_at: Optional[datetime]) -> SyncState:
    """The state of one object by the rule of examples-1c.md §3 (the core's): a side changed
    when its time is after the last sync (equal is unchanged); a side with no time has not
    changed; with no last sync, a side that has the object has changed.
    ``cargorun_updated_at`` may be the service's text (7 fractional digits, compared exactly)."""
    return SyncState(_native.sync_classify(_time_text(cargorun_updated_at, "cargorun_updated_at"), _time_text(local_updated_at, "local_updated_at"),
                                           _time_text(last_sync_at, "last_sync_at")))


def resolve(state: Union[SyncState, str], policy: Union[ConflictPolicy, str]) -> SyncAction:
    """The action for a state under a policy (examples-1c.md §4): only a conflict depends on
    the policy."""
    return SyncAction(_native.sync_resolve(str(getattr(state, "value", state)), str(getattr(policy, "value", policy))))


@dataclass(frozen=True)
class Checkpoint:
    """How far a stream got: the last handed row's ``updatedAt`` (the service's text, exactly)
    and ``id``, and the ids handed at that same instant."""

    updated_at: str
    id: int
    seen_ids: Tuple[int, ...] = ()

    @classmethod
    def _of(cls, data: Optional[Mapping[str, Any]]) -> Optional[Checkpoint]:
        if data is None:
            return None
        return cls(str(data["updatedAt"]), int(data["id"]), tuple(int(i) for i in data.get("seenIds", ())))

    def to_json(self) -> Dict[str, Any]:
        """``{"updatedAt", "id", "seenIds"}``, as the store and the C and 1C faces write it."""
        return {"updatedAt": self.updated_at, "id": self.id, "seenIds": list(self.seen_ids)}


@dataclass(frozen=True)
class IdMapEntry:
    """One row of the integration table of examples-1c.md §1."""

    external_id: str
    cargorun_id: Optional[int] = None
    cargorun_updated_at: Optional[str] = None
    """CARGO.RUN's ``updatedAt`` last seen, as the service wrote it."""
    local_updated_at: Optional[datetime] = None
    last_sync_at: Optional[datetime] = None
    conflict: ConflictMark = ConflictMark.NONE

    @classmethod
    def _of(cls, data: Optional[Mapping[str, Any]]) -> Optional[IdMapEntry]:
        if data is None:
            return None
        return cls(data["external_id"], data["cargorun_id"], data["cargorun_updated_at"], _python_time(data["local_updated_at"]),
                   _python_time(data["last_sync_at"]), ConflictMark(data["conflict"]))


class IdMap:
    """The id map of one base URL, account and entity, in the sync's store."""

    def __init__(self, native: _native.SyncIdMap) -> None:
        self._native = native

    def put(self, entry: IdMapEntry) -> None:
        """Writes an entry (by external id); a CARGO.RUN id linked to another external id is
        refused (``InvalidArgumentError``/``ValidationError`` on ``cargorun_id``)."""
        self._native.put(entry.external_id, entry.cargorun_id, entry.cargorun_updated_at, _time_text(entry.local_updated_at, "local_updated_at"),
                         _time_text(entry.last_sync_at, "last_sync_at"), ConflictMark(entry.conflict).value)

    def by_external_id(self, external_id: str) -> Optional[IdMapEntry]:
        return IdMapEntry._of(self._native.by_external_id(external_id))

    def by_cargorun_id(self, cargorun_id: int) -> Optional[IdMapEntry]:
        return IdMapEntry._of(self._native.by_cargorun_id(cargorun_id))

    def entries(self, *, pending_only: bool = False) -> List[IdMapEntry]:
        """Every entry by external id; only the pending conflicts with ``pending_only``."""
        return [e for e in (IdMapEntry._of(d) for d in self._native.entries(pending_only)) if e is not None]

    def remove(self, external_id: str) -> bool:
        return self._native.remove(external_id)

    def mark_synced(self, external_id: str, cargorun_id: int, cargorun_updated_at: str, local_updated_at: datetime) -> IdMapEntry:
        """Records that both sides hold the same data now; the last sync becomes the later
        of the two update times and the conflict mark is cleared."""
        local = _time_text(local_updated_at, "local_updated_at")
        assert local is not None
        entry = IdMapEntry._of(self._native.mark_synced(external_id, cargorun_id, cargorun_updated_at, local))
        assert entry is not None
        return entry

    def set_conflict(self, external_id: str, mark: ConflictMark) -> bool:
        return self._native.set_conflict(external_id, ConflictMark(mark).value)

    def state(self, external_id: str, cargorun_updated_at: Optional[Since]) -> Optional[SyncState]:
        """The entry's state given CARGO.RUN's current ``updatedAt`` (None: CARGO.RUN does not
        have it); None when there is no entry."""
        name = self._native.state(external_id, _time_text(cargorun_updated_at, "cargorun_updated_at"))
        return None if name is None else SyncState(name)

    def __repr__(self) -> str:
        return "<IdMap>"


class SyncBatch(Generic[M]):
    """Rows handed together, in ``(updatedAt, id)`` order, and the checkpoint acknowledging
    them writes."""

    def __init__(self, changes: Changes[M], data: Mapping[str, Any], items: List[M]) -> None:
        self._changes = changes
        self.entity: str = data["entity"]
        self.seq: int = data["seq"]
        """This sync's number of the batch (1, 2, …)."""
        self.raw: List[Dict[str, Any]] = data["items"]
        """The rows as the service sent them (camelCase, ``updatedAt`` text as sent)."""
        self.items: List[M] = items
        self.checkpoint: Checkpoint = Checkpoint(data["checkpoint"]["updatedAt"], data["checkpoint"]["id"], tuple(data["checkpoint"].get("seenIds", ())))
        """Where the stream stands once these rows are processed."""
        self.caught_up: bool = data["caughtUp"]
        """Nothing more was waiting when it was read."""

    def ack(self) -> None:
        """Writes this batch's checkpoint (and those of the batches before it): its rows are
        processed. Acknowledging an older batch than one acknowledged changes nothing."""
        self._changes._native.acknowledge(self.seq)

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return f"<SyncBatch {self.entity} seq={self.seq} items={len(self.items)}{' caught_up' if self.caught_up else ''}>"


class Changes(Generic[M]):
    """The changed rows of one list, from the stored checkpoint on: ``for`` and ``async for``
    walk one pass (until nothing newer is there) item by item; :meth:`batches` /
    :meth:`abatches` walk it batch by batch. The same object serves blocking and asyncio
    code (the walk is the core's; only the waiting differs). Use it from one place at a
    time."""

    def __init__(self, native: _native.Syncer, decode: Callable[[Any], List[M]]) -> None:
        self._native, self._decode = native, decode
        self._handed = 0

    @property
    def entity(self) -> str:
        return self._native.entity

    @property
    def stream(self) -> str:
        """The name the checkpoint is stored under."""
        return self._native.stream

    @property
    def poll_interval(self) -> float:
        """Seconds between passes."""
        return self._native.poll_interval

    @property
    def checkpoint(self) -> Optional[Checkpoint]:
        """The checkpoint written in the store (None before the first): where a new sync of
        this stream resumes."""
        return Checkpoint._of(self._native.checkpoint())

    @property
    def position(self) -> Optional[Checkpoint]:
        """Where the next batch starts (after the last handed one, acknowledged or not)."""
        return Checkpoint._of(self._native.position())

    @property
    def id_map(self) -> IdMap:
        """The id map of this list in the same store."""
        return IdMap(self._native.id_map())

    def _batch(self, data: Optional[Mapping[str, Any]]) -> Optional[SyncBatch[M]]:
        if data is None:
            return None
        batch = SyncBatch(self, data, self._decode(data["items"]))
        self._handed = batch.seq
        return batch

    def next_batch(self) -> Optional[SyncBatch[M]]:
        """The next batch, or None when nothing newer is there now (one page request)."""
        return self._batch(self._native.next_batch())

    async def anext_batch(self) -> Optional[SyncBatch[M]]:
        """:meth:`next_batch` for asyncio."""
        return self._batch(await self._native.next_batch_async())

    def batches(self) -> Iterator[SyncBatch[M]]:
        """One pass, batch by batch."""
        while True:
            batch = self.next_batch()
            if batch is None:
                return
            yield batch

    async def abatches(self) -> AsyncIterator[SyncBatch[M]]:
        """One pass, batch by batch, for ``async for``."""
        while True:
            batch = await self.anext_batch()
            if batch is None:
                return
            yield batch

    def __iter__(self) -> Iterator[M]:
        for batch in self.batches():
            yield from batch.items

    async def __aiter__(self) -> AsyncIterator[M]:
        async for batch in self.abatches():
            for item in batch.items:
                yield item

    def ack(self) -> None:
        """Acknowledges every batch handed so far (acknowledgement mode): the newest one's
        checkpoint covers the rest."""
        if self._handed:
            self._native.acknowledge(self._handed)

    def wait_for_poll(self) -> None:
        """Sleeps until the next pass is due (the poll interval after the last caught up)."""
        self._native.wait_for_poll()

    async def wait_for_poll_async(self) -> None:
        """:meth:`wait_for_poll` for asyncio."""
        await self._native.wait_for_poll_async()

    def __repr__(self) -> str:
        return f"<Changes {self.entity} stream={self.stream!r}>"


class SyncResource:
    """``client.sync``: incremental syncs of the lists that carry ``updatedAt``; each call
    opens (or creates) the SQLite ``store`` and resumes the stream's checkpoint there.

    Arguments of every call: ``store`` (a file path), ``since`` (where a stream with no
    checkpoint starts; without it, a cold start hands every row), ``acknowledge`` (the
    checkpoint moves only on ``ack()``), ``filter`` (an OData condition ANDed to the keyset,
    text or a :class:`logibridge.odata` expression; it names its own stream), ``stream``
    (the checkpoint's name), ``poll_interval`` (seconds). Refusals are typed and bilingual:
    an unknown list or an unreadable ``since`` raise
    :class:`~logibridge.InvalidArgumentError`/:class:`~logibridge.ValidationError` naming
    ``entity``/``since``."""

    def __init__(self, client: ClientBase[Any], account: str) -> None:
        self._client, self._account = client, account

    def _open(self, entity: str, store: Union[str, os.PathLike[str]], since: Optional[Since], acknowledge: bool, filter: Any, stream: Optional[str],
              poll_interval: Optional[float]) -> _native.Syncer:
        if filter is not None and not isinstance(filter, str):
            from .odata import Expr

            if not isinstance(filter, Expr):
                raise TypeError(f"filter= takes an OData string or a logibridge.odata expression, got {type(filter).__name__}")
            filter = _native_filter(filter)
        return _native.Syncer(self._client._handle, os.fspath(store), entity, self._account, acknowledge=acknowledge, since=_time_text(since, "since"),
                              filter=filter, stream=stream, poll_interval=poll_interval)

    def _decoder(self, entity: str) -> Callable[[Any], List[Any]]:
        """How the list's own call decodes its rows (the model its ``list`` method declares),
        found by the call's endpoint id, so no model is named twice."""
        endpoint = next(e["endpoint"] for e in _native.sync_entities() if e["name"] == entity)
        for resource in vars(self._client).values():
            for klass in type(resource).__mro__:
                for op in vars(klass).values():
                    if isinstance(op, _Operation) and op.endpoint == endpoint:
                        decode: Callable[[Any], List[Any]] = op._decode
                        return decode
        return list

    def entity(self, name: str, *, store: Union[str, os.PathLike[str]], since: Optional[Since] = None, acknowledge: bool = False, filter: Any = None,
               stream: Optional[str] = None, poll_interval: Optional[float] = None) -> Changes[Any]:
        """Any synced list by the core's name (``bids``, ``distribution_bids``, ``drivers``,
        ``cars``, ``trailers``, ``counterparties``, ``legal_persons``, ``trackers``)."""
        native = self._open(name, store, since, acknowledge, filter, stream, poll_interval)
        return Changes(native, self._decoder(native.entity))

    def bids(self, *, store: Union[str, os.PathLike[str]], since: Optional[Since] = None, acknowledge: bool = False, filter: Any = None,
             stream: Optional[str] = None, poll_interval: Optional[float] = None) -> Changes[BidForExternalSyncModel]:
        """Bids (``cargorun.bids.list_for_external``, deleted ones included: ``is_deleted``)."""
        return self.entity("bids", store=store, since=since, acknowledge=acknowledge, filter=filter, stream=stream, poll_interval=poll_interval)

    def distribution_bids(self, *, store: Union[str, os.PathLike[str]], since: Optional[Since] = None, acknowledge: bool = False, filter: Any = None,
                          stream: Optional[str] = None, poll_interval: Optional[float] = None) -> Changes[DistributionBidForExternalSyncModel]:
        """Distribution bids (``cargorun.distribution_bids.list_for_external``)."""
        return self.entity("distribution_bids", store=store, since=since, acknowledge=acknowledge, filter=filter, stream=stream, poll_interval=poll_interval)

    def directory(self, name: str, *, store: Union[str, os.PathLike[str]], since: Optional[Since] = None, acknowledge: bool = False, filter: Any = None,
                  stream: Optional[str] = None, poll_interval: Optional[float] = None) -> Changes[Any]:
        """A directory (``drivers``, ``cars``, ``trailers``, ``counterparties``,
        ``legal_persons``, ``trackers``; deleted rows included where the call can), items as
        its ``list`` call's model."""
        _native.sync_check_directory(name)
        return self.entity(name, store=store, since=since, acknowledge=acknowledge, filter=filter, stream=stream, poll_interval=poll_interval)

    def __repr__(self) -> str:
        return f"<SyncResource of {self._client!r}>"


def _native_filter(expr: Any) -> str:
    """An expression's ``$filter`` text, rendered by the core (the same renderer the list
    calls use)."""
    return _native.sync_render_filter(expr.to_json())
