"""CARGO.RUN Logistics 2.0: directories, bids, distribution bids, trackers, ETRN titles,
the geocoder and the organisation's employees — the 74 typed calls.

::

    from datetime import datetime, timedelta, timezone
    import logibridge
    from logibridge import cargorun

    msk = timezone(timedelta(hours=3))
    with logibridge.CargoRun("integration@example.com", "password", token_file="~/.cargorun-token") as cr:
        driver_id = cr.drivers.apply(cargorun.DriverEditModel(id=0, first_name="Иван", last_name="Петров",
                                                             phone_number="8 (999) 123-45-67"))
        pager = cr.drivers.list(filter="updatedAt ge 2026-01-23T21:00:00Z", orderby="updatedAt")
        for driver in pager:                      # pages of 50, fetched as the loop goes
            user = driver.user                    # the Swagger puts the name and phone under `user`
            print(driver.id, user.last_name if user else None, user.phone_number if user else None, driver.is_online)
        print(pager.total)                        # X-MetaCount, once a page was read
        cp_id = cr.counterparties.apply(cargorun.CounterpartyEditModel(id=0, name="ООО Груз", inn="7707083893"))
        car_id = cr.cars.apply(cargorun.CarEditModel(id=0, number="А001АА77"))
        trailer_id = cr.trailers.apply(cargorun.TrailerEditModel(id=0, number="ВВ123477"))

        def point(order, kind, lon, lat, when):   # bids.md §1.1: point and geozone ids (0: new), geozone type
            return {"id": 0, "order": order, "type": kind, "planEnterDate": when,
                    "geozone": {"id": 0, "type": "BidPoint", "address": "…", "radius": 0,
                                "location": {"type": "Point", "coordinates": [lon, lat]}}}

        bid_id = cr.bids.apply(cargorun.BidTruckingEditModel.from_dict({
            "id": 0, "cargoOwnerDictionaryItemId": cp_id, "paymentTypeId": 41, "ndsTypeId": 40, "price": "234000",
            "driver": {"id": driver_id}, "carOption": {"carId": car_id}, "trailerOption": {"trailerId": trailer_id},
            "bidPoints": [point(0, "LoadPoint", 52.41, 55.71, datetime(2026, 7, 7, 4, 33, tzinfo=msk)),
                          point(1, "UnloadPoint", 48.39, 54.31, datetime(2026, 7, 7, 13, 33, tzinfo=msk))]}))
        cr.bids.set_status(bid_id, "Started")

**Signing in** is the core's: the first call gets a JWT with the user name and password
(``GenerateToken``, once per process for a base URL and user, its 429 cooldown remembered),
renews it before it expires and after a 401 (``RefreshToken``), and keeps it in
``token_file`` (owner-only) across restarts when given. Neither the password nor a token
appears in ``repr``, messages or logs; the two token rows called directly
(``cr.auth.generate_token``) answer with the tokens as ``***``.

**Resources** are named after the ids (``cargorun.drivers.apply`` → ``cr.drivers.apply``):
``auth``, ``drivers``, ``cars``, ``trailers``, ``counterparties``, ``contracts``,
``counterparty_points``, ``legal_persons``, ``catalogs``, ``bids``, ``distribution_bids``,
``trackers``, ``etrn``, ``map``, ``employees``. Each is written once for :class:`CargoRun`
and :class:`AsyncCargoRun`. ``apply`` calls take a model (or a dict of wire names) and
return the id the service answered (``id`` 0 creates, > 0 updates): ``None`` when it
answered nothing, a :class:`~logibridge.DecodeError` with ``outcome_unknown`` when it
answered something that holds no id (the object was probably saved: look it up before
sending it again); lists return a pager
(:class:`ODataPager`, :class:`AsyncODataPager`) over OData pages of 50 with ``total`` from
``X-MetaCount`` and take ``filter`` and ``orderby`` (OData ``$filter``/``$orderby``: typed,
``filter=(F("updatedAt") >= since) & (F("status") == BidStatus.DONE)``,
``orderby=[F("updatedAt").asc(), F("id").asc()]`` from :mod:`logibridge.odata`, or raw
strings), ``top``/``skip`` (one page as asked instead of the walk), ``count`` and
``query=Q(...)`` (the whole query at once).

**Models** are generated from the Swagger and the pages (:mod:`logibridge._cargorun_models`,
re-exported here): snake_case attributes, wire names in ``to_dict()``, ``Decimal`` money,
aware ``datetime`` (a naive one from the caller is refused, naming its path: in the
constructor, ``from_dict`` and a dict sent; answers are read with ``from_wire``, where the
service's zone-less times are UTC), ``date`` for date-only fields, open enums, unknown
fields kept and sent back.

**Checks before sending** (the core's, from the pages): required fields per entity, a bid's
loading and unloading points, Russian phone numbers (normalised to ``+7XXXXXXXXXX``), INN
check digits, GeoJSON ``[lon, lat]`` in range, a date-time's offset, ``top`` ≤ 50 on the
generic entry; and here, a number that is not finite (NaN). A broken rule raises
:class:`~logibridge.ValidationError` naming the field, and nothing is sent.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import sys
from datetime import datetime
from decimal import Decimal
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Callable,
    Coroutine,
    Dict,
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
    overload,
)

from . import _native, _table
from ._base import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    AsyncClientBase,
    ClientBase,
    F,
    Flavour,
    Operation,
    Params,
    Resource,
    SyncClientBase,
)
from ._base import Async as _Async
from ._base import Sync as _Sync
from ._base import _One, _Operation
from ._cargorun_models import *  # noqa: F401,F403 - the models are part of this module's surface
from ._cargorun_sync import (
    Changes,
    Checkpoint,
    ConflictMark,
    ConflictPolicy,
    IdMap,
    IdMapEntry,
    SyncAction,
    SyncBatch,
    SyncResource,
    SyncState,
    classify,
    resolve,
)
from ._cargorun_models import (
    AddressSuggestionsModel,
    AddUserRoleModel,
    BidDocumentAssignmentModel,
    BidForceCompleteModel,
    BidForExternalSyncModel,
    BidPatchModel,
    BidPaymentModel,
    BidStatus,
    BidTrailerReplacementModel,
    BidTruckingEditModel,
    BidTruckingGetModel,
    BidViewModel,
    CarEditModel,
    CarGetModel,
    CarListViewModel,
    CarLogistModel,
    CarLogistSimpleModel,
    CarMileageForPeriodModel,
    CatalogListItemSimpleViewModel,
    CatalogListModel,
    CatalogListWithItemsModel,
    CounterpartyContractEditModel,
    CounterpartyContractModel,
    CounterpartyEditModel,
    CounterpartyListModel,
    CounterpartyModel,
    CounterpartyPointEditModel,
    CounterpartyPointModel,
    DistributionBidEditModel,
    DistributionBidForExternalSyncModel,
    DistributionBidViewModel,
    DriverEditModel,
    DriverListViewModel,
    ExternalDistributionBidInfoModel,
    ExternalDistributionBidStatusModel,
    InviteUserModel,
    LegalPersonEditModel,
    LegalPersonViewModel,
    TitleExternalModel,
    TitleWithRemarksExternalModel,
    TrackerAttachModel,
    TrackerViewModel,
    TrailerEditModel,
    TrailerListViewModel,
    UserAddModel,
    UserSimpleModel,
    WaybillTitleStatus,
)
from ._exceptions import DecodeError, InvalidArgumentError, ValidationError
from ._models import Model, jsonable
from ._pagination import Page, Paging
from .odata import Expr, OrderBy, OrderKey, Q, orderby_json

if TYPE_CHECKING:
    from typing_extensions import Concatenate, ParamSpec, Self

    _P = ParamSpec("_P")
elif sys.version_info >= (3, 10):
    from typing import ParamSpec

    _P = ParamSpec("_P")
else:  # Python 3.9 has no ParamSpec; at run time _P only parametrises Generic.
    _P = TypeVar("_P")

__all__ = [
    "CargoRun",
    "AsyncCargoRun",
    "ODataPager",
    "AsyncODataPager",
    "DEFAULT_BASE_URL",
    "PAGE_SIZE",
    # incremental sync (client.sync, logibridge._cargorun_sync)
    "Changes",
    "Checkpoint",
    "ConflictMark",
    "ConflictPolicy",
    "IdMap",
    "IdMapEntry",
    "SyncAction",
    "SyncBatch",
    "SyncResource",
    "SyncState",
    "classify",
    "resolve",
]
# The generated models (`_cargorun_models.__all__`) are attributes of this module too
# (`cargorun.BidStatus`), through the star import above.

_SERVICE = _table.service("cargorun")

DEFAULT_BASE_URL: str = _SERVICE["default_base_url"]
"""The shared installation's API; a customer may have its own (``https://api.<customer>.cargorun.ru/``)."""

PAGE_SIZE: int = next(r["paging"]["size"] for r in _SERVICE["endpoints"] if r["id"] == "cargorun.drivers.list")
"""Items per page of every list (``$top=50``, «Пагинация и нагрузка»)."""

M = TypeVar("M", bound=Model)
T = TypeVar("T")

Body = Union[Model, Mapping[str, Any]]
"""A record to send: a generated model, or a dict under the wire's camelCase names."""


# -- request bodies -------------------------------------------------------------------


def _refuse_unsendable(value: Any, path: str) -> None:
    """Raises, naming ``path``, for what cannot be sent anywhere in ``value`` (a model,
    possibly with fields set by hand, or a dict): a datetime without a zone
    (:class:`InvalidArgumentError`: a local wall-clock time is not guessed to be UTC), and
    a number that is not finite (:class:`ValidationError`: JSON has no NaN or infinity)."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidArgumentError(
                f"{path}: {value.isoformat()} has no time zone; give an aware datetime (any offset: it is sent in UTC)",
                field=path,
                code="cargorun.naive_datetime",
                message_ru=f"{path}: у {value.isoformat()} нет часового пояса; передайте datetime с поясом (любым: он отправляется в UTC)",
            )
    elif isinstance(value, (float, Decimal)):
        if not (math.isfinite(value) if isinstance(value, float) else value.is_finite()):
            raise ValidationError(
                f"{value} cannot be sent: a number must be finite (JSON has no NaN or infinity)",
                field=path,
                code="cargorun.not_finite",
                message_ru=f"{path}: {value} нельзя отправить: число должно быть конечным (в JSON нет NaN и бесконечности)",
            )
    elif isinstance(value, Model):
        for f in type(value).__lb_fields__:
            _refuse_unsendable(getattr(value, f.name), f"{path}.{f.key}")
        _refuse_unsendable(value.extra, path)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            _refuse_unsendable(v, f"{path}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _refuse_unsendable(v, f"{path}[{i}]")


def _body(value: Any, path: str) -> Any:
    """One record in its JSON form (a model under its wire names; a dict as given)."""
    if not isinstance(value, (Model, Mapping)):
        raise TypeError(f"{path} must be a CARGO.RUN model or a dict, got {type(value).__name__}")
    _refuse_unsendable(value, path)
    return jsonable(value)


def _entity(name: str) -> Callable[..., Params]:
    """The hook of an entity row: its one body parameter ``name`` from the argument."""

    def hook(**arguments: Any) -> Params:
        return {name: _body(arguments[name], name)}

    return hook


_ID_MAX = 2**63 - 1
"""The largest id (the Swagger's ids are ``int64``)."""

_ID_TEXT = re.compile(r"\d{1,19}")


class _Applied:
    """Reads the id an Apply call answered: a number, its digits as text (``"77"``), or an
    object with either under ``id``; ``None`` for an empty answer (the service told no
    id). Anything else raises :class:`DecodeError` with ``outcome_unknown`` set: the
    object was most likely created or changed, so it is looked up (by ``externalId``, a
    list filter) rather than sent again blindly."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint

    def __call__(self, data: Any) -> Optional[int]:
        if data is None:
            return None
        value = data.get("id") if isinstance(data, Mapping) else data
        if isinstance(value, str) and _ID_TEXT.fullmatch(value):
            value = int(value)
        if type(value) is int and 0 < value <= _ID_MAX:
            return value
        text = json.dumps(data, ensure_ascii=False, default=str)
        shown = text if len(text) <= 80 else text[:77] + "..."
        error = DecodeError(
            f"{self.endpoint}: the id could not be read from the answer {shown} (expected a whole number from 1 to {_ID_MAX},"
            " or an object with one under `id`); the object was probably saved: look it up before sending it again",
            endpoint=self.endpoint,
            path="id",
            message_ru=f"{self.endpoint}: не удалось прочитать id из ответа {shown} (ожидалось целое от 1 до {_ID_MAX}"
            " или объект с ним в `id`); объект, вероятно, сохранён: найдите его, прежде чем отправлять снова",
        )
        error.outcome_unknown = True
        raise error


class _Answer(_One):
    """Decodes one answer of the service with ``from_wire`` (a date-time without a zone is
    UTC there, as the core reads it; ``from_dict``, the callers' way in, refuses one)."""

    def __call__(self, data: Any) -> Any:
        try:
            return self.model.from_wire(data)  # type: ignore[attr-defined]
        except DecodeError as e:
            e.endpoint = self.endpoint
            raise


class _Answers(_Answer):
    """Decodes a list answer item by item (see :class:`_Answer`)."""

    def __call__(self, data: Any) -> Any:
        if not isinstance(data, list):
            raise DecodeError(f"{self.endpoint}: expected a list, got {type(data).__name__}", endpoint=self.endpoint, path="",
                              message_ru=f"{self.endpoint}: ожидался список, получено {type(data).__name__}")
        return [super(_Answers, self).__call__(item) for item in data]


def _nothing(data: Any) -> None:
    return None


def _as_is(data: Any) -> Any:
    return data


if TYPE_CHECKING:
    _Declared = Callable[Concatenate[Any, _P], None]
    _Hook = Callable[..., Params]


def apply(endpoint: str, param: str) -> Callable[[_Declared[_P]], Operation[_P, Optional[int]]]:
    """Declares an Apply call: the one argument is the entity (a model or a dict), the
    answer the id the service gave it."""
    return lambda declared: Operation(endpoint, _Applied(endpoint), declared, shape="one", params=_entity(param), returns="Optional[int]")


def one(endpoint: str, model: Type[M]) -> Callable[[_Declared[_P]], Operation[_P, M]]:
    """Declares a method whose answer is one ``model``, read as the service wrote it."""
    return lambda declared: Operation(endpoint, _Answer(model, endpoint), declared, shape="one", returns=model.__name__)


def many(endpoint: str, model: Type[M]) -> Callable[[_Declared[_P]], Operation[_P, List[M]]]:
    """Declares a method whose answer is a list of ``model`` (one request), read as the
    service wrote it."""
    return lambda declared: Operation(endpoint, _Answers(model, endpoint), declared, shape="many", returns=f"List[{model.__name__}]")


def send(endpoint: str, param: Optional[str] = None, *, params: Optional[_Hook] = None) -> Callable[[_Declared[_P]], Operation[_P, None]]:
    """Declares a call that changes something and answers nothing to keep (a body of ids,
    or one entity ``param``): it returns None once the service has accepted it."""
    hook = params if params is not None else _entity(param) if param is not None else None
    return lambda declared: Operation(endpoint, _nothing, declared, shape="one", params=hook, returns="None")


def _json(endpoint: str, *, params: Optional[_Hook] = None) -> Callable[[_Declared[_P]], Operation[_P, Dict[str, Any]]]:
    return lambda declared: Operation(endpoint, _as_is, declared, shape="one", params=params, returns="Dict[str, Any]")


# -- lists: OData pages of 50 ---------------------------------------------------------

_PAGING = Paging(param="skip", first=0, size=PAGE_SIZE)


class _OnePage:
    """The one page a ``top``/``skip`` call asks for, in the shape of the core's pager."""

    def __init__(self, handle: _native.Client, endpoint: str, params: Optional[Any]) -> None:
        self._handle, self._endpoint, self._params, self._done = handle, endpoint, params, False

    def next_page(self) -> Tuple[Optional[List[Any]], Optional[int]]:
        if self._done:
            return None, None
        self._done = True
        items = self._handle.call(self._endpoint, self._params)
        return (items or None), None

    async def next_page_async(self) -> Tuple[Optional[List[Any]], Optional[int]]:
        if self._done:
            return None, None
        self._done = True
        items = await self._handle.call_async(self._endpoint, self._params)
        return (items or None), None


class _Walk:
    """What both pagers share: the call, its parameters, and how items are decoded."""

    def __init__(self, handle: _native.Client, endpoint: str, params: Optional[Any], decode: Callable[[Any], List[Any]]) -> None:
        self._handle, self._endpoint, self._params, self._decode = handle, endpoint, params, decode
        self.total: Optional[int] = None
        """The count the service announced (``X-MetaCount``: after the filter, before paging),
        once a page has been fetched; None before, or when the service sent none."""

    def _pages(self) -> Union[_native.Pages, _OnePage]:
        if _one_page(self._params):
            return _OnePage(self._handle, self._endpoint, self._params)
        return self._handle.pages(self._endpoint, self._params)

    def _page(self, answer: Tuple[Optional[List[Any]], Optional[int]], number: int) -> Optional[Page[Any]]:
        items, total = answer
        if total is not None:
            self.total = total
        return None if items is None else Page(self._decode(items), number, _PAGING)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._endpoint}{'' if self.total is None else f' total={self.total}'}>"


class ODataPager(_Walk, Generic[M]):
    """Every item of a list across its OData pages of 50 (``$top``/``$skip``), fetched as
    iteration goes by the core's pager (a short page is the last).

    ``for item in pager`` walks every page; ``pager.pages()`` yields whole pages (numbered
    from 0); ``pager.first_page()`` fetches one; ``pager.total`` is the ``X-MetaCount`` of
    the last page read. Nothing is sent before you iterate; each walk starts over.
    """

    def pages(self) -> Iterator[Page[M]]:
        """The pages one by one, from the first to the last."""
        native, number = self._pages(), 0
        while True:
            page = self._page(native.next_page(), number)
            if page is None:
                return
            yield page
            number += 1

    def first_page(self) -> Page[M]:
        """The first page only (one request)."""
        return next(iter(self.pages()), Page([], 0, _PAGING))

    def __iter__(self) -> Iterator[M]:
        for page in self.pages():
            yield from page.items

    def to_list(self) -> List[M]:
        """Every item of every page."""
        return list(self)


class AsyncODataPager(_Walk, Generic[M]):
    """:class:`ODataPager` for ``async for``; ``await pager.to_list()``."""

    async def pages(self) -> AsyncIterator[Page[M]]:
        """The pages one by one, from the first to the last."""
        native, number = self._pages(), 0
        while True:
            page = self._page(await native.next_page_async(), number)
            if page is None:
                return
            yield page
            number += 1

    async def first_page(self) -> Page[M]:
        """The first page only (one request)."""
        async for page in self.pages():
            return page
        return Page([], 0, _PAGING)

    async def __aiter__(self) -> AsyncIterator[M]:
        async for page in self.pages():
            for item in page.items:
                yield item

    async def to_list(self) -> List[M]:
        """Every item of every page."""
        return [item async for item in self]


def _odata_params(**arguments: Any) -> Params:
    """A list call's arguments as the row takes them: a typed ``filter`` (an
    :class:`~logibridge.odata.Expr`), typed ``orderby`` keys and a ``query``
    (:class:`~logibridge.odata.Q`) go into the row's ``query`` description, rendered by the
    core; strings stay the raw ``filter``/``orderby``."""
    params = dict(arguments)
    q = params.pop("query", None)
    if q is not None and not isinstance(q, Q):
        raise TypeError(f"query= takes a logibridge.odata.Q, got {type(q).__name__}")
    description: Dict[str, Any] = q.to_json() if q is not None else {}
    typed = {"filter": isinstance(params.get("filter"), Expr), "orderby": isinstance(params.get("orderby"), (OrderKey, list, tuple))}
    for key, is_typed in typed.items():
        if not is_typed:
            continue
        if key in description:
            raise TypeError(f"{key} is given both as {key}= and in query=: give it once")
        value = params.pop(key)
        description[key] = value.to_json() if isinstance(value, Expr) else orderby_json(value)
    if description:
        params["query"] = description
    return params


def _one_page(params: Optional[Any]) -> bool:
    """Whether the caller asked for one page (``top`` or ``skip``): the walk would set both
    itself, so such a call is sent once, as asked."""
    if not isinstance(params, dict):
        return False
    query = params.get("query")
    return any(k in params for k in ("top", "skip")) or (isinstance(query, dict) and any(k in query for k in ("top", "skip")))


class ListOperation(_Operation, Generic[_P, M]):
    """A list method: an :class:`ODataPager` of ``M`` on a blocking client, an
    :class:`AsyncODataPager` on an asyncio one. Nothing is sent before the pager is walked.
    With ``top`` or ``skip`` the pager holds the one page they ask for (``total`` then
    stays None: only the walk reads ``X-MetaCount``)."""

    @overload
    def __get__(self, obj: None, owner: Optional[type] = None) -> ListOperation[_P, M]: ...

    @overload
    def __get__(self, obj: Resource[_Sync], owner: Optional[type] = None) -> Callable[_P, ODataPager[M]]: ...

    @overload
    def __get__(self, obj: Resource[_Async], owner: Optional[type] = None) -> Callable[_P, AsyncODataPager[M]]: ...

    def __get__(self, obj: Optional[Resource[Any]], owner: Optional[type] = None) -> Any:
        return self._bind(obj)

    def run(self, flavour: Type[Flavour], resource: Resource[Any], args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Any:
        handle, params = self.request(resource, args, kwargs)
        pager = AsyncODataPager if flavour is _Async else ODataPager
        return pager(handle, self.endpoint, params, self._decode)

    def _wrap(self, flavour: Type[Flavour]) -> Callable[..., Any]:
        # A pager is handed out at once in both flavours; the asyncio one awaits its pages.
        return Flavour.wrap(functools.partial(self.run, flavour))


def listing(endpoint: str, model: Type[M]) -> Callable[[_Declared[_P]], ListOperation[_P, M]]:
    """Declares a list method: its arguments are the row's parameters by name, its answer a
    pager of ``model`` over the row's OData pages."""
    return lambda declared: ListOperation(endpoint, _Answers(model, endpoint), declared, shape="odata", params=_odata_params, returns=f"ODataPager[{model.__name__}]")


# -- resources ----------------------------------------------------------------------------


class AuthResource(Resource[F]):
    """``cargorun.auth.*``: the token calls. The client signs in and renews by itself; called
    directly, the client's session answers them, tokens as ``***``."""

    @_json("cargorun.auth.generate_token")
    def generate_token(self, user_name: str, password: str, *, code: Optional[str] = None) -> None:
        """``cargorun.auth.generate_token``: signs in (the client's own user and password
        adopt the answer); ``accessToken`` and ``refreshToken`` come back as ``***``. Not
        for regular use: the service answers 429 when it is called too often."""

    @_json("cargorun.auth.refresh_token")
    def refresh_token(self, access_token: str = "***", refresh_token: str = "***") -> None:
        """``cargorun.auth.refresh_token``: renews the client's own session (``***`` for
        both tokens); the new tokens come back as ``***``."""


class DriversResource(Resource[F]):
    """``cargorun.drivers.*`` (directories.md)."""

    @apply("cargorun.drivers.apply", "driver")
    def apply(self, driver: Union[DriverEditModel, Mapping[str, Any]]) -> None:
        """``cargorun.drivers.apply``: creates (``id`` 0) or updates a driver; returns its id.
        The phone is sent as ``+7XXXXXXXXXX``; a number that is not Russian is refused."""

    @send("cargorun.drivers.delete")
    def delete(self, id: int) -> None:
        """``cargorun.drivers.delete``: refused while the driver has active bids."""

    @send("cargorun.drivers.restore")
    def restore(self, id: int) -> None:
        """``cargorun.drivers.restore``."""

    @listing("cargorun.drivers.list", DriverListViewModel)
    def list(self, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None, check_online: Optional[bool] = None, with_deleted: Optional[bool] = None) -> None:
        """``cargorun.drivers.list``: the drivers, 50 a page (``check_online``: whether each
        driver's app is online; ``with_deleted``)."""


class CarsResource(Resource[F]):
    """``cargorun.cars.*`` (directories.md)."""

    @apply("cargorun.cars.apply", "car")
    def apply(self, car: Union[CarEditModel, Mapping[str, Any]]) -> None:
        """``cargorun.cars.apply``: creates (``id`` 0) or updates a car; returns its id."""

    @send("cargorun.cars.delete")
    def delete(self, id: int) -> None:
        """``cargorun.cars.delete``."""

    @listing("cargorun.cars.list", CarListViewModel)
    def list(self, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None) -> None:
        """``cargorun.cars.list``: the cars, 50 a page."""

    @one("cargorun.cars.get_for_edit", CarGetModel)
    def get_for_edit(self, id: int) -> None:
        """``cargorun.cars.get_for_edit``: one car with everything an edit needs."""

    @one("cargorun.cars.mileage", CarMileageForPeriodModel)
    def mileage(self, car_id: int, start: str, end: str) -> None:
        """``cargorun.cars.mileage``: the mileage over a period given without a time zone,
        ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SS`` (directories.md); one with a zone is refused."""


class TrailersResource(Resource[F]):
    """``cargorun.trailers.*`` (directories.md)."""

    @apply("cargorun.trailers.apply", "trailer")
    def apply(self, trailer: Union[TrailerEditModel, Mapping[str, Any]]) -> None:
        """``cargorun.trailers.apply``: creates (``id`` 0) or updates a trailer; returns its id."""

    @send("cargorun.trailers.delete")
    def delete(self, id: int) -> None:
        """``cargorun.trailers.delete``."""

    @listing("cargorun.trailers.list", TrailerListViewModel)
    def list(self, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None, with_deleted: Optional[bool] = None) -> None:
        """``cargorun.trailers.list``: the trailers, 50 a page."""


class CounterpartiesResource(Resource[F]):
    """``cargorun.counterparties.*`` (counterparties.md)."""

    @apply("cargorun.counterparties.apply", "counterparty")
    def apply(self, counterparty: Union[CounterpartyEditModel, Mapping[str, Any]]) -> None:
        """``cargorun.counterparties.apply``: creates (``id`` 0) or updates a counterparty;
        returns its id. The INN's check digits are checked first."""

    @send("cargorun.counterparties.delete")
    def delete(self, id: int) -> None:
        """``cargorun.counterparties.delete``."""

    @listing("cargorun.counterparties.list", CounterpartyListModel)
    def list(self, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None, with_deleted: Optional[bool] = None, only_insolvent: Optional[bool] = None) -> None:
        """``cargorun.counterparties.list``: the counterparties, 50 a page."""

    @one("cargorun.counterparties.get", CounterpartyModel)
    def get(self, id: int) -> None:
        """``cargorun.counterparties.get``: one counterparty."""


class ContractsResource(Resource[F]):
    """``cargorun.contracts.*``: a counterparty's contracts (counterparties.md)."""

    @apply("cargorun.contracts.apply", "contract")
    def apply(self, contract: Union[CounterpartyContractEditModel, Mapping[str, Any]]) -> None:
        """``cargorun.contracts.apply``: creates (``id`` 0) or updates a contract (``date`` is
        date-only); returns its id."""

    @listing("cargorun.contracts.list", CounterpartyContractModel)
    def list(self, counterparty_id: int, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None) -> None:
        """``cargorun.contracts.list``: a counterparty's contracts, 50 a page."""

    @one("cargorun.contracts.get", CounterpartyContractModel)
    def get(self, counterparty_id: int, contract_id: int) -> None:
        """``cargorun.contracts.get``: one contract of a counterparty."""

    @send("cargorun.contracts.delete")
    def delete(self, id: int, counterparty_id: int) -> None:
        """``cargorun.contracts.delete``."""


class CounterpartyPointsResource(Resource[F]):
    """``cargorun.counterparty_points.*``: a counterparty's addresses (counterparties.md)."""

    @apply("cargorun.counterparty_points.apply", "point")
    def apply(self, point: Union[CounterpartyPointEditModel, Mapping[str, Any]]) -> None:
        """``cargorun.counterparty_points.apply``: creates (``id`` 0) or updates a point; its
        location may be GeoJSON or ``{latitude, longitude}`` (sent as GeoJSON ``[lon, lat]``)."""

    @listing("cargorun.counterparty_points.list", CounterpartyPointModel)
    def list(self, counterparty_id: int, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None) -> None:
        """``cargorun.counterparty_points.list``: a counterparty's points, 50 a page."""

    @one("cargorun.counterparty_points.get", CounterpartyPointModel)
    def get(self, id: int) -> None:
        """``cargorun.counterparty_points.get``: one point."""

    @send("cargorun.counterparty_points.delete")
    def delete(self, id: int) -> None:
        """``cargorun.counterparty_points.delete``."""

    @send("cargorun.counterparty_points.restore")
    def restore(self, id: int, counterparty_id: int) -> None:
        """``cargorun.counterparty_points.restore``."""


class LegalPersonsResource(Resource[F]):
    """``cargorun.legal_persons.*``: your own legal persons."""

    @apply("cargorun.legal_persons.apply", "legal_person")
    def apply(self, legal_person: Union[LegalPersonEditModel, Mapping[str, Any]]) -> None:
        """``cargorun.legal_persons.apply``: creates (``id`` 0) or updates a legal person; returns its id."""

    @send("cargorun.legal_persons.delete")
    def delete(self, id: int) -> None:
        """``cargorun.legal_persons.delete``."""

    @listing("cargorun.legal_persons.list", LegalPersonViewModel)
    def list(self, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None, with_deleted: Optional[bool] = None) -> None:
        """``cargorun.legal_persons.list``: your legal persons, 50 a page."""


class CatalogsResource(Resource[F]):
    """``cargorun.catalogs.*``: custom catalogs (custom-catalogs.md)."""

    @listing("cargorun.catalogs.get_simple", CatalogListWithItemsModel)
    def get_simple(self, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None, show_obsolete: Optional[bool] = None, type: Optional[str] = None) -> None:
        """``cargorun.catalogs.get_simple``: catalogs with their items."""

    @listing("cargorun.catalogs.get", CatalogListWithItemsModel)
    def get(self, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None) -> None:
        """``cargorun.catalogs.get``: custom catalogs with their items."""

    @listing("cargorun.catalogs.list", CatalogListModel)
    def list(self, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None) -> None:
        """``cargorun.catalogs.list``: custom catalogs without their items."""

    @listing("cargorun.catalogs.items", CatalogListItemSimpleViewModel)
    def items(self, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None, with_deleted: Optional[bool] = None) -> None:
        """``cargorun.catalogs.items``: catalog items (``filter="id eq N"`` resolves a
        ``typeOptions`` id to its ``displayName``)."""


def _payment_params(bid_id: int, payment: Union[BidPaymentModel, Mapping[str, Any]]) -> Params:
    return {"bid_id": bid_id, "payment": _body(payment, "payment")}


def _status_params(bid_id: int, status: Union[BidStatus, str]) -> Params:
    return {"bid_id": bid_id, "status": str(status)}


class BidsResource(Resource[F]):
    """``cargorun.bids.*``: trucking bids through their life (bids.md, statuses.md)."""

    @apply("cargorun.bids.apply", "bid")
    def apply(self, bid: Union[BidTruckingEditModel, Mapping[str, Any]]) -> None:
        """``cargorun.bids.apply``: creates (``id`` 0) or updates a bid (at least a loading
        and an unloading point, date-times with their offset); returns its id."""

    @send("cargorun.bids.patch", "patch")
    def patch(self, patch: Union[BidPatchModel, Mapping[str, Any]]) -> None:
        """``cargorun.bids.patch``: changes the fields given (a nested array is sent whole)."""

    @send("cargorun.bids.set_status", params=_status_params)
    def set_status(self, bid_id: int, status: Union[BidStatus, str]) -> None:
        """``cargorun.bids.set_status``: ``New``, ``Planned``, ``Started``, ``Canceled`` or ``Done``."""

    @send("cargorun.bids.force_complete", "completion")
    def force_complete(self, completion: Union[BidForceCompleteModel, Mapping[str, Any]]) -> None:
        """``cargorun.bids.force_complete``: completes a bid by hand (fact times, mileage)."""

    @send("cargorun.bids.revert")
    def revert(self, bid_id: int) -> None:
        """``cargorun.bids.revert``: back to ``New``."""

    @send("cargorun.bids.apply_payment", params=_payment_params)
    def apply_payment(self, bid_id: int, payment: Union[BidPaymentModel, Mapping[str, Any]]) -> None:
        """``cargorun.bids.apply_payment``: the payment status and its dates (date-only)."""

    @many("cargorun.bids.trailer_replacements", BidTrailerReplacementModel)
    def trailer_replacements(self, bid_id: int) -> None:
        """``cargorun.bids.trailer_replacements``: the bid's trailer replacements («перецепки»)."""

    @send("cargorun.bids.cancel")
    def cancel(self, bid_id: int) -> None:
        """``cargorun.bids.cancel``."""

    @send("cargorun.bids.delete")
    def delete(self, bid_id: int) -> None:
        """``cargorun.bids.delete``: only a ``New`` bid."""

    @send("cargorun.bids.restore")
    def restore(self, bid_id: int) -> None:
        """``cargorun.bids.restore``."""

    @one("cargorun.bids.get", BidViewModel)
    def get(self, bid_id: int, *, main_data_only: Optional[bool] = None) -> None:
        """``cargorun.bids.get``: one bid (``main_data_only``: without points, cargos, documents)."""

    @listing("cargorun.bids.list_for_external", BidForExternalSyncModel)
    def list_for_external(self, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None) -> None:
        """``cargorun.bids.list_for_external``: bids for an external system, 50 a page
        (``filter="updatedAt ge …Z"``, ``orderby="updatedAt"`` to sync, sync.md)."""

    @many("cargorun.bids.documents", BidDocumentAssignmentModel)
    def documents(self, bid_id: int) -> None:
        """``cargorun.bids.documents``: the documents attached to the bid."""


def _items_params(items: Sequence[Union[DistributionBidEditModel, Mapping[str, Any]]]) -> Params:
    if isinstance(items, (str, bytes, Mapping, Model)) or not isinstance(items, Sequence):
        raise TypeError(f"items must be a list of distribution bids, got {type(items).__name__}")
    return {"items": [_body(item, f"items[{i}]") for i, item in enumerate(items)]}


class DistributionBidsResource(Resource[F]):
    """``cargorun.distribution_bids.*``: orders to distribute (distribution-bids.md)."""

    @send("cargorun.distribution_bids.apply", params=_items_params)
    def apply(self, items: Sequence[Union[DistributionBidEditModel, Mapping[str, Any]]]) -> None:
        """``cargorun.distribution_bids.apply``: creates or updates distribution bids, each with
        ``id`` and ``external_status``."""

    @listing("cargorun.distribution_bids.list_for_external", DistributionBidForExternalSyncModel)
    def list_for_external(self, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None) -> None:
        """``cargorun.distribution_bids.list_for_external``: 50 a page."""

    @many("cargorun.distribution_bids.external_info", ExternalDistributionBidInfoModel)
    def external_info(self, *, car_id: Optional[int] = None, bid_id: Optional[int] = None) -> None:
        """``cargorun.distribution_bids.external_info``: by car or by bid (Swagger only now)."""

    @listing("cargorun.distribution_bids.external_statuses", ExternalDistributionBidStatusModel)
    def external_statuses(self, *, ids: Optional[Sequence[int]] = None, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None) -> None:
        """``cargorun.distribution_bids.external_statuses``: the statuses of the ids given."""

    @one("cargorun.distribution_bids.get", DistributionBidViewModel)
    def get(self, id: int) -> None:
        """``cargorun.distribution_bids.get``: one distribution bid."""

    @one("cargorun.distribution_bids.get_for_bid", BidTruckingGetModel)
    def get_for_bid(self, bid_id: int) -> None:
        """``cargorun.distribution_bids.get_for_bid``: the distribution bid (order) linked to a
        trucking bid, by the bid's id, read as a trucking bid's model."""

    @send("cargorun.distribution_bids.cancel")
    def cancel(self, id: int, *, comment: Optional[str] = None) -> None:
        """``cargorun.distribution_bids.cancel``."""

    @send("cargorun.distribution_bids.delete")
    def delete(self, id: int) -> None:
        """``cargorun.distribution_bids.delete``."""

    @send("cargorun.distribution_bids.restore")
    def restore(self, id: int) -> None:
        """``cargorun.distribution_bids.restore``."""

    @send("cargorun.distribution_bids.revert")
    def revert(self, id: int) -> None:
        """``cargorun.distribution_bids.revert``: back to its previous state."""


class TrackersResource(Resource[F]):
    """``cargorun.trackers.*`` (trackers.md)."""

    @listing("cargorun.trackers.list", TrackerViewModel)
    def list(self, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None, with_deleted: Optional[bool] = None) -> None:
        """``cargorun.trackers.list``: the trackers, 50 a page."""

    @send("cargorun.trackers.attach", "attachment")
    def attach(self, attachment: Union[TrackerAttachModel, Mapping[str, Any]]) -> None:
        """``cargorun.trackers.attach``: attaches a tracker to a car or a driver;
        ``entity_id=None`` detaches it (written as ``null``)."""


def _title_status_params(id: int, status: Union[WaybillTitleStatus, str], *, bid_id: Optional[int] = None, bid_external_id: Optional[str] = None) -> Params:
    return {"id": id, "status": str(status), "bid_id": bid_id, "bid_external_id": bid_external_id}


class EtrnResource(Resource[F]):
    """``cargorun.etrn.*``: ETRN titles (etrn.md)."""

    @listing("cargorun.etrn.titles", TitleExternalModel)
    def titles(self, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None) -> None:
        """``cargorun.etrn.titles``: 50 a page."""

    @one("cargorun.etrn.title", TitleWithRemarksExternalModel)
    def title(self, *, title_id: Optional[int] = None, bid_id: Optional[int] = None, bid_external_id: Optional[str] = None) -> None:
        """``cargorun.etrn.title``: one title with its remarks, by title id, bid id or the bid's external id."""

    @send("cargorun.etrn.apply_status", params=_title_status_params)
    def apply_status(self, id: int, status: Union[WaybillTitleStatus, str], *, bid_id: Optional[int] = None, bid_external_id: Optional[str] = None) -> None:
        """``cargorun.etrn.apply_status``: a title's new status (``WaybillTitleStatus``)."""


class MapResource(Resource[F]):
    """``cargorun.map.*``: the geocoder."""

    @one("cargorun.map.geocode", AddressSuggestionsModel)
    def geocode(self, address: str, *, count: Optional[int] = None) -> None:
        """``cargorun.map.geocode``: address suggestions with coordinates (``count`` 1..50)."""


class EmployeesResource(Resource[F]):
    """``cargorun.employees.*``: the organisation's users (Swagger: OrganizationEmployees)."""

    @listing("cargorun.employees.list", UserSimpleModel)
    def list(self, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None) -> None:
        """``cargorun.employees.list``: 50 a page."""

    @apply("cargorun.employees.apply_user", "user")
    def apply_user(self, user: Union[UserAddModel, Mapping[str, Any]]) -> None:
        """``cargorun.employees.apply_user``: creates (``id`` 0) or updates an employee's user; returns its id."""

    @send("cargorun.employees.invite", "invitation")
    def invite(self, invitation: Union[InviteUserModel, Mapping[str, Any]]) -> None:
        """``cargorun.employees.invite``: by e-mail or phone."""

    @send("cargorun.employees.remove_invite")
    def remove_invite(self, user_id: int) -> None:
        """``cargorun.employees.remove_invite``."""

    @listing("cargorun.employees.invitations", UserSimpleModel)
    def invitations(self, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None) -> None:
        """``cargorun.employees.invitations``: pending invitations."""

    @send("cargorun.employees.add_role", "role")
    def add_role(self, role: Union[AddUserRoleModel, Mapping[str, Any]]) -> None:
        """``cargorun.employees.add_role``: ``{user_id, role}``."""

    @send("cargorun.employees.remove_role", "role")
    def remove_role(self, role: Union[AddUserRoleModel, Mapping[str, Any]]) -> None:
        """``cargorun.employees.remove_role``: ``{user_id, role}``."""

    @send("cargorun.employees.ban")
    def ban(self, user_id: int) -> None:
        """``cargorun.employees.ban``: blocks the user's sign-in."""

    @send("cargorun.employees.unban")
    def unban(self, user_id: int) -> None:
        """``cargorun.employees.unban``."""

    @listing("cargorun.employees.logists", CarLogistSimpleModel)
    def logists(self, *, filter: Optional[Union[str, Expr]] = None, orderby: Optional[Union[str, OrderBy]] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None, query: Optional[Q] = None) -> None:
        """``cargorun.employees.logists``: 50 a page."""

    @one("cargorun.employees.logist", CarLogistModel)
    def logist(self, id: int) -> None:
        """``cargorun.employees.logist``: one logist."""


# -- clients (one definition, two flavours) ---------------------------------------------


class _CargoRun(ClientBase[F]):
    """The CARGO.RUN client, written once: :class:`CargoRun` and :class:`AsyncCargoRun` are
    its two flavours."""

    auth: AuthResource[F]
    drivers: DriversResource[F]
    cars: CarsResource[F]
    trailers: TrailersResource[F]
    counterparties: CounterpartiesResource[F]
    contracts: ContractsResource[F]
    counterparty_points: CounterpartyPointsResource[F]
    legal_persons: LegalPersonsResource[F]
    catalogs: CatalogsResource[F]
    bids: BidsResource[F]
    distribution_bids: DistributionBidsResource[F]
    trackers: TrackersResource[F]
    etrn: EtrnResource[F]
    map: MapResource[F]
    employees: EmployeesResource[F]

    def __init__(
        self,
        username: str,
        password: str,
        *,
        base_url: Optional[str] = None,
        token_file: Optional[Union[str, os.PathLike[str]]] = None,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        deadline: Optional[float] = None,
    ) -> None:
        for name, value in (("username", username), ("password", password)):
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a str, got {type(value).__name__}")
        path = os.path.expanduser(os.fspath(token_file)) if token_file is not None else None
        options = {"username": username, "password": password, "base_url": base_url, "token_file": path, "timeout": timeout,
                   "connect_timeout": connect_timeout, "max_retries": max_retries, "deadline": deadline}
        self._open("cargorun", options)
        self._sync_account = username

    @property
    def sync(self) -> SyncResource:
        """Incremental syncs, exactly once, with a local store: ``client.sync.bids(store="sync.db")``
        (:mod:`logibridge._cargorun_sync`); checkpoints are kept per base URL and user."""
        return SyncResource(self, self._sync_account)

    def _derive(self, native: _native.Client) -> Self:
        new = super()._derive(native)
        new._sync_account = self._sync_account
        return new

    def with_options(self, *, max_retries: Optional[int] = None) -> Self:
        """A client sharing this one's connections and session with another ``max_retries``."""
        return self._with_options({} if max_retries is None else {"max_retries": max_retries})

    def _repr_fields(self) -> str:
        return f"base_url={self.base_url!r}"


class CargoRun(_CargoRun[_Sync], SyncClientBase):
    """Blocking CARGO.RUN client. Safe to share between threads; ``with`` closes it.

    :param username: the integration user's name (``userName`` of ``GenerateToken``).
    :param password: its password (never shown in messages, logs or repr).
    :param base_url: the customer's API (default :data:`DEFAULT_BASE_URL`; the sandbox's for tests).
    :param token_file: a file keeping the tokens across restarts (created owner-only; one
        open to others is refused), so a restart does not sign in again.
    :param timeout: seconds for a whole request; ``connect_timeout`` to connect.
    :param max_retries: retries of idempotent calls on transient failures.
    :param deadline: seconds one call may take, retries included (default 3 × ``timeout``).
    """


class AsyncCargoRun(_CargoRun[_Async], AsyncClientBase):
    """asyncio CARGO.RUN client: the resources of :class:`CargoRun`, methods are coroutines
    and lists are walked with ``async for``; ``async with`` closes it."""
