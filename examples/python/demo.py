"""The Carreta scenario through the Python package, against the embedded sandbox.

Profile, part search, an order that breaks a documented rule (caught before sending), a
valid order, the order list, the order itself, the shop moving it along, its history.

Run: ``make demo`` (builds and installs the package into .venv first), or
``python examples/python/demo.py`` with logibridge installed.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

import logibridge
from logibridge import sandbox
from logibridge.carreta import Offer, OrderStatus


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """A small aligned text table; columns listed in ``right`` are right-aligned."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join("  " + s for s in out)


def show_offers(offers: List[Offer]) -> None:
    rows = [
        [
            ("*" if o.is_cross else " ") + o.maker,
            o.code,
            o.name[:28],
            f"{o.price:.2f}",
            o.qty,
            str(o.min_qty),
            f"{o.period_min}-{o.period_max}",
        ]
        for o in offers[:12]
    ]
    print(table(["maker", "code", "name", "price ₽", "stock", "min", "days"], rows, right=(3, 4, 5, 6)))
    if len(offers) > 12:
        print(f"  … and {len(offers) - 12} more")
    print("  (* analogue)")


def pick_bounded(offers: List[Offer]) -> Offer:
    """An offer whose stock is limited, so that ordering one more than allowed is wrong."""
    for o in offers:
        if o.qty.startswith("<"):
            return o
    return offers[0]


def main() -> None:
    with sandbox.start() as sb:
        print(f"Sandbox running at {sb.base_url} (Carreta at {sb.carreta.base_url})")
        with logibridge.Carreta(sb.carreta.api_key, base_url=sb.carreta.base_url) as shop:
            print(f"Client: {shop!r}")

            profile = shop.profile.get()
            print(f"\nProfile: {profile.name} ({profile.city}), balance {profile.balance} ₽")

            offers = shop.search.query("oc47")
            print(f'\nSearch "oc47": {len(offers)} offers')
            show_offers(offers)

            bounded = pick_bounded(offers)
            too_many = (bounded.max_order or 1) + 1
            print(f'\nOrdering {too_many} × {bounded.maker} {bounded.code} (stock "{bounded.qty}", min {bounded.min_qty}) …')
            try:
                shop.orders.create(bounded, order_qty=too_many)
                print("  unexpectedly accepted")
            except logibridge.ValidationError as e:
                print("  rejected before sending:")
                print(f"    code    {e.code}")
                print(f"    field   {e.field}")
                print(f"    message {e.message}")
                print(f"    по-русски: {e.message_ru}")

            offer = offers[0]
            order = shop.orders.create(offer, order_qty=offer.min_qty, client_comment="DEMO-1")
            print(
                f"\nPlaced order {order.number} (id {order.id}): {order.order_qty} × {order.maker} {order.code}"
                f" = {order.total} ₽, status «{order.status.name_ru}»"
            )
            print(f"  created {order.created.isoformat()} (shop time, timezone-aware)")

            mine = list(shop.orders.list(client_comment="DEMO-1"))
            print(f"\nOrders with comment DEMO-1: {len(mine)}")
            print(
                table(
                    ["number", "code", "qty", "price ₽", "status"],
                    [[o.number, o.code, str(o.order_qty), f"{o.price:.2f}", o.status.name_en] for o in mine],
                    right=(2, 3),
                )
            )

            for _ in range(3):
                sb.advance_order(order.id)  # the shop's side: the order moves along
            fetched = shop.orders.get(order.id)
            print(f"\nThe shop moved order {fetched.number} along; it is now «{fetched.status.name_ru}» ({fetched.status.name_en})")
            final: Optional[OrderStatus] = fetched.status if fetched.status.is_known else None
            if final is not None:
                print(f"  status code {final.code}, enum member OrderStatus.{final.name}")

            print("\nHistory:")
            history = shop.orders.history(order.id)
            print(table(["when (MSK)", "what"], [[h.created.strftime("%Y-%m-%d %H:%M:%S"), h.comment] for h in history]))

            print("\nAn order that does not exist:")
            try:
                shop.orders.get(999_999_999)
            except logibridge.NotFoundError as e:
                print(f"  {type(e).__name__}: status {e.status} on {e.endpoint}: {e.message}")
    print("\nSandbox stopped. Done.")


if __name__ == "__main__":
    main()
