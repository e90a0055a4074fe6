"""What every generated CARGO.RUN model shares (:mod:`logibridge._cargorun_models`).

The core hands the Python face each answer in its documented form (names of enums,
numbers, ``YYYY-MM-DDTHH:MM:SSZ``) and takes the callers' form (a date-time with its
offset, a Russian phone number); the models map that form:

- every field is optional and ``None`` is not written (the core's models skip ``None``
  alike), except the one field the pages give a meaning to ``null``
  (``TrackerAttachModel.entity_id``: ``None`` detaches, and is written as ``null``);
- date-times are aware ``datetime`` held in UTC; a naive one the caller gives (a
  constructor argument, or a ``datetime`` or text without a zone in
  :meth:`CargoRunModel.from_dict`) is refused (:class:`~logibridge.InvalidArgumentError`,
  code ``model.naive_datetime``, naming the field's path): a local wall-clock time is
  never guessed to be UTC. ``to_dict(mode="json")`` writes them ``YYYY-MM-DDTHH:MM:SSZ``,
  as the service does;
- enums are open (:class:`OpenEnum`): an undocumented value is kept and written back;
- :meth:`CargoRunModel.from_dict` also reads the service's own .NET spellings, as the
  core does (whole numbers as digit strings, enum codes, seven fractional digits);
  :meth:`CargoRunModel.from_wire` reads what the service wrote (the client's answers, a
  webhook's body, a file saved from an answer), where a date-time without a zone is UTC
  as the core reads it;
- secret fields (passwords, tokens) show as ``***`` in ``repr``.
"""

from __future__ import annotations

import enum
import re
import typing
from datetime import datetime, timezone
from typing import Any, Callable, ClassVar, Dict, FrozenSet, List, Literal, Mapping, Optional, Type

from ._models import _ISO, Model, _is_union, _Mismatch

__all__ = ["CargoRunModel", "OpenEnum"]

_DIGITS = re.compile(r"[+-]?\d+")


class OpenEnum(enum.Enum):
    """A text enum the service may extend: the documented names are members; any other
    text is kept as a pseudo-member named ``UNKNOWN`` whose ``value`` is the text as
    received (``is_known`` False), written back unchanged. The documented integer codes
    (``_lb_codes``, set by the generated module after the class) and the pages' other
    spellings (``_lb_aliases``, lower case) read as their member.
    ``str()`` is the wire text."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            name = cls._codes().get(value)
            return cls(name) if name is not None else None
        if not isinstance(value, str):
            return None
        for member in cls:  # the service reads names in any case
            if member.value.lower() == value.lower():
                return member
        alias = getattr(cls, "_lb_aliases", {}).get(value.lower())
        if alias is not None:  # another spelling the pages use (`Cancelled`)
            return cls(alias)
        member = object.__new__(cls)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return cls._value2member_map_.setdefault(value, member)

    @classmethod
    def _codes(cls) -> Dict[int, str]:
        codes: Dict[int, str] = getattr(cls, "_lb_codes", {})
        return codes

    @property
    def is_known(self) -> bool:
        """Whether the value is one the Swagger or the pages list."""
        return self._name_ in type(self).__members__

    def __str__(self) -> str:
        return str(self.value)


def _z(value: datetime) -> str:
    """A date-time as the service and the core write it: ``YYYY-MM-DDTHH:MM:SSZ`` in UTC
    (a fraction of a second is dropped, as the core drops it)."""
    utc = value.astimezone(timezone.utc) if value.tzinfo is not None else value
    return utc.replace(tzinfo=None).isoformat("T", "seconds") + "Z"


class CargoRunModel(Model):
    """Base of the generated CARGO.RUN models (see the module's doc)."""

    __naive_tz__ = timezone.utc
    __wire_time__ = None
    __utc_times__ = True
    __secret_fields__: ClassVar[FrozenSet[str]] = frozenset()
    """Fields ``repr`` shows as ``***`` (passwords, tokens)."""
    __flag_enums__: ClassVar[Dict[str, Type[OpenEnum]]] = {}
    """Fields holding a set of [Flags] (a ``str``, ``"A, B"``), by the enum of their names."""
    __lb_time_writer__: ClassVar[Callable[[datetime], str]]
    """How ``to_dict(mode="json")`` writes a date-time (set on each class: ``_models`` reads
    it from the class's own ``__dict__``)."""
    __geo_point__: ClassVar[bool] = False
    """A GeoJSON point (``{type, coordinates: [lon, lat]}``): ``{latitude, longitude}`` reads as one."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # How `to_dict(mode="json")` writes a date-time (read by `_models._time_writer`).
        cls.__lb_time_writer__ = staticmethod(_z)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Any:
        """Builds the model from a record the caller gives under its wire names: the
        documented form, ``to_dict()`` output, or the service's .NET spellings (digit
        strings, enum codes); see the module. A date-time without a zone (a naive
        ``datetime`` or text such as ``"2026-07-07T04:33:00"``) raises
        :class:`~logibridge.InvalidArgumentError` (``model.naive_datetime``, ``field`` its
        path such as ``bidPoints[0].planEnterDate``); a value of the wrong shape raises
        :class:`~logibridge.DecodeError`."""
        try:
            checked = _lenient(cls, data, "")
        except _NaiveTime as e:
            raise _Mismatch(datetime, e.value, "naive_datetime").to_argument_error(cls.__name__, e.path) from None
        return super().from_dict(checked)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Any:
        """Builds the model from a body the service wrote (what the client does with each
        answer; for a webhook's body or a saved answer): as :meth:`from_dict`, except that
        a date-time without a zone is read as UTC, the service's own zone-less form, as the
        core reads it."""
        return super().from_dict(_lenient(cls, data, None))

    def to_dict(self, mode: Literal["python", "json"] = "python") -> Dict[str, Any]:
        """The model under its wire names (camelCase), ``extra`` included, ``None`` left
        out; ``mode="json"``: decimals as text, date-times ``…Z``, enums as names."""
        return super().to_dict(mode)

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


class _NaiveTime(Exception):
    """A date-time without a zone in a record the caller gave, at ``path`` (wire names)."""

    def __init__(self, value: Any, path: str) -> None:
        super().__init__(path)
        self.value, self.path = value, path


def _is_naive(value: Any) -> bool:
    """Whether ``value`` is a date-time without a zone: a naive ``datetime``, or ISO text
    without ``Z`` or an offset. Text that is no date-time is left to the converter."""
    if isinstance(value, datetime):
        return value.utcoffset() is None
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value.strip()).utcoffset() is None
    except ValueError:  # .NET's seven fractional digits, `Z` before Python 3.11
        match = _ISO.match(value.strip())
        return match is not None and match.group(8) is None


def _step(path: Optional[str], key: str) -> Optional[str]:
    return None if path is None else f"{path}.{key}" if path else key


def _lenient(cls: Any, data: Any, path: Optional[str]) -> Any:
    """``data`` with the .NET spellings the Python converters do not read turned into the
    documented ones, along ``cls``'s field types: digit strings where an int goes, integer
    codes where an open enum goes. Anything else is left for the converters to judge.
    ``path`` is where ``data`` sits in a record the caller gave (``""`` at its root): a
    date-time without a zone there raises :class:`_NaiveTime`; ``None``: the service
    wrote it, and such a date-time is UTC."""
    if not isinstance(data, Mapping):
        return data
    hints = cls._hints()
    out = dict(data)
    if cls.__geo_point__ and "coordinates" not in out and "latitude" in out and "longitude" in out:
        # The pages' older {latitude, longitude} is the GeoJSON point [lon, lat] (formats.md §4).
        out = {"type": "Point", "coordinates": [out.pop("longitude"), out.pop("latitude")], **out}
    flag_enums = cls.__flag_enums__
    for f in cls.__lb_fields__:
        key = f.key if f.key in out else f.name if f.name in out else None
        if key is None:
            continue
        if f.name in flag_enums:
            out[key] = _flags(flag_enums[f.name], out[key])
        else:
            out[key] = _lenient_value(hints[f.name], out[key], _step(path, key))
    return out


def _flags(kind: Type[OpenEnum], value: Any) -> Any:
    """A set of flags in the documented form, ``"A, B"`` (names as the enum spells them),
    from ``"a, b"``, a list of names, or a number (a documented code, or its bits)."""
    names: List[str]
    if isinstance(value, str):
        names = [p.strip() for p in value.split(",") if p.strip()]
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        names = list(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        codes = kind._codes()
        if value in codes:
            return codes[value]
        names = [name for code, name in sorted(codes.items()) if code > 0 and value & code == code]
        if not names:
            return str(value)
    else:
        return value
    return ", ".join(str(kind(n)) for n in names)


def _lenient_value(tp: Any, value: Any, path: Optional[str]) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if _is_union(origin):
        rest = [a for a in typing.get_args(tp) if a is not type(None)]
        return _lenient_value(rest[0], value, path) if len(rest) == 1 else value
    if origin is list and isinstance(value, list):
        (item,) = typing.get_args(tp) or (Any,)
        return [_lenient_value(item, v, None if path is None else f"{path}[{i}]") for i, v in enumerate(value)]
    if tp is int and isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return int(value.strip())
    if tp is datetime and path is not None and _is_naive(value):
        raise _NaiveTime(value, path)
    if isinstance(tp, type) and issubclass(tp, CargoRunModel):
        return _lenient(tp, value, path)
    return value
