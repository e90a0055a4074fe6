"""iRECA Courier: catalogue, orders, receipts, logs, dictionaries, and the two callbacks.

::

    import logibridge
    from logibridge import ireca

    with logibridge.Ireca("my-token") as api:
        api.taxes.replace([{"taxId": 8284, "title": "НДС 20%", "taxTypeId": 1}])
        api.goods.create([ireca.Good(good_id="355866", tax_id=8284, title="Пицца", price=Decimal("179.50"))])
        for order in api.orders.list():
            print(order.order_id, order.amount_to_pay, order.delivery_time_to)

    with ireca.CallbackReceiver("callbacks.jsonl") as receiver:
        api.orders.set_callback(receiver.url)
        for entry in receiver:                 # waits; Ctrl-C stops it
            for order in entry.orders:
                print(order.order_id, order.delivery_status_id)
            receiver.ack(entry)

Resources mirror the endpoint table (each row's ``names["python"]``). The ten catalogue
resources (``goods``, ``specificities``, ``warehouses``, ``couriers``, ``roles``,
``clients``, ``suppliers``, ``return_reasons``, ``payment_types``, ``taxes``) are one class,
:class:`CatalogueResource`, parameterised by the resource's name and model: ``create(items)``,
``get(id)``, ``list(page=, count=)`` (a pager over every page), ``update(id, changes)``,
``replace(items)``, ``delete(id)``. Besides them: ``orders`` (``create``, ``create_refund``,
``get``, ``list``, ``update``, ``update_many``, ``replace``, ``delete``, ``set_callback``,
``status_journal``, ``lint``), ``locations``, ``receipts``, ``atol``, ``pechka54``,
``journal``, ``permissions``, ``licenses``, ``bank_terminal_logs``,
``fiscal_registrator_logs``, ``dictionary`` and ``callback``. Each resource is written once
for :class:`Ireca` and :class:`AsyncIreca`.

**Models.** The core reads the service's PHP-flavoured JSON (ids and money as numbers or
strings, flags as ``0/1``/``"1"``/``true``, ``{}`` and ``""`` for nothing) and hands over
the documented form; the models map it:

- attributes are snake_case (``order.amount_to_pay``), ``to_dict()`` gives the wire's
  camelCase names, and fields a model does not declare stay in ``extra`` and are sent back,
  so get → modify → update loses nothing;
- every field is optional (the service leaves fields out by endpoint) and ``None`` is not
  written;
- **ids** (:data:`Id`) are kept as the service wrote them: an ``int`` for a JSON number, a
  ``str`` for a JSON string (``"209900"``; some ids are not numbers, ``"registratorShiftOpen"``),
  and sent back the same way. Compare them with :func:`same_id` when either spelling may come;
- money and quantities are :class:`~decimal.Decimal` (``"679.570"`` and ``679.57`` are the
  same amount, never through a float);
- flags are ``bool`` (``0``/``1``/``"0"``/``"1"`` read as such);
- date-times are aware ``datetime`` in UTC. One given with any offset is converted to UTC;
  a naive one (or a text without a zone) given as an argument is refused with an
  :class:`~logibridge.InvalidArgumentError` naming the field — a local wall-clock time is
  never guessed to be UTC. The wire carries ``YYYY-MM-DD HH:MM:SS`` in GMT+0.

**Checks before sending** (the core's, from the document): the required attributes of
orders and catalogue items, one warehouse per goods line, ``deliveryTimeFrom`` ≤
``deliveryTimeTo``, INN checksums wherever an ``inn`` is sent, the seven attributes
``orders.update_many`` may change, ``count`` ≤ 500, an http(s) callback URL. A broken rule
raises :class:`~logibridge.ValidationError` (``.field`` names it, e.g. ``items[0].inn``)
and nothing is sent.
"""

from __future__ import annotations

import asyncio
import enum
import os
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Callable,
    ClassVar,
    Dict,
    FrozenSet,
    Generic,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
)

from . import _native, _table
from ._base import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    AsyncClientBase,
    ClientBase,
    F,
    Operation,
    PagedOperation,
    Params,
    Resource,
    SyncClientBase,
    many,
    one,
    paged,
)
from ._base import Async as _Async
from ._base import Sync as _Sync
from ._base import _Many, _One, _Operation
from ._exceptions import InvalidArgumentError
from ._models import Model, field, jsonable

if TYPE_CHECKING:
    from typing_extensions import Concatenate, ParamSpec, Self

    _P = ParamSpec("_P")

__all__ = [
    "Ireca",
    "AsyncIreca",
    "Id",
    "same_id",
    "OpenEnum",
    "CatalogueResource",
    "parse_order_callback",
    "parse_license_callback",
    "CallbackReceiver",
    "CallbackEntry",
    "DEFAULT_BASE_URL",
    "MAX_PAGE_COUNT",
    "MAX_CALLBACK_BYTES",
    # models
    "Order",
    "OrderClient",
    "Address",
    "OrderGood",
    "OrderWarehouse",
    "OrderSpecificity",
    "CanceledItem",
    "Payment",
    "ReturnedOrder",
    "ReturnedPayment",
    "ReturnedGood",
    "StatusJournalEntry",
    "Location",
    "CallbackSettings",
    "Good",
    "GoodStock",
    "Specificity",
    "Warehouse",
    "Courier",
    "Role",
    "Permission",
    "Customer",
    "Supplier",
    "ReturnReason",
    "ReturnReasonType",
    "PaymentType",
    "Tax",
    "OrderStatus",
    "DeliveryStatus",
    "CloseType",
    "TaxType",
    "CalcType",
    "PermissionInfo",
    "Receipt",
    "CorrectionReceipt",
    "TaxSystem",
    "AgentType",
    "AtolSettings",
    "AtolCompany",
    "AtolAgent",
    "Pechka54Settings",
    "BankTerminalLog",
    "FiscalRegistratorLog",
    "ChangeEvent",
    "ChangeJournalEntry",
    "Licenses",
    "License",
    "LicenseSession",
]

_SERVICE = _table.service("ireca")

DEFAULT_BASE_URL: str = _SERVICE["default_base_url"]
"""The service's production API."""

MAX_PAGE_COUNT: int = next(r["paging"]["max"] for r in _SERVICE["endpoints"] if r["id"] == "ireca.orders.list")
"""The largest ``count`` (items per page) the service serves; a walk asks for pages this
large unless ``count=`` says otherwise."""

MAX_CALLBACK_BYTES: int = _native.ireca_max_callback_bytes()
"""The largest callback body :func:`parse_order_callback` / :func:`parse_license_callback`
read (16 MiB)."""

Id = Union[int, str]
"""An id as the service wrote it: ``int`` for a JSON number, ``str`` for a JSON string."""


def same_id(a: Optional[Id], b: Optional[Id]) -> bool:
    """Whether two ids name the same object whatever their spelling (``209900`` and
    ``"209900"`` do; ids that are not whole numbers compare as text)."""
    if a is None or b is None:
        return a is b
    return str(a).strip() == str(b).strip() or (_whole(a) is not None and _whole(a) == _whole(b))


def _whole(v: Id) -> Optional[int]:
    try:
        return int(str(v).strip())
    except ValueError:
        return None


# -- models ---------------------------------------------------------------------------


class OpenEnum(enum.Enum):
    """A text enum the service may extend: the documented values are members, any other
    value is kept as a pseudo-member named ``UNKNOWN`` whose ``value`` is the text as
    received (``is_known`` False), and it is written back unchanged. ``str()`` is the
    wire text."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = object.__new__(cls)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return cls._value2member_map_.setdefault(value, member)

    @property
    def is_known(self) -> bool:
        """Whether the value is one the document lists."""
        return self._name_ in type(self).__members__

    def __str__(self) -> str:
        return str(self.value)


class _IrecaModel(Model):
    # The core hands over and takes date-times in RFC 3339 (it writes the wire's GMT+0
    # `2021-04-28 11:34:00` itself, and refuses a time without an offset); a zone-less
    # text read here is GMT+0.
    __naive_tz__ = timezone.utc
    __wire_time__ = None
    __flag_spellings__ = True
    __utc_times__ = True
    __secret_fields__: ClassVar[FrozenSet[str]] = frozenset()
    """Fields ``repr`` shows as ``***`` (passwords the service stores)."""

    def __repr__(self) -> str:
        hidden = type(self).__secret_fields__
        parts = []
        for f in type(self).__lb_fields__:
            value = getattr(self, f.name)
            if value is not None:
                parts.append(f"{f.name}={'***' if f.name in hidden else repr(value)}")
        if self.extra:
            parts.append(f"extra={self.extra!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _wire(key: str) -> Any:
    """An optional field under the wire name ``key``, left out of ``to_dict`` while None
    (the service's ``isset()`` makes no difference between absent and null)."""
    return field(key=key, default=None, omit_none=True)


class ReturnReasonType(OpenEnum):
    """The kind of a return reason (`type`); the document shows only `standard`."""

    STANDARD = "standard"


class TaxSystem(OpenEnum):
    """Taxation system of Atol Online settings (`company.taxSystem`)."""

    OSN = "osn"
    USN_INCOME = "usn_income"
    USN_INCOME_OUTCOME = "usn_income_outcome"
    ENVD = "envd"
    ESN = "esn"
    PATENT = "patent"


class AgentType(OpenEnum):
    """Agent type of Atol Online settings (`agent.type`)."""

    BANK_PAYING_AGENT = "bank_paying_agent"
    BANK_PAYING_SUBAGENT = "bank_paying_subagent"
    PAYING_AGENT = "paying_agent"
    PAYING_SUBAGENT = "paying_subagent"
    ATTORNEY = "attorney"
    COMMISSION_AGENT = "commission_agent"
    ANOTHER = "another"


class ChangeEvent(OpenEnum):
    """What happened to the order (`event`)."""

    CREATE = "create"
    UPDATE = "update"


class Order(_IrecaModel):
    """An order («Заказы»): the body of `orders` create, create refund (`?isRefund=1`), get, list, update and replace, and each item of the order callback."""

    order_id: Optional[Id] = _wire("orderId")
    """The order's id in your system (`orderId`, unique)."""
    code_alias: Optional[str] = _wire("codeAlias")
    """Shown in the courier's app instead of `orderId` when set (`codeAlias`)."""
    status_id: Optional[Id] = _wire("statusId")
    """Payment status, an id of `dictionary/orderStatuses` (`0` not paid, `1` paid)."""
    delivery_status_id: Optional[Id] = _wire("deliveryStatusId")
    """Delivery status, an id of `dictionary/orderDeliveryStatuses` (`6` prepared … `11` cancelled)."""
    receipt_status_id: Optional[Id] = _wire("receiptStatusId")
    """Receipt status (in the answers, not described by the document)."""
    fr_receipt_status_id: Optional[Id] = _wire("frReceiptStatusId")
    """Whether the fiscal registrator printed the receipt (answers only)."""
    is_agreed: Optional[bool] = _wire("isAgreed")
    """The order was agreed with the client; written `0`/`1`."""
    return_reason_id: Optional[Id] = _wire("returnReasonId")
    """Why the order was cancelled, a return reason's id."""
    courier_id: Optional[Id] = _wire("courierId")
    """The courier's id (`""` in answers when none is assigned: read as `None`)."""
    client_id: Optional[Id] = _wire("clientId")
    """The client's id; when absent, `client` describes the client."""
    supplier_id: Optional[Id] = _wire("supplierId")
    """The supplier's id (agent scheme)."""
    client: Optional[OrderClient] = _wire("client")
    """The client, used only when `clientId` is not set."""
    payment_id: Optional[Id] = _wire("paymentId")
    """The payment type's id (the last one set: default or used by the registrator)."""
    original_payment_id: Optional[Id] = _wire("originalPaymentId")
    """The payment type set by default (answers only)."""
    fr_used_payment_id: Optional[Id] = _wire("frUsedPaymentId")
    """The payment type used by the fiscal registrator (answers only)."""
    amount_to_pay: Optional[Decimal] = _wire("amountToPay")
    """Amount to pay before discounts, roubles; written as a number."""
    pre_payment_sum: Optional[Decimal] = _wire("prePaymentSum")
    """Prepaid amount, roubles (a second receipt is printed when set)."""
    cash: Optional[Decimal] = _wire("cash")
    """The banknote the client pays with, roubles."""
    address_from: Optional[str] = _wire("addressFrom")
    """Pick-up address in one line (the older form of `addressFromEntity`)."""
    address_from_entity: Optional[Address] = _wire("addressFromEntity")
    """Pick-up address (recommended over `addressFrom`)."""
    address_to: Optional[str] = _wire("addressTo")
    """Delivery address in one line (the older form of `addressToEntity`)."""
    address_to_entity: Optional[Address] = _wire("addressToEntity")
    """Delivery address (recommended over `addressTo`)."""
    phone: Optional[str] = _wire("phone")
    """Phone (the client's when not set)."""
    delivery_time_from: Optional[datetime] = _wire("deliveryTimeFrom")
    """Deliver from, UTC (`YYYY-MM-DD HH:MM:SS` GMT+0 on the wire)."""
    delivery_time_to: Optional[datetime] = _wire("deliveryTimeTo")
    """Deliver by, UTC."""
    description: Optional[str] = _wire("description")
    """Description of the order."""
    goods: Optional[List[OrderGood]] = _wire("goods")
    """The goods lines."""
    payments: Optional[List[Payment]] = _wire("payments")
    """Payments (sent with a refund order; in answers, the payments made)."""
    returned_order: Optional[ReturnedOrder] = _wire("returnedOrder")
    """The return made on this order, if any."""
    is_refund: Optional[bool] = _wire("isRefund")
    """This order is a refund; written `true`/`false` as in the refund example."""
    is_returned: Optional[bool] = _wire("isReturned")
    """A return was made on this order (answers only); written `0`/`1`."""
    is_edited: Optional[bool] = _wire("isEdited")
    """The courier edited the order's lines (answers only); written `0`/`1`."""


class OrderClient(_IrecaModel):
    """The client of an order (`client`), used when `clientId` is not set."""

    firstname: Optional[str] = _wire("firstname")
    """First name."""
    lastname: Optional[str] = _wire("lastname")
    """Last name."""
    inn: Optional[str] = _wire("inn")
    """INN (10 or 12 digits; checked by the client before sending)."""
    email: Optional[str] = _wire("email")
    """E-mail."""


class Address(_IrecaModel):
    """An address (`addressFromEntity`, `addressToEntity` of an order, `addressEntity` of a client). Coordinates are written as strings with their own digits, as the update examples and the attribute lists give them."""

    postindex: Optional[str] = _wire("postindex")
    """Postcode."""
    city: Optional[str] = _wire("city")
    """City (required when creating an order)."""
    street: Optional[str] = _wire("street")
    """Street (required when creating an order)."""
    home: Optional[str] = _wire("home")
    """House (required when creating an order)."""
    apartment: Optional[str] = _wire("apartment")
    """Flat or office."""
    latitude: Optional[Decimal] = _wire("latitude")
    """Latitude, degrees."""
    longitude: Optional[Decimal] = _wire("longitude")
    """Longitude, degrees."""
    is_use_google_geo: Optional[bool] = _wire("isUseGoogleGeo")
    """Let the service geocode the address with the Google Geocoding API (required when creating an order); written `true`/`false`."""


class OrderGood(_IrecaModel):
    """A goods line of an order (`goods[]`). The line carries the good's catalogue fields as the service answers them (title, article, imageUrl…) besides its own."""

    good_id: Optional[Id] = _wire("goodId")
    """The good's id (`goodId`)."""
    count: Optional[Decimal] = _wire("count")
    """Quantity (required)."""
    price: Optional[Decimal] = _wire("price")
    """Price, roubles (required)."""
    total: Optional[Decimal] = _wire("total")
    """Line total before discount, roubles (required)."""
    discount_total: Optional[Decimal] = _wire("discountTotal")
    """Discount (negative) or surcharge (positive), roubles (required)."""
    tax_id: Optional[Id] = _wire("taxId")
    """Tax rate's id (the good's own when not set)."""
    position: Optional[int] = _wire("position")
    """Line number."""
    unit: Optional[str] = _wire("unit")
    """Unit (`""` means «шт»)."""
    ved_code: Optional[str] = _wire("vedCode")
    """Commodity nomenclature code (tag 1162)."""
    country_code: Optional[str] = _wire("countryCode")
    """Country of origin (tag 1230)."""
    custom_declaration_code: Optional[str] = _wire("customDeclarationCode")
    """Customs declaration number (tag 1231)."""
    mark_value: Optional[str] = _wire("markValue")
    """Marking code as scanned."""
    mark_binary_value: Optional[str] = _wire("markBinaryValue")
    """Marking code decoded (preferred: not every terminal decodes)."""
    weight: Optional[Decimal] = _wire("weight")
    """Weight; written as a number as in the order examples."""
    description: Optional[str] = _wire("description")
    """Description of the line."""
    warehouses: Optional[List[OrderWarehouse]] = _wire("warehouses")
    """Where to pick the good up (the document allows one warehouse for now)."""
    specificities: Optional[List[OrderSpecificity]] = _wire("specificities")
    """Specificities of the line (marked «in testing» by the document)."""
    canceled_items: Optional[List[CanceledItem]] = _wire("canceledItems")
    """Items of this line the courier removed."""
    return_reason_id: Optional[Id] = _wire("returnReasonId")
    """Why the line was cancelled, a return reason's id (answers)."""
    parent_id: Optional[Id] = _wire("parentId")
    """The good's parent (catalogue group) id (answers)."""
    article: Optional[str] = _wire("article")
    """Article (answers)."""
    calc_id: Optional[Id] = _wire("calcId")
    """Settlement subject, an id of `dictionary/goodCalcTypes` (answers)."""
    title: Optional[str] = _wire("title")
    """The good's name (answers)."""
    multiplicity: Optional[Decimal] = _wire("multiplicity")
    """Step of quantity changes in the app (answers)."""
    image_url: Optional[str] = _wire("imageUrl")
    """Image link (answers)."""
    image_big_url: Optional[str] = _wire("imageBigUrl")
    """Large image link (answers)."""
    is_active: Optional[bool] = _wire("isActive")
    """`0` deleted, `1` active (answers); written `0`/`1`."""


class CanceledItem(_IrecaModel):
    """Items of a goods line the courier removed (`goods[].canceledItems[]`)."""

    return_reason_id: Optional[Id] = _wire("returnReasonId")
    """Why, a return reason's id."""
    count: Optional[Decimal] = _wire("count")
    """How many were removed."""
    created_at: Optional[datetime] = _wire("createdAt")
    """When, UTC."""


class Payment(_IrecaModel):
    """A payment of an order (`payments[]`; sent with a refund order)."""

    payment_id: Optional[Id] = _wire("paymentId")
    """The payment's id in your system."""
    payment_type_id: Optional[Id] = _wire("paymentTypeId")
    """The payment type's id."""
    price: Optional[Decimal] = _wire("price")
    """Amount, roubles."""
    paid_in: Optional[datetime] = _wire("paidIn")
    """When it was paid, UTC."""
    card_mask: Optional[str] = _wire("cardMask")
    """Card mask (card payments)."""
    rrn: Optional[str] = _wire("rrn")
    """The bank transaction's id, RRN (card payments)."""
    card_auth: Optional[str] = _wire("cardAuth")
    """The bank's authorisation code (card payments)."""


class ReturnedOrder(_IrecaModel):
    """The return made on an order (`returnedOrder`)."""

    returned_order_id: Optional[Id] = _wire("returnedOrderId")
    """The returned order's id in your system."""
    return_reason_id: Optional[Id] = _wire("returnReasonId")
    """Why, a return reason's id."""
    created_at: Optional[datetime] = _wire("createdAt")
    """When, UTC."""
    returned_payments: Optional[List[ReturnedPayment]] = _wire("returnedPayments")
    """Money paid back."""
    returned_goods: Optional[List[ReturnedGood]] = _wire("returnedGoods")
    """Goods taken back."""


class ReturnedPayment(_IrecaModel):
    """A payment given back (`returnedOrder.returnedPayments[]`)."""

    payment_id: Optional[Id] = _wire("paymentId")
    """The payment's id in your system."""
    payment_type_id: Optional[Id] = _wire("paymentTypeId")
    """The payment type's id."""
    sum: Optional[Decimal] = _wire("sum")
    """Amount, roubles."""
    created_at: Optional[datetime] = _wire("createdAt")
    """When, UTC."""


class ReturnedGood(_IrecaModel):
    """A good taken back (`returnedOrder.returnedGoods[]`)."""

    good_id: Optional[Id] = _wire("goodId")
    """The good's id."""
    return_reason_id: Optional[Id] = _wire("returnReasonId")
    """Why, a return reason's id."""
    count: Optional[Decimal] = _wire("count")
    """How many."""
    sum: Optional[Decimal] = _wire("sum")
    """Amount, roubles."""
    created_at: Optional[datetime] = _wire("createdAt")
    """When, UTC."""


class StatusJournalEntry(_IrecaModel):
    """A change of an order's delivery status, with where the courier was (`orders/journalStatuses`)."""

    status_id: Optional[Id] = _wire("statusId")
    """The status set."""
    return_reason_id: Optional[Id] = _wire("returnReasonId")
    """The return reason set with it."""
    longitude: Optional[Decimal] = _wire("longitude")
    """Longitude, degrees."""
    latitude: Optional[Decimal] = _wire("latitude")
    """Latitude, degrees."""
    accuracy: Optional[Decimal] = _wire("accuracy")
    """Accuracy, metres."""
    created_at: Optional[datetime] = _wire("createdAt")
    """When, UTC."""


class Location(_IrecaModel):
    """A courier's position («Geo-данные», `locations`); updated at most once a minute."""

    courier_id: Optional[Id] = _wire("courierId")
    """The courier's id."""
    order_id: Optional[Id] = _wire("orderId")
    """The order the courier was on."""
    order_status_id: Optional[Id] = _wire("orderStatusId")
    """The order's status (attribute list)."""
    delivery_status_id: Optional[Id] = _wire("deliveryStatusId")
    """The order's delivery status (example body)."""
    return_reason_id: Optional[Id] = _wire("returnReasonId")
    """The return reason, if any."""
    longitude: Optional[Decimal] = _wire("longitude")
    """Longitude, degrees (the document's own captions swap latitude and longitude; the values are what their names say)."""
    latitude: Optional[Decimal] = _wire("latitude")
    """Latitude, degrees."""
    accuracy: Optional[Decimal] = _wire("accuracy")
    """Accuracy, metres."""
    created_at: Optional[datetime] = _wire("createdAt")
    """When, UTC."""


class CallbackSettings(_IrecaModel):
    """The body of `orders/callback` and `licenses/callback`: where iRECA should POST, and whether it should."""

    url: Optional[str] = _wire("url")
    """The URL iRECA POSTs to."""
    is_active: Optional[bool] = _wire("isActive")
    """`1` on, `0` off; written `0`/`1`."""


class Good(_IrecaModel):
    """A good of the catalogue («Каталог товаров», `goods`)."""

    good_id: Optional[Id] = _wire("goodId")
    """The good's id in your system (required)."""
    article: Optional[str] = _wire("article")
    """Article."""
    parent_id: Optional[Id] = _wire("parentId")
    """Parent (group) id; `null` at the top."""
    tax_id: Optional[Id] = _wire("taxId")
    """Tax rate's id (required)."""
    calc_id: Optional[Id] = _wire("calcId")
    """Settlement subject, an id of `dictionary/goodCalcTypes`."""
    title: Optional[str] = _wire("title")
    """Name (required)."""
    unit: Optional[str] = _wire("unit")
    """Unit."""
    weight: Optional[Decimal] = _wire("weight")
    """Weight; written as a string as in the goods examples (`"370"`)."""
    multiplicity: Optional[Decimal] = _wire("multiplicity")
    """Step of quantity changes in the app."""
    price: Optional[Decimal] = _wire("price")
    """Price, roubles (required)."""
    description: Optional[str] = _wire("description")
    """Description."""
    image_url: Optional[str] = _wire("imageUrl")
    """Image link."""
    image_big_url: Optional[str] = _wire("imageBigUrl")
    """Large image link."""
    is_active: Optional[bool] = _wire("isActive")
    """`0` deleted, `1` active (answers); written `0`/`1`."""
    warehouses: Optional[List[GoodStock]] = _wire("warehouses")
    """The warehouses holding the good."""


class GoodStock(_IrecaModel):
    """A good's stock at a warehouse (`goods[].warehouses[]` of the catalogue)."""

    warehouse_id: Optional[Id] = _wire("warehouseId")
    """The warehouse's id in your system."""
    count: Optional[Decimal] = _wire("count")
    """How many are there."""


class Specificity(_IrecaModel):
    """A specificity (characteristic) of goods («Характеристики», `specificities`)."""

    specificity_id: Optional[Id] = _wire("specificityId")
    """The specificity's id in your system (required)."""
    parent_id: Optional[Id] = _wire("parentId")
    """The element it belongs to (required, may be `null`)."""
    title: Optional[str] = _wire("title")
    """Name (required)."""
    value: Optional[str] = _wire("value")
    """Value."""
    price: Optional[Decimal] = _wire("price")
    """Price, roubles (required); written as a number (the examples give both `"250.00"` and `10.5`)."""
    image_url: Optional[str] = _wire("imageUrl")
    """Image link."""
    image_big_url: Optional[str] = _wire("imageBigUrl")
    """Large image link."""
    article: Optional[str] = _wire("article")
    """Article."""
    is_active: Optional[bool] = _wire("isActive")
    """`0` deleted, `1` active (answers); written `0`/`1`."""


class Warehouse(_IrecaModel):
    """A warehouse («Склады», `warehouses`). Coordinates are written as strings, as in the update examples."""

    warehouse_id: Optional[Id] = _wire("warehouseId")
    """The warehouse's id in your system (required)."""
    title: Optional[str] = _wire("title")
    """Name (required)."""
    firstname: Optional[str] = _wire("firstname")
    """The person in charge: first name."""
    lastname: Optional[str] = _wire("lastname")
    """Last name."""
    phone: Optional[str] = _wire("phone")
    """Phone."""
    city: Optional[str] = _wire("city")
    """City."""
    street: Optional[str] = _wire("street")
    """Street."""
    house: Optional[str] = _wire("house")
    """House."""
    apartment: Optional[str] = _wire("apartment")
    """Office."""
    latitude: Optional[Decimal] = _wire("latitude")
    """Latitude, degrees."""
    longitude: Optional[Decimal] = _wire("longitude")
    """Longitude, degrees."""
    description: Optional[str] = _wire("description")
    """Description."""
    updated_at: Optional[datetime] = _wire("updatedAt")
    """Last change, UTC (answers)."""
    is_active: Optional[bool] = _wire("isActive")
    """`0` deleted, `1` active (answers); written `0`/`1`."""


class OrderWarehouse(Warehouse):
    """A warehouse of an order's goods line (``goods[].warehouses[]``): how many to take
    from it, and in answers the warehouse's own fields (``warehouseId`` is required when
    creating)."""

    count: Optional[Decimal] = _wire("count")
    """How many to take (required when creating)."""
    took_count: Optional[Decimal] = _wire("tookCount")
    """How many were taken (answers)."""


class OrderSpecificity(Specificity):
    """A specificity of an order's goods line (``goods[].specificities[]``): how many, and
    the specificity's own fields (its ``price`` is informative: the good's price includes
    it)."""

    count: Optional[Decimal] = _wire("count")
    """How many (required when creating)."""


class Courier(_IrecaModel):
    """A courier («Курьер», `couriers`). ``source_password`` never shows in ``repr``."""

    __secret_fields__ = frozenset({"source_password"})

    courier_id: Optional[Id] = _wire("courierId")
    """The courier's id in your system (required)."""
    title: Optional[str] = _wire("title")
    """First and last name (required)."""
    email: Optional[str] = _wire("email")
    """E-mail (required)."""
    phone: Optional[str] = _wire("phone")
    """Phone (required)."""
    role_id: Optional[Id] = _wire("roleId")
    """The app role's id."""
    source_password: Optional[str] = _wire("sourcePassword")
    """The initial password (required when creating)."""
    inn: Optional[str] = _wire("inn")
    """The cashier's INN (10 or 12 digits)."""
    updated_at: Optional[datetime] = _wire("updatedAt")
    """Last change, UTC (answers)."""
    is_active: Optional[bool] = _wire("isActive")
    """False once deleted (a soft delete: the object stays); written ``0``/``1``."""


class Role(_IrecaModel):
    """A role of the courier app («Роли приложения», `userRoles`)."""

    role_id: Optional[Id] = _wire("roleId")
    """The role's id in your system (required)."""
    title: Optional[str] = _wire("title")
    """Name (required)."""
    is_active: Optional[bool] = _wire("isActive")
    """`0` deleted, `1` active (answers); written `0`/`1`."""


class Permission(_IrecaModel):
    """A role's access setting («Настройки доступа», `permissions`; not on Evotor devices)."""

    role_id: Optional[Id] = _wire("roleId")
    """The role's id."""
    action_id: Optional[Id] = _wire("actionId")
    """The setting's id, a `permissionId` of `dictionary/permissions` (`registratorShiftOpen`)."""
    role_title: Optional[str] = _wire("roleTitle")
    """The role's name (answers)."""
    is_allowed: Optional[bool] = _wire("isAllowed")
    """Allowed; written `"0"`/`"1"` as in the replace example."""
    description: Optional[str] = _wire("description")
    """What the setting does (answers)."""
    updated_at: Optional[datetime] = _wire("updatedAt")
    """Last change, UTC (answers)."""


class Customer(_IrecaModel):
    """A client of the shop («Клиент», `clients`): named ``Customer``, as in the core, so it is never
    confused with an API client (:class:`~logibridge.Client`, :class:`Ireca`)."""

    client_id: Optional[Id] = _wire("clientId")
    """The client's id in your system (required)."""
    title: Optional[str] = _wire("title")
    """Company name (required)."""
    firstname: Optional[str] = _wire("firstname")
    """First name (required)."""
    lastname: Optional[str] = _wire("lastname")
    """Last name (required)."""
    birthday: Optional[date] = _wire("birthday")
    """Birthday, a calendar date (required by the document)."""
    address_entity: Optional[Address] = _wire("addressEntity")
    """Address."""
    inn: Optional[str] = _wire("inn")
    """INN (10 or 12 digits)."""
    phone: Optional[str] = _wire("phone")
    """Phone."""
    email: Optional[str] = _wire("email")
    """E-mail."""
    description: Optional[str] = _wire("description")
    """Description."""
    updated_at: Optional[datetime] = _wire("updatedAt")
    """Last change, UTC (answers)."""
    is_active: Optional[bool] = _wire("isActive")
    """False once deleted (a soft delete: the object stays); written ``0``/``1``."""


class Supplier(_IrecaModel):
    """A supplier, for the agent scheme («Поставщики», `suppliers`)."""

    supplier_id: Optional[Id] = _wire("supplierId")
    """The supplier's id in your system (required)."""
    title: Optional[str] = _wire("title")
    """Name (required)."""
    tax_id: Optional[Id] = _wire("taxId")
    """Tax rate's id."""
    inn: Optional[str] = _wire("inn")
    """INN (10 or 12 digits)."""
    phone: Optional[str] = _wire("phone")
    """Phone."""
    address: Optional[str] = _wire("address")
    """Address in one line."""
    description: Optional[str] = _wire("description")
    """Description."""
    is_active: Optional[bool] = _wire("isActive")
    """False once deleted (a soft delete: the object stays); written ``0``/``1``."""


class ReturnReason(_IrecaModel):
    """Why an order was cancelled («Причины отмены заказа», `orderReturnReasons`)."""

    reason_id: Optional[Id] = _wire("reasonId")
    """The reason's id in your system."""
    title: Optional[str] = _wire("title")
    """Name."""
    kind: Optional[ReturnReasonType] = _wire("type")
    """Kind (answers)."""
    is_active: Optional[bool] = _wire("isActive")
    """False once deleted (a soft delete: the object stays); written ``0``/``1``."""


class PaymentType(_IrecaModel):
    """A payment type («Типы платежей», `paymentTypes`)."""

    payment_type_id: Optional[Id] = _wire("paymentTypeId")
    """The payment type's id in your system."""
    close_type_id: Optional[Id] = _wire("closeTypeId")
    """How the fiscal registrator closes it, an id of `dictionary/closeTypes` (`1` cash, `2` card; required)."""
    title: Optional[str] = _wire("title")
    """Name."""
    updated_at: Optional[datetime] = _wire("updatedAt")
    """Last change, UTC (answers)."""
    is_active: Optional[bool] = _wire("isActive")
    """False once deleted (a soft delete: the object stays); written ``0``/``1``."""


class Tax(_IrecaModel):
    """A tax rate («Налоговые ставки», `taxes`)."""

    tax_id: Optional[Id] = _wire("taxId")
    """The rate's id (required)."""
    title: Optional[str] = _wire("title")
    """Name, one of `dictionary/taxTypes` (`20%`)."""
    is_active: Optional[bool] = _wire("isActive")
    """False once deleted (a soft delete: the object stays); written ``0``/``1``."""


class OrderStatus(_IrecaModel):
    """A payment status (`dictionary/orderStatuses`: `0` not paid, `1` paid)."""

    status_id: Optional[Id] = _wire("statusId")
    """The status id, as used in an order's `statusId`."""
    title: Optional[str] = _wire("title")
    """Name."""


class DeliveryStatus(_IrecaModel):
    """A delivery status (`dictionary/orderDeliveryStatuses`: `6` prepared, `7` taken, `9` delivered, `10` closed, `11` cancelled)."""

    status_id: Optional[Id] = _wire("statusId")
    """The status id, as used in an order's `deliveryStatusId`."""
    title: Optional[str] = _wire("title")
    """Name."""


class CloseType(_IrecaModel):
    """How the fiscal registrator closes a payment (`dictionary/closeTypes`: `1` cash, `2` card)."""

    close_type_id: Optional[Id] = _wire("closeTypeId")
    """The id, as used in a payment type's `closeTypeId`."""
    title: Optional[str] = _wire("title")
    """Name."""


class TaxType(_IrecaModel):
    """A predefined tax rate name (`dictionary/taxTypes`: `20%`, `10%/110%`…)."""

    title: Optional[str] = _wire("title")
    """The name, as used in a tax's `title`."""


class CalcType(_IrecaModel):
    """A settlement subject (`dictionary/goodCalcTypes`: `0` unused, `1` goods, `4` service)."""

    calc_id: Optional[Id] = _wire("calcId")
    """The id, as used in a good's `calcId`."""
    title: Optional[str] = _wire("title")
    """Name."""


class PermissionInfo(_IrecaModel):
    """An access setting of the app (`dictionary/permissions`)."""

    permission_id: Optional[Id] = _wire("permissionId")
    """The setting's id, as used in a permission's `actionId` (`registratorShiftOpen`)."""
    description: Optional[str] = _wire("description")
    """What it allows."""


class Receipt(_IrecaModel):
    """A payment or refund receipt of an order (`orderReceipts`, `orderReturnReceipts`: one shape for both)."""

    order_id: Optional[Id] = _wire("orderId")
    """The order's id in your system."""
    serial_number: Optional[str] = _wire("serialNumber")
    """The registrator's serial number."""
    shift_number: Optional[str] = _wire("shiftNumber")
    """Shift number."""
    fn: Optional[str] = _wire("fn")
    """Fiscal storage number (ФН)."""
    fd_number: Optional[str] = _wire("fdNumber")
    """The receipt's number in the fiscal storage."""
    receipt_number: Optional[str] = _wire("receiptNumber")
    """The receipt's number at the till."""
    fiscal_sign: Optional[str] = _wire("fiscalSign")
    """Fiscal sign of the document."""
    date_time_receipt: Optional[datetime] = _wire("dateTimeReceipt")
    """When the receipt was printed, UTC."""


class CorrectionReceipt(_IrecaModel):
    """A correction receipt (`correctionReceipts`)."""

    correction_receipt_id: Optional[Id] = _wire("correctionReceiptId")
    """The receipt's id in iRECA."""
    courier_id: Optional[Id] = _wire("courierId")
    """The courier's id."""
    serial_number: Optional[str] = _wire("serialNumber")
    """The registrator's serial number."""
    amount: Optional[Decimal] = _wire("amount")
    """Amount of the correction, roubles; written as a string (attribute list)."""
    command_executed_at: Optional[datetime] = _wire("commandExecutedAt")
    """When it was printed, UTC."""


class AtolSettings(_IrecaModel):
    """Remote fiscalisation with Atol Online (`atolOnlineSettings/replace`). The password never shows in ``repr``."""

    __secret_fields__ = frozenset({"password"})

    setting_id: Optional[Id] = _wire("settingId")
    """The setting's id in your system."""
    login: Optional[str] = _wire("login")
    """Atol Online login."""
    password: Optional[str] = _wire("password")
    """Atol Online password."""
    kkt_group: Optional[str] = _wire("kktGroup")
    """Print group."""
    is_production: Optional[bool] = _wire("isProduction")
    """Receipts go to the production environment, not the test one; written `0`/`1`."""
    company: Optional[AtolCompany] = _wire("company")
    """Your company."""
    agent: Optional[AtolAgent] = _wire("agent")
    """The agent scheme, only when you work as an agent."""


class AtolCompany(_IrecaModel):
    """The company of Atol Online settings."""

    inn: Optional[str] = _wire("inn")
    """INN (10 or 12 digits)."""
    tax_system: Optional[TaxSystem] = _wire("taxSystem")
    """Taxation system."""


class AtolAgent(_IrecaModel):
    """The agent scheme of Atol Online settings."""

    kind: Optional[AgentType] = _wire("type")
    """Agent type."""


class Pechka54Settings(_IrecaModel):
    """Remote fiscalisation with Pechka54 (`pechka54Settings`): the document gives the attribute only, no example body."""

    url: Optional[str] = _wire("url")
    """The link that connects Pechka54 to the iRECA server (typed «number» by the document; a URL in practice: read from either, written as text)."""


class BankTerminalLog(_IrecaModel):
    """An error of a bank terminal («Ошибки банковского терминала», `bankTerminalLogs`)."""

    terminal_log_id: Optional[Id] = _wire("terminalLogId")
    """The entry's id in iRECA."""
    courier_id: Optional[Id] = _wire("courierId")
    """The courier's id."""
    error_code: Optional[str] = _wire("errorCode")
    """Error code."""
    error_text: Optional[str] = _wire("errorText")
    """Error text."""
    card_number: Optional[str] = _wire("cardNumber")
    """Card number (masked by the terminal)."""
    payment_system: Optional[str] = _wire("paymentSystem")
    """Payment system."""
    serial_number: Optional[str] = _wire("serialNumber")
    """The terminal's serial number."""
    amount: Optional[Decimal] = _wire("amount")
    """Amount, roubles; written as a string (attribute list)."""
    order_id: Optional[Id] = _wire("orderId")
    """The order's id."""
    transaction_created_at: Optional[datetime] = _wire("transactionCreatedAt")
    """When, UTC."""


class FiscalRegistratorLog(_IrecaModel):
    """An error of a fiscal registrator («Ошибки фискального регистратора», `fiscalRegistratorLogs`)."""

    fr_id: Optional[Id] = _wire("frId")
    """The entry's id in iRECA."""
    courier_id: Optional[Id] = _wire("courierId")
    """The courier's id."""
    error_code: Optional[str] = _wire("errorCode")
    """Error code."""
    error_text: Optional[str] = _wire("errorText")
    """Error text."""
    serial_number: Optional[str] = _wire("serialNumber")
    """The registrator's serial number."""
    amount: Optional[Decimal] = _wire("amount")
    """Amount, roubles; written as a string (attribute list)."""
    order_id: Optional[Id] = _wire("orderId")
    """The order's id."""
    command_executed_at: Optional[datetime] = _wire("commandExecutedAt")
    """When, UTC."""


class ChangeJournalEntry(_IrecaModel):
    """One change of an order. `beforeItem` and `afterItem` hold only the fields that changed, so they read as an Order whose other fields are `None`."""

    event: Optional[ChangeEvent] = _wire("event")
    """What happened."""
    source: Optional[str] = _wire("source")
    """Who did it (`"Application: iRECA Courier"`, a site's URL)."""
    courier_id: Optional[Id] = _wire("courierId")
    """The courier's id, when a courier did it."""
    created_at: Optional[datetime] = _wire("createdAt")
    """When, UTC."""
    before_item: Optional[Order] = _wire("beforeItem")
    """The changed fields before."""
    after_item: Optional[Order] = _wire("afterItem")
    """The changed fields after."""


class Licenses(_IrecaModel):
    """The licences in use (`licenses`)."""

    license_use: Optional[int] = _wire("licenseUse")
    """How many are in use."""
    license_total: Optional[int] = _wire("licenseTotal")
    """How many there are."""
    licenses: Optional[List[License]] = _wire("licenses")
    """The sessions holding them."""


class License(_IrecaModel):
    """A licence held by a courier's device."""

    courier_id: Optional[Id] = _wire("courierId")
    """The courier's id."""
    device_id: Optional[str] = _wire("deviceId")
    """The device's id (`licenses/close?deviceId=` frees it)."""
    device_title: Optional[str] = _wire("deviceTitle")
    """The device's name."""
    session_start_at: Optional[datetime] = _wire("sessionStartAt")
    """When the session started, UTC."""


class LicenseSession(_IrecaModel):
    """The body iRECA POSTs to the licence callback URL when a courier's session closes."""

    session_id: Optional[Id] = _wire("sessionId")
    """The session's id."""
    courier_id: Optional[Id] = _wire("courierId")
    """The courier's id."""
    device_id: Optional[str] = _wire("deviceId")
    """The device's id."""
    device_title: Optional[str] = _wire("deviceTitle")
    """The device's name."""
    session_start_at: Optional[datetime] = _wire("sessionStartAt")
    """When the session started, UTC."""
    session_finish_at: Optional[datetime] = _wire("sessionFinishAt")
    """When it finished, UTC."""




# -- request bodies -------------------------------------------------------------------

M = TypeVar("M", bound=Model)
T = TypeVar("T")

Body = Union[Model, Mapping[str, Any]]
"""A record to send: a model, or a dict under the wire's camelCase names."""


def _refuse_naive(value: Any, path: str) -> None:
    """Raises InvalidArgumentError naming ``path`` for a datetime without a zone anywhere in
    ``value``: the wire's times are GMT+0, and a local wall-clock time is not guessed to be
    that."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidArgumentError(
                f"{value.isoformat()} has no zone; give an aware datetime (any offset: it is converted to UTC)",
                field=path,
                code="ireca.naive_datetime",
                message_ru=f"{path}: у {value.isoformat()} нет часового пояса; передайте datetime с поясом (любым: он переводится в UTC)",
            )
    elif isinstance(value, Model):
        for f in type(value).__lb_fields__:
            _refuse_naive(getattr(value, f.name), f"{path}.{f.key}")
        _refuse_naive(value.extra, path)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            _refuse_naive(v, f"{path}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _refuse_naive(v, f"{path}[{i}]")


def _body(value: Any, path: str) -> Any:
    """One record in its JSON form (a model under its wire names, its times in the wire's
    form; a dict as given), after :func:`_refuse_naive`."""
    if not isinstance(value, (Model, Mapping)):
        raise TypeError(f"{path} must be an iRECA model or a dict, got {type(value).__name__}")
    _refuse_naive(value, path)
    return jsonable(value)


def _items(items: Any) -> List[Any]:
    if isinstance(items, (str, bytes, Mapping, Model)) or not isinstance(items, Sequence):
        raise TypeError(f"items must be a list of records, got {type(items).__name__}")
    return [_body(item, f"items[{i}]") for i, item in enumerate(items)]


def _items_params(items: Sequence[Body]) -> Params:
    return {"items": _items(items)}


def _checked(**params: Any) -> Params:
    """The arguments as they are, after refusing a naive datetime among them."""
    for name, value in params.items():
        _refuse_naive(value, name)
    return params


def _callback_params(url: str, *, is_active: bool = True) -> Params:
    return {"settings": {"url": url, "isActive": bool(is_active)}}


def _text(body: Union[str, bytes, bytearray, memoryview]) -> str:
    if isinstance(body, str):
        return body
    if isinstance(body, (bytes, bytearray, memoryview)):
        try:
            return bytes(body).decode("utf-8")
        except UnicodeDecodeError as e:
            raise InvalidArgumentError(f"the callback body is not UTF-8 text ({e.reason} at byte {e.start})", field="body", code="ireca.callback_encoding", message_ru=f"тело оповещения — не текст UTF-8 ({e.reason}, байт {e.start})") from None
    raise TypeError(f"body must be bytes or str, got {type(body).__name__}")


def _nothing(data: Any) -> None:
    """An answer with no body (2xx): the call returns None."""
    return None


def _as_is(data: Any) -> Any:
    return data


if TYPE_CHECKING:
    _Declared = Callable[Concatenate[Any, _P], None]
    _Hook = Callable[..., Params]


def done(endpoint: str, *, params: Optional[_Hook] = None) -> Callable[[_Declared[_P]], Operation[_P, None]]:
    """Declares a method whose answer is empty (the service's 201/204): it returns None
    once the service has accepted the call; see :func:`~logibridge._base.one`."""
    return lambda declared: Operation(endpoint, _nothing, declared, shape="one", params=params, returns="None")


def _library(endpoint: str, decode: Callable[[Any], T], returns: str, *, params: Optional[_Hook] = None) -> Callable[[_Declared[_P]], Operation[_P, T]]:
    """Declares a method on a library-side row (nothing is sent), decoded by ``decode``."""
    return lambda declared: Operation(endpoint, decode, declared, shape="json", params=params, returns=returns)


# -- the catalogue: ten resources, one class -------------------------------------------


def _create(self: Any, items: Sequence[Body]) -> None:
    """``ireca.{resource}.create``: creates {model}s (each a :class:`{model}` or a dict of
    wire names with the document's required attributes). The whole batch fails if one id
    exists already. Returns None once the service has accepted them."""


def _get(self: Any, id: Id) -> None:
    """``ireca.{resource}.get``: one :class:`{model}` by its id; :class:`~logibridge.NotFoundError`
    when there is none."""


def _list(self: Any, *, page: Optional[int] = None, count: Optional[int] = None) -> None:
    """``ireca.{resource}.list``: every :class:`{model}` (deleted ones too, ``is_active``
    False), walked lazily page by page (``count`` a page, at most :data:`MAX_PAGE_COUNT`,
    the default; a short page is the last); ``page=`` starts elsewhere (pages from 0)."""


def _update(self: Any, id: Id, changes: Body) -> None:
    """``ireca.{resource}.update``: changes the attributes given (a :class:`{model}` or a
    dict of wire names; a model got earlier and modified sends every field it holds, unknown
    ones included)."""


def _replace(self: Any, items: Sequence[Body]) -> None:
    """``ireca.{resource}.replace``: creates the {model}s that do not exist and updates
    (and reactivates) those that do; repeating it is harmless."""


def _delete(self: Any, id: Id) -> None:
    """``ireca.{resource}.delete``: deletes one {model} softly (it stays, ``is_active``
    False)."""


class _Late:
    """A catalogue operation before its resource is known: made for each resource class
    from its row (:meth:`CatalogueResource.__init_subclass__`)."""

    def __init__(self, shape: str, declared: Callable[..., None]) -> None:
        self.shape, self.declared = shape, declared

    def make(self, resource: str, model: Type[Model], key: str, action: str) -> _Operation:
        endpoint = f"ireca.{resource}.{action}"
        doc = (self.declared.__doc__ or "").format(resource=resource, model=model.__name__)
        hooks: Dict[str, Callable[..., Params]] = {
            "create": _items_params,
            "replace": _items_params,
            "get": lambda id: {key: id},
            "delete": lambda id: {key: id},
            "update": lambda id, changes: {key: id, "changes": _body(changes, "changes")},
        }
        if self.shape == "paged":
            return PagedOperation(endpoint, _Many(model, endpoint), self.declared, shape="paged", returns=f"{{pager}}[{model.__name__}]", doc=doc)
        if self.shape == "one":
            return Operation(endpoint, _One(model, endpoint), self.declared, shape="one", params=hooks[action], returns=model.__name__, doc=doc)
        return Operation(endpoint, _nothing, self.declared, shape="one", params=hooks[action], returns="None", doc=doc)


class CatalogueResource(Resource[F], Generic[F, M]):
    """One of the ten catalogue resources (``client.goods``, ``client.taxes``, …): the six
    calls every one of them has, on its own rows and model. A resource is declared by one
    line, ``class GoodsResource(CatalogueResource[F, Good], resource="goods", model=Good)``;
    its id parameter (``good_id``) is read from its ``get`` row."""

    __resource__: ClassVar[str] = ""
    __model__: ClassVar[Type[Model]] = Model

    create: Operation[..., None] = _Late("done", _create)  # type: ignore[assignment]
    get: Operation[..., M] = _Late("one", _get)  # type: ignore[assignment]
    update: Operation[..., None] = _Late("done", _update)  # type: ignore[assignment]
    replace: Operation[..., None] = _Late("done", _replace)  # type: ignore[assignment]
    delete: Operation[..., None] = _Late("done", _delete)  # type: ignore[assignment]
    list: PagedOperation[..., M] = _Late("paged", _list)  # type: ignore[assignment]

    def __init_subclass__(cls, *, resource: str = "", model: Optional[Type[Model]] = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not resource or model is None:
            return  # a subclass the client makes of a declared resource
        cls.__resource__, cls.__model__ = resource, model
        row = _table.row(f"ireca.{resource}.get")
        if row is None:
            raise TypeError(f"{cls.__qualname__}: the table has no ireca.{resource}.get row")
        key = next(p["name"] for p in row["params"] if p.get("required"))
        for action, late in vars(CatalogueResource).items():
            if isinstance(late, _Late):
                op = late.make(resource, model, key, action)
                op.__set_name__(cls, action)
                setattr(cls, action, op)


class GoodsResource(CatalogueResource[F, Good], resource="goods", model=Good):
    """``ireca.goods.*``: the catalogue of goods."""


class SpecificitiesResource(CatalogueResource[F, Specificity], resource="specificities", model=Specificity):
    """``ireca.specificities.*``: characteristics of goods."""


class WarehousesResource(CatalogueResource[F, Warehouse], resource="warehouses", model=Warehouse):
    """``ireca.warehouses.*``: warehouses."""


class CouriersResource(CatalogueResource[F, Courier], resource="couriers", model=Courier):
    """``ireca.couriers.*``: couriers."""


class RolesResource(CatalogueResource[F, Role], resource="roles", model=Role):
    """``ireca.roles.*``: roles of the courier app."""


class ClientsResource(CatalogueResource[F, Customer], resource="clients", model=Customer):
    """``ireca.clients.*``: clients (the shop's customers)."""


class SuppliersResource(CatalogueResource[F, Supplier], resource="suppliers", model=Supplier):
    """``ireca.suppliers.*``: suppliers (agent scheme)."""


class ReturnReasonsResource(CatalogueResource[F, ReturnReason], resource="return_reasons", model=ReturnReason):
    """``ireca.return_reasons.*``: why orders are cancelled."""


class PaymentTypesResource(CatalogueResource[F, PaymentType], resource="payment_types", model=PaymentType):
    """``ireca.payment_types.*``: payment types."""


class TaxesResource(CatalogueResource[F, Tax], resource="taxes", model=Tax):
    """``ireca.taxes.*``: tax rates."""


# -- orders and the rest ----------------------------------------------------------------

_ORDER_KEYS: Dict[str, str] = {f.name: f.key for f in Order.__lb_fields__}


def _update_params(order_id: Id, changes: Body) -> Params:
    return {"order_id": order_id, "changes": _body(changes, "changes")}


def _update_many_params(order_ids: Sequence[Id], attributes: Mapping[str, Any]) -> Params:
    if isinstance(order_ids, (str, bytes)) or not isinstance(order_ids, Sequence):
        raise TypeError(f"order_ids must be a list of ids, got {type(order_ids).__name__}")
    if not isinstance(attributes, Mapping):
        raise TypeError(f"attributes must be a dict, got {type(attributes).__name__}")
    wire = {_ORDER_KEYS.get(k, k): v for k, v in attributes.items()}
    _refuse_naive(wire, "update.attributes")
    return {"update": {"orderIds": list(order_ids), "attributes": jsonable(wire)}}


def _lint_params(order: Body) -> Params:
    return {"order": _body(order, "order")}


def _findings(data: Any) -> List[Dict[str, Any]]:
    return list(data or [])


def _body_params(body: Union[str, bytes]) -> Params:
    return {"body": _text(body)}


class OrdersResource(Resource[F]):
    """``ireca.orders.*``: orders from your system, and their callback."""

    @done("ireca.orders.create", params=_items_params)
    def create(self, items: Sequence[Body]) -> None:
        """``ireca.orders.create``: creates orders (:class:`Order` or dicts of wire names).
        Checked first: orderId, statusId, deliveryStatusId, courierId, paymentId,
        amountToPay, deliveryTimeFrom/To, the address (city, street, home, isUseGoogleGeo),
        each line's count/price/total/discountTotal, one warehouse per line, the delivery
        window, INNs. Never retried."""

    @done("ireca.orders.create_refund", params=_items_params)
    def create_refund(self, items: Sequence[Body]) -> None:
        """``ireca.orders.create_refund``: creates refund orders (``isRefund=1``) with their
        ``payments``; checked like :meth:`create`."""

    @one("ireca.orders.get", Order)
    def get(self, order_id: Id) -> None:
        """``ireca.orders.get``: one order; :class:`~logibridge.NotFoundError` when there is none."""

    @done("ireca.orders.update", params=_update_params)
    def update(self, order_id: Id, changes: Body) -> None:
        """``ireca.orders.update``: changes the attributes given (an :class:`Order` got
        earlier and modified sends every field it holds, unknown ones included)."""

    @done("ireca.orders.update_many", params=_update_many_params)
    def update_many(self, order_ids: Sequence[Id], attributes: Mapping[str, Any]) -> None:
        """``ireca.orders.update_many``: the same attributes on several orders. Only the
        document's seven may change — statusId, deliveryStatusId, returnReasonId,
        courierId, deliveryTimeFrom, deliveryTimeTo, addressTo (snake_case names work too:
        ``delivery_status_id``); any other is refused before sending, naming it."""

    @done("ireca.orders.replace", params=_items_params)
    def replace(self, items: Sequence[Body]) -> None:
        """``ireca.orders.replace``: creates or updates orders by orderId; checked like :meth:`create`."""

    @done("ireca.orders.delete")
    def delete(self, order_id: Id) -> None:
        """``ireca.orders.delete``."""

    @done("ireca.orders.set_callback", params=_callback_params)
    def set_callback(self, url: str, *, is_active: bool = True) -> None:
        """``ireca.orders.set_callback``: the URL iRECA POSTs changed orders to
        (:attr:`CallbackReceiver.url`); ``is_active=False`` switches it off."""

    @many("ireca.orders.status_journal", StatusJournalEntry)
    def status_journal(self, order_id: Id) -> None:
        """``ireca.orders.status_journal``: the order's delivery-status changes, oldest first."""

    @_library("ireca.orders.lint", _findings, "List[Dict[str, Any]]", params=_lint_params)
    def lint(self, order: Body) -> None:
        """``ireca.orders.lint`` (nothing is sent): whether the order's sums add up (each
        line's total = price × count; amountToPay = Σ total + discountTotal). Returns the
        findings (``field``, ``code``, ``message``, ``message_ru``), empty when they do; the
        service enforces neither, so these are never errors."""

    @paged("ireca.orders.list", Order)
    def list(self, *, page: Optional[int] = None, count: Optional[int] = None) -> None:
        """``ireca.orders.list``: every order, walked lazily page by page (``count`` a page,
        at most :data:`MAX_PAGE_COUNT`, the default)."""


class LocationsResource(Resource[F]):
    """``ireca.locations.*``: where couriers were."""

    @paged("ireca.locations.list", Location, params=_checked)
    def list(self, courier_id: Id, *, created_at: Optional[datetime] = None, page: Optional[int] = None, count: Optional[int] = None) -> None:
        """``ireca.locations.list``: a courier's locations from ``created_at`` (aware) on."""


class ReceiptsResource(Resource[F]):
    """``ireca.receipts.*``: fiscal receipts."""

    @one("ireca.receipts.payment", Receipt)
    def payment(self, order_id: Id) -> None:
        """``ireca.receipts.payment``: the payment receipt of an order."""

    @one("ireca.receipts.refund", Receipt)
    def refund(self, order_id: Id) -> None:
        """``ireca.receipts.refund``: the refund receipt of an order."""

    @paged("ireca.receipts.correction", CorrectionReceipt)
    def correction(self, *, courier_id: Optional[Id] = None, page: Optional[int] = None, count: Optional[int] = None) -> None:
        """``ireca.receipts.correction``: correction receipts, optionally of one courier."""


class AtolResource(Resource[F]):
    """``ireca.atol.*``: Atol Online remote fiscalisation."""

    @done("ireca.atol.replace_settings", params=lambda settings: {"settings": _body(settings, "settings")})
    def replace_settings(self, settings: Body) -> None:
        """``ireca.atol.replace_settings``: creates or replaces the settings (company INN checked)."""


class Pechka54Resource(Resource[F]):
    """``ireca.pechka54.*``."""

    @one("ireca.pechka54.get_settings", Pechka54Settings)
    def get_settings(self) -> None:
        """``ireca.pechka54.get_settings``: the link that connects Pechka54 to iRECA."""


class JournalResource(Resource[F]):
    """``ireca.journal.*``: the change journal of orders."""

    @paged("ireca.journal.list", ChangeJournalEntry, params=_checked)
    def list(self, entity_id: Id, *, started_at: Optional[datetime] = None, page: Optional[int] = None, count: Optional[int] = None) -> None:
        """``ireca.journal.list``: who changed what in an order (``entity_id``: its orderId), from ``started_at`` (aware) on."""


class PermissionsResource(Resource[F]):
    """``ireca.permissions.*``: access settings of the app's roles."""

    @many("ireca.permissions.list", Permission)
    def list(self, *, role_id: Optional[Id] = None, permission_id: Optional[str] = None) -> None:
        """``ireca.permissions.list``: optionally of one role and one setting."""

    @done("ireca.permissions.replace", params=_items_params)
    def replace(self, items: Sequence[Body]) -> None:
        """``ireca.permissions.replace``: sets or resets access settings of roles."""


class LicensesResource(Resource[F]):
    """``ireca.licenses.*``."""

    @one("ireca.licenses.list", Licenses)
    def list(self) -> None:
        """``ireca.licenses.list``: licences in use and in all, and the sessions holding them."""

    @done("ireca.licenses.close")
    def close(self, device_id: str) -> None:
        """``ireca.licenses.close``: frees the licence a device holds."""

    @done("ireca.licenses.set_callback", params=_callback_params)
    def set_callback(self, url: str, *, is_active: bool = True) -> None:
        """``ireca.licenses.set_callback``: the URL iRECA POSTs closed sessions to."""


class BankTerminalLogsResource(Resource[F]):
    """``ireca.bank_terminal_logs.*``."""

    @paged("ireca.bank_terminal_logs.list", BankTerminalLog)
    def list(self, *, order_id: Optional[Id] = None, courier_id: Optional[Id] = None, page: Optional[int] = None, count: Optional[int] = None) -> None:
        """``ireca.bank_terminal_logs.list``: bank-terminal errors, optionally of one order or courier."""


class FiscalRegistratorLogsResource(Resource[F]):
    """``ireca.fiscal_registrator_logs.*``."""

    @paged("ireca.fiscal_registrator_logs.list", FiscalRegistratorLog)
    def list(self, *, order_id: Optional[Id] = None, courier_id: Optional[Id] = None, page: Optional[int] = None, count: Optional[int] = None) -> None:
        """``ireca.fiscal_registrator_logs.list``: fiscal-registrator errors, optionally of one order or courier."""


class DictionaryResource(Resource[F]):
    """``ireca.dictionary.*``: the service's six dictionaries."""

    @many("ireca.dictionary.order_statuses", OrderStatus)
    def order_statuses(self) -> None:
        """``ireca.dictionary.order_statuses``: payment statuses of orders."""

    @many("ireca.dictionary.delivery_statuses", DeliveryStatus)
    def delivery_statuses(self) -> None:
        """``ireca.dictionary.delivery_statuses``: delivery statuses of orders."""

    @many("ireca.dictionary.close_types", CloseType)
    def close_types(self) -> None:
        """``ireca.dictionary.close_types``: how a payment closes a receipt."""

    @many("ireca.dictionary.tax_types", TaxType)
    def tax_types(self) -> None:
        """``ireca.dictionary.tax_types``: the VAT rates the registrator knows."""

    @many("ireca.dictionary.calc_types", CalcType)
    def calc_types(self) -> None:
        """``ireca.dictionary.calc_types``: what a goods line is, for the receipt."""

    @many("ireca.dictionary.permissions", PermissionInfo)
    def permissions(self) -> None:
        """``ireca.dictionary.permissions``: every access setting a role can be given."""


def _callback_orders(data: Any) -> List[Order]:
    orders: List[Order] = _Many(Order, "ireca.callback.order")(data)
    return orders


def _callback_session(data: Any) -> LicenseSession:
    session: LicenseSession = _One(LicenseSession, "ireca.callback.license_session")(data)
    return session


class CallbackResource(Resource[F]):
    """``ireca.callback.*`` (nothing is sent): the two callback bodies read into models,
    as :func:`parse_order_callback` and :func:`parse_license_callback` do."""

    @_library("ireca.callback.order", _callback_orders, "List[Order]", params=_body_params)
    def order(self, body: Union[str, bytes]) -> None:
        """``ireca.callback.order``: the orders of an order callback's body."""

    @_library("ireca.callback.license_session", _callback_session, "LicenseSession", params=_body_params)
    def license_session(self, body: Union[str, bytes]) -> None:
        """``ireca.callback.license_session``: the session of a closed-session callback's body."""


# -- clients (one definition, two flavours) ---------------------------------------------


class _Ireca(ClientBase[F]):
    """The iRECA Courier client, written once: :class:`Ireca` and :class:`AsyncIreca` are
    its two flavours."""

    goods: GoodsResource[F]
    specificities: SpecificitiesResource[F]
    warehouses: WarehousesResource[F]
    couriers: CouriersResource[F]
    roles: RolesResource[F]
    clients: ClientsResource[F]
    suppliers: SuppliersResource[F]
    return_reasons: ReturnReasonsResource[F]
    payment_types: PaymentTypesResource[F]
    taxes: TaxesResource[F]
    orders: OrdersResource[F]
    locations: LocationsResource[F]
    receipts: ReceiptsResource[F]
    atol: AtolResource[F]
    pechka54: Pechka54Resource[F]
    journal: JournalResource[F]
    permissions: PermissionsResource[F]
    licenses: LicensesResource[F]
    bank_terminal_logs: BankTerminalLogsResource[F]
    fiscal_registrator_logs: FiscalRegistratorLogsResource[F]
    dictionary: DictionaryResource[F]
    callback: CallbackResource[F]

    def __init__(
        self,
        token: str,
        *,
        base_url: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        deadline: Optional[float] = None,
    ) -> None:
        if not isinstance(token, str):
            raise TypeError(f"token must be a str, got {type(token).__name__}")
        options = {"token": token, "base_url": base_url, "timeout": timeout, "connect_timeout": connect_timeout, "max_retries": max_retries, "deadline": deadline}
        self._open("ireca", options)

    def with_options(self, *, max_retries: Optional[int] = None) -> Self:
        """A client sharing this one's connections with another ``max_retries``."""
        return self._with_options({} if max_retries is None else {"max_retries": max_retries})

    def _repr_fields(self) -> str:
        return f"base_url={self.base_url!r}"


class Ireca(_Ireca[_Sync], SyncClientBase):
    """Blocking iRECA Courier client. Safe to share between threads; ``with`` closes it.

    :param token: the API token (``Authorization: Bearer``; never shown in messages or repr).
    :param base_url: the service URL (default :data:`DEFAULT_BASE_URL`; the sandbox's for tests).
    :param timeout: seconds for a whole request; ``connect_timeout`` to connect.
    :param max_retries: retries of idempotent calls on transient failures (creates are
        never retried).
    :param deadline: seconds one call may take, retries included (default 3 × ``timeout``).
    """


class AsyncIreca(_Ireca[_Async], AsyncClientBase):
    """asyncio iRECA Courier client: the resources of :class:`Ireca`, methods are
    coroutines and lists are walked with ``async for``; ``async with`` closes it."""


# -- callbacks --------------------------------------------------------------------------


def parse_order_callback(body: Union[str, bytes, bytearray, memoryview]) -> List[Order]:
    """The orders of an order callback's body (``{"items": [order…]}``) as received.

    Raises :class:`~logibridge.InvalidArgumentError` for an empty body or one over
    :data:`MAX_CALLBACK_BYTES`, :class:`~logibridge.DecodeError` (with the JSON path) for one
    that is not JSON or has no ``items`` list of orders."""
    data = _native.ireca_parse_order_callback(_raw(body))
    return [Order.from_dict(item) for item in data]


def parse_license_callback(body: Union[str, bytes, bytearray, memoryview]) -> LicenseSession:
    """The session of a closed-session callback's body; errors as :func:`parse_order_callback`."""
    return LicenseSession.from_dict(_native.ireca_parse_license_callback(_raw(body)))


def _raw(body: Union[str, bytes, bytearray, memoryview]) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise TypeError(f"body must be bytes or str, got {type(body).__name__}")


class CallbackEntry:
    """One stored callback of a :class:`CallbackReceiver`'s journal.

    ``seq`` (1, 2, …), ``received_at`` (aware, UTC), ``kind`` (``"order"`` or
    ``"license_session"``), ``sha256`` (of the body; equal for a duplicate delivery),
    ``body`` (the JSON text as received), and the body read: ``orders`` (an order
    callback's) or ``session`` (a closed-session callback's)."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.CallbackEntry) -> None:
        self._native = native

    @property
    def seq(self) -> int:
        return self._native.seq

    @property
    def received_at(self) -> datetime:
        return datetime.fromisoformat(self._native.received_at.replace("Z", "+00:00"))

    @property
    def kind(self) -> str:
        return self._native.kind

    @property
    def sha256(self) -> str:
        return self._native.sha256

    @property
    def body(self) -> str:
        return self._native.body

    @property
    def orders(self) -> List[Order]:
        """The orders of an order callback (empty for a closed-session one)."""
        return parse_order_callback(self.body) if self.kind == "order" else []

    @property
    def session(self) -> Optional[LicenseSession]:
        """The session of a closed-session callback (None for an order one)."""
        return parse_license_callback(self.body) if self.kind == "license_session" else None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CallbackEntry):
            return NotImplemented
        return (self.seq, self.sha256) == (other.seq, other.sha256)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<CallbackEntry seq={self.seq} kind={self.kind} received_at={self.received_at.isoformat()} sha256={self.sha256[:12]}…>"


class CallbackReceiver:
    """The durable receiver of iRECA's callbacks (``docs/ireca-callbacks.md``): an HTTP
    listener on a secret path that appends each callback to the journal at
    ``journal_path`` (JSON Lines, synced to disk before it answers 201), hands the entries
    over, and remembers which were acknowledged (``<journal>.acks``), so a restart resumes
    after the last acknowledged one and a callback answered 201 is never lost.

    ::

        with CallbackReceiver("callbacks.jsonl", port=8080, path_secret=secret) as receiver:
            api.orders.set_callback(receiver.url)
            for entry in receiver:              # pending ones first, then new ones; waits
                handle(entry.orders)
                receiver.ack(entry)

    :param journal_path: the journal file (created when missing).
    :param host: the address to listen on (default ``127.0.0.1``).
    :param port: the port (default 0: a free one).
    :param path_secret: the secret first path segment (16–256 of ``A–Z a–z 0–9 - _ . ~``;
        default: a new random one at each start — give one to keep the URL across restarts).
        It never appears in ``repr`` or an error.
    :param body_limit: the largest body accepted, bytes (default 4 MiB).
    :param body_timeout: seconds a body may take to arrive (default 60).
    :param public_base_url: how the service reaches this listener
        (``https://shop.example/ireca``; default the bound address).
    :raises InvalidArgumentError: a setting out of its rule (naming it), a journal that
        cannot be opened, is damaged or is used by another receiver, an address that
        cannot be listened on.

    Iterating waits for entries (the GIL released; Ctrl-C raises KeyboardInterrupt) and
    ends when the receiver is closed; each entry is handed out once per receiver.
    """

    def __init__(
        self,
        journal_path: Union[str, "os.PathLike[str]"],
        *,
        host: Optional[str] = None,
        port: int = 0,
        path_secret: Optional[str] = None,
        body_limit: Optional[int] = None,
        body_timeout: Optional[float] = None,
        public_base_url: Optional[str] = None,
    ) -> None:
        if isinstance(port, bool) or not isinstance(port, int):
            raise TypeError(f"port must be an int, got {type(port).__name__}")
        if not 0 <= port <= 65535:
            raise InvalidArgumentError(
                f"{port} is not a TCP port (0 to 65535; 0 picks a free one)",
                field="port",
                code="invalid_argument",
                message_ru=f"port: {port} — не номер TCP-порта (от 0 до 65535; 0 — любой свободный)",
            )
        self._native = _native.CallbackReceiver(
            os.fspath(journal_path), host=host, port=port, path_secret=path_secret, body_limit=body_limit, body_timeout=body_timeout, public_base_url=public_base_url
        )

    @property
    def url(self) -> str:
        """The URL to register (``orders.set_callback``, ``licenses.set_callback``), the
        secret path included: keep it out of logs."""
        return self._native.url

    @property
    def order_url(self) -> str:
        """The URL for order callbacks only (:attr:`url` + ``/order``)."""
        return self._native.order_url

    @property
    def license_url(self) -> str:
        """The URL for closed-session callbacks only (:attr:`url` + ``/license``)."""
        return self._native.license_url

    @property
    def journal_path(self) -> str:
        return os.fspath(self._native.journal_path)

    @property
    def closed(self) -> bool:
        return self._native.shut_down

    def pending(self) -> List[CallbackEntry]:
        """Every entry not acknowledged yet, oldest first (after a restart: what is left to do)."""
        return [CallbackEntry(e) for e in self._native.pending()]

    def ack(self, entry: CallbackEntry) -> None:
        """Marks ``entry`` processed, now and after a restart (synced before this returns;
        twice is harmless). An entry of another journal is an InvalidArgumentError."""
        if not isinstance(entry, CallbackEntry):
            raise TypeError(f"entry must be a CallbackEntry, got {type(entry).__name__}")
        self._native.ack(entry._native)

    def next(self, timeout: Optional[float] = None) -> Optional[CallbackEntry]:
        """The next entry not handed out yet, waiting at most ``timeout`` seconds (for
        ever when None); None when the time is up or the receiver is closed."""
        got = self._native.next(timeout)
        return CallbackEntry(got) if got is not None else None

    def __iter__(self) -> Iterator[CallbackEntry]:
        while True:
            got = self._native.next(None)
            if got is None:
                return
            yield CallbackEntry(got)

    def __aiter__(self) -> AsyncIterator[CallbackEntry]:
        """``async for entry in receiver``: like iteration, without blocking the event loop
        (the waits run in the loop's executor, 0.2 s at a time, so cancelling the task takes
        effect within 0.2 s; an entry taken by a wait that was cancelled is not handed out
        again by this receiver, and stays pending for the next start until acknowledged).
        Ends when the receiver is closed."""
        return self._async_entries()

    async def _async_entries(self) -> AsyncIterator[CallbackEntry]:
        loop = asyncio.get_running_loop()
        while True:
            got = await loop.run_in_executor(None, self._native.next, 0.2)
            if got is not None:
                yield CallbackEntry(got)
            elif self.closed:
                return

    def close(self) -> None:
        """Stops listening (requests in flight finish) and lets go of the journal, which
        another receiver may then open; iteration ends, and ``pending``/``ack`` are refused
        (InvalidArgumentError). Idempotent."""
        self._native.shutdown()

    def __enter__(self) -> CallbackReceiver:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<CallbackReceiver journal={self.journal_path!r}{' closed' if self.closed else ''}>"
