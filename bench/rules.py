"""Order rules in Python: ``logibridge.carreta.check_order_qty`` accepted and refused, against
the same rule written in pure Python, and against the floor any refusal pays in Python (a
``raise`` caught by ``except``).

Usage: ``python bench/rules.py [--rounds N] [--seconds S]``. Prints one line per case for
people (``case  ns/call wall  ns/call cpu``) and, last, the JSON object of ``bench/suite.py``
for ``bench/run.py``. Every case is timed once per round, order rotated.

Rows (keys): ``rules.py.accepted``, ``rules.py.rejected`` (the refusal caught, nothing
read), ``rules.py.rejected_read`` (caught and ``str(e)`` read: the texts written),
``rules.py.rejected_floor`` (our refusal against a bare ``raise ValueError`` /
``except``: the ratio says how far above Python's own floor a refusal is).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from typing import Any, Dict

# bench/ holds an http.py: left on sys.path it would shadow the standard library's `http`
# (imported by urllib, which logibridge imports), so suite.py is loaded by its path.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
_spec = importlib.util.spec_from_file_location("suite", os.path.join(HERE, "suite.py"))
assert _spec is not None and _spec.loader is not None
suite = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(suite)

from logibridge import ValidationError  # noqa: E402
from logibridge.carreta import check_order_qty  # noqa: E402

COMMAND = "python bench/rules.py --rounds 7"
UNBOUNDED_ORDER_MAX = 10_000


class RuleError(ValueError):
    """What a pure-Python rule raises: field, code and both texts, written when raised."""

    def __init__(self, field: str, code: str, message: str, message_ru: str) -> None:
        super().__init__(f"{field}: {message} [{code}]")
        self.field, self.code, self.message, self.message_ru = field, code, message, message_ru


def py_check_order_qty(qty: str, min_qty: int, order_qty: int) -> None:
    """The documented rules in plain Python (the peer): the same checks, codes and texts."""
    if min_qty < 1:
        raise RuleError("min_qty", "min_qty.invalid", f"min_qty must be at least 1, got {min_qty}",
                        f"минимальное количество (min_qty) должно быть не меньше 1, получено {min_qty}")
    if order_qty < 1:
        raise RuleError("order_qty", "order_qty.min", f"order_qty must be at least 1, got {order_qty}",
                        f"количество к заказу (order_qty) должно быть не меньше 1, получено {order_qty}")
    text = qty.strip()
    if "есть" in text.lower():
        limit, strict = UNBOUNDED_ORDER_MAX, False
    elif text[:1] == "<" and text[1:].strip().isdigit():
        limit, strict = int(text[1:]), True
    elif text[:1] == ">" and text[1:].strip().isdigit():
        limit, strict = UNBOUNDED_ORDER_MAX, False
    elif text.isdigit():
        limit, strict = int(text), False
    else:
        raise RuleError("qty", "qty.unknown_form", f'qty "{qty}" has a form the API does not document',
                        f"значение наличия «{qty}» имеет недокументированный вид")
    if order_qty >= limit if strict else order_qty > limit:
        raise RuleError("order_qty", "order_qty.not_less_than_qty", f'qty is "{qty}": order_qty must be less than {limit}, got {order_qty}',
                        f"в наличии «{qty}»: количество к заказу должно быть строго меньше {limit}, получено {order_qty}")
    if order_qty % min_qty:
        raise RuleError("order_qty", "order_qty.not_multiple_of_min_qty", f"order_qty must be a multiple of min_qty {min_qty}, got {order_qty}",
                        f"количество к заказу должно быть кратно минимальной партии {min_qty}, получено {order_qty}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--seconds", type=float, default=0.2)
    args = ap.parse_args()

    def ours_accepted() -> None:
        check_order_qty("<10", 1, 9)

    def ours_rejected() -> None:
        try:
            check_order_qty("<10", 1, 10)
        except ValidationError:
            pass

    def ours_rejected_read() -> None:
        try:
            check_order_qty("<10", 1, 10)
        except ValidationError as e:
            str(e)

    def py_accepted() -> None:
        py_check_order_qty("<10", 1, 9)

    def py_rejected() -> None:
        try:
            py_check_order_qty("<10", 1, 10)
        except RuleError:
            pass

    def py_rejected_read() -> None:
        try:
            py_check_order_qty("<10", 1, 10)
        except RuleError as e:
            str(e)

    def floor() -> None:
        try:
            raise ValueError
        except ValueError:
            pass

    # Many calls per sample: one call is far below the timer's resolution.
    def batch(fn: Any, n: int = 1000) -> Any:
        def run() -> None:
            for _ in range(n):
                fn()
        return run

    n = 1000
    cases: Dict[str, Any] = {
        "ours_accepted": ours_accepted, "py_accepted": py_accepted,
        "ours_rejected": ours_rejected, "py_rejected": py_rejected,
        "ours_rejected_read": ours_rejected_read, "py_rejected_read": py_rejected_read,
        "floor": floor,
    }
    samples = suite.rounds({k: batch(f, n) for k, f in cases.items()}, args.rounds, args.seconds)
    per_call = {k: ([w / n for w in ws], [c / n for c in cs]) for k, (ws, cs) in samples.items()}
    for k, (ws, cs) in per_call.items():
        print(f"{k:20s} {suite.median(ws) * 1e9:9.0f} ns/call wall {suite.median(cs) * 1e9:9.0f} ns/call cpu")

    ours = "`carreta.check_order_qty`"
    peer = "the rule in pure Python (`bench/rules.py`)"
    rows = [
        suite.row("rules.py.accepted", "`check_order_qty`, allowed", ours, peer, per_call, "ours_accepted", "py_accepted",
                  unit="call", command=COMMAND),
        suite.row("rules.py.rejected", "`check_order_qty`, refused and caught", ours, peer, per_call, "ours_rejected", "py_rejected",
                  goal={"max_seconds": 1e-6}, goal_text="≤ 1 µs", unit="call", command=COMMAND),
        suite.row("rules.py.rejected_read", "`check_order_qty`, refused, caught, `str(e)` read", ours, peer, per_call,
                  "ours_rejected_read", "py_rejected_read", unit="call", command=COMMAND),
        suite.row("rules.py.rejected_floor", "`check_order_qty` refused and caught, against Python's floor", ours,
                  "`raise ValueError` / `except ValueError`", per_call, "ours_rejected", "floor", unit="call", command=COMMAND),
    ]
    suite.emit(rows, {"python": sys.version.split()[0]},
               ["A refusal's texts are written when read (`str(e)`, `.message`, `.message_ru`); "
                "`rules.py.rejected_floor` compares a refusal with a bare raise/except of a ValueError."])


if __name__ == "__main__":
    main()
