"""Lazy pagination of carreta.order.list (100 orders a page), sync and async."""

from __future__ import annotations

from typing import Iterator, List

import pytest

import logibridge
from logibridge import sandbox
from logibridge.carreta import ORDERS_PER_PAGE, Order

from conftest import SECRET_KEY

TOTAL = 2 * ORDERS_PER_PAGE + 37


@pytest.fixture(scope="module")
def paged() -> Iterator[sandbox.Sandbox]:
    """A sandbox whose account 1002 has 237 orders, comments P-0 … P-236."""
    with sandbox.start(carreta_api_key=SECRET_KEY) as sb:
        with sb.carreta_client(account="1002") as shop:
            offer = next(o for o in shop.search.query("oc47") if o.qty == "Есть")
            for i in range(TOTAL):
                shop.orders.create(offer, order_qty=offer.min_qty, client_comment=f"P-{i}")
        yield sb


def list_requests(sb: sandbox.Sandbox) -> List[str]:
    return [r["query"] for r in sb.requests() if r["path"].rstrip("/") == "/carreta/v1/order" and r["method"] == "GET"]


def test_iterates_every_page(paged: sandbox.Sandbox) -> None:
    with paged.carreta_client(account="1002") as shop:
        paged.clear_requests()
        orders = list(shop.orders.list())
        assert len(orders) == TOTAL
        assert len({o.id for o in orders}) == TOTAL
        assert orders[0].client_comment == f"P-{TOTAL - 1}", "newest first"
        assert orders[-1].client_comment == "P-0"
        # Three pages: 100, 100, 37 — the short one ends the walk without a fourth request.
        assert len(list_requests(paged)) == 3


def test_is_lazy(paged: sandbox.Sandbox) -> None:
    with paged.carreta_client(account="1002") as shop:
        paged.clear_requests()
        pager = shop.orders.list()
        assert list_requests(paged) == [], "nothing is fetched before iterating"
        it = iter(pager)
        first = next(it)
        assert isinstance(first, Order)
        assert len(list_requests(paged)) == 1
        for _ in range(ORDERS_PER_PAGE):
            next(it)
        assert len(list_requests(paged)) == 2


def test_pages(paged: sandbox.Sandbox) -> None:
    with paged.carreta_client(account="1002") as shop:
        pages = list(shop.orders.list().pages())
        assert [p.number for p in pages] == [1, 2, 3]
        assert [len(p) for p in pages] == [100, 100, 37]
        assert pages[0].has_next_page() and not pages[2].has_next_page()
        assert pages[0][0].client_comment == f"P-{TOTAL - 1}"


def test_one_page_and_a_start_page(paged: sandbox.Sandbox) -> None:
    with paged.carreta_client(account="1002") as shop:
        page2 = shop.orders.list(page=2).first_page()
        assert page2.number == 2 and len(page2) == 100
        rest = shop.orders.list(page=2).to_list()
        assert len(rest) == 137
        assert [o.id for o in rest[:100]] == [o.id for o in page2]
        beyond = shop.orders.list(page=9).first_page()
        assert len(beyond) == 0 and not beyond.has_next_page()
        assert list(shop.orders.list(page=9)) == []


def test_filter_across_pages(paged: sandbox.Sandbox) -> None:
    with paged.carreta_client(account="1002") as shop:
        wanted = [f"P-{i}" for i in (0, 150, 236)]
        got = sorted(o.client_comment for o in shop.orders.list(client_comment=wanted))
        assert got == sorted(wanted)


def test_other_account_sees_none(paged: sandbox.Sandbox) -> None:
    with paged.carreta_client() as shop:
        assert list(shop.orders.list()) == []


def test_page_zero_is_a_validation_error(paged: sandbox.Sandbox) -> None:
    with paged.carreta_client(account="1002") as shop:
        with pytest.raises(logibridge.ValidationError) as info:
            shop.orders.list(page=0).first_page()
        assert info.value.field == "page"


async def test_async_iterates_every_page(paged: sandbox.Sandbox) -> None:
    async with paged.async_carreta_client(account="1002") as shop:
        paged.clear_requests()
        pager = shop.orders.list()
        assert list_requests(paged) == []
        orders = [o async for o in pager]
        assert len(orders) == TOTAL and len({o.id for o in orders}) == TOTAL
        assert len(list_requests(paged)) == 3
        sizes = [len(p) async for p in shop.orders.list().pages()]
        assert sizes == [100, 100, 37]
        assert len(await shop.orders.list(page=3).to_list()) == 37
        first = await shop.orders.list().first_page()
        assert first.number == 1 and len(first) == 100


def test_page_size_comes_from_the_core() -> None:
    from logibridge import _native

    assert ORDERS_PER_PAGE == _native.page_size("carreta.order.list") == 100  # as documented
    assert _native.page_size("carreta.search.query") is None
