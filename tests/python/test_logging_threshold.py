"""Records nobody would handle are never made: with the ``logibridge`` logger above DEBUG a
call queues nothing (the logging thread is not woken to take the GIL and discard a record),
and the level is followed as ``logging`` changes it (``setLevel``, ``logging.disable``)."""

from __future__ import annotations

import logging

import logibridge
from logibridge import _native


def queued_by(call) -> int:  # type: ignore[no-untyped-def]
    assert logibridge.flush_logs(timeout=10)
    before = _native.logging_accepted()
    call()
    assert logibridge.flush_logs(timeout=10)
    return _native.logging_accepted() - before


def test_calls_queue_records_only_at_a_level_that_handles_them(shop: logibridge.Carreta) -> None:
    logger = logging.getLogger("logibridge")
    old = logger.level
    try:
        logger.setLevel(logging.WARNING)
        assert queued_by(lambda: [shop.search.query("oc47") for _ in range(5)]) == 0
        logger.setLevel(logging.DEBUG)
        assert queued_by(lambda: [shop.search.query("oc47") for _ in range(5)]) == 5
        logging.disable(logging.DEBUG)
        try:
            assert queued_by(lambda: shop.search.query("oc47")) == 0
        finally:
            logging.disable(logging.NOTSET)
        assert queued_by(lambda: shop.search.query("oc47")) == 1
        # The level is inherited: the root logger's level counts when ours has none.
        logger.setLevel(logging.NOTSET)
        root_level = logging.root.level
        logging.root.setLevel(logging.DEBUG)
        try:
            assert queued_by(lambda: shop.search.query("oc47")) == 1
        finally:
            logging.root.setLevel(root_level)
    finally:
        logger.setLevel(old)
