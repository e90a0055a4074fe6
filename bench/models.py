#!/usr/bin/env python3
"""Model decoding benchmark (Python face): a 100-order page of ``carreta.order.list``.

Run by ``bench/run.py`` (``make bench``) with the repo venv's Python, where ``make bench``
installs the pinned peers (pydantic, requests). Every case is timed once per round, the
order rotated each round (``bench/suite.py``); it prints the suite's JSON rows (medians are
taken by ``bench/run.py``): ours against pydantic (decoding) and against ``requests`` +
pydantic (one page end to end). Cases:

decode (a response body → a list of 100 model objects, nothing else):
* ``pydantic``         ``TypeAdapter(list[OrderModel]).validate_json(list bytes)``
* ``pydantic_read``    the same, then every field of every order read once
* ``native``           ``logibridge._native.decode("carreta.order.list", body, reader)``: the
                       path a typed call takes (envelope, fast pass, one object per order)
* ``native_read``      the same, then every field (and ``extra``) of every order read once

end to end against the embedded sandbox (in this process, a fresh one holding 100 orders;
one page, keep-alive connections):
* ``e2e_typed``        ``shop.orders.list().first_page()`` (a ``Page`` of 100 ``Order``)
* ``e2e_typed_read``   the same, then every field read
* ``e2e_requests_pydantic``  ``requests.Session().get(...)`` + ``OrdersPage.model_validate_json``
* ``e2e_requests_pydantic_read`` the same, then every field read

Usage: bench/models.py [--rounds 5] [--seconds 0.2]
"""

from __future__ import annotations

import argparse
import enum
import json
import os
import platform
import random
import sys
import time
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable, Dict, List, Tuple

import pydantic
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suite  # noqa: E402
from pydantic import BaseModel, ConfigDict, TypeAdapter

import logibridge
from logibridge import _native, sandbox
from logibridge._base import _Many
from logibridge.carreta import Order, OrderResource

ENDPOINT = "carreta.order.list"
FIELDS = [f.name for f in Order.__lb_fields__]


class StatusModel(enum.IntEnum):
    AWAITING_PAYMENT = 1
    RECEIVED = 2
    IN_PROGRESS = 3
    ACCEPTED_BY_SUPPLIER = 11
    IN_TRANSIT_FROM_SUPPLIER = 4
    AT_BRANCH_WAREHOUSE = 13
    IN_TRANSIT_FROM_BRANCH = 12
    AT_WAREHOUSE = 14
    IN_TRANSIT_TO_PICKUP = 15
    AT_PICKUP_POINT = 5
    ISSUED = 7
    OUT_OF_STOCK = 10
    CANCELLED = 8


class OrderModel(BaseModel):
    """The same order as ``logibridge.carreta.Order``: the same fields, ``Decimal`` money,
    ``datetime`` times, an int enum status, unknown fields kept (``extra="allow"``)."""

    model_config = ConfigDict(extra="allow")

    id: int
    number: str
    status: StatusModel
    status_display: str = ""
    comment: str = ""
    client_comment: str = ""
    created: datetime
    code: str
    maker: str
    name: str
    price: Decimal
    period_min: int
    period_max: int
    order_qty: int
    total: Decimal


class OrdersPage(BaseModel):
    objects: List[OrderModel]


def make_page(n: int = 100, seed: int = 1) -> List[Dict[str, Any]]:
    """A page as the sandbox writes it: the document's fields, Cyrillic names, exact prices."""
    rng = random.Random(seed)
    names = ["Фильтр масляный", "Фильтр салонный(угольный)", "Колодки тормозные передние", "Свеча зажигания", "Ремень ГРМ"]
    makers = ["KNECHT/MAHLE", "KITTO", "BOSCH", "SAKURA", "MANN-FILTER"]
    statuses = [1, 2, 3, 11, 4, 13, 12, 14, 15, 5, 7, 10, 8]
    out = []
    for i in range(n):
        price = Decimal(rng.randint(1000, 5_000_000)) / 100
        qty = rng.randint(1, 20)
        status = statuses[i % len(statuses)]
        out.append(
            {
                "code": f"OC{rng.randint(1, 999)}",
                "comment": "",
                "client_comment": f"PO-{i}",
                "created": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}.{rng.randint(0, 999_999):06d}",
                "id": 189_330 + i,
                "maker": makers[i % len(makers)],
                "name": names[i % len(names)],
                "number": f"A{189_330 + i}-1",
                "order_qty": qty,
                "period_max": 9,
                "period_min": 7,
                "price": str(price),
                "status": status,
                "status_display": "",
                "total": str(price * qty),
            }
        )
    return out


def read_all(items: Any) -> None:
    for o in items:
        for name in FIELDS:
            getattr(o, name)


def read_all_pydantic(items: Any) -> None:
    for o in items:
        for name in FIELDS:
            getattr(o, name)
        o.model_extra


def read_all_native(items: Any) -> None:
    for o in items:
        for name in FIELDS:
            getattr(o, name)
        o.extra


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=0.2, help="time per row per round")
    args = ap.parse_args()

    items = make_page()
    # Compact, UTF-8, as the service (and the sandbox) writes it.
    body = json.dumps({"objects": items}, ensure_ascii=False, separators=(",", ":")).encode()
    list_bytes = json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode()
    adapter = TypeAdapter(List[OrderModel])
    many = _Many(Order, ENDPOINT)
    dicts = json.loads(body)["objects"]
    theirs = adapter.validate_json(list_bytes)
    rows: Dict[str, Callable[[], Any]] = {
        "pydantic": lambda: adapter.validate_json(list_bytes),
        "pydantic_read": lambda: read_all_pydantic(adapter.validate_json(list_bytes)),
    }
    # `--baseline`: a build from before the native reader (no `_native.decode`) measures
    # only what it has.
    if hasattr(_native, "decode"):
        reader = OrderResource.list._decode.reader
        assert reader.native, "the order list's reader does not read natively"
        # The rows must agree before they are timed.
        ours = _native.decode(ENDPOINT, body, reader)
        before = many(_native.decode(ENDPOINT, body))
        assert len(ours) == len(theirs) == len(before) == 100
        for a, b, c in zip(ours, theirs, before):
            assert a == c and a.price == b.price and a.created.replace(tzinfo=None) == b.created and int(a.status) == int(b.status)
        rows["native"] = lambda: _native.decode(ENDPOINT, body, reader)
        rows["native_read"] = lambda: read_all_native(_native.decode(ENDPOINT, body, reader))
    
    with sandbox.start() as sb:
        shop = sb.carreta_client()
        offer = shop.search.query("oc47")[0]
        for i in range(100):
            shop.orders.create(offer, order_qty=offer.min_qty, client_comment=f"bench-{i}")
        assert len(shop.orders.list().first_page()) == 100
        session = requests.Session()
        session.trust_env = False
        url = sb.carreta.base_url + "order/"
        query = {"api_key": sb.carreta.api_key, "page": 1}

        def via_requests() -> List[OrderModel]:
            r = session.get(url, params=query, timeout=30)
            r.raise_for_status()
            return OrdersPage.model_validate_json(r.content).objects

        typed_page = shop.orders.list().first_page()
        assert len(via_requests()) == len(typed_page) == 100
        for a, b in zip(typed_page, via_requests()):
            assert a.id == b.id and a.price == b.price and a.created.replace(tzinfo=None) == b.created

        rows.update(
            {
                "e2e_typed": lambda: shop.orders.list().first_page(),
                "e2e_typed_read": lambda: read_all_native(shop.orders.list().first_page()),
                "e2e_requests_pydantic": via_requests,
                "e2e_requests_pydantic_read": lambda: read_all_pydantic(via_requests()),
            }
        )
        samples = suite.rounds(rows, args.rounds, args.seconds)
        shop.close()
        session.close()

    command = f".venv/bin/python bench/models.py --rounds {args.rounds}"
    page = f"a 100-order `carreta.order.list` page ({len(body):,} bytes)"
    out = []
    if "native" in samples:
        out.append(suite.row("models.decode", f"{page}: decode only (body → 100 typed orders)",
                             "`_native.decode` (a typed call's decoding)", "pydantic `TypeAdapter(list[OrderModel]).validate_json`",
                             samples, "native", "pydantic", goal={"ratio": 5.0}, goal_text="≥ 5× pydantic (rails issue)", command=command))
        out.append(suite.row("models.decode_read", f"{page}: decode, then every field of every order read",
                             "`_native.decode` + every field", "pydantic `validate_json` + every field",
                             samples, "native_read", "pydantic_read", command=command))
    else:
        out.append(suite.skipped("models.decode", f"{page}: decode only", "`_native.decode`", "pydantic",
                                 "the installed `logibridge._native` has no `decode`", "≥ 5× pydantic", command))
    out.append(suite.row("models.page_e2e", f"{page} end to end against the sandbox (keep-alive)",
                         "`shop.orders.list().first_page()`", "`requests.Session().get` + pydantic `model_validate_json`",
                         samples, "e2e_typed", "e2e_requests_pydantic", goal={"ratio": 2.0}, goal_text="≥ 2× requests + pydantic", command=command))
    out.append(suite.row("models.page_e2e_read", f"{page} end to end, then every field read",
                         "typed page + every field", "requests + pydantic + every field",
                         samples, "e2e_typed_read", "e2e_requests_pydantic_read", command=command))
    versions = {
        "python": platform.python_version(),
        "pydantic": pydantic.VERSION,
        "pydantic-core": __import__("pydantic_core").__version__,
        "requests": requests.__version__,
        "logibridge": getattr(logibridge, "__version__", "?"),
    }
    suite.emit(out, versions)


if __name__ == "__main__":
    sys.exit(main())
