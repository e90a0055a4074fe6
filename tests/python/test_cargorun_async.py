"""CARGO.RUN through the asyncio client (``logibridge.AsyncCargoRun``) and the generic
``logibridge.AsyncClient``: the same resources as the blocking client (one definition), every
id reached, lists walked with ``async for``, and one sign-in and one refresh for many
concurrent calls across an expiry.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Dict, Iterator, List

import pytest

import logibridge
from logibridge import cargorun, sandbox
from test_cargorun import IDS, INN, bid_body, never_reached


@pytest.fixture
def cr_sb() -> Iterator[sandbox.Sandbox]:
    with sandbox.start() as s:
        yield s


def test_both_clients_share_the_resource_classes() -> None:
    sync, aio = cargorun.CargoRun("u", "p"), cargorun.AsyncCargoRun("u", "p")
    for name in ("drivers", "bids", "employees", "map", "auth"):
        assert type(getattr(sync, name)) is type(getattr(aio, name)), name


async def test_every_id_through_the_async_typed_resources(cr_sb: sandbox.Sandbox) -> None:
    """Each row's typed method once; methods are coroutines, lists async pagers."""
    sb = cr_sb
    sb.cargorun_clear_calls()
    async with sb.async_cargorun_client() as cr:
        driver = await cr.drivers.apply(cargorun.DriverEditModel(id=0, first_name="Иван", last_name="Петров", phone_number="89991234567"))
        assert driver is not None
        assert [d.extra["phoneNumber"] async for d in cr.drivers.list(filter=f"id eq {driver}")] == ["+79991234567"]
        car = await cr.cars.apply({"id": 0, "number": "А001АА77"})
        trailer = await cr.trailers.apply({"id": 0, "number": "ВВ123477"})
        assert car is not None and trailer is not None
        cp = await cr.counterparties.apply({"id": 0, "name": "ООО Груз", "inn": INN})
        assert cp is not None
        contract = await cr.contracts.apply({"id": 0, "counterpartyId": cp, "number": "Д-1", "date": "2026-06-30"})
        pt = await cr.counterparty_points.apply({"id": 0, "counterpartyId": cp, "geozone": {"id": 0, "location": {"latitude": 55.75, "longitude": 37.62}, "address": "Москва", "type": "CounterpartyPoint"}})
        lp = await cr.legal_persons.apply({"id": 0, "name": "ООО Мы", "inn": INN})
        assert contract is not None and pt is not None and lp is not None
        bid = await cr.bids.apply(bid_body(cp, driver, car, trailer))
        assert bid is not None
        await cr.bids.set_status(bid, "Started")
        sb.cargorun_complete_bid(bid)
        assert (await cr.bids.get(bid)).status == cargorun.BidStatus.DONE
        await cr.distribution_bids.apply([{"id": 0, "externalStatus": "None", "externalId": "ЗК-A", "bidPoints": bid_body(0, 0, 0, 0)["bidPoints"]}])
        dist = (await cr.distribution_bids.list_for_external(filter="externalId eq 'ЗК-A'").to_list())[0].id
        assert dist is not None
        sb.cargorun_distribute(dist, bid)
        await cr.distribution_bids.apply([{"id": 0, "externalStatus": "None", "externalId": "ЗК-B", "bidPoints": bid_body(0, 0, 0, 0)["bidPoints"]}])
        spare_dist = (await cr.distribution_bids.list_for_external(filter="externalId eq 'ЗК-B'").first_page())[0].id
        title = (await cr.etrn.titles().first_page())[0].id
        tracker = (await cr.trackers.list().first_page())[0].id
        user = await cr.employees.apply_user({"id": 0, "email": "l@example.com", "firstName": "Л", "lastName": "И", "phoneNumber": "79990001122", "password": "secret-pass"})
        await cr.employees.add_role({"userId": user, "role": "TruckingOrganizationHeadLogist"})
        await cr.employees.invite({"email": "new@example.com"})
        invited = (await cr.employees.invitations().to_list())[0].id
        logist = (await cr.employees.logists().first_page())[0].id
        second = await cr.bids.apply(bid_body(cp, driver, car, trailer))
        third = await cr.bids.apply(bid_body(cp, driver, car, trailer))
        spare_car = await cr.cars.apply({"id": 0, "number": "Е777КХ99"})
        spare_trailer = await cr.trailers.apply({"id": 0, "number": "АА000077"})
        spare_cp = await cr.counterparties.apply({"id": 0, "name": "ИП Лишний", "inn": "500100732259"})
        assert None not in (spare_dist, title, tracker, user, invited, logist, second, third, spare_car, spare_trailer, spare_cp)
        role = {"userId": user, "role": "TruckingOrganizationManager"}
        calls: List[Callable[[], Awaitable[Any]]] = [
            lambda: cr.drivers.delete(driver), lambda: cr.drivers.restore(driver),
            lambda: cr.cars.list().to_list(), lambda: cr.cars.get_for_edit(car), lambda: cr.cars.mileage(car, "2026-01-01", "2027-12-31"),
            lambda: cr.cars.delete(spare_car), lambda: cr.trailers.list().to_list(), lambda: cr.trailers.delete(spare_trailer),
            lambda: cr.counterparties.list().to_list(), lambda: cr.counterparties.get(cp), lambda: cr.counterparties.delete(spare_cp),
            lambda: cr.contracts.list(cp).to_list(), lambda: cr.contracts.get(cp, contract), lambda: cr.contracts.delete(contract, cp),
            lambda: cr.counterparty_points.list(cp).to_list(), lambda: cr.counterparty_points.get(pt),
            lambda: cr.counterparty_points.delete(pt), lambda: cr.counterparty_points.restore(pt, cp),
            lambda: cr.legal_persons.list().to_list(), lambda: cr.legal_persons.delete(lp),
            lambda: cr.catalogs.get_simple().to_list(), lambda: cr.catalogs.get().to_list(), lambda: cr.catalogs.list().to_list(), lambda: cr.catalogs.items().to_list(),
            lambda: cr.bids.patch({"bidId": bid, "id": bid, "price": 47000}), lambda: cr.bids.apply_payment(bid, {"paymentStatus": "Paid", "factPaymentDate": "2026-06-30"}),
            lambda: cr.bids.trailer_replacements(bid), lambda: cr.bids.documents(bid), lambda: cr.bids.list_for_external().to_list(),
            lambda: cr.bids.revert(bid), lambda: cr.bids.set_status(bid, "Started"),
            lambda: cr.bids.force_complete({"bidId": bid, "mileage": 900, "useOdometerMileage": False, "reason": "нет связи"}),
            lambda: cr.bids.cancel(second), lambda: cr.bids.delete(third), lambda: cr.bids.restore(third),
            lambda: cr.distribution_bids.get(dist), lambda: cr.distribution_bids.get_for_bid(bid),
            lambda: cr.distribution_bids.external_info(bid_id=bid), lambda: cr.distribution_bids.external_statuses(ids=[dist]).to_list(),
            lambda: cr.distribution_bids.cancel(dist, comment="нет машины"), lambda: cr.distribution_bids.revert(dist),
            lambda: cr.distribution_bids.delete(spare_dist), lambda: cr.distribution_bids.restore(spare_dist),
            lambda: cr.trackers.attach({"id": tracker, "entityId": car, "type": "Car"}),
            lambda: cr.etrn.title(title_id=title), lambda: cr.etrn.apply_status(title, "Accepted"),
            lambda: cr.map.geocode("Москва", count=3), lambda: cr.employees.list().to_list(),
            lambda: cr.employees.add_role(role), lambda: cr.employees.remove_role(role),
            lambda: cr.employees.ban(user), lambda: cr.employees.unban(user), lambda: cr.employees.remove_invite(invited),
            lambda: cr.employees.logist(logist),
            lambda: cr.auth.refresh_token(),
        ]
        for make in calls:
            await make()
        with pytest.raises(logibridge.RateLimitError):  # by hand, inside the sign-in cooldown
            await cr.auth.generate_token(sb.cargorun.username, sb.cargorun.password)
    assert never_reached(sb) == []


async def test_every_id_through_the_generic_async_client(cr_sb: sandbox.Sandbox) -> None:
    """The generic asyncio entry reaches the rows by id (the sync test proves each one's
    behaviour; here: one list, one get, one write, the two token rows)."""
    sb = cr_sb
    async with logibridge.AsyncClient("cargorun", username=sb.cargorun.username, password=sb.cargorun.password, base_url=sb.cargorun.base_url) as c:
        car = await c.call("cargorun.cars.apply", {"car": {"id": 0, "number": "А001АА77"}})
        car_id = car if isinstance(car, int) else car["id"]
        assert (await c.call("cargorun.cars.get_for_edit", {"id": car_id}))["number"] == "А001АА77"
        assert [x["id"] for x in await c.cars.list()] == [car_id]
        assert (await c.call("cargorun.auth.refresh_token", {"access_token": "***", "refresh_token": "***"}))["accessToken"] == "***"
    calls = sb.cargorun_calls()
    assert all(calls.get(i) for i in ("cargorun.cars.apply", "cargorun.cars.get_for_edit", "cargorun.cars.list", "cargorun.auth.refresh_token"))


async def test_a_hundred_concurrent_calls_across_an_expiry_refresh_once(cr_sb: sandbox.Sandbox) -> None:
    sb = cr_sb
    async with sb.async_cargorun_client() as cr:
        await cr.trailers.list().to_list()
        sb.cargorun_expire_tokens()
        before: Dict[str, int] = sb.cargorun_calls()
        results = await asyncio.gather(*(cr.trailers.list().to_list() for _ in range(100)))
    assert all(r == [] for r in results)
    after = sb.cargorun_calls()
    assert after.get("cargorun.auth.refresh_token", 0) - before.get("cargorun.auth.refresh_token", 0) == 1
    assert after.get("cargorun.auth.generate_token") == 1
    assert len(IDS) == 74
