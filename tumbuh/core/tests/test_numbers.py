"""The one rounding rule and the number formats (tumbuh/core/numbers.py), the template filters,
and Excel sheet names (tumbuh/core/spreadsheet.py)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from openpyxl import Workbook, load_workbook

from tumbuh.core.numbers import (
    csv_number,
    excel_format,
    excel_value,
    format_measure,
    format_number,
    message_params,
    plain_integer,
    round_figure,
)
from tumbuh.core.spreadsheet import MAX_SHEET_NAME, SheetNames, sheet_name


@pytest.mark.parametrize(
    "value, places, expected",
    [
        (20.15, 1, "20.2"),  # the float is 20.1499999…: half up on the decimal it is written as
        (20.149999, 1, "20.1"),
        (6.25, 1, "6.3"),  # a tie: round() and f"{:.1f}" give 6.2 (ties to even)
        (0.125, 2, "0.13"),
        (-0.05, 1, "-0.1"),
        (-0.04, 1, "0.0"),  # never "-0,0"
        (Decimal("19.45"), 1, "19.5"),
        (7, 1, "7.0"),
        (99.95, 1, "100.0"),
    ],
)
def test_round_figure_is_half_up_on_the_written_decimal(value, places, expected):
    assert round_figure(value, places) == Decimal(expected)
    assert str(round_figure(value, places)) == expected


def test_round_figure_disagrees_with_binary_rounding_where_it_must():
    assert f"{20.15:.1f}" == "20.1" and round(6.25, 1) == 6.2  # what the old code did
    assert round_figure(20.15, 1) == Decimal("20.2") and round_figure(6.25, 1) == Decimal("6.3")


def test_nothing_is_nothing():
    for v in (None, float("nan"), float("inf"), ""):
        assert round_figure(v, 1) is None and format_number(v, 1, "id") == "" and csv_number(v, 1) == ""
        assert excel_value(v, 1) is None


def test_format_number_in_each_language():
    assert format_number(1234567.891, 1, "id") == "1.234.567,9"
    assert format_number(1234567.891, 1, "en") == "1,234,567.9"
    assert format_number(1234.5, 1, "id", grouping=False) == "1234,5"
    assert format_number(-1234.56, 0, "id") == "-1.235"
    assert format_number(85, 2, "id", min_places=1) == "85,0"
    assert format_number(12.345, 2, "id", min_places=1) == "12,35"
    assert format_number(14.0, 1, "id", min_places=0) == "14"
    with translation.override("en"):
        assert format_number(20.15, 1) == "20.2"
    with translation.override("id"):
        assert format_number(20.15, 1) == "20,2"


def test_a_measured_value_in_a_message():
    assert format_measure(82.9, "id") == "82,9" and format_measure(104, "id") == "104,0"
    assert format_measure(1050.0, "id") == "1050,0"  # a measure, not a count: no separator
    assert format_measure(82.9, "en") == "82.9"


def test_message_params_write_numbers_in_the_language_and_leave_the_rest():
    params = {"weight": 104.0, "height": Decimal("82.90"), "row": 1070, "year": 2025, "value": "82.9", "flag": True}
    assert message_params(params, "id") == {
        "weight": "104,0",
        "height": "82,9",
        "row": "1070",
        "year": "2025",
        "value": "82.9",
        "flag": True,
    }
    assert message_params(params, "en")["weight"] == "104.0"


def test_years_rows_and_ids_are_never_grouped():
    assert plain_integer(1070) == "1070" and plain_integer(2025) == "2025" and plain_integer(None) == ""


def test_csv_numbers_are_machine_readable():
    assert csv_number(20.15, 1) == "20.2" and csv_number(1234.56, 1) == "1234.6" and csv_number(-0.04, 1) == "0.0"


def test_an_excel_cell_holds_the_rounded_figure_under_a_format_of_its_decimals():
    assert excel_format(1) == "#,##0.0" and excel_format(0) == "#,##0" and excel_format(2, grouping=False) == "0.00"
    wb = Workbook()
    wb.active["A1"] = excel_value(20.15, 1)
    wb.active["A1"].number_format = excel_format(1, grouping=False)
    buf = io.BytesIO()
    wb.save(buf)
    cell = load_workbook(io.BytesIO(buf.getvalue())).active["A1"]
    assert (cell.value, cell.number_format) == (20.2, "0.0")


def test_the_template_filters():
    t = Template('{% load numbers %}{{ v|figure }}|{{ v|figure:2 }}|{{ w|figure:"-1" }}|{{ x|figure|default:"—" }}')
    ctx = {"v": 20.15, "w": 14.0, "x": None}
    with translation.override("id"):
        assert t.render(Context(ctx)) == "20,2|20,15|14|—"
    with translation.override("en"):
        assert t.render(Context(ctx)) == "20.2|20.15|14|—"


def test_the_template_filter_agrees_with_floatformat_where_floatformat_was_right():
    """floatformat already rounded half up on the decimal; the filter keeps every figure it
    showed, so only the outputs that rounded otherwise change."""
    from django.template.defaultfilters import floatformat

    with translation.override("id"):
        for v in (0.05, 1.25, 20.15, 33.333, 50.0457, 99.95, 6.25):
            assert format_number(v, 1) == floatformat(v, 1)


# ---------------------------------------------------------------- sheet names


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Stunting (pendek + sangat pendek)", "Stunting"),  # was cut to "Stunting (pendek + sangat pende"
        ("Severe stunting (sangat pendek)", "Severe stunting (sangat pendek)"),  # 31 characters: kept
        ("Populasi balita (Dukcapil) per desa dan tahun", "Populasi balita (Dukcapil) per…"),
        ("Dinas Pemberdayaan Masyarakat dan Desa", "Dinas Pemberdayaan Masyarakat…"),
        ("Pengendalian Penduduk/KB: Keluarga Berencana", "Pengendalian Penduduk KB…"),
        ("'Tabel'", "Tabel"),
        ("[?*]", "Data"),
        ("History", "History (2)"),  # reserved by Excel
    ],
)
def test_a_sheet_name_is_valid_and_readable(title, expected):
    name = sheet_name(title)
    assert name == expected
    assert 1 <= len(name) <= MAX_SHEET_NAME and not set(name) & set("[]:*?/\\") and name[0] != "'" and name[-1] != "'"


def test_sheet_names_are_unique_in_a_workbook_and_openpyxl_takes_them():
    names = SheetNames()
    titles = [
        "Stunting (pendek + sangat pendek)",
        "Stunting",
        "STUNTING (x)",
        "Dinas Pemberdayaan Masyarakat dan Desa A",
        "Dinas Pemberdayaan Masyarakat dan Desa B",
    ]
    got = [names.add(t) for t in titles]
    assert got[:3] == ["Stunting", "Stunting (2)", "STUNTING (x)"]
    assert len({g.lower() for g in got}) == len(got) and all(len(g) <= MAX_SHEET_NAME for g in got)
    wb = Workbook()
    wb.active.title = got[0]
    for g in got[1:]:
        wb.create_sheet(g)
    buf = io.BytesIO()
    wb.save(buf)
    assert load_workbook(io.BytesIO(buf.getvalue())).sheetnames == got
