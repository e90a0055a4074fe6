"""iRECA Courier through the typed blocking client (``logibridge.Ireca``) and the generic
``logibridge.Client("ireca", …)``, against the embedded emulator.

Every id of the table is called both ways (``test_every_id_*`` check their lists against
the table, so a new row without a test fails); the models' rules (ids as written, Decimal
money, bool flags, aware UTC times, naive ones refused, unknown fields kept) and the checks
made before sending are stated one test each.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Callable, Dict, Iterator, List, Tuple, Type

import pytest

import logibridge
from logibridge import _table, ireca, sandbox
from conftest import IRECA_FIXTURES
from conftest import ireca_fixture as fixture
from logibridge._base import _Operation
from logibridge._models import Model

TOKEN = "lb-ireca-token-5d2e90"
COURIER = "55752"
VALID_INN10 = "7707083893"
VALID_INN12 = "500100732259"

ROWS = _table.service("ireca")["endpoints"]
IDS = sorted(r["id"] for r in ROWS)

CATALOGUE: Dict[str, Type[Model]] = {
    "goods": ireca.Good,
    "specificities": ireca.Specificity,
    "warehouses": ireca.Warehouse,
    "couriers": ireca.Courier,
    "roles": ireca.Role,
    "clients": ireca.Customer,
    "suppliers": ireca.Supplier,
    "return_reasons": ireca.ReturnReason,
    "payment_types": ireca.PaymentType,
    "taxes": ireca.Tax,
}

_ids = itertools.count(810001)




def key_of(resource: str) -> Tuple[str, str]:
    """The id parameter of a catalogue resource: (Python name, wire name)."""
    row = _table.row(f"ireca.{resource}.get")
    assert row is not None
    (param,) = row["params"]
    return param["name"], param["wire"]


def new_item(resource: str) -> Dict[str, Any]:
    """The document's create example for ``resource`` under a new id."""
    item = dict(fixture(f"{resource}.create.request")[0])
    item[key_of(resource)[1]] = str(next(_ids))
    if "inn" in item:
        # The document's example INNs (1234567890, 111122223333) fail their own checksums.
        item["inn"] = VALID_INN12 if len(item["inn"]) == 12 else VALID_INN10
    return item


def new_order(name: str = "orders.create.request") -> Dict[str, Any]:
    order = dict(fixture(name)[0])
    order["orderId"] = str(next(_ids))
    return order


@pytest.fixture(scope="module")
def isb() -> Iterator[sandbox.Sandbox]:
    with sandbox.start(ireca_token=TOKEN) as s:
        yield s


@pytest.fixture(scope="module")
def api(isb: sandbox.Sandbox) -> Iterator[logibridge.Ireca]:
    with isb.ireca_client(max_retries=0) as c:
        yield c


@pytest.fixture(scope="module")
def generic(isb: sandbox.Sandbox) -> Iterator[logibridge.Client]:
    with logibridge.Client("ireca", token=TOKEN, base_url=isb.ireca.base_url, max_retries=0) as c:
        yield c


def sent(sb: sandbox.Sandbox) -> int:
    return len(sb.requests())


# -- the typed client covers the table -----------------------------------------------------


@pytest.mark.parametrize("client_class", [logibridge.Ireca, logibridge.AsyncIreca])
def test_every_row_is_a_typed_method_of_both_clients(isb: sandbox.Sandbox, client_class: Any) -> None:
    client = client_class(TOKEN, base_url=isb.ireca.base_url)
    for row in ROWS:
        resource, _, action = row["names"]["python"].partition(".")
        method = getattr(getattr(client, resource), action)
        assert callable(method), row["id"]
        declared = getattr(type(getattr(client, resource)), action)
        # Declared in ireca.py (a typed operation), not added from the row at run time.
        assert isinstance(declared, _Operation) and declared._declared is not None, row["id"]
        assert declared.endpoint == row["id"]


def test_the_ten_catalogue_resources_are_one_class() -> None:
    for resource, model in CATALOGUE.items():
        cls = ireca._Ireca._resource_classes()[resource]
        assert issubclass(cls, ireca.CatalogueResource), resource
        assert cls.__model__ is model and cls.__resource__ == resource
        # No catalogue class writes a call of its own.
        assert not [n for n, v in vars(cls).items() if callable(v) and not isinstance(v, _Operation) and not n.startswith("__")]


# -- every id through the typed client -----------------------------------------------------


def created(api: logibridge.Ireca, resource: str) -> str:
    item = new_item(resource)
    getattr(api, resource).create([item])
    return str(item[key_of(resource)[1]])


def catalogue_case(resource: str, action: str) -> Callable[[logibridge.Ireca, sandbox.Sandbox], None]:
    model = CATALOGUE[resource]
    wire_key = key_of(resource)[1]
    attr = next(f.name for f in model.__lb_fields__ if f.key == wire_key)

    def run(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
        res = getattr(api, resource)
        if action in ("create", "get"):
            uid = created(api, resource)
            got = res.get(uid)
            assert isinstance(got, model)
            assert got.to_dict().get("title") == fixture(f"{resource}.create.request")[0].get("title")
        elif action == "replace":
            item = new_item(resource)
            assert res.replace([item]) is None
            assert isinstance(res.get(item[wire_key]), model)
        elif action == "list":
            mine = [created(api, resource) for _ in range(3)]
            before = sent(sb)
            every = list(res.list(count=2))
            assert all(isinstance(m, model) for m in every)
            listed = [getattr(m, attr) for m in every]
            for uid in mine:
                assert any(ireca.same_id(uid, x) for x in listed), (uid, listed)
            pages = [r for r in sb.requests()[before:]]
            assert len(pages) == (len(every) // 2) + 1 and all("count=2" in r["query"] for r in pages)
        elif action == "update":
            uid = created(api, resource)
            assert res.update(uid, {"title": "Изменено"}) is None
            assert res.get(uid).to_dict()["title"] == "Изменено"
        elif action == "delete":
            uid = created(api, resource)
            assert res.delete(uid) is None
            assert res.get(uid).to_dict().get("isActive") in (False, 0)
        else:
            raise AssertionError(action)

    return run


def placed(api: logibridge.Ireca, name: str = "orders.create.request") -> str:
    order = new_order(name)
    if name.startswith("orders.create_refund"):
        api.orders.create_refund([order])
    else:
        api.orders.create([order])
    return str(order["orderId"])


def delivered(api: logibridge.Ireca, sb: sandbox.Sandbox, name: str = "orders.create.request") -> str:
    order_id = placed(api, name)
    if name.startswith("orders.create.request"):
        sb.ireca_courier(order_id, "take")
    sb.ireca_courier(order_id, "deliver")
    sb.ireca_courier(order_id, "close")
    return order_id


def case_orders_create(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    order_id = placed(api)
    got = api.orders.get(order_id)
    assert ireca.same_id(got.order_id, order_id) and got.amount_to_pay == Decimal("539.78")


def case_orders_create_refund(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    got = api.orders.get(placed(api, "orders.create_refund.request"))
    assert got.is_refund is True


def case_orders_get(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    got = api.orders.get(placed(api))
    assert got.is_agreed is False and got.delivery_time_from == datetime(2021, 5, 15, 13, 21, 13, tzinfo=timezone.utc)
    assert got.goods and isinstance(got.goods[0].warehouses[0], ireca.OrderWarehouse)  # type: ignore[index]
    with pytest.raises(logibridge.NotFoundError):
        api.orders.get("no-such-order")


def case_orders_list(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    mine = [placed(api) for _ in range(3)]
    listed = [o.order_id for o in api.orders.list(count=2)]
    assert all(any(ireca.same_id(m, x) for x in listed) for m in mine)


def case_orders_update(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    order_id = placed(api)
    before = api.orders.get(order_id)
    changed = before.copy(description="Позвонить заранее")
    assert api.orders.update(order_id, changed) is None
    after = api.orders.get(order_id)
    # get → modify → update loses nothing: every other field is as it was.
    assert after.to_dict() == {**before.to_dict(), "description": "Позвонить заранее"}


def case_orders_update_many(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    ids = [placed(api), placed(api)]
    when = datetime(2021, 6, 15, 16, 21, 13, tzinfo=timezone(timedelta(hours=3)))
    assert api.orders.update_many(ids, {"status_id": 1, "deliveryTimeFrom": when}) is None
    for order_id in ids:
        got = api.orders.get(order_id)
        assert ireca.same_id(got.status_id, 1)
        assert got.delivery_time_from == datetime(2021, 6, 15, 13, 21, 13, tzinfo=timezone.utc)


def case_orders_replace(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    order = new_order()
    assert api.orders.replace([order]) is None
    assert api.orders.replace([{**order, "description": "Ещё раз"}]) is None
    assert api.orders.get(order["orderId"]).description == "Ещё раз"


def case_orders_delete(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    order_id = placed(api)
    assert api.orders.delete(order_id) is None
    assert any(r["method"] == "DELETE" and f"orderId={order_id}" in r["query"] for r in sb.requests())


def case_orders_set_callback(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    assert api.orders.set_callback("http://127.0.0.1:9/order-callback", is_active=False) is None
    with pytest.raises(logibridge.ValidationError) as info:
        api.orders.set_callback("example.com/cb")
    assert info.value.field == "settings.url"


def case_orders_status_journal(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    order_id = placed(api)
    sb.ireca_courier(order_id, "take")
    entries = api.orders.status_journal(order_id)
    assert entries and all(isinstance(e, ireca.StatusJournalEntry) for e in entries)
    assert ireca.same_id(entries[-1].status_id, 7)
    assert entries[-1].created_at is not None and entries[-1].created_at.tzinfo == timezone.utc


def case_orders_lint(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    order = ireca.Order.from_dict(new_order())
    before = sent(sb)
    assert api.orders.lint(order) == []
    goods = order.goods or []
    wrong = order.copy(goods=[goods[0].copy(total=Decimal("1.00"))])
    findings = api.orders.lint(wrong)
    assert findings and all({"field", "code", "message", "message_ru"} <= set(f) for f in findings)
    assert sent(sb) == before  # library-side: nothing asked of the service


def case_locations_list(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    since = datetime.now(timezone(timedelta(hours=3))) - timedelta(minutes=1)
    order_id = placed(api)
    sb.ireca_courier(order_id, "take")
    got = list(api.locations.list(COURIER, created_at=since))
    assert got and all(isinstance(x, ireca.Location) for x in got)
    assert any(ireca.same_id(x.order_id, order_id) for x in got)


def case_receipts_payment(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    receipt = api.receipts.payment(delivered(api, sb))
    assert isinstance(receipt, ireca.Receipt)


def case_receipts_refund(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    receipt = api.receipts.refund(delivered(api, sb, "orders.create_refund.request"))
    assert isinstance(receipt, ireca.Receipt)


def case_receipts_correction(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    got = list(api.receipts.correction(count=1))
    assert got and all(isinstance(x, ireca.CorrectionReceipt) for x in got)


def case_atol_replace_settings(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    settings = ireca.AtolSettings.from_dict(fixture("atol.replace_settings.request"))
    assert settings.company is not None and settings.company.tax_system is ireca.TaxSystem.USN_INCOME
    # The document's example INN (1234567890) fails its own checksum: refused before sending.
    with pytest.raises(logibridge.ValidationError) as info:
        api.atol.replace_settings(settings)
    assert info.value.field == "settings.company.inn"
    settings.company.inn = VALID_INN10
    assert api.atol.replace_settings(settings) is None


def case_pechka54_get_settings(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    got = api.pechka54.get_settings()
    assert isinstance(got, ireca.Pechka54Settings) and got.url


def case_journal_list(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    order_id = placed(api)
    api.orders.update(order_id, {"description": "в журнал"})
    got = list(api.journal.list(order_id, started_at=datetime(2000, 1, 1, tzinfo=timezone.utc)))
    assert got and all(isinstance(e, ireca.ChangeJournalEntry) for e in got)
    assert got[0].event is ireca.ChangeEvent.CREATE and got[-1].event is ireca.ChangeEvent.UPDATE
    assert got[-1].after_item is not None and got[-1].after_item.description == "в журнал"


def case_permissions_list(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    got = api.permissions.list()
    assert got and all(isinstance(p, ireca.Permission) and isinstance(p.is_allowed, (bool, type(None))) for p in got)


def case_permissions_replace(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    assert api.permissions.replace([ireca.Permission(role_id=908, action_id="registratorShiftOpen", is_allowed=False)]) is None
    got = api.permissions.list(role_id=908, permission_id="registratorShiftOpen")
    assert got and got[0].is_allowed is False


def case_licenses_list(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    got = api.licenses.list()
    assert isinstance(got, ireca.Licenses) and isinstance(got.license_total, int)


def case_licenses_close(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    sessions = api.licenses.list().licenses or []
    assert sessions, "the emulator starts with open sessions"
    device = sessions[0].device_id
    assert device is not None and api.licenses.close(device) is None
    assert all(s.device_id != device for s in api.licenses.list().licenses or [])


def case_licenses_set_callback(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    assert api.licenses.set_callback("https://example.com/sessions", is_active=False) is None


def case_bank_terminal_logs_list(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    got = list(api.bank_terminal_logs.list())
    assert got and all(isinstance(x, ireca.BankTerminalLog) for x in got)


def case_fiscal_registrator_logs_list(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    got = list(api.fiscal_registrator_logs.list(order_id="209897"))
    assert got and all(isinstance(x, ireca.FiscalRegistratorLog) for x in got)


def dictionary_case(action: str, model: Type[Model]) -> Callable[[logibridge.Ireca, sandbox.Sandbox], None]:
    def run(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
        got = getattr(api.dictionary, action)()
        assert got and all(isinstance(x, model) for x in got)

    return run


def case_callback_order(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    before = sent(sb)
    orders = api.callback.order((IRECA_FIXTURES / "10-callback.order.request.json").read_bytes())
    assert orders[0].order_id == 209900 and orders[0].amount_to_pay == Decimal("679.57")
    assert orders[0].courier_id is None  # "" in the body: none assigned
    assert sent(sb) == before


def case_callback_license_session(api: logibridge.Ireca, sb: sandbox.Sandbox) -> None:
    session = api.callback.license_session(json.dumps(fixture("callback.license_session.request")))
    assert session.device_id == "3ebf391b3c596bc8"
    assert session.session_finish_at == datetime(2017, 5, 15, 20, 21, 13, tzinfo=timezone.utc)


def _typed_name(case: str) -> str:
    """``case_orders_create_refund`` → ``ireca.orders.create_refund`` (the resource is the
    longest resource name the table has that the case's name starts with)."""
    body = case[len("case_") :]
    resources = {row["names"]["python"].split(".")[0] for row in ROWS}
    resource = max((r for r in resources if body.startswith(r + "_")), key=len)
    return f"ireca.{resource}.{body[len(resource) + 1 :]}"


TYPED: Dict[str, Callable[[logibridge.Ireca, sandbox.Sandbox], None]] = {
    f"ireca.{resource}.{action}": catalogue_case(resource, action)
    for resource in CATALOGUE
    for action in ("create", "get", "list", "update", "replace", "delete")
}
TYPED.update({_typed_name(name): fn for name, fn in list(globals().items()) if name.startswith("case_")})
TYPED.update(
    {
        "ireca.dictionary.order_statuses": dictionary_case("order_statuses", ireca.OrderStatus),
        "ireca.dictionary.delivery_statuses": dictionary_case("delivery_statuses", ireca.DeliveryStatus),
        "ireca.dictionary.close_types": dictionary_case("close_types", ireca.CloseType),
        "ireca.dictionary.tax_types": dictionary_case("tax_types", ireca.TaxType),
        "ireca.dictionary.calc_types": dictionary_case("calc_types", ireca.CalcType),
        "ireca.dictionary.permissions": dictionary_case("permissions", ireca.PermissionInfo),
    }
)


def test_every_id_has_a_typed_case() -> None:
    assert sorted(TYPED) == IDS


@pytest.mark.parametrize("endpoint", IDS)
def test_every_id_through_the_typed_client(api: logibridge.Ireca, isb: sandbox.Sandbox, endpoint: str) -> None:
    TYPED[endpoint](api, isb)


# -- every id through the generic client ----------------------------------------------------


def generic_params(endpoint: str, generic: logibridge.Client, sb: sandbox.Sandbox) -> Dict[str, Any]:
    """Parameters for ``endpoint`` by the row's names, in JSON form."""
    _, resource, action = endpoint.split(".")
    if resource in CATALOGUE:
        name, _ = key_of(resource)
        item = new_item(resource)
        uid = item[key_of(resource)[1]]
        if action in ("create", "replace"):
            return {"items": [item]}
        generic.call(f"ireca.{resource}.create", {"items": [item]})
        return {"get": {name: uid}, "delete": {name: uid}, "update": {name: uid, "changes": {"title": "x"}}, "list": {"count": 3}}[action]
    order = new_order()
    placed_id = order["orderId"]
    if endpoint not in ("ireca.orders.create", "ireca.orders.create_refund", "ireca.orders.replace", "ireca.orders.lint") and not endpoint.startswith(("ireca.dictionary.", "ireca.callback.")):
        generic.call("ireca.orders.create", {"items": [order]})
    if endpoint in ("ireca.receipts.payment",):
        for step in ("take", "deliver", "close"):
            sb.ireca_courier(placed_id, step)
    if endpoint == "ireca.receipts.refund":
        refund = new_order("orders.create_refund.request")
        generic.call("ireca.orders.create_refund", {"items": [refund]})
        for step in ("deliver", "close"):
            sb.ireca_courier(refund["orderId"], step)
        return {"order_id": refund["orderId"]}
    return {
        "ireca.locations.list": {"courier_id": COURIER, "created_at": "2000-01-01T00:00:00+03:00"},
        "ireca.orders.create": {"items": [order]},
        "ireca.orders.create_refund": {"items": [new_order("orders.create_refund.request")]},
        "ireca.orders.get": {"order_id": placed_id},
        "ireca.orders.list": {"count": 5},
        "ireca.orders.update": {"order_id": placed_id, "changes": {"description": "x"}},
        "ireca.orders.update_many": {"update": {"orderIds": [placed_id], "attributes": {"statusId": 1}}},
        "ireca.orders.replace": {"items": [order]},
        "ireca.orders.delete": {"order_id": placed_id},
        "ireca.orders.set_callback": {"settings": {"url": "http://127.0.0.1:9/cb", "isActive": 0}},
        "ireca.orders.status_journal": {"order_id": placed_id},
        "ireca.orders.lint": {"order": {**order, "amountToPay": 1}},
        "ireca.receipts.payment": {"order_id": placed_id},
        "ireca.receipts.correction": {"courier_id": COURIER},
        "ireca.atol.replace_settings": {"settings": {**fixture("atol.replace_settings.request"), "company": {"inn": VALID_INN10, "taxSystem": "osn"}}},
        "ireca.pechka54.get_settings": {},
        "ireca.journal.list": {"entity_id": placed_id},
        "ireca.permissions.list": {"role_id": 908},
        "ireca.permissions.replace": {"items": fixture("permissions.replace.request")},
        "ireca.licenses.list": {},
        "ireca.licenses.close": {"device_id": "no-such-device-is-fine-to-close"},
        "ireca.licenses.set_callback": {"settings": {"url": "https://example.com/s", "isActive": 0}},
        "ireca.bank_terminal_logs.list": {},
        "ireca.fiscal_registrator_logs.list": {},
        "ireca.callback.order": {"body": (IRECA_FIXTURES / "10-callback.order.request.json").read_text(encoding="utf-8")},
        "ireca.callback.license_session": {"body": (IRECA_FIXTURES / "53-callback.license_session.request.json").read_text(encoding="utf-8")},
    }.get(endpoint, {})


@pytest.mark.parametrize("endpoint", IDS)
def test_every_id_through_the_generic_client(generic: logibridge.Client, isb: sandbox.Sandbox, endpoint: str) -> None:
    row = _table.row(endpoint)
    assert row is not None
    params = generic_params(endpoint, generic, isb)
    before = sent(isb)
    try:
        answer = generic.call(endpoint, params)
    except logibridge.NotFoundError:
        # licenses.close of a device that holds none: the service's own 404 is an answer.
        assert endpoint == "ireca.licenses.close"
        return
    if row["response"]["empty"]:
        assert answer is None
    elif row["response"]["list"]:
        assert isinstance(answer, list) and answer, endpoint
    else:
        assert isinstance(answer, (dict, list)) and answer, endpoint
    assert (sent(isb) > before) == (row["method"] != "LOCAL"), endpoint
    # The generic client's resource method reaches the same row.
    resource, _, action = row["names"]["python"].partition(".")
    assert getattr(getattr(generic, resource), action).__name__ == action


# -- models ---------------------------------------------------------------------------------


def test_php_spellings_read_as_typed_values(api: logibridge.Ireca, isb: sandbox.Sandbox) -> None:
    body = '{"orderId": "209900", "amountToPay": "679.570", "cash": 1000.00, "isAgreed": "1", "isRefund": 0, "courierId": "", "returnReasonId": {}, "deliveryTimeFrom": "2021-04-28 11:34:00", "someNewField": [1, 2]}'
    isb.add_fault("ireca.orders.get", status=200, body=body)
    got = api.orders.get("209900")
    assert got.order_id == "209900"  # a string id stays a string
    assert got.amount_to_pay == Decimal("679.57") and isinstance(got.amount_to_pay, Decimal)
    assert got.cash == Decimal("1000")
    assert got.is_agreed is True and got.is_refund is False
    assert got.courier_id is None and got.return_reason_id is None
    assert got.delivery_time_from == datetime(2021, 4, 28, 11, 34, tzinfo=timezone.utc)
    assert got.extra == {"someNewField": [1, 2]}
    wire = got.to_dict(mode="json")
    assert wire["orderId"] == "209900" and wire["deliveryTimeFrom"] == "2021-04-28T11:34:00+00:00" and wire["someNewField"] == [1, 2]


def test_numeric_ids_stay_numbers_and_compare_with_their_text() -> None:
    t = ireca.Tax.from_dict({"taxId": 8289})
    assert t.tax_id == 8289 and t.to_dict()["taxId"] == 8289
    assert ireca.same_id(8289, "8289") and not ireca.same_id(8289, "8288") and ireca.same_id("registratorShiftOpen", "registratorShiftOpen")


def test_an_unknown_field_survives_get_modify_update(api: logibridge.Ireca, isb: sandbox.Sandbox) -> None:
    order_id = placed(api)
    got = api.orders.get(order_id)
    got.extra["integratorNote"] = "keep me"
    api.orders.update(order_id, got.copy(description="с заметкой"))
    update = [r for r in isb.requests() if r["method"] == "PUT"][-1]
    assert f"orderId={order_id}" in update["query"]
    again = api.orders.get(order_id)
    assert again.description == "с заметкой"
    assert again.extra.get("integratorNote") == "keep me", again.extra


def test_an_aware_time_with_any_offset_is_held_and_sent_in_utc(api: logibridge.Ireca) -> None:
    msk = timezone(timedelta(hours=3))
    order = ireca.Order(delivery_time_from=datetime(2021, 5, 15, 16, 0, tzinfo=msk), delivery_time_to="2021-05-15T18:00:00+03:00")
    assert order.delivery_time_from == datetime(2021, 5, 15, 13, 0, tzinfo=timezone.utc)
    assert order.delivery_time_from is not None and order.delivery_time_from.utcoffset() == timedelta(0)
    assert order.to_dict(mode="json") == {"deliveryTimeFrom": "2021-05-15T13:00:00+00:00", "deliveryTimeTo": "2021-05-15T15:00:00+00:00"}
    order_id = placed(api)
    api.orders.update(order_id, order)
    assert api.orders.get(order_id).delivery_time_to == datetime(2021, 5, 15, 15, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("value", [datetime(2021, 5, 15, 13, 0), "2021-05-15 13:00:00", "2021-05-15T13:00:00"], ids=repr)
def test_a_naive_time_given_to_a_model_is_refused_naming_the_field(value: Any) -> None:
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        ireca.Order(delivery_time_from=value)
    assert info.value.field == "delivery_time_from" and info.value.code == "model.naive_datetime"
    assert "zone" in str(info.value) and "пояс" in info.value.message_ru


def test_a_naive_time_in_a_call_is_refused_before_sending(api: logibridge.Ireca, isb: sandbox.Sandbox) -> None:
    before = sent(isb)
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        list(api.journal.list("1", started_at=datetime(2021, 6, 30, 10, 48)))
    assert info.value.field == "started_at"
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        api.orders.update("1", {"deliveryTimeFrom": datetime(2021, 6, 30, 10, 48)})
    assert info.value.field == "changes.deliveryTimeFrom"
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        api.orders.update_many(["1"], {"delivery_time_to": datetime(2021, 6, 30, 10, 48)})
    assert info.value.field == "update.attributes.deliveryTimeTo"
    assert sent(isb) == before


def test_a_secret_field_never_shows_in_repr() -> None:
    courier = ireca.Courier.from_dict(fixture("couriers.create.request")[0])
    assert courier.source_password == "1" and "sourcePassword" in courier.to_dict()
    assert "source_password=***" in repr(courier)
    settings = ireca.AtolSettings.from_dict(fixture("atol.replace_settings.request"))
    assert settings.password == "1234" and "password=***" in repr(settings) and "'1234'" not in repr(settings)


def test_an_undocumented_enum_value_is_kept() -> None:
    agent = ireca.AtolAgent.from_dict({"type": "new_kind"})
    assert agent.kind is not None and not agent.kind.is_known and agent.to_dict(mode="json") == {"type": "new_kind"}
    assert ireca.AtolAgent.from_dict({"type": "attorney"}).kind is ireca.AgentType.ATTORNEY


# -- checks before sending --------------------------------------------------------------------


def test_a_missing_required_order_attribute_is_refused_before_sending(api: logibridge.Ireca, isb: sandbox.Sandbox) -> None:
    order = new_order()
    del order["amountToPay"]
    before = sent(isb)
    with pytest.raises(logibridge.ValidationError) as info:
        api.orders.create([order])
    assert info.value.field == "items[0].amountToPay"
    goods = [dict(new_order()["goods"][0])]
    del goods[0]["discountTotal"]
    with pytest.raises(logibridge.ValidationError) as info:
        api.orders.create_refund([{**new_order("orders.create_refund.request"), "goods": goods}])
    assert info.value.field == "items[0].goods[0].discountTotal"
    assert sent(isb) == before


def test_an_inn_with_a_wrong_checksum_is_refused_before_sending(api: logibridge.Ireca, isb: sandbox.Sandbox) -> None:
    before = sent(isb)
    with pytest.raises(logibridge.ValidationError) as info:
        api.clients.create([{**new_item("clients"), "inn": "111122223334"}])
    assert (info.value.field, info.value.code) == ("items[0].inn", "inn.checksum")
    with pytest.raises(logibridge.ValidationError) as info:
        api.clients.update("1", ireca.Customer(inn="12345"))
    assert info.value.field == "changes.inn"
    assert sent(isb) == before


def test_a_page_of_501_is_refused_before_sending(api: logibridge.Ireca, isb: sandbox.Sandbox) -> None:
    before = sent(isb)
    pager = api.goods.list(count=501)  # nothing is sent until the pager is walked
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        list(pager)
    assert info.value.field == "count"
    assert sent(isb) == before
    assert ireca.MAX_PAGE_COUNT == 500


def test_update_many_refuses_an_attribute_outside_the_seven(api: logibridge.Ireca, isb: sandbox.Sandbox) -> None:
    before = sent(isb)
    with pytest.raises(logibridge.ValidationError) as info:
        api.orders.update_many(["1"], {"amount_to_pay": Decimal("5")})
    assert "amountToPay" in str(info.value)
    with pytest.raises(logibridge.ValidationError) as info:
        api.orders.update_many([], {"statusId": 1})
    assert info.value.field == "update.orderIds"
    assert sent(isb) == before


def test_a_list_walks_every_page_lazily(api: logibridge.Ireca, isb: sandbox.Sandbox) -> None:
    for _ in range(5):
        created(api, "taxes")
    before = sent(isb)
    pager = api.taxes.list(count=2)
    assert sent(isb) == before
    first = next(iter(pager))
    assert isinstance(first, ireca.Tax) and sent(isb) == before + 1
    total = len(list(api.taxes.list()))
    assert len(list(api.taxes.list(count=2))) == total


def test_service_errors_carry_the_service_message(api: logibridge.Ireca, isb: sandbox.Sandbox) -> None:
    with pytest.raises(logibridge.NotFoundError):
        api.goods.get("no-such-good")
    isb.add_fault("ireca.goods.get", status=400, body='{"error": true, "message": "Нельзя"}')
    with pytest.raises(logibridge.APIError, match="Нельзя"):
        api.goods.get("1")


# -- secrets -------------------------------------------------------------------------------


def test_the_token_never_shows(isb: sandbox.Sandbox) -> None:
    client = logibridge.Ireca(TOKEN, base_url=isb.ireca.base_url, max_retries=0)
    assert TOKEN not in repr(client) and TOKEN not in str(client)
    isb.add_fault("ireca.goods.list", status=500, body='{"error": true, "message": "token %s rejected"}' % TOKEN)
    with pytest.raises(logibridge.ServerError) as info:
        list(client.goods.list())
    shown = [str(info.value), repr(info.value)] + [str(v) for v in vars(info.value).values()]
    assert all(TOKEN not in s for s in shown), shown
    wrong = logibridge.Ireca(TOKEN + "-wrong", base_url=isb.ireca.base_url, max_retries=0)
    with pytest.raises(logibridge.AuthenticationError) as auth:
        wrong.dictionary.tax_types()
    assert TOKEN not in str(auth.value) and TOKEN not in repr(wrong)


def test_every_encoding_of_an_echoed_token_is_scrubbed() -> None:
    """test_canary.py's canary, as iRECA's Bearer token: every form a server may echo it in
    is gone from the error, whether the answer is an error or a body that fails to decode."""
    from test_canary import CANARY, forms

    def shown(err: BaseException) -> List[str]:
        return [str(err), repr(err), err.message_ru if isinstance(err, logibridge.LogibridgeError) else ""] + [str(v) for v in vars(err).values()]

    echo = " ".join(forms(CANARY)).replace("\\", "\\\\").replace('"', '\\"')
    with sandbox.start(ireca_token=CANARY) as sb, sb.ireca_client(max_retries=0) as client:
        assert all(f not in repr(client) for f in forms(CANARY))
        sb.add_fault("ireca.dictionary.tax_types", status=500, body='{"error": true, "message": "Bearer %s"}' % echo)
        with pytest.raises(logibridge.ServerError) as server:
            client.dictionary.tax_types()
        sb.add_fault("ireca.orders.get", status=200, body='{"orderId": "1", "amountToPay": "x %s"}' % echo)
        with pytest.raises(logibridge.DecodeError) as decode:
            client.orders.get("1")
        assert "Bearer" in " ".join(shown(server.value))  # the message is there, scrubbed
        for err in (server.value, decode.value):
            for text in shown(err):
                for f in forms(CANARY):
                    assert f not in text, (f, text)


def test_a_token_of_the_wrong_type_names_it() -> None:
    with pytest.raises(TypeError, match="token"):
        logibridge.Ireca(123)  # type: ignore[arg-type]
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        logibridge.Ireca("t", timeout=-1)
    assert info.value.field == "timeout"


def test_the_sandbox_makes_both_clients(isb: sandbox.Sandbox) -> None:
    assert isinstance(isb.ireca_client(), logibridge.Ireca)
    assert isinstance(isb.async_ireca_client(), logibridge.AsyncIreca)
    assert isb.ireca_client().base_url == isb.ireca.base_url
