"""The package's shape: public names, typing markers, the abi3 module, and one Python method
per Carreta endpoint id on both clients."""

from __future__ import annotations

import inspect
import re
from importlib import resources
from typing import Dict, List, Set

import logibridge
from logibridge import _native


def carreta_ids() -> Set[str]:
    return {e["id"] for e in _native.endpoints() if e["service"] == "carreta" and e["method"] != "LOCAL"}


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


def test_every_carreta_id_has_a_method_on_both_clients() -> None:
    ids = carreta_ids()
    assert ids == {
        "carreta.profile.get",
        "carreta.search.query",
        "carreta.order.create",
        "carreta.order.list",
        "carreta.order.get",
        "carreta.order.history",
    }
    for cls in (logibridge.Carreta, logibridge.AsyncCarreta):
        client = cls("k" * 8)
        by_id = methods_by_id(client)
        assert set(by_id) == ids, cls
        for endpoint_id, names in by_id.items():
            resource, action = endpoint_id.split(".")[1:]
            # client.<resource>.<action>, plus the plural alias for orders.
            assert f"{resource}.{action}" in names, (endpoint_id, names)


def test_local_ids_are_module_functions() -> None:
    local = {e["id"] for e in _native.endpoints() if e["service"] == "carreta" and e["method"] == "LOCAL"}
    assert local == {"carreta.pricelist.parse"}
    assert (inspect.getdoc(logibridge.pricelist.read) or "").startswith("``carreta.pricelist.parse``")


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
    rows = {e["id"]: e for e in _native.endpoints()}
    assert rows["carreta.order.create"]["idempotent"] is False
    assert rows["carreta.order.get"]["path"] == "order/{id}/"


def test_a_resource_is_a_table_of_ids_and_models(shop: logibridge.Carreta) -> None:
    """How a new service's calls arrive: a resource class naming endpoint ids and models,
    on the generic plumbing, with no native code."""
    from logibridge._base import SyncResource
    from logibridge.carreta import Offer, Profile

    class Shop(SyncResource):
        def whoami(self) -> Profile:
            """``carreta.profile.get``"""
            return self._get("carreta.profile.get", None, Profile)

        def find(self, q: str) -> List[Offer]:
            """``carreta.search.query``"""
            return self._get_list("carreta.search.query", {"q": q}, Offer)

    res = Shop(shop)
    assert res.whoami() == shop.profile.get()
    assert res.find("oc47") == shop.search.query("oc47")
