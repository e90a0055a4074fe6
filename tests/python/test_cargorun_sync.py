"""CARGO.RUN incremental sync from Python (``client.sync``, issue 13): exactly once while the
sandbox changes bids between pages, a resumed sync re-delivers what was not acknowledged,
the checkpoint lives in the store file across clients, asyncio, the id map, the conflict
rule of examples-1c.md §3–§4, and typed bilingual refusals.

Each run is checked against the sandbox's truth (``/_control/cargorun/versions``): every
row's final ``(id, updatedAt)`` delivered, none delivered twice."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set, Tuple

import pytest

import logibridge
from logibridge import cargorun, sandbox
from logibridge.cargorun import BidStatus, ConflictPolicy, SyncAction, SyncState, classify, resolve
from logibridge.odata import F

UTC = timezone.utc
Key = Tuple[int, str]


@pytest.fixture
def sb() -> Iterator[sandbox.Sandbox]:
    with sandbox.start() as s:
        yield s


def control(sb: sandbox.Sandbox, method: str, path: str, body: Any = None) -> Any:
    return sb._control(method, f"cargorun/{path}", body)


def seed(sb: sandbox.Sandbox, count: int, ticks: int, table: str = "bids") -> List[int]:
    ids: List[int] = control(sb, "POST", "seed", {"table": table, "count": count, "ticks": ticks})["ids"]
    return ids


def mutate_on_list(sb: sandbox.Sandbox, count: int, seed: int = 0) -> None:
    control(sb, "POST", "mutate_on_list", {"table": "bids", "count": count, "seed": seed, "same_tick_percent": 40})


def truth(sb: sandbox.Sandbox, table: str = "bids") -> Dict[int, str]:
    return {r["id"]: r["updatedAt"] for r in control(sb, "GET", f"versions?table={table}")}


def assert_exactly_once(delivered: List[Key], final: Dict[int, str]) -> None:
    seen: Set[Key] = set()
    for key in delivered:
        assert key not in seen, f"{key} delivered twice"
        seen.add(key)
    missing = [(i, at) for i, at in final.items() if (i, at) not in seen]
    assert not missing, f"{len(missing)} final states never delivered, e.g. {missing[:5]}"


def instant(text: str) -> Tuple[str, str]:
    """A wire time's order: the seconds, then the fraction padded to 7 digits."""
    whole, _, rest = text.rstrip("Z").partition(".")
    return whole, rest.ljust(7, "0")


def keys(raw: List[Dict[str, Any]]) -> List[Key]:
    return [(r["id"], r["updatedAt"]) for r in raw]


def test_a_sync_while_bids_change_between_pages_hands_every_change_exactly_once(sb: sandbox.Sandbox, tmp_path: Path) -> None:
    seed(sb, 180, 4)  # 45 rows share each tick
    mutate_on_list(sb, 7, seed=11)  # 7 rows change before every page, 40 % in the tick before
    delivered: List[Key] = []
    with sb.cargorun_client() as cr:
        changes = cr.sync.bids(store=tmp_path / "sync.db", acknowledge=True)
        batches = 0
        while True:
            batches += 1
            assert batches < 200, "the sync did not catch up"
            if batches == 12:
                mutate_on_list(sb, 0)
            batch = changes.next_batch()
            if batch is None:
                if batches > 12:
                    break
                continue
            assert all(isinstance(b, cargorun.BidForExternalSyncModel) for b in batch.items)
            assert [b.id for b in batch.items] == [r["id"] for r in batch.raw]
            delivered.extend(keys(batch.raw))
            batch.ack()
        final = truth(sb)
        assert len(final) >= 180
        assert_exactly_once(delivered, final)
        assert len(delivered) >= len(final) + 30, f"changes made while paging were seen too: {len(delivered)}"
        # The stored checkpoint is the newest row's, its text as the service wrote it.
        newest = max(final.items(), key=lambda kv: (instant(kv[1]), kv[0]))
        stored = changes.checkpoint
        assert stored is not None and (stored.id, stored.updated_at) == newest


def test_a_resumed_sync_re_delivers_the_batch_that_was_not_acknowledged(sb: sandbox.Sandbox, tmp_path: Path) -> None:
    seed(sb, 130, 130)
    store = tmp_path / "sync.db"
    with sb.cargorun_client() as cr:
        first = cr.sync.bids(store=store, acknowledge=True)
        b1 = first.next_batch()
        b2 = first.next_batch()
        # The second page asks `updatedAt ge` the checkpoint and drops the row handed there.
        assert b1 is not None and b2 is not None and len(b1) == 50 and len(b2) == 49
        b1.ack()
        assert first.checkpoint == b1.checkpoint
        assert first.position == b2.checkpoint
        # b2 is dropped unacknowledged, as by a crash while it was processed.
    with sb.cargorun_client() as cr:
        again = cr.sync.bids(store=store, acknowledge=True)
        assert again.checkpoint == b1.checkpoint
        redelivered = again.next_batch()
        assert redelivered is not None
        assert keys(redelivered.raw) == keys(b2.raw)
        rest = [k for batch in again.batches() for k in keys(batch.raw)]
        again.ack()
        assert_exactly_once(keys(b1.raw) + keys(redelivered.raw) + rest, truth(sb))
        assert again.checkpoint is not None and again.checkpoint == again.position


def test_the_checkpoint_persists_across_clients_sharing_the_store_file(sb: sandbox.Sandbox, tmp_path: Path) -> None:
    seed(sb, 60, 3)
    store = str(tmp_path / "sync.db")
    with sb.cargorun_client() as cr:
        assert cr.sync.bids(store=store).checkpoint is None
        first = [(b.id, b.updated_at) for b in cr.sync.bids(store=store)]
        assert len(first) == len(truth(sb))
        stored = cr.sync.bids(store=store).checkpoint
    assert stored is not None
    with sb.cargorun_client() as cr:
        later = cr.sync.bids(store=store)
        assert later.checkpoint == stored
        assert list(later) == [], "a second client resumes: nothing new"
        changed = control(sb, "POST", "mutate", {"table": "bids", "count": 1, "ids": [first[5][0]]})["mutated"][0]
        seen = list(cr.sync.bids(store=store).batches())
        assert [keys(b.raw) for b in seen] == [[(changed["id"], changed["updatedAt"])]]
        other_stream = cr.sync.bids(store=store, stream="another")
        assert other_stream.checkpoint is None, "streams keep checkpoints apart"


def test_a_loop_that_breaks_mid_batch_gets_that_batch_again(sb: sandbox.Sandbox, tmp_path: Path) -> None:
    seed(sb, 70, 70)
    store = tmp_path / "sync.db"
    with sb.cargorun_client() as cr:
        seen: List[int] = []
        for bid in cr.sync.bids(store=store):
            seen.append(bid.id)
            if len(seen) == 60:  # in the second batch: the first one's checkpoint is written
                break
        resumed = [bid.id for bid in cr.sync.bids(store=store)]
        assert resumed == seen[50:] + resumed[10:] and len(resumed) == len(truth(sb)) - 50


def test_async_for_walks_the_same_sync_and_batches_acknowledge(sb: sandbox.Sandbox, tmp_path: Path) -> None:
    seed(sb, 120, 6)
    mutate_on_list(sb, 5, seed=3)
    store = tmp_path / "sync.db"

    async def run() -> Tuple[List[Key], Any]:
        async with sb.async_cargorun_client() as acr:
            changes = acr.sync.bids(store=store, acknowledge=True)
            delivered: List[Key] = []
            n = 0
            async for batch in changes.abatches():
                n += 1
                if n == 3:
                    mutate_on_list(sb, 0)
                delivered.extend(keys(batch.raw))
                batch.ack()
            async for bid in acr.sync.bids(store=store, acknowledge=True):
                delivered.append((bid.id, "after"))  # nothing is left after a caught-up pass
            return delivered, changes.checkpoint

    delivered, checkpoint = asyncio.run(run())
    mutate_on_list(sb, 0)
    final = truth(sb)
    # Mutations of the last page's request may land after it was read: one more pass.
    with sb.cargorun_client() as cr:
        tail = [k for b in cr.sync.bids(store=store).batches() for k in keys(b.raw)]
    assert all(at != "after" for _, at in delivered)
    assert_exactly_once(delivered + tail, final)
    assert checkpoint is not None


def test_distribution_bids_and_a_directory_sync_with_typed_items(sb: sandbox.Sandbox, tmp_path: Path) -> None:
    seed(sb, 12, 2, table="distribution_bids")
    seed(sb, 8, 2, table="drivers")
    store = tmp_path / "sync.db"
    with sb.cargorun_client() as cr:
        dist = list(cr.sync.distribution_bids(store=store))
        assert {d.id for d in dist} == set(truth(sb, "distribution_bids"))
        assert all(isinstance(d, cargorun.DistributionBidForExternalSyncModel) for d in dist)
        drivers = cr.sync.directory("drivers", store=store)
        assert drivers.poll_interval == 120.0
        got = [b for batch in drivers.batches() for b in batch.raw]
        assert {r["id"] for r in got} == set(truth(sb, "drivers"))


def test_a_typed_filter_is_anded_to_the_keyset_and_names_its_own_stream(sb: sandbox.Sandbox, tmp_path: Path) -> None:
    ids = seed(sb, 20, 2)
    chosen = sorted([ids[3], ids[7]])
    with sb.cargorun_client() as cr:
        changes = cr.sync.bids(store=tmp_path / "s.db", filter=F("id").one_of(chosen) & (F("status") == BidStatus.NEW))
        assert sorted(b.id for b in changes) == chosen
        assert changes.stream.startswith("bids?") and f"id eq {chosen[1]}" in changes.stream and "status eq 'New'" in changes.stream, changes.stream
        assert changes.checkpoint is not None and list(cr.sync.bids(store=tmp_path / "s.db")) != [], "the unfiltered stream is another"


def test_the_id_map_links_ids_and_records_conflicts(sb: sandbox.Sandbox, tmp_path: Path) -> None:
    with sb.cargorun_client() as cr:
        ids = cr.sync.bids(store=tmp_path / "s.db").id_map
        local = datetime(2026, 1, 23, 21, 0, tzinfo=UTC)
        entry = ids.mark_synced("1C-0001", 1042, "2026-01-23T21:00:00.1234567Z", local)
        assert entry.last_sync_at == datetime(2026, 1, 23, 21, 0, 0, 123456, tzinfo=UTC)
        assert ids.by_cargorun_id(1042) == entry
        assert ids.state("1C-0001", "2026-01-23T21:00:00.1234567Z") == SyncState.UNCHANGED
        assert ids.state("1C-0001", "2026-01-23T21:00:00.1234568Z") == SyncState.PULL_REMOTE
        with pytest.raises(logibridge.ValidationError) as linked:
            ids.put(cargorun.IdMapEntry("1C-0002", cargorun_id=1042))
        assert linked.value.field == "cargorun_id" and "1C-0001" in linked.value.message_ru
        assert ids.set_conflict("1C-0001", cargorun.ConflictMark.PENDING)
        assert [e.external_id for e in ids.entries(pending_only=True)] == ["1C-0001"]
        assert ids.remove("1C-0001") and ids.by_external_id("1C-0001") is None
        # Another client's store file is another map; the same file is the same map.
        again = cr.sync.directory("drivers", store=tmp_path / "s.db").id_map
        assert again.entries() == []


T0 = datetime(2026, 1, 23, 21, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("remote", "local", "last", "state"),
    [
        (T0, T0, T0, SyncState.UNCHANGED),  # §3.1, both equal to the last sync: unchanged
        (T0 - TICK, T0 - TICK, T0, SyncState.UNCHANGED),
        (T0, T0 + TICK, T0, SyncState.PUSH_LOCAL),  # §3.2
        (T0 + TICK, T0, T0, SyncState.PULL_REMOTE),  # §3.3
        (T0 + TICK, T0 + TICK, T0, SyncState.CONFLICT),  # §3.4
        ("2026-01-23T21:00:00.0000001Z", T0, T0, SyncState.PULL_REMOTE),  # one 100 ns tick after, as text
        ("2026-01-23T21:00:00.0000000Z", T0, T0, SyncState.UNCHANGED),
        (None, T0, None, SyncState.PUSH_LOCAL),  # only local, never synced
        (T0, None, None, SyncState.PULL_REMOTE),  # only in CARGO.RUN
        (T0, T0, None, SyncState.CONFLICT),  # on both sides, never synced
    ],
)
def test_the_conflict_rule_of_examples_1c(remote: Any, local: Any, last: Any, state: SyncState) -> None:
    assert classify(remote, local, last) == state


def test_a_conflict_is_resolved_by_the_policy_and_nothing_else_is() -> None:
    assert resolve(SyncState.CONFLICT, ConflictPolicy.CARGORUN_WINS) == SyncAction.PULL_REMOTE
    assert resolve(SyncState.CONFLICT, ConflictPolicy.LOCAL_WINS) == SyncAction.PUSH_LOCAL
    assert resolve(SyncState.CONFLICT, ConflictPolicy.MANUAL) == SyncAction.MANUAL
    for policy in ConflictPolicy:
        assert resolve(SyncState.UNCHANGED, policy) == SyncAction.NOTHING
        assert resolve(SyncState.PUSH_LOCAL, policy) == SyncAction.PUSH_LOCAL
        assert resolve(SyncState.PULL_REMOTE, "cargorun_wins") == SyncAction.PULL_REMOTE
    with pytest.raises(logibridge.ValidationError) as e:
        resolve(SyncState.CONFLICT, "remote_wins")
    assert e.value.field == "policy" and "cargorun_wins" in str(e.value) and "не одно из" in e.value.message_ru


def test_bad_input_is_refused_typed_and_in_both_languages(sb: sandbox.Sandbox, tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    with sb.cargorun_client() as cr:
        with pytest.raises(logibridge.ValidationError) as entity:
            cr.sync.directory("orders", store=store)
        assert (entity.value.field, entity.value.code) == ("entity", "sync.entity")
        assert "drivers" in str(entity.value) and "не синхронизируемый список" in entity.value.message_ru
        with pytest.raises(logibridge.ValidationError) as not_dir:
            cr.sync.directory("bids", store=store)
        assert not_dir.value.field == "entity" and "не справочник" in not_dir.value.message_ru
        with pytest.raises(logibridge.ValidationError) as since:
            cr.sync.bids(store=store, since="23.01.2026")
        assert (since.value.field, since.value.code) == ("since", "sync.since") and "не дата и время" in since.value.message_ru
        with pytest.raises(logibridge.InvalidArgumentError) as naive:
            cr.sync.bids(store=store, since=datetime(2026, 1, 23, 21, 0))
        assert naive.value.field == "since" and "без часового пояса" in naive.value.message_ru
        with pytest.raises(logibridge.ValidationError) as interval:
            cr.sync.bids(store=store, poll_interval=-1)
        assert interval.value.field == "poll_interval"
        with pytest.raises(TypeError, match="filter="):
            cr.sync.bids(store=store, filter=42)


def test_since_starts_a_stream_without_a_checkpoint(sb: sandbox.Sandbox, tmp_path: Path) -> None:
    ids = seed(sb, 30, 3)
    ticks = sorted(set(truth(sb).values()))
    with sb.cargorun_client() as cr:
        got = list(cr.sync.bids(store=tmp_path / "s.db", since=ticks[-1]))
        assert {b.id for b in got} == {i for i, at in truth(sb).items() if at == ticks[-1]} and got
        assert set(ids) >= {b.id for b in got}
