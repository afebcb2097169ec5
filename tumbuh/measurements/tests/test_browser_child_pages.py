"""The child list's keyset pages on a phone (issue 18), in a real browser: a posted search, then
"berikutnya", "sebelumnya" and "halaman pertama"; the address never holds what was typed."""

from __future__ import annotations

import datetime as dt

import pytest

from tumbuh.core.testing import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def children(transactional_db, settings):
    from tumbuh.demo.generator import build_demo
    from tumbuh.measurements.models import Child

    settings.DEMO_MODE = True
    build_demo()
    Child.objects.bulk_create(
        Child(name=f"Anak Halaman {i:03d}", sex=1 + i % 2, birth_date=dt.date(2023, 1, 1), desa_id="73.24.04.2010")
        for i in range(75)
    )


def test_a_phone_pages_through_a_posted_search(browser, live_server, children):
    page = browser.new_context(locale="id-ID", viewport={"width": 360, "height": 740}).new_page()
    browser_login(page, live_server, "desa.balantang")
    page.goto(f"{live_server.url}/anak/")
    page.fill("#child-q", "Anak Halaman")
    with page.expect_navigation():
        page.get_by_role("button", name="Cari").click()
    assert "Halaman" not in page.url and "cari=" in page.url
    names = page.locator("[data-testid=child-list] tbody tr td:first-child a")
    assert names.count() == 50 and names.first.inner_text() == "Anak Halaman 000"
    assert "75 anak" in page.locator("[data-testid=child-count]").inner_text()
    assert page.locator("[data-testid=previous-page]").count() == 0
    with page.expect_navigation():
        page.get_by_role("link", name="berikutnya ›").click()
    assert "after=" in page.url and "Halaman" not in page.url
    assert names.count() == 25 and names.first.inner_text() == "Anak Halaman 050"
    assert page.locator("[data-testid=next-page]").count() == 0
    with page.expect_navigation():
        page.get_by_role("link", name="‹ sebelumnya").click()
    assert names.count() == 50 and names.first.inner_text() == "Anak Halaman 000"
    with page.expect_navigation():
        page.get_by_role("link", name="berikutnya ›").click()
    with page.expect_navigation():
        page.get_by_role("link", name="« halaman pertama").click()
    assert names.first.inner_text() == "Anak Halaman 000" and "cari=" in page.url
