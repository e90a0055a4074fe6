"""Models built natively from the response body are exactly what the generic path builds
(the core's row decoder, then ``Model.from_dict``): every field's type and value, the
time's zone object, the decimal's digits and scale, ``extra`` in its order, the enum member,
and the same error when the answer does not fit."""

from __future__ import annotations

import copy
import json
import pickle
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Callable, Dict, List, Optional, Type

import pytest

import logibridge
from logibridge import _native
from logibridge._base import _Many, _One
from logibridge._models import Model, field
from logibridge.carreta import SHOP_TZ, HistoryEntry, Offer, Order, OrderStatus, Profile

ORDER: Dict[str, Any] = {
    "code": "AC108",
    "comment": "",
    "client_comment": "PO-1",
    "created": "2014-10-23T16:18:31.315072",
    "id": 189330,
    "maker": "KITTO",
    "name": "Фильтр салонный(угольный)",
    "number": "A111342-1",
    "order_qty": 2,
    "period_max": 9,
    "period_min": 7,
    "price": "212.80",
    "status": 7,
    "status_display": "Выдан",
    "total": "425.60",
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


def orders_body(items: List[Dict[str, Any]]) -> bytes:
    """A body as the service writes it: compact JSON."""
    return json.dumps({"objects": items}, ensure_ascii=False, separators=(",", ":")).encode()


def page(n: int = 100) -> List[Dict[str, Any]]:
    return [{**ORDER, "id": 189330 + i, "number": f"A{189330 + i}-1", "order_qty": 1 + i % 5, "status": [1, 2, 3, 7, 8][i % 5]} for i in range(n)]


def generic(endpoint: str, body: bytes, decode: Callable[[Any], Any]) -> Any:
    """The generic path: the core's row decoder (JSON-shaped), then the Python decoder."""
    return decode(_native.decode(endpoint, body))


def native(endpoint: str, body: bytes, decode: _One) -> Any:
    return _native.decode(endpoint, body, decode.reader)


def assert_same(a: Model, b: Model) -> None:
    assert type(a) is type(b)
    for f in type(a).__lb_fields__:
        x, y = getattr(a, f.name), getattr(b, f.name)
        assert type(x) is type(y), f.name
        assert x == y and repr(x) == repr(y), f.name
        if isinstance(x, Decimal):
            assert x.as_tuple() == y.as_tuple(), f.name
        if isinstance(x, datetime):
            assert x.tzinfo is y.tzinfo and x.tzname() == y.tzname(), f.name
        if isinstance(x, OrderStatus):
            assert x is y, f.name
    assert a.extra == b.extra and list(a.extra) == list(b.extra)
    assert a == b and repr(a) == repr(b)
    assert a.to_dict(mode="json") == b.to_dict(mode="json")


def is_native(m: Model) -> bool:
    return "_lb_raw" in vars(m)


def compare_list(endpoint: str, model: Type[Model], body: bytes, *, fast: bool) -> List[Any]:
    decode = _Many(model, endpoint)
    try:
        theirs = generic(endpoint, body, _Many(model, endpoint))
    except logibridge.DecodeError as e:
        with pytest.raises(logibridge.DecodeError) as info:
            native(endpoint, body, decode)
        assert (str(info.value), info.value.path) == (str(e), e.path)
        return []
    ours = native(endpoint, body, decode)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert is_native(a) is fast
        assert_same(a, b)
    return list(ours)


def test_readers_of_the_typed_calls_are_native() -> None:
    from logibridge.carreta import OrderResource, ProfileResource, SearchResource

    for op in (OrderResource.list, OrderResource.get, OrderResource.create, OrderResource.history, SearchResource.query, ProfileResource.get):
        assert op._decode.reader.native, op


def test_a_page_of_orders_is_the_generic_page() -> None:
    orders = compare_list("carreta.order.list", Order, orders_body(page()), fast=True)
    o = orders[3]
    assert o.status is OrderStatus.ISSUED and o.created.tzinfo is SHOP_TZ
    assert o.created == datetime(2014, 10, 23, 16, 18, 31, 315072, tzinfo=SHOP_TZ)
    assert str(o.price) == "212.80"


def test_fields_are_read_once_and_kept() -> None:
    (o,) = native("carreta.order.list", orders_body([ORDER]), _Many(Order, "carreta.order.list"))
    assert "price" not in vars(o)
    p = o.price
    assert vars(o)["price"] is p and o.price is p
    assert o.extra is o.extra
    o.total = Decimal("1")  # an attribute set before it is read wins, as on any instance
    assert o.total == Decimal("1")
    o.extra["x"] = 1
    assert o.to_dict()["x"] == 1
    # An attribute set before the record is read wins; a deleted field is made again.
    (o,) = native("carreta.order.list", orders_body([ORDER]), _Many(Order, "carreta.order.list"))
    o.comment = "mine"
    assert o.price == Decimal("212.80") and o.comment == "mine"
    del o.price
    assert o.price == Decimal("212.80") and o.comment == "mine"


@pytest.mark.parametrize(
    "change",
    [
        {"price": 212.8},  # a number where the document has text
        {"price": "212,80"},
        {"price": " 212.80"},
        {"price": "2.128E+2"},
        {"price": "-0.00"},
        {"price": "0212.80"},
        {"id": "189330"},
        {"id": 189330.0},
        {"id": -1},
        {"id": 2**40},
        {"status": "7"},
        {"created": "2014-10-23T13:18:31Z"},
        {"created": "2014-10-23T16:18:31"},
        {"created": "2014-10-23 16:18:31.315"},
        {"created": "2014-10-23T16:18:31.315072+03:00"},
        {"comment": None},
        {"client_comment": 17},
    ],
)
def test_other_forms_take_the_generic_path_with_its_values(change: Dict[str, Any]) -> None:
    items = [ORDER, {**ORDER, **change}]
    compare_list("carreta.order.list", Order, orders_body(items), fast=False)


def test_missing_fields_and_duplicates_take_the_generic_path() -> None:
    missing = {k: v for k, v in ORDER.items() if k != "comment"}
    compare_list("carreta.order.list", Order, orders_body([missing]), fast=False)
    text = json.dumps(ORDER, ensure_ascii=False, separators=(",", ":"))
    dup = ('{"objects":[' + text[:-1] + ',"price":"1.00"}]}').encode()
    with pytest.raises(logibridge.DecodeError) as a:
        native("carreta.order.list", dup, _Many(Order, "carreta.order.list"))
    with pytest.raises(logibridge.DecodeError) as b:
        generic("carreta.order.list", dup, _Many(Order, "carreta.order.list"))
    assert str(a.value) == str(b.value)


def test_unknown_fields_are_kept_in_order() -> None:
    extra = {**ORDER, "zeta": [1, {"a": None}], "alpha": 1.5, "big": 2**70, "signature": "x"}
    orders = compare_list("carreta.order.list", Order, orders_body([extra, ORDER]), fast=True)
    assert list(orders[0].extra) == ["zeta", "alpha", "big", "signature"]
    assert orders[1].extra == {}
    assert orders[0].to_dict(mode="json")["zeta"] == [1, {"a": None}]


def test_escaped_and_unicode_text() -> None:
    body = ('{"objects": [' + json.dumps({**ORDER, "name": 'Фильтр "A"\\\n\t\u2028 😀'}, ensure_ascii=True) + "]}").encode()
    (o,) = compare_list("carreta.order.list", Order, body, fast=True)
    assert o.name == 'Фильтр "A"\\\n\t\u2028 😀'


def test_unknown_status_codes() -> None:
    (o,) = compare_list("carreta.order.list", Order, orders_body([{**ORDER, "status": 4242}]), fast=True)
    assert o.status.name == "UNKNOWN_4242" and not o.status.is_known and o.status is OrderStatus(4242)


def test_decimals_keep_digits_and_scale() -> None:
    texts = ["0", "0.10", "152", "212.80", "-5.5", "0.000001", "9999999999999999999999999.99", "1234567890123456789012345678"]
    items = [{**ORDER, "id": i + 1, "price": t} for i, t in enumerate(texts)]
    orders = compare_list("carreta.order.list", Order, orders_body(items), fast=True)
    assert [str(o.price) for o in orders] == texts
    too_long = [{**ORDER, "price": "12345678901234567890123456789"}]
    compare_list("carreta.order.list", Order, orders_body(too_long), fast=False)


def test_times() -> None:
    for text in ["2024-02-29T23:59:59.999999", "0001-01-01T03:00:00.000000", "9999-12-31T23:59:59.000000"]:
        compare_list("carreta.order.list", Order, orders_body([{**ORDER, "created": text}]), fast=True)
    for text in ["2023-02-29T00:00:00.000000", "2024-13-01T00:00:00.000000", "2024-01-01T24:00:00.000000", "2024-01-01T00:00:60.000000"]:
        with pytest.raises(logibridge.DecodeError):
            native("carreta.order.list", orders_body([{**ORDER, "created": text}]), _Many(Order, "carreta.order.list"))


def test_errors_are_the_generic_errors() -> None:
    for bad in ({**ORDER, "price": "twelve"}, {**ORDER, "status": "seven"}, {**ORDER, "created": "yesterday"}, {**ORDER, "order_qty": -1}):
        body = orders_body([ORDER, bad])
        with pytest.raises(logibridge.DecodeError) as a:
            native("carreta.order.list", body, _Many(Order, "carreta.order.list"))
        with pytest.raises(logibridge.DecodeError) as b:
            generic("carreta.order.list", body, _Many(Order, "carreta.order.list"))
        assert (str(a.value), a.value.path, a.value.endpoint) == (str(b.value), b.value.path, b.value.endpoint)
    for body in (b'{"objects":[', b'{"other":[]}', b'{"objects":{}}', b"[]"):
        with pytest.raises(logibridge.DecodeError) as a:
            native("carreta.order.list", body, _Many(Order, "carreta.order.list"))
        with pytest.raises(logibridge.DecodeError) as b:
            generic("carreta.order.list", body, _Many(Order, "carreta.order.list"))
        assert str(a.value) == str(b.value)


def test_errors_in_any_layout_are_the_generic_errors() -> None:
    body = json.dumps({"meta": {"objects": 1}, "objects": [ORDER, {**ORDER, "price": "twelve"}], "objects ": 2}, indent=1).encode()
    with pytest.raises(logibridge.DecodeError) as a:
        native("carreta.order.list", body, _Many(Order, "carreta.order.list"))
    with pytest.raises(logibridge.DecodeError) as b:
        generic("carreta.order.list", body, _Many(Order, "carreta.order.list"))
    assert a.value.path == b.value.path == "objects[1].price"
    assert str(a.value) == str(b.value)
    # Other fields of the envelope are skipped; the first "objects" counts.
    twice = b'{"x":[1,{"y":null}],"objects":[' + json.dumps(ORDER).encode() + b'],"objects":[]}'
    (o,) = compare_list("carreta.order.list", Order, twice, fast=True)
    assert o.id == ORDER["id"]


ORDER_TEXT = json.dumps(ORDER, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize(
    "body",
    [
        '{"objects":[]}',
        ' \n{ "objects" : [ ' + json.dumps(ORDER, indent=2, ensure_ascii=False) + " ] }\r\n\t",
        '{"objects":[' + ORDER_TEXT + "]}x",
        '{"objects":[' + ORDER_TEXT + ",]}",
        '{"objects":[' + ORDER_TEXT + "],}",
        '{"objects":[' + ORDER_TEXT + "]",
        '{"objects":[' + ORDER_TEXT.replace('"id":189330', '"id":0189330') + "]}",
        '{"objects":[' + ORDER_TEXT.replace('"id":189330', '"id":189330.0') + "]}",
        '{"objects":[' + ORDER_TEXT.replace('"id":189330', '"id":1e5') + "]}",
        '{"objects":[' + ORDER_TEXT.replace('"id":189330', '"id":-0') + "]}",
        '{"objects":[' + ORDER_TEXT.replace('"id":189330', '"id":2147483647') + "]}",
        '{"objects":[' + ORDER_TEXT.replace('"id":189330', '"id":2147483648') + "]}",
        '{"objects":[' + ORDER_TEXT.replace('"id":189330', '"i\\u0064":189330') + "]}",
        '{"objects":[' + ORDER_TEXT.replace('"code":"AC108"', '"code":"AC\t108"') + "]}",
        '{"objects":[' + ORDER_TEXT.replace('"code":"AC108"', '"code":"AC\\t108"') + "]}",
        '{"objects":[' + ORDER_TEXT.replace('"code":"AC108"', '"code":"AC108","x":{"a":[1,2.5,-3e9,null,true]},"y":"\\u00e9"') + "]}",
        '{"objects":[' + ORDER_TEXT.replace('"code":"AC108"', '"code":"AC108","x":01') + "]}",
        '{"objects":[' + ORDER_TEXT.replace('"code":"AC108"', '"code":"AC108","x":tru') + "]}",
        '{"objects":[' + ORDER_TEXT.replace('"code":"AC108"', '"code":"AC108","x":truex') + "]}",
        '{"objects":[' + ORDER_TEXT.replace('"code":"AC108"', '"code":"AC108","x":[1,]') + "]}",
        '{"objects":[' + ORDER_TEXT + "," + ORDER_TEXT.replace('"status":7', '"status":7 ,"x" : null') + "]}",
        '{"objects":[' + ORDER_TEXT + "],\"more\":[1,{\"a\":\"b\"}]}",
        '{"more":{"objects":1},"objects":[' + ORDER_TEXT + "]}",
        '{"objects":[1]}',
        '{"objects":[[]]}',
        '{"objects":null}',
        '{"objects":[{}]}',
    ],
)
def test_bodies_in_any_layout_read_as_the_generic_path_reads_them(body: str) -> None:
    compare_list_any("carreta.order.list", Order, body.encode())


@pytest.mark.parametrize("at", range(0, 19))
def test_string_ends_found_at_every_position(at: int) -> None:
    """Quotes, escapes and raw control characters at each offset of the eight-byte steps."""
    for insert in ('"', "\\n", "\\\\", "\t", "\u0001", "é", "Ж"):
        text = "ab" * 10
        raw = json.dumps(text[:at], ensure_ascii=False)[1:-1] + insert + text[at:]
        body = ('{"objects":[' + ORDER_TEXT.replace('"code":"AC108"', '"code":"' + raw + '"') + "]}").encode()
        compare_list_any("carreta.order.list", Order, body)


def compare_list_any(endpoint: str, model: Type[Model], body: bytes) -> None:
    """Native and generic agree (values or error), whichever pass reads the body."""
    decode = _Many(model, endpoint)
    try:
        theirs = generic(endpoint, body, _Many(model, endpoint))
    except logibridge.DecodeError as e:
        with pytest.raises(logibridge.DecodeError) as info:
            native(endpoint, body, decode)
        assert (str(info.value), info.value.path) == (str(e), e.path)
        return
    ours = native(endpoint, body, decode)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert_same(a, b)


def test_one_offer_profile_history() -> None:
    (o,) = compare_list("carreta.search.query", Offer, json.dumps({"objects": [OFFER]}).encode(), fast=True)
    assert o.signature == OFFER["_"] and o.to_dict(mode="json") == OFFER
    (o,) = compare_list("carreta.search.query", Offer, json.dumps({"objects": [{**OFFER, "stat": None}]}).encode(), fast=True)
    assert o.stat is None
    body = json.dumps({"balance": "7.14", "city": "city", "email": "", "name": "name", "phone": "+7"}).encode()
    a, b = native("carreta.profile.get", body, _One(Profile, "carreta.profile.get")), generic("carreta.profile.get", body, _One(Profile, "carreta.profile.get"))
    assert is_native(a)
    assert_same(a, b)
    body = json.dumps(ORDER).encode()
    a, b = native("carreta.order.get", body, _One(Order, "carreta.order.get")), generic("carreta.order.get", body, _One(Order, "carreta.order.get"))
    assert is_native(a)
    assert_same(a, b)
    body = json.dumps({"objects": [{"comment": "Создан", "created": "2014-10-23T16:18:31.315072"}]}).encode()
    compare_list("carreta.order.history", HistoryEntry, body, fast=True)


def test_pickle_copy_and_equality_of_native_instances() -> None:
    (o,) = native("carreta.order.list", orders_body([{**ORDER, "x": [1]}]), _Many(Order, "carreta.order.list"))
    again = pickle.loads(pickle.dumps(o))
    assert again == o and not is_native(again) and again.extra == {"x": [1]}
    (o,) = native("carreta.order.list", orders_body([ORDER]), _Many(Order, "carreta.order.list"))
    assert copy.deepcopy(o) == o and copy.copy(o) == o
    assert o.copy(order_qty=9).order_qty == 9
    assert Order.from_dict(o.to_dict()) == o


def test_class_attributes_and_plain_instances() -> None:
    assert "price" not in vars(Order) and not hasattr(Order, "price")
    plain = Order.from_dict(ORDER)
    assert not is_native(plain) and plain.price == Decimal("212.80")
    bare = Order.__new__(Order)
    with pytest.raises(AttributeError, match="'Order' object has no attribute 'price'"):
        bare.price
    (o,) = native("carreta.order.list", orders_body([ORDER]), _Many(Order, "carreta.order.list"))
    with pytest.raises(AttributeError, match="'Order' object has no attribute 'pricee'"):
        o.pricee  # type: ignore[attr-defined]
    assert not hasattr(o, "nope") and getattr(o, "nope", 5) == 5


def test_models_the_reader_cannot_take_use_from_dict() -> None:
    from logibridge._models import native_schema

    class Nested(Model):
        items: List[int]
        when: Optional[datetime] = None

    assert native_schema(Nested) is None
    assert native_schema(Order) is not None and native_schema(Order) is native_schema(Order)


def test_calls_build_natively(shop: logibridge.Carreta) -> None:
    offers = shop.search.query("oc47")
    assert offers and all(is_native(o) for o in offers)
    offer = offers[0]
    order = shop.orders.create(offer, order_qty=offer.min_qty, client_comment="native-1")
    assert is_native(order)
    listed = shop.orders.list(client_comment="native-1").first_page()
    assert [o.id for o in listed] == [order.id] and is_native(listed[0])
    assert_same(listed[0], Order.from_dict(shop.call("carreta.order.list", {"client_comment": "native-1"})[0]))
    # The generic call still answers JSON.
    assert isinstance(shop.call("carreta.order.get", {"id": order.id})["price"], str)


async def test_async_calls_build_natively(ashop: logibridge.AsyncCarreta) -> None:
    offers = await ashop.search.query("oc47")
    assert offers and all(is_native(o) for o in offers)
    profile = await ashop.profile.get()
    assert is_native(profile) and isinstance(profile.balance, Decimal)


# -- a model of a registered service (a row with no model of the core's) -----------------


class Item(Model):
    name: str
    odd: str = field(key='a"b')
    n: int
    when: datetime
    price: Optional[Decimal] = None
    flag: bool = False


@pytest.fixture(scope="module")
def items_row() -> str:
    logibridge.register_service(
        {
            "prefix": "pytest_native",
            "name": "Native",
            "default_base_url": "https://native.invalid/",
            "auth": {"kind": "bearer", "credential": "token"},
            "credentials": [{"name": "token"}],
            "endpoints": [{"id": "pytest_native.items.list", "method": "GET", "path": "items", "response": {"envelope": "items", "list": True}}],
        }
    )
    return "pytest_native.items.list"


def test_a_registered_row_with_any_keys(items_row: str) -> None:
    item = {"name": "x", 'a"b': "y", "n": 1, "when": "2020-02-29T23:59:59.000001", "price": None, "flag": True}
    for body in (
        json.dumps({"items": [item]}),
        json.dumps({"items": [item, {**item, "price": "1.50", "flag": False, "extra": {"k": [1]}}]}, separators=(",", ":")),
        json.dumps({"items": [{**item, "when": "2020-02-29T23:59:59Z"}]}),
        json.dumps({"items": [{**item, "n": "1"}]}),
    ):
        compare_list_any(items_row, Item, body.encode())
    (one,) = native(items_row, json.dumps({"items": [item]}).encode(), _Many(Item, items_row))
    assert one.odd == "y" and one.when.tzinfo is timezone.utc and one.price is None and one.flag is True
    assert _Many(Item, items_row).reader.native
