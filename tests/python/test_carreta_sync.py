"""Every Carreta call through the blocking client, against the sandbox."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

import logibridge
from logibridge import sandbox
from logibridge.carreta import HistoryEntry, NewOrder, Offer, Order, OrderStatus, Profile

from conftest import SECRET_KEY, unique_comment


def test_profile_get(shop: logibridge.Carreta) -> None:
    p = shop.profile.get()
    assert isinstance(p, Profile)
    assert p.balance == Decimal("7.14")
    assert isinstance(p.balance, Decimal)
    assert p.phone == "+7-987-1234567"
    assert p.extra == {}


def test_profile_of_another_account(shop: logibridge.Carreta) -> None:
    assert shop.profile.get(account="1002").balance == Decimal("15230.50")
    other = shop.with_options(account="1002")
    assert other.account == "1002"
    assert other.profile.get().balance == Decimal("15230.50")
    # The original is unchanged, and the default comes back with account=None.
    assert shop.profile.get().balance == Decimal("7.14")
    assert other.with_options(account=None).profile.get().balance == Decimal("7.14")


def test_search_query(shop: logibridge.Carreta) -> None:
    offers = shop.search.query("oc47")
    assert offers and all(isinstance(o, Offer) for o in offers)
    first = offers[0]
    assert (first.code, first.maker, first.name) == ("OC47", "KNECHT/MAHLE", "Фильтр масляный")
    assert first.price == Decimal("152.02")
    assert first.signature  # the shop's `_`
    assert any(o.is_cross for o in offers), "analogues are part of the answer"
    assert {o.qty for o in offers} >= {"500", "<10", ">50", "Есть"}
    # Every field the core sends is declared: nothing lands in extra.
    assert all(o.extra == {} for o in offers)


def test_search_for_nothing(shop: logibridge.Carreta) -> None:
    assert shop.search.query("NO-SUCH-PART-42") == []


def test_order_create_get_history(shop: logibridge.Carreta, sb: sandbox.Sandbox) -> None:
    offer = shop.search.query("oc47")[0]
    comment = unique_comment("create")
    order = shop.order.create(offer, order_qty=offer.min_qty * 2, client_comment=comment)
    assert isinstance(order, Order)
    assert order.status is OrderStatus.RECEIVED
    assert order.client_comment == comment
    assert order.order_qty == offer.min_qty * 2
    assert order.total == offer.price * order.order_qty
    assert order.created.tzinfo is not None

    fetched = shop.order.get(order.id)
    assert fetched == order

    history = shop.order.history(order.id)
    assert len(history) == 1 and isinstance(history[0], HistoryEntry)
    assert "152.02" in history[0].comment or str(order.total) in history[0].comment

    sb.advance_order(order.id)
    assert shop.order.get(order.id).status is OrderStatus.IN_PROGRESS
    assert len(shop.order.history(order.id)) == 2


def test_orders_is_order(shop: logibridge.Carreta) -> None:
    assert shop.orders is shop.order


def test_test_order(shop: logibridge.Carreta) -> None:
    offer = shop.search.query("oc47")[0]
    order = shop.orders.create(offer, order_qty=offer.min_qty, test=True, client_comment=unique_comment("test"))
    assert isinstance(order, Order)


def test_create_from_dict_and_new_order(shop: logibridge.Carreta) -> None:
    offer = shop.search.query("oc47")[0]
    row = offer.to_dict(mode="json")
    a = shop.orders.create(row, order_qty=1, client_comment=unique_comment("dict"))
    assert a.code == offer.code
    new = NewOrder.from_offer(offer, 1, client_comment=unique_comment("new"))
    new.validate()
    b = shop.orders.create(new)
    assert b.client_comment == new.client_comment
    # A NewOrder's quantity can be overridden at the call.
    c = shop.orders.create(new, order_qty=2)
    assert c.order_qty == 2


def test_create_requires_a_quantity(shop: logibridge.Carreta) -> None:
    offer = shop.search.query("oc47")[0]
    with pytest.raises(TypeError, match="order_qty"):
        shop.orders.create(offer)


def test_order_list_one_page_and_filter(shop: logibridge.Carreta) -> None:
    offer = shop.search.query("oc47")[0]
    c1, c2 = unique_comment("list"), unique_comment("list")
    o1 = shop.orders.create(offer, order_qty=1, client_comment=c1)
    o2 = shop.orders.create(offer, order_qty=1, client_comment=c2)
    page = shop.orders.list().first_page()
    assert page.number == 1
    assert {o1.id, o2.id} <= {o.id for o in page}
    assert [o.id for o in page][:2] == [o2.id, o1.id], "newest first"
    assert [o.id for o in shop.orders.list(client_comment=c1)] == [o1.id]
    assert {o.id for o in shop.orders.list(client_comment=[c1, c2])} == {o1.id, o2.id}
    assert list(shop.orders.list(client_comment="nobody-wrote-this")) == []


def test_generic_call(shop: logibridge.Carreta) -> None:
    offers = shop.call("carreta.search.query", {"q": "oc47"})
    assert isinstance(offers, list) and offers[0]["code"] == "OC47"
    assert offers[0]["price"] == "152.02"
    profile = shop.call("carreta.profile.get")
    assert profile["balance"] == "7.14"


def test_generic_call_rejects_unknown_names(shop: logibridge.Carreta) -> None:
    with pytest.raises(logibridge.InvalidArgumentError, match="not a parameter") as info:
        shop.call("carreta.search.query", {"q": "oc47", "qq": 1})
    assert (info.value.field, info.value.code, info.value.endpoint) == ("qq", "param.unknown", "carreta.search.query")
    with pytest.raises(logibridge.InvalidArgumentError, match="unknown endpoint id"):
        shop.call("carreta.order.delete", {"id": 1})
    with pytest.raises(logibridge.InvalidArgumentError):
        shop.call("ireca.goods.list")


def test_wrong_keyword_is_an_error(shop: logibridge.Carreta) -> None:
    with pytest.raises(TypeError):
        shop.search.query("oc47", qq="x")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        shop.orders.list(client_coment="x")  # type: ignore[call-arg]


def test_context_manager_closes(sb: sandbox.Sandbox) -> None:
    with logibridge.Carreta(SECRET_KEY, base_url=sb.carreta.base_url) as shop:
        assert shop.profile.get()
        assert not shop.is_closed
    assert shop.is_closed
    assert "closed" in repr(shop)
    with pytest.raises(logibridge.InvalidArgumentError, match="closed"):
        shop.profile.get()


def test_repr_never_shows_the_key(shop: logibridge.Carreta) -> None:
    for text in (repr(shop), str(shop), repr(shop.orders), repr(shop._handle)):
        assert SECRET_KEY not in text
    assert "Carreta(base_url=" in repr(shop)


def test_base_url_credentials_are_masked() -> None:
    c = logibridge.Carreta("k" * 12, base_url="http://user:hunter22@127.0.0.1:9/carreta/v1")
    assert "hunter22" not in repr(c)
    assert c.base_url.endswith("/carreta/v1/")


def test_defaults() -> None:
    c = logibridge.Carreta("some-key")
    assert c.base_url == logibridge.carreta.DEFAULT_BASE_URL == "https://api.carreta.ru/v1/"
    assert c.account is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": 0},
        {"timeout": -1.0},
        {"timeout": float("nan")},
        {"connect_timeout": float("inf")},
        {"max_retries": -1},
        {"max_retries": 1000},
        {"base_url": "ftp://example.invalid/"},
        {"base_url": "not a url"},
    ],
)
def test_bad_options_are_invalid_arguments(kwargs: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(logibridge.InvalidArgumentError):
        logibridge.Carreta("some-key", **kwargs)


def test_empty_key_is_an_invalid_argument() -> None:
    with pytest.raises(logibridge.InvalidArgumentError, match="api_key"):
        logibridge.Carreta("  ")
    with pytest.raises(TypeError):
        logibridge.Carreta(None)  # type: ignore[arg-type]


def test_times_are_shop_time(shop: logibridge.Carreta) -> None:
    offer = shop.search.query("oc47")[0]
    order = shop.orders.create(offer, order_qty=1, client_comment=unique_comment("tz"))
    assert isinstance(order.created, datetime)
    offset = order.created.utcoffset()
    assert offset is not None and offset.total_seconds() == 3 * 3600
