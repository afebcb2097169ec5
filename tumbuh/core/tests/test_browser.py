"""In a real browser: Debian's chromium, driven by Playwright, against a live server.

These run in their own pytest invocation (``-m browser``) because the live server needs a
database that is flushed after each test."""

from __future__ import annotations

import os

import pytest

from tumbuh.core.testing import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db, settings):
    from tumbuh.demo.generator import build_demo

    settings.DEMO_MODE = True
    build_demo()


def test_desa_operator_sees_only_their_village_and_switches_language(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    page = context.new_page()
    page.goto(f"{live_server.url}/masuk/")
    assert page.locator("[data-testid=demo-accounts]").inner_text().count("desa.balantang") == 1
    browser_login(page, live_server, "desa.balantang")

    # Indonesian by default.
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.locator("h1").inner_text() == "Desa Balantang"
    assert page.locator("[data-testid=count-desa]").inner_text() == "1"
    options = page.locator("[data-testid=focus-select] option").all_inner_texts()
    assert [o.strip() for o in options] == ["Desa Balantang"]

    page.goto(f"{live_server.url}/organisasi/posyandu/")
    rows = page.locator("[data-testid=object-list] tbody tr")
    desa_cells = {rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())}
    assert desa_cells == {"Balantang"}

    # Another village's posyandu is not found, not forbidden: it does not exist for this user.
    from tumbuh.organisation.models import Posyandu

    other = Posyandu.objects.filter(desa_id="73.24.04.2001").first()
    response = page.goto(f"{live_server.url}/organisasi/posyandu/{other.pk}/")
    assert response.status == 404

    # Switch to English and back.
    page.goto(f"{live_server.url}/")
    with page.expect_navigation():  # the switch posts a form, then the page reloads
        page.click("[data-testid=lang-en]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="Log out").is_visible()
    with page.expect_navigation():  # the switch posts a form, then the page reloads
        page.click("[data-testid=lang-id]")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("button", name="Keluar").is_visible()
    context.close()


def test_district_admin_narrows_the_view_with_the_region_picker(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")  # a phone
    page = context.new_page()
    browser_login(page, live_server, "admin.lutim")
    assert page.locator("[data-testid=count-desa]").inner_text() == "128"
    page.select_option("[data-testid=focus-select]", "73.24.04")
    page.wait_for_function("() => document.querySelector('[data-testid=count-desa]').innerText === '15'")
    assert page.locator("h1").inner_text() == "Kecamatan Malili"
    page.screenshot(path=os.environ.get("TUMBUH_SCREENSHOT_DIR", "/tmp") + "/tumbuh-phone-home.png", full_page=True)
    context.close()
