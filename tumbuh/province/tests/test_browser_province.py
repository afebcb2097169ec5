"""In chromium: a province user opens the districts side by side, sorts them by prevalence
(htmx swaps the table and the address follows), ticks two districts and opens their comparison.
Runs with ``-m browser``."""

from __future__ import annotations

import pytest

from tumbuh.core.testing import browser_login

from .conftest import LUTIM, LUWU, ROUND, two_districts  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db, settings):
    from tumbuh.demo.generator import build_demo

    settings.DEMO_MODE = True
    build_demo(children=50, kecamatan=["73.24.04"])


@pytest.fixture
def province_login(demo, django_user_model):
    from tumbuh.accounts.models import Role
    from tumbuh.demo.accounts import DEMO_PASSWORD

    django_user_model.objects.create_user("prov.browser", password=DEMO_PASSWORD, role=Role.PROVINCE, wilayah_id="73")
    return "prov.browser"


def _codes(page) -> list[str]:
    return page.locator("[data-testid=district-table] tbody tr").evaluate_all("rows => rows.map(r => r.dataset.code)")


def test_open_sort_and_compare(browser, live_server, province_login, two_districts):  # noqa: F811
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    browser_login(page, live_server, province_login)

    page.goto(f"{live_server.url}/provinsi/?period={ROUND.key}")
    assert "Sulawesi Selatan" in page.locator("h1").inner_text()
    assert _codes(page)[:2] == [LUTIM, LUWU]  # the default: highest prevalence first
    assert page.locator("[data-testid=no-data]").count() == len(_codes(page)) - 2
    assert "belum ada data" in page.locator("[data-testid=district-table]").inner_text()

    # Sort by prevalence: the first click on the current column turns it round (ascending).
    page.locator("[data-testid=district-table] thead a[data-sort=prevalence]").click()
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=district-table] tbody tr').dataset.code === '{LUWU}'"
    )
    assert _codes(page)[:2] == [LUWU, LUTIM]
    assert "sort=prevalence" in page.url  # htmx pushed the address

    # Tick the two districts with data and compare them.
    page.locator(f"input[name=kabupaten][value='{LUTIM}']").check()
    page.locator(f"input[name=kabupaten][value='{LUWU}']").check()
    with page.expect_navigation():
        page.click("[data-testid=compare-submit]")
    assert "/provinsi/banding/" in page.url
    columns = page.locator("[data-testid=compare-charts] .compare-column")
    assert columns.count() == 2
    assert columns.nth(0).locator("svg").count() >= 1
    shown = {columns.nth(i).get_attribute("data-code") for i in range(2)}
    assert shown == {LUTIM, LUWU}  # in the order they were ticked in the sorted table
    assert "Kabupaten Luwu Timur" in page.locator("[data-testid=compare-charts]").inner_text()
    context.close()
