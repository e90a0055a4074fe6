"""One client shared between threads; the GIL is released while requests run."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import logibridge
from logibridge import sandbox

from conftest import unique_comment


def test_one_client_many_threads(shop: logibridge.Carreta) -> None:
    offer = shop.search.query("oc47")[0]
    comments = [unique_comment("thr") for _ in range(16)]

    def work(comment: str) -> int:
        assert shop.profile.get().balance == Decimal("7.14")
        assert shop.search.query("oc47")[0] == offer
        order = shop.orders.create(offer, order_qty=1, client_comment=comment)
        assert shop.orders.get(order.id).client_comment == comment
        return order.id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(work, comments))
    assert len(set(ids)) == len(comments)
    assert {o.client_comment for o in shop.orders.list(client_comment=comments)} == set(comments)


def test_gil_is_released_during_io(shop: logibridge.Carreta, sb: sandbox.Sandbox) -> None:
    """Python threads keep running while a slow request is in flight."""
    sb.add_fault("carreta.profile.get", delay_ms=500)
    counter = 0
    stop = threading.Event()

    def spin() -> None:
        nonlocal counter
        while not stop.is_set():
            counter += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        before = counter
        shop.profile.get()
        during = counter - before
    finally:
        stop.set()
        t.join()
    assert during > 10_000, during


def test_slow_calls_in_threads_overlap(shop: logibridge.Carreta, sb: sandbox.Sandbox) -> None:
    sb.add_fault("carreta.profile.get", delay_ms=400, count=4)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: shop.profile.get(), range(4)))
    elapsed = time.monotonic() - started
    assert len(results) == 4
    assert elapsed < 1.2, f"four 400 ms calls took {elapsed:.2f} s: they did not run in parallel"


def test_close_while_other_threads_call(sb: sandbox.Sandbox) -> None:
    shop = sb.carreta_client()
    errors: list = []  # type: ignore[type-arg]

    def work() -> None:
        for _ in range(20):
            try:
                shop.profile.get()
            except logibridge.InvalidArgumentError:
                return  # closed under us: a clean error, not a crash
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.01)
    shop.close()
    for t in threads:
        t.join()
    assert errors == []


def test_ctrl_c_interrupts_a_waiting_call(shop: logibridge.Carreta, sb: sandbox.Sandbox) -> None:
    import _thread

    import pytest

    sb.add_fault("carreta.profile.get", delay_ms=3000)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            shop.profile.get()
    finally:
        timer.cancel()
    assert time.monotonic() - started < 2.0
    sb.clear_faults()
    assert shop.profile.get()


def test_forked_child_gets_a_clear_error(shop: logibridge.Carreta) -> None:
    import os

    import pytest

    if not hasattr(os, "fork"):
        pytest.skip("no fork here")
    import warnings

    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns that forking a multi-threaded process is risky: that is the point.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            shop.profile.get()
            os.write(write_end, b"no error")
        except logibridge.InvalidArgumentError as e:
            os.write(write_end, b"ok" if "forked" in str(e) else b"wrong message")
        except BaseException:
            os.write(write_end, b"other error")
        os._exit(0)
    os.close(write_end)
    # Without the guard the child would wait forever: give it 20 s, then end it.
    deadline = time.monotonic() + 20
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung in a call")
        time.sleep(0.05)
    assert os.read(read_end, 100) == b"ok"
    os.close(read_end)


def test_first_typed_calls_from_many_threads_at_once_do_not_hang(sb: sandbox.Sandbox) -> None:
    """The first typed call of a resource probes its model once; threads arriving meanwhile
    wait for it with the interpreter let go (a OnceLock waited on while holding the GIL hung
    the process). In a fresh interpreter, so the probe has not been made yet; bounded by a
    timeout, not timed."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        f"""
        import threading, logibridge
        shop = logibridge.Carreta({sb.carreta.api_key!r}, base_url={sb.carreta.base_url!r}, max_retries=0)
        start = threading.Barrier(16)
        def first_call():
            start.wait()
            shop.profile.get(); shop.search.query("oc47"); shop.orders.list()
        threads = [threading.Thread(target=first_call) for _ in range(16)]
        for t in threads: t.start()
        for t in threads: t.join()
        print("done")
        """
    )
    for _ in range(5):
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0 and run.stdout.strip() == "done", run.stderr[-2000:]
