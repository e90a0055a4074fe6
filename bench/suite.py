"""The benchmark suite's shared protocol: how an in-process benchmark script times its cases
and hands rows to ``bench/run.py``.

A script (``bench/models.py``, ``bench/http.py``, ``bench/rules.py``, ...) takes
``--rounds N`` and prints, as the last line of its stdout, one JSON object::

    {"rows": [ROW, ...], "versions": {"pydantic": "2.14.3", ...}, "notes": ["...", ...]}

where every ROW compares *ours* with *a peer measured in the same run*::

    {"key": "models.decode",                     # unique, stable
     "what": "100-order page, decode only",       # what is measured
     "ours": "logibridge `_native.decode`",       # label of our side
     "peer": "pydantic `validate_json`",          # label of the peer (its version goes in versions)
     "unit": "op",                                # what one sample times: one "op" (a call, a page)
     "ours_wall": [s, ...], "ours_cpu": [s, ...], # seconds per op, one sample per round
     "peer_wall": [s, ...], "peer_cpu": [s, ...],
     "goal": {"ratio": 2.0} | {"max_seconds": 1e-6} | {},   # the issue's goal, if any
     "goal_text": "≥ 2× requests",               # as the issue words it
     "rss_bytes": {"ours": n, "peer": n} | absent,
     "command": ".venv/bin/python bench/models.py --rounds 5"}
    # or "skipped": "<why>" instead of the samples (the row is printed as skipped).

The ratio is peer ÷ ours on medians (above 1: ours is faster), for wall and for CPU time.
:func:`rounds` runs every case once per round in an order rotated by one each round, so load
from other work on the machine falls on every case alike.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

Samples = Dict[str, Tuple[List[float], List[float]]]


def measure(fn: Callable[[], Any], seconds: float, min_calls: int = 3) -> Tuple[float, float]:
    """Seconds per call of ``fn``, wall and this process's CPU time, over as many calls as fit
    in ``seconds`` (at least ``min_calls``). Process CPU time counts every thread of the
    process (a native call's worker threads included), not only the caller's."""
    n, start, cpu = 0, time.perf_counter(), time.process_time()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if n >= min_calls and elapsed >= seconds:
            return elapsed / n, (time.process_time() - cpu) / n


def rotated(items: Sequence[Any], round_no: int) -> List[Any]:
    """``items`` rotated left by ``round_no``: round 0 runs them as given, round 1 from the
    second, so no case always runs first (on a warm cache) or last (after the others' garbage)."""
    k = round_no % len(items) if items else 0
    return list(items[k:]) + list(items[:k])


def rounds(cases: Dict[str, Callable[[], Any]], n_rounds: int, seconds: float = 0.2, warmup: float = 0.05) -> Samples:
    """Every case timed once per round for ``n_rounds`` rounds, order rotated per round;
    returns ``{case: ([wall per op, one per round], [cpu per op, ...])}``."""
    for fn in cases.values():
        measure(fn, warmup, 1)
    out: Samples = {k: ([], []) for k in cases}
    names = list(cases)
    for r in range(n_rounds):
        for k in rotated(names, r):
            wall, cpu = measure(cases[k], seconds)
            out[k][0].append(wall)
            out[k][1].append(cpu)
    return out


def row(
    key: str,
    what: str,
    ours: str,
    peer: str,
    samples: Samples,
    ours_case: str,
    peer_case: str,
    *,
    goal: Optional[Dict[str, float]] = None,
    goal_text: str = "",
    command: str = "",
    unit: str = "op",
) -> Dict[str, Any]:
    """One row of the protocol from two cases of :func:`rounds`."""
    return {
        "key": key,
        "what": what,
        "ours": ours,
        "peer": peer,
        "unit": unit,
        "ours_wall": samples[ours_case][0],
        "ours_cpu": samples[ours_case][1],
        "peer_wall": samples[peer_case][0],
        "peer_cpu": samples[peer_case][1],
        "goal": goal or {},
        "goal_text": goal_text,
        "command": command,
    }


def skipped(key: str, what: str, ours: str, peer: str, why: str, goal_text: str = "", command: str = "") -> Dict[str, Any]:
    """A row that could not be measured, and why (printed in the table, never dropped)."""
    return {"key": key, "what": what, "ours": ours, "peer": peer, "skipped": why, "goal_text": goal_text, "command": command}


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def emit(rows: List[Dict[str, Any]], versions: Dict[str, str], notes: Optional[List[str]] = None) -> None:
    """Prints the protocol's JSON object as the last line of stdout."""
    print(json.dumps({"rows": rows, "versions": versions, "notes": notes or [], "load": list(os.getloadavg())}))
