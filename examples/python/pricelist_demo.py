"""Reading a Carreta price list while it downloads from the sandbox.

Run: ``python examples/python/pricelist_demo.py [rows]`` with logibridge installed.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from decimal import Decimal
from typing import Optional

from logibridge import pricelist, sandbox


def main(rows: int) -> None:
    with sandbox.start() as sb:
        url = sb.carreta_pricelist_url(rows=rows)
        last = [0.0]

        def progress(done: int, total: Optional[int]) -> None:
            now = time.monotonic()
            if now - last[0] > 0.5:
                last[0] = now
                print(f"  … {done / 1e6:.1f} MB read", file=sys.stderr)

        started = time.monotonic()
        makers: Counter[str] = Counter()
        value = Decimal(0)
        with pricelist.read(url, on_error="collect", progress=progress) as price:
            for row in price:
                makers[row.maker] += 1
                value += row.price
            summary = price.summary
            print(f"columns: {price.columns}")
        elapsed = time.monotonic() - started
        print(f"{summary.rows_ok} rows ({summary.rows_bad} bad) in {elapsed:.1f} s, {summary.bytes / 1e6:.1f} MB")
        print(f"sum of prices: {value} ₽; top makers: {makers.most_common(3)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
