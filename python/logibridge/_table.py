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
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from . import _native
from ._exceptions import InvalidArgumentError

__all__ = ["endpoints", "register_service", "service", "row"]

_lock = threading.Lock()
# (services by prefix, rows by id), replaced whole when a service is registered.
_Table = Tuple[Dict[str, Dict[str, Any]], Dict[str, Dict[str, Any]]]
_table: Optional[_Table] = None


def _load() -> _Table:
    global _table
    with _lock:
        if _table is None:
            services: List[Dict[str, Any]] = _native.endpoints()
            rows = [r for s in services for r in s["endpoints"] + s.get("generic_endpoints", [])]
            _table = ({s["prefix"]: s for s in services}, {r["id"]: r for r in rows})
        return _table


def endpoints() -> List[Dict[str, Any]]:
    """The whole endpoint table: one dict per service (``prefix``, ``name``,
    ``default_base_url``, ``auth``, ``credentials``, ``common_params``, ``endpoints``,
    ``generic_endpoints``: CARGO.RUN's other Swagger operations, ``"kind": "generic"``, called
    by id or by :meth:`~logibridge.Client.call_path`), each
    row with its ``id``, ``kind``, ``method``, ``path``, ``params`` (every parameter: ``name``,
    ``in``, ``type``, ``required``, ``repeated``, ``default``, …), ``response``,
    ``paging``, ``idempotent`` and ``names`` (``names["python"]`` is the method a client
    shows, ``order.create`` → ``client.order.create``). A fresh copy: change it freely."""
    return copy.deepcopy(list(_load()[0].values()))


def register_service(description: Union[str, Mapping[str, Any]]) -> Dict[str, Any]:
    """Declares a service from its description (a dict, or its JSON text) in the shape
    :func:`endpoints` gives, so that :class:`~logibridge.Client` and
    :class:`~logibridge.AsyncClient` reach its rows by id and by ``names["python"]`` with
    no code of their own. Returns the service as the table now holds it.

    A prefix or an endpoint id can be registered once per process; a faulty description
    raises :class:`~logibridge.InvalidArgumentError` naming the faulty part.
    """
    global _table
    if isinstance(description, str):
        text = description
    elif isinstance(description, Mapping):
        text = json.dumps(description, ensure_ascii=False)
    else:
        raise TypeError(f"description must be a dict or JSON text, got {type(description).__name__}")
    registered: Dict[str, Any] = _native.register_service(text)
    with _lock:
        _table = None
    return registered


def service(prefix: str) -> Dict[str, Any]:
    """A service's description by prefix, or :class:`~logibridge.InvalidArgumentError`."""
    services = _load()[0]
    found = services.get(prefix)
    if found is None:
        known = ", ".join(services)
        raise InvalidArgumentError(f"unknown service {prefix!r}; the table has: {known}", code="invalid_argument")
    return found


def row(endpoint_id: str) -> Optional[Dict[str, Any]]:
    """A row by id, or None."""
    return _load()[1].get(endpoint_id)
