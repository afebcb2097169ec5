"""Taking a wrong visit back in a real browser (Debian's chromium, Playwright, a live server):
the desa operator removes a visit from the child's page with a reason, finds it among the
removed visits and restores it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tumbuh.core.testing import browser_confirm_delete, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def child(transactional_db, settings):
    from tumbuh.accounts.models import User
    from tumbuh.demo.generator import build_demo
    from tumbuh.measurements.actions import do_record_measurement, do_register_child
    from tumbuh.measurements.models import Child, Measurement

    settings.DEMO_MODE = True
    build_demo()
    admin = User.objects.get(username="admin.lutim")
    child = do_register_child(
        admin,
        Child(
            name="Nurul Hapus Uji",
            sex=2,
            birth_date=dt.date(2023, 1, 15),
            parent_name="Hartini Uji",
            desa_id="73.24.04.2010",
        ),
        today=dt.date(2025, 2, 10),
    )
    for date, weight, height in ((dt.date(2024, 8, 12), "8.9", "76.0"), (dt.date(2025, 2, 10), "9.6", "79.0")):
        do_record_measurement(
            admin,
            Measurement(child=child, date=date, weight=Decimal(weight), lenhei=Decimal(height), position="l"),
            today=dt.date(2025, 2, 10),
        )
    return child


def test_a_visit_is_removed_and_restored_with_a_reason(browser, live_server, child):
    from tumbuh.measurements.models import Measurement

    page = browser.new_context(locale="id-ID").new_page()
    browser_login(page, live_server, "desa.balantang")
    page.goto(f"{live_server.url}/anak/{child.tumbuh_id}/")
    rows = page.locator("[data-testid=visits] tbody tr")
    assert rows.count() == 2
    with page.expect_navigation():
        rows.filter(has_text="10/02/2025").locator("[data-testid=remove-visit]").click()
    assert "Hapus kunjungan ini?" in page.content()
    browser_confirm_delete(page, "Salah anak")
    assert "Kunjungan tanggal 10/02/2025 dihapus" in page.content()
    assert page.locator("[data-testid=visits] tbody tr").count() == 1
    assert "kunjungan dihapus" in page.locator("[data-testid=audit] tbody tr").first.inner_text()
    assert Measurement.objects.filter(child=child).count() == 1

    with page.expect_navigation():
        page.click("[data-testid=removed-count] a")
    listed = page.locator("[data-testid=removed-visits] tbody tr")
    assert listed.count() == 1 and "Salah anak" in listed.inner_text()
    with page.expect_navigation():
        listed.locator("[data-testid=restore-visit]").click()
    page.fill("[data-testid=confirm] input[name=reason]", "Ternyata benar")
    with page.expect_navigation():
        page.click("[data-testid=confirm] button[type=submit]")
    assert "Kunjungan tanggal 10/02/2025 dipulihkan" in page.content()
    assert page.locator("[data-testid=visits] tbody tr").count() == 2
    assert Measurement.objects.filter(child=child).count() == 2
