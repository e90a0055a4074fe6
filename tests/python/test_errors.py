"""API errors of each kind, transport failures, retries — and no secret in any of them."""

from __future__ import annotations

import pickle
import socket
from typing import Any, Callable, Type

import pytest

import logibridge
from logibridge import sandbox

from conftest import SECRET_KEY, unique_comment


def assert_no_secret(err: BaseException) -> None:
    texts = [str(err), repr(err), *(str(v) for v in vars(err).values())]
    for t in texts:
        assert SECRET_KEY not in t, t


def test_hierarchy() -> None:
    L = logibridge
    assert issubclass(L.ValidationError, L.LogibridgeError) and issubclass(L.ValidationError, ValueError)
    assert issubclass(L.InvalidArgumentError, L.ValidationError)
    for cls in (L.AuthenticationError, L.PermissionDeniedError, L.NotFoundError, L.ConflictError, L.RateLimitError, L.ServerError):
        assert issubclass(cls, L.APIError) and issubclass(cls, L.LogibridgeError)
    assert issubclass(L.TimeoutError, L.TransportError)
    for cls in (L.APIError, L.TransportError, L.DecodeError):
        assert issubclass(cls, L.LogibridgeError)


def test_authentication_error(sb: sandbox.Sandbox) -> None:
    with logibridge.Carreta("wrong-key-123", base_url=sb.carreta.base_url) as shop:
        with pytest.raises(logibridge.AuthenticationError) as info:
            shop.profile.get()
    e = info.value
    assert (e.status, e.endpoint, e.code) == (401, "carreta.profile.get", "auth")
    assert e.message == "Unauthorized."
    assert "wrong-key-123" not in str(e) and "wrong-key-123" not in repr(e)


def test_permission_denied(shop: logibridge.Carreta) -> None:
    with pytest.raises(logibridge.PermissionDeniedError) as info:
        shop.profile.get(account="9999")
    assert info.value.status == 403 and info.value.code == "permission_denied"
    assert_no_secret(info.value)


def test_not_found(shop: logibridge.Carreta) -> None:
    with pytest.raises(logibridge.NotFoundError) as info:
        shop.orders.get(987654321)
    e = info.value
    assert (e.status, e.endpoint, e.code) == (404, "carreta.order.get", "not_found")
    assert "404" in str(e) and "carreta.order.get" in str(e)
    assert e.message_ru and "404" in e.message_ru
    assert_no_secret(e)


@pytest.mark.parametrize(
    ("status", "cls", "code"),
    [
        (409, logibridge.ConflictError, "conflict"),
        (429, logibridge.RateLimitError, "rate_limited"),
        (500, logibridge.ServerError, "server"),
        (503, logibridge.ServerError, "server"),
        (418, logibridge.APIError, "http"),
        (400, logibridge.APIError, "http"),
    ],
)
def test_injected_status(shop: logibridge.Carreta, sb: sandbox.Sandbox, status: int, cls: Type[logibridge.APIError], code: str) -> None:
    sb.add_fault("carreta.search.query", status=status, body='{"error": "Injected %d."}' % status)
    with pytest.raises(cls) as info:
        shop.search.query("oc47")
    e = info.value
    assert type(e) is cls
    assert (e.status, e.code, e.endpoint, e.message) == (status, code, "carreta.search.query", f"Injected {status}.")
    assert e.body is not None and "Injected" in e.body
    assert_no_secret(e)


def test_rate_limit_retry_after(shop: logibridge.Carreta, sb: sandbox.Sandbox) -> None:
    sb.add_fault("carreta.profile.get", status=429, retry_after="7")
    with pytest.raises(logibridge.RateLimitError) as info:
        shop.profile.get()
    assert info.value.retry_after == 7.0


def test_server_echoing_the_key_is_scrubbed(shop: logibridge.Carreta, sb: sandbox.Sandbox) -> None:
    sb.add_fault("carreta.profile.get", status=500, body='{"error": "bad key %s"}' % SECRET_KEY)
    with pytest.raises(logibridge.ServerError) as info:
        shop.profile.get()
    assert_no_secret(info.value)


def test_transient_failures_are_retried(sb: sandbox.Sandbox) -> None:
    sb.add_fault("carreta.profile.get", status=503, count=2, retry_after="0")
    with sb.carreta_client(max_retries=2) as shop:
        sb.clear_requests()
        assert shop.profile.get()
        statuses = [r["status"] for r in sb.requests()]
        assert statuses == [503, 503, 200]


def test_orders_are_never_retried(sb: sandbox.Sandbox) -> None:
    with sb.carreta_client(max_retries=3) as shop:
        offer = shop.search.query("oc47")[0]
        sb.add_fault("/carreta/v1/order", status=503, count=3, retry_after="0")
        sb.clear_requests()
        with pytest.raises(logibridge.ServerError):
            shop.orders.create(offer, order_qty=1, client_comment=unique_comment("noretry"))
        assert len(sb.requests()) == 1


def test_with_options_max_retries(sb: sandbox.Sandbox) -> None:
    with sb.carreta_client(max_retries=0) as shop:
        sb.add_fault("carreta.profile.get", status=503, count=1, retry_after="0")
        assert shop.with_options(max_retries=1).profile.get()
        sb.add_fault("carreta.profile.get", status=503, count=1, retry_after="0")
        with pytest.raises(logibridge.ServerError):
            shop.profile.get()


def test_timeout(sb: sandbox.Sandbox) -> None:
    sb.add_fault("carreta.profile.get", delay_ms=1500)
    with sb.carreta_client(timeout=0.3, max_retries=0) as shop:
        with pytest.raises(logibridge.TimeoutError) as info:
            shop.profile.get()
    e = info.value
    assert isinstance(e, logibridge.TransportError)
    assert (e.code, e.endpoint) == ("timeout", "carreta.profile.get")
    assert_no_secret(e)


def test_transport_error() -> None:
    # A port nobody listens on.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with logibridge.Carreta(SECRET_KEY, base_url=f"http://127.0.0.1:{port}/carreta/v1/", max_retries=0) as shop:
        with pytest.raises(logibridge.TransportError) as info:
            shop.profile.get()
    assert type(info.value) is logibridge.TransportError
    assert info.value.code == "transport" and info.value.endpoint == "carreta.profile.get"
    assert_no_secret(info.value)


@pytest.mark.parametrize("body", ['{"balance": "not money"}', "<html>oops</html>", '{"objects": 5}'])
def test_decode_error(shop: logibridge.Carreta, sb: sandbox.Sandbox, body: str) -> None:
    target: Callable[[], Any]
    if "objects" in body:
        sb.add_fault("carreta.search.query", status=200, body=body)
        target = lambda: shop.search.query("oc47")  # noqa: E731
    else:
        sb.add_fault("carreta.profile.get", status=200, body=body)
        target = shop.profile.get
    with pytest.raises(logibridge.DecodeError) as info:
        target()
    assert info.value.code == "decode" and info.value.endpoint
    assert_no_secret(info.value)


def test_exceptions_pickle(shop: logibridge.Carreta) -> None:
    with pytest.raises(logibridge.NotFoundError) as info:
        shop.orders.get(987654321)
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is logibridge.NotFoundError
    assert (again.status, again.endpoint, str(again)) == (404, "carreta.order.get", str(info.value))


async def test_async_errors(ashop: logibridge.AsyncCarreta, sb: sandbox.Sandbox) -> None:
    with pytest.raises(logibridge.NotFoundError):
        await ashop.orders.get(987654321)
    sb.add_fault("carreta.search.query", status=429)
    with pytest.raises(logibridge.RateLimitError):
        await ashop.search.query("oc47")
    async with logibridge.AsyncCarreta("wrong-key-456", base_url=sb.carreta.base_url) as bad:
        with pytest.raises(logibridge.AuthenticationError) as info:
            await bad.profile.get()
    assert "wrong-key-456" not in str(info.value)


@pytest.mark.parametrize("flavour", [logibridge.Carreta, logibridge.AsyncCarreta])
@pytest.mark.parametrize("bad", [0, -1, 86400.5, float("nan"), "soon"])
def test_deadline_has_the_limits_of_timeout(flavour: Any, bad: Any) -> None:
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        flavour(SECRET_KEY, base_url="http://127.0.0.1:9/carreta/v1/", deadline=bad)
    assert info.value.field == "deadline"
    assert_no_secret(info.value)


def test_deadline_shorter_than_the_timeout_ends_the_call(sb: sandbox.Sandbox) -> None:
    # The answer comes after 3 s: the timeout alone (30 s) would wait for it, and a retry
    # (the fault is armed once) would succeed. The 0.5 s deadline ends the call instead.
    sb.add_fault("carreta.profile.get", delay_ms=3000)
    with sb.carreta_client(timeout=30, deadline=0.5, max_retries=2) as shop:
        with pytest.raises(logibridge.TimeoutError) as info:
            shop.profile.get()
    assert (info.value.code, info.value.endpoint) == ("timeout", "carreta.profile.get")
    assert info.value.outcome_unknown is False
    assert_no_secret(info.value)


async def test_async_deadline_shorter_than_the_timeout_ends_the_call(sb: sandbox.Sandbox) -> None:
    sb.add_fault("carreta.profile.get", delay_ms=3000)
    async with sb.async_carreta_client(timeout=30, deadline=0.5, max_retries=2) as shop:
        with pytest.raises(logibridge.TimeoutError):
            await shop.profile.get()
