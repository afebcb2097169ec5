"""The workbooks an import hands out (rejected rows, template, prefilled template) write what
people typed as text, never as a formula."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tumbuh.core.testing import formula_cells
from tumbuh.imports.framework import run_import
from tumbuh.imports.testing import csv_bytes
from tumbuh.imports.xlsx import prefilled_workbook, rejected_workbook, template_workbook
from tumbuh.organisation.importers import PosyanduImporter

HYPERLINK = '=HYPERLINK("http://x.invalid","klik")'


@pytest.mark.django_db
def test_rejected_rows_come_back_as_the_text_typed(alice):
    rows = [
        ["Singkatan", "Nama OPD", "Jenis", "=Catatan"],
        ["+62 812 3456 7890", "@SUM(A1)", "=1+2", HYPERLINK],  # an unknown kind: rejected
        ["-DINAS", "-5", "kementerian", "#N/A"],
    ]
    batch = run_import("opd", user=alice, kabupaten=alice.wilayah, source=csv_bytes(rows), file_name="opd.csv")
    assert batch.rejected == 2, [(r.row_number, r.message) for r in batch.rejected_rows.all()]
    data = rejected_workbook(batch).read()
    assert formula_cells(data) == []
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    written = [[(c.value, c.data_type) for c in row[:4]] for row in sheet.iter_rows()]
    assert written == [[(v, "s") for v in row] for row in rows]
    assert sheet.cell(2, 6).value == 2 and sheet.cell(2, 6).data_type == "n"  # the row number stays a number


def test_the_template_and_a_prefilled_template_write_text_as_text():
    template = template_workbook(PosyanduImporter, [("Desa", ["Kode", "=Nama"], [["73.24.04.2001", "@Desa"]])]).read()
    assert formula_cells(template) == []
    reference = load_workbook(io.BytesIO(template))["Desa"]
    assert [(c.value, c.data_type) for c in reference[2]] == [("73.24.04.2001", "s"), ("@Desa", "s")]
    assert reference["B1"].value == "=Nama" and reference["B1"].font.bold

    filled = prefilled_workbook(
        "=catatan", ["Kode", "+Nama", "Jumlah"], [["73.24.04.2001", "=1+2", -5], ["x", "y", None]], text_columns=[1]
    ).read()
    assert formula_cells(filled) == []
    sheet = load_workbook(io.BytesIO(filled)).worksheets[0]
    assert (sheet["A1"].value, sheet["B2"].value, sheet["B3"].value, sheet["B3"].data_type) == (
        "=catatan",
        "+Nama",
        "=1+2",
        "s",
    )
    assert (sheet["C3"].value, sheet["C3"].data_type, sheet["C4"].value) == (-5, "n", None)
