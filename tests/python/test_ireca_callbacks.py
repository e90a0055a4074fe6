"""iRECA's two callbacks in Python: the parsers (``logibridge.ireca.parse_order_callback``,
``parse_license_callback``) and the durable receiver (``logibridge.ireca.CallbackReceiver``)
fed by the emulator, which POSTs order callbacks when its courier moves an order."""

from __future__ import annotations

import _thread
import hashlib
import json
import threading
from datetime import timezone
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import pytest

import logibridge
from logibridge import ireca, sandbox
from conftest import IRECA_FIXTURES, ireca_fixture

ORDER_BODY = (IRECA_FIXTURES / "10-callback.order.request.json").read_bytes()
SESSION_BODY = (IRECA_FIXTURES / "53-callback.license_session.request.json").read_bytes()
SECRET = "py-callback-secret-0123456789"
WAIT = 30.0  # seconds: a bound so a broken delivery fails the test instead of hanging it


@pytest.fixture(scope="module")
def isb() -> Iterator[sandbox.Sandbox]:
    with sandbox.start() as s:
        yield s


@pytest.fixture(scope="module")
def api(isb: sandbox.Sandbox) -> Iterator[logibridge.Ireca]:
    with isb.ireca_client(max_retries=0) as c:
        yield c


def delivery(receiver: ireca.CallbackReceiver, order_id: str, status: int) -> ireca.CallbackEntry:
    """The first entry telling that ``order_id`` reached ``status`` (the service also calls
    back on creation)."""
    while True:
        entry = receiver.next(timeout=WAIT)
        assert entry is not None, f"no callback for {order_id} at {status}"
        if any(ireca.same_id(o.order_id, order_id) and ireca.same_id(o.delivery_status_id, status) for o in entry.orders):
            return entry


def new_order(api: logibridge.Ireca, order_id: str) -> None:
    (order,) = ireca_fixture("orders.create.request")
    api.orders.create([{**order, "orderId": order_id}])


# -- parsers ------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [ORDER_BODY, ORDER_BODY.decode("utf-8"), bytearray(ORDER_BODY)], ids=["bytes", "str", "bytearray"])
def test_an_order_callback_reads_into_orders(body: object) -> None:
    (order,) = ireca.parse_order_callback(body)  # type: ignore[arg-type]
    assert isinstance(order, ireca.Order)
    assert order.order_id == 209900 and order.client_id == "3271"  # ids as the body wrote them
    assert order.amount_to_pay == Decimal("679.57") and order.pre_payment_sum == Decimal("0")
    assert order.courier_id is None  # "" — none assigned
    assert order.goods and isinstance(order.goods[0], ireca.OrderGood)


def test_a_session_callback_reads_into_a_session() -> None:
    s = ireca.parse_license_callback(SESSION_BODY)
    assert (s.session_id, s.courier_id, s.device_id) == (1, 27, "3ebf391b3c596bc8")
    assert s.session_start_at is not None and s.session_start_at.tzinfo == timezone.utc and s.session_start_at.hour == 13


@pytest.mark.parametrize("body", [b"not json", b'{"items": 5}', b"[1, 2]"], ids=repr)
def test_a_body_that_is_not_an_order_callback_is_a_decode_error(body: bytes) -> None:
    with pytest.raises(logibridge.DecodeError):
        ireca.parse_order_callback(body)


def test_an_empty_or_oversize_body_is_refused() -> None:
    with pytest.raises(logibridge.InvalidArgumentError):
        ireca.parse_order_callback(b"")
    huge = b'{"items": [' + b" " * ireca.MAX_CALLBACK_BYTES + b"]}"
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        ireca.parse_order_callback(huge)
    assert str(ireca.MAX_CALLBACK_BYTES) in str(info.value) or "MiB" in str(info.value)
    with pytest.raises(logibridge.InvalidArgumentError):
        ireca.parse_license_callback(huge)
    with pytest.raises(TypeError, match="body"):
        ireca.parse_order_callback(5)  # type: ignore[arg-type]


def test_the_parsers_and_the_local_rows_agree(api: logibridge.Ireca) -> None:
    assert api.callback.order(ORDER_BODY) == ireca.parse_order_callback(ORDER_BODY)
    assert api.callback.license_session(SESSION_BODY) == ireca.parse_license_callback(SESSION_BODY)


# -- the durable receiver --------------------------------------------------------------------


def test_the_sandbox_delivers_to_the_receiver_and_an_ack_is_kept(api: logibridge.Ireca, isb: sandbox.Sandbox, tmp_path: Path) -> None:
    journal = tmp_path / "callbacks.jsonl"
    with ireca.CallbackReceiver(journal, path_secret=SECRET) as receiver:
        assert receiver.url.endswith("/" + SECRET) and SECRET not in repr(receiver)
        api.orders.set_callback(receiver.url)
        new_order(api, "930001")
        isb.ireca_courier("930001", "take")
        entry = delivery(receiver, "930001", 7)
        assert entry.kind == "order" and entry.session is None
        assert entry.sha256 == hashlib.sha256(entry.body.encode("utf-8")).hexdigest()
        assert entry.received_at.tzinfo is not None and entry.received_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
        (order,) = entry.orders
        assert ireca.same_id(order.order_id, "930001") and ireca.same_id(order.delivery_status_id, 7)
        assert entry in receiver.pending()
        for done in receiver.pending():
            receiver.ack(done)
        assert receiver.pending() == []
    # The journal is the documented JSON Lines; the acknowledgements sit beside it.
    lines = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    assert entry.sha256 in [line["sha256"] for line in lines] and all(line["kind"] == "order" for line in lines)
    acks = [json.loads(line)["seq"] for line in Path(str(journal) + ".acks").read_text(encoding="utf-8").splitlines()]
    assert entry.seq in acks
    with ireca.CallbackReceiver(journal, path_secret=SECRET) as again:
        assert again.pending() == []


def test_an_entry_not_acknowledged_is_pending_after_a_restart(api: logibridge.Ireca, isb: sandbox.Sandbox, tmp_path: Path) -> None:
    journal = tmp_path / "callbacks.jsonl"
    with ireca.CallbackReceiver(journal) as receiver:
        api.orders.set_callback(receiver.url)
        new_order(api, "930002")
        isb.ireca_courier("930002", "take")
        taken = delivery(receiver, "930002", 7)
        stored = receiver.pending()
        assert taken in stored
    with ireca.CallbackReceiver(journal) as again:
        pending = again.pending()
        assert pending == stored and [p.body for p in pending] == [s.body for s in stored]
        # Iteration hands out what is pending first, then ends once the receiver closes.
        seen = []
        for entry in again:
            seen.append(entry)
            again.ack(entry)
            if len(seen) == len(stored):
                again.close()
        assert seen == stored
        with pytest.raises(logibridge.InvalidArgumentError, match="closed"):
            again.pending()
    with ireca.CallbackReceiver(journal) as third:
        assert third.pending() == []


def test_ctrl_c_interrupts_a_waiting_receiver(tmp_path: Path) -> None:
    with ireca.CallbackReceiver(tmp_path / "cb.jsonl") as receiver:
        # The timer thread runs only if the wait lets go of the GIL.
        timer = threading.Timer(0.3, _thread.interrupt_main)
        timer.start()
        try:
            with pytest.raises(KeyboardInterrupt):
                receiver.next()  # no timeout: only the interrupt ends it
        finally:
            timer.cancel()


def test_a_bad_setting_is_named_and_the_secret_never_shown(tmp_path: Path) -> None:
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        ireca.CallbackReceiver(tmp_path / "cb.jsonl", path_secret="short/secret!")
    assert "path_secret" in str(info.value) and "short/secret!" not in str(info.value)
    with pytest.raises(logibridge.InvalidArgumentError):
        ireca.CallbackReceiver(tmp_path / "cb.jsonl", body_timeout=-1)


def test_a_second_receiver_on_the_same_journal_is_refused(tmp_path: Path) -> None:
    with ireca.CallbackReceiver(tmp_path / "cb.jsonl"):
        with pytest.raises(logibridge.InvalidArgumentError):
            ireca.CallbackReceiver(tmp_path / "cb.jsonl")


def test_a_port_outside_the_tcp_range_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(logibridge.InvalidArgumentError) as e:
        ireca.CallbackReceiver(tmp_path / "j.jsonl", port=70000)
    assert e.value.field == "port" and "65535" in str(e.value)
    with pytest.raises(TypeError):
        ireca.CallbackReceiver(tmp_path / "j.jsonl", port="8080")  # type: ignore[arg-type]


async def test_async_for_waits_without_blocking_the_loop(api: logibridge.Ireca, isb: sandbox.Sandbox, tmp_path: Path) -> None:
    import asyncio

    with ireca.CallbackReceiver(tmp_path / "callbacks.jsonl") as receiver:
        api.orders.set_callback(receiver.url)

        async def first_entry() -> ireca.CallbackEntry:
            async for entry in receiver:
                if any(ireca.same_id(o.order_id, "930901") for o in entry.orders):
                    return entry
            raise AssertionError("the receiver closed first")

        consumer = asyncio.ensure_future(first_entry())
        # The consumer waits for a callback that has not been sent: this sleep returns only
        # because its wait leaves the event loop free.
        await asyncio.sleep(0.05)
        assert not consumer.done()
        new_order(api, "930901")
        entry = await asyncio.wait_for(consumer, 20)
        receiver.ack(entry)
        receiver.close()
        assert [e async for e in receiver] == [], "a closed receiver ends async iteration"
