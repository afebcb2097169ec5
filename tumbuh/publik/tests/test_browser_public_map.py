"""In a real browser: the district admin publishes a round of the demo (with its synthetic map),
and an anonymous visitor sees the public map drawn by the locally served Leaflet, where a
posyandu under the threshold shows no figure; without JavaScript the page is its tables."""

from __future__ import annotations

import os
import re

import pytest

from tumbuh.core.testing import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TUMBUH_SCREENSHOT_DIR", "/tmp")


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    from tumbuh.demo.generator import build_demo
    from tumbuh.maps.models import _read_collection

    settings.DEMO_MODE = True
    settings.MEDIA_ROOT = tmp_path / "media"
    _read_collection.cache_clear()
    build_demo(children=300, kecamatan=["73.24.04"], demo_map=True)


def test_anyone_sees_the_public_map_and_a_small_posyandu_shows_no_figure(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    browser_login(page, live_server, "admin.lutim")
    page.goto(f"{live_server.url}/publik/kelola/")
    page.click("[data-testid=publish-form] button[type=submit]")
    page.wait_for_selector("[data-testid=round-list] tbody tr")
    round_url = page.locator("[data-testid=round-list] tbody tr a").first.get_attribute("href")
    context.close()

    anonymous = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = anonymous.new_page()
    served = []
    page.on("request", lambda r: served.append(r.url))
    page.goto(f"{live_server.url}{round_url}")
    page.wait_for_selector("#choropleth[data-ready='1']")
    assert page.locator("[data-testid=public-map-drawn]").is_visible()
    assert page.locator("#choropleth path.map-area").count() == 128  # every desa of Luwu Timur
    points = page.locator("#choropleth path.posyandu-point")
    hidden = page.locator("#choropleth path.posyandu-hidden")
    assert points.count() > 300 and 0 < hidden.count() < points.count()
    assert page.locator("[data-testid=synthetic-boundaries]").is_visible()

    # A hidden posyandu: its name and desa, the table's words, and no figure.
    hidden.first.dispatch_event("mouseover")
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    text = tooltip.inner_text()
    assert "Posyandu" in text and ("<10 anak diukur" in text or "disembunyikan" in text), text
    assert "%" not in text and "n =" not in text and not re.search(r"\d+,\d", text), text
    hidden.first.dispatch_event("mouseout")

    # A posyandu that shows its figure, written as the page's language writes it.
    shown = page.locator("#choropleth path.posyandu-point:not(.posyandu-hidden)")
    for i in range(shown.count()):
        shown.nth(i).dispatch_event("mouseover")
        text = page.locator(".leaflet-tooltip").last.inner_text()
        shown.nth(i).dispatch_event("mouseout")
        if "%" in text:
            assert re.search(r"\d+,\d %", text) and "n = " in text, text
            break
    else:
        pytest.fail("no posyandu of the demo shows a figure")
    page.screenshot(path=f"{SHOTS}/tumbuh-public-map.png", full_page=False)
    assert served and all(u.startswith(live_server.url) for u in served)  # no CDN, no tile server
    anonymous.close()

    # Without JavaScript: no empty map box, the note, and the tables with every figure.
    plain = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID", java_script_enabled=False)
    page = plain.new_page()
    page.goto(f"{live_server.url}{round_url}")
    assert not page.locator("[data-testid=public-map-drawn]").is_visible()
    assert "Peta memerlukan JavaScript" in page.locator("[data-testid=public-map]").inner_text()
    assert page.locator("[data-testid=table-desa]").first.is_visible()
    plain.close()
