"""In chromium: the TPPS secretariat opens the number of families per desa from the KRS list,
types one desa's number, fills the year's Excel template for two more (one with a word instead
of a number), uploads it, sees the rejected row with its reason, and finds the numbers in the
Aksi 1 table. Runs with ``-m browser``."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tumbuh.core.testing import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BALANTANG = "73.24.04.2010"


@pytest.fixture
def demo(transactional_db, settings):
    from tumbuh.demo.generator import build_demo

    settings.DEMO_MODE = True
    build_demo(children=300, kecamatan=["73.24.04"])


def test_enter_and_import_families_and_see_them_in_aksi_1(browser, live_server, demo, tmp_path):
    from tumbuh.krs.models import FamilyCount
    from tumbuh.wilayah.models import Wilayah

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    browser_login(page, live_server, "admin.lutim")
    page.goto(f"{live_server.url}/krs/")
    page.get_by_test_id("families-link").click()
    page.fill("input[name=year]", "2026")
    page.get_by_role("button", name="Tampilkan").click()
    page.fill(f"input[name='families-{BALANTANG}']", "1.234")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_selector(".messages")
    assert FamilyCount.objects.get(desa_id=BALANTANG, year=2026).families == 1234
    assert page.input_value(f"input[name='families-{BALANTANG}']") == "1234"

    with page.expect_download() as info:
        page.get_by_test_id("template-link").click()
    path = tmp_path / "templat.xlsx"
    info.value.save_as(path)
    workbook = load_workbook(path)
    sheet = workbook["Data"]
    others = [
        w.code
        for w in Wilayah.objects.filter(kecamatan_code="73.24.04", level=4).exclude(code=BALANTANG).order_by("code")[:2]
    ]
    for row in sheet.iter_rows(min_row=3):
        if row[0].value == others[0]:
            row[4].value = "1.050"
        elif row[0].value == others[1]:
            row[4].value = "banyak"
        elif row[0].value != BALANTANG:
            for cell in row:  # the other desa are left out: blank rows
                cell.value = None
    workbook.save(path)
    page.set_input_files("[data-testid=import-form] input[type=file]", str(path))
    page.click("[data-testid=import-form] button[type=submit]")
    page.wait_for_selector("[data-testid=import-summary]")
    assert "Jumlah Keluarga bukan bilangan bulat: banyak" in page.content()  # the reason, in Indonesian
    assert FamilyCount.objects.get(desa_id=others[0], year=2026).families == 1050
    assert not FamilyCount.objects.filter(desa_id=others[1], year=2026).exists()

    page.goto(f"{live_server.url}/analisis/?year=2027")
    row = page.locator(f"[data-testid=situasi-table] tr[data-desa='{BALANTANG}']")
    assert row.locator("td[data-col=families]").inner_text() == "1.234"
    context.close()
