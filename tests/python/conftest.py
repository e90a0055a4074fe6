"""Fixtures: the embedded sandbox and clients pointed at it.

The key is a distinctive string so that tests can assert it never leaks into messages,
reprs or logs.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any, AsyncIterator, Iterator

import pytest

import logibridge
from logibridge import sandbox

SECRET_KEY = "lb-test-secret-9f3a71c2"

_comments = itertools.count(1)


def unique_comment(prefix: str = "T") -> str:
    """A client_comment no other test uses (orders accumulate in the shared sandbox)."""
    return f"{prefix}-{next(_comments)}"


@pytest.fixture(scope="session")
def sb() -> Iterator[sandbox.Sandbox]:
    with sandbox.start(carreta_api_key=SECRET_KEY) as s:
        yield s


@pytest.fixture
def fresh_sb() -> Iterator[sandbox.Sandbox]:
    """A sandbox of its own (empty order book, no faults), for tests that count."""
    with sandbox.start(carreta_api_key=SECRET_KEY) as s:
        yield s


@pytest.fixture(autouse=True)
def _no_faults_left(sb: sandbox.Sandbox) -> Iterator[None]:
    yield
    sb.clear_faults()


@pytest.fixture
def shop(sb: sandbox.Sandbox) -> Iterator[logibridge.Carreta]:
    with logibridge.Carreta(SECRET_KEY, base_url=sb.carreta.base_url, max_retries=0) as c:
        yield c


@pytest.fixture
async def ashop(sb: sandbox.Sandbox) -> AsyncIterator[logibridge.AsyncCarreta]:
    async with logibridge.AsyncCarreta(SECRET_KEY, base_url=sb.carreta.base_url, max_retries=0) as c:
        yield c


IRECA_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ireca"
"""The iRECA document's JSON bodies, one file each (see its README)."""

_WIRE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def _zoned(value: Any) -> Any:
    """The document's date-times (GMT+0, written without a zone) with their zone: a caller
    must give one, or the core refuses the time rather than guess it."""
    if isinstance(value, str) and _WIRE_TIME.match(value):
        return value.replace(" ", "T") + "Z"
    if isinstance(value, list):
        return [_zoned(v) for v in value]
    if isinstance(value, dict):
        return {k: _zoned(v) for k, v in value.items()}
    return value


def ireca_fixture(name: str) -> Any:
    """The iRECA document's body for ``name`` (``orders.create.request``), its date-times
    given their zone as a caller must."""
    (path,) = IRECA_FIXTURES.glob(f"*-{name}*.json")
    return _zoned(json.loads(path.read_text(encoding="utf-8")))
