"""The CARGO.RUN scenario through the Python package, against the embedded sandbox.

``scenario-external-to-cr.md``: sign in, sync the directories (drivers, cars, counterparties
page by page), create a counterparty and a driver (and the car and trailer a bid needs),
create a draft bid as the scenario's example does, start it; the sandbox's driver completes
it; the bid is read back, and the incremental sync (``client.sync.bids``: exactly once, its
checkpoint in a SQLite store) picks it up; a second sync right after finds nothing new.

Run: ``python examples/python/cargorun_demo.py`` with logibridge installed (``make python-dev``).
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import logibridge
from logibridge import cargorun, sandbox

MSK = timezone(timedelta(hours=3), "MSK")


def main() -> None:
    with sandbox.start() as sb, sb.cargorun_client() as cr, tempfile.TemporaryDirectory() as scratch:
        store = Path(scratch) / "sync.db"  # the sync's checkpoints and id map
        print(f"CARGO.RUN sandbox: {sb.cargorun.base_url} as {sb.cargorun.username} (signs in on the first call)")

        # 1. Sync the directories: each list is walked in pages of 50, the total from X-MetaCount.
        for name, pager in (("drivers", cr.drivers.list(orderby="id")), ("cars", cr.cars.list(orderby="id")), ("counterparties", cr.counterparties.list(orderby="id"))):
            count = sum(len(page) for page in pager.pages())
            print(f"{name}: {count} synced (X-MetaCount {pager.total})")

        # 2. What the bid refers to: a counterparty, a driver, a car and a trailer (id 0 creates).
        cp = cr.counterparties.apply(cargorun.CounterpartyEditModel(id=0, name="ООО «Груз-Демо»", inn="7707083893"))
        driver = cr.drivers.apply(cargorun.DriverEditModel(id=0, first_name="Иван", last_name="Петров", phone_number="8 (999) 123-45-67"))
        car = cr.cars.apply(cargorun.CarEditModel(id=0, number="А001АА77"))
        trailer = cr.trailers.apply(cargorun.TrailerEditModel(id=0, number="ВВ123477"))
        print(f"counterparty {cp}, driver {driver} (phone sent as +79991234567), car {car}, trailer {trailer}")
        try:
            cr.drivers.apply(cargorun.DriverEditModel(id=0, first_name="Пётр", last_name="Сидоров", phone_number="12345"))
        except logibridge.ValidationError as e:
            print(f"refused before sending: {e.field}: {e}")

        # 3. The draft bid, as scenario-external-to-cr.md writes it (ids ours; times with their
        #    zone; new points and geozones say id 0, as bids.md §1.1 requires).
        loading = datetime(2026, 7, 7, 4, 33, tzinfo=MSK)
        bid = cargorun.BidTruckingEditModel.from_dict({
            "id": 0,
            "cargoOwnerDictionaryItemId": cp,
            "paymentTypeId": 41,
            "ndsTypeId": 40,
            "price": "234000",
            "externalId": "1C-ЗАЯВКА-0001",
            "bidPoints": [
                {"id": 0, "order": 0, "type": "LoadPoint", "planEnterDate": loading.isoformat(),
                 "geozone": {"id": 0, "type": "BidPoint", "location": {"type": "Point", "coordinates": [52.41153359413148, 55.71049164294613]},
                             "address": "Россия, Республика Татарстан, Набережные Челны, Транспортный проезд, 15", "radius": 0}},
                {"id": 0, "order": 1, "type": "UnloadPoint", "planEnterDate": (loading + timedelta(hours=9)).isoformat(),
                 "geozone": {"id": 0, "type": "BidPoint", "location": {"type": "Point", "coordinates": [48.39303731918335, 54.30654645200388]},
                             "address": "Россия, Ульяновск, улица Минаева, 48Б", "radius": 0}},
            ],
            "driver": {"id": driver},
            "carOption": {"carId": car},
            "trailerOption": {"trailerId": trailer},
        })
        assert bid.price == Decimal("234000")
        bid_id = cr.bids.apply(bid)
        if bid_id is None:
            raise SystemExit("the service answered no id for the bid")
        print(f"bid {bid_id} created: {cr.bids.get(bid_id).status}")

        # 4. Start it; the sandbox plays the driver and completes the trip.
        cr.bids.set_status(bid_id, cargorun.BidStatus.STARTED)
        print(f"bid {bid_id} started: {cr.bids.get(bid_id).status}")
        before = list(cr.sync.bids(store=store))  # the first pass takes every bid there is
        print(f"sync (first pass): {len(before)} bid(s), checkpoint {cr.sync.bids(store=store).checkpoint}")
        sb.cargorun_advance_clock(3600)  # the trip takes a while (the sandbox stamps updatedAt to the second)
        sb.cargorun_complete_bid(bid_id, mileage=231)

        # 5. Read it back, and find it by the incremental sync.
        done = cr.bids.get(bid_id)
        print(f"bid {bid_id}: {done.status}, price {done.price}, fact mileage {done.extra.get('factMileage')} (a field the model does not declare: kept in extra)")
        for p in done.bid_points or []:
            print(f"  point {p.order} {p.type}: planned {p.plan_enter_date}, entered {p.entered_at}")
        changes = cr.sync.bids(store=store)  # resumes from the stored checkpoint
        seen = list(changes)
        print(f"sync: {[(b.id, str(b.status)) for b in seen]} changed, ours among them: {any(b.id == bid_id for b in seen)}")
        print(f"sync checkpoint: {changes.checkpoint}")
        again = list(cr.sync.bids(store=store))
        print(f"sync right after: {len(again)} new")


if __name__ == "__main__":
    main()
