"""logibridge.sandbox: in-process emulators for users' tests."""

from __future__ import annotations

import json
import urllib.request

import pytest

import logibridge
from logibridge import sandbox
from logibridge.carreta import OrderStatus


def test_start_and_stop() -> None:
    with sandbox.start() as sb:
        assert sb.running
        assert sb.base_url.startswith("http://127.0.0.1:") and sb.base_url.endswith("/")
        assert sb.carreta.base_url == sb.base_url + "carreta/v1/"
        assert sb.carreta.api_key == sandbox.DEFAULT_CARRETA_API_KEY
        assert sb.carreta.accounts[0] == "1001"
        assert sb.carreta.api_key not in repr(sb.carreta)
        with logibridge.Carreta(sb.carreta.api_key, base_url=sb.carreta.base_url) as shop:
            assert shop.profile.get().name
    assert not sb.running
    sb.stop()  # twice is harmless
    with pytest.raises(logibridge.InvalidArgumentError):
        sb.requests()


@pytest.mark.parametrize("key", ["", "   ", "\t\n"])
def test_a_blank_carreta_api_key_is_refused(key: str) -> None:
    with pytest.raises(logibridge.InvalidArgumentError) as err:
        sandbox.start(carreta_api_key=key)
    assert err.value.field == "carreta_api_key"


def test_two_sandboxes_are_independent() -> None:
    with sandbox.start() as a, sandbox.start(carreta_api_key="other-key") as b:
        assert a.base_url != b.base_url
        with a.carreta_client() as sa, b.carreta_client() as sb_:
            offer = sa.search.query("oc47")[0]
            sa.orders.create(offer, order_qty=1, client_comment="only-in-a")
            assert len(list(sa.orders.list())) == 1
            assert list(sb_.orders.list()) == []
        with logibridge.Carreta(a.carreta.api_key, base_url=b.carreta.base_url) as wrong:
            with pytest.raises(logibridge.AuthenticationError):
                wrong.profile.get()


def test_seed_changes_the_catalogue_signatures() -> None:
    with sandbox.start(seed=1) as a, sandbox.start(seed=2) as b:
        with a.carreta_client() as sa, b.carreta_client() as sb_:
            assert sa.search.query("oc47")[0].signature != sb_.search.query("oc47")[0].signature


def test_control_api(sb: sandbox.Sandbox) -> None:
    with sb.carreta_client() as shop:
        offer = shop.search.query("oc47")[0]
        order = shop.orders.create(offer, order_qty=1, client_comment="control")
        moved = sb.advance_order(order.id)
        assert moved["status"] == int(OrderStatus.IN_PROGRESS)
        sb.advance_order(order.id, status=OrderStatus.AT_PICKUP_POINT, comment="Ждёт в пункте выдачи")
        assert shop.orders.get(order.id).status is OrderStatus.AT_PICKUP_POINT
        assert any("Ждёт в пункте выдачи" in h.comment for h in shop.orders.history(order.id))
        assert shop.orders.get(order.id).comment == "Ждёт в пункте выдачи"
        with pytest.raises(logibridge.InvalidArgumentError, match="404"):
            sb.advance_order(987654321)

        sb.add_fault("carreta.search.query", status=502, count=2)
        assert len(sb.faults()) == 1 and sb.faults()[0]["path_prefix"] == "/carreta/v1/search/"
        sb.clear_faults()
        assert sb.faults() == []

        sb.clear_requests()
        shop.profile.get()
        log = sb.requests()
        assert [(r["method"], r["status"]) for r in log] == [("GET", 200)]
        assert "api_key=***" in log[0]["query"]


def test_fault_paths(sb: sandbox.Sandbox) -> None:
    assert sb.fault_path("carreta.order.get") == "/carreta/v1/order/"
    assert sb.fault_path("carreta.profile.get") == "/carreta/v1/profile/"
    with pytest.raises(logibridge.InvalidArgumentError):
        sb.fault_path("carreta.pricelist.parse")
    with pytest.raises(logibridge.InvalidArgumentError):
        sb.fault_path("carreta.nothing.here")


def test_catalogue_and_pricelist(sb: sandbox.Sandbox) -> None:
    codes = sb.carreta_codes()
    assert "OC47" in codes
    url = sb.carreta_pricelist_url(rows=5)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as resp:
        body = resp.read()
    assert body.count(b"\n") >= 5


def test_ireca_access_beside_carreta() -> None:
    with sandbox.start(ireca_token="py-ireca-token") as sb:
        assert sb.ireca.base_url == sb.base_url + "ireca/api/v1/"
        assert sb.ireca.token == "py-ireca-token"
        assert "py-ireca-token" not in repr(sb.ireca)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        request = urllib.request.Request(
            sb.ireca.base_url + "dictionary/closeTypes", headers={"Authorization": "Bearer " + sb.ireca.token}
        )
        with opener.open(request, timeout=30) as response:
            assert json.loads(response.read()) == [
                {"closeTypeId": 1, "title": "Наличные"},
                {"closeTypeId": 2, "title": "Банковская карта"},
            ]
        order = {
            "orderId": "41", "statusId": 0, "deliveryStatusId": 6, "courierId": "55752", "paymentId": "4113",
            "amountToPay": 100, "deliveryTimeFrom": "2021-05-15 13:21:13", "deliveryTimeTo": "2021-05-15 15:21:13",
            "goods": [{"goodId": "355865", "count": 1, "price": 100, "total": 100, "discountTotal": 0}],
        }
        create = urllib.request.Request(
            sb.ireca.base_url + "orders",
            data=json.dumps([order]).encode(),
            method="POST",
            headers={"Authorization": "Bearer " + sb.ireca.token, "Content-Type": "application/json"},
        )
        with opener.open(create, timeout=30) as response:
            assert response.status == 201
        assert sb.ireca_courier("41", "take")["deliveryStatusId"] == 7
        assert sb.ireca_callbacks() == []  # no callback registered, nothing posted
        with pytest.raises(logibridge.InvalidArgumentError):
            sb.ireca_courier("41", "take")  # taken already: 409
    assert sandbox.DEFAULT_IRECA_TOKEN == "sandbox-ireca-token"
    with sandbox.start() as sb:
        assert sb.ireca.token == sandbox.DEFAULT_IRECA_TOKEN


@pytest.mark.parametrize("token", ["", "  "])
def test_a_blank_ireca_token_is_refused(token: str) -> None:
    with pytest.raises(logibridge.InvalidArgumentError) as err:
        sandbox.start(ireca_token=token)
    assert err.value.field == "ireca_token"
