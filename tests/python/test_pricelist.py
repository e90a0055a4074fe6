"""logibridge.pricelist: the core's streaming reader, from files, bytes, file objects and
the sandbox's published list."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

import logibridge
from logibridge import pricelist, sandbox
from logibridge.pricelist import BadRow, PriceRow

CSV = (
    "Бренд;Артикул;Наименование;Цена;Количество;Кратность;Срок поставки;Склад\r\n"
    'MANN-FILTER;W 712/75;"Фильтр масляный; Лада";1 234,50;<10;1;7-9;Москва\r\n'
    "KNECHT;OC47;Фильтр масляный;152.02;>50;2;5;Казань\r\n"
    'BOSCH;0 986 452 041;"Фильтр ""Супер""";99,9;Есть;;;\r\n'
)


def cp1251(text: str) -> bytes:
    return text.encode("cp1251")


def test_reads_a_cp1251_file(tmp_path: Path) -> None:
    path = tmp_path / "price.csv"
    path.write_bytes(cp1251(CSV))
    with pricelist.read(path) as rows:
        got = list(rows)
        assert rows.encoding == "windows-1251"
        assert rows.headers[:2] == ["Бренд", "Артикул"]
        assert rows.columns["price"] == "Цена" and rows.columns["period"] == "Срок поставки"
        assert rows.extra_columns == ["Склад"]
        assert rows.summary.rows_ok == 3 and rows.summary.rows_bad == 0
    assert [r.line for r in got] == [2, 3, 4]
    first = got[0]
    assert isinstance(first, PriceRow)
    assert (first.maker, first.code, first.name) == ("MANN-FILTER", "W 712/75", "Фильтр масляный; Лада")
    assert first.price == Decimal("1234.50") and str(first.price) == "1234.50"
    assert (first.qty, first.min_qty, first.period_min, first.period_max) == ("<10", 1, 7, 9)
    assert first.extra_columns == {"Склад": "Москва"}
    assert first.max_order == 9
    first.check_order(9)
    with pytest.raises(logibridge.ValidationError):
        first.check_order(10)
    assert got[1].price == Decimal("152.02") and got[1].min_qty == 2 and (got[1].period_min, got[1].period_max) == (5, 5)
    with pytest.raises(logibridge.ValidationError) as info:
        got[1].check_order(3)
    assert info.value.code == "order_qty.not_multiple_of_min_qty"
    assert got[2].name == 'Фильтр "Супер"' and got[2].qty == "Есть" and got[2].period_min is None


def test_sources(tmp_path: Path) -> None:
    data = cp1251(CSV)
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    expected = pricelist.read(data).to_list()
    assert len(expected) == 3
    assert pricelist.read(str(path)).to_list() == expected
    assert pricelist.read(bytearray(data)).to_list() == expected
    assert pricelist.read(io.BytesIO(data)).to_list() == expected
    with open(path, "rb") as f:
        assert pricelist.read(f).to_list() == expected
    with pytest.raises(TypeError):
        pricelist.read(12345)  # type: ignore[arg-type]
    with pytest.raises(logibridge.LogibridgeError):
        pricelist.read(io.StringIO(CSV)).to_list()


def test_utf8_with_bom_and_other_encodings() -> None:
    utf8 = pricelist.read(b"\xef\xbb\xbf" + CSV.encode()).to_list()
    assert pricelist.read(cp1251(CSV)).to_list() == utf8
    koi = pricelist.read(CSV.encode("koi8-r"), encoding="koi8-r").to_list()
    assert koi == utf8


def test_on_error_stop_yields_good_rows_then_raises() -> None:
    text = "Артикул;Цена\nA1;1,5\nA2;not-a-price\nA3;3\n"
    rows = pricelist.read(text.encode())
    assert next(rows).code == "A1"
    with pytest.raises(logibridge.DecodeError) as info:
        next(rows)
    assert "3" in str(info.value)  # the line
    assert info.value.endpoint == "carreta.pricelist.parse"


def test_on_error_collect_keeps_bad_rows() -> None:
    text = "Артикул;Цена\nA1;1,5\nA2;not-a-price\n;5\nA4;4\n"
    with pricelist.read(text.encode(), on_error="collect") as rows:
        assert [r.code for r in rows] == ["A1", "A4"]
        bad = rows.bad_rows
        assert [b.line for b in bad] == [3, 4]
        assert all(isinstance(b, BadRow) and b.reason for b in bad)
        assert bad[0].column == "Цена"
        assert "line 3" in str(bad[0])
        assert rows.summary.rows_bad == 2


def test_missing_required_column() -> None:
    with pytest.raises(logibridge.DecodeError):
        pricelist.read("Бренд;Наименование\nX;Y\n".encode())


def test_column_overrides() -> None:
    text = "Код;Стоимость;Остаток на складе\nA1;10;5\n"
    with pytest.raises(logibridge.DecodeError):
        pricelist.read(text.encode())
    rows = pricelist.read(text.encode(), columns={"price": "Стоимость", "qty": ["Нет такой", "Остаток на складе"]}).to_list()
    assert (rows[0].code, rows[0].price, rows[0].qty) == ("A1", Decimal("10"), "5")
    with pytest.raises(logibridge.InvalidArgumentError, match="fields are"):
        pricelist.read(text.encode(), columns={"cost": "Стоимость"})


def test_delimiter() -> None:
    rows = pricelist.read("Артикул,Цена\nA1,\"1,5\"\n".encode(), delimiter=",").to_list()
    assert rows[0].price == Decimal("1.5")


@pytest.mark.parametrize(
    "kwargs",
    [{"encoding": "no-such-encoding"}, {"delimiter": ";;"}, {"delimiter": '"'}, {"on_error": "ignore"}],
)
def test_bad_options(kwargs: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(logibridge.InvalidArgumentError):
        pricelist.read(b"a;b\n", **kwargs)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        pricelist.read(tmp_path / "nope.csv")
    assert "nope.csv" in str(info.value)


def test_progress_on_files(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    data = cp1251(CSV)
    path.write_bytes(data)
    calls: List[Tuple[int, Optional[int]]] = []
    pricelist.read(path, progress=lambda done, total: calls.append((done, total))).to_list()
    assert calls[0] == (0, len(data))
    assert calls[-1] == (len(data), len(data))


def test_progress_errors_propagate() -> None:
    def boom(done: int, total: Optional[int]) -> None:
        raise RuntimeError("stop reading")

    with pytest.raises(RuntimeError, match="stop reading"):
        pricelist.read(cp1251(CSV), progress=boom).to_list()


def test_round_trip() -> None:
    for row in pricelist.read(cp1251(CSV)):
        assert PriceRow.from_dict(row.to_dict()) == row
        assert PriceRow.from_dict(row.to_dict(mode="json")) == row
    assert pricelist.read(cp1251(CSV)).to_list()[0].to_dict(mode="json")["price"] == "1234.50"


def test_close_early() -> None:
    rows = pricelist.read(cp1251(CSV))
    next(rows)
    rows.close()
    assert rows.closed
    # Iterating a closed list is a mistake, not an empty list (issue 10, item 23).
    with pytest.raises(logibridge.InvalidArgumentError, match="closed"):
        list(rows)


def test_download_from_the_sandbox(sb: sandbox.Sandbox) -> None:
    calls: List[Tuple[int, Optional[int]]] = []
    with pricelist.read(sb.carreta_pricelist_url(rows=3000), on_error="collect", progress=lambda d, t: calls.append((d, t))) as rows:
        got = rows.to_list()
        summary = rows.summary
        bad = rows.bad_rows
    assert summary.rows_ok == len(got) and summary.rows_ok + summary.rows_bad == 3000
    assert len(bad) == summary.rows_bad
    assert all(isinstance(r.price, Decimal) and r.code for r in got)
    assert calls and calls[0][0] == 0
    assert calls[-1][0] == summary.bytes


def test_download_is_lazy(sb: sandbox.Sandbox) -> None:
    """The first rows arrive without the whole list being downloaded."""
    with pricelist.read(sb.carreta_pricelist_url(rows=300_000), on_error="collect") as rows:
        first = next(rows)
        assert first.line == 2
        read_so_far = rows.summary.bytes
    assert read_so_far < 5_000_000, read_so_far


def test_download_errors(sb: sandbox.Sandbox) -> None:
    with pytest.raises(logibridge.NotFoundError):
        pricelist.read(sb.base_url + "carreta/no-such-list.csv")


async def test_async_for(sb: sandbox.Sandbox) -> None:
    rows = pricelist.read(sb.carreta_pricelist_url(rows=1500), on_error="collect")
    count = 0
    async for row in rows:
        assert isinstance(row, PriceRow)
        count += 1
    assert count == rows.summary.rows_ok and count > 1000


# -- the native row -------------------------------------------------------------------


def test_row_is_a_model_like_value() -> None:
    first = pricelist.read(cp1251(CSV)).to_list()[0]
    assert first.to_dict() == {
        "line": 2,
        "code": "W 712/75",
        "maker": "MANN-FILTER",
        "name": "Фильтр масляный; Лада",
        "price": Decimal("1234.50"),
        "qty": "<10",
        "min_qty": 1,
        "period_min": 7,
        "period_max": 9,
        "extra": {"Склад": "Москва"},
    }
    assert first.price is first.price  # made once, on first access
    assert first.extra == {}
    assert first.to_json() == (
        '{"line": 2, "code": "W 712/75", "maker": "MANN-FILTER", "name": "Фильтр масляный; Лада", "price": "1234.50", '
        '"qty": "<10", "min_qty": 1, "period_min": 7, "period_max": 9, "extra": {"Склад": "Москва"}}'
    )
    assert repr(first).startswith("PriceRow(line=2, code='W 712/75', maker='MANN-FILTER'")
    assert "price=Decimal('1234.50')" in repr(first)
    with pytest.raises(AttributeError):
        first.price = Decimal(1)  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(first)
    assert type(first).__module__ == "logibridge.pricelist" and type(first).__name__ == "PriceRow"


def test_row_constructor_copy_and_equality() -> None:
    row = PriceRow(line=7, code="OC47", price=Decimal("152.02"), qty=">50", min_qty=2, extra_columns={"Склад": "Казань"})
    assert (row.maker, row.name, row.period_min, row.period_max) == ("", "", None, None)
    assert row.max_order == logibridge.carreta.qty_max_order(">50")
    assert row.extra_columns == {"Склад": "Казань"}
    same = PriceRow(line=7, code="OC47", price=Decimal("152.020"), qty=">50", min_qty=2, extra_columns={"Склад": "Казань"})
    assert row == same and not (row != same)  # prices compare by value, like Decimal
    changed = row.copy(min_qty=4)
    assert changed.min_qty == 4 and changed.code == "OC47" and row.min_qty == 2
    assert changed != row
    with pytest.raises(TypeError):
        row.copy(nope=1)
    assert PriceRow(line=1, code="A", price=5).price == Decimal(5)  # type: ignore[arg-type]
    with pytest.raises(logibridge.InvalidArgumentError) as info:
        PriceRow(line=1, code="A", price=1.5)  # type: ignore[arg-type]
    assert (info.value.field, info.value.code) == ("price", "model.float_for_decimal")
    with pytest.raises(TypeError):
        PriceRow(line=1, price=Decimal(1))  # type: ignore[call-arg]


def test_row_from_dict_keeps_unknown_fields_and_names_bad_ones() -> None:
    record = {"line": 3, "code": "A1", "price": "1.50", "qty": "Есть", "extra": {"Склад": "Омск"}, "note": "x"}
    row = PriceRow.from_dict(record)
    assert str(row.price) == "1.50" and row.qty == "Есть" and row.extra == {"note": "x"}
    assert row.to_dict()["note"] == "x" and row.to_dict(mode="json")["price"] == "1.50"
    assert PriceRow.from_dict(row.to_dict()) == row
    assert row != PriceRow.from_dict({k: v for k, v in record.items() if k != "note"})
    with pytest.raises(logibridge.DecodeError) as info:
        PriceRow.from_dict({"line": 3, "code": "A1", "price": "cheap"})
    assert info.value.path == "PriceRow.price"
    with pytest.raises(logibridge.DecodeError):
        PriceRow.from_dict({"line": 3, "price": "1"})


def test_row_pickles() -> None:
    import pickle

    for row in pricelist.read(cp1251(CSV)):
        again = pickle.loads(pickle.dumps(row))
        assert again == row and str(again.price) == str(row.price)


def test_prices_keep_their_text() -> None:
    text = "Артикул;Цена\nA;0,05\nB;3\nC;1 000 000,000\nD;1234567890123456789012,345678\nE;0,0000001\nF;0\n"
    got = [str(r.price) for r in pricelist.read(text.encode())]
    assert got == ["0.05", "3", "1000000.000", "1234567890123456789012.345678", str(Decimal("0.0000001")), "0"]


def test_mixing_next_and_for_and_batches() -> None:
    rows_text = "Артикул;Цена\n" + "".join(f"A{i};{i},5\n" for i in range(5000))
    rows = pricelist.read(rows_text.encode())
    assert next(rows).code == "A0"
    assert next(iter(rows)).code == "A1"
    rest = [r.code for r in rows]
    assert rest == [f"A{i}" for i in range(2, 5000)]
    assert rows.summary.rows_ok == 5000


def test_rows_outlive_the_list() -> None:
    kept = pricelist.read(cp1251(CSV)).to_list()
    import gc

    gc.collect()
    assert [r.code for r in kept] == ["W 712/75", "OC47", "0 986 452 041"]
    assert kept[0].extra_columns == {"Склад": "Москва"}


def test_stop_error_after_a_full_batch() -> None:
    """The rows before a bad row come out even when they span batches; the error after."""
    text = "Артикул;Цена\n" + "".join(f"A{i};1\n" for i in range(3000)) + "B;bad\nC;1\n"
    rows = pricelist.read(text.encode())
    got = []
    with pytest.raises(logibridge.DecodeError):
        for r in rows:
            got.append(r.code)
    assert len(got) == 3000


async def test_async_for_bytes_in_order() -> None:
    text = "Артикул;Цена\n" + "".join(f"A{i};{i}\n" for i in range(4000))
    codes = [r.code async for r in pricelist.read(text.encode())]
    assert codes == [f"A{i}" for i in range(4000)]


def test_parsing_on_the_calling_thread_gives_the_same_rows() -> None:
    """Rows are read into recycled rows either way (background thread or not); what comes
    out must not depend on it, nor on rows kept or dropped meanwhile."""
    from logibridge import _native

    lines = [CSV.rstrip("\r\n")]
    for i in range(6000):
        lines.append(f"M{i % 7};C{i};{'Имя ' * (i % 5)};{i},{i % 100:02d};{['<10', '>50', 'Есть', '7'][i % 4]};{1 + i % 3};{'' if i % 2 else '3-5'};{'Склад ' * (i % 3)}")
    data = cp1251("\r\n".join(lines) + "\r\n")
    kept = []
    seen = {}
    for background in (True, False):
        got = []
        for i, row in enumerate(pricelist.PriceList(_native.PriceListReader("bytes", data, background=background))):
            got.append(row.to_dict(mode="json"))
            if i % 3 == 0:
                kept.append(row)
        seen[background] = got
    assert seen[True] == seen[False] and len(seen[True]) == 6003
    assert [r.to_dict(mode="json") for r in kept[: len(kept) // 2]] == seen[True][::3]


def test_fields_are_made_once_and_the_row_stays_immutable() -> None:
    """Issue 14: a field read twice is the same object (made on the first read); the extra
    columns are a new dict each time, so changing one changes nothing in the row."""
    first = next(iter(pricelist.read(cp1251(CSV))))
    for name in ("code", "maker", "name", "qty", "price"):
        assert getattr(first, name) is getattr(first, name), name
    extra = first.extra_columns
    assert extra == {"Склад": "Москва"} and extra is not first.extra_columns
    extra["Склад"] = "Казань"
    extra["new"] = "x"
    assert first.extra_columns == {"Склад": "Москва"}
    assert first.to_dict()["extra"] == {"Склад": "Москва"}
    built = PriceRow(line=2, code="OC47", price=Decimal("1.50"), qty="<10")
    assert built.code is built.code and built.qty is built.qty and built.price is built.price


def test_parsing_thread_by_size_gives_the_same_rows(tmp_path: Path) -> None:
    """With `background` left out the reader decides by size and load; the rows are those
    of both explicit choices."""
    from logibridge import _native

    data = cp1251(CSV)
    rows = {}
    for background in (True, False, None):
        kwargs = {} if background is None else {"background": background}
        rows[background] = [r.to_dict(mode="json") for r in pricelist.PriceList(_native.PriceListReader("bytes", data, **kwargs))]
    assert rows[None] == rows[True] == rows[False] and len(rows[None]) == 3


def test_the_background_thread_can_be_chosen_and_gives_the_same_rows(tmp_path: Path) -> None:
    lines = ["Бренд;Артикул;Наименование;Цена;Количество;Склад"]
    lines += [f"M{i % 7};C{i};Фильтр {i};{i},{i % 100:02d};{'<10' if i % 3 else 'Есть'};Склад {i % 5}" for i in range(20_000)]
    path = tmp_path / "list.csv"
    path.write_bytes(cp1251("\r\n".join(lines) + "\r\n"))

    def rows(background: Optional[bool]) -> List[Tuple[int, str, Decimal, str]]:
        with pricelist.read(path, background=background) as reader:
            return [(r.line, r.code, r.price, r.qty) for r in reader]

    chosen = rows(None)
    assert len(chosen) == 20_000 and chosen[5] == (7, "C5", Decimal("5.05"), "<10")
    assert rows(True) == chosen == rows(False)
