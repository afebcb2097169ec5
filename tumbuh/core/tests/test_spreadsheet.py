"""The one rule for values written into spreadsheets (``tumbuh.core.spreadsheet``): text stays
the text typed, never a formula; numbers, dates and empty cells keep their type. Checked by
reopening real files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from tumbuh.core.spreadsheet import (
    FORMULA_START,
    MAX_TEXT,
    Number,
    append_row,
    csv_comment,
    csv_field,
    csv_row,
    new_cell,
    put,
)
from tumbuh.core.testing import formula_cells

DANGEROUS = [f"{start}SUM(A1)" for start in FORMULA_START] + [
    '=HYPERLINK("http://x.invalid","klik")',
    "=1+2",
    "+62 812 3456 7890",
    "+6281234567890",
    "-Dusun Dua",
    "@1",
]


def _save(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _reopen(data: bytes):
    return load_workbook(io.BytesIO(data)).worksheets[0]


@pytest.mark.parametrize("write_only", [False, True], ids=["normal", "write-only"])
def test_text_that_starts_like_a_formula_is_written_as_the_text_typed(write_only):
    workbook = Workbook(write_only=write_only)
    ws = workbook.create_sheet("Data") if write_only else workbook.active
    for text in DANGEROUS:
        append_row(ws, [text, "biasa"])
    data = _save(workbook)
    sheet = _reopen(data)
    for row, text in enumerate(DANGEROUS, start=1):
        cell = sheet.cell(row, 1)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True), repr(text)
        assert not sheet.cell(row, 2).quotePrefix  # ordinary text: no prefix
    assert formula_cells(data) == []
    assert "<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()


def test_numbers_dates_and_empty_cells_keep_their_type():
    moment = timezone.make_aware(dt.datetime(2025, 8, 17, 9, 30))
    values = [
        -5,
        -1.25,
        Decimal("-12.50"),
        0,
        True,
        dt.date(2025, 8, 17),
        moment,
        None,
        "-5",
        "#N/A",
        gettext_lazy("Name"),
    ]
    workbook = Workbook()
    ws = workbook.active
    cells = append_row(ws, values)
    assert cells[7] is None
    put(ws, 2, 1, -7)
    put(ws, 2, 2, "=A1")
    sheet = _reopen(_save(workbook))
    row = [sheet.cell(1, c) for c in range(1, len(values) + 1)]
    assert [(c.value, c.data_type) for c in row[:5]] == [(-5, "n"), (-1.25, "n"), (-12.5, "n"), (0, "n"), (True, "b")]
    assert (row[5].value, row[5].data_type, row[5].is_date) == (dt.datetime(2025, 8, 17), "d", True)
    assert row[6].value == timezone.localtime(moment).replace(tzinfo=None) and row[6].is_date
    assert row[7].value is None
    assert (row[8].value, row[8].data_type) == ("-5", "s")  # a text stays a text, even a number-like one
    assert (row[9].value, row[9].data_type) == ("#N/A", "s")  # not an error cell
    assert (row[10].value, row[10].data_type) == (str(values[10]), "s")
    assert (sheet.cell(2, 1).value, sheet.cell(2, 2).value, sheet.cell(2, 2).data_type) == (-7, "=A1", "s")


def test_long_text_and_control_characters_do_not_break_the_file():
    workbook = Workbook()
    ws = workbook.active
    append_row(ws, ["=" + "x" * 40000, "baris\x00satu\x1b", "dua\nbaris\tdengan tab"])
    sheet = _reopen(_save(workbook))
    assert sheet["A1"].value == "=" + "x" * (MAX_TEXT - 1) and sheet["A1"].data_type == "s"
    assert sheet["B1"].value == "barissatu"  # characters a workbook cannot hold are dropped
    assert sheet["C1"].value == "dua\nbaris\tdengan tab"


def test_a_cell_passed_in_is_kept_as_it_is():
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("Data")
    styled = new_cell(ws, "=1+2")
    assert append_row(ws, [styled, 3])[0] is styled
    assert _reopen(_save(workbook))["A1"].value == "=1+2"


def test_something_that_is_not_a_value_is_refused():
    with pytest.raises(TypeError):
        append_row(Workbook().active, [object()])


def test_csv_fields_get_a_quote_unless_they_are_numbers():
    assert [csv_field(t) for t in ("=1+2", "@SUM(A1)", "+62 812-3456", "-Dusun", "\t=1", "\r=1", "＝1")] == [
        "'=1+2",
        "'@SUM(A1)",
        "'+62 812-3456",
        "'-Dusun",
        "'\t=1",
        "'\r=1",
        "'＝1",
    ]
    # A text is a text, even one that reads as a number: a name typed as "-2" is neutralised.
    assert [csv_field(v) for v in ("-2", "-1,5", "+6281234567890", "-1+1")] == [
        "'-2",
        "'-1,5",
        "'+6281234567890",
        "'-1+1",
    ]
    # Numbers stay numbers: typed ones, and the writer's own formatting marked as Number.
    assert [csv_field(v) for v in (Number("-1.23"), Number("-1,5"), "Budi", "", -4, -1.5, Decimal("-2.5"), None)] == [
        "-1.23",
        "-1,5",
        "Budi",
        "",
        -4,
        -1.5,
        Decimal("-2.5"),
        None,
    ]
    assert type(csv_field(Number("-1,5"))) is str
    assert csv_field("-1-2") == "'-1-2"  # arithmetic, not a number
    out = io.StringIO()
    csv.writer(out).writerow(csv_row(["=1+2", 5, "a,=b"]))
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=1+2", "5", "a,=b"]


def test_a_comment_line_is_safe_however_a_spreadsheet_splits_it():
    text = 'Data ronde Agustus, =HYPERLINK("http://x.invalid");@SUM(A1), "+1+2", biasa'
    safe = csv_comment(text)
    assert safe == 'Data ronde Agustus, \'=HYPERLINK("http://x.invalid");\'@SUM(A1), "\'+1+2", biasa'
    for delimiter in ",;":
        fields = next(csv.reader(io.StringIO(safe), delimiter=delimiter, skipinitialspace=True))
        assert not any(f.strip(' "').startswith(FORMULA_START) for f in fields), fields
    assert csv_comment("Catatan biasa, tanpa rumus; 12,5 %") == "Catatan biasa, tanpa rumus; 12,5 %"
