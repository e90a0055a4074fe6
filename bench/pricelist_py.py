#!/usr/bin/env python3
"""One price-list reader in this process, for ``bench/run.py`` to time under ``measure``
(its own process, so its peak RSS is its own). Prints one JSON line: ``{"rows": n, ...}``.

Usage: bench/pricelist_py.py MODE FILE

Ours (the installed ``logibridge`` package):
* ``loop``       ``for row in pricelist.read(FILE): row.price`` (rows are lazy: the typed
                 price is what the peers also produce)
* ``fields``     the same, reading every field of every row (code, maker, name, price, qty,
                 min_qty, period_min, period_max, extra_columns)
* ``to_arrow``   ``pricelist.to_arrow(FILE)`` (a ``pyarrow.Table``), when the package has it
* ``to_pandas``  ``pricelist.to_pandas(FILE)``, when the package has it
* ``to_polars``  ``pricelist.to_polars(FILE)``, when the package has it

Peers (pinned in mk/bench.mk):
* ``pandas``            ``pandas.read_csv(FILE, encoding="cp1251", sep=";", decimal=",")``, C engine
* ``pandas_nopyarrow``  the same with pyarrow hidden from pandas (what a venv without pyarrow gets:
                        object strings instead of pyarrow-backed ones)
* ``pandas_pyarrow``    the same with ``engine="pyarrow"`` (pyarrow transcodes CP1251 itself)
* ``polars``            ``polars.read_csv(UTF8_FILE, separator=";", decimal_comma=True)`` (polars
                        reads only UTF-8: the pre-decoded copy)
* ``pyarrow``           ``pyarrow.csv.read_csv(UTF8_FILE, delimiter=";")``

Every peer also reports the dtype it gave the price column, so the report can say what the
peer actually produced (the lists write prices with no-break-space thousands separators).

Besides the process's own times (taken by ``measure``), every mode reports times taken
inside it (``time.perf_counter``), so a row can show what the read costs once the libraries
are loaded, apart from what loading them costs:

* ``import_s``  importing the modules the mode uses (:data:`IMPORTS`), before the read;
* ``work_s``    the read alone: from the call (or the first row) to the full result, not the
                row count or dtype taken afterwards;
* ``imported_during_work``  top-level packages first imported during the read (empty when
                :data:`IMPORTS` covers what the read loads, so ``work_s`` has no import in it).
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from typing import Any, Callable, Dict, List, Tuple

# What each mode imports before its clock starts: the libraries its read uses (ours: the
# package, and the DataFrame library a to_* call hands its table to; peers: their library).
IMPORTS: Dict[str, List[str]] = {
    "loop": ["logibridge.pricelist"],
    "fields": ["logibridge.pricelist"],
    "to_arrow": ["logibridge.pricelist", "pyarrow"],
    "to_pandas": ["logibridge.pricelist", "pyarrow", "pandas"],
    "to_polars": ["logibridge.pricelist", "polars"],
    "pandas": ["pandas"],
    "pandas_nopyarrow": ["pandas"],
    "pandas_pyarrow": ["pandas", "pyarrow"],
    "polars": ["polars"],
    "pyarrow": ["pyarrow", "pyarrow.csv"],
}


def timed(fn: Callable[[], Any]) -> Tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def ours(mode: str, path: str) -> Tuple[dict, float]:
    import logibridge.pricelist as pl

    if mode == "loop":

        def loop() -> int:
            n = 0
            for row in pl.read(path):
                row.price
                n += 1
            return n

        n, work = timed(loop)
        return {"rows": n}, work
    if mode == "fields":

        def fields() -> int:
            n = 0
            for row in pl.read(path):
                (row.code, row.maker, row.name, row.price, row.qty, row.min_qty, row.period_min, row.period_max, row.extra_columns)
                n += 1
            return n

        n, work = timed(fields)
        return {"rows": n}, work
    fn = getattr(pl, mode, None)
    if fn is None:
        raise SystemExit(f"skipped: logibridge.pricelist has no {mode}")
    out, work = timed(lambda: fn(path))
    if isinstance(out, tuple):  # (table, bad rows), if that is the shape
        out = out[0]
    n = out.num_rows if hasattr(out, "num_rows") else len(out)
    price = out.schema.field("price").type if hasattr(out, "schema") and hasattr(out.schema, "field") else out["price"].dtype
    return {"rows": n, "price_dtype": str(price)}, work


def peers(mode: str, path: str) -> Tuple[dict, float]:
    if mode in ("pandas", "pandas_nopyarrow", "pandas_pyarrow"):
        import pandas as pd

        if mode == "pandas_pyarrow":
            df, work = timed(lambda: pd.read_csv(path, encoding="cp1251", sep=";", decimal=",", engine="pyarrow"))
        else:
            df, work = timed(lambda: pd.read_csv(path, encoding="cp1251", sep=";", decimal=","))
        price = df.columns[3]
        return {"rows": len(df), "price_dtype": str(df[price].dtype), "price_sample": str(df[price].iloc[0]), "pandas": pd.__version__}, work
    if mode == "polars":
        import polars as pl

        df, work = timed(lambda: pl.read_csv(path, separator=";", decimal_comma=True))
        return {"rows": df.height, "price_dtype": str(df.dtypes[3]), "price_sample": str(df[:, 3][0])}, work
    if mode == "pyarrow":
        import pyarrow.csv as pc

        t, work = timed(lambda: pc.read_csv(path, parse_options=pc.ParseOptions(delimiter=";", newlines_in_values=True)))
        return {"rows": t.num_rows, "price_dtype": str(t.schema.field(3).type)}, work
    raise SystemExit(f"unknown mode {mode}")


def top_level(modules: Any) -> set:
    return {m.partition(".")[0] for m in modules}


def main() -> None:
    mode, path = sys.argv[1], sys.argv[2]
    if mode not in IMPORTS:
        raise SystemExit(f"unknown mode {mode}")
    if mode == "pandas_nopyarrow":
        sys.modules["pyarrow"] = None  # type: ignore[assignment]  # import fails: pandas falls back
    _, import_s = timed(lambda: [importlib.import_module(m) for m in IMPORTS[mode]])
    before = top_level(list(sys.modules))
    result, work_s = ours(mode, path) if mode in ("loop", "fields", "to_arrow", "to_pandas", "to_polars") else peers(mode, path)
    result.update(import_s=import_s, work_s=work_s, imported_during_work=sorted(top_level(list(sys.modules)) - before))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
