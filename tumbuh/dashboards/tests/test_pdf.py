"""The PDF handouts: A4, Indonesian whatever the UI language, header (kabupaten, area, period,
data source, generation time), and the page's figures in Indonesian number format."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import translation

from tumbuh.core.testing import require_or_skip
from tumbuh.dashboards.models import SurveyFigure

from .conftest import BALANTANG, ROUND

A4_POINTS = (595, 842)  # 210 × 297 mm


@pytest.fixture
def pdf_tools():
    from tumbuh.dashboards.pdf import weasyprint_error

    error = weasyprint_error()
    require_or_skip(
        error is None, f"WeasyPrint cannot load pango ({error}): apt-get install libpango-1.0-0 libpangoft2-1.0-0"
    )
    require_or_skip(shutil.which("pdftotext") is not None, "pdftotext not found: apt-get install poppler-utils")


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(content: bytes, tmp_path) -> tuple[int, tuple[int, int]]:
    path = tmp_path / "info.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    w, h = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups()
    return pages, (round(float(w)), round(float(h)))


def one_decimal_id(v: float) -> str:
    """As the page shows it in Indonesian: ``floatformat:1`` (rounded, decimal comma)."""
    with translation.override("id"):
        return floatformat(v, 1)


@pytest.mark.django_db
def test_prevalence_pdf_has_header_and_the_pages_figures(client, alice, known, pdf_tools, tmp_path):
    SurveyFigure.objects.create(
        kabupaten_id="73.24", year=2030, survey="SSGI", indicator="stunting", prevalence=20.5, source="SSGI 2030 (uji)"
    )
    client.force_login(alice)
    client.cookies["django_language"] = "en"  # the handout is Indonesian all the same
    q = f"?within=73.24.04&level=desa&period={ROUND.key}&indicator=stunting"
    page = client.get(reverse("dashboards:prevalence") + q)
    assert reverse("dashboards:prevalence_pdf") + q.replace("&", "&amp;") in page.content.decode()
    rows = page.context["rows"]
    summary = {k: row for k, _l, row in page.context["summary"]}

    r = client.get(reverse("dashboards:prevalence_pdf") + q)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == f'attachment; filename="prevalensi-stunting-desa-{ROUND.key}.pdf"'
    pages, size = pdf_pages(r.content, tmp_path)
    assert size == A4_POINTS
    text = pdf_text(r.content, tmp_path)
    if os.environ.get("TUMBUH_SCREENSHOT_DIR"):  # to look at it: pdftoppm -png -r 80 tumbuh-prevalensi.pdf
        (Path(os.environ["TUMBUH_SCREENSHOT_DIR"]) / "tumbuh-prevalensi.pdf").write_bytes(r.content)
    flat = " ".join(text.split())
    # Header: kabupaten, area, period, data source, generation time (WITA), page numbers; Indonesian.
    assert "Kabupaten Luwu Timur" in flat and "Kecamatan Malili" in flat
    assert "Babak Agustus 2030" in flat or "Agustus 2030" in flat
    assert "data rutin posyandu (e-PPGBM/Tumbuh)" in flat
    assert re.search(r"Dibuat \d{1,2} \w+ \d{4} pukul \d{2}\.\d{2} WITA", flat)
    assert f"Halaman 1 dari {pages}" in flat
    assert "Dasbor prevalensi" in flat and "Prevalence dashboard" not in flat
    # The figures shown on the page, in Indonesian number format (decimal comma).
    s = summary["stunting"]
    assert f"{one_decimal_id(s.r)} %" in flat and f"{one_decimal_id(s.ll)}–{one_decimal_id(s.ul)}" in flat
    balantang = next(r_ for r_ in rows if r_.code == BALANTANG)
    line = next(ln for ln in text.splitlines() if "Balantang" in ln and "%" not in ln)
    assert one_decimal_id(balantang.r) in line and one_decimal_id(balantang.eb_r) in line
    assert "," in one_decimal_id(balantang.r)
    for row in rows:
        if row.r is not None:
            assert one_decimal_id(row.r) in flat
    # The survey figure is labelled as such, next to the routine one.
    assert "SSGI" in flat and "20,5" in flat
    # The charts: the page's Vega-Lite specs, drawn as vectors (their text is in the PDF).
    assert "Tren antar babak" in flat or "Tren" in flat


@pytest.mark.django_db
def test_quality_and_targets_pdfs(client, alice, known, pdf_tools, tmp_path):
    client.force_login(alice)
    q = f"?within=73.24.04&period={ROUND.key}"
    for name in ("quality", "targets"):
        page = client.get(reverse(f"dashboards:{name}") + q)
        assert reverse(f"dashboards:{name}_pdf") in page.content.decode()
        r = client.get(reverse(f"dashboards:{name}_pdf") + q)
        assert r.status_code == 200 and r["Content-Type"] == "application/pdf", name
        assert pdf_pages(r.content, tmp_path)[1] == A4_POINTS
        flat = " ".join(pdf_text(r.content, tmp_path).split())
        assert "Kabupaten Luwu Timur" in flat and "Agustus 2030" in flat and "WITA" in flat, name


@pytest.mark.django_db
def test_pdf_stays_inside_the_users_node(client, bob, known):
    client.force_login(bob)
    assert client.get(reverse("dashboards:prevalence_pdf") + "?within=73.24.04").status_code == 404
    client.logout()
    r = client.get(reverse("dashboards:prevalence_pdf"))
    assert r.status_code == 302 and "/masuk/" in r["Location"]
