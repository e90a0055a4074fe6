"""logibridge.pricelist errors a user notices (issue 10, items 20, 23, 24): one class for
"cannot open" (a missing file, a directory, a text-mode file object), messages in Python's
terms and in Russian, a summary that counts the rows handed out, a closed list that raises,
and CP1251 that happens to be valid UTF-8 at its first letters."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import logibridge
from logibridge import pricelist

CSV = "Артикул;Цена;Наименование\r\nA1;1;ок\r\n;2;без артикула\r\nA3;дорого;x\r\nA4;4;y\r\n"


def cp1251(text: str) -> bytes:
    return text.encode("cp1251")


def big_list(rows: int = 5000) -> bytes:
    return cp1251("Артикул;Цена\r\n" + "".join(f"A{i};{i}\r\n" for i in range(rows)))


def test_a_missing_file_and_a_directory_are_invalid_arguments(tmp_path: Path) -> None:
    with pytest.raises(logibridge.InvalidArgumentError) as missing:
        pricelist.read(tmp_path / "nope.csv")
    assert "nope.csv" in str(missing.value) and "файл не найден" in missing.value.message_ru
    with pytest.raises(logibridge.InvalidArgumentError) as directory:
        pricelist.read(tmp_path)
    assert str(tmp_path) in str(directory.value)
    assert "это каталог" in directory.value.message_ru


@pytest.mark.parametrize("mode", ["stringio", "open-r"])
def test_a_text_mode_file_object_is_an_invalid_argument(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "price.csv"
    path.write_bytes(CSV.encode("utf-8"))
    source = io.StringIO(CSV) if mode == "stringio" else open(path, "r", encoding="utf-8")
    try:
        with pytest.raises(logibridge.InvalidArgumentError) as err:
            pricelist.read(source)
    finally:
        source.close()
    assert '"rb"' in str(err.value) and "returned str" in str(err.value), str(err.value)
    assert "двоичном режиме" in err.value.message_ru
    # The same file opened as it should be reads.
    with open(path, "rb") as f:
        assert [r.code for r in pricelist.read(f, on_error="collect")] == ["A1", "A4"]


def test_a_missing_column_names_the_python_option() -> None:
    with pytest.raises(logibridge.DecodeError) as err:
        pricelist.read(cp1251("Артикул;Стоимость\r\nA1;1\r\n"))
    text = str(err.value)
    assert 'pass columns={"price": "<header>"} to pricelist.read()' in text, text
    assert "Options::column" not in text and "response of" not in text, text
    assert err.value.message_ru.startswith("Не удалось прочитать прайс-лист: заголовок: нет колонки price"), err.value.message_ru
    assert 'передайте columns={"price": "<заголовок>"}' in err.value.message_ru
    # What the message says works.
    rows = pricelist.read(cp1251("Артикул;Стоимость\r\nA1;1\r\n"), columns={"price": "Стоимость"})
    assert [r.price for r in rows] == [1]


def test_a_bad_row_speaks_of_the_price_list_in_both_languages() -> None:
    rows = pricelist.read(cp1251(CSV))
    assert next(rows).code == "A1"
    with pytest.raises(logibridge.DecodeError) as err:
        next(rows)
    assert str(err.value).startswith("cannot read the price list, line 3, column Артикул: code is empty"), str(err.value)
    assert "response of" not in str(err.value)
    assert err.value.message_ru == "Не удалось прочитать прайс-лист: строка 3, колонка «Артикул»: артикул не указан"
    assert err.value.path == "line 3, column Артикул"


def test_bad_rows_have_a_russian_reason() -> None:
    rows = pricelist.read(cp1251(CSV), on_error="collect")
    assert len(rows.to_list()) == 2
    bad = rows.bad_rows
    assert [b.reason for b in bad] == ["code is empty", "price \"дорого\" is not a number (unexpected 'д')"]
    assert [b.reason_ru for b in bad] == ["артикул не указан", "цена \"дорого\" — не число (лишний символ 'д')"]


def test_summary_counts_the_rows_handed_out() -> None:
    rows = pricelist.read(big_list())
    next(rows)
    assert rows.summary.rows_ok == 1
    for _ in range(9):
        next(rows)
    assert rows.summary.rows_ok == 10
    assert len(rows.to_list()) == 4990
    assert rows.summary.rows_ok == 5000


async def test_summary_counts_the_rows_handed_out_async() -> None:
    rows = pricelist.read(big_list())
    async for _row in rows:
        break
    assert rows.summary.rows_ok == 1
    seen = 1
    async for _row in rows:
        seen += 1
    assert seen == 5000 and rows.summary.rows_ok == 5000


def test_iterating_a_closed_list_raises() -> None:
    rows = pricelist.read(big_list())
    next(rows)
    rows.close()
    with pytest.raises(logibridge.InvalidArgumentError, match="the price list is closed") as err:
        next(rows)
    assert err.value.message_ru == "Неверный аргумент: прайс-лист закрыт"
    with pytest.raises(logibridge.InvalidArgumentError, match="closed"):
        list(rows)
    with pytest.raises(logibridge.InvalidArgumentError, match="closed"):
        rows.to_list()


async def test_async_iterating_a_closed_list_raises() -> None:
    rows = pricelist.read(big_list())
    async for _row in rows:
        break
    rows.close()
    with pytest.raises(logibridge.InvalidArgumentError, match="closed"):
        async for _row in rows:
            pass


def test_cp1251_that_starts_as_valid_utf8_is_cp1251() -> None:
    # "Щё" is D9 B8 in CP1251: the Arabic letter U+0678 in UTF-8.
    text = "Code;Price;Name\r\nA1;10;Щётка стеклоочистителя\r\nA2;20;Фильтр масляный\r\n"
    rows = pricelist.read(cp1251(text))
    assert [r.name for r in rows] == ["Щётка стеклоочистителя", "Фильтр масляный"]
    assert rows.encoding == "windows-1251"
    rows = pricelist.read(text.encode("utf-8"))
    assert [r.name for r in rows] == ["Щётка стеклоочистителя", "Фильтр масляный"]
    assert rows.encoding == "UTF-8"
