"""The asyncio client against the embedded sandbox: concurrent calls, `async for` over
every page, errors as exceptions.

Run: ``python examples/python/async_demo.py`` with logibridge installed (``make python-dev``).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import List

import logibridge
from logibridge import sandbox
from logibridge.carreta import Offer, Order


async def main() -> None:
    with sandbox.start() as sb:
        async with logibridge.AsyncCarreta(sb.carreta.api_key, base_url=sb.carreta.base_url) as shop:
            profile, offers = await asyncio.gather(shop.profile.get(), shop.search.query("oc47"))
            print(f"{profile.name}: balance {profile.balance} ₽; {len(offers)} offers for oc47")

            cheapest: Offer = min(offers, key=lambda o: o.price)
            placed: List[Order] = await asyncio.gather(
                *(shop.orders.create(cheapest, order_qty=cheapest.min_qty, client_comment=f"ASYNC-{i}") for i in range(3))
            )
            print("placed:", ", ".join(o.number for o in placed))

            total = Decimal(0)
            async for order in shop.orders.list():
                total += order.total
            print(f"all orders together: {total} ₽")

            try:
                await shop.orders.get(10**9)
            except logibridge.NotFoundError as e:
                print(f"{type(e).__name__}: {e.status} {e.message}")


if __name__ == "__main__":
    asyncio.run(main())
