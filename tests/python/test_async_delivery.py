"""Answers of many calls in flight on one loop reach their own futures: the native side hands
them to the loop in batches (one mailbox per loop), so a batch must never mix answers up,
lose one, or let a cancelled call stop the others."""

from __future__ import annotations

import asyncio
import threading
from typing import Dict, List

from logibridge import sandbox

# Codes with answers of different lengths (an analogue group and a spelling of another).
CODES = ["oc47", "0451103316", "OC 47", "oc-47"]


async def test_many_calls_in_flight_each_get_their_own_answer(sb: sandbox.Sandbox) -> None:
    shop = sb.async_carreta_client()
    queries = CODES * 50
    expected: Dict[str, int] = {q: len(await shop.search.query(q)) for q in set(queries)}
    answers = await asyncio.gather(*(shop.search.query(q) for q in queries))
    assert [len(a) for a in answers] == [expected[q] for q in queries]
    # The first offer is the code searched for, so an answer given to another call shows.
    key = lambda code: code.replace(" ", "").replace("-", "").replace(".", "").upper()  # noqa: E731
    assert [key(a[0].code) for a in answers] == [key(q) for q in queries]
    # Typed and JSON-shaped answers in one batch.
    mixed = await asyncio.gather(*(shop.call("carreta.profile.get", {"account": a}) for a in ["1001", "1002"] * 40), shop.search.query("oc47"))
    assert [m["balance"] for m in mixed[:-1]] == ["7.14", "15230.50"] * 40
    assert len(mixed[-1]) == expected["oc47"]
    await shop.close()


async def test_a_cancelled_call_in_a_batch_leaves_the_others_alone(sb: sandbox.Sandbox) -> None:
    sb.add_fault("carreta.profile.get", delay_ms=200, count=1)
    shop = sb.async_carreta_client(max_retries=0)
    slow = asyncio.ensure_future(shop.profile.get())
    others = [asyncio.ensure_future(shop.search.query("oc47")) for _ in range(30)]
    await asyncio.sleep(0.05)
    slow.cancel()
    got = await asyncio.gather(*others)
    assert all(len(g) == len(got[0]) > 0 for g in got)
    assert slow.cancelled()
    await shop.close()


def test_loops_on_two_threads_get_only_their_answers(sb: sandbox.Sandbox) -> None:
    results: Dict[str, List[str]] = {}
    errors: List[BaseException] = []

    def run(account: str) -> None:
        async def main() -> List[str]:
            shop = sb.async_carreta_client()
            got = await asyncio.gather(*(shop.call("carreta.profile.get", {"account": account}) for _ in range(60)))
            await shop.close()
            return [g["balance"] for g in got]

        try:
            results[account] = asyncio.run(main())
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(a,)) for a in ("1001", "1002")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert results == {"1001": ["7.14"] * 60, "1002": ["15230.50"] * 60}
