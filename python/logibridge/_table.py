"""The endpoint table as the core describes it: every service, every row, every parameter.

Everything the Python face knows about a call comes from here (``_native.endpoints()`` is
the core's ``endpoints::describe_all``): the resources and methods of a client, the page
size of a list, the default base URL of a service. Services declared at run time
(:func:`register_service`) join the table and every client built afterwards.
"""

from __future__ import annotations

import copy
import json
import threading
from typing import Any, Dict, List, Mapping, Optional, Union

from . import _native
from ._exceptions import InvalidArgumentError

__all__ = ["endpoints", "register_service", "service", "row"]

_lock = threading.Lock()
# Services by prefix and rows by id, as far as loaded: one service's rows when a client of
# it is first made, the whole table when asked for it. Emptied when a service is registered.
_services: Dict[str, Dict[str, Any]] = {}
_rows: Dict[str, Dict[str, Any]] = {}
_whole = False


def _add(services: List[Dict[str, Any]]) -> None:
    for s in services:
        _services[s["prefix"]] = s
        for r in s["endpoints"] + s.get("generic_endpoints", []):
            _rows[r["id"]] = r


def _load() -> Dict[str, Dict[str, Any]]:
    """Every service, by prefix."""
    global _whole
    with _lock:
        if not _whole:
            services = _native.endpoints()
            # Anew, so that the services keep the table's order.
            _services.clear()
            _rows.clear()
            _add(services)
            _whole = True
        return _services


def _load_service(prefix: str) -> Optional[Dict[str, Any]]:
    with _lock:
        if prefix not in _services and not _whole:
            _add(_native.endpoints(prefix))
        return _services.get(prefix)


def endpoints() -> List[Dict[str, Any]]:
    """The whole endpoint table: one dict per service (``prefix``, ``name``,
    ``default_base_url``, ``auth``, ``credentials``, ``common_params``, ``endpoints``,
    ``generic_endpoints``: CARGO.RUN's other Swagger operations, ``"kind": "generic"``, called
    by id or by :meth:`~logibridge.Client.call_path`), each
    row with its ``id``, ``kind``, ``method``, ``path``, ``params`` (every parameter: ``name``,
    ``in``, ``type``, ``required``, ``repeated``, ``default``, …), ``response``,
    ``paging``, ``idempotent`` and ``names`` (``names["python"]`` is the method a client
    shows, ``order.create`` → ``client.order.create``). A fresh copy: change it freely."""
    return copy.deepcopy(list(_load().values()))


def register_service(description: Union[str, Mapping[str, Any]]) -> Dict[str, Any]:
    """Declares a service from its description (a dict, or its JSON text) in the shape
    :func:`endpoints` gives, so that :class:`~logibridge.Client` and
    :class:`~logibridge.AsyncClient` reach its rows by id and by ``names["python"]`` with
    no code of their own. Returns the service as the table now holds it.

    A prefix or an endpoint id can be registered once per process; a faulty description
    raises :class:`~logibridge.InvalidArgumentError` naming the faulty part.
    """
    if isinstance(description, str):
        text = description
    elif isinstance(description, Mapping):
        text = json.dumps(description, ensure_ascii=False)
    else:
        raise TypeError(f"description must be a dict or JSON text, got {type(description).__name__}")
    registered: Dict[str, Any] = _native.register_service(text)
    global _whole
    with _lock:
        _services.clear()
        _rows.clear()
        _whole = False
    return registered


def service(prefix: str) -> Dict[str, Any]:
    """A service's description by prefix, or :class:`~logibridge.InvalidArgumentError`."""
    found = _load_service(prefix)
    if found is None:
        known = ", ".join(_load())
        raise InvalidArgumentError(f"unknown service {prefix!r}; the table has: {known}", code="invalid_argument")
    return found


def row(endpoint_id: str) -> Optional[Dict[str, Any]]:
    """A row by id, or None."""
    prefix = endpoint_id.split(".", 1)[0]
    if _load_service(prefix) is None:
        return None
    return _rows.get(endpoint_id)
