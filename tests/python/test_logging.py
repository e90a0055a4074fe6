"""Records on logging.getLogger("logibridge"): endpoint, status, duration, attempt, request
id — and never the key."""

from __future__ import annotations

import logging

import pytest

import logibridge
from logibridge import sandbox

from conftest import SECRET_KEY


def records(caplog: pytest.LogCaptureFixture) -> list:  # type: ignore[type-arg]
    # Records reach handlers on the library's logging thread, off the request path, and
    # the logger's level is looked at then: call this while the level is in force.
    assert logibridge.flush_logs(timeout=10)
    return [r for r in caplog.records if r.name == "logibridge"]


def test_request_records(shop: logibridge.Carreta, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="logibridge"):
        shop.search.query("oc47")
        recs = records(caplog)
    assert len(recs) == 1
    r = recs[0]
    assert r.levelno == logging.DEBUG
    assert (r.endpoint, r.http_method, r.status, r.attempt) == ("carreta.search.query", "GET", 200, 1)
    assert isinstance(r.duration_ms, int) and isinstance(r.request_id, int)
    assert "q=oc47" in r.url and "api_key=***" in r.url
    msg = r.getMessage()
    assert "carreta.search.query" in msg and "200" in msg
    assert SECRET_KEY not in msg and SECRET_KEY not in r.url


def test_retries_and_failures_are_logged(sb: sandbox.Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    sb.add_fault("carreta.profile.get", status=503, count=1, retry_after="0")
    with sb.carreta_client(max_retries=1) as shop, caplog.at_level(logging.DEBUG, logger="logibridge"):
        shop.profile.get()
        with pytest.raises(logibridge.NotFoundError):
            shop.orders.get(987654321)
        recs = records(caplog)
    assert [(r.levelno, r.status, r.attempt) for r in recs] == [
        (logging.INFO, 503, 1),
        (logging.DEBUG, 200, 2),
        (logging.INFO, 404, 1),
    ]
    assert "retrying" in recs[0].getMessage()
    for r in recs:
        assert SECRET_KEY not in r.getMessage()


def test_nothing_when_disabled(shop: logibridge.Carreta, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="logibridge"):
        shop.profile.get()
        assert records(caplog) == []


async def test_async_calls_log_too(ashop: logibridge.AsyncCarreta, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="logibridge"):
        await ashop.profile.get()
        assert [r.endpoint for r in records(caplog)] == ["carreta.profile.get"]
