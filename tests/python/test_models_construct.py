"""Models in and out (issue 10, item 27).

Out: ``to_dict(mode="json")`` is the wire form — for every recorded answer of the service
(tests/fixtures/carreta) it equals the JSON as received and as the core writes it, times
without a zone included, whether the model was decoded by ``from_dict`` or natively.

In: a constructor converts its arguments through the converter ``from_dict`` uses, so a
value decoding refuses is refused by the constructor too — as an ``InvalidArgumentError``
naming the field and the rule, in English and Russian — and a value decoding converts is
converted the same way. A ``float`` for a money field is refused (a binary float is not
the decimal it looks like). Every rule is checked on every field of its kind in every
model, not on one example.
"""

from __future__ import annotations

import json
import re
import typing
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

import pytest

import logibridge
from logibridge import _native
from logibridge._base import _Many, _One
from logibridge._models import Model, _is_union
from logibridge.carreta import SHOP_TZ, HistoryEntry, NewOrder, Offer, Order, OrderStatus, Profile
from logibridge.pricelist import BadRow, Summary

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "carreta"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def records(name: str) -> List[Dict[str, Any]]:
    data = fixture(name)
    return data["objects"] if isinstance(data, dict) and "objects" in data else [data]


# (fixture, the row answering with it or None for a request body, model, one decoder)
ANSWERS: List[Tuple[str, Optional[str], Type[Model]]] = [
    ("profile.json", "carreta.profile.get", Profile),
    ("search.json", "carreta.search.query", Offer),
    ("order.json", "carreta.order.get", Order),
    ("history.json", "carreta.order.history", HistoryEntry),
    ("order_full.json", None, NewOrder),
    ("order_minimal.json", None, NewOrder),
]


# -- out: the wire form -------------------------------------------------------------------


@pytest.mark.parametrize("name,endpoint,model", ANSWERS, ids=[a[0] for a in ANSWERS])
def test_json_mode_is_the_wire_form(name: str, endpoint: Optional[str], model: Type[Model]) -> None:
    for wire in records(name):
        m = model.from_dict(wire)
        out = m.to_dict(mode="json")
        assert out == wire
        assert list(out) == list(wire) or set(out) == set(wire)
        assert json.loads(m.to_json()) == wire
        assert model.from_dict(out) == m


@pytest.mark.parametrize("name,endpoint,model", [a for a in ANSWERS if a[1]], ids=[a[0] for a in ANSWERS if a[1]])
def test_json_mode_is_what_the_core_writes(name: str, endpoint: str, model: Type[Model]) -> None:
    body = (FIXTURES / name).read_bytes()
    core = _native.decode(endpoint, body)
    core_records = core if isinstance(core, list) else [core]
    decode: _One = _Many(model, endpoint) if isinstance(core, list) else _One(model, endpoint)
    built = _native.decode(endpoint, body, decode.reader)
    built_records = built if isinstance(built, list) else [built]
    assert len(core_records) == len(built_records) == len(records(name))
    for wire, natively in zip(core_records, built_records):
        assert model.from_dict(wire).to_dict(mode="json") == wire
        # A model the native reader built writes the same wire form.
        assert natively.to_dict(mode="json") == wire
        assert model.from_dict(natively.to_dict(mode="json")) == natively


@pytest.mark.parametrize("model", [Order, HistoryEntry])
@pytest.mark.parametrize(
    "given",
    [
        datetime(2014, 10, 23, 13, 18, 31, 315072, tzinfo=timezone.utc),
        datetime(2014, 10, 23, 16, 18, 31, 315072, tzinfo=SHOP_TZ),
        datetime(2014, 10, 23, 21, 18, 31, 315072, tzinfo=timezone(timedelta(hours=8))),
        datetime(2014, 10, 23, 16, 18, 31, 315072),  # naive: shop time, as the service means it
        "2014-10-23T16:18:31.315072",
        "2014-10-23T13:18:31.315072Z",
    ],
    ids=["utc", "shop", "utc+8", "naive", "wire", "wire-with-Z"],
)
def test_a_time_is_written_in_shop_time_without_a_zone(model: Type[Model], given: Any) -> None:
    wire = dict(records("order.json" if model is Order else "history.json")[0])
    wire["created"] = "2014-10-23T16:18:31.315072"
    m = model.from_dict({**wire, "created": given})
    assert m.to_dict(mode="json")["created"] == "2014-10-23T16:18:31.315072"
    # Python mode keeps the aware datetime the docs promise.
    created = m.to_dict()["created"]
    assert isinstance(created, datetime) and created.tzinfo is not None
    assert created == datetime(2014, 10, 23, 16, 18, 31, 315072, tzinfo=SHOP_TZ)


def test_a_whole_second_keeps_the_shop_form() -> None:
    h = HistoryEntry(created=datetime(2014, 10, 23, 16, 18, 31, tzinfo=SHOP_TZ))
    assert h.to_dict(mode="json")["created"] == "2014-10-23T16:18:31.000000"
    assert HistoryEntry(created=datetime(14, 1, 2, 3, 4, 5, tzinfo=SHOP_TZ)).to_dict(mode="json")["created"] == "0014-01-02T03:04:05.000000"


# -- in: constructors convert as decoding does ---------------------------------------------

# Valid arguments of every model: the fixtures' records decoded, as attribute names.
MODELS: List[Tuple[Type[Model], Dict[str, Any]]] = [
    (Profile, records("profile.json")[0]),
    (Offer, records("search.json")[0]),
    (Order, records("order.json")[0]),
    (HistoryEntry, records("history.json")[0]),
    (NewOrder, records("order_minimal.json")[0]),
    (BadRow, {"line": 3, "column": "price", "reason": "not a number", "raw": "x;y"}),
    (Summary, {"rows_ok": 1, "rows_bad": 0, "bytes": 10}),
]


def kwargs_of(model: Type[Model], wire: Dict[str, Any]) -> Dict[str, Any]:
    m = model.from_dict(wire)
    return {f.name: getattr(m, f.name) for f in model.__lb_fields__}


def kind_of(model: Type[Model], name: str) -> Tuple[Any, bool]:
    tp = typing.get_type_hints(model)[name]
    if _is_union(typing.get_origin(tp)):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0], True
    return tp, False


def fields_of_kind(kind: Any) -> List[Tuple[Type[Model], Dict[str, Any], str]]:
    out = []
    for model, wire in MODELS:
        for f in model.__lb_fields__:
            tp, _ = kind_of(model, f.name)
            if tp is kind or (kind is OrderStatus and isinstance(tp, type) and issubclass(tp, OrderStatus)):
                out.append((model, wire, f.name))
    assert out, kind
    return out


def ids(cases: List[Tuple[Type[Model], Dict[str, Any], str]]) -> List[str]:
    return [f"{m.__name__}.{n}" for m, _, n in cases]


DECIMALS = fields_of_kind(Decimal)
INTS = fields_of_kind(int)
TIMES = fields_of_kind(datetime)
ENUMS = fields_of_kind(OrderStatus)
BOOLS = fields_of_kind(bool)
STRS = fields_of_kind(str)

CYRILLIC = re.compile("[а-яА-ЯёЁ]")


def refused(model: Type[Model], wire: Dict[str, Any], name: str, value: Any, code: str) -> logibridge.InvalidArgumentError:
    """The constructor refuses ``value`` for ``name`` as an InvalidArgumentError naming the
    field and the rule in both languages; from_dict refuses its wire form too."""
    args = {**kwargs_of(model, wire), name: value}
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        model(**args)
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, logibridge.ValidationError)
    assert err.field == name and err.code == code
    assert f"{model.__name__}.{name}" in str(err) and code in str(err)
    assert err.message != err.message_ru and CYRILLIC.search(err.message_ru)
    assert name in err.message_ru
    return err


def decode_refused(model: Type[Model], wire: Dict[str, Any], name: str, value: Any) -> logibridge.DecodeError:
    key = next(f.key for f in model.__lb_fields__ if f.name == name)
    with pytest.raises(logibridge.DecodeError) as info:
        model.from_dict({**wire, key: value})
    err = info.value
    assert err.path == f"{model.__name__}.{key}"
    assert CYRILLIC.search(err.message_ru) and key in err.message_ru
    return err


def made(model: Type[Model], wire: Dict[str, Any], name: str, value: Any) -> Any:
    return getattr(model(**{**kwargs_of(model, wire), name: value}), name)


@pytest.mark.parametrize("model,wire,name", DECIMALS, ids=ids(DECIMALS))
@pytest.mark.parametrize("value", [0.1, 7.0, 1e20], ids=repr)
def test_a_float_is_not_money(model: Type[Model], wire: Dict[str, Any], name: str, value: float) -> None:
    err = refused(model, wire, name, value, "model.float_for_decimal")
    assert repr(value) in str(err)


@pytest.mark.parametrize("model,wire,name", DECIMALS, ids=ids(DECIMALS))
@pytest.mark.parametrize("value", ["abc", "", "1.2.3", "NaN", "Infinity", "-inf", "sNaN"])
def test_money_that_is_not_a_decimal_is_refused(model: Type[Model], wire: Dict[str, Any], name: str, value: str) -> None:
    refused(model, wire, name, value, "model.not_a_decimal")
    decode_refused(model, wire, name, value)


@pytest.mark.parametrize("model,wire,name", DECIMALS, ids=ids(DECIMALS))
@pytest.mark.parametrize("value", [True, None, [1], {"a": 1}], ids=repr)
def test_money_of_another_type_is_refused(model: Type[Model], wire: Dict[str, Any], name: str, value: Any) -> None:
    refused(model, wire, name, value, "model.wrong_type")


@pytest.mark.parametrize("model,wire,name", DECIMALS, ids=ids(DECIMALS))
@pytest.mark.parametrize("value", [Decimal("0.10"), "0.10", "152.02", "-3", 5, 0, Decimal("1E+3")], ids=repr)
def test_money_converts_as_decoding_does(model: Type[Model], wire: Dict[str, Any], name: str, value: Any) -> None:
    got = made(model, wire, name, value)
    expected = getattr(model.from_dict({**wire, name: value}), name)
    assert type(got) is Decimal and got.as_tuple() == expected.as_tuple() == Decimal(value).as_tuple()


@pytest.mark.parametrize("model,wire,name", INTS, ids=ids(INTS))
@pytest.mark.parametrize("value,code", [(True, "model.wrong_type"), (False, "model.wrong_type"), (2**64, "model.int_out_of_range"), (-(2**63) - 1, "model.int_out_of_range"), (2**70, "model.int_out_of_range"), (7.0, "model.wrong_type"), ("abc", "model.wrong_type"), (Decimal(7), "model.wrong_type")], ids=repr)
def test_ints_refuse_bools_floats_text_and_out_of_range(model: Type[Model], wire: Dict[str, Any], name: str, value: Any, code: str) -> None:
    refused(model, wire, name, value, code)
    decode_refused(model, wire, name, value)


@pytest.mark.parametrize("model,wire,name", INTS, ids=ids(INTS))
@pytest.mark.parametrize("value", [0, 7, 2**64 - 1, -(2**63)], ids=repr)
def test_ints_in_range_are_kept(model: Type[Model], wire: Dict[str, Any], name: str, value: int) -> None:
    got = made(model, wire, name, value)
    assert type(got) is int and got == value


@pytest.mark.parametrize("model,wire,name", TIMES, ids=ids(TIMES))
@pytest.mark.parametrize("value,code", [("yesterday", "model.not_a_datetime"), ("2014-13-40T99:00:00", "model.not_a_datetime"), ("", "model.not_a_datetime"), (1414070311, "model.wrong_type"), (None, "model.wrong_type")], ids=repr)
def test_times_refuse_garbage(model: Type[Model], wire: Dict[str, Any], name: str, value: Any, code: str) -> None:
    refused(model, wire, name, value, code)


@pytest.mark.parametrize("model,wire,name", TIMES, ids=ids(TIMES))
@pytest.mark.parametrize(
    "value",
    ["2014-10-23T16:18:31.315072", "2014-10-23 16:18:31.315072", "2014-10-23T13:18:31.315072Z", datetime(2014, 10, 23, 16, 18, 31, 315072), datetime(2014, 10, 23, 13, 18, 31, 315072, tzinfo=timezone.utc)],
    ids=repr,
)
def test_times_convert_as_decoding_does(model: Type[Model], wire: Dict[str, Any], name: str, value: Any) -> None:
    got = made(model, wire, name, value)
    assert isinstance(got, datetime) and got.tzinfo is not None
    assert got == datetime(2014, 10, 23, 16, 18, 31, 315072, tzinfo=SHOP_TZ)
    assert got == getattr(model.from_dict({**wire, name: value}), name)


@pytest.mark.parametrize("model,wire,name", ENUMS, ids=ids(ENUMS))
@pytest.mark.parametrize("value,expected", [(7, "ISSUED"), ("7", "ISSUED"), (OrderStatus.CANCELLED, "CANCELLED"), (42, "UNKNOWN_42")], ids=repr)
def test_enums_convert_and_keep_unknown_values(model: Type[Model], wire: Dict[str, Any], name: str, value: Any, expected: str) -> None:
    got = made(model, wire, name, value)
    assert isinstance(got, OrderStatus) and got.name == expected
    assert got is getattr(model.from_dict({**wire, name: value}), name)


@pytest.mark.parametrize("model,wire,name", ENUMS, ids=ids(ENUMS))
@pytest.mark.parametrize("value", ["seven", True, 7.0, None], ids=repr)
def test_enums_refuse_what_is_not_a_code(model: Type[Model], wire: Dict[str, Any], name: str, value: Any) -> None:
    refused(model, wire, name, value, "model.wrong_type")
    decode_refused(model, wire, name, value)


@pytest.mark.parametrize("model,wire,name", BOOLS, ids=ids(BOOLS))
@pytest.mark.parametrize("value", [1, 0, "true", None], ids=repr)
def test_bools_refuse_what_is_not_a_bool(model: Type[Model], wire: Dict[str, Any], name: str, value: Any) -> None:
    refused(model, wire, name, value, "model.wrong_type")


@pytest.mark.parametrize("model,wire,name", STRS, ids=ids(STRS))
@pytest.mark.parametrize("value", [5, b"abc", 1.5], ids=repr)
def test_strings_refuse_what_is_not_text(model: Type[Model], wire: Dict[str, Any], name: str, value: Any) -> None:
    refused(model, wire, name, value, "model.wrong_type")


@pytest.mark.parametrize("model,wire", MODELS, ids=[m.__name__ for m, _ in MODELS])
def test_a_model_built_from_its_fields_is_the_decoded_one(model: Type[Model], wire: Dict[str, Any]) -> None:
    """Every field given as its wire value (text for money and times, codes for enums) makes
    the model decoding makes."""
    by_key = {f.key: f.name for f in model.__lb_fields__}
    args = {by_key[k]: v for k, v in wire.items() if k in by_key}
    assert model(**args) == model.from_dict({k: v for k, v in wire.items() if k in by_key})


def test_optional_fields_take_none_and_refuse_the_rest() -> None:
    offer = kwargs_of(Offer, records("search.json")[0])
    assert Offer(**{**offer, "stat": None}).stat is None
    refused(Offer, records("search.json")[0], "stat", True, "model.wrong_type")
    refused(Offer, records("search.json")[0], "stat", 2**64, "model.int_out_of_range")


def test_copy_converts_too() -> None:
    o = Order.from_dict(records("order.json")[0])
    assert o.copy(price="1.50").price.as_tuple() == Decimal("1.50").as_tuple()
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        o.copy(total=0.1)
    assert info.value.field == "total"


def test_decoding_a_float_from_json_stays_exact_to_its_text() -> None:
    """A JSON number for money reaches from_dict as a float; it is read by its shortest
    text, as before (the service writes money as text; the core writes text)."""
    p = Profile.from_dict(json.loads('{"balance": 7.14}'))
    assert p.balance == Decimal("7.14")


# PriceRow is built natively; its constructor goes through the same converter (issue 10,
# item 27) and refuses what the Python models refuse, plus its own u32/u64 ranges.
@pytest.mark.parametrize(
    "changes,field,code",
    [
        ({"price": 1.5}, "price", "model.float_for_decimal"),
        ({"price": "abc"}, "price", "model.not_a_decimal"),
        ({"price": True}, "price", "model.wrong_type"),
        ({"price": Decimal("NaN")}, "price", "model.not_a_decimal"),
        ({"min_qty": 2**40}, "min_qty", "model.int_out_of_range"),
        ({"min_qty": "3"}, "min_qty", "model.wrong_type"),
        ({"period_max": -1}, "period_max", "model.int_out_of_range"),
        ({"line": -1}, "line", "model.int_out_of_range"),
        ({"code": 7}, "code", "model.wrong_type"),
    ],
    ids=repr,
)
def test_price_row_arguments_are_refused_as_models_refuse_them(changes: Dict[str, Any], field: str, code: str) -> None:
    from logibridge.pricelist import PriceRow

    args: Dict[str, Any] = {"line": 2, "code": "OC47", "price": Decimal("1.50"), **changes}
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        PriceRow(**args)
    err = info.value
    assert (err.field, err.code) == (field, code)
    assert CYRILLIC.search(err.message_ru) and field in err.message_ru


@pytest.mark.parametrize("price,want", [("1.50", Decimal("1.50")), (7, Decimal(7)), (Decimal("0.1"), Decimal("0.1"))], ids=repr)
def test_price_row_converts_what_decoding_converts(price: Any, want: Decimal) -> None:
    from logibridge.pricelist import PriceRow

    row = PriceRow(line=2, code="OC47", price=price)
    assert row.price == want and str(row.price) == str(want)
