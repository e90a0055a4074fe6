"""iRECA Courier through the asyncio client (``logibridge.AsyncIreca``): a representative set
of calls — a catalogue resource's six, orders, a paged walk with ``async for``, the
dictionaries, a library-side row — and the checks made before sending, as on the blocking
client (tests/python/test_ireca.py calls every id)."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, AsyncIterator, Dict, Iterator

import pytest

import logibridge
from logibridge import ireca, sandbox
from conftest import IRECA_FIXTURES
from conftest import ireca_fixture as fixture

_ids = itertools.count(870001)




@pytest.fixture(scope="module")
def isb() -> Iterator[sandbox.Sandbox]:
    with sandbox.start() as s:
        yield s


@pytest.fixture
async def aapi(isb: sandbox.Sandbox) -> AsyncIterator[logibridge.AsyncIreca]:
    async with isb.async_ireca_client(max_retries=0) as c:
        yield c


def new_order() -> Dict[str, Any]:
    return {**fixture("orders.create.request")[0], "orderId": str(next(_ids))}


async def test_a_catalogue_resource_end_to_end(aapi: logibridge.AsyncIreca) -> None:
    ids = [str(next(_ids)) for _ in range(3)]
    assert await aapi.taxes.create([ireca.Tax(tax_id=i, title=f"НДС {i}") for i in ids]) is None
    got = await aapi.taxes.get(ids[0])
    assert isinstance(got, ireca.Tax) and got.title == f"НДС {ids[0]}"
    listed = [t.tax_id async for t in aapi.taxes.list(count=2)]
    assert all(any(ireca.same_id(i, x) for x in listed) for i in ids)
    assert await aapi.taxes.update(ids[1], {"title": "изменён"}) is None
    assert (await aapi.taxes.get(ids[1])).title == "изменён"
    assert await aapi.taxes.replace([ireca.Tax(tax_id=ids[2], title="заменён")]) is None
    assert (await aapi.taxes.get(ids[2])).title == "заменён"
    assert await aapi.taxes.delete(ids[0]) is None
    assert (await aapi.taxes.get(ids[0])).to_dict().get("isActive") in (0, False)


async def test_orders_create_get_update_and_journal(aapi: logibridge.AsyncIreca, isb: sandbox.Sandbox) -> None:
    order = new_order()
    await aapi.orders.create([order])
    got = await aapi.orders.get(order["orderId"])
    assert got.amount_to_pay == Decimal("539.78") and got.delivery_time_to == datetime(2021, 5, 15, 15, 21, 13, tzinfo=timezone.utc)
    await aapi.orders.update(order["orderId"], got.copy(description="async"))
    after = await aapi.orders.get(order["orderId"])
    assert after.to_dict() == {**got.to_dict(), "description": "async"}
    isb.ireca_courier(order["orderId"], "take")
    journal = await aapi.orders.status_journal(order["orderId"])
    assert ireca.same_id(journal[-1].status_id, 7)
    first = await aapi.orders.list(count=1).first_page()
    assert len(first) == 1 and isinstance(first[0], ireca.Order)


async def test_dictionaries_and_library_rows(aapi: logibridge.AsyncIreca) -> None:
    statuses = await aapi.dictionary.delivery_statuses()
    assert statuses and all(isinstance(s, ireca.DeliveryStatus) for s in statuses)
    orders = await aapi.callback.order((IRECA_FIXTURES / "10-callback.order.request.json").read_bytes())
    assert orders[0].order_id == 209900
    assert await aapi.orders.lint(new_order()) == []
    settings = await aapi.pechka54.get_settings()
    assert isinstance(settings, ireca.Pechka54Settings)


async def test_checks_before_sending(aapi: logibridge.AsyncIreca, isb: sandbox.Sandbox) -> None:
    before = len(isb.requests())
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        [g async for g in aapi.goods.list(count=501)]
    assert info.value.field == "count"
    with pytest.raises(logibridge.ValidationError) as v:
        await aapi.orders.update_many(["1"], {"amountToPay": 1})
    assert "amountToPay" in str(v.value)
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        [x async for x in aapi.locations.list("55752", created_at=datetime(2021, 1, 1))]
    assert info.value.field == "created_at"
    assert len(isb.requests()) == before
