"""CARGO.RUN through the typed blocking client (``logibridge.CargoRun``) and the generic
``logibridge.Client("cargorun", …)``, against the embedded emulator.

Every id of the table is called both ways, and the emulator's per-id counter proves it
(``sb.cargorun_calls()`` covers all 74 ids for each path, each in a sandbox of its own). The
checks made before sending, the paging of 50 with ``X-MetaCount``, the token renewal across
an expiry, and a canary for the password and the tokens are stated one test each.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import logibridge
from logibridge import _table, cargorun, sandbox
from logibridge._base import _Operation

ROWS = _table.service("cargorun")["endpoints"]
IDS = sorted(r["id"] for r in ROWS)
INN = "7707083893"
MSK = timezone(timedelta(hours=3))


@pytest.fixture
def cr_sb() -> Iterator[sandbox.Sandbox]:
    """A sandbox of its own: its CARGO.RUN call counter and token session start empty (a
    new base URL is a new sign-in session)."""
    with sandbox.start() as s:
        yield s


def point(order: int, kind: str, lon: float, lat: float, when: Any = "2026-07-15T13:58:00+03:00") -> Dict[str, Any]:
    return {"id": 0, "order": order, "type": kind, "planEnterDate": when,
            "geozone": {"id": 0, "location": {"type": "Point", "coordinates": [lon, lat]}, "address": "Россия", "radius": 2000, "type": "BidPoint"}}


def bid_body(cp: int, driver: int, car: int, trailer: int, points: Any = None) -> Dict[str, Any]:
    return {"id": 0, "cargoOwnerDictionaryItemId": cp, "paymentTypeId": 41, "ndsTypeId": 129493473, "price": "45000.50", "externalId": "1C-0001",
            "driver": {"id": driver}, "carOption": {"carId": car}, "trailerOption": {"trailerId": trailer},
            "bidPoints": points if points is not None else [point(0, "LoadPoint", 47.47, 55.86), point(1, "UnloadPoint", 55.95, 54.70)]}


def ids(items: Any) -> List[int]:
    return [i["id"] if isinstance(i, dict) else i.id for i in items]


def id_of(v: Any) -> int:
    return int(v if isinstance(v, int) else v["id"])


def never_reached(sb: sandbox.Sandbox) -> List[str]:
    calls = sb.cargorun_calls()
    return [i for i in IDS if not calls.get(i)]


# -- the generic entry ----------------------------------------------------------------------


def test_every_id_through_the_generic_client(cr_sb: sandbox.Sandbox) -> None:
    sb = cr_sb
    with logibridge.Client("cargorun", username=sb.cargorun.username, password=sb.cargorun.password, base_url=sb.cargorun.base_url) as c:
        call = c.call
        driver = id_of(call("cargorun.drivers.apply", {"driver": {"id": 0, "firstName": "Иван", "lastName": "Петров", "phoneNumber": "8 (999) 123-45-67"}}))
        drivers = call("cargorun.drivers.list", {"filter": f"id eq {driver}"})
        assert ids(drivers) == [driver] and drivers[0]["phoneNumber"] == "+79991234567"
        car = id_of(call("cargorun.cars.apply", {"car": {"id": 0, "number": "А001АА77"}}))
        trailer = id_of(call("cargorun.trailers.apply", {"trailer": {"id": 0, "number": "ВВ123477"}}))
        assert call("cargorun.cars.get_for_edit", {"id": car})["number"] == "А001АА77"
        assert car in ids(call("cargorun.cars.list", {}))
        assert trailer in ids(call("cargorun.trailers.list", {"with_deleted": True}))
        spare = id_of(call("cargorun.drivers.apply", {"driver": {"id": 0, "firstName": "Пётр", "lastName": "Сидоров", "phoneNumber": "+7 999 765 43 21"}}))
        call("cargorun.drivers.delete", {"id": spare})
        assert spare not in ids(call("cargorun.drivers.list", {}))
        call("cargorun.drivers.restore", {"id": spare})
        assert spare in ids(call("cargorun.drivers.list", {}))
        call("cargorun.cars.delete", {"id": id_of(call("cargorun.cars.apply", {"car": {"id": 0, "number": "Е777КХ99"}}))})
        spare_trailer = id_of(call("cargorun.trailers.apply", {"trailer": {"id": 0, "number": "АА000077"}}))
        call("cargorun.trailers.delete", {"id": spare_trailer})
        assert spare_trailer not in ids(call("cargorun.trailers.list", {}))

        cp = id_of(call("cargorun.counterparties.apply", {"counterparty": {"id": 0, "name": "ООО Груз", "inn": INN}}))
        assert call("cargorun.counterparties.get", {"id": cp})["name"] == "ООО Груз"
        assert cp in ids(call("cargorun.counterparties.list", {"filter": "name eq 'ООО Груз'"}))
        contract = id_of(call("cargorun.contracts.apply", {"contract": {"id": 0, "counterpartyId": cp, "number": "Д-1", "date": "2026-06-30"}}))
        assert call("cargorun.contracts.get", {"counterparty_id": cp, "contract_id": contract})["date"] == "2026-06-30"
        assert ids(call("cargorun.contracts.list", {"counterparty_id": cp})) == [contract]
        call("cargorun.contracts.delete", {"id": contract, "counterparty_id": cp})
        pt = id_of(call("cargorun.counterparty_points.apply", {"point": {"id": 0, "counterpartyId": cp, "geozone": {"id": 0, "location": {"latitude": 55.75, "longitude": 37.62}, "address": "Москва", "type": "CounterpartyPoint"}}}))
        assert call("cargorun.counterparty_points.get", {"id": pt})["geozone"]["location"]["coordinates"] == [37.62, 55.75]
        assert ids(call("cargorun.counterparty_points.list", {"counterparty_id": cp})) == [pt]
        call("cargorun.counterparty_points.delete", {"id": pt})
        call("cargorun.counterparty_points.restore", {"id": pt, "counterparty_id": cp})
        call("cargorun.counterparties.delete", {"id": id_of(call("cargorun.counterparties.apply", {"counterparty": {"id": 0, "name": "ИП Лишний", "inn": "500100732259"}}))})
        lp = id_of(call("cargorun.legal_persons.apply", {"legal_person": {"id": 0, "name": "ООО Мы", "inn": INN}}))
        assert lp in ids(call("cargorun.legal_persons.list", {}))
        call("cargorun.legal_persons.delete", {"id": lp})
        for catalog in ("cargorun.catalogs.get_simple", "cargorun.catalogs.get", "cargorun.catalogs.list", "cargorun.catalogs.items"):
            assert call(catalog, {}), catalog

        body = bid_body(cp, driver, car, trailer)
        bid = id_of(call("cargorun.bids.apply", {"bid": body}))
        got = call("cargorun.bids.get", {"bid_id": bid})
        assert got["status"] == "New" and Decimal(str(got["price"])) == Decimal("45000.50")
        assert got["bidPoints"][0]["planEnterDate"] == "2026-07-15T10:58:00Z"
        call("cargorun.bids.patch", {"patch": {"bidId": bid, "id": bid, "price": 47000}})
        assert call("cargorun.bids.get", {"bid_id": bid, "main_data_only": True})["price"] == 47000
        call("cargorun.bids.set_status", {"bid_id": bid, "status": "Started"})
        sb.cargorun_complete_bid(bid, mileage=812)
        assert call("cargorun.bids.get", {"bid_id": bid})["status"] == "Done"
        call("cargorun.bids.apply_payment", {"bid_id": bid, "payment": {"paymentStatus": "Paid", "factPaymentDate": "2026-06-30"}})
        synced = call("cargorun.bids.list_for_external", {"filter": f"id eq {bid}", "count": True})
        assert ids(synced) == [bid] and synced[0]["payment"]["paymentStatus"] == "Paid"
        assert "mileage" in call("cargorun.cars.mileage", {"car_id": car, "start": "2026-01-01", "end": "2027-12-31T23:59:59"})
        assert isinstance(call("cargorun.bids.trailer_replacements", {"bid_id": bid}), list)
        assert isinstance(call("cargorun.bids.documents", {"bid_id": bid}), list)
        call("cargorun.bids.revert", {"bid_id": bid})
        call("cargorun.bids.set_status", {"bid_id": bid, "status": "Started"})
        call("cargorun.bids.force_complete", {"completion": {"bidId": bid, "mileage": 900, "useOdometerMileage": False, "reason": "водитель без связи"}})
        assert call("cargorun.bids.get", {"bid_id": bid})["status"] == "Done"
        second = id_of(call("cargorun.bids.apply", {"bid": body}))
        call("cargorun.bids.cancel", {"bid_id": second})
        third = id_of(call("cargorun.bids.apply", {"bid": body}))
        call("cargorun.bids.delete", {"bid_id": third})
        call("cargorun.bids.restore", {"bid_id": third})

        call("cargorun.distribution_bids.apply", {"items": [{"id": 0, "externalStatus": "None", "externalId": "ЗК-1", "bidPoints": bid_body(0, 0, 0, 0)["bidPoints"]}]})
        dist = ids(call("cargorun.distribution_bids.list_for_external", {"filter": "externalId eq 'ЗК-1'"}))[0]
        assert call("cargorun.distribution_bids.get", {"id": dist})["externalId"] == "ЗК-1"
        sb.cargorun_distribute(dist, bid)
        assert isinstance(call("cargorun.distribution_bids.get_for_bid", {"bid_id": bid}), dict)
        assert isinstance(call("cargorun.distribution_bids.external_info", {"bid_id": bid}), list)
        assert isinstance(call("cargorun.distribution_bids.external_statuses", {"ids": [dist]}), list)
        call("cargorun.distribution_bids.cancel", {"id": dist, "comment": "нет машины"})
        call("cargorun.distribution_bids.revert", {"id": dist})
        call("cargorun.distribution_bids.apply", {"items": [{"id": 0, "externalStatus": "None", "externalId": "ЗК-3", "bidPoints": bid_body(0, 0, 0, 0)["bidPoints"]}]})
        spare_dist = ids(call("cargorun.distribution_bids.list_for_external", {"filter": "externalId eq 'ЗК-3'"}))[0]
        call("cargorun.distribution_bids.delete", {"id": spare_dist})
        call("cargorun.distribution_bids.restore", {"id": spare_dist})

        tracker = ids(call("cargorun.trackers.list", {}))[0]
        call("cargorun.trackers.attach", {"attachment": {"id": tracker, "entityId": car, "type": "Car"}})
        title = ids(call("cargorun.etrn.titles", {}))[0]
        assert call("cargorun.etrn.title", {"title_id": title})["id"] == title
        call("cargorun.etrn.apply_status", {"id": title, "status": "Accepted"})
        assert isinstance(call("cargorun.map.geocode", {"address": "Москва", "count": 3})["suggestions"], list)

        user = id_of(call("cargorun.employees.apply_user", {"user": {"id": 0, "email": "logist@example.com", "firstName": "Лог", "lastName": "Истов", "phoneNumber": "79990001122", "password": "secret-pass", "sendLoginData": False}}))
        assert user in ids(call("cargorun.employees.list", {}))
        call("cargorun.employees.add_role", {"role": {"userId": user, "role": "TruckingOrganizationManager"}})
        call("cargorun.employees.remove_role", {"role": {"userId": user, "role": "TruckingOrganizationManager"}})
        call("cargorun.employees.add_role", {"role": {"userId": user, "role": "TruckingOrganizationHeadLogist"}})
        call("cargorun.employees.ban", {"user_id": user})
        call("cargorun.employees.unban", {"user_id": user})
        call("cargorun.employees.invite", {"invitation": {"email": "new@example.com"}})
        call("cargorun.employees.remove_invite", {"user_id": ids(call("cargorun.employees.invitations", {}))[0]})
        logist = ids(call("cargorun.employees.logists", {}))[0]
        assert call("cargorun.employees.logist", {"id": logist})["id"] == logist

        # Signing in again by hand inside the service's cooldown is its 429, with the wait.
        with pytest.raises(logibridge.RateLimitError) as limited:
            call("cargorun.auth.generate_token", {"user_name": sb.cargorun.username, "password": sb.cargorun.password})
        assert limited.value.retry_after is not None
        assert call("cargorun.auth.refresh_token", {"access_token": "***", "refresh_token": "***"})["refreshToken"] == "***"
    assert never_reached(sb) == []
    assert len(IDS) == 74


# -- the typed resources ----------------------------------------------------------------------


def test_every_row_is_a_declared_typed_method() -> None:
    """Each id is a method written for it (its signature and model), not a row's fallback."""
    cr = cargorun.CargoRun("u", "p")
    for row in ROWS:
        resource, _, action = row["names"]["python"].partition(".")
        op = vars(type(getattr(cr, resource))).get(action) or getattr(type(getattr(cr, resource)), action)
        assert isinstance(op, _Operation) and op._declared is not None, row["id"]
        assert op.endpoint == row["id"]


def typed_scenario(cr: cargorun.CargoRun, sb: sandbox.Sandbox) -> None:
    """Every id once through the typed resources, each answer checked by its type."""
    driver = cr.drivers.apply(cargorun.DriverEditModel(id=0, first_name="Иван", last_name="Петров", phone_number="8 (999) 123-45-67"))
    assert isinstance(driver, int)
    drivers = cr.drivers.list(filter=f"id eq {driver}").to_list()
    assert [d.id for d in drivers] == [driver]
    assert isinstance(drivers[0], cargorun.DriverListViewModel)
    assert drivers[0].extra["phoneNumber"] == "+79991234567", "a field the Swagger's list model lacks is kept in extra"
    car = cr.cars.apply(cargorun.CarEditModel(id=0, number="А001АА77"))
    trailer = cr.trailers.apply({"id": 0, "number": "ВВ123477"})
    assert car is not None and trailer is not None
    for_edit = cr.cars.get_for_edit(car)
    assert isinstance(for_edit, cargorun.CarGetModel) and for_edit.number == "А001АА77"
    assert car in [c.id for c in cr.cars.list()]
    assert trailer in [t.id for t in cr.trailers.list(with_deleted=True)]
    spare = cr.drivers.apply({"id": 0, "firstName": "Пётр", "lastName": "Сидоров", "phoneNumber": "+7 999 765 43 21"})
    assert spare is not None
    assert cr.drivers.delete(spare) is None
    cr.drivers.restore(spare)
    spare_car = cr.cars.apply({"id": 0, "number": "Е777КХ99"})
    assert spare_car is not None
    cr.cars.delete(spare_car)
    spare_trailer = cr.trailers.apply({"id": 0, "number": "АА000077"})
    assert spare_trailer is not None
    cr.trailers.delete(spare_trailer)

    cp = cr.counterparties.apply(cargorun.CounterpartyEditModel(id=0, name="ООО Груз", inn=INN))
    assert cp is not None
    got_cp = cr.counterparties.get(cp)
    assert isinstance(got_cp, cargorun.CounterpartyModel) and got_cp.name == "ООО Груз"
    assert cp in [c.id for c in cr.counterparties.list(filter="name eq 'ООО Груз'")]
    contract = cr.contracts.apply(cargorun.CounterpartyContractEditModel(id=0, counterparty_id=cp, number="Д-1", date=date(2026, 6, 30)))
    assert contract is not None
    got_contract = cr.contracts.get(cp, contract)
    assert got_contract.date == date(2026, 6, 30), "a contract's date is date-only"
    assert [c.id for c in cr.contracts.list(cp)] == [contract]
    cr.contracts.delete(contract, cp)
    pt = cr.counterparty_points.apply({"id": 0, "counterpartyId": cp, "geozone": {"id": 0, "location": {"latitude": 55.75, "longitude": 37.62}, "address": "Москва", "type": "CounterpartyPoint"}})
    assert pt is not None
    got_pt = cr.counterparty_points.get(pt)
    assert got_pt.geozone is not None and got_pt.geozone.location is not None
    assert got_pt.geozone.location.coordinates == [Decimal("37.62"), Decimal("55.75")]
    assert [p.id for p in cr.counterparty_points.list(cp)] == [pt]
    cr.counterparty_points.delete(pt)
    cr.counterparty_points.restore(pt, cp)
    spare_cp = cr.counterparties.apply({"id": 0, "name": "ИП Лишний", "inn": "500100732259"})
    assert spare_cp is not None
    cr.counterparties.delete(spare_cp)
    lp = cr.legal_persons.apply(cargorun.LegalPersonEditModel(id=0, name="ООО Мы", inn=INN))
    assert lp in [x.id for x in cr.legal_persons.list()]
    assert lp is not None
    cr.legal_persons.delete(lp)
    assert all(isinstance(x, cargorun.CatalogListWithItemsModel) for x in cr.catalogs.get_simple())
    assert cr.catalogs.get().to_list() and cr.catalogs.list().to_list() and cr.catalogs.items().to_list()

    when = datetime(2026, 7, 15, 13, 58, tzinfo=MSK)
    points = [point(0, "LoadPoint", 47.47, 55.86, when), point(1, "UnloadPoint", 55.95, 54.70, when)]
    bid_model = cargorun.BidTruckingEditModel.from_dict(bid_body(cp, driver, car, trailer, points))
    assert bid_model.price == Decimal("45000.50")
    bid = cr.bids.apply(bid_model)
    assert bid is not None
    got = cr.bids.get(bid)
    assert isinstance(got, cargorun.BidViewModel) and got.status == cargorun.BidStatus.NEW
    assert got.price == Decimal("45000.5") and got.bid_points is not None
    assert got.bid_points[0].plan_enter_date == datetime(2026, 7, 15, 10, 58, tzinfo=timezone.utc)
    cr.bids.patch(cargorun.BidPatchModel(bid_id=bid, id=bid, price=Decimal("47000")))
    assert cr.bids.get(bid, main_data_only=True).price == Decimal("47000")
    cr.bids.set_status(bid, cargorun.BidStatus.STARTED)
    sb.cargorun_complete_bid(bid, mileage=812)
    assert cr.bids.get(bid).status == cargorun.BidStatus.DONE
    cr.bids.apply_payment(bid, cargorun.BidPaymentModel.from_dict({"paymentStatus": "Paid", "factPaymentDate": "2026-06-30"}))
    synced = cr.bids.list_for_external(filter=f"id eq {bid}").to_list()
    assert [b.id for b in synced] == [bid] and synced[0].payment is not None
    assert str(synced[0].payment.payment_status) == "Paid"
    assert isinstance(cr.cars.mileage(car, "2026-01-01", "2027-12-31T23:59:59"), cargorun.CarMileageForPeriodModel)
    assert all(isinstance(x, cargorun.BidTrailerReplacementModel) for x in cr.bids.trailer_replacements(bid))
    assert all(isinstance(x, cargorun.BidDocumentAssignmentModel) for x in cr.bids.documents(bid))
    cr.bids.revert(bid)
    assert cr.bids.get(bid).status == cargorun.BidStatus.NEW
    cr.bids.set_status(bid, "Started")
    cr.bids.force_complete({"bidId": bid, "mileage": 900, "useOdometerMileage": False, "reason": "водитель без связи"})
    second = cr.bids.apply(bid_model)
    assert second is not None
    cr.bids.cancel(second)
    assert cr.bids.get(second).status == cargorun.BidStatus.CANCELED
    third = cr.bids.apply(bid_model)
    assert third is not None
    cr.bids.delete(third)
    cr.bids.restore(third)

    cr.distribution_bids.apply([cargorun.DistributionBidEditModel.from_dict({"id": 0, "externalStatus": "None", "externalId": "ЗК-2", "bidPoints": points})])
    dist = [d.id for d in cr.distribution_bids.list_for_external(filter="externalId eq 'ЗК-2'")][0]
    assert dist is not None
    assert cr.distribution_bids.get(dist).external_id == "ЗК-2"
    sb.cargorun_distribute(dist, bid)
    assert isinstance(cr.distribution_bids.get_for_bid(bid), cargorun.BidTruckingGetModel)
    assert all(isinstance(x, cargorun.ExternalDistributionBidInfoModel) for x in cr.distribution_bids.external_info(bid_id=bid))
    assert all(isinstance(x, cargorun.ExternalDistributionBidStatusModel) for x in cr.distribution_bids.external_statuses(ids=[dist]))
    cr.distribution_bids.cancel(dist, comment="нет машины")
    cr.distribution_bids.revert(dist)
    cr.distribution_bids.apply([{"id": 0, "externalStatus": "None", "externalId": "ЗК-4", "bidPoints": points}])
    spare_dist = cr.distribution_bids.list_for_external(filter="externalId eq 'ЗК-4'").first_page()[0].id
    assert spare_dist is not None
    cr.distribution_bids.delete(spare_dist)
    cr.distribution_bids.restore(spare_dist)

    tracker = cr.trackers.list().first_page()[0].id
    assert tracker is not None
    cr.trackers.attach(cargorun.TrackerAttachModel.from_dict({"id": tracker, "entityId": car, "type": "Car"}))
    title = cr.etrn.titles().first_page()[0]
    assert isinstance(title, cargorun.TitleExternalModel) and title.id is not None
    assert cr.etrn.title(title_id=title.id).id == title.id
    cr.etrn.apply_status(title.id, cargorun.WaybillTitleStatus.ACCEPTED)
    found = cr.map.geocode("Москва", count=3)
    assert isinstance(found, cargorun.AddressSuggestionsModel) and found.suggestions is not None

    user = cr.employees.apply_user(cargorun.UserAddModel(id=0, email="logist@example.com", first_name="Лог", last_name="Истов", phone_number="79990001122", password="secret-pass", send_login_data=False))
    assert user is not None and user in [u.id for u in cr.employees.list()]
    role = cargorun.AddUserRoleModel.from_dict({"userId": user, "role": "TruckingOrganizationManager"})
    cr.employees.add_role(role)
    cr.employees.remove_role(role)
    cr.employees.add_role(cargorun.AddUserRoleModel.from_dict({"userId": user, "role": "TruckingOrganizationHeadLogist"}))
    cr.employees.ban(user)
    cr.employees.unban(user)
    cr.employees.invite(cargorun.InviteUserModel(email="new@example.com"))
    invited = cr.employees.invitations().to_list()
    assert invited and invited[0].id is not None
    cr.employees.remove_invite(invited[0].id)
    logist = cr.employees.logists().first_page()[0].id
    assert logist is not None
    assert isinstance(cr.employees.logist(logist), cargorun.CarLogistModel)

    with pytest.raises(logibridge.RateLimitError):  # inside the sign-in cooldown
        cr.auth.generate_token(sb.cargorun.username, sb.cargorun.password)
    assert cr.auth.refresh_token()["refreshToken"] == "***"


def test_every_id_through_the_typed_resources(cr_sb: sandbox.Sandbox) -> None:
    with cr_sb.cargorun_client() as cr:
        typed_scenario(cr, cr_sb)
    assert never_reached(cr_sb) == []


def test_lists_walk_pages_of_fifty_with_the_x_meta_count_total(cr_sb: sandbox.Sandbox) -> None:
    with cr_sb.cargorun_client() as cr:
        for i in range(120):
            cr.cars.apply({"id": 0, "number": f"М{i:03}ММ77"})
        cr_sb.cargorun_clear_calls()
        pager = cr.cars.list(orderby="id")
        assert pager.total is None and cr_sb.cargorun_calls().get("cargorun.cars.list", 0) == 0, "nothing is sent before the walk"
        sizes = [len(page) for page in pager.pages()]
        assert sizes == [50, 50, 20]
        assert pager.total == 120
        assert len({c.id for c in pager}) == 120
        assert cr.cars.list(filter="number eq 'М007ММ77'").first_page().items[0].number == "М007ММ77"
    assert cr_sb.cargorun_calls()["cargorun.cars.list"] == 3 + 3 + 1


# -- checks before sending ------------------------------------------------------------------


def test_bad_input_is_refused_before_anything_is_sent(cr_sb: sandbox.Sandbox) -> None:
    sb = cr_sb
    naive = datetime(2026, 7, 15, 10, 58)
    with sb.cargorun_client() as cr, logibridge.Client("cargorun", username=sb.cargorun.username, password=sb.cargorun.password, base_url=sb.cargorun.base_url) as c:
        sb.cargorun_clear_calls()
        with pytest.raises(logibridge.ValidationError, match="phone") as e:
            cr.drivers.apply(cargorun.DriverEditModel(id=0, first_name="И", last_name="П", phone_number="12345"))
        assert e.value.field == "driver" and "phoneNumber" in str(e.value) and e.value.message_ru
        with pytest.raises(logibridge.ValidationError) as e:
            cr.counterparties.apply({"id": 0, "name": "ООО", "inn": "7707083894"})
        assert "inn" in (e.value.field or "")
        one_point = bid_body(1, 1, 1, 1, [point(0, "LoadPoint", 47.47, 55.86)])
        with pytest.raises(logibridge.ValidationError) as e:
            cr.bids.apply(one_point)
        assert "bidPoints" in (e.value.field or str(e.value))
        with pytest.raises(logibridge.InvalidArgumentError) as ia:
            cargorun.BidPointEditModel(plan_enter_date=naive)
        assert ia.value.field == "plan_enter_date"
        with pytest.raises(logibridge.InvalidArgumentError) as ia:
            cr.bids.apply(bid_body(1, 1, 1, 1, [point(0, "LoadPoint", 47.47, 55.86, naive), point(1, "UnloadPoint", 55.95, 54.70)]))
        assert ia.value.field == "bid.bidPoints[0].planEnterDate" and ia.value.message_ru
        with pytest.raises(logibridge.ValidationError, match="offset"):
            c.call("cargorun.bids.apply", {"bid": bid_body(1, 1, 1, 1, [point(0, "LoadPoint", 47.47, 55.86, "2026-07-15T10:58:00"), point(1, "UnloadPoint", 55.95, 54.70)])})
        with pytest.raises((logibridge.ValidationError, logibridge.InvalidArgumentError), match="50"):
            c.call("cargorun.drivers.list", {"top": 51})
        assert c.call("cargorun.drivers.list", {"top": 51, "allow_large_top": True}) == []
        sent = {k: v for k, v in sb.cargorun_calls().items() if not k.startswith("cargorun.auth") and v}
    assert sent == {"cargorun.drivers.list": 1}, "only the opted-out top reached the service"


def test_a_number_that_is_not_finite_is_refused_naming_its_path(cr_sb: sandbox.Sandbox) -> None:
    sb = cr_sb
    with sb.cargorun_client() as cr:
        sb.cargorun_clear_calls()
        for bad in (float("nan"), float("inf"), Decimal("NaN")):
            with pytest.raises(logibridge.ValidationError) as e:
                cr.bids.apply(bid_body(1, 1, 1, 1, [point(0, "LoadPoint", bad, 55.86), point(1, "UnloadPoint", 55.95, 54.70)]))  # type: ignore[arg-type]
            assert (e.value.field, e.value.code) == ("bid.bidPoints[0].geozone.location.coordinates[0]", "cargorun.not_finite"), bad
            assert isinstance(e.value, logibridge.LogibridgeError) and "finite" in str(e.value) and "NaN" in e.value.message_ru
        located = {"id": 0, "counterpartyId": 1, "name": "Склад", "geozone": {"id": 0, "type": "CounterpartyPoint", "location": {"latitude": float("nan"), "longitude": 37.6}}}
        with pytest.raises(logibridge.ValidationError) as e:
            cr.counterparty_points.apply(located)
        assert e.value.field == "point.geozone.location.latitude"
        sent = {k: v for k, v in sb.cargorun_calls().items() if not k.startswith("cargorun.auth") and v}
    assert sent == {}, "nothing was sent"


# -- answers --------------------------------------------------------------------------------------


def test_apply_answers_the_id_or_says_it_could_not_be_read(cr_sb: sandbox.Sandbox) -> None:
    """The service's answer to an Apply: the id (a number, its digits, or an object's
    ``id``), nothing (an empty 200: None), or something else, which is an error saying the
    object was probably saved, never a silent None."""
    car = {"id": 0, "number": "А001АА77"}
    with cr_sb.cargorun_client() as cr:
        for body, want in (("77", 77), ('"77"', 77), ('{"id": 78, "number": "А001АА77"}', 78), ('{"id": "79"}', 79), ("", None)):
            cr_sb.add_fault("cargorun.cars.apply", status=200, body=body)
            assert cr.cars.apply(car) == want, body
        for body in ("true", "1" + "0" * 29, '{"number": "А001АА77"}', '{"id": true}', '{"id": 7.5}', "0", "-5", '"7x"', "[77]"):
            cr_sb.add_fault("cargorun.cars.apply", status=200, body=body)
            with pytest.raises(logibridge.DecodeError) as e:
                cr.cars.apply(car)
            assert e.value.endpoint == "cargorun.cars.apply" and e.value.outcome_unknown, body
            assert "could not be read" in str(e.value) and "before sending it again" in str(e.value) and "не удалось прочитать id" in e.value.message_ru


def test_answers_read_a_time_without_a_zone_as_utc(cr_sb: sandbox.Sandbox) -> None:
    """What the service writes (.NET's zone-less UTC) is read as UTC; only the caller's own
    naive times are refused (``from_dict``, the constructor, dicts sent)."""
    with cr_sb.cargorun_client() as cr:
        cr_sb.add_fault("cargorun.bids.get", status=200, body=json.dumps({"id": 7, "createdAt": "2026-07-13T13:55:04"}))
        assert cr.bids.get(7).created_at == datetime(2026, 7, 13, 13, 55, 4, tzinfo=timezone.utc)
        cr_sb.add_fault("cargorun.drivers.list", status=200, body=json.dumps([{"id": 1, "lastSignInAt": "2026-07-13T13:55:04"}]))
        assert [d.last_sign_in_at for d in cr.drivers.list()] == [datetime(2026, 7, 13, 13, 55, 4, tzinfo=timezone.utc)]


def test_the_emulator_clock_takes_whole_seconds(cr_sb: sandbox.Sandbox) -> None:
    assert cr_sb.cargorun_advance_clock(60.0)["offset_seconds"] == 60
    assert cr_sb.cargorun_advance_clock(30)["offset_seconds"] == 90
    bad: List[Any] = [1.5, float("nan"), float("inf"), "60", True]
    for seconds in bad:
        with pytest.raises(logibridge.InvalidArgumentError) as e:
            cr_sb.cargorun_advance_clock(seconds)
        assert e.value.field == "seconds" and "whole" in str(e.value) and e.value.message_ru, seconds
    assert cr_sb.cargorun_advance_clock(0)["offset_seconds"] == 90


# -- tokens -------------------------------------------------------------------------------------


def test_an_expiry_between_calls_is_renewed_without_the_caller_noticing(cr_sb: sandbox.Sandbox) -> None:
    sb = cr_sb
    with sb.cargorun_client() as cr:
        assert cr.trailers.list().to_list() == []
        assert sb.cargorun_calls().get("cargorun.auth.generate_token") == 1
        sb.cargorun_expire_tokens()
        assert cr.trailers.list().to_list() == []
        after_expiry = sb.cargorun_calls()
        assert after_expiry.get("cargorun.auth.refresh_token") == 1 and after_expiry.get("cargorun.auth.generate_token") == 1
        sb.cargorun_advance_clock(2 * 3600)  # past the token's own exp: renewed before it is sent
        assert cr.trailers.list().to_list() == []
        assert sb.cargorun_calls().get("cargorun.auth.refresh_token") == 2
        sb.cargorun_expire_tokens(refresh_tokens=True)  # the refresh token revoked: sign in again
        assert cr.trailers.list().to_list() == []
        final = sb.cargorun_calls()
    assert final.get("cargorun.auth.generate_token") == 2
    assert final.get("cargorun.trailers.list", 0) >= 4


def test_two_clients_of_one_user_share_one_sign_in(cr_sb: sandbox.Sandbox) -> None:
    """The emulator answers a second GenerateToken within its cooldown with 429: a second
    client object of the same base URL and user reuses the first one's session instead."""
    with cr_sb.cargorun_client() as first, cr_sb.cargorun_client() as second:
        assert first.cars.list().to_list() == [] and second.cars.list().to_list() == []
        assert cr_sb.cargorun_calls().get("cargorun.auth.generate_token") == 1


def test_the_password_and_the_tokens_never_show(cr_sb: sandbox.Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    sb = cr_sb
    token_file = tmp_path / "cargorun-tokens.json"
    caplog.set_level(logging.DEBUG, logger="logibridge")
    shown: List[str] = []
    with sb.cargorun_client(token_file=token_file) as cr:
        shown.append(repr(cr))
        shown.append(repr(cr.drivers.list().to_list()))
        sb.cargorun_expire_tokens()
        shown.append(repr(cr.drivers.list().first_page()))
        sb.cargorun_advance_clock(61)  # past the emulator's sign-in cooldown
        shown.append(json.dumps(cr.auth.generate_token(sb.cargorun.username, sb.cargorun.password)))
        shown.append(json.dumps(cr.auth.refresh_token()))
        user = cargorun.UserAddModel(id=0, email="x@example.com", password=sb.cargorun.password)
        shown.append(repr(user))
        for bad in (lambda: cr.bids.get(999999), lambda: cr.drivers.apply({"id": 0, "firstName": "И", "lastName": "П", "phoneNumber": "1"})):
            with pytest.raises(logibridge.LogibridgeError) as e:
                bad()
            shown += [str(e.value), repr(e.value)] + [str(v) for v in vars(e.value).values()]
    with logibridge.Client("cargorun", username=sb.cargorun.username, password="wrong-" + sb.cargorun.password, base_url=sb.cargorun.base_url) as wrong:
        with pytest.raises(logibridge.LogibridgeError) as e:
            wrong.call("cargorun.cars.list", {})
        shown += [str(e.value), repr(e.value), repr(wrong)]
    logibridge.flush_logs()
    shown += [r.getMessage() for r in caplog.records] + [str(vars(r)) for r in caplog.records]

    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    stored = next(iter(json.loads(token_file.read_text()).values()))
    secrets = [sb.cargorun.password, stored["access_token"], stored["refresh_token"]]
    assert all(len(s) >= 8 for s in secrets)
    for text in shown:
        for secret in secrets:
            assert secret not in text, f"a secret in {text[:200]!r}"
    assert "***" in repr(user)


def test_a_token_file_that_cannot_be_written_is_a_warning_record(cr_sb: sandbox.Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The core's own warnings outside a request (here: the token file's write after the
    sign-in) reach Python's ``logging`` as records of the ``logibridge`` logger."""
    folder = tmp_path / "tokens"
    folder.mkdir()
    caplog.set_level(logging.WARNING, logger="logibridge")
    with cr_sb.cargorun_client(token_file=folder / "cargorun.json") as cr:
        folder.rmdir()  # after the client read it: the write after signing in finds no folder
        assert cr.cars.list().to_list() == []
    logibridge.flush_logs()
    written = [r for r in caplog.records if "token file was not written" in r.getMessage()]
    assert len(written) == 1, [r.getMessage() for r in caplog.records]
    assert written[0].name == "logibridge" and written[0].levelno == logging.WARNING
    assert str(folder) in written[0].getMessage() and str(folder) in getattr(written[0], "error")
