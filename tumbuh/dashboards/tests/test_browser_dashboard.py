"""In chromium: the district admin opens the prevalence dashboard, drills down kabupaten →
kecamatan → desa by clicking the area names, downloads the PDF handout, and the PDF has the
figures the page shows. Runs with ``-m browser`` (see tumbuh/core/tests/test_browser.py)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tumbuh.core.testing import browser_login, require_or_skip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db, settings):
    from tumbuh.demo.generator import build_demo

    settings.DEMO_MODE = True
    build_demo(children=300, kecamatan=["73.24.04"])  # a few hundred children in Malili


@pytest.fixture
def pdf_tools():
    from tumbuh.dashboards.pdf import weasyprint_error

    error = weasyprint_error()
    require_or_skip(
        error is None, f"WeasyPrint cannot load pango ({error}): apt-get install libpango-1.0-0 libpangoft2-1.0-0"
    )
    require_or_skip(shutil.which("pdftotext") is not None, "pdftotext not found: apt-get install poppler-utils")


def _table(page):
    """The ranked table as the page shows it: {area name: [cell texts]}."""
    rows = page.locator("[data-testid=ranked-table] tbody tr")
    out = {}
    for i in range(rows.count()):
        cells = [c.strip() for c in rows.nth(i).locator("td").all_inner_texts()]
        out[cells[1]] = cells
    return out


def test_drill_down_to_a_desa_and_export_the_pdf(browser, live_server, demo, pdf_tools, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    browser_login(page, live_server, "admin.lutim")

    page.goto(f"{live_server.url}/dasbor/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert "Luwu Timur" in page.locator("h1").inner_text()
    district = _table(page)
    assert "Malili" in district

    # kabupaten → kecamatan → desa, by clicking the area names in the ranked table.
    with page.expect_navigation():
        page.locator("[data-testid=ranked-table] a", has_text="Malili").click()
    assert "Kecamatan Malili" in page.locator("h1").inner_text()
    desa = _table(page)
    assert "Balantang" in desa
    with page.expect_navigation():
        page.locator("[data-testid=ranked-table] a", has_text="Balantang").click()
    assert "Balantang" in page.locator("h1").inner_text()
    assert "within=73.24.04.2010" in page.url
    crumbs = page.locator("nav.crumbs").inner_text()
    assert "Luwu Timur" in crumbs and "Malili" in crumbs and "Balantang" in crumbs

    # The figures the page shows: the summary cards and the posyandu table (Indonesian format).
    cards = page.locator("[data-testid=summary] .big").all_inner_texts()
    assert cards and any("," in c for c in cards)  # decimal comma
    posyandu = _table(page)
    assert posyandu
    heading = page.locator("h1 ~ h2").first.inner_text()  # "Desa Balantang, Putaran Agustus 2025"

    with page.expect_download() as info:
        page.click("[data-testid=pdf]")
    download = info.value
    assert download.suggested_filename.endswith(".pdf") and "posyandu" in download.suggested_filename
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    if os.environ.get("TUMBUH_SCREENSHOT_DIR"):
        shutil.copy(path, os.path.join(os.environ["TUMBUH_SCREENSHOT_DIR"], "tumbuh-dasbor-desa.pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())

    assert "Kabupaten Luwu Timur" in flat
    assert heading in flat  # the area and the period
    assert "data rutin posyandu (e-PPGBM/Tumbuh)" in flat and "WITA" in flat and "Halaman 1 dari" in flat
    for card in cards:
        assert card in flat
    for name, cells in posyandu.items():
        rank, first_word = cells[0], name.split()[0]
        line = next(ln for ln in text.splitlines() if ln.strip().startswith(f"{rank} {first_word}"))
        for value in cells[2:5] + cells[6:7]:  # children measured, cases, prevalence, small-area estimate
            assert value in line, (name, value, line)
    context.close()
