#!/usr/bin/env python3
"""HTTP paths of the Python face against their peers, measured in the same run.

The sandbox is the release binary (``--sandbox-bin``, default ``target/release/logibridge-sandbox``)
started with ``--threads 2`` in its own process, so this process's CPU time is the client's
alone and the sandbox is not held to one core; when the binary is missing, the embedded
(in-process, one-thread) sandbox is used and a note says so (CPU time then includes it).
Keep-alive connections everywhere; every case makes one call before its clock starts.

Rows (``bench/suite.py`` protocol; wall and CPU seconds per call, medians of ``--rounds``
rounds, cases rotated each round):

* ``http.search_seq``        sequential ``shop.search.query("oc47")`` (typed ``Offer``s, 19 of
                             them) vs ``requests.Session().get(...).json()``; goal ≥ 2×
* ``http.search_seq_httpx``  the same vs ``httpx.Client().get(...).json()``
* ``http.search_async``      ``--async-calls`` calls (5,000) at concurrency ``--concurrency``
                             (64) through ``AsyncCarreta`` vs aiohttp (``TCPConnector(limit=64)``,
                             ``await r.json()``); goal ≥ 2× aiohttp
* ``http.page100``           a 100-order ``orders.list().first_page()`` (typed ``Order``s) vs
                             ``requests`` + pydantic v2 ``model_validate_json``; goal ≥ 2×
* ``http.decode100``         that page's body decoded alone: ``_native.decode`` with the
                             order list's reader vs pydantic ``TypeAdapter(list[OrderModel])
                             .validate_json`` on the list's bytes; goal ≥ 5×

Usage: bench/http_paths.py [--rounds 5] [--seconds 0.3] [--async-calls 5000] [--concurrency 64]
                     [--sandbox-bin PATH] [--sandbox-threads 2]
Prints the protocol's JSON object as the last line of stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import suite  # noqa: E402
from models import OrderModel, OrdersPage  # noqa: E402  (the same pydantic model as bench/models.py)

import logibridge  # noqa: E402
from logibridge import _native  # noqa: E402
from logibridge.carreta import AsyncCarreta, Carreta, OrderResource  # noqa: E402

QUERY = "oc47"


class Server:
    """The sandbox under test: its Carreta URL and key, and how to stop it."""

    def __init__(self, exe: Optional[Path], threads: int) -> None:
        self.proc: Optional[subprocess.Popen[str]] = None
        self.embedded: Any = None
        if exe is not None and exe.exists():
            self.proc = subprocess.Popen([str(exe), "--port", "0", "--threads", str(threads)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            assert self.proc.stdout is not None
            line = self.proc.stdout.readline().split()  # "carreta URL api_key=KEY"
            if not line or line[0] != "carreta":
                raise SystemExit("the sandbox binary printed no carreta line (does it take --threads?)")
            self.url, self.key = line[1], line[2].split("=", 1)[1]
            self.where = f"`{exe.name} --threads {threads}` (own process)"
        else:
            from logibridge import sandbox

            self.embedded = sandbox.start()
            self.url, self.key = self.embedded.carreta.base_url, self.embedded.carreta.api_key
            self.where = "the embedded sandbox (this process, one thread: CPU time includes it)"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        if self.embedded is not None:
            self.embedded.stop()


def batch_rounds(cases: Dict[str, Callable[[], int]], n_rounds: int) -> suite.Samples:
    """Cases that each run a whole batch once and return its call count: seconds per call,
    wall and process CPU, one sample per round, order rotated."""
    out: suite.Samples = {k: ([], []) for k in cases}
    for r in range(n_rounds):
        for k in suite.rotated(list(cases), r):
            wall, cpu = time.perf_counter(), time.process_time()
            calls = cases[k]()
            out[k][0].append((time.perf_counter() - wall) / calls)
            out[k][1].append((time.process_time() - cpu) / calls)
    return out


def async_cases(url: str, key: str, calls: int, concurrency: int, expected: int) -> Tuple[Dict[str, Callable[[], int]], Callable[[], None]]:
    """The async batch cases on one event loop: ours and aiohttp, each ``calls`` calls by
    ``concurrency`` workers."""
    import aiohttp

    loop = asyncio.new_event_loop()
    shop = AsyncCarreta(key, base_url=url)
    session_box: List[aiohttp.ClientSession] = []

    async def open_session() -> None:
        session_box.append(aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency), trust_env=False))

    loop.run_until_complete(open_session())
    session = session_box[0]
    search_url = url + "search/"

    async def drive(one: Callable[[], Any]) -> int:
        left = calls

        async def worker() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                n = await one()
                if n != expected:
                    raise RuntimeError(f"{n} offers, expected {expected}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return calls

    async def ours() -> int:
        return len(await shop.search.query(QUERY))

    async def theirs() -> int:
        async with session.get(search_url, params={"api_key": key, "q": QUERY}) as r:
            r.raise_for_status()
            return len((await r.json())["objects"])

    loop.run_until_complete(drive(ours))  # warm: connections opened, first answers decoded
    loop.run_until_complete(drive(theirs))

    def close() -> None:
        loop.run_until_complete(session.close())
        loop.run_until_complete(shop.close()) if asyncio.iscoroutinefunction(getattr(shop, "close", None)) else None
        loop.close()

    return {"ours": lambda: loop.run_until_complete(drive(ours)), "aiohttp": lambda: loop.run_until_complete(drive(theirs))}, close


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=0.3, help="time per sequential case per round")
    ap.add_argument("--async-calls", type=int, default=None, help="calls per async batch (default 5000; 1000 with --seconds < 0.2)")
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--sandbox-bin", type=Path, default=ROOT / "target" / "release" / "logibridge-sandbox")
    ap.add_argument("--sandbox-threads", type=int, default=2)
    args = ap.parse_args()
    async_calls = args.async_calls or (5000 if args.seconds >= 0.2 else 1000)
    command = f".venv/bin/python bench/http_paths.py --rounds {args.rounds}"

    import httpx
    import pydantic
    import requests
    from pydantic import TypeAdapter

    server = Server(args.sandbox_bin, args.sandbox_threads)
    notes = [f"sandbox: {server.where}"]
    rows: List[Dict[str, Any]] = []
    try:
        shop = Carreta(server.key, base_url=server.url)
        session = requests.Session()
        session.trust_env = False
        hx = httpx.Client(trust_env=False)
        search_url = server.url + "search/"
        query = {"api_key": server.key, "q": QUERY}
        offers = len(shop.search.query(QUERY))

        def via_requests() -> int:
            r = session.get(search_url, params=query, timeout=30)
            r.raise_for_status()
            return len(r.json()["objects"])

        def via_httpx() -> int:
            r = hx.get(search_url, params=query, timeout=30)
            r.raise_for_status()
            return len(r.json()["objects"])

        assert via_requests() == via_httpx() == offers, "the peers see another answer"

        # 100 orders for the page rows (created once, not timed).
        offer = shop.search.query(QUERY)[0]
        for i in range(100):
            shop.orders.create(offer, order_qty=offer.min_qty, client_comment=f"bench-{i}")
        order_url = server.url + "order/"
        order_query = {"api_key": server.key, "page": 1}

        def page_requests() -> List[OrderModel]:
            r = session.get(order_url, params=order_query, timeout=30)
            r.raise_for_status()
            return OrdersPage.model_validate_json(r.content).objects

        typed_page = shop.orders.list().first_page()
        assert len(typed_page) == len(page_requests()) == 100
        body = session.get(order_url, params=order_query, timeout=30).content
        list_bytes = json.dumps(json.loads(body)["objects"], ensure_ascii=False, separators=(",", ":")).encode()
        adapter = TypeAdapter(List[OrderModel])
        reader = OrderResource.list._decode.reader
        cases: Dict[str, Callable[[], Any]] = {
            "search_ours": lambda: shop.search.query(QUERY),
            "search_requests": via_requests,
            "search_httpx": via_httpx,
            "page_ours": lambda: shop.orders.list().first_page(),
            "page_requests_pydantic": page_requests,
            "decode_ours": lambda: _native.decode("carreta.order.list", body, reader),
            "decode_pydantic": lambda: adapter.validate_json(list_bytes),
        }
        seq = suite.rounds(cases, args.rounds, args.seconds)
        what_search = f"sequential `search` ({offers} offers), keep-alive"
        rows.append(suite.row("http.search_seq", what_search, "`shop.search.query` (typed `Offer`s)", "`requests.Session().get().json()`",
                              seq, "search_ours", "search_requests", goal={"ratio": 2.0}, goal_text="≥ 2× requests", command=command, unit="call"))
        rows.append(suite.row("http.search_seq_httpx", what_search, "`shop.search.query` (typed `Offer`s)", "`httpx.Client().get().json()`",
                              seq, "search_ours", "search_httpx", command=command, unit="call"))
        rows.append(suite.row("http.page100", f"a 100-order `orders.list` page ({len(body):,} bytes) end to end", "`shop.orders.list().first_page()`",
                              "`requests` + pydantic `model_validate_json`", seq, "page_ours", "page_requests_pydantic",
                              goal={"ratio": 2.0}, goal_text="≥ 2× requests + pydantic", command=command))
        rows.append(suite.row("http.decode100", "that page's body decoded into 100 typed orders (no HTTP)", "`_native.decode` (a typed call's decoding)",
                              "pydantic `TypeAdapter(list[OrderModel]).validate_json`", seq, "decode_ours", "decode_pydantic",
                              goal={"ratio": 5.0}, goal_text="≥ 5× pydantic", command=command))
        shop.close()
        session.close()
        hx.close()

        batches, close = async_cases(server.url, server.key, async_calls, args.concurrency, offers)
        try:
            samples = batch_rounds(batches, args.rounds)
        finally:
            close()
        rows.append(suite.row("http.search_async", f"{async_calls:,} `search` calls at concurrency {args.concurrency}", "`AsyncCarreta.search.query`",
                              "aiohttp `ClientSession` (`limit=64`) + `r.json()`", samples, "ours", "aiohttp",
                              goal={"ratio": 2.0}, goal_text="≥ 2× aiohttp", command=command, unit="call"))
        import aiohttp

        versions = {
            "python": platform.python_version(),
            "requests": requests.__version__,
            "httpx": httpx.__version__,
            "aiohttp": aiohttp.__version__,
            "pydantic": pydantic.VERSION,
            "logibridge": getattr(logibridge, "__version__", "?"),
        }
    finally:
        server.stop()
    suite.emit(rows, versions, notes)


if __name__ == "__main__":
    main()
