"""The ``logibridge`` logger.

The native module sends one record per HTTP attempt to ``logging.getLogger("logibridge")``:
``DEBUG`` for a completed request, ``INFO`` for a retry and for an attempt that failed.
Each record carries ``request_id``, ``endpoint``, ``http_method``, ``url`` (keys masked),
``status``, ``duration_ms`` and ``attempt`` as attributes. Nothing is printed unless your
logging configuration (or ``LOGIBRIDGE_LOG=debug|info``) asks for it.

Handlers never run on the thread that serves a request: records go through a bounded
queue (``LOGIBRIDGE_LOG_QUEUE`` records, default 10,000) to one thread of this module,
``logibridge-logging``, which calls the handlers. So a slow handler, or one waiting for a
lock the caller holds, delays only other records, never a call. A record below the
``logibridge`` logger's effective level (or under ``logging.disable``) when the call is
made is never made, so it costs the call nothing; the level is looked at again there, when
a record is handled. When the handlers fall
behind and the queue is full, records are dropped and counted (:func:`logging_dropped`);
once the queue drains, a ``WARNING`` record with a ``dropped`` attribute says how many.
:func:`flush_logs` waits until the records of calls made so far were handled (tests,
short scripts). At exit the records still queued are handled before ``logging`` shuts down.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from typing import Optional

from . import _native

logger = logging.getLogger("logibridge")
logger.addHandler(logging.NullHandler())

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}

# How long the logging thread waits for a record before looking again (it is also woken
# at exit, so this only bounds an idle loop).
_IDLE_WAIT = 5.0
# How long exit waits for the logging thread to hand over the last records.
_EXIT_WAIT = 2.0


class _Drainer:
    """The thread that takes records off the native queue and calls the handlers."""

    def __init__(self) -> None:
        self.handled = 0
        self.changed = threading.Condition()
        self.thread: Optional[threading.Thread] = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="logibridge-logging", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            got = _native.logging_next(_IDLE_WAIT)
            if got is None:  # the interpreter exits and the queue is empty
                return
            taken, records = got
            for level, message, extra in records:
                try:
                    if logger.isEnabledFor(level):
                        # `%s` keeps a message with a literal `%` from being formatted.
                        logger.log(level, "%s", message, extra=extra)
                except Exception:  # noqa: BLE001 - a broken handler must not stop the thread
                    pass
            if taken:
                with self.changed:
                    self.handled += taken
                    self.changed.notify_all()

    def flush(self, timeout: float) -> bool:
        target = _native.logging_accepted()
        if self.thread is threading.current_thread():
            return self.handled >= target  # a handler cannot wait for itself
        with self.changed:
            return self.changed.wait_for(lambda: self.handled >= target, timeout)


_drainer = _Drainer()


def flush_logs(timeout: float = 5.0) -> bool:
    """Waits (at most ``timeout`` seconds) until every record queued so far in this
    process was handed to the handlers of the ``logibridge`` logger. True when they all
    were; False if the handlers are still busy when the time is up."""
    return _drainer.flush(timeout)


def logging_dropped() -> int:
    """How many ``logibridge`` log records this process dropped because its logging
    handlers were slower than the requests and the queue (``LOGIBRIDGE_LOG_QUEUE``) was
    full."""
    return _native.logging_dropped()


def _at_exit() -> None:
    # From here on the runtime's threads leave Python alone (a call still in flight is
    # dropped); then the last records reach the handlers before logging shuts down
    # (atexit runs this before logging's own hook, registered earlier).
    _native.shutdown()
    thread = _drainer.thread
    if thread is not None and thread is not threading.current_thread():
        thread.join(_EXIT_WAIT)


def _after_fork_in_child() -> None:
    # The parent's logging thread does not exist here, and its lock may have been held at
    # the fork; the native queue is the child's own already.
    global _drainer
    _drainer = _Drainer()
    _drainer.start()


def _sync_threshold() -> None:
    """Tells the native side the lowest level the logger handles now (what
    ``logger.isEnabledFor`` answers), so records nobody handles are never made: no record
    per call is queued, and the logging thread does not take the GIL to discard it."""
    _native.logging_set_threshold(max(logger.getEffectiveLevel(), logging.root.manager.disable + 1))


def _watch_levels() -> None:
    """Keeps the native threshold current: ``logging`` drops its own cache of
    ``isEnabledFor`` answers through ``Manager._clear_cache`` whenever a level changes
    (``setLevel`` on any logger, ``logging.disable``, configuration), so the threshold is
    refreshed at exactly those moments. Without that hook (another Python) every record is
    made, as before, and the logger decides."""
    manager = logging.root.manager
    clear = getattr(manager, "_clear_cache", None)
    if clear is None or getattr(clear, "_logibridge", False):
        return

    def clear_cache() -> None:
        clear()
        _sync_threshold()

    clear_cache._logibridge = True  # type: ignore[attr-defined]
    manager._clear_cache = clear_cache  # type: ignore[attr-defined]
    _sync_threshold()


def start() -> None:
    """Starts the logging thread and the exit and fork hooks (once, at import)."""
    _watch_levels()
    _drainer.start()
    atexit.register(_at_exit)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)


def setup_from_env() -> None:
    """``LOGIBRIDGE_LOG=debug`` (or ``info``) prints the library's records to stderr."""
    level = _LEVELS.get(os.environ.get("LOGIBRIDGE_LOG", "").strip().lower())
    if level is None or any(getattr(h, "_logibridge_env", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler._logibridge_env = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
