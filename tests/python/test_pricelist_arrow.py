"""logibridge.pricelist into DataFrames: to_arrow, to_pandas, to_polars and the PyCapsule
stream give the row reader's values, prices as exact decimals, in file order."""

from __future__ import annotations

import io
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List

import pytest

import logibridge
from logibridge import pricelist

pa = pytest.importorskip("pyarrow", reason="pyarrow is a test tool (mk/python.mk)")

CSV = (
    "Бренд;Артикул;Наименование;Цена;Количество;Кратность;Срок поставки;Склад\r\n"
    'MANN-FILTER;W 712/75;"Фильтр масляный; Лада";1\u00a0234,50;<10;1;7-9;Москва\r\n'
    'KNECHT;OC47;"Фильтр\r\nмасляный";152.02;>50;2;5;Казань\r\n'
    'BOSCH;0 986 452 041;"Фильтр ""Супер""";99,9;Есть;;;\r\n'
    "BOSCH;0 1;Фильтр;сто;1;1;1;\r\n"
    "LADA;2101;Колодки;12\u00a0345\u00a0678;10;1;3;Самара\r\n"
    "LADA;2102;Колодки;5;под заказ;1;3;\r\n"
)


def cp1251(text: str) -> bytes:
    return text.encode("cp1251")


def big_list(rows: int) -> bytes:
    """Several ~512 KiB blocks of rows, a bad row every 997."""
    out = ["Бренд;Артикул;Наименование;Цена;Количество;Склад\r\n"]
    qtys = ["10", "<10", ">50", "Есть", "под заказ", ""]
    for i in range(rows):
        if i % 997 == 500:
            out.append(f"M;C{i};bad;x{i};1;\r\n")
            continue
        name = f'"Фильтр; {i}\r\nвторая строка"' if i % 101 == 0 else f"Фильтр {i}"
        out.append(f"M{i % 7};C{i};{name};{i // 100}\u00a0{i % 1000:03d},{i % 100:02d};{qtys[i % 6]};Склад {i % 5}\r\n")
    return cp1251("".join(out))


def reader_rows(data: bytes) -> List[Dict[str, Any]]:
    with pricelist.read(data, on_error="collect") as rows:
        return [
            {
                "line": r.line,
                "code": r.code,
                "maker": r.maker,
                "name": r.name,
                "price": r.price,
                "qty": r.qty,
                "min_qty": r.min_qty,
                "period_min": r.period_min,
                "period_max": r.period_max,
                **r.extra_columns,
            }
            for r in rows
        ]


def reader_bad_lines(data: bytes) -> List[int]:
    with pricelist.read(data, on_error="collect") as rows:
        list(rows)
        return [b.line for b in rows.bad_rows]


FIELDS = ["line", "code", "maker", "name", "price", "qty", "min_qty", "period_min", "period_max"]


def test_to_arrow_is_the_row_readers_values_with_exact_decimals() -> None:
    data = cp1251(CSV)
    table, bad = pricelist.to_arrow(data, on_error="collect", bad_rows=True)
    assert isinstance(table, pa.Table)
    assert table.schema.field("price").type == pa.decimal128(38, 2)
    got = table.select(FIELDS + ["Склад"]).to_pylist()
    assert got == reader_rows(data)
    prices = table.column("price").to_pylist()
    assert all(isinstance(p, Decimal) for p in prices)
    assert prices[0] == Decimal("1234.50") and prices[3] == Decimal("12345678.00")
    assert table.column("qty_kind").to_pylist() == ["less_than", "more_than", "in_stock", "exactly", "unknown"]
    assert table.column("qty_value").to_pylist() == [10, 50, None, 10, None]
    assert bad.column("line").to_pylist() == reader_bad_lines(data) == [6]
    assert "не число" in bad.column("reason_ru").to_pylist()[0]


def test_a_large_list_keeps_file_order_across_blocks(tmp_path: Path) -> None:
    data = big_list(40_000)
    assert len(data) > 2 * 512 * 1024
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    table = pricelist.to_arrow(path, on_error="collect", batch_rows=5_000, threads=2)
    lines = table.column("line").to_pylist()
    assert lines == sorted(lines)
    assert table.select(FIELDS + ["Склад"]).to_pylist() == reader_rows(data)


def test_the_stream_is_bounded_by_batch_rows_and_reports_after_the_end() -> None:
    data = big_list(20_000)
    stream = pricelist.arrow_stream(data, on_error="collect", batch_rows=1_000)
    with pytest.raises(logibridge.InvalidArgumentError):
        stream.summary()  # not known before the end
    reader = pa.RecordBatchReader.from_stream(stream)
    sizes = [b.num_rows for b in reader]
    assert max(sizes) <= 1_000 and sum(sizes) == stream.summary()["rows_ok"]
    assert stream.summary()["rows_bad"] == len(reader_bad_lines(data))
    assert pa.table(stream.bad_rows()).column("line").to_pylist() == reader_bad_lines(data)
    with pytest.raises(logibridge.InvalidArgumentError):
        stream.__arrow_c_stream__()  # consumed once


def test_stop_raises_the_readers_decode_error() -> None:
    data = cp1251(CSV)
    with pytest.raises(logibridge.DecodeError) as e:
        pricelist.to_arrow(data)
    with pytest.raises(logibridge.DecodeError) as expected:
        list(pricelist.read(data))
    assert str(e.value) == str(expected.value)
    # Through the capsule, the consumer's error, then the library's exception.
    stream = pricelist.arrow_stream(data)
    with pytest.raises(Exception):
        pa.table(stream)
    with pytest.raises(logibridge.DecodeError):
        stream.error()


def test_a_file_object_and_a_missing_column() -> None:
    table = pricelist.to_arrow(io.BytesIO(cp1251(CSV)), on_error="collect")
    assert table.num_rows == 5
    with pytest.raises(logibridge.DecodeError, match="price"):
        pricelist.to_arrow(cp1251("Артикул;Стоимость\r\nA;1\r\n"))


def test_to_pandas_keeps_decimals() -> None:
    pd = pytest.importorskip("pandas")
    data = cp1251(CSV)
    frame, bad = pricelist.to_pandas(data, on_error="collect", bad_rows=True)
    assert isinstance(frame, pd.DataFrame)
    assert isinstance(frame["price"].dtype, pd.ArrowDtype)
    assert str(frame["price"].dtype.pyarrow_dtype) == "decimal128(38, 2)"
    assert list(frame["price"]) == [r["price"] for r in reader_rows(data)]
    assert list(frame["line"]) == [r["line"] for r in reader_rows(data)]
    assert list(bad["line"]) == [6]


def test_to_polars_through_the_capsule() -> None:
    pl = pytest.importorskip("polars")
    data = cp1251(CSV)
    frame, bad = pricelist.to_polars(data, on_error="collect", bad_rows=True)
    assert isinstance(frame, pl.DataFrame)
    assert frame.schema["price"] == pl.Decimal(38, 2)
    assert frame["price"].to_list() == [r["price"] for r in reader_rows(data)]
    assert frame["name"].to_list() == [r["name"] for r in reader_rows(data)]
    assert bad["line"].to_list() == [6]


def test_missing_pyarrow_is_named_in_english_and_russian(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes every import of pyarrow fail, as when it is not installed.
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError) as e:
        pricelist.to_arrow(cp1251(CSV), on_error="collect")
    assert "pip install pyarrow" in str(e.value)
    assert "нужен пакет pyarrow" in str(e.value)
    assert e.value.name == "pyarrow"
    # The stream itself needs no DataFrame library.
    assert pricelist.arrow_stream(cp1251(CSV), on_error="collect").column_names[:2] == ["line", "code"]


def test_to_arrow_does_not_import_pandas(tmp_path: Path) -> None:
    """pyarrow.table() imports pandas to ask whether its argument is a DataFrame (1.3 s on
    this machine); to_arrow must cost a pyarrow user only pyarrow."""
    pytest.importorskip("pandas", reason="the question only arises with pandas installed")
    import subprocess

    path = tmp_path / "list.csv"
    path.write_bytes(cp1251(CSV))
    script = (
        "import sys\n"
        "from logibridge import pricelist\n"
        f"table, bad = pricelist.to_arrow({str(path)!r}, on_error='collect', bad_rows=True)\n"
        "assert table.num_rows == 5 and bad.num_rows == 1, (table.num_rows, bad.num_rows)\n"
        "assert 'pandas' not in sys.modules, 'pandas was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "option, value, rule",
    [
        ("max_errors_kept", -1, "from 0 to"),
        ("max_record_bytes", 0, "from 1 to"),
        ("batch_rows", 2**70, "from 1 to 4294967295"),
        ("threads", 257, "from 0 to 256"),
        ("threads", 2**70, "from 0 to 256"),
        ("price_scale", 29, "from 0 to 28"),
        ("threads", True, "must be an int"),
        ("batch_rows", "10", "must be an int"),
        ("columns", [("price", "Цена")], "must be a dict"),
        ("columns", {"price": 5}, "must map a field name"),
    ],
)
def test_a_bad_option_is_named_with_its_rule_in_english_and_russian(option: str, value: Any, rule: str) -> None:
    with pytest.raises(logibridge.InvalidArgumentError) as e:
        pricelist.arrow_stream(cp1251(CSV), **{option: value})
    assert e.value.field == option
    assert rule in str(e.value) and option in e.value.message_ru


@pytest.mark.parametrize("option, value", [("max_errors_kept", -1), ("max_record_bytes", 2**70), ("columns", {"price": None})])
def test_the_row_reader_names_a_bad_option_too(option: str, value: Any) -> None:
    with pytest.raises(logibridge.InvalidArgumentError) as e:
        pricelist.read(cp1251(CSV), **{option: value})
    assert e.value.field == option


def test_a_text_mode_file_is_refused_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(cp1251(CSV))
    with open(path, encoding="cp1251") as text_file, pytest.raises(logibridge.InvalidArgumentError) as e:
        pricelist.arrow_stream(text_file)
    assert '"rb"' in str(e.value) and "двоичном" in e.value.message_ru


def test_repeated_unknown_headers_keep_every_cell_under_the_same_names_in_rows_and_tables() -> None:
    data = cp1251("Артикул;Цена;Склад;Склад\r\nA1;1,5;Москва;Казань\r\n")
    with pricelist.read(data) as rows:
        row = next(iter(rows))
        assert rows.extra_columns == ["Склад", "extra:Склад"]
    assert row.extra_columns == {"Склад": "Москва", "extra:Склад": "Казань"}
    table = pricelist.to_arrow(data)
    assert table.column_names[-2:] == ["Склад", "extra:Склад"]
    assert table.select(["Склад", "extra:Склад"]).to_pylist() == [row.extra_columns]
