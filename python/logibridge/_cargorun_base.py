"""What every generated CARGO.RUN model shares (:mod:`logibridge._cargorun_models`).

The core hands the Python face each answer in its documented form (names of enums,
numbers, ``YYYY-MM-DDTHH:MM:SSZ``) and takes the callers' form (a date-time with its
offset, a Russian phone number); the models map that form:

- every field is optional and ``None`` is not written (the core's models skip ``None``
  alike), except the one field the pages give a meaning to ``null``
  (``TrackerAttachModel.entity_id``: ``None`` detaches, and is written as ``null``);
- date-times are aware ``datetime`` held in UTC; a naive one given as an argument is
  refused (:class:`~logibridge.InvalidArgumentError` naming the field): a local wall-clock
  time is never guessed to be UTC. ``to_dict(mode="json")`` writes them
  ``YYYY-MM-DDTHH:MM:SSZ``, as the service does;
- enums are open (:class:`OpenEnum`): an undocumented value is kept and written back;
- :meth:`CargoRunModel.from_dict` also reads the service's own .NET spellings, as the
  core does (whole numbers as digit strings, enum codes, seven fractional digits, a
  date-time without a zone read as UTC), so a body taken from elsewhere (a webhook, a
  file) decodes too;
- secret fields (passwords, tokens) show as ``***`` in ``repr``.
"""

from __future__ import annotations

import enum
import re
import typing
from datetime import datetime, timezone
from typing import Any, Callable, ClassVar, Dict, FrozenSet, List, Literal, Mapping, Optional, Type

from ._models import Model, _is_union

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
        cls.__lb_time_writer__ = staticmethod(_z)  # type: ignore[attr-defined]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Any:
        """Builds the model from its wire form: the documented one, ``to_dict()`` output,
        or the service's .NET spellings (digit strings, enum codes); see the module."""
        return super().from_dict(_lenient(cls, data))

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


def _lenient(cls: Any, data: Any) -> Any:
    """``data`` with the .NET spellings the Python converters do not read turned into the
    documented ones, along ``cls``'s field types: digit strings where an int goes, integer
    codes where an open enum goes. Anything else is left for the converters to judge."""
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
            out[key] = _lenient_value(hints[f.name], out[key])
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


def _lenient_value(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if _is_union(origin):
        rest = [a for a in typing.get_args(tp) if a is not type(None)]
        return _lenient_value(rest[0], value) if len(rest) == 1 else value
    if origin is list and isinstance(value, list):
        (item,) = typing.get_args(tp) or (Any,)
        return [_lenient_value(item, v) for v in value]
    if tp is int and isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return int(value.strip())
    if isinstance(tp, type) and issubclass(tp, CargoRunModel):
        return _lenient(tp, value)
    return value
