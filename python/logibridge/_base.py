"""What every service's clients and resources share: the call by endpoint id, model
decoding, pagination, closing.

A service is a pair of client classes (sync and async) naming their service prefix and
their resources; a resource is a class whose methods each name one endpoint id and the
model its answer decodes into. All calls go through ``_native.Client.call`` (sync, the GIL
released) or ``_native.Client.call_async`` (asyncio), so nothing here knows a service.
"""

from __future__ import annotations

from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    ClassVar,
    Generic,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Type,
    TypeVar,
    Union,
    overload,
)

from . import _native
from ._exceptions import DecodeError
from ._models import Model, jsonable

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = [
    "SyncClient",
    "AsyncClient",
    "SyncResource",
    "AsyncResource",
    "Page",
    "SyncPager",
    "AsyncPager",
    "DEFAULT_TIMEOUT",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "NotGiven",
    "NOT_GIVEN",
]

DEFAULT_TIMEOUT = 30.0
"""Seconds for a whole request."""
DEFAULT_CONNECT_TIMEOUT = 10.0
"""Seconds to establish a connection."""
DEFAULT_MAX_RETRIES = 2
"""Retries of idempotent calls on transient failures (orders are never retried)."""

M = TypeVar("M", bound=Model)


class NotGiven:
    """The type of :data:`NOT_GIVEN`: "leave this option as it is" where None has a meaning."""

    _instance: ClassVar[Optional[NotGiven]] = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


def _decode(cast_to: Type[M], data: Any, endpoint: str) -> M:
    try:
        return cast_to.from_dict(data)
    except DecodeError as e:
        e.endpoint = endpoint
        raise


def _decode_list(cast_to: Type[M], data: Any, endpoint: str) -> List[M]:
    if not isinstance(data, list):
        raise DecodeError(f"{endpoint}: expected a list, got {type(data).__name__}", endpoint=endpoint, path="")
    return [_decode(cast_to, item, endpoint) for item in data]


def _params(params: Optional[Mapping[str, Any]]) -> Optional[Any]:
    if params is None:
        return None
    # None values mean "not given": the core treats null parameters as absent.
    return jsonable({k: v for k, v in params.items() if v is not None})


class _ClientBase:
    _service: ClassVar[str]
    _handle: _native.Client

    def _init_native(
        self,
        api_key: str,
        *,
        base_url: Optional[str],
        account: Optional[str],
        timeout: Optional[float],
        connect_timeout: Optional[float],
        max_retries: Optional[int],
    ) -> None:
        if not isinstance(api_key, str):
            raise TypeError(f"api_key must be a str, got {type(api_key).__name__}")
        self._handle = _native.Client(
            self._service,
            api_key,
            base_url=base_url,
            account=account,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_retries=max_retries,
        )
        self._init_resources()

    def _init_resources(self) -> None:
        """Sets the resource attributes; each service's client defines it."""

    def _derive(self, native: _native.Client) -> Self:
        new = object.__new__(type(self))
        new._handle = native
        new._init_resources()
        return new

    def with_options(self, *, account: Union[str, None, NotGiven] = NOT_GIVEN, max_retries: Optional[int] = None) -> Self:
        """A client sharing this one's connections, acting for another ``account``
        (``None`` for the key's default) and/or with another ``max_retries``."""
        return self._derive(
            self._handle.with_options(
                set_account=not isinstance(account, NotGiven),
                account=None if isinstance(account, NotGiven) else account,
                max_retries=max_retries,
            )
        )

    @property
    def base_url(self) -> str:
        """The service URL in force."""
        return self._handle.base_url

    @property
    def account(self) -> Optional[str]:
        """The account the client acts for (None: the key's default)."""
        return self._handle.account

    @property
    def is_closed(self) -> bool:
        return self._handle.closed

    def __repr__(self) -> str:
        # Never the key.
        closed = ", closed" if self._handle.closed else ""
        return f"{type(self).__name__}(base_url={self.base_url!r}, account={self.account!r}{closed})"


class SyncClient(_ClientBase):
    """Base of the blocking clients. Safe to share between threads."""

    def call(self, endpoint: str, params: Optional[Mapping[str, Any]] = None) -> Any:
        """Calls any endpoint of this service by its id (``"carreta.order.get"``) with
        JSON-shaped parameters and returns the JSON-shaped answer: the generic entry the
        resource methods are built on."""
        return self._handle.call(endpoint, _params(params))

    def close(self) -> None:
        """Closes the client's connections; later calls raise."""
        self._handle.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()


class AsyncClient(_ClientBase):
    """Base of the asyncio clients: the same resources, methods are coroutines."""

    async def call(self, endpoint: str, params: Optional[Mapping[str, Any]] = None) -> Any:
        """Calls any endpoint of this service by its id; see :meth:`SyncClient.call`."""
        return await self._handle.call_async(endpoint, _params(params))

    async def close(self) -> None:
        """Closes the client's connections; later calls raise."""
        self._handle.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.close()


class SyncResource:
    """Base of a blocking resource (``client.orders``)."""

    def __init__(self, client: SyncClient) -> None:
        self._client = client

    def _get(self, endpoint: str, params: Optional[Mapping[str, Any]], cast_to: Type[M]) -> M:
        return _decode(cast_to, self._client.call(endpoint, params), endpoint)

    def _get_list(self, endpoint: str, params: Optional[Mapping[str, Any]], cast_to: Type[M]) -> List[M]:
        return _decode_list(cast_to, self._client.call(endpoint, params), endpoint)

    def _pager(self, endpoint: str, params: Mapping[str, Any], cast_to: Type[M], paging: Paging) -> SyncPager[M]:
        def fetch(number: int) -> List[M]:
            return self._get_list(endpoint, {**params, paging.param: number}, cast_to)

        return SyncPager(fetch, paging, start=params.get(paging.param))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


class AsyncResource:
    """Base of an asyncio resource (``client.orders``)."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def _get(self, endpoint: str, params: Optional[Mapping[str, Any]], cast_to: Type[M]) -> M:
        return _decode(cast_to, await self._client.call(endpoint, params), endpoint)

    async def _get_list(self, endpoint: str, params: Optional[Mapping[str, Any]], cast_to: Type[M]) -> List[M]:
        return _decode_list(cast_to, await self._client.call(endpoint, params), endpoint)

    def _pager(self, endpoint: str, params: Mapping[str, Any], cast_to: Type[M], paging: Paging) -> AsyncPager[M]:
        async def fetch(number: int) -> List[M]:
            return await self._get_list(endpoint, {**params, paging.param: number}, cast_to)

        return AsyncPager(fetch, paging, start=params.get(paging.param))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


# -- pagination -----------------------------------------------------------------------


class Paging:
    """How an endpoint pages: the page-number parameter, the first page's number, and the
    documented page size (a shorter page is the last one; ``None``: only an empty page
    ends the walk)."""

    __slots__ = ("param", "first", "size")

    def __init__(self, *, param: str = "page", first: int = 1, size: Optional[int] = None) -> None:
        self.param = param
        self.first = first
        self.size = size


class Page(Sequence[M]):
    """One page of a list: a sequence of items plus its number."""

    def __init__(self, items: List[M], number: int, paging: Paging) -> None:
        self.items = items
        self.number = number
        self._paging = paging

    def has_next_page(self) -> bool:
        """Whether another page may follow (this one is full)."""
        if not self.items:
            return False
        size = self._paging.size
        return size is None or len(self.items) >= size

    @property
    def next_page_number(self) -> Optional[int]:
        return self.number + 1 if self.has_next_page() else None

    @overload
    def __getitem__(self, index: int) -> M: ...

    @overload
    def __getitem__(self, index: slice) -> List[M]: ...

    def __getitem__(self, index: Union[int, slice]) -> Union[M, List[M]]:
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[M]:
        return iter(self.items)

    def __repr__(self) -> str:
        return f"<Page {self.number}: {len(self.items)} item(s)>"


class SyncPager(Generic[M]):
    """Every item of a list across all pages, fetched lazily as iteration goes.

    ``for item in pager`` walks every page; ``pager.pages()`` yields whole pages;
    ``pager.first_page()`` fetches just one. Nothing is requested before you iterate.
    """

    def __init__(self, fetch: Callable[[int], List[M]], paging: Paging, *, start: Optional[int] = None) -> None:
        self._fetch = fetch
        self._paging = paging
        self._start = paging.first if start is None else start

    def first_page(self) -> Page[M]:
        """The starting page only (one request)."""
        return Page(self._fetch(self._start), self._start, self._paging)

    def pages(self) -> Iterator[Page[M]]:
        """The pages one by one, from the starting page to the last."""
        number: Optional[int] = self._start
        while number is not None:
            page = Page(self._fetch(number), number, self._paging)
            if not page.items and number != self._start:
                return
            yield page
            number = page.next_page_number

    def __iter__(self) -> Iterator[M]:
        for page in self.pages():
            yield from page.items

    def to_list(self) -> List[M]:
        """Every item of every page."""
        return list(self)


class AsyncPager(Generic[M]):
    """Every item of a list across all pages, for ``async for``; see :class:`SyncPager`."""

    def __init__(self, fetch: Callable[[int], Awaitable[List[M]]], paging: Paging, *, start: Optional[int] = None) -> None:
        self._fetch = fetch
        self._paging = paging
        self._start = paging.first if start is None else start

    async def first_page(self) -> Page[M]:
        """The starting page only (one request)."""
        return Page(await self._fetch(self._start), self._start, self._paging)

    async def pages(self) -> AsyncIterator[Page[M]]:
        """The pages one by one, from the starting page to the last."""
        number: Optional[int] = self._start
        while number is not None:
            page = Page(await self._fetch(number), number, self._paging)
            if not page.items and number != self._start:
                return
            yield page
            number = page.next_page_number

    async def __aiter__(self) -> AsyncIterator[M]:
        async for page in self.pages():
            for item in page.items:
                yield item

    async def to_list(self) -> List[M]:
        """Every item of every page."""
        return [item async for item in self]
