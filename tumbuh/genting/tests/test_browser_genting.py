"""In chromium: the TPPS secretariat opens GENTING, goes to the summary for the
Bupati and downloads the meeting handout, whose figures are the page's. Runs with ``-m browser``."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tumbuh.core.testing import browser_login, require_or_skip
from tumbuh.core.tests.test_browser import demo  # noqa: F401  (the demo district, built per test)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_handout_carries_the_figures_of_the_page(browser, live_server, demo, tmp_path):
    require_or_skip(shutil.which("pdftotext") is not None, "pdftotext not found: apt-get install poppler-utils")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    browser_login(page, live_server, "admin.lutim")
    page.goto(f"{live_server.url}/genting/")
    page.get_by_role("link", name="Ringkasan untuk Bupati").click()
    figures = {
        key: page.locator(f"[data-testid={key}]").inner_text().strip()
        for key in ("foster-parents", "families", "villages", "help-total")
    }
    assert figures["help-total"].startswith("Rp ") and figures["help-total"] != "Rp 0"
    with page.expect_download() as info:
        page.locator("[data-testid=handout-pdf]").click()
    path = tmp_path / "ringkasan.pdf"
    info.value.save_as(path)
    assert info.value.suggested_filename.startswith("genting-ringkasan-73.24-")
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "PEMERINTAH KABUPATEN LUWU TIMUR" in text
    assert f"Orang tua asuh aktif {figures['foster-parents']}" in text
    assert f"Keluarga terjangkau {figures['families']}" in text
    assert f"Desa terjangkau {figures['villages']}" in text
    assert f"Bantuan diberikan (Rp) {figures['help-total'].removeprefix('Rp ')}" in text
    context.close()
