"""Typed models derived from their annotations.

A model is a class with annotated fields; this module derives everything else from the
annotations: a keyword-only constructor that rejects unknown names, ``from_dict`` (the
wire shape → ``Decimal``, timezone-aware ``datetime``, ``Enum``, nested models, lists) and
``to_dict`` (back again). Fields the class does not declare are kept in ``extra`` and
written back out, so a record round-trips exactly even when the service adds fields.

One converter per field type serves both ways in: ``from_dict`` and the constructor
accept and refuse the same values (a refusal is a :class:`~logibridge.DecodeError` for a
record, an :class:`~logibridge.InvalidArgumentError` for an argument, both naming the field
and the rule in English and Russian). The one difference is deliberate: an argument may not
be a ``float`` where a ``Decimal`` goes (``0.1`` is not the decimal it looks like), while a
JSON number in a record is read by its shortest text.

No model has hand-written conversion code: a new service's models are annotated classes.
"""

from __future__ import annotations

import collections.abc
import enum
import inspect
import json
import re
import sys
import typing
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    ClassVar,
    Dict,
    FrozenSet,
    List,
    Literal,
    Mapping,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
)

from . import _native
from ._exceptions import DecodeError, InvalidArgumentError

if TYPE_CHECKING:
    from typing_extensions import Self, dataclass_transform
else:
    try:
        from typing import dataclass_transform
    except ImportError:  # Python < 3.11: only a marker for type checkers

        def dataclass_transform(**_kwargs: Any) -> Any:
            return lambda cls: cls


__all__ = ["Model", "field", "UnknownIntEnum"]

_MISSING: Any = object()
_lazy_attr = _native.lazy_attr

class _FieldSpec:
    __slots__ = ("key", "default", "default_factory", "omit_none")

    def __init__(self, key: Optional[str], default: Any, default_factory: Optional[Callable[[], Any]], omit_none: bool) -> None:
        self.key = key
        self.default = default
        self.default_factory = default_factory
        self.omit_none = omit_none


def field(
    *,
    key: Optional[str] = None,
    default: Any = _MISSING,
    default_factory: Optional[Callable[[], Any]] = None,
    omit_none: bool = False,
) -> Any:
    """Declares a field whose wire name differs from its attribute name (``key``), whose
    default is built per instance (``default_factory``), or that the service's form leaves
    out rather than writing ``null`` (``omit_none``: ``to_dict`` skips it while it is None)."""
    return _FieldSpec(key, default, default_factory, omit_none)


class _Field:
    __slots__ = ("name", "key", "default", "default_factory", "omit_none")

    def __init__(self, name: str, key: str, default: Any, default_factory: Optional[Callable[[], Any]], omit_none: bool = False) -> None:
        self.name = name
        self.key = key
        self.default = default
        self.default_factory = default_factory
        self.omit_none = omit_none

    @property
    def required(self) -> bool:
        return self.default is _MISSING and self.default_factory is None

    def make_default(self) -> Any:
        if self.default_factory is not None:
            return self.default_factory()
        return self.default


def _is_classvar(annotation: Any) -> bool:
    if isinstance(annotation, str):
        return annotation.startswith(("ClassVar", "typing.ClassVar"))
    return typing.get_origin(annotation) is ClassVar or annotation is ClassVar


_T = TypeVar("_T", bound="Model")


@dataclass_transform(kw_only_default=True, field_specifiers=(field,))
class Model:
    """Base of every model: attributes, ``from_dict`` / ``to_dict``, ``extra``.

    ``extra`` holds the fields the service sent that the class does not declare; they come
    back out of ``to_dict``. Constructors take keyword arguments and reject unknown names.
    """

    # Zone of times that arrive without one (a service's local time); None means UTC.
    __naive_tz__: ClassVar[Optional[tzinfo]] = None
    # How the service writes a time, for ``to_dict(mode="json")``: (separator, timespec of
    # ``datetime.isoformat``) of a time without a zone, in ``__naive_tz__``; None: ISO 8601
    # with its offset.
    __wire_time__: ClassVar[Optional[Tuple[str, str]]] = None
    # A service that writes flags as 0/1 or "0"/"1" as well as true/false (iRECA's PHP):
    # its bool fields read those spellings too. False: only true/false.
    __flag_spellings__: ClassVar[bool] = False
    # Times held in UTC (any offset converted), and a time without a zone refused as an
    # argument rather than guessed; the wire's own zone-less times still read in
    # ``__naive_tz__``. False: a zone-less argument is taken as ``__naive_tz__``.
    __utc_times__: ClassVar[bool] = False
    __lb_fields__: ClassVar[Tuple[_Field, ...]] = ()
    __lb_hints__: ClassVar[Optional[Dict[str, Any]]] = None

    extra: Dict[str, Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: Dict[str, _Field] = {}
        for base in reversed(cls.__mro__[1:]):
            for f in base.__dict__.get("__lb_fields__", ()):
                fields[f.name] = f
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():
            if name.startswith("_") or name == "extra" or _is_classvar(annotation):
                continue
            raw = cls.__dict__.get(name, _MISSING)
            if isinstance(raw, _FieldSpec):
                f = _Field(name, raw.key or name, raw.default, raw.default_factory, raw.omit_none)
            else:
                f = _Field(name, name, raw, None)
            if name in cls.__dict__:
                # Defaults live in the field table, not as class attributes shadowing them.
                delattr(cls, name)
            fields[name] = f
        cls.__lb_fields__ = tuple(fields.values())
        cls.__lb_hints__ = None
        cls.__init__ = _make_init(cls)  # type: ignore[method-assign]

    # -- construction ---------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Builds the model from its wire form (or from ``to_dict()`` output). Fields the
        class does not declare go to ``extra``; a value of the wrong shape raises
        :class:`~logibridge.DecodeError` naming its path."""
        try:
            return _decode_model(cls, data)
        except _Mismatch as e:
            raise e.to_decode_error(cls.__name__) from None

    def to_dict(self, mode: Literal["python", "json"] = "python") -> Dict[str, Any]:
        """The model as a dict under its wire names, ``extra`` included.

        ``mode="python"`` keeps ``Decimal``, timezone-aware ``datetime`` and enum members;
        ``mode="json"`` is the wire form, what the service itself writes: decimals as
        their text (scale kept), times in the service's own form (``__wire_time__``: for
        Carreta ``2014-10-23T16:18:31.315072``, shop time, no zone), enums as their
        values, ``extra`` as received. ``from_dict`` reads either back to an equal model.
        """
        cls = type(self)
        time_text = _time_writer(cls) if mode == "json" else None
        out: Dict[str, Any] = {}
        for f in cls.__lb_fields__:
            value = getattr(self, f.name)
            if value is None and f.omit_none:
                continue
            out[f.key] = _encode(Any, value, mode, time_text)
        for k, v in self.extra.items():
            if k not in out:
                out[k] = _encode(Any, v, mode, time_text)
        return out

    def to_json(self, *, indent: Optional[int] = None) -> str:
        """``to_dict(mode="json")`` as JSON text."""
        return json.dumps(self.to_dict(mode="json"), ensure_ascii=False, indent=indent)

    def copy(self, **changes: Any) -> Self:
        """A copy with some fields replaced (unknown names are an error)."""
        values = {f.name: getattr(self, f.name) for f in type(self).__lb_fields__}
        unknown = set(changes) - set(values)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field(s) {', '.join(sorted(unknown))}")
        values.update(changes)
        new = type(self)(**values)
        new.extra = dict(self.extra)
        return new

    # -- plumbing -------------------------------------------------------------------

    @classmethod
    def _hints(cls) -> Dict[str, Any]:
        hints = cls.__dict__.get("__lb_hints__")
        if hints is None:
            # Each class's annotations resolve in its own module (forward references too).
            hints = typing.get_type_hints(cls)
            cls.__lb_hints__ = hints
        return hints

    if not TYPE_CHECKING:
        # Only reached for a name the instance does not hold: a model built natively from a
        # response (logibridge._native) makes its fields when they are first read. Hidden
        # from type checkers, which keep checking attribute names.
        def __getattr__(self, name: str) -> Any:
            return _lazy_attr(self, name)

    def __getstate__(self) -> Dict[str, Any]:
        # A natively built instance reads its fields now: the state is every field.
        state = dict(self.__dict__)
        state.pop("_lb_i", None)
        if state.pop("_lb_raw", None) is not None:
            for f in type(self).__lb_fields__:
                state[f.name] = getattr(self, f.name)
            state["extra"] = self.extra
        return state

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in type(self).__lb_fields__) and self.extra == other.extra

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        parts = [f"{f.name}={getattr(self, f.name)!r}" for f in type(self).__lb_fields__]
        if self.extra:
            parts.append(f"extra={self.extra!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _make_init(cls: Type[Model]) -> Callable[..., None]:
    fields = cls.__lb_fields__
    names = {f.name for f in fields}

    def __init__(self: Model, **kwargs: Any) -> None:
        unknown = [k for k in kwargs if k not in names]
        if unknown:
            raise TypeError(
                f"{type(self).__name__}() got unexpected keyword argument(s) {', '.join(repr(k) for k in unknown)};"
                f" its fields are: {', '.join(f.name for f in fields)}"
            )
        # Each argument through its field's converter, the one from_dict uses.
        convert = _plan(type(self), arguments=True).by_name
        missing = []
        for f in fields:
            if f.name in kwargs:
                try:
                    value = convert[f.name](kwargs[f.name])
                except _Mismatch as e:
                    raise e.to_argument_error(type(self).__name__, f.name) from None
                object.__setattr__(self, f.name, value)
            elif f.required:
                missing.append(f.name)
            else:
                object.__setattr__(self, f.name, f.make_default())
        if missing:
            raise TypeError(f"{type(self).__name__}() missing required keyword argument(s): {', '.join(missing)}")
        self.extra = {}

    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    for f in fields:
        default = inspect.Parameter.empty if f.required else (f.default if f.default_factory is None else f.default_factory())
        params.append(inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=default))
    __init__.__signature__ = inspect.Signature(params, return_annotation=None)  # type: ignore[attr-defined]
    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    __init__.__doc__ = f"Builds a {cls.__name__} from keyword arguments (one per field)."
    return __init__


class UnknownIntEnum(enum.IntEnum):
    """An int enum that keeps values it does not know instead of failing.

    ``Status(99)`` for an undocumented 99 is a pseudo-member named ``UNKNOWN_99`` whose
    ``value`` is 99 (``is_known`` is False), so the record still round-trips. Numeric
    strings (``"7"``) are read as their number.
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            text = value.strip()
            return cls(int(text)) if re.fullmatch(r"[+-]?\d+", text) else None
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        cached = cls._value2member_map_.get(value)
        if cached is not None:
            return cached
        member = int.__new__(cls, value)
        member._name_ = f"UNKNOWN_{value}"
        member._value_ = value
        return cls._value2member_map_.setdefault(value, member)

    @property
    def is_known(self) -> bool:
        """Whether the value is one the document lists."""
        return self._name_ in type(self).__members__


# -- decoding -------------------------------------------------------------------------
#
# Each model class compiles, once, a plan from its annotations: per field its wire key and
# a converter built for the field's type. Converters raise _Mismatch, which collects the
# path on the way out; from_dict turns it into a DecodeError.

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)

# The integers a model holds: what JSON carries and the core reads (i64 and u64). The core
# refuses anything beyond (never clamps it), so a model refuses it too.
_INT_MIN = -(2**63)
_INT_MAX = 2**64 - 1


def _parse_datetime(text: str, naive_tz: Optional[tzinfo]) -> datetime:
    m = _ISO.match(text.strip())
    if not m:
        raise ValueError(f"not a date and time: {text!r}")
    year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
    second = int(m.group(6) or 0)
    frac = (m.group(7) or "").ljust(6, "0")[:6]
    zone = m.group(8)
    if zone is None:
        tz: tzinfo = naive_tz or timezone.utc
    elif zone.upper() == "Z":
        tz = timezone.utc
    else:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        tz = timezone(sign * offset)
    return datetime(year, month, day, hour, minute, second, int(frac), tzinfo=tz)


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


# Why a value was refused: rule → (English, Russian) explanation. The rule is the stable
# part: an argument's InvalidArgumentError has the code ``model.<rule>``.
_RULES: Dict[str, Tuple[str, str]] = {
    "wrong_type": ("", ""),
    "missing": ("required field is missing", "нет обязательного поля"),
    "float_for_decimal": (
        "a float cannot be a Decimal without loss; give a Decimal, the number's text or an int",
        "число с плавающей точкой нельзя превратить в Decimal без потерь; передайте Decimal, текст числа или int",
    ),
    "not_a_decimal": ("not a finite decimal number", "не конечное десятичное число"),
    "int_out_of_range": (
        f"out of the integers JSON carries, {_INT_MIN} to {_INT_MAX}",
        f"вне диапазона целых, которые передаёт JSON: от {_INT_MIN} до {_INT_MAX}",
    ),
    "not_a_datetime": ("not a date and time", "не дата и время"),
    "naive_datetime": (
        "a date and time without a zone is not guessed; give an aware datetime (any offset: it is converted to UTC)",
        "дата и время без часового пояса не угадываются; передайте datetime с поясом (любым: он переводится в UTC)",
    ),
    "not_a_date": ("not a date", "не дата"),
}


class _Mismatch(Exception):
    """A value that does not fit its type, refused under ``rule`` (a key of ``_RULES``);
    ``path`` grows as the error travels out."""

    def __init__(self, tp: Any, value: Any, rule: str = "wrong_type") -> None:
        super().__init__()
        self.tp = tp
        self.value = value
        self.rule = rule
        self.path = ""

    def at(self, step: str) -> _Mismatch:
        self.path = step + self.path
        return self

    def texts(self, where: str) -> Tuple[str, str]:
        """The English and Russian messages, ``where`` being the value's path."""
        en, ru = _RULES[self.rule]
        if self.rule == "missing":
            return f"{where}: {en}", f"{where}: {ru}"
        shown = repr(self.value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        name = _type_name(self.tp)
        return (
            f"{where}: expected {name}, got {shown}" + (f" ({en})" if en else ""),
            f"{where}: ожидалось {name}, получено {shown}" + (f" ({ru})" if ru else ""),
        )

    def to_decode_error(self, root: str) -> DecodeError:
        """For a record given to ``from_dict``."""
        path = root + self.path
        message, message_ru = self.texts(path)
        return DecodeError(message, path=path, message_ru=message_ru)

    def to_argument_error(self, model: str, name: str) -> InvalidArgumentError:
        """For an argument ``name`` of ``model``'s constructor."""
        code = f"model.{self.rule}"
        message, message_ru = self.texts(f"{model}.{name}{self.path}")
        return InvalidArgumentError(message, field=name, code=code, message_ru=message_ru, text=f"{message} [{code}]")


Converter = Callable[[Any], Any]


def convert_argument(model: str, name: str, tp: Any, value: Any, bounds: Optional[Tuple[int, int]] = None) -> Any:
    """One constructor argument of a natively implemented model (``PriceRow``) through the
    converter :meth:`Model.from_dict` uses, with the same refusals as a Python model's
    constructor: an :class:`~logibridge.InvalidArgumentError` naming the field, code
    ``model.<rule>``. ``bounds`` narrows an int to the field's own range (a ``u32``)."""
    try:
        out = _converter(tp, None, True)(value)
    except _Mismatch as e:
        raise e.to_argument_error(model, name) from None
    if bounds is not None and out is not None and not bounds[0] <= out <= bounds[1]:
        code = "model.int_out_of_range"
        message = f"{model}.{name}: expected an int from {bounds[0]} to {bounds[1]}, got {out!r}"
        message_ru = f"{model}.{name}: ожидалось целое от {bounds[0]} до {bounds[1]}, получено {out!r}"
        raise InvalidArgumentError(message, field=name, code=code, message_ru=message_ru, text=f"{message} [{code}]")
    return out


def _identity(value: Any) -> Any:
    return value


def _is_union(origin: Any) -> bool:
    if origin is Union:
        return True
    import types

    return origin is not None and origin is getattr(types, "UnionType", None)


def _converter(tp: Any, naive_tz: Optional[tzinfo], arguments: bool, flags: bool = False, utc: bool = False) -> Converter:
    """A function converting a value to ``tp`` (or raising _Mismatch): a wire value for
    ``from_dict``, or, with ``arguments``, a constructor's argument (the same rules, except
    that a float is refused where a Decimal goes). ``flags`` and ``utc`` are the model's
    ``__flag_spellings__`` and ``__utc_times__``."""
    if tp is Any or tp is object:
        return _identity
    origin = typing.get_origin(tp)
    if _is_union(origin):
        args = typing.get_args(tp)
        allow_none = type(None) in args
        convs = [_converter(a, naive_tz, arguments, flags, utc) for a in args if a is not type(None)]
        if len(convs) == 1:
            only = convs[0]

            def optional(v: Any) -> Any:
                if v is None:
                    if allow_none:
                        return None
                    raise _Mismatch(tp, v)
                return only(v)

            return optional

        def union(v: Any) -> Any:
            if v is None and allow_none:
                return None
            for c in convs:
                try:
                    return c(v)
                except _Mismatch:
                    pass
            raise _Mismatch(tp, v)

        return union
    if origin in (list, collections.abc.Sequence) or tp in (list, List):
        (item_tp,) = typing.get_args(tp) or (Any,)
        item = _converter(item_tp, naive_tz, arguments, flags, utc)

        def list_of(v: Any) -> Any:
            if not isinstance(v, (list, tuple)):
                raise _Mismatch(tp, v)
            out = []
            for i, x in enumerate(v):
                try:
                    out.append(item(x))
                except _Mismatch as e:
                    raise e.at(f"[{i}]") from None
            return out

        return list_of
    if origin in (dict, collections.abc.Mapping) or tp in (dict, Dict):
        _, val_tp = typing.get_args(tp) or (str, Any)
        val = _converter(val_tp, naive_tz, arguments, flags, utc)

        def dict_of(v: Any) -> Any:
            if not isinstance(v, Mapping):
                raise _Mismatch(tp, v)
            out = {}
            for k, x in v.items():
                try:
                    out[k] = val(x)
                except _Mismatch as e:
                    raise e.at(f".{k}") from None
            return out

        return dict_of
    if not isinstance(tp, type):
        raise TypeError(f"logibridge models cannot hold {tp!r}")
    if issubclass(tp, Model):
        model: Type[Model] = tp

        def nested(v: Any) -> Any:
            if isinstance(v, model):
                return v
            return _decode_model(model, v, arguments)

        return nested
    if issubclass(tp, enum.Enum):
        enum_tp = tp

        def enum_value(v: Any) -> Any:
            # A bool or a float is not a code, though Python compares True == 1 == 1.0.
            if isinstance(v, (bool, float)):
                raise _Mismatch(tp, v)
            try:
                return enum_tp(v)
            except (ValueError, TypeError):
                raise _Mismatch(tp, v) from None

        return enum_value
    if tp is bool:
        spellings = {0: False, 1: True, "0": False, "1": True} if flags else {}

        def boolean(v: Any) -> Any:
            if v is True or v is False:
                return v
            if type(v) in (int, str) and v in spellings:
                return spellings[v]
            raise _Mismatch(tp, v)

        return boolean
    if tp is int:

        def integer(v: Any) -> Any:
            if type(v) is not int:
                if not isinstance(v, int) or isinstance(v, bool):
                    raise _Mismatch(tp, v)
                v = int(v)
            if not _INT_MIN <= v <= _INT_MAX:
                raise _Mismatch(tp, v, "int_out_of_range")
            return v

        return integer
    if tp is float:

        def floating(v: Any) -> Any:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return float(v)
            raise _Mismatch(tp, v)

        return floating
    if tp is str:

        def string(v: Any) -> Any:
            if type(v) is str:
                return v
            if isinstance(v, str):
                return str(v)
            raise _Mismatch(tp, v)

        return string
    if tp is Decimal:

        def decimal(v: Any) -> Any:
            if isinstance(v, Decimal):
                d = v
            elif isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)):
                try:
                    d = Decimal(v)
                except (InvalidOperation, ValueError):
                    raise _Mismatch(tp, v, "not_a_decimal") from None
            elif isinstance(v, float):
                if arguments:
                    raise _Mismatch(tp, v, "float_for_decimal")
                # A JSON number: its shortest text is what the service wrote.
                d = Decimal(repr(v))
            else:
                raise _Mismatch(tp, v)
            if not d.is_finite():
                raise _Mismatch(tp, v, "not_a_decimal")
            return d

        return decimal
    if tp is datetime:
        fallback_tz = naive_tz or timezone.utc

        def zoned(v: Any, parsed: datetime) -> datetime:
            if parsed.tzinfo is None:
                if utc and arguments:
                    raise _Mismatch(tp, v, "naive_datetime")
                # A time without a zone is the service's local time, as on the wire.
                parsed = parsed.replace(tzinfo=fallback_tz)
            return parsed.astimezone(timezone.utc) if utc else parsed

        def moment(v: Any) -> Any:
            if isinstance(v, str):
                try:
                    parsed = datetime.fromisoformat(v)
                except ValueError:
                    try:
                        parsed = _parse_datetime(v, None if utc and arguments else naive_tz)
                    except ValueError:
                        raise _Mismatch(tp, v, "not_a_datetime") from None
                    if utc and arguments and _ISO.match(v.strip()).group(8) is None:  # type: ignore[union-attr]
                        raise _Mismatch(tp, v, "naive_datetime")
                return zoned(v, parsed)
            if isinstance(v, datetime):
                return zoned(v, v)
            raise _Mismatch(tp, v)

        return moment
    if tp is date:

        def day(v: Any) -> Any:
            if isinstance(v, date) and not isinstance(v, datetime):
                return v
            if isinstance(v, str):
                try:
                    return date.fromisoformat(v.strip()[:10])
                except ValueError:
                    raise _Mismatch(tp, v, "not_a_date") from None
            raise _Mismatch(tp, v)

        return day
    plain = tp

    def instance(v: Any) -> Any:
        if isinstance(v, plain):
            return v
        raise _Mismatch(tp, v)

    return instance


class _Plan(typing.NamedTuple):
    """A class's fields compiled once (per way in: records, or constructor arguments)."""

    # (attribute name, wire key, converter, required, field) per field.
    steps: Tuple[Tuple[str, str, Converter, bool, _Field], ...]
    # The keys a record may use for declared fields (wire keys and attribute names).
    keys: FrozenSet[str]
    # The converter of each field by attribute name.
    by_name: Dict[str, Converter]


def _plan(cls: Type[Model], arguments: bool = False) -> _Plan:
    slot = "__lb_args_plan__" if arguments else "__lb_plan__"
    plan: Optional[_Plan] = cls.__dict__.get(slot)
    if plan is None:
        hints = cls._hints()
        steps = tuple((f.name, f.key, _converter(hints[f.name], cls.__naive_tz__, arguments, cls.__flag_spellings__, cls.__utc_times__), f.required, f) for f in cls.__lb_fields__)
        keys = frozenset(k for f in cls.__lb_fields__ for k in (f.key, f.name))
        plan = _Plan(steps, keys, {name: conv for name, _, conv, _, _ in steps})
        setattr(cls, slot, plan)
    return plan


_NATIVE_KINDS: Dict[Any, str] = {str: "str", int: "int", bool: "bool", Decimal: "decimal", datetime: "datetime"}


def native_schema(cls: Type[Model]) -> Optional[_native.Schema]:
    """The class as the native reader takes it (made once), or None when a field has a
    type it does not read (nested models, lists, dicts, unions, ``Any``, ``date``, ``float``,
    enums of other than ints): such a model is always decoded by :meth:`Model.from_dict`."""
    if "__lb_schema__" in cls.__dict__:
        schema: Optional[_native.Schema] = cls.__dict__["__lb_schema__"]
        return schema
    if cls.__flag_spellings__ or cls.__utc_times__:
        # The native reader knows neither rule: such a model is decoded here.
        setattr(cls, "__lb_schema__", None)
        return None
    hints = cls._hints()
    fields: List[Tuple[str, str, str, bool, Any]] = []
    for f in cls.__lb_fields__:
        tp = hints[f.name]
        nullable = False
        if _is_union(typing.get_origin(tp)):
            args = typing.get_args(tp)
            rest = [a for a in args if a is not type(None)]
            if len(rest) != 1 or len(args) != 2:
                break
            tp, nullable = rest[0], True
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            if not all(type(m.value) is int for m in tp) or len(tp) == 0:
                break
            fields.append((f.name, f.key, "enum", nullable, tp))
        elif tp in _NATIVE_KINDS:
            fields.append((f.name, f.key, _NATIVE_KINDS[tp], nullable, None))
        else:
            break
    else:
        schema = _native.Schema(cls, fields, cls.__naive_tz__ or timezone.utc) if len(fields) <= 64 else None
        setattr(cls, "__lb_schema__", schema)
        return schema
    setattr(cls, "__lb_schema__", None)
    return None


def _decode_model(cls: Type[_T], data: Any, arguments: bool = False) -> _T:
    if not isinstance(data, Mapping):
        raise _Mismatch(cls, data)
    steps, keys, _ = _plan(cls, arguments)
    obj = cls.__new__(cls)
    attrs = obj.__dict__
    used = 0
    for name, key, conv, required, f in steps:
        if key in data:
            used += 1
            try:
                attrs[name] = conv(data[key])
            except _Mismatch as e:
                raise e.at("." + key) from None
        elif name != key and name in data:
            # to_dict() output uses wire names; the attribute name is accepted too.
            used += 1
            try:
                attrs[name] = conv(data[name])
            except _Mismatch as e:
                raise e.at("." + name) from None
        elif required:
            raise _Mismatch(cls, None, "missing").at("." + key)
        else:
            attrs[name] = f.make_default()
    attrs["extra"] = {} if used == len(data) else {k: v for k, v in data.items() if k not in keys}
    return obj


# -- encoding -------------------------------------------------------------------------

TimeWriter = Callable[[datetime], str]


def _iso(value: datetime) -> str:
    return value.isoformat()


def _time_writer(cls: Type[Model]) -> TimeWriter:
    """How ``cls`` writes a time in its wire form (``__wire_time__``), made once."""
    writer: Optional[TimeWriter] = cls.__dict__.get("__lb_time_writer__")
    if writer is not None:
        return writer
    form = cls.__wire_time__
    if form is None:
        writer = _iso
    else:
        zone = cls.__naive_tz__ or timezone.utc
        sep, timespec = form

        def local(value: datetime) -> str:
            # A time without a zone (set on an instance by hand) is already local.
            shown = value.astimezone(zone) if value.tzinfo is not None else value
            return shown.replace(tzinfo=None).isoformat(sep, timespec)

        writer = local
    setattr(cls, "__lb_time_writer__", writer)
    return writer


def _encode(tp: Any, value: Any, mode: Literal["python", "json"], time_text: Optional[TimeWriter] = None) -> Any:
    """``value`` for ``to_dict``: in ``json`` mode, times through ``time_text`` (the
    model's wire form; None: ISO 8601 with the offset). ``tp`` is unused (the native
    ``PriceRow.to_dict`` calls this with None)."""
    if isinstance(value, Model):
        return value.to_dict(mode)
    if isinstance(value, enum.Enum):
        return value.value if mode == "json" else value
    if mode == "json":
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, datetime):
            return (time_text or _iso)(value)
        if isinstance(value, date):
            return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_encode(Any, v, mode, time_text) for v in value]
    if isinstance(value, Mapping):
        return {k: _encode(Any, v, mode, time_text) for k, v in value.items()}
    return value


def jsonable(value: Any) -> Any:
    """Any mix of models, dicts, lists, ``Decimal``, ``datetime`` and enums in the form the
    native layer sends (JSON-shaped). A bare ``datetime`` keeps its offset: the core turns
    a parameter into the service's form and refuses a time without a zone."""
    return _encode(Any, value, "json")
