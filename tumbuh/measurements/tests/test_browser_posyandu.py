"""The posyandu form in a real browser (Debian's chromium, Playwright, a live server) on a
phone: find the child, enter a visit with a decimal comma, check, confirm, see it saved."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from tumbuh.core.testing import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("TUMBUH_SCREENSHOT_DIR", "/tmp")


@pytest.fixture
def demo(transactional_db, settings):
    from tumbuh.demo.generator import build_demo

    settings.DEMO_MODE = True
    build_demo()


@pytest.fixture
def child(demo):
    from decimal import Decimal

    from tumbuh.accounts.models import User
    from tumbuh.measurements.actions import do_record_measurement, do_register_child
    from tumbuh.measurements.models import Child, Measurement

    admin = User.objects.get(username="admin.lutim")
    child = do_register_child(
        admin,
        Child(
            name="Nurul Posyandu Uji",
            sex=2,
            birth_date=dt.date(2023, 1, 15),
            nik="7324045501230012",
            parent_name="Hartini Uji",
            desa_id="73.24.04.2010",
        ),
        today=dt.date(2024, 8, 12),
    )
    do_record_measurement(
        admin,
        Measurement(
            child=child, date=dt.date(2024, 8, 12), weight=Decimal("8.9"), lenhei=Decimal("76.0"), position="l"
        ),
        today=dt.date(2024, 8, 12),
    )
    return child


def test_desa_operator_enters_a_visit_on_a_phone(browser, live_server, child):
    from tumbuh.growth.classify import LABELS
    from tumbuh.measurements.models import Measurement

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    page = context.new_page()
    browser_login(page, live_server, "desa.balantang")

    page.goto(f"{live_server.url}/anak/kunjungan/")
    page.fill("[data-testid=visit-search]", "hartini uji")  # the mother's name; htmx answers as one types
    result = page.locator("[data-testid=search-results] a", has_text="Nurul Posyandu Uji")
    result.wait_for()
    assert page.locator("[data-testid=search-results] a").count() == 1
    result.click()

    page.wait_for_selector("[data-testid=visit-form]")
    assert page.locator("input[name=position][value=h]").is_checked()  # 2 years old: standing by default
    assert page.locator("#id_weight").get_attribute("inputmode") == "decimal"
    page.fill("#id_date", "2025-02-10")
    page.fill("#id_weight", "9,6")
    page.fill("#id_lenhei", "79,0")
    page.press("#id_lenhei", "Enter")  # Enter submits

    page.wait_for_selector("[data-testid=visit-confirm]")
    m = Measurement.objects.filter(child=child).order_by("-date").first()
    assert m.date == dt.date(2024, 8, 12)  # nothing saved before the confirmation
    z = page.locator("[data-testid=z-tbu]").inner_text()
    assert "," in z and z.startswith("-") and float(z.replace(",", ".")) < -2
    status = page.locator("[data-testid=status-tbu]").inner_text()
    assert status in (LABELS["tbu"]["pendek"][0], LABELS["tbu"]["sangat_pendek"][0])
    assert page.locator("[data-testid=status-bbtb]").inner_text() in [v[0] for v in LABELS["bbtb"].values()]
    page.screenshot(path=f"{SCREENSHOTS}/tumbuh-posyandu-confirm.png", full_page=True)
    page.click("[data-testid=visit-confirm-button]")

    page.wait_for_url(f"{live_server.url}/anak/{child.tumbuh_id}/")
    saved = Measurement.objects.get(child=child, date=dt.date(2025, 2, 10))
    assert str(saved.weight) == "9.60" and saved.entered_by.username == "desa.balantang"
    first_row = page.locator("[data-testid=visits] tbody tr").first
    assert "10/02/2025" in first_row.inner_text() and "9,60" in first_row.inner_text()
    assert z in first_row.inner_text()
    assert page.locator("[data-testid=nik]").inner_text() == "7324045501230012"  # the desa operator may read it
    assert page.locator("figure[data-kind=lhfa]").get_attribute("data-points") == "2"
    assert page.locator("figure[data-kind=lhfa] svg g.mark-symbol.role-mark path").count() == 2
    page.screenshot(path=f"{SCREENSHOTS}/tumbuh-child-page-phone.png", full_page=True)

    wide = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    desk = wide.new_page()
    browser_login(desk, live_server, "desa.balantang")
    desk.goto(f"{live_server.url}/anak/{child.tumbuh_id}/")
    desk.screenshot(path=f"{SCREENSHOTS}/tumbuh-child-page.png", full_page=True)
    desk.goto(f"{live_server.url}/anak/{child.tumbuh_id}/ringkasan/")
    desk.screenshot(path=f"{SCREENSHOTS}/tumbuh-ringkasan.png", full_page=True)
    pdf = desk.pdf(path=f"{SCREENSHOTS}/tumbuh-ringkasan.pdf", format="A4", prefer_css_page_size=True)
    assert (
        pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page>") + pdf.count(b"/Type /Page ") <= 1 or b"/Count 1" in pdf
    )
    wide.close()
    context.close()
