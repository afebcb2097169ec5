"""In chromium: the TPPS secretariat walks a Rembuk Stunting from creation to the generated
berita acara: creates the event (participants invited from the lists), records attendance,
freezes the materials, agrees the plan, writes the decisions and downloads the berita acara,
whose PDF holds what was entered; Pantau Aksi's Aksi 3 offers the same document. Runs with
``-m browser``."""

from __future__ import annotations

import subprocess

import pytest

from tumbuh.core.testing import browser_login
from tumbuh.dashboards.tests.test_browser_dashboard import pdf_tools  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db, settings):
    from django.core.management import call_command

    from tumbuh.demo.generator import build_demo

    settings.DEMO_MODE = True
    call_command("load_indicators", verbosity=0)  # a flush after an earlier browser test removes the seeded catalogue
    build_demo(children=0, kecamatan=["73.24.04"])


def _submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_a_rembuk_from_creation_to_the_berita_acara(browser, live_server, demo, pdf_tools, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    browser_login(page, live_server, "admin.lutim")

    page.goto(f"{live_server.url}/rembuk/")
    assert page.locator("html").get_attribute("lang") == "id"
    with page.expect_navigation():
        page.click("[data-testid=rembuk-add]")
    page.select_option("#id_wilayah", "73.24")
    page.fill("#id_year", "2026")
    page.fill("#id_title", "Rembuk Stunting Kabupaten Luwu Timur 2026 (uji)")
    page.fill("#id_date", "2026-04-15")
    page.fill("#id_place", "Aula Kantor Bupati Luwu Timur")
    page.fill("#id_signing_place", "Malili")
    page.fill("#id_agenda", "Pembukaan\nPaparan analisis situasi\nPenandatanganan komitmen")
    page.fill("#id_nomor_berita_acara", "050/77/TPPS/IV/2026")
    assert page.is_checked("#id_invite")
    _submit(page, "[data-testid=rembuk-form] button[type=submit]")
    assert "Rembuk Stunting Kabupaten Luwu Timur 2026 (uji)" in page.locator("[data-testid=rembuk-title]").inner_text()

    # Attendance: the Bupati and the DPRD chair came.
    participants = page.locator("[data-testid=participants]")
    assert "Bupati Luwu Timur" in participants.inner_text() and "Camat Malili" in participants.inner_text()
    for position in ("Bupati Luwu Timur", "Ketua DPRD Kabupaten Luwu Timur"):
        page.locator("[data-testid=participants] tr", has_text=position).locator("input[type=checkbox]").check()
    _submit(page, "[data-testid=save-attendance]")
    assert page.locator("[data-testid=attended-count]").inner_text().startswith("2 /")

    # Materials frozen, plan agreed as version 1.
    _submit(page, "[data-testid=freeze]")
    from tumbuh.documents.official import indonesian_number
    from tumbuh.rencana.plan import activities, budget_total

    plan = list(activities("73.24", 2026))
    assert plan, "the demo has Luwu Timur's 2026 plan"
    budget = indonesian_number(int(budget_total(plan)))
    assert f"Rp {budget}" in page.locator("[data-testid=materials]").inner_text()
    page.fill("#id_note", "disepakati seluruh peserta")
    _submit(page, "[data-testid=agree]")
    assert "v1" in page.locator("[data-testid=plans]").inner_text()

    # The decisions, then the berita acara.
    with page.expect_navigation():
        page.click("[data-testid=rembuk-edit]")
    page.fill("#id_decisions", "Menyepakati rencana kegiatan terintegrasi 2026\nMenetapkan desa lokus 2026")
    _submit(page, "[data-testid=rembuk-form] button[type=submit]")
    assert "Menetapkan desa lokus 2026" in page.locator("[data-testid=decisions]").inner_text()

    with page.expect_download() as download:
        page.click("[data-testid=doc-berita-acara-pdf]")
    path = tmp_path / "ba.pdf"
    download.value.save_as(path)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "BERITA ACARA" in text and "Nomor: 050/77/TPPS/IV/2026" in text
    assert "Rabu tanggal lima belas bulan April tahun dua ribu dua puluh enam" in flat
    assert "dihadiri oleh 2 dari" in flat
    assert "Menetapkan desa lokus 2026" in text and "versi 1" in flat
    assert f"Rp {budget}" in flat and plan[0].opd.short_name in text
    assert "Bupati Luwu Timur" in text and "Malili, 15 April 2026" in text

    # Pantau Aksi's Aksi 3 lists the same document under "Dokumen dari Tumbuh".
    event_url = page.url.removeprefix(live_server.url)  # /rembuk/<pk>/
    page.goto(f"{live_server.url}/aksi/ke/3/?year=2026")
    outputs = page.locator("[data-testid=outputs]")
    assert "Rembuk kabupaten: Rembuk Stunting Kabupaten Luwu Timur 2026 (uji)" in outputs.inner_text()
    with page.expect_download() as download:
        outputs.locator(f'a[data-testid=output-link][href="{event_url}dokumen/berita-acara.pdf"]').click()
    download.value.save_as(tmp_path / "ba-aksi.pdf")
    again = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "ba-aksi.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert again == text
    context.close()
