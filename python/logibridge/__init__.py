"""logibridge — one client for the Carreta, iRECA Courier and CARGO.RUN APIs.

::

    import logibridge

    with logibridge.Carreta("my-api-key") as shop:
        for offer in shop.search.query("oc47"):
            print(offer.maker, offer.code, offer.price)

The work is done by the Rust core (``logibridge._native``): transport, retries,
validation, parsing, and the endpoint table every call is a row of. This package gives it
Python clients — typed ones per service (:class:`Carreta` and :class:`AsyncCarreta`;
:class:`Ireca` and :class:`AsyncIreca` with the iRECA callback receiver in
:mod:`logibridge.ireca`; :class:`CargoRun` and :class:`AsyncCargoRun`) and
the generic pair for any service of the table, registered ones included
(:class:`Client`, :class:`AsyncClient`; :func:`endpoints`, :func:`register_service`) —
typed models, exceptions, the embedded sandbox (:mod:`logibridge.sandbox`) and the
price-list reader (:mod:`logibridge.pricelist`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, List

from . import _logging, _native
from ._base import DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, AsyncClient, Client
from ._exceptions import (
    APIError,
    AuthenticationError,
    ConflictError,
    DecodeError,
    ForkedClientError,
    InvalidArgumentError,
    LogibridgeError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TimeoutError,
    TransportError,
    ValidationError,
)
from ._logging import flush_logs, logging_dropped
from ._models import Model
from ._pagination import AsyncPager, Page, SyncPager
from ._table import endpoints, register_service
from .carreta import AsyncCarreta, Carreta

if TYPE_CHECKING:
    from . import cargorun, ireca, pricelist, sandbox
    from .cargorun import AsyncCargoRun, CargoRun
    from .ireca import AsyncIreca, Ireca

from . import carreta as carreta  # noqa: E402

# The other services and parts are imported when first named (PEP 562): `import
# logibridge` then costs what Carreta and the price-list reader need, not CARGO.RUN's
# hundreds of operations (measured: 0.42 s → see BENCHMARKS.md, "import logibridge").
# `logibridge.cargorun`, `logibridge.CargoRun`, `from logibridge import Ireca` work as
# before.
_LAZY = {
    "cargorun": ("cargorun", None),
    "ireca": ("ireca", None),
    "pricelist": ("pricelist", None),
    "sandbox": ("sandbox", None),
    "CargoRun": ("cargorun", "CargoRun"),
    "AsyncCargoRun": ("cargorun", "AsyncCargoRun"),
    "Ireca": ("ireca", "Ireca"),
    "AsyncIreca": ("ireca", "AsyncIreca"),
}


if not TYPE_CHECKING:  # hidden from type checkers: a misspelt name stays an error

    def __getattr__(name: str) -> Any:
        try:
            module_name, attribute = _LAZY[name]
        except KeyError:
            raise AttributeError(f"module 'logibridge' has no attribute {name!r}") from None
        module = importlib.import_module(f".{module_name}", __name__)
        value = module if attribute is None else getattr(module, attribute)
        globals()[name] = value
        return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__: str = _native.version()

__all__ = [
    "Client",
    "AsyncClient",
    "endpoints",
    "register_service",
    "Carreta",
    "AsyncCarreta",
    "Ireca",
    "AsyncIreca",
    "CargoRun",
    "AsyncCargoRun",
    "LogibridgeError",
    "ValidationError",
    "InvalidArgumentError",
    "ForkedClientError",
    "APIError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "TimeoutError",
    "DecodeError",
    "Model",
    "Page",
    "SyncPager",
    "AsyncPager",
    "DEFAULT_TIMEOUT",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "flush_logs",
    "logging_dropped",
    "carreta",
    "cargorun",
    "ireca",
    "pricelist",
    "sandbox",
    "__version__",
]

_logging.setup_from_env()
_logging.start()
