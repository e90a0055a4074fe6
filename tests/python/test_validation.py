"""The documented order rules, without a client and through one."""

from __future__ import annotations

from typing import List, Optional

import pytest

import logibridge
from logibridge import sandbox
from logibridge.carreta import NewOrder, check_client_comment, check_order_qty, qty_max_order

from conftest import unique_comment


def code_of(qty: str, min_qty: int, order_qty: int) -> Optional[str]:
    try:
        assert check_order_qty(qty, min_qty, order_qty) is None
        return None
    except logibridge.ValidationError as e:
        return e.code


@pytest.mark.parametrize(
    ("qty", "min_qty", "order_qty", "code"),
    [
        # The document's examples.
        ("<10", 1, 9, None),
        ("<10", 1, 10, "order_qty.not_less_than_qty"),
        (">50", 1, 10000, None),
        (">50", 1, 10001, "order_qty.exceeds_max"),
        ("10", 1, 10, None),
        ("10", 1, 11, "order_qty.exceeds_qty"),
        ("Есть", 1, 10000, None),
        ("Есть", 1, 10001, "order_qty.exceeds_max"),
        ("Есть", 2, 4, None),
        ("Есть", 2, 3, "order_qty.not_multiple_of_min_qty"),
        # Nonsense is a ValidationError, never a crash.
        ("10", 0, 1, "min_qty.invalid"),
        ("10", -3, 1, "min_qty.invalid"),
        ("10", 1, 0, "order_qty.min"),
        ("10", 1, -1, "order_qty.min"),
        # Past 64 bits: refused as such, never clamped into another rule's breach.
        ("10", 1, 10**30, "order_qty.not_integer"),
        ("10", 1, -(10**30), "order_qty.not_integer"),
        ("10", -(10**30), 1, "min_qty.not_integer"),
        ("Есть", 10**30, 1, "min_qty.not_integer"),
        ("много", 1, 1, "qty.unknown_form"),
        ("", 1, 1, "qty.unknown_form"),
    ],
)
def test_check_order_qty(qty: str, min_qty: int, order_qty: int, code: Optional[str]) -> None:
    assert code_of(qty, min_qty, order_qty) == code


def test_error_parts() -> None:
    with pytest.raises(logibridge.ValidationError) as info:
        check_order_qty("<10", 1, 10)
    e = info.value
    assert e.field == "order_qty"
    assert e.code == "order_qty.not_less_than_qty"
    assert e.message == 'qty is "<10": order_qty must be less than 10, got 10'
    assert "строго меньше 10" in e.message_ru
    assert str(e) == 'order_qty: qty is "<10": order_qty must be less than 10, got 10 [order_qty.not_less_than_qty]'
    assert isinstance(e, ValueError)


def test_min_qty_error_names_its_field() -> None:
    with pytest.raises(logibridge.ValidationError) as info:
        check_order_qty("10", 0, 1)
    assert info.value.field == "min_qty"


def test_wrong_types_are_type_errors() -> None:
    with pytest.raises(TypeError):
        check_order_qty("10", 1, "3")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        check_order_qty("10", 1.0, 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        check_order_qty(10, 1, 3)  # type: ignore[arg-type]


def test_client_comment() -> None:
    check_client_comment("я" * 50)  # 100 bytes, 50 characters: fine
    check_client_comment("")
    with pytest.raises(logibridge.ValidationError) as info:
        check_client_comment("я" * 51)
    assert (info.value.code, info.value.field) == ("client_comment.too_long", "client_comment")


def test_qty_max_order() -> None:
    assert qty_max_order("<10") == 9
    assert qty_max_order(">50") == 10000
    assert qty_max_order("Есть") == 10000
    assert qty_max_order("7") == 7
    assert qty_max_order("под заказ") is None


def test_new_order_validate() -> None:
    row = {"_": "s", "code": "OC47", "maker": "M", "name": "n", "price": "1.00", "period_min": 1, "period_max": 2, "min_qty": 2, "qty": "<10"}
    NewOrder.from_offer(row, 4, client_comment="PO-1").validate()
    with pytest.raises(logibridge.ValidationError):
        NewOrder.from_offer(row, 3).validate()
    with pytest.raises(logibridge.ValidationError):
        NewOrder.from_offer(row, 4, client_comment="x" * 51).validate()


def test_rules_apply_before_sending(shop: logibridge.Carreta, sb: sandbox.Sandbox) -> None:
    offers = shop.search.query("oc47")
    bounded = next(o for o in offers if o.qty == "<10")
    multiple = next(o for o in offers if o.min_qty > 1)
    sb.clear_requests()
    cases = [
        (bounded, {"order_qty": 10}, "order_qty.not_less_than_qty"),
        (bounded, {"order_qty": 0}, "order_qty.min"),
        (bounded, {"order_qty": -5}, "order_qty.min"),
        (multiple, {"order_qty": multiple.min_qty + 1}, "order_qty.not_multiple_of_min_qty"),
        (bounded, {"order_qty": 1, "client_comment": "ж" * 51}, "client_comment.too_long"),
    ]
    for offer, kwargs, code in cases:
        with pytest.raises(logibridge.ValidationError) as info:
            shop.orders.create(offer, **kwargs)
        assert info.value.code == code
    tampered = bounded.copy(min_qty=0)
    with pytest.raises(logibridge.ValidationError) as info:
        shop.orders.create(tampered, order_qty=1)
    assert info.value.code == "min_qty.invalid"
    assert sb.requests() == [], "a rejected order never reaches the network"
    # …and a valid one does.
    shop.orders.create(bounded, order_qty=9, client_comment=unique_comment("valid"))
    assert len(sb.requests()) == 1


def test_offer_helpers(shop: logibridge.Carreta) -> None:
    offer = next(o for o in shop.search.query("oc47") if o.qty == "<10")
    assert offer.max_order == 9
    offer.check_order_qty(9)
    with pytest.raises(logibridge.ValidationError):
        offer.check_order_qty(10)


@pytest.mark.parametrize(
    ("qty", "min_qty", "order_qty", "field", "real"),
    [
        ("<10", 1, 2**63, "order_qty", "9223372036854775808"),
        ("<10", 1, 2**64 + 5, "order_qty", "18446744073709551621"),
        ("<10", 1, 2**70, "order_qty", "1180591620717411303424"),
        ("10", 1, -(2**63) - 1, "order_qty", "-9223372036854775809"),
        ("100", 2**63, 2, "min_qty", "9223372036854775808"),
        ("Есть", 10**30, 1, "min_qty", "1" + "0" * 30),
    ],
)
def test_ints_outside_64_bits_are_refused_quoting_the_real_value(qty: str, min_qty: int, order_qty: int, field: str, real: str) -> None:
    with pytest.raises(logibridge.ValidationError) as info:
        check_order_qty(qty, min_qty, order_qty)
    e = info.value
    assert (e.field, e.code) == (field, f"{field}.not_integer")
    assert e.message.endswith(f"got {real}"), e.message
    assert e.message_ru.endswith(f"получено {real}"), e.message_ru


def test_ints_past_pythons_str_limit_are_refused_not_crashed() -> None:
    with pytest.raises(logibridge.ValidationError) as info:
        check_order_qty("10", 1, 10**10_000)
    assert info.value.code == "order_qty.not_integer"
    assert len(info.value.message) < 400


@pytest.mark.parametrize(
    ("qty", "min_qty", "order_qty"),
    [
        ("<" + "9" * 10_000_000, 1, 1),
        ("ж" * 10_000_000, 1, 1),
        ("10", 1, 10**4000),
    ],
)
def test_messages_quote_a_bounded_part_of_huge_input(qty: str, min_qty: int, order_qty: int) -> None:
    with pytest.raises(logibridge.ValidationError) as info:
        check_order_qty(qty, min_qty, order_qty)
    e = info.value
    for text in (str(e), e.message, e.message_ru, repr(e)):
        assert len(text) < 1000, len(text)
    assert " characters)" in e.message


@pytest.mark.parametrize(
    ("qty", "min_qty", "order_qty"),
    [("10", 0, 1), ("10", 1, 0), ("<10", 1, 10), ("10", 1, 11), (">50", 1, 10001), ("много", 1, 1), ("Есть", 2, 3), ("ж" * 300, 1, 1)],
)
def test_a_refusal_writes_its_texts_when_read_and_they_are_the_eager_ones(
    shop: logibridge.Carreta, qty: str, min_qty: int, order_qty: int
) -> None:
    """Issue 14: `check_order_qty` refuses without writing its texts; read, they equal those
    of the same refusal made by the client before sending (written eagerly in the core)."""
    import pickle

    offer = next(o for o in shop.search.query("oc47") if o.qty == "<10")
    with pytest.raises(logibridge.ValidationError) as eager_info:
        shop.orders.create(offer.copy(qty=qty, min_qty=min_qty), order_qty=order_qty)
    eager = eager_info.value
    with pytest.raises(logibridge.ValidationError) as lazy_info:
        check_order_qty(qty, min_qty, order_qty)
    lazy = lazy_info.value
    assert type(lazy) is type(eager)
    assert (lazy.field, lazy.code) == (eager.field, eager.code)
    assert "message" not in vars(lazy) and "_text" not in vars(lazy), "texts written before they were read"
    assert str(lazy) == str(eager)
    assert (lazy.message, lazy.message_ru, lazy.args, lazy.outcome_unknown) == (eager.message, eager.message_ru, eager.args, eager.outcome_unknown)
    again = pickle.loads(pickle.dumps(lazy))
    assert (str(again), again.message_ru, again.code, again.field) == (str(eager), eager.message_ru, eager.code, eager.field)
    with pytest.raises(AttributeError):
        lazy.no_such_attribute  # type: ignore[attr-defined]


def test_an_unread_refusal_has_its_args_and_repr() -> None:
    """`args` and repr() come from the exception's C slots, which the lazy texts' hook does
    not see: they must be written for them too (a fresh reviewer found them empty)."""
    with pytest.raises(logibridge.ValidationError) as info:
        check_order_qty("<10", 1, 10)
    assert info.value.args and "order_qty.not_less_than_qty" in info.value.args[0]
    with pytest.raises(logibridge.ValidationError) as info:
        check_order_qty("<10", 1, 10)
    assert "order_qty.not_less_than_qty" in repr(info.value) and repr(info.value).startswith("ValidationError(")


def test_an_unread_refusal_pickles_whole() -> None:
    import pickle

    with pytest.raises(logibridge.ValidationError) as info:
        check_order_qty("<10", 1, 10)
    again = pickle.loads(pickle.dumps(info.value))
    assert str(again) == 'order_qty: qty is "<10": order_qty must be less than 10, got 10 [order_qty.not_less_than_qty]'
    assert again.code == "order_qty.not_less_than_qty" and again.field == "order_qty"


def test_a_refusal_read_from_several_threads_at_once_has_its_texts() -> None:
    """The lazy texts are written by whichever thread reads first; the others must find
    either the texts or the means to write them, never neither (an AttributeError)."""
    import sys
    import threading

    from logibridge import carreta

    def refusal() -> logibridge.ValidationError:
        try:
            carreta.check_order_qty("<10", 3, 10)
        except logibridge.ValidationError as e:
            return e
        raise AssertionError("not refused")

    expected = refusal()
    want = {"message": expected.message, "message_ru": expected.message_ru, "str": str(expected), "args": expected.args}
    failures: List[str] = []
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(600):
            e = refusal()

            def read(what: str, e: logibridge.ValidationError = e) -> None:
                try:
                    got = str(e) if what == "str" else getattr(e, what)
                    if got != want[what]:
                        failures.append(f"{what}: {got!r}")
                except Exception as x:  # noqa: BLE001 - any failure is the finding
                    failures.append(f"{what}: {x!r}")

            threads = [threading.Thread(target=read, args=(w,)) for w in ("message", "str", "message_ru", "args", "message")]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == [], failures[:5]
