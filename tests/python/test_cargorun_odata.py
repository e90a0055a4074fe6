"""The OData expression API (``logibridge.odata``) on CARGO.RUN's list calls: what it
describes, what it refuses in Python (truth values, floats, naive times, unknown enums), and
what reaches the emulator (the bytes in its request log, the rows it finds, one page for
``top``/``skip``)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, List

import pytest

import logibridge
from logibridge import cargorun, sandbox
from logibridge.cargorun import BidStatus
from logibridge.odata import F, Q

MSK = timezone(timedelta(hours=3))
TRICKY = "O'Neil & Sons #1 + 50% Ж"


@pytest.fixture
def cr_sb() -> Any:
    with sandbox.start() as s:
        yield s


def driver(cr: cargorun.CargoRun, last_name: str, phone: str) -> int:
    made = cr.drivers.apply({"id": 0, "firstName": "Тест", "lastName": last_name, "phoneNumber": phone})
    assert made is not None
    return made


def list_queries(sb: sandbox.Sandbox) -> List[str]:
    return [r["query"] for r in sb.requests() if r["path"].lower().endswith("/getlist")]


def test_an_expression_has_no_truth_value_so_and_or_not_fail_loudly() -> None:
    a, b = F("a") == 1, F("b") == 2
    with pytest.raises(TypeError, match="no truth value"):
        a and b  # noqa: B018 - the mistake this guards against
    with pytest.raises(TypeError, match="no truth value"):
        not a  # noqa: B018
    with pytest.raises(TypeError, match="no truth value"):
        0 < F("x") < 5  # noqa: B018 - a chained comparison is an `and` in Python


def test_the_description_says_each_literals_type() -> None:
    since = datetime(2026, 1, 24, 0, 0, 0, 123400, tzinfo=MSK)
    expr = (F("updatedAt") >= since) & (F("status") == BidStatus.DONE) & ~((F("price") > Decimal("100.50")) | (F("externalId") == None))  # noqa: E711
    assert expr.to_json() == [
        "and",
        ["ge", "updatedAt", {"datetime": "2026-01-24T00:00:00.123400+03:00"}],
        ["eq", "status", {"enum": "Done"}],
        ["not", ["or", ["gt", "price", {"decimal": "100.50"}], ["eq", "externalId", None]]],
    ]
    assert (F("name") != "2026-01-01T00:00:00Z").to_json() == ["ne", "name", {"text": "2026-01-01T00:00:00Z"}]
    assert F("id").one_of([1, 2, 3]).to_json() == ["or", ["eq", "id", 1], ["eq", "id", 2], ["eq", "id", 3]]
    assert (F("isDeleted") == False).to_json() == ["eq", "isDeleted", False]  # noqa: E712
    q = Q(filter=F("id") > 5, orderby=[F("updatedAt").asc(), F("id").desc()], top=50, skip=0, count=True)
    assert q.to_json() == {"filter": ["gt", "id", 5], "orderby": [["updatedAt", "asc"], ["id", "desc"]], "top": 50, "skip": 0, "count": True}


def test_values_that_would_not_compare_exactly_are_refused_in_python() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        F("price") == 0.1  # noqa: B015
    with pytest.raises(ValueError, match="no time zone"):
        F("updatedAt") >= datetime(2026, 1, 23, 21, 0)  # noqa: B015
    with pytest.raises(TypeError, match="date"):
        F("updatedAt") >= date(2026, 1, 23)  # noqa: B015
    with pytest.raises(ValueError, match="not a name the service lists"):
        F("status") == BidStatus("Lost")  # noqa: B015
    with pytest.raises(ValueError, match="no values"):
        F("id").one_of([])
    with pytest.raises(TypeError):
        Q(filter="id eq 1")  # type: ignore[arg-type]


def test_literal_refusals_are_typed_bilingual_and_name_the_property() -> None:
    from logibridge.odata import LiteralError

    with pytest.raises(LiteralError) as caught:
        F("price") == 0.1  # noqa: B015
    e = caught.value
    assert isinstance(e, logibridge.InvalidArgumentError) and isinstance(e, TypeError)
    assert (e.field, e.code) == ("price", "odata.float")
    assert "price" in e.message_ru and "плавающей" in e.message_ru
    with pytest.raises(LiteralError) as caught:
        F("id") == 10**30  # noqa: B015
    assert (caught.value.field, caught.value.code) == ("id", "odata.int_range")
    assert (F("id") == 2**64 - 1).to_json() == ["eq", "id", 2**64 - 1]
    # Python writes some decimals in exponent notation; the literal is positional.
    assert (F("price") == Decimal(1000).normalize()).to_json() == ["eq", "price", {"decimal": "1000"}]
    assert (F("price") == Decimal("1.5E-3")).to_json() == ["eq", "price", {"decimal": "0.0015"}]


def test_a_typed_filter_reaches_the_emulator_as_these_bytes_and_finds_its_row(cr_sb: sandbox.Sandbox) -> None:
    with cr_sb.cargorun_client() as cr:
        wanted = driver(cr, TRICKY, "+79990000001")
        for i, other in enumerate(["O'Neil", "Sons #1", "50% Ж"]):
            driver(cr, other, f"+7999000001{i}")
        cr_sb.clear_requests()
        pager = cr.drivers.list(filter=F("lastName") == TRICKY, orderby=[F("lastName").asc(), F("id").desc()], count=True)
        assert [d.id for d in pager] == [wanted]
        assert pager.total == 1
        (sent,) = list_queries(cr_sb)
        pairs = sent.split("&")
        for expected in ["%24filter=lastName+eq+%27O%27%27Neil+%26+Sons+%231+%2B+50%25+%D0%96%27", "%24orderby=lastName%2Cid+desc", "%24count=true"]:
            assert expected in pairs, f"{expected} in {sent}"


def test_top_and_skip_ask_for_one_page(cr_sb: sandbox.Sandbox) -> None:
    with cr_sb.cargorun_client() as cr:
        made = sorted(driver(cr, f"Страница{i}", f"+7999000002{i}") for i in range(4))
        cr_sb.clear_requests()
        page = cr.drivers.list(filter=F("lastName").one_of([f"Страница{i}" for i in range(4)]), orderby=[F("id").asc()], top=2, skip=1).to_list()
        assert [d.id for d in page] == made[1:3]
        same = cr.drivers.list(query=Q(filter=F("id") >= made[0], orderby=F("id").asc(), top=2, skip=1)).to_list()
        assert [d.id for d in same] == made[1:3]
        queries = list_queries(cr_sb)
        assert len(queries) == 2 and all("%24top=2" in q.split("&") and "%24skip=1" in q.split("&") for q in queries), queries


def test_a_filter_given_twice_or_wrong_is_refused_before_sending(cr_sb: sandbox.Sandbox) -> None:
    with cr_sb.cargorun_client() as cr:
        cr_sb.clear_requests()
        with pytest.raises(logibridge.InvalidArgumentError, match="both given"):
            cr.drivers.list(filter="id eq 1", query=Q(filter=F("id") == 2)).to_list()
        with pytest.raises(TypeError, match="once"):
            cr.drivers.list(filter=F("id") == 1, query=Q(filter=F("id") == 2)).to_list()
        with pytest.raises(logibridge.InvalidArgumentError, match=r"query\.filter\[1\]"):
            cr.drivers.list(filter=F("last name") == "x").to_list()
        assert list_queries(cr_sb) == []
        # The raw strings stay for what the builder does not offer.
        assert cr.drivers.list(filter="contains(lastName, 'zzz')").to_list() == []


def test_the_asyncio_client_takes_the_same_expressions(cr_sb: sandbox.Sandbox) -> None:
    with cr_sb.cargorun_client() as cr:
        wanted = driver(cr, "Асинхронов", "+79990000031")

    async def run() -> List[int]:
        async with cr_sb.async_cargorun_client() as acr:
            return [d.id async for d in acr.drivers.list(filter=(F("lastName") == "Асинхронов") & (F("id") == wanted))]

    assert asyncio.run(run()) == [wanted]
