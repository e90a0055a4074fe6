"""The iRECA Courier scenario through the Python package, against the embedded sandbox.

The document's integration order: load the dictionaries, the taxes, payment types and
return reasons; register the order callback (a durable receiver journaling to a temporary
file); create goods; create an order; the sandbox's courier takes and delivers it; the
callbacks arrive, are printed and acknowledged.

Run: ``python examples/python/ireca_demo.py`` with logibridge installed (``make python-dev``).
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import logibridge
from logibridge import ireca, sandbox

MSK = timezone(timedelta(hours=3), "MSK")


def main() -> None:
    with sandbox.start() as sb, sb.ireca_client() as api, tempfile.TemporaryDirectory() as tmp:
        print(f"iRECA Courier sandbox: {sb.ireca.base_url}")

        # 1. Dictionaries, then the catalogue the orders refer to.
        statuses = {str(s.status_id): s.title for s in api.dictionary.delivery_statuses()}
        print(f"delivery statuses: {', '.join(f'{k} {v}' for k, v in statuses.items())}")
        print(f"tax types: {', '.join(str(t.title) for t in api.dictionary.tax_types())}")
        api.taxes.replace([ireca.Tax(tax_id="8284", title="НДС 20%")])
        api.payment_types.replace([ireca.PaymentType(payment_type_id="4113", close_type_id=1, title="Наличные")])
        api.return_reasons.replace([ireca.ReturnReason(reason_id="5276", title="Клиент отказался")])
        print(f"taxes: {len(list(api.taxes.list()))}, payment types: {len(list(api.payment_types.list()))}, return reasons: {len(list(api.return_reasons.list()))}")

        # 2. The callback receiver, registered with the service.
        with ireca.CallbackReceiver(Path(tmp) / "callbacks.jsonl") as receiver:
            api.orders.set_callback(receiver.url)
            print("order callback registered (URL with a secret path; not printed)")

            # 3. Goods, then an order (times in any zone: sent in GMT+0).
            api.goods.create([ireca.Good(good_id="D-1", tax_id="8284", title="Кофе в зёрнах", unit="г", price=Decimal("539.78"))])
            start = datetime.now(MSK).replace(microsecond=0) + timedelta(hours=1)
            order = ireca.Order(
                order_id="DEMO-1",
                status_id=0,
                delivery_status_id=6,
                courier_id="55752",
                payment_id="4113",
                amount_to_pay=Decimal("539.78"),
                delivery_time_from=start,
                delivery_time_to=start + timedelta(hours=2),
                address_to_entity=ireca.Address(city="Санкт-Петербург", street="Чкаловский пр.", home="15", is_use_google_geo=False),
                goods=[ireca.OrderGood(good_id="D-1", count=Decimal(1), price=Decimal("539.78"), total=Decimal("539.78"), discount_total=Decimal(0), warehouses=[ireca.OrderWarehouse(warehouse_id="1099", count=Decimal(1))])],
            )
            print(f"lint: {api.orders.lint(order) or 'the sums add up'}")
            try:
                api.orders.create([order.copy(amount_to_pay=None)])
            except logibridge.ValidationError as e:
                print(f"refused before sending: {e.field}: {e.message}")
            api.orders.create([order])
            got = api.orders.get("DEMO-1")
            print(f"order {got.order_id}: {got.amount_to_pay} RUB, deliver {got.delivery_time_from:%Y-%m-%d %H:%M} – {got.delivery_time_to:%H:%M} UTC")

            # 4. The sandbox's courier takes (7) and delivers (9) it; the service calls back on
            #    every change, its creation included.
            for action, target in (("take", 7), ("deliver", 9)):
                sb.ireca_courier("DEMO-1", action)
                reached = False
                while not reached:
                    entry = receiver.next(timeout=30)
                    if entry is None:
                        raise SystemExit(f"no callback after {action!r}: {sb.ireca_callbacks()}")
                    for changed in entry.orders:
                        status = statuses.get(str(changed.delivery_status_id), "?")
                        print(f"callback #{entry.seq} ({entry.kind}, {entry.received_at:%H:%M:%S} UTC): order {changed.order_id} → {changed.delivery_status_id} {status}")
                        reached = reached or ireca.same_id(changed.delivery_status_id, target)
                    receiver.ack(entry)
            print(f"pending after ack: {len(receiver.pending())}")
            journal = api.orders.status_journal("DEMO-1")
            print(f"status journal: {' → '.join(str(e.status_id) for e in journal)}")


if __name__ == "__main__":
    main()
