"""Every Carreta call through the asyncio client, against the sandbox."""

from __future__ import annotations

import asyncio
import inspect
from decimal import Decimal

import pytest

import logibridge
from logibridge import sandbox
from logibridge.carreta import HistoryEntry, Offer, Order, OrderStatus, Profile

from conftest import SECRET_KEY, unique_comment


async def test_profile_get(ashop: logibridge.AsyncCarreta) -> None:
    p = await ashop.profile.get()
    assert isinstance(p, Profile) and p.balance == Decimal("7.14")
    assert (await ashop.profile.get(account="1002")).balance == Decimal("15230.50")


async def test_search_query(ashop: logibridge.AsyncCarreta) -> None:
    offers = await ashop.search.query("oc47")
    assert offers and all(isinstance(o, Offer) for o in offers)
    assert offers[0].price == Decimal("152.02")


async def test_order_create_get_list_history(ashop: logibridge.AsyncCarreta, sb: sandbox.Sandbox) -> None:
    offer = (await ashop.search.query("oc47"))[0]
    comment = unique_comment("async")
    order = await ashop.order.create(offer, order_qty=offer.min_qty, client_comment=comment)
    assert isinstance(order, Order) and order.status is OrderStatus.RECEIVED

    assert await ashop.orders.get(order.id) == order

    listed = [o async for o in ashop.orders.list(client_comment=comment)]
    assert [o.id for o in listed] == [order.id]
    page = await ashop.orders.list(client_comment=comment).first_page()
    assert [o.id for o in page] == [order.id]

    sb.advance_order(order.id, status=int(OrderStatus.CANCELLED), comment="Отменён покупателем")
    history = await ashop.orders.history(order.id)
    assert all(isinstance(h, HistoryEntry) for h in history)
    assert len(history) >= 2 and any("Отменён покупателем" in h.comment for h in history)
    cancelled = await ashop.orders.get(order.id)
    assert cancelled.status is OrderStatus.CANCELLED and cancelled.comment == "Отменён покупателем"


async def test_methods_are_coroutines(ashop: logibridge.AsyncCarreta) -> None:
    for fn in (ashop.profile.get, ashop.search.query, ashop.orders.create, ashop.orders.get, ashop.orders.history):
        assert inspect.iscoroutinefunction(fn), fn
    assert not inspect.iscoroutinefunction(ashop.orders.list), "list() returns a pager for `async for`"


async def test_generic_call(ashop: logibridge.AsyncCarreta) -> None:
    assert (await ashop.call("carreta.profile.get"))["balance"] == "7.14"


async def test_concurrent_calls_on_one_client(ashop: logibridge.AsyncCarreta) -> None:
    results = await asyncio.gather(*(ashop.search.query("oc47") for _ in range(20)))
    assert all(r == results[0] for r in results)


async def test_calls_overlap(ashop: logibridge.AsyncCarreta, sb: sandbox.Sandbox) -> None:
    """Slow answers do not serialise: five 300 ms calls take about 300 ms, not 1.5 s."""
    sb.add_fault("carreta.profile.get", delay_ms=300, count=5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.gather(*(ashop.profile.get() for _ in range(5)))
    assert loop.time() - started < 1.2


async def test_event_loop_stays_responsive(ashop: logibridge.AsyncCarreta, sb: sandbox.Sandbox) -> None:
    sb.add_fault("carreta.profile.get", delay_ms=400)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    t = asyncio.ensure_future(ticker())
    await ashop.profile.get()
    t.cancel()
    assert ticks >= 10, "the loop ran other tasks while the request was in flight"


async def test_cancellation(ashop: logibridge.AsyncCarreta, sb: sandbox.Sandbox) -> None:
    sb.add_fault("carreta.profile.get", delay_ms=2000)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(ashop.profile.get(), 0.2)
    # The client is still usable afterwards.
    sb.clear_faults()
    assert (await ashop.profile.get()).balance == Decimal("7.14")


async def test_async_context_manager_closes(sb: sandbox.Sandbox) -> None:
    async with logibridge.AsyncCarreta(SECRET_KEY, base_url=sb.carreta.base_url) as shop:
        await shop.profile.get()
    assert shop.is_closed
    with pytest.raises(logibridge.InvalidArgumentError, match="closed"):
        await shop.profile.get()


async def test_validation_before_sending(ashop: logibridge.AsyncCarreta, sb: sandbox.Sandbox) -> None:
    offer = next(o for o in await ashop.search.query("oc47") if o.qty == "<10")
    sb.clear_requests()
    with pytest.raises(logibridge.ValidationError) as info:
        await ashop.orders.create(offer, order_qty=10)
    assert info.value.code == "order_qty.not_less_than_qty"
    assert sb.requests() == []


async def test_sync_client_inside_a_loop_still_works(sb: sandbox.Sandbox) -> None:
    """A blocking client called from a coroutine blocks that loop but does not fail."""
    with logibridge.Carreta(SECRET_KEY, base_url=sb.carreta.base_url) as shop:
        assert shop.profile.get().balance == Decimal("7.14")
