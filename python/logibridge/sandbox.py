"""The embedded emulators, for your own tests and for offline development.

::

    import logibridge
    from logibridge import sandbox

    with sandbox.start() as sb:
        shop = logibridge.Carreta(sb.carreta.api_key, base_url=sb.carreta.base_url)
        offers = shop.search.query("oc47")
        order = shop.orders.create(offers[0], order_qty=offers[0].min_qty)
        sb.advance_order(order.id)            # play the shop: move the order along
        sb.add_fault("carreta.search.query", status=503)   # the next search fails once

    with sandbox.start() as sb:                # the iRECA Courier emulator beside it
        url, token = sb.ireca.base_url, sb.ireca.token
        sb.ireca_courier("209900", "take")     # play the courier: take, deliver, close, cancel

The servers run in this process, on their own thread, on a free port of 127.0.0.1; they
keep their state in memory and stop with the ``with`` block (or ``stop()``).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from types import TracebackType
from typing import Any, Dict, List, Optional, Tuple, Type

from . import _native, _table
from ._exceptions import InvalidArgumentError
from .cargorun import AsyncCargoRun, CargoRun
from .carreta import AsyncCarreta, Carreta
from .ireca import AsyncIreca, Ireca

__all__ = ["start", "Sandbox", "ServiceAccess", "TokenAccess", "LoginAccess", "DEFAULT_CARRETA_API_KEY", "DEFAULT_IRECA_TOKEN"]

DEFAULT_CARRETA_API_KEY = "sandbox-carreta-key"
"""The Carreta key the sandbox accepts unless told otherwise."""

DEFAULT_IRECA_TOKEN = "sandbox-ireca-token"
"""The iRECA Bearer token the sandbox accepts unless told otherwise."""

# Where each service lives under the sandbox's base URL.
_SERVICE_PATHS = {"carreta": "carreta/v1/", "ireca": "ireca/api/v1/", "cargorun": "cargorun/"}


class ServiceAccess:
    """How to reach one emulated service: its base URL and the credentials it accepts."""

    __slots__ = ("service", "base_url", "api_key", "accounts")

    def __init__(self, service: str, base_url: str, api_key: str, accounts: Tuple[str, ...]) -> None:
        self.service = service
        self.base_url = base_url
        self.api_key = api_key
        self.accounts = accounts
        """The accounts the key serves; the first is the default."""

    def __repr__(self) -> str:
        # The sandbox key is not a secret, but keep the habit: no credentials in repr.
        return f"ServiceAccess(service={self.service!r}, base_url={self.base_url!r}, accounts={self.accounts!r})"


class TokenAccess:
    """How to reach an emulated service that takes a Bearer token: its base URL and the
    token it accepts."""

    __slots__ = ("service", "base_url", "token")

    def __init__(self, service: str, base_url: str, token: str) -> None:
        self.service = service
        self.base_url = base_url
        self.token = token

    def __repr__(self) -> str:
        return f"TokenAccess(service={self.service!r}, base_url={self.base_url!r})"


class LoginAccess:
    """How to reach an emulated service that signs in with a user name and a password
    (CARGO.RUN): its base URL and the credentials it accepts."""

    __slots__ = ("service", "base_url", "username", "password")

    def __init__(self, service: str, base_url: str, username: str, password: str) -> None:
        self.service = service
        self.base_url = base_url
        self.username = username
        self.password = password

    def __repr__(self) -> str:
        return f"LoginAccess(service={self.service!r}, base_url={self.base_url!r}, username={self.username!r})"


class Sandbox:
    """A running sandbox: base URLs, credentials, and the control API (play the other side
    of a service, inject faults, read the request log)."""

    def __init__(self, native: _native.Sandbox) -> None:
        self._handle = native
        self.base_url: str = native.base_url
        """``http://127.0.0.1:PORT/``"""
        self.carreta = ServiceAccess("carreta", native.carreta_url, native.carreta_api_key, ("1001", "1002"))
        """The Carreta emulator: ``.base_url``, ``.api_key``, ``.accounts``."""
        self.ireca = TokenAccess("ireca", native.ireca_url, native.ireca_token)
        """The iRECA Courier emulator: ``.base_url``, ``.token`` (``Authorization: Bearer``)."""
        self.cargorun = LoginAccess("cargorun", native.cargorun_url, native.cargorun_username, native.cargorun_password)
        """The CARGO.RUN emulator: ``.base_url``, ``.username``, ``.password``."""
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    # -- clients ----------------------------------------------------------------------

    def carreta_client(self, **options: Any) -> Carreta:
        """A :class:`~logibridge.Carreta` client for this sandbox (options as for it)."""
        return Carreta(self.carreta.api_key, base_url=self.carreta.base_url, **options)

    def async_carreta_client(self, **options: Any) -> AsyncCarreta:
        """An :class:`~logibridge.AsyncCarreta` client for this sandbox."""
        return AsyncCarreta(self.carreta.api_key, base_url=self.carreta.base_url, **options)

    def ireca_client(self, **options: Any) -> Ireca:
        """An :class:`~logibridge.Ireca` client for this sandbox (options as for it)."""
        return Ireca(self.ireca.token, base_url=self.ireca.base_url, **options)

    def async_ireca_client(self, **options: Any) -> AsyncIreca:
        """An :class:`~logibridge.AsyncIreca` client for this sandbox."""
        return AsyncIreca(self.ireca.token, base_url=self.ireca.base_url, **options)

    def cargorun_client(self, **options: Any) -> CargoRun:
        """A :class:`~logibridge.CargoRun` client for this sandbox (options as for it:
        ``token_file``, ``timeout``, …)."""
        return CargoRun(self.cargorun.username, self.cargorun.password, base_url=self.cargorun.base_url, **options)

    def async_cargorun_client(self, **options: Any) -> AsyncCargoRun:
        """An :class:`~logibridge.AsyncCargoRun` client for this sandbox."""
        return AsyncCargoRun(self.cargorun.username, self.cargorun.password, base_url=self.cargorun.base_url, **options)

    # -- control API ------------------------------------------------------------------

    def _control(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        if not self.running:
            raise InvalidArgumentError("the sandbox is stopped", code="invalid_argument")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + "_control/" + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(request, timeout=30) as response:
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace")
            raise InvalidArgumentError(f"sandbox control {method} /_control/{path}: HTTP {e.code}: {detail}", code="invalid_argument") from None
        return json.loads(text) if text.strip() else None

    def advance_order(self, order_id: int, *, status: Optional[int] = None, comment: Optional[str] = None) -> Dict[str, Any]:
        """Plays the shop: moves a Carreta order to ``status`` (a code, or an
        :class:`~logibridge.carreta.OrderStatus`), or one step along the usual path, adding
        a history entry. Returns the order as the shop now shows it."""
        body: Dict[str, Any] = {}
        if status is not None:
            body["status"] = int(status)
        if comment is not None:
            body["comment"] = comment
        result: Dict[str, Any] = self._control("POST", f"carreta/orders/{int(order_id)}/advance", body)
        return result

    def ireca_courier(
        self,
        order_id: Any,
        action: str,
        *,
        return_reason_id: Any = None,
        receipt: Optional[Dict[str, Any]] = None,
    ) -> Dict[str, Any]:
        """Plays the iRECA courier on an order: ``action`` is ``"take"`` (6 → 7),
        ``"deliver"`` (7 → 9), ``"close"`` (→ 10, paid, receipt printed; ``receipt`` sets its
        attributes such as ``fiscalSign``) or ``"cancel"`` (→ 11, with ``return_reason_id``).
        Journals, geo points and the order callback follow as the service does them.
        Returns the order as the API now shows it."""
        body: Dict[str, Any] = {"orderId": order_id, "action": action}
        if return_reason_id is not None:
            body["returnReasonId"] = return_reason_id
        if receipt is not None:
            body["receipt"] = receipt
        result: Dict[str, Any] = self._control("POST", "ireca/courier", body)
        return result

    def ireca_callbacks(self) -> List[Dict[str, Any]]:
        """Every callback delivery attempt of the iRECA emulator (``kind``, ``url``,
        ``attempt``, ``result``: the status or the error, ``delivered``), oldest first."""
        result: List[Dict[str, Any]] = self._control("GET", "ireca/callbacks")
        return result

    def cargorun_complete_bid(self, bid_id: int, mileage: Optional[float] = None) -> Dict[str, Any]:
        """Plays the driver: a ``Started`` or ``Planned`` CARGO.RUN bid becomes ``Done``, each
        point gets its fact times and the bid ``factMileage`` (``mileage`` km, default 100).
        Returns the bid as the emulator holds it; another status is refused."""
        body: Dict[str, Any] = {} if mileage is None else {"mileage": mileage}
        result: Dict[str, Any] = self._control("POST", f"cargorun/bids/{int(bid_id)}/complete", body)
        return result

    def cargorun_distribute(self, distribution_bid_id: int, bid_id: int) -> Dict[str, Any]:
        """Plays the dispatcher: a distribution bid becomes ``InProcess`` with ``bid_id``."""
        result: Dict[str, Any] = self._control("POST", f"cargorun/distribution_bids/{int(distribution_bid_id)}/distribute", {"bid_id": int(bid_id)})
        return result

    def cargorun_expire_tokens(self, *, refresh_tokens: bool = False) -> int:
        """Every CARGO.RUN access token issued so far expires now (``refresh_tokens=True``:
        the refresh tokens are revoked too, so a client must sign in again). Returns how
        many expired."""
        result: Dict[str, Any] = self._control("POST", "cargorun/tokens/expire", {"refresh_tokens": refresh_tokens})
        return int(result.get("expired", 0))

    def cargorun_advance_clock(self, seconds: int) -> Dict[str, Any]:
        """Moves the CARGO.RUN emulator's clock (token expiry, the sign-in cooldown,
        ``createdAt``/``updatedAt``) by ``seconds``, whole seconds (the emulator's clock
        counts them; a float that is whole, ``60.0``, is taken too); returns
        ``{now, offset_seconds}``. Raises :class:`~logibridge.InvalidArgumentError` for
        anything else (``1.5``, NaN, text)."""
        given: Any = seconds  # any value a caller passes, whatever the annotation says
        whole = given if isinstance(given, int) and not isinstance(given, bool) else None
        if isinstance(given, float) and given.is_integer():
            whole = int(given)
        if whole is None:
            raise InvalidArgumentError(
                f"seconds must be a whole number of seconds (an int, or a whole float such as 60.0), got {seconds!r}",
                field="seconds",
                code="invalid_argument",
                message_ru=f"seconds: нужно целое число секунд (int или целое float, например 60.0), получено {seconds!r}",
            )
        result: Dict[str, Any] = self._control("POST", "cargorun/clock", {"advance_seconds": whole})
        return result

    def cargorun_calls(self) -> Dict[str, int]:
        """Requests the CARGO.RUN emulator received per endpoint id (every request that
        reached a row, whatever its answer) since the start or :meth:`cargorun_clear_calls`."""
        result: Dict[str, int] = self._control("GET", "cargorun/calls")
        return result

    def cargorun_clear_calls(self) -> None:
        """Sets the per-id request counts back to zero."""
        self._control("DELETE", "cargorun/calls")

    def cargorun_settings(self, *, token_lifetime_seconds: Optional[int] = None, cooldown_seconds: Optional[int] = None) -> Dict[str, Any]:
        """The emulator's token lifetime and sign-in cooldown, changed where given (for
        tokens issued afterwards)."""
        body = {k: v for k, v in (("token_lifetime_seconds", token_lifetime_seconds), ("cooldown_seconds", cooldown_seconds)) if v is not None}
        result: Dict[str, Any] = self._control("POST" if body else "GET", "cargorun/settings", body or None)
        return result

    def fault_path(self, endpoint: str) -> str:
        """The path prefix of an endpoint id (``carreta.order.get`` → ``/carreta/v1/order/``)."""
        e = _table.row(endpoint)
        service_path = _SERVICE_PATHS.get(e["service"]) if e is not None else None
        if e is not None and service_path is not None and e["method"] != "LOCAL":
            return "/" + service_path + str(e["path"]).split("{", 1)[0].split("?", 1)[0]
        raise InvalidArgumentError(f"no sandbox route for endpoint {endpoint!r}", code="invalid_argument")

    def add_fault(
        self,
        target: str,
        *,
        status: Optional[int] = None,
        count: int = 1,
        retry_after: Optional[str] = None,
        delay_ms: int = 0,
        body: Optional[str] = None,
        after_apply: bool = False,
        drop_answer: bool = False,
        method: Optional[str] = None,
    ) -> None:
        """Arms a fault for the next ``count`` requests to ``target`` (an endpoint id such as
        ``"carreta.search.query"``, or a path prefix such as ``"/carreta/v1/search"``):
        answer with ``status`` (and ``retry_after``, ``body``) instead of handling them,
        and/or wait ``delay_ms`` first. ``after_apply=True`` handles the request first and
        then waits ``delay_ms`` before answering; ``drop_answer=True`` handles it and cuts
        the connection instead of answering (the order exists, the client never hears so).
        ``method`` limits the fault to one HTTP method."""
        path = target if target.startswith("/") else self.fault_path(target)
        fault: Dict[str, Any] = {"path_prefix": path, "count": count, "delay_ms": delay_ms}
        if after_apply:
            fault["after_apply"] = True
        if drop_answer:
            fault["drop_answer"] = True
        if method is not None:
            fault["method"] = method
        if status is not None:
            fault["status"] = status
        if retry_after is not None:
            fault["retry_after"] = retry_after
        if body is not None:
            fault["body"] = body
        self._control("POST", "faults", fault)

    def faults(self) -> List[Dict[str, Any]]:
        """The armed faults."""
        result: List[Dict[str, Any]] = self._control("GET", "faults")
        return result

    def clear_faults(self) -> None:
        """Disarms every fault."""
        self._control("DELETE", "faults")

    def requests(self) -> List[Dict[str, Any]]:
        """The service requests received so far (``method``, ``path``, ``query`` with the key
        masked, ``status``), oldest first."""
        result: List[Dict[str, Any]] = self._control("GET", "requests")
        return result

    def clear_requests(self) -> None:
        """Empties the request log."""
        self._control("DELETE", "requests")

    def carreta_pricelist_url(self, rows: int = 1000) -> str:
        """URL of a generated Carreta price list (CSV, CP1251, ``;``) of ``rows`` rows."""
        return f"{self.base_url}carreta/pricelist.csv?{urllib.parse.urlencode({'rows': rows})}"

    @staticmethod
    def carreta_codes() -> List[str]:
        """Every part code of the emulated Carreta catalogue."""
        return _native.sandbox_carreta_codes()

    # -- lifetime ---------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._handle.running

    def stop(self) -> None:
        """Stops the servers (waits for requests in flight, briefly). Idempotent."""
        self._handle.stop()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<Sandbox {self.base_url}{'' if self.running else ' stopped'}>"


def start(
    *, seed: Optional[int] = None, carreta_api_key: Optional[str] = None, ireca_token: Optional[str] = None
) -> Sandbox:
    """Starts the emulators in this process on a free port of 127.0.0.1 and returns the
    running :class:`Sandbox` (use it as a context manager to stop it).

    :param seed: seed of the generated catalogue (the same seed gives the same offers).
    :param carreta_api_key: the key the Carreta emulator accepts
        (default :data:`DEFAULT_CARRETA_API_KEY`); not empty or blank.
    :param ireca_token: the Bearer token the iRECA emulator accepts
        (default :data:`DEFAULT_IRECA_TOKEN`); not empty or blank.
    :raises InvalidArgumentError: for an empty or blank ``carreta_api_key`` or
        ``ireca_token`` (the emulator would let requests through without one, unlike the
        service).
    """
    for field, value in (("carreta_api_key", carreta_api_key), ("ireca_token", ireca_token)):
        if value is not None and not value.strip():
            raise InvalidArgumentError(
                "must not be empty or blank",
                field=field,
                code="invalid_argument",
                message_ru="не может быть пустым",
            )
    return Sandbox(_native.Sandbox(seed=seed, carreta_api_key=carreta_api_key, ireca_token=ireca_token))
