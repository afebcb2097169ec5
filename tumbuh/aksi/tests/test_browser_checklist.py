"""In chromium: the secretariat uploads the signed berita acara on the demo rembuk's page, and
Pantau Aksi's Aksi 3 ticks it by itself, with the link to the scan, which downloads as
uploaded. Runs with ``-m browser``."""

from __future__ import annotations

import pytest

from tumbuh.core.testing import browser_login
from tumbuh.documents.testing import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIGNED = pdf_bytes("berita acara bertanda tangan (uji peramban)")


@pytest.fixture
def demo(transactional_db, settings):
    from django.core.management import call_command

    from tumbuh.demo.generator import build_demo

    settings.DEMO_MODE = True
    call_command("load_indicators", verbosity=0)  # a flush after an earlier browser test removes the seeded catalogue
    build_demo(children=0, kecamatan=["73.24.04"])


def test_the_uploaded_berita_acara_ticks_aksi_3(browser, live_server, demo, settings, tmp_path):
    from tumbuh.rembuk.models import RembukEvent

    settings.MEDIA_ROOT = tmp_path
    event = RembukEvent.objects.get(wilayah_id="73.24", year=2026)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    browser_login(page, live_server, "admin.lutim")

    page.goto(f"{live_server.url}/aksi/ke/3/?year=2026")
    heading = page.locator("h2", has_text="Keluaran wajib")
    assert "(1/3)" in heading.inner_text()  # the demo rembuk was held, who came recorded
    ba = page.locator("[data-testid=checklist-item]", has_text="Berita acara rembuk stunting")
    assert ba.get_attribute("data-done") == "no" and ba.locator("input[type=checkbox]").count() == 0

    page.goto(f"{live_server.url}/rembuk/{event.pk}/")
    upload = page.locator("form[action$='/unggah/']")
    upload.locator("[name=kind]").select_option("rembuk-berita-acara")
    upload.locator("[name=title]").fill("Berita acara bertanda tangan")
    upload.locator("[name=file]").set_input_files(
        files=[{"name": "ba.pdf", "mimeType": "application/pdf", "buffer": SIGNED}]
    )
    with page.expect_navigation():
        upload.locator("button[type=submit]").click()
    assert "Berita acara bertanda tangan" in page.locator("[data-testid=scans]").inner_text()

    page.goto(f"{live_server.url}/aksi/ke/3/?year=2026")
    assert "(2/3)" in page.locator("h2", has_text="Keluaran wajib").inner_text()
    ba = page.locator("[data-testid=checklist-item]", has_text="Berita acara rembuk stunting")
    assert ba.get_attribute("data-done") == "yes" and "Terbukti oleh" in ba.inner_text()
    with page.expect_download() as download:
        ba.locator("a[data-testid=proof-link]").click()
    path = tmp_path / "ba-unduh.pdf"
    download.value.save_as(path)
    assert path.read_bytes() == SIGNED

    page.goto(f"{live_server.url}/aksi/?year=2026")
    assert "2/3" in page.locator("#aksi-3").inner_text()
    context.close()
