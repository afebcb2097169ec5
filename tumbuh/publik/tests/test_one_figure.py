"""One figure, every output: the district's stunting prevalence and its 95 % interval read the
same on the dashboard page, the public page, the open-data CSV, the Excel workbook and the PDF
handout (issue 14: the interval ended at 20,2 on the public page, 20,1 in the CSV and on the
dashboard).

The data are chosen where the old ways of rounding disagree: 32 children, 10 stunted, give a
prevalence of exactly 31.25 (a tie: ``f"{31.25:.1f}"`` is 31.2, half up 31.3) and an upper
bound of 50.0457… (rounded to two decimals first, as the public snapshot did, it becomes 50.05
and then 50.1; rounded once, 50.0)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tumbuh.core.numbers import format_number, round_figure
from tumbuh.core.testing import require_or_skip
from tumbuh.dashboards.periods import Period
from tumbuh.dashboards.tests.conftest import make_child, measure

pytestmark = pytest.mark.django_db

ROUND = Period.round(2031, 2)
KABUPATEN = "73.24"
BALANTANG = "73.24.04.2010"
N, CASES = 32, 10
QUERY = f"?within={KABUPATEN}&level=kabupaten&period={ROUND.key}&indicator=stunting"


@pytest.fixture
def district_round(db):
    """32 children measured in February 2031 (no other child is), 10 of them stunted."""
    from tumbuh.organisation.models import Posyandu

    posyandu = Posyandu.objects.filter(desa_id=BALANTANG).first()
    for i in range(N):
        measure(
            make_child(BALANTANG, f"Anak {i}", posyandu=posyandu), dt.date(2031, 2, 10), zlen=-2.5 if i < CASES else 0.3
        )


def _district_figures():
    from tumbuh.dashboards.aggregates import compute_rows
    from tumbuh.measurements.models import Measurement

    rows = compute_rows(
        Measurement.objects.filter(desa__kabupaten_code=KABUPATEN),
        period=ROUND,
        level="kabupaten",
        indicator="stunting",
    )
    (row,) = [r for r in rows if r.code == KABUPATEN]
    return row


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "handout.pdf"
    path.write_bytes(content)
    return " ".join(
        subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )


def test_the_district_interval_is_the_same_figure_on_every_page_and_export(client, alice, district_round, tmp_path):
    from tumbuh.dashboards.pdf import weasyprint_error
    from tumbuh.publik.data import compute_snapshot
    from tumbuh.publik.models import PublishedRound

    require_or_skip(weasyprint_error() is None, f"WeasyPrint cannot load pango ({weasyprint_error()})")
    require_or_skip(shutil.which("pdftotext") is not None, "pdftotext not found: apt-get install poppler-utils")

    row = _district_figures()
    # The trap the data set: a tie, and a bound that rounding twice moves.
    assert (row.n_measured, row.cases, row.r) == (N, CASES, 31.25)
    assert round_figure(round(row.ul, 2), 1) != round_figure(row.ul, 1)
    expected = [format_number(v, 1, "id") for v in (row.r, row.ll, row.ul)]
    assert expected[0] == "31,3" and expected[2] == "50,0"

    client.force_login(alice)
    client.cookies["django_language"] = "id"

    # The dashboard page: the district's row of the table.
    page = client.get(reverse("dashboards:prevalence") + QUERY).content.decode()
    tr = re.search(rf'<tr data-code="{re.escape(KABUPATEN)}">(.*?)</tr>', page, re.S).group(1)
    dash = re.search(r'<td class="num">([\d.,]+)</td><td class="num ci">([\d.,]+)–([\d.,]+)</td>', tr).groups()

    # The public page and its CSV, published from the same round.
    PublishedRound.objects.create(
        kabupaten_id=KABUPATEN,
        period=ROUND.key,
        published_at=timezone.now(),
        by=alice,
        figures=compute_snapshot(KABUPATEN, ROUND),
    )
    public = client.get(reverse("publik:round", args=[KABUPATEN, ROUND.key])).content.decode()
    tr = re.search(rf'<tr data-code="{re.escape(KABUPATEN)}">(.*?)</tr>', public, re.S).group(1)
    pub = re.search(r'<td class="num">([\d.,]+) %<br><span class="ci">([\d.,]+)–([\d.,]+)</span>', tr).groups()
    text = client.get(reverse("publik:csv", args=[KABUPATEN, ROUND.key])).content.decode()
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    line = next(r for r in csv.DictReader(io.StringIO(body)) if r["kode_wilayah"] == KABUPATEN)
    csv_figures = [line[f"stunting_{c}"] for c in ("prevalensi_persen", "ci95_bawah", "ci95_atas")]

    # The workbook: the rounded value itself, under a format that shows one decimal.
    content = client.get(reverse("dashboards:prevalence_xlsx") + QUERY).content
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    (cells,) = [r for r in ws.iter_rows() if r[1].value == KABUPATEN]
    excel = cells[6:9]  # prevalence, 95 % lower, 95 % upper
    assert [c.number_format for c in excel] == ["0.0"] * 3
    excel_figures = [format_number(c.value, 1, "id") for c in excel]

    # The PDF handout (always Indonesian): the district's row.
    pdf = _pdf_text(client.get(reverse("dashboards:prevalence_pdf") + QUERY).content, tmp_path)
    found = re.search(rf"1 Kabupaten Luwu Timur {N} {CASES} ([\d.,]+) ([\d.,]+)–([\d.,]+)", pdf)
    assert found, pdf[:2000]

    outputs = {
        "dashboard page": list(dash),
        "public page": list(pub),
        "public CSV": [v.replace(".", ",") for v in csv_figures],  # open data: decimal point
        "Excel": excel_figures,
        "PDF": list(found.groups()),
    }
    assert outputs == dict.fromkeys(outputs, expected)
    # Excel stores the figure as shown, not a value it would round its own way.
    assert [c.value for c in excel] == [float(round_figure(v, 1)) for v in (row.r, row.ll, row.ul)]
