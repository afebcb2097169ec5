"""Reading messy files: encodings, delimiters, header variants, notes above the header."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tumbuh.imports.cells import cell_text, parse_count, parse_date, parse_decimal, split_codes, wilayah_code
from tumbuh.imports.errors import ImportFileError
from tumbuh.imports.readers import HeaderSpec, inspect_source, open_table
from tumbuh.imports.testing import csv_bytes, xlsx_bytes

SPEC = HeaderSpec(
    {"code": ("Kode Puskesmas", "kode pkm"), "name": ("Nama Puskesmas", "nama pkm"), "note": ("Keterangan",)},
    required=(("code",), ("name",)),
)


def _read(data):
    info = inspect_source(data)
    table = open_table(data, info, SPEC)
    return info, table, list(table.rows)


def test_decimal_commas_and_points_both_read():
    assert parse_decimal("9,5") == Decimal("9.5")
    assert parse_decimal(" 1.234,5 ") == Decimal("1234.5")
    assert parse_decimal("1,234.5") == Decimal("1234.5")
    assert parse_decimal("87.25") == Decimal("87.25")
    assert parse_decimal("") is None
    for bad in ("abc", "1,2,3", "nan"):
        with pytest.raises(ValueError):
            parse_decimal(bad)


def test_counts_read_thousands_separators_either_way():
    for text, number in (
        ("1.234", 1234),
        ("1,234", 1234),
        ("1.234.567", 1234567),
        (" 1 234 ", 1234),
        ("1.234,0", 1234),
        ("987", 987),
        ("250.0", 250),
        ("-12", -12),
        ("0", 0),
    ):
        assert parse_count(text) == number, text
    assert parse_count("") is None
    for bad in ("12,5", "1.23", "banyak", "1.2345"):
        with pytest.raises(ValueError):
            parse_count(bad)


def test_dates_day_first_iso_and_excel_serials():
    assert parse_date("05/02/2024") == datetime.date(2024, 2, 5)
    assert parse_date("2024-02-05 00:00:00") == datetime.date(2024, 2, 5)
    assert parse_date("45327") == datetime.date(2024, 2, 5)
    assert parse_date("") is None
    with pytest.raises(ValueError):
        parse_date("31/02/2024")


def test_region_codes_get_their_dots_back():
    assert wilayah_code("7324042001") == "73.24.04.2001"
    assert wilayah_code(" 73.24.04 ") == "73.24.04"
    assert wilayah_code("732404") == "73.24.04"
    assert split_codes("73.24.04.2001; 73.24.04.2002,73.24.04.2003\n73.24.04.2004") == [
        "73.24.04.2001",
        "73.24.04.2002",
        "73.24.04.2003",
        "73.24.04.2004",
    ]


def test_cells_keep_what_the_user_typed():
    assert cell_text(12.0) == "12"
    assert cell_text(12.5) == "12.5"
    assert cell_text(datetime.datetime(2024, 2, 5)) == "2024-02-05"
    assert cell_text(None) == ""


def test_semicolon_csv_with_bom_and_mixed_case_headers():
    data = csv_bytes([[" KODE_puskesmas ", "Nama  PKM", "Keterangan"], ["P1", "Satu", "9,5"], [], ["P2", "Dua", ""]])
    info, table, rows = _read(data)
    assert info.encoding == "utf-8-sig" and info.format == "csv"
    assert table.headers == ["KODE_puskesmas", "Nama  PKM", "Keterangan"]
    assert table.columns == {"code": 0, "name": 1, "note": 2}
    assert rows == [(2, ["P1", "Satu", "9,5"]), (3, []), (4, ["P2", "Dua", ""])]  # CSV rows keep their width


def test_cp1252_csv_with_commas_falls_back_from_utf8():
    data = csv_bytes(
        [["Kode Puskesmas", "Nama Puskesmas"], ["P1", "Puskesmas Séko – Timur"]], delimiter=",", encoding="cp1252"
    )
    info, table, rows = _read(data)
    assert info.encoding == "cp1252"
    assert rows == [(2, ["P1", "Puskesmas Séko – Timur"])]


def test_header_row_is_found_below_a_note():
    data = xlsx_bytes(
        [["Daftar puskesmas 2026, diisi oleh Dinkes"], [], ["Kode Puskesmas", "Nama Puskesmas"], [7324040101, "Satu"]]
    )
    _, table, rows = _read(data)
    assert table.header_row == 3
    assert rows == [(4, ["7324040101", "Satu"])]


def test_a_file_without_the_required_columns_is_refused_whole():
    with pytest.raises(ImportFileError) as caught:
        _read(csv_bytes([["Kode", "Alamat"], ["P1", "x"]]))
    assert "Kode Puskesmas" in caught.value.text()
