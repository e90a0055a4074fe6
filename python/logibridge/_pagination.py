"""Lists across pages: one walk (:class:`_Walk`), driven by a blocking pager and an asyncio
pager.

A paged row of the table (``paging.kind`` ``"page_number"``, or ``"page_count"`` where the
caller also says how many items a page holds) names its page parameter, the first page's
number and the documented page size; a page shorter than that is the last.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Awaitable, Callable, Dict, Generic, Iterator, List, Mapping, Optional, Sequence, TypeVar, Union, overload

__all__ = ["Paging", "Page", "SyncPager", "AsyncPager"]

M = TypeVar("M")


class Paging:
    """How an endpoint pages: the page-number parameter, the first page's number, and the
    documented page size (a shorter page is the last one; ``None``: only an empty page
    ends the walk). ``count_param`` names the parameter that sets the page size when the
    caller chooses it (iRECA's ``count``); a walk then sends the size it counts on."""

    __slots__ = ("param", "first", "size", "count_param")

    def __init__(self, *, param: str = "page", first: int = 1, size: Optional[int] = None, count_param: Optional[str] = None) -> None:
        self.param = param
        self.first = first
        self.size = size
        self.count_param = count_param

    @classmethod
    def of_row(cls, row: Mapping[str, Any]) -> Optional[Paging]:
        """The paging of a table row, or None when the row is not walked by page number."""
        p = row.get("paging") or {}
        kind = p.get("kind")
        if kind not in ("page_number", "page_count"):
            return None
        count_param = p.get("count_param", "count") if kind == "page_count" else None
        return cls(param=p.get("param", "page"), first=p.get("first", 1), size=p.get("size") or None, count_param=count_param)

    def sized(self, params: Dict[str, Any]) -> Paging:
        """The paging of one walk whose parameters are ``params``: where the caller sets the
        page size, the size given (put into ``params`` as this paging's size when absent,
        so the service's own default never makes a full page look short)."""
        if self.count_param is None:
            return self
        size = params.setdefault(self.count_param, self.size)
        return Paging(param=self.param, first=self.first, size=size if isinstance(size, int) else self.size, count_param=self.count_param)


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


class _Walk(Generic[M]):
    """The page walk both pagers drive: ``number`` is the page to fetch next until
    ``done``; :meth:`take` turns its items into the page to hand out (None: an empty page
    past the start, which ends the walk)."""

    def __init__(self, paging: Paging, start: int) -> None:
        self._paging = paging
        self._start = start
        self.number = start
        self.done = False

    def take(self, items: List[M]) -> Optional[Page[M]]:
        page = Page(items, self.number, self._paging)
        following = page.next_page_number
        self.done = following is None
        self.number = following if following is not None else self.number
        return page if items or page.number == self._start else None


class _Pager(Generic[M]):
    def __init__(self, fetch: Callable[[int], Any], paging: Paging, *, start: Optional[int] = None) -> None:
        self._fetch = fetch
        self._paging = paging
        self._start = paging.first if start is None else start

    def _walk(self) -> _Walk[M]:
        return _Walk(self._paging, self._start)


class SyncPager(_Pager[M]):
    """Every item of a list across all pages, fetched lazily as iteration goes.

    ``for item in pager`` walks every page; ``pager.pages()`` yields whole pages;
    ``pager.first_page()`` fetches just one. Nothing is requested before you iterate.
    """

    def __init__(self, fetch: Callable[[int], List[M]], paging: Paging, *, start: Optional[int] = None) -> None:
        super().__init__(fetch, paging, start=start)

    def first_page(self) -> Page[M]:
        """The starting page only (one request)."""
        return Page(self._fetch(self._start), self._start, self._paging)

    def pages(self) -> Iterator[Page[M]]:
        """The pages one by one, from the starting page to the last."""
        walk = self._walk()
        while not walk.done:
            page = walk.take(self._fetch(walk.number))
            if page is not None:
                yield page

    def __iter__(self) -> Iterator[M]:
        for page in self.pages():
            yield from page.items

    def to_list(self) -> List[M]:
        """Every item of every page."""
        return list(self)


class AsyncPager(_Pager[M]):
    """Every item of a list across all pages, for ``async for``; see :class:`SyncPager`."""

    def __init__(self, fetch: Callable[[int], Awaitable[List[M]]], paging: Paging, *, start: Optional[int] = None) -> None:
        super().__init__(fetch, paging, start=start)

    async def first_page(self) -> Page[M]:
        """The starting page only (one request)."""
        return Page(await self._fetch(self._start), self._start, self._paging)

    async def pages(self) -> AsyncIterator[Page[M]]:
        """The pages one by one, from the starting page to the last."""
        walk = self._walk()
        while not walk.done:
            page = walk.take(await self._fetch(walk.number))
            if page is not None:
                yield page

    async def __aiter__(self) -> AsyncIterator[M]:
        async for page in self.pages():
            for item in page.items:
                yield item

    async def to_list(self) -> List[M]:
        """Every item of every page."""
        return [item async for item in self]
