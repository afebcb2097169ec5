"""In chromium: the TPPS secretariat opens Aksi 1 from the menu, goes to the lokus ranking,
takes a recommended desa out with a written reason, and downloads the SK lokus whose lampiran
no longer names it. Runs with ``-m browser``."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tumbuh.core.testing import browser_login, require_or_skip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db, settings):
    from tumbuh.demo.generator import build_demo

    settings.DEMO_MODE = True
    build_demo(children=300, kecamatan=["73.24.04"])


def test_take_a_desa_out_of_the_lokus_and_generate_the_sk(browser, live_server, demo, tmp_path):
    from tumbuh.analisis.models import Lokus, lokus_desa

    require_or_skip(shutil.which("pdftotext") is not None, "pdftotext not found: apt-get install poppler-utils")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    browser_login(page, live_server, "admin.lutim")
    page.locator("nav.sidebar").get_by_role("link", name="Aksi 1: Analisis Situasi").click()
    page.fill("input[name=year]", "2026")
    page.get_by_role("button", name="Tampilkan").click()
    assert page.locator("[data-testid=situasi-table] tbody tr").count() > 0
    assert page.locator("[data-testid=heatmap] svg").count() == 1
    page.get_by_role("link", name="Peringkat dan pemilihan lokus").click()

    before = lokus_desa("73.24", 2026)
    out = before[0]
    row = page.locator(f"[data-testid=lokus-table] tr[data-desa='{out}']")
    name = Lokus.objects.get(desa_id=out, year=2026).desa.name
    row.locator("input[type=checkbox]").uncheck()
    row.locator("input[type=text]").fill("Sudah ditangani program CSR perusahaan tambang")
    page.get_by_role("button", name="Simpan pilihan lokus").click()
    page.wait_for_selector(".messages")
    assert out not in lokus_desa("73.24", 2026)
    assert Lokus.objects.get(desa_id=out, year=2026).reason == "Sudah ditangani program CSR perusahaan tambang"

    page.fill("#id_nomor", "100.3.3.2/77/2026")
    with page.expect_download() as info:
        page.click("[data-testid=decree-form] button[type=submit]")
    path = tmp_path / "sk.pdf"
    info.value.save_as(path)
    text = " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "100.3.3.2/77/2026" in text and name not in text
    context.close()
