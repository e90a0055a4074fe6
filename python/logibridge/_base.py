"""Clients and resources, written once for both flavours and driven by the endpoint table.

A *resource* (``client.order``) is a class whose methods are *operations*, each naming
one row of the table (by endpoint id; the method's name is the row's ``names["python"]``)
and what its answer becomes::

    class OrderResource(Resource[F]):
        @one("carreta.order.get", Order)
        def get(self, id: int, *, account: Optional[str] = None) -> None:
            \"\"\"``carreta.order.get``.\"\"\"

The decorated function gives the signature and the docstring; its body is never run. The
arguments are sent as the row's parameters by name, or through a ``params=`` hook where
they differ (``order.create`` turns an offer into the row's ``order``).

The class is generic in its *flavour*: on a blocking client it is an
``OrderResource[Sync]`` whose methods return their result, on an asyncio client an
``OrderResource[Async]`` whose methods are coroutine functions; type checkers see both
precisely (the descriptors' ``__get__`` overloads). An operation is a descriptor; the
flavour of the client makes the function it hands out, once per operation
(:meth:`Flavour.wrap`, :meth:`Async.wrap`). The two flavours differ in that, in how one
request is exchanged (:meth:`Sync.exchange`, :meth:`Async.exchange`), in which pager walks
a list, and in the client's own surface (:class:`SyncClientBase`,
:class:`AsyncClientBase`: ``call``, ``close``, the context managers) — nothing else is
written twice.

Every other row of a client's service becomes an operation by itself when the client is
built, named by its ``names["python"]`` (``order.check_qty``), taking the row's
parameters by name and returning the JSON-shaped answer. A client class lists its
resource classes as annotations (``order: OrderResource[F]``; a second name for the same
class is an alias, ``orders``); a client with none (:class:`Client`,
:class:`AsyncClient`) gets every resource from the table, for any service, registered
ones included.
"""

from __future__ import annotations

import abc
import functools
import inspect
import sys
import threading
import types
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    ClassVar,
    Coroutine,
    Dict,
    Generic,
    List,
    Mapping,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
    overload,
)

from . import _native, _table
from ._exceptions import DecodeError
from ._models import Model, jsonable, native_schema
from ._pagination import AsyncPager, Paging, SyncPager

if TYPE_CHECKING:
    from typing_extensions import Concatenate, ParamSpec, Self

    _P = ParamSpec("_P")
elif sys.version_info >= (3, 10):
    from typing import ParamSpec

    _P = ParamSpec("_P")
else:  # Python 3.9 has no ParamSpec; at run time _P only parametrises Generic.
    _P = TypeVar("_P")

__all__ = [
    "Flavour",
    "Sync",
    "Async",
    "Params",
    "Operation",
    "PagedOperation",
    "one",
    "many",
    "paged",
    "Resource",
    "ClientBase",
    "SyncClientBase",
    "AsyncClientBase",
    "Client",
    "AsyncClient",
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

T = TypeVar("T")
M = TypeVar("M", bound=Model)

Params = Optional[Mapping[str, Any]]
"""What a ``params`` hook returns: the row's parameters by name."""


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


def _params(params: Params) -> Optional[Any]:
    if params is None:
        return None
    # None values mean "not given": the core treats null parameters as absent.
    return jsonable({k: v for k, v in params.items() if v is not None})


def _path_params(query: Optional[Mapping[str, Any]], body: Any) -> Dict[str, Any]:
    return {"query": _params(query), "body": None if body is None else jsonable(body)}


def _json(data: Any) -> Any:
    return data


class _One:
    """Decodes an answer into one model, naming the endpoint in a decode error.

    ``reader`` is the same decoding done natively (:class:`_native.ModelReader`): a call
    through it gets model objects built from the response body, and hands the JSON-shaped
    answer to this object only when the native reader cannot read it exactly."""

    def __init__(self, model: Type[Model], endpoint: str) -> None:
        self.model, self.endpoint = model, endpoint
        self._reader: Optional[_native.ModelReader] = None

    @property
    def reader(self) -> _native.ModelReader:
        reader = self._reader
        if reader is None:
            reader = self._reader = _native.ModelReader(self.endpoint, native_schema(self.model), self)
        return reader

    def __call__(self, data: Any) -> Any:
        try:
            return self.model.from_dict(data)
        except DecodeError as e:
            e.endpoint = self.endpoint
            raise


class _Many(_One):
    """Decodes a list answer item by item."""

    def __call__(self, data: Any) -> Any:
        if not isinstance(data, list):
            raise DecodeError(f"{self.endpoint}: expected a list, got {type(data).__name__}", endpoint=self.endpoint, path="")
        return [super(_Many, self).__call__(item) for item in data]


# -- flavours -----------------------------------------------------------------------


Run = Callable[[Any, Tuple[Any, ...], Dict[str, Any]], Any]


class Flavour(abc.ABC):
    """How a client's calls run: :class:`Sync` (blocking) or :class:`Async` (asyncio).
    An interface: each flavour gives its own ``exchange``."""

    pager: ClassVar[Any]
    """The pager class of its lists."""

    @staticmethod
    @abc.abstractmethod
    def exchange(handle: _native.Client, endpoint: str, params: Optional[Any], decode: Callable[[Any], Any]) -> Any:
        """Sends one call through the native handle and decodes the answer."""

    @staticmethod
    def wrap(run: Run) -> Callable[..., Any]:
        """The method function of an operation: ``run(resource, args, kwargs)`` behind
        the calling convention of the flavour."""

        def method(resource: Any, *args: Any, **kwargs: Any) -> Any:
            return run(resource, args, kwargs)

        return method


class Sync(Flavour):
    """Blocking: a method returns its result (the GIL is released while the call runs)."""

    pager = SyncPager

    @staticmethod
    def exchange(handle: _native.Client, endpoint: str, params: Optional[Any], decode: Callable[[Any], Any]) -> Any:
        if isinstance(decode, _One):
            return handle.call(endpoint, params, decode.reader)
        return decode(handle.call(endpoint, params))


class Async(Flavour):
    """asyncio: a method is a coroutine function; lists are walked with ``async for``."""

    pager = AsyncPager

    @staticmethod
    async def exchange(handle: _native.Client, endpoint: str, params: Optional[Any], decode: Callable[[Any], Any]) -> Any:
        if isinstance(decode, _One):
            return await handle.call_async(endpoint, params, decode.reader)
        return decode(await handle.call_async(endpoint, params))

    @staticmethod
    def wrap(run: Run) -> Callable[..., Any]:
        async def method(resource: Any, *args: Any, **kwargs: Any) -> Any:
            return await run(resource, args, kwargs)

        return method


F = TypeVar("F", bound=Flavour)


# -- operations ---------------------------------------------------------------------


def _names(row: Mapping[str, Any]) -> Tuple[str, str]:
    """The resource and method a row shows in Python: its ``names["python"]``
    (``order.create``), else the id without the service prefix."""
    python = str(row.get("names", {}).get("python") or str(row["id"]).split(".", 1)[-1])
    resource, _, action = python.partition(".")
    if not action:
        resource, action = str(row["id"]).split(".")[1], resource
    return resource, action.replace(".", "_")


class _Operation:
    """The run-time half of an operation: the row, the parameters, the decoding, and one
    method function per flavour."""

    def __init__(
        self,
        endpoint: str,
        decode: Callable[[Any], Any],
        declared: Optional[Callable[..., None]],
        *,
        shape: str,
        params: Optional[Callable[..., Params]] = None,
        returns: str = "",
        name: str = "",
        doc: Optional[str] = None,
        signature: Optional[inspect.Signature] = None,
    ) -> None:
        self.endpoint = endpoint
        self.shape = shape
        self.paging: Optional[Paging] = None
        self._decode = decode
        self._declared = declared
        self._hook = params
        self._returns = returns
        self._name = name or getattr(declared, "__name__", "")
        self._qualname = self._name
        self.__doc__ = doc if doc is not None else getattr(declared, "__doc__", None)
        self._signature = signature if signature is not None else inspect.signature(declared) if declared else None
        self._functions: Dict[Type[Flavour], Callable[..., Any]] = {}
        self._lock = threading.Lock()

    def __set_name__(self, owner: type, name: str) -> None:
        self._name, self._qualname = name, f"{owner.__qualname__}.{name}"

    def __repr__(self) -> str:
        return f"<operation {self._qualname} → {self.endpoint}>"

    # -- the table ------------------------------------------------------------------

    def verify(self, row: Mapping[str, Any], owner: str) -> None:
        """Checks the declaration against its row: the name the table gives the method,
        the shape of the answer, and (for a body that sends its arguments) that every
        argument is a parameter of the row. Raises TypeError naming what differs."""
        where = f"{owner}.{self._name} ({self.endpoint})"
        resource, action = _names(row)
        if action != self._name:
            raise TypeError(f"{where}: the table names this call {resource}.{action}")
        is_list = bool(row.get("response", {}).get("list"))
        paging = Paging.of_row(row)
        expected = {"one": not is_list, "many": is_list and paging is None, "paged": is_list and paging is not None}
        if not expected.get(self.shape, True):
            raise TypeError(f"{where}: declared {self.shape}, but the row answers {'a list' if is_list else 'one value'}{' in pages' if paging else ''}")
        if self._declared is not None and self._signature is not None and self._hook is None:
            names = {p["name"] for p in row.get("params", [])}
            unknown = [n for n in list(self._signature.parameters)[1:] if n not in names]
            if unknown:
                raise TypeError(f"{where}: {', '.join(unknown)} not parameters of the row (it takes: {', '.join(sorted(names))}); give params= to map them")
        self.paging = paging

    # -- calling --------------------------------------------------------------------

    def request(self, resource: Resource[Any], args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Tuple[_native.Client, Optional[Any]]:
        """The native handle and the JSON-shaped parameters of one call: the arguments by
        name (checked against the declared signature), through the ``params`` hook when
        the operation has one."""
        if self._declared is None:
            # A row's own operation: parameters by name, checked by the core.
            if args:
                raise TypeError(f"{self._qualname}() takes its parameters by name: {self._signature}")
            arguments: Mapping[str, Any] = kwargs
        else:
            assert self._signature is not None
            bound = self._signature.bind(resource, *args, **kwargs)
            bound.apply_defaults()
            arguments = dict(list(bound.arguments.items())[1:])
        return resource._client._handle, _params(self._hook(**arguments) if self._hook is not None else arguments)

    def run(self, flavour: Type[Flavour], resource: Resource[Any], args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Any:
        handle, params = self.request(resource, args, kwargs)
        return flavour.exchange(handle, self.endpoint, params, self._decode)

    def _wrap(self, flavour: Type[Flavour]) -> Callable[..., Any]:
        return flavour.wrap(functools.partial(self.run, flavour))

    def function(self, flavour: Type[Flavour]) -> Callable[..., Any]:
        """The method function this operation is on a client of ``flavour`` (made once)."""
        fn = self._functions.get(flavour)
        if fn is None:
            with self._lock:
                fn = self._functions.get(flavour) or self._describe(self._wrap(flavour), flavour)
                self._functions[flavour] = fn
        return fn

    def _describe(self, fn: Callable[..., Any], flavour: Type[Flavour]) -> Callable[..., Any]:
        fn.__name__, fn.__qualname__, fn.__doc__ = self._name, self._qualname, self.__doc__
        fn.__module__ = getattr(self._declared, "__module__", __name__)
        if self._signature is not None:
            returns = self._returns.replace("{pager}", getattr(flavour.pager, "__name__", ""))
            fn.__signature__ = self._signature.replace(return_annotation=returns or inspect.Signature.empty)  # type: ignore[attr-defined]
        return fn

    def _bind(self, obj: Optional[Resource[Any]]) -> Any:
        if obj is None:
            return self
        return types.MethodType(self.function(obj._client._flavour), obj)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> _Operation:
        """The operation of a row no class declares: the row's parameters by name (its
        required ones without a default), the answer as JSON."""
        params = [p for p in row.get("params", []) if p.get("fixed") is None]
        try:
            signature: Optional[inspect.Signature] = inspect.Signature(
                [inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)]
                + [
                    inspect.Parameter(p["name"], inspect.Parameter.KEYWORD_ONLY, default=inspect.Parameter.empty if p.get("required") else None, annotation=p.get("type", ""))
                    for p in sorted(params, key=lambda p: not p.get("required"))
                ]
            )
        except ValueError:  # a parameter name that is not a Python identifier
            signature = inspect.Signature([inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY), inspect.Parameter("params", inspect.Parameter.VAR_KEYWORD)])
        lines = [f"``{row['id']}``: {row.get('summary', '')}".rstrip(": "), ""]
        lines += [f"- ``{p['name']}`` ({p.get('type')}{', required' if p.get('required') else ''}): {p.get('doc', '')}" for p in params]
        resource, action = _names(row)
        op = cls(row["id"], _json, None, shape="json", name=action, doc="\n".join(lines), signature=signature)
        op._qualname = f"{resource}.{action}"
        op.paging = Paging.of_row(row)
        return op


class Operation(_Operation, Generic[_P, T]):
    """A resource method returning ``T`` (blocking) or a coroutine of ``T`` (asyncio)."""

    @overload
    def __get__(self, obj: None, owner: Optional[type] = None) -> Operation[_P, T]: ...

    @overload
    def __get__(self, obj: Resource[Sync], owner: Optional[type] = None) -> Callable[_P, T]: ...

    @overload
    def __get__(self, obj: Resource[Async], owner: Optional[type] = None) -> Callable[_P, Coroutine[Any, Any, T]]: ...

    def __get__(self, obj: Optional[Resource[Any]], owner: Optional[type] = None) -> Any:
        return self._bind(obj)


class PagedOperation(_Operation, Generic[_P, M]):
    """A resource method returning a pager: :class:`SyncPager` of ``M`` on a blocking
    client, :class:`AsyncPager` of ``M`` on an asyncio one. Nothing is sent before the
    pager is walked."""

    @overload
    def __get__(self, obj: None, owner: Optional[type] = None) -> PagedOperation[_P, M]: ...

    @overload
    def __get__(self, obj: Resource[Sync], owner: Optional[type] = None) -> Callable[_P, SyncPager[M]]: ...

    @overload
    def __get__(self, obj: Resource[Async], owner: Optional[type] = None) -> Callable[_P, AsyncPager[M]]: ...

    def __get__(self, obj: Optional[Resource[Any]], owner: Optional[type] = None) -> Any:
        return self._bind(obj)

    def run(self, flavour: Type[Flavour], resource: Resource[Any], args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Any:
        handle, params = self.request(resource, args, kwargs)
        first = dict(params or {})
        paging = (self.paging or Paging()).sized(first)

        def fetch(number: int) -> Any:
            return flavour.exchange(handle, self.endpoint, {**first, paging.param: number}, self._decode)

        return flavour.pager(fetch, paging, start=first.get(paging.param))

    def _wrap(self, flavour: Type[Flavour]) -> Callable[..., Any]:
        # A pager is handed out at once in both flavours; the asyncio one awaits its pages.
        return Flavour.wrap(functools.partial(self.run, flavour))


if TYPE_CHECKING:
    _Declared = Callable[Concatenate[Any, _P], None]
    _Hook = Callable[..., Params]


def one(endpoint: str, model: Type[M], *, params: Optional[_Hook] = None) -> Callable[[_Declared[_P]], Operation[_P, M]]:
    """Declares a method whose answer is one ``model``. The decorated function gives the
    method's signature and docstring (its body is not run); its arguments are the row's
    parameters by name, or ``params(**arguments)`` makes them."""
    return lambda declared: Operation(endpoint, _One(model, endpoint), declared, shape="one", params=params, returns=model.__name__)


def many(endpoint: str, model: Type[M], *, params: Optional[_Hook] = None) -> Callable[[_Declared[_P]], Operation[_P, List[M]]]:
    """Declares a method whose answer is a list of ``model`` (one request); see :func:`one`."""
    return lambda declared: Operation(endpoint, _Many(model, endpoint), declared, shape="many", params=params, returns=f"List[{model.__name__}]")


def paged(endpoint: str, model: Type[M], *, params: Optional[_Hook] = None) -> Callable[[_Declared[_P]], PagedOperation[_P, M]]:
    """Declares a method whose answer is a list of ``model`` across pages, walked lazily
    by a pager (the row's paging says how); see :func:`one`."""
    return lambda declared: PagedOperation(endpoint, _Many(model, endpoint), declared, shape="paged", params=params, returns=f"{{pager}}[{model.__name__}]")


# -- resources ----------------------------------------------------------------------


class Resource(Generic[F]):
    """A group of a client's calls (``client.order``): its methods are operations. Rows
    of the table no subclass declares are added, by their ``names["python"]``, when a
    client is built."""

    def __init__(self, client: ClientBase[F]) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"

    @overload
    def __getattr__(self: Resource[Sync], name: str) -> Callable[..., Any]: ...

    @overload
    def __getattr__(self: Resource[Async], name: str) -> Callable[..., Coroutine[Any, Any, Any]]: ...

    def __getattr__(self, name: str) -> Any:
        # Only reached for a name the resource does not have.
        if name.startswith("_"):
            raise AttributeError(name)
        known = sorted(n for n, v in inspect.getmembers(type(self)) if isinstance(v, _Operation))
        raise AttributeError(f"{type(self).__name__} has no call {name!r}; it has: {', '.join(known) or 'none'}")


_made: Dict[Tuple[type, str, str], type] = {}
_made_lock = threading.Lock()


def _resource_class(declared: Type[Resource[Any]], prefix: str, resource: str, rows: List[Mapping[str, Any]]) -> Type[Resource[Any]]:
    """The class of ``client.<resource>`` for a service: the declared class, checked
    against its rows, plus an operation for every row it does not declare (a subclass,
    made once)."""
    key = (declared, prefix, resource)
    with _made_lock:
        made = _made.get(key)
        if made is not None:
            return made
        declared_ops = {n: v for n, v in inspect.getmembers(declared) if isinstance(v, _Operation)}
        ids = {str(r["id"]): r for r in rows}
        for name, op in declared_ops.items():
            if op.endpoint not in ids:
                raise TypeError(f"{declared.__qualname__}.{name}: {op.endpoint} is not a {resource}.* row of {prefix}")
            op.verify(ids[op.endpoint], declared.__qualname__)
        taken = {op.endpoint for op in declared_ops.values()}
        added: Dict[str, Any] = {}
        for row in rows:
            op = Operation.from_row(row)
            if row["id"] not in taken and not op._name.startswith("_") and not hasattr(declared, op._name):
                added[op._name] = op
        made = declared
        if added:
            # A declared class keeps its name; the table's own resources are named after it.
            name = declared.__name__ if declared is not Resource else "".join(w.capitalize() for w in resource.split("_")) + "Resource"
            doc = declared.__doc__ if declared is not Resource else f"``{prefix}.{resource}.*``"
            namespace = {**added, "__module__": declared.__module__, "__qualname__": name, "__doc__": doc}
            made = types.new_class(name, (declared,), exec_body=lambda ns: ns.update(namespace))
        _made[key] = made
        return made


# -- clients ------------------------------------------------------------------------


def _own_annotations(klass: type) -> Mapping[str, Any]:
    get = getattr(inspect, "get_annotations", None)  # Python 3.10+
    annotations: Mapping[str, Any] = get(klass) if get is not None else klass.__dict__.get("__annotations__", {})
    return annotations


class ClientBase(Generic[F]):
    """What every client shares, whatever its flavour and service: the native handle, the
    resources made from the table, options, closing."""

    _flavour: ClassVar[Type[Flavour]]
    _handle: _native.Client
    _declared: ClassVar[Optional[Dict[str, type]]] = None

    def _open(self, service: str, options: Mapping[str, Any]) -> None:
        self._handle = _native.Client(service, dict(options))
        self._attach()

    @classmethod
    def _resource_classes(cls) -> Dict[str, type]:
        """The resources a client class declares: its annotations naming a Resource class."""
        declared = cls.__dict__.get("_declared")
        if declared is None:
            declared = {}
            for klass in reversed(cls.__mro__):
                namespace = vars(sys.modules.get(klass.__module__, sys.modules[__name__]))
                for name, annotation in _own_annotations(klass).items():
                    try:
                        value = eval(annotation, namespace) if isinstance(annotation, str) else annotation
                    except Exception:  # noqa: BLE001 - an annotation only a type checker reads
                        continue
                    origin = getattr(value, "__origin__", value)
                    if isinstance(origin, type) and issubclass(origin, Resource):
                        declared[name] = origin
            cls._declared = declared
        return declared

    def _attach(self) -> None:
        prefix = self._handle.service
        declared = self._resource_classes()
        groups: Dict[str, List[Mapping[str, Any]]] = {}
        for row in _table.service(prefix)["endpoints"]:
            groups.setdefault(_names(row)[0], []).append(row)
        by_class: Dict[type, Resource[F]] = {}
        for name, rows in groups.items():
            if name.startswith("_") or (name not in declared and hasattr(type(self), name)):
                continue  # would hide a client attribute: reachable through call()
            base = declared.get(name, Resource)
            instance = _resource_class(base, prefix, name, rows)(self)
            by_class[base] = instance
            setattr(self, name, instance)
        for name, base in declared.items():
            if name not in groups:
                if base not in by_class:
                    raise TypeError(f"{type(self).__qualname__}.{name}: {prefix} has no {name}.* rows")
                setattr(self, name, by_class[base])  # an alias (orders → order)

    def _derive(self, native: _native.Client) -> Self:
        new = object.__new__(type(self))
        new._handle = native
        new._attach()
        return new

    def _with_options(self, options: Mapping[str, Any]) -> Self:
        return self._derive(self._handle.with_options(dict(options)))

    def _unknown(self, name: str) -> AttributeError:
        if name.startswith("_"):
            return AttributeError(name)
        known = sorted(n for n, v in vars(self).items() if isinstance(v, Resource))
        return AttributeError(f"{type(self).__name__} has no {name!r}; its resources are: {', '.join(known) or 'none'}")

    @property
    def base_url(self) -> str:
        """The service URL in force."""
        return self._handle.base_url

    @property
    def is_closed(self) -> bool:
        return self._handle.closed

    def _repr_fields(self) -> str:
        return f"{self._handle.service!r}, base_url={self.base_url!r}"

    def __repr__(self) -> str:
        # Never a credential.
        closed = ", closed" if self._handle.closed else ""
        return f"{type(self).__name__}({self._repr_fields()}{closed})"


class SyncClientBase(ClientBase[Sync]):
    """The blocking surface: ``call`` returns, ``with`` closes. Safe to share between
    threads."""

    _flavour = Sync

    def call(self, endpoint: str, params: Optional[Mapping[str, Any]] = None) -> Any:
        """Calls any endpoint of this service by its id (``"carreta.order.get"``) with
        JSON-shaped parameters and returns the JSON-shaped answer: the generic entry every
        method is built on."""
        return Sync.exchange(self._handle, endpoint, _params(params), _json)

    def call_path(self, method: str, path: str, *, query: Optional[Mapping[str, Any]] = None, body: Any = None) -> Any:
        """Calls by HTTP method and path, for what the table has no row for
        (``client.call_path("POST", "/api/waybill/Bids/Sign", body={"bidId": 17})``): sent
        with the client's credentials, the answer JSON-shaped. A path of the service's
        Swagger (any case) is checked like its generic row before sending; any other path is
        sent as given. A file of a multipart body is ``{"filename", "content_base64",
        "content_type"}``."""
        return self._handle.call_path(method, path, _path_params(query, body))

    def close(self) -> None:
        """Closes the client's connections; later calls raise."""
        self._handle.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Resource[Sync]:
        raise self._unknown(name)


class AsyncClientBase(ClientBase[Async]):
    """The asyncio surface: ``call`` is a coroutine, ``async with`` closes."""

    _flavour = Async

    async def call(self, endpoint: str, params: Optional[Mapping[str, Any]] = None) -> Any:
        """Calls any endpoint of this service by its id; see :meth:`SyncClientBase.call`."""
        return await Async.exchange(self._handle, endpoint, _params(params), _json)

    async def call_path(self, method: str, path: str, *, query: Optional[Mapping[str, Any]] = None, body: Any = None) -> Any:
        """Calls by HTTP method and path; see :meth:`SyncClientBase.call_path`."""
        return await self._handle.call_path_async(method, path, _path_params(query, body))

    async def close(self) -> None:
        """Closes the client's connections; later calls raise."""
        self._handle.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __getattr__(self, name: str) -> Resource[Async]:
        raise self._unknown(name)


class _AnyService(ClientBase[F]):
    """The generic client, written once for both flavours."""

    def __init__(self, service: str, **options: Any) -> None:
        self._open(service, options)

    def with_options(self, **options: Any) -> Self:
        """A client sharing this one's connections with options changed: ``max_retries``,
        or a common parameter of the service (``account``; None removes it)."""
        return self._with_options(options)

    @property
    def service(self) -> str:
        """The service's prefix (``carreta``)."""
        return self._handle.service


class Client(_AnyService[Sync], SyncClientBase):
    """A blocking client of any service of the table, built-in or registered at run time.

    ``Client("carreta", api_key=..., base_url=..., timeout=..., max_retries=...,
    account=...)``: options by the names every face uses (the service's credentials,
    ``base_url``, ``timeout``, ``connect_timeout`` and ``deadline`` (a whole call with its
    retries, default 3 × ``timeout``) in seconds, ``max_retries``, the
    service's common parameters); the core checks them all. Every row is reachable by id
    (``client.call("carreta.order.get", {"id": 5})``) and by its ``names["python"]``
    (``client.order.get(id=5)``), answers as JSON-shaped values.
    """


class AsyncClient(_AnyService[Async], AsyncClientBase):
    """The asyncio twin of :class:`Client`: ``await client.call(...)``,
    ``await client.order.get(id=5)``, ``async with``."""
