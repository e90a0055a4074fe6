"""Models: attributes, from_dict / to_dict, exact Decimal and datetime round trips,
unknown fields and enum values kept, wrong names rejected."""

from __future__ import annotations

import json
import pickle
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Dict

import pytest

import logibridge
from logibridge import _native
from logibridge.carreta import SHOP_TZ, HistoryEntry, NewOrder, Offer, Order, OrderStatus, Profile

from conftest import unique_comment

# The document's examples, as printed there.
ORDER: Dict[str, Any] = {
    "code": "AC108",
    "comment": "",
    "client_comment": "",
    "created": "2014-10-23T16:18:31.315072",
    "id": 189330,
    "maker": "KITTO",
    "name": "Фильтр салонный(угольный)",
    "number": "A111342-1",
    "order_qty": 1,
    "period_max": 9,
    "period_min": 7,
    "price": "212.86",
    "status": 7,
    "status_display": "Выдан",
    "total": "212.86",
}
OFFER: Dict[str, Any] = {
    "_": "DqYXihjdqSPM4OKLl9uE6piTekMMfMSYhkNNgDbhOzVDDWD+JdDi28ZxGbbDkXBvUw7Yu6q69MiKBaDSnYdY6imQkzWYQFw=",
    "code": "OC47",
    "desc": "",
    "is_cross": False,
    "maker": "KNECHT/MAHLE",
    "min_qty": 1,
    "name": "Фильтр масляный",
    "period_max": 7,
    "period_min": 7,
    "price": "152.02",
    "qty": "500",
    "stat": 97,
    "source": "57",
}


def test_order_from_the_document() -> None:
    o = Order.from_dict(ORDER)
    assert o.id == 189330 and o.number == "A111342-1"
    assert o.status is OrderStatus.ISSUED
    assert o.status.name_ru == "Выдан (Отправлен)" and o.status.name_en == "Issued (shipped)"
    assert o.price == Decimal("212.86") and isinstance(o.total, Decimal)
    assert o.created == datetime(2014, 10, 23, 16, 18, 31, 315072, tzinfo=timezone(timedelta(hours=3)))
    assert o.created.isoformat() == "2014-10-23T16:18:31.315072+03:00"


def test_wire_round_trip_is_exact() -> None:
    o = Order.from_dict(ORDER)
    again = Order.from_dict(o.to_dict(mode="json"))
    assert again == o
    # The wire form exactly: the time as the shop writes it (shop time, no zone).
    assert o.to_dict(mode="json") == ORDER
    assert Order.from_dict(o.to_dict()) == o  # python mode too
    assert json.loads(o.to_json())["total"] == "212.86"


def test_decimal_scale_is_kept() -> None:
    for text in ("212.80", "0.10", "152", "1E+3", "0.000001", "99999999999999999999.99"):
        o = Order.from_dict({**ORDER, "price": text})
        assert o.price == Decimal(text)
        assert o.to_dict(mode="json")["price"] == str(Decimal(text))
        assert Order.from_dict(o.to_dict(mode="json")).price.as_tuple() == Decimal(text).as_tuple()


def test_python_mode_keeps_types() -> None:
    d = Order.from_dict(ORDER).to_dict()
    assert isinstance(d["price"], Decimal)
    assert isinstance(d["created"], datetime)
    assert d["status"] is OrderStatus.ISSUED


def test_unknown_fields_are_kept_and_written_back() -> None:
    data = {**ORDER, "delivery_point": "Склад №2", "tags": [1, {"a": "b"}]}
    o = Order.from_dict(data)
    assert o.extra == {"delivery_point": "Склад №2", "tags": [1, {"a": "b"}]}
    assert o.to_dict(mode="json")["delivery_point"] == "Склад №2"
    assert Order.from_dict(o.to_dict(mode="json")) == o


def test_unknown_status_is_kept() -> None:
    o = Order.from_dict({**ORDER, "status": 42})
    assert o.status.value == 42 and o.status.name == "UNKNOWN_42"
    assert not o.status.is_known and o.status.name_en == "Unknown"
    assert OrderStatus(42) is o.status
    assert o.to_dict(mode="json")["status"] == 42
    assert OrderStatus("7") is OrderStatus.ISSUED
    with pytest.raises(ValueError):
        OrderStatus("seven")


def test_statuses_match_the_core() -> None:
    table = _native.carreta_order_statuses()
    assert len(table) == 13 == len(OrderStatus)
    for code, variant, ru, en in table:
        member = OrderStatus(code)
        assert member.is_known
        assert member.name == "".join("_" + c if c.isupper() else c.upper() for c in variant).lstrip("_")
        assert (member.name_ru, member.name_en, str(member)) == (ru, en, ru)


def test_offer_signature_alias() -> None:
    o = Offer.from_dict(OFFER)
    assert o.signature == OFFER["_"]
    assert o.to_dict(mode="json") == OFFER
    assert Offer.from_dict(o.to_dict()) == o
    assert Offer.from_dict({**OFFER, "stat": None}).stat is None


def test_keyword_constructor_is_strict() -> None:
    p = Profile(balance=Decimal("1.00"), city="Москва")
    assert p.name == "" and p.extra == {}
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        Profile(balance=Decimal("1"), citty="Москва")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="missing required"):
        Profile(city="Москва")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Profile(Decimal("1"))  # type: ignore[misc]


def test_defaults_are_per_instance() -> None:
    a = HistoryEntry(created=datetime.now(timezone.utc))
    b = HistoryEntry(created=datetime.now(timezone.utc))
    a.extra["x"] = 1
    assert b.extra == {}


def test_decode_errors_name_the_path() -> None:
    with pytest.raises(logibridge.DecodeError) as info:
        Order.from_dict({**ORDER, "price": "twelve"})
    assert info.value.path == "Order.price"
    with pytest.raises(logibridge.DecodeError) as info:
        Order.from_dict({k: v for k, v in ORDER.items() if k != "number"})
    assert "number" in str(info.value)
    with pytest.raises(logibridge.DecodeError):
        Order.from_dict({**ORDER, "created": "yesterday"})
    with pytest.raises(logibridge.DecodeError):
        Order.from_dict({**ORDER, "id": "189330"})
    with pytest.raises(logibridge.DecodeError):
        Order.from_dict([1, 2])  # type: ignore[arg-type]


def test_times_with_zones() -> None:
    for text, expected in [
        ("2014-10-23T16:18:31", datetime(2014, 10, 23, 16, 18, 31, tzinfo=SHOP_TZ)),
        ("2014-10-23 16:18:31.5", datetime(2014, 10, 23, 16, 18, 31, 500000, tzinfo=SHOP_TZ)),
        ("2014-10-23T13:18:31Z", datetime(2014, 10, 23, 16, 18, 31, tzinfo=SHOP_TZ)),
        ("2014-10-23T16:18:31.315072+03:00", datetime(2014, 10, 23, 16, 18, 31, 315072, tzinfo=SHOP_TZ)),
    ]:
        h = HistoryEntry.from_dict({"comment": "", "created": text})
        assert h.created == expected and h.created.tzinfo is not None


def test_copy() -> None:
    o = Order.from_dict({**ORDER, "x": 1})
    c = o.copy(order_qty=5)
    assert c.order_qty == 5 and c.extra == {"x": 1} and o.order_qty == 1
    with pytest.raises(TypeError):
        o.copy(nope=1)


def test_models_pickle() -> None:
    o = Order.from_dict({**ORDER, "x": 1})
    assert pickle.loads(pickle.dumps(o)) == o


def test_new_order_from_offer_carries_every_field() -> None:
    offer = Offer.from_dict({**OFFER, "warehouse": "MSK"})
    n = NewOrder.from_offer(offer, 2, client_comment="PO-1")
    body = n.to_dict(mode="json")
    for k, v in OFFER.items():
        assert body[k] == v, k
    assert body["warehouse"] == "MSK"
    assert (body["order_qty"], body["client_comment"]) == (2, "PO-1")


def test_service_round_trip(shop: logibridge.Carreta) -> None:
    """Decimal and datetime survive the trip through the core and the service exactly."""
    offers = shop.search.query("oc47")
    for o in offers:
        assert Offer.from_dict(o.to_dict(mode="json")) == o
        assert isinstance(o.price, Decimal)
    offer = offers[1]
    created = shop.orders.create(offer, order_qty=offer.min_qty, client_comment=unique_comment("rt"))
    fetched = shop.orders.get(created.id)
    assert fetched.price == offer.price and str(fetched.price) == str(offer.price)
    assert fetched.created == created.created
    assert fetched.created.microsecond == created.created.microsecond
    assert fetched.total == offer.price * offer.min_qty
    assert shop.call("carreta.order.get", {"id": created.id}) == fetched.to_dict(mode="json")
