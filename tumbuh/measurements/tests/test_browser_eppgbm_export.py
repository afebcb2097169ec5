"""In a real browser (Debian's chromium, Playwright, a live server), on a phone: the desa operator
enters today's visit with its services, then downloads this month's e-PPGBM upload file and
finds the visit in it."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from openpyxl import load_workbook

from tumbuh.core.testing import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("TUMBUH_SCREENSHOT_DIR", "/tmp")
NIK = "7324045501230012"  # a Malili NIK; only its structure matters here


@pytest.fixture
def child(transactional_db, settings):
    from tumbuh.accounts.models import User
    from tumbuh.demo.generator import build_demo
    from tumbuh.measurements.actions import do_register_child
    from tumbuh.measurements.models import Child
    from tumbuh.organisation.models import Posyandu

    settings.DEMO_MODE = True
    build_demo()
    admin = User.objects.get(username="admin.lutim")
    birth = dt.date.today() - dt.timedelta(days=400)  # about 13 months old whenever the test runs
    return do_register_child(
        admin,
        Child(
            name="Lestari Unggah Uji",
            sex=2,
            birth_date=birth,
            nik=NIK,
            parent_name="Marlina Uji",
            parent_phone="081355501234",
            desa_id="73.24.04.2010",
            posyandu=Posyandu.objects.filter(desa_id="73.24.04.2010").first(),
            rt="004",
            rw="002",
        ),
        today=dt.date.today(),
    )


def test_desa_operator_enters_a_visit_with_services_and_downloads_the_upload_file(
    browser, live_server, child, tmp_path
):
    from tumbuh.measurements.models import Measurement
    from tumbuh.measurements.upload_layout import load_layout

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    browser_login(page, live_server, "desa.balantang")

    page.goto(f"{live_server.url}/anak/kunjungan/{child.tumbuh_id}/")
    page.wait_for_selector("[data-testid=services]")
    page.fill("#id_weight", "9,1")
    page.fill("#id_lenhei", "74,5")
    page.select_option("#id_vitamin_a", "1")
    page.select_option("#id_kelas_ibu_balita", "true")
    page.select_option("#id_mbg", "false")
    for month in range(6):
        page.select_option(f"#id_asi_{month}", "Y")
    page.select_option("#id_asi_6", "T")
    page.screenshot(path=f"{SCREENSHOTS}/tumbuh-posyandu-services.png", full_page=True)
    page.click("[data-testid=visit-check]")
    page.wait_for_selector("[data-testid=visit-confirm]")
    assert "YYYYYYT" in page.locator("[data-testid=services-summary]").inner_text()
    page.click("[data-testid=visit-confirm-button]")
    page.wait_for_url(f"{live_server.url}/anak/{child.tumbuh_id}/")
    visit = Measurement.objects.get(child=child)
    assert (visit.vitamin_a, visit.kelas_ibu_balita, visit.mbg, visit.kia_book, visit.asi_months) == (
        1,
        True,
        False,
        None,
        "YYYYYYT",
    )

    page.goto(f"{live_server.url}/anak/")
    page.click("[data-testid=eppgbm-export-link]")
    page.wait_for_selector("[data-testid=export-form]")
    # The operator's only desa and this month are already chosen.
    assert page.locator("#id_desa").input_value() == "73.24.04.2010"
    assert page.locator("#id_bulan").input_value() == f"{visit.date:%Y-%m}"
    page.click("[data-testid=export-form] button[type=submit]")
    page.wait_for_selector("[data-testid=export-visits]")
    assert "Lestari Unggah Uji" in page.locator("[data-testid=export-visits]").inner_text()
    assert page.locator("[data-testid=nik-missing]").count() == 0
    with page.expect_download() as download:
        page.click("[data-testid=export-download]")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.endswith(f"{visit.date:%Y-%m}.xlsx")

    layout = load_layout()
    sheet = load_workbook(path)[layout.sheet]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == layout.headers
    found = [
        dict(zip(layout.fields, r, strict=True))
        for r in rows[1:]
        if r[layout.fields.index("name")] == "Lestari Unggah Uji"
    ]
    assert len(found) == 1
    row = found[0]
    assert (row["nik"], row["parent_phone"], row["date"]) == (NIK, "081355501234", f"{visit.date:%Y-%m-%d}")
    assert (row["weight"], row["lenhei"], row["position"]) == (9.1, 74.5, "Terlentang")
    assert (row["vita"], row["kelas_ibu"], row["mbg"], row["asi_0"], row["asi_6"]) == (1, "Ya", "Tidak", "Ya", "Tidak")
    context.close()
