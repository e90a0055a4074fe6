"""The package's shape: public names, typing markers, the abi3 module, and every row of the
Carreta table reachable by its ``names["python"]`` on both clients."""

from __future__ import annotations

import asyncio
import inspect
import re
from importlib import resources
from pathlib import Path
from typing import Any, Dict, List

import pytest

import logibridge
from logibridge import _native


def carreta_rows() -> List[Dict[str, Any]]:
    (carreta,) = [s for s in logibridge.endpoints() if s["prefix"] == "carreta"]
    rows: List[Dict[str, Any]] = carreta["endpoints"]
    return rows


def methods_by_id(client: object) -> Dict[str, List[str]]:
    """Public resource methods, keyed by the endpoint id their docstring starts with."""
    found: Dict[str, List[str]] = {}
    for rname, resource in vars(client).items():
        if rname.startswith("_"):
            continue
        for mname, fn in inspect.getmembers(resource, callable):
            if mname.startswith("_"):
                continue
            m = re.match(r"``([a-z_]+\.[a-z_]+\.[a-z_]+)``", inspect.getdoc(fn) or "")
            assert m, f"{rname}.{mname} does not name its endpoint id"
            found.setdefault(m.group(1), []).append(f"{rname}.{mname}")
    return found


def test_every_row_is_reachable_from_both_clients_by_its_python_name() -> None:
    rows = carreta_rows()
    assert {r["id"] for r in rows} >= {
        "carreta.profile.get",
        "carreta.search.query",
        "carreta.order.create",
        "carreta.order.list",
        "carreta.order.get",
        "carreta.order.history",
        "carreta.order.check_qty",
        "carreta.order.check_comment",
        "carreta.pricelist.parse",
    }
    for cls in (logibridge.Carreta, logibridge.AsyncCarreta):
        client = cls("k" * 8)
        by_id = methods_by_id(client)
        assert set(by_id) == {r["id"] for r in rows}, cls
        for row in rows:
            resource, action = row["names"]["python"].split(".")
            method = getattr(getattr(client, resource), action)
            assert (inspect.getdoc(method) or "").startswith(f"``{row['id']}``"), row["id"]
            assert f"{resource}.{action}" in by_id[row["id"]], (row["id"], by_id[row["id"]])
            # A coroutine function on the asyncio client, except a list's pager.
            is_async = cls is logibridge.AsyncCarreta and row["paging"]["kind"] == "none"
            assert inspect.iscoroutinefunction(method) is is_async, (cls, row["id"])


def test_the_same_resource_classes_serve_both_clients() -> None:
    sync, asyn = logibridge.Carreta("k" * 8), logibridge.AsyncCarreta("k" * 8)
    for name in ("profile", "search", "order", "pricelist"):
        assert type(getattr(sync, name)) is type(getattr(asyn, name)), name
    assert isinstance(sync.order, logibridge.carreta.OrderResource)


def test_local_rows_are_methods_and_the_price_list_reader() -> None:
    local = {r["id"] for r in carreta_rows() if r["local"]}
    assert local >= {"carreta.pricelist.parse", "carreta.order.check_qty", "carreta.order.check_comment"}
    assert (inspect.getdoc(logibridge.pricelist.read) or "").startswith("``carreta.pricelist.parse``")


def test_local_rows_run_on_both_clients(tmp_path: Path) -> None:
    price = tmp_path / "price.csv"
    price.write_bytes("Артикул;Цена;Количество\nOC47;152.02;<10\nX;oops;1\n".encode("cp1251"))
    shop = logibridge.Carreta("k" * 8)
    assert shop.order.check_qty(qty="<10", min_qty=1, order_qty=9) is True
    with pytest.raises(logibridge.ValidationError) as info:
        shop.order.check_qty(qty="<10", min_qty=1, order_qty=10)
    assert info.value.code == "order_qty.not_less_than_qty"
    page = shop.pricelist.parse(path=str(price))
    assert [r["code"] for r in page["rows"]] == ["OC47"] and len(page["bad_rows"]) == 1
    with pytest.raises(TypeError, match="by name"):
        shop.order.check_comment("x" * 51)

    async def run() -> None:
        ashop = logibridge.AsyncCarreta("k" * 8)
        assert await ashop.order.check_comment(client_comment="ok") is True
        with pytest.raises(logibridge.ValidationError):
            await ashop.order.check_comment(client_comment="x" * 51)
        assert (await ashop.pricelist.parse(path=str(price), limit=1))["next_offset"] is None

    asyncio.run(run())


def test_unknown_names_say_what_there_is() -> None:
    shop = logibridge.Carreta("k" * 8)
    with pytest.raises(AttributeError, match="check_qty, create"):
        shop.order.delete  # noqa: B018
    with pytest.raises(AttributeError, match="order, orders, pricelist, profile, search"):
        shop.ordr  # noqa: B018


def test_public_names() -> None:
    for name in logibridge.__all__:
        assert hasattr(logibridge, name), name
    assert logibridge.__version__ == _native.version()


def test_typing_markers_ship() -> None:
    files = resources.files("logibridge")
    assert files.joinpath("py.typed").is_file()
    assert files.joinpath("_native.pyi").is_file()


def test_native_module_is_abi3() -> None:
    assert ".abi3." in (_native.__file__ or "")


def test_endpoint_table_is_exposed() -> None:
    rows = {r["id"]: r for r in carreta_rows()}
    assert rows["carreta.order.create"]["idempotent"] is False
    assert rows["carreta.order.get"]["path"] == "order/{id}/"
    assert [p["name"] for p in rows["carreta.order.get"]["params"]] == ["id", "account"]
    assert logibridge.endpoints() == _native.endpoints()
    # A copy: changing it changes nothing.
    logibridge.endpoints()[0]["endpoints"].clear()
    assert len(carreta_rows()) == len(rows)


def test_one_service_of_the_table_is_described_alone() -> None:
    (whole,) = [s for s in _native.endpoints() if s["prefix"] == "carreta"]
    assert _native.endpoints("carreta") == [whole]
    assert _native.endpoints("no-such-service") == []


def test_import_loads_only_what_is_named() -> None:
    """`import logibridge` leaves CARGO.RUN, iRECA and the sandbox unloaded until a name of
    theirs is used; then they are there as before."""
    import subprocess
    import sys

    script = """
import sys, logibridge
loaded = lambda: sorted(m for m in sys.modules if m.startswith("logibridge."))
before = loaded()
assert "logibridge.carreta" in before and logibridge.Carreta.__module__ == "logibridge.carreta", before
for lazy in ("logibridge.cargorun", "logibridge.ireca", "logibridge.sandbox", "logibridge.pricelist", "logibridge._cargorun_models"):
    assert lazy not in before, (lazy, before)
from logibridge import Ireca
assert Ireca is logibridge.ireca.Ireca and "logibridge.ireca" in loaded()
assert logibridge.CargoRun is logibridge.cargorun.CargoRun and logibridge.AsyncCargoRun.__name__ == "AsyncCargoRun"
assert logibridge.sandbox.__name__ == "logibridge.sandbox" and logibridge.pricelist.read
assert set(logibridge.__all__) <= set(dir(logibridge))
try:
    logibridge.no_such_name
except AttributeError as e:
    assert "no_such_name" in str(e)
else:
    raise SystemExit("no AttributeError")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
