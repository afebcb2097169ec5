"""Dashboard workbooks write what people typed as text, never as a formula."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from tumbuh.audit.actions import do_save
from tumbuh.core.testing import formula_cells
from tumbuh.dashboards import xlsx
from tumbuh.dashboards.models import SurveyFigure

NOW = dt.datetime(2026, 3, 4, 9, 4, tzinfo=dt.UTC)
HYPERLINK = '=HYPERLINK("http://x.invalid","klik")'


@pytest.mark.django_db
def test_a_survey_source_typed_by_the_admin_is_text_in_the_workbook(client, alice):
    for year, source in ((2031, HYPERLINK), (2032, "@SUM(A1)"), (2033, "+62 812 3456 7890")):
        do_save(
            alice,
            SurveyFigure(
                kabupaten_id="73.24", year=year, survey="SSGI", indicator="stunting", prevalence="19.5", source=source
            ),
            reason="uji",
        )
    client.force_login(alice)
    content = client.get("/dasbor/survei/xlsx/").content
    assert formula_cells(content) == []
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    sources = {
        r[1].value: (r[7].value, r[7].data_type, r[4].value)
        for r in ws.iter_rows()
        if r[1].value in ("2031", "2032", "2033")
    }
    assert sources == {
        "2031": (HYPERLINK, "s", 19.5),
        "2032": ("@SUM(A1)", "s", 19.5),
        "2033": ("+62 812 3456 7890", "s", 19.5),
    }


def test_every_part_of_a_dashboard_workbook_follows_the_rule():
    content = xlsx.workbook(
        "=Judul",
        [("Sumber", "@data")],
        [("Nama", "text"), ("Selisih", "dec")],
        [("=1+2", -1.5), ("-Posyandu", None)],
        notes=["+catatan"],
        sheets=[("Lain", [("Nama", "text")], [("@x",)])],
        now=NOW,
    )
    assert formula_cells(content) == []
    wb = load_workbook(io.BytesIO(content))
    first = [[(c.value, c.data_type) for c in row if c.value is not None] for row in wb.worksheets[0].iter_rows()]
    assert first[0] == [("=Judul", "s")] and first[1] == [("Sumber", "s"), ("@data", "s")]
    assert [("=1+2", "s"), (-1.5, "n")] in first and [("+catatan", "s")] in first
    assert [("-Posyandu", "s")] in first
    assert wb.worksheets[1]["A6"].value == "@x"


def test_the_workbook_says_when_it_was_generated(settings):
    settings.TIME_ZONE = "Asia/Makassar"
    with translation.override("id"):
        content = xlsx.workbook("Judul", [], [("Nama", "text")], [], now=NOW, sheets=[("Lain", [("Nama", "text")], [])])
    wb = load_workbook(io.BytesIO(content))
    assert [ws["A2"].value for ws in wb.worksheets] == ["Dibuat"] * 2
    assert [ws["B2"].value for ws in wb.worksheets] == ["4 Maret 2026, 17.04"] * 2  # 09:04 UTC in Makassar (WITA)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "indicator, first_sheet",
    [("stunting", "Stunting"), ("underweight", "Underweight"), ("severe_stunting", "Stunting berat (sangat pendek)")],
)
def test_a_workbooks_sheet_names_are_readable_not_cut(client, alice, indicator, first_sheet):
    """Excel's 31 characters: "Stunting (pendek + sangat pendek)" was cut to "Stunting (pendek + sangat
    pende"; the sheet is now named by the indicator, the full title stays in the sheet's first cell."""
    client.force_login(alice)
    client.cookies["django_language"] = "id"
    content = client.get(f"/dasbor/xlsx/?within=73.24&level=kecamatan&period=R2025-08&indicator={indicator}").content
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames[0] == first_sheet
    assert wb.worksheets[0]["A1"].value.startswith(first_sheet.split(" (")[0])
    assert len(wb.worksheets[0]["A1"].value) > 0 and all(len(n) <= 31 for n in wb.sheetnames)
    assert len({n.lower() for n in wb.sheetnames}) == len(wb.sheetnames)
    assert not any(n.endswith(("pende", "kuran")) for n in wb.sheetnames)
