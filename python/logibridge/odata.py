"""OData queries for CARGO.RUN's list calls, built from typed pieces so they cannot be
malformed::

    from datetime import datetime, timezone
    from logibridge import cargorun
    from logibridge.odata import F, Q

    since = datetime(2026, 1, 23, 21, 0, tzinfo=timezone.utc)
    changed = (F("updatedAt") >= since) & (F("status") == cargorun.BidStatus.DONE)
    pager = cr.bids.list_for_external(filter=changed, orderby=[F("updatedAt").asc(), F("id").asc()])
    first = cr.drivers.list(query=Q(filter=F("lastName") == "O'Neil", top=10, count=True))

An expression here is only a description (:meth:`Expr.to_json`, the JSON the core's
``query`` parameter reads: see ``logibridge::cargorun::odata``); the core renders it, once,
for every face: texts in quotes with ``'`` doubled, date-times in UTC (an aware
``datetime`` only: a naive one is refused), ``Decimal`` numbers (a ``float`` is refused:
it would not compare exactly), enums by name (an ``UNKNOWN`` member is refused), ``None``
as ``null``.

Use ``&``, ``|`` and ``~`` and bracket each comparison: Python's ``and``/``or``/``not``
would ask an expression for a truth value, which raises :class:`TypeError` rather than
silently dropping half of a filter. ``in`` is not offered (the service's pages document
none): :meth:`F.one_of` writes the ``or`` of ``eq``\\ s. String functions such as
``contains`` are undocumented too; a raw ``filter="contains(name, 'x')"`` string still goes
through as written.
"""

from __future__ import annotations

import datetime as _dt
import enum
from decimal import Decimal
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

from ._exceptions import InvalidArgumentError

__all__ = ["F", "Expr", "OrderKey", "Q", "Literal", "LiteralError", "LiteralTypeError"]

Literal = Union[None, bool, int, Decimal, str, _dt.datetime, enum.Enum]
"""What a property may be compared with."""


class LiteralError(InvalidArgumentError):
    """A value that cannot be sent as an OData literal: ``field`` is the property path,
    ``code`` the rule (``odata.float``, ``odata.naive_datetime``, …), the message in English
    and Russian. Nothing was sent."""


class LiteralTypeError(LiteralError, TypeError):
    """A :class:`LiteralError` for a value of a type OData cannot carry exactly (a float,
    a date, an object): also a :class:`TypeError`, as Python's own comparisons raise."""


def _refuse(path: str, rule: str, en: str, ru: str, *, of_type: bool = False) -> LiteralError:
    cls = LiteralTypeError if of_type else LiteralError
    return cls(en, field=path, code=f"odata.{rule}", message_ru=f"{path}: {ru} [odata.{rule}]")


# The core reads integers as 64-bit (signed or unsigned, as JSON numbers): a larger Python
# int would reach it as text and be compared as a text.
_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1


def _literal(value: Any, path: str = "literal") -> Any:
    """The description of a literal: explicit types where JSON is ambiguous."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, enum.Enum):
        if not getattr(value, "is_known", True) or value.name == "UNKNOWN":
            raise _refuse(path, "enum_unknown", f"{type(value).__name__} {value.value!r} is not a name the service lists: only a documented name is sent",
                          f"{type(value).__name__} {value.value!r} — не из перечисленных сервисом значений: отправляется только документированное имя")
        return {"enum": value.value if isinstance(value.value, str) else value.name}
    if isinstance(value, int):
        if not _INT_MIN <= value <= _INT_MAX:
            raise _refuse(path, "int_range", f"{value} does not fit 64 bits: compare with a Decimal", f"{value} не умещается в 64 бита: сравнивайте с Decimal")
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _refuse(path, "decimal_not_finite", f"{value} is not a finite number", f"{value} — не конечное число")
        # Positional, never exponent notation: Decimal(1000).normalize() prints as 1E+3.
        return {"decimal": format(value, "f")}
    if isinstance(value, float):
        raise _refuse(path, "float", f"{value!r} is a float: compare with a Decimal (or an int) so the value is exact",
                      f"{value!r} — число с плавающей точкой: сравнивайте с Decimal (или int), чтобы значение было точным", of_type=True)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise _refuse(path, "naive_datetime", f"{value.isoformat()} has no time zone: give an aware datetime (the service asks for an offset)",
                          f"{value.isoformat()} без часового пояса: передайте datetime с поясом (сервис требует смещение)")
        return {"datetime": value.isoformat()}
    if isinstance(value, _dt.date):
        raise _refuse(path, "date", f"{value!r} is a date: compare date-times with an aware datetime",
                      f"{value!r} — дата: даты-время сравниваются с datetime с часовым поясом", of_type=True)
    if isinstance(value, str):
        return {"text": value}
    raise _refuse(path, "type", f"{type(value).__name__} cannot be compared in an OData filter (None, bool, int, Decimal, str, an aware datetime or an enum)",
                  f"{type(value).__name__} нельзя сравнивать в фильтре OData (None, bool, int, Decimal, str, datetime с поясом или перечисление)", of_type=True)


class Expr:
    """A ``$filter`` expression: comparisons of :class:`F` joined with ``&`` (and), ``|``
    (or), negated with ``~`` (not). It has no truth value: ``bool(expr)`` raises."""

    __slots__ = ("_json",)

    def __init__(self, description: List[Any]) -> None:
        self._json = description

    def _join(self, op: str, other: Expr) -> Expr:
        if not isinstance(other, Expr):
            return NotImplemented
        items: List[Any] = [op]
        for side in (self, other):
            items += side._json[1:] if side._json[0] == op else [side._json]
        return Expr(items)

    def __and__(self, other: Expr) -> Expr:
        return self._join("and", other)

    def __or__(self, other: Expr) -> Expr:
        return self._join("or", other)

    def __invert__(self) -> Expr:
        return Expr(["not", self._json])

    def __bool__(self) -> bool:
        raise TypeError("an OData expression has no truth value: join with & and |, negate with ~, and bracket each comparison ((F('a') == 1) & (F('b') == 2))")

    def to_json(self) -> List[Any]:
        """The description the core's ``query.filter`` reads."""
        return self._json

    def __repr__(self) -> str:
        return f"Expr({self._json!r})"


class OrderKey:
    """One ``$orderby`` key: :meth:`F.asc`, :meth:`F.desc`."""

    __slots__ = ("path", "descending")

    def __init__(self, path: str, descending: bool = False) -> None:
        self.path = path
        self.descending = descending

    def to_json(self) -> List[str]:
        """``[path, "asc" | "desc"]``."""
        return [self.path, "desc" if self.descending else "asc"]

    def __repr__(self) -> str:
        return f"F({self.path!r}).{'desc' if self.descending else 'asc'}()"


class F:
    """A property path of the listed model (``F("updatedAt")``, ``F("car/number")``):
    compare it with ``== != > >= < <=`` to get an :class:`Expr`."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        if not isinstance(path, str):
            raise TypeError(f"a property path is a str, got {type(path).__name__}")
        self.path = path

    def _compare(self, op: str, value: Any) -> Expr:
        return Expr([op, self.path, _literal(value, self.path)])

    def __eq__(self, value: Literal) -> Expr:  # type: ignore[override]
        return self._compare("eq", value)

    def __ne__(self, value: Literal) -> Expr:  # type: ignore[override]
        return self._compare("ne", value)

    def __gt__(self, value: Literal) -> Expr:
        return self._compare("gt", value)

    def __ge__(self, value: Literal) -> Expr:
        return self._compare("ge", value)

    def __lt__(self, value: Literal) -> Expr:
        return self._compare("lt", value)

    def __le__(self, value: Literal) -> Expr:
        return self._compare("le", value)

    __hash__ = None  # type: ignore[assignment]

    def one_of(self, values: Iterable[Literal]) -> Expr:
        """Equal to one of ``values``: ``eq``\\ s joined by ``or`` (no ``in``: the pages
        document none). No values at all raises ValueError: it would match nothing."""
        items = [self._compare("eq", v) for v in values]
        if not items:
            raise _refuse(self.path, "one_of_empty", f"one_of on {self.path} has no values", "one_of без значений: такой фильтр не выбрал бы ничего")
        result = items[0]
        for item in items[1:]:
            result = result | item
        return result

    def asc(self) -> OrderKey:
        """Sort by this property, ascending."""
        return OrderKey(self.path)

    def desc(self) -> OrderKey:
        """Sort by this property, descending."""
        return OrderKey(self.path, True)

    def __repr__(self) -> str:
        return f"F({self.path!r})"


OrderBy = Union[OrderKey, Sequence[OrderKey]]
"""``$orderby`` keys, most significant first."""


def orderby_json(keys: OrderBy) -> List[List[str]]:
    """The description of ``$orderby`` keys."""
    items = [keys] if isinstance(keys, OrderKey) else list(keys)
    for k in items:
        if not isinstance(k, OrderKey):
            raise TypeError(f"an orderby key is F(...).asc() or F(...).desc(), got {k!r} (a raw string goes to orderby= as a whole)")
    return [k.to_json() for k in items]


class Q:
    """A whole query: ``Q(filter=..., orderby=[F("updatedAt").asc()], top=50, skip=0,
    count=True)``, given to a list call as ``query=``. ``top``/``skip`` make the call one
    page as asked instead of a walk of every page."""

    __slots__ = ("filter", "orderby", "top", "skip", "count")

    def __init__(self, filter: Optional[Expr] = None, orderby: Optional[OrderBy] = None, top: Optional[int] = None, skip: Optional[int] = None, count: Optional[bool] = None) -> None:
        if filter is not None and not isinstance(filter, Expr):
            raise TypeError(f"Q(filter=) takes an expression built from F, got {type(filter).__name__} (a raw string goes to filter= of the call)")
        self.filter = filter
        self.orderby = orderby
        self.top = top
        self.skip = skip
        self.count = count

    def to_json(self) -> Dict[str, Any]:
        """The description the core's ``query`` parameter reads."""
        out: Dict[str, Any] = {}
        if self.filter is not None:
            out["filter"] = self.filter.to_json()
        if self.orderby is not None:
            out["orderby"] = orderby_json(self.orderby)
        for key in ("top", "skip", "count"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out

    def __repr__(self) -> str:
        return f"Q({self.to_json()!r})"
