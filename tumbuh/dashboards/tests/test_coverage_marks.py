"""A coverage above 100 % is marked and explained (issue 14), on the page, the PDF handout and
the workbook: ``dashboards.coverage``."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tumbuh.dashboards.coverage import MARK, over_full

from .conftest import BALANTANG, HARAPAN, ROUND, make_child
from .test_pdf import pdf_text, pdf_tools  # noqa: F401 (a fixture)

NOTE = "† Di atas 100 %: yang dilayani lebih banyak daripada penyebut sasaran."


def test_above_100_as_shown():
    assert over_full(101.1) and over_full(Decimal("100.05")) and over_full("100.1")
    assert not over_full(100) and not over_full(100.04) and not over_full(None) and not over_full(99.9)


@pytest.fixture
def dukcapil_below_measured(known):
    """Balantang's Dukcapil count for 2030 is 10; 12 children were measured there in August 2030."""
    from tumbuh.dashboards.models import UnderFivePopulation

    UnderFivePopulation.objects.create(wilayah_id=BALANTANG, year=2030, count=10, source="Dukcapil (uji)")


def _row(page: str, code: str) -> str:
    return page.split(f'<tr data-code="{code}">')[1].split("</tr>")[0]


@pytest.mark.django_db
def test_the_prevalence_page_marks_a_coverage_above_100(client, alice, dukcapil_below_measured):
    client.force_login(alice)
    r = client.get(reverse("dashboards:prevalence") + f"?within=73.24.04&period={ROUND.key}")
    rows = {row.code: row for row in r.context["rows"]}
    assert rows[BALANTANG].coverage == pytest.approx(120.0)
    page = r.content.decode()
    balantang = _row(page, BALANTANG)
    assert '120,0<sup class="over-full"' in balantang and f">{MARK}</sup>" in balantang
    if not over_full(rows[HARAPAN].coverage):
        assert "over-full" not in _row(page, HARAPAN)
    assert page.count('data-testid="over-full-note"') == 1
    assert NOTE in page.split('data-testid="over-full-note">')[1]

    desa = client.get(reverse("dashboards:prevalence") + f"?within={BALANTANG}&period={ROUND.key}").content.decode()
    summary = desa.split('data-testid="summary"')[1].split("<h2>")[0]  # the area's own line: coverage 120,0 %†
    assert "120,0 %" in summary and 'class="over-full"' in summary


@pytest.mark.django_db
def test_the_workbook_marks_it_too(client, alice, dukcapil_below_measured):
    client.force_login(alice)
    response = client.get(reverse("dashboards:prevalence_xlsx") + f"?within=73.24.04&period={ROUND.key}")
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(row for row in cells if "Catatan cakupan" in row)
    at, cov = header.index("Catatan cakupan"), header.index("Cakupan (%)")
    balantang = next(row for row in cells if BALANTANG in row)
    assert balantang[cov] == pytest.approx(120.0) and balantang[at] == MARK
    assert any(isinstance(v, str) and v.startswith(NOTE) for row in cells for v in row)


@pytest.mark.django_db
def test_the_quality_page_marks_a_posyandu_serving_children_registered_elsewhere(client, alice, known):
    from tumbuh.measurements.models import Child, Measurement
    from tumbuh.organisation.models import Posyandu

    pb = Posyandu.objects.filter(desa_id=BALANTANG).first()
    registered = Child.objects.filter(posyandu=pb, birth_date__gt=dt.date(2025, 8, 28)).count()
    for i in range(registered):  # children registered without a posyandu, measured at this one
        child = make_child(BALANTANG, f"Dari Luar {i}", birth=dt.date(2028, 1, 1))
        Measurement.objects.create(
            child=child,
            date=dt.date(2030, 8, 12),
            desa_id=BALANTANG,
            posyandu=pb,
            zlen=0.0,
            zwei=0.0,
            zwfl=0.0,
            weight=10,
            lenhei=80,
            source="form",
        )
    client.force_login(alice)
    page = client.get(reverse("dashboards:quality") + f"?period={ROUND.key}").content.decode()
    posyandu = page.split('data-testid="quality-posyandu"')[1].split("</table>")[0]
    row = next(tr for tr in posyandu.split("<tr>") if pb.name in tr and "Balantang" in tr)
    assert 'class="over-full"' in row and 'data-testid="over-full-note"' in page
    workbook = client.get(reverse("dashboards:quality_xlsx") + f"?period={ROUND.key}")
    cells = [[c.value for c in row] for row in load_workbook(io.BytesIO(workbook.content)).worksheets[0].iter_rows()]
    assert any(MARK in row for row in cells)


@pytest.mark.django_db
def test_the_pdf_handout_marks_it_too(client, alice, dukcapil_below_measured, pdf_tools, tmp_path):
    client.force_login(alice)
    response = client.get(reverse("dashboards:prevalence_pdf") + f"?within=73.24.04&period={ROUND.key}")
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert f"120,0{MARK}" in text and NOTE in text
