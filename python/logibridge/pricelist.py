"""Carreta supplier price lists: CSV (CP1251, ``;``), millions of rows, read lazily.

::

    from logibridge import pricelist

    with pricelist.read("price.csv", on_error="collect") as rows:
        for row in rows:
            print(row.line, row.maker, row.code, row.price, row.qty)
        print(rows.summary.rows_ok, "rows;", len(rows.bad_rows), "bad")

The reading is done by the Rust core with the GIL released (on a background thread for
lists of 16 MiB and more when a core is free; ``background=`` decides instead):
decoding (CP1251, UTF-8 with or without BOM, or any encoding named), CSV with quotes,
columns found by their Russian or English headers, prices as exact ``Decimal``. Each row is
a :class:`PriceRow` holding the core's row; a field becomes a Python object when it is read.
``async for`` works too (batches are read in a worker thread).
"""

from __future__ import annotations

import asyncio
import collections
import os
from decimal import Decimal
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Callable,
    Deque,
    Dict,
    Iterator,
    List,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypedDict,
    Union,
    overload,
)

from . import _native
from ._exceptions import InvalidArgumentError
from ._models import Model, field

if TYPE_CHECKING:  # the DataFrame libraries are optional: imported when a function needs them
    import pandas  # type: ignore[import-untyped, unused-ignore]
    import polars
    import pyarrow  # type: ignore[import-untyped, unused-ignore]
    from typing_extensions import Unpack

__all__ = ["read", "PriceList", "PriceRow", "BadRow", "Summary", "FIELDS"]

FIELDS = ("code", "maker", "name", "price", "qty", "min_qty", "period")
"""The columns the reader knows, by the names ``columns=`` takes."""

Source = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, Any]
ProgressCallback = Callable[[int, Optional[int]], Any]

_BATCH = 1024


PriceRow = _native.PriceRow
"""One offer of a price list (defined in the native module; immutable)."""


class _PriceRowFields(Model):
    """The fields of a :class:`PriceRow`, decoded the models' way: ``PriceRow.from_dict``
    reads a record with it (so a bad record raises the models' ``DecodeError``)."""

    line: int
    code: str
    maker: str = ""
    name: str = ""
    price: Decimal
    qty: str = ""
    min_qty: int = 1
    period_min: Optional[int] = None
    period_max: Optional[int] = None
    extra_columns: Dict[str, str] = field(key="extra", default_factory=dict)


# Errors name the public class: "PriceRow.price: expected Decimal, ...".
_PriceRowFields.__name__ = _PriceRowFields.__qualname__ = "PriceRow"


def _decode_row(data: Mapping[str, Any]) -> _PriceRowFields:
    return _PriceRowFields.from_dict(data)


class BadRow(Model):
    """A row that could not be read."""

    line: int
    column: Optional[str] = None
    """Header of the offending column, when one column is to blame."""
    reason: str
    """What is wrong, in English."""
    reason_ru: str = ""
    """What is wrong, in Russian."""
    raw: str = ""
    """The start of the record as text."""

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


class Summary(Model):
    """Counts of a reading (final once the rows are exhausted)."""

    rows_ok: int
    rows_bad: int
    bytes: int


class PriceList(Iterator[PriceRow]):
    """A price list being read: iterate it (``for`` or ``async for``) for its rows, lazily.

    Use it as a context manager, or call :meth:`close`, to release the file or download
    early; it is released at the end of the rows anyway.
    """

    def __init__(self, native: _native.PriceListReader) -> None:
        self._native = native
        # Rows ``async for`` took from the native buffer and has not yielded yet: not
        # handed to the caller, so not counted in the summary.
        self._held: Deque[PriceRow] = collections.deque()

    # -- rows -------------------------------------------------------------------------
    #
    # The native reader is the iterator: ``for`` and ``list()`` take rows from its batches
    # without running Python code per row.

    def __iter__(self) -> Iterator[PriceRow]:
        return self._native

    def __next__(self) -> PriceRow:
        return next(self._native)

    def __aiter__(self) -> AsyncIterator[PriceRow]:
        return self._arows()

    async def _arows(self) -> AsyncIterator[PriceRow]:
        loop = asyncio.get_running_loop()
        native = self._native
        held = self._held
        while True:
            held.extend(native.take_buffered())
            while held:
                yield held.popleft()
            # Raises InvalidArgumentError once the list is closed, as ``for`` does.
            if not await loop.run_in_executor(None, native.fill, _BATCH):
                return

    def to_list(self) -> List[PriceRow]:
        """Every remaining row (mind the memory on a large list)."""
        return list(self._native)

    # -- what the reader found --------------------------------------------------------

    @property
    def headers(self) -> List[str]:
        """The header cells as written."""
        return self._native.headers

    @property
    def columns(self) -> Dict[str, str]:
        """Which header each known field is read from: ``{"code": "Артикул", …}``."""
        return self._native.columns

    @property
    def extra_columns(self) -> List[str]:
        """The keys of each row's ``extra_columns``, in file order: the unknown columns'
        headers, ``extra:`` + header for a header that repeats an earlier one (so both cells
        are kept, and the names match :func:`to_arrow`'s columns)."""
        return self._native.extra_columns

    @property
    def encoding(self) -> Optional[str]:
        """The encoding in use (``"windows-1251"``, ``"UTF-8"``, …), None while only ASCII
        was seen."""
        return self._native.encoding

    @property
    def bad_rows(self) -> List[BadRow]:
        """The rows that could not be read so far (``on_error="collect"``)."""
        return [BadRow.from_dict(b) for b in self._native.bad_rows()]

    @property
    def summary(self) -> Summary:
        """Rows read, rows bad, bytes read — so far. ``rows_ok`` counts the rows handed to
        the caller (``limit``-style early stops included), not those read ahead."""
        counts = self._native.summary()
        counts["rows_ok"] -= len(self._held)
        return Summary.from_dict(counts)

    # -- lifetime ---------------------------------------------------------------------

    def close(self) -> None:
        """Releases the file or download. Idempotent. Iterating the list afterwards raises
        :class:`~logibridge.InvalidArgumentError`."""
        self._held.clear()
        self._native.close()

    @property
    def closed(self) -> bool:
        return self._native.closed

    def __enter__(self) -> PriceList:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<PriceList {'closed' if self.closed else 'open'}>"



def _column_pairs(columns: Optional[Mapping[str, Union[str, Sequence[str]]]]) -> List[Tuple[str, str]]:
    """``columns=`` as (field, header) pairs, a field with several candidate headers once per
    header (the form the native readers take); any other shape is an
    :class:`~logibridge.InvalidArgumentError` naming ``columns``."""
    if columns is None:
        return []
    if not isinstance(columns, Mapping):
        raise _option_error("columns", f"must be a dict of field to header, got {type(columns).__name__}",
                            f"должен быть словарём «поле: заголовок», передано {type(columns).__name__}")
    pairs: List[Tuple[str, str]] = []
    for key, headers in columns.items():
        candidates = [headers] if isinstance(headers, str) else headers
        if not isinstance(key, str) or not isinstance(candidates, (list, tuple)) or not all(isinstance(h, str) for h in candidates):
            raise _option_error(
                "columns",
                f"must map a field name to a header or a list of headers (str), got {key!r}: {headers!r}",
                f"должен сопоставлять имени поля заголовок или список заголовков (str), передано {key!r}: {headers!r}",
            )
        pairs.extend((key, header) for header in candidates)
    return pairs


def _option_error(name: str, en: str, ru: str) -> InvalidArgumentError:
    return InvalidArgumentError(f"{name} {en}", field=name, code="invalid_argument", message_ru=f"{name} {ru}")


# The integer options: (lowest, highest). The highest are the native types' (usize on a
# 64-bit machine, u32 for batch_rows) or the documented limits (price_scale, threads).
_INT_OPTIONS = {
    "max_errors_kept": (0, 2**63 - 1),
    "max_record_bytes": (1, 2**63 - 1),
    "batch_rows": (1, 2**32 - 1),
    "price_scale": (0, 28),
    "threads": (0, 256),
}


def _check_int_options(**values: Optional[int]) -> None:
    """An :class:`~logibridge.InvalidArgumentError` naming the option and its range for an
    integer option that is not an ``int`` (``bool`` included) or out of its range (``None``
    passes: the default)."""
    for name, value in values.items():
        if value is None:
            continue
        low, high = _INT_OPTIONS[name]
        if isinstance(value, bool) or not isinstance(value, int):
            raise _option_error(name, f"must be an int from {low} to {high}, got {type(value).__name__}",
                                f"должен быть целым от {low} до {high}, передан {type(value).__name__}")
        if not low <= value <= high:
            raise _option_error(name, f"must be from {low} to {high}, got {value}", f"должен быть от {low} до {high}, передано {value}")


def _text_mode_error(fn: str, got: object) -> InvalidArgumentError:
    kind = type(got).__name__
    return InvalidArgumentError(
        f'the file object must be opened in binary mode, open(path, "rb"): its read() returned {kind}',
        field="source",
        code="invalid_argument",
        message_ru=f'файл для {fn} нужно открыть в двоичном режиме, open(path, "rb"): его read() вернул {kind}',
    )

def read(
    source: Source,
    *,
    encoding: str = "auto",
    delimiter: str = ";",
    on_error: str = "stop",
    columns: Optional[Mapping[str, Union[str, Sequence[str]]]] = None,
    max_errors_kept: int = 1000,
    max_record_bytes: Optional[int] = None,
    progress: Optional[ProgressCallback] = None,
    background: Optional[bool] = None,
) -> PriceList:
    """``carreta.pricelist.parse``: opens a price list for reading, lazily.

    :param source: a path (``str`` or ``os.PathLike``), an ``http(s)://`` URL (read while it
        downloads, never held whole in memory), ``bytes``, or a binary file object.
    :param encoding: ``"auto"`` (a BOM decides; else the 64 KiB from the first non-ASCII
        byte do: UTF-8 when valid throughout and made of a price list's characters, CP1251
        otherwise), or any encoding label (``"cp1251"``, ``"utf-8"``, ``"koi8-r"``, …).
    :param delimiter: the field separator, one character.
    :param on_error: ``"stop"`` raises :class:`~logibridge.DecodeError` at the first bad
        row (after yielding the rows before it); ``"collect"`` skips bad rows and keeps them
        in :attr:`PriceList.bad_rows`.
    :param columns: headers to read fields from instead of the built-in synonyms, e.g.
        ``{"price": "Стоимость"}``; a list gives alternatives. Fields: :data:`FIELDS`.
    :param max_errors_kept: how many bad rows are kept in memory (the count goes on).
    :param max_record_bytes: the longest record accepted (default 1 MiB).
    :param progress: called as ``progress(bytes_done, total_or_None)`` as the source is
        read (at most once per MiB, and at the start and the end).
    :param background: parse on a second thread while the caller's loop runs (True), or on
        the calling thread (False). None (the default) chooses: a thread for paths, bytes
        and downloads of 16 MiB and more, when the machine has two cores or more and at
        least one is free now (by the threads ready to run, ``/proc/loadavg``). A Python
        file object is always read on the calling thread. The rows are the same either way.
    :raises ~logibridge.DecodeError: the header lacks a required column.
    :raises ~logibridge.InvalidArgumentError: the file cannot be opened (missing, a
        directory, no permission), or a file object was opened in text mode (open it with
        ``"rb"``).
    :raises ~logibridge.TransportError: the download fails.
    """
    kind: str
    value: Any
    if isinstance(source, str) and source.lower().startswith(("http://", "https://")):
        kind, value = "url", source
    elif isinstance(source, (str, os.PathLike)):
        kind, value = "path", os.fspath(source)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        kind, value = "bytes", bytes(source)
    elif hasattr(source, "read"):
        kind, value = "file", source
    else:
        raise TypeError(f"source must be a path, a URL, bytes or a binary file object, got {type(source).__name__}")
    pairs = _column_pairs(columns)
    _check_int_options(max_errors_kept=max_errors_kept, max_record_bytes=max_record_bytes)
    native = _native.PriceListReader(
        kind,
        value,
        encoding=encoding,
        delimiter=delimiter,
        on_error=on_error,
        columns=pairs,
        max_errors_kept=max_errors_kept,
        max_record_bytes=max_record_bytes,
        progress=progress,
        background=background,
    )
    return PriceList(native)


# -- DataFrames: Arrow through the PyCapsule interface -----------------------------------

_MISSING = {
    "pyarrow": (
        "pricelist.{fn}() needs pyarrow: pip install pyarrow",
        "для pricelist.{fn}() нужен пакет pyarrow: pip install pyarrow",
    ),
    "polars": (
        "pricelist.{fn}() needs polars: pip install polars",
        "для pricelist.{fn}() нужен пакет polars: pip install polars",
    ),
    "pandas": (
        "pricelist.{fn}() needs pandas and pyarrow: pip install pandas pyarrow",
        "для pricelist.{fn}() нужны пакеты pandas и pyarrow: pip install pandas pyarrow",
    ),
}


def _require(package: str, fn: str) -> Any:
    """Imports ``package`` for ``fn``, or raises ImportError saying what to install (in
    English and Russian)."""
    import importlib

    try:
        return importlib.import_module(package)
    except ImportError as e:
        en, ru = _MISSING[package]
        raise ImportError(f"{en.format(fn=fn)} / {ru.format(fn=fn)}", name=package) from e


def arrow_stream(
    source: Source,
    *,
    encoding: str = "auto",
    delimiter: str = ";",
    on_error: str = "stop",
    columns: Optional[Mapping[str, Union[str, Sequence[str]]]] = None,
    max_errors_kept: int = 1000,
    max_record_bytes: Optional[int] = None,
    batch_rows: int = 65536,
    price_scale: int = 2,
    threads: int = 0,
) -> _native.PriceListArrow:
    """Opens a price list as an Arrow stream: any PyCapsule consumer reads it
    (``pyarrow.table(s)``, ``polars.DataFrame(s)``, ``duckdb.sql("… FROM s")``,
    nanoarrow), once.

    The list is parsed on every core straight into Arrow batches, handed out in file order,
    at most ``batch_rows`` rows each; memory stays bounded by the batch size. The GIL is
    not needed by the parsing threads. Columns:

    ``line`` uint64 (the header is line 1); ``code``, ``maker``, ``name`` utf8;
    ``price`` decimal128(38, ``price_scale``), exact (a price needing more decimals is a bad
    row, never rounded); ``qty`` utf8 as written; ``qty_kind`` dictionary of ``exactly``,
    ``less_than``, ``more_than``, ``in_stock``, ``unknown``; ``qty_value`` uint64 or null;
    ``min_qty`` uint32; ``period_min``, ``period_max`` uint32 or null (days); then each
    unknown column as utf8 under its header (``extra:`` + header when it repeats a name).

    After the stream is consumed, ``.bad_rows()`` is an Arrow table (``line``, ``column``,
    ``reason``, ``reason_ru``, ``raw``) and ``.summary()`` a dict of counts; when a consumer
    reports an error, ``.error()`` raises the library's exception (``DecodeError`` at the
    first bad row under ``on_error="stop"``).

    :param source: a path, ``bytes``, or a binary file object (read whole first). URLs are
        not read here: download with :func:`read` or save the file first.
    :param batch_rows: the most rows in one batch.
    :param price_scale: decimal places of ``price`` (0-28).
    :param threads: parsing threads (0: one per core; at most 256).
    Other parameters as :func:`read`.
    :raises ~logibridge.DecodeError: the header lacks a required column.
    :raises ~logibridge.InvalidArgumentError: the file cannot be opened; a bad option.
    """
    kind: str
    value: Any
    if isinstance(source, str) and source.lower().startswith(("http://", "https://")):
        raise TypeError("arrow_stream() reads a path, bytes or a file object, not a URL / arrow_stream() читает путь, bytes или файл, но не URL")
    if isinstance(source, (str, os.PathLike)):
        kind, value = "path", os.fspath(source)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        kind, value = "bytes", bytes(source)
    elif hasattr(source, "read"):
        data = source.read()
        if not isinstance(data, (bytes, bytearray)):
            raise _text_mode_error("arrow_stream()", data)
        kind, value = "bytes", bytes(data)
    else:
        raise TypeError(f"source must be a path, bytes or a binary file object, got {type(source).__name__}")
    pairs = _column_pairs(columns)
    _check_int_options(
        max_errors_kept=max_errors_kept, max_record_bytes=max_record_bytes, batch_rows=batch_rows, price_scale=price_scale, threads=threads
    )
    return _native.PriceListArrow(
        kind,
        value,
        encoding=encoding,
        delimiter=delimiter,
        on_error=on_error,
        columns=pairs,
        max_errors_kept=max_errors_kept,
        max_record_bytes=max_record_bytes,
        batch_rows=batch_rows,
        price_scale=price_scale,
        threads=threads,
    )


class ArrowOptions(TypedDict, total=False):
    """The keyword options of :func:`to_arrow`, :func:`to_pandas` and :func:`to_polars`: those
    of :func:`arrow_stream`, checked by type checkers (a misspelt option is an error)."""

    encoding: str
    delimiter: str
    on_error: str
    columns: Optional[Mapping[str, Union[str, Sequence[str]]]]
    max_errors_kept: int
    max_record_bytes: Optional[int]
    batch_rows: int
    price_scale: int
    threads: int


@overload
def to_arrow(source: Source, *, bad_rows: Literal[False] = False, **options: Unpack[ArrowOptions]) -> pyarrow.Table: ...
@overload
def to_arrow(source: Source, *, bad_rows: Literal[True], **options: Unpack[ArrowOptions]) -> Tuple[pyarrow.Table, pyarrow.Table]: ...
def to_arrow(source: Source, *, bad_rows: bool = False, **options: Unpack[ArrowOptions]) -> Any:
    """The whole price list as a ``pyarrow.Table`` (columns: :func:`arrow_stream`), read on
    every core with the GIL released.

    :param bad_rows: also return the bad rows: ``(table, bad_rows_table)``, the second with
        ``line``, ``column``, ``reason``, ``reason_ru``, ``raw`` (useful with
        ``on_error="collect"``).
    :param options: as :func:`arrow_stream`.
    :raises ImportError: pyarrow is not installed (``pip install pyarrow``).
    :raises ~logibridge.DecodeError: a bad row under ``on_error="stop"`` (the default), or
        a header without a required column.
    """
    return _tables(source, bad_rows, "to_arrow", options)


def _tables(source: Source, bad_rows: bool, fn: str, options: ArrowOptions) -> Any:
    pa = _require("pyarrow", fn)
    native = arrow_stream(source, **options)
    # Through RecordBatchReader.from_stream, not pa.table(): pa.table() first asks whether
    # its argument is a pandas DataFrame, which imports pandas when it is installed
    # (measured: 1.3 s of a 2.3 s to_arrow on the 100 MB list).
    table = pa.RecordBatchReader.from_stream(native.read_all()).read_all()
    if bad_rows:
        return table, pa.RecordBatchReader.from_stream(native.bad_rows()).read_all()
    return table


@overload
def to_pandas(source: Source, *, bad_rows: Literal[False] = False, **options: Unpack[ArrowOptions]) -> pandas.DataFrame: ...
@overload
def to_pandas(source: Source, *, bad_rows: Literal[True], **options: Unpack[ArrowOptions]) -> Tuple[pandas.DataFrame, pandas.DataFrame]: ...
def to_pandas(source: Source, *, bad_rows: bool = False, **options: Unpack[ArrowOptions]) -> Any:
    """The whole price list as a ``pandas.DataFrame`` backed by Arrow (``pd.ArrowDtype``
    columns: ``price`` stays ``decimal128(38, price_scale)[pyarrow]``, exact, never float;
    ``price_scale`` is 2 unless given).

    Parameters and errors as :func:`to_arrow`; needs pandas and pyarrow.
    """
    _require("pyarrow", "to_pandas")
    pd = _require("pandas", "to_pandas")
    result = _tables(source, bad_rows, "to_pandas", options)
    if bad_rows:
        table, bad = result
        return table.to_pandas(types_mapper=pd.ArrowDtype), bad.to_pandas(types_mapper=pd.ArrowDtype)
    return result.to_pandas(types_mapper=pd.ArrowDtype)


@overload
def to_polars(source: Source, *, bad_rows: Literal[False] = False, **options: Unpack[ArrowOptions]) -> polars.DataFrame: ...
@overload
def to_polars(source: Source, *, bad_rows: Literal[True], **options: Unpack[ArrowOptions]) -> Tuple[polars.DataFrame, polars.DataFrame]: ...
def to_polars(source: Source, *, bad_rows: bool = False, **options: Unpack[ArrowOptions]) -> Any:
    """The whole price list as a ``polars.DataFrame`` (imported through the PyCapsule
    interface; pyarrow is not needed). ``price`` is ``Decimal(38, 2)``, ``qty_kind``
    categorical.

    Parameters and errors as :func:`to_arrow`; needs polars.
    """
    pl = _require("polars", "to_polars")
    native = arrow_stream(source, **options)
    frame = pl.DataFrame(native.read_all())
    if bad_rows:
        return frame, pl.DataFrame(native.bad_rows())
    return frame


__all__ += ["arrow_stream", "to_arrow", "to_pandas", "to_polars", "ArrowOptions"]
