"""The ``logibridge`` logger.

The native module sends one record per HTTP attempt to ``logging.getLogger("logibridge")``:
``DEBUG`` for a completed request, ``INFO`` for a retry and for an attempt that failed.
Each record carries ``request_id``, ``endpoint``, ``http_method``, ``url`` (keys masked),
``status``, ``duration_ms`` and ``attempt`` as attributes. Nothing is printed unless your
logging configuration (or ``LOGIBRIDGE_LOG=debug|info``) asks for it.
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger("logibridge")
logger.addHandler(logging.NullHandler())

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


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
