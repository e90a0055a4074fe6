#!/usr/bin/env python3
"""Python-face cases that ``bench/run.py`` runs in their own process (under ``measure``, so
peak RSS is theirs) against the release sandbox it started. Prints one JSON line.

Usage:
  bench/faces.py search CALLS            CALLS sequential ``shop.search.query("oc47")`` (the
                                         peer of the Rust client alone, bin ``carreta-search``);
                                         CARRETA_BASE_URL, CARRETA_API_KEY
  bench/faces.py seed-ireca-goods N      creates goods until the catalogue holds N (not timed)
  bench/faces.py page-ireca-goods N      every good of the catalogue (N seeded beforehand by
                                         run.py) through ``client.goods.list(count=...)``'s
                                         pager, RSS at 10,000 and at N objects; IRECA_BASE_URL, IRECA_TOKEN
  bench/faces.py page-cargorun-bids N    every bid through ``bids.list_for_external()``'s pager;
                                         CARGORUN_BASE_URL, CARGORUN_USERNAME, CARGORUN_PASSWORD

The pagers hold one page at a time; the objects are dropped as the loop goes (what a caller
streaming into a database does), so resident memory should be the same at 10,000 objects as
at 100,000 ("flat").
"""

from __future__ import annotations

import json
import os
import sys
import time


def rss_bytes() -> int:
    """This process's resident set now (VmRSS), in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def search(calls: int) -> dict:
    from logibridge.carreta import Carreta

    shop = Carreta(os.environ["CARRETA_API_KEY"], base_url=os.environ["CARRETA_BASE_URL"])
    offers = len(shop.search.query("oc47"))
    start = time.perf_counter()
    for _ in range(calls):
        offers = len(shop.search.query("oc47"))
    return {"calls": calls, "offers": offers, "seconds": time.perf_counter() - start}


def page(kind: str, n: int) -> dict:
    if kind == "ireca-goods":
        from logibridge.ireca import Ireca

        client = Ireca(os.environ["IRECA_TOKEN"], base_url=os.environ["IRECA_BASE_URL"])
        pager = client.goods.list(count=500)
    else:
        from logibridge.cargorun import CargoRun

        client = CargoRun(os.environ["CARGORUN_USERNAME"], os.environ["CARGORUN_PASSWORD"], base_url=os.environ["CARGORUN_BASE_URL"])
        pager = client.bids.list_for_external()
    marks = {}
    seen = 0
    start = time.perf_counter()
    for obj in pager:
        seen += 1
        if seen in (1_000, 10_000, 50_000, 100_000):
            marks[str(seen)] = rss_bytes()
    marks.setdefault("end", rss_bytes())
    return {"objects": seen, "rss_at": marks, "seconds": time.perf_counter() - start}


def seed_ireca_goods(n: int) -> dict:
    """Creates goods until the catalogue holds n (1,000 a call); stops at the first refusal
    and says why, so the table can report what the sandbox holds."""
    from decimal import Decimal

    from logibridge import ireca

    client = ireca.Ireca(os.environ["IRECA_TOKEN"], base_url=os.environ["IRECA_BASE_URL"])
    have = sum(1 for _ in client.goods.list(count=500))
    seeded, stopped = have, ""
    try:
        while seeded < n:
            batch = [
                ireca.Good(good_id=f"B{seeded + i}", parent_id=None, tax_id=8284, title=f"Товар {seeded + i}", price=Decimal("179.50"))
                for i in range(min(1000, n - seeded))
            ]
            client.goods.create(batch)
            seeded += len(batch)
    except Exception as e:  # noqa: BLE001 — the reason goes into the table
        stopped = f"the sandbox stopped taking goods at {seeded:,}: {type(e).__name__}: {str(e)[:200]}"
    return {"seeded": seeded, "stopped": stopped}


def main() -> None:
    what = sys.argv[1]
    if what == "search":
        out = search(int(sys.argv[2]))
    elif what == "seed-ireca-goods":
        out = seed_ireca_goods(int(sys.argv[2]))
    elif what.startswith("page-"):
        out = page(what[len("page-") :], int(sys.argv[2]))
    else:
        raise SystemExit(f"unknown case {what}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
