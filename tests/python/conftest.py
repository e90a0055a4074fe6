"""Fixtures: the embedded sandbox and clients pointed at it.

The key is a distinctive string so that tests can assert it never leaks into messages,
reprs or logs.
"""

from __future__ import annotations

import itertools
from typing import AsyncIterator, Iterator

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
