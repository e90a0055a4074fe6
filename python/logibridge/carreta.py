"""Carreta auto-parts shop: profile, part search, orders, order history.

::

    import logibridge

    with logibridge.Carreta("my-api-key") as shop:
        offers = shop.search.query("oc47")
        order = shop.orders.create(offers[0], order_qty=1, client_comment="PO-17")
        for o in shop.orders.list(client_comment="PO-17"):
            print(o.number, o.status.name_en)

Resources mirror the endpoint table (each row's ``names["python"]``: ``profile.get``,
``search.query``, ``order.create``, ``order.create_once``, ``order.list``, ``order.get``,
``order.history``, and the library-side ``order.check_qty``, ``order.check_comment``,
``pricelist.parse``;
``orders`` is the same resource as ``order``). Each resource is written once for both
clients (``OrderResource[Sync]`` on :class:`Carreta`, ``OrderResource[Async]`` on
:class:`AsyncCarreta`). The documented order rules are checked before anything is sent;
the checks are also here as functions that need no client.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native, _table
from ._base import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    AsyncClientBase,
    ClientBase,
    F,
    NotGiven,
    Resource,
    SyncClientBase,
    many,
    one,
    paged,
)
from ._base import Async as _Async
from ._base import Sync as _Sync
from ._models import Model, UnknownIntEnum, field

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = [
    "Carreta",
    "AsyncCarreta",
    "Profile",
    "Offer",
    "NewOrder",
    "Order",
    "CreatedOrder",
    "CreateOutcome",
    "HistoryEntry",
    "OrderStatus",
    "check_order_qty",
    "check_client_comment",
    "qty_max_order",
    "DEFAULT_BASE_URL",
    "SHOP_TZ",
    "ORDERS_PER_PAGE",
]

_SERVICE = _table.service("carreta")

DEFAULT_BASE_URL: str = _SERVICE["default_base_url"]
"""The shop's production API."""

SHOP_TZ: tzinfo = timezone(timedelta(seconds=_native.carreta_utc_offset()), "MSK")
"""The shop's zone (UTC+03:00): its times carry no zone and are read in this one."""

ORDERS_PER_PAGE: int = next(r["paging"]["size"] for r in _SERVICE["endpoints"] if r["id"] == "carreta.order.list")
"""Orders per page of ``carreta.order.list``, as documented (its row's paging); a shorter
page is the last."""


# -- validators (no client needed) --------------------------------------------------


def check_order_qty(qty: str, min_qty: int, order_qty: int) -> None:
    """Checks an order size against an offer's stock text (``qty``: ``"10"``, ``"<10"``,
    ``">50"``, ``"Есть"``) and its minimum (``min_qty``; orders are multiples of it).

    Returns None when every documented rule holds; raises
    :class:`~logibridge.ValidationError` (``.code``, ``.field``, ``.message``) otherwise,
    nonsense input (``min_qty`` 0, negative numbers, huge numbers) included. A whole number
    outside the 64-bit signed range is refused before any rule, ``min_qty`` first, with
    ``min_qty.not_integer`` or ``order_qty.not_integer``, the message quoting the value as
    given (``2**70`` as ``1180591620717411303424``, never a clamped one; a very long one in
    part, saying its length; past Python's digit limit for ``str()``, in hexadecimal). A
    ``bool`` or a non-int is a :class:`TypeError` naming the argument.
    """
    _native.carreta_check_order_qty(qty, min_qty, order_qty)


def check_client_comment(comment: str) -> None:
    """Checks a ``client_comment``: at most 50 characters (not bytes). Raises
    :class:`~logibridge.ValidationError` when it is longer."""
    _native.carreta_check_client_comment(comment)


def qty_max_order(qty: str) -> Optional[int]:
    """The largest order a stock text allows (``"<10"`` → 9, ``">50"`` → 10000), or None
    for a form the document does not describe."""
    return _native.carreta_qty_info(qty)[2]


# -- models -------------------------------------------------------------------------


class _CarretaModel(Model):
    __naive_tz__: ClassVar[Optional[tzinfo]] = SHOP_TZ
    # The shop writes times as 2014-10-23T16:18:31.315072: shop time, no zone, microseconds
    # always (carreta-api.txt; the core's Timestamp writes the same form).
    __wire_time__: ClassVar[Optional[Tuple[str, str]]] = ("T", "microseconds")


_STATUS_NAMES: Dict[int, Tuple[str, str]] = {code: (ru, en) for code, _, ru, en in _native.carreta_order_statuses()}


class OrderStatus(UnknownIntEnum):
    """An order's status: the 13 documented codes. An undocumented code is kept as a
    pseudo-member ``UNKNOWN_<code>`` (``is_known`` False) instead of failing."""

    AWAITING_PAYMENT = 1
    RECEIVED = 2
    IN_PROGRESS = 3
    ACCEPTED_BY_SUPPLIER = 11
    IN_TRANSIT_FROM_SUPPLIER = 4
    AT_BRANCH_WAREHOUSE = 13
    IN_TRANSIT_FROM_BRANCH = 12
    AT_WAREHOUSE = 14
    IN_TRANSIT_TO_PICKUP = 15
    AT_PICKUP_POINT = 5
    ISSUED = 7
    OUT_OF_STOCK = 10
    CANCELLED = 8

    @property
    def code(self) -> int:
        """The shop's numeric code."""
        return int(self.value)

    @property
    def name_ru(self) -> str:
        """The shop's Russian name."""
        return _STATUS_NAMES.get(self.value, ("Неизвестный статус", "Unknown"))[0]

    @property
    def name_en(self) -> str:
        """An English name."""
        return _STATUS_NAMES.get(self.value, ("Неизвестный статус", "Unknown"))[1]

    def __str__(self) -> str:
        return self.name_ru


class Profile(_CarretaModel):
    """The account profile (``carreta.profile.get``)."""

    balance: Decimal
    """Balance, roubles."""
    city: str = ""
    email: str = ""
    name: str = ""
    """Full name."""
    phone: str = ""


class Offer(_CarretaModel):
    """One offer of a part (``carreta.search.query``). Order it with
    ``client.orders.create(offer, order_qty=...)``: the shop wants the row back unchanged."""

    signature: str = field(key="_")
    """The shop's opaque signature of the offer (``_``), sent back when ordering."""
    code: str
    desc: str = ""
    is_cross: bool = False
    """Whether this is an analogue rather than the part asked for."""
    maker: str
    min_qty: int
    """Minimum order; orders are multiples of it."""
    name: str
    period_max: int
    """Longest delivery time, days."""
    period_min: int
    """Shortest delivery time, days."""
    price: Decimal
    """Price, roubles."""
    qty: str
    """Stock as the shop wrote it: ``"10"``, ``"<10"``, ``">50"``, ``"Есть"``."""
    stat: Optional[int] = None
    """Delivery probability, percent (None: no statistics)."""
    source: str = ""

    @property
    def max_order(self) -> Optional[int]:
        """The largest order the stock allows (None for an undocumented ``qty`` form)."""
        return qty_max_order(self.qty)

    def check_order_qty(self, order_qty: int) -> None:
        """Raises :class:`~logibridge.ValidationError` if ``order_qty`` breaks a rule."""
        check_order_qty(self.qty, self.min_qty, order_qty)


class NewOrder(_CarretaModel):
    """An order request: an offer's fields as the search returned them, plus the quantity
    and an optional comment. Usually built for you by ``orders.create(offer, ...)``."""

    signature: str = field(key="_")
    code: str
    maker: str
    name: str
    price: Decimal
    period_min: int
    period_max: int
    min_qty: int
    qty: str
    order_qty: int
    """How many pieces to order."""
    client_comment: Optional[str] = field(default=None, omit_none=True)
    """Your comment or internal order number, at most 50 characters (left out of the
    order when None, as the core's ``NewOrder`` leaves it out)."""

    @classmethod
    def from_offer(cls, offer: Union[Offer, Mapping[str, Any]], order_qty: int, client_comment: Optional[str] = None) -> NewOrder:
        """An order for ``order_qty`` pieces of ``offer`` (an :class:`Offer` or a search row
        as a dict), carrying every field of the offer."""
        row = offer.to_dict(mode="json") if isinstance(offer, Model) else dict(offer)
        row["order_qty"] = order_qty
        if client_comment is not None:
            row["client_comment"] = client_comment
        return cls.from_dict(row)

    def validate(self) -> None:
        """Checks every documented rule; raises :class:`~logibridge.ValidationError`."""
        check_order_qty(self.qty, self.min_qty, self.order_qty)
        if self.client_comment is not None:
            check_client_comment(self.client_comment)


class Order(_CarretaModel):
    """An order (``carreta.order.get``, ``.list``, ``.create``)."""

    id: int
    number: str
    """The shop's order number, e.g. ``A111342-1``."""
    status: OrderStatus
    status_display: str = ""
    """The shop's text for the status."""
    comment: str = ""
    """The shop's comment."""
    client_comment: str = ""
    created: datetime
    """When the order was placed (timezone-aware, shop time)."""
    code: str
    maker: str
    name: str
    price: Decimal
    period_min: int
    period_max: int
    order_qty: int
    total: Decimal
    """Sum, roubles."""


class CreateOutcome(enum.Enum):
    """What ``orders.create_once`` did (the core's ``CreateOutcome``; ``.value`` is the
    wire form, ``"created"`` or ``"recovered"``)."""

    CREATED = "created"
    """The shop answered the create: this call made the order."""
    RECOVERED = "recovered"
    """The answer was lost after the order may have reached the shop (a timeout or a
    connection broken mid-answer), and the order was found by its ``client_comment``:
    it was made by this call, and nothing was sent twice."""


class CreatedOrder(_CarretaModel):
    """The result of ``orders.create_once`` (``carreta.order.create_once``): the order and
    whether it was created by the answered request or found after a lost answer."""

    outcome: CreateOutcome
    order: Order


class HistoryEntry(_CarretaModel):
    """One action in an order's history (``carreta.order.history``)."""

    comment: str = ""
    created: datetime


# -- request parameters ---------------------------------------------------------------


OfferLike = Union[Offer, NewOrder, Mapping[str, Any]]


def _create_params(
    offer: OfferLike,
    order_qty: Optional[int],
    client_comment: Optional[str],
    test: bool,
    account: Optional[str],
) -> Dict[str, Any]:
    """``order.create``'s arguments → the row's ``order`` (the offer sent back with the
    quantity and comment), ``test`` and ``account``."""
    if isinstance(offer, NewOrder):
        order: Dict[str, Any] = offer.to_dict(mode="json")
        if order_qty is not None:
            order["order_qty"] = order_qty
    else:
        if isinstance(offer, Model):
            order = offer.to_dict(mode="json")
        elif isinstance(offer, Mapping):
            order = dict(offer)
        else:
            raise TypeError(f"offer must be an Offer, a NewOrder or a dict, got {type(offer).__name__}")
        if order_qty is None:
            raise TypeError("order_qty is required when ordering an offer")
        order["order_qty"] = order_qty
    if client_comment is not None:
        order["client_comment"] = client_comment
    if order.get("client_comment") is None:
        order.pop("client_comment", None)
    return {"order": order, "test": test, "account": account}


# -- resources (each one class for both clients) --------------------------------------


class ProfileResource(Resource[F]):
    """``carreta.profile.*``"""

    @one("carreta.profile.get", Profile)
    def get(self, *, account: Optional[str] = None) -> None:
        """``carreta.profile.get``: balance and contact details."""


class SearchResource(Resource[F]):
    """``carreta.search.*``"""

    @many("carreta.search.query", Offer)
    def query(self, q: str, *, account: Optional[str] = None) -> None:
        """``carreta.search.query``: offers for a part code, analogues included."""


class OrderResource(Resource[F]):
    """``carreta.order.*`` (also reachable as ``client.orders``). Besides the methods
    below, the table's library-side rows are here too: ``check_qty(qty=, min_qty=,
    order_qty=)`` and ``check_comment(client_comment=)`` (True, or a
    :class:`~logibridge.ValidationError`)."""

    @one("carreta.order.create", Order, params=_create_params)
    def create(
        self,
        offer: OfferLike,
        *,
        order_qty: Optional[int] = None,
        client_comment: Optional[str] = None,
        test: bool = False,
        account: Optional[str] = None,
    ) -> None:
        """``carreta.order.create``: orders ``order_qty`` pieces of ``offer`` (an
        :class:`Offer`, a search row as a dict, or a :class:`NewOrder`). The documented
        rules are checked first: a broken one raises :class:`~logibridge.ValidationError`
        and nothing is sent. ``test=True`` places a test order. Never retried."""

    @one("carreta.order.create_once", CreatedOrder, params=_create_params)
    def create_once(
        self,
        offer: OfferLike,
        *,
        order_qty: Optional[int] = None,
        client_comment: Optional[str] = None,
        test: bool = False,
        account: Optional[str] = None,
    ) -> None:
        """``carreta.order.create_once``: :meth:`create` made **exactly once** by the
        order's ``client_comment``, which is required here (this argument or the
        :class:`NewOrder`'s; make it unique per order, e.g. your document number). Without
        one it raises :class:`~logibridge.InvalidArgumentError` (a
        :class:`~logibridge.ValidationError`; ``.field`` ``order.client_comment``, ``.code``
        ``param.required``) and nothing is sent, as for a broken order rule.

        When the answer is lost after the order may have reached the shop (a timeout, a
        connection broken mid-answer: ``err.outcome_unknown``), the order is looked up by
        its comment before anything is sent again (not found: it was not applied and is
        sent again, at most 3 sends in all). Returns a :class:`CreatedOrder`:
        ``.order`` and ``.outcome`` (:attr:`CreateOutcome.CREATED` or
        :attr:`CreateOutcome.RECOVERED`). An error raised here either did not create the
        order (``outcome_unknown`` False) or could not be resolved because the lookup
        failed too (``outcome_unknown`` True: look it up by the comment later)."""

    @paged("carreta.order.list", Order)
    def list(
        self,
        *,
        client_comment: Union[str, Sequence[str], None] = None,
        page: Optional[int] = None,
        account: Optional[str] = None,
    ) -> None:
        """``carreta.order.list``: orders, newest first, optionally only those whose
        ``client_comment`` is one of the given. Iterate (``for``, or ``async for`` on the
        asyncio client) for every order across all pages, fetched lazily
        (:data:`ORDERS_PER_PAGE` a page); ``.first_page()`` fetches one page; ``page=``
        starts at that page."""

    @one("carreta.order.get", Order)
    def get(self, id: int, *, account: Optional[str] = None) -> None:
        """``carreta.order.get``."""

    @many("carreta.order.history", HistoryEntry)
    def history(self, id: int, *, account: Optional[str] = None) -> None:
        """``carreta.order.history``: what happened to an order, oldest first."""


# -- clients (one definition, two flavours) -----------------------------------------


class _Carreta(ClientBase[F]):
    """The Carreta client, written once: :class:`Carreta` and :class:`AsyncCarreta` are
    its two flavours."""

    profile: ProfileResource[F]
    search: SearchResource[F]
    order: OrderResource[F]
    orders: OrderResource[F]

    def __init__(
        self,
        api_key: str,
        *,
        base_url: Optional[str] = None,
        account: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        deadline: Optional[float] = None,
    ) -> None:
        if not isinstance(api_key, str):
            raise TypeError(f"api_key must be a str, got {type(api_key).__name__}")
        options = {"api_key": api_key, "base_url": base_url, "account": account, "timeout": timeout, "connect_timeout": connect_timeout, "max_retries": max_retries, "deadline": deadline}
        self._open("carreta", options)

    def with_options(self, *, account: Union[str, None, NotGiven] = NOT_GIVEN, max_retries: Optional[int] = None) -> Self:
        """A client sharing this one's connections, acting for another ``account``
        (``None`` for the key's default) and/or with another ``max_retries``."""
        options: Dict[str, Any] = {} if isinstance(account, NotGiven) else {"account": account}
        if max_retries is not None:
            options["max_retries"] = max_retries
        return self._with_options(options)

    @property
    def account(self) -> Optional[str]:
        """The account the client acts for (None: the key's default)."""
        account: Optional[str] = self._handle.param("account")
        return account

    def _repr_fields(self) -> str:
        return f"base_url={self.base_url!r}, account={self.account!r}"


class Carreta(_Carreta[_Sync], SyncClientBase):
    """Blocking Carreta client. Safe to share between threads; ``with`` closes it.

    :param api_key: the key from the shop's profile page (never shown in messages or repr).
    :param base_url: the service URL (default: the production API; the sandbox's for tests).
    :param account: the account to act for when the key serves several.
    :param timeout: seconds for a whole request; ``connect_timeout`` to connect.
    :param max_retries: retries of idempotent calls on transient failures (orders are
        never retried).
    :param deadline: seconds one call may take, retries and their waits included (default
        3 × ``timeout``; the limits of ``timeout``): each attempt gets at most what is left,
        a retry whose wait would pass it is not made (a 429 raises
        :class:`RateLimitError` at once with its ``retry_after``), and once it has passed
        the call raises :class:`TimeoutError`.
    """


class AsyncCarreta(_Carreta[_Async], AsyncClientBase):
    """asyncio Carreta client: the same resources as :class:`Carreta`, methods are
    coroutines and lists are walked with ``async for``; ``async with`` closes it."""
