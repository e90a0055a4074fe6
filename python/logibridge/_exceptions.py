"""The exceptions every logibridge call raises.

::

    LogibridgeError
    ├── ValidationError            a documented rule was broken; nothing was sent
    │   └── InvalidArgumentError   an argument given to the library itself is wrong
    │       └── ForkedClientError  a client used in a process forked from the one that made it
    ├── APIError                   the service answered with an error status
    │   ├── AuthenticationError    401 / credentials rejected
    │   ├── PermissionDeniedError  403
    │   ├── NotFoundError          404
    │   ├── ConflictError          409
    │   ├── RateLimitError         429
    │   └── ServerError            5xx
    ├── TransportError             the connection could not be made or broke
    │   └── TimeoutError           the connect or request timeout ran out
    └── DecodeError                the answer could not be read into the expected shape

The native module builds them through :func:`_from_native` from the core's error parts, so
the mapping lives in one place. No message or attribute ever holds an API key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Tuple, Type

__all__ = [
    "LogibridgeError",
    "ValidationError",
    "InvalidArgumentError",
    "ForkedClientError",
    "APIError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "TimeoutError",
    "DecodeError",
]


# BaseException's `args` slot, which a lazy refusal fills once its texts are written.
_BASE_ARGS: Any = BaseException.__dict__["args"]


class LogibridgeError(Exception):
    """Base class of every error the library raises.

    ``code`` is a stable machine-readable code (a rule code such as
    ``order_qty.not_multiple_of_min_qty``, or the kind: ``not_found``, ``timeout``, …),
    ``message`` the short explanation in English (``str()`` is the whole error), and
    ``message_ru`` the whole error in Russian, naming the field or the call as the C and 1C
    faces give it.
    ``outcome_unknown`` is True when the request was sent and its answer lost (a timeout or
    a broken connection after sending a call that is not idempotent), or when such a call
    was answered by a server or gateway error (500, 502, 503, 504) or a redirect: the
    service may have applied it, so look it up (``order.create_once`` does) before sending
    it again. It is False when nothing was sent or the answer says what happened.
    """

    code: str
    message: str
    message_ru: str
    endpoint: Optional[str]
    outcome_unknown: bool = False

    def __init__(
        self,
        message: str,
        *,
        code: str = "internal",
        message_ru: Optional[str] = None,
        endpoint: Optional[str] = None,
        text: Optional[str] = None,
    ) -> None:
        self._text = text if text is not None else message
        super().__init__(self._text)
        self.message = message
        self.code = code
        self.message_ru = message_ru if message_ru is not None else message
        self.endpoint = endpoint

    def __str__(self) -> str:
        return self._text

    if not TYPE_CHECKING:  # hidden from type checkers: a misspelt attribute stays an error

        def __getattr__(self, name: str) -> Any:
            # A refusal of the native rules (python/src/errors.rs, order_qty_refusal) comes
            # without its texts: they are written here when first read.
            if "_texts" not in self.__dict__:
                return object.__getattribute__(self, name)
            self._write_texts()
            return getattr(self, name)

        # `args` and repr() are read from the exception's C slots, which __getattr__ never
        # sees: a lazy refusal writes its texts for them too.
        @property
        def args(self) -> Tuple[Any, ...]:
            self._write_texts()
            return BaseException.args.__get__(self)

        @args.setter
        def args(self, value: Tuple[Any, ...]) -> None:
            BaseException.args.__set__(self, value)

    def _write_texts(self) -> None:
        """Writes a lazy refusal's texts (and `args`), once they are asked for. Threads may
        race here: each writes the same texts, and `_texts` goes last, so a thread that
        still sees it writes them again rather than finding them half written."""
        texts = self.__dict__.get("_texts")
        if texts is None:
            return
        written = texts()
        self.__dict__.update(written)
        _BASE_ARGS.__set__(self, (written["_text"],))
        self.__dict__.pop("_texts", None)

    def __repr__(self) -> str:
        self._write_texts()
        return BaseException.__repr__(self)

    def __reduce__(self) -> Any:
        # Keyword-only constructors: pickle (multiprocessing, concurrent.futures) through
        # the attribute dict so the exception survives the trip whole.
        self._write_texts()
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: Type[LogibridgeError], state: Dict[str, Any]) -> LogibridgeError:
    err = cls.__new__(cls)
    Exception.__init__(err, state.get("_text", ""))
    err.__dict__.update(state)
    return err


class ValidationError(LogibridgeError, ValueError):
    """A documented rule was broken; nothing was sent.

    ``field`` names the request field, ``code`` the rule (stable across versions),
    ``message`` / ``message_ru`` explain it.
    """

    field: Optional[str]

    def __init__(
        self,
        message: str,
        *,
        field: Optional[str] = None,
        code: str = "validation",
        message_ru: Optional[str] = None,
        text: Optional[str] = None,
    ) -> None:
        if text is None:
            text = f"{field}: {message} [{code}]" if field else f"{message} [{code}]"
        super().__init__(message, code=code, message_ru=message_ru, text=text)
        self.field = field


class InvalidArgumentError(ValidationError):
    """An argument given to the library itself is wrong: an unknown parameter name, a value
    of the wrong shape, a closed client. Nothing was sent."""


class ForkedClientError(InvalidArgumentError):
    """A client was used in a process made by ``fork()`` from the one that created it
    (``code`` is ``forked_client``). Its connections belong to the parent, so nothing was
    sent; make the client in the child, after the fork (in the worker, for
    ``gunicorn --preload``, celery prefork or ``multiprocessing``)."""


class APIError(LogibridgeError):
    """The service answered with an error status.

    ``status`` is the HTTP status (``None`` when credentials could not be obtained at all),
    ``message`` the service's own message, ``endpoint`` the endpoint id, ``body`` the start
    of the answer's body and ``retry_after`` the seconds the service asked to wait.
    """

    status: Optional[int]
    body: Optional[str]
    retry_after: Optional[float]

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        endpoint: Optional[str] = None,
        code: str = "http",
        message_ru: Optional[str] = None,
        body: Optional[str] = None,
        retry_after: Optional[float] = None,
        text: Optional[str] = None,
    ) -> None:
        super().__init__(message, code=code, message_ru=message_ru, endpoint=endpoint, text=text)
        self.status = status
        self.body = body
        self.retry_after = retry_after


class AuthenticationError(APIError):
    """The credentials were rejected (HTTP 401) or could not be obtained."""


class PermissionDeniedError(APIError):
    """HTTP 403: the key may not do this (for Carreta: an account it does not serve)."""


class NotFoundError(APIError):
    """HTTP 404."""


class ConflictError(APIError):
    """HTTP 409."""


class RateLimitError(APIError):
    """HTTP 429: too many requests; ``retry_after`` says how long the service asked to wait."""


class ServerError(APIError):
    """HTTP 5xx: the service failed."""


class TransportError(LogibridgeError):
    """The connection could not be made or broke before an answer arrived."""


class TimeoutError(TransportError):  # noqa: A001 - the documented name
    """The connect or request timeout ran out."""


class DecodeError(LogibridgeError):
    """The answer could not be read into the expected shape. ``path`` points at the value."""

    path: Optional[str]

    def __init__(
        self,
        message: str,
        *,
        path: Optional[str] = None,
        endpoint: Optional[str] = None,
        code: str = "decode",
        message_ru: Optional[str] = None,
        text: Optional[str] = None,
    ) -> None:
        super().__init__(message, code=code, message_ru=message_ru, endpoint=endpoint, text=text)
        self.path = path


_API_CLASSES: Dict[str, Type[APIError]] = {
    "http": APIError,
    "auth": AuthenticationError,
    "permission_denied": PermissionDeniedError,
    "not_found": NotFoundError,
    "conflict": ConflictError,
    "rate_limited": RateLimitError,
    "server": ServerError,
}


def _from_native(parts: Mapping[str, Any]) -> LogibridgeError:
    """Builds the exception for a core error's parts (see ``python/src/errors.rs``)."""
    err = _build(parts)
    if parts.get("outcome_unknown"):
        err.outcome_unknown = True
    return err


def _build(parts: Mapping[str, Any]) -> LogibridgeError:
    kind = parts.get("kind", "internal")
    text = parts.get("text")
    message = parts.get("message") or text or kind
    code = parts.get("code") or kind
    message_ru = parts.get("message_ru")
    endpoint = parts.get("endpoint")
    if kind in ("validation", "invalid_argument"):
        cls: Type[ValidationError] = ValidationError if kind == "validation" else InvalidArgumentError
        err = cls(message, field=parts.get("field"), code=code, message_ru=message_ru, text=text)
        err.endpoint = endpoint
        return err
    if kind in _API_CLASSES:
        return _API_CLASSES[kind](
            message,
            status=parts.get("status"),
            endpoint=endpoint,
            code=code,
            message_ru=message_ru,
            body=parts.get("body"),
            retry_after=parts.get("retry_after"),
            text=text,
        )
    if kind == "transport":
        return TransportError(message, code=code, message_ru=message_ru, endpoint=endpoint, text=text)
    if kind == "timeout":
        return TimeoutError(message, code=code, message_ru=message_ru, endpoint=endpoint, text=text)
    if kind == "decode":
        return DecodeError(message, path=parts.get("path"), endpoint=endpoint, code=code, message_ru=message_ru, text=text)
    return LogibridgeError(message, code=code, message_ru=message_ru, endpoint=endpoint, text=text)
