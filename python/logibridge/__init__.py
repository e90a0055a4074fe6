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
from .cargorun import AsyncCargoRun, CargoRun
from .carreta import AsyncCarreta, Carreta
from .ireca import AsyncIreca, Ireca

# Imported for `logibridge.sandbox` / `logibridge.carreta` / `logibridge.ireca` attribute
# access after `import logibridge`.
from . import cargorun as cargorun  # noqa: E402
from . import carreta as carreta  # noqa: E402
from . import ireca as ireca  # noqa: E402
from . import pricelist as pricelist  # noqa: E402
from . import sandbox as sandbox  # noqa: E402

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
